/* otter HTTP client: requests, connections, redirects, range checks and the
 * body reader. The byte parsers live in http_parse.c. */
#include <stddef.h>
#include <string.h>

#include "http_priv.h"
#include "otter/error.h"
#include "otter/url.h"
#include "strutil.h"

/* Client states (h->state). */
enum {
    ST_IDLE = 0,
    ST_CONNECT,
    ST_SEND,
    ST_HEAD,
    ST_DRAIN,
    ST_BODY,
    ST_DONE,
    ST_ERROR,
};

#define DEFAULT_TIMEOUT_MS 10000u

static void emit(otter_http_t *h, otter_http_event_type_t type, uint16_t status, const char *url)
{
    if (h->cfg.on_event == NULL)
        return;
    otter_http_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    ev.status = status;
    ev.hop = h->detail.redirects;
    ev.port = h->detail.port;
    ev.host = h->detail.host;
    ev.url = url;
    h->cfg.on_event(h->cfg.event_arg, &ev);
}

static void conn_close(otter_http_t *h)
{
    if (h->conn != NULL)
        h->conn->close(h->conn->ctx);
    h->conn = NULL;
    h->conn_reusable = false;
    h->buf_pos = h->buf_end = 0;
}

static int fail(otter_http_t *h, int err)
{
    conn_close(h);
    h->state = ST_ERROR;
    h->detail.last_error = err;
    return err;
}

void otter_http_init(otter_http_t *h, const otter_http_config_t *cfg, uint8_t *buf, size_t buf_len)
{
    memset(h, 0, sizeof *h);
    if (cfg != NULL)
        h->cfg = *cfg;
    if (h->cfg.connect_timeout_ms == 0)
        h->cfg.connect_timeout_ms = DEFAULT_TIMEOUT_MS;
    if (h->cfg.read_timeout_ms == 0)
        h->cfg.read_timeout_ms = DEFAULT_TIMEOUT_MS;
    if (h->cfg.max_redirects == 0)
        h->cfg.max_redirects = OTTER_HTTP_MAX_REDIRECTS;
    else if (h->cfg.max_redirects == 255)
        h->cfg.max_redirects = 0;
    if (h->cfg.user_agent == NULL)
        h->cfg.user_agent = "otter/0.1";
    h->buf = buf;
    h->buf_len = buf_len;
}

/* --- time -------------------------------------------------------------- */

/* Timeout for the next operation: base clamped to the overall deadline.
 * Returns OTTER_ERR_HTTP_DEADLINE if it has passed. *clamped tells whether
 * the deadline, not base, bounds the operation. */
static int op_timeout(otter_http_t *h, uint32_t base, uint32_t *out, bool *clamped)
{
    *out = base;
    *clamped = false;
    if (h->deadline_ms == 0)
        return 0;
    uint64_t now = h->cfg.clock->now_ms(h->cfg.clock->ctx);
    if (now >= h->deadline_ms)
        return OTTER_ERR_HTTP_DEADLINE;
    if (h->deadline_ms - now <= base) {
        *out = (uint32_t)(h->deadline_ms - now);
        *clamped = true;
    }
    return 0;
}

/* One transport read with the stall timeout. Maps a timeout caused by the
 * deadline to OTTER_ERR_HTTP_DEADLINE and a 0 or oversized return to
 * OTTER_ERR_NET_IO (the port contract forbids them). */
static int conn_read(otter_http_t *h, uint8_t *buf, size_t len)
{
    uint32_t t;
    bool clamped;
    int ret = op_timeout(h, h->cfg.read_timeout_ms, &t, &clamped);
    if (ret)
        return ret;
    if (len > 0x7FFFFFFF)
        len = 0x7FFFFFFF;
    ret = h->conn->read(h->conn->ctx, buf, len, t);
    if (ret == OTTER_ERR_TIMEOUT && clamped)
        return OTTER_ERR_HTTP_DEADLINE;
    if (ret == 0 || (ret > 0 && (size_t)ret > len))
        return OTTER_ERR_NET_IO;
    return ret;
}

/* --- the request, generated in pieces ----------------------------------- */

/* A piece of the request: n bytes at p, or (b64) the base64 of src_len
 * bytes at p, n being the encoded length. */
typedef struct piece {
    const char *p;
    size_t n;
    size_t src_len;
    bool b64;
} piece_t;

/* Base64 character j of the encoding of src[0..len). */
static char b64_at(const char *src, size_t len, size_t j)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = j / 4 * 3, q = j % 4;
    if (q >= 2 && i + q - 1 >= len)
        return '=';
    uint32_t v = (uint32_t)(uint8_t)src[i] << 16;
    if (i + 1 < len)
        v |= (uint32_t)(uint8_t)src[i + 1] << 8;
    if (i + 2 < len)
        v |= (uint8_t)src[i + 2];
    return tab[(v >> (18 - 6 * q)) & 63];
}

typedef struct req_nums {
    char port[6];
    char first[20];
    char last[20];
} req_nums_t;

static size_t add(piece_t *v, size_t k, const char *p, size_t n)
{
    v[k].p = p;
    v[k].n = n;
    v[k].b64 = false;
    return k + 1;
}

static size_t add_b64(piece_t *v, size_t k, const char *p, size_t n)
{
    v[k].p = p;
    v[k].n = (n + 2) / 3 * 4;
    v[k].src_len = n;
    v[k].b64 = true;
    return k + 1;
}

#define ADDS(v, k, s) add(v, k, s, sizeof(s) - 1)

/* Is u (parsed from h->url) the scheme, host and port of the request's
 * original URL? Credentials go only there, as curl does. */
static bool same_origin(const otter_http_t *h, const otter_url_t *u)
{
    if (u->scheme != h->origin_scheme || u->port != h->origin_port || u->host_len != h->origin_host_len)
        return false;
    for (size_t i = 0; i < u->host_len; i++) {
        if (otter_ascii_lower(h->url[u->host_off + i]) != otter_ascii_lower(h->origin_host[i]))
            return false;
    }
    return true;
}

/* Pieces of the longest request: method, "/", target, Host (5), port (2),
 * User-Agent (2), Accept, Authorization (3), Range (5), If-Range (3),
 * If-None-Match (3), the blank line. */
#define REQ_PIECES_MAX 27

/* The request as a list of pieces (at most REQ_PIECES_MAX); returns their number. */
static size_t req_pieces(const otter_http_t *h, const otter_url_t *u, req_nums_t *num, piece_t *v)
{
    size_t k = 0;
    k = h->head_method ? ADDS(v, k, "HEAD ") : ADDS(v, k, "GET ");
    const char *target = h->url + u->target_off;
    if (u->target_len == 0 || target[0] == '?')
        k = ADDS(v, k, "/");
    k = add(v, k, target, u->target_len);
    k = ADDS(v, k, " HTTP/1.1\r\nHost: ");
    if (u->host_is_ipv6)
        k = ADDS(v, k, "[");
    k = add(v, k, h->url + u->host_off, u->host_len);
    if (u->host_is_ipv6)
        k = ADDS(v, k, "]");
    if (u->port != (u->scheme == OTTER_URL_HTTPS ? 443 : 80)) {
        k = ADDS(v, k, ":");
        k = add(v, k, num->port, otter_ascii_u64(num->port, u->port));
    }
    k = ADDS(v, k, "\r\nUser-Agent: ");
    k = add(v, k, h->cfg.user_agent, strlen(h->cfg.user_agent));
    k = ADDS(v, k, "\r\nAccept: */*\r\nAccept-Encoding: identity\r\n");
    if (h->auth_len > 0 && same_origin(h, u)) {
        k = ADDS(v, k, "Authorization: Basic ");
        k = add_b64(v, k, h->auth, h->auth_len);
        k = ADDS(v, k, "\r\n");
    }
    if (h->range_start > 0 || h->range_len > 0) {
        k = ADDS(v, k, "Range: bytes=");
        k = add(v, k, num->first, otter_ascii_u64(num->first, h->range_start));
        k = ADDS(v, k, "-");
        if (h->range_len > 0)
            k = add(v, k, num->last, otter_ascii_u64(num->last, h->range_start + h->range_len - 1));
        k = ADDS(v, k, "\r\n");
    }
    if (h->if_range != NULL) {
        k = ADDS(v, k, "If-Range: ");
        k = add(v, k, h->if_range, strlen(h->if_range));
        k = ADDS(v, k, "\r\n");
    }
    if (h->if_none_match != NULL) {
        k = ADDS(v, k, "If-None-Match: ");
        k = add(v, k, h->if_none_match, strlen(h->if_none_match));
        k = ADDS(v, k, "\r\n");
    }
    return ADDS(v, k, "\r\n");
}

/* Copy the request bytes from offset `from` into buf; sets *total to the
 * request's full length and returns the bytes copied. */
static size_t req_fill(const otter_http_t *h, const otter_url_t *u, size_t from, size_t *total)
{
    piece_t v[REQ_PIECES_MAX];
    req_nums_t num;
    size_t np = req_pieces(h, u, &num, v);
    size_t pos = 0, w = 0;
    for (size_t i = 0; i < np; i++) {
        size_t s = 0;
        if (pos + v[i].n > from && w < h->buf_len) {
            s = from > pos ? from - pos : 0;
            size_t k = v[i].n - s;
            if (k > h->buf_len - w)
                k = h->buf_len - w;
            if (v[i].b64)
                for (size_t j = 0; j < k; j++)
                    h->buf[w + j] = (uint8_t)b64_at(v[i].p, v[i].src_len, s + j);
            else
                memcpy(h->buf + w, v[i].p + s, k);
            w += k;
        }
        pos += v[i].n;
    }
    *total = pos;
    return w;
}

/* --- request start ---------------------------------------------------- */

static int valid_header_value(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7F)
            return 0;
    return 1;
}

static const otter_transport_t *transport_for(const otter_http_t *h, otter_url_scheme_t scheme)
{
    return scheme == OTTER_URL_HTTPS ? h->cfg.tls : h->cfg.tcp;
}

int otter_http_begin(otter_http_t *h, const otter_http_request_t *req)
{
    if (h == NULL || req == NULL || req->url == NULL)
        return OTTER_ERR_INVAL;
    if (h->state == ST_BODY || h->state == ST_HEAD || h->state == ST_SEND || h->state == ST_DRAIN)
        conn_close(h); /* unfinished exchange: the connection is unusable */
    h->state = ST_IDLE;
    memset(&h->resp, 0, sizeof h->resp);
    /* the detail's host and port name the open connection: keep them */
    uint16_t port = h->detail.port;
    memset(&h->detail, 0, offsetof(otter_http_detail_t, host));
    h->detail.port = port;
    if (h->buf == NULL || h->buf_len < 64 || h->cfg.user_agent == NULL ||
        !valid_header_value(h->cfg.user_agent, 256))
        return OTTER_ERR_INVAL;
    if (req->if_range != NULL && !valid_header_value(req->if_range, 256))
        return OTTER_ERR_INVAL;
    if (req->if_none_match != NULL && !valid_header_value(req->if_none_match, 256))
        return OTTER_ERR_INVAL;
    if (req->range_len > 0 && req->range_start > UINT64_MAX - req->range_len)
        return OTTER_ERR_INVAL;
    if (h->cfg.overall_timeout_ms != 0 && (h->cfg.clock == NULL || h->cfg.clock->now_ms == NULL))
        return OTTER_ERR_INVAL;
    size_t len = strlen(req->url);
    if (len >= sizeof h->url)
        return OTTER_ERR_HTTP_URL_TOO_LONG;
    otter_url_t u;
    if (otter_url_parse(req->url, len, &u) != 0)
        return OTTER_ERR_URL;
    if (transport_for(h, u.scheme) == NULL)
        return OTTER_ERR_UNSUPPORTED;
    h->auth = NULL;
    h->auth_len = 0;
    if (req->basic_auth != NULL) {
        if (!valid_header_value(req->basic_auth, 256))
            return OTTER_ERR_INVAL;
        h->auth = req->basic_auth;
        h->auth_len = strlen(req->basic_auth);
    } else if (u.userinfo_len > 0) {
        if (memchr(req->url + u.userinfo_off, '%', u.userinfo_len) != NULL)
            return OTTER_ERR_UNSUPPORTED; /* escaped credentials: use basic_auth */
        h->auth = req->url + u.userinfo_off;
        h->auth_len = u.userinfo_len;
    }
    h->origin_host = req->url + u.host_off;
    h->origin_host_len = u.host_len;
    h->origin_port = u.port;
    h->origin_scheme = (uint8_t)u.scheme;
    memcpy(h->url, req->url, len + 1);
    h->head_method = req->head;
    h->range_start = req->range_start;
    h->range_len = req->range_len;
    h->if_range = req->if_range;
    h->if_none_match = req->if_none_match;
    h->expected_total = req->expected_total;
    h->deadline_ms = 0;
    if (h->cfg.overall_timeout_ms != 0)
        h->deadline_ms = h->cfg.clock->now_ms(h->cfg.clock->ctx) + h->cfg.overall_timeout_ms;
    h->retried = false;
    h->detail.phase = OTTER_HTTP_PHASE_CONNECT;
    h->state = ST_CONNECT;
    return 0;
}

/* --- steps ------------------------------------------------------------ */

static int step_connect(otter_http_t *h)
{
    otter_url_t u;
    if (otter_url_parse(h->url, strlen(h->url), &u) != 0)
        return fail(h, OTTER_ERR_URL);
    if (u.host_len >= sizeof h->detail.host)
        return fail(h, OTTER_ERR_URL);
    const otter_transport_t *t = transport_for(h, u.scheme);
    h->detail.phase = OTTER_HTTP_PHASE_CONNECT;
    h->req_sent = 0;
    if (h->conn != NULL && h->conn == t && h->conn_reusable && h->detail.port == u.port &&
        otter_http_ci_equal(h->url + u.host_off, u.host_len, h->detail.host)) {
        h->conn_reused = true;
        h->conn_reusable = false;
        h->state = ST_SEND;
        h->detail.phase = OTTER_HTTP_PHASE_SEND;
        emit(h, OTTER_HTTP_EV_REUSE, 0, NULL);
        return OTTER_HTTP_PENDING;
    }
    conn_close(h);
    memcpy(h->detail.host, h->url + u.host_off, u.host_len);
    h->detail.host[u.host_len] = '\0';
    h->detail.port = u.port;
    emit(h, OTTER_HTTP_EV_CONNECT, 0, NULL);
    uint32_t t_ms;
    bool clamped;
    int ret = op_timeout(h, h->cfg.connect_timeout_ms, &t_ms, &clamped);
    if (ret == 0) {
        ret = t->connect(t->ctx, h->detail.host, u.port, t_ms);
        if (ret == OTTER_ERR_TIMEOUT && clamped)
            ret = OTTER_ERR_HTTP_DEADLINE;
    }
    if (ret < 0) {
        t->close(t->ctx);
        return fail(h, ret);
    }
    h->conn = t;
    h->conn_reused = false;
    h->state = ST_SEND;
    h->detail.phase = OTTER_HTTP_PHASE_SEND;
    return OTTER_HTTP_PENDING;
}

/* A kept-alive connection the server had already closed: reconnect once. */
static int retry_or_fail(otter_http_t *h, int err)
{
    bool nothing_yet = h->state == ST_SEND || (h->state == ST_HEAD && h->head_bytes == 0);
    if (!h->conn_reused || h->retried || !nothing_yet ||
        (err != OTTER_ERR_CLOSED && err != OTTER_ERR_NET_IO))
        return fail(h, err);
    h->retried = true;
    conn_close(h);
    emit(h, OTTER_HTTP_EV_RETRY, 0, NULL);
    h->state = ST_CONNECT;
    return OTTER_HTTP_PENDING;
}

static int step_send(otter_http_t *h)
{
    otter_url_t u;
    (void)otter_url_parse(h->url, strlen(h->url), &u); /* validated before */
    size_t total;
    size_t n = req_fill(h, &u, h->req_sent, &total);
    uint32_t t;
    bool clamped;
    int ret = op_timeout(h, h->cfg.read_timeout_ms, &t, &clamped);
    if (ret)
        return fail(h, ret);
    ret = h->conn->write(h->conn->ctx, h->buf, n, t);
    if (ret == OTTER_ERR_TIMEOUT && clamped)
        ret = OTTER_ERR_HTTP_DEADLINE;
    if (ret == 0 || (ret > 0 && (size_t)ret > n))
        ret = OTTER_ERR_NET_IO;
    if (ret < 0)
        return retry_or_fail(h, ret);
    h->req_sent += (size_t)ret;
    if (h->req_sent == total) {
        h->state = ST_HEAD;
        h->detail.phase = OTTER_HTTP_PHASE_HEAD;
        h->buf_pos = h->buf_end = 0;
        h->head_bytes = 0;
        otter_http_head_reset(h);
    }
    return OTTER_HTTP_PENDING;
}

/* Body framing of the response just parsed. */
static void setup_body(otter_http_t *h)
{
    otter_http_response_t *r = &h->resp;
    uint16_t s = r->status;
    /* RFC 9112 6.1: with both Transfer-Encoding and Content-Length the
     * connection must be closed after the response. */
    bool both = r->chunked && r->has_length;
    h->body_done = false;
    h->cstate = CS_SIZE0;
    h->head_bytes = 0; /* now counts chunk framing bytes */
    h->remaining = 0;
    if (h->head_method || s == 204 || s == 304) {
        h->bmode = BM_NONE;
        h->body_done = true;
    } else if (r->chunked) {
        h->bmode = BM_CHUNKED;
        r->has_length = false;
    } else if (r->has_length) {
        h->bmode = BM_LENGTH;
        h->remaining = r->content_length;
        h->body_done = r->content_length == 0;
    } else {
        h->bmode = BM_CLOSE;
    }
    r->keep_alive = h->bmode != BM_CLOSE && !h->conn_close && !both && (r->http_minor >= 1 || h->conn_keep);
}

static int is_redirect(uint16_t s)
{
    return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
}

static int follow_redirect(otter_http_t *h)
{
    if (h->detail.redirects >= h->cfg.max_redirects)
        return fail(h, OTTER_ERR_HTTP_TOO_MANY_REDIRECTS);
    otter_url_t old, u;
    (void)otter_url_parse(h->url, strlen(h->url), &old);
    int ret = otter_url_resolve(h->url, sizeof h->url, h->url, h->url + h->loc_off, h->loc_len);
    if (ret == OTTER_ERR_BUF_TOO_SMALL) {
        h->detail.url_need = (uint32_t)(h->loc_off + h->loc_len + 1);
        return fail(h, OTTER_ERR_HTTP_REDIRECT_TOO_LONG);
    }
    if (ret < 0 || otter_url_parse(h->url, (size_t)ret, &u) != 0)
        return fail(h, OTTER_ERR_URL);
    if (old.scheme == OTTER_URL_HTTPS && u.scheme == OTTER_URL_HTTP)
        return fail(h, OTTER_ERR_HTTP_DOWNGRADE);
    if (transport_for(h, u.scheme) == NULL)
        return fail(h, OTTER_ERR_UNSUPPORTED);
    h->detail.redirects++;
    emit(h, OTTER_HTTP_EV_REDIRECT, h->resp.status, h->url);
    bool same = u.scheme == old.scheme && u.port == h->detail.port &&
                otter_http_ci_equal(h->url + u.host_off, u.host_len, h->detail.host);
    bool small = h->bmode == BM_CHUNKED || h->bmode == BM_NONE ||
                 (h->bmode == BM_LENGTH && h->resp.content_length <= OTTER_HTTP_DRAIN_MAX);
    if (!same || !h->resp.keep_alive || !small) {
        conn_close(h);
        h->state = ST_CONNECT;
        return OTTER_HTTP_PENDING;
    }
    h->drained = 0;
    h->state = ST_DRAIN;
    h->detail.phase = OTTER_HTTP_PHASE_REDIRECT;
    return OTTER_HTTP_PENDING;
}

/* Resume rules for a ranged request. */
static int check_range(otter_http_t *h)
{
    const otter_http_response_t *r = &h->resp;
    bool ranged = h->range_start > 0 || h->range_len > 0;
    if (r->status == 206) {
        if (!ranged || !r->has_range)
            return OTTER_ERR_HTTP_PROTOCOL;
        if (r->range_first != h->range_start)
            return OTTER_ERR_HTTP_RANGE_IGNORED;
        if (r->has_length && r->content_length != r->range_last - r->range_first + 1)
            return OTTER_ERR_HTTP_PROTOCOL;
        if (h->expected_total != 0 && r->range_total != h->expected_total)
            return OTTER_ERR_HTTP_RESOURCE_CHANGED;
        const char *v = h->if_range;
        bool etag = v != NULL && (v[0] == '"' || (v[0] == 'W' && v[1] == '/'));
        if (etag && r->etag[0] != '\0' && strcmp(v, r->etag) != 0)
            return OTTER_ERR_HTTP_RESOURCE_CHANGED;
        return 0;
    }
    if (h->range_start > 0) /* never append a full body to a partial file */
        return h->if_range != NULL ? OTTER_ERR_HTTP_RESOURCE_CHANGED : OTTER_ERR_HTTP_RANGE_IGNORED;
    return 0;
}

static int head_complete(otter_http_t *h)
{
    uint16_t s = h->resp.status;
    h->detail.status = s;
    if (s >= 100 && s < 200) {
        if (s == 101)
            return fail(h, OTTER_ERR_HTTP_PROTOCOL);
        otter_http_head_reset(h); /* interim response: the real one follows */
        return OTTER_HTTP_PENDING;
    }
    setup_body(h);
    if (is_redirect(s) && h->loc_seen)
        return follow_redirect(h);
    emit(h, OTTER_HTTP_EV_HEAD, s, NULL);
    if (s < 200 || s > 299)
        return fail(h, OTTER_ERR_HTTP_STATUS);
    int ret = check_range(h);
    if (ret)
        return fail(h, ret);
    h->detail.phase = OTTER_HTTP_PHASE_BODY;
    h->state = ST_BODY;
    if (h->body_done) {
        if (h->buf_pos != h->buf_end)
            return fail(h, OTTER_ERR_HTTP_BODY_TOO_LONG);
        h->state = ST_DONE;
        h->detail.phase = OTTER_HTTP_PHASE_DONE;
        h->conn_reusable = h->resp.keep_alive;
        if (!h->conn_reusable)
            conn_close(h);
    }
    return 0;
}

static int step_head(otter_http_t *h)
{
    if (h->buf_pos == h->buf_end) {
        int n = conn_read(h, h->buf, h->buf_len);
        if (n < 0)
            return retry_or_fail(h, n);
        h->buf_pos = 0;
        h->buf_end = (size_t)n;
    }
    size_t used;
    int ret = otter_http_head_feed(h, h->buf + h->buf_pos, h->buf_end - h->buf_pos, &used);
    h->buf_pos += used;
    /* On a reused connection a response that does not even start with
     * "HTTP/1." is the tail of the previous body, which the server sent
     * after the end it had announced (a later segment than the last
     * body bytes, so the previous read could not see it). */
    if (ret == OTTER_ERR_HTTP_STATUS_LINE && h->conn_reused && h->status_pos <= 7)
        ret = OTTER_ERR_HTTP_BODY_TOO_LONG;
    if (ret < 0)
        return fail(h, ret);
    if (ret == 0)
        return OTTER_HTTP_PENDING;
    return head_complete(h);
}

static int body_read(otter_http_t *h, uint8_t *out, size_t len);

static int step_drain(otter_http_t *h)
{
    int n = body_read(h, h->buf, h->buf_len);
    if (n == OTTER_ERR_HTTP_AGAIN)
        return OTTER_HTTP_PENDING;
    if (n == OTTER_ERR_HTTP_DEADLINE)
        return fail(h, n);
    if (n > 0)
        h->drained += (uint64_t)n;
    if (n < 0 || h->drained > OTTER_HTTP_DRAIN_MAX || (n == 0 && h->buf_pos != h->buf_end)) {
        /* the redirect's body does not matter: drop the connection */
        conn_close(h);
        h->state = ST_CONNECT;
    } else if (n == 0) {
        h->conn_reusable = true;
        h->state = ST_CONNECT;
    }
    return OTTER_HTTP_PENDING;
}

int otter_http_step(otter_http_t *h)
{
    if (h == NULL)
        return OTTER_ERR_INVAL;
    switch (h->state) {
    case ST_CONNECT:
        return step_connect(h);
    case ST_SEND:
        return step_send(h);
    case ST_HEAD:
        return step_head(h);
    case ST_DRAIN:
        return step_drain(h);
    case ST_BODY:
    case ST_DONE:
        return 0;
    case ST_ERROR:
        return h->detail.last_error;
    default:
        return OTTER_ERR_STATE;
    }
}

int otter_http_request(otter_http_t *h, const otter_http_request_t *req)
{
    int ret = otter_http_begin(h, req);
    if (ret)
        return ret;
    do {
        ret = otter_http_step(h);
    } while (ret == OTTER_HTTP_PENDING);
    return ret;
}

int otter_http_get(otter_http_t *h, const char *url, uint64_t range_start, const char *if_range)
{
    otter_http_request_t req;
    memset(&req, 0, sizeof req);
    req.url = url;
    req.range_start = range_start;
    req.if_range = if_range;
    return otter_http_request(h, &req);
}

/* --- body ------------------------------------------------------------- */

/* Move body bytes of in[0..n) to out[0..cap) per the framing; *used gets
 * the input consumed. Returns data bytes or a negative error. */
static int body_consume(otter_http_t *h, const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *used)
{
    if (h->bmode == BM_CHUNKED) {
        int ret = otter_http_chunk_feed(h, in, n, out, cap, used);
        if (ret >= 0 && h->cstate == CS_DONE)
            h->body_done = true;
        return ret;
    }
    size_t k = n < cap ? n : cap;
    if (h->bmode == BM_LENGTH && k > h->remaining)
        k = (size_t)h->remaining;
    memmove(out, in, k);
    *used = k;
    if (h->bmode == BM_LENGTH) {
        h->remaining -= k;
        h->body_done = h->remaining == 0;
    }
    return (int)k;
}

static int body_read(otter_http_t *h, uint8_t *out, size_t len)
{
    if (h->body_done)
        return 0;
    if (len > 0x7FFFFFFF)
        len = 0x7FFFFFFF;
    size_t used;
    if (h->buf_pos < h->buf_end) {
        int got = body_consume(h, h->buf + h->buf_pos, h->buf_end - h->buf_pos, out, len, &used);
        h->buf_pos += used;
        if (got < 0)
            return got;
        if (h->body_done && h->buf_pos < h->buf_end)
            return OTTER_ERR_HTTP_BODY_TOO_LONG;
        if (got > 0 || h->body_done)
            return got;
    }
    int n = conn_read(h, out, len);
    if (n == OTTER_ERR_CLOSED && h->bmode == BM_CLOSE) {
        h->body_done = true;
        return 0;
    }
    if (n == OTTER_ERR_CLOSED)
        return OTTER_ERR_HTTP_CLOSED_EARLY;
    if (n < 0)
        return n;
    int got = body_consume(h, out, (size_t)n, out, len, &used);
    if (got < 0)
        return got;
    if (used < (size_t)n)
        return OTTER_ERR_HTTP_BODY_TOO_LONG; /* bytes after the announced end */
    if (got == 0 && !h->body_done)
        return OTTER_ERR_HTTP_AGAIN;
    return got;
}

int otter_http_read(otter_http_t *h, uint8_t *buf, size_t len)
{
    if (h == NULL || buf == NULL || len == 0)
        return OTTER_ERR_INVAL;
    if (h->state == ST_ERROR)
        return h->detail.last_error;
    if (h->state == ST_DONE)
        return 0;
    if (h->state != ST_BODY)
        return OTTER_ERR_STATE;
    int n = body_read(h, buf, len);
    if (n == OTTER_ERR_HTTP_AGAIN)
        return n;
    if (n < 0)
        return fail(h, n);
    h->detail.body_bytes += (uint64_t)n;
    if (h->body_done) {
        h->state = ST_DONE;
        h->detail.phase = OTTER_HTTP_PHASE_DONE;
        h->conn_reusable = h->resp.keep_alive;
        if (!h->conn_reusable)
            conn_close(h);
    }
    return n;
}

const otter_http_response_t *otter_http_response(const otter_http_t *h)
{
    return &h->resp;
}

const otter_http_detail_t *otter_http_detail(const otter_http_t *h)
{
    return &h->detail;
}

void otter_http_close(otter_http_t *h)
{
    if (h == NULL)
        return;
    conn_close(h);
    if (h->state != ST_ERROR)
        h->state = ST_IDLE;
}

void otter_http_free(otter_http_t *h)
{
    otter_http_close(h);
}
