#!/bin/sh
# Names-only errors (OTTER_ERROR_TEXTS=0, CMake -DOTTER_ERROR_TEXTS=OFF): the
# core built that way gives names from otter_strerror(), and
# bench/fw_main.c (the update path, with otter_update_diagnose()) linked
# with --gc-sections keeps no explanation text; otter_error_text() (the
# otter_explain library) still gives the words to what asks for them.
command -v strings >/dev/null || { echo "skip: strings not found"; exit 77; }
. "${OTTER_SRC:?}/tests/support/core_cc.sh"
cat >"$T/names.c" <<'C'
#include <stdio.h>
#include "otter/error.h"
int main(void)
{
    printf("%s|%s|%s\n", otter_strerror(OTTER_ERR_HTTP_STATUS), otter_errname(OTTER_ERR_HTTP_STATUS),
           otter_strerror(-9999));
    return 0;
}
C
cat >"$T/texts.c" <<'C'
#include <stdio.h>
#include "otter/error.h"
int main(void)
{
    printf("%s|%s\n", otter_error_text(OTTER_ERR_HTTP_STATUS), otter_strerror(OTTER_ERR_HTTP_STATUS));
    return 0;
}
C
cat >"$T/fw.c" <<'C'
#include <stddef.h>
#include <stdint.h>
#include "otter/tls.h"
#include "otter/update.h"
int fw_main(const otter_flash_t *flash, const otter_transport_t *tcp, const otter_clock_t *clock,
            otter_entropy_fn entropy, uint8_t running_slot, const char *url);
const char *fw_diagnose(const otter_update_t *up, char *why, size_t why_len);
int main(int argc, char **argv)
{
    /* never run with these arguments: only linked (with the diagnosis) */
    if (argc > 6)
        return fw_diagnose(NULL, argv[1], 2) != NULL;
    return argc > 5 ? fw_main(NULL, NULL, NULL, NULL, (uint8_t)argc, argv[1]) : 0;
}
C
mkdir "$T/core"
for f in "$SRC"/src/*.c "$SRC"/src/mbedtls/*.c "$SRC/bench/fw_main.c"; do echo "$f"; done |
    xargs -P 2 -I{} sh -c 'o="$1/core/$(echo "$2" | tr / _).o"; cc -std=c11 -Os -ffunction-sections -fdata-sections \
        -DOTTER_ERROR_TEXTS=0 -I"$3/include" -I"$3/src" $4 -c "$2" -o "$o"' _ "$T" {} "$SRC" "$inc"
ar rcs "$T/libcore.a" "$T"/core/*.o
fails=0
check() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL: $1: got '$2', want '$3'"; fails=$((fails + 1)); fi
}
cc -std=c11 -I"$SRC/include" "$T/names.c" "$T/libcore.a" -o "$T/names"
check "otter_strerror gives the name" "$("$T/names")" "HTTP_STATUS|HTTP_STATUS|UNKNOWN"
cc -std=c11 -I"$SRC/include" "$T/texts.c" "$T/libcore.a" -o "$T/texts"
check "otter_error_text keeps the words" "$("$T/texts")" "unexpected HTTP status|HTTP_STATUS"
cc -std=c11 -Os -ffunction-sections -I"$SRC/include" -c "$T/fw.c" -o "$T/fw.o"
# shellcheck disable=SC2086
cc -Wl,--gc-sections "$T/fw.o" "$T/libcore.a" $link -o "$T/fw"
nm "$T/fw" | awk '{ print $NF }' >"$T/syms"
grep -qx otter_update_step "$T/syms" || { echo "FAIL: the update engine is not linked"; fails=$((fails + 1)); }
grep -qx otter_update_diagnose "$T/syms" || { echo "FAIL: the diagnosis is not linked"; fails=$((fails + 1)); }
# texts the update path would print if otter_strerror() had them
for w in "unexpected HTTP status" "flash program over bytes that are not erased" "image is for another project"; do
    if strings "$T/fw" | grep -qF "$w"; then
        echo "FAIL: the names-only firmware holds the text '$w'"
        fails=$((fails + 1))
    else
        echo "ok: no '$w' in the names-only firmware"
    fi
done
if grep -qx otter_error_text "$T/syms"; then
    echo "FAIL: the names-only update path links otter_error_text"
    fails=$((fails + 1))
fi
[ "$fails" -eq 0 ]
