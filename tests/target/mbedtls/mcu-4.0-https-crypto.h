/* TF-PSA-Crypto 1.0 (mbedTLS 4.0) configuration for the footprint firmware
 * (TF_PSA_CRYPTO_CONFIG_FILE beside mcu-4.0-https.h): mcu-4.0-crypto.h's
 * algorithms for otter's crypto shim, and what a TLS 1.2 ECDHE client with
 * AES-GCM and X.509 verification needs; mbedtls_calloc/free through
 * MBEDTLS_PLATFORM_MEMORY so that the firmware counts them. Randomness from
 * the port (MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG). */
#ifndef OTTER_TARGET_TF_PSA_CRYPTO_HTTPS_CONFIG_H
#define OTTER_TARGET_TF_PSA_CRYPTO_HTTPS_CONFIG_H

#define PSA_WANT_ALG_MD5 1
#define PSA_WANT_ALG_SHA_256 1
#define PSA_WANT_ALG_SHA_384 1
#define PSA_WANT_ALG_SHA_512 1
#define PSA_WANT_ALG_ECDSA 1
#define PSA_WANT_ALG_ECDH 1
#define PSA_WANT_ALG_GCM 1
#define PSA_WANT_ALG_HMAC 1
#define PSA_WANT_ALG_TLS12_PRF 1
#define PSA_WANT_ALG_RSA_PSS 1
#define PSA_WANT_ALG_RSA_PKCS1V15_SIGN 1
#define PSA_WANT_ECC_SECP_R1_256 1
#define PSA_WANT_ECC_SECP_R1_384 1
#define PSA_WANT_KEY_TYPE_AES 1
#define PSA_WANT_KEY_TYPE_DERIVE 1
#define PSA_WANT_KEY_TYPE_HMAC 1
#define PSA_WANT_KEY_TYPE_RAW_DATA 1
#define PSA_WANT_KEY_TYPE_ECC_PUBLIC_KEY 1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_BASIC 1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_IMPORT 1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_EXPORT 1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_GENERATE 1
#define PSA_WANT_KEY_TYPE_RSA_PUBLIC_KEY 1

#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PSA_CRYPTO_C
#define MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG
#define MBEDTLS_PSA_KEY_SLOT_COUNT 8
#define MBEDTLS_MD_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_HAVE_ASM

/* RAM (issue 16), as in mcu-3.6-tls.h: ECP window 2 without fixed-point
 * tables, AES tables in flash. */
#define MBEDTLS_ECP_WINDOW_SIZE 2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#define MBEDTLS_AES_ROM_TABLES

#endif
