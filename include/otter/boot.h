/* otter: boot choice and rollback, as the ESP-IDF bootloader does it with
 * CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE, plus the app-side calls (confirm,
 * reject and roll back, pick and switch the update slot).
 *
 * Who calls what: the app calls otter_boot_init(), otter_boot_set_running(),
 * otter_boot_running_slot(), otter_boot_mark_valid() and
 * otter_boot_mark_invalid_rollback() (the update engine calls
 * otter_boot_next_update_slot()); the bootloader and the simulator call
 * otter_boot_select() and otter_boot_peek(); otter_boot_set_boot_slot() is
 * for tools and the simulator (or an app that switches slots by hand).
 *
 * Slots are named by their app subtype: factory 0x00, ota_N 0x10 + N, test
 * 0x20 (OTTER_PT_SUBTYPE_* in otter/partition.h; otter_slot_name() gives
 * words).
 *
 * Bootloader (otter_boot_select), in order:
 *   1. every otadata copy in PENDING_VERIFY (an app that booted on probation
 *      and never confirmed) becomes ABORTED;
 *   2. if both copies are unusable (blank, INVALID or ABORTED) or there are
 *      no OTA slots: factory, or ota_0 when there is no factory;
 *      otherwise the active copy (valid, higher seq) selects OTA slot
 *      (seq - 1) % n, and a NEW copy becomes PENDING_VERIFY (probation);
 *      neither copy valid: factory / first app;
 *   3. the selected slot's image is validated; if it fails, the slots below
 *      it down to factory, then the ones above it, then test, are tried.
 * Every otadata write is one erase plus three programs of the copy concerned
 * (otter_otadata_write_copy), see docs/FORMATS.md for why that order is
 * power-loss safe. */
#ifndef OTTER_BOOT_H
#define OTTER_BOOT_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stdint.h>

#include "otter/flash.h"
#include "otter/otadata.h"
#include "otter/partition.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Image check used to decide whether a slot is bootable: returns 0 when the
 * app at [offset, offset + size) is good, a negative otter_err_t otherwise
 * (its words appear in the boot reason). Must only read. */
typedef int (*otter_boot_validate_fn)(void *ctx, const otter_flash_t *flash, uint32_t offset, uint32_t size);

/* Default validator until a full image check is plugged in: the first byte
 * must be 0xE9 (OTTER_ERR_IMG_MAGIC otherwise). ctx is unused. */
int otter_boot_validate_magic(void *ctx, const otter_flash_t *flash, uint32_t offset, uint32_t size);

/* Why a slot boots. */
typedef enum otter_boot_reason {
    OTTER_BOOT_REASON_NONE = 0,       /* nothing bootable */
    OTTER_BOOT_REASON_OTADATA = 1,    /* the active otadata copy selects it */
    OTTER_BOOT_REASON_TRIAL = 2,      /* ... and it is new: first boot, on probation */
    OTTER_BOOT_REASON_ROLLBACK = 3,   /* a newer copy is ABORTED/INVALID: the previous selection */
    OTTER_BOOT_REASON_FACTORY = 4,    /* no usable otadata copy (or no OTA slots): factory */
    OTTER_BOOT_REASON_FIRST_OTA = 5,  /* no usable otadata copy and no factory: ota_0 */
    OTTER_BOOT_REASON_NO_OTADATA = 6, /* the table has no otadata partition */
    OTTER_BOOT_REASON_FALLBACK = 7,   /* the selected slot did not validate; another one did */
} otter_boot_reason_t;

/* The outcome of a boot choice. */
typedef struct otter_boot_result {
    int found;                    /* 1 if an app boots */
    uint8_t slot;                 /* the slot that boots (when found) */
    const otter_partition_t *part; /* its partition, pointing into the table; NULL if none */
    uint8_t selected;             /* the slot chosen before validation */
    otter_boot_reason_t reason;
    int copy;                     /* otadata copy that selected it, or -1 */
    uint32_t seq;                 /* that copy's seq */
    int trial;                    /* 1: the app runs on probation (PENDING_VERIFY) */
    int aborted;                  /* 1: this boot turned PENDING_VERIFY into ABORTED */
    int rolled_back;              /* 1: a newer selection was ABORTED or INVALID */
    int fallback_err;             /* validator error of the selected slot (FALLBACK/NONE), else 0 */
    unsigned writes;              /* otadata writes this boot made */
    char why[256];                /* one sentence, NUL-terminated */
} otter_boot_result_t;

/* A device's boot state. Caller-owned; flash and pt must outlive it. */
typedef struct otter_boot {
    const otter_flash_t *flash;
    const otter_ptable_t *pt;
    otter_boot_validate_fn validate;
    void *validate_ctx;
    int booted;      /* 1 once otter_boot_select() succeeded or otter_boot_set_running() */
    uint8_t running; /* slot of the running app */
} otter_boot_t;

/* Bind to a flash and its parsed partition table, with the default
 * validator. Cannot fail. */
void otter_boot_init(otter_boot_t *b, const otter_flash_t *flash, const otter_ptable_t *pt);

/* Replace the validator (fn must not be NULL). */
void otter_boot_set_validator(otter_boot_t *b, otter_boot_validate_fn fn, void *ctx);

/* Bootloader and simulator only, never an app (the bootloader has already
 * chosen; an app learns its slot from the platform, otter_boot_set_running()).
 * The bootloader at reset: choose the slot, making the otadata state
 * transitions (PENDING_VERIFY -> ABORTED, NEW -> PENDING_VERIFY, first-boot
 * seq when otadata is blank and there is no factory app), and record the
 * slot as running. res is always filled (res->why says what happened).
 * Returns 0; OTTER_ERR_BOOT_NO_APP when nothing validates; otadata errors
 * (OTTER_ERR_OTADATA_SIZE); flash errors (a power cut during the boot). */
int otter_boot_select(otter_boot_t *b, otter_boot_result_t *res);

/* Bootloader and simulator, not the app. What otter_boot_select() would
 * choose now, without writing anything (the state transitions are made in
 * memory only). Does not change b. Same returns. */
int otter_boot_peek(const otter_boot_t *b, otter_boot_result_t *res);

/* Declare which slot runs (a port that knows it another way). */
void otter_boot_set_running(otter_boot_t *b, uint8_t slot);

/* The running slot. Returns 0, or OTTER_ERR_STATE before a boot. */
int otter_boot_running_slot(const otter_boot_t *b, uint8_t *slot);

/* The slot an update should be written to, by ESP-IDF's
 * esp_ota_get_next_update_partition() rule: the first OTA slot after the
 * running one, else ota_0. Never the running slot. Returns 0 and *out, or
 * OTTER_ERR_STATE (not booted), OTTER_ERR_BOOT_SLOT (no OTA slot other than
 * the running one). */
int otter_boot_next_update_slot(const otter_boot_t *b, const otter_partition_t **out);

/* Make `slot` boot next. For an OTA slot this is the one power-loss-safe
 * otadata write: the copy that is not active gets the next seq and `state`
 * (OTTER_OTA_STATE_NEW: boot once on probation, the app must confirm;
 * OTTER_OTA_STATE_VALID or _UNDEFINED: boot without probation). For factory
 * both copies are erased (inactive first). The slot's image is validated
 * first and nothing is written if it fails. Errors: OTTER_ERR_BOOT_SLOT
 * (no such slot, or test), OTTER_ERR_INVAL (state not NEW, VALID or
 * UNDEFINED), OTTER_ERR_OTADATA_MISSING / _SIZE, the validator's error,
 * flash errors. */
int otter_boot_set_boot_slot(otter_boot_t *b, uint8_t slot, uint32_t state);

/* App side: the running app works; cancel the rollback. Rewrites the
 * active copy with VALID when it is the running slot's and not VALID yet;
 * otherwise nothing to do (returns 0, e.g. running factory). A power cut
 * during the write leaves the previous app selected (never neither).
 * Errors: OTTER_ERR_STATE (not booted), otadata and flash errors. */
int otter_boot_mark_valid(otter_boot_t *b);

/* App side: the running app is bad; mark its copy INVALID so that the next
 * boot rolls back. Refused (OTTER_ERR_BOOT_ROLLBACK_REFUSED, nothing
 * written) when the next boot would not start a different, validating app,
 * or when the running app is not the one otadata selects. The caller then
 * reboots. Errors: also OTTER_ERR_STATE, otadata and flash errors. */
int otter_boot_mark_invalid_rollback(otter_boot_t *b);

/* Words for a reason code ("otadata", "trial", "rollback", "factory",
 * "first_ota", "no_otadata", "fallback", "none"). Static storage. */
const char *otter_boot_reason_name(otter_boot_reason_t r);

#ifdef __cplusplus
}
#endif

#endif
