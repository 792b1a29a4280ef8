/* Private to the TLS module: the mbedTLS objects inside otter_tls_t.opaque
 * and the certificate-to-report helpers (src/tls_cert.c). */
#ifndef OTTER_TLS_MBEDTLS_H
#define OTTER_TLS_MBEDTLS_H

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "otter/tls.h"

typedef struct otter_tls_mbed {
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt ca;
    mbedtls_ssl_session session;
} otter_tls_mbed_t;

/* Seconds since 1970-01-01 UTC for an X.509 time. */
int64_t otter_tls_x509_time(const mbedtls_x509_time *t);

/* SHA-256 of the certificate's SubjectPublicKeyInfo. 0 or OTTER_ERR_CRYPTO. */
int otter_tls_spki_sha256(const mbedtls_x509_crt *crt, uint8_t out[32]);

/* Describe crt in info (flags, pinned, in_path left 0). */
void otter_tls_cert_describe(const mbedtls_x509_crt *crt, otter_tls_cert_info_t *info);

/* The leaf's subjectAltNames ("DNS:a, IP:127.0.0.1") into out[cap]. */
void otter_tls_cert_altnames(const mbedtls_x509_crt *crt, char *out, size_t cap);

/* Short display name (CN, else O, else OU) of a DN into out[cap]. */
void otter_tls_dn_name(const mbedtls_x509_name *dn, char *out, size_t cap);

#endif
