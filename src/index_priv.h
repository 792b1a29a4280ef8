/* otter: release index internals shared by its parser, writer and
 * decision (src/index*.c). Not public. */
#ifndef OTTER_INDEX_PRIV_H
#define OTTER_INDEX_PRIV_H

#include <stddef.h>
#include <stdint.h>

/* A canonical unsigned decimal (no sign, no leading zero) of at most max.
 * 0 or OTTER_ERR_INDEX_FIELD. */
int otter_index_parse_uint(const char *s, size_t len, uint64_t max, uint64_t *out);
/* Exactly 2 * n lowercase hex digits into out[n]. 0 or OTTER_ERR_INDEX_FIELD. */
int otter_index_parse_hex(const char *s, size_t len, uint8_t *out, size_t n);

/* The index's spelling of a chip ("esp32c3") into out. 0, or
 * OTTER_ERR_INDEX_FIELD for a chip id otter does not know. */
int otter_index_chip_key(uint16_t chip_id, char out[17]);

#endif
