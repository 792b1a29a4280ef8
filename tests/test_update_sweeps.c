/* Sweeps over the update engine on the simulated device, with the figures
 * the issue asks for printed (virtual flash time, never wall time):
 *
 *   powerloss-update: a power cut after every flash operation of a whole
 *     update of a ~300 KB image (download, switch, first boot, confirm), torn
 *     operation included; after each cut the device must boot the old or the
 *     new app, and later attempts must finish the update with at most one
 *     sector downloaded again per cut.
 *   network-cut: the connection cut, and stalled, at >= 50 offsets; the
 *     update finishes by resuming; worst bytes downloaded again per cut.
 *   watchdog: the forum user's image (1,577,648 bytes), min_spiffs layout,
 *     typical flash timing: the longest blocking step, beside what erasing
 *     the whole slot up front would block.
 *   powerloss-refused: a cut after every flash operation of an update that
 *     is refused at the end (unsigned while keys are provisioned): the slot
 *     it went to never holds a bootable app.
 *   powerloss-wrap: a cut after every flash operation of a whole update
 *     while otadata's sequence is at 0xFFFFFFFE (both copies renumbered).
 *   network-lie: a server announcing more bytes than it sends, with cuts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otter/error.h"
#include "otter/image.h"
#include "otter/otadata.h"
#include "otter/verify.h"
#include "otadata_priv.h"
#include "updfix.h"

#define URL "http://updates.test/app.bin"
#define SECTOR 4096u

/* The power-cut sweeps cut after every flash operation; under QEMU
 * (scripts/target.sh) after every OTTER_TEST_SWEEP_STRIDE-th one and each of
 * the last stride ones (the switch and the confirmation), to bound the time. */
#ifndef OTTER_TEST_SWEEP_STRIDE
#define OTTER_TEST_SWEEP_STRIDE 1u
#endif

/* The cut point after `cut` in a sweep over n operations. */
static uint64_t next_cut(uint64_t cut, uint64_t n)
{
    return cut + OTTER_TEST_SWEEP_STRIDE > n ? cut + 1 : cut + OTTER_TEST_SWEEP_STRIDE;
}

static updfix_t *new_fix(void)
{
    updfix_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(updfix_setup(f, "min_spiffs"), 0);
    return f;
}

static void free_fix(updfix_t *f)
{
    updfix_teardown(f);
    free(f);
}

static bool running(const updfix_t *f, uint8_t slot, const char *version)
{
    return f->dev.booted && f->dev.res.slot == slot && f->dev.has_app && !strcmp(f->dev.app.version, version);
}

/* One attempt from a booted device towards "1.1.0 confirmed in ota_1":
 * update if the old app runs, reset into the new one, confirm. Returns 0
 * when done, OTTER_ERR_FLASH_POWER_LOSS when the power went, or another
 * error (a failure of the sweep). */
static int attempt(updfix_t *f)
{
    int ret;
    if (running(f, OTTER_PT_SUBTYPE_OTA_0, "1.0.0")) {
        updfix_engine(f);
        ret = updfix_run(f, URL, 0);
        if (ret < 0)
            return ret;
        /* A reset, not a power cycle: an armed cut stays armed. */
        ret = otter_simdev_boot(&f->dev);
        if (ret < 0)
            return ret;
    }
    if (!running(f, OTTER_PT_SUBTYPE_OTA(1), "1.1.0"))
        return OTTER_ERR_STATE;
    return otter_boot_mark_valid(&f->dev.boot);
}

static bool confirmed_new(updfix_t *f)
{
    otter_otadata_t od;
    if (otter_simdev_otadata(&f->dev, &od) < 0 || od.active < 0)
        return false;
    return running(f, OTTER_PT_SUBTYPE_OTA(1), "1.1.0") && od.copy[od.active].state == OTTER_OTA_STATE_VALID;
}

static void test_powerloss_update(void **state)
{
    (void)state;
    size_t len;
    uint8_t *img = updfix_image("1.1.0", 300000, 0, OTTER_CHIP_ESP32, 21, &len);
    /* A clean run counts the flash operations of the whole update. */
    updfix_t *f = new_fix();
    memserver_init(&f->srv, img, len);
    otter_norsim_stats_t s0, s1;
    otter_norsim_stats(&f->dev.sim, &s0);
    /* The download's operations (before finish, which switches). */
    assert_int_equal(otter_update_begin(&f->up, URL), 0);
    int r;
    while ((r = otter_update_step(&f->up)) == OTTER_UPDATE_MORE)
        ;
    assert_int_equal(r, 0);
    otter_norsim_stats(&f->dev.sim, &s1);
    uint64_t download_ops = s1.ops - s0.ops;
    free_fix(f);
    f = new_fix();
    memserver_init(&f->srv, img, len);
    otter_norsim_stats(&f->dev.sim, &s0);
    assert_int_equal(attempt(f), 0);
    otter_norsim_stats(&f->dev.sim, &s1);
    uint64_t n = s1.ops - s0.ops;
    free_fix(f);
    assert_true(download_ops > 0 && download_ops < n);

    uint64_t points = 0, ok = 0, failed = 0, worst_extra = 0;
    for (uint64_t cut = 1; cut <= n; cut = next_cut(cut, n)) {
        points++;
        f = new_fix();
        updfix_snapshot(f);
        memserver_init(&f->srv, img, len);
        otter_norsim_cut_after(&f->dev.sim, cut);
        int ret = attempt(f);
        bool good = ret == OTTER_ERR_FLASH_POWER_LOSS;
        /* Power back: the old or the new app boots, never neither; the
         * running slot is never written, and otadata not before the switch. */
        good = good && updfix_reboot(f) == 0 &&
               (running(f, OTTER_PT_SUBTYPE_OTA_0, "1.0.0") || running(f, OTTER_PT_SUBTYPE_OTA(1), "1.1.0"));
        good = good && !memcmp(f->snap, otter_norsim_data(&f->dev.sim) + f->run_off, f->run_len);
        good = good && (cut > download_ops || (updfix_unchanged(f) && running(f, OTTER_PT_SUBTYPE_OTA_0, "1.0.0")));
        /* Later attempts finish the job. */
        for (int tries = 0; good && tries < 3 && !confirmed_new(f); tries++) {
            ret = attempt(f);
            good = ret == 0 && updfix_reboot(f) == 0;
        }
        good = good && confirmed_new(f);
        uint64_t extra = f->srv.body_bytes_sent > len ? f->srv.body_bytes_sent - len : 0;
        if (extra > worst_extra)
            worst_extra = extra;
        if (good && extra <= SECTOR) {
            ok++;
        } else {
            failed++;
            print_error("cut %llu: ret %s, booted %s %s, re-downloaded %llu\n", (unsigned long long)cut,
                        otter_errname(ret), otter_slot_name(f->dev.res.slot), f->dev.has_app ? f->dev.app.version : "-",
                        (unsigned long long)extra);
        }
        free_fix(f);
    }
    printf("powerloss-update: %llu operations (%llu downloading), %llu cut points, %llu ok, %llu failed\n",
           (unsigned long long)n, (unsigned long long)download_ops, (unsigned long long)points, (unsigned long long)ok,
           (unsigned long long)failed);
    printf("powerloss-update: worst bytes downloaded again after a cut: %llu\n", (unsigned long long)worst_extra);
    assert_int_equal(failed, 0);
    assert_true(n > 300);
    free(img);
}

/* One update with a single network fault at `at`; returns the bytes the
 * server sent beyond the file. */
static uint64_t one_network_fault(const uint8_t *img, size_t len, long at, bool stall, uint32_t *engine_worst)
{
    updfix_t *f = new_fix();
    memserver_init(&f->srv, img, len);
    f->srv.chunk = 1460;
    if (stall)
        f->srv.stall_at = at;
    else
        f->srv.cut_at = at;
    assert_int_equal(updfix_run(f, URL, 0), 0);
    const otter_update_status_t *st = otter_update_status(&f->up);
    assert_int_equal(st->outcome, OTTER_UPDATE_OUTCOME_UPDATED);
    assert_int_equal(st->resumes, 1);
    const otter_partition_t *p = otter_ptable_app(&f->dev.pt, OTTER_PT_SUBTYPE_OTA(1));
    assert_memory_equal(otter_norsim_data(&f->dev.sim) + p->offset, img, len);
    *engine_worst = st->worst_redownload;
    uint64_t extra = f->srv.body_bytes_sent - len;
    free_fix(f);
    return extra;
}

static void test_network_cuts(void **state)
{
    (void)state;
    size_t len;
    uint8_t *img = updfix_image("1.1.0", 300000, 0, OTTER_CHIP_ESP32, 22, &len);
    unsigned points = 0, ok = 0;
    uint64_t worst = 0;
    /* 30 offsets spread over the file, cut and stalled, plus the edges of
     * the header, the app description and sector boundaries. */
    long offsets[40];
    unsigned n = 0;
    for (unsigned i = 1; i <= 30; i++)
        offsets[n++] = (long)(len * i / 31);
    static const long edges[] = {1, 23, 24, 287, 288, 4095, 4096, 4097, 8192, 65536};
    for (unsigned i = 0; i < sizeof edges / sizeof edges[0]; i++)
        offsets[n++] = edges[i];
    for (unsigned i = 0; i < n; i++) {
        for (int stall = 0; stall < 2; stall++) {
            uint32_t engine_worst;
            uint64_t extra = one_network_fault(img, len, offsets[i], stall, &engine_worst);
            points++;
            if (extra > worst)
                worst = extra;
            if (engine_worst > worst)
                worst = engine_worst;
            if (extra <= SECTOR)
                ok++;
        }
    }
    printf("network-cut: %u faults (%u offsets, each cut and stalled), %u ok, worst bytes downloaded again per "
           "cut: %llu\n",
           points, n, ok, (unsigned long long)worst);
    assert_int_equal(ok, points);
    assert_true(points >= 50);
    assert_true(worst <= SECTOR);
    free(img);
}

static void test_watchdog_figure(void **state)
{
    (void)state;
    size_t len;
    uint8_t *img = updfix_image("1.1.0", 1577648, 0, OTTER_CHIP_ESP32, 23, &len);
    assert_int_equal(len, 1577648);
    updfix_t *f = new_fix();
    memserver_init(&f->srv, img, len);
    assert_int_equal(updfix_run(f, URL, 0), 0);
    assert_int_equal(otter_update_status(&f->up)->outcome, OTTER_UPDATE_OUTCOME_UPDATED);
    const otter_partition_t *slot = otter_ptable_app(&f->dev.pt, OTTER_PT_SUBTYPE_OTA(1));
    /* Typical 4 KB sector erase: 45 ms (ports/posix/norsim.h). */
    uint64_t whole_slot_ms = (uint64_t)(slot->size / SECTOR) * 45u;
    printf("watchdog: forum image %lu bytes, min_spiffs, typical flash: longest blocking step %.1f ms "
           "(%u steps, measured); erasing the %u-byte slot up front would block %llu ms (computed: sectors x 45 ms)\n",
           (unsigned long)len, (double)f->longest_step_us / 1000.0, (unsigned)otter_update_status(&f->up)->steps,
           (unsigned)slot->size, (unsigned long long)whole_slot_ms);
    assert_true(f->longest_step_us <= 50000);
    free_fix(f);
    free(img);
}

/* ---- issue 11: the new cases in the sweeps --------------------------------- */

/* A refused image in the slot: the server offers unsigned 1.4.0 while keys
 * are provisioned. The power is cut after every flash operation of that
 * failing update; after each cut, and after the refusal, the slot it was
 * written to never holds a bootable app (even for a bootloader without
 * keys) and 1.0.0 boots. */
static void test_powerloss_refused_image(void **state)
{
    (void)state;
    size_t len;
    uint8_t *img = updfix_image("1.4.0", 150000, 0, OTTER_CHIP_ESP32, 24, &len);
    static const uint8_t digest[1][32] = {{0x42}};
    uint64_t n = 0, points = 0, ok = 0, failed = 0;
    for (uint64_t cut = 0;; cut = cut ? next_cut(cut, n) : 1) {
        points++;
        updfix_t *f = new_fix();
        memserver_init(&f->srv, img, len);
        f->cfg.policy.key_digests = digest;
        f->cfg.policy.key_digest_count = 1;
        otter_update_init(&f->up, &f->cfg);
        otter_norsim_stats_t s0, s1;
        otter_norsim_stats(&f->dev.sim, &s0);
        if (cut)
            otter_norsim_cut_after(&f->dev.sim, cut);
        int ret = updfix_run(f, URL, 0);
        otter_norsim_stats(&f->dev.sim, &s1);
        if (!cut) {
            n = s1.ops - s0.ops; /* the clean run counts the operations */
            assert_int_equal(ret, OTTER_ERR_UPD_UNSIGNED);
        }
        const otter_partition_t *p = otter_ptable_app(&f->dev.pt, OTTER_PT_SUBTYPE_OTA(1));
        /* (a cut of the very last operation, the journal's "abandoned"
         * byte, still reports the refusal) */
        bool good = (ret == OTTER_ERR_FLASH_POWER_LOSS || ret == OTTER_ERR_UPD_UNSIGNED) && updfix_reboot(f) == 0 &&
                    running(f, OTTER_PT_SUBTYPE_OTA_0, "1.0.0") &&
                    otter_image_boot_validate(NULL, &f->dev.flash, p->offset, p->size) != 0;
        /* and the next attempt refuses it again, still unbootable */
        if (good && cut) {
            updfix_engine(f);
            f->cfg.policy.key_digests = digest;
            f->cfg.policy.key_digest_count = 1;
            otter_update_init(&f->up, &f->cfg);
            good = updfix_run(f, URL, 0) == OTTER_ERR_UPD_UNSIGNED &&
                   otter_image_boot_validate(NULL, &f->dev.flash, p->offset, p->size) != 0;
        }
        if (good)
            ok++;
        else {
            failed++;
            print_error("refused image, cut %llu: ret %s\n", (unsigned long long)cut, otter_errname(ret));
        }
        free_fix(f);
        if (cut >= n)
            break;
    }
    printf("powerloss-refused: %llu operations, %llu cut points (and the clean run) of an update refused at the end "
           "(unsigned), %llu ok, %llu failed; the slot never boots\n",
           (unsigned long long)n, (unsigned long long)(points - 1), (unsigned long long)ok, (unsigned long long)failed);
    assert_int_equal(failed, 0);
    assert_true(n > 30);
    free(img);
}

/* The otadata sequence at its top: 1.0.0 runs in ota_1 at seq 0xFFFFFFFE
 * (two slots), so the switch to ota_0 must renumber both copies. A power
 * cut after every flash operation of the whole update (download, switch,
 * first boot, confirm): old or new boots, and later attempts finish. */
static int wrap_attempt(updfix_t *f)
{
    int ret;
    if (running(f, OTTER_PT_SUBTYPE_OTA(1), "1.0.0")) {
        updfix_engine(f);
        ret = updfix_run(f, URL, 0);
        if (ret < 0)
            return ret;
        ret = otter_simdev_boot(&f->dev);
        if (ret < 0)
            return ret;
    }
    if (!running(f, OTTER_PT_SUBTYPE_OTA_0, "1.1.0"))
        return OTTER_ERR_STATE;
    return otter_boot_mark_valid(&f->dev.boot);
}

static updfix_t *wrap_fix(const uint8_t *v1, size_t v1len)
{
    updfix_t *f = new_fix();
    otter_otadata_t od;
    assert_int_equal(otter_simdev_install(&f->dev, OTTER_PT_SUBTYPE_OTA(1), v1, v1len), 0);
    assert_int_equal(otter_simdev_otadata(&f->dev, &od), 0);
    assert_int_equal(otter_otadata_write_copy(&od, &f->dev.flash, 1 - od.active, 0xFFFFFFFEu, OTTER_OTA_STATE_VALID), 0);
    assert_int_equal(updfix_reboot(f), 0);
    assert_true(running(f, OTTER_PT_SUBTYPE_OTA(1), "1.0.0"));
    assert_int_equal(f->dev.res.seq, 0xFFFFFFFEu);
    return f;
}

static bool wrap_confirmed(updfix_t *f)
{
    otter_otadata_t od;
    return otter_simdev_otadata(&f->dev, &od) == 0 && od.active >= 0 &&
           running(f, OTTER_PT_SUBTYPE_OTA_0, "1.1.0") && od.copy[od.active].state == OTTER_OTA_STATE_VALID;
}

static void test_powerloss_seq_wrap(void **state)
{
    (void)state;
    size_t len, v1len;
    uint8_t *img = updfix_image("1.1.0", 100000, 0, OTTER_CHIP_ESP32, 25, &len);
    uint8_t *v1 = updfix_image("1.0.0", 90000, 0, OTTER_CHIP_ESP32, 26, &v1len);
    updfix_t *f = wrap_fix(v1, v1len);
    memserver_init(&f->srv, img, len);
    otter_norsim_stats_t s0, s1;
    otter_norsim_stats(&f->dev.sim, &s0);
    assert_int_equal(wrap_attempt(f), 0);
    otter_norsim_stats(&f->dev.sim, &s1);
    assert_true(wrap_confirmed(f));
    uint64_t n = s1.ops - s0.ops, points = 0, ok = 0, failed = 0;
    free_fix(f);
    for (uint64_t cut = 1; cut <= n; cut = next_cut(cut, n)) {
        points++;
        f = wrap_fix(v1, v1len);
        memserver_init(&f->srv, img, len);
        otter_norsim_cut_after(&f->dev.sim, cut);
        int ret = wrap_attempt(f);
        bool good = ret == OTTER_ERR_FLASH_POWER_LOSS && updfix_reboot(f) == 0 &&
                    (running(f, OTTER_PT_SUBTYPE_OTA(1), "1.0.0") || running(f, OTTER_PT_SUBTYPE_OTA_0, "1.1.0"));
        for (int tries = 0; good && tries < 3 && !wrap_confirmed(f); tries++)
            good = wrap_attempt(f) == 0 && updfix_reboot(f) == 0;
        good = good && wrap_confirmed(f);
        if (good)
            ok++;
        else {
            failed++;
            print_error("sequence wrap, cut %llu: ret %s, booted %s %s (%s)\n", (unsigned long long)cut,
                        otter_errname(ret), otter_slot_name(f->dev.res.slot), f->dev.has_app ? f->dev.app.version : "-",
                        f->dev.res.why);
        }
        free_fix(f);
    }
    printf("powerloss-wrap: %llu operations, %llu cut points of a whole update at otadata seq 0xFFFFFFFE, %llu ok, "
           "%llu failed\n",
           (unsigned long long)n, (unsigned long long)points, (unsigned long long)ok, (unsigned long long)failed);
    assert_int_equal(failed, 0);
    assert_true(n > 30);
    free(img);
    free(v1);
}

/* A lying server: it announces more bytes than it sends (once), combined
 * with a cut at several offsets; the update always finishes. */
static void test_network_lying_server(void **state)
{
    (void)state;
    size_t len;
    uint8_t *img = updfix_image("1.1.0", 120000, 0, OTTER_CHIP_ESP32, 27, &len);
    static const size_t lies[] = {1, 1000, 4096, 100000};
    static const long cuts[] = {-1, 300, 4096, 60000, 119000};
    unsigned points = 0, ok = 0;
    for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++)
        for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
            updfix_t *f = new_fix();
            memserver_init(&f->srv, img, len);
            f->srv.lie_extra = lies[i];
            f->srv.lie_times = 1;
            f->srv.cut_at = cuts[c];
            int ret = updfix_run(f, URL, 0);
            const otter_partition_t *p = otter_ptable_app(&f->dev.pt, OTTER_PT_SUBTYPE_OTA(1));
            points++;
            if (ret == 0 && otter_update_status(&f->up)->outcome == OTTER_UPDATE_OUTCOME_UPDATED &&
                !memcmp(otter_norsim_data(&f->dev.sim) + p->offset, img, len))
                ok++;
            else
                print_error("lie %lu, cut %ld: %s\n", (unsigned long)lies[i], cuts[c], otter_errname(ret));
            free_fix(f);
        }
    printf("network-lie: %u runs (a server announcing 1..100000 bytes too many, cut at 5 places), %u ok\n", points, ok);
    assert_int_equal(ok, points);
    free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_watchdog_figure),
        cmocka_unit_test(test_network_cuts),
        cmocka_unit_test(test_powerloss_update),
        cmocka_unit_test(test_powerloss_refused_image),
        cmocka_unit_test(test_powerloss_seq_wrap),
        cmocka_unit_test(test_network_lying_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
