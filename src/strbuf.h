/* The core's one bounded string builder and one bounded copy (private; no
 * snprintf in the freestanding core). Every text the core assembles (boot
 * reasons, update diagnoses, HTTP and TLS explanations, certificate names)
 * goes through these. */
#ifndef OTTER_STRBUF_H
#define OTTER_STRBUF_H

#include <stddef.h>
#include <stdint.h>

/* Writes into buf[0..cap) and always keeps it NUL-terminated (cap > 0);
 * len counts every byte asked for, so len >= cap means truncated and
 * otter_sb_used() is what is in buf. */
typedef struct otter_sb {
    char *buf;
    size_t cap;
    size_t len;
    int json; /* escape everything put for a JSON string */
} otter_sb_t;

/* Start empty over buf[cap] (buf NULL or cap 0: count only). */
void otter_sb_init(otter_sb_t *sb, char *buf, size_t cap);
/* Bytes in buf now (at most cap - 1). */
size_t otter_sb_used(const otter_sb_t *sb);
/* Go back to used byte n (n <= otter_sb_used()): what follows is dropped. */
void otter_sb_cut(otter_sb_t *sb, size_t n);
/* One byte as is (no JSON escaping). */
void otter_sb_raw(otter_sb_t *sb, char c);
/* n bytes of s / the string s / one character (JSON-escaped when json). */
void otter_sb_putn(otter_sb_t *sb, const char *s, size_t n);
void otter_sb_put(otter_sb_t *sb, const char *s);
void otter_sb_putc(otter_sb_t *sb, char c);
/* v in decimal. */
void otter_sb_dec(otter_sb_t *sb, int64_t v);
void otter_sb_u64(otter_sb_t *sb, uint64_t v);
/* n bytes as lowercase hex. */
void otter_sb_hex(otter_sb_t *sb, const uint8_t *p, size_t n);

/* Copy at most n bytes of src, stopping at a NUL (src NULL: ""), into
 * dst[cap] (cap > 0), cut to cap - 1 bytes and NUL-terminated. Returns the
 * length of the source (up to n), so a result >= cap means it was cut. */
size_t otter_str_copy(char *dst, size_t cap, const char *src, size_t n);
/* The same, but a text that does not fit ends in "...". */
void otter_copy_trunc(char *dst, size_t cap, const char *s, size_t n);

#endif
