#!/bin/sh
# A device's otter_ptable_t holds OTTER_PT_MAX_ENTRIES rows (12 by default;
# the host build uses 95). otter_ptable_read() of a larger table keeps the
# app slots and otadata only, after validating every row from flash. The same
# program, built with room for 5 rows and for 95, must give the same verdict
# on every table (bad rows among the dropped ones included), and the small
# build must keep exactly the update rows and refuse to write the table back.
. "${OTTER_SRC:?}/tests/support/core_cc.sh"
cat >"$T/pt.c" <<'C'
#include <stdio.h>
#include <string.h>
#include "otter/bytes.h"
#include "otter/crypto.h"
#include "otter/host/partition.h"
#include "otter/partition.h"

static uint8_t mem[0x400000];
static int rd(void *ctx, uint32_t a, void *b, size_t n) { (void)ctx; memcpy(b, mem + a, n); return 0; }
static int pg(void *ctx, uint32_t a, const void *b, size_t n) { (void)ctx; memcpy(mem + a, b, n); return 0; }
static int er(void *ctx, uint32_t a, size_t n) { (void)ctx; memset(mem + a, 0xFF, n); return 0; }
static const otter_flash_t fl = {.read = rd, .program = pg, .erase = er, .size = sizeof mem, .sector_size = 4096,
                                 .erased_value = 0xFF};

struct row { const char *label; uint8_t type, sub; uint32_t off, size; };
/* rows at 0x8000, then the MD5 row (damaged when bad_md5) */
static void put(const struct row *r, size_t n, int bad_md5)
{
    uint8_t *t = mem + OTTER_PT_OFFSET;
    memset(t, 0xFF, 0xC00);
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = t + 32 * i;
        memset(p, 0, 32);
        otter_put_le16(p, 0x50AA);
        p[2] = r[i].type, p[3] = r[i].sub;
        otter_put_le32(p + 4, r[i].off);
        otter_put_le32(p + 8, r[i].size);
        memcpy(p + 12, r[i].label, strlen(r[i].label));
    }
    uint8_t *m = t + 32 * n;
    otter_put_le16(m, 0xEBEB);
    otter_md5(t, 32 * n, m + 16);
    m[16] ^= (uint8_t)bad_md5;
}

#define BASE \
    {"nvs", 1, 2, 0x9000, 0x4000}, {"otadata", 1, 0, 0xd000, 0x2000}, {"phy_init", 1, 1, 0xf000, 0x1000}, \
    {"factory", 0, 0, 0x10000, 0x100000}, {"ota_0", 0, 0x10, 0x110000, 0x100000}, \
    {"ota_1", 0, 0x11, 0x210000, 0x100000}, {"coredump", 1, 3, 0x310000, 0x10000}, \
    {"nvs_b", 1, 2, 0x320000, 0x4000}
static const struct row good[] = {BASE, {"spiffs", 1, 0x82, 0x330000, 0x10000}, {"fat", 1, 0x81, 0x340000, 0x10000}};
static const struct row overlap[] = {BASE, {"spiffs", 1, 0x82, 0x330000, 0x10000}, {"fat", 1, 0x81, 0x338000, 0x10000}};
static const struct row dup[] = {BASE, {"spiffs", 1, 0x82, 0x330000, 0x10000}, {"nvs", 1, 0x81, 0x340000, 0x10000}};
static const struct row align[] = {BASE, {"spiffs", 1, 0x82, 0x330002, 0x10000}};
static const struct row bounds[] = {BASE, {"spiffs", 1, 0x82, 0x3f0000, 0x20000}};
static const struct row zero[] = {BASE, {"spiffs", 1, 0x82, 0x330000, 0}};
static const struct row gap[] = {BASE, {"ota_3", 0, 0x13, 0x350000, 0x10000}};
static const struct row dup_ota[] = {BASE, {"ota_1b", 0, 0x11, 0x350000, 0x10000}};
static const struct row low[] = {BASE, {"early", 1, 0x82, 0x8800, 0x100}};
static const struct row apps[] = {{"otadata", 1, 0, 0xd000, 0x2000}, {"factory", 0, 0, 0x10000, 0x10000},
    {"ota_0", 0, 0x10, 0x20000, 0x10000}, {"ota_1", 0, 0x11, 0x30000, 0x10000}, {"test", 0, 0x20, 0x40000, 0x10000},
    {"ota_2", 0, 0x12, 0x50000, 0x10000},
    {"nvs", 1, 2, 0x9000, 0x4000}};
static const struct row data_only[] = {{"nvs", 1, 2, 0x9000, 0x4000}, {"phy", 1, 1, 0xf000, 0x1000},
    {"a", 1, 0x82, 0x10000, 0x1000}, {"b", 1, 0x82, 0x20000, 0x1000}, {"c", 1, 0x82, 0x30000, 0x1000},
    {"d", 1, 0x82, 0x40000, 0x1000}};

static otter_ptable_t pt;
#define CASE(name, rows, bad)                                                                 \
    do {                                                                                      \
        put(rows, sizeof rows / sizeof rows[0], bad);                                        \
        printf("%s %s\n", name, otter_errname(otter_ptable_read(&pt, &fl)));                 \
    } while (0)

int main(void)
{
    CASE("good", good, 0);
    CASE("bad-md5", good, 1);
    CASE("overlap-among-dropped", overlap, 0);
    CASE("dup-label-among-dropped", dup, 0);
    CASE("misaligned-dropped", align, 0);
    CASE("dropped-past-flash", bounds, 0);
    CASE("dropped-size-0", zero, 0);
    CASE("ota-gap", gap, 0);
    CASE("dup-ota", dup_ota, 0);
    CASE("dropped-over-the-table", low, 0);
    CASE("apps", apps, 0);
    CASE("data-only", data_only, 0);
    /* the kept rows of the good table */
    put(good, sizeof good / sizeof good[0], 0);
    int r = otter_ptable_read(&pt, &fl);
    uint8_t out[0xC00];
    printf("kept count=%u dropped=%u ota=%u r=%d\n", (unsigned)pt.count, (unsigned)pt.dropped,
           otter_ptable_ota_count(&pt), r);
    printf("lookups otadata=%s factory=%s ota_1=%s nvs=%s\n", otter_ptable_otadata(&pt) ? "yes" : "no",
           otter_ptable_app(&pt, 0) ? "yes" : "no", otter_ptable_app(&pt, 0x11) ? "yes" : "no",
           otter_ptable_find_label(&pt, "nvs") ? "yes" : "no");
    printf("serialise %s write %s\n", otter_errname(otter_ptable_serialise(&pt, out, sizeof out)),
           otter_errname(otter_ptable_write(&pt, &fl)));
    return 0;
}
C
build() { # CAP
    mkdir "$T/c$1"
    for f in "$SRC"/src/*.c "$SRC"/src/mbedtls/*.c "$T/pt.c"; do echo "$f"; done |
        xargs -P 2 -I{} sh -c 'o="$1/c$5/$(echo "$2" | tr / _).o"; cc -std=c11 -O1 -DOTTER_PT_MAX_ENTRIES=$5 \
            -I"$3/include" -I"$3/src" $4 -c "$2" -o "$o"' _ "$T" {} "$SRC" "$inc" "$1"
    # shellcheck disable=SC2086
    cc "$T/c$1"/*.o $link -o "$T/pt$1"
    "$T/pt$1" >"$T/out$1"
}
build 5
build 95
fails=0
check() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL: $1: got '$2', want '$3'"; fails=$((fails + 1)); fi
}
# every verdict as the whole table gives it (apps: 5 app rows + otadata do not fit in 5)
grep -v '^kept\|^lookups\|^serialise\|^apps\|^data-only' "$T/out5" >"$T/v4"
grep -v '^kept\|^lookups\|^serialise\|^apps\|^data-only' "$T/out95" >"$T/v95"
if cmp -s "$T/v4" "$T/v95"; then echo "ok: same verdicts with 5 rows of room as with 95"; else
    echo "FAIL: verdicts differ"; diff "$T/v4" "$T/v95" || true; fails=$((fails + 1)); fi
cat "$T/v95"
check "the verdicts are the checks'" "$(tr '\n' ' ' <"$T/v95")" \
    "good OK bad-md5 PT_MD5 overlap-among-dropped PT_OVERLAP dup-label-among-dropped PT_DUP_LABEL misaligned-dropped PT_ALIGN dropped-past-flash PT_BOUNDS dropped-size-0 PT_FIELD ota-gap PT_OTA_GAP dup-ota PT_DUP_TYPE dropped-over-the-table PT_OVERLAP "
check "update rows that do not fit" "$(grep '^apps' "$T/out5")" "apps PT_TOO_MANY"
check "a larger table without app rows nor otadata" "$(grep '^data-only' "$T/out5")" "data-only PT_NOT_FOUND"
check "the same table with room" "$(grep '^data-only' "$T/out95")" "data-only OK"
check "kept rows" "$(grep '^kept' "$T/out5")" "kept count=4 dropped=6 ota=2 r=0"
check "lookups" "$(grep '^lookups' "$T/out5")" "lookups otadata=yes factory=yes ota_1=yes nvs=no"
check "no writing back a partial table" "$(grep '^serialise' "$T/out5")" "serialise PT_TOO_MANY write PT_TOO_MANY"
check "the whole table with room" "$(grep '^kept' "$T/out95")" "kept count=10 dropped=0 ota=2 r=0"
[ "$fails" -eq 0 ]
