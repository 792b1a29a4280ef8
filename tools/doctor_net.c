/* otter doctor, network steps: URL, DNS, TCP, TLS handshake, trust, host
 * name, dates. The handshake is otter_tls's, with the device's trust and
 * the device's idea of "now" (--at). */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cert_report.h"
#include "cert_fetch.h"
#include "cli.h"
#include "doctor.h"
#include "host_error.h"
#include "otter/url.h"
#include "posix_rng.h"
#include "posix_tcp.h"

doctor_step_t *doctor_add(doctor_t *d, const char *name, int status, const char *fmt, ...)
{
    /* The last slot is a sink when the list is full. */
    doctor_step_t *s = d->n_steps < DOCTOR_MAX_STEPS ? &d->steps[d->n_steps++] : &d->steps[DOCTOR_MAX_STEPS];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->text, sizeof s->text, fmt, ap);
    va_end(ap);
    if (status == DOCTOR_FAIL && !d->fail_at[0])
        snprintf(d->fail_at, sizeof d->fail_at, "%s", name);
    return s;
}

void doctor_fix(doctor_step_t *s, const char *fmt, ...)
{
    size_t n = strlen(s->fix);
    if (n && n + 1 < sizeof s->fix)
        s->fix[n++] = '\n';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->fix + n, sizeof s->fix - n, fmt, ap);
    va_end(ap);
}

static int step_url(doctor_t *d)
{
    otter_url_t u;
    if (otter_url_parse(d->url, strlen(d->url), &u) != 0) {
        doctor_step_t *s = doctor_add(d, "URL", DOCTOR_FAIL, "'%s' is not an http:// or https:// URL",
                                      d->url);
        doctor_fix(s, "give the full URL of the image, e.g. https://updates.example.com/fw.bin");
        return -1;
    }
    size_t n = u.host_len < sizeof d->host - 1 ? u.host_len : sizeof d->host - 1;
    memcpy(d->host, d->url + u.host_off, n);
    d->host[n] = '\0';
    d->port = u.port;
    d->https = u.scheme == OTTER_URL_HTTPS;
    doctor_step_t *s = doctor_add(d, "URL", d->https ? DOCTOR_OK : DOCTOR_WARN, "%s, host %s, port %u",
                                  d->https ? "https" : "http", d->host, (unsigned)d->port);
    if (!d->https)
        doctor_fix(s, "plain http:// lets anyone on the path change the image; serve it over https "
                      "(and sign it: --pub)");
    return 0;
}

static int step_dns(doctor_t *d)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    int g = getaddrinfo(d->host, NULL, &hints, &res);
    if (g != 0) {
        doctor_step_t *s = doctor_add(d, "DNS", DOCTOR_FAIL, "%s does not resolve: %s", d->host,
                                      gai_strerror(g));
        doctor_fix(s, "check the host name in the URL and the DNS server the device gets (DHCP)");
        return -1;
    }
    char list[300] = "";
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        char a[INET6_ADDRSTRLEN] = "";
        const void *p = ai->ai_family == AF_INET6
                            ? (const void *)&((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr
                            : (const void *)&((const struct sockaddr_in *)ai->ai_addr)->sin_addr;
        inet_ntop(ai->ai_family, p, a, sizeof a);
        if (strstr(list, a))
            continue;
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", a);
    }
    freeaddrinfo(res);
    doctor_add(d, "DNS", DOCTOR_OK, "%s -> %s", d->host, list);
    return 0;
}

static int step_tcp(doctor_t *d)
{
    otter_posix_tcp_t tcp;
    otter_transport_t t;
    otter_posix_tcp_init(&tcp, &t);
    int rc = t.connect(t.ctx, d->host, d->port, d->timeout_ms);
    t.close(t.ctx);
    otter_posix_tcp_free(&tcp);
    if (rc != 0) {
        doctor_step_t *s = doctor_add(d, "TCP", DOCTOR_FAIL, "cannot connect to %s port %u: %s",
                                      d->host, (unsigned)d->port, otter_host_strerror(rc));
        doctor_fix(s, rc == OTTER_ERR_TIMEOUT
                          ? "nothing answers: a firewall drops the packets, or the host is down"
                          : "nothing listens on that port: check the port in the URL and that the "
                            "server runs");
        return -1;
    }
    doctor_add(d, "TCP", DOCTOR_OK, "connected to %s port %u", d->host, (unsigned)d->port);
    return 0;
}

int doctor_tls_setup(doctor_t *d, otter_tls_t *tls, const otter_transport_t *lower,
                     otter_tls_report_t *report)
{
    uint8_t work[8192];
    otter_tls_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.lower = lower;
    cfg.clock = &d->clock;
    cfg.entropy = otter_posix_entropy;
    cfg.ca = d->ca_buf;
    cfg.ca_len = d->ca_len;
    cfg.work = work;
    cfg.work_len = sizeof work;
    cfg.pins = (const uint8_t(*)[32])d->pins;
    cfg.pin_count = d->n_pins;
    cfg.report = report;
    otter_tls_init(tls);
    return otter_tls_setup(tls, &cfg);
}

/* Which verify problems a report shows, over the chain and the anchor. */
static uint32_t all_flags(const otter_tls_report_t *r)
{
    uint32_t f = r->flags;
    for (size_t i = 0; i < r->chain_count; i++)
        f |= r->chain[i].flags;
    if (r->has_anchor)
        f |= r->anchor.flags;
    return f;
}

/* The mbedTLS name of a verify flag bit (OTTER_TLS_VF_* below 1 << 24 are
 * mbedTLS's MBEDTLS_X509_BADCERT_* bits), or otter's own for the others. */
static const char *flag_name(uint32_t bit)
{
    switch (bit) {
    case OTTER_TLS_VF_EXPIRED: return "X509_BADCERT_EXPIRED";
    case OTTER_TLS_VF_REVOKED: return "X509_BADCERT_REVOKED";
    case OTTER_TLS_VF_HOSTNAME: return "X509_BADCERT_CN_MISMATCH";
    case OTTER_TLS_VF_NOT_TRUSTED: return "X509_BADCERT_NOT_TRUSTED";
    case OTTER_TLS_VF_MISSING: return "X509_BADCERT_MISSING";
    case OTTER_TLS_VF_SKIP_VERIFY: return "X509_BADCERT_SKIP_VERIFY";
    case OTTER_TLS_VF_OTHER: return "X509_BADCERT_OTHER";
    case OTTER_TLS_VF_FUTURE: return "X509_BADCERT_FUTURE";
    case OTTER_TLS_VF_KEY_USAGE: return "X509_BADCERT_KEY_USAGE";
    case OTTER_TLS_VF_EXT_KEY_USAGE: return "X509_BADCERT_EXT_KEY_USAGE";
    case OTTER_TLS_VF_NS_CERT_TYPE: return "X509_BADCERT_NS_CERT_TYPE";
    case OTTER_TLS_VF_BAD_MD: return "X509_BADCERT_BAD_MD";
    case OTTER_TLS_VF_BAD_PK: return "X509_BADCERT_BAD_PK";
    case OTTER_TLS_VF_BAD_KEY: return "X509_BADCERT_BAD_KEY";
    case OTTER_TLS_VF_CLOCK_UNSET: return "otter: clock unset";
    case OTTER_TLS_VF_NO_PIN: return "otter: no pin matched";
    default: return "unknown flag";
    }
}

/* "'R3' (issuer 'DST Root CA X3'): has expired (X509_BADCERT_EXPIRED); ..."
 * for each certificate with one of mask's flags, into out: each flag in
 * words and by its mbedTLS name. */
static void flagged_certs(const otter_tls_report_t *r, uint32_t mask, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i <= r->chain_count; i++) {
        const otter_tls_cert_info_t *c = i < r->chain_count ? &r->chain[i] : (r->has_anchor ? &r->anchor : NULL);
        if (!c || !(c->flags & mask))
            continue;
        n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s '%s' (issuer '%s'):", n ? "; " : "",
                              i < r->chain_count ? (i ? "the server's CA" : "the server's certificate")
                                                 : (c->self_signed ? "the trusted root" : "the pinned certificate"),
                              c->name, c->issuer_name);
        for (uint32_t bit = 1; bit; bit <<= 1)
            if (c->flags & mask & bit)
                n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, " %s (%s),", otter_tls_flag_text(bit),
                                      flag_name(bit));
        if (n && n < cap && out[n - 1] == ',')
            out[--n] = '\0';
    }
}

/* Advice from `otter cert`: the chain the server sends, its root in the
 * trust store, what to pin. Appended to the step's fix. */
static void cert_advice(doctor_t *d, doctor_step_t *s, const char *host, uint16_t port)
{
    cert_report_t *cr = calloc(1, sizeof *cr);
    if (!cr)
        return;
    cert_report_init(cr);
    cr->now = d->at >= 0 ? d->at : 0;
    cr->live = 1;
    snprintf(cr->host, sizeof cr->host, "%s", host);
    cr->port = port;
    snprintf(cr->target, sizeof cr->target, "%s:%u", host, (unsigned)port);
    if (cert_report_load_store(cr, d->store) == 0 &&
        cert_fetch_chain(host, port, NULL, d->timeout_ms, &cr->chain, NULL) == 0) {
        cert_report_analyse(cr);
        for (size_t i = 0; i < cr->pin.n; i++)
            if (cr->pin.kind[i] == CERT_NOTE_OK || cr->pin.kind[i] == CERT_NOTE_DO ||
                cr->pin.kind[i] == CERT_NOTE_WARN || cr->pin.kind[i] == CERT_NOTE_BAD)
                doctor_fix(s, "otter cert: %s", cr->pin.text[i]);
    }
    cert_report_free(cr);
    free(cr);
}

void doctor_trust_steps(doctor_t *d, const otter_tls_report_t *r, int rc)
{
    char what[DOCTOR_TEXT], date[11];
    uint32_t f = all_flags(r);
    const char *blame = NULL;
    int anchor_dated = r->has_anchor && (r->anchor.flags & (OTTER_TLS_VF_EXPIRED | OTTER_TLS_VF_FUTURE));
    doctor_step_t *trust;
    if (f & (OTTER_TLS_VF_NOT_TRUSTED | OTTER_TLS_VF_NO_PIN) || anchor_dated || rc == OTTER_ERR_TLS_TRUST ||
        rc == OTTER_ERR_TLS_PIN) {
        flagged_certs(r, OTTER_TLS_VF_NOT_TRUSTED | OTTER_TLS_VF_NO_PIN | OTTER_TLS_VF_EXPIRED |
                             OTTER_TLS_VF_FUTURE | OTTER_TLS_VF_BAD_MD | OTTER_TLS_VF_BAD_PK |
                             OTTER_TLS_VF_BAD_KEY | OTTER_TLS_VF_OTHER,
                      what, sizeof what);
        trust = doctor_add(d, "trust", DOCTOR_FAIL, "%s", what[0] ? what : otter_host_strerror(rc));
        char *ex = malloc(4096);
        if (ex) {
            otter_tls_explain(r, ex, 4096);
            for (char *line = strtok(ex, "\n"); line; line = strtok(NULL, "\n"))
                doctor_fix(trust, "%s", line);
            free(ex);
        }
        cert_advice(d, trust, r->host, r->port);
        blame = "trust";
    } else {
        trust = doctor_add(d, "trust", DOCTOR_OK, "%s",
                           r->has_anchor  ? "the chain leads to a trusted CA"
                           : r->pin_matched ? "a pinned key is in the chain"
                                            : "verified");
        if (r->has_anchor)
            snprintf(trust->text, sizeof trust->text, "the chain leads to '%s', which the device trusts",
                     r->anchor.name);
    }
    if (f & OTTER_TLS_VF_HOSTNAME) {
        char why[600]; /* the device's own words, as otter cert and the device say it */
        otter_tls_explain_host(r, why, sizeof why);
        doctor_step_t *s = doctor_add(d, "hostname", DOCTOR_FAIL, "%s", why);
        doctor_fix(s, "use a host name the certificate lists in the URL, or give the server a "
                      "certificate for %s",
                      r->host);
        if (!blame)
            blame = "hostname";
    } else if (r->verified || r->chain_count) {
        doctor_add(d, "hostname", DOCTOR_OK, "the certificate is valid for %s", r->host);
    }
    if (r->now >= 0)
        otter_tls_date(r->now, date);
    else
        snprintf(date, sizeof date, "(none)");
    if (f & OTTER_TLS_VF_CLOCK_UNSET || rc == OTTER_ERR_TLS_CLOCK_UNSET) {
        char clock_min[11];
        otter_tls_date(OTTER_TLS_CLOCK_MIN, clock_min);
        doctor_step_t *s = doctor_add(d, "dates", DOCTOR_FAIL,
                                      "the device's clock is not set (it says %s, before %s, "
                                      "OTTER_TLS_CLOCK_MIN): that is the cause, not the certificates",
                                      date, clock_min);
        doctor_fix(s, "set the clock before connecting: SNTP (configTime / esp_sntp) or an RTC; "
                      "certificate dates cannot be checked without it");
        blame = "dates";
    } else if (f & (OTTER_TLS_VF_EXPIRED | OTTER_TLS_VF_FUTURE)) {
        flagged_certs(r, OTTER_TLS_VF_EXPIRED | OTTER_TLS_VF_FUTURE, what, sizeof what);
        doctor_step_t *s = doctor_add(d, "dates", DOCTOR_FAIL, "as of %s: %s", date, what);
        if (r->chain_count && (r->chain[0].flags & OTTER_TLS_VF_EXPIRED))
            doctor_fix(s, "the server must renew its certificate");
        else if (r->chain_count && (r->chain[0].flags & OTTER_TLS_VF_FUTURE))
            doctor_fix(s, "the server's certificate starts later than the device's clock: check "
                          "the device's clock, or the server's certificate dates");
        else
            doctor_fix(s, "see trust: a trusted or pinned certificate is out of date");
        if (!blame)
            blame = "dates";
    } else if (r->verified || r->chain_count) {
        doctor_add(d, "dates", DOCTOR_OK, "every certificate is valid on %s (the device's clock%s)",
                   date, d->at_given ? ", --at" : "");
    }
    if (blame)
        snprintf(d->fail_at, sizeof d->fail_at, "%s", blame);
}

static int step_tls(doctor_t *d)
{
    otter_posix_tcp_t tcp;
    otter_transport_t lower;
    otter_posix_tcp_init(&tcp, &lower);
    otter_tls_t *tls = malloc(sizeof *tls);
    if (!tls)
        return -1;
    otter_tls_report_init(&d->tls_report);
    int rc = doctor_tls_setup(d, tls, &lower, &d->tls_report);
    if (rc != 0) {
        doctor_step_t *s = doctor_add(d, "TLS setup", DOCTOR_FAIL, "the device's trust settings are refused: %s",
                                      otter_host_strerror(rc));
        doctor_fix(s, "check the --ca files (PEM certificates) and --pin values (64 hex digits)");
        otter_tls_free(tls);
        free(tls);
        return -1;
    }
    rc = otter_tls_connect(tls, d->host, d->port, d->timeout_ms);
    otter_tls_close(tls);
    otter_tls_free(tls);
    free(tls);
    otter_posix_tcp_free(&tcp);
    const otter_tls_report_t *r = &d->tls_report;
    if (rc == 0) {
        doctor_add(d, "TLS handshake", DOCTOR_OK, "%s, %s", r->version, r->cipher);
        doctor_trust_steps(d, r, rc);
        return 0;
    }
    int cert_problem = rc == OTTER_ERR_TLS_TRUST || rc == OTTER_ERR_TLS_PIN || rc == OTTER_ERR_TLS_EXPIRED ||
                       rc == OTTER_ERR_TLS_NOT_YET_VALID || rc == OTTER_ERR_TLS_HOSTNAME ||
                       rc == OTTER_ERR_TLS_CLOCK_UNSET;
    doctor_step_t *s;
    if (r->backend_err)
        s = doctor_add(d, "TLS handshake", DOCTOR_FAIL, "mbedtls_ssl_handshake returned -0x%04X: %s: %s",
                       (unsigned)-r->backend_err, otter_tls_backend_errname(r->backend_err),
                       otter_tls_backend_errtext(r->backend_err));
    else
        s = doctor_add(d, "TLS handshake", DOCTOR_FAIL, "%s", otter_host_strerror(rc));
    if (cert_problem) {
        doctor_fix(s, "the certificate check failed: see the steps below");
        doctor_trust_steps(d, r, rc);
    } else {
        char ex[1024];
        otter_tls_explain(r, ex, sizeof ex);
        for (char *line = strtok(ex, "\n"); line; line = strtok(NULL, "\n"))
            doctor_fix(s, "%s", line);
    }
    return -1;
}

int doctor_net(doctor_t *d)
{
    if (step_url(d) || step_dns(d) || step_tcp(d))
        return -1;
    if (d->https && step_tls(d))
        return -1;
    return 0;
}
