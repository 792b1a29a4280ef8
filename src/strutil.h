/* Private ASCII helpers shared by the core's text parsers (HTTP, URL, proxy,
 * PEM, partition CSV, update reports). Locale-free: only the ASCII letters and digits count.
 * Not part of the public API. */
#ifndef OTTER_STRUTIL_H
#define OTTER_STRUTIL_H

#include <stddef.h>
#include <stdint.h>

/* c with 'A'..'Z' mapped to 'a'..'z'; any other byte unchanged. */
static inline char otter_ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* The value 0..15 of the hex digit c (either case), or -1 if c is not one. */
static inline int otter_ascii_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* v in decimal into out (room for 20 digits; no NUL written).
 * Returns the number of digits, 1..20. */
static inline size_t otter_ascii_u64(char *out, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

#endif
