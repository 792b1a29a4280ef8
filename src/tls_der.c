/* otter's own reading of X.509 DER: see tls_der.h. */
#include "tls_der.h"

#include <string.h>

#include "otter/crypto.h"
#include "otter/error.h"
#include "otter/tls_collect.h"
#include "strutil.h"
#include "tls_priv.h"

#define T_BOOL 0x01
#define T_INT 0x02
#define T_BITSTR 0x03
#define T_OCTSTR 0x04
#define T_OID 0x06
#define T_UTCTIME 0x17
#define T_GENTIME 0x18
#define T_SEQ 0x30
#define T_SET 0x31
#define T_CTX0 0xa0     /* [0] EXPLICIT version */
#define T_CTX3 0xa3     /* [3] EXPLICIT extensions */
#define T_SAN_DNS 0x82  /* [2] IA5String dNSName */
#define T_SAN_IP 0x87   /* [7] OCTET STRING iPAddress */

/* Read one TLV at *p (below end): its tag, value and the whole TLV.
 * Definite lengths of at most 4 bytes; the value must fit. */
static int tlv(const uint8_t **p, const uint8_t *end, uint8_t *tag, otter_der_t *val, otter_der_t *all)
{
    const uint8_t *q = *p;
    if (end - q < 2) {
        return OTTER_ERR_TLS_CONFIG;
    }
    uint8_t t = *q++;
    size_t len = *q++;
    if (len & 0x80) {
        size_t n = len & 0x7f;
        if (n == 0 || n > 4 || (size_t)(end - q) < n) {
            return OTTER_ERR_TLS_CONFIG;
        }
        len = 0;
        while (n--) {
            len = (len << 8) | *q++;
        }
    }
    if ((size_t)(end - q) < len) {
        return OTTER_ERR_TLS_CONFIG;
    }
    if (tag) {
        *tag = t;
    }
    if (val) {
        val->p = q;
        val->len = len;
    }
    if (all) {
        all->p = *p;
        all->len = (size_t)(q + len - *p);
    }
    *p = q + len;
    return OTTER_OK;
}

/* Read a TLV that must have tag want. */
static int expect(const uint8_t **p, const uint8_t *end, uint8_t want, otter_der_t *val, otter_der_t *all)
{
    uint8_t t;
    int r = tlv(p, end, &t, val, all);
    return r != OTTER_OK ? r : t == want ? OTTER_OK : OTTER_ERR_TLS_CONFIG;
}

static int oid_is(otter_der_t oid, const char *want, size_t len)
{
    return oid.len == len && memcmp(oid.p, want, len) == 0;
}
#define OID_IS(oid, lit) oid_is((oid), (lit), sizeof(lit) - 1)

/* AlgorithmIdentifier: OID value and the parameters TLV (may be empty). */
static int alg_id(otter_der_t seq, otter_der_t *oid, otter_der_t *params)
{
    const uint8_t *p = seq.p, *end = seq.p + seq.len;
    if (expect(&p, end, T_OID, oid, NULL) != OTTER_OK) {
        return OTTER_ERR_TLS_CONFIG;
    }
    params->p = p;
    params->len = (size_t)(end - p);
    return OTTER_OK;
}

static int digits(const uint8_t *p, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return OTTER_ERR_TLS_CONFIG;
        }
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return OTTER_OK;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ. */
static int x509_time(const uint8_t **p, const uint8_t *end, int64_t *out)
{
    uint8_t t;
    otter_der_t v;
    if (tlv(p, end, &t, &v, NULL) != OTTER_OK) {
        return OTTER_ERR_TLS_CONFIG;
    }
    size_t yl = t == T_UTCTIME ? 2 : t == T_GENTIME ? 4 : 0;
    int y, mo, d, h, mi, s;
    if (!yl || v.len != yl + 11 || v.p[v.len - 1] != 'Z' || digits(v.p, yl, &y) ||
        digits(v.p + yl, 2, &mo) || digits(v.p + yl + 2, 2, &d) || digits(v.p + yl + 4, 2, &h) ||
        digits(v.p + yl + 6, 2, &mi) || digits(v.p + yl + 8, 2, &s) || mo < 1 || mo > 12 || d < 1 ||
        d > 31 || h > 23 || mi > 59 || s > 60) {
        return OTTER_ERR_TLS_CONFIG;
    }
    if (yl == 2) {
        y += y < 50 ? 2000 : 1900;
    }
    *out = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + s;
    return OTTER_OK;
}

/* basicConstraints value: SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLen INTEGER OPTIONAL } */
static int basic_constraints(otter_der_t v, otter_x509_t *x)
{
    const uint8_t *p = v.p, *end = v.p + v.len;
    otter_der_t seq, b;
    if (expect(&p, end, T_SEQ, &seq, NULL) != OTTER_OK) {
        return OTTER_ERR_TLS_CONFIG;
    }
    p = seq.p;
    end = seq.p + seq.len;
    if (p < end && *p == T_BOOL) {
        if (expect(&p, end, T_BOOL, &b, NULL) != OTTER_OK || b.len != 1) {
            return OTTER_ERR_TLS_CONFIG;
        }
        x->is_ca = b.p[0] ? 1 : 0;
    }
    if (p < end) {
        if (expect(&p, end, T_INT, &b, NULL) != OTTER_OK || b.len == 0 || (b.p[0] & 0x80)) {
            return OTTER_ERR_TLS_CONFIG;
        }
        uint32_t n = 0;
        for (size_t i = 0; i < b.len; i++) {
            n = n > 0xffffff ? 0xffffffff : (n << 8) | b.p[i];
        }
        x->path_len = n > 127 ? -1 : (int8_t)n;
    }
    return OTTER_OK;
}

/* Extensions: [3] { SEQUENCE OF SEQUENCE { OID, BOOLEAN critical OPTIONAL, OCTET STRING } } */
static int extensions(otter_der_t v, otter_x509_t *x)
{
    const uint8_t *p = v.p, *end = v.p + v.len;
    otter_der_t exts, ext, oid, val;
    if (expect(&p, end, T_SEQ, &exts, NULL) != OTTER_OK || p != end) {
        return OTTER_ERR_TLS_CONFIG;
    }
    p = exts.p;
    end = exts.p + exts.len;
    while (p < end) {
        if (expect(&p, end, T_SEQ, &ext, NULL) != OTTER_OK) {
            return OTTER_ERR_TLS_CONFIG;
        }
        const uint8_t *q = ext.p, *qend = ext.p + ext.len;
        if (expect(&q, qend, T_OID, &oid, NULL) != OTTER_OK) {
            return OTTER_ERR_TLS_CONFIG;
        }
        if (q < qend && *q == T_BOOL && expect(&q, qend, T_BOOL, NULL, NULL) != OTTER_OK) {
            return OTTER_ERR_TLS_CONFIG;
        }
        if (expect(&q, qend, T_OCTSTR, &val, NULL) != OTTER_OK || q != qend) {
            return OTTER_ERR_TLS_CONFIG;
        }
        if (OID_IS(oid, "\x55\x1d\x13")) { /* 2.5.29.19 basicConstraints */
            if (basic_constraints(val, x) != OTTER_OK) {
                return OTTER_ERR_TLS_CONFIG;
            }
        } else if (OID_IS(oid, "\x55\x1d\x11")) { /* 2.5.29.17 subjectAltName */
            const uint8_t *s = val.p;
            if (expect(&s, val.p + val.len, T_SEQ, &x->san, NULL) != OTTER_OK) {
                return OTTER_ERR_TLS_CONFIG;
            }
            x->has_san = 1;
        }
    }
    return OTTER_OK;
}

static int spki(otter_x509_t *x)
{
    const uint8_t *p = x->spki.p, *end = x->spki.p + x->spki.len;
    otter_der_t seq, alg, key;
    if (expect(&p, end, T_SEQ, &seq, NULL) != OTTER_OK) {
        return OTTER_ERR_TLS_CONFIG;
    }
    p = seq.p;
    end = seq.p + seq.len;
    if (expect(&p, end, T_SEQ, &alg, NULL) != OTTER_OK || alg_id(alg, &x->key_alg, &x->key_params) ||
        expect(&p, end, T_BITSTR, &key, NULL) != OTTER_OK || key.len < 1 || key.p[0] != 0) {
        return OTTER_ERR_TLS_CONFIG;
    }
    x->key.p = key.p + 1;
    x->key.len = key.len - 1;
    return OTTER_OK;
}

static int tbs(otter_x509_t *x, otter_der_t body)
{
    const uint8_t *p = body.p, *end = body.p + body.len;
    otter_der_t v, alg, validity;
    uint8_t t;
    if (p < end && *p == T_CTX0 && expect(&p, end, T_CTX0, NULL, NULL) != OTTER_OK) {
        return OTTER_ERR_TLS_CONFIG;
    }
    if (expect(&p, end, T_INT, NULL, NULL) != OTTER_OK || expect(&p, end, T_SEQ, &alg, NULL) != OTTER_OK ||
        expect(&p, end, T_SEQ, NULL, &x->issuer) != OTTER_OK ||
        expect(&p, end, T_SEQ, &validity, NULL) != OTTER_OK ||
        expect(&p, end, T_SEQ, NULL, &x->subject) != OTTER_OK ||
        expect(&p, end, T_SEQ, NULL, &x->spki) != OTTER_OK || spki(x) != OTTER_OK) {
        return OTTER_ERR_TLS_CONFIG;
    }
    const uint8_t *q = validity.p, *qend = validity.p + validity.len;
    if (x509_time(&q, qend, &x->not_before) || x509_time(&q, qend, &x->not_after) || q != qend) {
        return OTTER_ERR_TLS_CONFIG;
    }
    while (p < end) { /* issuerUniqueID [1], subjectUniqueID [2], extensions [3] */
        if (tlv(&p, end, &t, &v, NULL) != OTTER_OK) {
            return OTTER_ERR_TLS_CONFIG;
        }
        if (t == T_CTX3 && extensions(v, x) != OTTER_OK) {
            return OTTER_ERR_TLS_CONFIG;
        }
    }
    return OTTER_OK;
}

int otter_x509_parse(const uint8_t *der, size_t len, otter_x509_t *x)
{
    memset(x, 0, sizeof *x);
    x->path_len = -1;
    if (!der) {
        return OTTER_ERR_TLS_CONFIG;
    }
    const uint8_t *p = der, *end = der + len;
    otter_der_t cert, body, alg, sig;
    if (expect(&p, end, T_SEQ, &cert, NULL) != OTTER_OK || p != end) {
        return OTTER_ERR_TLS_CONFIG;
    }
    p = cert.p;
    end = cert.p + cert.len;
    if (expect(&p, end, T_SEQ, &body, &x->tbs) != OTTER_OK || expect(&p, end, T_SEQ, &alg, NULL) != OTTER_OK ||
        alg_id(alg, &x->sig_alg, &x->sig_params) != OTTER_OK || expect(&p, end, T_BITSTR, &sig, NULL) != OTTER_OK ||
        p != end || sig.len < 1 || sig.p[0] != 0) {
        return OTTER_ERR_TLS_CONFIG;
    }
    x->sig.p = sig.p + 1;
    x->sig.len = sig.len - 1;
    return tbs(x, body);
}

/* ---- names ------------------------------------------------------------------ */

static const struct {
    const char *oid; /* value bytes after 2.5.4 (0x55 0x04) unless full */
    size_t len;
    const char *name;
} ATTRS[] = {
    {"\x55\x04\x03", 3, "CN"},     {"\x55\x04\x06", 3, "C"},
    {"\x55\x04\x0a", 3, "O"},      {"\x55\x04\x0b", 3, "OU"},
    {"\x55\x04\x07", 3, "L"},      {"\x55\x04\x08", 3, "ST"},
    {"\x55\x04\x05", 3, "serialNumber"}, {"\x55\x04\x04", 3, "SN"},
    {"\x55\x04\x2a", 3, "GN"},     {"\x55\x04\x0c", 3, "title"},
    {"\x55\x04\x09", 3, "street"}, {"\x55\x04\x11", 3, "postalCode"},
    {"\x55\x04\x2e", 3, "dnQualifier"}, {"\x55\x04\x41", 3, "pseudonym"},
    {"\x55\x04\x2b", 3, "initials"}, {"\x55\x04\x2c", 3, "generationQualifier"},
    {"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x01", 9, "emailAddress"},
    {"\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x19", 10, "DC"},
    {"\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x01", 10, "UID"},
};

static const char *attr_name(otter_der_t oid)
{
    for (size_t i = 0; i < sizeof ATTRS / sizeof ATTRS[0]; i++) {
        if (oid_is(oid, ATTRS[i].oid, ATTRS[i].len)) {
            return ATTRS[i].name;
        }
    }
    return "OID";
}

static void put_value(otter_sb_t *sb, otter_der_t v)
{
    for (size_t i = 0; i < v.len; i++) {
        uint8_t c = v.p[i];
        otter_sb_putc(sb, (c >= 0x20 && c < 0x7f) ? (char)c : '?');
    }
}

/* Copy a builder's result into out[cap], ending in "..." when either the
 * builder or out was too small. */
static void finish(const otter_sb_t *sb, char *out, size_t cap, const char *tmp)
{
    size_t n = sb->len < sb->cap ? sb->len : sb->cap - 1;
    if (sb->len >= sb->cap && cap > n) {
        cap = n; /* force the "..." ending */
    }
    otter_copy_trunc(out, cap, tmp, n);
}

/* Call fn for each attribute of a Name, in DER order; first_in_set tells
 * whether it starts a new RDN. Stops quietly at malformed bytes. */
typedef void (*attr_fn)(void *ctx, otter_der_t oid, otter_der_t val, int first_in_set);

static void dn_walk(otter_der_t name, attr_fn fn, void *ctx)
{
    const uint8_t *p = name.p, *end = name.p + name.len;
    otter_der_t seq, set, atv, oid, val;
    if (expect(&p, end, T_SEQ, &seq, NULL) != OTTER_OK) {
        return;
    }
    p = seq.p;
    end = seq.p + seq.len;
    while (p < end && expect(&p, end, T_SET, &set, NULL) == OTTER_OK) {
        const uint8_t *q = set.p, *qend = set.p + set.len;
        int first = 1;
        while (q < qend && expect(&q, qend, T_SEQ, &atv, NULL) == OTTER_OK) {
            const uint8_t *r = atv.p, *rend = atv.p + atv.len;
            if (expect(&r, rend, T_OID, &oid, NULL) != OTTER_OK || tlv(&r, rend, NULL, &val, NULL) != OTTER_OK) {
                return;
            }
            fn(ctx, oid, val, first);
            first = 0;
        }
    }
}

static void dn_put(void *ctx, otter_der_t oid, otter_der_t val, int first_in_set)
{
    otter_sb_t *sb = ctx;
    if (sb->len) {
        otter_sb_put(sb, first_in_set ? ", " : " + ");
    }
    otter_sb_put(sb, attr_name(oid));
    otter_sb_putc(sb, '=');
    put_value(sb, val);
}

void otter_x509_dn_format(otter_der_t name, char *out, size_t cap)
{
    char tmp[256];
    otter_sb_t sb;
    otter_sb_init(&sb, tmp, sizeof tmp);
    dn_walk(name, dn_put, &sb);
    finish(&sb, out, cap, tmp);
}

struct dn_find {
    const char *oid;
    otter_der_t val;
    int found;
};

static void dn_find_cb(void *ctx, otter_der_t oid, otter_der_t val, int first_in_set)
{
    struct dn_find *f = ctx;
    (void)first_in_set;
    if (!f->found && oid_is(oid, f->oid, 3)) {
        f->val = val;
        f->found = 1;
    }
}

static int dn_find(otter_der_t name, const char *oid, otter_der_t *val)
{
    struct dn_find f = {oid, {NULL, 0}, 0};
    dn_walk(name, dn_find_cb, &f);
    *val = f.val;
    return f.found;
}

void otter_x509_dn_name(otter_der_t name, char *out, size_t cap)
{
    static const char *const order[] = {"\x55\x04\x03", "\x55\x04\x0a", "\x55\x04\x0b"};
    otter_der_t v;
    for (size_t i = 0; i < 3; i++) {
        if (dn_find(name, order[i], &v)) {
            char tmp[128];
            otter_sb_t sb;
            otter_sb_init(&sb, tmp, sizeof tmp);
            put_value(&sb, v);
            finish(&sb, out, cap, tmp);
            return;
        }
    }
    otter_x509_dn_format(name, out, cap);
}

int otter_x509_same_names(const otter_x509_t *x)
{
    return x->subject.len == x->issuer.len && memcmp(x->subject.p, x->issuer.p, x->subject.len) == 0;
}

/* ---- subjectAltNames ------------------------------------------------------- */

static void put_ipv4(otter_sb_t *sb, const uint8_t *a)
{
    for (int i = 0; i < 4; i++) {
        if (i) {
            otter_sb_putc(sb, '.');
        }
        otter_sb_dec(sb, a[i]);
    }
}

/* RFC 5952: lowercase hex, leading zeros dropped, the longest run (>= 2)
 * of zero groups as "::". */
static void put_ipv6(otter_sb_t *sb, const uint8_t *a)
{
    static const char hex[] = "0123456789abcdef";
    unsigned g[8];
    int best = -1, best_len = 1;
    for (int i = 0; i < 8; i++) {
        g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
    }
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && g[j] == 0) {
            j++;
        }
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            otter_sb_put(sb, "::");
            i += best_len - 1;
            continue;
        }
        if (i && i != best + best_len) {
            otter_sb_putc(sb, ':');
        }
        int started = 0;
        for (int s = 12; s >= 0; s -= 4) {
            unsigned d = (g[i] >> s) & 15;
            if (d || started || s == 0) {
                otter_sb_putc(sb, hex[d]);
                started = 1;
            }
        }
    }
}

void otter_x509_names(const otter_x509_t *x, char *out, size_t cap)
{
    char tmp[512];
    otter_sb_t sb;
    otter_sb_init(&sb, tmp, sizeof tmp);
    const uint8_t *p = x->san.p, *end = x->san.p + x->san.len;
    uint8_t t;
    otter_der_t v;
    while (x->has_san && p < end && tlv(&p, end, &t, &v, NULL) == OTTER_OK) {
        if (t == T_SAN_DNS || (t == T_SAN_IP && (v.len == 4 || v.len == 16))) {
            otter_sb_put(&sb, sb.len ? ", " : "");
            otter_sb_put(&sb, t == T_SAN_DNS ? "DNS:" : "IP:");
            if (t == T_SAN_DNS) {
                put_value(&sb, v);
            } else if (v.len == 4) {
                put_ipv4(&sb, v.p);
            } else {
                put_ipv6(&sb, v.p);
            }
        }
    }
    finish(&sb, out, cap, tmp);
}

/* ---- server identity ------------------------------------------------------- */

/* Dotted-quad IPv4 (exactly four decimal parts 0..255, no leading zeros). */
static int parse_ipv4(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part) {
            if (i >= n || s[i] != '.') {
                return 0;
            }
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 3) {
            v = v * 10 + (unsigned)(s[i++] - '0');
        }
        if (i == start || v > 255 || (i - start > 1 && s[start] == '0')) {
            return 0;
        }
        out[part] = (uint8_t)v;
    }
    return i == n;
}

/* IPv6 text (RFC 4291 2.2 forms 1 and 2, no embedded IPv4, no zone). */
static int parse_ipv6(const char *s, size_t n, uint8_t out[16])
{
    unsigned g[8];
    int count = 0, gap = -1;
    size_t i = 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (n && s[0] == ':') {
        return 0;
    }
    while (i < n) {
        unsigned v = 0;
        size_t start = i;
        int d;
        while (i < n && i - start < 4 && (d = otter_ascii_hexval(s[i])) >= 0) {
            v = v << 4 | (unsigned)d;
            i++;
        }
        if (i == start || count == 8) {
            return 0;
        }
        g[count++] = v;
        if (i == n) {
            break;
        }
        if (s[i] != ':') {
            return 0;
        }
        i++;
        if (i < n && s[i] == ':') {
            if (gap >= 0) {
                return 0;
            }
            gap = count;
            i++;
        } else if (i == n) {
            return 0; /* trailing single ':' */
        }
    }
    if ((gap < 0 && count != 8) || (gap >= 0 && count > 7)) {
        return 0;
    }
    memset(out, 0, 16);
    int tail = gap < 0 ? 0 : count - gap;
    for (int k = 0; k < count; k++) {
        int pos = (gap >= 0 && k >= gap) ? 8 - tail + (k - gap) : k;
        out[2 * pos] = (uint8_t)(g[k] >> 8);
        out[2 * pos + 1] = (uint8_t)g[k];
    }
    return 1;
}

static int ascii_ieq(const uint8_t *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (otter_ascii_lower((char)a[i]) != otter_ascii_lower(b[i])) {
            return 0;
        }
    }
    return 1;
}

/* A DNS pattern from a certificate against host (n bytes, no trailing
 * dot): exact (any case), or "*." + at least two labels as the whole
 * left-most label. */
static int dns_match(otter_der_t pat, const char *host, size_t n)
{
    if (pat.len && pat.p[pat.len - 1] == '.') {
        pat.len--; /* absolute form */
    }
    if (pat.len == 0 || memchr(pat.p, 0, pat.len)) {
        return 0;
    }
    if (pat.p[0] != '*') {
        return pat.len == n && memchr(pat.p, '*', pat.len) == NULL && ascii_ieq(pat.p, host, n);
    }
    /* "*.rest": rest has no '*', no empty label, at least one dot */
    if (pat.len < 4 || pat.p[1] != '.' || memchr(pat.p + 1, '*', pat.len - 1)) {
        return 0;
    }
    otter_der_t rest = {pat.p + 2, pat.len - 2};
    if (!memchr(rest.p, '.', rest.len) || rest.p[0] == '.' || rest.p[rest.len - 1] == '.') {
        return 0;
    }
    for (size_t i = 1; i < rest.len; i++) {
        if (rest.p[i] == '.' && rest.p[i - 1] == '.') {
            return 0;
        }
    }
    const char *dot = memchr(host, '.', n);
    if (!dot || dot == host) {
        return 0; /* the wildcard stands for exactly one non-empty label */
    }
    size_t tail = n - (size_t)(dot + 1 - host);
    return tail == rest.len && ascii_ieq(rest.p, dot + 1, tail);
}

int otter_x509_check_host(const otter_x509_t *x, const char *host)
{
    size_t n = host ? strlen(host) : 0;
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        host++;
        n -= 2;
    }
    if (n && host[n - 1] == '.') {
        n--;
    }
    if (n == 0 || n >= OTTER_TLS_HOST_MAX) {
        return OTTER_ERR_INVAL;
    }
    uint8_t ip[16];
    size_t ip_len = parse_ipv4(host, n, ip) ? 4 : parse_ipv6(host, n, ip) ? 16 : 0;
    if (!ip_len && memchr(host, ':', n)) {
        return 0; /* looks like an address but is not one: matches nothing */
    }
    if (x->has_san) {
        const uint8_t *p = x->san.p, *end = x->san.p + x->san.len;
        uint8_t t;
        otter_der_t v;
        while (p < end && tlv(&p, end, &t, &v, NULL) == OTTER_OK) {
            if (ip_len && t == T_SAN_IP && v.len == ip_len && memcmp(v.p, ip, ip_len) == 0) {
                return 1;
            }
            if (!ip_len && t == T_SAN_DNS && dns_match(v, host, n)) {
                return 1;
            }
        }
        return 0;
    }
    otter_der_t cn;
    return !ip_len && dn_find(x->subject, "\x55\x04\x03", &cn) && dns_match(cn, host, n);
}

/* ---- description ------------------------------------------------------------- */

/* Bits of a big-endian unsigned INTEGER value. */
static uint16_t int_bits(otter_der_t v)
{
    size_t i = 0;
    while (i < v.len && v.p[i] == 0) {
        i++;
    }
    if (i == v.len) {
        return 0;
    }
    size_t bits = (v.len - i - 1) * 8;
    for (uint8_t b = v.p[i]; b; b >>= 1) {
        bits++;
    }
    return bits > 0xffff ? 0xffff : (uint16_t)bits;
}

static void describe_key(const otter_x509_t *x, otter_tls_cert_info_t *info)
{
    static const struct {
        const char *oid;
        size_t len;
        uint16_t bits;
    } curves[] = {
        {"\x2a\x86\x48\xce\x3d\x03\x01\x07", 8, 256}, {"\x2b\x81\x04\x00\x22", 5, 384},
        {"\x2b\x81\x04\x00\x23", 5, 521},             {"\x2b\x81\x04\x00\x0a", 5, 256},
        {"\x2b\x81\x04\x00\x21", 5, 224},             {"\x2a\x86\x48\xce\x3d\x03\x01\x01", 8, 192},
        {"\x2b\x24\x03\x03\x02\x08\x01\x01\x07", 9, 256}, {"\x2b\x24\x03\x03\x02\x08\x01\x01\x0b", 9, 384},
        {"\x2b\x24\x03\x03\x02\x08\x01\x01\x0d", 9, 512},
    };
    if (OID_IS(x->key_alg, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01") ||
        OID_IS(x->key_alg, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0a")) {
        info->key_type = OTTER_TLS_KEY_RSA;
        const uint8_t *p = x->key.p, *end = x->key.p + x->key.len;
        otter_der_t seq, mod;
        if (expect(&p, end, T_SEQ, &seq, NULL) == OTTER_OK) {
            p = seq.p;
            if (expect(&p, seq.p + seq.len, T_INT, &mod, NULL) == OTTER_OK) {
                info->key_bits = int_bits(mod);
            }
        }
    } else if (OID_IS(x->key_alg, "\x2a\x86\x48\xce\x3d\x02\x01")) {
        info->key_type = OTTER_TLS_KEY_EC;
        const uint8_t *p = x->key_params.p;
        otter_der_t curve;
        if (expect(&p, x->key_params.p + x->key_params.len, T_OID, &curve, NULL) == OTTER_OK) {
            for (size_t i = 0; i < sizeof curves / sizeof curves[0]; i++) {
                if (oid_is(curve, curves[i].oid, curves[i].len)) {
                    info->key_bits = curves[i].bits;
                }
            }
        }
        if (!info->key_bits && x->key.len > 1) {
            info->key_bits = (uint16_t)((x->key.len - 1) / 2 * 8);
        }
    }
}

void otter_x509_describe(const otter_x509_t *x, otter_tls_cert_info_t *info)
{
    memset(info, 0, sizeof *info);
    otter_x509_dn_format(x->subject, info->subject, sizeof info->subject);
    otter_x509_dn_format(x->issuer, info->issuer, sizeof info->issuer);
    otter_x509_dn_name(x->subject, info->name, sizeof info->name);
    otter_x509_dn_name(x->issuer, info->issuer_name, sizeof info->issuer_name);
    info->not_before = x->not_before;
    info->not_after = x->not_after;
    if (otter_sha256(x->spki.p, x->spki.len, info->spki_sha256) != OTTER_OK) {
        memset(info->spki_sha256, 0, sizeof info->spki_sha256);
    }
    describe_key(x, info);
    info->is_ca = x->is_ca;
    info->path_len = x->is_ca ? x->path_len : -1;
    info->self_signed = (uint8_t)otter_x509_same_names(x);
}

/* ---- public wrappers (otter/tls_collect.h) ------------------------------------ */

int otter_tls_cert_names_der(const uint8_t *der, size_t len, char *out, size_t cap)
{
    otter_x509_t x;
    if (!out || cap == 0) {
        return OTTER_ERR_INVAL;
    }
    out[0] = '\0';
    if (otter_x509_parse(der, len, &x) != OTTER_OK) {
        return OTTER_ERR_TLS_CONFIG;
    }
    otter_x509_names(&x, out, cap);
    return OTTER_OK;
}

int otter_tls_cert_check_host(const uint8_t *der, size_t len, const char *host)
{
    otter_x509_t x;
    if (!host) {
        return OTTER_ERR_INVAL;
    }
    if (otter_x509_parse(der, len, &x) != OTTER_OK) {
        return OTTER_ERR_TLS_CONFIG;
    }
    return otter_x509_check_host(&x, host);
}
