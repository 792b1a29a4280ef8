/* otter core, private: otadata writes and the entry codec (src/otadata.c;
 * used by src/boot.c, src/update.c and the tests). The format and the
 * reading side are public: otter/otadata.h. */
#ifndef OTTER_OTADATA_PRIV_H
#define OTTER_OTADATA_PRIV_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stdint.h>

#include "otter/flash.h"
#include "otter/otadata.h"

/* Decode / encode one 32-byte entry (little-endian fields). */
void otter_ota_entry_decode(otter_ota_entry_t *e, const uint8_t raw[OTTER_OTADATA_ENTRY_SIZE]);
void otter_ota_entry_encode(const otter_ota_entry_t *e, uint8_t raw[OTTER_OTADATA_ENTRY_SIZE]);

/* The CRC ESP-IDF stores for a sequence number. */
uint32_t otter_ota_seq_crc(uint32_t seq);

/* ESP-IDF's bootloader_common_ota_select_invalid(): seq is 0xFFFFFFFF, or
 * the state is INVALID or ABORTED. (It does not look at the CRC.) */
int otter_ota_entry_unusable(const otter_ota_entry_t *e);
/* Which copy is active: of the valid copies the one with the higher seq; on a
 * tie copy 0; -1 when neither is valid (ESP-IDF's
 * bootloader_common_get_active_otadata()). */
int otter_otadata_select(const otter_ota_entry_t copy[2]);

/* The sequence number ESP-IDF's esp_ota_set_boot_partition() writes to make
 * OTA slot `slot` (0-based) boot with ota_count slots: the smallest value
 * >= the active seq that maps to slot, i.e. (slot + 1) % ota_count + i *
 * ota_count; slot + 1 when no copy is active. UINT32_MAX (the erased value,
 * never written) when no such value exists below it: the sequence is
 * exhausted near 2^32 and otter_otadata_set_slot() renumbers. */
uint32_t otter_otadata_next_seq(const otter_otadata_t *od, unsigned slot, unsigned ota_count);

/* Write one copy: erase its sector, then program the entry in three steps
 * that make it valid only at the very end: ota_state first, then ota_seq,
 * then crc (a torn write leaves a copy whose CRC does not match, never a
 * valid copy with a half-written state). seq_label keeps what od holds for
 * this copy (as ESP-IDF, which rewrites the entry it read); a label that is
 * not all 0xFF costs one more program, after the state. One erase and three
 * programs (four with a label). Updates od (copy and active). Errors:
 * OTTER_ERR_INVAL (copy not 0/1, or seq 0xFFFFFFFF), flash errors. */
int otter_otadata_write_copy(otter_otadata_t *od, const otter_flash_t *flash, int copy, uint32_t seq,
                             uint32_t state);

/* Make OTA slot `slot` (0-based) boot next: write the copy that is not
 * active (copy 0 if none is) with otter_otadata_next_seq() and state (NEW
 * with rollback, UNDEFINED without). The active copy is not touched, so a
 * power cut at any point leaves either the old selection or the new one.
 * When the sequence is exhausted (next_seq is UINT32_MAX: active seq near
 * 2^32) both copies are renumbered in two writes: the inactive copy first
 * becomes the active one's twin at the lowest seq for the same slot and
 * state, then the formerly active copy gets the next seq for `slot`; a
 * power cut still leaves the old selection or the new one.
 * Errors: OTTER_ERR_BOOT_SLOT (slot >= ota_count), those of
 * otter_otadata_write_copy(). */
int otter_otadata_set_slot(otter_otadata_t *od, const otter_flash_t *flash, unsigned slot, unsigned ota_count,
                           uint32_t state);

/* Erase both copies (the inactive one first), so that the factory app
 * boots. Errors: flash errors. */
int otter_otadata_erase(otter_otadata_t *od, const otter_flash_t *flash);

#endif
