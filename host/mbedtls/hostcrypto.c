/* host/hostcrypto on mbedTLS (see host/hostcrypto.h).
 *
 * One code path for mbedTLS 2.28, 3.6 and 4.0: every hash, signature,
 * verification, key generation and random byte goes through PSA Crypto
 * (present in all three; the only crypto API in 4.0). mbedTLS's PK module
 * only reads and writes key files (PEM/DER). Keys move between the two as
 * DER: PKCS#1 RSAPrivateKey is PSA's RSA import format; an EC private key
 * is the SEC1 structure's scalar. */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/pk.h>
#include <psa/crypto.h>

#include "compat.h"
#include "der.h"
#include "hostcrypto.h"
#include "otter/crypto.h"
#include "otter/error.h"
#include "x509.h"

struct otter_hkey {
    mbedtls_pk_context pk;
    otter_hkey_type_t type;
    unsigned bits;
    int has_private;
    uint8_t curve_oid[16]; /* EC: namedCurve OID */
    size_t curve_oid_len;
};

static _Thread_local int last_error;

static int crypto_fail(int code)
{
    last_error = code;
    return OTTER_ERR_CRYPTO;
}

int otter_hostcrypto_last_error(void)
{
    return last_error;
}

int otter_hostcrypto_init(void)
{
    psa_status_t st = psa_crypto_init(); /* idempotent */
    return st == PSA_SUCCESS ? OTTER_OK : crypto_fail((int)st);
}

int otter_host_random(void *buf, size_t len)
{
    int r = otter_hostcrypto_init();
    if (r)
        return r;
    psa_status_t st = psa_generate_random(buf, len);
    return st == PSA_SUCCESS ? OTTER_OK : crypto_fail((int)st);
}

static psa_algorithm_t psa_hash(otter_hash_alg_t a)
{
    switch (a) {
    case OTTER_HASH_SHA1:
        return PSA_ALG_SHA_1;
    case OTTER_HASH_SHA256:
        return PSA_ALG_SHA_256;
    case OTTER_HASH_SHA384:
        return PSA_ALG_SHA_384;
    case OTTER_HASH_SHA512:
        return PSA_ALG_SHA_512;
    default:
        return 0;
    }
}

size_t otter_hash_len(otter_hash_alg_t a)
{
    static const size_t len[] = {0, 20, 32, 48, 64};
    return (unsigned)a < sizeof len / sizeof len[0] ? len[a] : 0;
}

int otter_host_hash(otter_hash_alg_t a, const void *data, size_t len, uint8_t *out)
{
    size_t olen;
    int r = otter_hostcrypto_init();
    if (r)
        return r;
    if (!psa_hash(a))
        return OTTER_ERR_INVAL;
    psa_status_t st = psa_hash_compute(psa_hash(a), data, len, out, otter_hash_len(a), &olen);
    return st == PSA_SUCCESS ? OTTER_OK : crypto_fail((int)st);
}

/* --- curves ------------------------------------------------------------------ */

static const struct curve {
    unsigned bits;
    const uint8_t *oid;
    size_t oid_len;
} curves[] = {
    {192, (const uint8_t *)OTTER_OID_SECP192R1, sizeof OTTER_OID_SECP192R1 - 1},
    {256, (const uint8_t *)OTTER_OID_SECP256R1, sizeof OTTER_OID_SECP256R1 - 1},
    {384, (const uint8_t *)OTTER_OID_SECP384R1, sizeof OTTER_OID_SECP384R1 - 1},
    {521, (const uint8_t *)OTTER_OID_SECP521R1, sizeof OTTER_OID_SECP521R1 - 1},
};

static const struct curve *curve_by_oid(const otter_der_t *oid)
{
    for (size_t i = 0; i < sizeof curves / sizeof curves[0]; i++)
        if (otter_der_eq(oid, curves[i].oid, curves[i].oid_len))
            return &curves[i];
    return NULL;
}

static const struct curve *curve_by_bits(unsigned bits)
{
    for (size_t i = 0; i < sizeof curves / sizeof curves[0]; i++)
        if (curves[i].bits == bits)
            return &curves[i];
    return NULL;
}

/* --- key handles ------------------------------------------------------------- */

/* Fill type, bits and curve from the key's SubjectPublicKeyInfo. */
static int classify(otter_hkey_t *k)
{
    uint8_t spki[2048];
    size_t n;
    otter_spki_t s;
    if (otter_hkey_spki(k, spki, sizeof spki, &n) != OTTER_OK || otter_spki_parse(spki, n, &s) != 0)
        return OTTER_ERR_SIG_KEY;
    k->bits = (unsigned)mbedtls_pk_get_bitlen(&k->pk);
    if (s.type == OTTER_HKEY_RSA) {
        k->type = OTTER_HKEY_RSA;
        return OTTER_OK;
    }
    const struct curve *c = s.type == OTTER_HKEY_EC ? curve_by_oid(&s.curve) : NULL;
    if (!c || s.curve.len > sizeof k->curve_oid)
        return OTTER_ERR_SIG_KEY;
    k->type = OTTER_HKEY_EC;
    k->bits = c->bits;
    memcpy(k->curve_oid, s.curve.p, s.curve.len);
    k->curve_oid_len = s.curve.len;
    return OTTER_OK;
}

static otter_hkey_t *hkey_new(void)
{
    otter_hkey_t *k = calloc(1, sizeof *k);
    if (k)
        mbedtls_pk_init(&k->pk);
    return k;
}

void otter_hkey_free(otter_hkey_t *k)
{
    if (!k)
        return;
    mbedtls_pk_free(&k->pk);
    otter_wipe(k, sizeof *k);
    free(k);
}

otter_hkey_type_t otter_hkey_type(const otter_hkey_t *k)
{
    return k ? k->type : OTTER_HKEY_NONE;
}

unsigned otter_hkey_bits(const otter_hkey_t *k)
{
    return k ? k->bits : 0;
}

int otter_hkey_has_private(const otter_hkey_t *k)
{
    return k && k->has_private;
}

/* Parse DER or NUL-terminated PEM (len counts the NUL) into k. */
static int parse_into(otter_hkey_t *k, const uint8_t *buf, size_t len)
{
    if (HM_PK_PARSE_KEY(&k->pk, buf, len) == 0) {
        k->has_private = 1;
    } else {
        mbedtls_pk_free(&k->pk);
        mbedtls_pk_init(&k->pk);
        if (mbedtls_pk_parse_public_key(&k->pk, buf, len) != 0)
            return OTTER_ERR_SIG_KEY;
    }
    return classify(k);
}

int otter_hkey_parse(otter_hkey_t **out, const uint8_t *buf, size_t len)
{
    *out = NULL;
    int r = otter_hostcrypto_init();
    if (r)
        return r;
    otter_hkey_t *k = hkey_new();
    /* mbedTLS wants PEM NUL-terminated with the NUL counted; DER as is. */
    uint8_t *z = malloc(len + 1);
    if (!k || !z) {
        free(z);
        otter_hkey_free(k);
        return OTTER_ERR_CRYPTO;
    }
    memcpy(z, buf, len);
    z[len] = 0;
    int pem = len > 0 && buf[0] != OTTER_DER_SEQUENCE;
    r = parse_into(k, z, pem ? len + 1 : len);
    otter_wipe(z, len + 1);
    free(z);
    if (r) {
        otter_hkey_free(k);
        return r;
    }
    *out = k;
    return OTTER_OK;
}

int otter_hkey_spki(const otter_hkey_t *k, uint8_t *out, size_t cap, size_t *len)
{
    /* The PK writer fills the end of the buffer. */
    int n = mbedtls_pk_write_pubkey_der((mbedtls_pk_context *)&k->pk, out, cap);
    if (n <= 0)
        return n == 0 ? OTTER_ERR_SIG_KEY : OTTER_ERR_BUF_TOO_SMALL;
    memmove(out, out + cap - (size_t)n, (size_t)n);
    *len = (size_t)n;
    return OTTER_OK;
}

int otter_hkey_write_pem(const otter_hkey_t *k, int priv, char *out, size_t cap)
{
    if (!k || (priv && !k->has_private))
        return OTTER_ERR_SIG_KEY;
    int r = priv ? mbedtls_pk_write_key_pem((mbedtls_pk_context *)&k->pk, (unsigned char *)out, cap)
                 : mbedtls_pk_write_pubkey_pem((mbedtls_pk_context *)&k->pk, (unsigned char *)out, cap);
    if (r == 0)
        return OTTER_OK;
    /* Too small is the only failure for a key that was read or made. */
    return OTTER_ERR_BUF_TOO_SMALL;
}

/* --- PSA keys ----------------------------------------------------------------- */

/* The private key in PSA's import format into out: PKCS#1 for RSA, the
 * scalar (curve-sized) for EC. */
static int private_material(const otter_hkey_t *k, uint8_t *out, size_t cap, size_t *len)
{
    uint8_t der[8192];
    int n = mbedtls_pk_write_key_der((mbedtls_pk_context *)&k->pk, der, sizeof der);
    int r = OTTER_ERR_SIG_KEY;
    if (n <= 0)
        goto out;
    otter_der_t in = {der + sizeof der - (size_t)n, (size_t)n}, seq, ver, d;
    if (k->type == OTTER_HKEY_RSA) {
        if ((size_t)n <= cap) {
            memcpy(out, in.p, (size_t)n);
            *len = (size_t)n;
            r = OTTER_OK;
        }
        goto out;
    }
    /* SEC1 ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, ... } */
    size_t want = (k->bits + 7) / 8;
    if (otter_der_expect(&in, OTTER_DER_SEQUENCE, &seq) || otter_der_expect(&seq, OTTER_DER_INTEGER, &ver) ||
        otter_der_expect(&seq, OTTER_DER_OCTET_STRING, &d) || d.len > want || want > cap)
        goto out;
    memset(out, 0, want - d.len); /* PSA wants the scalar at full size */
    memcpy(out + want - d.len, d.p, d.len);
    *len = want;
    r = OTTER_OK;
out:
    otter_wipe(der, sizeof der);
    return r;
}

static psa_key_type_t pair_type(otter_hkey_type_t t)
{
    return t == OTTER_HKEY_RSA ? PSA_KEY_TYPE_RSA_KEY_PAIR : PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1);
}

static psa_algorithm_t sig_alg(otter_hsig_t scheme, otter_hash_alg_t hash)
{
    psa_algorithm_t h = psa_hash(hash);
    switch (scheme) {
    case OTTER_HSIG_ECDSA:
        return PSA_ALG_ECDSA(h);
    case OTTER_HSIG_RSA_PKCS1:
        return PSA_ALG_RSA_PKCS1V15_SIGN(h);
    case OTTER_HSIG_RSA_PSS:
        return PSA_ALG_RSA_PSS(h);
    }
    return 0;
}

int otter_hkey_sign(const otter_hkey_t *k, otter_hsig_t scheme, otter_hash_alg_t hash,
                    const uint8_t *digest, size_t digest_len, uint8_t *out, size_t cap,
                    size_t *out_len)
{
    uint8_t mat[4096];
    size_t mat_len;
    int r = otter_hostcrypto_init();
    if (r)
        return r;
    if (!k || !k->has_private || (scheme == OTTER_HSIG_ECDSA) != (k->type == OTTER_HKEY_EC))
        return OTTER_ERR_SIG_KEY;
    if (!psa_hash(hash) || digest_len != otter_hash_len(hash))
        return OTTER_ERR_INVAL;
    if ((r = private_material(k, mat, sizeof mat, &mat_len)) != OTTER_OK)
        return r;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&a, pair_type(k->type));
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_SIGN_HASH);
    psa_set_key_algorithm(&a, sig_alg(scheme, hash));
    mbedtls_svc_key_id_t id;
    psa_status_t st = psa_import_key(&a, mat, mat_len, &id);
    otter_wipe(mat, sizeof mat);
    if (st != PSA_SUCCESS)
        return crypto_fail((int)st);
    st = psa_sign_hash(id, sig_alg(scheme, hash), digest, digest_len, out, cap, out_len);
    psa_destroy_key(id);
    if (st == PSA_ERROR_BUFFER_TOO_SMALL)
        return OTTER_ERR_BUF_TOO_SMALL;
    return st == PSA_SUCCESS ? OTTER_OK : crypto_fail((int)st);
}

/* SEC1 ECPrivateKey DER of scalar d and public point q on curve c. */
static void sec1_der(otter_derw_t *w, const struct curve *c, const uint8_t *d, size_t dlen,
                     const uint8_t *q, size_t qlen)
{
    size_t seq = otter_derw_open(w, OTTER_DER_SEQUENCE);
    otter_derw_small_int(w, 1);
    otter_derw_tlv(w, OTTER_DER_OCTET_STRING, d, dlen);
    size_t p = otter_derw_open(w, OTTER_DER_CTX(0));
    otter_derw_tlv(w, OTTER_DER_OID, c->oid, c->oid_len);
    otter_derw_close(w, p);
    p = otter_derw_open(w, OTTER_DER_CTX(1));
    size_t bs = otter_derw_open(w, OTTER_DER_BIT_STRING);
    otter_derw_raw(w, "\0", 1);
    otter_derw_raw(w, q, qlen);
    otter_derw_close(w, bs);
    otter_derw_close(w, p);
    otter_derw_close(w, seq);
}

int otter_hkey_generate(otter_hkey_t **out, otter_hkey_type_t type, unsigned bits)
{
    *out = NULL;
    int r = otter_hostcrypto_init();
    if (r)
        return r;
    const struct curve *c = type == OTTER_HKEY_EC ? curve_by_bits(bits) : NULL;
    if ((type == OTTER_HKEY_EC && !c) || (type == OTTER_HKEY_RSA && (bits < 1024 || bits > 8192)) ||
        (type != OTTER_HKEY_EC && type != OTTER_HKEY_RSA))
        return OTTER_ERR_SIG_KEY;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&a, pair_type(type));
    psa_set_key_bits(&a, bits);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_EXPORT);
    mbedtls_svc_key_id_t id;
    psa_status_t st = psa_generate_key(&a, &id);
    if (st != PSA_SUCCESS)
        return st == PSA_ERROR_NOT_SUPPORTED ? OTTER_ERR_SIG_KEY : crypto_fail((int)st);
    uint8_t priv[PSA_EXPORT_KEY_PAIR_MAX_SIZE], pub[PSA_EXPORT_PUBLIC_KEY_MAX_SIZE];
    size_t priv_len = 0, pub_len = 0;
    otter_derw_t w;
    otter_derw_init(&w);
    st = psa_export_key(id, priv, sizeof priv, &priv_len);
    if (st == PSA_SUCCESS && c)
        st = psa_export_public_key(id, pub, sizeof pub, &pub_len);
    psa_destroy_key(id);
    otter_hkey_t *k = hkey_new();
    r = st != PSA_SUCCESS ? crypto_fail((int)st) : !k ? OTTER_ERR_CRYPTO : OTTER_OK;
    if (r == OTTER_OK) {
        /* PSA exports RSA as PKCS#1 (which PK reads as is); EC as the bare
         * scalar, which goes into a SEC1 structure first. */
        if (c)
            sec1_der(&w, c, priv, priv_len, pub, pub_len);
        else
            otter_derw_raw(&w, priv, priv_len);
        r = w.err ? OTTER_ERR_CRYPTO : parse_into(k, w.buf, w.len);
    }
    otter_wipe(priv, sizeof priv);
    otter_derw_free(&w);
    if (r) {
        otter_hkey_free(k);
        return r;
    }
    *out = k;
    return OTTER_OK;
}

int otter_hkey_ec_available(unsigned bits)
{
    /* Asking PSA to import a valid scalar is the one question every
     * version answers the same way (PSA_WANT_* macros differ in where they
     * are defined). */
    uint8_t d[66] = {0};
    const struct curve *c = curve_by_bits(bits);
    if (!c || otter_hostcrypto_init() != OTTER_OK)
        return 0;
    d[(bits + 7) / 8 - 1] = 1;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&a, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
    psa_set_key_bits(&a, c->bits);
    mbedtls_svc_key_id_t id;
    if (psa_import_key(&a, d, (bits + 7) / 8, &id) != PSA_SUCCESS)
        return 0;
    psa_destroy_key(id);
    return 1;
}

int otter_spki_verify(const uint8_t *spki, size_t spki_len, otter_hsig_t scheme,
                      otter_hash_alg_t hash, const uint8_t *digest, size_t digest_len,
                      const uint8_t *sig, size_t sig_len)
{
    otter_spki_t s;
    int r = otter_hostcrypto_init();
    if (r)
        return r;
    if (otter_spki_parse(spki, spki_len, &s) != 0 || !psa_hash(hash))
        return OTTER_ERR_SIG_KEY;
    const struct curve *c = s.type == OTTER_HKEY_EC ? curve_by_oid(&s.curve) : NULL;
    if ((s.type == OTTER_HKEY_EC) != (scheme == OTTER_HSIG_ECDSA) || (s.type == OTTER_HKEY_EC && !c))
        return OTTER_ERR_SIG_KEY;
    psa_key_attributes_t a = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&a, c ? PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1) : PSA_KEY_TYPE_RSA_PUBLIC_KEY);
    psa_set_key_usage_flags(&a, PSA_KEY_USAGE_VERIFY_HASH);
    psa_set_key_algorithm(&a, sig_alg(scheme, hash));
    mbedtls_svc_key_id_t id;
    /* The BIT STRING of an SPKI is PSA's public key format for both:
     * RSAPublicKey DER, or the uncompressed EC point. */
    psa_status_t st = psa_import_key(&a, s.key.p, s.key.len, &id);
    if (st != PSA_SUCCESS)
        return OTTER_ERR_SIG_KEY;
    st = psa_verify_hash(id, sig_alg(scheme, hash), digest, digest_len, sig, sig_len);
    psa_destroy_key(id);
    return st == PSA_SUCCESS ? OTTER_OK : OTTER_ERR_SIG_VERIFY;
}
