/* Test support for the update engine: a simulated device (host/simdev.h)
 * running app v1, an in-memory HTTP server (memserver.h) and an engine
 * wired to both, plus snapshots to prove a failed update changed nothing
 * that matters (running slot, otadata). Runs in RAM, no POSIX (malloc and
 * stdio from the C library; fopen only for updfix_signed(), through
 * semihosting on a target), so it can run on a target. */
#ifndef OTTER_TEST_UPDFIX_H
#define OTTER_TEST_UPDFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memserver.h"
#include "otter/update.h"
#include "simdev.h"

typedef struct updfix {
    uint8_t *flash_mem; /* the device's flash, UPDFIX_FLASH_SIZE bytes (malloc'd) */
    otter_simdev_t dev;
    memserver_t srv;
    otter_transport_t tr;
    uint8_t http_buf[1024];
    uint8_t data_buf[4096];
    otter_update_t up;
    otter_update_config_t cfg;
    uint8_t *snap; /* running slot + otadata, as before the update */
    size_t snap_len;
    uint32_t run_off, run_len, ota_off;
    uint64_t longest_step_us; /* flash time of the longest step/finish (virtual) */
    int events[32];           /* count per otter_update_event_kind_t */
} updfix_t;

/* A synthetic app image (malloc'd; free() it). chip OTTER_CHIP_ESP32 etc. */
uint8_t *updfix_image(const char *version, uint32_t size, uint32_t secure_version, uint16_t chip, uint32_t seed,
                      size_t *len);

/* An app signed at build time by scripts/sign-vectors.sh (nothing signs on
 * a target): the file name (e.g. "app-1.2.0-3.p256.bin") in $OTTER_SIGNED,
 * or in build-target/signed/ when that is unset (the target leg, reading
 * through semihosting). malloc'd; free() it. NULL if it cannot be read. */
uint8_t *updfix_signed(const char *name, size_t *len);

#define UPDFIX_FLASH_SIZE (4u << 20)

/* Create a RAM flash (4 MB, layout; no file), install v1 (app "1.0.0", ~200 KB) in
 * ota_0, boot it. Returns 0 or an error. */
int updfix_setup(updfix_t *f, const char *layout);

/* Reset the engine config to defaults (ESP32, memserver as tcp transport,
 * the fixture's buffers, event counter) and init the engine. */
void updfix_engine(updfix_t *f);

/* Snapshot running slot + otadata now; updfix_unchanged() compares. */
void updfix_snapshot(updfix_t *f);
bool updfix_unchanged(const updfix_t *f);

/* begin(url) + step until not MORE (+ finish when 0), tracking the longest
 * step in virtual flash time. Returns the final code. max_steps bounds the
 * loop (0: 10 million). */
int updfix_run(updfix_t *f, const char *url, uint32_t max_steps);

/* Power-cycle the device (clears a simulated power loss) and boot. */
int updfix_reboot(updfix_t *f);

void updfix_teardown(updfix_t *f);

#endif
