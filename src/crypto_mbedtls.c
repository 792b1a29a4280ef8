/* The crypto shim's mbedTLS backend: hashes and the signature checks of
 * Secure Boot V2 blocks (RSA-3072-PSS, ECDSA). */
#include <mbedtls/ecdsa.h>
#include <mbedtls/md5.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>

#include "otter/crypto.h"
#include "otter/error.h"

_Static_assert(sizeof(mbedtls_sha256_context) <= OTTER_HASH_CTX_SIZE,
               "OTTER_HASH_CTX_SIZE too small for mbedTLS SHA-256");
_Static_assert(sizeof(mbedtls_md5_context) <= OTTER_HASH_CTX_SIZE, "OTTER_HASH_CTX_SIZE too small for mbedTLS MD5");

#define SHA(c) ((mbedtls_sha256_context *)(void *)(c)->opaque)
#define MD5(c) ((mbedtls_md5_context *)(void *)(c)->opaque)

void otter_sha256_init(otter_sha256_t *ctx)
{
    mbedtls_sha256_init(SHA(ctx));
}

int otter_sha256_start(otter_sha256_t *ctx)
{
    return mbedtls_sha256_starts_ret(SHA(ctx), 0) == 0 ? OTTER_OK : OTTER_ERR_CRYPTO;
}

int otter_sha256_update(otter_sha256_t *ctx, const void *data, size_t len)
{
    return mbedtls_sha256_update_ret(SHA(ctx), data, len) == 0 ? OTTER_OK : OTTER_ERR_CRYPTO;
}

int otter_sha256_finish(otter_sha256_t *ctx, uint8_t out[32])
{
    return mbedtls_sha256_finish_ret(SHA(ctx), out) == 0 ? OTTER_OK : OTTER_ERR_CRYPTO;
}

void otter_sha256_free(otter_sha256_t *ctx)
{
    mbedtls_sha256_free(SHA(ctx));
    otter_wipe(ctx, sizeof *ctx);
}

int otter_sha256_clone(otter_sha256_t *dst, const otter_sha256_t *src)
{
    mbedtls_sha256_clone(SHA(dst), (const mbedtls_sha256_context *)(const void *)src->opaque);
    return OTTER_OK;
}

int otter_sha256(const void *data, size_t len, uint8_t out[32])
{
    return mbedtls_sha256_ret(data, len, out, 0) == 0 ? OTTER_OK : OTTER_ERR_CRYPTO;
}

void otter_md5_init(otter_md5_t *ctx)
{
    mbedtls_md5_init(MD5(ctx));
}

int otter_md5_start(otter_md5_t *ctx)
{
    return mbedtls_md5_starts_ret(MD5(ctx)) == 0 ? OTTER_OK : OTTER_ERR_CRYPTO;
}

int otter_md5_update(otter_md5_t *ctx, const void *data, size_t len)
{
    return mbedtls_md5_update_ret(MD5(ctx), data, len) == 0 ? OTTER_OK : OTTER_ERR_CRYPTO;
}

int otter_md5_finish(otter_md5_t *ctx, uint8_t out[16])
{
    return mbedtls_md5_finish_ret(MD5(ctx), out) == 0 ? OTTER_OK : OTTER_ERR_CRYPTO;
}

void otter_md5_free(otter_md5_t *ctx)
{
    mbedtls_md5_free(MD5(ctx));
    otter_wipe(ctx, sizeof *ctx);
}

int otter_md5(const void *data, size_t len, uint8_t out[16])
{
    return mbedtls_md5_ret(data, len, out) == 0 ? OTTER_OK : OTTER_ERR_CRYPTO;
}

/* ---- signature checks ---------------------------------------------------- */

static void reverse_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = src[n - 1 - i];
}

/* rinv must be R^2 mod n with R = 2^(8 * n_len). */
static int check_rinv(const mbedtls_mpi *n, size_t n_len, const uint8_t *rinv_le)
{
    mbedtls_mpi rr, given;
    int ret = OTTER_ERR_SIG_KEY;
    mbedtls_mpi_init(&rr);
    mbedtls_mpi_init(&given);
    if (mbedtls_mpi_lset(&rr, 1) == 0 && mbedtls_mpi_shift_l(&rr, 2 * 8 * n_len) == 0 &&
        mbedtls_mpi_mod_mpi(&rr, &rr, n) == 0 && mbedtls_mpi_read_binary_le(&given, rinv_le, n_len) == 0 &&
        mbedtls_mpi_cmp_mpi(&rr, &given) == 0)
        ret = OTTER_OK;
    mbedtls_mpi_free(&rr);
    mbedtls_mpi_free(&given);
    return ret;
}

int otter_rsa_pss_verify(const uint8_t *n_le, size_t n_len, uint32_t e, const uint8_t *rinv_le,
                         const uint8_t digest[32], const uint8_t *sig_le)
{
    mbedtls_rsa_context rsa;
    mbedtls_mpi n, ev;
    uint8_t sig_be[512];
    int ret = OTTER_ERR_SIG_KEY;
    if (!n_le || !digest || !sig_le || n_len == 0 || n_len > sizeof sig_be)
        return OTTER_ERR_INVAL;
    mbedtls_rsa_init(&rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
    mbedtls_mpi_init(&n);
    mbedtls_mpi_init(&ev);
    if (mbedtls_mpi_read_binary_le(&n, n_le, n_len) != 0 || mbedtls_mpi_lset(&ev, (mbedtls_mpi_sint)e) != 0)
        goto out;
    if (mbedtls_mpi_bitlen(&n) != 8 * n_len) /* top byte must be used */
        goto out;
    if (mbedtls_rsa_import(&rsa, &n, NULL, NULL, NULL, &ev) != 0 || mbedtls_rsa_complete(&rsa) != 0 ||
        mbedtls_rsa_check_pubkey(&rsa) != 0)
        goto out;
    if (rinv_le && check_rinv(&n, n_len, rinv_le) != OTTER_OK)
        goto out;
    reverse_copy(sig_be, sig_le, n_len);
    ret = mbedtls_rsa_rsassa_pss_verify_ext(&rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC, MBEDTLS_MD_SHA256, 32, digest,
                                            MBEDTLS_MD_SHA256, 32, sig_be) == 0
              ? OTTER_OK
              : OTTER_ERR_SIG_VERIFY;
out:
    mbedtls_rsa_free(&rsa);
    mbedtls_mpi_free(&n);
    mbedtls_mpi_free(&ev);
    otter_wipe(sig_be, sizeof sig_be);
    return ret;
}

int otter_ecdsa_verify(int curve, const uint8_t *point_le, const uint8_t *hash, size_t hash_len, const uint8_t *sig_le)
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    mbedtls_mpi r, s;
    mbedtls_ecp_group_id gid;
    size_t len;
    int ret = OTTER_ERR_SIG_KEY;
    switch (curve) {
    case OTTER_EC_P192:
        gid = MBEDTLS_ECP_DP_SECP192R1, len = 24;
        break;
    case OTTER_EC_P256:
        gid = MBEDTLS_ECP_DP_SECP256R1, len = 32;
        break;
    case OTTER_EC_P384:
        gid = MBEDTLS_ECP_DP_SECP384R1, len = 48;
        break;
    default:
        return OTTER_ERR_UNSUPPORTED;
    }
    if (!point_le || !hash || !sig_le)
        return OTTER_ERR_INVAL;
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    if (mbedtls_ecp_group_load(&grp, gid) != 0) {
        ret = OTTER_ERR_UNSUPPORTED;
        goto out;
    }
    if (mbedtls_mpi_read_binary_le(&q.X, point_le, len) != 0 ||
        mbedtls_mpi_read_binary_le(&q.Y, point_le + len, len) != 0 || mbedtls_mpi_lset(&q.Z, 1) != 0 ||
        mbedtls_ecp_check_pubkey(&grp, &q) != 0)
        goto out;
    if (mbedtls_mpi_read_binary_le(&r, sig_le, len) != 0 || mbedtls_mpi_read_binary_le(&s, sig_le + len, len) != 0) {
        ret = OTTER_ERR_CRYPTO;
        goto out;
    }
    ret = mbedtls_ecdsa_verify(&grp, hash, hash_len, &q, &r, &s) == 0 ? OTTER_OK : OTTER_ERR_SIG_VERIFY;
out:
    mbedtls_ecp_group_free(&grp);
    mbedtls_ecp_point_free(&q);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    return ret;
}
