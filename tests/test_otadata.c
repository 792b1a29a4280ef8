/* otadata: the real vectors (ota_data_initial.bin, Arduino's boot_app0.bin),
 * the CRC, validity and selection rules, the sequence number ESP-IDF picks,
 * and the exact bytes and flash operations of a write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otter/bytes.h"
#include "norsim.h"
#include "ramflash.h"
#include "otter/error.h"
#include "otter/host/partition.h"
#include "otter/otadata.h"
#include "otadata_priv.h"

static uint8_t *load_vector(const char *name, size_t *len)
{
    const char *dir = getenv("OTTER_VECTORS");
    char path[1024];
    snprintf(path, sizeof path, "%s/esp32/%s", dir ? dir : "tests/vectors", name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *buf = malloc(1 << 16);
    *len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

static void entry(otter_ota_entry_t *e, uint32_t seq, uint32_t state, int good_crc)
{
    memset(e, 0xFF, sizeof *e);
    e->seq = seq;
    e->state = state;
    e->crc = good_crc ? otter_ota_seq_crc(seq) : otter_ota_seq_crc(seq) ^ 1u;
}

static void test_crc_and_codec(void **state)
{
    (void)state;
    assert_int_equal(otter_ota_seq_crc(1), 0x4743989Au);
    assert_int_equal(otter_ota_seq_crc(0), 0xFFFFFFFFu);
    otter_ota_entry_t e, d;
    entry(&e, 0x01020304, OTTER_OTA_STATE_PENDING_VERIFY, 1);
    uint8_t raw[32];
    otter_ota_entry_encode(&e, raw);
    assert_int_equal(otter_le32(raw), 0x01020304);
    assert_int_equal(raw[4], 0xFF);
    assert_int_equal(raw[23], 0xFF);
    assert_int_equal(otter_le32(raw + 24), 1);
    assert_int_equal(otter_le32(raw + 28), otter_ota_seq_crc(0x01020304));
    otter_ota_entry_decode(&d, raw);
    assert_memory_equal(&d, &e, sizeof e);
    assert_string_equal(otter_ota_state_name(OTTER_OTA_STATE_ABORTED), "ABORTED");
    assert_string_equal(otter_ota_state_name(OTTER_OTA_STATE_UNDEFINED), "UNDEFINED");
    assert_null(otter_ota_state_name(7));
}

static void test_validity(void **state)
{
    (void)state;
    otter_ota_entry_t c[2];
    entry(&c[0], 3, OTTER_OTA_STATE_VALID, 1);
    entry(&c[1], 4, OTTER_OTA_STATE_NEW, 1);
    assert_int_equal(otter_otadata_select(c), 1); /* higher seq */
    entry(&c[1], 3, OTTER_OTA_STATE_VALID, 1);
    assert_int_equal(otter_otadata_select(c), 0); /* tie: copy 0 */
    entry(&c[1], 4, OTTER_OTA_STATE_ABORTED, 1);
    assert_int_equal(otter_otadata_select(c), 0);
    assert_true(otter_ota_entry_unusable(&c[1]));
    assert_true(otter_ota_entry_crc_ok(&c[1]));
    entry(&c[1], 4, OTTER_OTA_STATE_INVALID, 1);
    assert_int_equal(otter_otadata_select(c), 0);
    entry(&c[1], 4, OTTER_OTA_STATE_VALID, 0); /* CRC mismatch */
    assert_int_equal(otter_otadata_select(c), 0);
    assert_false(otter_ota_entry_unusable(&c[1])); /* ESP-IDF's "invalid" ignores the CRC */
    assert_false(otter_ota_entry_valid(&c[1]));
    memset(&c[0], 0xFF, sizeof c[0]);
    assert_int_equal(otter_otadata_select(c), -1);
    assert_true(otter_ota_entry_blank(&c[0]));
    entry(&c[1], 9, 0x12345678, 1); /* unknown state: valid, as the bootloader sees it */
    assert_int_equal(otter_otadata_select(c), 1);
}

/* ESP-IDF's loop, literally: while (seq > (slot+1)%n + i*n) i++. */
static uint32_t idf_next_seq(uint32_t seq, unsigned slot, unsigned n)
{
    uint32_t i = 0;
    while (seq > (slot + 1) % n + i * n)
        i++;
    return (slot + 1) % n + i * n;
}

static void test_next_seq(void **state)
{
    (void)state;
    otter_otadata_t od;
    memset(&od, 0, sizeof od);
    od.active = -1;
    assert_int_equal(otter_otadata_next_seq(&od, 1, 2), 2);
    assert_int_equal(otter_otadata_next_seq(&od, 0, 2), 1);
    od.active = 1;
    for (unsigned n = 1; n <= 16; n++)
        for (unsigned slot = 0; slot < n; slot++)
            for (uint32_t seq = 0; seq < 70; seq++) {
                entry(&od.copy[1], seq, OTTER_OTA_STATE_VALID, 1);
                uint32_t got = otter_otadata_next_seq(&od, slot, n);
                assert_int_equal(got, idf_next_seq(seq, slot, n));
                if (got != 0) /* maps onto the slot */
                    assert_int_equal((got - 1) % n, slot);
            }
    /* examples: running ota_0 at seq 1, switch to ota_1 (2 slots): seq 2 */
    entry(&od.copy[1], 1, OTTER_OTA_STATE_VALID, 1);
    assert_int_equal(otter_otadata_next_seq(&od, 1, 2), 2);
    assert_int_equal(otter_otadata_next_seq(&od, 0, 2), 1); /* same slot: same seq */
    entry(&od.copy[1], 2, OTTER_OTA_STATE_VALID, 1);
    assert_int_equal(otter_otadata_next_seq(&od, 0, 2), 3);
}

static void test_vectors(void **state)
{
    (void)state;
    size_t len;
    otter_ota_entry_t c[2];
    uint8_t *v = load_vector("esp32s3-idf4.4-ota_data_initial.bin", &len);
    assert_int_equal(len, 8192);
    otter_ota_entry_decode(&c[0], v);
    otter_ota_entry_decode(&c[1], v + 4096);
    assert_true(otter_ota_entry_blank(&c[0]) && otter_ota_entry_blank(&c[1]));
    assert_int_equal(otter_otadata_select(c), -1);
    free(v);
    v = load_vector("esp32c3-arduino-boot_app0.bin", &len);
    assert_int_equal(len, 8192);
    otter_ota_entry_decode(&c[0], v);
    otter_ota_entry_decode(&c[1], v + 4096);
    assert_int_equal(c[0].seq, 1);
    assert_int_equal(c[0].crc, 0x4743989A);
    assert_int_equal(c[0].state, OTTER_OTA_STATE_UNDEFINED);
    assert_int_equal(c[1].seq, 0);
    assert_int_equal(c[1].crc, 0xFFFFFFFF);
    assert_true(otter_ota_entry_valid(&c[0]) && otter_ota_entry_valid(&c[1]));
    assert_int_equal(otter_otadata_select(c), 0); /* seq 1 > seq 0: ota_0 */
    free(v);
}

/* A 64 KB simulated flash with an otadata partition at 0xd000. */
struct dev {
    ramflash_t rf; /* rf.sim: the simulator */
    otter_flash_t fl;
    otter_ptable_t pt;
};

static void dev_open(struct dev *d, const char *csv)
{
    assert_int_equal(ramflash_open(&d->rf, NULL, 0x40000, 0xFF, NULL), 0);
    d->fl = d->rf.flash;
    assert_int_equal(otter_ptable_parse_csv(&d->pt, csv, strlen(csv), 0x40000, NULL), 0);
}

static void dev_close(struct dev *d)
{
    ramflash_close(&d->rf);
}

static const char layout[] = "otadata,data,ota,0xd000,0x2000\nota_0,app,ota_0,0x10000,64K\nota_1,app,ota_1,,64K\n";

static void test_read_write(void **state)
{
    (void)state;
    struct dev d;
    dev_open(&d, layout);
    otter_otadata_t od;
    assert_int_equal(otter_otadata_read(&od, &d.fl, &d.pt), 0);
    assert_int_equal(od.offset, 0xd000);
    assert_int_equal(od.active, -1);
    assert_int_equal(otter_otadata_active_slot(&od, 2), -1);
    otter_norsim_stats_t st;
    otter_norsim_reset_stats(&d.rf.sim);
    /* nothing active: copy 0 gets seq slot+1 */
    assert_int_equal(otter_otadata_set_slot(&od, &d.fl, 1, 2, OTTER_OTA_STATE_NEW), 0);
    otter_norsim_stats(&d.rf.sim, &st);
    assert_int_equal(st.sector_erases, 1);
    assert_int_equal(st.programs, 3);
    const uint8_t *m = otter_norsim_data(&d.rf.sim);
    static const uint8_t want[32] = {2, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                     0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0x9A, 0x98, 0x43, 0x47};
    /* crc of 2 */
    uint8_t w[32];
    memcpy(w, want, 32);
    otter_put_le32(w + 28, otter_ota_seq_crc(2));
    assert_memory_equal(m + 0xd000, w, 32);
    assert_int_equal(od.active, 0);
    assert_int_equal(otter_otadata_active_slot(&od, 2), 1);
    /* next: copy 1, seq 3 -> slot 0; copy 0 untouched */
    uint8_t before[4096];
    memcpy(before, m + 0xd000, 4096);
    assert_int_equal(otter_otadata_set_slot(&od, &d.fl, 0, 2, OTTER_OTA_STATE_UNDEFINED), 0);
    assert_memory_equal(m + 0xd000, before, 4096);
    assert_int_equal(otter_le32(m + 0xe000), 3);
    assert_int_equal(otter_le32(m + 0xe000 + 24), 0xFFFFFFFF);
    otter_otadata_t od2;
    assert_int_equal(otter_otadata_read(&od2, &d.fl, &d.pt), 0);
    assert_int_equal(od2.active, 1);
    assert_int_equal(otter_otadata_active_slot(&od2, 2), 0);
    assert_int_equal(otter_otadata_set_slot(&od2, &d.fl, 2, 2, OTTER_OTA_STATE_NEW), OTTER_ERR_BOOT_SLOT);
    assert_int_equal(otter_otadata_write_copy(&od2, &d.fl, 2, 1, 0), OTTER_ERR_INVAL);
    assert_int_equal(otter_otadata_write_copy(&od2, &d.fl, 0, 0xFFFFFFFF, 0), OTTER_ERR_INVAL);
    /* erase both: blank */
    assert_int_equal(otter_otadata_erase(&od2, &d.fl), 0);
    assert_int_equal(otter_otadata_read(&od2, &d.fl, &d.pt), 0);
    assert_true(otter_ota_entry_blank(&od2.copy[0]) && otter_ota_entry_blank(&od2.copy[1]));
    dev_close(&d);
}

/* A rewrite keeps the copy's seq_label, as ESP-IDF's rewrite_ota_seq(). */
static void test_label_kept(void **state)
{
    (void)state;
    struct dev d;
    dev_open(&d, layout);
    static const uint8_t label[20] = "label-from-idf-v2.x";
    assert_int_equal(d.fl.program(d.fl.ctx, 0xe000 + 4, label, sizeof label), 0);
    otter_otadata_t od;
    assert_int_equal(otter_otadata_read(&od, &d.fl, &d.pt), 0);
    assert_memory_equal(od.copy[1].seq_label, label, 20);
    /* copy 0 becomes active (seq 1), copy 1 (the label's) is next */
    assert_int_equal(otter_otadata_set_slot(&od, &d.fl, 0, 2, OTTER_OTA_STATE_VALID), 0);
    otter_norsim_stats_t st;
    otter_norsim_reset_stats(&d.rf.sim);
    assert_int_equal(otter_otadata_set_slot(&od, &d.fl, 1, 2, OTTER_OTA_STATE_NEW), 0);
    otter_norsim_stats(&d.rf.sim, &st);
    assert_int_equal(st.sector_erases, 1);
    assert_int_equal(st.programs, 4);
    const uint8_t *m = otter_norsim_data(&d.rf.sim);
    uint8_t want[32];
    otter_put_le32(want, 2);
    memcpy(want + 4, label, 20);
    otter_put_le32(want + 24, OTTER_OTA_STATE_NEW);
    otter_put_le32(want + 28, otter_ota_seq_crc(2));
    assert_memory_equal(m + 0xe000, want, 32);
    assert_memory_equal(od.copy[1].seq_label, label, 20);
    /* the in-place confirm keeps it too */
    assert_int_equal(otter_otadata_write_copy(&od, &d.fl, 1, 2, OTTER_OTA_STATE_VALID), 0);
    otter_put_le32(want + 24, OTTER_OTA_STATE_VALID);
    assert_memory_equal(m + 0xe000, want, 32);
    dev_close(&d);
}

static void test_read_errors(void **state)
{
    (void)state;
    struct dev d;
    otter_otadata_t od;
    dev_open(&d, "ota_0,app,ota_0,0x10000,64K\n");
    assert_int_equal(otter_otadata_read(&od, &d.fl, &d.pt), OTTER_ERR_OTADATA_MISSING);
    dev_close(&d);
    /* a one-sector otadata partition, as a binary table could carry */
    dev_open(&d, layout);
    d.pt.entry[0].size = 0x1000;
    assert_int_equal(otter_otadata_read(&od, &d.fl, &d.pt), OTTER_ERR_OTADATA_SIZE);
    d.pt.entry[0].size = 0x2000;
    otter_norsim_cut_after(&d.rf.sim, 1);
    uint8_t z = 0;
    d.fl.program(d.fl.ctx, 0, &z, 1);
    assert_int_equal(otter_otadata_read(&od, &d.fl, &d.pt), OTTER_ERR_FLASH_POWER_LOSS);
    dev_close(&d);
}

/* The sequence near 2^32 (issue 11): ESP-IDF's 32-bit loop would write the
 * erased value or a wrapped, lower seq. otter renumbers both copies; the
 * new slot boots, the old one stays selected by the other copy. */
static void wrap_case(const char *csv, unsigned n, uint32_t seq, unsigned to)
{
    struct dev d;
    dev_open(&d, csv);
    otter_otadata_t od;
    assert_int_equal(otter_otadata_read(&od, &d.fl, &d.pt), 0);
    assert_int_equal(otter_otadata_write_copy(&od, &d.fl, 1, seq, OTTER_OTA_STATE_VALID), 0);
    unsigned from = (unsigned)((seq - 1u) % n);
    assert_int_equal(otter_otadata_next_seq(&od, to, n), UINT32_MAX);
    otter_norsim_stats_t st;
    otter_norsim_reset_stats(&d.rf.sim);
    assert_int_equal(otter_otadata_set_slot(&od, &d.fl, to, n, OTTER_OTA_STATE_NEW), 0);
    otter_norsim_stats(&d.rf.sim, &st);
    assert_int_equal(st.sector_erases, 2); /* two writes, one per copy */
    otter_otadata_t back;
    assert_int_equal(otter_otadata_read(&back, &d.fl, &d.pt), 0);
    assert_int_equal(otter_otadata_active_slot(&back, n), (int)to);
    assert_int_equal(back.copy[back.active].state, OTTER_OTA_STATE_NEW);
    const otter_ota_entry_t *twin = &back.copy[1 - back.active];
    assert_true(otter_ota_entry_valid(twin));
    assert_int_equal(twin->seq, from + 1u);
    assert_int_equal(twin->state, OTTER_OTA_STATE_VALID);
    assert_true(back.copy[back.active].seq > twin->seq && back.copy[back.active].seq < 2u * n + 2u);
    dev_close(&d);
}

static void test_seq_wrap(void **state)
{
    (void)state;
    static const char three[] = "otadata,data,ota,0xd000,0x2000\nota_0,app,ota_0,0x10000,64K\n"
                                "ota_1,app,ota_1,,64K\nota_2,app,ota_2,,64K\n";
    wrap_case(layout, 2, 0xFFFFFFFEu, 0); /* ota_1 runs at 0xFFFFFFFE; 0xFFFFFFFF would be next */
    wrap_case(three, 3, 0xFFFFFFFEu, 0);  /* truncated 0x100000000 used to give seq 0 */
    wrap_case(three, 3, 0xFFFFFFFDu, 2);
    /* Not exhausted yet: one ordinary write, the highest usable seq. */
    struct dev d;
    dev_open(&d, layout);
    otter_otadata_t od;
    assert_int_equal(otter_otadata_read(&od, &d.fl, &d.pt), 0);
    assert_int_equal(otter_otadata_write_copy(&od, &d.fl, 1, 0xFFFFFFFDu, OTTER_OTA_STATE_VALID), 0);
    assert_int_equal(otter_otadata_next_seq(&od, 1, 2), 0xFFFFFFFEu);
    assert_int_equal(otter_otadata_set_slot(&od, &d.fl, 1, 2, OTTER_OTA_STATE_NEW), 0);
    assert_int_equal(od.copy[0].seq, 0xFFFFFFFEu);
    assert_int_equal(od.copy[1].seq, 0xFFFFFFFDu);
    dev_close(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc_and_codec), cmocka_unit_test(test_validity),  cmocka_unit_test(test_next_seq),
        cmocka_unit_test(test_vectors),       cmocka_unit_test(test_read_write),
        cmocka_unit_test(test_label_kept), cmocka_unit_test(test_read_errors), cmocka_unit_test(test_seq_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
