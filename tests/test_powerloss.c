/* Power-loss sweep over the boot switch, the bootloader's own otadata
 * writes, confirming and rolling back: for every operation index i of each
 * step, cut the power at i (the operation is torn), reboot, run the boot
 * choice, and require a slot that holds a complete app: the old one or the
 * new one, never neither. Then 1,000 random runs of installs, boots,
 * confirms and rejects with several cuts each. Apps are real ESP app images
 * (made by the host image maker) checked by the full image validator, so a
 * torn image can never pass for a good one. Prints:
 *   powerloss: <N> cut points, <N> booted old or new, 0 failed */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "imgmake.h"
#include "norsim.h"
#include "ramflash.h"
#include "otter/boot.h"
#include "otter/error.h"
#include "otter/host/partition.h"
#include "otter/image.h"
#include "otter/otadata.h"
#include "otter/verify.h"
#include "otadata_priv.h"

#define FLASH_SIZE 0x40000u
#define NIMG 4
#define TORN (-2)
#define EMPTY (-1)

static const char layout[] = "otadata,data,ota,0xd000,0x2000\n"
                             "app0,app,ota_0,0x10000,64K\n"
                             "app1,app,ota_1,,64K\n";

struct world {
    ramflash_t rf; /* rf.sim: the simulator */
    otter_flash_t fl;
    otter_ptable_t pt;
    otter_boot_t boot;
    uint8_t *img[NIMG];
    size_t img_len[NIMG];
    int slot_img[2]; /* image id in ota_0 / ota_1, EMPTY or TORN */
    unsigned cuts, good, failed;
};

static struct world W;

static void rebind(struct world *w)
{
    w->fl = otter_norsim_flash(&w->rf.sim);
    otter_boot_init(&w->boot, &w->fl, &w->pt);
    otter_boot_set_validator(&w->boot, otter_image_boot_validate, NULL);
}

static void fresh(struct world *w, uint64_t seed)
{
    ramflash_close(&w->rf);
    otter_norsim_options_t o;
    otter_norsim_options_default(&o);
    o.seed = seed;
    assert_int_equal(ramflash_open(&w->rf, NULL, FLASH_SIZE, 0xFF, &o), 0);
    w->fl = w->rf.flash;
    assert_int_equal(otter_ptable_write(&w->pt, &w->fl), 0);
    rebind(w);
    w->slot_img[0] = w->slot_img[1] = EMPTY;
}

/* Erase and program image id into OTA slot s (bookkeeping: TORN until done). */
static int write_img(struct world *w, unsigned s, int id)
{
    const otter_partition_t *p = otter_ptable_app(&w->pt, OTTER_PT_SUBTYPE_OTA(s));
    int ret = 0;
    w->slot_img[s] = TORN;
    for (uint32_t off = 0; ret == 0 && off < w->img_len[id]; off += 4096)
        ret = w->fl.erase(w->fl.ctx, p->offset + off, 4096);
    if (ret == 0)
        ret = w->fl.program(w->fl.ctx, p->offset, w->img[id], w->img_len[id]);
    if (ret == 0)
        w->slot_img[s] = id;
    return ret;
}

/* Reboot after a cut and check the boot: an OTA slot with a complete app. */
static void check_boot(struct world *w, const char *what, unsigned i)
{
    otter_boot_result_t r;
    int ret = otter_boot_select(&w->boot, &r);
    int ok = ret == 0 && r.found && r.slot >= OTTER_PT_SUBTYPE_OTA_0 && r.slot <= OTTER_PT_SUBTYPE_OTA(1) &&
             w->slot_img[r.slot - OTTER_PT_SUBTYPE_OTA_0] >= 0;
    if (ok) {
        w->good++;
    } else {
        w->failed++;
        fprintf(stderr, "powerloss: %s, cut %u: %s (%s)\n", what, i, r.why, otter_strerror(ret));
    }
}

/* At the wrap both copies are rewritten: one of them must still select
 * ota_0 (new) or ota_1 (old) after any cut, never "no usable copy". */
static void check_selected(struct world *w, unsigned i)
{
    otter_boot_result_t r;
    int ret = otter_boot_peek(&w->boot, &r);
    if (ret != 0 || r.copy < 0 || (r.reason != OTTER_BOOT_REASON_OTADATA && r.reason != OTTER_BOOT_REASON_TRIAL &&
                                   r.reason != OTTER_BOOT_REASON_ROLLBACK)) {
        w->failed++;
        fprintf(stderr, "powerloss: sequence wrap, cut %u: %s\n", i, r.why);
    }
}

static void power_cycle(struct world *w)
{
    assert_int_equal(otter_norsim_reboot(&w->rf.sim, 1), 0);
    rebind(w);
}

/* --- the sweep ------------------------------------------------------------- */

enum stage {
    ST_SWITCH,   /* old VALID in ota_0, new in ota_1: set_boot_slot(ota_1, NEW) */
    ST_TRIAL,    /* switched: the bootloader's NEW -> PENDING_VERIFY write */
    ST_CONFIRM,  /* new on probation: mark_valid */
    ST_REJECT,   /* new on probation: mark_invalid_rollback */
    ST_ABORT,    /* new on probation, reset: the bootloader's PENDING_VERIFY -> ABORTED */
    ST_SWITCH2,  /* new VALID in ota_1 (seq 2), newer in ota_0: set_boot_slot(ota_0, NEW), seq 3 */
    ST_FACTORY_LIKE_ERASE, /* rollback to "nothing selected": both copies erased while ota_0 and ota_1 are good */
    ST_WRAP,     /* ota_1 VALID at seq 0xFFFFFFFE (exhausted): set_boot_slot(ota_0, NEW) renumbers both copies */
    ST_COUNT
};

static const char *const stage_names[ST_COUNT] = {"switch", "trial boot", "confirm", "reject",
                                                   "abort boot", "second switch", "otadata erase",
                                                   "switch at the sequence wrap"};

/* Bring a fresh device to the state just before the stage's operation. */
static void prepare(struct world *w, enum stage st)
{
    otter_boot_result_t r;
    fresh(w, 1000u + (unsigned)st);
    assert_int_equal(write_img(w, 0, 0), 0);
    assert_int_equal(otter_boot_set_boot_slot(&w->boot, 0x10, OTTER_OTA_STATE_VALID), 0);
    assert_int_equal(otter_boot_select(&w->boot, &r), 0);
    assert_int_equal(write_img(w, 1, 1), 0);
    if (st == ST_SWITCH)
        return;
    if (st == ST_WRAP) {
        otter_otadata_t od;
        assert_int_equal(otter_otadata_read(&od, &w->fl, &w->pt), 0);
        assert_int_equal(otter_otadata_write_copy(&od, &w->fl, 1, 0xFFFFFFFEu, OTTER_OTA_STATE_VALID), 0);
        assert_int_equal(otter_boot_select(&w->boot, &r), 0);
        assert_int_equal(r.slot, OTTER_PT_SUBTYPE_OTA(1));
        return;
    }
    assert_int_equal(otter_boot_set_boot_slot(&w->boot, 0x11, OTTER_OTA_STATE_NEW), 0);
    if (st == ST_TRIAL)
        return;
    assert_int_equal(otter_boot_select(&w->boot, &r), 0);
    assert_int_equal(r.reason, OTTER_BOOT_REASON_TRIAL);
    if (st == ST_CONFIRM || st == ST_REJECT || st == ST_ABORT || st == ST_FACTORY_LIKE_ERASE)
        return;
    assert_int_equal(otter_boot_mark_valid(&w->boot), 0);
    assert_int_equal(write_img(w, 0, 2), 0);
}

static int run_op(struct world *w, enum stage st)
{
    otter_boot_result_t r;
    otter_otadata_t od;
    switch (st) {
    case ST_SWITCH:
        return otter_boot_set_boot_slot(&w->boot, 0x11, OTTER_OTA_STATE_NEW);
    case ST_TRIAL:
    case ST_ABORT:
        return otter_boot_select(&w->boot, &r);
    case ST_CONFIRM:
        return otter_boot_mark_valid(&w->boot);
    case ST_REJECT:
        return otter_boot_mark_invalid_rollback(&w->boot);
    case ST_SWITCH2:
    case ST_WRAP:
        return otter_boot_set_boot_slot(&w->boot, 0x10, OTTER_OTA_STATE_NEW);
    default:
        if (otter_otadata_read(&od, &w->fl, &w->pt))
            return OTTER_ERR_FLASH_POWER_LOSS;
        return otter_otadata_erase(&od, &w->fl);
    }
}

static void test_sweep(void **state)
{
    (void)state;
    struct world *w = &W;
    for (int st = 0; st < ST_COUNT; st++) {
        prepare(w, (enum stage)st);
        otter_norsim_reset_stats(&w->rf.sim);
        assert_int_equal(run_op(w, (enum stage)st), 0);
        otter_norsim_stats_t s;
        otter_norsim_stats(&w->rf.sim, &s);
        uint64_t n = s.ops;
        assert_true(n >= 1);
        for (uint64_t i = 1; i <= n; i++) {
            prepare(w, (enum stage)st);
            otter_norsim_cut_after(&w->rf.sim, i);
            assert_int_equal(run_op(w, (enum stage)st), OTTER_ERR_FLASH_POWER_LOSS);
            power_cycle(w);
            w->cuts++;
            check_boot(w, stage_names[st], (unsigned)i);
            if (st == ST_WRAP)
                check_selected(w, (unsigned)i);
            /* and the boot after that (the first may have written otadata) */
            power_cycle(w);
            check_boot(w, stage_names[st], (unsigned)i);
            w->good--; /* count one verdict per cut point */
            if (w->failed)
                break;
        }
    }
    assert_int_equal(w->failed, 0);
}

/* --- random multi-cut runs ------------------------------------------------ */

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* One app-side or bootloader action; returns the first error. */
static int random_action(struct world *w, uint64_t *rng, int *next_img)
{
    otter_boot_result_t r;
    uint8_t running;
    if (otter_boot_running_slot(&w->boot, &running))
        return otter_boot_select(&w->boot, &r);
    switch (rng_next(rng) % 5) {
    case 0:
        return otter_boot_select(&w->boot, &r);
    case 1: {
        const otter_partition_t *p;
        int ret = otter_boot_next_update_slot(&w->boot, &p);
        if (ret == 0)
            ret = write_img(w, p->subtype - OTTER_PT_SUBTYPE_OTA_0, *next_img);
        *next_img = (*next_img + 1) % NIMG;
        if (ret == 0)
            ret = otter_boot_set_boot_slot(&w->boot, p->subtype, OTTER_OTA_STATE_NEW);
        return ret;
    }
    case 2:
        return otter_boot_mark_valid(&w->boot);
    case 3: {
        int ret = otter_boot_mark_invalid_rollback(&w->boot);
        return ret == OTTER_ERR_BOOT_ROLLBACK_REFUSED ? 0 : ret;
    }
    default:
        w->boot.booted = 0; /* a plain reset */
        return otter_boot_select(&w->boot, &r);
    }
}

static void test_random(void **state)
{
    (void)state;
    struct world *w = &W;
    otter_boot_result_t r;
    for (unsigned run = 0; run < 1000; run++) {
        uint64_t rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)run * 0x2545F4914F6CDD1Dull);
        int next_img = 1;
        fresh(w, run);
        assert_int_equal(write_img(w, 0, 0), 0);
        assert_int_equal(otter_boot_set_boot_slot(&w->boot, 0x10, OTTER_OTA_STATE_VALID), 0);
        assert_int_equal(otter_boot_select(&w->boot, &r), 0);
        unsigned cuts_here = 0;
        for (unsigned step = 0; step < 12 && cuts_here < 4; step++) {
            int armed = rng_next(&rng) % 2 == 0;
            if (armed)
                otter_norsim_cut_after(&w->rf.sim, 1 + rng_next(&rng) % 6);
            int ret = random_action(w, &rng, &next_img);
            if (!otter_norsim_powered(&w->rf.sim)) {
                assert_int_equal(ret, OTTER_ERR_FLASH_POWER_LOSS);
                power_cycle(w);
                w->cuts++;
                cuts_here++;
                check_boot(w, "random run", run);
                if (w->failed)
                    break;
            } else {
                otter_norsim_cut_after(&w->rf.sim, 0);
                assert_int_equal(ret, 0);
            }
        }
        if (w->failed)
            break;
    }
    assert_int_equal(w->failed, 0);
    printf("powerloss: %u cut points, %u booted old or new, %u failed\n", w->cuts, w->good, w->failed);
}

static int setup(void **state)
{
    (void)state;
    memset(&W.rf, 0, sizeof W.rf);
    if (otter_ptable_parse_csv(&W.pt, layout, strlen(layout), FLASH_SIZE, NULL))
        return -1;
    for (int i = 0; i < NIMG; i++) {
        otter_imgmake_t p;
        char ver[16];
        otter_imgmake_defaults(&p);
        snprintf(ver, sizeof ver, "v%d", i);
        p.version = ver;
        p.size = 2000u + 700u * (unsigned)i;
        p.seed = 77u + (unsigned)i;
        W.img[i] = otter_imgmake_alloc(&p, &W.img_len[i]);
        if (!W.img[i])
            return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ramflash_close(&W.rf);
    for (int i = 0; i < NIMG; i++)
        free(W.img[i]);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_sweep), cmocka_unit_test(test_random)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
