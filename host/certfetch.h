/* host/certfetch: collect the certificate chain a TLS server sends, for
 * `otter cert` and `otter doctor`.
 *
 * A TLS 1.2 handshake with mbedTLS (the library a device runs), SNI set to
 * the host, ALPN http/1.1, and certificate verification reduced to
 * "optional": the chain is collected whatever it is, never trusted. Whether
 * a device would trust it is the TLS module's answer (otter_tls); this only
 * fetches what there is to explain. Host-side: sockets, allocation. */
#ifndef OTTER_HOST_CERTFETCH_H
#define OTTER_HOST_CERTFETCH_H

#include <stddef.h>
#include <stdint.h>

#include "certchain.h"

/* What the collecting handshake saw. */
typedef struct otter_certfetch {
    int result;          /* 0, or the otter_err_t of the failure */
    int mbedtls_err;     /* raw mbedTLS error of a failed handshake, else 0 */
    char version[16];    /* "TLSv1.2" */
    char cipher[64];     /* mbedTLS cipher suite name */
    char why[160];       /* the failure in words, "" on success */
} otter_certfetch_t;

/* Connect to host:port (name or literal address, IPv4 or IPv6) within
 * timeout_ms, handshake with SNI = sni (host when NULL), and add every
 * certificate the server sent, leaf first, to chain (labelled "server").
 * Returns 0, OTTER_ERR_DNS, OTTER_ERR_CONNECT, OTTER_ERR_TIMEOUT,
 * OTTER_ERR_TLS_HANDSHAKE (raw code in out->mbedtls_err) or
 * OTTER_ERR_CERT_NONE (the server sent no certificate). out is always
 * filled. */
int otter_certfetch_chain(const char *host, uint16_t port, const char *sni, uint32_t timeout_ms,
                          otter_certset_t *chain, otter_certfetch_t *out);

#endif
