/* Collecting a server's certificate chain with the device's own TLS code
 * (otter_tls in collecting mode, include/otter/tls_collect.h), for `otter
 * cert` and `otter doctor`. */
#ifndef OTTER_TOOLS_CERT_FETCH_H
#define OTTER_TOOLS_CERT_FETCH_H

#include <stdint.h>

#include "host_error.h" /* the OTTER_ERR_* codes its functions return */
#include "certchain.h"
#include "otter/tls_report.h"

/* Connect to host:port (name or literal address) within timeout_ms,
 * handshake with SNI = sni (host when NULL) and no trust at all, and add
 * every certificate the server sent, leaf first, to chain (labelled
 * "server"). report (optional) gets otter_tls's report of the handshake
 * (version, cipher; its verdict is "not trusted" since nothing is).
 * Returns 0, the transport's error (OTTER_ERR_DNS, _CONNECT, _TIMEOUT, ...),
 * OTTER_ERR_TLS_HANDSHAKE / _TLS_VERSION (the raw code is in the report),
 * or OTTER_ERR_CERT_NONE (no certificate). */
int cert_fetch_chain(const char *host, uint16_t port, const char *sni, uint32_t timeout_ms,
                     otter_certset_t *chain, otter_tls_report_t *report);

#endif
