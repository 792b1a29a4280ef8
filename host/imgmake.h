/* otter host: deterministic synthetic ESP app images.
 *
 * Makes a valid app image (header, segments at plausible load addresses for
 * the chip, esp_app_desc_t, checksum, appended SHA-256) of about the requested
 * size, with segment data from a seeded pseudo-random generator: the same
 * parameters always give the same bytes. Used by `otter image make`, the demo
 * and other modules' tests.
 *
 *   otter_imgmake_t p;
 *   otter_imgmake_defaults(&p);           // ESP32, "1.0.0", "otter-demo", 64 KB
 *   p.chip = OTTER_CHIP_ESP32C3; p.version = "2.0.0"; p.size = 300000;
 *   size_t len; uint8_t *img = otter_imgmake_alloc(&p, &len);   // free() it
 */
#ifndef OTTER_HOST_IMGMAKE_H
#define OTTER_HOST_IMGMAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host_error.h" /* the OTTER_ERR_* codes its functions return */

typedef struct otter_imgmake {
    uint16_t chip;       /* OTTER_CHIP_* (not ANY) */
    const char *version; /* app description version, at most 32 bytes */
    const char *project; /* project_name, at most 32 bytes */
    uint32_t secure_version;
    uint32_t size;       /* wanted image length; the result is within 16 bytes of it (minimum ~1 KB) */
    uint32_t seed;       /* pseudo-random segment data */
    bool no_hash;        /* hash_appended = 0 */
    bool no_desc;        /* no esp_app_desc_t (like IDF 3.x images) */
    const char *idf_ver; /* NULL: "v5.2.1" */
    const char *date;    /* NULL: "Jan  1 2025" */
    const char *time;    /* NULL: "12:00:00" */
} otter_imgmake_t;

/* ESP32, version "1.0.0", project "otter-demo", secure_version 0, 65536
 * bytes, seed 1, hash appended, with app description. */
void otter_imgmake_defaults(otter_imgmake_t *p);

/* Exact length of the image p describes, or 0 if p is invalid (unknown chip,
 * string too long). */
size_t otter_imgmake_len(const otter_imgmake_t *p);

/* Write the image into buf (cap bytes). *out_len = its length. 0,
 * OTTER_ERR_INVAL (bad parameters), OTTER_ERR_BUF_TOO_SMALL. */
int otter_imgmake(const otter_imgmake_t *p, uint8_t *buf, size_t cap, size_t *out_len);

/* Same into a malloc'd buffer (caller frees); NULL on bad parameters. */
uint8_t *otter_imgmake_alloc(const otter_imgmake_t *p, size_t *len);

/* Same into a file. 0, OTTER_ERR_INVAL, OTTER_ERR_FILE. */
int otter_imgmake_file(const otter_imgmake_t *p, const char *path);

#endif
