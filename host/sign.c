/* Secure Boot V2 signing on the host (host/sign.h). Block layout from
 * docs/FORMATS.md; every block made here is checked by the portable verifier
 * (src/sigblock.c) before it is handed out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/base64.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha512.h>

#include "le.h"
#include "otter/crypto.h"
#include "otter/error.h"
#include "otter/image.h"
#include "sign.h"

/* A DRBG seeded from the system entropy source, one per operation. */
typedef struct rng {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
} rng_t;

static int rng_start(rng_t *r)
{
    static const char pers[] = "otter-sign";
    mbedtls_entropy_init(&r->entropy);
    mbedtls_ctr_drbg_init(&r->drbg);
    return mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->entropy, (const unsigned char *)pers,
                                 sizeof pers - 1) == 0
               ? OTTER_OK
               : OTTER_ERR_CRYPTO;
}

static void rng_stop(rng_t *r)
{
    mbedtls_ctr_drbg_free(&r->drbg);
    mbedtls_entropy_free(&r->entropy);
}

void otter_signkey_init(otter_signkey_t *k)
{
    mbedtls_pk_init(&k->pk);
    k->scheme = OTTER_SIG_SCHEME_NONE;
    k->has_private = false;
}

void otter_signkey_free(otter_signkey_t *k)
{
    mbedtls_pk_free(&k->pk);
    mbedtls_pk_init(&k->pk);
    k->scheme = OTTER_SIG_SCHEME_NONE;
    k->has_private = false;
}

int otter_sign_scheme_from_name(const char *name, otter_sig_scheme_t *out)
{
    static const struct {
        const char *name;
        otter_sig_scheme_t scheme;
    } t[] = {
        {"rsa-3072", OTTER_SIG_SCHEME_RSA3072},      {"rsa3072", OTTER_SIG_SCHEME_RSA3072},
        {"ecdsa-p256", OTTER_SIG_SCHEME_ECDSA_P256}, {"ecdsa256", OTTER_SIG_SCHEME_ECDSA_P256},
        {"ecdsa-p384", OTTER_SIG_SCHEME_ECDSA_P384}, {"ecdsa384", OTTER_SIG_SCHEME_ECDSA_P384},
    };
    for (size_t i = 0; name && i < sizeof t / sizeof t[0]; i++) {
        if (!strcmp(name, t[i].name)) {
            *out = t[i].scheme;
            return OTTER_OK;
        }
    }
    return OTTER_ERR_SIG_KEY;
}

/* Decide the scheme of a parsed key; refuse other sizes and curves. */
static int classify(otter_signkey_t *k)
{
    mbedtls_pk_type_t t = mbedtls_pk_get_type(&k->pk);
    if (t == MBEDTLS_PK_RSA) {
        if (mbedtls_pk_get_bitlen(&k->pk) != 3072)
            return OTTER_ERR_SIG_KEY;
        k->scheme = OTTER_SIG_SCHEME_RSA3072;
        return OTTER_OK;
    }
    if (t != MBEDTLS_PK_ECKEY && t != MBEDTLS_PK_ECDSA)
        return OTTER_ERR_SIG_KEY;
    switch (mbedtls_pk_ec(k->pk)->grp.id) {
    case MBEDTLS_ECP_DP_SECP192R1:
        k->scheme = OTTER_SIG_SCHEME_ECDSA_P192;
        return OTTER_OK;
    case MBEDTLS_ECP_DP_SECP256R1:
        k->scheme = OTTER_SIG_SCHEME_ECDSA_P256;
        return OTTER_OK;
    case MBEDTLS_ECP_DP_SECP384R1:
        k->scheme = OTTER_SIG_SCHEME_ECDSA_P384;
        return OTTER_OK;
    default:
        return OTTER_ERR_SIG_KEY;
    }
}

int otter_signkey_generate(otter_signkey_t *k, otter_sig_scheme_t scheme)
{
    rng_t r;
    int ret = OTTER_ERR_CRYPTO;
    otter_signkey_free(k);
    if (scheme != OTTER_SIG_SCHEME_RSA3072 && scheme != OTTER_SIG_SCHEME_ECDSA_P256 &&
        scheme != OTTER_SIG_SCHEME_ECDSA_P384)
        return OTTER_ERR_SIG_KEY;
    if (rng_start(&r) != OTTER_OK)
        goto out;
    if (scheme == OTTER_SIG_SCHEME_RSA3072) {
        if (mbedtls_pk_setup(&k->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)) != 0 ||
            mbedtls_rsa_gen_key(mbedtls_pk_rsa(k->pk), mbedtls_ctr_drbg_random, &r.drbg, 3072, 65537) != 0)
            goto out;
    } else {
        mbedtls_ecp_group_id gid =
            scheme == OTTER_SIG_SCHEME_ECDSA_P256 ? MBEDTLS_ECP_DP_SECP256R1 : MBEDTLS_ECP_DP_SECP384R1;
        if (mbedtls_pk_setup(&k->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
            mbedtls_ecp_gen_key(gid, mbedtls_pk_ec(k->pk), mbedtls_ctr_drbg_random, &r.drbg) != 0)
            goto out;
    }
    k->has_private = true;
    ret = classify(k);
out:
    rng_stop(&r);
    if (ret != OTTER_OK)
        otter_signkey_free(k);
    return ret;
}

int otter_signkey_parse_pem(otter_signkey_t *k, const char *pem, size_t len)
{
    /* mbedTLS wants PEM text NUL-terminated, with the NUL counted. */
    char *z = malloc(len + 1);
    int ret = OTTER_ERR_SIG_KEY;
    if (!z)
        return OTTER_ERR_CRYPTO;
    memcpy(z, pem, len);
    z[len] = 0;
    otter_signkey_free(k);
    if (mbedtls_pk_parse_key(&k->pk, (const unsigned char *)z, len + 1, NULL, 0) == 0) {
        k->has_private = true;
    } else {
        mbedtls_pk_free(&k->pk);
        mbedtls_pk_init(&k->pk);
        if (mbedtls_pk_parse_public_key(&k->pk, (const unsigned char *)z, len + 1) != 0)
            goto out;
    }
    ret = classify(k);
out:
    otter_wipe(z, len);
    free(z);
    if (ret != OTTER_OK)
        otter_signkey_free(k);
    return ret;
}

int otter_signkey_load(otter_signkey_t *k, const char *path)
{
    FILE *f = fopen(path, "rb");
    char buf[16384];
    if (!f)
        return OTTER_ERR_FILE;
    size_t n = fread(buf, 1, sizeof buf, f);
    int bad = ferror(f) || !feof(f);
    fclose(f);
    int ret = bad ? OTTER_ERR_SIG_KEY : otter_signkey_parse_pem(k, buf, n);
    otter_wipe(buf, sizeof buf);
    return ret;
}

int otter_signkey_write_pem(otter_signkey_t *k, bool priv, char *buf, size_t cap)
{
    if (k->scheme == OTTER_SIG_SCHEME_NONE || (priv && !k->has_private))
        return OTTER_ERR_SIG_KEY;
    int r = priv ? mbedtls_pk_write_key_pem(&k->pk, (unsigned char *)buf, cap)
                 : mbedtls_pk_write_pubkey_pem(&k->pk, (unsigned char *)buf, cap);
    if (r == MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL || r == MBEDTLS_ERR_ASN1_BUF_TOO_SMALL)
        return OTTER_ERR_BUF_TOO_SMALL;
    return r == 0 ? OTTER_OK : OTTER_ERR_CRYPTO;
}

/* RSA: n LE (384), e (u32), rinv = 2^6144 mod n LE (384), mdash = -n^-1 mod 2^32. */
static int rsa_block_key(mbedtls_rsa_context *rsa, uint8_t *out)
{
    mbedtls_mpi n, e, rr;
    int ret = OTTER_ERR_CRYPTO;
    mbedtls_mpi_init(&n);
    mbedtls_mpi_init(&e);
    mbedtls_mpi_init(&rr);
    if (mbedtls_rsa_export(rsa, &n, NULL, NULL, NULL, &e) != 0 || mbedtls_mpi_bitlen(&e) > 32)
        goto out;
    if (mbedtls_mpi_write_binary_le(&n, out, 384) != 0)
        goto out;
    uint8_t ebuf[4];
    if (mbedtls_mpi_write_binary_le(&e, ebuf, 4) != 0)
        goto out;
    memcpy(out + 384, ebuf, 4);
    if (mbedtls_mpi_lset(&rr, 1) != 0 || mbedtls_mpi_shift_l(&rr, 2 * 3072) != 0 ||
        mbedtls_mpi_mod_mpi(&rr, &rr, &n) != 0 || mbedtls_mpi_write_binary_le(&rr, out + 388, 384) != 0)
        goto out;
    uint32_t n0 = otter_le32(out), x = n0;
    for (int i = 0; i < 4; i++)
        x *= 2u - n0 * x;
    otter_put_le32(out + 772, 0u - x);
    ret = OTTER_OK;
out:
    mbedtls_mpi_free(&n);
    mbedtls_mpi_free(&e);
    mbedtls_mpi_free(&rr);
    return ret;
}

static size_t coord_len(otter_sig_scheme_t s)
{
    return s == OTTER_SIG_SCHEME_ECDSA_P384 ? 48 : s == OTTER_SIG_SCHEME_ECDSA_P256 ? 32 : 24;
}

int otter_signkey_block_key(otter_signkey_t *k, uint8_t out[OTTER_SIG_MAX_KEY_LEN], size_t *len)
{
    memset(out, 0, OTTER_SIG_MAX_KEY_LEN);
    if (k->scheme == OTTER_SIG_SCHEME_RSA3072) {
        *len = OTTER_SIG_RSA_KEY_LEN;
        return rsa_block_key(mbedtls_pk_rsa(k->pk), out);
    }
    if (k->scheme == OTTER_SIG_SCHEME_NONE)
        return OTTER_ERR_SIG_KEY;
    const mbedtls_ecp_keypair *ec = mbedtls_pk_ec(k->pk);
    size_t cl = coord_len(k->scheme);
    out[0] = k->scheme == OTTER_SIG_SCHEME_ECDSA_P384   ? OTTER_EC_P384
             : k->scheme == OTTER_SIG_SCHEME_ECDSA_P256 ? OTTER_EC_P256
                                                        : OTTER_EC_P192;
    /* P-192 keeps the 64-byte point field: X, Y, then 16 zero bytes. */
    *len = k->scheme == OTTER_SIG_SCHEME_ECDSA_P384 ? 97 : 65;
    if (mbedtls_mpi_write_binary_le(&ec->Q.X, out + 1, cl) != 0 ||
        mbedtls_mpi_write_binary_le(&ec->Q.Y, out + 1 + cl, cl) != 0)
        return OTTER_ERR_CRYPTO;
    return OTTER_OK;
}

int otter_signkey_digest(otter_signkey_t *k, uint8_t out[32])
{
    uint8_t key[OTTER_SIG_MAX_KEY_LEN];
    size_t len;
    int r = otter_signkey_block_key(k, key, &len);
    if (r == OTTER_OK)
        r = otter_sha256(key, len, out);
    return r;
}

static void reverse_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = src[n - 1 - i];
}

static int sign_rsa(otter_signkey_t *k, const uint8_t *digest, uint8_t *b)
{
    rng_t r;
    uint8_t sig[384];
    int ret = OTTER_ERR_CRYPTO;
    mbedtls_rsa_context *rsa = mbedtls_pk_rsa(k->pk);
    b[1] = OTTER_SIG_VERSION_RSA;
    memcpy(b + 4, digest, 32);
    if (rsa_block_key(rsa, b + 36) != OTTER_OK || rng_start(&r) != OTTER_OK)
        return OTTER_ERR_CRYPTO;
    mbedtls_rsa_set_padding(rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
    if (mbedtls_rsa_rsassa_pss_sign_ext(rsa, mbedtls_ctr_drbg_random, &r.drbg, MBEDTLS_MD_SHA256, 32, digest, 32,
                                        sig) == 0) {
        reverse_copy(b + 812, sig, 384);
        ret = OTTER_OK;
    }
    rng_stop(&r);
    return ret;
}

static int sign_ecdsa(otter_signkey_t *k, const uint8_t *digest, size_t dlen, uint8_t *b)
{
    rng_t r;
    mbedtls_mpi sr, ss;
    int ret = OTTER_ERR_CRYPTO;
    mbedtls_ecp_keypair *ec = mbedtls_pk_ec(k->pk);
    bool p384 = k->scheme == OTTER_SIG_SCHEME_ECDSA_P384;
    size_t cl = coord_len(k->scheme), key_len;
    size_t key_off = p384 ? 52 : 36, sig_off = key_off + 1 + (p384 ? 96 : 64);
    b[1] = OTTER_SIG_VERSION_ECDSA;
    b[2] = p384 ? 1 : 0;
    memcpy(b + 4, digest, dlen);
    uint8_t key[OTTER_SIG_MAX_KEY_LEN];
    if (otter_signkey_block_key(k, key, &key_len) != OTTER_OK)
        return OTTER_ERR_CRYPTO;
    memcpy(b + key_off, key, key_len);
    mbedtls_mpi_init(&sr);
    mbedtls_mpi_init(&ss);
    if (rng_start(&r) == OTTER_OK &&
        mbedtls_ecdsa_sign_det_ext(&ec->grp, &sr, &ss, &ec->d, digest, dlen,
                                   p384 ? MBEDTLS_MD_SHA384 : MBEDTLS_MD_SHA256, mbedtls_ctr_drbg_random,
                                   &r.drbg) == 0 &&
        mbedtls_mpi_write_binary_le(&sr, b + sig_off, cl) == 0 &&
        mbedtls_mpi_write_binary_le(&ss, b + sig_off + cl, cl) == 0)
        ret = OTTER_OK;
    rng_stop(&r);
    mbedtls_mpi_free(&sr);
    mbedtls_mpi_free(&ss);
    return ret;
}

int otter_sign_block(otter_signkey_t *k, const uint8_t *digest, size_t digest_len, uint8_t block[OTTER_SIG_BLOCK_LEN])
{
    otter_sigblock_result_t res;
    int ret;
    if (!k->has_private)
        return OTTER_ERR_SIG_KEY;
    if (!digest || digest_len != (k->scheme == OTTER_SIG_SCHEME_ECDSA_P384 ? 48u : 32u))
        return OTTER_ERR_INVAL;
    memset(block, 0, OTTER_SIG_BLOCK_LEN);
    block[0] = OTTER_SIG_MAGIC;
    if (k->scheme == OTTER_SIG_SCHEME_RSA3072)
        ret = sign_rsa(k, digest, block);
    else
        ret = sign_ecdsa(k, digest, digest_len, block);
    if (ret != OTTER_OK)
        return ret;
    otter_sigblock_seal(block);
    bool p384 = k->scheme == OTTER_SIG_SCHEME_ECDSA_P384;
    static const uint8_t none[32];
    ret = otter_sigblock_check(block, p384 ? none : digest, p384 ? digest : NULL, &res);
    return ret == OTTER_OK ? OTTER_OK : OTTER_ERR_CRYPTO;
}

int otter_host_sha384(const void *data, size_t len, uint8_t out[48])
{
    uint8_t full[64];
    if (mbedtls_sha512_ret(data, len, full, 1) != 0)
        return OTTER_ERR_CRYPTO;
    memcpy(out, full, 48);
    return OTTER_OK;
}

int otter_sign_data(otter_signkey_t *k, const uint8_t *in, size_t in_len, bool append, uint8_t **out, size_t *out_len,
                    unsigned *n_blocks)
{
    size_t body = in_len;
    unsigned keep = 0;
    if (in_len % OTTER_SIG_SECTOR_LEN == 0 && in_len >= 2 * OTTER_SIG_SECTOR_LEN) {
        unsigned have = otter_sigblock_count(in + in_len - OTTER_SIG_SECTOR_LEN);
        if (have > 0) {
            body = in_len - OTTER_SIG_SECTOR_LEN;
            keep = append ? have : 0;
        }
    }
    if (keep >= OTTER_SIG_MAX_BLOCKS)
        return OTTER_ERR_SIG_FULL;
    size_t padded = (body + OTTER_SIG_SECTOR_LEN - 1) / OTTER_SIG_SECTOR_LEN * OTTER_SIG_SECTOR_LEN;
    if (padded == 0)
        padded = OTTER_SIG_SECTOR_LEN; /* empty input: one sector of 0xFF */
    uint8_t *buf = malloc(padded + OTTER_SIG_SECTOR_LEN);
    if (!buf)
        return OTTER_ERR_CRYPTO;
    memcpy(buf, in, body);
    memset(buf + body, 0xFF, padded + OTTER_SIG_SECTOR_LEN - body);
    if (keep)
        memcpy(buf + padded, in + body, keep * OTTER_SIG_BLOCK_LEN);
    uint8_t digest[48];
    bool p384 = k->scheme == OTTER_SIG_SCHEME_ECDSA_P384;
    int ret = p384 ? otter_host_sha384(buf, padded, digest) : otter_sha256(buf, padded, digest);
    if (ret == OTTER_OK)
        ret = otter_sign_block(k, digest, p384 ? 48 : 32, buf + padded + keep * OTTER_SIG_BLOCK_LEN);
    if (ret != OTTER_OK) {
        free(buf);
        return ret;
    }
    *out = buf;
    *out_len = padded + OTTER_SIG_SECTOR_LEN;
    if (n_blocks)
        *n_blocks = keep + 1;
    return OTTER_OK;
}

int otter_sign_find_sector(const uint8_t *data, size_t len, size_t *off)
{
    otter_image_t img;
    otter_image_init(&img, OTTER_CHIP_ANY);
    otter_image_feed(&img, data, len);
    bool done = otter_image_done(&img);
    const otter_image_info_t *in = otter_image_info(&img);
    uint32_t image_len = in->image_len, signed_len = in->signed_len;
    otter_image_free(&img);
    if (done) {
        if (len >= (size_t)signed_len + OTTER_SIG_SECTOR_LEN) {
            *off = signed_len;
            return OTTER_OK;
        }
        return (len == image_len || len == signed_len) ? OTTER_ERR_SIG_NONE : OTTER_ERR_SIG_PADDING;
    }
    if (len % OTTER_SIG_SECTOR_LEN == 0 && len >= 2 * OTTER_SIG_SECTOR_LEN) {
        *off = len - OTTER_SIG_SECTOR_LEN;
        return OTTER_OK;
    }
    return OTTER_ERR_SIG_PADDING;
}
