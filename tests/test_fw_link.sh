#!/bin/sh
# A firmware that updates itself does not link the bootloader's boot choice:
# bench/fw_main.c (the smallest such firmware) with a main that calls it,
# the core compiled with -ffunction-sections and linked with --gc-sections
# against this build's mbedTLS; nm must show the update engine and
# otter_boot_set_running (the running slot from the platform) and must not
# show otter_boot_select or otter_boot_peek.
command -v nm >/dev/null || { echo "skip: nm not found"; exit 77; }
. "${OTTER_SRC:?}/tests/support/core_cc.sh"
cat >"$T/main.c" <<'C'
#include <stddef.h>
#include <stdint.h>
#include "otter/tls.h"
#include "otter/update.h"
int fw_main(const otter_flash_t *flash, const otter_transport_t *tcp, const otter_clock_t *clock,
            otter_entropy_fn entropy, uint8_t running_slot, const char *url);
int main(int argc, char **argv)
{
    /* never run with these arguments: only linked */
    return argc > 5 ? fw_main(NULL, NULL, NULL, NULL, (uint8_t)argc, argv[1]) : 0;
}
C
for f in "$SRC"/src/*.c "$SRC"/src/mbedtls/*.c "$SRC/bench/fw_main.c" "$T/main.c"; do echo "$f"; done |
    xargs -P 2 -I{} sh -c 'o="$1/$(echo "$2" | tr / _).o"; cc -std=c11 -Os -ffunction-sections -fdata-sections \
        -I"$3/include" -I"$3/src" $4 -c "$2" -o "$o"' _ "$T" {} "$SRC" "$inc"
# shellcheck disable=SC2086
cc -Wl,--gc-sections "$T"/*.o $link -o "$T/fw"
nm "$T/fw" | awk '{ print $NF }' >"$T/syms"
fails=0
for s in fw_main otter_update_step otter_update_finish otter_boot_set_running otter_boot_mark_valid; do
    grep -qx "$s" "$T/syms" || { echo "FAIL: $s is not linked: the check would prove nothing"; fails=$((fails + 1)); }
done
for s in otter_boot_select otter_boot_peek; do
    if grep -qx "$s" "$T/syms"; then
        echo "FAIL: a firmware build links $s (the bootloader's boot choice)"
        fails=$((fails + 1))
    else
        echo "ok: $s is not linked into the firmware"
    fi
done
[ "$fails" -eq 0 ]
