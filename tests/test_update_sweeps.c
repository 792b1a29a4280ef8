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
 *     the whole slot up front would block. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otter/error.h"
#include "otter/otadata.h"
#include "updfix.h"

#define URL "http://updates.test/app.bin"
#define SECTOR 4096u

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
    assert_int_equal(attempt(f), 0);
    otter_norsim_stats(&f->dev.sim, &s1);
    uint64_t n = s1.ops - s0.ops;
    free_fix(f);

    uint64_t ok = 0, failed = 0, worst_extra = 0;
    for (uint64_t cut = 1; cut <= n; cut++) {
        f = new_fix();
        memserver_init(&f->srv, img, len);
        otter_norsim_cut_after(&f->dev.sim, cut);
        int ret = attempt(f);
        bool good = ret == OTTER_ERR_FLASH_POWER_LOSS;
        /* Power back: the old or the new app boots, never neither. */
        good = good && updfix_reboot(f) == 0 &&
               (running(f, OTTER_PT_SUBTYPE_OTA_0, "1.0.0") || running(f, OTTER_PT_SUBTYPE_OTA(1), "1.1.0"));
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
    printf("powerloss-update: %llu cut points, %llu ok, %llu failed\n", (unsigned long long)n, (unsigned long long)ok,
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
    printf("watchdog: forum image %zu bytes, min_spiffs, typical flash: longest blocking step %.1f ms "
           "(%u steps, measured); erasing the %u-byte slot up front would block %llu ms (computed: sectors x 45 ms)\n",
           len, (double)f->longest_step_us / 1000.0, otter_update_status(&f->up)->steps, (unsigned)slot->size,
           (unsigned long long)whole_slot_ms);
    assert_true(f->longest_step_us <= 50000);
    free_fix(f);
    free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_watchdog_figure),
        cmocka_unit_test(test_network_cuts),
        cmocka_unit_test(test_powerloss_update),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
