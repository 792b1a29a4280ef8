/* otter: the collecting mode of otter_tls, for diagnostics.
 *
 * `otter cert` and `otter doctor` must see a server's certificates through
 * the device's own TLS code, with the device's own verdict on each one. A
 * collect callback given in otter_tls_config_t is called once per
 * certificate after every full handshake in which the server's certificates
 * were checked: first each certificate the server sent (leaf first, all of
 * them, not capped at OTTER_TLS_REPORT_MAX_CERTS), then the trust anchor
 * from the CA bundle that ended the verified path, if any.
 *
 * With OTTER_TLS_COLLECT in otter_tls_config_t.flags, verification findings
 * do not stop the handshake (the chain is collected whatever it is, never
 * trusted): otter_tls_connect completes the handshake, closes the connection
 * at once, and returns the verdict a device with the same trust would have
 * got (0 when it would have been trusted, else OTTER_ERR_TLS_TRUST, _PIN,
 * _EXPIRED, _HOSTNAME, ...; the report says the same). A collecting context
 * never carries application data, never resumes a session, and may be set
 * up with no CA and no pin (every chain is then "not trusted").
 *
 * Backend-neutral: nothing here names a TLS library type. */
#ifndef OTTER_TLS_COLLECT_H
#define OTTER_TLS_COLLECT_H

#include <stddef.h>
#include <stdint.h>

#include "otter/tls_report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Option flag (otter_tls_config_t.flags): collecting mode, see above. */
#define OTTER_TLS_COLLECT 0x2u

/* Where a collected certificate came from. */
typedef enum otter_tls_origin {
    OTTER_TLS_ORIGIN_SERVER = 0, /* sent by the server in its Certificate message */
    OTTER_TLS_ORIGIN_ANCHOR = 1, /* the device's CA bundle: the anchor of the verified path */
} otter_tls_origin_t;

/* Depth value of a certificate that is not on the verified path. */
#define OTTER_TLS_NOT_IN_PATH 0xffu

/* One certificate and what the device's verification found about it. */
typedef struct otter_tls_collected {
    /* Names, dates, key type and size, SPKI SHA-256, CA / pathlen,
     * self-signed (as otter_tls_cert_info_der gives them), plus this
     * certificate's own findings: flags (OTTER_TLS_VF_*: dates against the
     * device's clock, trust, host name for the leaf, ...), pinned (its SPKI
     * SHA-256 equals a configured pin) and in_path. */
    otter_tls_cert_info_t info;
    /* The certificate's DER bytes. Valid during the callback only: copy
     * them to keep them. */
    const uint8_t *der;
    size_t der_len;
    uint8_t origin;        /* otter_tls_origin_t */
    uint8_t index;         /* position in what the server sent (0 = leaf); 0 for the anchor */
    uint8_t depth;         /* depth on the verified path (0 = leaf), or OTTER_TLS_NOT_IN_PATH */
    uint8_t chain_total;   /* certificates the server sent (same in every call) */
} otter_tls_collected_t;

/* Collect callback: called in the order described above, from inside
 * otter_tls_connect. It must not call otter_tls functions on the same
 * context. ctx is otter_tls_config_t.collect_ctx. */
typedef void (*otter_tls_collect_fn)(void *ctx, const otter_tls_collected_t *cert);

/* The subjectAltNames of a DER certificate as a report shows them
 * ("IP:192.168.1.10, DNS:updates.example.com", ", "-separated, in the
 * certificate's order; other name types are skipped) into out[cap],
 * truncated with "..." when it does not fit. Returns 0, or
 * OTTER_ERR_TLS_CONFIG when der is not a certificate (out is then ""). */
int otter_tls_cert_names_der(const uint8_t *der, size_t len, char *out, size_t cap);

/* The device's server-identity check (RFC 9525 / 6125), the one function
 * every otter_tls handshake uses: host is what the URL names (a DNS name,
 * an IPv4 literal "192.168.1.10", or an IPv6 literal with or without
 * brackets "[::1]"). An IP literal matches only iPAddress subjectAltNames,
 * byte for byte; a DNS name only dNSName ones, case-insensitively, a
 * wildcard only as the whole left-most label and with at least two labels
 * after it ("*.example.com", never "*.com", "f*.example.com" or across a
 * dot); the subject CN is consulted (as a DNS name) only when the
 * certificate has no subjectAltName extension at all.
 * Returns 1 (matches), 0 (does not), or OTTER_ERR_TLS_CONFIG (not a
 * certificate) / OTTER_ERR_INVAL. */
int otter_tls_cert_check_host(const uint8_t *der, size_t len, const char *host);

#ifdef __cplusplus
}
#endif

#endif
