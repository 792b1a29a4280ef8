/* otter: an SPI NOR flash simulator, over memory or over a file.
 *
 * The flash is a caller-provided memory buffer (otter_norsim_open_mem()) or
 * an ordinary file mapped into memory (otter_norsim_open()), with NOR rules:
 *   - erase sets a whole 4 KB sector, or an aligned 64 KB block, to 0xFF;
 *   - program can only clear bits (result = old AND new);
 *   - in strict mode (the default) programming a byte that is not erased is
 *     refused with OTTER_ERR_FLASH_NOT_ERASED and nothing is written, since
 *     doing it on purpose is always a bug. Bytes programmed with 0xFF are
 *     exempt (a 0xFF byte changes no bit; drivers pad pages with it).
 *
 * Every erase and program is one "operation". Each advances a virtual clock
 * by a datasheet timing model (W25Q32JV-like):
 *
 *                         typical     worst case (datasheet maximum)
 *   4 KB sector erase      45 ms        400 ms
 *   64 KB block erase     150 ms       2000 ms
 *   page program          0.4 ms          3 ms   per 256-byte page touched
 *   read                  ~40 MB/s (len / 40 us, rounded up), both models
 *
 * Power loss: otter_norsim_cut_after(sim, n) arms a cut at the n-th erase or
 * program from now. That operation is torn: a program leaves a random subset
 * of its 1->0 bit changes done; an erase leaves the sector (or block) a
 * random mix of its old bits and 1s. It returns OTTER_ERR_FLASH_POWER_LOSS and
 * so does every later read, program and erase until otter_norsim_reboot().
 * The randomness comes from a generator seeded with (options.seed, operation
 * number), so the same seed and cut replay the same torn bits.
 *
 * Per-sector erase counters (wear) are kept in memory and, when
 * options.persist_wear is set, in a side file "<path>.wear" so that they
 * survive across processes (the otter CLI uses this).
 *
 * Two files: norsim.c is the NOR model, portable C11 (no allocation, no
 * stdio, no OS calls; builds for bare-metal targets); norsim_file.c is the
 * POSIX file backing (mmap, the wear file; it allocates and calls the OS).
 * One otter_norsim_t per flash; several may be open in one process. Not
 * thread-safe. */
#ifndef OTTER_NORSIM_H
#define OTTER_NORSIM_H

#include <stddef.h>
#include <stdint.h>

#include "otter/clock.h"
#include "otter/flash.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Geometry the simulator presents. */
#define OTTER_NORSIM_SECTOR_SIZE 4096u
#define OTTER_NORSIM_BLOCK_SIZE 65536u
#define OTTER_NORSIM_PAGE_SIZE 256u

/* Timing models. */
typedef enum otter_norsim_timing {
    OTTER_NORSIM_TIMING_TYP = 0, /* typical figures */
    OTTER_NORSIM_TIMING_MAX = 1, /* datasheet maxima */
} otter_norsim_timing_t;

/* Options for otter_norsim_open(). Fill with otter_norsim_options_default()
 * and change what you need. */
typedef struct otter_norsim_options {
    int strict;                  /* 1: refuse programming non-erased bytes (default 1) */
    otter_norsim_timing_t timing; /* default OTTER_NORSIM_TIMING_TYP */
    uint64_t seed;               /* seed for torn operations (default 1) */
    int block_erase;             /* 1: advertise block_size 65536 (default 1) */
    int persist_wear;            /* 1: load/save wear counters in "<path>.wear" (default 0) */
} otter_norsim_options_t;

/* Counters since open (or since otter_norsim_reset_stats()). */
typedef struct otter_norsim_stats {
    uint64_t ops;              /* erases (sector + block) + programs */
    uint64_t sector_erases;    /* 4 KB erase operations */
    uint64_t block_erases;     /* 64 KB erase operations */
    uint64_t programs;         /* program calls */
    uint64_t pages_programmed; /* 256-byte pages touched by programs */
    uint64_t bytes_programmed;
    uint64_t reads;            /* read calls */
    uint64_t bytes_read;
    uint64_t elapsed_us;       /* virtual time spent in flash operations */
    uint64_t longest_op_us;    /* longest single operation (erase, program or read call) */
    uint64_t refused_programs; /* programs refused by strict mode (OTTER_ERR_FLASH_NOT_ERASED) */
} otter_norsim_stats_t;

/* The simulator. Opaque: use the functions below. Caller-owned. */
typedef struct otter_norsim otter_norsim_t;
struct otter_norsim {
    char *path;           /* file backing only */
    int fd;               /* file backing only */
    /* Backing hooks, NULL over memory: reopen on reboot, release on close. */
    int (*backing_reopen)(otter_norsim_t *sim);
    void (*backing_close)(otter_norsim_t *sim);
    uint8_t *map;         /* the flash contents: the caller's buffer or the mapping */
    uint32_t size;
    otter_norsim_options_t opt;
    otter_norsim_stats_t st;
    uint32_t *wear;       /* erase count per 4 KB sector; NULL: not counted */
    uint64_t clock_us;    /* virtual clock: flash time plus otter_norsim_advance_us() */
    uint64_t mark_longest_us;
    uint64_t op_serial;   /* operation number since open, feeds the torn-op RNG */
    uint64_t cut_countdown; /* 0: no cut armed; else ops until the torn one */
    int powered;          /* 0 after a torn operation until reboot */
};

/* Defaults: strict, typical timing, seed 1, block erase on, no wear file. */
void otter_norsim_options_default(otter_norsim_options_t *opt);

/* Zero a simulator so that otter_norsim_close() is safe. Cannot fail. */
void otter_norsim_init(otter_norsim_t *sim);

/* Simulate a flash over buf (size bytes, caller-owned, must outlive sim):
 * its contents are the flash contents as they are (fill it with 0xFF for a
 * blank chip). wear, if not NULL, holds size / 4096 erase counters (zeroed
 * here, caller-owned); NULL keeps no wear (otter_norsim_sector_erases()
 * returns 0). opt may be NULL (defaults; persist_wear is ignored); it is
 * copied. size must be a non-zero multiple of 4096 and at most 256 MB.
 * Returns 0 or OTTER_ERR_FLASH_SIZE. Portable: no allocation, no OS.
 * otter_norsim_reboot() clears the power loss and keeps buf as it is. */
int otter_norsim_open_mem(otter_norsim_t *sim, uint8_t *buf, uint32_t size, uint32_t *wear,
                          const otter_norsim_options_t *opt);

/* Create (or truncate) a flash file of size bytes, every byte 0xFF. size
 * must be a non-zero multiple of 4096 and at most 256 MB. Removes a stale
 * "<path>.wear". Returns 0, OTTER_ERR_FLASH_SIZE or OTTER_ERR_IO. */
int otter_norsim_create(const char *path, uint32_t size);

/* Open a flash file. opt may be NULL (defaults); it is copied. The file size
 * must be a non-zero multiple of 4096 (OTTER_ERR_FLASH_SIZE otherwise).
 * Returns 0, OTTER_ERR_FLASH_SIZE, OTTER_ERR_IO. On failure sim stays closed. */
int otter_norsim_open(otter_norsim_t *sim, const char *path, const otter_norsim_options_t *opt);

/* Flush, save wear (if persisted) and close. Safe on an initialised or
 * closed simulator, any number of times. */
void otter_norsim_close(otter_norsim_t *sim);

/* "Reboot" the device with the same options (a file is closed and reopened):
 * this clears the power-loss state and disarms any cut. Wear counters are
 * always kept. With keep_counters the stats and the virtual clock carry on;
 * otherwise they restart at zero. Returns 0, OTTER_ERR_STATE if closed, or
 * the otter_norsim_open() error (the simulator is then closed). */
int otter_norsim_reboot(otter_norsim_t *sim, int keep_counters);

/* The flash port for this simulator (ctx = sim). Valid while sim is open. */
otter_flash_t otter_norsim_flash(otter_norsim_t *sim);

/* Arm a power cut: the n-th erase or program from now (n >= 1) is torn and
 * the power is lost. n == 0 disarms. Reads do not count. */
void otter_norsim_cut_after(otter_norsim_t *sim, uint64_t n);

/* 1 while powered, 0 after a cut until otter_norsim_reboot(). */
int otter_norsim_powered(const otter_norsim_t *sim);

/* Counters. */
void otter_norsim_stats(const otter_norsim_t *sim, otter_norsim_stats_t *out);
/* Zero the counters (not the wear, not the clock). */
void otter_norsim_reset_stats(otter_norsim_t *sim);

/* Virtual clock in microseconds. Callers diff two readings to measure the
 * flash time spent inside one step of their own. */
uint64_t otter_norsim_time_us(const otter_norsim_t *sim);
/* Advance the virtual clock (time spent elsewhere, e.g. simulated network). */
void otter_norsim_advance_us(otter_norsim_t *sim, uint64_t us);
/* Longest single flash operation since the last otter_norsim_mark() (or open). */
uint64_t otter_norsim_longest_since_mark(const otter_norsim_t *sim);
/* Start a new "longest operation" window. */
void otter_norsim_mark(otter_norsim_t *sim);

/* An otter_clock_t whose now_ms is the virtual clock in milliseconds and
 * which has no wall time. Valid while sim lives. */
otter_clock_t otter_norsim_clock(otter_norsim_t *sim);

/* Wear: number of 4 KB sectors, and the erase count of one (0 if out of range). */
uint32_t otter_norsim_sector_count(const otter_norsim_t *sim);
uint32_t otter_norsim_sector_erases(const otter_norsim_t *sim, uint32_t sector);

/* Direct view of the flash contents (size bytes), for tests and tools; it
 * does not count as a read and works after a power cut. NULL if closed. */
const uint8_t *otter_norsim_data(const otter_norsim_t *sim);
uint32_t otter_norsim_size(const otter_norsim_t *sim);

#ifdef __cplusplus
}
#endif

#endif
