/* mbedTLS 3.6 configuration for the QEMU target tests (MBEDTLS_CONFIG_FILE,
 * replacing mbedtls/mbedtls_config.h): what otter's crypto shim
 * (src/mbedtls/crypto.c) asks of PSA on a microcontroller, nothing more.
 *   - PSA crypto, hashes SHA-256/384/512 and MD5 (the ESP image digest and
 *     the partition table's MD5), ECDSA verify on P-192/P-256/P-384, RSA-PSS
 *     verify (Secure Boot V2 RSA-3072);
 *   - no sockets, no file system, no time, no key storage;
 *   - randomness from the port: MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG, the port
 *     supplies mbedtls_psa_external_get_random() (tests/target/target_rng.c).
 * No TLS or X.509: the target tests link the crypto shim only. */
#ifndef OTTER_TARGET_MBEDTLS_CONFIG_H
#define OTTER_TARGET_MBEDTLS_CONFIG_H

#define MBEDTLS_PSA_CRYPTO_C
#define MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG
#define MBEDTLS_PSA_KEY_SLOT_COUNT 4

#define MBEDTLS_MD_C
#define MBEDTLS_MD5_C
#define MBEDTLS_SHA224_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C

#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECP_DP_SECP192R1_ENABLED
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V21

#define MBEDTLS_HAVE_ASM

#endif
