/* Test harness around ESP-IDF's linux target (tests only): the emulated
 * flash file, the power-cut hook and a bootloader simulation. One process
 * is one boot of the emulated ESP32 (ESP-IDF caches the running partition
 * per process). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"
#include "esp_partition.h"

/* Make a new emulated flash from a binary partition table (at 0x8000) of at
 * least flash_size bytes; returns the temp file's path (static). */
const char *idf_host_flash_new(const char *table_bin, size_t flash_size);
/* Map an existing flash file. 0 or -1. */
int idf_host_flash_open(const char *path);
/* Write the whole emulated flash to path. 0 or -1. */
int idf_host_flash_save(const char *path);

/* What the simulated bootloader did at this boot. */
typedef struct idf_host_boot {
    const esp_partition_t *part; /* the app it runs (NULL: none) */
    int active;                  /* otadata copy that chose it, -1 if none */
    uint32_t state_before;       /* that copy's state before this boot */
    uint32_t state_after;        /* ... and after (NEW -> PENDING_VERIFY, ...) */
    esp_err_t verify;            /* esp_image_verify() of part */
    char version[33];            /* its esp_app_desc_t version */
} idf_host_boot_t;

/* The ESP-IDF bootloader's choice with rollback enabled: a PENDING_VERIFY
 * copy becomes ABORTED (the app never confirmed), the active copy selects
 * ota_((seq - 1) % n), NEW becomes PENDING_VERIFY; no valid copy: factory,
 * else ota_0. Then esp_image_verify() of the choice, and the running
 * partition is set to it (spi_flash_cache2phys). No fallback to another
 * slot: the tests want the choice itself to be valid. */
void idf_host_boot(idf_host_boot_t *b);

/* Set by the stand-ins: the flash offset the "running code" lives at. */
void idf_host_set_running_offset(uint32_t offset);

/* Power cut: after `units` of esp_partition_fail_after() work (a 4-byte
 * word written or a 4 KB sector erased each), the operation in progress
 * stops part way and the process ends at once with exit code
 * IDF_HOST_CUT_EXIT, as a device losing power would. */
#define IDF_HOST_CUT_EXIT 42
void idf_host_cut_after(size_t units);
/* Record every write/erase (kind, offset, length, units) to path. */
void idf_host_record_ops(const char *path);

/* Names for otadata states ("NEW", ...), "UNDEFINED" or "?" */
const char *idf_host_state_name(uint32_t state);
