# bench/versions.sh: §7 of bench/RESULTS.md, sourced by bench/run.sh.
# `otter fetch` built against each mbedTLS otter supports (the build
# directories bench/run.sh was given: $VERSION_BUILDS, the default build
# first), side by side: throughput against curl + sha256sum, instructions per
# byte by category (callgrind), peak RAM (heap, stack, contexts).

# ver_get TAG KEY: a value recorded for one version ("-" if none).
ver_get() {
    v=$(awk -v k="$1.$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$W/ver/values" 2>/dev/null)
    echo "${v:--}"
}
ver_set() { k="$1.$2"; shift 2; echo "$k $*" >>"$W/ver/values"; }

# ver_fetch_cmd TAG URL FLASH: `otter fetch` of one version's build.
ver_fetch_cmd() {
    b=$(ver_get "$1" build)
    size=$(( ( ($(wc -c <"$W/www/${2##*/}") + 1048575) / 1048576 + 1) * 1048576 ))
    echo "$b/otter fetch $2 --flash $3 --create $size --ca $W/pki/ca.pem"
}

# ver_tls_sizes TAG PREFIX: sizeof(otter_tls_mbed_t) (the mbedTLS contexts
# otter_tls_t holds in its OTTER_TLS_BACKEND_SIZE reserve) for Cortex-M4 and
# x86-64, against one version's headers (PREFIX "" for /usr/include).
ver_tls_sizes() {
    tg="$1"; d="$W/ver/$1"; mkdir -p "$d"
    printf '#include "tls_mbedtls.h"\nconst unsigned char sz_mbed[sizeof(otter_tls_mbed_t)] = {0};\nconst unsigned char sz_tls[sizeof(otter_tls_t)] = {0};\n' >"$d/tlssz.c"
    inc=""; cfg=""
    if [ -n "$2" ]; then
        inc="-isystem $2/include"
    else
        # Debian's 2.28 configuration with threading off, as on a device.
        printf '#include </usr/include/mbedtls/config.h>\n#undef MBEDTLS_THREADING_C\n#undef MBEDTLS_THREADING_PTHREAD\n' >"$d/cfg.h"
        cfg="-DMBEDTLS_CONFIG_FILE=\"$d/cfg.h\""
        mkdir -p "$d/inc"
        for h in mbedtls psa; do [ -d "/usr/include/$h" ] && ln -sfn "/usr/include/$h" "$d/inc/$h"; done
        inc="-I$d/inc"
    fi
    for t in "arm arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb" "host $CC"; do
        set -- $t; n=$1; shift
        # shellcheck disable=SC2086
        if "$@" -std=c11 $cfg $inc -Iinclude -Isrc -Isrc/mbedtls -c "$d/tlssz.c" -o "$d/tlssz-$n.o" 2>>"$d/err"; then
            nmt=nm; [ "$n" = arm ] && nmt=arm-none-eabi-nm
            ver_set "$tg" "mbedsz_$n" "$($nmt -S -t d "$d/tlssz-$n.o" | awk '$4 == "sz_mbed" { print $2 + 0 }')"
            ver_set "$tg" "tlssz_$n" "$($nmt -S -t d "$d/tlssz-$n.o" | awk '$4 == "sz_tls" { print $2 + 0 }')"
        fi
    done
}

# ver_prefix BUILD: the install prefix of the mbedTLS BUILD links ("" for
# Debian's).
ver_prefix() {
    v=$(sed -n 's/^OTTER_MBEDTLS:[A-Z]*=//p' "$1/CMakeCache.txt" 2>/dev/null)
    case "$v" in
        "" | system) echo "" ;;
        3.6 | 4.0) scripts/mbedtls.sh "$v" 2>/dev/null || echo "" ;;
        *) echo "$v" ;;
    esac
}

# ver_callgrind TAG: the two `otter fetch` runs under callgrind; writes
# $W/ver/TAG/cg-FILE.tsv (categories) and cg-fn.txt (the crypto functions'
# own instructions per byte, marginal).
ver_callgrind() {
    d="$W/ver/$1"; mkdir -p "$d"
    for f in forum-1.5M.bin big-64M.bin; do
        if [ "$1" = v1 ] && [ -s "$W/cg-$f.out" ]; then
            # The default build: §2's runs.
            cp "$W/cg-$f.out" "$d/cg-$f.out"
        else
            rm -f "$BENCH_TMP/ver-cg.flash"
            # shellcheck disable=SC2046
            timeout 900 valgrind --tool=callgrind --callgrind-out-file="$d/cg-$f.out" \
                $(ver_fetch_cmd "$1" "https://localhost:$NGINX_PORT/$f" "$BENCH_TMP/ver-cg.flash") >>"$W/timed.log" 2>&1 || return 1
        fi
        callgrind_classify "$d/cg-$f.out" "$d/names.txt" >"$d/cg-$f.tsv"
        callgrind_annotate --inclusive=no --threshold=100 --auto=no "$d/cg-$f.out" 2>/dev/null |
            awk '/^ *[0-9,]+ +\(/ && / \[/ && !/\/(libc[.-]|ld-linux)/ && / \?\?\?:/ { ir = $1; gsub(",", "", ir); fn = $0; sub(/^ *[0-9,]+ +\([^)]*\) +/, "", fn); sub(/ \[.*/, "", fn); sub(/^[^:]*:/, "", fn); print fn, ir }' \
            >"$d/fn-$f.txt"
    done
    rm -f "$BENCH_TMP/ver-cg.flash"
    small=$(wc -c <"$W/www/forum-1.5M.bin"); big=$(wc -c <"$W/www/big-64M.bin")
    for c in sha256 cipher flashsim otter mbedtls libc; do
        a=$(awk -v c="$c" '$1 == c { print $2 }' "$d/cg-forum-1.5M.bin.tsv"); a=${a:-0}
        b=$(awk -v c="$c" '$1 == c { print $2 }' "$d/cg-big-64M.bin.tsv"); b=${b:-0}
        ver_set "$1" "ipb_$c" "$(awk -v a="$a" -v b="$b" -v s="$small" -v g="$big" 'BEGIN { printf "%.3f", (b - a) / (g - s) }')"
    done
    # mbedTLS's functions (no debug information) that cost at least 0.5
    # instructions per byte, marginal.
    awk -v d="$((big - small))" 'NR == FNR { a[$1] += $2; next } { b[$1] += $2 }
        END { for (f in b) { p = (b[f] - a[f]) / d; if (p >= 0.5) printf "%.2f %s\n", p, f } }' \
        "$d/fn-forum-1.5M.bin.txt" "$d/fn-big-64M.bin.txt" | sort -rn >"$d/cg-fn.txt"
}

# ver_heap TAG: peak heap (mbedTLS's and the process's) and stack of a whole
# update with `otter device` (or `otter fetch` without it) under
# bench/heapcount.c, with mbedTLS's code found by address in a static link.
ver_heap() {
    d="$W/ver/$1"; b=$(ver_get "$1" build)
    mbed_ranges "$b" "$d/names.txt" "$d/ranges.txt"
    rm -f "$d/heap.txt"
    if [ "$HAVE_DEVICE" = 1 ]; then
        sh -c "$(device_prep_cmd "$BENCH_TMP/ver-ram.flash")"
        cmd="$b/otter device --flash $BENCH_TMP/ver-ram.flash --url https://localhost:$NGINX_PORT/app-1.1.0.bin --ca $W/pki/ca.pem --self-test pass --quiet --json"
    else
        url="https://localhost:$NGINX_PORT/forum-1.5M.bin"
        timeout 120 $(ver_fetch_cmd "$1" "$url" "$BENCH_TMP/ver-ram.flash") >/dev/null 2>>"$W/timed.log" || true
        cmd="$(ver_fetch_cmd "$1" "$url" "$BENCH_TMP/ver-ram.flash")"
    fi
    HEAPCOUNT_OUT="$d/heap.txt" HEAPCOUNT_MBED_RANGES="$d/ranges.txt" LD_PRELOAD="$W/heapcount.so" \
        sh -c "timeout 120 $cmd >/dev/null" 2>>"$W/timed.log" || true
    rm -f "$BENCH_TMP"/ver-ram.flash*
    line=$(awk '{ p = $1; sub("peak=", "", p); if (p + 0 >= best) { best = p + 0; l = $0 } } END { print l }' "$d/heap.txt" 2>/dev/null || true)
    [ -n "$line" ] || return 0
    field() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
    mpeak=$(field mbed_peak)
    rec=$(field mbed_top | tr ',' '\n' | awk '$1 >= 16384 && $1 <= 18432 { s += $1 } END { printf "%d\n", s }')
    ver_set "$1" heap_mbed "$mpeak"
    ver_set "$1" heap_rec "$rec"
    ver_set "$1" heap_rest "$((mpeak - rec))"
    ver_set "$1" heap_proc "$(field peak)"
    ver_set "$1" stack "$(field stack)"
}

section_versions() {
    out="$W/s7.md"
    mkdir -p "$W/ver"; : >"$W/ver/values"
    {
        echo "## 7. mbedTLS 2.28, 3.6 and 4.0 side by side"
        echo
        echo "The same otter built against each mbedTLS it supports (\`make bench\` builds"
        echo "\`build\` against Debian's 2.28 as shared libraries, and \`build-mbedtls3.6\`,"
        echo "\`build-mbedtls4.0\` against 3.6.6 and 4.0.0 from source, \`-O2\`, default"
        echo "configuration, linked statically), measured as §1-§3 measure the default build."
        echo
    } >"$out"
    i=0; tags=""
    for b in $VERSION_BUILDS; do
        i=$((i + 1))
        case "$b" in skip:*)
            echo "- mbedTLS ${b#skip:}: not measured: its sources are absent (set OTTER_DEPS to a folder holding the release tarball, see README \"mbedTLS versions\")." >>"$out"
            continue ;;
        esac
        if [ ! -x "$b/otter" ]; then
            echo "- \`$b\`: not measured: not built (its mbedTLS sources are absent; set OTTER_DEPS, see README \"mbedTLS versions\")." >>"$out"
            continue
        fi
        tag=v$i; tags="$tags $tag"
        b=$(cd "$b" && pwd)
        ver_set "$tag" build "$b"
        ver_set "$tag" version "$(cat "$b/mbedtls-version.txt" 2>/dev/null || echo '?')"
        mkdir -p "$W/ver/$tag"
        mbed_names "$b" "$W/ver/$tag/names.txt"
        ver_set "$tag" linked "$([ -s "$W/ver/$tag/names.txt" ] && echo static || echo shared)"
        ver_tls_sizes "$tag" "$(ver_prefix "$b")"
    done
    echo >>"$out"
    if [ -z "$NGINX_PID" ] || [ -z "$tags" ]; then
        echo "not measured: needs nginx and at least one build with \`otter fetch\`." >>"$out"
        return 0
    fi

    # Throughput: every client once per round, RUNS rounds, so that all see
    # the same load; one warm-up run each.
    for f in forum-1.5M.bin big-64M.bin; do
        url="https://localhost:$NGINX_PORT/$f"
        ccmd="$(curl_fetch_cmd "$url" "$BENCH_TMP/curl.out" "$W/pki/ca.pem") && sha256sum $BENCH_TMP/curl.out"
        timed 1 warm "timeout 120 sh -c '$ccmd'" || true
        for t in $tags; do
            rm -f "$BENCH_TMP/ver-$t.flash"
            timed 1 warm "timeout 120 $(ver_fetch_cmd "$t" "$url" "$BENCH_TMP/ver-$t.flash")" || true
            [ "$(flash_sha "$BENCH_TMP/ver-$t.flash" "$(wc -c <"$W/www/$f")")" = "$(sha256sum "$W/www/$f" | cut -d' ' -f1)" ] ||
                say "otter fetch ($(ver_get "$t" version)) of $f: flash content does not match"
            ver_set "$t" tls "$(tail -1 "$W/nginx/tls.log" 2>/dev/null | cut -d' ' -f1-2)"
        done
        round=0  # (timed uses $r)
        while [ $round -lt "$RUNS" ]; do
            timed 1 "vcurl-$f" "timeout 120 sh -c '$ccmd'" || true
            for t in $tags; do
                timed 1 "v$t-$f" "timeout 120 $(ver_fetch_cmd "$t" "$url" "$BENCH_TMP/ver-$t.flash")" || true
            done
            round=$((round + 1))
        done
        rm -f "$BENCH_TMP"/ver-*.flash*
    done
    for t in $tags; do
        worst=""
        for f in forum-1.5M.bin big-64M.bin; do
            cw=$(stat_of "vcurl-$f" wall); ow=$(stat_of "v$t-$f" wall)
            cc=$(stat_of "vcurl-$f" cpu); oc=$(stat_of "v$t-$f" cpu)
            [ "$cw" = - ] || [ "$ow" = - ] && continue
            ratio=$(awk -v a="$cw" -v b="$ow" 'BEGIN { printf "%.2f", a / b }')
            ver_set "$t" "wall_$f" "$ow"
            ver_set "$t" "ratio_$f" "$ratio"
            ver_set "$t" "cpu_$f" "$(awk -v a="$oc" -v b="$cc" 'BEGIN { printf "%.2f", a / b }')"
            if [ -z "$worst" ] || awk -v a="$ratio" -v b="$worst" 'BEGIN { exit !(a < b) }'; then worst=$ratio; fi
        done
        ver_set "$t" worst "${worst:--}"
    done

    # Instructions per byte, RAM.
    have_cg=0
    if command -v valgrind >/dev/null; then
        have_cg=1
        for t in $tags; do ver_callgrind "$t" || say "callgrind of $(ver_get "$t" version) failed"; done
    fi
    $CC -O2 -shared -fPIC -o "$W/heapcount.so" bench/heapcount.c
    for t in $tags; do ver_heap "$t"; done

    # The tables.
    hdr="| |"; sep="|---|"
    for t in $tags; do hdr="$hdr mbedTLS $(ver_get "$t" version) |"; sep="$sep---:|"; done
    row() { r="| $1 |"; k="$2"; for t in $tags; do r="$r $(ver_get "$t" "$k") |"; done; echo "$r"; }
    cw1=$(stat_of vcurl-forum-1.5M.bin wall); cw2=$(stat_of vcurl-big-64M.bin wall)
    {
        echo "### Throughput against curl"
        echo
        echo "The nginx of §1 (TLS 1.2 only, \`$BENCH_CIPHER\`), the same files; each"
        echo "figure is the median of $RUNS rounds in which curl + sha256sum and every build ran"
        echo "once (curl + sha256sum: $cw1 s for forum-1.5M.bin, $cw2 s for big-64M.bin)."
        echo
        echo "$hdr"
        echo "$sep"
        row "linked" linked
        row "negotiated (nginx's log)" tls
        row "otter fetch forum-1.5M.bin, wall (s)" wall_forum-1.5M.bin
        row "otter fetch big-64M.bin, wall (s)" wall_big-64M.bin
        row "throughput otter/curl, forum-1.5M.bin" ratio_forum-1.5M.bin
        row "throughput otter/curl, big-64M.bin" ratio_big-64M.bin
        row "CPU otter/curl, big-64M.bin" cpu_big-64M.bin
        row "**throughput otter/curl, worst**" worst
        echo
    } >>"$out"
    if [ $have_cg = 1 ]; then
        {
            echo "### Instructions per byte"
            echo
            echo "§2's method and categories (marginal between the 1.5 MB and the 64 MiB"
            echo "download, \`otter fetch\`); in the static links mbedTLS's functions are told"
            echo "from otter's by name (the functions the mbedTLS archives define, without debug"
            echo "information)."
            echo
            echo "$hdr"
            echo "$sep"
            for c in sha256 cipher flashsim otter mbedtls libc; do row "$c" "ipb_$c"; done
            r="| **outside crypto and the flash simulator** |"
            for t in $tags; do
                v=$(awk -v a="$(ver_get "$t" ipb_otter)" -v b="$(ver_get "$t" ipb_mbedtls)" -v c="$(ver_get "$t" ipb_libc)" 'BEGIN { printf "%.3f", a + b + c }')
                ver_set "$t" ipb_out "$v"; r="$r **$v** |"
            done
            echo "$r"
            r="| **total** |"
            for t in $tags; do
                v=$(awk -v t="$t" '$1 ~ "^" t "\\.ipb_(sha256|cipher|flashsim|otter|mbedtls|libc)$" { s += $2 } END { printf "%.1f", s }' "$W/ver/values")
                ver_set "$t" ipb_total "$v"; r="$r **$v** |"
            done
            echo "$r"
            r="| mbedTLS's functions, own instructions per byte (≥ 0.5) |"
            for t in $tags; do
                r="$r $(awk '{ if (NR > 1) printf ", "; printf "`%s` %s", $2, $1 }' "$W/ver/$t/cg-fn.txt" 2>/dev/null) |"
            done
            echo "$r"
            echo
            echo "curl -o + sha256sum, for comparison (§2): $(split_of curl) + $(split_of sha256sum) instructions per byte, of which OpenSSL's AES-GCM $(split_of curl_libcrypto)."
            echo
        } >>"$out"
    fi
    {
        echo "### Peak RAM"
        echo
        echo "Heap and stack measured as in §3 (bench/heapcount.c around a whole update with"
        echo "\`otter device\`; in the static links, mbedTLS's allocations are told by the"
        echo "caller's address against its functions' address ranges from the symbol table)."
        echo "The contexts: \`otter_tls_t\` reserves OTTER_TLS_BACKEND_SIZE bytes (2048 on"
        echo "32-bit, 2816 on 64-bit) for mbedTLS's contexts, whatever the version; what each"
        echo "version's contexts need of it is \`sizeof\` of them against its headers."
        echo
        echo "$hdr"
        echo "$sep"
        row "mbedTLS contexts in \`otter_tls_t\`, Cortex-M4 (of 2048 reserved)" mbedsz_arm
        row "mbedTLS contexts in \`otter_tls_t\`, x86-64 (of 2816 reserved)" mbedsz_host
        row "peak heap of mbedTLS's allocations" heap_mbed
        row "of which TLS record buffers (blocks of 16-18 KB; in 4.0 also PSA's copies of a record)" heap_rec
        row "**mbedTLS heap at its peak without record buffers**" heap_rest
        row "peak heap, whole process" heap_proc
        row "peak stack of the main thread (x86-64)" stack
    } >>"$out"
    up=$(sz otter_update_t || true); pt=$(sz otter_ptable_t || true); bt=$(sz otter_boot_t || true)
    if [ -n "$up" ] && [ -n "${STEP_STACK:-}" ]; then
        otter_only=$((up + pt + bt + 1024 + 4096 + STEP_STACK))
        r="| **peak RAM excluding TLS record buffers** (§3's budget: otter alone $otter_only + \`otter_tls_t\` + the mbedTLS heap above) |"
        r2="| with \`OTTER_TLS_BACKEND_SIZE\` set to what the version needs (Cortex-M4) |"
        for t in $tags; do
            rest=$(ver_get "$t" heap_rest); tl=$(ver_get "$t" tlssz_arm); ms=$(ver_get "$t" mbedsz_arm)
            if [ "$rest" != - ] && [ "$tl" != - ]; then
                v=$((otter_only + tl + rest)); ver_set "$t" ram "$v"; r="$r **$v** |"
                r2="$r2 $((v - 2048 + ms)) |"
            else
                r="$r - |"; r2="$r2 - |"
            fi
        done
        echo "$r" >>"$out"; echo "$r2" >>"$out"
    fi
    echo >>"$out"
    ver_why >>"$out"
    ver_summary
}

# ver_why: where the throughput gap went, from the figures above.
ver_why() {
    [ -n "$tags" ] || return 0
    echo "### Where the gap went"
    echo
    for t in $tags; do
        fn="$W/ver/$t/cg-fn.txt"
        ni=no; pc=no; sw=""
        grep -q ' mbedtls_aesni_crypt_ecb$' "$fn" 2>/dev/null && ni=yes
        grep -q ' mbedtls_aesni_gcm_mult$' "$fn" 2>/dev/null && pc=yes
        grep -Eq ' (gcm_mult|gcm_mult_smalltable|gcm_gen_table_rightshift|mbedtls_internal_aes_(en|de)crypt)$' "$fn" 2>/dev/null && sw=" (software AES or GHASH also seen)"
        echo "- mbedTLS $(ver_get "$t" version) ($(ver_get "$t" linked)): negotiated $(ver_get "$t" tls);"
        echo "  AES rounds with AES-NI: $ni; GHASH with PCLMULQDQ: $pc$sw; AES-GCM"
        echo "  $(ver_get "$t" ipb_cipher) instructions per byte, SHA-256 $(ver_get "$t" ipb_sha256), total $(ver_get "$t" ipb_total);"
        echo "  throughput $(ver_get "$t" worst)× curl + sha256sum (worst of the two files)."
    done
    echo
    # The prose needs the 2.28 build (the first) and a newer one measured.
    set -- $tags
    [ $# -ge 2 ] && [ -s "$W/ver/$1/cg-fn.txt" ] || return 0
    t1=$1; shift
    newer=""; c_new=""; g_new=""; m_new=""
    for t in "$@"; do
        newer="$newer${newer:+ and }$(ver_get "$t" version)"
        c_new="$c_new${c_new:+ / }$(ver_get "$t" ipb_cipher)"
        g_new="$g_new${g_new:+ / }$(fnpb "$t" mbedtls_aesni_gcm_mult)"
        m_new="$m_new${m_new:+ / }$(fnpb "$t" gcm_mask) + $(fnpb "$t" mbedtls_gcm_update)"
    done
    echo "AES-GCM went from $(ver_get "$t1" ipb_cipher) instructions per byte with $(ver_get "$t1" version) to"
    echo "$c_new with $newer. Every version runs the same AES-NI rounds and the same"
    echo "PCLMULQDQ GHASH, one 16-byte block per call (\`mbedtls_aesni_gcm_mult\`:"
    echo "$(fnpb "$t1" mbedtls_aesni_gcm_mult) per byte with $(ver_get "$t1" version), $g_new); what changed is around"
    echo "them: $(ver_get "$t1" version)'s \`mbedtls_gcm_update\` XORs the key stream into the record and"
    echo "the GHASH input one byte at a time ($(fnpb "$t1" mbedtls_gcm_update) per byte, plus $(fnpb "$t1" 0x) in its"
    echo "unnamed per-block helper), where $newer XOR a word at a time (\`gcm_mask\` +"
    echo "\`mbedtls_gcm_update\`: $m_new). That is where the gap went: in all,"
    echo "$(ver_get "$t1" ipb_total) instructions per byte with $(ver_get "$t1" version), $(for t in "$@"; do printf '%s / ' "$(ver_get "$t" ipb_total)"; done | sed 's| / $||') with $newer"
    echo "(curl + sha256sum: $(awk -v a="$(split_of curl)" -v b="$(split_of sha256sum)" 'BEGIN { printf "%.1f", a + b }')). On this machine (load average $LOAD0 at the start, 2"
    echo "CPUs shared) the wall-clock ratios against curl, $(for t in $tags; do printf '%s× / ' "$(ver_get "$t" worst)"; done | sed 's| / $||'),"
    echo "do not resolve a difference of that size: the instruction counts are the figure to compare."
    if grep -q '^psa_aead' "$W/ver/$t/fn-big-64M.bin.txt" 2>/dev/null; then
        echo "4.0 has no legacy cipher layer for TLS: each TLS 1.2 record goes through"
        echo "\`psa_aead_decrypt\`, which copies the record into a buffer it allocates and"
        echo "out again and wipes both (calloc, memcpy, \`mbedtls_zeroize_and_free\`, counted"
        echo "with AES-GCM here); 3.6 and 4.0 also copy each 4 KB input of a PSA hash"
        echo "update (counted with SHA-256)."
    fi
    echo "Every build negotiated TLS 1.2 with ECDHE-ECDSA-AES128-GCM-SHA256, because the"
    echo "nginx offers curl and otter only that; 3.6 and 4.0 would take TLS 1.3"
    echo "(TLS_AES_128_GCM_SHA256) from a server that offers it, whose records go through"
    echo "the same AES-GCM code (not measured separately). The rest of the gap is as in §1:"
    echo "OpenSSL's stitched AES-NI + PCLMULQDQ assembly ($(split_of curl_libcrypto) per byte) against"
    echo "mbedTLS's block-at-a-time GCM, SHA-256 in portable C in every mbedTLS (mbedTLS"
    echo "has no x86 SHA-NI code; $(fnpb "$t1" mbedtls_internal_sha256_process) per byte in its block function against"
    echo "sha256sum's $(split_of sha256sum)), and the simulator's byte-wise flash ($(ver_get "$t1" ipb_flashsim))."
    echo
}

# fnpb TAG FUNCTION: FUNCTION's own instructions per byte, marginal ("0" if
# below 0.5).
fnpb() {
    # "0x": the sum of the unnamed functions (stripped static helpers).
    v=$(awk -v f="$2" '$2 == f || (f == "0x" && $2 ~ /^0x/) { s += $1; n++ } END { if (n) printf "%.2f", s }' "$W/ver/$1/cg-fn.txt" 2>/dev/null)
    echo "${v:-0}"
}

# ver_summary: one line under the summary table.
ver_summary() {
    s=""
    for t in $tags; do
        s="$s${s:+; }$(ver_get "$t" version): $(ver_get "$t" worst)× curl, $(ver_get "$t" ipb_cipher) + $(ver_get "$t" ipb_sha256) instr/byte AES-GCM + SHA-256, $(ver_get "$t" ipb_out) outside crypto, $(ver_get "$t" ram) B RAM excl. records"
    done
    echo "Per mbedTLS version (§7): $s." >"$W/versions-summary.md"
}
