/* host/pem: base64 and PEM blocks (see pem.h). */
#include "pem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t otter_base64_encode(const uint8_t *in, size_t len, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        out[n++] = B64[(v >> 18) & 63];
        out[n++] = B64[(v >> 12) & 63];
        out[n++] = i + 1 < len ? B64[(v >> 6) & 63] : '=';
        out[n++] = i + 2 < len ? B64[v & 63] : '=';
    }
    out[n] = 0;
    return n;
}

static int b64_value(char c)
{
    const char *p = c ? strchr(B64, c) : NULL;
    return p ? (int)(p - B64) : -1;
}

/* Decode base64 text (whitespace ignored) into out (at least 3/4 of len). */
static int b64_decode(const char *s, size_t len, uint8_t *out, size_t *out_len)
{
    uint32_t acc = 0;
    int bits = 0, pad = 0;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (c == '=') {
            pad++;
            continue;
        }
        int v = b64_value(c);
        if (v < 0 || pad)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    if (pad > 2 || bits >= 6)
        return -1;
    *out_len = n;
    return 0;
}

static const char *find(const char *text, size_t len, size_t from, const char *what)
{
    size_t wl = strlen(what);
    for (size_t i = from; i + wl <= len; i++)
        if (text[i] == what[0] && memcmp(text + i, what, wl) == 0)
            return text + i;
    return NULL;
}

int otter_pem_next(const char *text, size_t len, const char *label, size_t *pos, uint8_t **der,
                   size_t *der_len)
{
    char begin[96], end[96];
    snprintf(begin, sizeof begin, "-----BEGIN %s-----", label);
    snprintf(end, sizeof end, "-----END %s-----", label);
    *der = NULL;
    const char *b = find(text, len, *pos, begin);
    if (!b)
        return 0;
    size_t body = (size_t)(b - text) + strlen(begin);
    const char *e = find(text, len, body, end);
    *pos = body;
    if (!e)
        return -1;
    size_t blen = (size_t)(e - text) - body;
    uint8_t *out = malloc(blen / 4 * 3 + 3);
    if (!out)
        return -1;
    if (memchr(text + body, ':', blen) || b64_decode(text + body, blen, out, der_len) != 0) {
        free(out); /* headers (encrypted PEM) or bad base64 */
        return -1;
    }
    *pos = (size_t)(e - text) + strlen(end);
    *der = out;
    return 1;
}

char *otter_pem_encode(const char *label, const uint8_t *der, size_t len)
{
    size_t b64len = 4 * ((len + 2) / 3);
    char *b64 = malloc(b64len + 1);
    char *out = malloc(b64len + b64len / 64 + 2 * strlen(label) + 64);
    if (!b64 || !out) {
        free(b64);
        free(out);
        return NULL;
    }
    otter_base64_encode(der, len, b64);
    size_t n = (size_t)sprintf(out, "-----BEGIN %s-----\n", label);
    for (size_t off = 0; off < b64len; off += 64) {
        size_t l = b64len - off < 64 ? b64len - off : 64;
        memcpy(out + n, b64 + off, l);
        n += l;
        out[n++] = '\n';
    }
    sprintf(out + n, "-----END %s-----\n", label);
    free(b64);
    return out;
}
