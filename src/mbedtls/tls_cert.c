/* Describing an mbedTLS certificate for a report. Everything but the
 * signature check comes from otter's own DER reader (src/tls_der.c), so a
 * certificate is described the same on every mbedTLS version and no
 * private field is read; the self-signed check verifies the certificate's
 * signature with its own key through PSA. */
#include <string.h>

#include "otter/crypto.h"
#include "otter/error.h"
#include "tls_der.h"
#include "tls_mbedtls.h"

#define OID(lit) (otter_der_t){(const uint8_t *)(lit), sizeof(lit) - 1}

static int oid_eq(otter_der_t a, otter_der_t b)
{
    return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

/* The hash of a signature algorithm, and whether it is RSA (PKCS#1 v1.5
 * or PSS) or ECDSA. 0 when not one otter checks. */
static psa_algorithm_t sig_alg(const otter_x509_t *x, int *ecdsa)
{
    static const struct {
        const char *oid;
        size_t len;
        psa_algorithm_t alg;
        int ecdsa;
    } algs[] = {
        {"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x05", 9, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_1), 0},
        {"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b", 9, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256), 0},
        {"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0c", 9, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_384), 0},
        {"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0d", 9, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_512), 0},
        {"\x2a\x86\x48\xce\x3d\x04\x01", 7, PSA_ALG_ECDSA(PSA_ALG_SHA_1), 1},
        {"\x2a\x86\x48\xce\x3d\x04\x03\x02", 8, PSA_ALG_ECDSA(PSA_ALG_SHA_256), 1},
        {"\x2a\x86\x48\xce\x3d\x04\x03\x03", 8, PSA_ALG_ECDSA(PSA_ALG_SHA_384), 1},
        {"\x2a\x86\x48\xce\x3d\x04\x03\x04", 8, PSA_ALG_ECDSA(PSA_ALG_SHA_512), 1},
    };
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
        if (oid_eq(x->sig_alg, (otter_der_t){(const uint8_t *)algs[i].oid, algs[i].len})) {
            *ecdsa = algs[i].ecdsa;
            return algs[i].alg;
        }
    }
    if (oid_eq(x->sig_alg, OID("\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0a"))) { /* RSASSA-PSS */
        static const char *const hashes[] = {"\x60\x86\x48\x01\x65\x03\x04\x02\x01",
                                             "\x60\x86\x48\x01\x65\x03\x04\x02\x02",
                                             "\x60\x86\x48\x01\x65\x03\x04\x02\x03"};
        static const psa_algorithm_t hash_algs[] = {PSA_ALG_SHA_256, PSA_ALG_SHA_384, PSA_ALG_SHA_512};
        for (size_t h = 0; h < 3; h++) {
            for (size_t i = 0; i + 9 <= x->sig_params.len; i++) {
                if (memcmp(x->sig_params.p + i, hashes[h], 9) == 0) {
                    *ecdsa = 0;
                    return PSA_ALG_RSA_PSS_ANY_SALT(hash_algs[h]);
                }
            }
        }
    }
    return 0;
}

/* DER INTEGER at *p into a size-byte big-endian field. */
static int der_int_fixed(const uint8_t **p, const uint8_t *end, uint8_t *out, size_t size)
{
    if (end - *p < 2 || (*p)[0] != 0x02 || (*p)[1] >= 0x80) {
        return -1;
    }
    size_t len = (*p)[1];
    const uint8_t *v = *p + 2;
    if ((size_t)(end - v) < len) {
        return -1;
    }
    *p = v + len;
    while (len > size && *v == 0) {
        v++;
        len--;
    }
    if (len > size) {
        return -1;
    }
    memset(out, 0, size - len);
    memcpy(out + size - len, v, len);
    return 0;
}

/* ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } into r || s. */
static int ecdsa_raw(otter_der_t sig, uint8_t *out, size_t size)
{
    const uint8_t *p = sig.p, *end = sig.p + sig.len;
    if (sig.len < 2 || p[0] != 0x30 || p[1] >= 0x80 || (size_t)p[1] + 2 != sig.len) {
        return -1;
    }
    p += 2;
    return der_int_fixed(&p, end, out, size) || der_int_fixed(&p, end, out + size, size) || p != end ? -1 : 0;
}

static int verifies_itself(const otter_x509_t *x)
{
    int ecdsa = 0;
    psa_algorithm_t alg = sig_alg(x, &ecdsa);
    psa_algorithm_t hash_alg = PSA_ALG_SIGN_GET_HASH(alg);
    uint8_t hash[64], raw[2 * 66];
    size_t hash_len = 0, bits = 0;
    const uint8_t *sig = x->sig.p;
    size_t sig_len = x->sig.len;
    psa_key_type_t type = PSA_KEY_TYPE_RSA_PUBLIC_KEY;
    if (!alg || psa_crypto_init() != PSA_SUCCESS ||
        psa_hash_compute(hash_alg, x->tbs.p, x->tbs.len, hash, sizeof hash, &hash_len) != PSA_SUCCESS) {
        return 0;
    }
    if (ecdsa) {
        otter_tls_cert_info_t info;
        otter_x509_describe(x, &info);
        bits = info.key_bits;
        size_t size = (bits + 7) / 8;
        if (info.key_type != OTTER_TLS_KEY_EC || !size || 2 * size > sizeof raw || ecdsa_raw(x->sig, raw, size)) {
            return 0;
        }
        type = PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1);
        sig = raw;
        sig_len = 2 * size;
    }
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, type);
    psa_set_key_bits(&attr, bits);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_VERIFY_HASH);
    psa_set_key_algorithm(&attr, alg);
    mbedtls_svc_key_id_t key = MBEDTLS_SVC_KEY_ID_INIT;
    int ok = psa_import_key(&attr, x->key.p, x->key.len, &key) == PSA_SUCCESS &&
             psa_verify_hash(key, alg, hash, hash_len, sig, sig_len) == PSA_SUCCESS;
    (void)psa_destroy_key(key);
    psa_reset_key_attributes(&attr);
    return ok;
}

static void describe_der(const uint8_t *der, size_t len, otter_tls_cert_info_t *info)
{
    otter_x509_t x;
    if (otter_x509_parse(der, len, &x) != OTTER_OK) {
        memset(info, 0, sizeof *info);
        info->path_len = -1;
        return;
    }
    otter_x509_describe(&x, info);
    info->self_signed = (uint8_t)(info->self_signed && verifies_itself(&x));
}

void otter_tls_cert_describe(const mbedtls_x509_crt *crt, otter_tls_cert_info_t *info)
{
    describe_der(crt->raw.p, crt->raw.len, info);
}

int otter_tls_spki_sha256(const mbedtls_x509_crt *crt, uint8_t out[32])
{
    return otter_sha256(crt->pk_raw.p, crt->pk_raw.len, out);
}

int otter_tls_cert_info_der(const uint8_t *der, size_t len, otter_tls_cert_info_t *info, int *backend_err)
{
    if (!der || !info) {
        return OTTER_ERR_INVAL;
    }
    /* mbedTLS decides what is a certificate (the device would refuse the
     * others); otter's reader must agree before anything is described. */
    otter_x509_t x;
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int ret = psa_crypto_init() == PSA_SUCCESS ? mbedtls_x509_crt_parse_der(&crt, der, len) : -1;
    mbedtls_x509_crt_free(&crt);
    if (backend_err) {
        *backend_err = ret;
    }
    if (ret != 0 || otter_x509_parse(der, len, &x) != OTTER_OK) {
        return OTTER_ERR_TLS_CONFIG;
    }
    describe_der(der, len, info);
    return OTTER_OK;
}
