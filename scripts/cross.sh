#!/bin/sh
# Build the portable core freestanding for microcontroller targets and check
# that it stays portable:
#   - only gcc's freestanding headers plus <string.h> (scripts/freestanding/,
#     which declares mem* / str* only) can be included;
#   - the objects call nothing but mem* / str* and integer libgcc helpers
#     (no malloc, no stdio, no OS, no floating point);
#   - no object has mutable static storage (.data / .bss must be 0: the core
#     keeps no globals, contexts are owned by the caller).
# Usage: scripts/cross.sh arm-m4|rv32|xtensa|all [OUTDIR]
# Prints one line per target (files, .text/.data/.bss totals in bytes) and
# writes OUTDIR/<target>/size.tsv: module, text, data, bss (text is code plus
# read-only data, as `size` counts it: what goes into flash).
set -eu
cd "$(dirname "$0")/.."
which="${1:-arm-m4}"
out="${2:-build-cross}"
# core_files: the portable core's sources (scripts/core-files.sh).
. scripts/core-files.sh
ALLOWED_UNDEF='^(memcpy|memset|memmove|memcmp|memchr|strlen|strnlen|strcmp|strncmp|strchr|strrchr|strstr|__aeabi_(uidiv|idiv|uidivmod|idivmod|uldivmod|ldivmod|llsl|llsr|lasr|lmul|lcmp|ulcmp|memcpy[48]?|memmove[48]?|memset[48]?|memclr[48]?)|__(u?(div|mod|mul|cmp)|ashl|ashr|lshr|neg|bswap|clz|ctz|ffs|popcount|parity)[sdt]i[23])$'

# The TLS glue and crypto shim (the files the core check above leaves out)
# against mbedTLS 3.6's headers, with the target's C library: they are not
# freestanding (mbedTLS's headers include <stdio.h>, <time.h>), so they build
# only where Debian ships a C library for the target (newlib for Cortex-M4,
# picolibc for RV32IMC; none for Xtensa lx106, which is said and skipped).
# Their objects go to $dir/glue/, outside the core's size table.
glue_files() {
    gname="$1"; gcc_="$2"; shift 2
    files=$(for f in src/*.c src/*/*.c; do [ -f "$f" ] && echo "$f"; done | grep -Fxv "$(core_files)" || true)
    [ -z "$files" ] && return 0
    if ! prefix=$(scripts/mbedtls.sh 3.6 2>/dev/null); then
        echo "cross $gname: TLS glue skipped: mbedTLS 3.6 sources not found (set OTTER_DEPS)"
        return 0
    fi
    libc=""
    case "$gname" in
        rv32imc) libc="--specs=picolibc.specs" ;;
        xtensa) echo "cross $gname: TLS glue skipped: Debian's gcc-xtensa-lx106 has no C library for mbedTLS's headers"; return 0 ;;
    esac
    mkdir -p "$dir/glue"
    for f in $files; do
        o="$dir/glue/$(basename "$f" .c).o"
        if ! "$gcc_" "$@" $libc -std=c11 -Os -ffunction-sections -fdata-sections -Wall -Wextra -Werror \
            -Iinclude -Isrc -isystem "$prefix/include" -c "$f" -o "$o"; then
            echo "cross: $gname: $f does not build against mbedTLS 3.6's headers" >&2
            return 1
        fi
    done
    gsize="${gcc_%gcc}size"
    echo "cross $gname: TLS glue against mbedTLS 3.6: $(echo "$files" | wc -l) files, text/data/bss:" \
         "$("$gsize" -t "$dir"/glue/*.o | tail -1 | awk '{print $1"/"$2"/"$3}') bytes"
}

build_target() {
    name="$1"; pkg="$2"; cc="$3"; shift 3
    if ! command -v "$cc" >/dev/null 2>&1; then
        echo "cross: $cc not found; install it with: apt-get install -y $pkg" >&2
        return 1
    fi
    gccinc=$("$cc" -print-file-name=include)
    dir="$out/$name"; rm -rf "$dir"; mkdir -p "$dir"
    for f in $(core_files); do
        o="$dir/$(basename "$f" .c).o"
        if ! "$cc" "$@" -std=c11 -Os -ffreestanding -ffunction-sections -fdata-sections \
            -nostdinc -isystem "$gccinc" -isystem "$gccinc-fixed" -isystem scripts/freestanding \
            -Wall -Wextra -Werror -pedantic -Iinclude -Isrc -c "$f" -o "$o"; then
            echo "cross: $name: $f does not build freestanding (the core may include only" >&2
            echo "       <stddef.h> <stdint.h> <stdbool.h> <limits.h> <stdarg.h> and <string.h>)" >&2
            return 1
        fi
    done
    nm_tool="${cc%gcc}nm"; size_tool="${cc%gcc}size"
    # Calls between core files are fine: drop every symbol some core object
    # defines, and every function the crypto shim and the TLS layer declare
    # (their backend is the platform's: mbedTLS or the chip's hash hardware).
    "$nm_tool" --defined-only "$dir"/*.o | awk 'NF==3 {print $3}' | sort -u > "$dir/defined.txt"
    grep -ohE 'otter_[A-Za-z0-9_]+[[:space:]]*\(' include/otter/crypto.h include/otter/tls*.h | tr -d '( \t' | sort -u >>"$dir/defined.txt"
    bad=$("$nm_tool" -u "$dir"/*.o | awk 'NF==2 {print $2} NF==1 {print $1}' | grep -v ':$' | sort -u \
        | grep -Fxv -f "$dir/defined.txt" | grep -Ev "$ALLOWED_UNDEF" || true)
    if [ -n "$bad" ]; then
        echo "cross: $name: the core calls functions a freestanding build does not have:" >&2
        echo "$bad" | sed 's/^/  /' >&2
        echo "  (only mem*/str* and integer libgcc helpers are allowed)" >&2
        return 1
    fi
    # No mutable static storage anywhere in the core.
    globals=$("$nm_tool" -S "$dir"/*.o | awk '/:$/ {f=$1} NF==4 && $3 ~ /^[dDbBcC]$/ {print "  " f " " $4}' || true)
    if [ -n "$globals" ]; then
        echo "cross: $name: the core has mutable static storage (.data/.bss), which it must not:" >&2
        echo "$globals" >&2
        return 1
    fi
    glue_files "$name" "$cc" "$@" || return 1
    "$size_tool" -t "$dir"/*.o > "$dir/size.txt"
    awk 'NR > 1 && $6 !~ /TOTALS/ { n = $6; sub(".*/", "", n); sub("\\.o$", "", n); print n "\t" $1 "\t" $2 "\t" $3 }' \
        "$dir/size.txt" > "$dir/size.tsv"
    tot=$(tail -1 "$dir/size.txt")
    echo "cross $name: $(ls "$dir"/*.o | wc -l) files, text/data/bss: $(echo "$tot" | awk '{print $1"/"$2"/"$3}') bytes"
}

rc=0
case "$which" in
    arm-m4|all) build_target arm-m4 gcc-arm-none-eabi arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb || rc=1 ;;
esac
case "$which" in
    rv32|all) build_target rv32imc gcc-riscv64-unknown-elf riscv64-unknown-elf-gcc -march=rv32imc_zicsr -mabi=ilp32 || rc=1 ;;
esac
case "$which" in
    xtensa|all) build_target xtensa gcc-xtensa-lx106 xtensa-lx106-elf-gcc -mlongcalls || rc=1 ;;
esac
case "$which" in
    arm-m4|rv32|xtensa|all) ;;
    *) echo "usage: scripts/cross.sh arm-m4|rv32|xtensa|all [OUTDIR]" >&2; rc=2 ;;
esac
exit $rc
