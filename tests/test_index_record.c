/* The index record: its bytes, A/B selection, and a power cut at every flash
 * operation of a run of stores (the first onto blank flash included): after
 * each cut and reboot the record reads as the old value or the new, never
 * neither, and the next store succeeds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crc32.h"
#include "norsim.h"
#include "otter/bytes.h"
#include "otter/error.h"
#include "otter/index_record.h"
#include "ramflash.h"

#define FLASH_SIZE 0x10000u
#define REC_OFF 0x4000u

static void value(otter_index_record_t *r, unsigned v)
{
    r->seq = 1000u * v + 1u;
    r->trust_gen = v;
    r->trust_slot = (uint8_t)(v & 1u);
    r->n_keys = v % 4u;
    for (unsigned k = 0; k < OTTER_INDEX_MAX_KEYS; k++)
        memset(r->keys[k].point, k < r->n_keys ? (int)(v * 16u + k) : 0, 64);
}

/* 0 when rec holds value v (v == 0: the empty record). */
static int holds(const otter_index_record_t *r, unsigned v)
{
    if (v == 0)
        return r->seq == 0 && r->trust_gen == 0 && r->n_keys == 0 && r->active == -1 ? 0 : -1;
    otter_index_record_t want;
    memset(&want, 0, sizeof want);
    value(&want, v);
    if (r->seq != want.seq || r->trust_gen != want.trust_gen || r->trust_slot != want.trust_slot ||
        r->n_keys != want.n_keys)
        return -1;
    return memcmp(r->keys, want.keys, sizeof want.keys) == 0 ? 0 : -1;
}

static void test_layout(void **state)
{
    (void)state;
    otter_index_record_t r, d;
    memset(&r, 0, sizeof r);
    r.seq = 0x0102030405060708ull;
    r.trust_gen = 7;
    r.trust_slot = 1;
    r.n_keys = 1;
    memset(r.keys[0].point, 0xAB, 64);
    uint8_t raw[OTTER_INDEX_RECORD_SIZE];
    otter_index_record_encode(&r, 5, raw);
    assert_memory_equal(raw, "OTIR", 4);
    assert_int_equal(otter_le32(raw + 4), 5);
    assert_int_equal(otter_le32(raw + 8), 0x05060708u);
    assert_int_equal(otter_le32(raw + 12), 0x01020304u);
    assert_int_equal(otter_le32(raw + 16), 7);
    assert_int_equal(raw[20], 1);
    assert_int_equal(raw[21], 1);
    assert_int_equal(raw[24], 0xAB);
    assert_int_equal(raw[88], 0);
    assert_int_equal(otter_le32(raw + 216), otter_crc32_le(0, raw, 216));
    uint32_t counter = 0;
    assert_int_equal(otter_index_record_decode(&d, &counter, raw), 0);
    assert_int_equal(counter, 5);
    assert_true(d.seq == r.seq);
    raw[100] ^= 1;
    assert_int_equal(otter_index_record_decode(&d, &counter, raw), OTTER_ERR_INDEX_RECORD);
    raw[100] ^= 1;
    raw[21] = 4; /* n_keys out of range, with a matching CRC */
    otter_put_le32(raw + 216, otter_crc32_le(0, raw, 216));
    assert_int_equal(otter_index_record_decode(&d, &counter, raw), OTTER_ERR_INDEX_RECORD);
}

static void test_store_and_select(void **state)
{
    (void)state;
    ramflash_t rf;
    assert_int_equal(ramflash_open(&rf, NULL, FLASH_SIZE, 0xFF, NULL), 0);
    otter_index_record_t r;
    assert_int_equal(otter_index_record_load(&r, &rf.flash, REC_OFF), 0);
    assert_int_equal(holds(&r, 0), 0);
    for (unsigned v = 1; v <= 5; v++) {
        value(&r, v);
        assert_int_equal(otter_index_record_store(&r, &rf.flash), 0);
        assert_int_equal(r.active, (int)((v - 1) % 2));
        otter_index_record_t back;
        assert_int_equal(otter_index_record_load(&back, &rf.flash, REC_OFF), 0);
        assert_int_equal(holds(&back, v), 0);
        assert_int_equal(back.counter, v);
    }
    /* corruption of both copies (not a power cut) is refused */
    rf.mem[REC_OFF + 30] ^= 1;
    rf.mem[REC_OFF + 0x1000 + 30] ^= 1;
    assert_int_equal(otter_index_record_load(&r, &rf.flash, REC_OFF), OTTER_ERR_INDEX_RECORD);
    /* misplaced areas */
    assert_int_equal(otter_index_record_load(&r, &rf.flash, REC_OFF + 1), OTTER_ERR_INVAL);
    assert_int_equal(otter_index_record_load(&r, &rf.flash, FLASH_SIZE - 0x1000), OTTER_ERR_INVAL);
    ramflash_close(&rf);
}

/* Blank flash, then stores of values 1..s-1; r is loaded from it. */
static void stored_before(ramflash_t *rf, otter_index_record_t *r, unsigned s)
{
    memset(rf->mem, 0xFF, FLASH_SIZE);
    assert_int_equal(ramflash_reboot(rf, 0), 0);
    for (unsigned v = 1; v < s; v++) {
        assert_int_equal(otter_index_record_load(r, &rf->flash, REC_OFF), 0);
        value(r, v);
        assert_int_equal(otter_index_record_store(r, &rf->flash), 0);
    }
    assert_int_equal(otter_index_record_load(r, &rf->flash, REC_OFF), 0);
}

static void test_power_cut_sweep(void **state)
{
    (void)state;
    enum { STORES = 6 };
    ramflash_t rf;
    assert_int_equal(ramflash_open(&rf, NULL, FLASH_SIZE, 0xFF, NULL), 0);
    unsigned cuts = 0;
    for (unsigned s = 1; s <= STORES; s++) {
        /* a clean run counts the operations of store s */
        otter_index_record_t r;
        stored_before(&rf, &r, s);
        otter_norsim_reset_stats(&rf.sim);
        value(&r, s);
        assert_int_equal(otter_index_record_store(&r, &rf.flash), 0);
        otter_norsim_stats_t st;
        otter_norsim_stats(&rf.sim, &st);
        uint64_t n = st.ops;
        assert_int_equal(n, 3); /* one erase, two programs */
        for (uint64_t i = 1; i <= n; i++) {
            stored_before(&rf, &r, s);
            value(&r, s);
            otter_norsim_cut_after(&rf.sim, i);
            assert_int_equal(otter_index_record_store(&r, &rf.flash), OTTER_ERR_FLASH_POWER_LOSS);
            assert_int_equal(ramflash_reboot(&rf, 0), 0);
            cuts++;
            otter_index_record_t back;
            assert_int_equal(otter_index_record_load(&back, &rf.flash, REC_OFF), 0);
            int old = holds(&back, s - 1) == 0, new_ = holds(&back, s) == 0;
            if (!old && !new_)
                print_error("store %u, cut at op %u: neither the old value nor the new\n", s, (unsigned)i);
            assert_true(old || new_);
            /* the device goes on: the next store lands and reads back */
            value(&back, s + 1);
            assert_int_equal(otter_index_record_store(&back, &rf.flash), 0);
            assert_int_equal(otter_index_record_load(&back, &rf.flash, REC_OFF), 0);
            assert_int_equal(holds(&back, s + 1), 0);
        }
    }
    printf("index record: %u power cuts, each left the old record or the new\n", cuts);
    ramflash_close(&rf);
}

static void test_accept(void **state)
{
    (void)state;
    ramflash_t rf;
    assert_int_equal(ramflash_open(&rf, NULL, FLASH_SIZE, 0xFF, NULL), 0);
    otter_index_record_t r;
    assert_int_equal(otter_index_record_load(&r, &rf.flash, REC_OFF), 0);
    static otter_index_t idx;
    otter_index_init(&idx);
    idx.seq = 42;
    otter_norsim_stats_t st;
    otter_norsim_reset_stats(&rf.sim);
    assert_int_equal(otter_index_record_accept(&r, &rf.flash, &idx), 0);
    otter_norsim_stats(&rf.sim, &st);
    assert_int_equal(st.ops, 3);
    /* the same index polled again: no flash operation */
    otter_norsim_reset_stats(&rf.sim);
    assert_int_equal(otter_index_record_accept(&r, &rf.flash, &idx), 0);
    otter_norsim_stats(&rf.sim, &st);
    assert_int_equal(st.ops, 0);
    /* an older one: refused, nothing written */
    idx.seq = 41;
    assert_int_equal(otter_index_record_accept(&r, &rf.flash, &idx), OTTER_ERR_INDEX_REPLAY);
    otter_norsim_stats(&rf.sim, &st);
    assert_int_equal(st.ops, 0);
    /* a new key set at the same seq is written, and survives a reboot */
    idx.seq = 42;
    idx.n_keys = 2;
    memset(idx.keys[0].point, 0x11, 64);
    memset(idx.keys[1].point, 0x22, 64);
    assert_int_equal(otter_index_record_accept(&r, &rf.flash, &idx), 0);
    otter_index_record_t back;
    assert_int_equal(ramflash_reboot(&rf, 0), 0);
    assert_int_equal(otter_index_record_load(&back, &rf.flash, REC_OFF), 0);
    assert_true(back.seq == 42);
    assert_int_equal(back.n_keys, 2);
    assert_int_equal(back.keys[1].point[63], 0x22);
    /* an index without key lines leaves the adopted keys alone */
    idx.seq = 50;
    idx.n_keys = 0;
    assert_int_equal(otter_index_record_accept(&back, &rf.flash, &idx), 0);
    assert_int_equal(otter_index_record_load(&r, &rf.flash, REC_OFF), 0);
    assert_true(r.seq == 50);
    assert_int_equal(r.n_keys, 2);
    ramflash_close(&rf);
}

/* Random runs: stores with cuts armed at random, several cuts per run; after
 * every reboot the record is the last completed store or the one that was
 * cut, and the sequence number never goes down. */
static void test_random_cuts(void **state)
{
    (void)state;
    ramflash_t rf;
    assert_int_equal(ramflash_open(&rf, NULL, FLASH_SIZE, 0xFF, NULL), 0);
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    unsigned cuts = 0;
    for (unsigned run = 0; run < 200; run++) {
        memset(rf.mem, 0xFF, FLASH_SIZE);
        assert_int_equal(ramflash_reboot(&rf, 0), 0);
        unsigned done = 0, v = 0;
        for (unsigned step = 0; step < 12; step++) {
            otter_index_record_t r;
            assert_int_equal(otter_index_record_load(&r, &rf.flash, REC_OFF), 0);
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            bool armed = (rng >> 33) % 2 == 0;
            if (armed)
                otter_norsim_cut_after(&rf.sim, 1 + (rng >> 40) % 3);
            value(&r, ++v);
            int ret = otter_index_record_store(&r, &rf.flash);
            if (!otter_norsim_powered(&rf.sim)) {
                assert_int_equal(ret, OTTER_ERR_FLASH_POWER_LOSS);
                assert_int_equal(ramflash_reboot(&rf, 0), 0);
                cuts++;
                otter_index_record_t back;
                assert_int_equal(otter_index_record_load(&back, &rf.flash, REC_OFF), 0);
                if (holds(&back, v) == 0)
                    done = v;
                else
                    assert_int_equal(holds(&back, done), 0);
            } else {
                otter_norsim_cut_after(&rf.sim, 0);
                assert_int_equal(ret, 0);
                done = v;
            }
        }
    }
    printf("index record: %u random cuts in 200 runs, none lost the record\n", cuts);
    ramflash_close(&rf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),          cmocka_unit_test(test_store_and_select), cmocka_unit_test(test_accept),
        cmocka_unit_test(test_power_cut_sweep), cmocka_unit_test(test_random_cuts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
