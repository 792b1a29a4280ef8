/* The crypto shim's mbedTLS backend, through PSA on every supported version
 * (2.28 with MBEDTLS_PSA_CRYPTO_C, 3.6, 4.0): hashes and the signature
 * checks of Secure Boot V2 blocks (RSA-3072-PSS, ECDSA). One code path, no
 * legacy calls, no version branches: PSA is the API mbedTLS 4.0 keeps. */
#include <psa/crypto.h>
#include <string.h>

#include "otter/crypto.h"
#include "otter/error.h"

#if !defined(MBEDTLS_PSA_CRYPTO_C) && !defined(MBEDTLS_PSA_CRYPTO_CLIENT)
#error "otter's crypto shim needs PSA crypto: enable MBEDTLS_PSA_CRYPTO_C in the mbedTLS configuration"
#endif

_Static_assert(sizeof(psa_hash_operation_t) <= OTTER_HASH_CTX_SIZE,
               "OTTER_HASH_CTX_SIZE too small for psa_hash_operation_t");
_Static_assert(_Alignof(psa_hash_operation_t) <= 16, "hash state alignment");

#define OP(c) ((psa_hash_operation_t *)(void *)(c)->opaque)

static void op_init(unsigned char *opaque)
{
    psa_hash_operation_t init = PSA_HASH_OPERATION_INIT;
    memset(opaque, 0, OTTER_HASH_CTX_SIZE);
    memcpy(opaque, &init, sizeof init);
}

static int op_start(psa_hash_operation_t *op, psa_algorithm_t alg)
{
    if (psa_crypto_init() != PSA_SUCCESS) {
        return OTTER_ERR_CRYPTO;
    }
    (void)psa_hash_abort(op);
    return psa_hash_setup(op, alg) == PSA_SUCCESS ? OTTER_OK : OTTER_ERR_CRYPTO;
}

static int op_update(psa_hash_operation_t *op, const void *data, size_t len)
{
    return psa_hash_update(op, data, len) == PSA_SUCCESS ? OTTER_OK : OTTER_ERR_CRYPTO;
}

static int op_finish(psa_hash_operation_t *op, uint8_t *out, size_t want)
{
    size_t n = 0;
    psa_status_t s = psa_hash_finish(op, out, want, &n);
    return s == PSA_SUCCESS && n == want ? OTTER_OK : OTTER_ERR_CRYPTO;
}

static int one_shot(psa_algorithm_t alg, const void *data, size_t len, uint8_t *out, size_t want)
{
    size_t n = 0;
    if (psa_crypto_init() != PSA_SUCCESS) {
        return OTTER_ERR_CRYPTO;
    }
    return psa_hash_compute(alg, data, len, out, want, &n) == PSA_SUCCESS && n == want ? OTTER_OK
                                                                                      : OTTER_ERR_CRYPTO;
}

void otter_sha256_init(otter_sha256_t *ctx)
{
    op_init(ctx->opaque);
}

int otter_sha256_start(otter_sha256_t *ctx)
{
    return op_start(OP(ctx), PSA_ALG_SHA_256);
}

int otter_sha256_update(otter_sha256_t *ctx, const void *data, size_t len)
{
    return op_update(OP(ctx), data, len);
}

int otter_sha256_finish(otter_sha256_t *ctx, uint8_t out[32])
{
    return op_finish(OP(ctx), out, 32);
}

void otter_sha256_free(otter_sha256_t *ctx)
{
    (void)psa_hash_abort(OP(ctx));
    otter_wipe(ctx, sizeof *ctx);
}

int otter_sha256_clone(otter_sha256_t *dst, const otter_sha256_t *src)
{
    (void)psa_hash_abort(OP(dst));
    return psa_hash_clone((const psa_hash_operation_t *)(const void *)src->opaque, OP(dst)) == PSA_SUCCESS
               ? OTTER_OK
               : OTTER_ERR_CRYPTO;
}

int otter_sha256(const void *data, size_t len, uint8_t out[32])
{
    return one_shot(PSA_ALG_SHA_256, data, len, out, 32);
}

void otter_md5_init(otter_md5_t *ctx)
{
    op_init(ctx->opaque);
}

int otter_md5_start(otter_md5_t *ctx)
{
    return op_start(OP(ctx), PSA_ALG_MD5);
}

int otter_md5_update(otter_md5_t *ctx, const void *data, size_t len)
{
    return op_update(OP(ctx), data, len);
}

int otter_md5_finish(otter_md5_t *ctx, uint8_t out[16])
{
    return op_finish(OP(ctx), out, 16);
}

void otter_md5_free(otter_md5_t *ctx)
{
    (void)psa_hash_abort(OP(ctx));
    otter_wipe(ctx, sizeof *ctx);
}

int otter_md5(const void *data, size_t len, uint8_t out[16])
{
    return one_shot(PSA_ALG_MD5, data, len, out, 16);
}

/* ---- signature checks ---------------------------------------------------- */

static void reverse_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dst[i] = src[n - 1 - i];
    }
}

/* rinv must be R^2 mod n with R = 2^(8 * n_len): computed by doubling
 * 1 modulo n, 16 * n_len times, on 32-bit limbs (little-endian). Bounded
 * (n_len <= 512) and independent of any bignum API. */
#define LIMBS_MAX (512 / 4 + 1)

static int limbs_ge(const uint32_t *a, const uint32_t *b, size_t n)
{
    for (size_t i = n; i-- > 0;) {
        if (a[i] != b[i]) {
            return a[i] > b[i];
        }
    }
    return 1;
}

static int check_rinv(const uint8_t *n_le, size_t n_len, const uint8_t *rinv_le)
{
    uint32_t n[LIMBS_MAX] = {0}, r[LIMBS_MAX] = {0}, given[LIMBS_MAX] = {0};
    size_t limbs = n_len / 4 + 1;
    for (size_t i = 0; i < n_len; i++) {
        n[i / 4] |= (uint32_t)n_le[i] << (8 * (i % 4));
        given[i / 4] |= (uint32_t)rinv_le[i] << (8 * (i % 4));
    }
    r[0] = 1;
    for (size_t k = 0; k < 16 * n_len; k++) {
        uint32_t carry = 0;
        for (size_t i = 0; i < limbs; i++) {
            uint32_t next = r[i] >> 31;
            r[i] = r[i] << 1 | carry;
            carry = next;
        }
        if (limbs_ge(r, n, limbs)) {
            uint64_t borrow = 0;
            for (size_t i = 0; i < limbs; i++) {
                uint64_t d = (uint64_t)r[i] - n[i] - borrow;
                r[i] = (uint32_t)d;
                borrow = (d >> 32) & 1;
            }
        }
    }
    int equal = memcmp(r, given, sizeof r) == 0;
    otter_wipe(r, sizeof r);
    return equal ? OTTER_OK : OTTER_ERR_SIG_KEY;
}

/* DER length octets for len into p; returns their count. */
static size_t der_len(uint8_t *p, size_t len)
{
    if (len < 0x80) {
        p[0] = (uint8_t)len;
        return 1;
    }
    if (len < 0x100) {
        p[0] = 0x81;
        p[1] = (uint8_t)len;
        return 2;
    }
    p[0] = 0x82;
    p[1] = (uint8_t)(len >> 8);
    p[2] = (uint8_t)len;
    return 3;
}

/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER },
 * PSA's import format for RSA public keys. Returns its length. */
static size_t rsa_pub_der(uint8_t *out, const uint8_t *n_le, size_t n_len, uint32_t e)
{
    uint8_t body[512 + 16];
    size_t b = 0;
    body[b++] = 0x02;
    b += der_len(body + b, n_len + 1);
    body[b++] = 0x00; /* the top bit of n is set (checked by the caller) */
    reverse_copy(body + b, n_le, n_len);
    b += n_len;
    uint8_t ebuf[5] = {0, (uint8_t)(e >> 24), (uint8_t)(e >> 16), (uint8_t)(e >> 8), (uint8_t)e};
    size_t skip = 0;
    while (skip < 4 && ebuf[skip] == 0 && !(ebuf[skip + 1] & 0x80)) {
        skip++;
    }
    body[b++] = 0x02;
    body[b++] = (uint8_t)(5 - skip);
    memcpy(body + b, ebuf + skip, 5 - skip);
    b += 5 - skip;
    size_t o = 0;
    out[o++] = 0x30;
    o += der_len(out + o, b);
    memcpy(out + o, body, b);
    return o + b;
}

/* What a verify call's status means for the block. The signature is data
 * from the network: a value PSA calls malformed (an RSA signature not below
 * n, an encoded message whose top bits are set, ECDSA r or s out of range:
 * PSA_ERROR_INVALID_ARGUMENT or _PADDING on some versions) is a signature
 * that does not verify, as the ESP ROM would say. Only a failure of the
 * library itself (memory, state) is OTTER_ERR_CRYPTO. */
static int verify_status(psa_status_t s)
{
    switch (s) {
    case PSA_SUCCESS: return OTTER_OK;
    case PSA_ERROR_INVALID_SIGNATURE:
    case PSA_ERROR_INVALID_ARGUMENT:
    case PSA_ERROR_INVALID_PADDING: return OTTER_ERR_SIG_VERIFY;
    default: return OTTER_ERR_CRYPTO;
    }
}

static int import_public(psa_key_type_t type, size_t bits, psa_algorithm_t alg, const uint8_t *data,
                         size_t len, mbedtls_svc_key_id_t *key)
{
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, type);
    psa_set_key_bits(&attr, bits);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_VERIFY_HASH);
    psa_set_key_algorithm(&attr, alg);
    psa_status_t s = psa_import_key(&attr, data, len, key);
    psa_reset_key_attributes(&attr);
    return s == PSA_SUCCESS ? OTTER_OK : s == PSA_ERROR_NOT_SUPPORTED ? OTTER_ERR_UNSUPPORTED : OTTER_ERR_SIG_KEY;
}

int otter_rsa_key_check(const uint8_t *n_le, size_t n_len, uint32_t e, const uint8_t *rinv_le)
{
    if (!n_le || n_len == 0 || n_len > 512) {
        return OTTER_ERR_INVAL;
    }
    if (psa_crypto_init() != PSA_SUCCESS) {
        return OTTER_ERR_CRYPTO;
    }
    /* the top byte must be used, n odd, e odd and > 1 */
    if (!(n_le[n_len - 1] & 0x80) || !(n_le[0] & 1) || e < 3 || !(e & 1)) {
        return OTTER_ERR_SIG_KEY;
    }
    if (rinv_le && check_rinv(n_le, n_len, rinv_le) != OTTER_OK) {
        return OTTER_ERR_SIG_KEY;
    }
    return OTTER_OK;
}

int otter_rsa_pss_verify(const uint8_t *n_le, size_t n_len, uint32_t e, const uint8_t *rinv_le,
                         const uint8_t digest[32], const uint8_t *sig_le)
{
    uint8_t sig_be[512], pub[512 + 32];
    if (!n_le || !digest || !sig_le || n_len == 0 || n_len > sizeof sig_be) {
        return OTTER_ERR_INVAL;
    }
    int ret = otter_rsa_key_check(n_le, n_len, e, rinv_le);
    if (ret != OTTER_OK) {
        return ret;
    }
    mbedtls_svc_key_id_t key = MBEDTLS_SVC_KEY_ID_INIT;
    /* PSA_ALG_RSA_PSS verifies only the salt length it signs with, the hash
     * length (32 for SHA-256 with keys of 528 bits and more): exactly the
     * ESP ROM's rule. mbedTLS 2.28.0 and 3.2.0 fixed its verification to
     * follow that (before, any salt was accepted; PSA_ALG_RSA_PSS_ANY_SALT is
     * that behaviour now). tests/test_sigblock.c and test_sign_openssl.sh
     * check salts of 0, 20, 31, 33, 64 and the maximum on every version. */
    psa_algorithm_t alg = PSA_ALG_RSA_PSS(PSA_ALG_SHA_256);
    size_t pub_len = rsa_pub_der(pub, n_le, n_len, e);
    ret = import_public(PSA_KEY_TYPE_RSA_PUBLIC_KEY, 8 * n_len, alg, pub, pub_len, &key);
    if (ret == OTTER_OK) {
        reverse_copy(sig_be, sig_le, n_len);
        psa_status_t s = psa_verify_hash(key, alg, digest, 32, sig_be, n_len);
        ret = verify_status(s);
        (void)psa_destroy_key(key);
    }
    otter_wipe(sig_be, sizeof sig_be);
    otter_wipe(pub, sizeof pub);
    return ret;
}

/* The curves of this build's PSA configuration (2.28 derives PSA_WANT_*
 * from the legacy configuration; 3.6 and 4.0 set them). */
#if defined(PSA_WANT_ECC_SECP_R1_192)
#define HAVE_P192 1
#else
#define HAVE_P192 0
#endif
#if defined(PSA_WANT_ECC_SECP_R1_256)
#define HAVE_P256 1
#else
#define HAVE_P256 0
#endif
#if defined(PSA_WANT_ECC_SECP_R1_384)
#define HAVE_P384 1
#else
#define HAVE_P384 0
#endif

int otter_ecdsa_curve_supported(int curve)
{
    switch (curve) {
    case OTTER_EC_P192: return HAVE_P192;
    case OTTER_EC_P256: return HAVE_P256;
    case OTTER_EC_P384: return HAVE_P384;
    default: return 0;
    }
}

int otter_ecdsa_verify(int curve, const uint8_t *point_le, const uint8_t *hash, size_t hash_len, const uint8_t *sig_le)
{
    size_t len;
    switch (curve) {
    case OTTER_EC_P192: len = 24; break;
    case OTTER_EC_P256: len = 32; break;
    case OTTER_EC_P384: len = 48; break;
    default: return OTTER_ERR_UNSUPPORTED;
    }
    if (!point_le || !hash || !sig_le || hash_len == 0 || hash_len > 64) {
        return OTTER_ERR_INVAL;
    }
    if (psa_crypto_init() != PSA_SUCCESS) {
        return OTTER_ERR_CRYPTO;
    }
    uint8_t point[1 + 2 * 48], sig[2 * 48];
    point[0] = 0x04; /* uncompressed */
    reverse_copy(point + 1, point_le, len);
    reverse_copy(point + 1 + len, point_le + len, len);
    reverse_copy(sig, sig_le, len);
    reverse_copy(sig + len, sig_le + len, len);
    mbedtls_svc_key_id_t key = MBEDTLS_SVC_KEY_ID_INIT;
    psa_algorithm_t alg = PSA_ALG_ECDSA_ANY;
    int ret = import_public(PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1), 8 * len, alg, point,
                            1 + 2 * len, &key);
    if (ret == OTTER_OK) {
        psa_status_t s = psa_verify_hash(key, alg, hash, hash_len, sig, 2 * len);
        ret = verify_status(s);
        (void)psa_destroy_key(key);
    }
    return ret;
}
