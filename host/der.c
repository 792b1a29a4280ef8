/* host/der: DER reader and writer (see der.h). */
#include "der.h"

#include <stdlib.h>
#include <string.h>

#include "otter/crypto.h"

int otter_der_next(otter_der_t *in, uint8_t *tag, otter_der_t *content, otter_der_t *whole)
{
    const uint8_t *p = in->p;
    size_t left = in->len;
    if (!p || left < 2 || (p[0] & 0x1f) == 0x1f) /* multi-byte tags: not in our formats */
        return -1;
    uint8_t t = p[0];
    size_t len = p[1], hdr = 2;
    if (len & 0x80) {
        size_t n = len & 0x7f;
        if (n == 0 || n > 4 || left < 2 + n)
            return -1;
        len = 0;
        for (size_t i = 0; i < n; i++)
            len = (len << 8) | p[2 + i];
        hdr += n;
    }
    if (len > left - hdr)
        return -1;
    if (tag)
        *tag = t;
    if (content) {
        content->p = p + hdr;
        content->len = len;
    }
    if (whole) {
        whole->p = p;
        whole->len = hdr + len;
    }
    in->p = p + hdr + len;
    in->len = left - hdr - len;
    return 0;
}

int otter_der_expect(otter_der_t *in, uint8_t tag, otter_der_t *content)
{
    otter_der_t save = *in;
    uint8_t t;
    if (otter_der_next(in, &t, content, NULL) != 0 || t != tag) {
        *in = save;
        return -1;
    }
    return 0;
}

int otter_der_eq(const otter_der_t *a, const void *bytes, size_t len)
{
    return a->len == len && (len == 0 || memcmp(a->p, bytes, len) == 0);
}

otter_der_t otter_der_uint(otter_der_t v)
{
    while (v.len > 1 && v.p[0] == 0) {
        v.p++;
        v.len--;
    }
    return v;
}

int otter_der_small_int(const otter_der_t *v, long *out)
{
    if (v->len == 0 || v->len > 4 || (v->p[0] & 0x80))
        return -1;
    long x = 0;
    for (size_t i = 0; i < v->len; i++)
        x = (x << 8) | v->p[i];
    *out = x;
    return 0;
}

void otter_derw_init(otter_derw_t *w)
{
    memset(w, 0, sizeof *w);
}

void otter_derw_free(otter_derw_t *w)
{
    if (w->buf)
        otter_wipe(w->buf, w->cap);
    free(w->buf);
    memset(w, 0, sizeof *w);
}

static int reserve(otter_derw_t *w, size_t more)
{
    if (w->err)
        return -1;
    if (w->len + more <= w->cap)
        return 0;
    size_t cap = w->cap ? w->cap : 256;
    while (cap < w->len + more)
        cap *= 2;
    uint8_t *b = malloc(cap);
    if (!b) {
        w->err = 1;
        return -1;
    }
    if (w->buf) {
        memcpy(b, w->buf, w->len);
        otter_wipe(w->buf, w->cap);
        free(w->buf);
    }
    w->buf = b;
    w->cap = cap;
    return 0;
}

void otter_derw_raw(otter_derw_t *w, const void *data, size_t len)
{
    if (len && reserve(w, len) == 0) {
        memcpy(w->buf + w->len, data, len);
        w->len += len;
    }
}

size_t otter_derw_open(otter_derw_t *w, uint8_t tag)
{
    otter_derw_raw(w, &tag, 1);
    return w->len;
}

void otter_derw_close(otter_derw_t *w, size_t mark)
{
    if (w->err)
        return;
    size_t len = w->len - mark;
    uint8_t hdr[5];
    size_t n = 0;
    if (len < 0x80) {
        hdr[n++] = (uint8_t)len;
    } else {
        size_t bytes = len > 0xffffff ? 4 : len > 0xffff ? 3 : len > 0xff ? 2 : 1;
        hdr[n++] = (uint8_t)(0x80 | bytes);
        for (size_t i = bytes; i-- > 0;)
            hdr[n++] = (uint8_t)(len >> (8 * i));
    }
    if (reserve(w, n) != 0)
        return;
    memmove(w->buf + mark + n, w->buf + mark, len);
    memcpy(w->buf + mark, hdr, n);
    w->len += n;
}

void otter_derw_tlv(otter_derw_t *w, uint8_t tag, const void *data, size_t len)
{
    size_t m = otter_derw_open(w, tag);
    otter_derw_raw(w, data, len);
    otter_derw_close(w, m);
}

void otter_derw_uint(otter_derw_t *w, const uint8_t *be, size_t len)
{
    while (len > 1 && be[0] == 0) {
        be++;
        len--;
    }
    size_t m = otter_derw_open(w, OTTER_DER_INTEGER);
    if (len == 0 || (be[0] & 0x80))
        otter_derw_raw(w, "\0", 1);
    otter_derw_raw(w, be, len);
    otter_derw_close(w, m);
}

void otter_derw_small_int(otter_derw_t *w, unsigned long v)
{
    uint8_t b[sizeof v];
    for (size_t i = 0; i < sizeof v; i++)
        b[i] = (uint8_t)(v >> (8 * (sizeof v - 1 - i)));
    otter_derw_uint(w, b, sizeof v);
}
