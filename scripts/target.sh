#!/bin/sh
# The core's tests on the users' instruction sets, under QEMU:
#
#   ISA      machine                         C library          compiler
#   arm-m4   qemu-system-arm mps2-an386      newlib (rdimon)    arm-none-eabi-gcc
#   rv32imc  qemu-system-riscv32 virt        picolibc (semihost) riscv64-unknown-elf-gcc
#
# The ESP32-C3's ISA is RV32IMC; the picolibc multilib for -march=rv32imc is
# rv32im/ilp32 (compressed instructions in our code, not in the C library).
#
# For each mbedTLS (3.6.6 and 4.0.0, or $OTTER_TARGET_MBEDTLS) and each ISA:
# cross-builds mbedTLS with the project's MCU configuration
# (tests/target/mbedtls/) once into .deps/target/, keyed by tarball,
# configuration, compiler and flags; builds the core, the crypto shim
# (src/mbedtls/crypto.c), the cmocka shim (tests/target/cmocka/) and each test
# of tests/target/tests.txt into build-target/<isa>/mbedtls-<version>/
# (ELF, link map, QEMU log per test); runs each ELF under QEMU with
# semihosting (printf reaches the host, exit() is QEMU's exit
# status, fopen reads tests/vectors/ from the checkout, and the images
# scripts/sign-vectors.sh signs with build/otter into build-target/signed/).
# QEMU's exit status is the verdict. Against the first mbedTLS every test
# runs; against the next ones only those tests.txt marks "crypto". The ISAs
# run side by side. Prints one line per ISA (tests, cases, failed, wall
# time) and mbedTLS version.
# Usage: scripts/target.sh arm-m4|rv32imc|all [TEST...]
# Exit: 0 all passed, 1 a failure, 3 no mbedTLS sources at all (skipped; a
# single absent version is a SKIPPED line and not a failure).
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
. scripts/core-files.sh
which="${1:-all}"
[ $# -gt 0 ] && shift
only="$*"
out=build-target
deps="${OTTER_DEPS:-$root/../shared/deps}"
timeout_s="${OTTER_TARGET_TIMEOUT:-300}"
# The power-cut sweeps of tests/test_update_sweeps.c cut after every
# operation on the host; here after every Nth (and each of the last N), to
# keep the leg near a minute per ISA and mbedTLS.
sweep_stride="${OTTER_TARGET_SWEEP_STRIDE:-12}"
# The mbedTLS releases to cross-build and test against, each in turn (the
# ones ESP-IDF ships: 3.6 in v5.x, 4.0 with TF-PSA-Crypto in v6.0).
mbedvers="${OTTER_TARGET_MBEDTLS:-3.6.6 4.0.0}"
WARN="-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes"

set_isa() {
    isa="$1"
    case "$isa" in
        arm-m4)
            cc=arm-none-eabi-gcc
            arch="-mcpu=cortex-m4 -mthumb"
            libc="--specs=rdimon.specs"
            ldflags="-T tests/target/arm-m4/mps2-an386.ld"
            startup=tests/target/arm-m4/startup.c
            qemu="qemu-system-arm -M mps2-an386"
            ;;
        rv32imc)
            cc=riscv64-unknown-elf-gcc
            arch="-march=rv32imc -mabi=ilp32"  # the multilib match: picolibc rv32im/ilp32
            libc="--specs=picolibc.specs"
            # picolibc.ld places text at __flash and data, heap, stack at __ram.
            ldflags="--oslib=semihost --crt0=semihost -Wl,--defsym=__flash=0x80000000 -Wl,--defsym=__flash_size=0x400000
                     -Wl,--defsym=__ram=0x80400000 -Wl,--defsym=__ram_size=0x3c00000 -Wl,--defsym=__stack_size=0x10000"
            startup=""
            qemu="qemu-system-riscv32 -M virt -bios none"
            ;;
        *) echo "usage: scripts/target.sh arm-m4|rv32imc|all [TEST...]" >&2; exit 2 ;;
    esac
}

# mbedtls_build VER: prints the install prefix of mbedTLS VER cross-built for
# $isa with the MCU configuration, building it once. Exit 3: no sources.
mbedtls_build() {
    ver="$1"
    tarball="$deps/mbedtls-$ver.tar.xz"
    if [ ! -f "$tarball" ]; then
        echo "target: mbedtls-$ver.tar.xz not found in $deps; set OTTER_DEPS to a folder holding it" >&2
        return 3
    fi
    case "$ver" in
        3.6.*) cfgs="tests/target/mbedtls/mcu-3.6.h" ;;
        4.*)   cfgs="tests/target/mbedtls/mcu-4.0-tls.h tests/target/mbedtls/mcu-4.0-crypto.h" ;;
    esac
    key=$( { sha256sum "$tarball" | cut -d' ' -f1; cat $cfgs; echo "$cc $arch $libc"; "$cc" --version | head -1; } \
           | sha256sum | cut -c1-12)
    dest="$root/.deps/target/mbedtls-$ver-$isa-$key"
    if [ -f "$dest/prefix/lib/libmbedcrypto.a" ]; then
        echo "$dest/prefix"; return 0
    fi
    # A changed key leaves the old build behind: drop it.
    rm -rf "$root/.deps/target/mbedtls-$ver-$isa-"*; mkdir -p "$dest"
    log="$dest/build.log"
    echo "target $isa: cross-building mbedTLS $ver (log: $log)" >&2
    tar -xf "$tarball" -C "$dest"
    src="$dest/mbedtls-$ver"
    cat >"$dest/toolchain.cmake" <<TC
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_C_COMPILER $cc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_C_FLAGS_INIT "$arch $libc -Os -ffunction-sections -fdata-sections")
TC
    case "$ver" in
        3.6.*) cfgargs="-DMBEDTLS_CONFIG_FILE=$root/tests/target/mbedtls/mcu-3.6.h"; lib=mbedcrypto ;;
        4.*)   cfgargs="-DMBEDTLS_CONFIG_FILE=$root/tests/target/mbedtls/mcu-4.0-tls.h -DTF_PSA_CRYPTO_CONFIG_FILE=$root/tests/target/mbedtls/mcu-4.0-crypto.h -DPython3_EXECUTABLE=/usr/bin/python3"; lib=tfpsacrypto ;;
    esac
    if ! { cmake -S "$src" -B "$dest/build" -DCMAKE_TOOLCHAIN_FILE="$dest/toolchain.cmake" \
              -DENABLE_TESTING=OFF -DENABLE_PROGRAMS=OFF -DCMAKE_BUILD_TYPE=MinSizeRel $cfgargs &&
           cmake --build "$dest/build" -j 2 --target $lib; } >"$log" 2>&1; then
        grep -m5 -E 'error' "$log" >&2
        echo "target $isa: mbedTLS $ver cross-build failed; see $log" >&2
        return 1
    fi
    # Install by hand (only the crypto library was built): the headers with
    # the MCU configuration as the default one, so users of the prefix need
    # no -D for it.
    mkdir -p "$dest/prefix/lib" "$dest/prefix/include"
    case "$ver" in
        3.6.*)
            cp -r "$src/include/mbedtls" "$src/include/psa" "$dest/prefix/include/"
            cp tests/target/mbedtls/mcu-3.6.h "$dest/prefix/include/mbedtls/mbedtls_config.h"
            ;;
        4.*)
            cp -r "$src/include/mbedtls" "$dest/prefix/include/"
            cp -r "$src/tf-psa-crypto/include/"* "$src/tf-psa-crypto/drivers/builtin/include/"* "$dest/prefix/include/"
            cp tests/target/mbedtls/mcu-4.0-tls.h "$dest/prefix/include/mbedtls/mbedtls_config.h"
            cp tests/target/mbedtls/mcu-4.0-crypto.h "$dest/prefix/include/psa/crypto_config.h"
            ;;
    esac
    find "$dest/build" -name "lib$lib.a" -exec cp {} "$dest/prefix/lib/libmbedcrypto.a" \;
    rm -rf "$dest/build" "$src"
    echo "$dest/prefix"
}

# build_support: the objects every test links, as one archive.
build_support() {
    dir="$out/$isa/mbedtls-$mbedver"; rm -rf "$dir"; mkdir -p "$dir/obj"
    files="$(core_files) src/mbedtls/crypto.c src/mbedtls/tls_errors.c tests/target/target_rng.c tests/target/cmocka/cmocka.c
           host/imgmake.c host/host_error.c host/simdev.c ports/posix/norsim.c
           tests/support/script_transport.c tests/support/http_run.c tests/support/ramflash.c
           tests/support/memserver.c tests/support/updfix.c"
    for f in $files; do
        o="$dir/obj/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')"
        # shellcheck disable=SC2086
        $cc $arch $libc $CFLAGS -c "$f" -o "$o" || { echo "target $isa: $f does not build" >&2; return 1; }
    done
    rm -f "$dir/libsupport.a"
    "${cc%gcc}ar" rcs "$dir/libsupport.a" "$dir"/obj/*.o
    # The start-up object is linked by name: nothing refers to the vector
    # table, so an archive member would be left out.
    startobj=""
    if [ -n "$startup" ]; then
        startobj="$dir/startup.o"
        # shellcheck disable=SC2086
        $cc $arch $libc $CFLAGS -c "$startup" -o "$startobj" || return 1
    fi
}

# run_isa: build and run every test for $isa; sets $summary_line.
run_isa() {
    set_isa "$1"
    if ! command -v "$cc" >/dev/null 2>&1 || ! command -v ${qemu%% *} >/dev/null 2>&1; then
        summary_line="target $isa: FAILED: $cc or ${qemu%% *} not found (make deps-test)"
        return 1
    fi
    prefix=$(mbedtls_build "$mbedver"); r=$?
    if [ $r = 3 ]; then summary_line="target $isa: SKIPPED: mbedTLS sources not found, set OTTER_DEPS"; return 3; fi
    if [ $r != 0 ]; then summary_line="target $isa: FAILED: mbedTLS $mbedver cross-build"; return 1; fi
    # The host tests' flags, with the instruction set's C library.
    CFLAGS="-std=c11 -Os -g -ffunction-sections -fdata-sections $WARN -Iinclude -Isrc -Ihost
            -Itests/support -Iports/posix -Itests/target/cmocka -isystem $prefix/include"
    start=$(date +%s)
    build_support || { summary_line="target $isa: FAILED to build (see above)"; return 1; }
    ntests=0; ncases=0; nfail=0; failed_names=""
    # After the first mbedTLS, only the tests marked "crypto" (tests.txt).
    if [ "$mbedver" = "$(echo $have | cut -d' ' -f1)" ]; then
        list=$(grep -v '^#' tests/target/tests.txt | awk '{print $1}')
    else
        list=$(grep -v '^#' tests/target/tests.txt | awk '$2 == "crypto" {print $1}')
    fi
    for t in $list; do
        if [ -n "$only" ] && ! echo " $only " | grep -q " $t "; then continue; fi
        ntests=$((ntests + 1))
        elf="$dir/$t.elf"; log="$dir/$t.log"
        # shellcheck disable=SC2086
        if ! $cc $arch $libc $CFLAGS -DOTTER_TEST_SWEEP_STRIDE=$sweep_stride tests/$t.c $startobj -o "$elf" -Wl,--gc-sections -Wl,-Map,"$dir/$t.map" $ldflags \
                -L"$dir" -L"$prefix/lib" -Wl,--start-group -lsupport -lmbedcrypto -Wl,--end-group; then
            echo "target $isa: $t does not build"; nfail=$((nfail + 1)); failed_names="$failed_names $t"; continue
        fi
        t0=$(date +%s)
        # shellcheck disable=SC2086
        timeout "$timeout_s" $qemu -nographic -monitor none -serial none \
            -semihosting-config enable=on,target=native -kernel "$elf" >"$log" 2>&1 </dev/null
        rc=$?
        tsecs=$(( $(date +%s) - t0 ))
        cases=$(grep -c '^\[ RUN      \]' "$log")
        ncases=$((ncases + cases))
        if [ $rc != 0 ]; then
            [ $rc = 124 ] && echo "[  TIMEOUT ] $t after ${timeout_s}s" >>"$log"
            echo "target $isa: $t: QEMU exit status $rc (${tsecs}s)"
            grep -E '^\[  (FAILED|ERROR|FAULT|TIMEOUT) ' "$log" | sed 's/^/  /'
            grep -E '^\[   LINE   \]' "$log" | sed 's/^/  /'
            nfail=$((nfail + 1)); failed_names="$failed_names $t"
        else
            echo "target $isa: $t: $cases cases passed (${tsecs}s)"
        fi
    done
    secs=$(( $(date +%s) - start ))
    summary_line="target $isa: mbedTLS $mbedver: $ntests tests ($ncases cases), $nfail failed, ${secs}s"
    [ $nfail != 0 ] && { summary_line="$summary_line:$failed_names  <- FAILED"; return 1; }
    [ $ntests = 0 ] && { summary_line="$summary_line  <- FAILED (no tests)"; return 1; }
    return 0
}

# Images signed on the host by the project's CLI for tests/test_sigverify.c
# and tests/test_update.c (build/otter, the system leg's build; configured
# here if absent).
sign_vectors() {
    if [ ! -x build/otter ]; then
        echo "target: building the host CLI (build/otter) to sign test images" >&2
        { [ -f build/CMakeCache.txt ] || cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOTTER_ESP_IDF=off; } \
            >/dev/null && cmake --build build -j 2 --target otter >/dev/null || return 1
    fi
    scripts/sign-vectors.sh build/otter "$out/signed"
}

case "$which" in
    all) isas="arm-m4 rv32imc" ;;
    *) isas="$which" ;;
esac
rc=0; summary=""
have=""
for v in $mbedvers; do
    if [ -f "$deps/mbedtls-$v.tar.xz" ]; then
        have="$have $v"
    else
        summary="${summary}target: SKIPPED: mbedtls-$v.tar.xz not in $deps; set OTTER_DEPS to a folder holding it
"
    fi
done
if [ -z "$have" ]; then printf '%s' "$summary"; exit 3; fi
if ! sign_vectors; then
    echo "target: FAILED: could not sign the test images with build/otter"
    exit 1
fi
# The ISAs side by side, each in its own process (QEMU is one thread; the
# machine has two cores), one mbedTLS after the other; output in order.
mkdir -p "$out/runs"
combos=""
for mbedver in $have; do
    pids=""
    for i in $isas; do
        c="$i-$mbedver"; combos="$combos $c"
        rm -f "$out/runs/$c.summary"
        (
            run_isa "$i"; r=$?
            printf '%s\n' "$summary_line" >"$out/runs/$c.summary"
            exit $r
        ) >"$out/runs/$c.log" 2>&1 &
        pids="$pids $!"
    done
    for p in $pids; do
        wait "$p" || rc=1
    done
done
for c in $combos; do
    cat "$out/runs/$c.log"
    if [ -f "$out/runs/$c.summary" ]; then
        summary="$summary$(cat "$out/runs/$c.summary")
"
    else
        summary="${summary}target ${c%%-[0-9]*}: FAILED: no summary (see $out/runs/$c.log)
"; rc=1
    fi
done
printf '%s' "$summary"
exit $rc
