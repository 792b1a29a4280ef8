/* bench/vtime: virtual-time figures for one image size on the min_spiffs
 * layout, on the NOR simulator's timing models.
 *
 * usage: vtime DIR SIZE
 *   DIR   scratch directory for flash files
 *   SIZE  image size in bytes (the forum image: 1577648)
 * Prints "key value" lines (times in microseconds of virtual time):
 *   <model>.bound_us              flash-only lower bound: erase the 4 KB sectors
 *                                 the image covers, program it, one otadata write
 *   <model>.bound_block_us        the same with 64 KB block erases
 *   <model>.naive_<e>.erase_us    seed-era behaviour: erase the whole slot in
 *                                 one blocking call (e = sector: 4 KB erases,
 *                                 block: 64 KB erases), ...
 *   <model>.naive_<e>.<rate>.total_us  ... then download at <rate> and program
 *                                 as bytes arrive, then the otadata write
 *   <model>.naive_<e>.<rate>.longest_us longest blocking call (the erase)
 * for model in typ, max and rate in 1000000, 100000 bytes/s.
 * The update engine's own figures come from bench/vtime_engine.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "norsim.h"
#include "vtime_net.h"

/* min_spiffs: app1 (the slot the update writes) and otadata. */
#define FLASH_SIZE 0x400000u
#define SLOT_ADDR 0x1F0000u
#define SLOT_SIZE 0x1E0000u
#define OTADATA_ADDR 0xE000u
#define CHUNK 4096u
#define WINDOW 5744u

static const char *model_name[] = {"typ", "max"};

static int open_sim(otter_norsim_t *sim, const char *dir, otter_norsim_timing_t model)
{
    char path[512];
    snprintf(path, sizeof path, "%s/vtime.flash", dir);
    if (otter_norsim_create(path, FLASH_SIZE) != 0)
        return -1;
    otter_norsim_options_t opt;
    otter_norsim_options_default(&opt);
    opt.timing = model;
    otter_norsim_init(sim);
    return otter_norsim_open(sim, path, &opt);
}

/* The boot switch: one otadata sector erase and one 32-byte entry. */
static int otadata_write(otter_flash_t *f)
{
    uint8_t entry[32];
    memset(entry, 0x11, sizeof entry);
    int rc = f->erase(f->ctx, OTADATA_ADDR, f->sector_size);
    return rc ? rc : f->program(f->ctx, OTADATA_ADDR, entry, sizeof entry);
}

static int bound(const char *dir, otter_norsim_timing_t model, int block, const uint8_t *img,
                 uint32_t size, uint64_t *us)
{
    otter_norsim_t sim;
    if (open_sim(&sim, dir, model))
        return -1;
    otter_flash_t f = otter_norsim_flash(&sim);
    uint64_t t0 = otter_norsim_time_us(&sim);
    int rc = 0;
    uint32_t unit = block ? 65536u : f.sector_size;
    for (uint32_t off = 0; off < size && !rc; off += unit)
        rc = f.erase(f.ctx, SLOT_ADDR + off, unit);
    for (uint32_t off = 0; off < size && !rc; off += CHUNK) {
        uint32_t n = size - off < CHUNK ? size - off : CHUNK;
        rc = f.program(f.ctx, SLOT_ADDR + off, img + off, n);
    }
    if (!rc)
        rc = otadata_write(&f);
    *us = otter_norsim_time_us(&sim) - t0;
    otter_norsim_close(&sim);
    return rc;
}

static int naive(const char *dir, otter_norsim_timing_t model, int block, double rate,
                 const uint8_t *img, uint32_t size, uint64_t *erase_us, uint64_t *total_us)
{
    otter_norsim_t sim;
    if (open_sim(&sim, dir, model))
        return -1;
    otter_flash_t f = otter_norsim_flash(&sim);
    uint32_t unit = block ? 65536u : f.sector_size;
    vnet_t net;
    uint64_t t0 = otter_norsim_time_us(&sim);
    /* The request is out and the headers are in; the whole slot is erased
     * before the first body byte is read: the network stalls once the
     * window is full. */
    vnet_init(&net, &sim, rate, WINDOW);
    vnet_take(&net, 1);
    int rc = 0;
    for (uint32_t off = 0; off < SLOT_SIZE && !rc; off += unit)
        rc = f.erase(f.ctx, SLOT_ADDR + off, unit);
    *erase_us = otter_norsim_time_us(&sim) - t0;
    for (uint32_t off = 0; off < size && !rc;) {
        uint32_t want = size - off < CHUNK ? size - off : CHUNK;
        uint32_t got = 0;
        while (got < want)
            got += vnet_take(&net, want - got);
        rc = f.program(f.ctx, SLOT_ADDR + off, img + off, want);
        off += want;
    }
    if (!rc)
        rc = otadata_write(&f);
    *total_us = otter_norsim_time_us(&sim) - t0;
    otter_norsim_close(&sim);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: vtime DIR SIZE\n", stderr);
        return 2;
    }
    uint32_t size = (uint32_t)strtoul(argv[2], NULL, 0);
    if (size == 0 || size > SLOT_SIZE) {
        fputs("vtime: size must fit the min_spiffs slot\n", stderr);
        return 2;
    }
    uint8_t *img = malloc(size);
    if (!img)
        return 1;
    for (uint32_t i = 0; i < size; i++)
        img[i] = (uint8_t)(i * 2654435761u >> 13);
    const double rates[] = {1000000.0, 100000.0};
    for (int m = 0; m < 2; m++) {
        uint64_t us, bus;
        if (bound(argv[1], (otter_norsim_timing_t)m, 0, img, size, &us) ||
            bound(argv[1], (otter_norsim_timing_t)m, 1, img, size, &bus))
            return 1;
        printf("%s.bound_us %llu\n", model_name[m], (unsigned long long)us);
        printf("%s.bound_block_us %llu\n", model_name[m], (unsigned long long)bus);
        for (int b = 0; b < 2; b++)
            for (int r = 0; r < 2; r++) {
                uint64_t e, t;
                if (naive(argv[1], (otter_norsim_timing_t)m, b, rates[r], img, size, &e, &t))
                    return 1;
                const char *en = b ? "block" : "sector";
                printf("%s.naive_%s.%.0f.total_us %llu\n", model_name[m], en, rates[r],
                       (unsigned long long)t);
                printf("%s.naive_%s.%.0f.longest_us %llu\n", model_name[m], en, rates[r],
                       (unsigned long long)e);
            }
    }
    free(img);
    return 0;
}
