/* Trust input parsing without mbedTLS: splitting a PEM bundle into DER
 * certificates and parsing SPKI SHA-256 pins. Untrusted text (a bundle file,
 * a command line): every malformed input gives OTTER_ERR_TLS_CONFIG. */
#include <string.h>

#include "otter/error.h"
#include "otter/tls.h"
#include "strutil.h"

static const char PEM_BEGIN[] = "-----BEGIN CERTIFICATE-----";
static const char PEM_END[] = "-----END CERTIFICATE-----";

/* Offset of needle in hay[from..len), or len if absent. */
static size_t find(const uint8_t *hay, size_t len, size_t from, const char *needle)
{
    size_t n = strlen(needle);
    if (len < n) {
        return len;
    }
    for (size_t i = from; i + n <= len; i++) {
        if (hay[i] == (uint8_t)needle[0] && memcmp(hay + i, needle, n) == 0) {
            return i;
        }
    }
    return len;
}

/* 0..63 for a base64 digit, 64 for '=', 65 for whitespace, -1 otherwise. */
static int b64_value(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    if (c == '=') {
        return 64;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        return 65;
    }
    return -1;
}

/* Decode base64 in[0..len) (whitespace ignored, '=' only as final padding)
 * into out. Returns bytes written or a negative error. */
static int b64_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
    uint32_t acc = 0;
    size_t n = 0, digits = 0, pad = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64_value(in[i]);
        if (v < 0) {
            return OTTER_ERR_TLS_CONFIG;
        }
        if (v == 65) {
            continue;
        }
        if (v == 64) {
            pad++;
            digits++;
            if (pad > 2) {
                return OTTER_ERR_TLS_CONFIG;
            }
            acc <<= 6;
        } else {
            if (pad) {
                return OTTER_ERR_TLS_CONFIG; /* data after padding */
            }
            acc = (acc << 6) | (uint32_t)v;
            digits++;
        }
        if (digits % 4 == 0) {
            size_t out_bytes = 3 - pad;
            if (n + out_bytes > cap) {
                return OTTER_ERR_BUF_TOO_SMALL;
            }
            uint8_t b[3] = {(uint8_t)(acc >> 16), (uint8_t)(acc >> 8), (uint8_t)acc};
            memcpy(out + n, b, out_bytes);
            n += out_bytes;
            acc = 0;
        }
    }
    if (digits % 4 != 0 || n == 0 || n > 0x7fffffff) {
        return OTTER_ERR_TLS_CONFIG;
    }
    return (int)n;
}

int otter_tls_pem_next(const uint8_t *buf, size_t len, size_t *pos, uint8_t *der, size_t cap,
                       size_t *der_len)
{
    if (!buf || !pos || !der || !der_len || *pos > len) {
        return OTTER_ERR_INVAL;
    }
    size_t begin = find(buf, len, *pos, PEM_BEGIN);
    if (begin == len) {
        *pos = len;
        return 0;
    }
    size_t body = begin + strlen(PEM_BEGIN);
    size_t end = find(buf, len, body, PEM_END);
    if (end == len) {
        return OTTER_ERR_TLS_CONFIG;
    }
    int n = b64_decode(buf + body, end - body, der, cap);
    if (n < 0) {
        return n;
    }
    *der_len = (size_t)n;
    *pos = end + strlen(PEM_END);
    return 1;
}

/* 64 hex digits, ':' or ' ' allowed between bytes. */
static int pin_parse_hex(const char *t, size_t len, uint8_t out[32])
{
    size_t n = 0, i = 0;
    while (i < len) {
        if ((t[i] == ':' || t[i] == ' ') && n > 0 && n < 32) {
            i++;
            continue;
        }
        if (n == 32 || i + 1 >= len) {
            return OTTER_ERR_TLS_CONFIG;
        }
        int hi = otter_ascii_hexval(t[i]), lo = otter_ascii_hexval(t[i + 1]);
        if (hi < 0 || lo < 0) {
            return OTTER_ERR_TLS_CONFIG;
        }
        out[n++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    return n == 32 ? OTTER_OK : OTTER_ERR_TLS_CONFIG;
}

int otter_tls_pin_parse(const char *text, size_t len, uint8_t out[32])
{
    if (!text || !out) {
        return OTTER_ERR_INVAL;
    }
    uint8_t tmp[33];
    size_t i = 0;
    if (len >= 7 && memcmp(text, "sha256/", 7) == 0) {
        i = (len >= 8 && text[7] == '/') ? 8 : 7;
        if (len - i != 44) {
            return OTTER_ERR_TLS_CONFIG;
        }
    }
    if (len - i == 44) {
        for (size_t k = i; k < len; k++) {
            int v = b64_value((uint8_t)text[k]);
            if (v < 0 || v == 65) {
                return OTTER_ERR_TLS_CONFIG;
            }
        }
        int n = b64_decode((const uint8_t *)text + i, 44, tmp, sizeof tmp);
        if (n != 32) {
            return OTTER_ERR_TLS_CONFIG;
        }
        memcpy(out, tmp, 32);
        return OTTER_OK;
    }
    return pin_parse_hex(text, len, out);
}
