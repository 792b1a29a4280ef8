/* Secure Boot V2 signing on the host (host/sign.h). Block layout from
 * docs/FORMATS.md; every block made here is checked by the portable verifier
 * (src/sigblock.c) before it is handed out. Keys and signatures go through
 * host/hostcrypto.h; the block's key fields are computed here from the
 * public key's DER. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "der.h"
#include "otter/bytes.h"
#include "otter/crypto.h"
#include "otter/host/sigblock.h"
#include "host_error.h"
#include "otter/image.h"
#include "pem.h"
#include "sign.h"
#include "x509.h"

void otter_signkey_init(otter_signkey_t *k)
{
    k->key = NULL;
    k->scheme = OTTER_SIG_SCHEME_NONE;
    k->has_private = false;
}

void otter_signkey_free(otter_signkey_t *k)
{
    otter_hkey_free(k->key);
    otter_signkey_init(k);
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
    unsigned bits = otter_hkey_bits(k->key);
    k->has_private = otter_hkey_has_private(k->key) != 0;
    if (otter_hkey_type(k->key) == OTTER_HKEY_RSA && bits == 3072)
        k->scheme = OTTER_SIG_SCHEME_RSA3072;
    else if (otter_hkey_type(k->key) == OTTER_HKEY_EC && bits == 192)
        k->scheme = OTTER_SIG_SCHEME_ECDSA_P192;
    else if (otter_hkey_type(k->key) == OTTER_HKEY_EC && bits == 256)
        k->scheme = OTTER_SIG_SCHEME_ECDSA_P256;
    else if (otter_hkey_type(k->key) == OTTER_HKEY_EC && bits == 384)
        k->scheme = OTTER_SIG_SCHEME_ECDSA_P384;
    else
        return OTTER_ERR_SIG_KEY;
    return OTTER_OK;
}

int otter_signkey_generate(otter_signkey_t *k, otter_sig_scheme_t scheme)
{
    otter_signkey_free(k);
    int r;
    if (scheme == OTTER_SIG_SCHEME_RSA3072)
        r = otter_hkey_generate(&k->key, OTTER_HKEY_RSA, 3072);
    else if (scheme == OTTER_SIG_SCHEME_ECDSA_P256 || scheme == OTTER_SIG_SCHEME_ECDSA_P384)
        r = otter_hkey_generate(&k->key, OTTER_HKEY_EC, scheme == OTTER_SIG_SCHEME_ECDSA_P256 ? 256 : 384);
    else
        return OTTER_ERR_SIG_KEY;
    if (r == OTTER_OK)
        r = classify(k);
    if (r != OTTER_OK)
        otter_signkey_free(k);
    return r;
}

int otter_sign_scheme_available(otter_sig_scheme_t scheme)
{
    switch (scheme) {
    case OTTER_SIG_SCHEME_RSA3072:
        return 1;
    case OTTER_SIG_SCHEME_ECDSA_P192:
        return otter_hkey_ec_available(192);
    case OTTER_SIG_SCHEME_ECDSA_P256:
        return otter_hkey_ec_available(256);
    case OTTER_SIG_SCHEME_ECDSA_P384:
        return otter_hkey_ec_available(384);
    default:
        return 0;
    }
}

/* Does a key file that the library refused name the P-192 curve (by its
 * OID, in the PEM block's DER)? */
static int names_p192(const char *pem, size_t len)
{
    static const char *const labels[] = {"EC PRIVATE KEY", "PRIVATE KEY", "PUBLIC KEY"};
    int found = 0;
    for (size_t i = 0; i < sizeof labels / sizeof labels[0] && !found; i++) {
        size_t pos = 0, n;
        uint8_t *der;
        if (otter_pem_next(pem, len, labels[i], &pos, &der, &n) != 1)
            continue;
        found = memmem(der, n, OTTER_OID_SECP192R1, OTTER_OID_LEN(OTTER_OID_SECP192R1)) != NULL;
        otter_wipe(der, n);
        free(der);
    }
    return found;
}

int otter_signkey_parse_pem(otter_signkey_t *k, const char *pem, size_t len)
{
    otter_signkey_free(k);
    int r = otter_hkey_parse(&k->key, (const uint8_t *)pem, len);
    if (r == OTTER_OK)
        r = classify(k);
    if (r != OTTER_OK) {
        otter_signkey_free(k);
        if (names_p192(pem, len) && !otter_sign_scheme_available(OTTER_SIG_SCHEME_ECDSA_P192))
            return OTTER_ERR_UNSUPPORTED;
        return OTTER_ERR_SIG_KEY;
    }
    return OTTER_OK;
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
    return otter_hkey_write_pem(k->key, priv, buf, cap);
}

/* The public key's DER (RSAPublicKey, or the uncompressed EC point) from
 * its SubjectPublicKeyInfo; spki holds the bytes key points into. */
static int public_key(otter_signkey_t *k, uint8_t *spki, size_t cap, otter_spki_t *key)
{
    size_t n;
    if (k->scheme == OTTER_SIG_SCHEME_NONE || otter_hkey_spki(k->key, spki, cap, &n) != OTTER_OK ||
        otter_spki_parse(spki, n, key) != 0)
        return OTTER_ERR_SIG_KEY;
    return OTTER_OK;
}

#define RSA_LIMBS (3072 / 32)

/* 2^6144 mod n for a 3072-bit n given as little-endian 32-bit limbs, by
 * doubling 6144 times (r < n before each step, so 2r < 2n). */
static void rsa_rinv(const uint32_t n[RSA_LIMBS], uint32_t r[RSA_LIMBS])
{
    memset(r, 0, RSA_LIMBS * sizeof r[0]);
    r[0] = 1;
    for (int step = 0; step < 2 * 3072; step++) {
        uint32_t carry = 0;
        for (int i = 0; i < RSA_LIMBS; i++) {
            uint32_t top = r[i] >> 31;
            r[i] = (r[i] << 1) | carry;
            carry = top;
        }
        int ge = carry;
        for (int i = RSA_LIMBS; !ge && i-- > 0;) {
            if (r[i] != n[i]) {
                ge = r[i] > n[i];
                break;
            }
            if (i == 0)
                ge = 1; /* equal */
        }
        if (ge) {
            uint64_t borrow = 0;
            for (int i = 0; i < RSA_LIMBS; i++) {
                uint64_t d = (uint64_t)r[i] - n[i] - borrow;
                r[i] = (uint32_t)d;
                borrow = (d >> 63) & 1;
            }
        }
    }
}

/* Big-endian unsigned bytes into a little-endian field of len bytes. */
static int be_to_le(otter_der_t v, uint8_t *out, size_t len)
{
    v = otter_der_uint(v);
    if (v.len > len)
        return -1;
    memset(out, 0, len);
    for (size_t i = 0; i < v.len; i++)
        out[i] = v.p[v.len - 1 - i];
    return 0;
}

/* RSA: n LE (384), e (u32), rinv = 2^6144 mod n LE (384), mdash = -n^-1 mod 2^32. */
static int rsa_block_key(otter_signkey_t *k, uint8_t *out)
{
    uint8_t spki[1024];
    otter_spki_t key;
    otter_der_t in, seq, n, e;
    if (public_key(k, spki, sizeof spki, &key) != OTTER_OK)
        return OTTER_ERR_SIG_KEY;
    in = key.key;
    if (otter_der_expect(&in, OTTER_DER_SEQUENCE, &seq) || otter_der_expect(&seq, OTTER_DER_INTEGER, &n) ||
        otter_der_expect(&seq, OTTER_DER_INTEGER, &e) || be_to_le(n, out, 384) || be_to_le(e, out + 384, 4))
        return OTTER_ERR_CRYPTO;
    uint32_t nl[RSA_LIMBS], rl[RSA_LIMBS];
    for (int i = 0; i < RSA_LIMBS; i++)
        nl[i] = otter_le32(out + 4 * i);
    rsa_rinv(nl, rl);
    for (int i = 0; i < RSA_LIMBS; i++)
        otter_put_le32(out + 388 + 4 * i, rl[i]);
    uint32_t n0 = nl[0], x = n0;
    for (int i = 0; i < 4; i++)
        x *= 2u - n0 * x;
    otter_put_le32(out + 772, 0u - x);
    return OTTER_OK;
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
        return rsa_block_key(k, out);
    }
    uint8_t spki[256];
    otter_spki_t key;
    if (public_key(k, spki, sizeof spki, &key) != OTTER_OK)
        return OTTER_ERR_SIG_KEY;
    size_t cl = coord_len(k->scheme);
    if (key.key.len != 1 + 2 * cl || key.key.p[0] != 0x04) /* uncompressed point */
        return OTTER_ERR_CRYPTO;
    out[0] = k->scheme == OTTER_SIG_SCHEME_ECDSA_P384   ? OTTER_EC_P384
             : k->scheme == OTTER_SIG_SCHEME_ECDSA_P256 ? OTTER_EC_P256
                                                        : OTTER_EC_P192;
    /* P-192 keeps the 64-byte point field: X, Y, then 16 zero bytes. */
    *len = k->scheme == OTTER_SIG_SCHEME_ECDSA_P384 ? 97 : 65;
    otter_der_t x = {key.key.p + 1, cl}, y = {key.key.p + 1 + cl, cl};
    if (be_to_le(x, out + 1, cl) || be_to_le(y, out + 1 + cl, cl))
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
    uint8_t sig[384];
    size_t len;
    b[1] = OTTER_SIG_VERSION_RSA;
    memcpy(b + 4, digest, 32);
    if (rsa_block_key(k, b + 36) != OTTER_OK ||
        otter_hkey_sign(k->key, OTTER_HSIG_RSA_PSS, OTTER_HASH_SHA256, digest, 32, sig, sizeof sig, &len) !=
            OTTER_OK ||
        len != sizeof sig)
        return OTTER_ERR_CRYPTO;
    reverse_copy(b + 812, sig, 384);
    return OTTER_OK;
}

static int sign_ecdsa(otter_signkey_t *k, const uint8_t *digest, size_t dlen, uint8_t *b)
{
    bool p384 = k->scheme == OTTER_SIG_SCHEME_ECDSA_P384;
    size_t cl = coord_len(k->scheme), key_len, sig_len;
    size_t key_off = p384 ? 52 : 36, sig_off = key_off + 1 + (p384 ? 96 : 64);
    uint8_t key[OTTER_SIG_MAX_KEY_LEN], sig[96];
    b[1] = OTTER_SIG_VERSION_ECDSA;
    b[2] = p384 ? 1 : 0;
    memcpy(b + 4, digest, dlen);
    if (otter_signkey_block_key(k, key, &key_len) != OTTER_OK)
        return OTTER_ERR_CRYPTO;
    memcpy(b + key_off, key, key_len);
    if (otter_hkey_sign(k->key, OTTER_HSIG_ECDSA, p384 ? OTTER_HASH_SHA384 : OTTER_HASH_SHA256, digest, dlen, sig,
                        sizeof sig, &sig_len) != OTTER_OK ||
        sig_len != 2 * cl)
        return OTTER_ERR_CRYPTO;
    /* r and s, big-endian from the library, little-endian in the block. */
    reverse_copy(b + sig_off, sig, cl);
    reverse_copy(b + sig_off + cl, sig + cl, cl);
    return OTTER_OK;
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
    return otter_host_hash(OTTER_HASH_SHA384, data, len, out);
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
