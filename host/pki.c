/* otter host PKI maker (see pki.h). */
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

#include <mbedtls/asn1write.h>
#include <mbedtls/base64.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/rsa.h>
#include <mbedtls/x509.h>

#include "otter/error.h"

#define DAY 86400

static int fail(otter_pki_t *pki, int err, int mbed, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(otter_pki_t *pki, int err, int mbed, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pki->why, sizeof pki->why, fmt, ap);
    va_end(ap);
    pki->mbedtls_err = mbed;
    if (mbed) {
        size_t n = strlen(pki->why);
        snprintf(pki->why + n, sizeof pki->why - n, " (mbedTLS -0x%04x)", (unsigned)-mbed);
    }
    return err;
}

void otter_pki_init(otter_pki_t *pki)
{
    memset(pki, 0, sizeof *pki);
    mbedtls_entropy_init(&pki->entropy);
    mbedtls_ctr_drbg_init(&pki->drbg);
}

void otter_pki_free(otter_pki_t *pki)
{
    mbedtls_ctr_drbg_free(&pki->drbg);
    mbedtls_entropy_free(&pki->entropy);
    memset(pki, 0, sizeof *pki);
}

static int seed(otter_pki_t *pki)
{
    if (pki->seeded)
        return 0;
    static const unsigned char pers[] = "otter-pki";
    int r = mbedtls_ctr_drbg_seed(&pki->drbg, mbedtls_entropy_func, &pki->entropy, pers,
                                  sizeof pers - 1);
    if (r)
        return fail(pki, OTTER_ERR_CRYPTO, r, "cannot seed the random generator");
    pki->seeded = 1;
    return 0;
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

int otter_pki_key_generate(otter_pki_t *pki, mbedtls_pk_context *key, otter_pki_keytype_t type,
                           unsigned rsa_bits)
{
    int r = seed(pki);
    if (r)
        return r;
    if (type == OTTER_PKI_KEY_RSA) {
        if (rsa_bits == 0)
            rsa_bits = 2048;
        if (rsa_bits < 1024 || rsa_bits > 8192)
            return fail(pki, OTTER_ERR_INVAL, 0, "RSA key size %u is not in 1024..8192", rsa_bits);
        r = mbedtls_pk_setup(key, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA));
        if (!r)
            r = mbedtls_rsa_gen_key(mbedtls_pk_rsa(*key), mbedtls_ctr_drbg_random, &pki->drbg,
                                    rsa_bits, 65537);
    } else if (type == OTTER_PKI_KEY_EC_P256 || type == OTTER_PKI_KEY_EC_P384) {
        mbedtls_ecp_group_id grp =
            type == OTTER_PKI_KEY_EC_P256 ? MBEDTLS_ECP_DP_SECP256R1 : MBEDTLS_ECP_DP_SECP384R1;
        r = mbedtls_pk_setup(key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
        if (!r)
            r = mbedtls_ecp_gen_key(grp, mbedtls_pk_ec(*key), mbedtls_ctr_drbg_random, &pki->drbg);
    } else {
        return fail(pki, OTTER_ERR_INVAL, 0, "unknown key type %d", (int)type);
    }
    if (r)
        return fail(pki, OTTER_ERR_CRYPTO, r, "key generation failed");
    return 0;
}

int otter_pki_key_load(otter_pki_t *pki, mbedtls_pk_context *key, const char *path)
{
    int r = mbedtls_pk_parse_keyfile(key, path, NULL);
    if (r == MBEDTLS_ERR_PK_FILE_IO_ERROR)
        return fail(pki, OTTER_ERR_IO, r, "cannot read key file %s", path);
    if (r)
        return fail(pki, OTTER_ERR_INVAL, r, "%s is not an unencrypted private key", path);
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

int otter_pki_key_save(otter_pki_t *pki, mbedtls_pk_context *key, const char *path)
{
    unsigned char buf[16000];
    int r = mbedtls_pk_write_key_pem(key, buf, sizeof buf);
    if (r) {
        mbedtls_platform_zeroize(buf, sizeof buf);
        return fail(pki, OTTER_ERR_CRYPTO, r, "cannot encode the key");
    }
    r = write_file(pki, path, buf, strlen((char *)buf), 0600);
    mbedtls_platform_zeroize(buf, sizeof buf);
    return r;
}

int otter_pki_cert_load(otter_pki_t *pki, mbedtls_x509_crt *crt, const char *path)
{
    int r = mbedtls_x509_crt_parse_file(crt, path);
    if (r == MBEDTLS_ERR_X509_FILE_IO_ERROR || r == MBEDTLS_ERR_PK_FILE_IO_ERROR)
        return fail(pki, OTTER_ERR_IO, r, "cannot read certificate file %s", path);
    if (r < 0)
        return fail(pki, OTTER_ERR_INVAL, r, "%s holds no valid certificate", path);
    if (r > 0)
        return fail(pki, OTTER_ERR_INVAL, 0, "%s: %d certificate(s) could not be parsed", path, r);
    return 0;
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

/* "YYYYMMDDhhmmss" as mbedtls_x509write_crt_set_validity wants it. */
static int format_time(int64_t t, char out[15])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || tm.tm_year + 1900 < 1950 || tm.tm_year + 1900 > 9999)
        return -1;
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    memcpy(out, tmp, 14);
    out[14] = 0;
    return 0;
}

/* --- names and extensions ------------------------------------------------- */

/* Replace *dst with a copy of a parsed name, keeping the string tags. The
 * writer emits its list in reverse, so prepend to reverse the parsed order. */
static int copy_name(mbedtls_asn1_named_data **dst, const mbedtls_x509_name *src)
{
    mbedtls_asn1_free_named_data_list(dst);
    for (const mbedtls_x509_name *n = src; n; n = n->next) {
        mbedtls_asn1_named_data *c = calloc(1, sizeof *c);
        if (!c)
            return -1;
        c->oid.tag = n->oid.tag;
        c->oid.len = n->oid.len;
        c->oid.p = malloc(n->oid.len ? n->oid.len : 1);
        c->val.tag = n->val.tag;
        c->val.len = n->val.len;
        c->val.p = malloc(n->val.len ? n->val.len : 1);
        c->next = *dst;
        *dst = c;
        if (!c->oid.p || !c->val.p)
            return -1;
        memcpy(c->oid.p, n->oid.p, n->oid.len);
        memcpy(c->val.p, n->val.p, n->val.len);
    }
    return 0;
}

#define SAN_MAX 32

struct san_entry {
    unsigned char tag; /* 0x82 dNSName, 0x87 iPAddress */
    unsigned char data[256];
    size_t len;
};

static int san_parse(otter_pki_t *pki, const char *san, struct san_entry *e, size_t *n)
{
    *n = 0;
    const char *p = san;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char item[300];
        if (len == 0 || len >= sizeof item || *n == SAN_MAX)
            return fail(pki, OTTER_ERR_INVAL, 0, "bad SAN list '%s'", san);
        memcpy(item, p, len);
        item[len] = 0;
        struct san_entry *s = &e[(*n)++];
        if (!strncmp(item, "DNS:", 4) && item[4]) {
            s->tag = 0x82;
            s->len = strlen(item + 4);
            memcpy(s->data, item + 4, s->len);
        } else if (!strncmp(item, "IP:", 3) && inet_pton(AF_INET, item + 3, s->data) == 1) {
            s->tag = 0x87;
            s->len = 4;
        } else if (!strncmp(item, "IP:", 3) && inet_pton(AF_INET6, item + 3, s->data) == 1) {
            s->tag = 0x87;
            s->len = 16;
        } else {
            return fail(pki, OTTER_ERR_INVAL, 0,
                        "bad SAN entry '%s' (want DNS:name or IP:address)", item);
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* subjectAltName: GeneralNames ::= SEQUENCE OF GeneralName, with dNSName
 * [2] IA5String and iPAddress [7] OCTET STRING (RFC 5280 4.2.1.6). */
static int set_san(otter_pki_t *pki, mbedtls_x509write_cert *crt, const char *san)
{
    struct san_entry e[SAN_MAX];
    size_t n;
    int ret;
    int r = san_parse(pki, san, e, &n);
    if (r)
        return r;
    unsigned char buf[SAN_MAX * 300];
    unsigned char *p = buf + sizeof buf;
    size_t len = 0;
    for (size_t i = n; i-- > 0;) { /* ASN.1 is written backwards */
        MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_raw_buffer(&p, buf, e[i].data, e[i].len));
        MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&p, buf, e[i].len));
        MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_tag(&p, buf, e[i].tag));
    }
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&p, buf, len));
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_tag(&p, buf,
                                                     MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
    r = mbedtls_x509write_crt_set_extension(crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
                                            MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, p,
                                            len);
    if (r)
        return fail(pki, OTTER_ERR_CRYPTO, r, "cannot add subjectAltName");
    return 0;
}

/* extendedKeyUsage: ExtKeyUsageSyntax ::= SEQUENCE OF KeyPurposeId. */
static int set_eku(otter_pki_t *pki, mbedtls_x509write_cert *crt, const char *list)
{
    static const struct {
        const char *name;
        const char *oid;
        size_t len;
    } purposes[] = {
        {"serverAuth", MBEDTLS_OID_SERVER_AUTH, MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)},
        {"clientAuth", MBEDTLS_OID_CLIENT_AUTH, MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)},
        {"codeSigning", MBEDTLS_OID_CODE_SIGNING, MBEDTLS_OID_SIZE(MBEDTLS_OID_CODE_SIGNING)},
        {"OCSPSigning", MBEDTLS_OID_OCSP_SIGNING, MBEDTLS_OID_SIZE(MBEDTLS_OID_OCSP_SIGNING)},
        {"any", MBEDTLS_OID_ANY_EXTENDED_KEY_USAGE,
         MBEDTLS_OID_SIZE(MBEDTLS_OID_ANY_EXTENDED_KEY_USAGE)},
    };
    const size_t np = sizeof purposes / sizeof purposes[0];
    size_t pick[8], n = 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ","), i;
        for (i = 0; i < np; i++)
            if (strlen(purposes[i].name) == len && !strncmp(p, purposes[i].name, len))
                break;
        if (i == np || n == 8)
            return fail(pki, OTTER_ERR_INVAL, 0, "bad extendedKeyUsage list '%s'", list);
        pick[n++] = i;
        p += len + (p[len] == ',');
    }
    if (n == 0)
        return fail(pki, OTTER_ERR_INVAL, 0, "empty extendedKeyUsage list");
    unsigned char buf[256];
    unsigned char *c = buf + sizeof buf;
    size_t len = 0;
    int ret;
    for (size_t k = n; k-- > 0;)
        MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_oid(&c, buf, purposes[pick[k]].oid,
                                                         purposes[pick[k]].len));
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&c, buf, len));
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_tag(&c, buf,
                                                     MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
    ret = mbedtls_x509write_crt_set_extension(crt, MBEDTLS_OID_EXTENDED_KEY_USAGE,
                                              MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0,
                                              c, len);
    return ret ? fail(pki, OTTER_ERR_CRYPTO, ret, "cannot add extendedKeyUsage") : 0;
}

static int random_serial(otter_pki_t *pki, mbedtls_mpi *serial)
{
    unsigned char b[16];
    int r = mbedtls_ctr_drbg_random(&pki->drbg, b, sizeof b);
    if (r)
        return fail(pki, OTTER_ERR_CRYPTO, r, "random generator failed");
    b[0] = (unsigned char)((b[0] & 0x7f) | 0x40); /* positive, full 16 bytes */
    r = mbedtls_mpi_read_binary(serial, b, sizeof b);
    return r ? fail(pki, OTTER_ERR_CRYPTO, r, "serial") : 0;
}

/* Names, keys, serial and validity. */
static int set_identity(otter_pki_t *pki, mbedtls_x509write_cert *crt,
                        const otter_pki_cert_spec_t *s)
{
    int r;
    if (s->subject_from) {
        if (copy_name(&crt->subject, &s->subject_from->subject))
            return fail(pki, OTTER_ERR_CRYPTO, 0, "out of memory");
    } else if ((r = mbedtls_x509write_crt_set_subject_name(crt, s->subject)) != 0) {
        return fail(pki, OTTER_ERR_INVAL, r, "bad subject name '%s'", s->subject);
    }
    if (s->issuer_cert) {
        if (copy_name(&crt->issuer, &s->issuer_cert->subject))
            return fail(pki, OTTER_ERR_CRYPTO, 0, "out of memory");
    } else if (copy_name(&crt->issuer, NULL) || !crt->subject) {
        return fail(pki, OTTER_ERR_INVAL, 0, "empty subject");
    } else {
        /* Self-signed: issuer = subject, same bytes. Re-use the subject list
         * by copying it node by node in the same (writer) order. */
        mbedtls_asn1_named_data **tail = &crt->issuer;
        for (const mbedtls_asn1_named_data *n = crt->subject; n; n = n->next) {
            mbedtls_asn1_named_data *c = calloc(1, sizeof *c);
            if (!c)
                return fail(pki, OTTER_ERR_CRYPTO, 0, "out of memory");
            *tail = c;
            tail = &c->next;
            c->oid = n->oid;
            c->val = n->val;
            c->oid.p = malloc(n->oid.len + 1);
            c->val.p = malloc(n->val.len + 1);
            if (!c->oid.p || !c->val.p)
                return fail(pki, OTTER_ERR_CRYPTO, 0, "out of memory");
            memcpy(c->oid.p, n->oid.p, n->oid.len);
            memcpy(c->val.p, n->val.p, n->val.len);
        }
    }
    mbedtls_x509write_crt_set_subject_key(crt, s->key);
    mbedtls_x509write_crt_set_issuer_key(crt, s->issuer_key ? s->issuer_key : s->key);

    mbedtls_mpi serial;
    mbedtls_mpi_init(&serial);
    if (s->serial) {
        r = mbedtls_mpi_lset(&serial, (mbedtls_mpi_sint)(s->serial & 0x7fffffffffffffffu));
        if (r)
            r = fail(pki, OTTER_ERR_CRYPTO, r, "cannot set serial");
    } else {
        r = random_serial(pki, &serial);
    }
    if (!r && (r = mbedtls_x509write_crt_set_serial(crt, &serial)) != 0)
        r = fail(pki, OTTER_ERR_CRYPTO, r, "cannot set serial");
    mbedtls_mpi_free(&serial);
    if (r)
        return r;

    char nb[15], na[15];
    if (format_time(s->not_before, nb) || format_time(s->not_after, na))
        return fail(pki, OTTER_ERR_INVAL, 0, "validity dates must be in years 1950..9999");
    if (s->not_after < s->not_before)
        return fail(pki, OTTER_ERR_INVAL, 0, "notAfter is before notBefore");
    r = mbedtls_x509write_crt_set_validity(crt, nb, na);
    return r ? fail(pki, OTTER_ERR_CRYPTO, r, "cannot set validity") : 0;
}

static int set_extensions(otter_pki_t *pki, mbedtls_x509write_cert *crt,
                          const otter_pki_cert_spec_t *s)
{
    int r = 0;
    if (s->basic_constraints) {
        r = mbedtls_x509write_crt_set_basic_constraints(crt, s->ca ? 1 : 0,
                                                        s->ca ? s->pathlen : -1);
        if (r)
            return fail(pki, OTTER_ERR_CRYPTO, r, "cannot add basicConstraints");
    }
    if ((r = mbedtls_x509write_crt_set_subject_key_identifier(crt)) != 0 ||
        (r = mbedtls_x509write_crt_set_authority_key_identifier(crt)) != 0)
        return fail(pki, OTTER_ERR_CRYPTO, r, "cannot add key identifiers");
    unsigned ku = s->key_usage;
    if (ku == 0) {
        if (s->ca)
            ku = MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN |
                 MBEDTLS_X509_KU_DIGITAL_SIGNATURE;
        else
            ku = MBEDTLS_X509_KU_DIGITAL_SIGNATURE |
                 (mbedtls_pk_get_type(s->key) == MBEDTLS_PK_RSA ? MBEDTLS_X509_KU_KEY_ENCIPHERMENT
                                                                : 0);
    }
    if (ku != OTTER_PKI_KU_NONE && (r = mbedtls_x509write_crt_set_key_usage(crt, ku)) != 0)
        return fail(pki, OTTER_ERR_CRYPTO, r, "cannot add keyUsage");
    if (s->eku && (r = set_eku(pki, crt, s->eku)) != 0)
        return r;
    if (s->san && *s->san)
        return set_san(pki, crt, s->san);
    return 0;
}

int otter_pki_cert_make(otter_pki_t *pki, const otter_pki_cert_spec_t *s, char *pem,
                        size_t pem_size, size_t *pem_len)
{
    pki->why[0] = 0;
    pki->mbedtls_err = 0;
    if (!s || !pem || !s->key || (!s->subject && !s->subject_from) ||
        (!s->issuer_cert) != (!s->issuer_key))
        return fail(pki, OTTER_ERR_INVAL, 0,
                    "need a key, a subject, and the issuer's certificate and key together");
    if (mbedtls_pk_get_type(s->key) == MBEDTLS_PK_NONE)
        return fail(pki, OTTER_ERR_INVAL, 0, "the subject key is empty");
    if (s->issuer_cert && mbedtls_pk_check_pair(&s->issuer_cert->pk, s->issuer_key) != 0)
        return fail(pki, OTTER_ERR_INVAL, 0,
                    "the issuer key does not belong to the issuer certificate");
    int r = seed(pki);
    if (r)
        return r;
    mbedtls_x509write_cert crt;
    mbedtls_x509write_crt_init(&crt);
    mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
    r = set_identity(pki, &crt, s);
    if (!r)
        r = set_extensions(pki, &crt, s);
    if (!r) {
        int m = mbedtls_x509write_crt_pem(&crt, (unsigned char *)pem, pem_size,
                                          mbedtls_ctr_drbg_random, &pki->drbg);
        if (m == MBEDTLS_ERR_ASN1_BUF_TOO_SMALL || m == MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL)
            r = fail(pki, OTTER_ERR_BUF_TOO_SMALL, m, "PEM buffer of %zu bytes too small",
                     pem_size);
        else if (m)
            r = fail(pki, OTTER_ERR_CRYPTO, m, "signing the certificate failed");
        else if (pem_len)
            *pem_len = strlen(pem);
    }
    mbedtls_x509write_crt_free(&crt);
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
    mbedtls_pk_context ca_key, srv_key;
    mbedtls_x509_crt ca_crt;
    char ca_pem[4096], srv_pem[4096];
    char path[4096];
};

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
    s.key = &d->ca_key;
    s.not_before = now - DAY;
    s.not_after = now + 3652 * DAY;
    s.ca = 1;
    if ((r = otter_pki_cert_make(pki, &s, d->ca_pem, sizeof d->ca_pem, NULL)) != 0)
        return r;
    int m = mbedtls_x509_crt_parse(&d->ca_crt, (const unsigned char *)d->ca_pem,
                                   strlen(d->ca_pem) + 1);
    if (m)
        return fail(pki, OTTER_ERR_CRYPTO, m, "cannot re-read the demo root");
    char san[1024];
    snprintf(san, sizeof san, "DNS:localhost,IP:127.0.0.1,IP:::1%s%s",
             extra_san && *extra_san ? "," : "", extra_san ? extra_san : "");
    otter_pki_cert_spec_init(&s);
    s.subject = "CN=localhost,O=otter demo";
    s.key = &d->srv_key;
    s.issuer_cert = &d->ca_crt;
    s.issuer_key = &d->ca_key;
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
        (r = otter_pki_key_save(pki, &d->ca_key, d->path)) ||
        (r = demo_path(pki, d->path, sizeof d->path, dir, "ca.pem")) ||
        (r = write_file(pki, d->path, d->ca_pem, strlen(d->ca_pem), 0644)) ||
        (r = demo_path(pki, d->path, sizeof d->path, dir, "server.key")) ||
        (r = otter_pki_key_save(pki, &d->srv_key, d->path)) ||
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
    mbedtls_pk_init(&d->ca_key);
    mbedtls_pk_init(&d->srv_key);
    mbedtls_x509_crt_init(&d->ca_crt);
    int r = demo_make(pki, d, dir, extra_san, now);
    mbedtls_pk_free(&d->ca_key);
    mbedtls_pk_free(&d->srv_key);
    mbedtls_x509_crt_free(&d->ca_crt);
    free(d);
    return r;
}
