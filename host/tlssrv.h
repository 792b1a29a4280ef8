/* host/tlssrv: the TLS server side of `otter serve` (development server)
 * as a small API that names no TLS library (host only; allocates).
 *
 * A server holds the certificate chain and key; each accepted, non-blocking
 * socket gets a connection that handshakes, reads and writes until it would
 * block. TLS 1.3 is offered where the library has it (mbedTLS 3.6, 4.0),
 * TLS 1.2 always; sessions are cached for resumption.
 * Implemented in host/mbedtls/tlssrv.c. */
#ifndef OTTER_HOST_TLSSRV_H
#define OTTER_HOST_TLSSRV_H

#include <stddef.h>

typedef struct otter_tlssrv otter_tlssrv_t;
typedef struct otter_tlssrv_conn otter_tlssrv_conn_t;

/* Results of handshake / read / write besides byte counts. */
#define OTTER_TLSSRV_WANT_READ (-1)  /* wait until the socket is readable */
#define OTTER_TLSSRV_WANT_WRITE (-2) /* wait until the socket is writable */
#define OTTER_TLSSRV_EOF (-3)        /* the peer closed (close_notify or TCP FIN) */
#define OTTER_TLSSRV_ERROR (-4)      /* fatal: otter_tlssrv_conn_error() says why */

/* A server for the certificates in cert_pem (leaf first, then any
 * intermediates) and the leaf's private key in key_pem (PEM text, NUL not
 * needed). Returns 0 and *out, or -1 with the reason in why[cap]. */
int otter_tlssrv_new(otter_tlssrv_t **out, const char *cert_pem, size_t cert_len, const char *key_pem,
                     size_t key_len, char *why, size_t cap);
/* Release (after every connection of it). NULL is fine. */
void otter_tlssrv_free(otter_tlssrv_t *s);

/* A connection on the accepted socket fd (not closed by this module), or
 * NULL when out of memory. */
otter_tlssrv_conn_t *otter_tlssrv_conn_new(otter_tlssrv_t *s, int fd);
/* Release. NULL is fine. */
void otter_tlssrv_conn_free(otter_tlssrv_conn_t *c);

/* Run the handshake: 0 when done, else OTTER_TLSSRV_*. */
int otter_tlssrv_handshake(otter_tlssrv_conn_t *c);
/* Read up to len bytes: the count (> 0) or OTTER_TLSSRV_*. */
int otter_tlssrv_read(otter_tlssrv_conn_t *c, void *buf, size_t len);
/* Write up to len bytes: the count (> 0) or OTTER_TLSSRV_*. */
int otter_tlssrv_write(otter_tlssrv_conn_t *c, const void *buf, size_t len);

/* The last failure in words, e.g. "-0x7780: SSL - A fatal alert message was
 * received from our peer", into out[cap]. */
void otter_tlssrv_conn_error(const otter_tlssrv_conn_t *c, char *out, size_t cap);

/* The version negotiated ("TLSv1.3"), "" before the handshake. Static or
 * connection storage. */
const char *otter_tlssrv_conn_version(const otter_tlssrv_conn_t *c);

#endif
