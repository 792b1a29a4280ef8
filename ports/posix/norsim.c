/* otter POSIX port: file-backed SPI NOR flash simulator (see norsim.h). */
#include "norsim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otter/bytes.h"
#include "otter/error.h"

#define MAX_FLASH_SIZE (256u * 1024u * 1024u)
#define WEAR_MAGIC 0x5257544fu /* "OTWR" */

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

static char *wear_path(const char *path)
{
    size_t n = strlen(path);
    char *p = malloc(n + 6);
    if (p) {
        memcpy(p, path, n);
        memcpy(p + n, ".wear", 6);
    }
    return p;
}

int otter_norsim_create(const char *path, uint32_t size)
{
    if (size == 0 || size % OTTER_NORSIM_SECTOR_SIZE || size > MAX_FLASH_SIZE)
        return OTTER_ERR_FLASH_SIZE;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return OTTER_ERR_IO;
    uint8_t buf[OTTER_NORSIM_BLOCK_SIZE];
    memset(buf, 0xFF, sizeof buf);
    int ret = 0;
    for (uint32_t off = 0; off < size && ret == 0; off += sizeof buf) {
        size_t n = size - off < sizeof buf ? size - off : sizeof buf;
        if (write(fd, buf, n) != (ssize_t)n)
            ret = OTTER_ERR_IO;
    }
    if (close(fd) != 0 && ret == 0)
        ret = OTTER_ERR_IO;
    char *wp = wear_path(path);
    if (wp) {
        unlink(wp);
        free(wp);
    }
    return ret;
}

/* The wear file of the flash file at path, opened with mode, or NULL. */
static FILE *wear_open(const char *path, const char *mode)
{
    char *wp = wear_path(path);
    FILE *f = wp ? fopen(wp, mode) : NULL;
    free(wp);
    return f;
}

static void wear_load(otter_norsim_t *sim)
{
    FILE *f = wear_open(sim->path, "rb");
    if (!f)
        return;
    uint8_t hdr[8];
    uint32_t n = otter_norsim_sector_count(sim);
    if (fread(hdr, 1, 8, f) == 8 && otter_le32(hdr) == WEAR_MAGIC && otter_le32(hdr + 4) == n) {
        for (uint32_t i = 0; i < n; i++) {
            uint8_t b[4];
            if (fread(b, 1, 4, f) != 4)
                break;
            sim->wear[i] = otter_le32(b);
        }
    }
    fclose(f);
}

static void wear_save(const otter_norsim_t *sim)
{
    FILE *f = wear_open(sim->path, "wb");
    if (!f)
        return;
    uint8_t b[8];
    uint32_t n = otter_norsim_sector_count(sim);
    otter_put_le32(b, WEAR_MAGIC);
    otter_put_le32(b + 4, n);
    fwrite(b, 1, 8, f);
    for (uint32_t i = 0; i < n; i++) {
        otter_put_le32(b, sim->wear[i]);
        fwrite(b, 1, 4, f);
    }
    fclose(f);
}

/* Map the file; sim->path and sim->opt are already set. */
static int map_file(otter_norsim_t *sim)
{
    int fd = open(sim->path, O_RDWR);
    if (fd < 0)
        return OTTER_ERR_IO;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return OTTER_ERR_IO;
    }
    if (st.st_size <= 0 || st.st_size % OTTER_NORSIM_SECTOR_SIZE || (uint64_t)st.st_size > MAX_FLASH_SIZE) {
        close(fd);
        return OTTER_ERR_FLASH_SIZE;
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        close(fd);
        return OTTER_ERR_IO;
    }
    sim->fd = fd;
    sim->map = m;
    sim->size = (uint32_t)st.st_size;
    sim->powered = 1;
    sim->cut_countdown = 0;
    return 0;
}

static void unmap_file(otter_norsim_t *sim)
{
    if (sim->map) {
        msync(sim->map, sim->size, MS_SYNC);
        munmap(sim->map, sim->size);
        sim->map = NULL;
    }
    if (sim->fd >= 0) {
        close(sim->fd);
        sim->fd = -1;
    }
}

int otter_norsim_open(otter_norsim_t *sim, const char *path, const otter_norsim_options_t *opt)
{
    otter_norsim_init(sim);
    if (opt)
        sim->opt = *opt;
    else
        otter_norsim_options_default(&sim->opt);
    sim->path = strdup(path);
    if (!sim->path)
        return OTTER_ERR_IO;
    int ret = map_file(sim);
    if (ret == 0) {
        sim->wear = calloc(sim->size / OTTER_NORSIM_SECTOR_SIZE, sizeof *sim->wear);
        if (!sim->wear)
            ret = OTTER_ERR_IO;
    }
    if (ret != 0) {
        otter_norsim_close(sim);
        return ret;
    }
    if (sim->opt.persist_wear)
        wear_load(sim);
    return 0;
}

void otter_norsim_close(otter_norsim_t *sim)
{
    if (sim->wear && sim->path && sim->opt.persist_wear)
        wear_save(sim);
    unmap_file(sim);
    free(sim->wear);
    free(sim->path);
    otter_norsim_init(sim);
}

int otter_norsim_reboot(otter_norsim_t *sim, int keep_counters)
{
    if (!sim->path)
        return OTTER_ERR_STATE;
    uint32_t old_size = sim->size;
    unmap_file(sim);
    int ret = map_file(sim);
    if (ret == 0 && sim->size != old_size)
        ret = OTTER_ERR_FLASH_SIZE; /* the file changed under us */
    if (ret != 0) {
        otter_norsim_close(sim);
        return ret;
    }
    if (sim->opt.persist_wear)
        wear_save(sim);
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
            if (dst[i] != 0xFF && src[i] != 0xFF)
                return OTTER_ERR_FLASH_NOT_ERASED;
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
