/* otter: ESP-IDF otadata, the two copies that say which OTA slot boots.
 *
 * The otadata partition (data/ota, 0x2000 bytes) holds one 32-byte
 * esp_ota_select_entry_t at the start of each of its two 4 KB sectors:
 *   u32 ota_seq, u8 seq_label[20], u32 ota_state, u32 crc
 * crc = CRC-32 over the 4 bytes of ota_seq only, computed as ESP-IDF's
 * esp_rom_crc32_le(UINT32_MAX, &ota_seq, 4) (seq 1 -> 0x4743989A). ota_state
 * is not covered by the CRC. The valid copy with the higher sequence number
 * is active; it boots OTA slot (seq - 1) % number_of_ota_slots.
 * docs/FORMATS.md "otadata" has the details and the power-loss design.
 *
 * Reading otadata is for the bootloader, the simulator and tools (an app
 * confirms or rolls back through otter/boot.h). Writing it, and the entry
 * codec, are the core's own: src/otadata_priv.h. */
#ifndef OTTER_OTADATA_H
#define OTTER_OTADATA_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stdint.h>

#include "otter/flash.h"
#include "otter/partition.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OTTER_OTADATA_ENTRY_SIZE 32u
#define OTTER_OTADATA_SECTOR 0x1000u /* copy i lives at partition offset + i * 0x1000 */
#define OTTER_OTADATA_SEQ_LABEL_LEN 20u

/* ota_state values, as esp_ota_img_states_t. Not an enum: UNDEFINED does not
 * fit in an int. Any other value is possible on flash (the state is not
 * CRC-protected) and is treated as the bootloader treats it: like VALID. */
#define OTTER_OTA_STATE_NEW 0x0u            /* just written; boots once on probation */
#define OTTER_OTA_STATE_PENDING_VERIFY 0x1u /* booted once; the app has not confirmed */
#define OTTER_OTA_STATE_VALID 0x2u          /* confirmed by the app */
#define OTTER_OTA_STATE_INVALID 0x3u        /* rejected by the app (rollback) */
#define OTTER_OTA_STATE_ABORTED 0x4u        /* never confirmed: bootloader rolled back */
#define OTTER_OTA_STATE_UNDEFINED 0xFFFFFFFFu /* erased; written when rollback is off */

/* One copy, decoded. */
typedef struct otter_ota_entry {
    uint32_t seq;
    uint8_t seq_label[OTTER_OTADATA_SEQ_LABEL_LEN];
    uint32_t state;
    uint32_t crc;
} otter_ota_entry_t;

/* Both copies of one device's otadata, as read from flash. Caller-owned. */
typedef struct otter_otadata {
    uint32_t offset;            /* flash offset of the otadata partition */
    otter_ota_entry_t copy[2];
    int active;                 /* 0, 1, or -1 when no copy is valid */
} otter_otadata_t;

/* 1 when seq != 0xFFFFFFFF and crc == otter_ota_seq_crc(seq). */
int otter_ota_entry_crc_ok(const otter_ota_entry_t *e);
/* ESP-IDF's bootloader_common_ota_select_valid(): seq not 0xFFFFFFFF, state
 * not INVALID or ABORTED, and CRC ok. */
int otter_ota_entry_valid(const otter_ota_entry_t *e);
/* 1 when all 32 bytes were 0xFF (an erased copy), from the decoded fields. */
int otter_ota_entry_blank(const otter_ota_entry_t *e);

/* Words for a state ("NEW", "PENDING_VERIFY", ..., "UNDEFINED") or NULL for a
 * value outside the enum. Static storage. */
const char *otter_ota_state_name(uint32_t state);

/* Locate the otadata partition in pt and read both copies. Errors:
 * OTTER_ERR_OTADATA_MISSING (no data/ota partition), OTTER_ERR_OTADATA_SIZE
 * (smaller than two sectors, or not sector aligned), flash read errors.
 * Finding no valid copy is not an error (od->active == -1): a blank otadata
 * means "boot the factory app". */
int otter_otadata_read(otter_otadata_t *od, const otter_flash_t *flash, const otter_ptable_t *pt);

/* The OTA slot index (0-based) the active copy selects with ota_count
 * slots, or -1 when no copy is active or ota_count is 0. Uses 32-bit
 * unsigned arithmetic as ESP-IDF: (seq - 1) % ota_count. */
int otter_otadata_active_slot(const otter_otadata_t *od, unsigned ota_count);

#ifdef __cplusplus
}
#endif

#endif
