/* otter serve: one connection's state machine on a non-blocking socket.
 *
 * HANDSHAKE -> READ -> SEND -> READ ... (keep-alive), with faults leading to
 * STALL (hold the connection, send nothing) or LINGER (our FIN is out: drain
 * what the client still sends, then close, so a cut is exact and the bytes
 * before it are not lost to a reset). Every step returns as soon as the
 * socket would block; the event loop in cmd_serve.c polls for c->want, or
 * for c->wake (throttle) / c->deadline (timeouts). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "serve.h"

int64_t serve_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum { IO_AGAIN = -1, IO_EOF = -2, IO_ERR = -3 };

static int tls_status(struct serve_conn *c, int r)
{
    if (r == OTTER_TLSSRV_WANT_READ) {
        c->want = POLLIN;
        return IO_AGAIN;
    }
    if (r == OTTER_TLSSRV_WANT_WRITE) {
        c->want = POLLOUT;
        return IO_AGAIN;
    }
    if (r == 0 || r == OTTER_TLSSRV_EOF)
        return IO_EOF;
    return r > 0 ? r : IO_ERR;
}

static int io_read(struct serve_conn *c, void *buf, size_t len)
{
    if (c->tls)
        return tls_status(c, otter_tlssrv_read(c->tls, buf, len));
    for (;;) {
        ssize_t n = recv(c->fd, buf, len, 0);
        if (n > 0)
            return (int)n;
        if (n == 0)
            return IO_EOF;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            c->want = POLLIN;
            return IO_AGAIN;
        }
        return IO_ERR;
    }
}

static int io_write(struct serve_conn *c, const void *buf, size_t len)
{
    if (c->tls)
        return tls_status(c, otter_tlssrv_write(c->tls, buf, len));
    for (;;) {
        ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0)
            return (int)n;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            c->want = POLLOUT;
            return IO_AGAIN;
        }
        return IO_ERR;
    }
}

static void log_done(struct serve_conn *c, const char *why)
{
    if (!c->log[0])
        return;
    struct serve_server *srv = c->srv;
    if (!srv->o.quiet) {
        const char *fault = why ? why : c->resp.fault;
        fprintf(stderr, "%s %llu%s%s\n", c->log, (unsigned long long)c->body_sent,
                fault[0] ? " " : "", fault);
    }
    c->log[0] = 0;
    srv->requests_done++;
    if (srv->o.max_requests > 0 && srv->requests_done >= srv->o.max_requests)
        srv->draining = 1;
}

static void resp_release(struct serve_conn *c)
{
    if (c->resp.fd >= 0)
        close(c->resp.fd);
    c->resp.fd = -1;
}

void serve_conn_free(struct serve_conn *c)
{
    if (!c)
        return;
    log_done(c, "aborted");
    resp_release(c);
    if (c->fd >= 0)
        close(c->fd);
    otter_tlssrv_conn_free(c->tls);
    free(c);
}

static void set_closed(struct serve_conn *c)
{
    c->state = ST_CLOSED;
}

void serve_conn_abort(struct serve_conn *c)
{
    log_done(c, "aborted");
    set_closed(c);
}

/* Our side is finished: FIN after the last byte, then drain until the client
 * closes (or SERVE_LINGER_MS), so no reset destroys data still in flight. */
static void start_linger(struct serve_conn *c)
{
    resp_release(c);
    shutdown(c->fd, SHUT_WR);
    c->state = ST_LINGER;
    c->want = POLLIN;
    c->wake = 0;
    c->deadline = serve_now_ms() + SERVE_LINGER_MS;
}

static void do_linger(struct serve_conn *c)
{
    char buf[4096];
    for (int i = 0; i < 64; i++) { /* bounded: a chatty peer gets polled again */
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n > 0)
            continue;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            c->want = POLLIN;
            return;
        }
        set_closed(c);
        return;
    }
    c->want = POLLIN;
}

static void do_handshake(struct serve_conn *c)
{
    int r = otter_tlssrv_handshake(c->tls);
    if (r == 0) {
        c->state = ST_READ;
        c->deadline = serve_now_ms() + c->srv->o.idle_ms;
        return;
    }
    if (tls_status(c, r) == IO_AGAIN)
        return;
    if (!c->srv->o.quiet && r == OTTER_TLSSRV_EOF) {
        fprintf(stderr, "otter serve: %s closed the connection during the TLS handshake\n",
                c->peer);
    } else if (!c->srv->o.quiet) {
        char msg[160];
        otter_tlssrv_conn_error(c->tls, msg, sizeof msg);
        fprintf(stderr, "otter serve: TLS handshake with %s failed: %s\n", c->peer, msg);
    }
    set_closed(c);
}

static void start_response(struct serve_conn *c, const struct serve_req *req)
{
    snprintf(c->log, sizeof c->log, "%s %s %s %d", req->method, req->target,
             req->has_range ? req->range : "-", c->resp.status);
    c->head_sent = 0;
    c->body_sent = 0;
    c->body_done = 0;
    c->out_len = c->out_off = c->out_payload = 0;
    c->state = ST_SEND;
    c->deadline = serve_now_ms() + c->srv->o.idle_ms;
    c->body_start_ms = 0;
}

/* Take one complete request head out of c->req, if there is one, and
 * prepare its response. 1: started; 0: need more bytes. */
static int take_request(struct serve_conn *c)
{
    char *end = NULL;
    for (size_t i = 0; i + 1 < c->req_len; i++)
        if (c->req[i] == '\n' && (c->req[i + 1] == '\n' ||
                                  (c->req[i + 1] == '\r' && i + 2 < c->req_len &&
                                   c->req[i + 2] == '\n'))) {
            end = c->req + i + (c->req[i + 1] == '\n' ? 2 : 3);
            break;
        }
    if (!end)
        return 0;
    size_t used = (size_t)(end - c->req);
    struct serve_req *req = malloc(sizeof *req);
    if (!req) {
        set_closed(c);
        return 1;
    }
    int bad = serve_parse_request(c->req, used, req);
    memmove(c->req, end, c->req_len - used);
    c->req_len -= used;
    if (bad) {
        serve_build_error(c->srv, bad, 1, &c->resp);
        snprintf(req->method, sizeof req->method, "-");
        snprintf(req->target, sizeof req->target, "-");
        req->has_range = 0;
    } else {
        serve_build_response(c->srv, req, &c->resp);
    }
    start_response(c, req);
    free(req);
    return 1;
}

static void do_read(struct serve_conn *c)
{
    while (c->state == ST_READ) {
        if (c->srv->draining) {
            set_closed(c);
            return;
        }
        if (take_request(c))
            return;
        if (c->req_len == sizeof c->req) {
            struct serve_req req;
            memset(&req, 0, sizeof req);
            strcpy(req.method, "-");
            strcpy(req.target, "-");
            serve_build_error(c->srv, 431, 1, &c->resp);
            start_response(c, &req);
            return;
        }
        int n = io_read(c, c->req + c->req_len, sizeof c->req - c->req_len);
        if (n == IO_AGAIN)
            return;
        if (n < 0) {
            set_closed(c);
            return;
        }
        c->req_len += (size_t)n;
        c->deadline = serve_now_ms() + c->srv->o.idle_ms;
    }
}

/* How many body bytes the throttle allows now; 0 sets c->wake. */
static uint64_t throttle_allow(struct serve_conn *c, uint64_t want)
{
    uint64_t bps = c->srv->o.throttle_bps;
    if (!bps)
        return want;
    int64_t now = serve_now_ms();
    if (!c->body_start_ms)
        c->body_start_ms = now;
    /* Budget: what the rate allows since the body started, plus 50 ms of
     * burst, in pieces of at most 50 ms so the flow stays smooth. */
    uint64_t budget = bps * (uint64_t)(now - c->body_start_ms) / 1000 + bps / 20 + 1;
    uint64_t piece = bps / 20 + 1;
    if (budget <= c->body_sent) {
        c->wake = c->body_start_ms + (int64_t)((c->body_sent + 1) * 1000 / bps) - 50;
        if (c->wake <= now)
            c->wake = now + 1;
        return 0;
    }
    uint64_t allow = budget - c->body_sent;
    if (allow > piece)
        allow = piece;
    return allow < want ? allow : want;
}

/* Fill c->out with the next piece of body. 0: filled or body complete;
 * 1: must wait (throttle) or a fault ended the response. */
static int fill_body(struct serve_conn *c)
{
    struct serve_resp *r = &c->resp;
    uint64_t left = r->body_len - c->body_sent;
    if (r->cut_at >= 0 && c->body_sent == (uint64_t)r->cut_at) {
        log_done(c, NULL);
        start_linger(c);
        return 1;
    }
    if (r->stall_at >= 0 && c->body_sent == (uint64_t)r->stall_at) {
        log_done(c, NULL);
        resp_release(c);
        c->state = ST_STALL;
        c->want = POLLIN;
        c->deadline = serve_now_ms() + c->srv->o.stall_ms;
        return 1;
    }
    uint64_t chunk = c->srv->o.chunk_size;
    uint64_t n = left < chunk ? left : chunk;
    if (r->cut_at >= 0 && n > (uint64_t)r->cut_at - c->body_sent)
        n = (uint64_t)r->cut_at - c->body_sent;
    if (r->stall_at >= 0 && n > (uint64_t)r->stall_at - c->body_sent)
        n = (uint64_t)r->stall_at - c->body_sent;
    n = throttle_allow(c, n);
    if (n == 0) {
        c->want = 0;
        return 1;
    }
    size_t pre = r->chunked ? (size_t)snprintf((char *)c->out, 16, "%llx\r\n", (unsigned long long)n)
                            : 0;
    ssize_t got = pread(r->fd, c->out + pre, (size_t)n, (off_t)(r->body_off + c->body_sent));
    if (got != (ssize_t)n) { /* the file shrank under us: end the connection */
        log_done(c, "file-changed");
        set_closed(c);
        return 1;
    }
    if (r->chunked) {
        memcpy(c->out + pre + n, "\r\n", 2);
        pre += 2;
    }
    c->out_len = pre + (size_t)n;
    c->out_off = 0;
    c->out_payload = (size_t)n;
    return 0;
}

/* Queue the next bytes: head, body piece, or chunked terminator. 0: queued;
 * 1: nothing more now (waiting, ended, or response complete). */
static int next_output(struct serve_conn *c)
{
    struct serve_resp *r = &c->resp;
    c->out_payload = 0;
    if (!c->head_sent) {
        memcpy(c->out, r->head, r->head_len < sizeof c->out ? r->head_len : sizeof c->out);
        c->out_len = r->head_len;
        c->out_off = 0;
        c->head_sent = 1;
        if (r->small_body && !r->head_only) {
            size_t b = strlen(r->small_body);
            memcpy(c->out + c->out_len, r->small_body, b);
            c->out_len += b;
            c->body_sent = b;
        }
        return 0;
    }
    if (r->fd >= 0 && !r->head_only && c->body_sent < r->body_len)
        return fill_body(c);
    if (r->chunked && r->fd >= 0 && !r->head_only && !c->body_done) {
        memcpy(c->out, "0\r\n\r\n", 5);
        c->out_len = 5;
        c->out_off = 0;
        c->body_done = 1;
        return 0;
    }
    /* complete */
    log_done(c, NULL);
    resp_release(c);
    if (r->close || c->srv->draining) {
        start_linger(c);
    } else {
        c->state = ST_READ;
        c->deadline = serve_now_ms() + c->srv->o.idle_ms;
    }
    return 1;
}

static void do_send(struct serve_conn *c)
{
    /* Fairness: after this many pieces, let the other connections run; the
     * socket is still writable, so poll() comes straight back to us. */
    int budget = 16;
    for (int i = 0; c->state == ST_SEND; i++) {
        if (i == 256) { /* writes that make no progress: yield to the loop */
            c->want = POLLOUT;
            return;
        }
        if (c->out_off == c->out_len) {
            if (budget-- == 0) {
                c->want = POLLOUT;
                return;
            }
            c->body_sent += c->out_payload;
            c->out_payload = 0;
            c->out_len = c->out_off = 0;
            if (next_output(c))
                return;
            continue;
        }
        int n = io_write(c, c->out + c->out_off, c->out_len - c->out_off);
        if (n == IO_AGAIN)
            return;
        if (n < 0) {
            log_done(c, "aborted");
            set_closed(c);
            return;
        }
        c->out_off += (size_t)n;
        c->deadline = serve_now_ms() + c->srv->o.idle_ms;
    }
}

static void do_stall(struct serve_conn *c)
{
    /* Sending nothing; notice the client giving up. */
    char buf[4096];
    ssize_t n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        set_closed(c);
    c->want = POLLIN;
}

void serve_conn_step(struct serve_conn *c)
{
    int64_t now = serve_now_ms();
    if (c->state != ST_CLOSED && c->deadline && now >= c->deadline) {
        /* timeout: idle keep-alive, slow handshake, stuck client, end of stall */
        if (c->state == ST_SEND)
            log_done(c, "timeout");
        set_closed(c);
        return;
    }
    if (c->wake && now < c->wake)
        return;
    c->wake = 0;
    /* Bounded: whatever a peer does, control returns to the event loop (and
     * to SIGTERM) after a few state changes. */
    for (int i = 0; i < 32; i++) {
        enum serve_state before = c->state;
        switch (c->state) {
        case ST_HANDSHAKE: do_handshake(c); break;
        case ST_READ: do_read(c); break;
        case ST_SEND: do_send(c); break;
        case ST_STALL: do_stall(c); break;
        case ST_LINGER: do_linger(c); break;
        case ST_CLOSED: return;
        }
        if (c->state == before)
            return;
    }
}

struct serve_conn *serve_conn_new(struct serve_server *srv, int fd, const char *peer)
{
    struct serve_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->srv = srv;
    c->fd = fd;
    c->resp.fd = -1;
    snprintf(c->peer, sizeof c->peer, "%s", peer);
    c->deadline = serve_now_ms() + srv->o.idle_ms;
    c->want = POLLIN;
    if (srv->o.plain) {
        c->state = ST_READ;
        return c;
    }
    c->state = ST_HANDSHAKE;
    c->tls = otter_tlssrv_conn_new(srv->tls, fd);
    if (!c->tls) {
        c->fd = -1;
        serve_conn_free(c);
        return NULL;
    }
    return c;
}
