/* otter: the update engine's resume journal, private to the core (used by
 * src/update_write.c; the format is documented in docs/FORMATS.md, "Update
 * journal"). Host tools read a slot's journal through
 * otter_update_journal_peek() (otter/update.h).
 *
 * The journal lives in the last flash sector of the slot being written. It
 * says which download it belongs to (slot, total length, URL hash, ETag or
 * Last-Modified) and which sectors of the slot are completely programmed,
 * one byte per sector: 0xFF = not yet, anything else = done (0x00 is
 * written). Each flash write to it is a single program of bytes that were
 * erased, made only after what it records has happened, so a torn write is
 * either detected (header CRC) or harmless (a progress byte or marker with
 * some bits cleared counts as written). Nothing here erases more than the
 * journal sector itself, and only when a new download starts. */
#ifndef OTTER_UPDATE_JOURNAL_H
#define OTTER_UPDATE_JOURNAL_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stddef.h>
#include <stdint.h>

#include "otter/flash.h"
#include "otter/update.h" /* otter_journal_t, part of the engine's state */

#ifdef __cplusplus
extern "C" {
#endif

#define OTTER_JOURNAL_MAGIC 0x314A544Fu /* "OTJ1" little-endian */
#define OTTER_JOURNAL_VERSION 1u
#define OTTER_JOURNAL_HEADER_SIZE 128u
#define OTTER_JOURNAL_OFF_COMPLETE 128u  /* 0x00: image complete and verified */
#define OTTER_JOURNAL_OFF_ABANDONED 129u /* 0x00: never resume this download */
#define OTTER_JOURNAL_OFF_INSTALLS 130u  /* 0x00 each: one more switch to this download */
#define OTTER_JOURNAL_INSTALLS_MAX 8u     /* install bytes after the complete marker */
#define OTTER_JOURNAL_OFF_PROGRESS 256u  /* first progress byte (sector 0) */


/* Largest number of slot sectors one journal sector can track with
 * sector_size bytes per sector (3840 for 4 KB sectors: slots up to 15 MB). */
uint32_t otter_journal_capacity(uint32_t sector_size);

/* Address of the journal sector for a slot [slot_addr, slot_addr+slot_size):
 * its last sector. */
uint32_t otter_journal_addr(uint32_t slot_addr, uint32_t slot_size, uint32_t sector_size);

/* Serialise the 128-byte header of j into out (pure; used by start and by
 * tests). */
void otter_journal_encode(const otter_journal_t *j, uint8_t out[OTTER_JOURNAL_HEADER_SIZE]);

/* Read the journal at j->addr (j->addr and j->sector_size set by the caller).
 * buf (len >= 64) is scratch for reading the progress bytes. Returns 0 with j
 * filled when the header is intact (magic, version, CRC, geometry), or
 * OTTER_ERR_UPD_JOURNAL when there is no valid journal there (erased, torn,
 * or something else), or a flash error. Reads only. */
int otter_journal_load(const otter_flash_t *f, otter_journal_t *j, uint8_t *buf, size_t len);

/* Erase the journal sector (one sector erase). First half of starting a new
 * download; the caller does it in its own step. Returns 0 or a flash error. */
int otter_journal_erase(const otter_flash_t *f, const otter_journal_t *j);

/* Program the header (one 128-byte program into the erased sector). Returns 0
 * or a flash error. */
int otter_journal_write_header(const otter_flash_t *f, const otter_journal_t *j);

/* Record that slot sector `index` is completely programmed (one 1-byte
 * program). Returns 0, OTTER_ERR_INVAL if index is beyond the capacity, or a
 * flash error. */
int otter_journal_mark_sector(const otter_flash_t *f, const otter_journal_t *j, uint32_t index);

/* Set the complete / abandoned marker (one 1-byte program each). */
int otter_journal_mark_complete(const otter_flash_t *f, const otter_journal_t *j);
int otter_journal_mark_abandoned(const otter_flash_t *f, const otter_journal_t *j);

/* Record one more switch to this download (otter_update_finish()): the
 * complete marker the first time, then the next install byte (one 1-byte
 * program; nothing once OTTER_JOURNAL_INSTALLS_MAX are used). Updates j. */
int otter_journal_mark_installed(const otter_flash_t *f, otter_journal_t *j);

/* A new download of an image already installed n times before (from an
 * older journal of the same slot): program n install bytes (n <= 8; one
 * program) so the count goes on. Updates j. */
int otter_journal_carry_installs(const otter_flash_t *f, otter_journal_t *j, uint8_t n);

/* Bytes of the file known to be in flash: sectors_done whole sectors, capped
 * at total. */
uint32_t otter_journal_bytes_done(const otter_journal_t *j);

#ifdef __cplusplus
}
#endif

#endif
