/* otter: the TLS trust set a verified release index carries, kept in flash
 * A/B and switched atomically (docs/FORMATS.md "Trust-set area").
 *
 * Two areas of equal size (area 0 at offset, area 1 right after it). The
 * index record (otter/index_record.h) names the set in force: trust_gen 0
 * is the provisioned set (compiled in, no area), otherwise area trust_slot.
 * A new set is written into the other area only (erase, the roots bundle,
 * then the header with its CRC), checked (size and SHA-256 of the bundle as
 * the index names them), and then one record store makes it the set in
 * force. A power cut at any point leaves the old set or the new one in
 * force, never none: until the record store completes the record names the
 * old area (or the provisioned set), which nothing here writes.
 *
 *   otter_trust_write_t w;
 *   otter_trust_write_begin(&w, &store, &record, &idx);   // 0: new set; 1: nothing to do
 *   while ((r = otter_trust_write_step(&w)) == OTTER_TRUST_MORE) yield();  // erases, one sector a step
 *   otter_trust_write_data(&w, bytes, n);  // the bundle as it arrives (n <= one HTTP read)
 *   otter_trust_write_commit(&w);          // check, header, record: in force from the next connection
 *
 * No allocation, no globals. */
#ifndef OTTER_INDEX_TRUST_H
#define OTTER_INDEX_TRUST_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otter/crypto.h"
#include "otter/flash.h"
#include "otter/index.h"
#include "otter/index_record.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OTTER_TRUST_MORE 1
#define OTTER_TRUST_HEADER_SIZE 180u /* bytes before the roots bundle in an area */

/* Where the two areas are. */
typedef struct otter_trust_store {
    const otter_flash_t *flash;
    uint32_t offset;    /* area 0, sector aligned; area 1 at offset + area_size */
    uint32_t area_size; /* a multiple of the sector size; header + the largest bundle */
} otter_trust_store_t;

/* The set in force. */
typedef struct otter_trust_set {
    uint32_t gen; /* 0: the provisioned set (nothing in flash) */
    unsigned n_pins;
    uint8_t pins[OTTER_INDEX_MAX_PINS][32];
    uint32_t roots_addr; /* flash address of the DER bundle (roots_len bytes; 0 len: none) */
    uint32_t roots_len;
    uint8_t roots_sha256[32];
} otter_trust_set_t;

/* Writing a new set (caller-owned; fields private). */
typedef struct otter_trust_write {
    otter_trust_store_t store;
    otter_index_record_t *rec;
    otter_trust_set_t set; /* what is being written */
    uint8_t slot;          /* area being written */
    uint32_t erased;       /* bytes of the area erased */
    uint32_t need;         /* bytes of the area the set takes, sector-rounded */
    uint32_t written;      /* bundle bytes programmed */
    otter_sha256_t sha;
    bool sha_live;
} otter_trust_write_t;

/* The set the record names, read from flash into *out (the provisioned set:
 * gen 0, nothing else). The area's header CRC is checked, and its bundle
 * re-hashed in pieces through work (work_len >= 64). Errors:
 * OTTER_ERR_INDEX_RECORD (the area named is not a valid set of that
 * generation: corruption), OTTER_ERR_INVAL, flash errors. */
int otter_trust_load(const otter_trust_store_t *store, const otter_index_record_t *rec, otter_trust_set_t *out,
                     uint8_t *work, size_t work_len);

/* Start writing the trust set of a verified, accepted index (idx, rec as
 * after otter_index_record_accept()). Returns 0 (a new set: erase with
 * step(), feed the bundle if idx names one, then commit), 1 (nothing to do:
 * no trust set, or its generation is not above the one in force), or
 * OTTER_ERR_INVAL (geometry; the bundle does not fit an area). */
int otter_trust_write_begin(otter_trust_write_t *w, const otter_trust_store_t *store, otter_index_record_t *rec,
                            const otter_index_t *idx);

/* Erase one sector of the inactive area. OTTER_TRUST_MORE, 0 (erased as far
 * as the set needs), or a flash error. */
int otter_trust_write_step(otter_trust_write_t *w);

/* Program the next n bytes of the roots bundle (after the erase) and hash
 * them. 0, OTTER_ERR_UPD_TOO_LARGE (more bytes than the index named),
 * OTTER_ERR_STATE (not erased yet), flash errors. */
int otter_trust_write_data(otter_trust_write_t *w, const uint8_t *buf, size_t n);

/* Check the bundle (size and SHA-256 as the index named:
 * OTTER_ERR_UPD_SIZE_MISMATCH / OTTER_ERR_UPD_DIGEST_MISMATCH, nothing in
 * force changed), program the header, then store the record with the new
 * generation and area: from this return on the new set is in force.
 * 0 or an error (the old set stays in force). */
int otter_trust_write_commit(otter_trust_write_t *w);

/* Wipe the hash state. Safe on any zeroed or begun writer. */
void otter_trust_write_free(otter_trust_write_t *w);

#ifdef __cplusplus
}
#endif

#endif
