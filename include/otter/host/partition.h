/* otter host tooling: making ESP-IDF partition tables (the CLI's `flash`
 * subcommands, the simulator, the tests): ESP-IDF partition CSV and the
 * built-in layouts parsed into an otter_ptable_t (otter/partition.h), and
 * the table serialised and written to flash. Implemented in the core
 * (src/partition.c, src/partition_csv.c) so that a device could use them,
 * but an app that updates itself needs none of this. */
#ifndef OTTER_HOST_PARTITION_H
#define OTTER_HOST_PARTITION_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stddef.h>
#include <stdint.h>

#include "otter/flash.h"
#include "otter/partition.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- table to bytes and to flash (src/partition.c) ----------------------- */

/* Serialise to exactly OTTER_PT_MAX_LEN bytes: rows in table order, the MD5
 * row if pt->has_md5, then 0xFF; byte-identical to gen_esp32part.py for the
 * same entries. out_len must be >= OTTER_PT_MAX_LEN (OTTER_ERR_BUF_TOO_SMALL).
 * Does not validate. Returns OTTER_PT_MAX_LEN (a byte count) or an error
 * (OTTER_ERR_PT_TOO_MANY if the rows do not fit, OTTER_ERR_CRYPTO). */
int otter_ptable_serialise(const otter_ptable_t *pt, uint8_t *out, size_t out_len);

/* Validate against flash->size, erase the table sector at 0x8000 and program
 * the serialised table row by row. Returns 0, a validation error, or a flash
 * error (the sector may then be partly written: tables are written at
 * manufacturing, not in the field). */
int otter_ptable_write(const otter_ptable_t *pt, const otter_flash_t *flash);

/* --- CSV (src/partition_csv.c) ------------------------------------------- */

/* Why a CSV was refused, in the terms gen_esp32part.py uses: the rule and
 * the offsets ("line 5: partitions overlap: 'app1' sets offset 0x100000,
 * previous partition ends at 0x110000"). */
typedef struct otter_ptable_csv_error {
    int err;       /* the code returned (0: no error) */
    unsigned line; /* 1-based line of the row concerned, 0 for the table */
    char text[192]; /* one sentence, NUL-terminated */
} otter_ptable_csv_error_t;

/* Parse an ESP-IDF partition CSV (the format gen_esp32part.py reads: Name,
 * Type, SubType, Offset, Size, Flags; '#' comments; empty offsets placed
 * after the previous partition, apps 64 KB aligned, data 4 KB aligned,
 * starting at 0x9000; numbers decimal, 0x hex, 0o octal or 0b binary with
 * an optional K or M suffix; a size "-END" means up to flash offset END;
 * flags "encrypted", "readonly" joined by ':').
 * csv need not be NUL-terminated. Then validates (flash_size 0: unknown).
 * On error pt is left empty and *err_line (if not NULL) gets the 1-based line
 * number of the bad row (0 if the error is about the whole table).
 * Errors: OTTER_ERR_PT_CSV (syntax, unknown keyword, empty name/type/size,
 * $VARIABLE, "-END" not after the offset), OTTER_ERR_PT_OVERLAP (an explicit
 * offset below the end of the previous partition or of the table sector),
 * OTTER_ERR_PT_FIELD (name longer
 * than 16), OTTER_ERR_PT_TOO_MANY, OTTER_ERR_PT_EMPTY, validation errors. */
int otter_ptable_parse_csv(otter_ptable_t *pt, const char *csv, size_t len, uint32_t flash_size, unsigned *err_line);

/* otter_ptable_parse_csv() that also says why (why may be NULL). Besides
 * the binary table's rules it applies gen_esp32part.py's rules for CSV
 * input, in its order: app sizes 4 KB aligned (OTTER_ERR_PT_ALIGN), an
 * otadata or coredump partition cannot be readonly and a read/write NVS
 * partition is at least 0x3000 bytes (OTTER_ERR_PT_FIELD), unique names,
 * overlaps after sorting by offset (OTTER_ERR_PT_OVERLAP), one otadata and
 * one TEE otadata of 0x2000 bytes (OTTER_ERR_PT_DUP_TYPE,
 * OTTER_ERR_OTADATA_SIZE), and the binary table with its MD5 row shorter
 * than 0xC00 bytes, i.e. at most 94 partitions (OTTER_ERR_PT_TOO_MANY). */
int otter_ptable_parse_csv_explain(otter_ptable_t *pt, const char *csv, size_t len, uint32_t flash_size,
                                   otter_ptable_csv_error_t *why);

/* Built-in layouts, as CSV text (static storage), or NULL for an unknown name:
 *   "default"    Arduino-ESP32 default 4 MB: nvs, otadata, app0 (ota_0,
 *                1.25 MB), app1 (ota_1), spiffs, coredump
 *   "min_spiffs" Arduino-ESP32 "Minimal SPIFFS (1.9MB APP with OTA)": 4 MB
 *   "two_ota"    ESP-IDF partitions_two_ota.csv: factory + ota_0 + ota_1,
 *                1 MB each (fits 4 MB) */
const char *otter_ptable_builtin_csv(const char *name);

/* Parse a built-in layout into pt. Errors: OTTER_ERR_PT_NOT_FOUND for an
 * unknown name, else as otter_ptable_parse_csv(). */
int otter_ptable_builtin(otter_ptable_t *pt, const char *name, uint32_t flash_size);

#ifdef __cplusplus
}
#endif

#endif
