/* otter: the crypto shim. The core hashes and checks signatures only through
 * these functions; one backend file implements them (src/mbedtls/crypto.c, PSA
 * on mbedTLS 2.28, 3.6 and 4.0). A port may replace that file with one using the chip's SHA
 * accelerator; the rest of the core needs no crypto headers at all. */
#ifndef OTTER_CRYPTO_H
#define OTTER_CRYPTO_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stddef.h>
#include <stdint.h>

#include "otter/config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque hash state with room for the backend's context. Caller-owned, may be
 * static or on the stack; no allocation. */
typedef struct otter_sha256 {
    OTTER_ALIGNAS(16) unsigned char opaque[OTTER_HASH_CTX_SIZE];
} otter_sha256_t;

typedef struct otter_md5 {
    OTTER_ALIGNAS(16) unsigned char opaque[OTTER_HASH_CTX_SIZE];
} otter_md5_t;

/* SHA-256: init cannot fail; start/update/finish return 0 or OTTER_ERR_CRYPTO.
 * finish writes 32 bytes to out. free wipes the state and is safe to call on
 * any initialised context, any number of times. */
void otter_sha256_init(otter_sha256_t *ctx);
int otter_sha256_start(otter_sha256_t *ctx);
int otter_sha256_update(otter_sha256_t *ctx, const void *data, size_t len);
int otter_sha256_finish(otter_sha256_t *ctx, uint8_t out[32]);
void otter_sha256_free(otter_sha256_t *ctx);
/* Copy a running SHA-256 state (dst must be initialised; src is unchanged),
 * so that a digest of a prefix can be taken while hashing continues.
 * 0 or OTTER_ERR_CRYPTO. */
int otter_sha256_clone(otter_sha256_t *dst, const otter_sha256_t *src);
/* One call: out = SHA-256(data). */
int otter_sha256(const void *data, size_t len, uint8_t out[32]);

/* MD5 (only for the ESP-IDF partition table checksum; not for security). */
void otter_md5_init(otter_md5_t *ctx);
int otter_md5_start(otter_md5_t *ctx);
int otter_md5_update(otter_md5_t *ctx, const void *data, size_t len);
int otter_md5_finish(otter_md5_t *ctx, uint8_t out[16]);
void otter_md5_free(otter_md5_t *ctx);
int otter_md5(const void *data, size_t len, uint8_t out[16]);

/* Signature checks (Secure Boot V2). Big numbers are little-endian, exactly
 * as a signature block stores them (and as ESP chips' RSA/ECC peripherals
 * take them); a backend converts if its library wants big-endian. */

/* Curve ids, the values a Secure Boot V2 ECDSA block stores. */
#define OTTER_EC_P192 1
#define OTTER_EC_P256 2
#define OTTER_EC_P384 3

/* The key checks otter_rsa_pss_verify() makes before it verifies: n's top
 * byte used, n odd, e odd and > 1, and (rinv_le not NULL) rinv_le equal to
 * 2^(2 * 8 * n_len) mod n. For callers that cannot hold n, rinv and the
 * signature at once (the piecewise signature check): this, then
 * otter_rsa_pss_verify() with rinv_le NULL, gives the same verdict. Returns
 * 0, OTTER_ERR_SIG_KEY, OTTER_ERR_INVAL (n_len 0 or > 512) or
 * OTTER_ERR_CRYPTO. */
int otter_rsa_key_check(const uint8_t *n_le, size_t n_len, uint32_t e, const uint8_t *rinv_le);

/* RSASSA-PSS verification with SHA-256, MGF1-SHA-256 and a salt of exactly
 * 32 bytes, over a 32-byte digest. n_le / sig_le: n_len bytes (384 for
 * RSA-3072). If rinv_le is not NULL it must equal 2^(2 * 8 * n_len) mod n (the
 * Montgomery constant ESP ROMs use). Any other salt length is refused with
 * OTTER_ERR_SIG_VERIFY, as the ESP ROM refuses it. Returns 0, OTTER_ERR_SIG_VERIFY (bad
 * signature), OTTER_ERR_SIG_KEY (n, e or rinv unusable) or OTTER_ERR_CRYPTO.
 * Uses no caller buffers; key material is wiped before return. */
int otter_rsa_pss_verify(const uint8_t *n_le, size_t n_len, uint32_t e, const uint8_t *rinv_le,
                         const uint8_t digest[32], const uint8_t *sig_le);

/* ECDSA verification on curve (OTTER_EC_P192/P256/P384). point_le: X then Y,
 * each little-endian, each coordinate 24/32/48 bytes; sig_le: r then s, same
 * sizes. hash: hash_len bytes (32, or 48 for SHA-384). Returns 0,
 * OTTER_ERR_SIG_VERIFY, OTTER_ERR_SIG_KEY (point not on the curve) or
 * OTTER_ERR_UNSUPPORTED (curve not built in) / OTTER_ERR_CRYPTO. */
int otter_ecdsa_verify(int curve, const uint8_t *point_le, const uint8_t *hash, size_t hash_len, const uint8_t *sig_le);

/* 1 when curve (OTTER_EC_P192/P256/P384) is built into the crypto backend,
 * else 0. Secure Boot V2 allows P-192, but not every build has it (mbedTLS
 * 4.0's default PSA configuration leaves PSA_WANT_ECC_SECP_R1_192 off):
 * otter_ecdsa_verify then returns OTTER_ERR_UNSUPPORTED for it. */
int otter_ecdsa_curve_supported(int curve);

/* Constant-time comparison: 1 if the len bytes are equal, 0 if not. Time
 * depends only on len. */
int otter_ct_equal(const void *a, const void *b, size_t len);

/* Overwrite len bytes with zeros in a way the compiler may not remove. */
void otter_wipe(void *p, size_t len);

#ifdef __cplusplus
}
#endif

#endif
