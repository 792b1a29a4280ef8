/* otter host: a simulated ESP32 device on the NOR flash simulator, shared by
 * `otter device` and the update engine's tests.
 *
 * It bundles a simulated flash, a file or RAM (ports/posix/norsim.h), its partition table, the
 * boot state (include/otter/boot.h) with the full image check as the boot
 * validator, and a virtual clock. "Booting" runs the ESP-IDF boot choice;
 * the "running app" is the app description of the slot that booted.
 *
 *   otter_simdev_t d;
 *   otter_simdev_init(&d);
 *   otter_simdev_create("dev.bin", 4 << 20, "min_spiffs");
 *   otter_simdev_open(&d, "dev.bin", NULL);
 *   otter_simdev_install(&d, OTTER_PT_SUBTYPE_OTA_0, img, len);
 *   otter_simdev_boot(&d);                 // d.res says what booted, d.app what runs
 *   ...
 *   otter_simdev_close(&d);
 */
#ifndef OTTER_HOST_SIMDEV_H
#define OTTER_HOST_SIMDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "norsim.h"
#include "otter/boot.h"
#include "otter/image.h"
#include "otter/partition.h"
#include "otter/verify.h"

typedef struct otter_simdev {
    otter_norsim_t sim;
    otter_flash_t flash;
    otter_clock_t vclock; /* the simulator's virtual clock (flash time) */
    otter_ptable_t pt;
    otter_boot_t boot;
    otter_boot_result_t res;     /* last boot */
    otter_image_boot_cfg_t vcfg; /* boot validator settings */
    uint8_t vwork[4096];
    bool booted;
    bool has_app; /* app describes the running app */
    otter_app_desc_t app;
} otter_simdev_t;

/* Zero d so that otter_simdev_close() is safe. Cannot fail. */
void otter_simdev_init(otter_simdev_t *d);

/* Create a flash file of size bytes with a built-in layout ("default",
 * "min_spiffs", "two_ota") or a partition CSV file path. 0 or an error
 * (OTTER_ERR_IO, partition errors). */
int otter_simdev_create(const char *path, uint32_t size, const char *layout);

/* Open a flash file and read its partition table. opt may be NULL
 * (simulator defaults). chip is the chip the boot validator expects
 * (OTTER_CHIP_ANY for any). Errors: norsim and partition errors. */
int otter_simdev_open(otter_simdev_t *d, const char *path, const otter_norsim_options_t *opt, uint16_t chip);

/* The same device over RAM, no file: buf (size bytes, caller-owned, must
 * outlive d) is erased and given layout's partition table (as
 * otter_simdev_create()), then opened as otter_simdev_open() does. No wear
 * counters are kept. Errors: OTTER_ERR_FLASH_SIZE, partition errors. */
int otter_simdev_open_mem(otter_simdev_t *d, uint8_t *buf, uint32_t size, const char *layout,
                          const otter_norsim_options_t *opt, uint16_t chip);

/* Parts shared by the file and RAM flavours: a layout by name or CSV path
 * into pt; wiring d to its already open d->sim (closes it on error). */
int otter_simdev_load_layout(otter_ptable_t *pt, const char *layout, uint32_t size);
int otter_simdev_attach(otter_simdev_t *d, uint16_t chip);

/* Provision Secure Boot V2 key digests (eFuse): from now on the simulated
 * bootloader boots only an app whose signature sector one of them accepts,
 * as ESP-IDF's bootloader does with signed apps, and a rollback or a
 * fallback never lands on an unsigned one. n 0 turns the check off.
 * digests must outlive d. */
void otter_simdev_set_keys(otter_simdev_t *d, const uint8_t (*digests)[32], size_t n);

/* Write image into slot (erasing the slot's sectors that the image needs)
 * and make it boot next as a confirmed app (otadata VALID). For factory,
 * otadata is erased. Errors: OTTER_ERR_BOOT_SLOT, OTTER_ERR_UPD_TOO_LARGE,
 * flash and boot errors. */
int otter_simdev_install(otter_simdev_t *d, uint8_t slot, const uint8_t *image, size_t len);

/* Power on: the bootloader's choice (with its otadata transitions), then
 * the app description of the booted slot. Returns 0 or the boot error. */
int otter_simdev_boot(otter_simdev_t *d);

/* Power cycle the flash (clears a simulated power loss) and boot again.
 * keep_counters as otter_norsim_reboot(). */
int otter_simdev_reboot(otter_simdev_t *d, int keep_counters);

/* Read the app description of a slot's image (first 288 bytes). 0 with
 * *out filled, OTTER_ERR_BOOT_SLOT, or the image's early error. */
int otter_simdev_slot_app(otter_simdev_t *d, uint8_t slot, otter_app_desc_t *out);

/* otadata copies (state of both) for reports. 0 or otadata errors. */
int otter_simdev_otadata(otter_simdev_t *d, otter_otadata_t *out);

void otter_simdev_close(otter_simdev_t *d);

#endif
