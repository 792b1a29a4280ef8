#!/bin/sh
# make bench: measure otter and write bench/RESULTS.md.
# Usage: bench/run.sh [BUILD_DIR [VERSION_BUILD_DIR...]]
#   (each holds a built `otter`; the first is measured in every section, all
#   of them side by side in §7, one per mbedTLS version)
#
# Sections (see issue 7): throughput against curl, instructions per byte
# outside crypto, RAM, virtual-time figures, code size, fleet load; and
# (issue 10) throughput, instructions per byte and RAM per mbedTLS version. Each
# section says met / not met against its target, or "not measured: <why>"
# when a piece it needs is missing, so the script always finishes.
# Bounded: every server and client it starts is stopped (trap), every client
# runs under `timeout`; the whole run takes a few minutes.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=$(cd "${1:-build}" && pwd)
# Usage: bench/run.sh BUILD [BUILD...]: the further build directories (the
# same tree against other mbedTLS versions: build-mbedtls3.6, ...) are
# measured side by side with BUILD in §7; one that is missing is said so.
VERSION_BUILDS="$BUILD"
if [ $# -gt 1 ]; then shift; VERSION_BUILDS="$VERSION_BUILDS $*"; fi
OTTER="$BUILD/otter"
W="$BUILD/bench-work"
RESULTS="${BENCH_RESULTS:-$ROOT/bench/RESULTS.md}"
RUNS="${BENCH_RUNS:-7}"
. "$ROOT/bench/lib.sh"
. "$ROOT/bench/versions.sh"

rm -rf "$W"; mkdir -p "$W"
# Downloaded bytes (curl's output file, otter's flash files) go to tmpfs when
# there is one, so that neither client waits for the disk.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then BENCH_TMP=$(mktemp -d /dev/shm/otter-bench.XXXXXX); else BENCH_TMP="$W/tmp"; fi
mkdir -p "$BENCH_TMP"
NGINX_PID=""
trap 'nginx_stop; rm -rf "$BENCH_TMP"' EXIT
trap 'nginx_stop; rm -rf "$BENCH_TMP"; exit 130' INT TERM

CC=${CC:-cc}
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
TIMEIT="$W/timeit"
$CC -O2 -o "$TIMEIT" "$ROOT/bench/timeit.c"
: >"$W/summary.tsv"

# summary TARGET FIGURE STATUS: one row of the table at the top of the report.
summary() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$W/summary.tsv"; }
say() { echo "bench: $*" >&2; }

# ---------------------------------------------------------------------------
# The footprint on the target ISAs under QEMU (issue 15): bench/target.sh,
# with this run's host figures (summary, §3, §5, §7) beside its own.
section_target() {
    {
        awk -F'\t' '{ printf "| %s | %s | %s |\n", $1, $2, $3 }' "$W/summary.tsv"
        for f in versions-summary s3 s5; do [ -f "$W/$f.md" ] && cat "$W/$f.md"; done
        echo "commit \`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\`"
    } >"$W/host.md"
    if HOST_MD="$W/host.md" bench/target.sh "$W/target" >"$W/target.log" 2>&1; then
        cp "$W/target/section.md" "$W/s8.md"
    else
        tail -5 "$W/target.log" >&2
        {
            echo "## 8. Footprint on the target: Cortex-M4 and RV32IMC under QEMU"
            echo
            echo "not measured: \`bench/target.sh\` failed ($(grep -m1 -E 'footprint.*(not|fail|did)' "$W/target.log" || echo 'see its log'))."
        } >"$W/s8.md"
    fi
}

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
    glue_sizes
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
        for gv in 2.28 3.6; do
            for m in $(cut -f1 "$W/glue/arm-m4-$gv.tsv" 2>/dev/null); do
                a=$(awk -v m="$m" '$1 == m { print $2 }' "$W/glue/arm-m4-$gv.tsv")
                r=$(awk -v m="$m" '$1 == m { print $2 }' "$W/glue/rv32imc-$gv.tsv" 2>/dev/null)
                x=$(awk -v m="$m" '$1 == m { print $2 }' "$W/glue/xtensa-$gv.tsv" 2>/dev/null)
                db=$(awk -v m="$m" '$1 == m { print $3 + $4 }' "$W/glue/arm-m4-$gv.tsv")
                echo "| \`$m\` (mbedTLS glue, $gv headers) | $a | ${r:--} | ${x:--} | $db |"
            done
        done
        tr=$(awk '{ s += $2 } END { print s }' "$W/cross/rv32imc/size.tsv" 2>/dev/null || echo -)
        tx=$(awk '{ s += $2 } END { print s }' "$W/cross/xtensa/size.tsv" 2>/dev/null || echo -)
        tdb=$(awk '{ s += $3 + $4 } END { print s }' "$W/cross/arm-m4/size.tsv")
        echo "| **core total** | **$ta** | **$tr** | **$tx** | **$tdb** |"
        # glue_total TARGET VERSION CORE_TOTAL: core + glue, "-" without glue.
        glue_total() {
            if [ -s "$W/glue/$1-$2.tsv" ] && [ "$3" != - ]; then
                awk -v c="$3" '{ s += $2 } END { print s + c }' "$W/glue/$1-$2.tsv"
            else echo -; fi
        }
        for gv in 2.28 3.6; do
            echo "| **core + mbedTLS glue ($gv headers)** | **$(glue_total arm-m4 $gv "$ta")** | **$(glue_total rv32imc $gv "$tr")** | **$(glue_total xtensa $gv "$tx")** | |"
        done
        ga=$(glue_total arm-m4 3.6 "$ta"); gav=3.6
        [ "$ga" = - ] && { ga=$(glue_total arm-m4 2.28 "$ta"); gav=2.28; }
        [ "$ga" = - ] && { ga=$ta; gav=none; }
        echo
        echo "*mbedTLS glue* is otter's code that calls mbedTLS (\`src/mbedtls/\`: the crypto"
        echo "shim's backend, the TLS client): it is not in the freestanding check because it"
        echo "needs mbedTLS's headers and the target's C library. It is built with the same"
        echo "flags against mbedTLS 3.6.6's headers (what ESP-IDF 5.3-5.5 and Arduino-ESP32 3.x"
        echo "ship; by \`scripts/cross.sh\`, with newlib for Cortex-M4 and picolibc for RV32IMC;"
        echo "Debian has no C library for the Xtensa compiler that mbedTLS 3.6's headers accept)"
        echo "and against Debian's mbedTLS $(mbed_version) headers (threading off, newlib's headers)."
        echo "mbedTLS itself is not counted."
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
    fwa=""; fwb=""
    if [ -f include/otter/update.h ] && fw_size update && fw_size diag -Wl,-u,fw_diagnose; then
        fwa=$(awk '{ s += $2 } END { print s + 0 }' "$W/fw/update.tsv")
        fwb=$(awk '{ s += $2 } END { print s + 0 }' "$W/fw/diag.tsv")
        {
            echo "### Linked into a device firmware"
            echo
            echo "The table above sums every object, including code no device links (the"
            echo "partition CSV parser, the TLS failure explanations for \`otter doctor\`, ...)."
            echo "\`bench/fw_main.c\` is the smallest firmware that updates itself: partition"
            echo "table, the running slot from the platform (never the bootloader's boot choice)"
            echo "and confirmation, TLS client, the update engine (HTTP,"
            echo "image and signature checks, journal, otadata). Linked for Cortex-M4 with"
            echo "\`--gc-sections\` (ports, mbedTLS and libc left out), the otter code it keeps:"
            echo
            echo "| module | update path (bytes) | update path + \`otter_update_diagnose()\` (bytes) |"
            echo "|---|---:|---:|"
            for m in $(cut -f1 "$W/fw/diag.tsv"); do
                a=$(awk -v m="$m" '$1 == m { print $2 }' "$W/fw/update.tsv")
                b=$(awk -v m="$m" '$1 == m { print $2 }' "$W/fw/diag.tsv")
                echo "| \`$m\` | ${a:-0} | $b |"
            done
            echo "| **total** | **$fwa** | **$fwb** |"
            echo
        } >>"$out"
    fi
    fig="$ta B all core modules, $ga B with mbedTLS glue ($gav headers)"
    [ -n "$fwa" ] && fig="$fwa B linked update firmware ($fwb B with diagnostics); $fig"
    if [ -n "$fwa" ] && [ "$fwa" -le 16384 ]; then
        st="met"
        echo "**Target ≤ 16 KB .text on Cortex-M4: met for the linked update firmware** ($fwa bytes; $fwb with diagnostics; all core modules together: $ta, $ga with the mbedTLS glue against $gav headers)." >>"$out"
    elif [ -z "$fwa" ] && [ "$ga" -le 16384 ]; then
        st="met"
        echo "**Target ≤ 16 KB .text on Cortex-M4: met** ($ta bytes for the core, $ga with the mbedTLS glue against $gav headers)." >>"$out"
    else
        st="not met"
        {
            echo "**Target ≤ 16 KB .text on Cortex-M4: not met** (${fwa:+$fwa bytes linked for the update path, }$ta bytes for all core modules, $ga with the mbedTLS glue against $gav headers)."
            if [ -n "$fwa" ]; then
                fe=$(awk '$1 == "error" { print $2 }' "$W/fw/update.tsv"); fe=${fe:-0}
                fh=$(awk '$1 == "http" || $1 == "http_parse" || $1 == "url" { s += $2 } END { print s + 0 }' "$W/fw/update.tsv")
                echo "Where it goes is in the table above. $fe bytes are the table of human-readable"
                echo "error messages (\`error\`): anything that writes a sentence (boot's \`why\`,"
                echo "\`otter_update_diagnose()\`) links all of it; without it $((fwa - fe)) bytes remain."
                echo "The rest is the feature set: HTTP client (http, http_parse, url: $fh bytes,"
                echo "against coreHTTP + llhttp's 20.7 KB for HTTP alone), TLS glue, image and"
                echo "signature checks, confirmation, partition table, otadata, journal, engine."
                echo "What would close it: a build option that keeps error names only (-$fe),"
                echo "then trimming per module (the engine's policy and diagnostics strings, boot's"
                echo "explanations); 16 KB for the whole update path including TLS glue is tighter"
                echo "than this feature set is today."
            else
                echo "Where it goes is in the table above; \`error\` (${errtext:-0} bytes) is the table of"
                echo "human-readable error messages."
            fi
        } >>"$out"
    fi
    summary "Core .text ≤ 16 KB (Cortex-M4 -Os)" "$fig" "$st"
}

mbed_version() {
    awk '/define MBEDTLS_VERSION_STRING / { gsub("\"", "", $3); print $3 }' /usr/include/mbedtls/version.h 2>/dev/null
}

# glue_sizes: the src/ files the freestanding build skips because they use
# mbedTLS (src/mbedtls/: the TLS client and the crypto shim's backend), built
# for the three targets. Against mbedTLS 3.6's headers (what ESP-IDF 5.3-5.5
# ships) they are scripts/cross.sh's objects ($W/cross/<target>/glue/);
# against Debian's 2.28 headers they are built here.
# Writes $W/glue/<target>-<version>.tsv (module, text, data, bss).
glue_sizes() {
    d="$W/glue"; mkdir -p "$d/inc"
    for name in arm-m4 rv32imc xtensa; do
        : >"$d/$name-3.6.tsv"
        for o in "$W/cross/$name/glue/"*.o; do
            [ -f "$o" ] || continue
            cc=arm-none-eabi-gcc
            case $name in rv32imc) cc=riscv64-unknown-elf-gcc ;; xtensa) cc=xtensa-lx106-elf-gcc ;; esac
            "${cc%gcc}size" "$o" | awk -v m="$(basename "$o" .o)" 'NR == 2 { print m "\t" $1 "\t" $2 "\t" $3 }' >>"$d/$name-3.6.tsv"
        done
    done
    [ -d /usr/include/mbedtls ] || return 0
    ln -sf /usr/include/mbedtls "$d/inc/mbedtls"
    [ -d /usr/include/psa ] && ln -sf /usr/include/psa "$d/inc/psa"
    printf '#include </usr/include/mbedtls/config.h>\n#undef MBEDTLS_THREADING_C\n#undef MBEDTLS_THREADING_PTHREAD\n' >"$d/cfg.h"
    scripts/deps.sh libnewlib-dev >/dev/null 2>&1 || true
    files=$(grep -l '#include <\(mbedtls\|psa\)/\|#include "tls_mbedtls.h"' src/*.c src/*/*.c 2>/dev/null || true)
    for t in "arm-m4 arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb" \
             "rv32imc riscv64-unknown-elf-gcc -march=rv32imc_zicsr -mabi=ilp32 -ffreestanding -isystem /usr/include/newlib" \
             "xtensa xtensa-lx106-elf-gcc -mlongcalls -ffreestanding -isystem /usr/include/newlib"; do
        set -- $t; name=$1; cc=$2; shift 2
        : >"$d/$name-2.28.tsv"
        command -v "$cc" >/dev/null || continue
        for f in $files; do
            m=$(basename "$f" .c)
            if "$cc" "$@" -std=c11 -Os -ffunction-sections -fdata-sections -DMBEDTLS_CONFIG_FILE="\"$d/cfg.h\"" \
                -Iinclude -Isrc -I"$d/inc" -c "$f" -o "$d/$name-$m.o" 2>>"$d/err"; then
                "${cc%gcc}size" "$d/$name-$m.o" | awk -v m="$m" 'NR == 2 { print m "\t" $1 "\t" $2 "\t" $3 }' >>"$d/$name-2.28.tsv"
            fi
        done
    done
}

# fw_size VARIANT [LD_ARGS]: link bench/fw_main.c with the core and glue
# objects for Cortex-M4 with --gc-sections; writes $W/fw/VARIANT.tsv with the
# kept code + read-only data per module (from the link map).
fw_size() {
    v="$1"; shift
    d="$W/fw"; mkdir -p "$d"
    gccinc=$(arm-none-eabi-gcc -print-file-name=include)
    arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -std=c11 -Os -ffreestanding -ffunction-sections -fdata-sections \
        -nostdinc -isystem "$gccinc" -isystem "$gccinc-fixed" -isystem scripts/freestanding -Iinclude \
        -c bench/fw_main.c -o "$d/fw_main.o" 2>>"$d/err" || return 1
    # The glue against mbedTLS 3.6 (ESP-IDF 5.3-5.5), else against 2.28.
    glue=$(ls "$W"/cross/arm-m4/glue/*.o 2>/dev/null || ls "$W"/glue/arm-m4-*.o 2>/dev/null || true)
    arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -nostdlib -nostartfiles -Wl,--gc-sections -Wl,-e,fw_main \
        -Wl,--unresolved-symbols=ignore-all -Wl,-Map="$d/$v.map" "$@" \
        "$d/fw_main.o" "$W"/cross/arm-m4/*.o $glue -o "$d/$v.elf" 2>>"$d/err" || return 1
    awk '
        /^Linker script and memory map/ { on = 1; next }
        !on { next }
        /^ \.(text|rodata)[^ ]*$/ { pend = 1; next }
        pend && NF >= 3 && $1 ~ /^0x/ { add($2, $3); pend = 0; next }
        /^ \.(text|rodata)[^ ]* +0x/ { add($3, $4); pend = 0; next }
        { pend = 0 }
        function add(sz, f) { n = f; sub(".*/", "", n); sub("^arm-m4-", "", n); sub("\\.o$", "", n); kept[n] += strtonum_(sz) }
        function strtonum_(h,   i, c, v) { v = 0; h = tolower(h); sub("^0x", "", h)
            for (i = 1; i <= length(h); i++) { c = index("0123456789abcdef", substr(h, i, 1)) - 1; v = v * 16 + c }
            return v }
        END { for (m in kept) if (kept[m] > 0 && m != "fw_main") print m "\t" kept[m] }' "$d/$v.map" | sort >"$d/$v.tsv"
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

# fetch_cmd URL FLASH: the otter client command line (download + SHA-256 +
# program at offset 0 of a NOR-simulator flash file, created if missing).
fetch_cmd() {
    size=$(( ( ($(wc -c <"$W/www/${1##*/}") + 1048575) / 1048576 + 1) * 1048576 ))
    echo "$OTTER fetch $1 --flash $2 --create $size --ca $W/pki/ca.pem"
}

# flash_sha FLASH LEN: SHA-256 of the first LEN bytes of a flash file.
flash_sha() {
    head -c "$2" "$1" | sha256sum | cut -d' ' -f1
}

# otter_fetch_rows FILE SIZE URL WANT CURL_WALL: otter's rows of the table.
otter_fetch_rows() {
    f="$1"; size="$2"; url="$3"; want="$4"
    flash="$BENCH_TMP/fetch-$f.flash"
    cmd="$(fetch_cmd "$url" "$flash")"
    timed 1 warm "timeout 120 $cmd" || true
    got=$(flash_sha "$flash" "$size")
    [ "$got" = "$want" ] || say "otter fetch of $f: flash content does not match"
    if timed "$RUNS" "otter-$f" "timeout 120 $cmd"; then
        ow=$(stat_of "otter-$f" wall); oc=$(stat_of "otter-$f" cpu); orss=$(stat_of "otter-$f" rss)
        echo "| $f ($size B) | otter fetch | $ow | $oc | $orss | $(awk -v s="$size" -v t="$ow" 'BEGIN { printf "%.1f", s / t / 1e6 }') |" >>"$out"
    else
        echo "| $f | otter fetch | failed | | | |" >>"$out"
    fi
}

# throughput_verdict: ratio rows and the verdict (uses $W/times.tsv).
throughput_verdict() {
    {
        echo "| file | throughput otter/curl (curl wall ÷ otter wall) | CPU otter/curl |"
        echo "|---|---:|---:|"
    } >>"$out"
    worst=""
    for f in forum-1.5M.bin big-64M.bin; do
        cw=$(stat_of "curl-$f" wall); ow=$(stat_of "otter-$f" wall)
        cc=$(stat_of "curl-$f" cpu); oc=$(stat_of "otter-$f" cpu)
        if [ "$cw" = - ] || [ "$ow" = - ]; then
            echo "| $f | - | - |" >>"$out"; continue
        fi
        r=$(awk -v a="$cw" -v b="$ow" 'BEGIN { printf "%.2f", a / b }')
        rc=$(awk -v a="$oc" -v b="$cc" 'BEGIN { printf "%.2f", a / b }')
        echo "| $f | ${r}× | ${rc}× |" >>"$out"
        if [ -z "$worst" ] || awk -v a="$r" -v b="$worst" 'BEGIN { exit !(a < b) }'; then worst=$r; fi
    done
    dw=$(stat_of device wall); cw=$(stat_of "curl-forum-1.5M.bin" wall)
    if [ "$dw" != - ] && [ "$cw" != - ]; then
        echo "| app-1.1.0.bin, whole update with \`otter device\` | $(awk -v a="$cw" -v b="$dw" 'BEGIN { printf "%.2f", a / b }')× | $(awk -v a="$(stat_of device cpu)" -v b="$(stat_of "curl-forum-1.5M.bin" cpu)" 'BEGIN { printf "%.2f", a / b }')× |" >>"$out"
    fi
    echo >>"$out"
    echo "The verdict uses \`otter fetch\` (download + SHA-256 + flash); \`otter device\` does a whole update on top (image checks, a second hash over the written slot, otadata switch, reboot, self-test)." >>"$out"
    echo >>"$out"
    if [ -z "$worst" ]; then
        summary "Throughput ≥ 1.0× curl+sha256sum" "-" "not measured"
    elif awk -v r="$worst" 'BEGIN { exit !(r >= 1.0) }'; then
        echo "**Target throughput ≥ 1.0× curl + sha256sum: met** (worst ratio ${worst}×)." >>"$out"
        summary "Throughput ≥ 1.0× curl+sha256sum" "${worst}× (worst of 1.5 MB, 64 MiB)" "met"
    else
        echo "**Target throughput ≥ 1.0× curl + sha256sum: not met** (worst ratio ${worst}×)." >>"$out"
        throughput_why >>"$out"
        summary "Throughput ≥ 1.0× curl+sha256sum" "${worst}× (worst of 1.5 MB, 64 MiB)" "not met"
    fi
}

# throughput_why: where the time goes, from the instruction counts of §2.
throughput_why() {
    if [ ! -s "$W/cg-split.txt" ]; then
        echo "Where the difference goes is not measured (needs §2's callgrind runs)."
        return 0
    fi
    ot=$(awk '$1 !~ /^(curl|curl_libcrypto|sha256sum|loader|other)$/ { s += $2 } END { printf "%.1f", s }' "$W/cg-split.txt")
    echo
    echo "Where the difference goes, in instructions per byte in steady state (§2):"
    echo
    echo "| | otter fetch | curl -o + sha256sum |"
    echo "|---|---:|---:|"
    echo "| SHA-256 | $(split_of sha256) (mbedTLS, portable C) | $(split_of sha256sum) (sha256sum, portable C) |"
    echo "| TLS decryption (AES-128-GCM) | $(split_of cipher) (mbedTLS 2.28: AES-NI rounds, GHASH per 16-byte block) | $(split_of curl_libcrypto) (OpenSSL: stitched AES-NI + PCLMULQDQ assembly) |"
    echo "| storing the bytes | $(split_of flashsim) (NOR simulator: byte-wise erased-check and AND) | in curl's total (write to a file) |"
    echo "| everything else | $(awk '$1 ~ /^(otter|mbedtls|libc)$/ { s += $2 } END { printf "%.2f", s }' "$W/cg-split.txt") (otter, mbedTLS record layer, libc) | $(awk '$1 == "curl" { c = $2 } $1 == "curl_libcrypto" { l = $2 } END { printf "%.2f", c - l }' "$W/cg-split.txt") (curl, libc) |"
    echo "| **total** | **$ot** | **$(awk '$1 == "curl" || $1 == "sha256sum" { s += $2 } END { printf "%.1f", s }' "$W/cg-split.txt")** |"
    echo
    echo "otter's own code is a small part of it: the gap is mbedTLS's AES-GCM against"
    echo "OpenSSL's, and the simulator's byte-wise flash emulation. What would close it:"
    echo "an AES-GCM with a carry-less-multiply GHASH over whole records (OpenSSL-class"
    echo "assembly, or the AES/GCM engine of the device's chip behind mbedTLS's"
    echo "alternative-implementation hooks), and a word-wise fast path in the simulator's"
    echo "program and erase (the flash chip does this work on a device). On a device,"
    echo "SHA-256 also moves to the chip's SHA engine through otter's crypto shim."
}

# The fleet: `otter device` (a whole update each) when it exists, else
# `otter fetch`.
fleet_what() { [ "$HAVE_DEVICE" = 1 ] && echo "otter device" || echo "otter fetch"; }
fleet_prepare() {
    [ "$HAVE_DEVICE" = 1 ] || return 0
    i=1
    while [ $i -le "$n" ]; do sh -c "$(device_prep_cmd "$1/dev$i.flash")"; i=$((i + 1)); done
}
fleet_cmd() {
    if [ "$HAVE_DEVICE" = 1 ]; then device_cmd "$1/dev$2.flash"; else fetch_cmd "$3" "$1/dev$2.flash"; fi
}
fleet_check() {
    if [ "$HAVE_DEVICE" = 1 ]; then
        grep -q '"outcome":"updated"' "$1/out.$2" && grep -q '"running_version":"1.1.0"' "$1/out.$2"
    else
        [ "$(flash_sha "$1/dev$2.flash" 1577648)" = "$3" ]
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
    if [ -z "$NGINX_PID" ]; then
        echo "not measured: nginx did not start." >>"$out"
        summary "Throughput ≥ 1.0× curl+sha256sum" "-" "not measured"
        return 0
    fi
    www="$W/www"
    client=$(otter_client)
    {
        echo "| file | client | wall (s) | CPU (s) | max RSS (KiB) | MB/s (wall) |"
        echo "|---|---|---:|---:|---:|---:|"
    } >>"$out"
    for f in forum-1.5M.bin big-64M.bin; do
        size=$(wc -c <"$www/$f")
        url="https://localhost:$NGINX_PORT/$f"
        want=$(sha256sum "$www/$f" | cut -d' ' -f1)
        ccmd="$(curl_fetch_cmd "$url" "$BENCH_TMP/curl.out" "$W/pki/ca.pem") && sha256sum $BENCH_TMP/curl.out"
        timed 1 warm "timeout 120 sh -c '$ccmd'" || true
        got=$(sha256sum "$BENCH_TMP/curl.out" | cut -d' ' -f1)
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
        if [ "$f" = forum-1.5M.bin ] && [ "$HAVE_DEVICE" = 1 ]; then
            dflash="$BENCH_TMP/tp-device.flash"
            export TIMED_SETUP="$(device_prep_cmd "$dflash")"
            if timed "$RUNS" "device" "timeout 120 $(device_cmd "$dflash")"; then
                dw=$(stat_of device wall); dc=$(stat_of device cpu); dr=$(stat_of device rss)
                echo "| app-1.1.0.bin ($size B, a valid app image) | otter device (boot, check, download, verify, switch, reboot, confirm) | $dw | $dc | $dr | $(awk -v s="$size" -v t="$dw" 'BEGIN { printf "%.1f", s / t / 1e6 }') |" >>"$out"
            else
                echo "| app-1.1.0.bin | otter device | failed | | | |" >>"$out"
            fi
            unset TIMED_SETUP
        fi
    done
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

# callgrind_classify OUT.cg [NAMES]: instruction counts per category, as
# "category Ir" lines:
#   sha256  mbedTLS's SHA-256 (and PSA's hash calls around it), with what
#           mbedtls_platform_zeroize costs under it (SHA-256 wipes its work
#           area after every 64-byte block)
#   cipher  the rest of the crypto: AES(-NI), GCM, bignum/ECC, DRBG, cipher/md
#           and PSA plumbing (named functions of libmbedcrypto/libtfpsacrypto,
#           and its unnamed static helpers, which are the internals of those)
#   mbedtls the rest of mbedTLS: record layer, X.509, ASN.1, PEM, zeroize
#   flashsim the NOR simulator's program/erase/read, inclusive (it stands in
#           for the flash chip; libc's memset under its erase counts here)
#   otter   otter's own code (core, port, CLI) apart from the simulator
#   libc    libc apart from what the simulator and mbedTLS called
#   loader  process start-up; other
# A function is mbedTLS's when its object is one of mbedTLS's shared
# libraries (libmbed*, libtfpsacrypto*), or, where mbedTLS is linked
# statically into otter (3.6, 4.0), when it has no debug information and
# its name is in NAMES ("name library" lines from the mbedTLS archives the
# build links; see mbed_names). libc functions that mbedTLS calls directly
# (memcpy, calloc, explicit_bzero under mbedtls_platform_zeroize ...) count
# with their caller, inclusive; so does mbedtls_platform_zeroize.
callgrind_classify() {
    {
        [ -n "${2:-}" ] && [ -s "$2" ] && sed 's/^/N /' "$2"
        callgrind_annotate --inclusive=no --threshold=100 --auto=no "$1" 2>/dev/null | sed 's/^/X /'
        callgrind_annotate --inclusive=yes --threshold=100 --auto=no "$1" 2>/dev/null | sed 's/^/I /'
        callgrind_annotate --tree=caller --inclusive=yes --threshold=100 --auto=no "$1" 2>/dev/null | sed 's/^/T /'
    } | awk -v root="$ROOT" '
        # parse S ("file:fn [obj]", maybe with " (Nx)" before the object):
        # sets F (file), FN (function), NM (name without .isra.0 etc.), OB.
        function parse(s) {
            OB = s; sub(/.*\[/, "", OB); sub(/\].*/, "", OB)
            sub(/ \[[^]]*\] *$/, "", s); sub(/ \([0-9,]+x\)$/, "", s)
            F = s; sub(/:.*/, "", F); FN = s; sub(/^[^:]*:/, "", FN)
            NM = FN; sub(/\..*/, "", NM)
        }
        # lib(): "crypto", "tls", "x509" for mbedTLS, "" for anything else.
        function lib() {
            if (OB ~ /lib(mbedcrypto|tfpsacrypto)/) return "crypto"
            if (OB ~ /libmbedx509/) return "x509"
            if (OB ~ /libmbedtls/) return "tls"
            if (F == "???" && (NM in names)) return names[NM]
            return ""
        }
        function cat(   l) {
            l = lib()
            if (l == "crypto" && (NM ~ /sha256/ || NM ~ /^(mbedtls_)?psa_(driver_wrapper_)?hash/))
                return "sha256"
            if (l == "crypto" && (NM ~ /^0x/ || NM ~ /(aes|gcm|sha512|sha1|md5|mpi|ecp|ecdsa|ecdh|bignum|ctr_drbg|entropy|chacha|poly1305|cipher|^mbedtls_md|hmac|psa|xor|block_cipher)/))
                return "cipher"
            if (l != "") return "mbedtls"
            if (index(OB, root "/") == 1 || index(F, root "/") == 1) return "otter"
            if (OB ~ /\/libc[.-]/) return "libc"
            if (OB ~ /ld-linux/) return "loader"
            return "other"
        }
        function num(x) { gsub(",", "", x); return x + 0 }
        $1 == "N" { names[$2] = $3; next }
        /Auto-annotated source/ { next }
        $1 == "I" && / \[/ && /norsim\.c:sim_(program|erase|read) \[/ { sim_incl += num($2); next }
        # Helpers whose cost, with the libc under them, goes to the caller:
        # the wipe, and PSA copying the buffers its callers pass.
        function helper() { return FN ~ /^(mbedtls_platform_zeroize|mbedtls_zeroize_and_free|psa_crypto_local_(input|output)_(alloc|free))$/ }
        $1 == "T" {
            if (NF == 1) { nc = 0; next }
            if ($0 ~ /^T +[0-9,]+ +\([^)]*\) +< /) { nc++; cc[nc] = num($2); s = $0; sub(/^T +[0-9,]+ +\([^)]*\) +< +/, "", s); cs[nc] = s; next }
            if ($0 ~ /^T +[0-9,]+ +\([^)]*\) +\* /) {
                s = $0; sub(/^T +[0-9,]+ +\([^)]*\) +\* +/, "", s); parse(s)
                h = helper(); l = (cat() == "libc")
                if (h || l) {
                    for (i = 1; i <= nc; i++) {
                        parse(cs[i])
                        if (helper()) { if (l) libc_out += cc[i]; continue }
                        c = cat()
                        if (c != "sha256" && c != "cipher" && c != "mbedtls") continue
                        moved[c] += cc[i]
                        if (l) libc_out += cc[i]
                    }
                }
                nc = 0; next
            }
            next
        }
        $1 != "X" || !/ \[/ { next }
        $2 ~ /^[0-9,]+$/ {
            ir = num($2)
            s = $0; sub(/^X +[0-9,]+ +\([^)]*\) +/, "", s); parse(s)
            c = cat()
            if (c != "libc" && helper()) next
            if (c == "otter" && F ~ /norsim\.c$/) sim_self += ir
            sum[c] += ir
        }
        END {
            # What the helpers cost, the libc under them included, and libc
            # that mbedTLS calls directly go to the calling mbedTLS function.
            for (c in moved) sum[c] += moved[c]
            sum["libc"] -= libc_out
            sum["flashsim"] = sim_incl
            sum["otter"] -= sim_self
            sum["libc"] -= sim_incl - sim_self
            for (c in sum) printf "%s %.0f\n", c, sum[c]
        }'
}

# mbed_names BUILD OUT: "name library" for every function the static mbedTLS
# archives that BUILD links define (empty for Debian's shared libraries).
mbed_names() {
    : >"$2"
    v=$(sed -n 's/^OTTER_MBEDTLS:[A-Z]*=//p' "$1/CMakeCache.txt" 2>/dev/null)
    case "$v" in
        "" | system) return 0 ;;
        3.6 | 4.0) prefix=$(scripts/mbedtls.sh "$v" 2>/dev/null) || return 0 ;;
        *) prefix=$v ;;
    esac
    for a in "$prefix"/lib/lib*.a; do
        [ -f "$a" ] || continue
        case "$a" in *libmbedtls.a) l=tls ;; *libmbedx509.a) l=x509 ;; *) l=crypto ;; esac
        nm --defined-only "$a" 2>/dev/null | awk -v l="$l" '$2 ~ /^[tTwW]$/ { n = $3; sub(/\..*/, "", n); print n, l }'
    done | sort -u -k1,1 >"$2"
}

# mbed_ranges BUILD NAMES OUT: the address ranges (as linked) of mbedTLS's
# functions inside BUILD's otter, for bench/heapcount.c's
# HEAPCOUNT_MBED_RANGES: text symbols without debug information whose names
# NAMES lists, runs of neighbours merged.
mbed_ranges() {
    : >"$3"
    [ -s "$2" ] || return 0
    nm -n -S -l --defined-only "$1/otter" 2>/dev/null | awk '
        NR == FNR { names[$1] = 1; next }
        NF >= 4 && $3 ~ /^[tTwW]$/ {
            n = $4; sub(/\..*/, "", n)
            lo = $1; sz = $2
            m = (NF == 4 && (n in names))
            if (m) { if (!run) { start = lo; run = 1 } end = sprintf("%x", hex(lo) + hex(sz)) }
            else if (run) { print start, end; run = 0 }
        }
        function hex(h,   i, v, c) { v = 0; h = tolower(h)
            for (i = 1; i <= length(h); i++) { c = index("0123456789abcdef", substr(h, i, 1)) - 1; v = v * 16 + c }
            return v }
        END { if (run) print start, end }' "$2" - >"$3"
}

# cg_total FILE.out [OBJ_REGEX]: total instructions in a callgrind output
# (only functions of objects matching OBJ_REGEX when given).
cg_total() {
    callgrind_annotate --inclusive=no --threshold=100 --auto=no "$1" 2>/dev/null |
        awk -v re="${2:-.}" '/^ *[0-9,]+ +\(/ && / \[/ { o = $0; sub(/.*\[/, "", o); if (o ~ re) { ir = $1; gsub(",", "", ir); s += ir } }
                             END { printf "%.0f\n", s }'
}

# baseline_instr: the same per-byte measurement for curl -o and sha256sum,
# appended to $W/cg-split.txt (curl, curl_libcrypto, sha256sum).
baseline_instr() {
    for f in forum-1.5M.bin big-64M.bin; do
        url="https://localhost:$NGINX_PORT/$f"
        # shellcheck disable=SC2046
        timeout 600 valgrind --tool=callgrind --callgrind-out-file="$W/cg-curl-$f.out" \
            $(curl_fetch_cmd "$url" "$BENCH_TMP/curl.out" "$W/pki/ca.pem") >>"$W/timed.log" 2>&1 || return 0
        timeout 600 valgrind --tool=callgrind --callgrind-out-file="$W/cg-sum-$f.out" \
            sha256sum "$BENCH_TMP/curl.out" >>"$W/timed.log" 2>&1 || return 0
    done
    d=$(( $(wc -c <"$W/www/big-64M.bin") - $(wc -c <"$W/www/forum-1.5M.bin") ))
    for k in "curl cg-curl ." "curl_libcrypto cg-curl libcrypto" "sha256sum cg-sum ."; do
        set -- $k
        a=$(cg_total "$W/$2-forum-1.5M.bin.out" "$3"); b=$(cg_total "$W/$2-big-64M.bin.out" "$3")
        echo "$1 $(awk -v a="$a" -v b="$b" -v d="$d" 'BEGIN { printf "%.3f", (b - a) / d }')" >>"$W/cg-split.txt"
    done
    {
        echo "The same measurement for the baseline: \`curl -o\` $(split_of curl) instructions per"
        echo "byte (of which OpenSSL's libcrypto $(split_of curl_libcrypto)), \`sha256sum\` $(split_of sha256sum)."
        echo
    } >>"$out"
}

# device_instr: the same split for a whole update with `otter device`
# (image checks, the hash of the written slot, otadata, reboot): a 300,000-
# byte and the 1,577,648-byte v1.1.0, marginal per byte between the two.
device_instr() {
    [ "$HAVE_DEVICE" = 1 ] || return 0
    "$OTTER" image make --chip esp32 --project otter-bench --version 1.1.0 --size 300000 --seed 111 \
        --out "$W/www/app-small.bin" >/dev/null 2>>"$W/timed.log" || return 0
    for f in app-small.bin app-1.1.0.bin; do
        sh -c "$(device_prep_cmd "$BENCH_TMP/cg-dev.flash")"
        # shellcheck disable=SC2046
        timeout 600 valgrind --tool=callgrind --callgrind-out-file="$W/cg-dev-$f.out" \
            $(device_cmd "$BENCH_TMP/cg-dev.flash" "$f") >>"$W/timed.log" 2>&1 || return 0
        callgrind_classify "$W/cg-dev-$f.out" >"$W/cg-dev-$f.tsv"
    done
    d=$(( $(wc -c <"$W/www/app-1.1.0.bin") - $(wc -c <"$W/www/app-small.bin") ))
    dtot=0
    {
        echo "The same split for a whole update with \`otter device\` (boot, download, image"
        echo "checks, a second SHA-256 over the written slot, otadata switch, reboot, confirm),"
        echo "marginal between a 300,000-byte and the 1,577,648-byte image:"
        echo
        echo "| category | per byte, marginal |"
        echo "|---|---:|"
    } >>"$out"
    for c in sha256 cipher flashsim otter mbedtls libc; do
        a=$(awk -v c="$c" '$1 == c { print $2 }' "$W/cg-dev-app-small.bin.tsv"); a=${a:-0}
        b=$(awk -v c="$c" '$1 == c { print $2 }' "$W/cg-dev-app-1.1.0.bin.tsv"); b=${b:-0}
        pb=$(awk -v a="$a" -v b="$b" -v d="$d" 'BEGIN { printf "%.3f", (b - a) / d }')
        echo "| $c | $pb |" >>"$out"
        case $c in sha256 | cipher | flashsim) ;; *) dtot=$(awk -v t="$dtot" -v p="$pb" 'BEGIN { printf "%.3f", t + p }') ;; esac
    done
    {
        echo "| **outside crypto and the flash simulator** | **$dtot** |"
        echo
    } >>"$out"
    echo "device $dtot" >>"$W/cg-split.txt"
    # otter's functions that cost the most per byte in the whole update.
    for f in app-small.bin app-1.1.0.bin; do
        callgrind_annotate --inclusive=no --threshold=100 --auto=no "$W/cg-dev-$f.out" 2>/dev/null |
            awk -v root="$ROOT" '/^ *[0-9,]+ +\(/ && / \[/ && index($0, "[" root "/") && !/norsim\.c:/ {
                ir = $1; gsub(",", "", ir); fn = $0; sub(/^ *[0-9,]+ +\([^)]*\) +/, "", fn); sub(/ \[.*/, "", fn); print fn, ir }' \
            >"$W/cg-dev-fn-$f.txt"
    done
    awk -v d="$d" 'NR == FNR { a[$1] = $2; next } { printf "%.2f %s\n", ($2 - a[$1]) / d, $1 }' \
        "$W/cg-dev-fn-app-small.bin.txt" "$W/cg-dev-fn-app-1.1.0.bin.txt" | sort -rn | head -3 >"$W/cg-dev-top.txt"
}

# split_of KEY: a per-byte figure from $W/cg-split.txt ("-" if absent).
split_of() {
    v=$(awk -v k="$1" '$1 == k { print $2 }' "$W/cg-split.txt" 2>/dev/null)
    echo "${v:--}"
}

section_ipb() {
    out="$W/s2.md"
    {
        echo "## 2. Instructions per byte outside crypto"
        echo
    } >"$out"
    client=$(otter_client)
    if [ "$client" = none ] || [ -z "$NGINX_PID" ] || ! command -v valgrind >/dev/null; then
        echo "not measured: needs \`otter fetch\`, nginx and valgrind." >>"$out"
        summary "≤ 2 instructions/byte outside crypto" "-" "not measured"
        return 0
    fi
    for f in forum-1.5M.bin big-64M.bin; do
        url="https://localhost:$NGINX_PORT/$f"
        # shellcheck disable=SC2046 # the command line is split on purpose
        timeout 600 valgrind --tool=callgrind --callgrind-out-file="$W/cg-$f.out" \
            $(fetch_cmd "$url" "$BENCH_TMP/fetch-$f.flash") >>"$W/timed.log" 2>&1 || true
        callgrind_classify "$W/cg-$f.out" >"$W/cg-$f.tsv"
    done
    small=$(wc -c <"$W/www/forum-1.5M.bin"); big=$(wc -c <"$W/www/big-64M.bin")
    if [ ! -s "$W/cg-forum-1.5M.bin.tsv" ] || [ ! -s "$W/cg-big-64M.bin.tsv" ]; then
        echo "not measured: the runs under callgrind failed (see $W/timed.log)." >>"$out"
        summary "≤ 2 instructions/byte outside crypto" "-" "not measured"
        return 0
    fi
    {
        echo "Method: \`valgrind --tool=callgrind\` around the whole \`otter fetch\` process"
        echo "(download over TLS, SHA-256, program into the NOR simulator's flash file),"
        echo "once for the 1,577,648-byte file and once for the 64 MiB file. Each"
        echo "function's own (exclusive) instruction count goes into a category; what"
        echo "\`mbedtls_platform_zeroize\`, PSA's buffer copies and the libc functions that"
        echo "mbedTLS calls cost goes to the mbedTLS function that called them. Crypto,"
        echo "work that must run anyway: *sha256* = mbedTLS's SHA-256 (and PSA's hash calls),"
        echo "with the wipe of its work area after every 64-byte block; *cipher* = the rest"
        echo "of libmbedcrypto's crypto: AES(-NI), GCM, bignum/ECC, DRBG, cipher/md/PSA"
        echo "plumbing, and its unnamed static helpers (Debian strips their names; they are"
        echo "those algorithms' internals)."
        echo "*flash simulator* = the NOR"
        echo "simulator's program/erase/read including the libc memset under erase (it"
        echo "stands in for the flash chip: on a device, programming is the SPI"
        echo "controller's job); *otter* = the rest of this repository's code (core, POSIX"
        echo "port, CLI); *mbedtls* = the rest of mbedTLS (record layer, with the wipe of"
        echo "each record once read, X.509, ASN.1); *libc* (what otter calls: read ...);"
        echo "*loader* (process start-up). (Until issue 10 every zeroize counted as SHA-256,"
        echo "the record wipe included: about 1 instruction per byte.)"
        echo "The per-byte cost in steady state is the difference between the two runs"
        echo "divided by the difference in bytes, which cancels process start-up, the"
        echo "handshake and certificate parsing. (Callgrind counts each iteration of a"
        echo "\`rep movs\`/\`rep stos\` string instruction, so libc's large copies count"
        echo "more than they cost.)"
        echo
        echo "| category | 1.5 MB run (instr) | 64 MiB run (instr) | per byte, marginal |"
        echo "|---|---:|---:|---:|"
    } >>"$out"
    tot_out=0; crypto_pb=0
    : >"$W/cg-split.txt"
    for c in sha256 cipher flashsim otter mbedtls libc loader other; do
        a=$(awk -v c="$c" '$1 == c { print $2 }' "$W/cg-forum-1.5M.bin.tsv"); a=${a:-0}
        b=$(awk -v c="$c" '$1 == c { print $2 }' "$W/cg-big-64M.bin.tsv"); b=${b:-0}
        pb=$(awk -v a="$a" -v b="$b" -v s="$small" -v g="$big" 'BEGIN { printf "%.3f", (b - a) / (g - s) }')
        echo "| $c | $a | $b | $pb |" >>"$out"
        echo "$c $pb" >>"$W/cg-split.txt"
        case $c in
            sha256 | cipher) crypto_pb=$(awk -v t="$crypto_pb" -v p="$pb" 'BEGIN { printf "%.3f", t + p }') ;;
            flashsim) ;;
            *) tot_out=$(awk -v t="$tot_out" -v p="$pb" 'BEGIN { printf "%.3f", t + p }') ;;
        esac
        [ "$c" = otter ] && otter_pb=$pb
        [ "$c" = flashsim ] && sim_pb=$pb
    done
    with_sim=$(awk -v t="$tot_out" -v p="$sim_pb" 'BEGIN { printf "%.3f", t + p }')
    {
        echo "| **outside crypto and the flash simulator** | | | **$tot_out** |"
        echo "| outside crypto, simulator included | | | $with_sim |"
        echo
    } >>"$out"
    baseline_instr
    device_instr
    if awk -v t="$tot_out" 'BEGIN { exit !(t <= 2) }'; then
        st=met
        echo "**Target ≤ 2 instructions per byte outside crypto, download path (\`otter fetch\`): met** ($tot_out; otter's own code $otter_pb; crypto itself $crypto_pb; the flash simulator adds $sim_pb)." >>"$out"
    else
        st="not met"
        {
            echo "**Target ≤ 2 instructions per byte outside crypto, download path (\`otter fetch\`): not met** ($tot_out; otter's own code $otter_pb;"
            echo "crypto itself $crypto_pb; the flash simulator adds $sim_pb). The table shows where it goes."
        } >>"$out"
        [ -f "$W/ipb-why.md" ] && cat "$W/ipb-why.md" >>"$out"
    fi
    echo >>"$out"
    dv=$(split_of device)
    if [ "$dv" != - ]; then
        # The whole update is what the target is about: the image path too.
        if awk -v t="$dv" 'BEGIN { exit !(t <= 2) }'; then
            st=met
            echo "**With the whole update (\`otter device\`): met** ($dv)." >>"$out"
        else
            st="not met"
            {
                echo "**With the whole update (\`otter device\`): not met** ($dv instructions per byte"
                echo "outside crypto and the simulator). otter's functions that cost most per byte:"
                awk '{ printf "`%s` %s", $2, $1; if (NR < 3) printf "; " }' "$W/cg-dev-top.txt"
                echo "."
                if grep -q 'image.c:otter_image_feed' "$W/cg-dev-top.txt"; then
                    echo "Its callers here: $(callgrind_annotate --tree=caller --inclusive=yes --threshold=100 --auto=no \
                        "$W/cg-dev-app-1.1.0.bin.out" 2>/dev/null | awk '
                        /^$/ { n = 0; next }
                        / < / { c = $0; sub(/.* < [^:]*:/, "", c); sub(/ \[.*/, "", c); l[++n] = "`" c; sub(/ \(/, "` (", l[n]); next }
                        /\*.*:otter_image_feed \[/ { for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? ", " : ""), l[i]; exit }')."
                    echo "\`otter_image_feed\` folds every segment byte into the image checksum one byte"
                    echo "at a time through the context (\`ctx->xor_sum ^= p[i]\`: the compiler must store"
                    echo "it back after each byte, since a byte pointer may alias it). What would close"
                    echo "it: XOR into a local variable and fold whole words (a few instructions per"
                    echo "8-16 bytes), which would put the image path under one instruction per byte"
                    echo "like the download path."
                fi
            } >>"$out"
        fi
    fi
    echo >>"$out"
    summary "≤ 2 instructions/byte outside crypto" "$dv with otter device (whole update); $tot_out with otter fetch (download path; otter's code $otter_pb); +$sim_pb flash simulator" "$st"
}

# context_sizes DIR: sizeof every public struct type, for Cortex-M4 (from
# the symbol sizes of an object file, nothing runs) and for the host.
# Writes DIR/sizes.tsv: type, arm bytes, host bytes.
context_sizes() {
    d="$1"; mkdir -p "$d"
    {
        for h in include/otter/*.h; do echo "#include \"otter/$(basename "$h")\""; done
        awk '/typedef (struct|union)/ { s = 1 } /typedef enum/ { s = 0 }
             /^} otter_[a-z0-9_]+_t;/ { if (s) { n = $2; sub(";", "", n); print n } s = 0 }' include/otter/*.h |
            sort -u | while read -r t; do echo "const unsigned char sz_$t[sizeof($t)] = {0};"; done
    } >"$d/sizes.c"
    gccinc=$(arm-none-eabi-gcc -print-file-name=include)
    arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -std=c11 -ffreestanding -nostdinc -isystem "$gccinc" \
        -isystem "$gccinc-fixed" -isystem scripts/freestanding -Iinclude -c "$d/sizes.c" -o "$d/arm.o" 2>"$d/err" || return 1
    $CC -std=c11 -Iinclude -c "$d/sizes.c" -o "$d/host.o" 2>>"$d/err" || return 1
    nm -S -t d "$d/host.o" | awk '$4 ~ /^sz_/ { sub("sz_", "", $4); print $4 "\t" $2 + 0 }' | sort >"$d/host.tsv"
    arm-none-eabi-nm -S -t d "$d/arm.o" | awk '$4 ~ /^sz_/ { sub("sz_", "", $4); print $4 "\t" $2 + 0 }' | sort >"$d/arm.tsv"
    join -t "$(printf '\t')" "$d/arm.tsv" "$d/host.tsv" >"$d/sizes.tsv"
}

# stack_of ROOT: worst-case static stack of ROOT on Cortex-M4 -Os, from gcc's
# call-graph info over every core file (port callbacks count 0).
stack_of() {
    d="$W/stack"
    if [ ! -d "$d" ]; then
        mkdir -p "$d"
        gccinc=$(arm-none-eabi-gcc -print-file-name=include)
        for f in src/*.c; do
            arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -std=c11 -Os -ffreestanding -nostdinc \
                -isystem "$gccinc" -isystem "$gccinc-fixed" -isystem scripts/freestanding -Iinclude -Isrc \
                -fcallgraph-info=su -c "$f" -o "$d/$(basename "$f" .c).o" 2>/dev/null || true
        done
    fi
    ls "$d"/*.ci >/dev/null 2>&1 || return 1
    awk -v root="$1" -f bench/stack.awk "$d"/*.ci
}

section_ram() {
    out="$W/s3.md"
    {
        echo "## 3. RAM"
        echo
    } >"$out"
    {
        echo "### Context and buffer sizes"
        echo
    } >>"$out"
    if context_sizes "$W/sizes"; then
        {
            echo "\`sizeof\` of every public struct, for Cortex-M4 (read from the symbol sizes of"
            echo "an object file built with \`arm-none-eabi-gcc\`) and for this x86-64 host. All are"
            echo "owned by the caller (static, stack or wherever it likes): the core never allocates."
            echo
            echo "| type | Cortex-M4 (bytes) | x86-64 (bytes) |"
            echo "|---|---:|---:|"
            awk -F'\t' '{ printf "| `%s` | %d | %d |\n", $1, $2, $3 }' "$W/sizes/sizes.tsv"
            echo
        } >>"$out"
    else
        echo "not measured: the sizes program did not build ($(head -1 "$W/sizes/err"))." >>"$out"
    fi
    HEAP_REST=""; HEAP_REC=""; STEP_STACK=""
    ram_heap_and_stack >>"$out.tmp"
    cat "$out.tmp" >>"$out"; rm -f "$out.tmp"
    ram_budget >>"$out"
}

# sz TYPE: sizeof TYPE on Cortex-M4 from the sizes table (empty if unknown).
sz() { awk -v t="$1" '$1 == t { print $2 }' "$W/sizes/sizes.tsv" 2>/dev/null; }

# ram_budget: what a device running an HTTPS update holds at its peak.
ram_budget() {
    echo "### RAM budget of a device during an HTTPS update"
    echo
    up=$(sz otter_update_t); tls=$(sz otter_tls_t); pt=$(sz otter_ptable_t); bt=$(sz otter_boot_t)
    if [ -z "$up" ] || [ -z "$HEAP_REST" ]; then
        echo "not measured: needs the update engine's context size and the heap measurement above."
        echo
        summary "Peak RAM excl. TLS records ≤ 8 KB" "-" "not measured"
        return 0
    fi
    # the buffers bench/fw_main.c passes (keep in step with it)
    httpb=1024; datab=1024; stk=${STEP_STACK:-0}
    otter_only=$((up + pt + bt + httpb + datab + stk))
    total=$((otter_only + tls + HEAP_REST))
    echo "Contexts are Cortex-M4 sizes with the default configuration (OTTER_HTTP_URL_MAX"
    echo "256, OTTER_PT_MAX_ENTRIES 12: a larger table keeps only the app slots and"
    echo "otadata); the buffers are the ones \`bench/fw_main.c\` passes (the engine's"
    echo "minimum data buffer is 1,024 bytes: the signature sector is read back in"
    echo "pieces); the mbedTLS heap is measured on this x86-64 host (64-bit pointers: a"
    echo "32-bit device needs somewhat less)."
    echo
    echo "| item | bytes |"
    echo "|---|---:|"
    echo "| \`otter_update_t\` (engine: HTTP client with its URL, image validator, journal) | $up |"
    echo "| \`otter_ptable_t\` + \`otter_boot_t\` | $((pt + bt)) |"
    echo "| HTTP buffer + data buffer | $httpb + $datab |"
    echo "| stack of \`otter_update_step()\`, otter's frames (the larger of the two figures above) | $stk |"
    echo "| **otter alone** | **$otter_only** |"
    echo "| \`otter_tls_t\` (otter's TLS state with mbedTLS's contexts inside) | $tls |"
    echo "| mbedTLS heap at the peak, without record buffers (handshake, certificates) | $HEAP_REST |"
    echo "| **peak RAM excluding TLS record buffers** | **$total** |"
    echo "| TLS record buffers (mbedTLS, 16 KB content length each way) | $HEAP_REC |"
    echo "| **total with mbedTLS** | **$((total + HEAP_REC))** |"
    echo
    if [ "$total" -le 8192 ]; then
        st=met
        echo "**Peak RAM excluding TLS record buffers ≤ 8 KB: met** ($total bytes)."
    else
        st="not met"
        echo "**Peak RAM excluding TLS record buffers ≤ 8 KB: not met** ($total bytes; otter alone $otter_only)."
        if [ "$otter_only" -le 8192 ]; then
            echo "otter alone is within 8 KB ($otter_only bytes: engine $up, of which the HTTP"
            echo "client's $(sz otter_http_t) and the image validator's $(sz otter_image_t);"
            echo "table $pt; buffers $httpb + $datab); the rest is mbedTLS's handshake heap"
            echo "and contexts. What would close it: mbedTLS's RAM options (smaller ECP window,"
            echo "MBEDTLS_SSL_MAX_FRAGMENT_LENGTH where the server honours it, with"
            echo "MBEDTLS_SSL_VARIABLE_BUFFER_LENGTH), measured on the device target."
        else
            echo "otter alone is over the target before mbedTLS is counted: the engine"
            echo "context ($up bytes, of which the HTTP client's $(sz otter_http_t) and the"
            echo "image validator's $(sz otter_image_t)), the table ($pt bytes), the buffers"
            echo "($httpb + $datab) and the step's stack ($stk)."
        fi
    fi
    echo
    summary "Peak RAM excl. TLS records ≤ 8 KB" "$total B ($otter_only B otter alone; +$HEAP_REC B records)" "$st"
}

ram_heap_and_stack() {
    echo "### Heap and stack of a whole download"
    echo
    client=$(otter_client)
    if [ "$client" = none ] || [ -z "$NGINX_PID" ]; then
        echo "not measured: needs \`otter fetch\` and nginx."
        echo
    else
        $CC -O2 -shared -fPIC -o "$W/heapcount.so" bench/heapcount.c
        rm -f "$W/heap.txt"
        url="https://localhost:$NGINX_PORT/forum-1.5M.bin"
        # First run creates the flash file (the simulator's file set-up is
        # not part of a download); the second is measured.
        timeout 120 $(fetch_cmd "$url" "$BENCH_TMP/ram.flash") >/dev/null 2>>"$W/timed.log" || true
        HEAPCOUNT_OUT="$W/heap.txt" LD_PRELOAD="$W/heapcount.so" \
            sh -c "timeout 120 $(fetch_cmd "$url" "$BENCH_TMP/ram.flash") >/dev/null" 2>>"$W/timed.log" || true
        # One line per process (sh, timeout, otter): otter's is the largest.
        line=$(awk '{ p = $1; sub("peak=", "", p); if (p + 0 >= best) { best = p + 0; l = $0 } } END { print l }' "$W/heap.txt" 2>/dev/null || true)
        what="\`otter fetch\` of the 1,577,648-byte file"
        if [ "$HAVE_DEVICE" = 1 ]; then
            # The whole update, as the issue asks: `otter device` from v1.0.0
            # to v1.1.0 (boot, download, verify, switch, reboot, confirm).
            rm -f "$W/heap-dev.txt"
            sh -c "$(device_prep_cmd "$BENCH_TMP/ram-dev.flash")"
            HEAPCOUNT_OUT="$W/heap-dev.txt" LD_PRELOAD="$W/heapcount.so" \
                sh -c "timeout 120 $(device_cmd "$BENCH_TMP/ram-dev.flash") >/dev/null" 2>>"$W/timed.log" || true
            dline=$(awk '{ p = $1; sub("peak=", "", p); if (p + 0 >= best) { best = p + 0; l = $0 } } END { print l }' "$W/heap-dev.txt" 2>/dev/null || true)
            if [ -n "$dline" ]; then
                echo "\`otter fetch\` of the same file, for comparison: $(echo "$line" | sed 's/ top=.*//')."
                echo
                line=$dline
                what="a whole update with \`otter device\` (1,577,648-byte v1.1.0 over v1.0.0: boot, download, verify, switch, reboot, confirm)"
            fi
        fi
        heap_report "$line" "$what"
    fi
    echo "### Stack of \`otter_update_step()\`"
    echo
    if st=$(stack_of otter_update_step 2>/dev/null); then
        echo "Static worst case on Cortex-M4 \`-Os\` (gcc \`-fcallgraph-info=su\`, summed along the"
        echo "deepest call chain; calls through the port's function pointers count 0 here):"
        echo "**${st%% *} bytes**, chain \`${st#* }\`."
        STEP_STACK=${st%% *}
        hs=$(awk '$1 == "stack.step_bytes" { print $2 }' "$W/vtime.txt" 2>/dev/null || true)
        ho=$(awk '$1 == "stack.otter_frames_bytes" { print $2 }' "$W/vtime.txt" 2>/dev/null || true)
        if [ -n "$hs" ]; then
            echo
            echo "Measured on x86-64 (\`-O2\`) by bench/vtime_engine.c during a whole update of the"
            echo "forum image over plain HTTP: otter's own frames, from the caller of \`step()\`"
            echo "down to its deepest call into a port, **$ho bytes**; the whole thread, with the"
            echo "in-memory server, the simulator and mbedTLS's SHA-256 below those calls, $hs bytes."
            [ "$ho" -gt "$STEP_STACK" ] && STEP_STACK=$ho
        fi
    else
        echo "not measured: \`otter_update_step\` is not in the core yet (the update engine)."
    fi
    echo
}

# heap_report LINE WHAT: turn a heapcount line into the RAM figures; sets
# HEAP_REST (mbedTLS's heap at its peak without record buffers) and HEAP_REC.
heap_report() {
    line="$1"
    if [ -z "$line" ]; then
        echo "not measured: the download under the heap counter failed (see $W/timed.log)."
        echo
        return 0
    fi
    field() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
    peak=$(field peak); allocs=$(field allocs); stk=$(field stack)
    mpeak=$(field mbed_peak); top=$(field top); mtop=$(field mbed_top)
    # mbedTLS's record buffers: Debian's MBEDTLS_SSL_IN/OUT_CONTENT_LEN is
    # 16384, plus header and MAC room: blocks of 16-18 KB.
    rec=$(echo "$mtop" | tr ',' '\n' | awk '$1 >= 16384 && $1 <= 18432 { s += $1; n++ } END { printf "%d %d\n", s, n }')
    recbytes=${rec% *}; recn=${rec#* }
    rest=$((mpeak - recbytes))
    echo "Measured with an LD_PRELOAD malloc counter (bench/heapcount.c) around"
    echo "$2. It counts the whole process and, separately, the blocks mbedTLS's"
    echo "libraries allocate (by the caller's address), so the mbedTLS figure does not"
    echo "depend on the command-line tool around it."
    echo
    echo "| figure | bytes |"
    echo "|---|---:|"
    echo "| peak heap of mbedTLS's allocations | $mpeak |"
    echo "| of which TLS record buffers ($recn blocks of 16-18 KB) | $recbytes |"
    echo "| **mbedTLS heap at its peak without record buffers** (handshake, certificates, contexts) | **$rest** |"
    echo "| mbedTLS's largest live blocks at its peak | $mtop |"
    echo "| peak heap, whole process (CLI included: file buffers, its own contexts) | $peak |"
    echo "| allocations, whole process | $allocs |"
    echo "| peak stack of the main thread (x86-64; includes glibc's getaddrinfo and mbedTLS's handshake) | $stk |"
    echo
    HEAP_REST=$rest; HEAP_REC=$recbytes
}

# bench_cc OUT SRC...: build a bench program against the built libraries.
bench_cc() {
    o="$1"; shift
    libs=""
    for l in otter_testsupport otter_host otter_posix otter_core; do
        [ -f "$BUILD/lib$l.a" ] && libs="$libs $BUILD/lib$l.a"
    done
    $CC -std=c11 -O2 -g -D_GNU_SOURCE -Wall -Wextra -Iinclude -Isrc -Iports/posix -Itests/support -Ihost -Ibench \
        -o "$o" "$@" $libs -lmbedtls -lmbedx509 -lmbedcrypto -lm -lpthread 2>>"$W/cc.log"
}

# vget KEY: a value from the vtime outputs.
vget() { awk -v k="$1" '$1 == k { print $2 }' "$W/vtime.txt"; }
ms() { [ -n "$1" ] && awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }' || echo "-"; }
sec() { [ -n "$1" ] && awk -v u="$1" 'BEGIN { printf "%.2f", u / 1e6 }' || echo "-"; }

section_vtime() {
    out="$W/s4.md"
    size=1577648
    {
        echo "## 4. Virtual-time figures (forum image, min_spiffs)"
        echo
    } >"$out"
    if [ ! -f ports/posix/norsim.h ] || ! bench_cc "$W/vtime" bench/vtime.c bench/vtime_net.c; then
        echo "not measured: needs the NOR simulator (ports/posix/norsim.h)." >>"$out"
        summary "Longest blocking step ≤ 50 ms (typical)" "-" "not measured"
        summary "Update time ≤ 1.1× flash-only bound (fast network)" "-" "not measured"
        return 0
    fi
    "$W/vtime" "$W" "$size" >"$W/vtime.txt"
    engine=0
    if [ -f include/otter/update.h ] && [ -f bench/vtime_engine.c ] &&
        bench_cc "$W/vtime_engine" bench/vtime_engine.c bench/vtime_net.c; then
        if "$W/vtime_engine" "$W" "$size" >>"$W/vtime.txt" 2>"$W/vtime_engine.err"; then
            engine=1
        fi
    fi
    {
        echo "An image of $size bytes written to the min_spiffs layout's second app slot"
        echo "(0x1F0000, 0x1E0000 bytes) of a 4 MB NOR simulator. Times are virtual: the"
        echo "simulator's W25Q32JV-like models (typical: 4 KB sector erase 45 ms, 64 KB block"
        echo "150 ms, 256-byte page 0.4 ms; worst case: 400 ms, 2000 ms, 3 ms). The network"
        echo "delivers bytes at the given rate into a 5,744-byte receive window (lwIP's"
        echo "default in ESP-IDF) and stalls while the window is full; a read waiting for"
        echo "the network yields the CPU and is not counted as blocking. A *blocking step* is"
        echo "the flash time inside one call into the engine (for the seed-era baseline:"
        echo "the one call that erases the whole slot)."
        echo
        echo "*Flash-only lower bound*: erase the 4 KB sectors the image covers, program it"
        echo "page by page and write otadata once, with no network and no checks."
        echo "*Seed-era baseline*: erase the whole slot in one call (as \`esp_ota_begin\` with"
        echo "an unknown size does), then download and program as bytes arrive; shown with"
        echo "4 KB sector erases and with 64 KB block erases."
        echo
    } >>"$out"
    for m in typ max; do
        if [ $engine = 1 ]; then
            ol=$(ms "$(vget $m.otter.1000000.longest_us)")
            o1=$(sec "$(vget $m.otter.1000000.total_us)"); o2=$(sec "$(vget $m.otter.100000.total_us)")
            bl=$(ms "$(vget $m.otter_block.1000000.longest_us)")
            b1=$(sec "$(vget $m.otter_block.1000000.total_us)"); b2=$(sec "$(vget $m.otter_block.100000.total_us)")
        else
            ol="not measured"; o1=$ol; o2=$ol; bl=$ol; b1=$ol; b2=$ol
        fi
        {
            [ $m = typ ] && echo "### Typical flash model" || echo "### Worst-case flash model"
            echo
            echo "| figure | otter (4 KB erases, default) | otter with \`erase_block\` (64 KB) | seed-era, 4 KB erases | seed-era, 64 KB erases | flash-only bound, 4 KB / 64 KB erases |"
            echo "|---|---:|---:|---:|---:|---:|"
            echo "| longest blocking step (ms) | **$ol** | $bl | $(ms "$(vget $m.naive_sector.1000000.longest_us)") | $(ms "$(vget $m.naive_block.1000000.longest_us)") | |"
            echo "| total update time at 1 MB/s (s) | **$o1** | $b1 | $(sec "$(vget $m.naive_sector.1000000.total_us)") | $(sec "$(vget $m.naive_block.1000000.total_us)") | $(sec "$(vget $m.bound_us)") / $(sec "$(vget $m.bound_block_us)") |"
            echo "| total update time at 100 KB/s (s) | **$o2** | $b2 | $(sec "$(vget $m.naive_sector.100000.total_us)") | $(sec "$(vget $m.naive_block.100000.total_us)") | $(sec "$(vget $m.bound_us)") / $(sec "$(vget $m.bound_block_us)") |"
            echo
        } >>"$out"
    done
    if [ $engine = 0 ]; then
        {
            echo "otter: not measured: needs the update engine (\`include/otter/update.h\`) and"
            echo "bench/vtime_engine.c$( [ -s "$W/vtime_engine.err" ] && echo ": $(tail -1 "$W/vtime_engine.err")")."
            echo
        } >>"$out"
        summary "Longest blocking step ≤ 50 ms (typical)" "-" "not measured"
        summary "Update time ≤ 1.1× flash-only bound (fast network)" "-" "not measured"
        return 0
    fi
    vtime_verdicts
}

vtime_verdicts() {
    l=$(vget typ.otter.1000000.longest_us); t=$(vget typ.otter.1000000.total_us); b=$(vget typ.bound_us)
    lm=$(ms "$l")
    if [ "$l" -le 50000 ]; then
        st=met; echo "**Longest blocking step ≤ 50 ms (typical model): met** ($lm ms)." >>"$out"
    else
        st="not met"; echo "**Longest blocking step ≤ 50 ms (typical model): not met** ($lm ms)." >>"$out"
        [ -f "$W/vt-step-why.md" ] && cat "$W/vt-step-why.md" >>"$out"
    fi
    summary "Longest blocking step ≤ 50 ms (typical)" "$lm ms" "$st"
    r=$(awk -v t="$t" -v b="$b" 'BEGIN { printf "%.3f", t / b }')
    if awk -v r="$r" 'BEGIN { exit !(r <= 1.1) }'; then
        st=met; echo "**Update time ≤ 1.1× the flash-only bound at 1 MB/s (typical): met** (${r}×)." >>"$out"
    else
        st="not met"; echo "**Update time ≤ 1.1× the flash-only bound at 1 MB/s (typical): not met** (${r}×)." >>"$out"
        [ -f "$W/vt-total-why.md" ] && cat "$W/vt-total-why.md" >>"$out"
    fi
    echo >>"$out"
    summary "Update time ≤ 1.1× flash-only bound (fast network)" "${r}× at 1 MB/s" "$st"
}

# Fleet: FLEET devices (processes) update at once from the one nginx.
section_fleet() {
    out="$W/s6.md"
    n="${BENCH_FLEET:-200}"
    {
        echo "## 6. Fleet load"
        echo
    } >"$out"
    client=$(otter_client)
    if [ "$client" = none ] || [ -z "$NGINX_PID" ]; then
        echo "not measured: needs \`otter device\` or \`otter fetch\`, and nginx." >>"$out"
        summary "$n concurrent devices all succeed" "-" "not measured"
        return 0
    fi
    fd="$BENCH_TMP/fleet"; mkdir -p "$fd"
    url="https://localhost:$NGINX_PORT/forum-1.5M.bin"
    want=$(sha256sum "$W/www/forum-1.5M.bin" | cut -d' ' -f1)
    fleet_prepare "$fd" "$url"
    acc0=$(wc -l <"$W/nginx/access.log"); err0=$(wc -l <"$W/nginx/error.log")
    t0=$(date +%s.%N)
    i=1; pids=""
    while [ $i -le "$n" ]; do
        ( rc=0; timeout 300 sh -c "$(fleet_cmd "$fd" "$i" "$url")" >"$fd/out.$i" 2>&1 || rc=$?; echo $rc >"$fd/rc.$i" ) &
        pids="$pids $!"
        i=$((i + 1))
    done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    t1=$(date +%s.%N)
    ok=0; i=1
    while [ $i -le "$n" ]; do
        if [ "$(cat "$fd/rc.$i" 2>/dev/null)" = 0 ] && fleet_check "$fd" "$i" "$want"; then ok=$((ok + 1)); fi
        i=$((i + 1))
    done
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    tail -n +"$((acc0 + 1))" "$W/nginx/access.log" >"$fd/access.log"
    tail -n +"$((err0 + 1))" "$W/nginx/error.log" >"$fd/error.log"
    reqs=$(wc -l <"$fd/access.log")
    bad=$(awk '$9 !~ /^(200|206|304)$/' "$fd/access.log" | wc -l)
    serr=$(grep -Ec '\[(error|crit|alert|emerg)\]' "$fd/error.log" || true)
    bytes=$(awk '{ s += $10 } END { printf "%d", s }' "$fd/access.log")
    {
        echo "$n \`$(fleet_what)\` processes started at once against the one nginx (1 worker)"
        echo "on loopback, over TLS 1.2, each bounded by a 300 s timeout."
        if [ "$HAVE_DEVICE" = 1 ]; then
            echo "Each is a simulated device (its own 4 MB min_spiffs flash file running"
            echo "v1.0.0) doing a whole update to the 1,577,648-byte v1.1.0: boot, check,"
            echo "download, verify, switch, reboot, self-test, confirm. Success means exit 0"
            echo "and the device reporting \`updated\`, running 1.1.0."
        else
            echo "Each fetches the 1,577,648-byte file into its own flash file. Success means"
            echo "exit 0 and the right SHA-256 in its flash."
        fi
        echo
        echo "| figure | value |"
        echo "|---|---:|"
        echo "| devices | $n |"
        echo "| succeeded | $ok |"
        echo "| failed | $((n - ok)) |"
        echo "| wall time, all devices | $wall s |"
        echo "| HTTP requests served | $reqs |"
        echo "| responses other than 200/206/304 | $bad |"
        echo "| nginx error-log entries (error or worse) | $serr |"
        echo "| body bytes served | $bytes |"
        echo
    } >>"$out"
    if [ "$ok" -eq "$n" ] && [ "$serr" -eq 0 ]; then
        st=met
        echo "**All $n devices updated: met.**" >>"$out"
    else
        st="not met"
        {
            echo "**All $n devices updated: not met** ($((n - ok)) failed). First failures:"
            echo
            echo '```'
            i=1; shown=0
            while [ $i -le "$n" ] && [ $shown -lt 3 ]; do
                if [ "$(cat "$fd/rc.$i" 2>/dev/null)" != 0 ]; then
                    echo "device $i (exit $(cat "$fd/rc.$i" 2>/dev/null)): $(tail -2 "$fd/out.$i" | tr '\n' ' ')"
                    shown=$((shown + 1))
                fi
                i=$((i + 1))
            done
            head -3 "$fd/error.log"
            echo '```'
        } >>"$out"
    fi
    echo >>"$out"
    summary "$n concurrent devices all succeed" "$ok/$n in $wall s, $serr server errors" "$st"
    rm -f "$fd"/*.flash "$fd"/*.flash.*
}

# ---------------------------------------------------------------------------
machine() {
    cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
    mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
    os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
    mbed=$(mbed_version)
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit \`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\`"
    echo "- Machine: ${cpu:-unknown CPU}, $(nproc) CPUs, ${mem:-? GiB} RAM; Linux $(uname -r); ${os:-unknown OS}"
    echo "- Load average (1/5/15 min) at the start: $LOAD0; at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
    echo "  (wall-clock figures are only as quiet as the machine was)"
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
        [ -s "$W/versions-summary.md" ] && cat "$W/versions-summary.md" && echo
        for n in 1 2 3 4 5 6 7 8 9; do
            [ -f "$W/s$n.md" ] && cat "$W/s$n.md" && echo
        done
    } >"$RESULTS"
}

# One nginx for every section that downloads: TLS 1.2, one cipher suite,
# the forum-sized file and a 64 MB file.
setup_server() {
    www="$W/www"; mkdir -p "$www"
    head -c 1577648 /dev/urandom >"$www/forum-1.5M.bin"
    head -c 67108864 /dev/urandom >"$www/big-64M.bin"
    make_pki "$W/pki"
    device_setup
    nginx_start "$www" "$W/pki" 1 || say "nginx did not start; the download sections will say so"
}

# device_setup: when `otter device` exists, app images v1.0.0 (running) and
# v1.1.0 (served), both 1,577,648 bytes, and a template flash (min_spiffs,
# v1.0.0 in ota_0) that each device run starts from. Sets HAVE_DEVICE.
HAVE_DEVICE=0
device_setup() {
    [ -x "$OTTER" ] && "$OTTER" device --help >/dev/null 2>&1 || return 0
    d="$BENCH_TMP/dev"; mkdir -p "$d"
    "$OTTER" image make --chip esp32 --project otter-bench --version 1.0.0 --size 1577648 --seed 100 \
        --out "$d/app-1.0.0.bin" >/dev/null 2>>"$W/timed.log" &&
    "$OTTER" image make --chip esp32 --project otter-bench --version 1.1.0 --size 1577648 --seed 110 \
        --out "$W/www/app-1.1.0.bin" >/dev/null 2>>"$W/timed.log" &&
    "$OTTER" flash init --out "$d/tpl.flash" --size 4M --layout min_spiffs --force >/dev/null 2>>"$W/timed.log" &&
    "$OTTER" flash write "$d/tpl.flash" --slot ota_0 "$d/app-1.0.0.bin" --valid >/dev/null 2>>"$W/timed.log" &&
    HAVE_DEVICE=1
}

# device_cmd FLASH: one whole update of a device that starts as the template.
device_prep_cmd() { echo "cp $BENCH_TMP/dev/tpl.flash $1; cp $BENCH_TMP/dev/tpl.flash.wear $1.wear 2>/dev/null || true"; }
device_cmd() {
    echo "$OTTER device --flash $1 --url https://localhost:$NGINX_PORT/${2:-app-1.1.0.bin} --ca $W/pki/ca.pem --self-test pass --quiet --json"
}

# ---------------------------------------------------------------------------
# Release index polls (issue 17): BENCH_INDEX_DEVICES (1,000) simulated
# devices poll the one nginx for a signed index with If-None-Match, each
# poll a new TCP connection with TLS (tests/tool_indexpoll.c, the device's
# otter_index_poll): bytes and time per poll.
section_index() {
    out="$W/s9.md"
    n="${BENCH_INDEX_DEVICES:-1000}"
    tool="$BUILD/tool_indexpoll"
    printf '## 9. Release index polls\n\n' >"$out"
    if [ ! -x "$tool" ] || [ -z "$NGINX_PID" ] || [ "$HAVE_DEVICE" != 1 ]; then
        echo "not measured: needs tool_indexpoll, \`otter device\` and nginx." >>"$out"
        summary "$n devices polling the index (304)" "-" "not measured"
        return 0
    fi
    key="$ROOT/tests/keys/test-p256.pem"
    openssl pkey -in "$key" -pubout -out "$W/index-pub.pem" 2>/dev/null
    {
        "$OTTER" release new "$W/www/index" --seq 1 --days 30 --force &&
        "$OTTER" release add "$W/www/index" "$W/www/app-1.1.0.bin" --url app-1.1.0.bin --rollout 10 &&
        "$OTTER" release sign "$W/www/index" --key "$key"
    } >/dev/null 2>>"$W/timed.log"
    rc=0
    timeout 120 "$tool" --url "https://localhost:$NGINX_PORT/index" --key "$W/index-pub.pem" --ca "$W/pki/ca.pem" \
        --devices "$n" >"$W/indexpoll.txt" 2>>"$W/timed.log" || rc=$?
    v() { awk -v k="$1" '$1 == k { print $2 }' "$W/indexpoll.txt"; }
    if [ "$rc" != 0 ] || [ -z "$(v poll_wire_bytes)" ]; then
        echo "not measured: tool_indexpoll failed (exit $rc; see bench-work/timed.log)." >>"$out"
        summary "$n devices polling the index (304)" "-" "not measured"
        return 0
    fi
    {
        echo "$n simulated devices, one after another, poll the one nginx (1 worker) on loopback"
        echo "for a $(v index_bytes)-byte signed index they hold the ETag of: \`If-None-Match\`, answered"
        echo "304. Each poll is \`otter_index_poll\` as a device runs it, on a new TCP connection"
        echo "with TLS 1.2 (the device keeps its TLS context, which resumes the session where the"
        echo "server allows); the first poll, without"
        echo "an ETag, fetches and verifies the whole index. Bytes are TCP payload both ways"
        echo "(TLS records included) and the HTTP bytes inside them."
        echo
        echo "| figure | first poll (200) | each later poll (304) |"
        echo "|---|---:|---:|"
        echo "| bytes on the wire | $(v full_wire_bytes) | $(v poll_wire_bytes) |"
        echo "| HTTP bytes (request + response) | $(v full_http_bytes) | $(v poll_http_bytes) |"
        echo "| time per poll, mean | $(v full_ms) ms | $(v poll_ms_mean) ms |"
        echo "| time per poll, p50 / p99 | | $(v poll_ms_p50) / $(v poll_ms_p99) ms |"
        echo "| polls answered 304 | | $(v not_modified) of $(v devices) |"
        echo "| wall time, all polls | | $(v total_s) s |"
    } >>"$out"
    ok=$([ "$(v not_modified)" = "$n" ] && echo met || echo "not met")
    summary "$n devices polling the index with If-None-Match" "$(v poll_wire_bytes) B and $(v poll_ms_mean) ms per 304 poll" "$ok"
}

only="${BENCH_ONLY:-size ipb throughput vtime ram fleet versions target index}"
case " $only " in
    *" throughput "* | *" ipb "* | *" ram "* | *" fleet "* | *" versions "* | *" index "*) setup_server ;;
esac
for s in $only; do
    say "section $s"
    "section_$s"
done
write_results
say "wrote $RESULTS"
