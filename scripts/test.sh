#!/bin/sh
# The whole suite, once per mbedTLS that ESP32 SDKs ship (`make test`):
#
#   leg   build dir          mbedTLS                          build
#   1     build/             the system's (Debian 12: 2.28)   plain, error names only (no ESP-IDF tests)
#   2     build-asan/        the system's                     ASan + UBSan
#   3     build-mbedtls3.6/  3.6.6 (ESP-IDF 5.3-5.5)           plain
#   4     build-mbedtls4.0/  4.0.0 (ESP-IDF 6.0, PSA)          plain
#   target build-target/     3.6.6 cross-built (MCU config)   Cortex-M4 and RV32IMC under QEMU
#
# Legs 3 and 4 build mbedTLS once into .deps/ (scripts/mbedtls.sh) from
# $OTTER_DEPS; without the sources a leg is skipped with one line saying what
# to set. Prints one line per leg (mbedTLS version, tests run, passed) and
# exits non-zero if any leg failed.
# The target leg (scripts/target.sh) is not in the default list: `make test`
# runs it after the freestanding cross step.
# Usage: scripts/test.sh [LEG...]   (default: the four host legs; names: system asan 3.6 4.0 target)
set -u
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
legs="${*:-system asan 3.6 4.0}"
summary=""
failed=0

run_leg() {
    leg="$1"; dir="$2"; shift 2
    echo "== leg $leg: configure and build in $dir"
    mkdir -p "$dir"
    if ! cmake -S . -B "$dir" "$@" >"$dir/configure.log" 2>&1; then
        if grep -q 'is not available' "$dir/configure.log"; then
            line=$(grep -m1 '^mbedtls ' "$dir/configure.log" || echo "mbedTLS sources not found")
            summary="$summary
leg $leg: SKIPPED: $line"
            return 0
        fi
        cat "$dir/configure.log"
        summary="$summary
leg $leg: FAILED to configure (see $dir/configure.log)"
        failed=1; return 0
    fi
    if ! cmake --build "$dir" -j "$jobs" >"$dir/build.log" 2>&1; then
        grep -E 'error|Error' "$dir/build.log" | head -40
        summary="$summary
leg $leg: FAILED to build (see $dir/build.log)"
        failed=1; return 0
    fi
    ver=$(cat "$dir/mbedtls-version.txt" 2>/dev/null || echo unknown)
    log="$dir/ctest.log"
    (cd "$dir" && ctest --output-on-failure -j "$jobs" --output-junit ctest-results.xml) >"$log" 2>&1
    rc=$?
    # A test that did not run (skipped, not run) is not a test that passed.
    if ! scripts/check-skips.sh "$dir" >>"$log" 2>&1; then rc=1; fi
    # Show failures in full; otherwise only ctest's one-line results.
    if [ $rc -ne 0 ]; then cat "$log"; else grep -E 'Test +#|^check-skips' "$log"; fi
    total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
    nfail=$(sed -n 's/.*, \([0-9]*\) tests failed out of.*/\1/p' "$log" | tail -1)
    nskip=$(grep '\*\*\*Skipped\|Not Run' "$log" | grep -vc '_sources_missing' || true)
    nsrc=$(grep '\*\*\*Skipped' "$log" | grep -c '_sources_missing' || true)
    total=${total:-0}; nfail=${nfail:-?}
    line="leg $leg: mbedTLS $ver: $total tests, $nfail failed, $nskip skipped"
    [ "$nsrc" != 0 ] && line="$line ($nsrc more skipped: third-party sources not found, set OTTER_DEPS)"
    if [ $rc -ne 0 ] || [ "$nskip" != 0 ] || [ "$total" = 0 ]; then
        line="$line  <- FAILED"
        failed=1
    fi
    summary="$summary
$line"
}

# The core's tests under QEMU, one summary line per ISA (scripts/target.sh).
run_target() {
    echo "== leg target: the core's tests under QEMU on Cortex-M4 and RV32IMC"
    mkdir -p build-target
    scripts/target.sh all >build-target/target.log 2>&1
    rc=$?
    grep -Ev '^target( [a-z0-9-]+)?: (mbedTLS [0-9.]+: [0-9]+ tests|SKIPPED|FAILED)' build-target/target.log
    lines=$(grep -E '^target( [a-z0-9-]+)?: (mbedTLS [0-9.]+: [0-9]+ tests|SKIPPED|FAILED)' build-target/target.log | sed 's/^/leg /')
    [ -z "$lines" ] && lines="leg target: FAILED (see build-target/target.log)  <- FAILED"
    summary="$summary
$lines"
    # 3: the mbedTLS sources are absent, said in the line; not a failure.
    if [ $rc != 0 ] && [ $rc != 3 ]; then failed=1; fi
}

for leg in $legs; do
    case "$leg" in
        # The ESP-IDF host tests (tests/esp-idf) run where ESP-IDF ships that
        # mbedTLS (v5.5.5 with 3.6, v6.0.2 with 4.0) and both under ASan.
        system) run_leg system build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOTTER_ESP_IDF=off -DOTTER_ERROR_TEXTS=OFF ;;
        asan)   run_leg asan build-asan -DCMAKE_BUILD_TYPE=Debug -DOTTER_SANITIZE=ON ;;
        3.6)    run_leg 3.6 build-mbedtls3.6 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOTTER_MBEDTLS=3.6 ;;
        4.0)    run_leg 4.0 build-mbedtls4.0 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOTTER_MBEDTLS=4.0 ;;
        target) run_target ;;
        *) echo "scripts/test.sh: unknown leg '$leg' (system asan 3.6 4.0 target)" >&2; exit 2 ;;
    esac
done

echo "== legs$summary"
exit $failed
