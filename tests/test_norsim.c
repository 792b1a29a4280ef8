/* NOR flash simulator: NOR rules, strict mode, timing model, counters, wear,
 * torn operations and power loss, determinism; over a file and over memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "norsim.h"
#include "otter/error.h"

#define SIZE (64u * 1024u)

static char *tmp_path(void)
{
    char *p = strdup("/tmp/otter-norsim-XXXXXX");
    int fd = mkstemp(p);
    assert_true(fd >= 0);
    close(fd);
    return p;
}

static void rm_path(char *p)
{
    char w[4200];
    snprintf(w, sizeof w, "%s.wear", p);
    unlink(w);
    unlink(p);
    free(p);
}

static void open_sim(otter_norsim_t *sim, const char *path, int strict, otter_norsim_timing_t timing)
{
    otter_norsim_options_t o;
    otter_norsim_options_default(&o);
    o.strict = strict;
    o.timing = timing;
    assert_int_equal(otter_norsim_create(path, SIZE), 0);
    assert_int_equal(otter_norsim_open(sim, path, &o), 0);
}

static void test_create_open(void **state)
{
    (void)state;
    char *p = tmp_path();
    otter_norsim_t sim;
    assert_int_equal(otter_norsim_create(p, 0), OTTER_ERR_FLASH_SIZE);
    assert_int_equal(otter_norsim_create(p, 4097), OTTER_ERR_FLASH_SIZE);
    assert_int_equal(otter_norsim_create("/nonexistent-dir/x", 4096), OTTER_ERR_IO);
    assert_int_equal(otter_norsim_open(&sim, "/nonexistent-dir/x", NULL), OTTER_ERR_IO);
    otter_norsim_close(&sim); /* safe after a failed open */
    /* a file whose size is not a multiple of 4 KB */
    FILE *f = fopen(p, "wb");
    fwrite("abc", 1, 3, f);
    fclose(f);
    assert_int_equal(otter_norsim_open(&sim, p, NULL), OTTER_ERR_FLASH_SIZE);
    open_sim(&sim, p, 1, OTTER_NORSIM_TIMING_TYP);
    otter_flash_t fl = otter_norsim_flash(&sim);
    assert_int_equal(fl.size, SIZE);
    assert_int_equal(fl.sector_size, 4096);
    assert_int_equal(fl.block_size, 65536);
    assert_int_equal(fl.page_size, 256);
    assert_int_equal(fl.erased_value, 0xFF);
    for (uint32_t i = 0; i < SIZE; i++)
        assert_int_equal(otter_norsim_data(&sim)[i], 0xFF);
    otter_norsim_close(&sim);
    otter_norsim_close(&sim);
    rm_path(p);
}

static void test_nor_rules(void **state)
{
    (void)state;
    char *p = tmp_path();
    otter_norsim_t sim;
    open_sim(&sim, p, 0, OTTER_NORSIM_TIMING_TYP);
    otter_flash_t fl = otter_norsim_flash(&sim);
    uint8_t a = 0xF0, b = 0x3C, r = 0;
    assert_int_equal(fl.program(fl.ctx, 100, &a, 1), 0);
    assert_int_equal(fl.program(fl.ctx, 100, &b, 1), 0); /* non-strict: AND */
    assert_int_equal(fl.read(fl.ctx, 100, &r, 1), 0);
    assert_int_equal(r, 0x30);
    assert_int_equal(fl.erase(fl.ctx, 0, 4096), 0);
    assert_int_equal(fl.read(fl.ctx, 100, &r, 1), 0);
    assert_int_equal(r, 0xFF);
    /* range and alignment */
    assert_int_equal(fl.read(fl.ctx, SIZE - 1, &r, 2), OTTER_ERR_FLASH_RANGE);
    assert_int_equal(fl.program(fl.ctx, SIZE, &a, 1), OTTER_ERR_FLASH_RANGE);
    assert_int_equal(fl.erase(fl.ctx, 100, 4096), OTTER_ERR_FLASH_ALIGN);
    assert_int_equal(fl.erase(fl.ctx, 0, 100), OTTER_ERR_FLASH_ALIGN);
    assert_int_equal(fl.erase(fl.ctx, 0, 0), OTTER_ERR_FLASH_ALIGN);
    assert_int_equal(fl.erase(fl.ctx, SIZE, 4096), OTTER_ERR_FLASH_RANGE);
    otter_norsim_close(&sim);
    rm_path(p);
}

static void test_strict(void **state)
{
    (void)state;
    char *p = tmp_path();
    otter_norsim_t sim;
    open_sim(&sim, p, 1, OTTER_NORSIM_TIMING_TYP);
    otter_flash_t fl = otter_norsim_flash(&sim);
    uint8_t v[4] = {1, 2, 3, 4}, w[4] = {0, 0, 0, 0}, ff[4] = {0xFF, 0xFF, 0xFF, 0xFF}, r[4];
    assert_int_equal(fl.program(fl.ctx, 8, v, 4), 0);
    otter_norsim_stats_t st;
    otter_norsim_stats(&sim, &st);
    assert_int_equal(st.programs, 1);
    /* overlapping a programmed byte: refused, nothing written, not counted */
    assert_int_equal(fl.program(fl.ctx, 6, w, 4), OTTER_ERR_FLASH_NOT_ERASED);
    assert_int_equal(fl.read(fl.ctx, 4, r, 4), 0);
    assert_memory_equal(r, ff, 4);
    assert_int_equal(fl.read(fl.ctx, 8, r, 4), 0);
    assert_memory_equal(r, v, 4);
    otter_norsim_stats(&sim, &st);
    assert_int_equal(st.programs, 1);
    assert_int_equal(st.ops, 1);
    /* 0xFF bytes change no bit and are allowed over programmed bytes */
    assert_int_equal(fl.program(fl.ctx, 8, ff, 4), 0);
    assert_int_equal(fl.read(fl.ctx, 8, r, 4), 0);
    assert_memory_equal(r, v, 4);
    otter_norsim_close(&sim);
    rm_path(p);
}

static void test_timing(void **state)
{
    (void)state;
    static const struct {
        otter_norsim_timing_t t;
        uint64_t sector, block, page;
    } models[] = {{OTTER_NORSIM_TIMING_TYP, 45000, 150000, 400}, {OTTER_NORSIM_TIMING_MAX, 400000, 2000000, 3000}};
    for (size_t m = 0; m < 2; m++) {
        char *p = tmp_path();
        otter_norsim_t sim;
        open_sim(&sim, p, 1, models[m].t);
        otter_flash_t fl = otter_norsim_flash(&sim);
        uint8_t buf[4096];
        memset(buf, 0x5A, sizeof buf);
        uint64_t t0 = otter_norsim_time_us(&sim);
        assert_int_equal(fl.erase(fl.ctx, 4096, 4096), 0);
        assert_int_equal(otter_norsim_time_us(&sim) - t0, models[m].sector);
        t0 = otter_norsim_time_us(&sim);
        assert_int_equal(fl.erase(fl.ctx, 0, 65536), 0);
        assert_int_equal(otter_norsim_time_us(&sim) - t0, models[m].block);
        t0 = otter_norsim_time_us(&sim);
        assert_int_equal(fl.program(fl.ctx, 0, buf, 1), 0); /* partial page = one page */
        assert_int_equal(otter_norsim_time_us(&sim) - t0, models[m].page);
        t0 = otter_norsim_time_us(&sim);
        assert_int_equal(fl.program(fl.ctx, 128, buf, 256), 0); /* straddles two pages */
        assert_int_equal(otter_norsim_time_us(&sim) - t0, 2 * models[m].page);
        t0 = otter_norsim_time_us(&sim);
        assert_int_equal(fl.read(fl.ctx, 0, buf, 4096), 0); /* 4096 B at 40 MB/s */
        assert_int_equal(otter_norsim_time_us(&sim) - t0, 103);
        otter_norsim_stats_t st;
        otter_norsim_stats(&sim, &st);
        assert_int_equal(st.ops, 4);
        assert_int_equal(st.sector_erases, 1);
        assert_int_equal(st.block_erases, 1);
        assert_int_equal(st.programs, 2);
        assert_int_equal(st.pages_programmed, 3);
        assert_int_equal(st.bytes_programmed, 257);
        assert_int_equal(st.reads, 1);
        assert_int_equal(st.bytes_read, 4096);
        assert_int_equal(st.longest_op_us, models[m].block);
        assert_int_equal(st.elapsed_us, models[m].sector + models[m].block + 3 * models[m].page + 103);
        /* longest since mark, and the virtual clock port */
        otter_norsim_mark(&sim);
        assert_int_equal(otter_norsim_longest_since_mark(&sim), 0);
        assert_int_equal(fl.erase(fl.ctx, 8192, 4096), 0);
        assert_int_equal(otter_norsim_longest_since_mark(&sim), models[m].sector);
        otter_norsim_advance_us(&sim, 1000000);
        otter_clock_t clk = otter_norsim_clock(&sim);
        assert_int_equal(clk.now_ms(clk.ctx), otter_norsim_time_us(&sim) / 1000);
        assert_null(clk.wall_time);
        otter_norsim_reset_stats(&sim);
        otter_norsim_stats(&sim, &st);
        assert_int_equal(st.ops, 0);
        otter_norsim_close(&sim);
        rm_path(p);
    }
}

static void test_wear(void **state)
{
    (void)state;
    char *p = tmp_path();
    otter_norsim_t sim;
    otter_norsim_options_t o;
    otter_norsim_options_default(&o);
    o.persist_wear = 1;
    assert_int_equal(otter_norsim_create(p, SIZE), 0);
    assert_int_equal(otter_norsim_open(&sim, p, &o), 0);
    otter_flash_t fl = otter_norsim_flash(&sim);
    assert_int_equal(otter_norsim_sector_count(&sim), 16);
    assert_int_equal(fl.erase(fl.ctx, 0, 65536), 0);  /* one block: every sector once */
    assert_int_equal(fl.erase(fl.ctx, 4096, 8192), 0); /* two sector erases */
    assert_int_equal(otter_norsim_sector_erases(&sim, 0), 1);
    assert_int_equal(otter_norsim_sector_erases(&sim, 1), 2);
    assert_int_equal(otter_norsim_sector_erases(&sim, 2), 2);
    assert_int_equal(otter_norsim_sector_erases(&sim, 3), 1);
    assert_int_equal(otter_norsim_sector_erases(&sim, 99), 0);
    otter_norsim_close(&sim);
    /* persisted across processes */
    assert_int_equal(otter_norsim_open(&sim, p, &o), 0);
    assert_int_equal(otter_norsim_sector_erases(&sim, 1), 2);
    otter_norsim_close(&sim);
    /* not loaded without persist_wear */
    assert_int_equal(otter_norsim_open(&sim, p, NULL), 0);
    assert_int_equal(otter_norsim_sector_erases(&sim, 1), 0);
    otter_norsim_close(&sim);
    rm_path(p);
}

/* Program 0x00 over 64 erased bytes with a cut at that op. */
static void torn_program(uint64_t seed, uint8_t out[64])
{
    char *p = tmp_path();
    otter_norsim_t sim;
    otter_norsim_options_t o;
    otter_norsim_options_default(&o);
    o.seed = seed;
    assert_int_equal(otter_norsim_create(p, SIZE), 0);
    assert_int_equal(otter_norsim_open(&sim, p, &o), 0);
    otter_flash_t fl = otter_norsim_flash(&sim);
    uint8_t zero[64] = {0}, r;
    otter_norsim_cut_after(&sim, 2);
    assert_int_equal(fl.program(fl.ctx, 0, zero, 1), 0); /* op 1: fine */
    assert_int_equal(otter_norsim_powered(&sim), 1);
    assert_int_equal(fl.program(fl.ctx, 4096, zero, 64), OTTER_ERR_FLASH_POWER_LOSS);
    assert_int_equal(otter_norsim_powered(&sim), 0);
    /* everything fails until reboot */
    assert_int_equal(fl.read(fl.ctx, 0, &r, 1), OTTER_ERR_FLASH_POWER_LOSS);
    assert_int_equal(fl.program(fl.ctx, 8192, zero, 1), OTTER_ERR_FLASH_POWER_LOSS);
    assert_int_equal(fl.erase(fl.ctx, 8192, 4096), OTTER_ERR_FLASH_POWER_LOSS);
    otter_norsim_stats_t st;
    otter_norsim_stats(&sim, &st);
    assert_int_equal(st.ops, 2);
    assert_int_equal(otter_norsim_reboot(&sim, 1), 0);
    otter_norsim_stats(&sim, &st);
    assert_int_equal(st.ops, 2); /* kept */
    fl = otter_norsim_flash(&sim);
    assert_int_equal(otter_norsim_powered(&sim), 1);
    assert_int_equal(fl.read(fl.ctx, 4096, out, 64), 0);
    assert_int_equal(otter_norsim_reboot(&sim, 0), 0);
    otter_norsim_stats(&sim, &st);
    assert_int_equal(st.ops, 0);
    otter_norsim_close(&sim);
    rm_path(p);
}

static void test_torn_program(void **state)
{
    (void)state;
    uint8_t a[64], b[64], c[64];
    torn_program(7, a);
    torn_program(7, b);
    torn_program(8, c);
    assert_memory_equal(a, b, 64); /* same seed, same cut: same bits */
    assert_memory_not_equal(a, c, 64);
    unsigned zeros = 0, ones = 0;
    for (int i = 0; i < 64; i++)
        for (int k = 0; k < 8; k++)
            (a[i] >> k & 1) ? ones++ : zeros++;
    /* some bits cleared, some not: a real tear */
    assert_true(zeros > 100 && ones > 100);
}

static void test_torn_erase(void **state)
{
    (void)state;
    char *p = tmp_path();
    otter_norsim_t sim;
    open_sim(&sim, p, 1, OTTER_NORSIM_TIMING_TYP);
    otter_flash_t fl = otter_norsim_flash(&sim);
    uint8_t pat[4096], r[4096];
    for (int i = 0; i < 4096; i++)
        pat[i] = (uint8_t)(i * 37);
    assert_int_equal(fl.program(fl.ctx, 4096, pat, sizeof pat), 0);
    otter_norsim_cut_after(&sim, 1);
    assert_int_equal(fl.erase(fl.ctx, 4096, 4096), OTTER_ERR_FLASH_POWER_LOSS);
    assert_int_equal(otter_norsim_reboot(&sim, 1), 0);
    fl = otter_norsim_flash(&sim);
    assert_int_equal(fl.read(fl.ctx, 4096, r, sizeof r), 0);
    int changed = 0, kept = 0;
    for (int i = 0; i < 4096; i++) {
        assert_int_equal(r[i] & pat[i], pat[i]); /* every bit is old or 1 */
        if (r[i] != pat[i])
            changed++;
        if (r[i] != 0xFF)
            kept++;
    }
    assert_true(changed > 0 && kept > 0);
    assert_int_equal(otter_norsim_sector_erases(&sim, 1), 1);
    /* a torn region can be erased and reprogrammed after reboot */
    assert_int_equal(fl.erase(fl.ctx, 4096, 4096), 0);
    assert_int_equal(fl.program(fl.ctx, 4096, pat, sizeof pat), 0);
    otter_norsim_close(&sim);
    rm_path(p);
}

/* Over a caller's buffer: the same model. Size checks, the buffer is the
 * flash, wear optional, reboot keeps the contents, and a torn program
 * leaves the same bits as over a file (same seed, same cut). */
static void test_open_mem(void **state)
{
    (void)state;
    static uint8_t mem[SIZE];
    static uint32_t wear[SIZE / 4096];
    otter_norsim_t sim;
    assert_int_equal(otter_norsim_open_mem(&sim, mem, 0, NULL, NULL), OTTER_ERR_FLASH_SIZE);
    assert_int_equal(otter_norsim_open_mem(&sim, mem, 4097, NULL, NULL), OTTER_ERR_FLASH_SIZE);
    assert_int_equal(otter_norsim_open_mem(&sim, NULL, SIZE, NULL, NULL), OTTER_ERR_FLASH_SIZE);
    otter_norsim_close(&sim); /* safe after a failed open */
    memset(mem, 0xFF, sizeof mem);
    wear[3] = 99;
    assert_int_equal(otter_norsim_open_mem(&sim, mem, SIZE, wear, NULL), 0);
    assert_int_equal(wear[3], 0); /* zeroed */
    otter_flash_t fl = otter_norsim_flash(&sim);
    assert_int_equal(fl.size, SIZE);
    assert_int_equal(fl.block_size, 65536);
    assert_ptr_equal(otter_norsim_data(&sim), mem);
    assert_int_equal(fl.program(fl.ctx, 10, "\x0F", 1), 0);
    assert_int_equal(mem[10], 0x0F);
    assert_int_equal(fl.program(fl.ctx, 10, "\xF0", 1), OTTER_ERR_FLASH_NOT_ERASED);
    otter_norsim_stats_t st;
    otter_norsim_stats(&sim, &st);
    assert_int_equal(st.refused_programs, 1);
    assert_int_equal(fl.erase(fl.ctx, 0, 8192), 0);
    assert_int_equal(otter_norsim_sector_erases(&sim, 1), 1);
    assert_int_equal(wear[1], 1);
    assert_int_equal(mem[10], 0xFF);
    /* cut, reboot: power back, contents kept */
    uint8_t zeros[64], torn_file[64];
    memset(zeros, 0, sizeof zeros);
    otter_norsim_cut_after(&sim, 1);
    assert_int_equal(fl.program(fl.ctx, 100, zeros, sizeof zeros), OTTER_ERR_FLASH_POWER_LOSS);
    assert_int_equal(otter_norsim_powered(&sim), 0);
    assert_int_equal(fl.read(fl.ctx, 0, zeros, 1), OTTER_ERR_FLASH_POWER_LOSS);
    uint8_t torn[64];
    memcpy(torn, mem + 100, sizeof torn);
    assert_int_equal(otter_norsim_reboot(&sim, 0), 0);
    assert_int_equal(otter_norsim_powered(&sim), 1);
    assert_memory_equal(mem + 100, torn, sizeof torn);
    otter_norsim_close(&sim);
    assert_int_equal(otter_norsim_reboot(&sim, 0), OTTER_ERR_STATE);
    /* the file backing tears the same bits: the first op after open, cut */
    memset(mem, 0xFF, sizeof mem);
    assert_int_equal(otter_norsim_open_mem(&sim, mem, SIZE, NULL, NULL), 0);
    fl = otter_norsim_flash(&sim);
    otter_norsim_cut_after(&sim, 1);
    memset(zeros, 0, sizeof zeros);
    assert_int_equal(fl.program(fl.ctx, 100, zeros, sizeof zeros), OTTER_ERR_FLASH_POWER_LOSS);
    memcpy(torn, mem + 100, sizeof torn);
    otter_norsim_close(&sim);
    char *p = tmp_path();
    open_sim(&sim, p, 1, OTTER_NORSIM_TIMING_TYP);
    fl = otter_norsim_flash(&sim);
    otter_norsim_cut_after(&sim, 1);
    assert_int_equal(fl.program(fl.ctx, 100, zeros, sizeof zeros), OTTER_ERR_FLASH_POWER_LOSS);
    memcpy(torn_file, otter_norsim_data(&sim) + 100, sizeof torn_file);
    assert_memory_equal(torn, torn_file, sizeof torn);
    otter_norsim_close(&sim);
    rm_path(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_open), cmocka_unit_test(test_nor_rules),   cmocka_unit_test(test_strict),
        cmocka_unit_test(test_timing),      cmocka_unit_test(test_wear),        cmocka_unit_test(test_torn_program),
        cmocka_unit_test(test_torn_erase),  cmocka_unit_test(test_open_mem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
