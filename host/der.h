/* host/der: a small DER reader and writer for the host tools (X.509
 * certificates, keys, signatures), independent of the crypto library.
 *
 * Reading works on spans of caller-owned bytes and never allocates; only
 * single-byte tags and definite lengths (what DER allows) are accepted.
 * Writing appends to a growable buffer (host code may allocate); a nested
 * element is opened, filled and closed, and its length is inserted on close. */
#ifndef OTTER_HOST_DER_H
#define OTTER_HOST_DER_H

#include <stddef.h>
#include <stdint.h>

/* Tags used by X.509 and key formats. */
#define OTTER_DER_BOOLEAN 0x01
#define OTTER_DER_INTEGER 0x02
#define OTTER_DER_BIT_STRING 0x03
#define OTTER_DER_OCTET_STRING 0x04
#define OTTER_DER_NULL 0x05
#define OTTER_DER_OID 0x06
#define OTTER_DER_UTF8 0x0c
#define OTTER_DER_PRINTABLE 0x13
#define OTTER_DER_IA5 0x16
#define OTTER_DER_UTC_TIME 0x17
#define OTTER_DER_GEN_TIME 0x18
#define OTTER_DER_SEQUENCE 0x30
#define OTTER_DER_SET 0x31
#define OTTER_DER_CTX(n) (0xa0 | (n))      /* [n] constructed */
#define OTTER_DER_CTX_PRIM(n) (0x80 | (n)) /* [n] primitive */

/* A span of bytes (not owned). */
typedef struct otter_der {
    const uint8_t *p;
    size_t len;
} otter_der_t;

/* Read the next element of *in and advance *in past it. tag (may be NULL)
 * gets its tag, content (may be NULL) its content, whole (may be NULL) the
 * element with tag and length. 0, or -1 when *in is empty or malformed. */
int otter_der_next(otter_der_t *in, uint8_t *tag, otter_der_t *content, otter_der_t *whole);

/* As otter_der_next, but the element must have tag. 0 or -1. */
int otter_der_expect(otter_der_t *in, uint8_t tag, otter_der_t *content);

/* 1 when the span holds exactly these bytes. */
int otter_der_eq(const otter_der_t *a, const void *bytes, size_t len);

/* An INTEGER's content as an unsigned big-endian number: leading zero bytes
 * dropped (at least one byte kept). */
otter_der_t otter_der_uint(otter_der_t integer);

/* A small non-negative INTEGER's content into *out. 0 or -1 (negative or
 * too large). */
int otter_der_small_int(const otter_der_t *integer, long *out);

/* Growable output. err is set on allocation failure; later calls then do
 * nothing, and the caller checks err once at the end. */
typedef struct otter_derw {
    uint8_t *buf;
    size_t len, cap;
    int err;
} otter_derw_t;

void otter_derw_init(otter_derw_t *w);
/* Release (wipes the bytes: they may be private keys). */
void otter_derw_free(otter_derw_t *w);
void otter_derw_raw(otter_derw_t *w, const void *data, size_t len);
/* Element with tag and content. */
void otter_derw_tlv(otter_derw_t *w, uint8_t tag, const void *data, size_t len);
/* Open a constructed element (or an OCTET/BIT STRING that wraps DER);
 * returns a mark for otter_derw_close, which inserts the length. */
size_t otter_derw_open(otter_derw_t *w, uint8_t tag);
void otter_derw_close(otter_derw_t *w, size_t mark);
/* INTEGER from an unsigned big-endian number (leading zeros dropped, a
 * zero byte added when the top bit is set). */
void otter_derw_uint(otter_derw_t *w, const uint8_t *be, size_t len);
/* INTEGER from a small non-negative number. */
void otter_derw_small_int(otter_derw_t *w, unsigned long v);

#endif
