/* otter host PKI maker (see pki.h). Certificates are built as DER here
 * (RFC 5280) and signed with host/hostcrypto.h: no version of the crypto
 * library shapes them. */
#include "pki.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "der.h"
#include "otter/crypto.h"
#include "host_error.h"
#include "pem.h"

#define DAY 86400

static int fail(otter_pki_t *pki, int err, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(otter_pki_t *pki, int err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pki->why, sizeof pki->why, fmt, ap);
    va_end(ap);
    pki->crypto_err = code;
    if (code) {
        size_t n = strlen(pki->why);
        snprintf(pki->why + n, sizeof pki->why - n, " (crypto library: -0x%04x)", (unsigned)-code);
    }
    return err;
}

/* A failure of a host/hostcrypto.h call r. */
static int crypto_fail(otter_pki_t *pki, int r, const char *what)
{
    if (r == OTTER_ERR_CRYPTO)
        return fail(pki, r, otter_hostcrypto_last_error(), "%s failed", what);
    return fail(pki, r, 0, "%s failed: %s", what, otter_host_strerror(r));
}

void otter_pki_init(otter_pki_t *pki)
{
    memset(pki, 0, sizeof *pki);
}

void otter_pki_free(otter_pki_t *pki)
{
    memset(pki, 0, sizeof *pki);
}

void otter_pki_cert_spec_init(otter_pki_cert_spec_t *spec)
{
    memset(spec, 0, sizeof *spec);
    int64_t now = (int64_t)time(NULL);
    spec->not_before = now - DAY;
    spec->not_after = now + 365 * DAY;
    spec->basic_constraints = 1;
    spec->pathlen = -1;
}

int otter_pki_key_generate(otter_pki_t *pki, otter_hkey_t **key, otter_pki_keytype_t type,
                           unsigned rsa_bits)
{
    int r;
    *key = NULL;
    if (type == OTTER_PKI_KEY_RSA) {
        if (rsa_bits == 0)
            rsa_bits = 2048;
        if (rsa_bits < 1024 || rsa_bits > 4096)
            return fail(pki, OTTER_ERR_INVAL, 0, "RSA key size %u is not in 1024..4096", rsa_bits);
        r = otter_hkey_generate(key, OTTER_HKEY_RSA, rsa_bits);
    } else if (type == OTTER_PKI_KEY_EC_P256 || type == OTTER_PKI_KEY_EC_P384) {
        r = otter_hkey_generate(key, OTTER_HKEY_EC, type == OTTER_PKI_KEY_EC_P256 ? 256 : 384);
    } else {
        return fail(pki, OTTER_ERR_INVAL, 0, "unknown key type %d", (int)type);
    }
    return r ? crypto_fail(pki, OTTER_ERR_CRYPTO, "key generation") : 0;
}

/* Read a whole (small) file into a malloc'd buffer. */
static int read_file(otter_pki_t *pki, const char *path, uint8_t **buf, size_t *len, const char *what)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 16;
    *buf = NULL;
    if (!f)
        return fail(pki, OTTER_ERR_IO, 0, "cannot read %s file %s: %s", what, path, strerror(errno));
    uint8_t *b = malloc(cap);
    size_t n = b ? fread(b, 1, cap, f) : 0;
    int bad = !b || ferror(f) || n == cap;
    fclose(f);
    if (bad) {
        free(b);
        return fail(pki, OTTER_ERR_IO, 0, "cannot read %s file %s", what, path);
    }
    *buf = b;
    *len = n;
    return 0;
}

int otter_pki_key_load(otter_pki_t *pki, otter_hkey_t **key, const char *path)
{
    uint8_t *buf;
    size_t len;
    *key = NULL;
    int r = read_file(pki, path, &buf, &len, "key");
    if (r)
        return r;
    r = otter_hkey_parse(key, buf, len);
    otter_wipe(buf, len);
    free(buf);
    if (r == 0 && !otter_hkey_has_private(*key)) {
        otter_hkey_free(*key);
        *key = NULL;
        r = OTTER_ERR_SIG_KEY;
    }
    if (r)
        return fail(pki, OTTER_ERR_INVAL, 0, "%s is not an unencrypted private key", path);
    return 0;
}

static int write_file(otter_pki_t *pki, const char *path, const void *data, size_t len, int mode)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return fail(pki, OTTER_ERR_INVAL, 0, "path too long: %s", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0)
        return fail(pki, OTTER_ERR_IO, 0, "cannot create %s: %s", path, strerror(errno));
    const unsigned char *p = data;
    size_t left = len;
    while (left) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        p += n;
        left -= (size_t)n;
    }
    int ok = left == 0;
    ok = (close(fd) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return fail(pki, OTTER_ERR_IO, 0, "cannot write %s: %s", path, strerror(e));
    }
    return 0;
}

int otter_pki_key_save(otter_pki_t *pki, const otter_hkey_t *key, const char *path)
{
    char buf[16000];
    int r = otter_hkey_write_pem(key, 1, buf, sizeof buf);
    if (r == 0)
        r = write_file(pki, path, buf, strlen(buf), 0600);
    else
        r = fail(pki, OTTER_ERR_CRYPTO, 0, "cannot encode the key");
    otter_wipe(buf, sizeof buf);
    return r;
}

int otter_pki_cert_load(otter_pki_t *pki, otter_cert_t **crt, const char *path)
{
    uint8_t *buf, *der = NULL;
    size_t len, der_len, pos = 0;
    int r = read_file(pki, path, &buf, &len, "certificate");
    *crt = NULL;
    if (r)
        return r;
    int got = otter_pem_next((const char *)buf, len, "CERTIFICATE", &pos, &der, &der_len);
    if (got == 0 && len > 0 && buf[0] == OTTER_DER_SEQUENCE) { /* DER */
        der = buf;
        der_len = len;
        buf = NULL;
        got = 1;
    }
    r = got == 1 ? otter_cert_new(crt, der, der_len) : OTTER_ERR_CERT_NONE;
    if (der != buf)
        free(der);
    /* Any further certificate of the file must parse too. */
    for (otter_cert_t *more; r == 0 && buf && (got = otter_pem_next((const char *)buf, len, "CERTIFICATE", &pos,
                                                                      &der, &der_len)) != 0;) {
        r = got == 1 ? otter_cert_new(&more, der, der_len) : OTTER_ERR_CERT_NONE;
        otter_cert_free(more);
        free(der);
        if (r)
            otter_cert_free(*crt), *crt = NULL;
    }
    free(buf);
    return r ? fail(pki, OTTER_ERR_INVAL, 0, "%s holds a certificate that cannot be parsed, or none", path) : 0;
}

/* --- dates ----------------------------------------------------------------- */

static int parse_uint(const char **s, int digits, int *out)
{
    int v = 0;
    for (int i = 0; i < digits; i++) {
        if ((*s)[i] < '0' || (*s)[i] > '9')
            return -1;
        v = v * 10 + ((*s)[i] - '0');
    }
    *s += digits;
    *out = v;
    return 0;
}

static int parse_offset(const char *s, int64_t now, int64_t *out)
{
    int sign = *s == '-' ? -1 : 1;
    s++;
    char *end;
    errno = 0;
    long long days = strtoll(s, &end, 10);
    if (errno || end == s || (*end != 'd' && *end != 0) || (*end == 'd' && end[1] != 0) ||
        days < 0 || days > 3000000)
        return OTTER_ERR_INVAL;
    *out = now + sign * (int64_t)days * DAY;
    return 0;
}

int otter_pki_parse_time(const char *s, int64_t now, int64_t *out)
{
    if (!s || !out)
        return OTTER_ERR_INVAL;
    if (!strncmp(s, "now", 3)) {
        if (s[3] == 0) {
            *out = now;
            return 0;
        }
        s += 3;
    }
    if (*s == '+' || *s == '-')
        return parse_offset(s, now, out);
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int y, mo, d, h = 0, mi = 0, se = 0;
    if (parse_uint(&s, 4, &y) || *s++ != '-' || parse_uint(&s, 2, &mo) || *s++ != '-' ||
        parse_uint(&s, 2, &d))
        return OTTER_ERR_INVAL;
    if (*s == 'T' || *s == ' ') {
        s++;
        if (parse_uint(&s, 2, &h) || *s++ != ':' || parse_uint(&s, 2, &mi) || *s++ != ':' ||
            parse_uint(&s, 2, &se))
            return OTTER_ERR_INVAL;
        if (*s == 'Z')
            s++;
    }
    if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59)
        return OTTER_ERR_INVAL;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    time_t t = timegm(&tm);
    struct tm back;
    if (!gmtime_r(&t, &back) || back.tm_mday != d) /* 2021-02-30 and the like */
        return OTTER_ERR_INVAL;
    *out = (int64_t)t;
    return 0;
}

/* --- names ------------------------------------------------------------------- */

static const struct dn_attr {
    const char *name;
    const char *oid;
    size_t oid_len;
    uint8_t tag;
} dn_attrs[] = {
    {"CN", "\x55\x04\x03", 3, OTTER_DER_UTF8},
    {"C", "\x55\x04\x06", 3, OTTER_DER_PRINTABLE},
    {"L", "\x55\x04\x07", 3, OTTER_DER_UTF8},
    {"ST", "\x55\x04\x08", 3, OTTER_DER_UTF8},
    {"O", "\x55\x04\x0a", 3, OTTER_DER_UTF8},
    {"OU", "\x55\x04\x0b", 3, OTTER_DER_UTF8},
    {"serialNumber", "\x55\x04\x05", 3, OTTER_DER_PRINTABLE},
    {"title", "\x55\x04\x0c", 3, OTTER_DER_UTF8},
    {"emailAddress", "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x01", 9, OTTER_DER_IA5},
    {"E", "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x01", 9, OTTER_DER_IA5},
    {"DC", "\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x19", 10, OTTER_DER_IA5},
};

/* Name ::= SEQUENCE OF SET OF AttributeTypeAndValue, from "CN=x,O=y" in
 * that order, one attribute per RDN. 0 or -1. */
static int write_dn(otter_derw_t *w, const char *s)
{
    size_t seq = otter_derw_open(w, OTTER_DER_SEQUENCE);
    int n = 0;
    while (*s) {
        size_t klen = strcspn(s, "=,");
        const struct dn_attr *a = NULL;
        for (size_t i = 0; i < sizeof dn_attrs / sizeof dn_attrs[0]; i++)
            if (strlen(dn_attrs[i].name) == klen && !strncmp(s, dn_attrs[i].name, klen))
                a = &dn_attrs[i];
        if (!a || s[klen] != '=')
            return -1;
        s += klen + 1;
        char val[256];
        size_t vlen = 0;
        for (; *s && *s != ','; s++) {
            if (*s == '\\' && s[1])
                s++;
            if (vlen == sizeof val)
                return -1;
            val[vlen++] = *s;
        }
        if (vlen == 0 || (*s == ',' && !s[1]))
            return -1;
        if (*s == ',')
            s++;
        size_t set = otter_derw_open(w, OTTER_DER_SET);
        size_t atv = otter_derw_open(w, OTTER_DER_SEQUENCE);
        otter_derw_tlv(w, OTTER_DER_OID, a->oid, a->oid_len);
        otter_derw_tlv(w, a->tag, val, vlen);
        otter_derw_close(w, atv);
        otter_derw_close(w, set);
        n++;
    }
    otter_derw_close(w, seq);
    return n ? 0 : -1;
}

/* UTCTime for 1950..2049, GeneralizedTime otherwise (RFC 5280 4.1.2.5). */
static int write_time(otter_derw_t *w, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[32];
    if (!gmtime_r(&tt, &tm) || tm.tm_year + 1900 < 1950 || tm.tm_year + 1900 > 9999)
        return -1;
    int y = tm.tm_year + 1900;
    int utc = y < 2050;
    snprintf(buf, sizeof buf, "%0*d%02d%02d%02d%02d%02dZ", utc ? 2 : 4, utc ? y % 100 : y, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    otter_derw_tlv(w, utc ? OTTER_DER_UTC_TIME : OTTER_DER_GEN_TIME, buf, strlen(buf));
    return 0;
}

/* --- extensions -------------------------------------------------------------- */

#define SAN_MAX 32

/* GeneralNames from "DNS:a,IP:1.2.3.4,IP:::1": dNSName [2] IA5String and
 * iPAddress [7] OCTET STRING of 4 or 16 bytes (RFC 5280 4.2.1.6). */
static int write_san(otter_pki_t *pki, otter_derw_t *w, const char *san)
{
    size_t seq = otter_derw_open(w, OTTER_DER_SEQUENCE);
    const char *p = san;
    int n = 0;
    while (*p) {
        size_t len = strcspn(p, ",");
        char item[300];
        unsigned char ip[16];
        if (len == 0 || len >= sizeof item || n == SAN_MAX)
            return fail(pki, OTTER_ERR_INVAL, 0, "bad SAN list '%s'", san);
        memcpy(item, p, len);
        item[len] = 0;
        if (!strncmp(item, "DNS:", 4) && item[4])
            otter_derw_tlv(w, OTTER_DER_CTX_PRIM(2), item + 4, strlen(item + 4));
        else if (!strncmp(item, "IP:", 3) && inet_pton(AF_INET, item + 3, ip) == 1)
            otter_derw_tlv(w, OTTER_DER_CTX_PRIM(7), ip, 4);
        else if (!strncmp(item, "IP:", 3) && inet_pton(AF_INET6, item + 3, ip) == 1)
            otter_derw_tlv(w, OTTER_DER_CTX_PRIM(7), ip, 16);
        else
            return fail(pki, OTTER_ERR_INVAL, 0, "bad SAN entry '%s' (want DNS:name or IP:address)", item);
        n++;
        p += len + (p[len] == ',');
    }
    otter_derw_close(w, seq);
    return 0;
}

/* ExtKeyUsageSyntax ::= SEQUENCE OF KeyPurposeId. */
static int write_eku(otter_pki_t *pki, otter_derw_t *w, const char *list)
{
    static const struct {
        const char *name;
        const char *oid;
    } purposes[] = {
        {"serverAuth", "\x2b\x06\x01\x05\x05\x07\x03\x01"},
        {"clientAuth", "\x2b\x06\x01\x05\x05\x07\x03\x02"},
        {"codeSigning", "\x2b\x06\x01\x05\x05\x07\x03\x03"},
        {"OCSPSigning", "\x2b\x06\x01\x05\x05\x07\x03\x09"},
        {"any", "\x55\x1d\x25\x00"},
    };
    const size_t np = sizeof purposes / sizeof purposes[0];
    size_t seq = otter_derw_open(w, OTTER_DER_SEQUENCE), n = 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ","), i;
        for (i = 0; i < np; i++)
            if (strlen(purposes[i].name) == len && !strncmp(p, purposes[i].name, len))
                break;
        if (i == np || n == 8)
            return fail(pki, OTTER_ERR_INVAL, 0, "bad extendedKeyUsage list '%s'", list);
        otter_derw_tlv(w, OTTER_DER_OID, purposes[i].oid, strlen(purposes[i].oid));
        n++;
        p += len + (p[len] == ',');
    }
    if (n == 0)
        return fail(pki, OTTER_ERR_INVAL, 0, "empty extendedKeyUsage list");
    otter_derw_close(w, seq);
    return 0;
}

/* Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } */
static void write_ext(otter_derw_t *w, const char *oid, int critical, const otter_derw_t *val)
{
    size_t e = otter_derw_open(w, OTTER_DER_SEQUENCE);
    otter_derw_tlv(w, OTTER_DER_OID, oid, strlen(oid));
    if (critical)
        otter_derw_tlv(w, OTTER_DER_BOOLEAN, "\xff", 1);
    otter_derw_tlv(w, OTTER_DER_OCTET_STRING, val->buf, val->len);
    otter_derw_close(w, e);
    if (val->err)
        w->err = 1;
}

/* Key identifier (RFC 5280 4.2.1.2 method 1): SHA-1 of the subjectPublicKey bits. */
static int key_id(const otter_der_t *spki, uint8_t id[20])
{
    otter_spki_t k;
    if (otter_spki_parse(spki->p, spki->len, &k) != 0)
        return OTTER_ERR_SIG_KEY;
    return otter_host_hash(OTTER_HASH_SHA1, k.key.p, k.key.len, id);
}

struct tbs_parts {
    otter_der_t subject, issuer, spki, issuer_spki, issuer_ski;
    int issuer_rsa;
};

static int write_extensions(otter_pki_t *pki, otter_derw_t *w, const otter_pki_cert_spec_t *s,
                            const struct tbs_parts *t)
{
    otter_derw_t v;
    uint8_t id[20];
    int r = 0;
    size_t outer = otter_derw_open(w, OTTER_DER_CTX(3));
    size_t seq = otter_derw_open(w, OTTER_DER_SEQUENCE);
    if (s->basic_constraints) {
        otter_derw_init(&v);
        size_t bc = otter_derw_open(&v, OTTER_DER_SEQUENCE);
        if (s->ca)
            otter_derw_tlv(&v, OTTER_DER_BOOLEAN, "\xff", 1);
        if (s->ca && s->pathlen >= 0)
            otter_derw_small_int(&v, (unsigned long)s->pathlen);
        otter_derw_close(&v, bc);
        write_ext(w, OTTER_OID_EXT_BC, s->ca, &v);
        otter_derw_free(&v);
    }
    if ((r = key_id(&t->spki, id)) != 0)
        return crypto_fail(pki, r, "subjectKeyIdentifier");
    otter_derw_init(&v);
    otter_derw_tlv(&v, OTTER_DER_OCTET_STRING, id, sizeof id);
    write_ext(w, OTTER_OID_EXT_SKI, 0, &v);
    otter_derw_free(&v);
    /* authorityKeyIdentifier: the issuer's own SKI when it has one. */
    otter_der_t aki = t->issuer_ski;
    if (!aki.len) {
        if ((r = key_id(&t->issuer_spki, id)) != 0)
            return crypto_fail(pki, r, "authorityKeyIdentifier");
        aki.p = id;
        aki.len = sizeof id;
    }
    otter_derw_init(&v);
    size_t a = otter_derw_open(&v, OTTER_DER_SEQUENCE);
    otter_derw_tlv(&v, OTTER_DER_CTX_PRIM(0), aki.p, aki.len);
    otter_derw_close(&v, a);
    write_ext(w, OTTER_OID_EXT_AKI, 0, &v);
    otter_derw_free(&v);
    unsigned ku = s->key_usage;
    if (ku == 0)
        ku = s->ca ? OTTER_KU_KEY_CERT_SIGN | OTTER_KU_CRL_SIGN | OTTER_KU_DIGITAL_SIGNATURE
                   : OTTER_KU_DIGITAL_SIGNATURE | (otter_hkey_type(s->key) == OTTER_HKEY_RSA ? OTTER_KU_KEY_ENCIPHERMENT : 0);
    if (ku != OTTER_PKI_KU_NONE) {
        /* KeyUsage BIT STRING, trailing zero bits not encoded (DER). */
        uint8_t bits[2] = {0, (uint8_t)ku};
        while (bits[0] < 7 && !(ku & (1u << bits[0])))
            bits[0]++;
        otter_derw_init(&v);
        otter_derw_tlv(&v, OTTER_DER_BIT_STRING, bits, 2);
        write_ext(w, OTTER_OID_EXT_KU, 1, &v);
        otter_derw_free(&v);
    }
    if (s->eku) {
        otter_derw_init(&v);
        if ((r = write_eku(pki, &v, s->eku)) == 0)
            write_ext(w, OTTER_OID_EXT_EKU, 0, &v);
        otter_derw_free(&v);
        if (r)
            return r;
    }
    if (s->san && *s->san) {
        otter_derw_init(&v);
        if ((r = write_san(pki, &v, s->san)) == 0)
            write_ext(w, OTTER_OID_EXT_SAN, 0, &v);
        otter_derw_free(&v);
        if (r)
            return r;
    }
    otter_derw_close(w, seq);
    otter_derw_close(w, outer);
    return 0;
}

static void write_sig_alg(otter_derw_t *w, int rsa)
{
    size_t a = otter_derw_open(w, OTTER_DER_SEQUENCE);
    if (rsa) {
        otter_derw_tlv(w, OTTER_DER_OID, OTTER_OID_RSA_SHA256, OTTER_OID_LEN(OTTER_OID_RSA_SHA256));
        otter_derw_tlv(w, OTTER_DER_NULL, NULL, 0);
    } else {
        otter_derw_tlv(w, OTTER_DER_OID, OTTER_OID_ECDSA_SHA256, OTTER_OID_LEN(OTTER_OID_ECDSA_SHA256));
    }
    otter_derw_close(w, a);
}

static int write_serial(otter_pki_t *pki, otter_derw_t *w, uint64_t serial)
{
    uint8_t b[16];
    if (serial) {
        serial &= 0x7fffffffffffffffu;
        for (int i = 0; i < 8; i++)
            b[i] = (uint8_t)(serial >> (56 - 8 * i));
        otter_derw_uint(w, b, 8);
        return 0;
    }
    int r = otter_host_random(b, sizeof b);
    if (r)
        return crypto_fail(pki, r, "random serial");
    b[0] = (uint8_t)((b[0] & 0x7f) | 0x40); /* positive, full 16 bytes */
    otter_derw_uint(w, b, sizeof b);
    return 0;
}

/* TBSCertificate. */
static int write_tbs(otter_pki_t *pki, otter_derw_t *w, const otter_pki_cert_spec_t *s, const struct tbs_parts *t)
{
    size_t tbs = otter_derw_open(w, OTTER_DER_SEQUENCE);
    size_t v = otter_derw_open(w, OTTER_DER_CTX(0));
    otter_derw_small_int(w, 2); /* v3 */
    otter_derw_close(w, v);
    int r = write_serial(pki, w, s->serial);
    if (r)
        return r;
    write_sig_alg(w, t->issuer_rsa);
    otter_derw_raw(w, t->issuer.p, t->issuer.len);
    size_t val = otter_derw_open(w, OTTER_DER_SEQUENCE);
    if (write_time(w, s->not_before) || write_time(w, s->not_after))
        return fail(pki, OTTER_ERR_INVAL, 0, "validity dates must be in years 1950..9999");
    otter_derw_close(w, val);
    otter_derw_raw(w, t->subject.p, t->subject.len);
    otter_derw_raw(w, t->spki.p, t->spki.len);
    if ((r = write_extensions(pki, w, s, t)) != 0)
        return r;
    otter_derw_close(w, tbs);
    return 0;
}

/* Certificate ::= SEQUENCE { tbs, signatureAlgorithm, signatureValue BIT STRING }
 * around the TBS in tbs, signed with key. */
static int write_cert(otter_pki_t *pki, otter_derw_t *out, const otter_derw_t *tbs, const otter_hkey_t *key,
                      int rsa)
{
    uint8_t hash[32], sig[1024];
    size_t sig_len;
    int r = otter_host_hash(OTTER_HASH_SHA256, tbs->buf, tbs->len, hash);
    if (!r)
        r = otter_hkey_sign(key, rsa ? OTTER_HSIG_RSA_PKCS1 : OTTER_HSIG_ECDSA, OTTER_HASH_SHA256, hash, sizeof hash,
                            sig, sizeof sig, &sig_len);
    if (r)
        return crypto_fail(pki, r, "signing the certificate");
    size_t c = otter_derw_open(out, OTTER_DER_SEQUENCE);
    otter_derw_raw(out, tbs->buf, tbs->len);
    write_sig_alg(out, rsa);
    size_t bs = otter_derw_open(out, OTTER_DER_BIT_STRING);
    otter_derw_raw(out, "\0", 1);
    if (rsa) {
        otter_derw_raw(out, sig, sig_len);
    } else { /* ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } */
        size_t seq = otter_derw_open(out, OTTER_DER_SEQUENCE);
        otter_derw_uint(out, sig, sig_len / 2);
        otter_derw_uint(out, sig + sig_len / 2, sig_len / 2);
        otter_derw_close(out, seq);
    }
    otter_derw_close(out, bs);
    otter_derw_close(out, c);
    return 0;
}

/* Is key the key of certificate c? Compared as public key bits. */
static int key_matches(const otter_hkey_t *key, const otter_cert_t *c)
{
    uint8_t spki[2048];
    size_t n;
    otter_spki_t a, b;
    return otter_hkey_spki(key, spki, sizeof spki, &n) == 0 && otter_spki_parse(spki, n, &a) == 0 &&
           otter_spki_parse(c->x.spki.p, c->x.spki.len, &b) == 0 && a.type == b.type &&
           otter_der_eq(&a.key, b.key.p, b.key.len) && otter_der_eq(&a.curve, b.curve.p, b.curve.len);
}

int otter_pki_cert_make(otter_pki_t *pki, const otter_pki_cert_spec_t *s, char *pem, size_t pem_size,
                        size_t *pem_len)
{
    pki->why[0] = 0;
    pki->crypto_err = 0;
    if (!s || !pem || !s->key || (!s->subject && !s->subject_from) || (!s->issuer_cert) != (!s->issuer_key))
        return fail(pki, OTTER_ERR_INVAL, 0, "need a key, a subject, and the issuer's certificate and key together");
    if (s->issuer_cert && !key_matches(s->issuer_key, s->issuer_cert))
        return fail(pki, OTTER_ERR_INVAL, 0, "the issuer key does not belong to the issuer certificate");
    if (s->not_after < s->not_before)
        return fail(pki, OTTER_ERR_INVAL, 0, "notAfter is before notBefore");
    const otter_hkey_t *signer = s->issuer_key ? s->issuer_key : s->key;
    if (!otter_hkey_has_private(signer))
        return fail(pki, OTTER_ERR_INVAL, 0, "the signing key has no private part");
    otter_derw_t name, tbs, cert;
    otter_derw_init(&name);
    otter_derw_init(&tbs);
    otter_derw_init(&cert);
    uint8_t spki[2048];
    size_t spki_len;
    struct tbs_parts t;
    memset(&t, 0, sizeof t);
    int r = 0;
    if (s->subject_from) {
        t.subject = s->subject_from->x.subject;
    } else if (write_dn(&name, s->subject) != 0) {
        r = fail(pki, OTTER_ERR_INVAL, 0, "bad subject name '%s'", s->subject);
        goto out;
    } else {
        t.subject.p = name.buf;
        t.subject.len = name.len;
    }
    if (otter_hkey_spki(s->key, spki, sizeof spki, &spki_len) != 0) {
        r = fail(pki, OTTER_ERR_INVAL, 0, "the subject key is empty");
        goto out;
    }
    t.spki.p = spki;
    t.spki.len = spki_len;
    if (s->issuer_cert) {
        t.issuer = s->issuer_cert->x.subject;
        t.issuer_spki = s->issuer_cert->x.spki;
        t.issuer_ski = s->issuer_cert->x.ski;
    } else {
        t.issuer = t.subject; /* self-signed: same bytes */
        t.issuer_spki = t.spki;
    }
    t.issuer_rsa = otter_hkey_type(signer) == OTTER_HKEY_RSA;
    if ((r = write_tbs(pki, &tbs, s, &t)) != 0 || (r = write_cert(pki, &cert, &tbs, signer, t.issuer_rsa)) != 0)
        goto out;
    if (name.err || tbs.err || cert.err) {
        r = fail(pki, OTTER_ERR_CRYPTO, 0, "out of memory");
        goto out;
    }
    char *text = otter_pem_encode("CERTIFICATE", cert.buf, cert.len);
    if (!text) {
        r = fail(pki, OTTER_ERR_CRYPTO, 0, "out of memory");
    } else if (strlen(text) + 1 > pem_size) {
        r = fail(pki, OTTER_ERR_BUF_TOO_SMALL, 0, "PEM buffer of %zu bytes too small", pem_size);
    } else {
        memcpy(pem, text, strlen(text) + 1);
        if (pem_len)
            *pem_len = strlen(text);
    }
    free(text);
out:
    otter_derw_free(&name);
    otter_derw_free(&tbs);
    otter_derw_free(&cert);
    return r;
}

/* --- demo PKI ------------------------------------------------------------- */

static int demo_path(otter_pki_t *pki, char *out, size_t size, const char *dir, const char *name)
{
    if (snprintf(out, size, "%s/%s", dir, name) >= (int)size)
        return fail(pki, OTTER_ERR_INVAL, 0, "path too long: %s", dir);
    return 0;
}

struct demo {
    otter_hkey_t *ca_key, *srv_key;
    otter_cert_t *ca_crt;
    char ca_pem[4096], srv_pem[4096];
    char path[4096];
};

/* Parse the single certificate of a PEM text. */
static int pem_cert(otter_pki_t *pki, const char *pem, otter_cert_t **out)
{
    uint8_t *der;
    size_t len, pos = 0;
    *out = NULL;
    if (otter_pem_next(pem, strlen(pem), "CERTIFICATE", &pos, &der, &len) != 1)
        return fail(pki, OTTER_ERR_CRYPTO, 0, "cannot re-read a certificate made");
    int r = otter_cert_new(out, der, len);
    free(der);
    return r ? fail(pki, OTTER_ERR_CRYPTO, 0, "cannot re-read a certificate made") : 0;
}

static int demo_make(otter_pki_t *pki, struct demo *d, const char *dir, const char *extra_san,
                     int64_t now)
{
    otter_pki_cert_spec_t s;
    int r = otter_pki_key_generate(pki, &d->ca_key, OTTER_PKI_KEY_EC_P256, 0);
    if (!r)
        r = otter_pki_key_generate(pki, &d->srv_key, OTTER_PKI_KEY_EC_P256, 0);
    if (r)
        return r;
    otter_pki_cert_spec_init(&s);
    s.subject = "CN=otter demo root CA,O=otter demo";
    s.key = d->ca_key;
    s.not_before = now - DAY;
    s.not_after = now + 3652 * DAY;
    s.ca = 1;
    if ((r = otter_pki_cert_make(pki, &s, d->ca_pem, sizeof d->ca_pem, NULL)) != 0 ||
        (r = pem_cert(pki, d->ca_pem, &d->ca_crt)) != 0)
        return r;
    char san[1024];
    snprintf(san, sizeof san, "DNS:localhost,IP:127.0.0.1,IP:::1%s%s",
             extra_san && *extra_san ? "," : "", extra_san ? extra_san : "");
    otter_pki_cert_spec_init(&s);
    s.subject = "CN=localhost,O=otter demo";
    s.key = d->srv_key;
    s.issuer_cert = d->ca_crt;
    s.issuer_key = d->ca_key;
    s.not_before = now - DAY;
    s.not_after = now + 825 * DAY;
    s.san = san;
    if ((r = otter_pki_cert_make(pki, &s, d->srv_pem, sizeof d->srv_pem, NULL)) != 0)
        return r;

    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return fail(pki, OTTER_ERR_IO, 0, "cannot create %s: %s", dir, strerror(errno));
    char chain[8192];
    snprintf(chain, sizeof chain, "%s%s", d->srv_pem, d->ca_pem);
    if ((r = demo_path(pki, d->path, sizeof d->path, dir, "ca.key")) ||
        (r = otter_pki_key_save(pki, d->ca_key, d->path)) ||
        (r = demo_path(pki, d->path, sizeof d->path, dir, "ca.pem")) ||
        (r = write_file(pki, d->path, d->ca_pem, strlen(d->ca_pem), 0644)) ||
        (r = demo_path(pki, d->path, sizeof d->path, dir, "server.key")) ||
        (r = otter_pki_key_save(pki, d->srv_key, d->path)) ||
        (r = demo_path(pki, d->path, sizeof d->path, dir, "server.pem")) ||
        (r = write_file(pki, d->path, d->srv_pem, strlen(d->srv_pem), 0644)) ||
        (r = demo_path(pki, d->path, sizeof d->path, dir, "chain.pem")) ||
        (r = write_file(pki, d->path, chain, strlen(chain), 0644)))
        return r;
    return 0;
}

int otter_pki_demo(otter_pki_t *pki, const char *dir, const char *extra_san, int64_t now)
{
    if (!dir || !*dir)
        return fail(pki, OTTER_ERR_INVAL, 0, "no directory");
    struct demo *d = calloc(1, sizeof *d);
    if (!d)
        return fail(pki, OTTER_ERR_CRYPTO, 0, "out of memory");
    int r = demo_make(pki, d, dir, extra_san, now);
    otter_hkey_free(d->ca_key);
    otter_hkey_free(d->srv_key);
    otter_cert_free(d->ca_crt);
    free(d);
    return r;
}
