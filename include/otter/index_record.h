/* otter: the release index record, what a device must remember across
 * power cuts to refuse replayed indexes: the highest index sequence number
 * it accepted, the release keys it adopted from an index (key rotation) and
 * the generation (and A/B area) of its TLS trust set.
 *
 * Two flash sectors, A and B, like otadata: each holds one 220-byte copy
 * (docs/FORMATS.md "Index record"), CRC-32 last; the valid copy with the
 * higher write counter is current. A store writes the other copy (erase,
 * program the body, program the CRC), so a power cut at any flash operation
 * leaves the old record or the new one, never neither. */
#ifndef OTTER_INDEX_RECORD_H
#define OTTER_INDEX_RECORD_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stdint.h>

#include "otter/flash.h"
#include "otter/index.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OTTER_INDEX_RECORD_SIZE 220u         /* bytes of one copy */
#define OTTER_INDEX_RECORD_MAGIC 0x5249544Fu /* "OTIR" little-endian */

/* The record and where it lives. Caller-owned (may be static). */
typedef struct otter_index_record {
    uint32_t offset;    /* flash offset of copy A; copy B is one sector later */
    uint64_t seq;       /* highest index sequence accepted (0: none yet) */
    uint32_t trust_gen; /* generation of the trust set in force (0: the provisioned one) */
    uint8_t trust_slot; /* which of two trust-set areas holds it (0 or 1) */
    unsigned n_keys;    /* 0: the provisioned release keys; else the adopted ones */
    otter_index_key_t keys[OTTER_INDEX_MAX_KEYS];
    uint32_t counter; /* write counter of the current copy */
    int active;       /* 0 (A), 1 (B), or -1: nothing written yet */
} otter_index_record_t;

/* Read both copies at offset (sector aligned; two sectors of flash) and
 * take the current one. A blank area, or a first store cut short (copy A
 * torn, copy B blank), reads as the empty record (seq 0, no keys,
 * trust_gen 0; active -1). Errors: OTTER_ERR_INVAL (offset not aligned or
 * out of range), OTTER_ERR_INDEX_RECORD (no valid copy, and B is not
 * blank: corruption, not a power cut), flash read errors. */
int otter_index_record_load(otter_index_record_t *rec, const otter_flash_t *flash, uint32_t offset);

/* Write rec's seq, trust_gen, trust_slot and keys as the new current copy,
 * into the copy that is not current. Two erase-or-program steps of
 * bounded size: one sector erase, two programs. On success rec->active and
 * rec->counter name the new copy; on failure the flash holds the old record
 * (re-load to see it). Errors: OTTER_ERR_INVAL (n_keys > 3, or the counter
 * is exhausted), flash errors. */
int otter_index_record_store(otter_index_record_t *rec, const otter_flash_t *flash);

/* Remember an index the device has accepted (otter_index_open() returned 0
 * for it): its seq becomes the highest, and its `key` lines, if any, the
 * release keys. Nothing is written when neither changes (the same index
 * polled again costs no flash wear). The trust set is not touched: it is
 * adopted only once its roots are in flash (set trust_gen / trust_slot and
 * call otter_index_record_store()). Errors: OTTER_ERR_INDEX_REPLAY (idx->seq
 * below rec->seq; nothing written), otter_index_record_store()'s. */
int otter_index_record_accept(otter_index_record_t *rec, const otter_flash_t *flash, const otter_index_t *idx);

/* Encode / decode one copy (docs/FORMATS.md "Index record"); decode
 * returns 0 or OTTER_ERR_INDEX_RECORD (bad magic, CRC or field). */
void otter_index_record_encode(const otter_index_record_t *rec, uint32_t counter, uint8_t out[OTTER_INDEX_RECORD_SIZE]);
int otter_index_record_decode(otter_index_record_t *rec, uint32_t *counter, const uint8_t in[OTTER_INDEX_RECORD_SIZE]);

#ifdef __cplusplus
}
#endif

#endif
