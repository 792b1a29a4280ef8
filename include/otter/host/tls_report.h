/* otter host tooling: a TLS handshake report (otter/tls_report.h) as text
 * and as JSON, for `otter cert`, `otter doctor` and the tests. Implemented in
 * src/tls_format.c (no allocation, no TLS library headers). */
#ifndef OTTER_HOST_TLS_REPORT_H
#define OTTER_HOST_TLS_REPORT_H

#include <stddef.h>

#include "otter/tls_report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The report as human-readable text: handshake line, then one block per
 * certificate (subject, issuer, validity, key, SPKI SHA-256, CA/leaf,
 * self-signed, flags). Same buffer contract as otter_tls_explain. */
size_t otter_tls_report_text(const otter_tls_report_t *r, char *buf, size_t len);

/* The report as one JSON object (explanation included as "explain").
 * Same buffer contract as otter_tls_explain. */
size_t otter_tls_report_json(const otter_tls_report_t *r, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
