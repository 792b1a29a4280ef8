/* host/certchain: trust stores, paths to a root, successors, output formats.
 * See certchain.h. */
#include "certchain.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otter/crypto.h"
#include "host_error.h"
#include "pem.h"

void otter_certset_init(otter_certset_t *s)
{
    memset(s, 0, sizeof *s);
}

void otter_certset_free(otter_certset_t *s)
{
    for (size_t i = 0; i < s->count; i++)
        otter_cert_free(s->certs[i]);
    free(s->certs);
    otter_certset_init(s);
}

static int push(otter_certset_t *s, otter_cert_t *c)
{
    if (s->count == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        otter_cert_t **n = realloc(s->certs, cap * sizeof *n);
        if (!n)
            return -1;
        s->certs = n;
        s->cap = cap;
    }
    s->certs[s->count++] = c;
    return 0;
}

int otter_certset_add_der(otter_certset_t *s, const uint8_t *der, size_t len)
{
    otter_cert_t *c;
    if (otter_cert_new(&c, der, len) != 0 || push(s, c) != 0) {
        s->unparsed++;
        return OTTER_ERR_CERT_NONE;
    }
    return 0;
}

int otter_certset_add(otter_certset_t *s, const uint8_t *buf, size_t len)
{
    size_t before = s->count, pos = 0;
    uint8_t *der;
    size_t der_len;
    int got, blocks = 0;
    if (len == 0)
        return OTTER_ERR_CERT_NONE;
    while ((got = otter_pem_next((const char *)buf, len, "CERTIFICATE", &pos, &der, &der_len)) != 0) {
        blocks++;
        if (got < 0)
            s->unparsed++;
        else
            (void)otter_certset_add_der(s, der, der_len);
        free(der);
    }
    if (!blocks)
        (void)otter_certset_add_der(s, buf, len);
    size_t added = s->count - before;
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

const otter_cert_t *otter_certset_get(const otter_certset_t *s, size_t i)
{
    return i < s->count ? s->certs[i] : NULL;
}

int otter_certset_index(const otter_certset_t *s, const otter_cert_t *crt)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->certs[i] == crt)
            return (int)i;
    return -1;
}

const char *otter_certstore_default(void)
{
    return access(OTTER_CERTSTORE_SYSTEM, R_OK) == 0 ? OTTER_CERTSTORE_SYSTEM : NULL;
}

int64_t otter_cert_not_before(const otter_cert_t *crt)
{
    return crt->x.not_before;
}

int64_t otter_cert_not_after(const otter_cert_t *crt)
{
    return crt->x.not_after;
}

int otter_cert_valid_at(const otter_cert_t *crt, int64_t now)
{
    return now >= otter_cert_not_before(crt) && now <= otter_cert_not_after(crt);
}

static int span_eq(const otter_der_t *a, const otter_der_t *b)
{
    return otter_der_eq(a, b->p, b->len);
}

int otter_cert_signed_by(const otter_cert_t *child, const otter_cert_t *parent)
{
    if (!span_eq(&child->x.issuer, &parent->x.subject))
        return 0;
    if (child == parent)
        return child->self_signed;
    return otter_crt_signed_by(&child->x, &parent->x);
}

int otter_cert_self_signed(const otter_cert_t *crt)
{
    return crt->self_signed;
}

int otter_cert_same_entity(const otter_cert_t *a, const otter_cert_t *b)
{
    return span_eq(&a->x.subject, &b->x.subject) && span_eq(&a->x.spki, &b->x.spki);
}

int otter_cert_equal(const otter_cert_t *a, const otter_cert_t *b)
{
    return a->der_len == b->der_len && memcmp(a->der, b->der, a->der_len) == 0;
}

int otter_cert_spki_sha256(const otter_cert_t *crt, uint8_t out[32])
{
    return otter_sha256(crt->x.spki.p, crt->x.spki.len, out) == 0 ? 0 : OTTER_ERR_CRYPTO;
}

static int on_path(const otter_certpath_t *p, const otter_cert_t *c)
{
    for (size_t i = 0; i < p->len; i++)
        if (p->crt[i] == c || otter_cert_equal(p->crt[i], c))
            return 1;
    return 0;
}

/* Rank of a store certificate as the issuer of a path step: higher is
 * better, 0 means not an issuer. */
static int store_rank(const otter_cert_t *cand, const otter_cert_t *child, int64_t now)
{
    if (!otter_cert_signed_by(child, cand))
        return 0;
    int self = otter_cert_self_signed(cand);
    int valid = otter_cert_valid_at(cand, now);
    return 1 + (self ? 2 : 0) + (valid ? 1 : 0);
}

static const otter_cert_t *best_store_issuer(const otter_certpath_t *p,
                                                 const otter_cert_t *child,
                                                 const otter_certset_t *store, int64_t now)
{
    const otter_cert_t *best = NULL;
    int best_rank = 0;
    for (size_t i = 0; store && i < store->count; i++) {
        const otter_cert_t *c = store->certs[i];
        if (on_path(p, c))
            continue;
        int r = store_rank(c, child, now);
        if (r > best_rank)
            best = c, best_rank = r;
    }
    return best;
}

static const otter_cert_t *chain_issuer(const otter_certpath_t *p,
                                            const otter_cert_t *child,
                                            const otter_certset_t *chain)
{
    for (size_t i = 0; i < chain->count; i++)
        if (!on_path(p, chain->certs[i]) && otter_cert_signed_by(child, chain->certs[i]))
            return chain->certs[i];
    return NULL;
}

/* A store certificate on the path that the chain also holds in another
 * version (the server sent it cross-signed): index in the path or -1. */
static int find_cross(const otter_certpath_t *p, const otter_certset_t *chain)
{
    for (size_t i = 1; i < p->len; i++) {
        if (p->origin[i] != OTTER_CERTPATH_STORE)
            continue;
        for (size_t k = 0; k < chain->count; k++)
            if (otter_cert_same_entity(chain->certs[k], p->crt[i]) &&
                !otter_cert_equal(chain->certs[k], p->crt[i]))
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
    p->crt[0] = chain->certs[0];
    p->origin[0] = OTTER_CERTPATH_CHAIN;
    p->len = 1;
    while (p->len < OTTER_CERTPATH_MAX) {
        const otter_cert_t *cur = p->crt[p->len - 1];
        if (otter_cert_self_signed(cur)) {
            p->complete = 1;
            break;
        }
        const otter_cert_t *next = best_store_issuer(p, cur, store, now);
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

const otter_cert_t *otter_certpath_root(const otter_certpath_t *p)
{
    return p->complete && p->len ? p->crt[p->len - 1] : NULL;
}

/* The O= value of a subject, or an empty span. */
static otter_der_t org_of(const otter_cert_t *crt)
{
    otter_der_t o = {NULL, 0};
    if (otter_crt_name_attr(&crt->x.subject, OTTER_OID_AT_O, OTTER_OID_LEN(OTTER_OID_AT_O), &o) != 0)
        o.p = NULL, o.len = 0;
    return o;
}

void otter_cert_org(const otter_cert_t *crt, char *out, size_t cap)
{
    otter_der_t o = org_of(crt);
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
static int cross_signed_by(const otter_cert_t *cand, const otter_cert_t *old,
                           const otter_certset_t *a, const otter_certset_t *b)
{
    const otter_certset_t *sets[2] = {a, b};
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; sets[s] && i < sets[s]->count; i++) {
            const otter_cert_t *c = sets[s]->certs[i];
            if (otter_cert_same_entity(c, cand) && otter_cert_signed_by(c, old) &&
                !otter_cert_same_entity(c, old))
                return 1;
        }
    return 0;
}

const otter_cert_t *otter_cert_find_successor(const otter_cert_t *root,
                                                  const otter_certset_t *store,
                                                  const otter_certset_t *extra, int64_t now,
                                                  otter_successor_reason_t *why)
{
    const otter_cert_t *best = NULL;
    otter_successor_reason_t best_why = OTTER_SUCCESSOR_NONE;
    otter_der_t org = org_of(root);
    *why = OTTER_SUCCESSOR_NONE;
    if (!store)
        return NULL;
    for (size_t i = 0; i < store->count; i++) {
        const otter_cert_t *c = store->certs[i];
        if (otter_cert_same_entity(c, root) || span_eq(&c->x.spki, &root->x.spki) || !c->x.is_ca ||
            !otter_cert_valid_at(c, now) || !otter_cert_self_signed(c) ||
            otter_cert_not_after(c) <= otter_cert_not_after(root))
            continue;
        otter_successor_reason_t r = OTTER_SUCCESSOR_NONE;
        if (cross_signed_by(c, root, store, extra))
            r = OTTER_SUCCESSOR_CROSS_SIGNED;
        else {
            otter_der_t o = org_of(c);
            if (org.p && o.p && span_eq(&o, &org))
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
    for (size_t i = 0; extra && !best && i < extra->count; i++) {
        const otter_cert_t *c = extra->certs[i];
        if (c->x.is_ca && !otter_cert_same_entity(c, root) && otter_cert_signed_by(c, root) &&
            otter_cert_valid_at(c, now)) {
            best = c;
            best_why = OTTER_SUCCESSOR_CROSS_SIGNED;
        }
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
static char *der_base64(const otter_cert_t *crt, size_t *olen)
{
    char *b64 = malloc(4 * ((crt->der_len + 2) / 3) + 1);
    if (b64)
        *olen = otter_base64_encode(crt->der, crt->der_len, b64);
    return b64;
}

/* The PEM lines of one certificate, each handed to emit without newline. */
static int pem_lines(const otter_cert_t *crt, int (*emit)(void *, const char *, size_t),
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

static int write_c(FILE *f, const otter_cert_t *const *crts, size_t n, const char *var)
{
    struct c_writer w = {f, 0, 0};
    for (size_t i = 0; i < n; i++)
        w.lines_left += 2 + (4 * ((crts[i]->der_len + 2) / 3) + 63) / 64;
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

int otter_cert_write(FILE *f, otter_certfmt_t fmt, const otter_cert_t *const *crts, size_t n,
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
            ret = fwrite(crts[i]->der, 1, crts[i]->der_len, f) == crts[i]->der_len ? 0 : OTTER_ERR_IO;
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
