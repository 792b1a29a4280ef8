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
        for m in $(cut -f1 "$W/glue/arm-m4.tsv" 2>/dev/null); do
            a=$(awk -v m="$m" '$1 == m { print $2 }' "$W/glue/arm-m4.tsv")
            r=$(awk -v m="$m" '$1 == m { print $2 }' "$W/glue/rv32imc.tsv" 2>/dev/null)
            x=$(awk -v m="$m" '$1 == m { print $2 }' "$W/glue/xtensa.tsv" 2>/dev/null)
            db=$(awk -v m="$m" '$1 == m { print $3 + $4 }' "$W/glue/arm-m4.tsv")
            echo "| \`$m\` (mbedTLS glue) | $a | ${r:--} | ${x:--} | $db |"
        done
        tr=$(awk '{ s += $2 } END { print s }' "$W/cross/rv32imc/size.tsv" 2>/dev/null || echo -)
        tx=$(awk '{ s += $2 } END { print s }' "$W/cross/xtensa/size.tsv" 2>/dev/null || echo -)
        tdb=$(awk '{ s += $3 + $4 } END { print s }' "$W/cross/arm-m4/size.tsv")
        echo "| **core total** | **$ta** | **$tr** | **$tx** | **$tdb** |"
        ga=$(awk '{ s += $2 } END { print s + 0 }' "$W/glue/arm-m4.tsv" 2>/dev/null || echo 0)
        gr=$(awk '{ s += $2 } END { print s + 0 }' "$W/glue/rv32imc.tsv" 2>/dev/null || echo 0)
        gx=$(awk '{ s += $2 } END { print s + 0 }' "$W/glue/xtensa.tsv" 2>/dev/null || echo 0)
        [ "$tr" = - ] || gr=$((tr + gr)); [ "$tx" = - ] || gx=$((tx + gx))
        ga=$((ta + ga))
        echo "| **core + mbedTLS glue** | **$ga** | **$gr** | **$gx** | |"
        echo
        echo "*mbedTLS glue* is otter's code that calls mbedTLS (the crypto shim's backend,"
        echo "the TLS client): it is not in the freestanding check because it needs mbedTLS's"
        echo "headers; it is built here with the same flags against Debian's mbedTLS $(mbed_version)"
        echo "headers (threading off) and newlib's headers. mbedTLS itself is not counted."
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
    if [ "$ga" -le 16384 ]; then
        st="met"
        echo "**Target ≤ 16 KB .text on Cortex-M4: met** ($ta bytes for the core, $ga with the mbedTLS glue)." >>"$out"
    else
        st="not met"
        {
            echo "**Target ≤ 16 KB .text on Cortex-M4: not met** ($ta bytes for the core, $ga with the mbedTLS glue)."
            echo "The largest modules are listed above; \`error\` (${errtext:-0} bytes) is the"
            echo "table of human-readable error messages, which a size-constrained build can"
            echo "replace by error names only."
        } >>"$out"
    fi
    summary "Core .text ≤ 16 KB (Cortex-M4 -Os)" "$ta B core, $ga B with mbedTLS glue" "$st"
}

mbed_version() {
    awk '/define MBEDTLS_VERSION_STRING / { gsub("\"", "", $3); print $3 }' /usr/include/mbedtls/version.h 2>/dev/null
}

# glue_sizes: the src/ files the freestanding build skips because they use
# mbedTLS, built for the three targets against mbedTLS's headers.
# Writes $W/glue/<target>.tsv (module, text, data, bss).
glue_sizes() {
    d="$W/glue"; mkdir -p "$d/inc"
    [ -d /usr/include/mbedtls ] || return 0
    ln -sf /usr/include/mbedtls "$d/inc/mbedtls"
    printf '#include </usr/include/mbedtls/config.h>\n#undef MBEDTLS_THREADING_C\n#undef MBEDTLS_THREADING_PTHREAD\n' >"$d/cfg.h"
    scripts/deps.sh libnewlib-dev >/dev/null 2>&1 || true
    mbed_hdrs=$(grep -l '#include <mbedtls/' src/*.h 2>/dev/null | sed 's|^src/||' || true)
    files=""
    for f in src/*.c; do
        use=0
        grep -q '#include <mbedtls/' "$f" && use=1
        for h in $mbed_hdrs; do grep -q "#include \"$h\"" "$f" && use=1; done
        [ $use = 1 ] && files="$files $f"
    done
    for t in "arm-m4 arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb" \
             "rv32imc riscv64-unknown-elf-gcc -march=rv32imc_zicsr -mabi=ilp32 -ffreestanding -isystem /usr/include/newlib" \
             "xtensa xtensa-lx106-elf-gcc -mlongcalls -ffreestanding -isystem /usr/include/newlib"; do
        set -- $t; name=$1; cc=$2; shift 2
        : >"$d/$name.tsv"
        command -v "$cc" >/dev/null || continue
        for f in $files; do
            m=$(basename "$f" .c)
            if "$cc" "$@" -std=c11 -Os -ffunction-sections -fdata-sections -DMBEDTLS_CONFIG_FILE="\"$d/cfg.h\"" \
                -Iinclude -Isrc -I"$d/inc" -c "$f" -o "$d/$name-$m.o" 2>>"$d/err"; then
                "${cc%gcc}size" "$d/$name-$m.o" | awk -v m="$m" 'NR == 2 { print m "\t" $1 "\t" $2 "\t" $3 }' >>"$d/$name.tsv"
            fi
        done
    done
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
    flash="$W/fetch-$f.flash"
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
    echo >>"$out"
    if [ -z "$worst" ]; then
        summary "Throughput ≥ 1.0× curl+sha256sum" "-" "not measured"
    elif awk -v r="$worst" 'BEGIN { exit !(r >= 1.0) }'; then
        echo "**Target throughput ≥ 1.0× curl + sha256sum: met** (worst ratio ${worst}×)." >>"$out"
        summary "Throughput ≥ 1.0× curl+sha256sum" "${worst}× (worst of 1.5 MB, 64 MiB)" "met"
    else
        echo "**Target throughput ≥ 1.0× curl + sha256sum: not met** (worst ratio ${worst}×)." >>"$out"
        [ -f "$W/tp-why.md" ] && cat "$W/tp-why.md" >>"$out"
        summary "Throughput ≥ 1.0× curl+sha256sum" "${worst}× (worst of 1.5 MB, 64 MiB)" "not met"
    fi
}

fleet_what() { echo "otter fetch"; }
fleet_prepare() { :; }
fleet_cmd() { fetch_cmd "$3" "$1/dev$2.flash"; }
fleet_check() { [ "$(flash_sha "$1/dev$2.flash" 1577648)" = "$3" ]; }

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

# callgrind_classify OUT.cg: self instruction counts per category, as
# "category Ir" lines. crypto = mbedTLS's AES, GCM, SHA, bignum/ECC, DRBG
# and cipher/md plumbing; otter = functions in this tree; tls = the rest of
# mbedTLS (record layer, X.509, ASN.1, PEM); libc; loader; other.
callgrind_classify() {
    callgrind_annotate --inclusive=no --threshold=100 --auto=no "$1" 2>/dev/null |
        awk -v root="$ROOT" '
        /^ *[0-9,]+ +\(/ && / \[/ {
            ir = $1; gsub(",", "", ir)
            obj = $0; sub(/.*\[/, "", obj); sub(/\].*/, "", obj)
            fn = $0; sub(/^ *[0-9,]+ +\([^)]*\) +/, "", fn); sub(/ \[.*/, "", fn)
            name = fn; sub(/.*:/, "", name)
            if (obj ~ /libmbedcrypto/ && name ~ /(aes|gcm|sha256|sha512|sha1|md5|mpi|ecp|ecdsa|ecdh|bignum|ct_|ctr_drbg|entropy|chacha|poly1305|cipher|md_|hmac|mul_|_mul|montmul|mpi_)/)
                c = "crypto"
            else if (obj ~ /libmbed/) c = "tls"
            else if (index(fn, root "/") == 1 || index(obj, root "/") == 1) c = "otter"
            else if (obj ~ /\/libc[.-]/) c = "libc"
            else if (obj ~ /ld-linux/) c = "loader"
            else c = "other"
            sum[c] += ir
        }
        END { for (c in sum) print c, sum[c] }'
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
        timeout 600 valgrind --tool=callgrind --callgrind-out-file="$W/cg-$f.out" \
            sh -c "exec $(fetch_cmd "$url" "$W/fetch-$f.flash")" >>"$W/timed.log" 2>&1 || true
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
        echo "function's own (exclusive) instruction count is put in a category:"
        echo "*crypto* = mbedTLS's AES(-NI), GCM, SHA-256, bignum/ECC, DRBG and cipher/md"
        echo "plumbing (must run anyway); *otter* = code in this repository (core, POSIX port"
        echo "with the NOR simulator, CLI); *TLS* = the rest of mbedTLS (record layer, X.509,"
        echo "ASN.1, PEM); *libc* (memcpy, read, write ...); *loader* (process start-up)."
        echo "The per-byte cost in steady state is the difference between the two runs"
        echo "divided by the difference in bytes, which cancels process start-up, the"
        echo "handshake and certificate parsing."
        echo
        echo "| category | 1.5 MB run (instr) | 64 MiB run (instr) | per byte, marginal |"
        echo "|---|---:|---:|---:|"
    } >>"$out"
    tot_out=0
    for c in crypto otter tls libc loader other; do
        a=$(awk -v c="$c" '$1 == c { print $2 }' "$W/cg-forum-1.5M.bin.tsv"); a=${a:-0}
        b=$(awk -v c="$c" '$1 == c { print $2 }' "$W/cg-big-64M.bin.tsv"); b=${b:-0}
        pb=$(awk -v a="$a" -v b="$b" -v s="$small" -v g="$big" 'BEGIN { printf "%.3f", (b - a) / (g - s) }')
        echo "| $c | $a | $b | $pb |" >>"$out"
        [ "$c" = crypto ] || tot_out=$(awk -v t="$tot_out" -v p="$pb" 'BEGIN { printf "%.3f", t + p }')
        [ "$c" = otter ] && otter_pb=$pb
        [ "$c" = crypto ] && crypto_pb=$pb
    done
    {
        echo "| **outside crypto** | | | **$tot_out** |"
        echo
    } >>"$out"
    if awk -v t="$tot_out" 'BEGIN { exit !(t <= 2) }'; then
        st=met
        echo "**Target ≤ 2 instructions per byte outside crypto: met** ($tot_out; crypto itself: $crypto_pb)." >>"$out"
    else
        st="not met"
        {
            echo "**Target ≤ 2 instructions per byte outside crypto: not met** ($tot_out; crypto itself: $crypto_pb;"
            echo "otter's own code: $otter_pb). The table shows where the rest goes."
        } >>"$out"
        [ -f "$W/ipb-why.md" ] && cat "$W/ipb-why.md" >>"$out"
    fi
    echo >>"$out"
    summary "≤ 2 instructions/byte outside crypto" "$tot_out instr/byte" "$st"
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
    ram_heap_and_stack >>"$out"
}

ram_heap_and_stack() {
    echo "### Heap and stack of a whole download"
    echo
    client=$(otter_client)
    if [ "$client" = none ] || [ -z "$NGINX_PID" ]; then
        echo "not measured: needs \`otter fetch\` and nginx."
        echo
        summary "Peak RAM excl. TLS records ≤ 8 KB" "-" "not measured"
    else
        $CC -O2 -shared -fPIC -o "$W/heapcount.so" bench/heapcount.c
        rm -f "$W/heap.txt"
        url="https://localhost:$NGINX_PORT/forum-1.5M.bin"
        HEAPCOUNT_OUT="$W/heap.txt" LD_PRELOAD="$W/heapcount.so" \
            sh -c "timeout 120 $(fetch_cmd "$url" "$W/fetch-1.5M.flash") >/dev/null" 2>>"$W/timed.log" || true
        # One line per process (sh, timeout, otter): otter's is the largest.
        line=$(awk '{ p = $1; sub("peak=", "", p); if (p + 0 >= best) { best = p + 0; l = $0 } } END { print l }' "$W/heap.txt" 2>/dev/null || true)
        heap_report "$line"
    fi
    echo "### Stack of \`otter_update_step()\`"
    echo
    if st=$(stack_of otter_update_step 2>/dev/null); then
        echo "Static worst case on Cortex-M4 \`-Os\` (gcc \`-fcallgraph-info=su\`, summed along the"
        echo "deepest call chain; calls through the port's function pointers count 0 here):"
        echo "**${st%% *} bytes**, chain \`${st#* }\`."
    else
        echo "not measured: \`otter_update_step\` is not in the core yet (the update engine)."
    fi
    echo
}

# heap_report LINE: turn a heapcount line into the RAM figures and verdict.
heap_report() {
    line="$1"
    if [ -z "$line" ]; then
        echo "not measured: the download under the heap counter failed (see $W/timed.log)."
        echo
        summary "Peak RAM excl. TLS records ≤ 8 KB" "-" "not measured"
        return 0
    fi
    peak=$(echo "$line" | sed 's/.*peak=\([0-9]*\).*/\1/')
    allocs=$(echo "$line" | sed 's/.*allocs=\([0-9]*\).*/\1/')
    stk=$(echo "$line" | sed 's/.*stack=\([0-9]*\).*/\1/')
    top=$(echo "$line" | sed 's/.*top=//')
    # mbedTLS's record buffers: the blocks of at least 16 KB (Debian's
    # MBEDTLS_SSL_IN/OUT_CONTENT_LEN is 16384, plus header and MAC room).
    rec=$(echo "$top" | tr ',' '\n' | awk '$1 >= 16384 { s += $1; n++ } END { printf "%d %d\n", s, n }')
    recbytes=${rec% *}; recn=${rec#* }
    rest=$((peak - recbytes))
    echo "Measured with an LD_PRELOAD malloc counter (bench/heapcount.c) around"
    echo "\`otter fetch\` of the 1,577,648-byte file (the whole process: mbedTLS and the CLI)."
    echo
    echo "| figure | bytes |"
    echo "|---|---:|"
    echo "| peak heap, whole process | $peak |"
    echo "| of which TLS record buffers ($recn blocks ≥ 16 KB) | $recbytes |"
    echo "| peak heap excluding TLS record buffers | $rest |"
    echo "| largest live blocks at the peak | $top |"
    echo "| allocations | $allocs |"
    echo "| peak stack of the main thread (measured, x86-64) | $stk |"
    echo
    summary "Peak RAM excl. TLS records ≤ 8 KB" "$rest B heap (+ contexts, stack)" "see §3"
}

section_vtime() {
    not_yet 4 "Virtual-time figures (forum image, min_spiffs)" \
        "needs the update engine and the NOR simulator." "Longest blocking step ≤ 50 ms (typical)"
    summary "Update time ≤ 1.1× flash-only bound (fast network)" "-" "not measured"
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
    fd="$W/fleet"; mkdir -p "$fd"
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
        echo "on loopback, each fetching the 1,577,648-byte file over TLS 1.2 into its own"
        echo "flash file; each is bounded by a 300 s timeout. Success means exit 0 and the"
        echo "right SHA-256 in its flash."
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

# One nginx for every section that downloads: TLS 1.2, one cipher suite,
# the forum-sized file and a 64 MB file.
setup_server() {
    www="$W/www"; mkdir -p "$www"
    head -c 1577648 /dev/urandom >"$www/forum-1.5M.bin"
    head -c 67108864 /dev/urandom >"$www/big-64M.bin"
    make_pki "$W/pki"
    nginx_start "$www" "$W/pki" 1 || say "nginx did not start; the download sections will say so"
}

only="${BENCH_ONLY:-size throughput ipb ram vtime fleet}"
case " $only " in
    *" throughput "* | *" ipb "* | *" ram "* | *" fleet "*) setup_server ;;
esac
for s in $only; do
    say "section $s"
    "section_$s"
done
write_results
say "wrote $RESULTS"
