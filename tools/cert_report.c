/* The certificate report of `otter cert` (and the trust part of `otter
 * doctor`): describe, find the root, say what it means and what to pin.
 * Every name and date comes from the certificates and the store. */
#include "cert_report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "pki.h"
#include "host_error.h"
#include "otter/tls.h"
#include "otter/tls_collect.h"
#include "otter/tls_report.h"

#define DAY 86400

void cert_report_init(cert_report_t *r)
{
    memset(r, 0, sizeof *r);
    otter_certset_init(&r->chain);
    otter_certset_init(&r->store);
}

void cert_report_free(cert_report_t *r)
{
    otter_certset_free(&r->chain);
    otter_certset_free(&r->store);
}

int cert_report_load_store(cert_report_t *r, const char *path)
{
    const char *p = path ? path : otter_certstore_default();
    if (!p) {
        snprintf(r->store_note, sizeof r->store_note,
                 "no trust store (%s is missing; give one with --store FILE)", OTTER_CERTSTORE_SYSTEM);
        return 0;
    }
    int ret = otter_certset_load(&r->store, p);
    if (ret < 0 && path) {
        cli_err("cannot use %s as a trust store: %s", path, otter_host_strerror(ret));
        return -1;
    }
    if (ret < 0)
        snprintf(r->store_note, sizeof r->store_note, "no trust store (%s: %s)", p,
                 otter_host_strerror(ret));
    return 0;
}

void cert_notes_add(cert_notes_t *notes, int kind, const char *fmt, ...)
{
    if (notes->n >= CERT_NOTES_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(notes->text[notes->n], CERT_NOTE_LEN, fmt, ap);
    va_end(ap);
    notes->kind[notes->n++] = kind;
}

static const char *mark(int kind)
{
    static const char *const marks[] = {"  ", "\xe2\x9c\x93 ", "\xe2\x9c\x97 ", "! ", "\xe2\x86\x92 "};
    return kind >= 0 && kind <= CERT_NOTE_DO ? marks[kind] : "  ";
}

void cert_notes_print(FILE *f, const cert_notes_t *notes, int indent)
{
    for (size_t i = 0; i < notes->n; i++)
        fprintf(f, "%*s%s%s\n", indent, "", mark(notes->kind[i]), notes->text[i]);
}

void cert_notes_json(FILE *f, const cert_notes_t *notes)
{
    static const char *const kinds[] = {"info", "ok", "bad", "warn", "do"};
    fputc('[', f);
    for (size_t i = 0; i < notes->n; i++) {
        fprintf(f, "%s{\"kind\":\"%s\",\"text\":", i ? "," : "", kinds[notes->kind[i]]);
        cli_json_str(f, notes->text[i]);
        fputc('}', f);
    }
    fputc(']', f);
}

void cert_short_name(const otter_cert_t *crt, char *out, size_t cap)
{
    const otter_tls_cert_info_t info = (crt)->info;
    snprintf(out, cap, "%s", info.name);
}

/* Whole days from now to t, rounded towards zero. */
static long days_between(int64_t now, int64_t t)
{
    return (long)((t - now) / DAY);
}

/* "valid until 2036-01-01 (3325 days left)" / "expired on ... (N days ago)" /
 * "not valid before ... (in N days)" into out. */
static void validity_words(const otter_cert_t *crt, int64_t now, char *out, size_t cap)
{
    char from[11], to[11];
    otter_tls_date(otter_cert_not_before(crt), from);
    otter_tls_date(otter_cert_not_after(crt), to);
    if (now > otter_cert_not_after(crt))
        snprintf(out, cap, "expired on %s (%ld days ago)", to, days_between(otter_cert_not_after(crt), now));
    else if (now < otter_cert_not_before(crt))
        snprintf(out, cap, "not valid before %s (in %ld days)", from,
                 days_between(now, otter_cert_not_before(crt)));
    else
        snprintf(out, cap, "valid until %s (%ld days left)", to, days_between(now, otter_cert_not_after(crt)));
}

static const char *where(const cert_report_t *r, int origin)
{
    if (origin == OTTER_CERTPATH_STORE)
        return "in the trust store";
    return r->live ? "sent by the server" : "in the file";
}

/* Is crt a root's cross-signed copy: a CA that is not self-signed, with a
 * self-signed version (same subject and key) in the store or the chain, or
 * the successor the advice found for an expired root? */
static int cross_signed_root(const cert_report_t *r, const otter_cert_t *crt)
{
    if (!crt->x.is_ca || otter_cert_self_signed(crt))
        return 0;
    if (r->advice.successor == crt)
        return 1;
    const otter_certset_t *sets[2] = {&r->store, &r->chain};
    for (int i = 0; i < 2; i++)
        for (size_t ci = 0; ci < sets[i]->count; ci++) {
            const otter_cert_t *c = sets[i]->certs[ci];
            if (c != crt && otter_cert_same_entity(c, crt) && otter_cert_self_signed(c))
                return 1;
        }
    return 0;
}

/* "This is Let's Encrypt's intermediate R3 (a CA, pathlen 0), issued by
 * DST Root CA X3, valid 2020-10-07 to 2021-09-29, expired on 2021-09-29,
 * 1882 days ago." */
static void what_one(cert_report_t *r, const otter_cert_t *crt, const char *lead)
{
    const otter_tls_cert_info_t in = (crt)->info;
    char org[64], from[11], to[11], state[96];
    otter_cert_org(crt, org, sizeof org);
    otter_tls_date(in.not_before, from);
    otter_tls_date(in.not_after, to);
    if (r->now > in.not_after)
        snprintf(state, sizeof state, "expired on %s, %ld days ago", to, days_between(in.not_after, r->now));
    else if (r->now < in.not_before)
        snprintf(state, sizeof state, "not valid yet (valid from %s, in %ld days)", from,
                 days_between(r->now, in.not_before));
    else
        snprintf(state, sizeof state, "%ld days left", days_between(r->now, in.not_after));
    const char *role = in.self_signed ? (in.is_ca ? "root" : "self-signed server certificate")
                       : cross_signed_root(r, crt) ? "cross-signed root"
                       : in.is_ca                  ? "intermediate"
                                                   : "server certificate";
    char owner[80];
    if (org[0] && strcmp(org, in.name) != 0)
        snprintf(owner, sizeof owner, "%s's", org);
    else
        snprintf(owner, sizeof owner, "the");
    char what[64];
    if (in.is_ca && in.path_len >= 0)
        snprintf(what, sizeof what, "a CA, pathlen %d", in.path_len);
    else
        snprintf(what, sizeof what, "%s", in.is_ca ? "a CA" : "not a CA");
    char names[OTTER_TLS_HOST_MAX + 8] = "";
    if (!in.is_ca) {
        char alt[OTTER_TLS_HOST_MAX];
        (void)otter_tls_cert_names_der(crt->der, crt->der_len, alt, sizeof alt);
        if (alt[0])
            snprintf(names, sizeof names, " for %s", alt);
    }
    char issued[OTTER_TLS_NAME_MAX + 16] = "self-signed";
    if (!in.self_signed)
        snprintf(issued, sizeof issued, "issued by %s", in.issuer_name);
    cert_notes_add(&r->what, CERT_NOTE_INFO, "%s %s %s %s%s (%s), %s, valid %s to %s, %s.", lead,
                   owner, role, in.name, names, what, issued, from, to, state);
}

static void what_path(cert_report_t *r)
{
    const otter_certpath_t *p = &r->path;
    char name[64], v[96];
    const otter_cert_t *top = p->crt[p->len - 1];
    cert_short_name(top, name, sizeof name);
    if (p->complete) {
        validity_words(top, r->now, v, sizeof v);
        if (p->len > 1)
            cert_notes_add(&r->what, CERT_NOTE_INFO, "The chain leads to the root '%s' (%s), %s.", name,
                           where(r, p->origin[p->len - 1]), v);
    } else {
        const otter_tls_cert_info_t in = (top)->info;
        char store[400];
        if (r->store.count)
            snprintf(store, sizeof store, "the trust store %s (%zu certificate%s)", r->store.source,
                     r->store.count, r->store.count == 1 ? "" : "s");
        else
            snprintf(store, sizeof store, "a trust store: %s", r->store_note);
        cert_notes_add(&r->what, CERT_NOTE_INFO,
                       "Its issuer '%s' is neither %s nor in %s, so the path to a root stops at '%s'.",
                       in.issuer_name, r->live ? "in the server's chain" : "in this file", store, name);
    }
    if (p->cross_at < 0)
        return;
    for (size_t ci = 0; ci < r->chain.count; ci++) {
        const otter_cert_t *c = r->chain.certs[ci];
        if (!otter_cert_same_entity(c, p->crt[p->cross_at]) || otter_cert_equal(c, p->crt[p->cross_at]))
            continue;
        const otter_tls_cert_info_t in = (c)->info;
        cert_notes_add(&r->what, CERT_NOTE_INFO,
                       "The server also sent '%s' cross-signed by '%s'; the trust store holds '%s' "
                       "itself (self-signed), which ends the path.",
                       in.name, in.issuer_name, in.name);
        break;
    }
}

/* Explaining a file: say why each certificate in it that is not a root is
 * a poor pin. Returns how many such certificates there were. */
static int pin_file_certs(cert_report_t *r)
{
    int bad = 0;
    for (size_t ci = 0; ci < r->chain.count; ci++) {
        const otter_cert_t *c = r->chain.certs[ci];
        const otter_tls_cert_info_t in = (c)->info;
        long life = (long)((in.not_after - in.not_before) / DAY);
        if ((in.self_signed && in.is_ca) || cross_signed_root(r, c))
            continue;
        bad++;
        if (in.is_ca)
            cert_notes_add(&r->pin, CERT_NOTE_BAD,
                           "Pinning an intermediate breaks when it rotates: do not pin %s. Intermediates "
                           "are replaced every few months to years (%s was valid for %ld days), and a "
                           "device that pins one fails its handshake with -0x%04X (%s) once the server "
                           "moves to the next one, or once it expires.",
                           in.name, in.name, life, 0x2700u,
                           otter_tls_backend_errname(-0x2700));
        else if (in.self_signed)
            cert_notes_add(&r->pin, CERT_NOTE_WARN,
                           "%s is a self-signed server certificate: a device can pin it, but must be "
                           "updated whenever the server's certificate changes (this one is valid for "
                           "%ld days).",
                           in.name, life);
        else
            cert_notes_add(&r->pin, CERT_NOTE_BAD,
                           "Pinning the server's own certificate breaks at every renewal: do not pin "
                           "%s (it is valid for %ld days).",
                           in.name, life);
    }
    return bad;
}

static void pin_successor(cert_report_t *r)
{
    const otter_certadvice_t *a = &r->advice;
    char rn[64], sn[64], v[96], why[160];
    cert_short_name(a->root, rn, sizeof rn);
    if (!a->successor) {
        char to[11];
        otter_tls_date(otter_cert_not_after(a->root), to);
        if (a->root_valid)
            cert_notes_add(&r->pin, CERT_NOTE_WARN,
                           "No successor of '%s' is known in the trust store: plan a firmware update "
                           "that adds the next root before %s.",
                           rn, to);
        else
            cert_notes_add(&r->pin, CERT_NOTE_DO,
                           "No successor of '%s' is known in the trust store: the server must send a "
                           "chain that leads to a current root; pin that root.",
                           rn);
        return;
    }
    cert_short_name(a->successor, sn, sizeof sn);
    validity_words(a->successor, r->now, v, sizeof v);
    if (a->successor_why == OTTER_SUCCESSOR_CROSS_SIGNED) {
        snprintf(why, sizeof why, "'%s' cross-signed it", rn);
    } else {
        char org[64];
        otter_cert_org(a->successor, org, sizeof org);
        snprintf(why, sizeof why, "it is from the same organisation, %s", org);
    }
    if (a->root_valid)
        cert_notes_add(&r->pin, CERT_NOTE_DO,
                       "Pin a bundle of '%s' and its successor '%s' (%s; %s): --format c or pem "
                       "writes both.",
                       rn, sn, why, v);
    else
        cert_notes_add(&r->pin, CERT_NOTE_DO, "Pin its successor '%s' instead (%s; %s).", sn, why, v);
    if (!a->successor_from_store)
        cert_notes_add(&r->pin, CERT_NOTE_INFO,
                       "'%s' itself (self-signed) is not in the trust store; the cross-signed copy "
                       "%s works as a trusted CA for mbedTLS while it is valid.",
                       sn, where(r, OTTER_CERTPATH_CHAIN));
}

/* The recommended root comes from the store, not from the server: a pin of
 * it works only where the device can reach it from its own store. */
static void store_root_note(cert_report_t *r, const char *rn)
{
    cert_notes_add(&r->pin, CERT_NOTE_INFO,
                   "The server does not send '%s': a pin of it matches only on a device whose trust "
                   "store holds it (otter device --pin completes the path from --store FILE, default "
                   "the system CA bundle). A device without it in its store: give the root itself "
                   "as --ca (--format pem, or --format c as server_certificate). A pin of a "
                   "certificate the server sends needs no store but breaks when the server renews "
                   "(leaf) or its CA rotates (intermediate).",
                   rn);
}

static void pin_advice(cert_report_t *r, int file_bad)
{
    const otter_certadvice_t *a = &r->advice;
    char rn[64], v[96], top[64];
    if (a->root) {
        cert_short_name(a->root, rn, sizeof rn);
        validity_words(a->root, r->now, v, sizeof v);
        if (!a->root_valid)
            cert_notes_add(&r->pin, CERT_NOTE_BAD, "The chain leads to the root '%s', which %s.", rn,
                           r->now > otter_cert_not_after(a->root) ? v : "is not valid yet");
        else if (!a->root->x.is_ca)
            cert_notes_add(&r->pin, CERT_NOTE_WARN,
                           "'%s' is a self-signed server certificate, %s: a device can only pin it "
                           "itself, and must be updated whenever the server's certificate changes; a "
                           "certificate from a CA avoids that.",
                           rn, v);
        else
            cert_notes_add(&r->pin, CERT_NOTE_OK, "Pin the root '%s' (%s), %s.", rn,
                           where(r, a->root_from_store ? OTTER_CERTPATH_STORE : OTTER_CERTPATH_CHAIN), v);
        if (a->root_valid && !a->root_from_store && r->store.count)
            cert_notes_add(&r->pin, CERT_NOTE_INFO,
                           "'%s' is not in the trust store %s: make sure it is the server's own CA "
                           "(not, say, an intercepting proxy's) before a device trusts it.",
                           rn, r->store.source);
        if (a->root_expiring)
            cert_notes_add(&r->pin, CERT_NOTE_WARN,
                           "'%s' expires in %ld days, within two years: a device in the field longer "
                           "than that stops updating then.",
                           rn, days_between(r->now, otter_cert_not_after(a->root)));
        if (!a->root_valid || a->root_expiring)
            pin_successor(r);
    } else {
        const otter_tls_cert_info_t in = (a->top)->info;
        cert_short_name(a->top, top, sizeof top);
        cert_notes_add(&r->pin, CERT_NOTE_BAD, "No root found: %s leads to no root %s.",
                       r->live ? "the server's chain" : "this file",
                       r->store.count ? "in the trust store" : "(no trust store)");
        if (r->live)
            cert_notes_add(&r->pin, CERT_NOTE_DO,
                           "Give a trust store that holds '%s' with --store FILE and run this again.",
                           in.issuer_name);
    }
    if (!r->live && a->pin_count && (file_bad || !a->root_valid))
        cert_notes_add(&r->pin, CERT_NOTE_DO,
                       "Write it out with: otter cert --explain %s%s%s --format c (or pem, der, pin), "
                       "and check with otter cert https://YOUR-SERVER/ that the server's chain leads "
                       "to it today.",
                       r->target, r->store.count ? " --store " : "", r->store.count ? r->store.source : "");
    else if (!r->live && (file_bad || !a->root || !a->root_valid))
        cert_notes_add(&r->pin, CERT_NOTE_DO,
                       "Pin the root that the server's chain leads to today. Get it with: otter cert "
                       "https://YOUR-SERVER/ --format c (a C string to paste as server_certificate; "
                       "--format pin prints its SPKI SHA-256 instead).");
    else if (r->live && a->pin_count)
        cert_notes_add(&r->pin, CERT_NOTE_DO,
                       "Get it with: otter cert %s --format c (a C string to paste as "
                       "server_certificate), --format pem, or --format pin (SPKI SHA-256 for --pin).",
                       r->target);
    if (r->live && a->pin_count && a->root && a->root_valid && a->root_from_store)
        store_root_note(r, rn);
}

/* Live: say which certificates of the path are not to be pinned. */
static void pin_not_these(cert_report_t *r)
{
    const otter_certpath_t *p = &r->path;
    for (size_t i = 0; i < p->len; i++) {
        const otter_tls_cert_info_t in = (p->crt[i])->info;
        if (in.self_signed)
            continue;
        long life = (long)((in.not_after - in.not_before) / DAY);
        if (in.is_ca)
            cert_notes_add(&r->pin, CERT_NOTE_INFO,
                           "Not the intermediate '%s': intermediates rotate (this one is valid for %ld "
                           "days), and a device pinning one stops updating when the server moves on.",
                           in.name, life);
        else
            cert_notes_add(&r->pin, CERT_NOTE_INFO,
                           "Not the server certificate '%s': it is replaced at every renewal (valid for "
                           "%ld days).",
                           in.name, life);
    }
}

void cert_report_analyse(cert_report_t *r)
{
    r->what.n = r->pin.n = 0;
    if (otter_certpath_build(&r->path, &r->chain, &r->store, r->now) != 0)
        return;
    otter_certadvice_make(&r->advice, &r->path, &r->chain, &r->store, r->now);
    if (r->live) {
        what_one(r, r->chain.certs[0], "The server sent");
        if (r->host_mismatch[0])
            cert_notes_add(&r->what, CERT_NOTE_BAD, "%s A device connecting to this URL refuses it "
                           "(TLS_HOSTNAME).", r->host_mismatch);
    } else {
        const char *lead = "This is";
        for (size_t ci = 0; ci < r->chain.count; ci++) {
        const otter_cert_t *c = r->chain.certs[ci];
            what_one(r, c, lead);
            lead = "Then";
        }
    }
    what_path(r);
    int file_bad = r->live ? 0 : pin_file_certs(r);
    pin_advice(r, file_bad);
    if (r->live)
        pin_not_these(r);
}

static const char *key_name(uint8_t t)
{
    return t == OTTER_TLS_KEY_RSA ? "RSA" : t == OTTER_TLS_KEY_EC ? "EC" : "unknown";
}

static void text_cert(FILE *f, const cert_report_t *r, const otter_cert_t *crt, const char *label)
{
    const otter_tls_cert_info_t in = (crt)->info;
    char from[11], to[11];
    otter_tls_date(in.not_before, from);
    otter_tls_date(in.not_after, to);
    long left = days_between(r->now, in.not_after);
    fprintf(f, "%s %s\n    subject:     %s\n    issuer:      %s\n", label, in.name, in.subject, in.issuer);
    fprintf(f, "    valid:       %s to %s", from, to);
    if (r->now < in.not_before)
        fprintf(f, " (not valid yet: starts in %ld days)\n", days_between(r->now, in.not_before));
    else if (left >= 0 && r->now <= in.not_after)
        fprintf(f, " (%ld days left)\n", left);
    else
        fprintf(f, " (expired %ld days ago)\n", days_between(in.not_after, r->now));
    fprintf(f, "    key:         %s %u bits\n    spki sha256: ", key_name(in.key_type), in.key_bits);
    cli_print_hex(f, in.spki_sha256, 32);
    if (in.is_ca && in.path_len >= 0)
        fprintf(f, "\n    role:        CA (pathlen %d)", in.path_len);
    else
        fprintf(f, "\n    role:        %s", in.is_ca ? "CA" : "leaf (not a CA)");
    fprintf(f, "%s\n", in.self_signed ? ", self-signed" : "");
}

static void text_path(FILE *f, const cert_report_t *r)
{
    const otter_certpath_t *p = &r->path;
    fputs("path:", f);
    for (size_t i = 0; i < p->len; i++) {
        char n[64];
        cert_short_name(p->crt[i], n, sizeof n);
        fprintf(f, "%s '%s'%s", i ? " <-" : "", n,
                p->origin[i] == OTTER_CERTPATH_STORE ? " (trust store)" : "");
    }
    if (p->complete) {
        fputs(" (root)\n", f);
    } else {
        const otter_tls_cert_info_t in = (p->crt[p->len - 1])->info;
        fprintf(f, " <- '%s' (not found)\n", in.issuer_name);
    }
}

void cert_report_text(FILE *f, const cert_report_t *r)
{
    char now[11];
    otter_tls_date(r->now, now);
    if (r->live)
        fprintf(f, "%s: the server sent %zu certificate%s (%s, %s)\n", r->target, r->chain.count,
                r->chain.count == 1 ? "" : "s", r->version, r->cipher);
    else
        fprintf(f, "%s: %zu certificate%s\n", r->target, r->chain.count, r->chain.count == 1 ? "" : "s");
    fprintf(f, "dates checked as of %s%s\n", now, r->now_given ? " (--at)" : " (now)");
    if (r->store.count)
        fprintf(f, "trust store: %s (%zu certificate%s)\n", r->store.source, r->store.count, r->store.count == 1 ? "" : "s");
    else
        fprintf(f, "trust store: %s\n", r->store_note);
    fputc('\n', f);
    int i = 0;
    for (; i < (int)r->chain.count; i++) {
        const otter_cert_t *c = r->chain.certs[i];
        char label[16];
        snprintf(label, sizeof label, "[%d]", i);
        text_cert(f, r, c, label);
    }
    for (size_t k = 0; k < r->path.len; k++)
        if (r->path.origin[k] == OTTER_CERTPATH_STORE)
            text_cert(f, r, r->path.crt[k], "[trust store]");
    if (r->path.len) {
        fputc('\n', f);
        text_path(f, r);
    }
    fputs("\nWhat this is:\n", f);
    cert_notes_print(f, &r->what, 2);
    fputs("\nWhat to pin:\n", f);
    cert_notes_print(f, &r->pin, 2);
}

static void json_cert(FILE *f, const cert_report_t *r, const otter_cert_t *crt)
{
    const otter_tls_cert_info_t in = (crt)->info;
    char from[11], to[11];
    otter_tls_date(in.not_before, from);
    otter_tls_date(in.not_after, to);
    fputs("{\"name\":", f);
    cli_json_str(f, in.name);
    fputs(",\"subject\":", f);
    cli_json_str(f, in.subject);
    fputs(",\"issuer\":", f);
    cli_json_str(f, in.issuer);
    fprintf(f, ",\"not_before\":\"%s\",\"not_after\":\"%s\",\"days_left\":%ld", from, to,
            days_between(r->now, in.not_after));
    fprintf(f, ",\"valid\":%s,\"key\":\"%s\",\"key_bits\":%u,\"spki_sha256\":\"",
            otter_cert_valid_at(crt, r->now) ? "true" : "false", key_name(in.key_type), in.key_bits);
    cli_print_hex(f, in.spki_sha256, 32);
    fprintf(f, "\",\"ca\":%s,\"pathlen\":%d,\"self_signed\":%s}", in.is_ca ? "true" : "false",
            in.path_len, in.self_signed ? "true" : "false");
}

static void json_certs(FILE *f, const cert_report_t *r, const otter_cert_t *const *v, size_t n)
{
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        json_cert(f, r, v[i]);
    }
    fputc(']', f);
}

void cert_report_json(FILE *f, const cert_report_t *r)
{
    char now[11];
    otter_tls_date(r->now, now);
    fputs("{\"target\":", f);
    cli_json_str(f, r->target);
    fprintf(f, ",\"live\":%s", r->live ? "true" : "false");
    if (r->live) {
        fputs(",\"tls\":{\"version\":", f);
        cli_json_str(f, r->version);
        fputs(",\"cipher\":", f);
        cli_json_str(f, r->cipher);
        fputc('}', f);
    }
    fprintf(f, ",\"now\":\"%s\",\"store\":{\"path\":", now);
    cli_json_str(f, r->store.count ? r->store.source : "");
    fprintf(f, ",\"count\":%zu},\"chain\":[", r->store.count);
    int i = 0;
    for (; i < (int)r->chain.count; i++) {
        const otter_cert_t *c = r->chain.certs[i];
        if (i)
            fputc(',', f);
        json_cert(f, r, c);
    }
    fputs("],\"path\":[", f);
    for (size_t k = 0; k < r->path.len; k++) {
        char n[64];
        cert_short_name(r->path.crt[k], n, sizeof n);
        fprintf(f, "%s{\"name\":", k ? "," : "");
        cli_json_str(f, n);
        fprintf(f, ",\"from\":\"%s\"}", r->path.origin[k] == OTTER_CERTPATH_STORE ? "store" : "chain");
    }
    fprintf(f, "],\"path_complete\":%s,\"root\":", r->path.complete ? "true" : "false");
    if (r->advice.root)
        json_cert(f, r, r->advice.root);
    else
        fputs("null", f);
    fputs(",\"successor\":", f);
    if (r->advice.successor)
        json_cert(f, r, r->advice.successor);
    else
        fputs("null", f);
    fputs(",\"pin\":", f);
    json_certs(f, r, r->advice.pin, r->advice.pin_count);
    fputs(",\"what\":", f);
    cert_notes_json(f, &r->what);
    fputs(",\"advice\":", f);
    cert_notes_json(f, &r->pin);
    fputs("}\n", f);
}

int cert_parse_at(const char *s, int64_t *out)
{
    /* The PKI maker's date syntax, so that --at and --not-before agree. */
    return otter_pki_parse_time(s, (int64_t)time(NULL), out) == 0 ? 0 : -1;
}

int cert_split_target(const char *s, char *host, size_t host_cap, uint16_t *port)
{
    unsigned long p = 443;
    const char *h = s;
    if (!strncmp(s, "https://", 8))
        h = s + 8;
    else if (!strncmp(s, "http://", 7))
        h = s + 7, p = 80;
    size_t hl = strcspn(h, "/?#");
    const char *colon = NULL;
    const char *hs = h;
    size_t hn;
    if (*h == '[') {
        const char *close = memchr(h, ']', hl);
        if (!close)
            return -1;
        hs = h + 1;
        hn = (size_t)(close - hs);
        if (close + 1 < h + hl) {
            if (close[1] != ':')
                return -1;
            colon = close + 1;
        }
    } else {
        colon = memchr(h, ':', hl);
        hn = colon ? (size_t)(colon - h) : hl;
    }
    if (colon) {
        char *end;
        p = strtoul(colon + 1, &end, 10);
        if (end == colon + 1 || end != h + hl || p == 0 || p > 65535)
            return -1;
    }
    if (hn == 0 || hn >= host_cap)
        return -1;
    memcpy(host, hs, hn);
    host[hn] = '\0';
    *port = (uint16_t)p;
    return 0;
}
