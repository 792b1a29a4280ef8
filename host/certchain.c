/* host/certchain: trust stores, paths to a root, successors, output formats.
 * See certchain.h. */
#include "certchain.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/base64.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>

#include "otter/error.h"
#include "otter/tls.h"

void otter_certset_init(otter_certset_t *s)
{
    memset(s, 0, sizeof *s);
    mbedtls_x509_crt_init(&s->certs);
}

void otter_certset_free(otter_certset_t *s)
{
    mbedtls_x509_crt_free(&s->certs);
    otter_certset_init(s);
}

static size_t list_count(const mbedtls_x509_crt *c)
{
    size_t n = 0;
    for (; c && c->raw.p; c = c->next)
        n++;
    return n;
}

int otter_certset_add_der(otter_certset_t *s, const uint8_t *der, size_t len)
{
    size_t before = list_count(&s->certs);
    if (mbedtls_x509_crt_parse_der(&s->certs, der, len) != 0) {
        s->unparsed++;
        return OTTER_ERR_CERT_NONE;
    }
    s->count = list_count(&s->certs);
    return s->count > before ? 0 : OTTER_ERR_CERT_NONE;
}

/* Number of PEM certificate blocks in a NUL-terminated text. */
static size_t pem_blocks(const char *text)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, "-----BEGIN CERTIFICATE-----")) != NULL; p++)
        n++;
    return n;
}

int otter_certset_add(otter_certset_t *s, const uint8_t *buf, size_t len)
{
    size_t before = list_count(&s->certs);
    if (len == 0)
        return OTTER_ERR_CERT_NONE;
    char *text = malloc(len + 1);
    if (!text)
        return OTTER_ERR_CERT_NONE;
    memcpy(text, buf, len);
    text[len] = '\0';
    size_t blocks = pem_blocks(text);
    if (blocks > 0) {
        /* mbedTLS wants the NUL counted in the PEM buffer's length. */
        (void)mbedtls_x509_crt_parse(&s->certs, (const unsigned char *)text, len + 1);
    } else {
        (void)mbedtls_x509_crt_parse_der(&s->certs, buf, len);
        blocks = 1;
    }
    free(text);
    s->count = list_count(&s->certs);
    size_t added = s->count - before;
    s->unparsed += blocks > added ? blocks - added : 0;
    return added ? (int)added : OTTER_ERR_CERT_NONE;
}

int otter_certset_load(otter_certset_t *s, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return OTTER_ERR_FILE;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return OTTER_ERR_FILE;
    }
    snprintf(s->source, sizeof s->source, "%s", path);
    int ret = otter_certset_add(s, buf, n);
    free(buf);
    return ret;
}

const mbedtls_x509_crt *otter_certset_get(const otter_certset_t *s, size_t i)
{
    const mbedtls_x509_crt *c = &s->certs;
    for (; c && c->raw.p; c = c->next, i--)
        if (i == 0)
            return c;
    return NULL;
}

int otter_certset_index(const otter_certset_t *s, const mbedtls_x509_crt *crt)
{
    int i = 0;
    for (const mbedtls_x509_crt *c = &s->certs; c && c->raw.p; c = c->next, i++)
        if (c == crt)
            return i;
    return -1;
}

const char *otter_certstore_default(void)
{
    return access(OTTER_CERTSTORE_SYSTEM, R_OK) == 0 ? OTTER_CERTSTORE_SYSTEM : NULL;
}

int64_t otter_cert_not_before(const mbedtls_x509_crt *crt)
{
    otter_tls_cert_info_t in;
    return otter_tls_cert_info_der(crt->raw.p, crt->raw.len, &in, NULL) == 0 ? in.not_before : 0;
}

int64_t otter_cert_not_after(const mbedtls_x509_crt *crt)
{
    otter_tls_cert_info_t in;
    return otter_tls_cert_info_der(crt->raw.p, crt->raw.len, &in, NULL) == 0 ? in.not_after : 0;
}

int otter_cert_valid_at(const mbedtls_x509_crt *crt, int64_t now)
{
    return now >= otter_cert_not_before(crt) && now <= otter_cert_not_after(crt);
}

static int buf_eq(const mbedtls_x509_buf *a, const mbedtls_x509_buf *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

int otter_cert_signed_by(const mbedtls_x509_crt *child, const mbedtls_x509_crt *parent)
{
    if (!buf_eq(&child->issuer_raw, &parent->subject_raw))
        return 0;
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(child->sig_md);
    unsigned char hash[MBEDTLS_MD_MAX_SIZE];
    if (!md || mbedtls_md(md, child->tbs.p, child->tbs.len, hash) != 0)
        return 0;
    mbedtls_pk_context *pk = (mbedtls_pk_context *)&parent->pk;
    return mbedtls_pk_verify_ext(child->sig_pk, child->sig_opts, pk, child->sig_md, hash,
                                 mbedtls_md_get_size(md), child->sig.p, child->sig.len) == 0;
}

int otter_cert_self_signed(const mbedtls_x509_crt *crt)
{
    return otter_cert_signed_by(crt, crt);
}

int otter_cert_same_entity(const mbedtls_x509_crt *a, const mbedtls_x509_crt *b)
{
    return buf_eq(&a->subject_raw, &b->subject_raw) && buf_eq(&a->pk_raw, &b->pk_raw);
}

int otter_cert_equal(const mbedtls_x509_crt *a, const mbedtls_x509_crt *b)
{
    return buf_eq(&a->raw, &b->raw);
}

int otter_cert_spki_sha256(const mbedtls_x509_crt *crt, uint8_t out[32])
{
    return mbedtls_sha256_ret(crt->pk_raw.p, crt->pk_raw.len, out, 0) == 0 ? 0 : OTTER_ERR_CRYPTO;
}

static int on_path(const otter_certpath_t *p, const mbedtls_x509_crt *c)
{
    for (size_t i = 0; i < p->len; i++)
        if (p->crt[i] == c || otter_cert_equal(p->crt[i], c))
            return 1;
    return 0;
}

/* Rank of a store certificate as the issuer of a path step: higher is
 * better, 0 means not an issuer. */
static int store_rank(const mbedtls_x509_crt *cand, const mbedtls_x509_crt *child, int64_t now)
{
    if (!otter_cert_signed_by(child, cand))
        return 0;
    int self = otter_cert_self_signed(cand);
    int valid = otter_cert_valid_at(cand, now);
    return 1 + (self ? 2 : 0) + (valid ? 1 : 0);
}

static const mbedtls_x509_crt *best_store_issuer(const otter_certpath_t *p,
                                                 const mbedtls_x509_crt *child,
                                                 const otter_certset_t *store, int64_t now)
{
    const mbedtls_x509_crt *best = NULL;
    int best_rank = 0;
    for (const mbedtls_x509_crt *c = store ? &store->certs : NULL; c && c->raw.p; c = c->next) {
        if (on_path(p, c))
            continue;
        int r = store_rank(c, child, now);
        if (r > best_rank)
            best = c, best_rank = r;
    }
    return best;
}

static const mbedtls_x509_crt *chain_issuer(const otter_certpath_t *p,
                                            const mbedtls_x509_crt *child,
                                            const otter_certset_t *chain)
{
    for (const mbedtls_x509_crt *c = &chain->certs; c && c->raw.p; c = c->next)
        if (!on_path(p, c) && otter_cert_signed_by(child, c))
            return c;
    return NULL;
}

/* A store certificate on the path that the chain also holds in another
 * version (the server sent it cross-signed): index in the path or -1. */
static int find_cross(const otter_certpath_t *p, const otter_certset_t *chain)
{
    for (size_t i = 1; i < p->len; i++) {
        if (p->origin[i] != OTTER_CERTPATH_STORE)
            continue;
        for (const mbedtls_x509_crt *c = &chain->certs; c && c->raw.p; c = c->next)
            if (otter_cert_same_entity(c, p->crt[i]) && !otter_cert_equal(c, p->crt[i]))
                return (int)i;
    }
    return -1;
}

int otter_certpath_build(otter_certpath_t *p, const otter_certset_t *chain,
                         const otter_certset_t *store, int64_t now)
{
    memset(p, 0, sizeof *p);
    p->cross_at = -1;
    if (!chain || chain->count == 0)
        return OTTER_ERR_CERT_NONE;
    p->crt[0] = &chain->certs;
    p->origin[0] = OTTER_CERTPATH_CHAIN;
    p->len = 1;
    while (p->len < OTTER_CERTPATH_MAX) {
        const mbedtls_x509_crt *cur = p->crt[p->len - 1];
        if (otter_cert_self_signed(cur)) {
            p->complete = 1;
            break;
        }
        const mbedtls_x509_crt *next = best_store_issuer(p, cur, store, now);
        uint8_t origin = OTTER_CERTPATH_STORE;
        if (!next) {
            next = chain_issuer(p, cur, chain);
            origin = OTTER_CERTPATH_CHAIN;
        }
        if (!next)
            break;
        p->crt[p->len] = next;
        p->origin[p->len] = origin;
        p->len++;
    }
    if (!p->complete && p->len == OTTER_CERTPATH_MAX)
        p->complete = otter_cert_self_signed(p->crt[p->len - 1]);
    p->cross_at = find_cross(p, chain);
    size_t used = 0;
    for (size_t i = 0; i < p->len; i++)
        used += p->origin[i] == OTTER_CERTPATH_CHAIN;
    p->unused_chain = chain->count > used ? chain->count - used : 0;
    return 0;
}

const mbedtls_x509_crt *otter_certpath_root(const otter_certpath_t *p)
{
    return p->complete && p->len ? p->crt[p->len - 1] : NULL;
}

/* The O= value of a subject, or an empty buffer. */
static mbedtls_x509_buf org_of(const mbedtls_x509_crt *crt)
{
    mbedtls_x509_buf none = {0, 0, NULL};
    for (const mbedtls_x509_name *n = &crt->subject; n && n->oid.p; n = n->next)
        if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_ORGANIZATION, &n->oid) == 0)
            return n->val;
    return none;
}

void otter_cert_org(const mbedtls_x509_crt *crt, char *out, size_t cap)
{
    mbedtls_x509_buf o = org_of(crt);
    size_t n = 0;
    if (!cap)
        return;
    for (size_t i = 0; i < o.len && n + 1 < cap; i++)
        out[n++] = (o.p[i] >= 0x20 && o.p[i] < 0x7f) ? (char)o.p[i] : '?';
    out[n] = '\0';
}

/* Is cand, a self-signed CA in the store, a root that old cross-signed
 * (some certificate in sets has cand's subject and key and old's
 * signature)? */
static int cross_signed_by(const mbedtls_x509_crt *cand, const mbedtls_x509_crt *old,
                           const otter_certset_t *a, const otter_certset_t *b)
{
    const otter_certset_t *sets[2] = {a, b};
    for (int s = 0; s < 2; s++)
        for (const mbedtls_x509_crt *c = sets[s] ? &sets[s]->certs : NULL; c && c->raw.p;
             c = c->next)
            if (otter_cert_same_entity(c, cand) && otter_cert_signed_by(c, old) &&
                !otter_cert_same_entity(c, old))
                return 1;
    return 0;
}

const mbedtls_x509_crt *otter_cert_find_successor(const mbedtls_x509_crt *root,
                                                  const otter_certset_t *store,
                                                  const otter_certset_t *extra, int64_t now,
                                                  otter_successor_reason_t *why)
{
    const mbedtls_x509_crt *best = NULL;
    otter_successor_reason_t best_why = OTTER_SUCCESSOR_NONE;
    mbedtls_x509_buf org = org_of(root);
    *why = OTTER_SUCCESSOR_NONE;
    if (!store)
        return NULL;
    for (const mbedtls_x509_crt *c = &store->certs; c && c->raw.p; c = c->next) {
        if (otter_cert_same_entity(c, root) || buf_eq(&c->pk_raw, &root->pk_raw) || !c->ca_istrue ||
            !otter_cert_valid_at(c, now) || !otter_cert_self_signed(c) ||
            otter_cert_not_after(c) <= otter_cert_not_after(root))
            continue;
        otter_successor_reason_t r = OTTER_SUCCESSOR_NONE;
        if (cross_signed_by(c, root, store, extra))
            r = OTTER_SUCCESSOR_CROSS_SIGNED;
        else {
            mbedtls_x509_buf o = org_of(c);
            if (org.p && o.p && buf_eq(&o, &org))
                r = OTTER_SUCCESSOR_SAME_OWNER;
        }
        if (r == OTTER_SUCCESSOR_NONE)
            continue;
        /* A cross-sign is stronger evidence than a shared name. */
        if (!best || r < best_why ||
            (r == best_why && otter_cert_not_after(c) > otter_cert_not_after(best))) {
            best = c;
            best_why = r;
        }
    }
    for (const mbedtls_x509_crt *c = extra ? &extra->certs : NULL; !best && c && c->raw.p;
         c = c->next)
        if (c->ca_istrue && !otter_cert_same_entity(c, root) && otter_cert_signed_by(c, root) &&
            otter_cert_valid_at(c, now)) {
            best = c;
            best_why = OTTER_SUCCESSOR_CROSS_SIGNED;
        }
    *why = best_why;
    return best;
}

void otter_certadvice_make(otter_certadvice_t *a, const otter_certpath_t *p,
                           const otter_certset_t *chain, const otter_certset_t *store,
                           int64_t now)
{
    memset(a, 0, sizeof *a);
    if (!p->len)
        return;
    a->top = p->crt[p->len - 1];
    a->root = otter_certpath_root(p);
    if (!a->root)
        return;
    a->root_from_store = p->origin[p->len - 1] == OTTER_CERTPATH_STORE;
    a->root_valid = otter_cert_valid_at(a->root, now);
    a->root_expiring =
        a->root_valid && otter_cert_not_after(a->root) - now < OTTER_CERT_ROOT_WARN_SECONDS;
    if (!a->root_valid || a->root_expiring) {
        a->successor = otter_cert_find_successor(a->root, store, chain, now, &a->successor_why);
        a->successor_from_store = a->successor && store && otter_certset_index(store, a->successor) >= 0;
    }
    if (a->root_valid)
        a->pin[a->pin_count++] = a->root;
    if (a->successor)
        a->pin[a->pin_count++] = a->successor;
}

int otter_certfmt_parse(const char *name, otter_certfmt_t *fmt)
{
    static const struct {
        const char *name;
        otter_certfmt_t fmt;
    } names[] = {{"pem", OTTER_CERTFMT_PEM},
                 {"der", OTTER_CERTFMT_DER},
                 {"c", OTTER_CERTFMT_C},
                 {"pin", OTTER_CERTFMT_PIN}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0) {
            *fmt = names[i].fmt;
            return 0;
        }
    return OTTER_ERR_USAGE;
}

/* Base64 of a certificate's DER in malloc'd memory (NUL-terminated). */
static char *der_base64(const mbedtls_x509_crt *crt, size_t *olen)
{
    size_t cap = 4 * ((crt->raw.len + 2) / 3) + 1;
    unsigned char *b64 = malloc(cap);
    if (!b64)
        return NULL;
    if (mbedtls_base64_encode(b64, cap, olen, crt->raw.p, crt->raw.len) != 0) {
        free(b64);
        return NULL;
    }
    return (char *)b64;
}

/* The PEM lines of one certificate, each handed to emit without newline. */
static int pem_lines(const mbedtls_x509_crt *crt, int (*emit)(void *, const char *, size_t),
                     void *ctx)
{
    size_t n;
    char *b64 = der_base64(crt, &n);
    if (!b64)
        return OTTER_ERR_IO;
    int ret = emit(ctx, "-----BEGIN CERTIFICATE-----", 27);
    for (size_t off = 0; ret == 0 && off < n; off += 64)
        ret = emit(ctx, b64 + off, n - off < 64 ? n - off : 64);
    if (ret == 0)
        ret = emit(ctx, "-----END CERTIFICATE-----", 25);
    free(b64);
    return ret;
}

static int emit_pem(void *ctx, const char *s, size_t n)
{
    FILE *f = ctx;
    return fprintf(f, "%.*s\n", (int)n, s) < 0 ? OTTER_ERR_IO : 0;
}

/* State of the C literal writer: the first line carries the declaration,
 * every line but the very last ends in "\n" and a backslash. */
struct c_writer {
    FILE *f;
    size_t indent;
    size_t lines_left;
};

static int emit_c(void *ctx, const char *s, size_t n)
{
    struct c_writer *w = ctx;
    w->lines_left--;
    int r = fprintf(w->f, "\"%.*s%s\"%s\n", (int)n, s, w->lines_left ? "\\n" : "",
                    w->lines_left ? " \\" : ";");
    if (r >= 0 && w->lines_left)
        r = fprintf(w->f, "%*s", (int)w->indent, "");
    return r < 0 ? OTTER_ERR_IO : 0;
}

static int write_c(FILE *f, const mbedtls_x509_crt *const *crts, size_t n, const char *var)
{
    struct c_writer w = {f, 0, 0};
    for (size_t i = 0; i < n; i++)
        w.lines_left += 2 + (4 * ((crts[i]->raw.len + 2) / 3) + 63) / 64;
    int r = fprintf(f, "static const char *%s = ", var ? var : "server_certificate");
    if (r < 0)
        return OTTER_ERR_IO;
    w.indent = (size_t)r;
    for (size_t i = 0; i < n; i++) {
        int ret = pem_lines(crts[i], emit_c, &w);
        if (ret)
            return ret;
    }
    return 0;
}

int otter_cert_write(FILE *f, otter_certfmt_t fmt, const mbedtls_x509_crt *const *crts, size_t n,
                     const char *var)
{
    if (!f || (!crts && n))
        return OTTER_ERR_INVAL;
    for (size_t i = 0; i < n; i++) {
        int ret = 0;
        uint8_t pin[32];
        switch (fmt) {
        case OTTER_CERTFMT_PEM:
            ret = pem_lines(crts[i], emit_pem, f);
            break;
        case OTTER_CERTFMT_DER:
            ret = fwrite(crts[i]->raw.p, 1, crts[i]->raw.len, f) == crts[i]->raw.len ? 0
                                                                                    : OTTER_ERR_IO;
            break;
        case OTTER_CERTFMT_PIN:
            ret = otter_cert_spki_sha256(crts[i], pin);
            for (size_t k = 0; ret == 0 && k < 32; k++)
                ret = fprintf(f, "%02x", pin[k]) < 0 ? OTTER_ERR_IO : 0;
            if (ret == 0)
                ret = fputc('\n', f) == EOF ? OTTER_ERR_IO : 0;
            break;
        case OTTER_CERTFMT_C:
            return write_c(f, crts, n, var);
        default:
            return OTTER_ERR_INVAL;
        }
        if (ret)
            return ret;
    }
    return fflush(f) == 0 ? 0 : OTTER_ERR_IO;
}
