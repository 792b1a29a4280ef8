/* otter: the NOR flash model (see norsim.h). Portable C11: no allocation,
 * no stdio, no OS calls; it works on the memory it is given. The file
 * backing (mmap, wear file) is norsim_file.c. */
#include "norsim.h"

#include <string.h>

#include "otter/error.h"

#define MAX_FLASH_SIZE (256u * 1024u * 1024u)

/* Timing model, microseconds. */
struct timing {
    uint64_t sector_erase_us;
    uint64_t block_erase_us;
    uint64_t page_program_us_x10; /* tenths of a microsecond: 0.4 ms = 4000 */
};

static const struct timing timings[2] = {
    {45000, 150000, 4000},    /* typical */
    {400000, 2000000, 30000}, /* worst case */
};

void otter_norsim_options_default(otter_norsim_options_t *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->strict = 1;
    opt->timing = OTTER_NORSIM_TIMING_TYP;
    opt->seed = 1;
    opt->block_erase = 1;
    opt->persist_wear = 0;
}

void otter_norsim_init(otter_norsim_t *sim)
{
    memset(sim, 0, sizeof *sim);
    sim->fd = -1;
}

int otter_norsim_open_mem(otter_norsim_t *sim, uint8_t *buf, uint32_t size, uint32_t *wear,
                          const otter_norsim_options_t *opt)
{
    otter_norsim_init(sim);
    if (opt)
        sim->opt = *opt;
    else
        otter_norsim_options_default(&sim->opt);
    if (!buf || size == 0 || size % OTTER_NORSIM_SECTOR_SIZE || size > MAX_FLASH_SIZE)
        return OTTER_ERR_FLASH_SIZE;
    sim->map = buf;
    sim->size = size;
    sim->wear = wear;
    if (wear)
        memset(wear, 0, (size / OTTER_NORSIM_SECTOR_SIZE) * sizeof *wear);
    sim->powered = 1;
    return 0;
}

void otter_norsim_close(otter_norsim_t *sim)
{
    if (sim->backing_close)
        sim->backing_close(sim);
    otter_norsim_init(sim);
}

int otter_norsim_reboot(otter_norsim_t *sim, int keep_counters)
{
    if (!sim->map)
        return OTTER_ERR_STATE;
    if (sim->backing_reopen) {
        int ret = sim->backing_reopen(sim);
        if (ret != 0) {
            otter_norsim_close(sim);
            return ret;
        }
    }
    sim->powered = 1;
    sim->cut_countdown = 0;
    if (!keep_counters) {
        memset(&sim->st, 0, sizeof sim->st);
        sim->clock_us = 0;
        sim->mark_longest_us = 0;
    }
    return 0;
}

/* splitmix64: tiny, good enough to pick torn bits, fully deterministic. */
static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void account(otter_norsim_t *sim, uint64_t us)
{
    sim->st.elapsed_us += us;
    sim->clock_us += us;
    if (us > sim->st.longest_op_us)
        sim->st.longest_op_us = us;
    if (us > sim->mark_longest_us)
        sim->mark_longest_us = us;
}

/* Count one erase/program operation; returns 1 if this one is torn. */
static int begin_op(otter_norsim_t *sim)
{
    sim->op_serial++;
    sim->st.ops++;
    if (sim->cut_countdown == 0)
        return 0;
    if (--sim->cut_countdown == 0) {
        sim->powered = 0;
        return 1;
    }
    return 0;
}

static int sim_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    otter_norsim_t *sim = ctx;
    if (!sim->map)
        return OTTER_ERR_STATE;
    if (!sim->powered)
        return OTTER_ERR_FLASH_POWER_LOSS;
    if (addr > sim->size || len > sim->size - addr)
        return OTTER_ERR_FLASH_RANGE;
    memcpy(buf, sim->map + addr, len);
    sim->st.reads++;
    sim->st.bytes_read += len;
    account(sim, (len + 39) / 40); /* 40 MB/s = 40 bytes per microsecond */
    return 0;
}

static int sim_program(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    otter_norsim_t *sim = ctx;
    const uint8_t *src = buf;
    if (!sim->map)
        return OTTER_ERR_STATE;
    if (!sim->powered)
        return OTTER_ERR_FLASH_POWER_LOSS;
    if (addr > sim->size || len > sim->size - addr)
        return OTTER_ERR_FLASH_RANGE;
    if (len == 0)
        return 0;
    uint8_t *dst = sim->map + addr;
    if (sim->opt.strict)
        for (size_t i = 0; i < len; i++)
            if (dst[i] != 0xFF && src[i] != 0xFF) {
                sim->st.refused_programs++;
                return OTTER_ERR_FLASH_NOT_ERASED;
            }
    int torn = begin_op(sim);
    uint64_t pages = (addr + len - 1) / OTTER_NORSIM_PAGE_SIZE - addr / OTTER_NORSIM_PAGE_SIZE + 1;
    sim->st.programs++;
    sim->st.pages_programmed += pages;
    sim->st.bytes_programmed += len;
    account(sim, (pages * timings[sim->opt.timing].page_program_us_x10 + 9) / 10);
    if (!torn) {
        for (size_t i = 0; i < len; i++)
            dst[i] &= src[i];
        return 0;
    }
    /* Torn: each 1->0 change happens or not, at random. */
    uint64_t rng = sim->opt.seed ^ (sim->op_serial * 0xD1B54A32D192ED03ull);
    for (size_t i = 0; i < len; i++) {
        uint8_t clear = (uint8_t)(dst[i] & ~src[i]);
        if (clear)
            dst[i] &= (uint8_t)~(clear & (uint8_t)splitmix(&rng));
    }
    return OTTER_ERR_FLASH_POWER_LOSS;
}

static int erase_unit(otter_norsim_t *sim, uint32_t addr, uint32_t len)
{
    int torn = begin_op(sim);
    const struct timing *t = &timings[sim->opt.timing];
    if (len == OTTER_NORSIM_BLOCK_SIZE) {
        sim->st.block_erases++;
        account(sim, t->block_erase_us);
    } else {
        sim->st.sector_erases++;
        account(sim, t->sector_erase_us);
    }
    if (sim->wear)
        for (uint32_t s = addr / OTTER_NORSIM_SECTOR_SIZE; s < (addr + len) / OTTER_NORSIM_SECTOR_SIZE; s++)
            sim->wear[s]++;
    uint8_t *p = sim->map + addr;
    if (!torn) {
        memset(p, 0xFF, len);
        return 0;
    }
    /* Torn: every bit is either its old value or 1. */
    uint64_t rng = sim->opt.seed ^ (sim->op_serial * 0xD1B54A32D192ED03ull);
    for (uint32_t i = 0; i < len; i += 8) {
        uint64_t r = splitmix(&rng);
        for (uint32_t k = 0; k < 8; k++)
            p[i + k] |= (uint8_t)(r >> (8 * k));
    }
    return OTTER_ERR_FLASH_POWER_LOSS;
}

static int sim_erase(void *ctx, uint32_t addr, size_t len)
{
    otter_norsim_t *sim = ctx;
    if (!sim->map)
        return OTTER_ERR_STATE;
    if (!sim->powered)
        return OTTER_ERR_FLASH_POWER_LOSS;
    if (addr % OTTER_NORSIM_SECTOR_SIZE || len % OTTER_NORSIM_SECTOR_SIZE || len == 0)
        return OTTER_ERR_FLASH_ALIGN;
    if (addr > sim->size || len > sim->size - addr)
        return OTTER_ERR_FLASH_RANGE;
    /* One aligned block is one block erase; anything else is done sector by
     * sector, each its own operation (and its own possible power cut). */
    if (sim->opt.block_erase && len == OTTER_NORSIM_BLOCK_SIZE && addr % OTTER_NORSIM_BLOCK_SIZE == 0)
        return erase_unit(sim, addr, OTTER_NORSIM_BLOCK_SIZE);
    for (uint32_t off = 0; off < len; off += OTTER_NORSIM_SECTOR_SIZE) {
        int ret = erase_unit(sim, addr + off, OTTER_NORSIM_SECTOR_SIZE);
        if (ret)
            return ret;
    }
    return 0;
}

otter_flash_t otter_norsim_flash(otter_norsim_t *sim)
{
    otter_flash_t f;
    memset(&f, 0, sizeof f);
    f.read = sim_read;
    f.program = sim_program;
    f.erase = sim_erase;
    f.size = sim->size;
    f.sector_size = OTTER_NORSIM_SECTOR_SIZE;
    f.block_size = sim->opt.block_erase ? OTTER_NORSIM_BLOCK_SIZE : 0;
    f.page_size = OTTER_NORSIM_PAGE_SIZE;
    f.erased_value = 0xFF;
    f.ctx = sim;
    return f;
}

void otter_norsim_cut_after(otter_norsim_t *sim, uint64_t n)
{
    sim->cut_countdown = n;
}

int otter_norsim_powered(const otter_norsim_t *sim)
{
    return sim->powered;
}

void otter_norsim_stats(const otter_norsim_t *sim, otter_norsim_stats_t *out)
{
    *out = sim->st;
}

void otter_norsim_reset_stats(otter_norsim_t *sim)
{
    memset(&sim->st, 0, sizeof sim->st);
}

uint64_t otter_norsim_time_us(const otter_norsim_t *sim)
{
    return sim->clock_us;
}

void otter_norsim_advance_us(otter_norsim_t *sim, uint64_t us)
{
    sim->clock_us += us;
}

uint64_t otter_norsim_longest_since_mark(const otter_norsim_t *sim)
{
    return sim->mark_longest_us;
}

void otter_norsim_mark(otter_norsim_t *sim)
{
    sim->mark_longest_us = 0;
}

static uint64_t clock_now_ms(void *ctx)
{
    return ((const otter_norsim_t *)ctx)->clock_us / 1000u;
}

otter_clock_t otter_norsim_clock(otter_norsim_t *sim)
{
    otter_clock_t c;
    c.now_ms = clock_now_ms;
    c.wall_time = NULL;
    c.ctx = sim;
    return c;
}

uint32_t otter_norsim_sector_count(const otter_norsim_t *sim)
{
    return sim->size / OTTER_NORSIM_SECTOR_SIZE;
}

uint32_t otter_norsim_sector_erases(const otter_norsim_t *sim, uint32_t sector)
{
    if (!sim->wear || sector >= otter_norsim_sector_count(sim))
        return 0;
    return sim->wear[sector];
}

const uint8_t *otter_norsim_data(const otter_norsim_t *sim)
{
    return sim->map;
}

uint32_t otter_norsim_size(const otter_norsim_t *sim)
{
    return sim->size;
}
