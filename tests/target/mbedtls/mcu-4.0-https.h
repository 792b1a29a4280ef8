/* mbedTLS 4.0 configuration for the footprint firmware on QEMU
 * (bench/target/, MBEDTLS_CONFIG_FILE; its crypto is mcu-4.0-https-crypto.h):
 * mcu-3.6-tls.h's TLS 1.2 client the 4.0 way. TLS draws its randomness
 * from PSA (4.0 has no RNG callback). Left out against 3.6: ECDHE-RSA
 * and RSASSA-PSS certificates, which 4.0 allows only with the RSA private
 * key operations (PSA_WANT_KEY_TYPE_RSA_KEY_PAIR_BASIC, PKCS#1 v1.5
 * encryption, OAEP) built in; the bench's server certificate is ECDSA. */
#ifndef OTTER_TARGET_MBEDTLS4_HTTPS_CONFIG_H
#define OTTER_TARGET_MBEDTLS4_HTTPS_CONFIG_H

#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C

#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_ALPN
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
#define MBEDTLS_SSL_SESSION_TICKETS
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE
#define MBEDTLS_SSL_ENCRYPT_THEN_MAC
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET

/* RAM (issue 16), as in mcu-3.6-tls.h: a 16 KB incoming record buffer
 * (any server), a 1 KB outgoing one (what a client sends). */
#define MBEDTLS_SSL_IN_CONTENT_LEN 16384
#define MBEDTLS_SSL_OUT_CONTENT_LEN 1024

#endif
