/* Private to the TLS module's mbedTLS backend (src/mbedtls/): the mbedTLS
 * objects inside otter_tls_t.opaque and the certificate helpers of
 * tls_cert.c. Builds against mbedTLS 2.28, 3.6 and 4.0. */
#ifndef OTTER_TLS_MBEDTLS_H
#define OTTER_TLS_MBEDTLS_H

#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>
#include <psa/crypto.h>

#include "otter/tls.h"

#if !defined(MBEDTLS_SSL_CLI_C) || !defined(MBEDTLS_X509_CRT_PARSE_C)
#error "otter's TLS client needs MBEDTLS_SSL_CLI_C and MBEDTLS_X509_CRT_PARSE_C"
#endif
#if !defined(MBEDTLS_SSL_PROTO_TLS1_2) && !defined(MBEDTLS_SSL_PROTO_TLS1_3)
#error "otter's TLS client needs MBEDTLS_SSL_PROTO_TLS1_2 or MBEDTLS_SSL_PROTO_TLS1_3"
#endif
#if !defined(MBEDTLS_SSL_KEEP_PEER_CERTIFICATE)
#error "otter's TLS client needs MBEDTLS_SSL_KEEP_PEER_CERTIFICATE (the report describes resumed sessions' chains)"
#endif
#if !defined(MBEDTLS_PSA_CRYPTO_C) && !defined(MBEDTLS_PSA_CRYPTO_CLIENT)
#error "otter's TLS client needs PSA crypto: enable MBEDTLS_PSA_CRYPTO_C"
#endif

/* mbedTLS 4.0 has no RNG callback: TLS draws from PSA's RNG. Before 4.0
 * otter seeds a CTR-DRBG from the port's entropy (otter_tls_config_t). */
#if MBEDTLS_VERSION_MAJOR < 4
#include <mbedtls/ctr_drbg.h>
#define OTTER_TLS_OWN_DRBG 1
#else
#define OTTER_TLS_OWN_DRBG 0
#endif

typedef struct otter_tls_mbed {
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
#if OTTER_TLS_OWN_DRBG
    mbedtls_ctr_drbg_context drbg;
#endif
    mbedtls_x509_crt ca;
    mbedtls_ssl_session session;
    /* a verify callback installed by cfg.backend_setup, run before otter's */
    int (*vrfy)(void *, mbedtls_x509_crt *, int, uint32_t *);
    void *p_vrfy;
} otter_tls_mbed_t;

/* Describe crt in info (flags, pinned, in_path left 0), from its DER with
 * otter's own reader (src/tls_der.c) and a PSA check of its own signature
 * for self_signed. */
void otter_tls_cert_describe(const mbedtls_x509_crt *crt, otter_tls_cert_info_t *info);

/* SHA-256 of crt's SubjectPublicKeyInfo. 0 or OTTER_ERR_CRYPTO. */
int otter_tls_spki_sha256(const mbedtls_x509_crt *crt, uint8_t out[32]);

#endif
