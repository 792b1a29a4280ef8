/* The update journal: exact header bytes, progress counting, torn writes.
 * Flash here is the strict NOR model in RAM (tests/support/ramflash.h) with
 * a "torn" program that clears only some of its bits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "otter/bytes.h"
#include "crc32.h"
#include "otter/error.h"
#include "ramflash.h"
#include "update_journal.h"

#define RAM_SIZE (64 * 1024)
#define SECTOR 4096u

/* The RAM flash (tests/support/ramflash.h), sector erase only, plus the one
 * fault particular to these tests: a program that "succeeds" but leaves the
 * high nibble of every byte uncleared, so the torn bytes are known exactly
 * (the simulator's power cut tears at random and loses power). */
struct tearflash {
    ramflash_t rf;
    int tear_next; /* 1: the next program clears only the lower half of its bits */
};

static int tf_program(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    struct tearflash *t = ctx;
    uint8_t torn[OTTER_JOURNAL_HEADER_SIZE];
    if (t->tear_next) {
        if (len > sizeof torn)
            return OTTER_ERR_INVAL; /* the tests tear headers and marks only */
        for (size_t i = 0; i < len; i++)
            torn[i] = (uint8_t)(((const uint8_t *)buf)[i] | 0xF0); /* the high bits never got cleared */
        buf = torn;
    }
    t->tear_next = 0;
    return t->rf.flash.program(t->rf.flash.ctx, addr, buf, len);
}

static int tf_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    struct tearflash *t = ctx;
    return t->rf.flash.read(t->rf.flash.ctx, addr, buf, len);
}

static int tf_erase(void *ctx, uint32_t addr, size_t len)
{
    struct tearflash *t = ctx;
    return t->rf.flash.erase(t->rf.flash.ctx, addr, len);
}

static struct tearflash g_rf; /* test fixture only */

static otter_flash_t ram_flash(void)
{
    otter_norsim_options_t o = ramflash_sector_only();
    ramflash_close(&g_rf.rf);
    assert_int_equal(ramflash_open(&g_rf.rf, NULL, RAM_SIZE, 0x5A, &o), 0); /* not erased: garbage */
    g_rf.tear_next = 0;
    otter_flash_t f = g_rf.rf.flash;
    f.read = tf_read;
    f.program = tf_program;
    f.erase = tf_erase;
    f.ctx = &g_rf;
    return f;
}

/* A journal for a 40,000-byte file in a 64 KB "slot" starting at 0. */
static otter_journal_t sample(void)
{
    otter_journal_t j;
    memset(&j, 0, sizeof j);
    j.sector_size = SECTOR;
    j.slot_addr = 0;
    j.addr = otter_journal_addr(0, RAM_SIZE, SECTOR);
    j.total = 40000;
    for (int i = 0; i < 32; i++)
        j.url_hash[i] = (uint8_t)i;
    j.validator_kind = OTTER_JOURNAL_VALIDATOR_ETAG;
    strcpy(j.validator, "\"5f3c-1812b0\"");
    j.validator_len = (uint8_t)strlen(j.validator);
    return j;
}

static void test_geometry(void **state)
{
    (void)state;
    assert_int_equal(otter_journal_capacity(4096), 3840);
    assert_int_equal(otter_journal_addr(0x10000, 0x1E0000, 4096), 0x1EF000);
}

static void test_header_bytes(void **state)
{
    (void)state;
    otter_journal_t j = sample();
    uint8_t h[OTTER_JOURNAL_HEADER_SIZE];
    otter_journal_encode(&j, h);
    static const uint8_t head[24] = {'O', 'T', 'J', '1', 1,    1,    13, 0xFF, 0x00, 0x10, 0, 0,
                                     0,   0,   0,   0,   0x40, 0x9C, 0,  0,    0,    1,    2, 3};
    assert_memory_equal(h, head, sizeof head);
    assert_memory_equal(h + 52, "\"5f3c-1812b0\"\0\0", 15);
    assert_int_equal(h[122], 0xFF);
    assert_int_equal(h[123], 0xFF);
    assert_int_equal(otter_le32(h + 124), otter_crc32_le(0, h, 124));
}

static void test_roundtrip_and_progress(void **state)
{
    (void)state;
    otter_flash_t f = ram_flash();
    otter_journal_t j = sample();
    uint8_t buf[64];
    /* Garbage where the journal would be: no journal. */
    assert_int_equal(otter_journal_load(&f, &j, buf, sizeof buf), OTTER_ERR_UPD_JOURNAL);
    assert_int_equal(otter_journal_erase(&f, &j), 0);
    assert_int_equal(otter_journal_load(&f, &j, buf, sizeof buf), OTTER_ERR_UPD_JOURNAL);
    j = sample();
    assert_int_equal(otter_journal_write_header(&f, &j), 0);

    otter_journal_t r;
    memset(&r, 0, sizeof r);
    r.addr = j.addr;
    r.sector_size = SECTOR;
    assert_int_equal(otter_journal_load(&f, &r, buf, sizeof buf), 0);
    assert_int_equal(r.total, 40000);
    assert_int_equal(r.slot_addr, 0);
    assert_memory_equal(r.url_hash, j.url_hash, 32);
    assert_string_equal(r.validator, "\"5f3c-1812b0\"");
    assert_int_equal(r.validator_kind, OTTER_JOURNAL_VALIDATOR_ETAG);
    assert_int_equal(r.sectors_done, 0);
    assert_int_equal(otter_journal_bytes_done(&r), 0);

    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(otter_journal_mark_sector(&f, &j, i), 0);
    assert_int_equal(otter_journal_load(&f, &r, buf, sizeof buf), 0);
    assert_int_equal(r.sectors_done, 3);
    assert_int_equal(otter_journal_bytes_done(&r), 3 * SECTOR);

    /* The file has 10 sectors (40,000 bytes): all done caps at total. */
    for (uint32_t i = 3; i < 10; i++)
        assert_int_equal(otter_journal_mark_sector(&f, &j, i), 0);
    assert_int_equal(otter_journal_load(&f, &r, buf, sizeof buf), 0);
    assert_int_equal(r.sectors_done, 10);
    assert_int_equal(otter_journal_bytes_done(&r), 40000);
    assert_int_equal(r.complete, 0);
    assert_int_equal(otter_journal_mark_complete(&f, &j), 0);
    assert_int_equal(otter_journal_load(&f, &r, buf, sizeof buf), 0);
    assert_int_equal(r.complete, 1);
    assert_int_equal(r.abandoned, 0);
    assert_int_equal(otter_journal_mark_abandoned(&f, &j), 0);
    assert_int_equal(otter_journal_load(&f, &r, buf, sizeof buf), 0);
    assert_int_equal(r.abandoned, 1);
    /* Marking twice is a program over programmed bytes: the strict flash
     * refuses it, so the engine must never do it. */
    assert_int_equal(otter_journal_mark_sector(&f, &j, 0), OTTER_ERR_FLASH_NOT_ERASED);
    assert_int_equal(otter_journal_mark_sector(&f, &j, 3840), OTTER_ERR_INVAL);
}

static void test_torn_writes(void **state)
{
    (void)state;
    otter_flash_t f = ram_flash();
    otter_journal_t j = sample();
    uint8_t buf[64];
    otter_journal_t r;
    memset(&r, 0, sizeof r);
    r.addr = j.addr;
    r.sector_size = SECTOR;
    assert_int_equal(otter_journal_erase(&f, &j), 0);
    /* Torn header program: CRC catches it. */
    g_rf.tear_next = 1;
    assert_int_equal(otter_journal_write_header(&f, &j), 0);
    assert_int_equal(otter_journal_load(&f, &r, buf, sizeof buf), OTTER_ERR_UPD_JOURNAL);
    assert_int_equal(otter_journal_erase(&f, &j), 0);
    assert_int_equal(otter_journal_write_header(&f, &j), 0);
    assert_int_equal(otter_journal_mark_sector(&f, &j, 0), 0);
    /* Torn progress byte (0xF0): the sector's data was programmed before
     * its byte, so it counts as done; the next 0xFF ends the count. */
    g_rf.tear_next = 1;
    assert_int_equal(otter_journal_mark_sector(&f, &j, 1), 0);
    assert_int_equal(otter_journal_load(&f, &r, buf, sizeof buf), 0);
    assert_int_equal(r.sectors_done, 2);
    assert_int_equal(otter_journal_mark_sector(&f, &j, 3), 0); /* a gap: sector 2 not done */
    assert_int_equal(otter_journal_load(&f, &r, buf, sizeof buf), 0);
    assert_int_equal(r.sectors_done, 2);
    /* Torn complete marker: set (it is written after the switch). */
    assert_int_equal(r.complete, 0);
    g_rf.tear_next = 1;
    assert_int_equal(otter_journal_mark_complete(&f, &j), 0);
    assert_int_equal(otter_journal_load(&f, &r, buf, sizeof buf), 0);
    assert_int_equal(r.complete, 1);
}

static void test_bad_headers(void **state)
{
    (void)state;
    otter_flash_t f = ram_flash();
    uint8_t buf[64];
    otter_journal_t r;
    struct {
        size_t off;
        uint8_t val;
    } cases[] = {{0, 'X'}, {4, 2}, {9, 0x20}, {6, 71}, {5, 3}, {30, 0}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        otter_journal_t j = sample();
        uint8_t h[OTTER_JOURNAL_HEADER_SIZE];
        otter_journal_encode(&j, h);
        h[cases[c].off] = cases[c].val;
        otter_put_le32(h + 124, otter_crc32_le(0, h, 124)); /* CRC fixed: the field check must catch it */
        if (cases[c].off == 30)
            h[124] ^= 1; /* except here: only the CRC is wrong */
        assert_int_equal(otter_journal_erase(&f, &j), 0);
        assert_int_equal(f.program(f.ctx, j.addr, h, sizeof h), 0);
        memset(&r, 0, sizeof r);
        r.addr = j.addr;
        r.sector_size = SECTOR;
        assert_int_equal(otter_journal_load(&f, &r, buf, sizeof buf), OTTER_ERR_UPD_JOURNAL);
    }
    /* A total that would run into the journal sector itself. */
    otter_journal_t j = sample();
    j.total = RAM_SIZE - SECTOR + 1;
    assert_int_equal(otter_journal_erase(&f, &j), 0);
    assert_int_equal(otter_journal_write_header(&f, &j), 0);
    memset(&r, 0, sizeof r);
    r.addr = j.addr;
    r.sector_size = SECTOR;
    assert_int_equal(otter_journal_load(&f, &r, buf, sizeof buf), OTTER_ERR_UPD_JOURNAL);
    assert_int_equal(otter_journal_load(&f, &r, buf, 8), OTTER_ERR_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geometry),
        cmocka_unit_test(test_header_bytes),
        cmocka_unit_test(test_roundtrip_and_progress),
        cmocka_unit_test(test_torn_writes),
        cmocka_unit_test(test_bad_headers),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    ramflash_close(&g_rf.rf);
    return failed;
}
