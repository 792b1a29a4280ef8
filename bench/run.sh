#!/bin/sh
# make bench: measure otter and write bench/RESULTS.md.
# Usage: bench/run.sh [BUILD_DIR]   (BUILD_DIR holds a built `otter`)
#
# Sections (see issue 7): throughput against curl, instructions per byte
# outside crypto, RAM, virtual-time figures, code size, fleet load. Each
# section says met / not met against its target, or "not measured: <why>"
# when a piece it needs is missing, so the script always finishes.
# Bounded: every server and client it starts is stopped (trap), every client
# runs under `timeout`; the whole run takes a few minutes.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=$(cd "${1:-build}" && pwd)
OTTER="$BUILD/otter"
W="$BUILD/bench-work"
RESULTS="${BENCH_RESULTS:-$ROOT/bench/RESULTS.md}"
RUNS="${BENCH_RUNS:-5}"
. "$ROOT/bench/lib.sh"

rm -rf "$W"; mkdir -p "$W"
NGINX_PID=""
trap 'nginx_stop' EXIT
trap 'nginx_stop; exit 130' INT TERM

CC=${CC:-cc}
TIMEIT="$W/timeit"
$CC -O2 -o "$TIMEIT" "$ROOT/bench/timeit.c"
: >"$W/summary.tsv"

# summary TARGET FIGURE STATUS: one row of the table at the top of the report.
summary() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$W/summary.tsv"; }
say() { echo "bench: $*" >&2; }

# ---------------------------------------------------------------------------
# Code size: the core built freestanding, -Os, per module, three targets.
section_size() {
    out="$W/s5.md"
    {
        echo "## 5. Code size of the core"
        echo
        echo "Built by \`scripts/cross.sh all\`: every \`src/*.c\` that does not include"
        echo "mbedTLS, \`-Os -ffreestanding -ffunction-sections\`, no C library but"
        echo "\`mem*\`/\`str*\` (checked), no \`.data\`/\`.bss\` (checked). *text* is code"
        echo "plus read-only data, as \`size\` counts it (what goes into flash), summed over"
        echo "the object files (an upper bound: a linker with \`--gc-sections\` drops what a"
        echo "firmware does not call)."
        echo
    } >"$out"
    if ! scripts/cross.sh all "$W/cross" >"$W/cross.log" 2>&1; then
        cat "$W/cross.log" >&2
    fi
    if [ ! -s "$W/cross/arm-m4/size.tsv" ]; then
        echo "not measured: the Cortex-M4 cross build failed (see \`scripts/cross.sh all\`)." >>"$out"
        summary "Core .text ≤ 16 KB (Cortex-M4 -Os)" "-" "not measured"
        return 0
    fi
    {
        echo "| module | Cortex-M4 text | RV32IMC text | Xtensa LX106 text | data+bss |"
        echo "|---|---:|---:|---:|---:|"
        for m in $(cut -f1 "$W/cross/arm-m4/size.tsv"); do
            a=$(awk -v m="$m" '$1 == m { print $2 }' "$W/cross/arm-m4/size.tsv")
            r=$(awk -v m="$m" '$1 == m { print $2 }' "$W/cross/rv32imc/size.tsv" 2>/dev/null)
            x=$(awk -v m="$m" '$1 == m { print $2 }' "$W/cross/xtensa/size.tsv" 2>/dev/null)
            db=$(awk -v m="$m" '$1 == m { print $3 + $4 }' "$W/cross/arm-m4/size.tsv")
            echo "| \`$m\` | $a | ${r:--} | ${x:--} | $db |"
        done
        ta=$(awk '{ s += $2 } END { print s }' "$W/cross/arm-m4/size.tsv")
        tr=$(awk '{ s += $2 } END { print s }' "$W/cross/rv32imc/size.tsv" 2>/dev/null || echo -)
        tx=$(awk '{ s += $2 } END { print s }' "$W/cross/xtensa/size.tsv" 2>/dev/null || echo -)
        tdb=$(awk '{ s += $3 + $4 } END { print s }' "$W/cross/arm-m4/size.tsv")
        echo "| **total** | **$ta** | **$tr** | **$tx** | **$tdb** |"
        echo
        echo "Compilers: $(arm-none-eabi-gcc --version | head -1);"
        echo "$(riscv64-unknown-elf-gcc --version 2>/dev/null | head -1 || echo 'riscv64-unknown-elf-gcc missing');"
        echo "$(xtensa-lx106-elf-gcc --version 2>/dev/null | head -1 || echo 'xtensa-lx106-elf-gcc missing')."
        echo "Flags: Cortex-M4 \`-mcpu=cortex-m4 -mthumb\`; RV32IMC (ESP32-C3's ISA)"
        echo "\`-march=rv32imc_zicsr -mabi=ilp32\`; Xtensa \`-mlongcalls\` (Debian ships only the"
        echo "LX106 compiler (ESP8266's core); ESP32's LX6/LX7 share its base ISA but were not measured)."
        echo
    } >>"$out"
    errtext=$(awk '$1 == "error" { print $2 }' "$W/cross/arm-m4/size.tsv")
    if [ "$ta" -le 16384 ]; then
        st="met"
        echo "**Target ≤ 16 KB .text on Cortex-M4: met** ($ta bytes)." >>"$out"
    else
        st="not met"
        {
            echo "**Target ≤ 16 KB .text on Cortex-M4: not met** ($ta bytes)."
            echo "The largest modules are listed above; \`error\` (${errtext:-0} bytes) is the"
            echo "table of human-readable error messages, which a size-constrained build can"
            echo "replace by error names only."
        } >>"$out"
    fi
    summary "Core .text ≤ 16 KB (Cortex-M4 -Os)" "$ta bytes" "$st"
}

# ---------------------------------------------------------------------------
# Throughput: the same nginx, TLS 1.2, one cipher suite, two files; otter
# against `curl -o` + `sha256sum`, whole processes, medians of $RUNS runs.
otter_client() {
    if [ -x "$OTTER" ] && "$OTTER" fetch --help >/dev/null 2>&1; then
        echo fetch
    else
        echo none
    fi
}

section_throughput() {
    out="$W/s1.md"
    {
        echo "## 1. Throughput against curl"
        echo
        echo "One nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') on 127.0.0.1, TLS 1.2 only, one cipher suite"
        echo "(\`$BENCH_CIPHER\`, ECDSA P-256 certificate) for both clients."
        echo "Each figure is the median of $RUNS runs of the whole process(es), after one"
        echo "warm-up run; CPU is user + system of the client and its children."
        echo
    } >"$out"
    www="$W/www"; mkdir -p "$www"
    head -c 1577648 /dev/urandom >"$www/forum-1.5M.bin"
    head -c 67108864 /dev/urandom >"$www/big-64M.bin"
    make_pki "$W/pki"
    if ! nginx_start "$www" "$W/pki" 1; then
        echo "not measured: nginx did not start." >>"$out"
        summary "Throughput ≥ 1.0× curl+sha256sum" "-" "not measured"
        return 0
    fi
    client=$(otter_client)
    {
        echo "| file | client | wall (s) | CPU (s) | max RSS (KiB) | MB/s (wall) |"
        echo "|---|---|---:|---:|---:|---:|"
    } >>"$out"
    worst=""
    for f in forum-1.5M.bin big-64M.bin; do
        size=$(wc -c <"$www/$f")
        url="https://localhost:$NGINX_PORT/$f"
        want=$(sha256sum "$www/$f" | cut -d' ' -f1)
        ccmd="$(curl_fetch_cmd "$url" "$W/curl.out" "$W/pki/ca.pem") && sha256sum $W/curl.out"
        timed 1 warm "timeout 120 sh -c '$ccmd'" || true
        got=$(sha256sum "$W/curl.out" | cut -d' ' -f1)
        [ "$got" = "$want" ] || say "curl download of $f does not match"
        if timed "$RUNS" "curl-$f" "timeout 120 sh -c '$ccmd'"; then
            cw=$(stat_of "curl-$f" wall); cc=$(stat_of "curl-$f" cpu); cr=$(stat_of "curl-$f" rss)
            echo "| $f ($size B) | curl + sha256sum | $cw | $cc | $cr | $(awk -v s="$size" -v t="$cw" 'BEGIN { printf "%.1f", s / t / 1e6 }') |" >>"$out"
        else
            echo "| $f | curl + sha256sum | failed | | | |" >>"$out"
            cw=""
        fi
        if [ "$client" = fetch ]; then
            otter_fetch_rows "$f" "$size" "$url" "$want" "$cw"
        fi
    done
    nginx_stop
    echo >>"$out"
    if [ "$client" = none ]; then
        echo "otter: not measured: \`otter fetch\` is not built yet (it needs the HTTP, TLS and flash modules)." >>"$out"
        summary "Throughput ≥ 1.0× curl+sha256sum" "curl baseline only" "not measured"
        return 0
    fi
    throughput_verdict
}

# ---------------------------------------------------------------------------
not_yet() {
    n="$1"; title="$2"; why="$3"; target="$4"
    printf '## %s. %s\n\nnot measured: %s\n\n' "$n" "$title" "$why" >"$W/s$n.md"
    summary "$target" "-" "not measured"
}

section_ipb() {
    not_yet 2 "Instructions per byte outside crypto" \
        "needs \`otter fetch\` (HTTP, TLS and flash modules)." "≤ 2 instructions/byte outside crypto"
}
section_ram() {
    not_yet 3 "RAM" "needs \`otter fetch\` and the engine's contexts." "Peak RAM excl. TLS records ≤ 8 KB"
}
section_vtime() {
    not_yet 4 "Virtual-time figures (forum image, min_spiffs)" \
        "needs the update engine and the NOR simulator." "Longest blocking step ≤ 50 ms (typical)"
    summary "Update time ≤ 1.1× flash-only bound (fast network)" "-" "not measured"
}
section_fleet() {
    not_yet 6 "Fleet load" "needs \`otter device\` or \`otter fetch\`." "200 concurrent devices all succeed"
}

# ---------------------------------------------------------------------------
machine() {
    cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
    mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
    os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
    mbed=$(awk '/define MBEDTLS_VERSION_STRING / { gsub("\"", "", $3); print $3 }' /usr/include/mbedtls/version.h 2>/dev/null)
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit \`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\`"
    echo "- Machine: ${cpu:-unknown CPU}, $(nproc) CPUs, ${mem:-? GiB} RAM; Linux $(uname -r); ${os:-unknown OS}"
    echo "- Software: $(cc --version | head -1); mbedTLS ${mbed:-?}; $(curl --version | head -1 | cut -d' ' -f1-2) with $(curl --version | head -1 | grep -o 'OpenSSL/[^ ]*'); $(nginx -v 2>&1 | sed 's/nginx version: //'); valgrind $(valgrind --version 2>/dev/null | sed 's/valgrind-//')"
}

write_results() {
    {
        echo "# otter benchmarks"
        echo
        echo "Written by \`make bench\` (bench/run.sh); reproduce with that one command."
        echo
        machine
        echo
        echo "## Summary"
        echo
        echo "| target (issue 7) | measured | verdict |"
        echo "|---|---|---|"
        awk -F'\t' '{ printf "| %s | %s | %s |\n", $1, $2, $3 }' "$W/summary.tsv"
        echo
        for n in 1 2 3 4 5 6; do
            [ -f "$W/s$n.md" ] && cat "$W/s$n.md" && echo
        done
    } >"$RESULTS"
}

only="${BENCH_ONLY:-size throughput ipb ram vtime fleet}"
for s in $only; do
    say "section $s"
    "section_$s"
done
write_results
say "wrote $RESULTS"
