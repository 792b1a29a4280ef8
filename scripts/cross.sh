#!/bin/sh
# Build the portable core freestanding for microcontroller targets and check
# that it needs nothing but the C library's memory/string functions (no malloc,
# no stdio, no OS). Usage: scripts/cross.sh arm-m4|rv32|xtensa|all [OUTDIR]
# Prints one line per target: files, .text/.data/.bss totals.
set -eu
cd "$(dirname "$0")/.."
which="${1:-arm-m4}"
out="${2:-build-cross}"
# The mbedTLS backends (crypto shim backend, TLS) are excluded: on a device
# they are the platform's mbedTLS build, not otter's code.
core_files() {
    for f in src/*.c; do
        grep -q '#include <mbedtls/' "$f" && continue
        echo "$f"
    done
}
ALLOWED_UNDEF='^(memcpy|memset|memmove|memcmp|strlen|strncmp|strcmp|strchr|strrchr|strnlen|__aeabi_.*|__udivdi3|__umoddi3|__divdi3|__moddi3|__ashldi3|__lshrdi3|__mulsi3|__udivsi3|__umodsi3|__divsi3|__modsi3|__popcountsi2|__clzsi2|__ctzsi2|__bswapsi2)$'
build_target() {
    name="$1"; cc="$2"; shift 2
    if ! command -v "$cc" >/dev/null 2>&1; then
        echo "cross: $cc not found; install it with: apt-get install -y $pkg" >&2
        return 1
    fi
    dir="$out/$name"; rm -rf "$dir"; mkdir -p "$dir"
    for f in $(core_files); do
        o="$dir/$(basename "$f" .c).o"
        "$cc" "$@" -std=c11 -Os -ffreestanding -ffunction-sections -fdata-sections \
            -Wall -Wextra -Werror -pedantic -Iinclude -Isrc -c "$f" -o "$o"
    done
    nm_tool="${cc%gcc}nm"; size_tool="${cc%gcc}size"
    # Calls between core files are fine: drop every symbol some core object
    # defines, and the crypto shim (its backend is the platform's).
    "$nm_tool" --defined-only "$dir"/*.o | awk 'NF==3 {print $3}' | sort -u > "$dir/defined.txt"
    bad=$("$nm_tool" -u "$dir"/*.o | awk 'NF==2 {print $2} NF==1 {print $1}' | grep -v ':$' | sort -u \
        | grep -Fxv -f "$dir/defined.txt" | grep -Ev '^otter_(sha256|md5)(_[a-z]+)?$' | grep -Ev "$ALLOWED_UNDEF" || true)
    if [ -n "$bad" ]; then
        echo "cross: $name: the core calls functions a freestanding build does not have:" >&2
        echo "$bad" >&2
        return 1
    fi
    "$size_tool" -t "$dir"/*.o > "$dir/size.txt"
    tot=$(tail -1 "$dir/size.txt")
    echo "cross $name: $(ls "$dir"/*.o | wc -l) files, text/data/bss: $(echo "$tot" | awk '{print $1"/"$2"/"$3}') bytes"
}
rc=0
case "$which" in
    arm-m4|all) pkg=gcc-arm-none-eabi; build_target arm-m4 arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb || rc=1 ;;
esac
case "$which" in
    rv32|all) pkg=gcc-riscv64-unknown-elf; build_target rv32imc riscv64-unknown-elf-gcc -march=rv32imc_zicsr -mabi=ilp32 || rc=1 ;;
esac
case "$which" in
    xtensa|all) pkg=gcc-xtensa-lx106; build_target xtensa xtensa-lx106-elf-gcc -mlongcalls || rc=1 ;;
esac
exit $rc
