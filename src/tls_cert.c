/* Turning an mbedTLS certificate into an otter_tls_cert_info_t: names,
 * dates, key, SPKI SHA-256, CA/leaf, self-signed. */
#include <string.h>

#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>

#include "otter/crypto.h"
#include "otter/error.h"
#include "tls_mbedtls.h"
#include "tls_priv.h"

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

int64_t otter_tls_x509_time(const mbedtls_x509_time *t)
{
    return days_from_civil(t->year, t->mon, t->day) * 86400 + (int64_t)t->hour * 3600 +
           (int64_t)t->min * 60 + t->sec;
}

int otter_tls_spki_sha256(const mbedtls_x509_crt *crt, uint8_t out[32])
{
    return otter_sha256(crt->pk_raw.p, crt->pk_raw.len, out);
}

/* Append an attribute value, printable ASCII only (others become '?'). */
static void put_value(otter_sb_t *sb, const mbedtls_asn1_buf *val)
{
    for (size_t i = 0; i < val->len; i++) {
        unsigned char c = val->p[i];
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

static void dn_format(const mbedtls_x509_name *dn, char *out, size_t cap)
{
    char tmp[256];
    otter_sb_t sb;
    otter_sb_init(&sb, tmp, sizeof tmp);
    for (const mbedtls_x509_name *n = dn; n && n->oid.p; n = n->next) {
        const char *sn = NULL;
        if (sb.len) {
            otter_sb_put(&sb, n->next_merged ? " + " : ", ");
        }
        if (mbedtls_oid_get_attr_short_name(&n->oid, &sn) == 0 && sn) {
            otter_sb_put(&sb, sn);
        } else {
            otter_sb_put(&sb, "OID");
        }
        otter_sb_putc(&sb, '=');
        put_value(&sb, &n->val);
    }
    finish(&sb, out, cap, tmp);
}

static const mbedtls_x509_name *dn_find(const mbedtls_x509_name *dn, const char *oid, size_t len)
{
    for (const mbedtls_x509_name *n = dn; n && n->oid.p; n = n->next) {
        if (n->oid.len == len && memcmp(n->oid.p, oid, len) == 0) {
            return n;
        }
    }
    return NULL;
}

void otter_tls_dn_name(const mbedtls_x509_name *dn, char *out, size_t cap)
{
    const mbedtls_x509_name *n = dn_find(dn, MBEDTLS_OID_AT_CN, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_CN));
    if (!n) {
        n = dn_find(dn, MBEDTLS_OID_AT_ORGANIZATION, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_ORGANIZATION));
    }
    if (!n) {
        n = dn_find(dn, MBEDTLS_OID_AT_ORG_UNIT, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_ORG_UNIT));
    }
    if (!n) {
        dn_format(dn, out, cap);
        return;
    }
    char tmp[128];
    otter_sb_t sb;
    otter_sb_init(&sb, tmp, sizeof tmp);
    put_value(&sb, &n->val);
    finish(&sb, out, cap, tmp);
}

void otter_tls_cert_altnames(const mbedtls_x509_crt *crt, char *out, size_t cap)
{
    char tmp[512];
    otter_sb_t sb;
    otter_sb_init(&sb, tmp, sizeof tmp);
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s && s->buf.p; s = s->next) {
        if (s->buf.tag != (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_X509_SAN_DNS_NAME)) {
            continue;
        }
        if (sb.len) {
            otter_sb_put(&sb, ", ");
        }
        otter_sb_put(&sb, "DNS:");
        put_value(&sb, &s->buf);
    }
    finish(&sb, out, cap, tmp);
}

/* Subject equals issuer and the certificate's own key verifies its
 * signature. */
static int self_signed(const mbedtls_x509_crt *crt)
{
    if (crt->subject_raw.len != crt->issuer_raw.len ||
        memcmp(crt->subject_raw.p, crt->issuer_raw.p, crt->subject_raw.len) != 0) {
        return 0;
    }
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(crt->sig_md);
    unsigned char hash[MBEDTLS_MD_MAX_SIZE];
    if (!md || mbedtls_md(md, crt->tbs.p, crt->tbs.len, hash) != 0) {
        return 0;
    }
    mbedtls_pk_context *pk = (mbedtls_pk_context *)&crt->pk;
    return mbedtls_pk_verify_ext(crt->sig_pk, crt->sig_opts, pk, crt->sig_md, hash,
                                 mbedtls_md_get_size(md), crt->sig.p, crt->sig.len) == 0;
}

void otter_tls_cert_describe(const mbedtls_x509_crt *crt, otter_tls_cert_info_t *info)
{
    memset(info, 0, sizeof *info);
    dn_format(&crt->subject, info->subject, sizeof info->subject);
    dn_format(&crt->issuer, info->issuer, sizeof info->issuer);
    otter_tls_dn_name(&crt->subject, info->name, sizeof info->name);
    otter_tls_dn_name(&crt->issuer, info->issuer_name, sizeof info->issuer_name);
    info->not_before = otter_tls_x509_time(&crt->valid_from);
    info->not_after = otter_tls_x509_time(&crt->valid_to);
    if (otter_tls_spki_sha256(crt, info->spki_sha256) != OTTER_OK) {
        memset(info->spki_sha256, 0, sizeof info->spki_sha256);
    }
    mbedtls_pk_type_t t = mbedtls_pk_get_type(&crt->pk);
    info->key_type = t == MBEDTLS_PK_RSA || t == MBEDTLS_PK_RSASSA_PSS ? OTTER_TLS_KEY_RSA
                     : t == MBEDTLS_PK_ECKEY || t == MBEDTLS_PK_ECDSA ? OTTER_TLS_KEY_EC
                                                                      : OTTER_TLS_KEY_UNKNOWN;
    size_t bits = mbedtls_pk_get_bitlen(&crt->pk);
    info->key_bits = bits > 0xffff ? 0xffff : (uint16_t)bits;
    info->is_ca = crt->ca_istrue ? 1 : 0;
    info->path_len = (crt->ca_istrue && crt->max_pathlen > 0 && crt->max_pathlen <= 128)
                         ? (int8_t)(crt->max_pathlen - 1)
                         : -1;
    info->self_signed = (uint8_t)self_signed(crt);
}

int otter_tls_cert_info_der(const uint8_t *der, size_t len, otter_tls_cert_info_t *info,
                            int *backend_err)
{
    if (!der || !info) {
        return OTTER_ERR_INVAL;
    }
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int ret = mbedtls_x509_crt_parse_der(&crt, der, len);
    if (backend_err) {
        *backend_err = ret;
    }
    if (ret == 0) {
        otter_tls_cert_describe(&crt, info);
    }
    mbedtls_x509_crt_free(&crt);
    return ret == 0 ? OTTER_OK : OTTER_ERR_TLS_CONFIG;
}
