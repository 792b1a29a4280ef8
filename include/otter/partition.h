/* otter: ESP-IDF partition tables.
 *
 * The table lives at flash offset 0x8000 and is at most 0xC00 bytes: 32-byte
 * rows (magic AA 50, type, subtype, offset u32, size u32, label[16], flags
 * u32), optionally one MD5 row (EB EB, 14 x FF, MD5 of the rows before it),
 * then 0xFF. docs/FORMATS.md "Partition table" has the byte layout and the
 * validation rules. The parsed table is a caller-owned fixed array; nothing
 * here allocates. Reading a table is for the firmware and the bootloader;
 * making one (CSV, built-in layouts, serialising, writing it to flash) is
 * for host tools: otter/host/partition.h. */
#ifndef OTTER_PARTITION_H
#define OTTER_PARTITION_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stddef.h>
#include <stdint.h>

#include "otter/config.h"
#include "otter/flash.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OTTER_PT_OFFSET 0x8000u      /* where the bootloader looks */
#define OTTER_PT_MAX_LEN 0xC00u      /* bytes parsed and serialised */
#define OTTER_PT_REGION_SIZE 0x1000u /* the table's flash sector */
#define OTTER_PT_ROW_SIZE 32u
#define OTTER_PT_LABEL_LEN 16u

/* Types. Other values (0x02..0xFE) are custom types and are kept as-is. */
#define OTTER_PT_TYPE_APP 0x00u
#define OTTER_PT_TYPE_DATA 0x01u

/* App subtypes. ota_N is OTTER_PT_SUBTYPE_OTA(N), N = 0..15. */
#define OTTER_PT_SUBTYPE_FACTORY 0x00u
#define OTTER_PT_SUBTYPE_OTA_0 0x10u
#define OTTER_PT_SUBTYPE_OTA(n) ((uint8_t)(0x10u + (n)))
#define OTTER_PT_OTA_MAX 16u
#define OTTER_PT_SUBTYPE_TEST 0x20u
/* ESP-TEE app slots tee_0, tee_1 (ESP-IDF 5.5+; not boot slots for otter). */
#define OTTER_PT_SUBTYPE_TEE_0 0x30u
#define OTTER_PT_SUBTYPE_TEE_1 0x31u

/* Data subtypes. */
#define OTTER_PT_SUBTYPE_OTADATA 0x00u
#define OTTER_PT_SUBTYPE_PHY 0x01u
#define OTTER_PT_SUBTYPE_NVS 0x02u
#define OTTER_PT_SUBTYPE_COREDUMP 0x03u
#define OTTER_PT_SUBTYPE_NVS_KEYS 0x04u
#define OTTER_PT_SUBTYPE_EFUSE 0x05u
#define OTTER_PT_SUBTYPE_UNDEFINED 0x06u
#define OTTER_PT_SUBTYPE_ESPHTTPD 0x80u
#define OTTER_PT_SUBTYPE_FAT 0x81u
#define OTTER_PT_SUBTYPE_SPIFFS 0x82u
#define OTTER_PT_SUBTYPE_LITTLEFS 0x83u
#define OTTER_PT_SUBTYPE_TEE_OTA 0x90u /* ESP-TEE's otadata */

/* Flags word bits. Unknown bits are kept and written back unchanged. */
#define OTTER_PT_FLAG_ENCRYPTED 0x1u
#define OTTER_PT_FLAG_READONLY 0x2u

/* One partition. label is NUL-terminated (at most 16 characters). */
typedef struct otter_partition {
    uint8_t type;
    uint8_t subtype;
    uint32_t offset; /* absolute flash offset */
    uint32_t size;   /* bytes */
    char label[OTTER_PT_LABEL_LEN + 1];
    uint32_t flags;
} otter_partition_t;

/* A parsed table: entries in table order. Caller-owned: 36 bytes per
 * OTTER_PT_MAX_ENTRIES row plus 12 (476 bytes with the default of 12 on
 * Cortex-M4). otter_ptable_read() of a table with more rows keeps only the
 * rows an update and the boot choice use (every app slot and otadata) and
 * counts the others in dropped; such a table cannot be serialised or
 * written back. */
typedef struct otter_ptable {
    otter_partition_t entry[OTTER_PT_MAX_ENTRIES];
    uint32_t count;
    int has_md5;      /* the binary had an MD5 row; serialise writes one when set */
    uint32_t dropped; /* rows read but not kept (not app, not otadata) */
} otter_ptable_t;

/* Empty table (count 0, has_md5 1). Cannot fail. */
void otter_ptable_init(otter_ptable_t *pt);

/* Parse a binary table from buf (len bytes, normally 0xC00 read from 0x8000;
 * rows past len are treated as missing). Then validate it as
 * otter_ptable_validate() does with flash_size (0: size unknown, bounds not
 * checked). On any error pt is left empty. Errors: OTTER_ERR_PT_MAGIC (row is
 * neither an entry, the MD5 row nor the 0xFF terminator), OTTER_ERR_PT_MD5
 * (mismatch, or a second MD5 row), OTTER_ERR_PT_NO_END (no terminator within
 * len / 0xC00 bytes, or an entry after the MD5 row), OTTER_ERR_PT_TOO_MANY,
 * OTTER_ERR_PT_EMPTY (no entries: erased flash), OTTER_ERR_CRYPTO, and every
 * error of otter_ptable_validate(). */
int otter_ptable_parse(otter_ptable_t *pt, const uint8_t *buf, size_t len, uint32_t flash_size);

/* Read and parse the table at OTTER_PT_OFFSET from flash, row by row (no
 * large buffer), validating against flash->size. A table with more entries
 * than OTTER_PT_MAX_ENTRIES is read again keeping only the app rows and
 * otadata (pt->dropped counts the others); the whole table is still
 * validated, every row read back from flash, with the same checks and
 * errors as otter_ptable_validate(). Errors: those of otter_ptable_parse()
 * (OTTER_ERR_PT_TOO_MANY only when the app rows and otadata alone do not
 * fit), OTTER_ERR_PT_NOT_FOUND (no app row nor otadata), plus the flash
 * read errors. */
int otter_ptable_read(otter_ptable_t *pt, const otter_flash_t *flash);

/* Check a table: every entry has size > 0 (OTTER_ERR_PT_FIELD); lies at or
 * after 0x9000 (the end of the table's sector) and does not overlap another
 * (OTTER_ERR_PT_OVERLAP); ends within flash_size when it is non-zero, without
 * 32-bit overflow (OTTER_ERR_PT_BOUNDS); app offsets are 64 KB aligned and
 * data offsets 4-byte aligned (OTTER_ERR_PT_ALIGN); the otadata partition is
 * 4 KB aligned (OTTER_ERR_PT_ALIGN); labels are unique
 * (OTTER_ERR_PT_DUP_LABEL); at most one otadata, one factory and one of each
 * ota_N (OTTER_ERR_PT_DUP_TYPE); OTA app subtypes are ota_0..ota_{n-1}
 * without gaps (OTTER_ERR_PT_OTA_GAP). Returns 0 or the first error. */
int otter_ptable_validate(const otter_ptable_t *pt, uint32_t flash_size);

/* Append an entry (label copied, at most 16 characters). Does not validate
 * the table. Errors: OTTER_ERR_PT_TOO_MANY, OTTER_ERR_PT_FIELD (label empty
 * or longer than 16). */
int otter_ptable_add(otter_ptable_t *pt, const char *label, uint8_t type, uint8_t subtype, uint32_t offset,
                     uint32_t size, uint32_t flags);

/* Lookups. They return a pointer into pt (valid while pt is unchanged) or
 * NULL when there is no such partition. */
const otter_partition_t *otter_ptable_find_label(const otter_ptable_t *pt, const char *label);
const otter_partition_t *otter_ptable_find(const otter_ptable_t *pt, uint8_t type, uint8_t subtype);
/* The otadata partition (data/ota). */
const otter_partition_t *otter_ptable_otadata(const otter_ptable_t *pt);
/* The app partition for a slot: slot is an app subtype (factory 0x00,
 * ota_N 0x10+N, test 0x20). */
const otter_partition_t *otter_ptable_app(const otter_ptable_t *pt, uint8_t slot);

/* Number of OTA app slots (ota_0..ota_{n-1}; 0 if none). */
unsigned otter_ptable_ota_count(const otter_ptable_t *pt);

/* App slots in boot order (factory, ota_0, ota_1, ..., test), up to max
 * pointers written to out. Returns the number of app slots in the table
 * (which may exceed max). */
size_t otter_ptable_app_slots(const otter_ptable_t *pt, const otter_partition_t **out, size_t max);

/* Names, as gen_esp32part.py spells them: "app", "data"; "factory", "ota_3",
 * "test", "ota", "phy", "nvs", "coredump", "nvs_keys", "efuse", "undefined",
 * "esphttpd", "fat", "spiffs", "littlefs". NULL when the value has no name.
 * Static storage. */
const char *otter_ptable_type_name(uint8_t type);
const char *otter_ptable_subtype_name(uint8_t type, uint8_t subtype);

/* Slot name for an app subtype: "factory", "ota_0".."ota_15", "test", NULL. */
const char *otter_slot_name(uint8_t slot);
/* Parse a slot name ("factory", "ota_0".."ota_15", "test") into *slot.
 * Returns 0 or OTTER_ERR_BOOT_SLOT. */
int otter_slot_parse(const char *name, uint8_t *slot);

#ifdef __cplusplus
}
#endif

#endif
