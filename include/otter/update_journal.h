/* otter: the update engine's resume journal (used by src/update.c; the format
 * is documented in docs/FORMATS.md, "Update journal").
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
#define OTTER_JOURNAL_VALIDATOR_MAX 70u  /* ETag / Last-Modified bytes kept */

/* Which HTTP validator the journal holds. */
enum {
    OTTER_JOURNAL_VALIDATOR_NONE = 0,
    OTTER_JOURNAL_VALIDATOR_ETAG = 1,
    OTTER_JOURNAL_VALIDATOR_LAST_MODIFIED = 2,
};

/* One download as the journal describes it. Filled by the engine before
 * otter_journal_start(), or by otter_journal_load(). */
typedef struct otter_journal {
    uint32_t addr;        /* flash address of the journal sector */
    uint32_t sector_size; /* flash sector size the progress bytes count in */
    uint32_t slot_addr;   /* first byte of the slot being written */
    uint32_t total;       /* bytes of the whole file being downloaded */
    uint8_t url_hash[32]; /* SHA-256 of the URL as given to begin() */
    uint8_t validator_kind;
    uint8_t validator_len;
    char validator[OTTER_JOURNAL_VALIDATOR_MAX + 1]; /* NUL-terminated */
    /* Filled by load: */
    uint32_t sectors_done; /* leading progress bytes that are not 0xFF */
    uint8_t complete;      /* 1 if the complete marker is set */
    uint8_t abandoned;     /* 1 if the abandoned marker is set */
    uint8_t installs;      /* times otadata was switched to this image: complete + install bytes */
} otter_journal_t;

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
