/* The trust set a verified index carries (otter/index_trust.h): written to
 * the area not in force, checked against the index's size and SHA-256,
 * switched by one record store. A power cut at every flash operation of the
 * write, from the provisioned set and from a set in either area, leaves the
 * old set or the new one in force (loaded and re-hashed after the reboot),
 * never none; a bundle of other bytes is refused with the old set kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otter/crypto.h"
#include "otter/error.h"
#include "otter/index_trust.h"
#include "ramflash.h"

#define FLASH_SIZE 0x20000u
#define REC_OFF 0x4000u
#define TRUST_OFF 0x8000u
#define AREA 0x2000u
#define ROOTS_LEN 5000u

static uint8_t roots[3][ROOTS_LEN]; /* the bundle of generation g is roots[g % 3] */

static void make_roots(void)
{
    uint32_t x = 12345;
    for (unsigned g = 0; g < 3; g++)
        for (unsigned i = 0; i < ROOTS_LEN; i++) {
            x = x * 1103515245u + 12345u;
            roots[g][i] = (uint8_t)(x >> 16);
        }
}

/* An index (unsigned: the parse is not what is tested here) with trust set
 * gen: pin bytes gen, and the bundle of gen when with_roots. */
static void index_for(otter_index_t *idx, char *text, size_t cap, unsigned gen, bool with_roots)
{
    uint8_t d[32];
    char hex[65], pin[65];
    assert_int_equal(otter_sha256(roots[gen % 3], ROOTS_LEN, d), 0);
    for (int i = 0; i < 32; i++) {
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
        snprintf(pin + 2 * i, 3, "%02x", gen);
    }
    int n = snprintf(text, cap, "otter-index 1\nseq %u\nexpires 2027-01-31T00:00:00Z\ntrust %u\npin %s\n", 10 + gen,
                     gen, pin);
    if (with_roots)
        snprintf(text + n, cap - (size_t)n, "roots %u %s roots-%u.der\n", ROOTS_LEN, hex, gen);
    otter_index_init(idx);
    assert_int_equal(otter_index_parse(idx, (const uint8_t *)text, strlen(text), false), 0);
    assert_int_equal(idx->trust_gen, gen);
}

/* The whole write; the bundle in pieces of 1000 bytes. */
static int apply(ramflash_t *rf, otter_index_record_t *rec, const otter_index_t *idx)
{
    otter_trust_store_t st = {&rf->flash, TRUST_OFF, AREA};
    otter_trust_write_t w;
    int ret = otter_trust_write_begin(&w, &st, rec, idx);
    if (ret != 0)
        return ret;
    while ((ret = otter_trust_write_step(&w)) == OTTER_TRUST_MORE) {
    }
    const uint8_t *b = roots[idx->trust_gen % 3];
    for (uint32_t off = 0; ret == 0 && off < (idx->roots_url.len ? ROOTS_LEN : 0u); off += 1000)
        ret = otter_trust_write_data(&w, b + off, ROOTS_LEN - off < 1000 ? ROOTS_LEN - off : 1000);
    if (ret == 0)
        ret = otter_trust_write_commit(&w);
    otter_trust_write_free(&w);
    return ret;
}

/* The set in force after a reboot: 0 if it is generation gen, complete. */
static int in_force(ramflash_t *rf, unsigned gen, bool with_roots)
{
    otter_index_record_t rec;
    otter_trust_set_t t;
    uint8_t work[256];
    otter_trust_store_t st = {&rf->flash, TRUST_OFF, AREA};
    if (otter_index_record_load(&rec, &rf->flash, REC_OFF) != 0)
        return -1;
    if (otter_trust_load(&st, &rec, &t, work, sizeof work) != 0)
        return -2;
    if (t.gen != gen)
        return -3;
    if (gen == 0)
        return 0;
    if (t.n_pins != 1 || t.pins[0][0] != gen || t.pins[0][31] != gen)
        return -4;
    if (!with_roots)
        return t.roots_len == 0 ? 0 : -5;
    if (t.roots_len != ROOTS_LEN || memcmp(rf->mem + t.roots_addr, roots[gen % 3], ROOTS_LEN))
        return -6;
    return 0;
}

/* From a device whose set in force is generation `from` (0: provisioned),
 * write generation from + 1 with a cut at every flash operation. */
static unsigned sweep(unsigned from, bool with_roots)
{
    ramflash_t rf;
    assert_int_equal(ramflash_open(&rf, NULL, FLASH_SIZE, 0xFF, NULL), 0);
    otter_index_record_t rec;
    otter_index_t idx;
    char text[1024];
    assert_int_equal(otter_index_record_load(&rec, &rf.flash, REC_OFF), 0);
    for (unsigned g = 1; g <= from; g++) {
        index_for(&idx, text, sizeof text, g, with_roots);
        assert_int_equal(apply(&rf, &rec, &idx), 0);
    }
    assert_int_equal(in_force(&rf, from, with_roots), 0);
    uint8_t *before = malloc(FLASH_SIZE);
    assert_non_null(before);
    memcpy(before, rf.mem, FLASH_SIZE);
    otter_index_record_t rec_before = rec;
    index_for(&idx, text, sizeof text, from + 1, with_roots);
    otter_norsim_reset_stats(&rf.sim);
    assert_int_equal(apply(&rf, &rec, &idx), 0);
    otter_norsim_stats_t s;
    otter_norsim_stats(&rf.sim, &s);
    uint64_t n = s.ops;
    assert_int_equal(in_force(&rf, from + 1, with_roots), 0);
    assert_int_equal(rec.trust_gen, from + 1);
    unsigned olds = 0, news = 0;
    for (uint64_t i = 1; i <= n; i++) {
        memcpy(rf.mem, before, FLASH_SIZE);
        assert_int_equal(ramflash_reboot(&rf, 0), 0);
        rec = rec_before;
        otter_norsim_cut_after(&rf.sim, i);
        assert_int_equal(apply(&rf, &rec, &idx), OTTER_ERR_FLASH_POWER_LOSS);
        assert_int_equal(ramflash_reboot(&rf, 0), 0);
        int old = in_force(&rf, from, with_roots) == 0, new_ = in_force(&rf, from + 1, with_roots) == 0;
        if (!old && !new_)
            fail_msg("gen %u -> %u, cut at op %u of %u: neither set in force", from, from + 1, (unsigned)i, (unsigned)n);
        olds += old;
        news += new_;
        /* The device goes on: the write done again lands. */
        assert_int_equal(otter_index_record_load(&rec, &rf.flash, REC_OFF), 0);
        int again = apply(&rf, &rec, &idx);
        assert_true(again == 0 || (new_ && again == 1));
        assert_int_equal(in_force(&rf, from + 1, with_roots), 0);
    }
    assert_true(olds > 0);
    free(before);
    ramflash_close(&rf);
    return (unsigned)n;
}

static void test_power_cut_sweep(void **state)
{
    (void)state;
    make_roots();
    unsigned total = 0;
    for (unsigned from = 0; from <= 3; from++) {
        total += sweep(from, true);
        total += sweep(from, false);
    }
    printf("trust set: %u power cuts over 8 writes, each left the old set or the new in force\n", total);
}

static void test_other_bundle_refused(void **state)
{
    (void)state;
    make_roots();
    ramflash_t rf;
    assert_int_equal(ramflash_open(&rf, NULL, FLASH_SIZE, 0xFF, NULL), 0);
    otter_index_record_t rec;
    otter_index_t idx;
    char text[1024];
    assert_int_equal(otter_index_record_load(&rec, &rf.flash, REC_OFF), 0);
    index_for(&idx, text, sizeof text, 1, true);
    assert_int_equal(apply(&rf, &rec, &idx), 0);
    /* Generation 2 names roots[2], the server sends roots[1]'s bytes. */
    index_for(&idx, text, sizeof text, 2, true);
    otter_trust_store_t st = {&rf.flash, TRUST_OFF, AREA};
    otter_trust_write_t w;
    assert_int_equal(otter_trust_write_begin(&w, &st, &rec, &idx), 0);
    assert_int_equal(otter_trust_write_data(&w, roots[1], 10), OTTER_ERR_STATE); /* not erased yet */
    while (otter_trust_write_step(&w) == OTTER_TRUST_MORE) {
    }
    assert_int_equal(otter_trust_write_data(&w, roots[1], ROOTS_LEN), 0);
    assert_int_equal(otter_trust_write_data(&w, roots[1], 1), OTTER_ERR_UPD_TOO_LARGE);
    assert_int_equal(otter_trust_write_commit(&w), OTTER_ERR_UPD_DIGEST_MISMATCH);
    otter_trust_write_free(&w);
    assert_int_equal(rec.trust_gen, 1);
    assert_int_equal(in_force(&rf, 1, true), 0);
    /* A bundle cut short. */
    assert_int_equal(otter_trust_write_begin(&w, &st, &rec, &idx), 0);
    while (otter_trust_write_step(&w) == OTTER_TRUST_MORE) {
    }
    assert_int_equal(otter_trust_write_data(&w, roots[2], 100), 0);
    assert_int_equal(otter_trust_write_commit(&w), OTTER_ERR_UPD_SIZE_MISMATCH);
    otter_trust_write_free(&w);
    assert_int_equal(in_force(&rf, 1, true), 0);
    /* The same or an older generation: nothing to do. */
    index_for(&idx, text, sizeof text, 1, true);
    assert_int_equal(otter_trust_write_begin(&w, &st, &rec, &idx), 1);
    /* A corrupted area in force is an error, never "the provisioned set". */
    rf.mem[TRUST_OFF + OTTER_TRUST_HEADER_SIZE + 7] ^= 0x01;
    otter_trust_set_t t;
    uint8_t work[64];
    assert_int_equal(otter_trust_load(&st, &rec, &t, work, sizeof work), OTTER_ERR_INDEX_RECORD);
    ramflash_close(&rf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_power_cut_sweep),
        cmocka_unit_test(test_other_bundle_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
