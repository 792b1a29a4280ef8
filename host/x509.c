/* host/x509: certificates and public keys from their DER (see x509.h). */
#include "x509.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_error.h"

#define OID_IS(span, lit) otter_der_eq(&(span), lit, OTTER_OID_LEN(lit))

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const uint8_t *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ. */
static int parse_time(otter_der_t *in, int64_t *out)
{
    uint8_t tag;
    otter_der_t t;
    if (otter_der_next(in, &tag, &t, NULL))
        return -1;
    int y;
    const uint8_t *p = t.p;
    if (tag == OTTER_DER_UTC_TIME && t.len == 13) {
        y = digits(p, 2);
        y += y < 50 ? 2000 : 1900;
        p += 2;
    } else if (tag == OTTER_DER_GEN_TIME && t.len == 15) {
        y = digits(p, 4);
        p += 4;
    } else {
        return -1;
    }
    int mo = digits(p, 2), d = digits(p + 2, 2), h = digits(p + 4, 2), mi = digits(p + 6, 2),
        s = digits(p + 8, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 ||
        s > 60 || p[10] != 'Z')
        return -1;
    *out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + s;
    return 0;
}

static void sig_algorithm(otter_crt_t *x, otter_der_t params)
{
    static const struct {
        const char *oid;
        size_t len;
        otter_hsig_t scheme;
        otter_hash_alg_t hash;
    } algs[] = {
        {OTTER_OID_RSA_SHA1, OTTER_OID_LEN(OTTER_OID_RSA_SHA1), OTTER_HSIG_RSA_PKCS1, OTTER_HASH_SHA1},
        {OTTER_OID_RSA_SHA256, OTTER_OID_LEN(OTTER_OID_RSA_SHA256), OTTER_HSIG_RSA_PKCS1, OTTER_HASH_SHA256},
        {OTTER_OID_RSA_SHA384, OTTER_OID_LEN(OTTER_OID_RSA_SHA384), OTTER_HSIG_RSA_PKCS1, OTTER_HASH_SHA384},
        {OTTER_OID_RSA_SHA512, OTTER_OID_LEN(OTTER_OID_RSA_SHA512), OTTER_HSIG_RSA_PKCS1, OTTER_HASH_SHA512},
        {OTTER_OID_ECDSA_SHA1, OTTER_OID_LEN(OTTER_OID_ECDSA_SHA1), OTTER_HSIG_ECDSA, OTTER_HASH_SHA1},
        {OTTER_OID_ECDSA_SHA256, OTTER_OID_LEN(OTTER_OID_ECDSA_SHA256), OTTER_HSIG_ECDSA, OTTER_HASH_SHA256},
        {OTTER_OID_ECDSA_SHA384, OTTER_OID_LEN(OTTER_OID_ECDSA_SHA384), OTTER_HSIG_ECDSA, OTTER_HASH_SHA384},
        {OTTER_OID_ECDSA_SHA512, OTTER_OID_LEN(OTTER_OID_ECDSA_SHA512), OTTER_HSIG_ECDSA, OTTER_HASH_SHA512},
    };
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
        if (otter_der_eq(&x->sig_oid, algs[i].oid, algs[i].len)) {
            x->sig_scheme = algs[i].scheme;
            x->sig_hash = algs[i].hash;
            return;
        }
    if (!OID_IS(x->sig_oid, OTTER_OID_RSA_PSS))
        return;
    /* RSASSA-PSS-params: [0] hash, [1] MGF1(same hash), [2] saltLength.
     * Checked here only with SHA-2 and salt = hash length (what PSA does). */
    otter_der_t seq, h, halg, hoid, salt;
    long slen = -1;
    if (otter_der_expect(&params, OTTER_DER_SEQUENCE, &seq) || otter_der_expect(&seq, OTTER_DER_CTX(0), &h) ||
        otter_der_expect(&h, OTTER_DER_SEQUENCE, &halg) || otter_der_expect(&halg, OTTER_DER_OID, &hoid))
        return;
    otter_hash_alg_t hash = OID_IS(hoid, OTTER_OID_SHA256)   ? OTTER_HASH_SHA256
                            : OID_IS(hoid, OTTER_OID_SHA384) ? OTTER_HASH_SHA384
                            : OID_IS(hoid, OTTER_OID_SHA512) ? OTTER_HASH_SHA512
                                                             : OTTER_HASH_NONE;
    (void)otter_der_expect(&seq, OTTER_DER_CTX(1), &h);
    if (otter_der_expect(&seq, OTTER_DER_CTX(2), &h) == 0 && otter_der_expect(&h, OTTER_DER_INTEGER, &salt) == 0)
        (void)otter_der_small_int(&salt, &slen);
    if (hash != OTTER_HASH_NONE && (size_t)slen == otter_hash_len(hash)) {
        x->sig_scheme = OTTER_HSIG_RSA_PSS;
        x->sig_hash = hash;
    }
}

static int extension(otter_crt_t *x, otter_der_t ext)
{
    otter_der_t oid, val, v, b;
    uint8_t tag;
    if (otter_der_expect(&ext, OTTER_DER_OID, &oid))
        return -1;
    (void)otter_der_expect(&ext, OTTER_DER_BOOLEAN, &b); /* critical: not needed here */
    if (otter_der_expect(&ext, OTTER_DER_OCTET_STRING, &val))
        return -1;
    if (OID_IS(oid, OTTER_OID_EXT_BC)) {
        /* BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLen INTEGER OPTIONAL } */
        long pl;
        if (otter_der_expect(&val, OTTER_DER_SEQUENCE, &v))
            return -1;
        x->has_basic_constraints = 1;
        if (otter_der_expect(&v, OTTER_DER_BOOLEAN, &b) == 0)
            x->is_ca = b.len == 1 && b.p[0] != 0;
        if (otter_der_expect(&v, OTTER_DER_INTEGER, &b) == 0) {
            if (otter_der_small_int(&b, &pl) || pl > 127)
                return -1;
            x->pathlen = (int)pl;
        }
    } else if (OID_IS(oid, OTTER_OID_EXT_KU)) {
        if (otter_der_expect(&val, OTTER_DER_BIT_STRING, &v) || v.len < 1)
            return -1;
        x->has_key_usage = 1;
        x->key_usage = v.len > 1 ? v.p[1] : 0;
    } else if (OID_IS(oid, OTTER_OID_EXT_SAN)) {
        if (otter_der_expect(&val, OTTER_DER_SEQUENCE, &x->san))
            return -1;
    } else if (OID_IS(oid, OTTER_OID_EXT_EKU)) {
        if (otter_der_expect(&val, OTTER_DER_SEQUENCE, &x->eku))
            return -1;
    } else if (OID_IS(oid, OTTER_OID_EXT_SKI)) {
        if (otter_der_expect(&val, OTTER_DER_OCTET_STRING, &x->ski))
            return -1;
    } else if (OID_IS(oid, OTTER_OID_EXT_AKI)) {
        if (otter_der_expect(&val, OTTER_DER_SEQUENCE, &v))
            return -1;
        if (otter_der_next(&v, &tag, &b, NULL) == 0 && tag == OTTER_DER_CTX_PRIM(0))
            x->aki = b;
    }
    return 0;
}

static int tbs_parse(otter_crt_t *x, otter_der_t tbs)
{
    otter_der_t v, alg, validity, exts, ext;
    uint8_t tag;
    long ver = 0;
    x->version = 1;
    if (otter_der_expect(&tbs, OTTER_DER_CTX(0), &v) == 0) {
        otter_der_t n;
        if (otter_der_expect(&v, OTTER_DER_INTEGER, &n) || otter_der_small_int(&n, &ver) || ver > 2)
            return -1;
        x->version = (int)ver + 1;
    }
    if (otter_der_expect(&tbs, OTTER_DER_INTEGER, &x->serial) || otter_der_expect(&tbs, OTTER_DER_SEQUENCE, &alg) ||
        otter_der_next(&tbs, &tag, NULL, &x->issuer) || tag != OTTER_DER_SEQUENCE ||
        otter_der_expect(&tbs, OTTER_DER_SEQUENCE, &validity) || parse_time(&validity, &x->not_before) ||
        parse_time(&validity, &x->not_after) || otter_der_next(&tbs, &tag, NULL, &x->subject) ||
        tag != OTTER_DER_SEQUENCE || otter_der_next(&tbs, &tag, NULL, &x->spki) || tag != OTTER_DER_SEQUENCE)
        return -1;
    while (tbs.len) {
        if (otter_der_next(&tbs, &tag, &v, NULL))
            return -1;
        if (tag != OTTER_DER_CTX(3))
            continue; /* issuerUniqueID, subjectUniqueID */
        if (otter_der_expect(&v, OTTER_DER_SEQUENCE, &exts))
            return -1;
        while (exts.len)
            if (otter_der_expect(&exts, OTTER_DER_SEQUENCE, &ext) || extension(x, ext))
                return -1;
    }
    return 0;
}

int otter_crt_parse(const uint8_t *der, size_t len, otter_crt_t *x)
{
    otter_der_t in = {der, len}, cert, tbs, alg, bits;
    uint8_t tag;
    memset(x, 0, sizeof *x);
    x->pathlen = -1;
    if (otter_der_next(&in, &tag, &cert, &x->raw) || tag != OTTER_DER_SEQUENCE || in.len != 0 ||
        otter_der_next(&cert, &tag, &tbs, &x->tbs) || tag != OTTER_DER_SEQUENCE ||
        otter_der_expect(&cert, OTTER_DER_SEQUENCE, &alg) || otter_der_expect(&alg, OTTER_DER_OID, &x->sig_oid) ||
        otter_der_expect(&cert, OTTER_DER_BIT_STRING, &bits) || bits.len < 1 || bits.p[0] != 0)
        return -1;
    x->sig.p = bits.p + 1;
    x->sig.len = bits.len - 1;
    sig_algorithm(x, alg);
    return tbs_parse(x, tbs);
}

int otter_crt_name_attr(const otter_der_t *name, const char *oid, size_t oid_len, otter_der_t *val)
{
    otter_der_t in = *name, rdns, set, atv, o;
    uint8_t tag;
    if (otter_der_expect(&in, OTTER_DER_SEQUENCE, &rdns))
        return -1;
    while (otter_der_expect(&rdns, OTTER_DER_SET, &set) == 0)
        while (otter_der_expect(&set, OTTER_DER_SEQUENCE, &atv) == 0)
            if (otter_der_expect(&atv, OTTER_DER_OID, &o) == 0 && otter_der_eq(&o, oid, oid_len) &&
                otter_der_next(&atv, &tag, val, NULL) == 0)
                return 0;
    return -1;
}

int otter_crt_san_next(otter_der_t *it, int *type, otter_der_t *val)
{
    uint8_t tag;
    if (!it->len || otter_der_next(it, &tag, val, NULL))
        return 0;
    *type = tag & 0x1f;
    return 1;
}

void otter_crt_altnames(const otter_crt_t *x, char *out, size_t cap)
{
    otter_der_t it = x->san, v;
    int type;
    size_t n = 0;
    if (!cap)
        return;
    out[0] = 0;
    while (n < cap && otter_crt_san_next(&it, &type, &v)) {
        char item[300];
        char ip[INET6_ADDRSTRLEN];
        if (type == 2) {
            snprintf(item, sizeof item, "DNS:%.*s", (int)(v.len < 253 ? v.len : 253), (const char *)v.p);
        } else if (type == 7 && (v.len == 4 || v.len == 16) &&
                   inet_ntop(v.len == 4 ? AF_INET : AF_INET6, v.p, ip, sizeof ip)) {
            snprintf(item, sizeof item, "IP:%s", ip);
        } else {
            snprintf(item, sizeof item, "other:%d", type);
        }
        for (char *c = item; *c; c++)
            if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
                *c = '?';
        int w = snprintf(out + n, cap - n, "%s%s", n ? ", " : "", item);
        n = w < 0 ? cap : n + (size_t)w;
    }
}

/* Curve size in bytes of an EC public key. */
static size_t ec_bytes(const otter_spki_t *k)
{
    if (otter_der_eq(&k->curve, OTTER_OID_SECP192R1, OTTER_OID_LEN(OTTER_OID_SECP192R1)))
        return 24;
    if (otter_der_eq(&k->curve, OTTER_OID_SECP256R1, OTTER_OID_LEN(OTTER_OID_SECP256R1)))
        return 32;
    if (otter_der_eq(&k->curve, OTTER_OID_SECP384R1, OTTER_OID_LEN(OTTER_OID_SECP384R1)))
        return 48;
    if (otter_der_eq(&k->curve, OTTER_OID_SECP521R1, OTTER_OID_LEN(OTTER_OID_SECP521R1)))
        return 66;
    return 0;
}

/* ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } to r || s. */
static int ecdsa_raw(otter_der_t sig, size_t n, uint8_t *out)
{
    otter_der_t seq, r, s;
    if (otter_der_expect(&sig, OTTER_DER_SEQUENCE, &seq) || otter_der_expect(&seq, OTTER_DER_INTEGER, &r) ||
        otter_der_expect(&seq, OTTER_DER_INTEGER, &s) || seq.len || sig.len)
        return -1;
    r = otter_der_uint(r);
    s = otter_der_uint(s);
    if (r.len > n || s.len > n)
        return -1;
    memset(out, 0, 2 * n);
    memcpy(out + n - r.len, r.p, r.len);
    memcpy(out + 2 * n - s.len, s.p, s.len);
    return 0;
}

int otter_crt_signed_by(const otter_crt_t *child, const otter_crt_t *parent)
{
    uint8_t hash[64], raw[2 * 66];
    otter_spki_t k;
    const uint8_t *sig = child->sig.p;
    size_t sig_len = child->sig.len;
    if (!child->sig_scheme || otter_spki_parse(parent->spki.p, parent->spki.len, &k) != 0 ||
        otter_host_hash(child->sig_hash, child->tbs.p, child->tbs.len, hash) != 0)
        return 0;
    if (child->sig_scheme == OTTER_HSIG_ECDSA) {
        size_t n = ec_bytes(&k);
        if (!n || ecdsa_raw(child->sig, n, raw) != 0)
            return 0;
        sig = raw;
        sig_len = 2 * n;
    }
    return otter_spki_verify(parent->spki.p, parent->spki.len, child->sig_scheme, child->sig_hash, hash,
                             otter_hash_len(child->sig_hash), sig, sig_len) == 0;
}

int otter_cert_new(otter_cert_t **out, const uint8_t *der, size_t len)
{
    *out = NULL;
    otter_cert_t *c = calloc(1, sizeof *c);
    uint8_t *copy = malloc(len ? len : 1);
    if (!c || !copy) {
        free(c);
        free(copy);
        return OTTER_ERR_CERT_NONE;
    }
    memcpy(copy, der, len);
    c->der = copy;
    c->der_len = len;
    if (otter_crt_parse(copy, len, &c->x) != 0 || otter_tls_cert_info_der(copy, len, &c->info, NULL) != 0) {
        otter_cert_free(c);
        return OTTER_ERR_CERT_NONE;
    }
    c->self_signed = otter_der_eq(&c->x.subject, c->x.issuer.p, c->x.issuer.len) && otter_crt_signed_by(&c->x, &c->x);
    *out = c;
    return 0;
}

void otter_cert_free(otter_cert_t *c)
{
    if (!c)
        return;
    free(c->der);
    free(c);
}
