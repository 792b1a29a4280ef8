/* otter: streaming ESP app image validator.
 *
 * Checks an ESP-IDF app image (the format esptool's elf2image writes) while
 * its bytes arrive, in chunks of any size, with bounded state and no
 * allocation. Layout (docs/FORMATS.md, "App image"):
 *
 *   header (8) + extended header (16)      magic 0xE9, segment count, flash
 *                                          settings, entry, chip id, chip
 *                                          revisions, hash_appended
 *   segment * count                        8-byte header (load_addr, data_len)
 *                                          + data_len bytes
 *   zero padding + checksum byte           0xEF xor all segment data; the byte
 *                                          after the checksum is 16-aligned
 *   SHA-256 (32, if hash_appended == 1)    over every byte before it
 *
 * The first segment of an app starts with esp_app_desc_t (magic 0xABCD5432),
 * so after 24 bytes the caller knows the chip and after 288 bytes the version,
 * project and secure_version, before anything is written to flash.
 *
 * Everything after the image is "trailing". The validator keeps hashing the
 * trailing bytes up to the next 4096-byte boundary: that SHA-256 (sig_digest)
 * is the digest a Secure Boot V2 signature sector, which starts at that
 * boundary (signed_len), signs. See otter/sigblock.h. */
#ifndef OTTER_IMAGE_H
#define OTTER_IMAGE_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otter/crypto.h"
#include "otter/flash.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Chip ids as in the extended header (esp_chip_id_t / esptool IMAGE_CHIP_ID). */
#define OTTER_CHIP_ESP32 0x0000u
#define OTTER_CHIP_ESP32S2 0x0002u
#define OTTER_CHIP_ESP32C3 0x0005u
#define OTTER_CHIP_ESP32S3 0x0009u
#define OTTER_CHIP_ESP32C2 0x000Cu
#define OTTER_CHIP_ESP32C6 0x000Du
#define OTTER_CHIP_ESP32H2 0x0010u
#define OTTER_CHIP_ESP32P4 0x0012u
#define OTTER_CHIP_ESP32C61 0x0014u
#define OTTER_CHIP_ESP32C5 0x0017u
#define OTTER_CHIP_ESP32H21 0x0019u
#define OTTER_CHIP_ESP32H4 0x001Cu
/* "Any chip" for otter_image_init(): accept every known chip id. */
#define OTTER_CHIP_ANY 0xFFFFu

#define OTTER_IMAGE_MAGIC 0xE9u
#define OTTER_IMAGE_HEADER_LEN 24u /* header + extended header */
#define OTTER_IMAGE_SEG_HEADER_LEN 8u
#define OTTER_IMAGE_MAX_SEGMENTS 16u
#define OTTER_IMAGE_MAX_SEG_LEN 0x1000000u /* a segment must be shorter (16 MB) */
#define OTTER_APP_DESC_MAGIC 0xABCD5432u
#define OTTER_APP_DESC_OFFSET 32u /* header + first segment header */
#define OTTER_APP_DESC_LEN 256u
/* Bytes after which otter_image_desc_known() is true for any image. */
#define OTTER_IMAGE_EARLY_LEN (OTTER_APP_DESC_OFFSET + OTTER_APP_DESC_LEN) /* 288 */
#define OTTER_BOOT_DESC_MAGIC 0x50u
#define OTTER_IMAGE_SIG_ALIGN 4096u
/* A file that does not start with 0xE9 is named from its first bytes
 * (otter_image_identify()) once this many were fed, or at the end. */
#define OTTER_IMAGE_SNIFF_LEN 64u

/* What the image is. UNKNOWN until decided: APP as soon as an app
 * description is seen in a flash-mapped first segment, or at the end if any
 * segment is mapped from flash (old images have no description);
 * BOOTLOADER when the first segment holds an esp_bootloader_desc_t, or no
 * segment is flash-mapped and the image fits below 0x8000; RAM_APP when the
 * app description is in RAM, or no segment is flash-mapped and the image is
 * longer than a bootloader can be. */
typedef enum otter_image_kind {
    OTTER_IMAGE_KIND_UNKNOWN = 0,
    OTTER_IMAGE_KIND_APP = 1,
    OTTER_IMAGE_KIND_BOOTLOADER = 2,
    OTTER_IMAGE_KIND_RAM_APP = 3,
} otter_image_kind_t;

/* Verdict of one check: 0 (OTTER_OK) passed, a negative otter_err_t failed,
 * or one of these: */
#define OTTER_IMAGE_PENDING 1 /* bytes not seen yet */
#define OTTER_IMAGE_NA 2      /* check does not apply (no appended hash) */

/* esp_app_desc_t, strings copied and NUL-terminated (they are free text and
 * may fill their field: 32 chars + NUL). */
typedef struct otter_app_desc {
    uint32_t secure_version;
    char version[33];
    char project_name[33];
    char time[17];
    char date[17];
    char idf_ver[33];
    uint8_t app_elf_sha256[32];
    uint16_t min_efuse_blk_rev_full; /* 0 in images older than IDF 5.1 */
    uint16_t max_efuse_blk_rev_full;
    uint8_t mmu_page_size; /* log2 of the MMU page size, 0 if unset */
} otter_app_desc_t;

/* esp_bootloader_desc_t (IDF >= 5.1 bootloaders). */
typedef struct otter_boot_desc {
    uint8_t secure_version;
    uint32_t version;
    char idf_ver[33];
    char date_time[25];
} otter_boot_desc_t;

typedef struct otter_image_segment {
    uint32_t load_addr;
    uint32_t data_len;
    uint32_t offset; /* file offset of the 8-byte segment header */
} otter_image_segment_t;

/* Everything the validator has learnt so far. Fields are valid once the
 * bytes holding them were fed (see otter_image_header_known() etc.). */
typedef struct otter_image_info {
    /* header (valid when header_known) */
    uint8_t segment_count;
    uint8_t spi_mode;  /* 0 QIO, 1 QOUT, 2 DIO, 3 DOUT */
    uint8_t spi_speed; /* low nibble of byte 3 */
    uint8_t spi_size;  /* high nibble of byte 3: 0 1MB, 1 2MB, 2 4MB, ... */
    uint32_t entry_addr;
    uint8_t wp_pin;
    uint8_t spi_pin_drv[3];
    uint16_t chip_id;
    uint8_t min_chip_rev;       /* legacy field */
    uint16_t min_chip_rev_full; /* major * 100 + minor */
    uint16_t max_chip_rev_full; /* 0 = not set (older builds) */
    uint8_t hash_appended;

    otter_image_kind_t kind;
    bool has_app_desc;
    otter_app_desc_t app;
    bool has_boot_desc;
    otter_boot_desc_t boot;

    uint8_t segments_seen;
    otter_image_segment_t seg[OTTER_IMAGE_MAX_SEGMENTS];

    /* lengths (valid when otter_image_done()) */
    uint32_t image_len;  /* header .. checksum (+ padding) .. hash */
    uint32_t signed_len; /* image_len rounded up to 4096: where a signature sector starts */
    uint64_t total_len;  /* every byte fed */
    uint64_t trailing;   /* total_len - image_len once done */
    bool trailing_ff;    /* bytes in [image_len, signed_len) fed so far are all 0xFF */

    uint8_t checksum_stored;
    uint8_t checksum_calc;
    uint8_t hash_stored[32];
    uint8_t hash_calc[32]; /* SHA-256 of bytes [0, image_len - 32) (or all when no hash) */
    bool sig_digest_ready;
    uint8_t sig_digest[32]; /* SHA-256 of bytes [0, signed_len) */

    /* per-check verdicts (0, negative otter_err_t, PENDING or NA) */
    int header_verdict;
    int segments_verdict;
    int padding_verdict; /* zero padding before the checksum byte */
    int checksum_verdict;
    int hash_verdict;
    int error_offset; /* byte offset where the first error was detected, -1 if none */
} otter_image_info_t;

/* Streaming context. Caller-owned (may be static or on the stack), about
 * 1 KB; treat the fields as private except through the functions below. */
typedef struct otter_image {
    uint8_t state;
    uint8_t buf_len;
    uint8_t seg_index;
    uint8_t xor_sum;
    uint16_t expect_chip;
    uint32_t max_len;
    uint32_t file_len; /* whole file length if known (0 unknown), for naming */
    uint32_t left; /* bytes left in the current state */
    uint32_t end;  /* file offset where the current state ends */
    int status;    /* first error, sticky */
    uint8_t buf[OTTER_IMAGE_SNIFF_LEN]; /* header, segment header, hash, or first bytes */
    uint8_t desc[OTTER_APP_DESC_LEN];
    uint16_t desc_len;
    bool seg_mapped;
    otter_sha256_t sha;
    otter_image_info_t info;
} otter_image_t;

/* Start validating a new image. expected_chip is a chip id or OTTER_CHIP_ANY.
 * Cannot fail. The image may be at most 16 MB unless otter_image_set_max_len()
 * lowers that. */
void otter_image_init(otter_image_t *ctx, uint16_t expected_chip);

/* Refuse images longer than max_len bytes (e.g. the slot size) as soon as the
 * segment headers say so: OTTER_ERR_IMG_TOO_LONG. 0 means no limit. Call
 * before the first feed. */
void otter_image_set_max_len(otter_image_t *ctx, uint32_t max_len);

/* Feed the next len bytes (data may be NULL when len is 0; len at most
 * INT32_MAX, else OTTER_ERR_INVAL). Returns len (all
 * bytes are consumed, including trailing bytes after the image) or the first
 * error found so far, a negative otter_err_t:
 *   what otter_image_identify() names a file that does not start with 0xE9
 *   (after OTTER_IMAGE_SNIFF_LEN bytes), OTTER_ERR_IMG_RAM_APP,
 *   OTTER_ERR_IMG_ESP8266, OTTER_ERR_IMG_CHIP_UNKNOWN,
 *   OTTER_ERR_IMG_CHIP_MISMATCH, OTTER_ERR_IMG_HASH_FLAG,
 *   OTTER_ERR_IMG_SEG_COUNT, OTTER_ERR_IMG_SEG_LEN, OTTER_ERR_IMG_TOO_LONG,
 *   OTTER_ERR_IMG_SEG_ALIGN (reported at the image end),
 *   OTTER_ERR_IMG_PADDING, OTTER_ERR_IMG_CHECKSUM, OTTER_ERR_IMG_HASH,
 *   OTTER_ERR_CRYPTO.
 * Errors are sticky. After a checksum or hash mismatch the structure is still
 * followed, so image_len and every verdict are filled in. Whatever the chunk
 * sizes, the same bytes give the same final info and verdict. */
int otter_image_feed(otter_image_t *ctx, const void *data, size_t len);

/* Final verdict after the last feed: 0 if a complete, intact app image was
 * seen; the first error; OTTER_ERR_IMG_TRUNCATED if the image end was not
 * reached; OTTER_ERR_IMG_NOT_APP for an intact bootloader image. Does not
 * change the context (may be called more than once). */
int otter_image_finish(const otter_image_t *ctx);

/* The whole file's length when the caller knows it (e.g. Content-Length):
 * lets a short file that does not start with 0xE9 be named as soon as all of
 * it was fed, and an 8 KB file of 0xFF be named an otadata image. */
void otter_image_set_file_len(otter_image_t *ctx, uint32_t file_len);

/* Name the file whose first n bytes are p (n may be the whole file, or as
 * few as were received; file_len the whole length if known, else 0). Returns
 * 0 when it starts like an ESP app image (0xE9, no merged flash image
 * behind it), else the error naming it:
 *   OTTER_ERR_IMG_ELF, _MERGED, _PTABLE, _OTADATA, _UF2, _ZIP, _GZIP,
 *   _ENCRYPTED, _ESP8266, _HTML, _JSON, _TEXT (only when the start is a tag
 *   or printable text), or OTTER_ERR_IMG_MAGIC for anything else.
 * Pure function of its arguments. */
int otter_image_identify(const uint8_t *p, size_t n, uint64_t file_len);

/* One sentence that says what to do about an image error err (a result of
 * this module), e.g. for OTTER_ERR_IMG_ELF "serve the .bin that esptool's
 * elf2image makes from the .elf". NULL when there is nothing more to say
 * than otter_strerror(). Static storage. */
const char *otter_image_fix(int err);

/* The first bytes of a file that is not an ESP app image, as collected
 * (*p points into ctx); 0 when the header was accepted. */
size_t otter_image_first_bytes(const otter_image_t *ctx, const uint8_t **p);

/* What to do about err, for a log line after otter_strerror(err):
 * "[first bytes: 3c 21 ...; ]fix: <otter_image_fix(err)>." (the first bytes
 * for OTTER_ERR_IMG_MAGIC and _MERGED), into out (cap bytes with the NUL,
 * ending "..." if it had to be cut). Returns the full length. */
size_t otter_image_explain(const otter_image_t *ctx, int err, char *out, size_t cap);

/* The fields learnt so far (points into ctx). */
const otter_image_info_t *otter_image_info(const otter_image_t *ctx);

/* True once the 24-byte header was fed and accepted (chip known). */
bool otter_image_header_known(const otter_image_t *ctx);

/* True once the app description question is settled: the first segment's
 * first 256 bytes were fed (has_app_desc / has_boot_desc tell what was
 * found) or the first segment is shorter than that and ended. Always true
 * after OTTER_IMAGE_EARLY_LEN (288) bytes of a valid image. */
bool otter_image_desc_known(const otter_image_t *ctx);

/* True once the image end was reached (image_len and checks final). */
bool otter_image_done(const otter_image_t *ctx);

/* The error to act on now: the first error, or OTTER_ERR_IMG_NOT_APP as soon
 * as the image is known to be a bootloader, else 0. Lets an updater refuse a
 * wrong file after the first 24 / 288 bytes. */
int otter_image_early_verdict(const otter_image_t *ctx);

/* Wipe the context (hash state). Safe on any initialised context. */
void otter_image_free(otter_image_t *ctx);

/* "ESP32-C3" etc. for a chip id; "unknown" for others. Static storage. */
const char *otter_image_chip_name(uint16_t chip_id);

/* Parse a chip name as esptool spells it ("esp32", "esp32c3", "ESP32-C3";
 * case and '-' ignored) or "any". 0 or OTTER_ERR_IMG_CHIP_UNKNOWN. */
int otter_image_chip_from_name(const char *name, uint16_t *chip_id);

/* True if load_addr lies in a flash-mapped (IROM/DROM) window of chip_id. */
bool otter_image_addr_flash_mapped(uint16_t chip_id, uint32_t load_addr);

/* Check a chip revision (major * 100 + minor) against the image's
 * min_chip_rev_full / max_chip_rev_full (max 0 = not set). 0 or
 * OTTER_ERR_IMG_CHIP_REV. */
int otter_image_check_chip_rev(const otter_image_info_t *info, uint16_t chip_rev_full);

/* Validate the image stored at flash [offset, offset + max_len): reads it in
 * work_len-byte pieces through work (caller buffer, any size >= 1; 4096 is a
 * good choice) and feeds the validator, up to the image end and, when it fits
 * in max_len, up to signed_len so that out->sig_digest is ready. out may be
 * NULL. Returns otter_image_finish()'s verdict, OTTER_ERR_IMG_TOO_LONG if the
 * image does not fit max_len, or the flash read error. */
int otter_image_validate_flash(const otter_flash_t *flash, uint32_t offset, uint32_t max_len, otter_image_info_t *out,
                               uint8_t *work, size_t work_len);


#ifdef __cplusplus
}
#endif

#endif
