/* otter update engine: the HTTP side (requests, resume, body reads). */
#include <string.h>

#include "otter/error.h"
#include "strutil.h"
#include "update_priv.h"

/* Start-overs allowed in one update when the file keeps changing. */
#define MAX_RESTARTS 2u

void upd_net_http_event(void *arg, const otter_http_event_t *ev)
{
    otter_update_t *u = arg;
    if (ev->type != OTTER_HTTP_EV_REDIRECT)
        return;
    otter_update_event_t e = {.kind = OTTER_UPDATE_EV_REDIRECT, .header_value = ev->url};
    upd_event(u, &e);
}

void upd_net_init(otter_update_t *u)
{
    otter_http_config_t hc;
    memset(&hc, 0, sizeof hc);
    hc.tcp = u->cfg.tcp;
    hc.tls = u->cfg.tls;
    hc.clock = u->cfg.clock;
    hc.connect_timeout_ms = u->cfg.connect_timeout_ms;
    hc.read_timeout_ms = u->cfg.read_timeout_ms;
    hc.on_event = upd_net_http_event;
    hc.event_arg = u;
    otter_http_init(&u->net.http, &hc, u->cfg.http_buf, u->cfg.http_buf_len);
}

void upd_net_begin(otter_update_t *u)
{
    otter_update_net_t *n = &u->net;
    otter_http_close(&n->http);
    n->received = n->high_water = n->skip = n->cut_redl = 0;
    n->retries = 0;
    n->in_request = n->whole_again = n->open_length = false;
    n->validator[0] = 0;
}

void upd_net_reset(otter_update_t *u)
{
    otter_update_net_t *n = &u->net;
    n->received = 0;
    n->skip = 0;
    n->whole_again = false;
    n->open_length = false;
    n->validator[0] = 0;
}

void upd_net_rewind(otter_update_t *u, uint32_t received)
{
    u->net.received = u->net.high_water = received;
}

void upd_net_resume(otter_update_t *u, const char *validator, size_t len)
{
    if (len < sizeof u->net.validator)
        memcpy(u->net.validator, validator, len + 1);
}

void upd_net_body_ended(otter_update_t *u)
{
    u->st.total = u->net.received;
    u->net.open_length = false;
}

void upd_net_close(otter_update_t *u)
{
    otter_http_close(&u->net.http);
    u->net.in_request = false;
}

void upd_net_free(otter_update_t *u)
{
    otter_http_free(&u->net.http);
}

int upd_net_probe(otter_update_t *u)
{
    uint8_t b;
    return otter_http_read(&u->net.http, &b, 1);
}

bool upd_net_transient(int err)
{
    switch (err) {
    case OTTER_ERR_TIMEOUT:
    case OTTER_ERR_CLOSED:
    case OTTER_ERR_NET_IO:
    case OTTER_ERR_CONNECT:
    case OTTER_ERR_DNS:
    case OTTER_ERR_TLS_IO:
    case OTTER_ERR_HTTP_CLOSED_EARLY:
        return true;
    default:
        return false;
    }
}

int upd_net_cut(otter_update_t *u, int err)
{
    bool was_open = u->net.in_request;
    upd_net_close(u);
    if (++u->net.retries > u->cfg.max_retries)
        return err;
    if (was_open) {
        otter_update_event_t ev = {.kind = OTTER_UPDATE_EV_DISCONNECTED, .err = err, .offset = u->net.received};
        upd_event(u, &ev);
    }
    u->net.cut_redl = 0;
    u->st.phase = OTTER_UPDATE_PHASE_CONNECT;
    return OTTER_UPDATE_MORE;
}

/* The file changed on the server: count the start-over; update.c forgets
 * the rest (UPD_RESTART). */
static int restart(otter_update_t *u)
{
    upd_net_close(u);
    if (++u->st.restarts > MAX_RESTARTS)
        return OTTER_ERR_HTTP_RESOURCE_CHANGED;
    return UPD_RESTART;
}

static int open_request(otter_update_t *u)
{
    memset(&u->net.req, 0, sizeof u->net.req);
    u->net.req.url = u->url;
    if (u->net.received > 0 && !u->net.whole_again) {
        u->net.req.range_start = u->net.received;
        u->net.req.if_range = u->net.validator[0] ? u->net.validator : NULL;
        u->net.req.expected_total = u->net.open_length ? 0 : u->st.total;
    }
    int ret = otter_http_begin(&u->net.http, &u->net.req);
    if (ret < 0)
        return ret;
    u->net.in_request = true;
    u->net.prev_http_phase = OTTER_HTTP_PHASE_IDLE;
    if (u->net.received > 0) {
        u->st.resumes++;
        otter_update_event_t ev = {.kind = OTTER_UPDATE_EV_RESUME, .offset = u->net.received};
        upd_event(u, &ev);
    }
    return 0;
}

/* Events for what the last http step achieved. */
static void phase_events(otter_update_t *u)
{
    uint8_t now = (uint8_t)otter_http_detail(&u->net.http)->phase;
    uint8_t was = u->net.prev_http_phase;
    u->net.prev_http_phase = now;
    if (was == now)
        return;
    otter_update_event_t ev;
    memset(&ev, 0, sizeof ev);
    if (was <= OTTER_HTTP_PHASE_CONNECT && now > OTTER_HTTP_PHASE_CONNECT) {
        ev.kind = OTTER_UPDATE_EV_CONNECTED;
        upd_event(u, &ev);
        if (u->cfg.tls_report && !strncmp(u->url, "https", 5)) {
            ev.kind = OTTER_UPDATE_EV_TLS;
            ev.tls_report = u->cfg.tls_report;
            upd_event(u, &ev);
        }
    }
    if (was <= OTTER_HTTP_PHASE_SEND && now > OTTER_HTTP_PHASE_SEND) {
        ev.kind = OTTER_UPDATE_EV_HEADER_SENT;
        ev.tls_report = NULL;
        upd_event(u, &ev);
    }
}

static void header_event(otter_update_t *u, const char *key, const char *value)
{
    if (!value[0])
        return;
    otter_update_event_t ev = {.kind = OTTER_UPDATE_EV_HEADER, .header_key = key, .header_value = value};
    upd_event(u, &ev);
}

static void header_events(otter_update_t *u, const otter_http_response_t *r)
{
    char num[24];
    header_event(u, "Content-Type", r->content_type);
    if (r->has_length) {
        num[otter_ascii_u64(num, r->content_length)] = 0;
        header_event(u, "Content-Length", num);
    }
    header_event(u, "ETag", r->etag);
    header_event(u, "Last-Modified", r->last_modified);
}

static bool is_html(const char *ct)
{
    static const char html[] = "text/html";
    for (size_t i = 0; i < sizeof html - 1; i++) {
        if (otter_ascii_lower(ct[i]) != html[i])
            return false;
    }
    return true;
}

int otter_update_check_head(const otter_http_response_t *r, uint32_t capacity, uint64_t *total)
{
    *total = 0;
    if (is_html(r->content_type))
        return OTTER_ERR_UPD_CONTENT_TYPE;
    if (r->status == 206 && r->has_range)
        *total = r->range_total;
    else if (r->has_length)
        *total = r->content_length;
    else
        return 0; /* chunked or close-delimited: the image says where it ends */
    if (*total == UINT64_MAX) {
        *total = 0;
        return OTTER_ERR_UPD_NO_LENGTH;
    }
    return *total > capacity ? OTTER_ERR_UPD_TOO_LARGE : 0;
}

/* The response head is in: check it and decide where to go. */
static int accept_head(otter_update_t *u)
{
    const otter_http_response_t *r = otter_http_response(&u->net.http);
    const char *validator = r->etag[0] ? r->etag : r->last_modified;
    uint32_t capacity = u->target->size - upd_sector(u);
    u->detail.http_status = r->status;
    header_events(u, r);
    uint64_t total;
    int ret = otter_update_check_head(r, capacity, &total);
    if (u->net.received == 0 && !u->net.whole_again) {
        if (ret == OTTER_ERR_UPD_TOO_LARGE)
            u->st.total = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
        if (ret < 0)
            return ret;
        /* The release index names the size: another one is another file,
         * refused before anything is erased. */
        if (total && u->cfg.policy.expect_size && total != u->cfg.policy.expect_size) {
            u->st.total = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
            return OTTER_ERR_UPD_SIZE_MISMATCH;
        }
        /* No length: read to the end of the body, at most the slot. */
        u->net.open_length = total == 0;
        u->st.total = u->net.open_length ? capacity : (uint32_t)total;
        /* A known length names a short wrong file (image_identify). */
        if (!u->net.open_length)
            otter_image_set_file_len(&u->img, u->st.total);
        size_t vl = strlen(validator);
        if (vl < sizeof u->net.validator)
            memcpy(u->net.validator, validator, vl + 1);
    } else if (ret == OTTER_ERR_UPD_CONTENT_TYPE || ret == OTTER_ERR_UPD_NO_LENGTH) {
        return ret;
    } else if (u->net.whole_again) {
        /* The whole file again, to be dropped up to where we were: only if
         * it is the same file. */
        if ((!u->net.open_length && total != u->st.total) || (u->net.open_length && total != 0) ||
            (u->net.validator[0] && strcmp(validator, u->net.validator)) || (u->net.open_length && !u->net.validator[0]))
            return restart(u);
        u->net.skip = u->net.received;
        u->net.high_water = u->net.high_water > u->net.received ? u->net.high_water : u->net.received;
        u->net.received = 0;
        u->net.whole_again = false;
    } else if (u->net.open_length && total) {
        /* A resumed open-length download: the 206 tells the size now. */
        if (total > capacity || total < u->net.received)
            return restart(u);
        u->st.total = (uint32_t)total;
        u->net.open_length = false;
    }
    u->st.phase = u->pol.decided ? OTTER_UPDATE_PHASE_DOWNLOAD : OTTER_UPDATE_PHASE_DECIDE;
    return OTTER_UPDATE_MORE;
}

/* A 200 answer to a resume that still describes our file: the server
 * ignores Range (If-Range made the client call it "changed"). */
static bool same_file(const otter_update_t *u)
{
    const otter_http_response_t *r = otter_http_response(&u->net.http);
    const char *v = r->etag[0] ? r->etag : r->last_modified;
    return r->status == 200 && r->has_length && r->content_length == u->st.total && u->net.validator[0] &&
           !strcmp(v, u->net.validator);
}

int upd_net_connect_step(otter_update_t *u)
{
    int ret;
    if (!u->net.in_request) {
        ret = open_request(u);
        if (ret < 0)
            return ret;
    }
    ret = otter_http_step(&u->net.http);
    phase_events(u);
    if (ret == OTTER_HTTP_PENDING)
        return OTTER_UPDATE_MORE;
    if (ret == 0)
        return accept_head(u);
    u->net.in_request = false;
    u->detail.http_status = otter_http_detail(&u->net.http)->status;
    if (OTTER_ERR_IS_TLS(ret) && u->cfg.tls_report) {
        /* The handshake failed: its report says why, in words. */
        otter_update_event_t ev = {.kind = OTTER_UPDATE_EV_TLS, .err = ret, .tls_report = u->cfg.tls_report};
        upd_event(u, &ev);
    }
    if (ret == OTTER_ERR_HTTP_RESOURCE_CHANGED && !same_file(u))
        return restart(u);
    /* A resume the server refuses (416: the range is past its end) or
     * answers inconsistently (a 206 whose Content-Range does not fit): the
     * journal or an earlier response was wrong (a server that once
     * announced more bytes than it sent). Asking again the same way would
     * fail forever: start over from byte 0 with a fresh decision. */
    bool resuming = u->net.received > 0 && !u->net.whole_again;
    if (resuming && ((ret == OTTER_ERR_HTTP_STATUS && u->detail.http_status == 416) || ret == OTTER_ERR_HTTP_PROTOCOL))
        return restart(u);
    if (ret == OTTER_ERR_HTTP_RESOURCE_CHANGED)
        ret = OTTER_ERR_HTTP_RANGE_IGNORED; /* a 200 for the same file */
    if (ret == OTTER_ERR_HTTP_RANGE_IGNORED) {
        u->net.whole_again = true;
        return upd_net_cut(u, ret);
    }
    if (ret == OTTER_ERR_HTTP_STATUS && u->detail.http_status >= 500)
        return upd_net_cut(u, ret);
    if (upd_net_transient(ret))
        return upd_net_cut(u, ret);
    return ret;
}

int upd_net_read(otter_update_t *u, uint8_t *buf, size_t len)
{
    int n = otter_http_read(&u->net.http, buf, len);
    if (n <= 0)
        return n;
    u->st.downloaded += (uint32_t)n;
    if (u->net.skip) {
        uint32_t drop = (uint32_t)n < u->net.skip ? (uint32_t)n : u->net.skip;
        u->net.skip -= drop;
        u->net.received += drop;
        u->st.redownloaded += drop;
        u->net.cut_redl += drop;
        if (u->net.cut_redl > u->st.worst_redownload)
            u->st.worst_redownload = u->net.cut_redl;
        n -= (int)drop;
        if (n == 0)
            return OTTER_ERR_HTTP_AGAIN;
        memmove(buf, buf + drop, (size_t)n);
    }
    if (u->net.received < u->net.high_water) {
        uint32_t again = u->net.high_water - u->net.received;
        if (again > (uint32_t)n)
            again = (uint32_t)n;
        u->st.redownloaded += again;
        u->net.cut_redl += again;
        if (u->net.cut_redl > u->st.worst_redownload)
            u->st.worst_redownload = u->net.cut_redl;
    }
    int ret = upd_feed(u, buf, (size_t)n);
    if (ret < 0)
        return ret;
    u->net.received += (uint32_t)n;
    if (u->net.received > u->net.high_water)
        u->net.high_water = u->net.received;
    u->net.retries = 0;
    return n;
}
