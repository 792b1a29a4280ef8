#!/bin/sh
# The footprint of a whole HTTPS update measured on the target ISAs, from the
# linked firmware ELF that runs it (issue 15), for bench/RESULTS.md §8.
#
# For each ISA (Cortex-M4 on qemu-system-arm mps2-an386, RV32IMC on
# qemu-system-riscv32 virt) and mbedTLS ($OTTER_FP_MBEDTLS, default 3.6.6):
#   - cross-builds mbedTLS with the TLS-capable MCU configuration
#     (tests/target/mbedtls/mcu-3.6-tls.h) once into .deps/target/;
#   - links bench/target/fw_update.c (the firmware: RAM NOR flash running
#     v1.0.0, otter's TLS client over the board's UART, the update engine)
#     twice, with and without otter_update_diagnose() and its texts, with a
#     link map each;
#   - starts nginx on 127.0.0.1 (TLS 1.2, the test PKI of
#     tests/support/mkpki.sh) serving v1.1.0 made by build/otter, and runs
#     the ELF under QEMU with -icount shift=0, its UART connected to nginx;
#   - checks the ELF's verdict (new slot chosen on reboot, image verified),
#     and writes the figures it prints plus the map's attribution to
#     $W/<isa>.tsv;
#   - issue 16: links a names-only build (OTTER_ERROR_TEXTS=0); builds
#     mbedTLS with 4 KB record buffers (mcu-3.6-tls-mfl.h) and runs a
#     firmware asking nginx for max_fragment_length 4096 ($W/<isa>-mfl) and
#     one asking nothing, which must fail with OTTER_ERR_TLS_RECORD_TOO_LONG
#     ($W/<isa>-mfl-none); runs the default firmware against nginx with an
#     RSA-4096 CA and RSA-2048 server certificate ($W/<isa>-rsa); and sets
#     the issue's targets, met or not, at the head of the section.
# Usage: bench/target.sh [--write] [WORKDIR]   (default build-target/footprint)
#   writes WORKDIR/section.md (bench/run.sh puts it into RESULTS.md as §8);
#   --write also replaces §8 of bench/RESULTS.md with it. $HOST_MD: the
#   report whose host figures go beside (default bench/RESULTS.md).
# Exit 0: measured; 1: a failure (said on stderr); 3: no mbedTLS sources.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
write=0
[ "${1:-}" = --write ] && { write=1; shift; }
W="${1:-$top/build-target/footprint}"
case "$W" in /*) ;; *) W="$top/$W" ;; esac
HOST_MD="${HOST_MD:-$top/bench/RESULTS.md}"
deps="${OTTER_DEPS:-$top/../shared/deps}"
# The first version fills the tables; the others (if their sources are
# there) are set beside it in one table.
mbedvers="${OTTER_FP_MBEDTLS:-3.6.6 4.0.0}"
mbedver=${mbedvers%% *}
tlscfg=""  # the mbedTLS configuration variant (mbedtls_build)
timeout_s="${OTTER_FP_TIMEOUT:-600}"
IMAGE_SIZE="${OTTER_FP_IMAGE_SIZE:-262144}"
mkdir -p "$W"

set_isa() {
    isa="$1"
    case "$isa" in
        arm-m4)
            cc=arm-none-eabi-gcc
            arch="-mcpu=cortex-m4 -mthumb"
            libc="--specs=nano.specs --specs=rdimon.specs"
            ldflags="-T tests/target/arm-m4/mps2-an386.ld"
            startup=tests/target/arm-m4/startup.c; board=mps2
            qemu="qemu-system-arm -M mps2-an386"
            ;;
        rv32imc)
            cc=riscv64-unknown-elf-gcc
            arch="-march=rv32imc -mabi=ilp32"  # the picolibc multilib match (minstret read with .insn)
            libc="--specs=picolibc.specs"
            ldflags="--oslib=semihost --crt0=semihost -Wl,--defsym=__flash=0x80000000 -Wl,--defsym=__flash_size=0x400000
                     -Wl,--defsym=__ram=0x80400000 -Wl,--defsym=__ram_size=0x3c00000 -Wl,--defsym=__stack_size=0x10000"
            startup=""; board=virt
            qemu="qemu-system-riscv32 -M virt -bios none"
            ;;
    esac
}

# mbedtls_build: prints the install prefix of mbedTLS $mbedver cross-built
# for $isa with the TLS configuration (mbedtls, mbedx509, mbedcrypto),
# building it once. Exit 3: no sources.
mbedtls_build() {
    tarball="$deps/mbedtls-$mbedver.tar.xz"
    [ -f "$tarball" ] || { echo "footprint: $tarball not found; set OTTER_DEPS" >&2; return 3; }
    # $tlscfg: "" (the 16 KB incoming record buffer) or "-mfl" (4 KB, for a
    # server that honours max_fragment_length), 3.6 only.
    case "$mbedver" in
        3.*) cfgs="tests/target/mbedtls/mcu-3.6-tls$tlscfg.h tests/target/mbedtls/mcu-3.6-tls.h tests/target/mbedtls/mcu-3.6.h"
             cfgargs="-DMBEDTLS_CONFIG_FILE=$top/tests/target/mbedtls/mcu-3.6-tls$tlscfg.h"; crypto=mbedcrypto ;;
        *)   cfgs="tests/target/mbedtls/mcu-4.0-https.h tests/target/mbedtls/mcu-4.0-https-crypto.h"
             cfgargs="-DMBEDTLS_CONFIG_FILE=$top/tests/target/mbedtls/mcu-4.0-https.h
                      -DTF_PSA_CRYPTO_CONFIG_FILE=$top/tests/target/mbedtls/mcu-4.0-https-crypto.h
                      -DPython3_EXECUTABLE=/usr/bin/python3"; crypto=tfpsacrypto ;;
    esac
    key=$( { sha256sum "$tarball" | cut -d' ' -f1; cat $cfgs; echo "$cc $arch"; "$cc" --version | head -1; } \
           | sha256sum | cut -c1-12)
    dest="$top/.deps/target/mbedtls-tls$tlscfg-$mbedver-$isa-$key"
    if [ -f "$dest/prefix/lib/libmbedtls.a" ]; then echo "$dest/prefix"; return 0; fi
    rm -rf "$top/.deps/target/mbedtls-tls$tlscfg-$mbedver-$isa-"*; mkdir -p "$dest"
    log="$dest/build.log"
    echo "footprint $isa: cross-building mbedTLS $mbedver with TLS (log: $log)" >&2
    tar -xf "$tarball" -C "$dest"
    src="$dest/mbedtls-$mbedver"
    cat >"$dest/toolchain.cmake" <<TC
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_C_COMPILER $cc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_C_FLAGS_INIT "$arch $libc -Os -ffunction-sections -fdata-sections")
TC
    # shellcheck disable=SC2086
    if ! { cmake -S "$src" -B "$dest/build" -DCMAKE_TOOLCHAIN_FILE="$dest/toolchain.cmake" \
              -DENABLE_TESTING=OFF -DENABLE_PROGRAMS=OFF -DCMAKE_BUILD_TYPE=MinSizeRel $cfgargs &&
           cmake --build "$dest/build" -j 2 --target mbedtls mbedx509 $crypto; } >"$log" 2>&1; then
        grep -m5 -E 'error' "$log" >&2
        echo "footprint $isa: mbedTLS $mbedver cross-build failed; see $log" >&2
        return 1
    fi
    mkdir -p "$dest/prefix/lib" "$dest/prefix/include"
    # The configuration as the default one, so users of the prefix need no -D.
    case "$mbedver" in
        3.*)
            cp -r "$src/include/mbedtls" "$src/include/psa" "$dest/prefix/include/"
            cp tests/target/mbedtls/mcu-3.6-tls$tlscfg.h "$dest/prefix/include/mbedtls/mbedtls_config.h"
            cp tests/target/mbedtls/mcu-3.6.h tests/target/mbedtls/mcu-3.6-tls.h "$dest/prefix/include/mbedtls/" # which it includes
            ;;
        *)
            cp -r "$src/include/mbedtls" "$dest/prefix/include/"
            cp -r "$src/tf-psa-crypto/include/"* "$src/tf-psa-crypto/drivers/builtin/include/"* "$dest/prefix/include/"
            cp tests/target/mbedtls/mcu-4.0-https.h "$dest/prefix/include/mbedtls/mbedtls_config.h"
            cp tests/target/mbedtls/mcu-4.0-https-crypto.h "$dest/prefix/include/psa/crypto_config.h"
            ;;
    esac
    for l in mbedtls mbedx509; do
        find "$dest/build" -name "lib$l.a" -exec cp {} "$dest/prefix/lib/" \;
    done
    find "$dest/build" -name "lib$crypto.a" -exec cp {} "$dest/prefix/lib/libmbedcrypto.a" \;
    rm -rf "$dest/build" "$src"
    echo "$dest/prefix"
}

WARN="-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes"

# build_fw: the firmware ELFs for $isa into $dir: fw-bare.elf (the update
# path) and fw-texts.elf (plus otter_update_diagnose() and its texts), each
# with its .map. otter's core, otter's mbedTLS glue and the harness are
# archives of their own so the map names the owner of every section.
# build_fw DIR [CFLAGS...]: into DIR, with further compiler flags.
build_fw() {
    dir="$1"; shift; rm -rf "$dir"; mkdir -p "$dir/obj"
    CFLAGS="-std=c11 -Os -g -ffunction-sections -fdata-sections $WARN -Iinclude -Isrc -Ihost -Iports/posix
            -Itests/support -Ibench/target -I${FP_CA_DIR:-$W} -isystem $prefix/include $*"
    # compile LIB FILES...: objects into lib$LIB.a
    compile() {
        lib="$1"; shift
        mkdir -p "$dir/obj/$lib"
        for f in "$@"; do
            o="$dir/obj/$lib/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')"
            # shellcheck disable=SC2086
            $cc $arch $libc $CFLAGS -c "$f" -o "$o" || { echo "footprint $isa: $f does not build" >&2; return 1; }
        done
        rm -f "$dir/lib$lib.a"; "${cc%gcc}ar" rcs "$dir/lib$lib.a" "$dir/obj/$lib"/*.o
    }
    compile otter $(core_files) || return 1
    compile otterglue src/mbedtls/crypto.c src/mbedtls/tls.c src/mbedtls/tls_cert.c src/mbedtls/tls_errors.c || return 1
    compile port bench/target/fw_port.c bench/target/board_$board.c || return 1
    compile harness bench/target/fw_update.c host/simdev.c host/imgmake.c host/host_error.c ports/posix/norsim.c \
        || return 1
    compile app bench/target/fw_app.c || return 1
    compile diag bench/target/fw_diag.c || return 1
    compile device bench/target/fw_device.c || return 1
    startobj=""
    if [ -n "$startup" ]; then
        startobj="$dir/obj/startup.o"
        # shellcheck disable=SC2086
        $cc $arch $libc $CFLAGS -c "$startup" -o "$startobj" || return 1
    fi
    # fw-bare / fw-texts: the firmware that runs (harness included);
    # dev-bare / dev-texts: the same device code without the harness.
    for v in fw-bare fw-texts dev-bare dev-texts; do
        case $v in
            fw-*) objs="" lharness="-lharness" ;;
            dev-*) objs="$dir/obj/device/bench_target_fw_device.o" lharness="" ;;
        esac
        case $v in *-texts) objs="$objs $dir/obj/diag/bench_target_fw_diag.o" ;; esac
        # shellcheck disable=SC2086
        $cc $arch $libc -Wl,--gc-sections $startobj $objs -o "$dir/$v.elf" -Wl,-Map,"$dir/$v.map" $ldflags \
            -L"$dir" -L"$prefix/lib" -Wl,--start-group $lharness -lport -lapp -lotter -lotterglue \
            -lmbedtls -lmbedx509 -lmbedcrypto -Wl,--end-group \
            || { echo "footprint $isa: $v.elf does not link" >&2; return 1; }
    done
}

# run_fw ELF LOG: one whole update under QEMU, the UART connected to nginx.
# 0 when the firmware says the device booted the new image.
run_fw() {
    # shellcheck disable=SC2086
    timeout "$timeout_s" $qemu -nographic -monitor none -icount shift=0 \
        -serial tcp:127.0.0.1:"$NGINX_PORT" -semihosting-config enable=on,target=native \
        -kernel "$1" >"$2" 2>&1 </dev/null
    rc=$?
    [ $rc = 124 ] && echo "FP error QEMU timed out after ${timeout_s}s" >>"$2"
    [ $rc = 0 ] && grep -q '^FP verdict updated$' "$2"
}

# measure_isa ISA: build, run and attribute; writes $W/ISA/figures.tsv
# (key value) and $W/ISA/size-{bare,texts[,names]}.tsv.
measure_isa() {
    set_isa "$1"
    if ! command -v "$cc" >/dev/null 2>&1 || ! command -v "${qemu%% *}" >/dev/null 2>&1; then
        echo "footprint $isa: $cc or ${qemu%% *} not found (make deps-test)" >&2; return 1
    fi
    prefix=$(mbedtls_build); r=$?
    [ $r = 0 ] || return $r
    d=$(isadir "$isa" "$mbedver")
    build_fw "$d" || return 1
    # The names-only error texts, once the core has the option.
    if [ "$mbedver" = "${mbedvers%% *}" ] && grep -q OTTER_ERROR_TEXTS include/otter/config.h 2>/dev/null; then
        build_fw "$W/$isa-names" -DOTTER_ERROR_TEXTS=0 || return 1
        awk -f bench/target/mapsize.awk "$W/$isa-names/dev-texts.map" >"$d/size-names.tsv"
        awk -f bench/target/mapsize.awk "$W/$isa-names/dev-bare.map" >"$d/size-names-bare.tsv"
        awk -v detail=1 -f bench/target/mapsize.awk "$W/$isa-names/dev-bare.map" | grep '^otter:' >"$d/detail-names-bare.tsv"
    fi
    for v in fw-bare fw-texts dev-bare dev-texts; do
        awk -f bench/target/mapsize.awk "$d/$v.map" >"$d/size-$v.tsv"
        awk -v detail=1 -f bench/target/mapsize.awk "$d/$v.map" | grep '^otter:' >"$d/detail-$v.tsv"
        "${cc%gcc}size" "$d/$v.elf" | awk 'NR == 2 { print $1, $2, $3 }' >"$d/elfsize-$v.txt"
    done
    echo "footprint $isa: running a whole update under QEMU (log: $d/run.log)" >&2
    if ! run_fw "$d/fw-texts.elf" "$d/run.log"; then
        echo "footprint $isa: the update did not succeed:" >&2
        grep '^FP \(rc\|error\|verdict\)' "$d/run.log" >&2; tail -3 "$d/run.log" >&2
        return 1
    fi
    sed -n 's/^FP \([a-z_0-9]*\) \(.*\)$/\1\t\2/p' "$d/run.log" >"$d/figures.tsv"
    echo "footprint $isa: $(fig "$d" verdict) to slot $(fig "$d" boot_slot), version $(fig "$d" boot_version)" >&2
}

# run_variant DIR: run DIR/fw-texts.elf, keep its figures and the device
# map's attribution. 0: the firmware says it updated.
run_variant() {
    awk -f bench/target/mapsize.awk "$1/dev-bare.map" >"$1/size-dev-bare.tsv"
    echo "footprint $isa: running $(basename "$1") under QEMU (log: $1/run.log)" >&2
    run_fw "$1/fw-texts.elf" "$1/run.log"; r=$?
    sed -n 's/^FP \([a-z_0-9]*\) \(.*\)$/\1\t\2/p' "$1/run.log" >"$1/figures.tsv"
    return $r
}

# measure_mfl ISA (issue 16): mbedTLS 3.6 with a 4 KB incoming record
# buffer (mcu-3.6-tls-mfl.h) and the firmware asking nginx for a 4096-byte
# max_fragment_length ($W/ISA-mfl: must update, the answer "honoured");
# then the same firmware asking nothing ($W/ISA-mfl-none), so that nginx
# sends 16 KB records as a server that ignores the request does: must fail
# with OTTER_ERR_TLS_RECORD_TOO_LONG.
measure_mfl() {
    set_isa "$1"
    tlscfg=-mfl; prefix=$(mbedtls_build); r=$?; tlscfg=
    [ $r = 0 ] || return $r
    build_fw "$W/$isa-mfl" -DFW_MAX_FRAGMENT=4096 || return 1
    if ! run_variant "$W/$isa-mfl" || [ "$(fig "$W/$isa-mfl" mfl_answer)" != honoured ]; then
        echo "footprint $isa: the update with max_fragment_length 4096 did not succeed:" >&2
        grep '^FP \(rc\|error\|verdict\|mfl_answer\)' "$W/$isa-mfl/run.log" >&2; return 1
    fi
    build_fw "$W/$isa-mfl-none" -DFW_MAX_FRAGMENT=0 || return 1
    if run_variant "$W/$isa-mfl-none" || [ "$(fig "$W/$isa-mfl-none" rc_name)" != TLS_RECORD_TOO_LONG ]; then
        echo "footprint $isa: 16 KB records into a 4 KB buffer did not fail with TLS_RECORD_TOO_LONG:" >&2
        grep '^FP \(rc\|rc_name\|error\|verdict\)' "$W/$isa-mfl-none/run.log" >&2; return 1
    fi
    echo "footprint $isa: max_fragment_length honoured; without it: $(fig "$W/$isa-mfl-none" rc_name)" >&2
}

# measure_rsa ISA (issue 16): the default firmware trusting an RSA-4096 CA,
# against nginx with an RSA-2048 server certificate (ECDHE-RSA): RSA
# verification of both sizes, and its peak heap.
measure_rsa() {
    set_isa "$1"
    prefix=$(mbedtls_build) || return 1
    FP_CA_DIR="$W/pki-rsa" build_fw "$W/$isa-rsa" || return 1
    if ! run_variant "$W/$isa-rsa"; then
        echo "footprint $isa: the update against the RSA server did not succeed:" >&2
        grep '^FP \(rc\|error\|verdict\)' "$W/$isa-rsa/run.log" >&2; return 1
    fi
}

# make_pki_rsa DIR: an RSA-4096 CA and an RSA-2048 server certificate for
# localhost signed by it, and the CA as the device holds it (DIR/fp_ca.h).
make_pki_rsa() {
    d="$1"; mkdir -p "$d"
    openssl req -x509 -newkey rsa:4096 -nodes -keyout "$d/ca.key" -subj "/CN=otter bench RSA CA" -days 3650 \
        -sha256 -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "$d/ca.pem" 2>/dev/null &&
    openssl req -newkey rsa:2048 -nodes -keyout "$d/server.key" -subj "/CN=localhost" -out "$d/server.csr" 2>/dev/null &&
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' >"$d/ext.cnf" &&
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
        -days 3650 -sha256 -extfile "$d/ext.cnf" -out "$d/server.pem" 2>/dev/null &&
    (cd "$d" && cp ca.pem fp_ca.pem && xxd -i fp_ca.pem | sed 's/^unsigned/static const unsigned/') >"$d/fp_ca.h"
}

# isadir ISA VERSION: where the figures of ISA with mbedTLS VERSION go.
isadir() { if [ "$2" = "${mbedvers%% *}" ]; then echo "$W/$1"; else echo "$W/$1-mbedtls-$2"; fi; }

# fig DIR KEY: a figure the firmware printed.
fig() { awk -F'\t' -v k="$2" '$1 == k { print $2 }' "$1/figures.tsv"; }
# sz DIR VARIANT OWNER COLUMN(2 flash, 3 data, 4 bss): from the map.
sz() { awk -F'\t' -v o="$3" -v c="$4" '$1 == o { print $c }' "$1/size-$2.tsv"; }

# host_fig NAME: a host figure from $HOST_MD (this report's §3, §5, §7 and
# summary), "-" when that report does not have it.
host_fig() {
    [ -f "${HOST_MD:-}" ] || { echo -; return; }
    case "$1" in
        fw) v=$(sed -n 's/.*| \([0-9]*\) B linked update firmware (\([0-9]*\) B with diagnostics).*/\1/p' "$HOST_MD") ;;
        fwdiag) v=$(sed -n 's/.*| \([0-9]*\) B linked update firmware (\([0-9]*\) B with diagnostics).*/\2/p' "$HOST_MD") ;;
        heap) v=$(sed -n "s/^| peak heap of mbedTLS's allocations | \([0-9]*\) |.*/\1/p" "$HOST_MD") ;;
        norec) v=$(sed -n 's/^| \*\*mbedTLS heap at its peak without record buffers\*\*.*| \*\*\([0-9]*\)\*\* |.*/\1/p' "$HOST_MD") ;;
        stack) v=$(sed -n 's/^| peak stack of the main thread.*| \([0-9]*\) |.*/\1/p' "$HOST_MD") ;;
        crypto) v=$(sed -n 's/.*3\.6\.6: [^,]*, \([0-9.]*\) + \([0-9.]*\) instr\/byte AES-GCM + SHA-256, \([0-9.]*\) outside.*/\1 + \2 + \3/p' "$HOST_MD") ;;
        rev) v=$(sed -n 's/.*commit `\([0-9a-f]*\)`.*/\1/p' "$HOST_MD") ;;
    esac
    v=$(echo "$v" | head -1)
    echo "${v:--}"
}

# per_byte N: the firmware's instructions per 1000 bytes as per byte.
per_byte() { awk -v v="$1" 'BEGIN { if (v == "") print "-"; else printf "%.1f", v / 1000 }'; }

# markdown: the RESULTS.md section from $W/<isa>/.
markdown() {
    a="$W/arm-m4"; r="$W/rv32imc"
    # cell ISADIR VARIANT OWNER: flash bytes of OWNER ("-" if unmeasured)
    cell() { [ -f "$1/size-$2.tsv" ] && { v=$(sz "$1" "$2" "$3" 2); echo "${v:-0}"; } || echo -; }
    ram() { [ -f "$1/size-$2.tsv" ] && awk -F'\t' -v o="$3" '$1 == o { print $3 + $4 }' "$1/size-$2.tsv" || echo -; }
    sum() { [ -f "$1/size-$2.tsv" ] && awk -F'\t' -v l="$3" -v c="${4:-2}" 'index(" " l " ", " " $1 " ") { s += $c } END { print s + 0 }' "$1/size-$2.tsv" || echo -; }
    f() { [ -f "$1/figures.tsv" ] && { v=$(fig "$1" "$2"); echo "${v:--}"; } || echo -; }
    mb() { awk -v v="$1" 'BEGIN { if (v == "-" || v == "") print "-"; else printf "%.1f M", v / 1e6 }'; }
    echo "## 8. Footprint on the target: Cortex-M4 and RV32IMC under QEMU"
    echo
    echo "Written by \`bench/target.sh\` (\`make bench\` runs it; alone: \`bench/target.sh\`)."
    echo "A firmware ELF per ISA runs one whole HTTPS update under QEMU (\`-icount shift=0\`):"
    echo "\`bench/target/fw_app.c\` is the device's code (bench/fw_main.c's flow: partition"
    echo "table, running slot from the platform, confirm, otter's TLS client, the engine,"
    echo "switch), over the board's UART, which QEMU connects to nginx on 127.0.0.1 (TLS 1.2,"
    echo "ECDHE-ECDSA-AES128-GCM-SHA256, the P-256 CA and server certificate of §1); the flash"
    echo "is the RAM NOR simulator running 1.0.0 in ota_0. The served image is"
    echo "\`otter image make\`'s $(wc -c <"$W/www/app-1.1.0.bin" 2>/dev/null || echo ?)-byte 1.1.0. Each run is checked: the simulated"
    echo "bootloader then boots slot $(f "$a" boot_slot) with version $(f "$a" boot_version) (Cortex-M4) and"
    echo "slot $(f "$r" boot_slot) with $(f "$r" boot_version) (RV32IMC), the image verified."
    echo "mbedTLS $mbedver, cross-built with \`tests/target/mbedtls/mcu-3.6-tls.h\` (TLS 1.2"
    echo "client, ECDHE-ECDSA/RSA with AES-GCM, X.509, PSA, \`MBEDTLS_PLATFORM_MEMORY\`), \`-Os\`."
    echo "C library: newlib-nano with rdimon semihosting (Cortex-M4), picolibc with semihosting"
    echo "(RV32IMC, multilib rv32im). Host figures: this report's §3, §5 and §7"
    echo "(x86-64 unless said; commit \`$(host_fig rev)\`)."
    echo
    markdown16
    echo
    echo "### Code and read-only data (flash), from the link maps"
    echo
    echo "*Device* is the firmware without the test harness (\`bench/target/fw_device.c\`:"
    echo "the same update code, UART transport, clock and entropy; a stub in place of the SPI"
    echo "flash driver), linked like the one that runs. *Run* is the ELF that ran the update:"
    echo "it adds the harness (RAM flash simulator, the image maker that installs 1.0.0, the"
    echo "bootloader simulation that checks the result) and the otter code only the harness"
    echo "calls. *+ texts* adds \`otter_update_diagnose()\` and with it the error messages and"
    echo "explanations. Bytes of .text + .rodata per owner, from \`-Wl,-Map\` (sections kept"
    echo "by \`--gc-sections\`; merged strings count before merging)."
    echo
    echo "| owner | Cortex-M4 device | + texts | run | RV32IMC device | + texts | run | host §5 (Cortex-M4, otter only) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    for o in otter glue app port mbedtls libc harness; do
        case $o in
            otter) name="otter core (\`src/*.c\`)"; h="" ;;
            glue) name="otter's mbedTLS glue (\`src/mbedtls/\`: crypto shim, TLS client)"; h="" ;;
            app) name="the device's update code (\`fw_app.c\`, \`fw_diag.c\`)"; h="" ;;
            port) name="ports (UART transport, clock, test entropy, flash stub)"; h="" ;;
            mbedtls) name="mbedTLS (tls, x509, crypto)"; h="" ;;
            libc) name="C library, libgcc, start-up"; h="" ;;
            harness) name="test harness (not on a device)"; h="" ;;
        esac
        echo "| $name | $(cell "$a" dev-bare $o) | $(cell "$a" dev-texts $o) | $(cell "$a" fw-texts $o) | $(cell "$r" dev-bare $o) | $(cell "$r" dev-texts $o) | $(cell "$r" fw-texts $o) | $h |"
    done
    echo "| **otter (core + glue)** | **$(sum "$a" dev-bare "otter glue")** | **$(sum "$a" dev-texts "otter glue")** | $(sum "$a" fw-texts "otter glue") | **$(sum "$r" dev-bare "otter glue")** | **$(sum "$r" dev-texts "otter glue")** | $(sum "$r" fw-texts "otter glue") | $(host_fig fw) / $(host_fig fwdiag) with diagnostics |"
    echo "| **device firmware total** | **$(sum "$a" dev-bare "otter glue app port mbedtls libc harness padding other")** | **$(sum "$a" dev-texts "otter glue app port mbedtls libc harness padding other")** | $(sum "$a" fw-texts "otter glue app port mbedtls libc harness padding other") | **$(sum "$r" dev-bare "otter glue app port mbedtls libc harness padding other")** | **$(sum "$r" dev-texts "otter glue app port mbedtls libc harness padding other")** | $(sum "$r" fw-texts "otter glue app port mbedtls libc harness padding other") | |"
    for d in "$a" "$r"; do
        [ -f "$d/elfsize-dev-bare.txt" ] || continue
        echo
        echo "\`size\` of $(basename "$d")'s device ELF (text data bss): $(cat "$d/elfsize-dev-bare.txt"); with texts: $(cat "$d/elfsize-dev-texts.txt"); run: $(cat "$d/elfsize-fw-texts.txt")."
    done
    if [ -f "$a/size-names.tsv" ]; then
        echo
        echo "With \`OTTER_ERROR_TEXTS=0\` (error names only), the device + texts: otter core $(sz "$a" names otter 2) bytes on Cortex-M4, $(sz "$r" names otter 2) on RV32IMC."
    else
        echo
        echo "The names-only error build (\`OTTER_ERROR_TEXTS\`) is not in this tree; once"
        echo "\`include/otter/config.h\` has it, this script links a third firmware with"
        echo "\`-DOTTER_ERROR_TEXTS=0\` and reports it here. The texts' share today is the"
        echo "*+ texts* column less the *device* column."
    fi
    if [ -f "$a/detail-dev-bare.tsv" ] && [ -f "$a/detail-dev-texts.tsv" ]; then
        echo
        printf '%s' "What the texts add on Cortex-M4, by module (bytes): "
        awk -F'\t' 'NR == FNR { b[$1] = $2; next } { d = $2 - b[$1]; if (d > 100) printf "%d %s\n", d, $1 }' \
            "$a/detail-dev-bare.tsv" "$a/detail-dev-texts.tsv" | sort -rn |
            awk '{ sub(/^otter:/, "", $2); gsub(/_/, "\\_", $2); printf "%s%s +%d", (NR > 1 ? ", " : ""), $2, $1 } END { print "." }'
    fi
    echo
    echo "### RAM of a whole update"
    echo
    echo "| figure | Cortex-M4 | RV32IMC | host (x86-64, §3) |"
    echo "|---|---:|---:|---:|"
    echo "| static RAM (.data + .bss), device firmware | $(sum "$a" dev-bare "otter glue app port mbedtls libc padding other" 3; ) + $(sum "$a" dev-bare "otter glue app port mbedtls libc padding other" 4) | $(sum "$r" dev-bare "otter glue app port mbedtls libc padding other" 3) + $(sum "$r" dev-bare "otter glue app port mbedtls libc padding other" 4) | |"
    echo "| of which the device's otter contexts and buffers (\`fw_app.c\`: ptable, boot, TLS, engine, $(f "$a" buf_http) + $(f "$a" buf_data) B buffers) | $(ram "$a" dev-bare app) | $(ram "$r" dev-bare app) | |"
    echo "| of which mbedTLS (.data + .bss: PSA key slots; AES tables in flash) | $(ram "$a" dev-bare mbedtls) | $(ram "$r" dev-bare mbedtls) | |"
    echo "| of which the C library | $(ram "$a" dev-bare libc) | $(ram "$r" dev-bare libc) | |"
    echo "| peak heap, all (= mbedTLS's: otter never allocates, the harness does not during the run) | $(f "$a" heap_peak_mbedtls) | $(f "$r" heap_peak_mbedtls) | $(host_fig heap) (mbedTLS) |"
    echo "| peak heap of mbedTLS without the two record buffers | **$(f "$a" heap_peak_no_records)** | **$(f "$r" heap_peak_no_records)** | $(host_fig norec) |"
    echo "| record buffers (count, largest block) | $(f "$a" heap_records), $(f "$a" heap_biggest) | $(f "$r" heap_records), $(f "$r" heap_biggest) | |"
    echo "| mbedTLS allocations during the update (left at the end) | $(f "$a" heap_allocs) ($(f "$a" heap_leak)) | $(f "$r" heap_allocs) ($(f "$r" heap_leak)) | |"
    echo "| stack high-water mark of the update (below main) | **$(f "$a" stack_hwm)** | **$(f "$r" stack_hwm)** | $(host_fig stack) (whole main thread) |"
    echo
    echo "### Instructions per byte"
    echo
    echo "| figure | Cortex-M4 | RV32IMC | host (x86-64, §7, mbedTLS 3.6.6) |"
    echo "|---|---:|---:|---:|"
    echo "| **download path** (first to last body byte: TLS record decryption, HTTP, image checks, SHA-256, flash writes issued), per byte | **$(per_byte "$(f "$a" ipkb_download)")** | **$(per_byte "$(f "$r" ipkb_download)")** | $(host_fig crypto) (AES-GCM + SHA-256 + outside crypto) |"
    echo "| UART driver, per byte (byte-at-a-time polling; a device's TCP/IP stack instead) | $(per_byte "$(f "$a" ipkb_download_uart)") | $(per_byte "$(f "$r" ipkb_download_uart)") | |"
    echo "| flash simulator, per byte (a device's SPI flash driver instead) | $(per_byte "$(f "$a" ipkb_download_flash)") | $(per_byte "$(f "$r" ipkb_download_flash)") | |"
    echo "| whole update per byte (set-up, handshake, download, verify, switch) | $(per_byte "$(f "$a" ipkb_update)") | $(per_byte "$(f "$r" ipkb_update)") | |"
    echo "| set-up, TLS handshake and request, before the first body byte | $(mb "$(f "$a" setup_handshake_instr)") | $(mb "$(f "$r" setup_handshake_instr)") | |"
    echo "| counter check: a loop of 2,000,000 instructions counted as | $(f "$a" count_check_2000000) | $(f "$r" count_check_2000000) | |"
    echo
    echo "How counted: QEMU 7.2 in Debian ships no TCG plugins (no libinsn), so QEMU runs"
    echo "with \`-icount shift=0\` (one instruction = 1 ns of virtual time). RV32IMC: the"
    echo "\`minstret\` CSR, exact under icount. Cortex-M4: QEMU has no cycle counter, so the"
    echo "CMSDK APB timer 0 at 25 MHz, one tick = 40 instructions (the resolution; the check"
    echo "row shows both methods agree with a known loop). The firmware subtracts the"
    echo "instructions spent spinning on the UART (the host's pace, not the device's work),"
    echo "the UART driver and the flash simulator; per-byte figures are over the body bytes"
    echo "received between the first and the last engine step that received any."
    echo "Peak heap: \`mbedtls_platform_set_calloc_free()\` with a counting calloc/free (8-byte"
    echo "header each, not counted); peaks restart when the update starts; the record buffers"
    echo "are \`mbedtls_ssl_setup()\`'s first block of the incoming buffer's size and the next of the"
    echo "outgoing one's (content length + record overhead). mbedTLS 3.6's"
    echo "PSA copies each hash input (\`MBEDTLS_PSA_ASSUME_EXCLUSIVE_BUFFERS\` off), hence the"
    echo "allocation count. Stack: 40 KB below \`main\` painted before the update, scanned after."
    echo "Static RAM leaves out the harness and QEMU's RAM flash (4 MB, heap)."
    others=${mbedvers#"${mbedvers%% *}"}
    [ -n "$others" ] || return 0
    echo
    echo "### mbedTLS versions side by side"
    echo
    printf '%s' "| figure (device firmware, whole update) |"
    hdr="|---|"
    for v in $mbedvers; do printf ' Cortex-M4 %s |' "$v"; hdr="$hdr---:|"; done
    for v in $mbedvers; do printf ' RV32IMC %s |' "$v"; hdr="$hdr---:|"; done
    echo; echo "$hdr"
    row() {
        printf '| %s |' "$1"
        for i in arm-m4 rv32imc; do
            for v in $mbedvers; do
                d=$(isadir $i "$v")
                if [ ! -f "$d/figures.tsv" ]; then printf ' not measured |'; continue; fi
                printf ' %s |' "$($2 "$d")"
            done
        done
        echo
    }
    v_mbed() { sz "$1" dev-bare mbedtls 2; }
    v_otter() { sum "$1" dev-bare "otter glue"; }
    v_static() { echo "$(sum "$1" dev-bare "otter glue app port mbedtls libc padding other" 3) + $(sum "$1" dev-bare "otter glue app port mbedtls libc padding other" 4)"; }
    v_heap() { fig "$1" heap_peak_mbedtls; }
    v_norec() { fig "$1" heap_peak_no_records; }
    v_stack() { fig "$1" stack_hwm; }
    v_big() { fig "$1" heap_big_blocks; }
    v_ipb() { per_byte "$(fig "$1" ipkb_download)"; }
    v_hs() { mb "$(fig "$1" setup_handshake_instr)"; }
    row "mbedTLS code + rodata" v_mbed
    row "otter code + rodata (core + glue)" v_otter
    row "static RAM (.data + .bss)" v_static
    row "peak heap of mbedTLS" v_heap
    row "peak heap without the record buffers" v_norec
    row "blocks of 16 KiB or more allocated" v_big
    row "stack high-water mark" v_stack
    row "download path, instructions per byte" v_ipb
    row "set-up, handshake and request, instructions" v_hs
    echo
    echo "mbedTLS 4.0.0 is built with \`tests/target/mbedtls/mcu-4.0-https.h\` and"
    echo "\`mcu-4.0-https-crypto.h\` (TF-PSA-Crypto 1.0): the same client less ECDHE-RSA and"
    echo "RSASSA-PSS certificates, which 4.0 builds only with RSA private-key operations."
    echo "4.0's PSA copies the caller's buffers of every AEAD call: each record's ciphertext"
    echo "and plaintext is copied into a fresh heap block (the blocks of 16 KiB or more row),"
    echo "which is what its peak adds over 3.6."
}

# markdown16: the issue-16 table (targets, figures, met or not) from
# $W/<isa>{,-mfl,-mfl-none,-rsa}/, beside issue 15's figures (commit 4a18b36:
# 1 + 4 + 2 KB buffers, 95 partition rows, mbedTLS with 16 KB record buffers
# both ways, ECP window 4 with fixed-point tables, AES tables in RAM).
markdown16() {
    a="$W/arm-m4"; r="$W/rv32imc"
    f() { [ -f "$1/figures.tsv" ] && { v=$(fig "$1" "$2"); echo "${v:--}"; } || echo -; }
    ramof() { [ -f "$1/size-dev-bare.tsv" ] && awk -F'\t' -v o="$2" '$1 == o { print $3 + $4 }' "$1/size-dev-bare.tsv" || echo -; }
    codeof() { [ -f "$1/size-$2.tsv" ] && awk -F'\t' '$1 == "otter" || $1 == "glue" { s += $2 } END { print s + 0 }' "$1/size-$2.tsv" || echo -; }
    # own DIR: otter's contexts and buffers (fw_app.c's, less the mbedTLS
    # objects otter_tls_t holds) + the update's stack high-water mark
    own() { [ -f "$1/figures.tsv" ] || { echo -; return; }
            echo $(( $(ramof "$1" app) - $(f "$1" size_tls_backend) + $(f "$1" stack_hwm) )); }
    # allin DIR: fw_app.c's statics (otter_tls_t whole) + mbedTLS .data/.bss
    # + mbedTLS's peak heap + the stack high-water mark
    allin() { [ -f "$1/figures.tsv" ] && [ "$(f "$1" heap_peak_mbedtls)" != - ] || { echo -; return; }
              echo $(( $(ramof "$1" app) + $(ramof "$1" mbedtls) + $(f "$1" heap_peak_mbedtls) + $(f "$1" stack_hwm) )); }
    met() { awk -v x="$1" -v y="$2" -v l="$3" 'BEGIN { if (x == "-" || y == "-") print "not measured";
            else if (x + 0 <= l && y + 0 <= l) print "**met**";
            else printf "**not met** (%+d B on Cortex-M4, %+d B on RV32IMC)\n", x - l, y - l }'; }
    o_a=$(own "$a"); o_r=$(own "$r")
    d_a=$(allin "$a"); d_r=$(allin "$r")
    rs_a=$(allin "$a-rsa"); rs_r=$(allin "$r-rsa")
    m_a=$(allin "$a-mfl"); m_r=$(allin "$r-mfl")
    c16_a=$(codeof "$a" names-bare); c16_r=$(codeof "$r" names-bare)
    c28_a=$(codeof "$a" dev-texts); c28_r=$(codeof "$r" dev-texts)
    maxof() { awk -v x="$1" -v y="$2" 'BEGIN { if (x == "-") print y; else if (y == "-") print x; else print (x > y ? x : y) }'; }
    any_a=$(maxof "$d_a" "$rs_a"); any_r=$(maxof "$d_r" "$rs_r")
    echo "### Issue 16: the targets"
    echo
    echo "Measured as the issue says, on the QEMU target build of this section, default configuration"
    echo "(\`include/otter/config.h\`; \`fw_app.c\`: $(f "$a" buf_http)-byte HTTP buffer, $(f "$a" buf_data)-byte data buffer, which is"
    echo "also the PEM scratch of \`otter_tls_setup()\`; $(grep -m1 'define OTTER_PT_MAX_ENTRIES' include/otter/config.h | awk '{print $3}') partition rows). mbedTLS 3.6.6 with"
    echo "\`tests/target/mbedtls/mcu-3.6-tls.h\`: incoming record buffer $(f "$a" in_content_len) B, outgoing $(f "$a" out_content_len) B,"
    echo "\`MBEDTLS_ECP_WINDOW_SIZE 2\`, no \`MBEDTLS_ECP_FIXED_POINT_OPTIM\`, \`MBEDTLS_AES_ROM_TABLES\`."
    echo "*Issue 15* is the previous run (commit \`4a18b36\`: 1 + 4 + 2 KB buffers, 95 partition rows,"
    echo "16 KB record buffers both ways, ECP window 4 with fixed-point tables, AES tables in RAM)."
    echo
    echo "| target | limit | Cortex-M4 | RV32IMC | issue 15 (M4 / RV32) | verdict |"
    echo "|---|---:|---:|---:|---:|---|"
    echo "| otter's own RAM: contexts and buffers (\`fw_app.c\`'s statics less the $(f "$a" size_tls_backend) B of mbedTLS objects in \`otter_tls_t\`) + the update's stack high-water mark | 8192 | $o_a | $o_r | 18255 / 18431 | $(met "$o_a" "$o_r" 8192) |"
    echo "| peak RAM of a whole HTTPS update, all in (\`fw_app.c\`'s statics + mbedTLS .data/.bss + mbedTLS's peak heap + stack), any TLS 1.2 server: the larger of the P-256 and the RSA chain | 40960 | $any_a | $any_r | 70998 / 71182 | $(met "$any_a" "$any_r" 40960) |"
    echo "| the same, nginx honouring max_fragment_length 4096 (answer: $(f "$a-mfl" mfl_answer) / $(f "$r-mfl" mfl_answer)) | 28672 | $m_a | $m_r | - | $(met "$m_a" "$m_r" 28672) |"
    echo "| code of the update path (otter core + glue in the device ELF, \`--gc-sections\`, mbedTLS and libc excluded), error names only (\`OTTER_ERROR_TEXTS=0\`) | 16384 | $c16_a | $c16_r | - | $(met "$c16_a" "$c16_r" 16384) |"
    echo "| the same with the texts (\`OTTER_ERROR_TEXTS=1\` and \`otter_update_diagnose()\`) | 28672 | $c28_a | $c28_r | 64760 / 73441 | $(met "$c28_a" "$c28_r" 28672) |"
    echo
    echo "The parts (Cortex-M4 / RV32IMC, bytes):"
    echo
    echo "| part | default, P-256 | default, RSA-4096 CA + RSA-2048 server | max_fragment_length 4096 |"
    echo "|---|---:|---:|---:|"
    # prow LABEL FN ARG: a row of "FN DIR ARG" for each variant and ISA
    prow() { echo "| $1 | $($2 "$a" "$3") / $($2 "$r" "$3") | $($2 "$a-rsa" "$3") / $($2 "$r-rsa" "$3") | $($2 "$a-mfl" "$3") / $($2 "$r-mfl" "$3") |"; }
    prow "\`fw_app.c\`'s statics: contexts and buffers" ramof app
    prow "of which \`otter_update_t\`" f size_update
    prow "of which \`otter_tls_t\` (mbedTLS's ssl, config, DRBG, CA and session objects inside)" f size_tls
    prow "of which \`otter_ptable_t\`" f size_ptable
    prow "mbedTLS .data + .bss (PSA key slots, ...)" ramof mbedtls
    prow "mbedTLS's peak heap" f heap_peak_mbedtls
    prow "of which the two record buffers" f heap_record_bytes
    prow "peak heap without them" f heap_peak_no_records
    prow "stack high-water mark of the update" f stack_hwm
    prow "of which up to the first body byte (connect, TLS handshake, request)" f stack_hwm_connect
    prow "after it (download, image and signature checks, switch)" f stack_hwm_download
    prow "cipher suite" f tls_cipher
    echo
    echo "Against a server that ignores max_fragment_length the 4 KB build cannot work: the server"
    echo "sends records of up to 16 KB. The bench shows it with the same build asking nginx for"
    echo "nothing (OpenSSL always honours the request, so nginx cannot be made to ignore it; from the"
    echo "record layer's side the two are the same): the update fails with"
    echo "\`$(f "$a-mfl-none" rc_name)\` (Cortex-M4) and \`$(f "$r-mfl-none" rc_name)\` (RV32IMC), otter's own error, whose text says:"
    echo "*$(sed -n 's/.*OTTER_ERR_TLS_RECORD_TOO_LONG, -150, "\(.*\)")$/\1/p' include/otter/errors.def)*."
    echo "It is not retried (a reconnect would get the same records). A device that must reach any"
    echo "server uses the 16 KB build (the 40 KB figure); asking for max_fragment_length costs"
    echo "nothing there and the report says whether the server honoured it (\`max_fragment_answer\`)."
    echo
    echo "**Where the bytes are, and what would close the rest** (Cortex-M4 figures):"
    echo
    echo "- *otter's own RAM*, $o_a B: the buffers $(( $(f "$a" buf_http) + $(f "$a" buf_data) )) B; \`otter_update_t\` $(f "$a" size_update) B (the image"
    echo "  check, about 1.2 KB: SHA-256 state, the app descriptor, header bytes; the HTTP client, about"
    echo "  1.1 KB: \`OTTER_HTTP_URL_MAX\` 256 and the header scratch; status, policy, journal); \`otter_tls_t\`"
    echo "  less mbedTLS's objects $(( $(f "$a" size_tls) - $(f "$a" size_tls_backend) )) B; the partition table $(f "$a" size_ptable) B; and the stack,"
    echo "  $(f "$a" stack_hwm) B, whose mark is set in the TLS handshake, inside mbedTLS (ECDHE and ECDSA);"
    echo "  after the handshake the update needs $(f "$a" stack_hwm_download) B. Counting only that, otter's own is"
    echo "  $(( $o_a - $(f "$a" stack_hwm) + $(f "$a" stack_hwm_download) )) B. What would close the rest: a 1 KB data buffer (-1024 B; it is also the PEM"
    echo "  scratch of \`otter_tls_setup()\`, which would then decode a CA larger than 1 KB, such as"
    echo "  ISRG Root X1, in pieces) and the image check's app descriptor kept as the fields the policy"
    echo "  reads rather than its 256 bytes."
    echo "- *Peak RAM, any server*: met with the P-256 chain ($d_a B); not with an RSA-4096 root"
    echo "  ($rs_a B), as on much of the public web (ISRG Root X1). Of mbedTLS's $(f "$a-rsa" heap_peak_no_records) B of heap outside the"
    echo "  record buffers ($(f "$a" heap_peak_no_records) B with P-256), the RSA-4096 CA parsed and kept (about 2.5 KB) and the"
    echo "  4096-bit modular exponentiation that checks the server certificate's signature (about 5 KB of"
    echo "  bignum temporaries) make the difference (estimated from the sizes, not measured apart). The 16 KB incoming record buffer ($(f "$a" in_content_len) B of content)"
    echo "  cannot shrink for any server. What would close it: otter's own below 8 KB (above, about"
    echo "  -2.3 KB), \`MBEDTLS_MPI_WINDOW_SIZE 1\` (a few hundred bytes), and on ESP32 the RSA"
    echo "  accelerator; or a P-256 trust anchor where the operator chooses it. Not measured here:"
    echo "  ESP-IDF's \`CONFIG_MBEDTLS_DYNAMIC_BUFFER\`, which is not upstream mbedTLS's."
    echo "- *Peak RAM with max_fragment_length*: met, record buffers of $(f "$a-mfl" heap_record_bytes) B in place of"
    echo "  $(f "$a" heap_record_bytes) B. mbedTLS asks for at most the smaller of its two buffers, so this build has"
    echo "  4 KB both ways (\`tests/target/mbedtls/mcu-3.6-tls-mfl.h\`)."
    echo "- *Code*: otter's update path is $c16_a B with names only, every module of the issue's list"
    echo "  in it (below). 16 KB is not reachable without taking functions out: the TLS report's own"
    echo "  certificate reading (tls\\_der, tls\\_pem, the glue's tls\\_cert: about 6.4 KB) could become a"
    echo "  build option for devices that never describe a failed handshake; HTTP (client and parser,"
    echo "  6.8 KB: redirects, chunked bodies, Range resumption) and the update policy (2.4 KB: version,"
    echo "  secure_version, rollback rules) are the issue's own features. With the texts ($c28_a B), what"
    echo "  costs is the diagnosis, not the texts: \`otter_update_diagnose()\` and the explain modules it"
    echo "  calls add $(( $(codeof "$a" names) - c16_a )) B even with names only ($(codeof "$a" names) B), the error texts"
    echo "  $(( c28_a - $(codeof "$a" names) )) B. A device can keep the codes and the reports and let \`otter doctor\` explain them."
    if [ -f "$a/detail-names-bare.tsv" ]; then
        echo
        printf '%s' "Where the names-only update path's bytes are on Cortex-M4, by module: "
        sort -t'	' -k2,2nr "$a/detail-names-bare.tsv" | awk -F'\t' '$2 > 0 { m = $1; sub(/^otter:/, "", m); gsub(/_/, "\\_", m); printf "%s%s %d", (NR > 1 ? ", " : ""), m, $2 } END { print "." }'
    fi
}

# ---------------------------------------------------------------------------
. scripts/core-files.sh
. bench/lib.sh
NGINX_PID=""
trap 'nginx_stop' EXIT
trap 'nginx_stop; exit 130' INT TERM
if [ ! -x build/otter ]; then
    echo "footprint: building the host CLI (build/otter) to make the served image" >&2
    { [ -f build/CMakeCache.txt ] || cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOTTER_ESP_IDF=off; } \
        >/dev/null && cmake --build build -j 2 --target otter >/dev/null || { echo "footprint: no build/otter" >&2; exit 1; }
fi
rm -rf "$W/www" "$W/pki"; mkdir -p "$W/www"
make_pki "$W/pki"
# The CA as the device holds it: PEM text in flash.
(cd "$W/pki" && cp ca.pem fp_ca.pem && xxd -i fp_ca.pem | sed 's/^unsigned/static const unsigned/') >"$W/fp_ca.h" || exit 1
build/otter image make --chip esp32 --project otter-demo --version 1.1.0 --size "$IMAGE_SIZE" --seed 110 \
    --out "$W/www/app-1.1.0.bin" >/dev/null || exit 1
nginx_start "$W/www" "$W/pki" 1 || { echo "footprint: nginx did not start" >&2; exit 1; }
rc=0
for mbedver in $mbedvers; do
    for i in arm-m4 rv32imc; do
        rm -f "$(isadir "$i" "$mbedver")/figures.tsv"
        measure_isa "$i"; r=$?
        if [ $r = 3 ]; then
            [ "$mbedver" = "${mbedvers%% *}" ] && exit 3
            break  # a further version without sources: its column says so
        fi
        [ $r = 0 ] || rc=1
    done
done
mbedver=${mbedvers%% *}
tlscfg=""  # the mbedTLS configuration variant (mbedtls_build)
# Issue 16: the max_fragment_length build and its fallback (mbedTLS 3.6),
# then an RSA chain.
tlscfg=
case "$mbedver" in
    3.*)
        for i in arm-m4 rv32imc; do rm -f "$W/$i-mfl/figures.tsv" "$W/$i-mfl-none/figures.tsv"; measure_mfl "$i" || rc=1; done
        nginx_stop
        rm -rf "$W/pki-rsa"
        BENCH_CIPHER=ECDHE-RSA-AES128-GCM-SHA256
        if make_pki_rsa "$W/pki-rsa" && nginx_start "$W/www" "$W/pki-rsa" 1; then
            for i in arm-m4 rv32imc; do rm -f "$W/$i-rsa/figures.tsv"; measure_rsa "$i" || rc=1; done
        else
            echo "footprint: no RSA server" >&2; rc=1
        fi
        ;;
esac
nginx_stop
markdown >"$W/section.md"
echo "footprint: wrote $W/section.md" >&2
if [ $write = 1 ]; then
    res=bench/RESULTS.md
    awk -v sec="$W/section.md" '
        /^## 8\. / { skip = 1; while ((getline l < sec) > 0) print l; next }
        skip && /^## / { skip = 0 }
        !skip { print }
        END { }' "$res" >"$res.new"
    grep -q '^## 8\. ' "$res" || { echo; cat "$W/section.md"; } >>"$res.new"
    mv "$res.new" "$res"
    echo "footprint: replaced §8 of $res" >&2
fi
exit $rc
