/* Test support: a RAM flash for unit tests, fuzz targets and benchmarks,
 * host or target. It is the NOR simulator (ports/posix/norsim.h) over a
 * buffer: NOR rules, strict mode, power cuts, counters, all from the one
 * model; this only owns the buffer and keeps the port at hand.
 *
 *   ramflash_t rf;
 *   ramflash_open(&rf, NULL, 0x40000, 0xFF, NULL);   // blank 256 KB
 *   otter_ptable_write(&pt, &rf.flash);
 *   rf.mem[0x10000] ^= 1;                             // poke the contents
 *   otter_norsim_cut_after(&rf.sim, 3);               // power cut
 *   ramflash_close(&rf);
 *
 * Needs malloc/free from the C library (only when it allocates the buffer);
 * no POSIX, no stdio. Not part of otter: test code. */
#ifndef OTTER_TEST_RAMFLASH_H
#define OTTER_TEST_RAMFLASH_H

#include <stdint.h>

#include "norsim.h"
#include "otter/flash.h"

typedef struct ramflash {
    otter_norsim_t sim;  /* the model: stats, cuts, reboot, clock */
    otter_flash_t flash; /* the port (ctx = &sim); pass &rf.flash */
    uint8_t *mem;        /* the contents, size bytes: tests may read and change them */
    uint32_t size;
    int owned; /* 1: mem was allocated by ramflash_open() */
} ramflash_t;

/* Open a RAM flash of size bytes (a non-zero multiple of 4096) over buf, or
 * over a malloc'd buffer if buf is NULL (freed by ramflash_close()). Every
 * byte is set to fill (0xFF: a blank chip; anything else: garbage left by
 * whatever ran before). opt as otter_norsim_open_mem() (NULL: defaults,
 * strict, 64 KB block erase advertised). No wear counters. Returns 0,
 * OTTER_ERR_FLASH_SIZE or OTTER_ERR_IO (no memory). */
int ramflash_open(ramflash_t *rf, uint8_t *buf, uint32_t size, uint8_t fill, const otter_norsim_options_t *opt);

/* Options shortcut: defaults with block erase off (block_size 0), the
 * geometry of a flash that erases 4 KB sectors only. */
otter_norsim_options_t ramflash_sector_only(void);

/* Power-cycle the flash (clears a cut; contents stay) and refresh rf->flash.
 * keep_counters as otter_norsim_reboot(). Returns 0 or its error. */
int ramflash_reboot(ramflash_t *rf, int keep_counters);

/* Free what ramflash_open() allocated. Safe on a zeroed or closed rf. */
void ramflash_close(ramflash_t *rf);

#endif
