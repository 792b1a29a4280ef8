/* Private to the TLS module: a bounded string builder (no snprintf in the
 * freestanding core) shared by tls.c, tls_explain.c and tls_format.c. */
#ifndef OTTER_TLS_PRIV_H
#define OTTER_TLS_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Writes into buf[0..cap) and always keeps it NUL-terminated (cap > 0);
 * len counts every byte asked for, so len >= cap means truncated. */
typedef struct otter_sb {
    char *buf;
    size_t cap;
    size_t len;
    int json; /* escape everything put for a JSON string */
} otter_sb_t;

static inline void otter_sb_init(otter_sb_t *sb, char *buf, size_t cap)
{
    sb->buf = buf;
    sb->cap = buf ? cap : 0;
    sb->len = 0;
    sb->json = 0;
    if (sb->cap) {
        buf[0] = '\0';
    }
}

static inline void otter_sb_raw(otter_sb_t *sb, char c)
{
    if (sb->len + 1 < sb->cap) {
        sb->buf[sb->len] = c;
        sb->buf[sb->len + 1] = '\0';
    }
    sb->len++;
}

static inline void otter_sb_putn(otter_sb_t *sb, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!sb->json) {
            otter_sb_raw(sb, (char)c);
        } else if (c == '"' || c == '\\') {
            otter_sb_raw(sb, '\\');
            otter_sb_raw(sb, (char)c);
        } else if (c == '\n') {
            otter_sb_raw(sb, '\\');
            otter_sb_raw(sb, 'n');
        } else if (c < 0x20 || c >= 0x7f) {
            otter_sb_raw(sb, '\\');
            otter_sb_raw(sb, 'u');
            otter_sb_raw(sb, '0');
            otter_sb_raw(sb, '0');
            otter_sb_raw(sb, hex[c >> 4]);
            otter_sb_raw(sb, hex[c & 15]);
        } else {
            otter_sb_raw(sb, (char)c);
        }
    }
}

static inline void otter_sb_put(otter_sb_t *sb, const char *s)
{
    otter_sb_putn(sb, s, strlen(s));
}

static inline void otter_sb_putc(otter_sb_t *sb, char c)
{
    otter_sb_putn(sb, &c, 1);
}

static inline void otter_sb_dec(otter_sb_t *sb, int64_t v)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) {
        tmp[n++] = '-';
    }
    while (n) {
        otter_sb_putc(sb, tmp[--n]);
    }
}

static inline void otter_sb_hex(otter_sb_t *sb, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        otter_sb_putc(sb, digits[p[i] >> 4]);
        otter_sb_putc(sb, digits[p[i] & 15]);
    }
}

/* Copy s into dst[cap], ending in "..." when it does not fit. */
static inline void otter_copy_trunc(char *dst, size_t cap, const char *s, size_t n)
{
    if (cap == 0) {
        return;
    }
    if (n < cap) {
        memcpy(dst, s, n);
        dst[n] = '\0';
        return;
    }
    size_t keep = cap > 4 ? cap - 4 : cap - 1;
    memcpy(dst, s, keep);
    memcpy(dst + keep, "...", cap - 1 - keep);
    dst[cap - 1] = '\0';
}

/* The explanation (otter_tls_explain) appended to a builder. */
struct otter_tls_report;
void otter_tls_explain_sb(otter_sb_t *sb, const struct otter_tls_report *r);

#endif
