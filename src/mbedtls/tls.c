/* TLS client over an otter transport, with mbedTLS 2.28, 3.6 or 4.0: TLS 1.3
 * where the build has it, else 1.2. See tls.h.
 *
 * Certificate checks: mbedTLS builds and verifies the chain; our verify
 * callback then replaces mbedTLS's date checks (which use the host's time())
 * with checks against the otter clock, replaces its host name check with
 * otter's own (src/tls_der.c: the same answer on every version, IP
 * addresses included), applies pins and the options, and decides once it
 * has seen the whole path (mbedTLS calls it from the top of the path down
 * to the leaf). No private field of mbedTLS is read: what the report says
 * about a certificate comes from its DER. */
#include <string.h>

#include <mbedtls/net_sockets.h>

#include "otter/crypto.h"
#include "otter/error.h"
#include "otter/tls.h"
#include "strbuf.h"
#include "tls_der.h"
#include "tls_mbedtls.h"

_Static_assert(sizeof(otter_tls_mbed_t) <= OTTER_TLS_BACKEND_SIZE,
               "OTTER_TLS_BACKEND_SIZE too small for this mbedTLS build");
_Static_assert(_Alignof(otter_tls_mbed_t) <= 16, "otter_tls_t.opaque alignment");
_Static_assert(OTTER_TLS_VF_EXPIRED == MBEDTLS_X509_BADCERT_EXPIRED, "flag value");
_Static_assert(OTTER_TLS_VF_HOSTNAME == MBEDTLS_X509_BADCERT_CN_MISMATCH, "flag value");
_Static_assert(OTTER_TLS_VF_NOT_TRUSTED == MBEDTLS_X509_BADCERT_NOT_TRUSTED, "flag value");
_Static_assert(OTTER_TLS_VF_FUTURE == MBEDTLS_X509_BADCERT_FUTURE, "flag value");
_Static_assert(OTTER_TLS_VF_OTHER == MBEDTLS_X509_BADCERT_OTHER, "flag value");
_Static_assert(OTTER_TLS_VF_KEY_USAGE == MBEDTLS_X509_BADCERT_KEY_USAGE, "flag value");
_Static_assert(OTTER_TLS_VF_EXT_KEY_USAGE == MBEDTLS_X509_BADCERT_EXT_KEY_USAGE, "flag value");
_Static_assert(OTTER_TLS_VF_BAD_MD == MBEDTLS_X509_BADCERT_BAD_MD, "flag value");
_Static_assert(OTTER_TLS_VF_BAD_PK == MBEDTLS_X509_BADCERT_BAD_PK, "flag value");
_Static_assert(OTTER_TLS_VF_BAD_KEY == MBEDTLS_X509_BADCERT_BAD_KEY, "flag value");

/* mbedTLS 3.0 renamed the "no common version" error, same value. */
#ifdef MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION
#define ERR_VERSION MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION
#else
#define ERR_VERSION MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION
#endif

/* TLS 1.3 (3.6, 4.0): a NewSessionTicket arrived instead of data; the
 * session is saved again (it now holds the ticket) and the read goes on.
 * 3.6 signals tickets only when asked to (else it drops them, and TLS 1.3
 * sessions never resume); 4.0 signals them whenever tickets are enabled. */
#if defined(MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) && defined(MBEDTLS_SSL_PROTO_TLS1_3) && \
    defined(MBEDTLS_SSL_SESSION_TICKETS)
#define HAVE_TLS13_TICKETS 1
#define ERR_NEW_TICKET MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET
#else
#define HAVE_TLS13_TICKETS 0
#define ERR_NEW_TICKET MBEDTLS_ERR_SSL_WANT_READ
#endif
#if HAVE_TLS13_TICKETS && defined(MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED)
#define signal_tickets(conf) \
    mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(conf, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED)
#else
#define signal_tickets(conf) ((void)(conf))
#endif

/* What this build can do (otter_tls_caps). mbedTLS reassembles handshake
 * messages split over several records since 3.6.3 (needed when a server
 * honours a small max_fragment_len); there is no configuration symbol for
 * it, so the version decides. */
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
#define HAVE_TLS13 1
#else
#define HAVE_TLS13 0
#endif
#if defined(MBEDTLS_SSL_PROTO_TLS1_2)
#define HAVE_TLS12 1
#else
#define HAVE_TLS12 0
#endif
#define HAVE_HS_REASSEMBLY (MBEDTLS_VERSION_NUMBER >= 0x03060300)
/* max_fragment_len needs MBEDTLS_SSL_MAX_FRAGMENT_LENGTH (on in mbedTLS's
 * default configuration); a build without it refuses the request at setup
 * with OTTER_ERR_UNSUPPORTED. */
#if defined(MBEDTLS_SSL_MAX_FRAGMENT_LENGTH)
#define HAVE_MFL 1
/* mbedTLS asks for no more than its smaller record buffer holds. */
#define MFL_MAX (MBEDTLS_SSL_IN_CONTENT_LEN < MBEDTLS_SSL_OUT_CONTENT_LEN ? MBEDTLS_SSL_IN_CONTENT_LEN \
                                                                        : MBEDTLS_SSL_OUT_CONTENT_LEN)
#define conf_max_frag_len(conf, mfl) mbedtls_ssl_conf_max_frag_len((conf), (mfl))
#else
#define HAVE_MFL 0
#define MFL_MAX 0
#define conf_max_frag_len(conf, mfl) ((void)(conf), (void)(mfl), MBEDTLS_ERR_SSL_BAD_INPUT_DATA)
#endif

#define MBED(tls) ((otter_tls_mbed_t *)(void *)(tls)->opaque)
#define DATE_FLAGS (OTTER_TLS_VF_EXPIRED | OTTER_TLS_VF_FUTURE)
#define REC_CCS 20 /* ChangeCipherSpec: the records after it are encrypted */
#define REC_ALERT 21
#define REC_HANDSHAKE 22
/* Time given to close_notify when closing. */
#define CLOSE_TIMEOUT_MS 1000u

void otter_tls_init(otter_tls_t *tls)
{
    memset(tls, 0, sizeof *tls);
    otter_tls_mbed_t *m = MBED(tls);
    mbedtls_ssl_init(&m->ssl);
    mbedtls_ssl_config_init(&m->conf);
#if OTTER_TLS_OWN_DRBG
    mbedtls_ctr_drbg_init(&m->drbg);
#endif
    mbedtls_x509_crt_init(&m->ca);
    mbedtls_ssl_session_init(&m->session);
    tls->bad_ca_index = -1;
    tls->last_alert = -1;
}

/* ---- the lower transport as mbedTLS's BIO -------------------------------- */

static uint32_t remaining_ms(const otter_tls_t *tls)
{
    uint64_t now = tls->clock->now_ms(tls->clock->ctx);
    if (now >= tls->deadline_ms) {
        return 0;
    }
    uint64_t left = tls->deadline_ms - now;
    return left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
}

/* One read of the lower transport into rbuf (rbuf != NULL) or one write
 * from wbuf, within the deadline; the otter error is kept in io_err and the
 * answer is mbedTLS's code. */
static int bio_io(otter_tls_t *tls, unsigned char *rbuf, const unsigned char *wbuf, size_t len)
{
    uint32_t left = remaining_ms(tls);
    if (left == 0) {
        tls->io_err = OTTER_ERR_TIMEOUT;
        return MBEDTLS_ERR_SSL_TIMEOUT;
    }
    int n = rbuf != NULL ? tls->lower.read(tls->lower.ctx, rbuf, len, left)
                         : tls->lower.write(tls->lower.ctx, wbuf, len, left);
    if (n > 0) {
        return n;
    }
    tls->io_err = n < 0 ? n : rbuf != NULL ? OTTER_ERR_CLOSED : OTTER_ERR_NET_IO;
    if (rbuf != NULL && tls->io_err == OTTER_ERR_CLOSED) {
        return MBEDTLS_ERR_SSL_CONN_EOF;
    }
    if (n == OTTER_ERR_TIMEOUT) {
        return MBEDTLS_ERR_SSL_TIMEOUT;
    }
    return rbuf != NULL ? MBEDTLS_ERR_NET_RECV_FAILED : MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    return bio_io(ctx, NULL, buf, len);
}

/* Follow the record layer in what the server sends, to see a fatal alert
 * that arrives in the clear (before encryption starts: where version,
 * cipher and SNI failures are reported). mbedTLS 3 and 4 keep the received
 * alert in a private field; this reads the same bytes, on every version. */
static void sniff_records(otter_tls_t *tls, const unsigned char *p, size_t n)
{
    while (n) {
        if (tls->rec_left == 0) {
            tls->rec_hdr[tls->rec_hdr_n++] = *p++;
            n--;
            if (tls->rec_hdr_n == 5) {
                tls->rec_hdr_n = 0;
                tls->rec_left = (uint16_t)(tls->rec_hdr[3] << 8 | tls->rec_hdr[4]);
                if (tls->rec_left > tls->rec_max) {
                    tls->rec_max = tls->rec_left;
                }
                tls->alert_n = 0;
            }
            continue;
        }
        size_t take = n < tls->rec_left ? n : tls->rec_left;
        if (tls->rec_hdr[0] == REC_CCS) {
            tls->ccs_seen = 1;
        } else if (tls->rec_hdr[0] == REC_HANDSHAKE && !tls->ccs_seen) {
            otter_tls_hello_feed(&tls->hello, p, take); /* the ServerHello's max_fragment_length */
        }
        if (tls->rec_hdr[0] == REC_ALERT && tls->rec_hdr[3] == 0 && tls->rec_hdr[4] == 2) {
            for (size_t i = 0; i < take && tls->alert_n < 2; i++) {
                tls->alert_body[tls->alert_n++] = p[i];
            }
            if (tls->alert_n == 2 && tls->alert_body[0] == 2) {
                tls->last_alert = tls->alert_body[1];
            }
        }
        tls->rec_left = (uint16_t)(tls->rec_left - take);
        p += take;
        n -= take;
    }
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    int n = bio_io(ctx, buf, NULL, len);
    if (n > 0) {
        sniff_records(ctx, buf, (size_t)n);
    }
    return n;
}

/* ---- certificate decision -------------------------------------------------- */

static int64_t wall_now(const otter_tls_t *tls)
{
    if (!tls->clock->wall_time) {
        return -1;
    }
    int64_t t = tls->clock->wall_time(tls->clock->ctx);
    return t < 0 ? -1 : t;
}

static int crt_pinned(const otter_tls_t *tls, const mbedtls_x509_crt *crt)
{
    uint8_t h[32];
    if (otter_tls_spki_sha256(crt, h) != OTTER_OK) {
        return 0;
    }
    int hit = 0;
    for (size_t i = 0; i < tls->pin_count; i++) {
        hit |= otter_ct_equal(h, tls->pins[i], 32);
    }
    return hit;
}

static int crt_in_bundle(otter_tls_t *tls, const mbedtls_x509_crt *crt)
{
    for (const mbedtls_x509_crt *c = &MBED(tls)->ca; c && c->raw.p; c = c->next) {
        if (c == crt) {
            return 1;
        }
    }
    return 0;
}

static uint32_t date_flags(const mbedtls_x509_crt *crt, int64_t now)
{
    otter_x509_t x;
    uint32_t f = 0;
    if (otter_x509_parse(crt->raw.p, crt->raw.len, &x) != OTTER_OK) {
        return OTTER_TLS_VF_OTHER;
    }
    if (now > x.not_after) {
        f |= OTTER_TLS_VF_EXPIRED;
    }
    if (now < x.not_before) {
        f |= OTTER_TLS_VF_FUTURE;
    }
    return f;
}

/* Where the sent chain ends, and whether the bundle has that name. */
static void chain_end(otter_tls_t *tls, const mbedtls_x509_crt *leaf, otter_tls_report_t *r)
{
    const mbedtls_x509_crt *last = leaf;
    while (last->next && last->next->raw.p) {
        last = last->next;
    }
    int self = last->subject_raw.len == last->issuer_raw.len &&
               memcmp(last->subject_raw.p, last->issuer_raw.p, last->issuer_raw.len) == 0;
    otter_x509_dn_name((otter_der_t){last->issuer_raw.p, last->issuer_raw.len}, r->chain_end,
                       sizeof r->chain_end);
    r->chain_end_self_signed = (uint8_t)self;
    r->chain_end_in_bundle = 0;
    for (const mbedtls_x509_crt *c = &MBED(tls)->ca; c && c->raw.p; c = c->next) {
        if (c->subject_raw.len == last->issuer_raw.len &&
            memcmp(c->subject_raw.p, last->issuer_raw.p, last->issuer_raw.len) == 0) {
            r->chain_end_in_bundle = 1;
        }
    }
}

/* Describe what the server sent, and the anchor, into the report. */
static void report_chain(otter_tls_t *tls, const mbedtls_x509_crt *leaf)
{
    otter_tls_report_t *r = tls->report;
    if (!r) {
        return;
    }
    r->chain_count = r->chain_total = 0;
    for (const mbedtls_x509_crt *c = leaf; c && c->raw.p; c = c->next) {
        if (r->chain_total < 255) {
            r->chain_total++;
        }
        if (r->chain_count == OTTER_TLS_REPORT_MAX_CERTS) {
            continue;
        }
        otter_tls_cert_info_t *info = &r->chain[r->chain_count++];
        otter_tls_cert_describe(c, info);
        info->pinned = (uint8_t)crt_pinned(tls, c);
        for (size_t d = 0; d < tls->path_len; d++) {
            if (tls->path_crt[d] == c) {
                info->in_path = 1;
                info->flags = tls->path_flags[d];
            }
        }
    }
    if (leaf && leaf->raw.p) {
        otter_x509_t x;
        r->leaf_names[0] = '\0';
        if (otter_x509_parse(leaf->raw.p, leaf->raw.len, &x) == OTTER_OK) {
            otter_x509_names(&x, r->leaf_names, sizeof r->leaf_names);
        }
        chain_end(tls, leaf, r);
    }
    r->has_anchor = 0;
    if (tls->path_len && crt_in_bundle(tls, tls->path_crt[tls->path_len - 1])) {
        const mbedtls_x509_crt *a = tls->path_crt[tls->path_len - 1];
        otter_tls_cert_describe(a, &r->anchor);
        r->anchor.flags = tls->path_flags[tls->path_len - 1];
        r->anchor.pinned = (uint8_t)crt_pinned(tls, a);
        r->anchor.in_path = 1;
        r->has_anchor = 1;
    }
}

/* The collect callback: every certificate sent, then the anchor. */
static void collect_one(otter_tls_t *tls, const mbedtls_x509_crt *c, uint8_t origin, uint8_t index,
                        uint8_t total)
{
    otter_tls_collected_t out;
    memset(&out, 0, sizeof out);
    otter_tls_cert_describe(c, &out.info);
    out.info.pinned = (uint8_t)crt_pinned(tls, c);
    out.depth = OTTER_TLS_NOT_IN_PATH;
    for (size_t d = 0; d < tls->path_len; d++) {
        if (tls->path_crt[d] == c) {
            out.depth = (uint8_t)d;
            out.info.in_path = 1;
            out.info.flags = tls->path_flags[d];
        }
    }
    out.der = c->raw.p;
    out.der_len = c->raw.len;
    out.origin = origin;
    out.index = index;
    out.chain_total = total;
    tls->collect(tls->collect_ctx, &out);
}

static void collect(otter_tls_t *tls, const mbedtls_x509_crt *leaf)
{
    if (!tls->collect) {
        return;
    }
    uint8_t total = 0, i = 0;
    for (const mbedtls_x509_crt *c = leaf; c && c->raw.p && total < 255; c = c->next) {
        total++;
    }
    for (const mbedtls_x509_crt *c = leaf; c && c->raw.p && i < total; c = c->next) {
        collect_one(tls, c, OTTER_TLS_ORIGIN_SERVER, i++, total);
    }
    if (tls->path_len && crt_in_bundle(tls, tls->path_crt[tls->path_len - 1])) {
        collect_one(tls, tls->path_crt[tls->path_len - 1], OTTER_TLS_ORIGIN_ANCHOR, 0, total);
    }
}

/* A pin matches a certificate of the verified path (the bundle's anchor
 * included) reached from the leaf through good signatures only. mbedTLS
 * marks a certificate NOT_TRUSTED when its parent's signature on it does
 * not verify or when it has no parent; a pinned certificate above such a
 * link vouches for nothing below it. Certificates the server sends that
 * are not on the path are never pin-matched: anyone can send a copy of a
 * public intermediate or root next to their own leaf. */
static int path_pinned(const otter_tls_t *tls)
{
    for (size_t d = 0; d < tls->path_len; d++) {
        if (crt_pinned(tls, tls->path_crt[d])) {
            return 1;
        }
        if (tls->path_flags[d] & OTTER_TLS_VF_NOT_TRUSTED) {
            return 0;
        }
    }
    return 0;
}

/* Called with the leaf (depth 0) last: decide for the whole path. */
static uint32_t verify_decide(otter_tls_t *tls, const mbedtls_x509_crt *leaf)
{
    int64_t now = wall_now(tls);
    int clock_ok = now >= OTTER_TLS_CLOCK_MIN;
    int pinned = path_pinned(tls);
    uint32_t total = 0;
    for (size_t d = 0; d < tls->path_len; d++) {
        uint32_t f = tls->path_flags[d];
        if (clock_ok) {
            f |= date_flags(tls->path_crt[d], now);
        }
        if (d == 0 && tls->hostname_mismatch && !(tls->flags & OTTER_TLS_INSECURE_SKIP_HOSTNAME_CHECK)) {
            f |= OTTER_TLS_VF_HOSTNAME;
        }
        if (pinned) {
            f &= ~OTTER_TLS_VF_NOT_TRUSTED;
        }
        tls->path_flags[d] = f;
        total |= f;
    }
    if (!clock_ok) {
        tls->path_flags[0] |= OTTER_TLS_VF_CLOCK_UNSET;
        total |= OTTER_TLS_VF_CLOCK_UNSET;
    }
    if (tls->pin_count && (!tls->ca_count || (tls->flags & OTTER_TLS_CA_FOR_PINS)) && !pinned) {
        total |= OTTER_TLS_VF_NO_PIN;
    }
    tls->vflags = total;
    tls->verify_ran = 1;
    if (tls->report) {
        tls->report->now = now;
        tls->report->pin_matched = (uint8_t)pinned;
        tls->report->hostname_mismatch = tls->hostname_mismatch;
    }
    report_chain(tls, leaf);
    collect(tls, leaf);
    return total;
}

/* otter's server-identity check on the leaf (mbedTLS's own is ignored). */
static int leaf_names_host(const otter_tls_t *tls, const mbedtls_x509_crt *leaf)
{
    otter_x509_t x;
    return tls->cur_host && otter_x509_parse(leaf->raw.p, leaf->raw.len, &x) == OTTER_OK &&
           otter_x509_check_host(&x, tls->cur_host) == 1;
}

static int verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    otter_tls_t *tls = ctx;
    otter_tls_mbed_t *m = MBED(tls);
    if (m->vrfy) { /* the backend hook's (a certificate bundle): it may clear NOT_TRUSTED */
        int r = m->vrfy(m->p_vrfy, crt, depth, flags);
        if (r != 0) {
            return r;
        }
    }
    if (depth < 0 || depth >= OTTER_TLS_MAX_PATH) {
        return 0; /* beyond what we track: mbedTLS's own flags stand */
    }
    tls->path_crt[depth] = crt;
    tls->path_flags[depth] = *flags & ~(DATE_FLAGS | OTTER_TLS_VF_HOSTNAME);
    if ((size_t)depth + 1 > tls->path_len) {
        tls->path_len = (uint8_t)(depth + 1);
    }
    if (depth == 0) {
        tls->hostname_mismatch = (uint8_t)!leaf_names_host(tls, crt);
    }
    *flags = depth > 0 ? 0 : verify_decide(tls, crt);
    if (tls->flags & OTTER_TLS_COLLECT) {
        *flags = 0; /* collecting: the verdict is kept in vflags, the handshake goes on */
    }
    return 0;
}

/* ---- setup ------------------------------------------------------------------ */

#if OTTER_TLS_OWN_DRBG
static int entropy_adapter(void *ctx, unsigned char *buf, size_t len)
{
    otter_tls_t *tls = ctx;
    return tls->entropy(tls->entropy_ctx, buf, len) == 0 ? 0 : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

/* Before 4.0: a CTR-DRBG seeded from the port's entropy. */
static int rng_setup(otter_tls_t *tls)
{
    otter_tls_mbed_t *m = MBED(tls);
    static const unsigned char pers[] = "otter-tls";
    if (mbedtls_ctr_drbg_seed(&m->drbg, entropy_adapter, tls, pers, sizeof pers - 1) != 0) {
        return OTTER_ERR_CRYPTO;
    }
    mbedtls_ssl_conf_rng(&m->conf, mbedtls_ctr_drbg_random, &m->drbg);
    return OTTER_OK;
}
#else
/* 4.0: TLS draws from PSA's RNG (psa_crypto_init, done in setup). */
static int rng_setup(otter_tls_t *tls)
{
    (void)tls;
    return OTTER_OK;
}
#endif

/* TLS 1.2 at least; 1.3 is offered where the build has it (the default
 * maximum), except with a max fragment length: that extension is TLS 1.2's,
 * and mbedTLS's TLS 1.3 client refuses it when a TLS 1.3 server (OpenSSL,
 * nginx) echoes it (-0x7500 SSL_UNSUPPORTED_EXTENSION), so asking for it
 * means TLS 1.2. mbedTLS 3.2 replaced the (major, minor) calls. */
#if MBEDTLS_VERSION_NUMBER >= 0x03020000
static void versions(mbedtls_ssl_config *conf, int tls12_only)
{
    mbedtls_ssl_conf_min_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
    if (tls12_only && HAVE_TLS12) {
        mbedtls_ssl_conf_max_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
    }
}
#else
static void versions(mbedtls_ssl_config *conf, int tls12_only)
{
    (void)tls12_only; /* 2.28 has no TLS 1.3 client */
    mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
}
#endif

static int parse_ca(otter_tls_t *tls, const otter_tls_config_t *cfg)
{
    otter_tls_mbed_t *m = MBED(tls);
    if (cfg->ca[0] == 0x30) { /* DER SEQUENCE */
        tls->bad_ca_index = 0;
        if (mbedtls_x509_crt_parse_der(&m->ca, cfg->ca, cfg->ca_len) != 0) {
            return OTTER_ERR_TLS_CONFIG;
        }
        tls->bad_ca_index = -1;
        tls->ca_count = 1;
        return OTTER_OK;
    }
    if (!cfg->work || cfg->work_len == 0) {
        return OTTER_ERR_INVAL;
    }
    size_t pos = 0, der_len = 0;
    int r;
    while ((r = otter_tls_pem_next(cfg->ca, cfg->ca_len, &pos, cfg->work, cfg->work_len, &der_len)) == 1) {
        tls->last_backend_err = mbedtls_x509_crt_parse_der(&m->ca, cfg->work, der_len);
        if (tls->last_backend_err != 0) {
            tls->bad_ca_index = tls->ca_count;
            return OTTER_ERR_TLS_CONFIG;
        }
        if (tls->ca_count < UINT16_MAX) {
            tls->ca_count++;
        }
    }
    if (r < 0) {
        tls->bad_ca_index = tls->ca_count;
        return r;
    }
    return tls->ca_count ? OTTER_OK : OTTER_ERR_TLS_CONFIG;
}

static int mfl_code(uint16_t len, unsigned char *code)
{
    switch (len) {
    case 0: *code = MBEDTLS_SSL_MAX_FRAG_LEN_NONE; return OTTER_OK;
    case 512: *code = MBEDTLS_SSL_MAX_FRAG_LEN_512; return OTTER_OK;
    case 1024: *code = MBEDTLS_SSL_MAX_FRAG_LEN_1024; return OTTER_OK;
    case 2048: *code = MBEDTLS_SSL_MAX_FRAG_LEN_2048; return OTTER_OK;
    case 4096: *code = MBEDTLS_SSL_MAX_FRAG_LEN_4096; return OTTER_OK;
    default: return OTTER_ERR_INVAL;
    }
}

#ifndef MBEDTLS_PRIVATE /* 2.28: the fields are public */
#define MBEDTLS_PRIVATE(member) member
#endif

static int configure(otter_tls_t *tls, const otter_tls_config_t *cfg, unsigned char mfl)
{
    otter_tls_mbed_t *m = MBED(tls);
    if (mbedtls_ssl_config_defaults(&m->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0 ||
        rng_setup(tls) != OTTER_OK) {
        return OTTER_ERR_CRYPTO;
    }
    mbedtls_ssl_conf_authmode(&m->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    /* Never NULL, even with pins only: mbedTLS refuses to verify without
     * a CA chain; an empty one simply trusts nothing. */
    mbedtls_ssl_conf_ca_chain(&m->conf, &m->ca, NULL);
    m->vrfy = NULL;
    m->p_vrfy = NULL;
    if (cfg->backend_setup) {
        mbedtls_ssl_conf_verify(&m->conf, NULL, NULL);
        if (cfg->backend_setup(cfg->backend_setup_ctx, &m->conf) != 0) {
            return OTTER_ERR_TLS_CONFIG;
        }
        m->vrfy = m->conf.MBEDTLS_PRIVATE(f_vrfy);
        m->p_vrfy = m->conf.MBEDTLS_PRIVATE(p_vrfy);
    }
    mbedtls_ssl_conf_verify(&m->conf, verify_cb, tls);
    versions(&m->conf, mfl != MBEDTLS_SSL_MAX_FRAG_LEN_NONE || (tls->flags & OTTER_TLS_TLS12_ONLY));
    mbedtls_ssl_conf_session_tickets(&m->conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
    signal_tickets(&m->conf);
    tls->alpn[0] = "http/1.1";
    tls->alpn[1] = NULL;
    if (mbedtls_ssl_conf_alpn_protocols(&m->conf, tls->alpn) != 0 ||
        (mfl && conf_max_frag_len(&m->conf, mfl) != 0) ||
        mbedtls_ssl_setup(&m->ssl, &m->conf) != 0) {
        return OTTER_ERR_CRYPTO;
    }
    mbedtls_ssl_set_bio(&m->ssl, tls, bio_send, bio_recv, NULL);
    return OTTER_OK;
}

int otter_tls_setup(otter_tls_t *tls, const otter_tls_config_t *cfg)
{
    unsigned char mfl = 0;
    if (!tls || !cfg || !cfg->lower || !cfg->lower->connect || !cfg->lower->read ||
        !cfg->lower->write || !cfg->lower->close || !cfg->clock || !cfg->clock->now_ms ||
        !cfg->entropy || cfg->pin_count > OTTER_TLS_MAX_PINS || (cfg->pin_count && !cfg->pins) ||
        (!cfg->pin_count && (!cfg->ca || !cfg->ca_len) && !(cfg->flags & OTTER_TLS_COLLECT) && !cfg->backend_setup) ||
        (!cfg->pin_count && (cfg->flags & OTTER_TLS_CA_FOR_PINS)) || tls->ready ||
        mfl_code(cfg->max_fragment_len, &mfl) != OTTER_OK) {
        return OTTER_ERR_INVAL;
    }
    if (mfl != MBEDTLS_SSL_MAX_FRAG_LEN_NONE && (!HAVE_MFL || cfg->max_fragment_len > MFL_MAX)) {
        return OTTER_ERR_UNSUPPORTED;
    }
    tls->lower = *cfg->lower;
    tls->clock = cfg->clock;
    tls->report = cfg->report;
    tls->flags = cfg->flags;
    tls->entropy = cfg->entropy;
    tls->entropy_ctx = cfg->entropy_ctx;
    tls->collect = cfg->collect;
    tls->collect_ctx = cfg->collect_ctx;
    tls->max_fragment_len = cfg->max_fragment_len;
    for (size_t i = 0; i < cfg->pin_count; i++) {
        memcpy(tls->pins[i], cfg->pins[i], 32);
    }
    tls->pin_count = (uint8_t)cfg->pin_count;
    if (psa_crypto_init() != PSA_SUCCESS) { /* TLS 1.3 and 4.0 need it before anything */
        return OTTER_ERR_CRYPTO;
    }
    int r = (cfg->ca && cfg->ca_len) ? parse_ca(tls, cfg) : OTTER_OK;
    if (r == OTTER_OK) {
        r = configure(tls, cfg, mfl);
    }
    if (r == OTTER_OK) {
        tls->ready = 1;
    }
    return r;
}


/* ---- connection -------------------------------------------------------------- */

static int alert_received(const otter_tls_t *tls, int ret)
{
    return ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE ? tls->last_alert : -1;
}

/* A device may build mbedTLS with an incoming record buffer below the 16 KB
 * a record can carry (MBEDTLS_SSL_IN_CONTENT_LEN), counting on the server
 * to honour max_fragment_length. A record longer than that buffer can hold
 * (its content plus at most RECORD_EXPANSION_MAX of IV, tag, MAC and
 * padding) fails in mbedTLS with a generic code; otter names the cause. */
#define RECORD_EXPANSION_MAX 256u
static int record_too_long(const otter_tls_t *tls)
{
    return MBEDTLS_SSL_IN_CONTENT_LEN < 16384 && tls->rec_max > MBEDTLS_SSL_IN_CONTENT_LEN + RECORD_EXPANSION_MAX;
}

/* The otter error for the verify flags of the last check (0: trusted). */
static int verdict(const otter_tls_t *tls)
{
    uint32_t f = tls->vflags;
    if (!tls->verify_ran) {
        return OTTER_ERR_TLS_HANDSHAKE;
    }
    if (!f) {
        return OTTER_OK;
    }
    if (f & OTTER_TLS_VF_CLOCK_UNSET) {
        return OTTER_ERR_TLS_CLOCK_UNSET;
    }
    if (f & OTTER_TLS_VF_NO_PIN) {
        return OTTER_ERR_TLS_PIN;
    }
    if (f & OTTER_TLS_VF_NOT_TRUSTED) {
        return OTTER_ERR_TLS_TRUST;
    }
    if (f & OTTER_TLS_VF_EXPIRED) {
        return OTTER_ERR_TLS_EXPIRED;
    }
    if (f & OTTER_TLS_VF_FUTURE) {
        return OTTER_ERR_TLS_NOT_YET_VALID;
    }
    if (f & OTTER_TLS_VF_HOSTNAME) {
        return OTTER_ERR_TLS_HOSTNAME;
    }
    return OTTER_ERR_TLS_TRUST;
}

/* The otter error for a failed handshake. */
static int handshake_error(const otter_tls_t *tls, int ret, int alert)
{
    if (tls->io_err) {
        return tls->io_err;
    }
    if (record_too_long(tls)) {
        return OTTER_ERR_TLS_RECORD_TOO_LONG;
    }
    if (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED && tls->verify_ran) {
        return verdict(tls);
    }
    if (ret == ERR_VERSION || alert == MBEDTLS_SSL_ALERT_MSG_PROTOCOL_VERSION) {
        return OTTER_ERR_TLS_VERSION;
    }
    if (ret == MBEDTLS_ERR_SSL_CONN_EOF || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
        return OTTER_ERR_CLOSED;
    }
    return OTTER_ERR_TLS_HANDSHAKE;
}

static void report_begin(otter_tls_t *tls, const char *host, uint16_t port)
{
    otter_tls_report_t *r = tls->report;
    if (!r) {
        return;
    }
    otter_tls_report_init(r);
    otter_str_copy(r->host, sizeof r->host, host, SIZE_MAX);
    r->port = port;
    r->now = wall_now(tls);
    r->hostname_check_skipped = (tls->flags & OTTER_TLS_INSECURE_SKIP_HOSTNAME_CHECK) ? 1 : 0;
    r->max_fragment_len = tls->max_fragment_len;
    r->trust_ca_count = tls->ca_count;
    r->trust_pin_count = tls->pin_count;
    r->trust_ca_for_pins = (tls->flags & OTTER_TLS_CA_FOR_PINS) && tls->ca_count ? 1 : 0;
    if (tls->ca_count) {
        otter_x509_dn_name((otter_der_t){MBED(tls)->ca.subject_raw.p, MBED(tls)->ca.subject_raw.len},
                           r->trust_first, sizeof r->trust_first);
    }
}

static void report_end(otter_tls_t *tls, int result, int ret, int alert)
{
    otter_tls_report_t *r = tls->report;
    mbedtls_ssl_context *ssl = &MBED(tls)->ssl;
    if (!r) {
        return;
    }
    r->result = result;
    r->backend_err = ret;
    r->collected = (tls->flags & OTTER_TLS_COLLECT) ? 1 : 0;
    r->alert = alert;
    r->verified = tls->verify_ran;
    r->resumed = tls->resumed;
    r->flags = tls->vflags;
    r->max_fragment_answer = tls->max_fragment_len ? tls->hello.answer : OTTER_TLS_MFL_UNKNOWN;
    if (result == OTTER_OK || (tls->flags & OTTER_TLS_COLLECT)) {
        otter_str_copy(r->version, sizeof r->version, mbedtls_ssl_get_version(ssl), SIZE_MAX);
        otter_str_copy(r->cipher, sizeof r->cipher, mbedtls_ssl_get_ciphersuite(ssl), SIZE_MAX);
        otter_str_copy(r->alpn, sizeof r->alpn, mbedtls_ssl_get_alpn_protocol(ssl), SIZE_MAX);
        if (tls->resumed) {
            report_chain(tls, mbedtls_ssl_get_peer_cert(ssl));
        }
    }
}

/* Keep the current session for the next connect (replacing the last one). */
static void keep_session(otter_tls_t *tls)
{
    otter_tls_mbed_t *m = MBED(tls);
    mbedtls_ssl_session_free(&m->session);
    mbedtls_ssl_session_init(&m->session);
    tls->have_session = mbedtls_ssl_get_session(&m->ssl, &m->session) == 0;
}

/* After a full handshake, keep the session for the next connect. With TLS
 * 1.3 it holds no ticket yet: tickets come after the handshake, and each
 * one replaces it (otter_tls_read). */
static void save_session(otter_tls_t *tls, const char *host, uint16_t port)
{
    if (tls->resumed) {
        return;
    }
    keep_session(tls);
    otter_str_copy(tls->session_host, sizeof tls->session_host, host, SIZE_MAX);
    tls->session_port = port;
}

/* An IPv4 or IPv6 literal (brackets allowed): no SNI for it. */
static int host_is_ip(const char *host)
{
    return host[0] == '[' || strchr(host, ':') != NULL || strspn(host, "0123456789.") == strlen(host);
}

static int prepare(otter_tls_t *tls, const char *host, uint16_t port)
{
    otter_tls_mbed_t *m = MBED(tls);
    /* SNI for a DNS name; none for an IP literal (RFC 6066). Either way the
     * name is checked by otter (verify_cb); mbedTLS's own check, which 3.6
     * and 4.0 insist on running when a hostname is set, is overridden. */
    const char *sni = host_is_ip(host) ? NULL : host;
    if (mbedtls_ssl_session_reset(&m->ssl) != 0 || mbedtls_ssl_set_hostname(&m->ssl, sni) != 0) {
        return OTTER_ERR_CRYPTO;
    }
    if (!(tls->flags & OTTER_TLS_COLLECT) && tls->have_session && tls->session_port == port && strcmp(tls->session_host, host) == 0 &&
        mbedtls_ssl_set_session(&m->ssl, &m->session) != 0) {
        tls->have_session = 0; /* resumption is an optimisation: go on without */
    }
    return OTTER_OK;
}

int otter_tls_connect(otter_tls_t *tls, const char *host, uint16_t port, uint32_t timeout_ms)
{
    if (!tls || !tls->ready) {
        return OTTER_ERR_STATE;
    }
    if (!host || !host[0] || strlen(host) >= OTTER_TLS_HOST_MAX) {
        return OTTER_ERR_INVAL;
    }
    otter_tls_close(tls);
    tls->io_err = 0;
    tls->vflags = 0;
    tls->verify_ran = 0;
    tls->resumed = 0;
    tls->path_len = 0;
    tls->hostname_mismatch = 0;
    tls->rec_hdr_n = 0;
    tls->rec_left = 0;
    tls->rec_max = 0;
    tls->alert_n = 0;
    tls->last_alert = -1;
    tls->ccs_seen = 0;
    memset(&tls->hello, 0, sizeof tls->hello);
    tls->cur_host = host;
    report_begin(tls, host, port);
    tls->deadline_ms = tls->clock->now_ms(tls->clock->ctx) + timeout_ms;
    int ret = 0, alert = -1;
    int err = tls->lower.connect(tls->lower.ctx, host, port, timeout_ms);
    if (err == OTTER_OK) {
        err = prepare(tls, host, port);
    }
    if (err == OTTER_OK) {
        ret = mbedtls_ssl_handshake(&MBED(tls)->ssl);
        alert = alert_received(tls, ret);
        tls->last_backend_err = ret;
        tls->resumed = ret == 0 && !tls->verify_ran;
        err = ret == 0 ? OTTER_OK : handshake_error(tls, ret, alert);
        if (err == OTTER_OK && (tls->flags & OTTER_TLS_COLLECT)) {
            err = verdict(tls); /* what a verifying device would have got */
            ret = err == OTTER_OK ? 0 : MBEDTLS_ERR_X509_CERT_VERIFY_FAILED;
            (void)mbedtls_ssl_close_notify(&MBED(tls)->ssl);
        }
    }
    tls->cur_host = NULL;
    report_end(tls, err, ret, alert);
    if (err != OTTER_OK || (tls->flags & OTTER_TLS_COLLECT)) {
        tls->lower.close(tls->lower.ctx);
        return err;
    }
    save_session(tls, host, port);
    tls->connected = 1;
    return OTTER_OK;
}

/* The otter error for a failed read or write. */
static int io_error(otter_tls_t *tls, int ret)
{
    tls->last_backend_err = ret;
    if (tls->io_err) {
        return tls->io_err;
    }
    if (ret == 0 || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || ret == MBEDTLS_ERR_SSL_CONN_EOF) {
        return OTTER_ERR_CLOSED;
    }
    return record_too_long(tls) ? OTTER_ERR_TLS_RECORD_TOO_LONG : OTTER_ERR_TLS_IO;
}

int otter_tls_read(otter_tls_t *tls, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    if (!tls || !tls->connected) {
        return OTTER_ERR_STATE;
    }
    if (!buf || len == 0) {
        return OTTER_ERR_INVAL;
    }
    tls->io_err = 0;
    tls->deadline_ms = tls->clock->now_ms(tls->clock->ctx) + timeout_ms;
    size_t want = len > INT32_MAX ? INT32_MAX : len;
    for (;;) {
        int ret = mbedtls_ssl_read(&MBED(tls)->ssl, buf, want);
        if (ret > 0) {
            return ret;
        }
        if (HAVE_TLS13_TICKETS && ret == ERR_NEW_TICKET) {
            keep_session(tls); /* a TLS 1.3 ticket for the next connect */
            continue;
        }
        /* WANT_READ: a record without application data (e.g. a
         * HelloRequest we ignore); keep reading until the deadline. */
        if (ret == MBEDTLS_ERR_SSL_WANT_READ && remaining_ms(tls) > 0) {
            continue;
        }
        if (ret == MBEDTLS_ERR_SSL_WANT_READ) {
            return OTTER_ERR_TIMEOUT;
        }
        return io_error(tls, ret);
    }
}

int otter_tls_write(otter_tls_t *tls, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    if (!tls || !tls->connected) {
        return OTTER_ERR_STATE;
    }
    if (!buf || len == 0) {
        return OTTER_ERR_INVAL;
    }
    tls->io_err = 0;
    tls->deadline_ms = tls->clock->now_ms(tls->clock->ctx) + timeout_ms;
    size_t want = len > INT32_MAX ? INT32_MAX : len;
    int ret = mbedtls_ssl_write(&MBED(tls)->ssl, buf, want);
    return ret > 0 ? ret : io_error(tls, ret);
}

void otter_tls_close(otter_tls_t *tls)
{
    if (!tls || !tls->connected) {
        return;
    }
    tls->io_err = 0;
    tls->deadline_ms = tls->clock->now_ms(tls->clock->ctx) + CLOSE_TIMEOUT_MS;
    (void)mbedtls_ssl_close_notify(&MBED(tls)->ssl);
    tls->lower.close(tls->lower.ctx);
    tls->connected = 0;
}

void otter_tls_forget_session(otter_tls_t *tls)
{
    otter_tls_mbed_t *m = MBED(tls);
    mbedtls_ssl_session_free(&m->session);
    mbedtls_ssl_session_init(&m->session);
    tls->have_session = 0;
}

void otter_tls_caps(otter_tls_caps_t *caps)
{
    memset(caps, 0, sizeof *caps);
    caps->backend = MBEDTLS_VERSION_STRING_FULL;
    caps->tls12 = HAVE_TLS12;
    caps->tls13 = HAVE_TLS13;
    caps->hs_reassembly = HAVE_HS_REASSEMBLY;
}

int otter_tls_bad_ca_index(const otter_tls_t *tls)
{
    return tls->bad_ca_index;
}

static int t_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    return otter_tls_connect(ctx, host, port, timeout_ms);
}

static int t_read(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    return otter_tls_read(ctx, buf, len, timeout_ms);
}

static int t_write(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    return otter_tls_write(ctx, buf, len, timeout_ms);
}

static void t_close(void *ctx)
{
    otter_tls_close(ctx);
}

void otter_tls_transport(otter_tls_t *tls, otter_transport_t *t)
{
    t->connect = t_connect;
    t->read = t_read;
    t->write = t_write;
    t->close = t_close;
    t->ctx = tls;
}

void otter_tls_free(otter_tls_t *tls)
{
    if (!tls) {
        return;
    }
    otter_tls_close(tls);
    otter_tls_mbed_t *m = MBED(tls);
    mbedtls_ssl_free(&m->ssl);
    mbedtls_ssl_config_free(&m->conf);
#if OTTER_TLS_OWN_DRBG
    mbedtls_ctr_drbg_free(&m->drbg);
#endif
    mbedtls_x509_crt_free(&m->ca);
    mbedtls_ssl_session_free(&m->session);
    tls->ready = 0;
    tls->have_session = 0;
}
