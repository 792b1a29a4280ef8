/* TF-PSA-Crypto 1.0 (mbedTLS 4.0) configuration for the QEMU target tests
 * (TF_PSA_CRYPTO_CONFIG_FILE, replacing psa/crypto_config.h): the
 * algorithms of mcu-3.6.h asked for the 4.0 way (PSA_WANT_*), less ECDSA
 * P-192, which TF-PSA-Crypto 1.0 removed (the shim then reports the curve as
 * unsupported). No time, no file system, no storage; randomness from the
 * port (MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG, tests/target/target_rng.c). */
#ifndef OTTER_TARGET_TF_PSA_CRYPTO_CONFIG_H
#define OTTER_TARGET_TF_PSA_CRYPTO_CONFIG_H

#define PSA_WANT_ALG_MD5 1
#define PSA_WANT_ALG_SHA_256 1
#define PSA_WANT_ALG_SHA_384 1
#define PSA_WANT_ALG_SHA_512 1
#define PSA_WANT_ALG_ECDSA 1
#define PSA_WANT_ALG_RSA_PSS 1
#define PSA_WANT_ECC_SECP_R1_256 1
#define PSA_WANT_ECC_SECP_R1_384 1
#define PSA_WANT_KEY_TYPE_ECC_PUBLIC_KEY 1
#define PSA_WANT_KEY_TYPE_RSA_PUBLIC_KEY 1

#define MBEDTLS_PSA_CRYPTO_C
#define MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG
#define MBEDTLS_PSA_KEY_SLOT_COUNT 4
#define MBEDTLS_HAVE_ASM

#endif
