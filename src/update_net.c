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
    otter_http_close(&u->http);
    bool was_open = u->in_request;
    u->in_request = false;
    if (++u->retries > u->cfg.max_retries)
        return err;
    if (was_open) {
        otter_update_event_t ev = {.kind = OTTER_UPDATE_EV_DISCONNECTED, .err = err, .offset = u->received};
        upd_event(u, &ev);
    }
    u->cut_redl = 0;
    u->st.phase = OTTER_UPDATE_PHASE_CONNECT;
    return OTTER_UPDATE_MORE;
}

/* The file changed on the server: forget everything and start from byte 0
 * with a fresh decision. The journal is rewritten before the first program. */
static int restart(otter_update_t *u)
{
    otter_http_close(&u->http);
    u->in_request = false;
    if (++u->st.restarts > MAX_RESTARTS)
        return OTTER_ERR_HTTP_RESOURCE_CHANGED;
    otter_image_free(&u->img);
    otter_image_init(&u->img, u->cfg.policy.chip_id);
    otter_image_set_max_len(&u->img, u->target->size - upd_sector(u));
    u->received = 0;
    u->st.done = 0;
    u->st.total = 0;
    u->pend_off = u->pend_len = u->pend_file_off = 0;
    u->erased_to = 0;
    u->marked = 0;
    u->skip = 0;
    u->keep_to = 0;
    u->whole_again = false;
    u->open_length = false;
    u->decided = false;
    u->journal_live = false;
    u->journal_erased = false;
    u->validator[0] = 0;
    u->st.have_app = false;
    otter_update_event_t ev = {.kind = OTTER_UPDATE_EV_RESTART};
    upd_event(u, &ev);
    u->st.phase = OTTER_UPDATE_PHASE_CONNECT;
    return OTTER_UPDATE_MORE;
}

static int open_request(otter_update_t *u)
{
    memset(&u->req, 0, sizeof u->req);
    u->req.url = u->url;
    if (u->received > 0 && !u->whole_again) {
        u->req.range_start = u->received;
        u->req.if_range = u->validator[0] ? u->validator : NULL;
        u->req.expected_total = u->open_length ? 0 : u->st.total;
    }
    int ret = otter_http_begin(&u->http, &u->req);
    if (ret < 0)
        return ret;
    u->in_request = true;
    u->prev_http_phase = OTTER_HTTP_PHASE_IDLE;
    if (u->received > 0) {
        u->st.resumes++;
        otter_update_event_t ev = {.kind = OTTER_UPDATE_EV_RESUME, .offset = u->received};
        upd_event(u, &ev);
    }
    return 0;
}

/* Events for what the last http step achieved. */
static void phase_events(otter_update_t *u)
{
    uint8_t now = (uint8_t)otter_http_detail(&u->http)->phase;
    uint8_t was = u->prev_http_phase;
    u->prev_http_phase = now;
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
    const otter_http_response_t *r = otter_http_response(&u->http);
    const char *validator = r->etag[0] ? r->etag : r->last_modified;
    uint32_t capacity = u->target->size - upd_sector(u);
    u->detail.http_status = r->status;
    header_events(u, r);
    uint64_t total;
    int ret = otter_update_check_head(r, capacity, &total);
    if (u->received == 0 && !u->whole_again) {
        if (ret == OTTER_ERR_UPD_TOO_LARGE)
            u->st.total = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
        if (ret < 0)
            return ret;
        /* No length: read to the end of the body, at most the slot. */
        u->open_length = total == 0;
        u->st.total = u->open_length ? capacity : (uint32_t)total;
        /* A known length names a short wrong file (image_identify). */
        if (!u->open_length)
            otter_image_set_file_len(&u->img, u->st.total);
        size_t vl = strlen(validator);
        if (vl < sizeof u->validator)
            memcpy(u->validator, validator, vl + 1);
    } else if (ret == OTTER_ERR_UPD_CONTENT_TYPE || ret == OTTER_ERR_UPD_NO_LENGTH) {
        return ret;
    } else if (u->whole_again) {
        /* The whole file again, to be dropped up to where we were: only if
         * it is the same file. */
        if ((!u->open_length && total != u->st.total) || (u->open_length && total != 0) ||
            (u->validator[0] && strcmp(validator, u->validator)) || (u->open_length && !u->validator[0]))
            return restart(u);
        u->skip = u->received;
        u->high_water = u->high_water > u->received ? u->high_water : u->received;
        u->received = 0;
        u->whole_again = false;
    } else if (u->open_length && total) {
        /* A resumed open-length download: the 206 tells the size now. */
        if (total > capacity || total < u->received)
            return restart(u);
        u->st.total = (uint32_t)total;
        u->open_length = false;
    }
    u->st.phase = u->decided ? OTTER_UPDATE_PHASE_DOWNLOAD : OTTER_UPDATE_PHASE_DECIDE;
    return OTTER_UPDATE_MORE;
}

/* A 200 answer to a resume that still describes our file: the server
 * ignores Range (If-Range made the client call it "changed"). */
static bool same_file(const otter_update_t *u)
{
    const otter_http_response_t *r = otter_http_response(&u->http);
    const char *v = r->etag[0] ? r->etag : r->last_modified;
    return r->status == 200 && r->has_length && r->content_length == u->st.total && u->validator[0] &&
           !strcmp(v, u->validator);
}

int upd_net_connect_step(otter_update_t *u)
{
    int ret;
    if (!u->in_request) {
        ret = open_request(u);
        if (ret < 0)
            return ret;
    }
    ret = otter_http_step(&u->http);
    phase_events(u);
    if (ret == OTTER_HTTP_PENDING)
        return OTTER_UPDATE_MORE;
    if (ret == 0)
        return accept_head(u);
    u->in_request = false;
    u->detail.http_status = otter_http_detail(&u->http)->status;
    if (ret <= -140 && ret >= -159 && u->cfg.tls_report) {
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
    bool resuming = u->received > 0 && !u->whole_again;
    if (resuming && ((ret == OTTER_ERR_HTTP_STATUS && u->detail.http_status == 416) || ret == OTTER_ERR_HTTP_PROTOCOL))
        return restart(u);
    if (ret == OTTER_ERR_HTTP_RESOURCE_CHANGED)
        ret = OTTER_ERR_HTTP_RANGE_IGNORED; /* a 200 for the same file */
    if (ret == OTTER_ERR_HTTP_RANGE_IGNORED) {
        u->whole_again = true;
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
    int n = otter_http_read(&u->http, buf, len);
    if (n <= 0)
        return n;
    u->st.downloaded += (uint32_t)n;
    if (u->skip) {
        uint32_t drop = (uint32_t)n < u->skip ? (uint32_t)n : u->skip;
        u->skip -= drop;
        u->received += drop;
        u->st.redownloaded += drop;
        u->cut_redl += drop;
        if (u->cut_redl > u->st.worst_redownload)
            u->st.worst_redownload = u->cut_redl;
        n -= (int)drop;
        if (n == 0)
            return OTTER_ERR_HTTP_AGAIN;
        memmove(buf, buf + drop, (size_t)n);
    }
    if (u->received < u->high_water) {
        uint32_t again = u->high_water - u->received;
        if (again > (uint32_t)n)
            again = (uint32_t)n;
        u->st.redownloaded += again;
        u->cut_redl += again;
        if (u->cut_redl > u->st.worst_redownload)
            u->st.worst_redownload = u->cut_redl;
    }
    int ret = otter_image_feed(&u->img, buf, (size_t)n);
    if (ret < 0)
        return ret;
    u->received += (uint32_t)n;
    if (u->received > u->high_water)
        u->high_water = u->received;
    u->retries = 0;
    return n;
}
