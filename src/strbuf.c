/* The bounded string builder and copy (src/strbuf.h). */
#include "strbuf.h"

#include <string.h>

#include "strutil.h"

void otter_sb_init(otter_sb_t *sb, char *buf, size_t cap)
{
    sb->buf = buf;
    sb->cap = buf ? cap : 0;
    sb->len = 0;
    sb->json = 0;
    if (sb->cap)
        buf[0] = '\0';
}

size_t otter_sb_used(const otter_sb_t *sb)
{
    if (!sb->cap)
        return 0;
    return sb->len < sb->cap ? sb->len : sb->cap - 1;
}

void otter_sb_cut(otter_sb_t *sb, size_t n)
{
    sb->len = n;
    if (n < sb->cap)
        sb->buf[n] = '\0';
}

void otter_sb_raw(otter_sb_t *sb, char c)
{
    if (sb->len + 1 < sb->cap) {
        sb->buf[sb->len] = c;
        sb->buf[sb->len + 1] = '\0';
    }
    sb->len++;
}

void otter_sb_putn(otter_sb_t *sb, const char *s, size_t n)
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

void otter_sb_put(otter_sb_t *sb, const char *s)
{
    otter_sb_putn(sb, s, strlen(s));
}

void otter_sb_putc(otter_sb_t *sb, char c)
{
    otter_sb_putn(sb, &c, 1);
}

void otter_sb_u64(otter_sb_t *sb, uint64_t v)
{
    char tmp[20];
    otter_sb_putn(sb, tmp, otter_ascii_u64(tmp, v));
}

void otter_sb_dec(otter_sb_t *sb, int64_t v)
{
    if (v < 0)
        otter_sb_putc(sb, '-');
    otter_sb_u64(sb, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
}

void otter_sb_hex(otter_sb_t *sb, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        otter_sb_putc(sb, digits[p[i] >> 4]);
        otter_sb_putc(sb, digits[p[i] & 15]);
    }
}

size_t otter_str_copy(char *dst, size_t cap, const char *src, size_t n)
{
    size_t len = 0;
    while (src && len < n && src[len])
        len++;
    if (!cap)
        return len;
    size_t k = len < cap ? len : cap - 1;
    if (k)
        memcpy(dst, src, k);
    dst[k] = '\0';
    return len;
}

void otter_copy_trunc(char *dst, size_t cap, const char *s, size_t n)
{
    if (cap == 0)
        return;
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
