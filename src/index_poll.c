/* otter: poll the signed release index in bounded steps (index_poll.h). */
#include <string.h>

#include "otter/error.h"
#include "otter/index_poll.h"
#include "otter/url.h"

#define DEFAULT_TIMEOUT_MS 10000u

enum {
    ST_IDLE = 0, /* nothing begun */
    ST_HEAD,     /* request going out, response head coming in */
    ST_BODY,     /* index bytes coming in */
    ST_OPEN,     /* signature, parse, replay and expiry */
    ST_ACCEPT,   /* record write */
    ST_TRUST_ERASE, /* a new trust set: erase its area */
    ST_TRUST_HEAD,  /* request for its roots bundle */
    ST_TRUST_BODY,  /* the bundle into flash */
    ST_TRUST_COMMIT, /* check, header, record */
    ST_DECIDE,   /* this device's release */
    ST_DONE,
    ST_FAILED,
};

void otter_index_poll_init(otter_index_poll_t *p, const otter_index_poll_config_t *cfg)
{
    memset(p, 0, sizeof *p);
    if (cfg)
        p->cfg = *cfg;
    if (!p->cfg.connect_timeout_ms)
        p->cfg.connect_timeout_ms = DEFAULT_TIMEOUT_MS;
    if (!p->cfg.read_timeout_ms)
        p->cfg.read_timeout_ms = DEFAULT_TIMEOUT_MS;
    otter_http_config_t hc;
    memset(&hc, 0, sizeof hc);
    hc.tcp = p->cfg.tcp;
    hc.tls = p->cfg.tls;
    hc.clock = p->cfg.clock;
    hc.connect_timeout_ms = p->cfg.connect_timeout_ms;
    hc.read_timeout_ms = p->cfg.read_timeout_ms;
    otter_http_init(&p->http, &hc, p->cfg.http_buf, p->cfg.http_buf_len);
    otter_index_init(&p->idx);
}

int otter_index_poll_begin(otter_index_poll_t *p, const char *url, const char *etag)
{
    const otter_index_poll_config_t *c = &p->cfg;
    if (!url || !c->clock || !c->clock->now_ms || !c->record || !c->flash || !c->keys || c->n_keys == 0 ||
        c->n_keys > OTTER_INDEX_MAX_KEYS || !c->http_buf || c->http_buf_len < 512 || !c->index_buf ||
        c->index_buf_len < OTTER_INDEX_MAX_SIZE + 1u)
        return OTTER_ERR_INVAL;
    size_t el = etag ? strlen(etag) : 0;
    if (el >= sizeof p->etag_sent)
        return OTTER_ERR_INVAL;
    memcpy(p->etag_sent, etag ? etag : "", el + 1);
    p->url = url;
    p->len = 0;
    p->result = OTTER_INDEX_POLL_NONE;
    p->err = 0;
    p->http_status = 0;
    p->etag[0] = '\0';
    p->trust_applied = false;
    p->size = 0;
    memset(p->sha256, 0, sizeof p->sha256);
    memset(&p->decision, 0, sizeof p->decision);
    otter_index_init(&p->idx);
    memset(&p->req, 0, sizeof p->req);
    p->req.url = url;
    p->req.if_none_match = el ? p->etag_sent : NULL;
    int ret = otter_http_begin(&p->http, &p->req);
    p->state = ret == 0 ? ST_HEAD : ST_IDLE;
    return ret;
}

/* The response head is in (or the request failed). */
static int do_head(otter_index_poll_t *p)
{
    int ret = otter_http_step(&p->http);
    if (ret == OTTER_HTTP_PENDING)
        return OTTER_INDEX_POLL_MORE;
    p->http_status = otter_http_detail(&p->http)->status;
    if (ret == OTTER_ERR_HTTP_STATUS && p->http_status == 304 && p->etag_sent[0]) {
        /* Unchanged: the caller's ETag stays the one to send. */
        memcpy(p->etag, p->etag_sent, sizeof p->etag);
        p->result = OTTER_INDEX_POLL_NOT_MODIFIED;
        p->state = ST_DONE;
        return 0;
    }
    if (ret < 0)
        return ret;
    const otter_http_response_t *r = otter_http_response(&p->http);
    if (r->status != 200)
        return OTTER_ERR_HTTP_STATUS;
    if (r->has_length && r->content_length > OTTER_INDEX_MAX_SIZE)
        return OTTER_ERR_INDEX_TOO_LARGE; /* not one byte of it is read */
    memcpy(p->etag, r->etag, sizeof p->etag < sizeof r->etag ? sizeof p->etag : sizeof r->etag);
    p->etag[sizeof p->etag - 1] = '\0';
    p->state = ST_BODY;
    return OTTER_INDEX_POLL_MORE;
}

/* One body read; at most one byte past OTTER_INDEX_MAX_SIZE, which refuses. */
static int do_body(otter_index_poll_t *p)
{
    int n = otter_http_read(&p->http, p->cfg.index_buf + p->len, OTTER_INDEX_MAX_SIZE + 1u - p->len);
    if (n == OTTER_ERR_HTTP_AGAIN)
        return OTTER_INDEX_POLL_MORE;
    if (n < 0)
        return n;
    if (n == 0) {
        p->state = ST_OPEN;
        return OTTER_INDEX_POLL_MORE;
    }
    p->len += (size_t)n;
    if (p->len > OTTER_INDEX_MAX_SIZE)
        return OTTER_ERR_INDEX_TOO_LARGE;
    return OTTER_INDEX_POLL_MORE;
}

static int do_open(otter_index_poll_t *p)
{
    otter_http_close(&p->http); /* one small file: nothing more on this connection */
    const otter_index_record_t *rec = p->cfg.record;
    otter_index_check_t chk;
    memset(&chk, 0, sizeof chk);
    chk.keys = rec->n_keys ? rec->keys : p->cfg.keys;
    chk.n_keys = rec->n_keys ? rec->n_keys : p->cfg.n_keys;
    chk.highest_seq = rec->seq;
    int64_t now = p->cfg.clock->wall_time ? p->cfg.clock->wall_time(p->cfg.clock->ctx) : -1;
    chk.now = now < 0 ? OTTER_INDEX_TIME_UNKNOWN : now;
    chk.accept_without_time = p->cfg.accept_without_time;
    int ret = otter_index_open(&p->idx, p->cfg.index_buf, p->len, &chk);
    if (ret < 0)
        return ret;
    p->state = ST_ACCEPT;
    return OTTER_INDEX_POLL_MORE;
}

static int do_decide(otter_index_poll_t *p)
{
    int ret = otter_index_decide(&p->idx, &p->cfg.device, &p->decision);
    if (ret < 0)
        return ret;
    p->result = OTTER_INDEX_POLL_NOTHING;
    if (p->decision.reason == OTTER_INDEX_INSTALL && p->decision.release >= 0) {
        const otter_index_release_t *r = &p->idx.release[p->decision.release];
        p->size = r->size;
        memcpy(p->sha256, r->sha256, sizeof p->sha256);
        p->result = OTTER_INDEX_POLL_INSTALL;
    }
    p->state = ST_DONE;
    return 0;
}

static int do_accept(otter_index_poll_t *p)
{
    int ret = otter_index_record_accept(p->cfg.record, p->cfg.flash, &p->idx);
    if (ret < 0)
        return ret;
    p->state = ST_DECIDE;
    if (!p->cfg.trust)
        return OTTER_INDEX_POLL_MORE;
    ret = otter_trust_write_begin(&p->tw, p->cfg.trust, p->cfg.record, &p->idx);
    if (ret < 0)
        return ret;
    if (ret == 0)
        p->state = ST_TRUST_ERASE;
    return OTTER_INDEX_POLL_MORE;
}

static int do_trust_erase(otter_index_poll_t *p)
{
    int ret = otter_trust_write_step(&p->tw);
    if (ret != 0)
        return ret;
    if (!p->tw.set.roots_len) {
        p->state = ST_TRUST_COMMIT;
        return OTTER_INDEX_POLL_MORE;
    }
    ret = otter_url_resolve(p->roots_url, sizeof p->roots_url, p->url, p->idx.roots_url.p, p->idx.roots_url.len);
    if (ret < 0)
        return ret;
    memset(&p->req, 0, sizeof p->req);
    p->req.url = p->roots_url;
    ret = otter_http_begin(&p->http, &p->req);
    if (ret < 0)
        return ret;
    p->state = ST_TRUST_HEAD;
    return OTTER_INDEX_POLL_MORE;
}

static int do_trust_head(otter_index_poll_t *p)
{
    int ret = otter_http_step(&p->http);
    if (ret == OTTER_HTTP_PENDING)
        return OTTER_INDEX_POLL_MORE;
    p->http_status = otter_http_detail(&p->http)->status;
    if (ret < 0)
        return ret;
    const otter_http_response_t *r = otter_http_response(&p->http);
    if (r->has_length && r->content_length != p->tw.set.roots_len)
        return OTTER_ERR_UPD_SIZE_MISMATCH; /* not one byte of it goes to flash */
    p->state = ST_TRUST_BODY;
    return OTTER_INDEX_POLL_MORE;
}

static int do_trust_body(otter_index_poll_t *p)
{
    uint8_t buf[256]; /* one read's worth: the index buffer still holds the index */
    int n = otter_http_read(&p->http, buf, sizeof buf);
    if (n == OTTER_ERR_HTTP_AGAIN)
        return OTTER_INDEX_POLL_MORE;
    if (n < 0)
        return n;
    if (n == 0) {
        p->state = ST_TRUST_COMMIT;
        return OTTER_INDEX_POLL_MORE;
    }
    return otter_trust_write_data(&p->tw, buf, (size_t)n) < 0 ? OTTER_ERR_UPD_SIZE_MISMATCH : OTTER_INDEX_POLL_MORE;
}

static int do_trust_commit(otter_index_poll_t *p)
{
    otter_http_close(&p->http);
    int ret = otter_trust_write_commit(&p->tw);
    otter_trust_write_free(&p->tw);
    if (ret < 0)
        return ret;
    p->trust_applied = true;
    p->state = ST_DECIDE;
    return OTTER_INDEX_POLL_MORE;
}

static int dispatch(otter_index_poll_t *p)
{
    switch (p->state) {
    case ST_HEAD:
        return do_head(p);
    case ST_BODY:
        return do_body(p);
    case ST_OPEN:
        return do_open(p);
    case ST_ACCEPT:
        return do_accept(p);
    case ST_TRUST_ERASE:
        return do_trust_erase(p);
    case ST_TRUST_HEAD:
        return do_trust_head(p);
    case ST_TRUST_BODY:
        return do_trust_body(p);
    case ST_TRUST_COMMIT:
        return do_trust_commit(p);
    case ST_DECIDE:
        return do_decide(p);
    case ST_DONE:
        return 0;
    case ST_FAILED:
        return p->err;
    default:
        return OTTER_ERR_STATE;
    }
}

int otter_index_poll_step(otter_index_poll_t *p)
{
    int ret = dispatch(p);
    if (ret < 0 && p->state != ST_FAILED) {
        otter_http_close(&p->http);
        otter_trust_write_free(&p->tw);
        if (!p->http_status)
            p->http_status = otter_http_detail(&p->http)->status;
        p->err = ret;
        p->result = OTTER_INDEX_POLL_NONE;
        p->etag[0] = '\0'; /* a failed poll's ETag must not make the next one a 304 */
        p->state = ST_FAILED;
    }
    return ret;
}

int otter_index_poll_url(const otter_index_poll_t *p, unsigned i, char *out, size_t cap)
{
    if (p->result != OTTER_INDEX_POLL_INSTALL || p->decision.release < 0)
        return OTTER_ERR_INVAL;
    const otter_index_release_t *r = &p->idx.release[p->decision.release];
    if (i >= r->n_urls)
        return OTTER_ERR_INVAL;
    return otter_url_resolve(out, cap, p->url, r->url[i].p, r->url[i].len);
}

void otter_index_poll_free(otter_index_poll_t *p)
{
    otter_trust_write_free(&p->tw);
    otter_http_free(&p->http);
}
