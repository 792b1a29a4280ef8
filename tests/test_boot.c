/* Boot choice and rollback, ESP-IDF bootloader rules with rollback enabled:
 * every path (factory default, first OTA, trial, confirm, abort, reject,
 * fallback, nothing bootable), the app-side calls and their refusals, and a
 * device assembled from the real vectors. */
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
#include "otter/boot.h"
#include "errwords.h"
#include "otter/error.h"
#include "otter/host/partition.h"
#include "otadata_priv.h"

struct dev {
    ramflash_t rf; /* rf.sim: the simulator */
    otter_flash_t fl;
    otter_ptable_t pt;
    otter_boot_t boot;
};

static const char layout_factory[] = "otadata,data,ota,0xd000,0x2000\n"
                                     "factory,app,factory,0x10000,64K\n"
                                     "ota_0,app,ota_0,,64K\n"
                                     "ota_1,app,ota_1,,64K\n";
static const char layout_ota[] = "otadata,data,ota,0xd000,0x2000\n"
                                 "app0,app,ota_0,0x10000,64K\n"
                                 "app1,app,ota_1,,64K\n";

static void dev_open(struct dev *d, const char *csv)
{
    assert_int_equal(ramflash_open(&d->rf, NULL, 0x40000, 0xFF, NULL), 0);
    d->fl = d->rf.flash;
    assert_int_equal(otter_ptable_parse_csv(&d->pt, csv, strlen(csv), 0x40000, NULL), 0);
    assert_int_equal(otter_ptable_write(&d->pt, &d->fl), 0);
    otter_boot_init(&d->boot, &d->fl, &d->pt);
}

static void dev_close(struct dev *d)
{
    ramflash_close(&d->rf);
}

/* An "app": 0xE9 then a marker byte. */
static void put_app(struct dev *d, uint8_t slot, uint8_t marker)
{
    const otter_partition_t *p = otter_ptable_app(&d->pt, slot);
    uint8_t img[2] = {0xE9, marker};
    assert_int_equal(d->fl.erase(d->fl.ctx, p->offset, 4096), 0);
    assert_int_equal(d->fl.program(d->fl.ctx, p->offset, img, 2), 0);
}

static uint32_t copy_state(struct dev *d, int copy)
{
    return otter_le32(otter_norsim_data(&d->rf.sim) + 0xd000 + copy * 0x1000 + 24);
}

static void boot(struct dev *d, uint8_t slot, otter_boot_reason_t reason, otter_boot_result_t *r)
{
    otter_boot_result_t peek;
    assert_int_equal(otter_boot_peek(&d->boot, &peek), 0);
    assert_int_equal(otter_boot_select(&d->boot, r), 0);
    assert_int_equal(r->found, 1);
    assert_int_equal(r->slot, slot);
    assert_int_equal(r->reason, reason);
    assert_int_equal(peek.slot, r->slot);
    assert_int_equal(peek.reason, r->reason);
    assert_string_equal(peek.why, r->why);
    uint8_t running = 0xAA;
    assert_int_equal(otter_boot_running_slot(&d->boot, &running), 0);
    assert_int_equal(running, slot);
}

static void test_factory_default(void **state)
{
    (void)state;
    struct dev d;
    otter_boot_result_t r;
    dev_open(&d, layout_factory);
    uint8_t s;
    assert_int_equal(otter_boot_running_slot(&d.boot, &s), OTTER_ERR_STATE);
    put_app(&d, 0x00, 1);
    otter_norsim_reset_stats(&d.rf.sim);
    boot(&d, 0x00, OTTER_BOOT_REASON_FACTORY, &r);
    assert_string_equal(r.why, "factory: no usable otadata copy (blank, INVALID or ABORTED)");
    assert_int_equal(r.writes, 0);
    otter_norsim_stats_t st;
    otter_norsim_stats(&d.rf.sim, &st);
    assert_int_equal(st.ops, 0);
    /* mark_valid on factory: nothing to confirm */
    assert_int_equal(otter_boot_mark_valid(&d.boot), 0);
    assert_int_equal(otter_boot_mark_invalid_rollback(&d.boot), OTTER_ERR_BOOT_ROLLBACK_REFUSED);
    const otter_partition_t *next = NULL;
    assert_int_equal(otter_boot_next_update_slot(&d.boot, &next), 0);
    assert_string_equal(next->label, "ota_0");
    dev_close(&d);
}

static void test_first_ota(void **state)
{
    (void)state;
    struct dev d;
    otter_boot_result_t r;
    dev_open(&d, layout_ota);
    put_app(&d, 0x10, 1);
    boot(&d, 0x10, OTTER_BOOT_REASON_FIRST_OTA, &r);
    assert_string_equal(r.why, "ota_0 (app0): no usable otadata copy and no factory app");
    /* the bootloader records seq 1 VALID in copy 0 */
    assert_int_equal(r.writes, 1);
    assert_int_equal(otter_le32(otter_norsim_data(&d.rf.sim) + 0xd000), 1);
    assert_int_equal(copy_state(&d, 0), OTTER_OTA_STATE_VALID);
    boot(&d, 0x10, OTTER_BOOT_REASON_OTADATA, &r);
    assert_string_equal(r.why, "ota_0 (app0): otadata copy 0 is active (seq 1, state VALID)");
    assert_int_equal(r.writes, 0);
    dev_close(&d);
}

/* Install into ota_1, trial boot, then confirm / forget to confirm / reject. */
static void install_and_trial(struct dev *d)
{
    otter_boot_result_t r;
    put_app(d, 0x10, 1);
    boot(d, 0x10, OTTER_BOOT_REASON_FIRST_OTA, &r);
    const otter_partition_t *next;
    assert_int_equal(otter_boot_next_update_slot(&d->boot, &next), 0);
    assert_int_equal(next->subtype, 0x11);
    put_app(d, 0x11, 2);
    assert_int_equal(otter_boot_set_boot_slot(&d->boot, 0x11, OTTER_OTA_STATE_NEW), 0);
    assert_int_equal(copy_state(d, 1), OTTER_OTA_STATE_NEW);
    boot(d, 0x11, OTTER_BOOT_REASON_TRIAL, &r);
    assert_int_equal(r.trial, 1);
    assert_int_equal(r.copy, 1);
    assert_int_equal(r.seq, 2);
    assert_string_equal(r.why, "ota_1 (app1): otadata copy 1 is active (seq 2, state NEW): a new app boots on "
                               "probation (NEW -> PENDING_VERIFY) until it confirms");
    assert_int_equal(copy_state(d, 1), OTTER_OTA_STATE_PENDING_VERIFY);
    assert_int_equal(otter_boot_next_update_slot(&d->boot, &next), 0);
    assert_int_equal(next->subtype, 0x10);
}

static void test_trial_confirm(void **state)
{
    (void)state;
    struct dev d;
    otter_boot_result_t r;
    dev_open(&d, layout_ota);
    install_and_trial(&d);
    assert_int_equal(otter_boot_mark_valid(&d.boot), 0);
    assert_int_equal(copy_state(&d, 1), OTTER_OTA_STATE_VALID);
    otter_norsim_reset_stats(&d.rf.sim);
    assert_int_equal(otter_boot_mark_valid(&d.boot), 0); /* already valid: no write */
    otter_norsim_stats_t st;
    otter_norsim_stats(&d.rf.sim, &st);
    assert_int_equal(st.ops, 0);
    boot(&d, 0x11, OTTER_BOOT_REASON_OTADATA, &r);
    dev_close(&d);
}

static void test_trial_abort(void **state)
{
    (void)state;
    struct dev d;
    otter_boot_result_t r;
    dev_open(&d, layout_ota);
    install_and_trial(&d);
    /* reset without confirming: PENDING_VERIFY -> ABORTED, back to ota_0 */
    boot(&d, 0x10, OTTER_BOOT_REASON_ROLLBACK, &r);
    assert_int_equal(r.aborted, 1);
    assert_int_equal(r.rolled_back, 1);
    assert_string_equal(r.why, "ota_0 (app0): rolled back: otadata copy 1 (seq 2, ota_1 (app1)) was never confirmed "
                               "(PENDING_VERIFY at boot -> ABORTED); otadata copy 0 is active (seq 1, state VALID)");
    assert_int_equal(copy_state(&d, 1), OTTER_OTA_STATE_ABORTED);
    boot(&d, 0x10, OTTER_BOOT_REASON_ROLLBACK, &r);
    assert_int_equal(r.aborted, 0);
    assert_int_equal(r.writes, 0);
    /* the next update goes to ota_1 again, with seq 2 in copy 1 */
    assert_int_equal(otter_boot_set_boot_slot(&d.boot, 0x11, OTTER_OTA_STATE_NEW), 0);
    boot(&d, 0x11, OTTER_BOOT_REASON_TRIAL, &r);
    assert_int_equal(r.seq, 2);
    dev_close(&d);
}

static void test_reject(void **state)
{
    (void)state;
    struct dev d;
    otter_boot_result_t r;
    dev_open(&d, layout_ota);
    install_and_trial(&d);
    assert_int_equal(otter_boot_mark_invalid_rollback(&d.boot), 0);
    assert_int_equal(copy_state(&d, 1), OTTER_OTA_STATE_INVALID);
    boot(&d, 0x10, OTTER_BOOT_REASON_ROLLBACK, &r);
    assert_string_equal(r.why, "ota_0 (app0): rolled back: otadata copy 1 (seq 2, ota_1 (app1)) was rejected by its "
                               "app (INVALID); otadata copy 0 is active (seq 1, state VALID)");
    /* ota_0 is the only good app now: rejecting it is refused, nothing written */
    otter_norsim_reset_stats(&d.rf.sim);
    assert_int_equal(otter_boot_mark_invalid_rollback(&d.boot), OTTER_ERR_BOOT_ROLLBACK_REFUSED);
    otter_norsim_stats_t st;
    otter_norsim_stats(&d.rf.sim, &st);
    assert_int_equal(st.ops, 0);
    dev_close(&d);
}

static void test_reject_refused_when_old_gone(void **state)
{
    (void)state;
    struct dev d;
    dev_open(&d, layout_ota);
    install_and_trial(&d);
    /* the old app's slot got erased: rolling back would boot nothing else */
    assert_int_equal(d.fl.erase(d.fl.ctx, 0x10000, 4096), 0);
    assert_int_equal(otter_boot_mark_invalid_rollback(&d.boot), OTTER_ERR_BOOT_ROLLBACK_REFUSED);
    assert_int_equal(copy_state(&d, 1), OTTER_OTA_STATE_PENDING_VERIFY);
    dev_close(&d);
}

static void test_blank_nothing_boots(void **state)
{
    (void)state;
    struct dev d;
    otter_boot_result_t r;
    dev_open(&d, layout_ota);
    otter_norsim_reset_stats(&d.rf.sim);
    assert_int_equal(otter_boot_select(&d.boot, &r), OTTER_ERR_BOOT_NO_APP);
    assert_int_equal(r.reason, OTTER_BOOT_REASON_NONE);
    assert_int_equal(r.fallback_err, OTTER_ERR_IMG_MAGIC);
    assert_string_equal(r.why, errwords("nothing boots: no usable otadata copy and no factory app, and no app slot "
                                        "holds a valid app (ota_0 (app0): not an ESP app image (first byte is not "
                                        "0xE9))"));
    otter_norsim_stats_t st;
    otter_norsim_stats(&d.rf.sim, &st);
    assert_int_equal(st.ops, 0);
    dev_close(&d);
}

static void test_fallback_and_none(void **state)
{
    (void)state;
    struct dev d;
    otter_boot_result_t r;
    dev_open(&d, layout_factory);
    put_app(&d, 0x00, 1);
    put_app(&d, 0x11, 2);
    assert_int_equal(otter_boot_set_boot_slot(&d.boot, 0x11, OTTER_OTA_STATE_VALID), 0);
    /* ota_1 gets corrupted */
    assert_int_equal(d.fl.erase(d.fl.ctx, 0x30000, 4096), 0);
    uint8_t junk = 0x00;
    assert_int_equal(d.fl.program(d.fl.ctx, 0x30000, &junk, 1), 0);
    boot(&d, 0x00, OTTER_BOOT_REASON_FALLBACK, &r);
    assert_int_equal(r.selected, 0x11);
    assert_int_equal(r.fallback_err, OTTER_ERR_IMG_MAGIC);
    assert_string_equal(r.why, errwords("factory: otadata copy 0 is active (seq 2, state VALID); but ota_1 does not "
                                        "hold a valid app (not an ESP app image (first byte is not 0xE9)): fell back"));
    /* ota_0 sits above the selected slot's fallback path: down first, then up */
    assert_int_equal(d.fl.erase(d.fl.ctx, 0x10000, 4096), 0);
    put_app(&d, 0x10, 3);
    boot(&d, 0x10, OTTER_BOOT_REASON_FALLBACK, &r);
    /* nothing valid anywhere */
    assert_int_equal(d.fl.erase(d.fl.ctx, 0x20000, 4096), 0);
    assert_int_equal(d.fl.erase(d.fl.ctx, 0x10000, 4096), 0);
    assert_int_equal(otter_boot_select(&d.boot, &r), OTTER_ERR_BOOT_NO_APP);
    assert_int_equal(r.found, 0);
    assert_int_equal(r.reason, OTTER_BOOT_REASON_NONE);
    assert_null(r.part);
    assert_string_equal(r.why, errwords("nothing boots: otadata copy 0 is active (seq 2, state VALID); but no app "
                                        "slot holds a valid app (ota_1: not an ESP app image (first byte is not "
                                        "0xE9))"));
    dev_close(&d);
}

static void test_set_boot_slot_errors(void **state)
{
    (void)state;
    struct dev d;
    otter_boot_result_t r;
    dev_open(&d, layout_factory);
    put_app(&d, 0x00, 1);
    otter_norsim_reset_stats(&d.rf.sim);
    assert_int_equal(otter_boot_set_boot_slot(&d.boot, 0x12, OTTER_OTA_STATE_NEW), OTTER_ERR_BOOT_SLOT);
    assert_int_equal(otter_boot_set_boot_slot(&d.boot, 0x20, OTTER_OTA_STATE_NEW), OTTER_ERR_BOOT_SLOT);
    assert_int_equal(otter_boot_set_boot_slot(&d.boot, 0x10, OTTER_OTA_STATE_NEW), OTTER_ERR_IMG_MAGIC);
    assert_int_equal(otter_boot_set_boot_slot(&d.boot, 0x00, OTTER_OTA_STATE_ABORTED), OTTER_ERR_INVAL);
    otter_norsim_stats_t st;
    otter_norsim_stats(&d.rf.sim, &st);
    assert_int_equal(st.ops, 0); /* nothing written */
    /* switching to factory erases both copies */
    put_app(&d, 0x10, 2);
    assert_int_equal(otter_boot_set_boot_slot(&d.boot, 0x10, OTTER_OTA_STATE_UNDEFINED), 0);
    boot(&d, 0x10, OTTER_BOOT_REASON_OTADATA, &r);
    assert_string_equal(r.why, "ota_0: otadata copy 0 is active (seq 1, state UNDEFINED)");
    assert_int_equal(otter_boot_set_boot_slot(&d.boot, 0x00, OTTER_OTA_STATE_NEW), 0);
    boot(&d, 0x00, OTTER_BOOT_REASON_FACTORY, &r);
    dev_close(&d);
}

static void test_no_otadata_and_next_slot(void **state)
{
    (void)state;
    struct dev d;
    otter_boot_result_t r;
    dev_open(&d, "factory,app,factory,0x10000,64K\nota_0,app,ota_0,,64K\n");
    put_app(&d, 0x00, 1);
    boot(&d, 0x00, OTTER_BOOT_REASON_NO_OTADATA, &r);
    assert_string_equal(r.why, "factory: the partition table has no otadata partition");
    assert_int_equal(otter_boot_set_boot_slot(&d.boot, 0x00, OTTER_OTA_STATE_NEW), OTTER_ERR_OTADATA_MISSING);
    /* one OTA slot, running it: no other slot to update into */
    otter_boot_set_running(&d.boot, 0x10);
    const otter_partition_t *next;
    assert_int_equal(otter_boot_next_update_slot(&d.boot, &next), OTTER_ERR_BOOT_SLOT);
    dev_close(&d);
}

static void test_unknown_state(void **state)
{
    (void)state;
    struct dev d;
    otter_boot_result_t r;
    dev_open(&d, layout_ota);
    put_app(&d, 0x10, 1);
    put_app(&d, 0x11, 2);
    /* ota_state is not CRC-protected: an odd value boots like VALID */
    uint8_t e[32];
    memset(e, 0xFF, sizeof e);
    otter_put_le32(e, 2);
    otter_put_le32(e + 24, 0x00000005);
    otter_put_le32(e + 28, otter_ota_seq_crc(2));
    assert_int_equal(d.fl.program(d.fl.ctx, 0xe000, e, 32), 0);
    boot(&d, 0x11, OTTER_BOOT_REASON_OTADATA, &r);
    assert_string_equal(r.why, "ota_1 (app1): otadata copy 1 is active (seq 2, state unknown 0x00000005, treated as VALID)");
    dev_close(&d);
}

static int picky_calls;
static int picky(void *ctx, const otter_flash_t *flash, uint32_t offset, uint32_t size)
{
    (void)flash;
    (void)size;
    picky_calls++;
    return offset == *(uint32_t *)ctx ? OTTER_ERR_IMG_CHECKSUM : 0;
}

static void test_custom_validator(void **state)
{
    (void)state;
    struct dev d;
    otter_boot_result_t r;
    dev_open(&d, layout_factory);
    uint32_t bad = 0x20000; /* ota_0 */
    otter_boot_set_validator(&d.boot, picky, &bad);
    assert_int_equal(otter_boot_set_boot_slot(&d.boot, 0x10, OTTER_OTA_STATE_NEW), OTTER_ERR_IMG_CHECKSUM);
    assert_int_equal(otter_boot_set_boot_slot(&d.boot, 0x11, OTTER_OTA_STATE_NEW), 0);
    picky_calls = 0;
    boot(&d, 0x11, OTTER_BOOT_REASON_TRIAL, &r);
    assert_int_equal(picky_calls, 2); /* peek + select */
    dev_close(&d);
}

/* A RAM flash assembled from the real vectors: Arduino partition table
 * (#13) at 0x8000, Arduino's boot_app0.bin (#15) at 0xe000, a real ESP32
 * app (#5) in app0. */
static void test_real_vectors(void **state)
{
    (void)state;
    struct dev d;
    assert_int_equal(ramflash_open(&d.rf, NULL, 4u << 20, 0xFF, NULL), 0);
    d.fl = d.rf.flash;
    static const struct {
        const char *file;
        uint32_t at;
    } parts[] = {{"esp32-arduino1.0-partitions-custom-subtype.bin", 0x8000},
                 {"esp32c3-arduino-boot_app0.bin", 0xe000},
                 {"esp32-arduino3-idf5.5.2-pio-otademo-app.bin", 0x10000}};
    for (size_t i = 0; i < 3; i++) {
        char path[1024];
        const char *dir = getenv("OTTER_VECTORS");
        snprintf(path, sizeof path, "%s/esp32/%s", dir ? dir : "tests/vectors", parts[i].file);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        static uint8_t buf[2 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        for (uint32_t off = 0; off < n; off += 4096)
            assert_int_equal(d.fl.erase(d.fl.ctx, parts[i].at + off, 4096), 0);
        assert_int_equal(d.fl.program(d.fl.ctx, parts[i].at, buf, n), 0);
    }
    assert_int_equal(otter_ptable_read(&d.pt, &d.fl), 0);
    assert_int_equal(d.pt.count, 6);
    otter_boot_init(&d.boot, &d.fl, &d.pt);
    otter_boot_result_t r;
    boot(&d, 0x10, OTTER_BOOT_REASON_OTADATA, &r);
    assert_string_equal(r.part->label, "app0");
    assert_string_equal(r.why, "ota_0 (app0): otadata copy 0 is active (seq 1, state UNDEFINED)");
    /* an update into app1 gets seq 2 in copy 1 (copy 1 holds seq 0) */
    const otter_partition_t *next;
    assert_int_equal(otter_boot_next_update_slot(&d.boot, &next), 0);
    assert_string_equal(next->label, "app1");
    put_app(&d, 0x11, 9);
    assert_int_equal(otter_boot_set_boot_slot(&d.boot, 0x11, OTTER_OTA_STATE_NEW), 0);
    assert_int_equal(otter_le32(otter_norsim_data(&d.rf.sim) + 0xf000), 2);
    boot(&d, 0x11, OTTER_BOOT_REASON_TRIAL, &r);
    dev_close(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_factory_default),
        cmocka_unit_test(test_first_ota),
        cmocka_unit_test(test_trial_confirm),
        cmocka_unit_test(test_trial_abort),
        cmocka_unit_test(test_reject),
        cmocka_unit_test(test_reject_refused_when_old_gone),
        cmocka_unit_test(test_fallback_and_none),
        cmocka_unit_test(test_blank_nothing_boots),
        cmocka_unit_test(test_set_boot_slot_errors),
        cmocka_unit_test(test_no_otadata_and_next_slot),
        cmocka_unit_test(test_unknown_state),
        cmocka_unit_test(test_custom_validator),
        cmocka_unit_test(test_real_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
