/* Test support: an HTTP/1.1 file server inside a transport. See memserver.h.
 * Sizes are printed as unsigned long: the Arm newlib of the target leg has
 * no C99 %zu (it prints "zu"). */
#include "memserver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "otter/error.h"

void memserver_init(memserver_t *srv, const uint8_t *file, size_t len)
{
    memset(srv, 0, sizeof *srv);
    srv->file = file;
    srv->file_len = len;
    snprintf(srv->etag, sizeof srv->etag, "\"v1-%lx\"", (unsigned long)len);
    srv->cut_at = -1;
    srv->stall_at = -1;
    srv->chunk = 1460;
    srv->last_range_from = -1;
}

void memserver_route(memserver_t *srv, const char *path, const uint8_t *file, size_t len)
{
    int i = 0;
    while (i < srv->n_routes && strcmp(srv->route[i].path, path))
        i++;
    if (i == 4)
        return;
    srv->route[i].path = path;
    srv->route[i].file = file;
    srv->route[i].len = len;
    if (i == srv->n_routes)
        srv->n_routes++;
}

/* FNV-1a: a content tag for routed files' ETags. */
static unsigned long content_tag(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return (unsigned long)h;
}

static int ms_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    memserver_t *s = ctx;
    (void)host;
    (void)port;
    (void)timeout_ms;
    if (s->refuse_connects > 0) {
        s->refuse_connects--;
        return s->refuse_err ? s->refuse_err : OTTER_ERR_CONNECT;
    }
    s->connects++;
    s->open = 1;
    s->stalled = 0;
    s->req_len = 0;
    s->head_len = s->head_off = 0;
    s->body = NULL;
    s->body_off = s->body_end = 0;
    return 0;
}

/* Value of header `name` in the request head, copied into out. 1 if found. */
static int req_header(const char *req, const char *name, char *out, size_t outlen)
{
    size_t n = strlen(name);
    for (const char *p = strstr(req, "\r\n"); p && p[2]; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2;
        if (!strncasecmp(line, name, n) && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            const char *e = strstr(v, "\r\n");
            size_t vl = e ? (size_t)(e - v) : strlen(v);
            if (vl >= outlen)
                vl = outlen - 1;
            memcpy(out, v, vl);
            out[vl] = 0;
            return 1;
        }
    }
    return 0;
}

static void respond(memserver_t *s)
{
    const uint8_t *file = s->file;
    size_t len = s->file_len;
    char etag[64];
    s->requests++;
    snprintf(etag, sizeof etag, "%s", s->etag);
    if (s->switch_after > 0 && s->requests > s->switch_after && s->file2) {
        file = s->file2;
        len = s->file2_len;
        snprintf(etag, sizeof etag, "\"v2-%lx\"", (unsigned long)len);
    }
    int head_only = !strncmp(s->req, "HEAD ", 5);
    const char *target = strchr(s->req, ' ');
    size_t tl = target ? strcspn(target + 1, " \r\n") : 0;
    if (tl >= sizeof s->last_path)
        tl = sizeof s->last_path - 1;
    memcpy(s->last_path, target ? target + 1 : "", tl);
    s->last_path[tl] = 0;
    for (int i = 0; i < s->n_routes; i++) {
        if (!strcmp(s->route[i].path, s->last_path)) {
            file = s->route[i].file;
            len = s->route[i].len;
            snprintf(etag, sizeof etag, "\"r%lx-%lx\"", content_tag(file, len), (unsigned long)len);
        }
    }
    char inm[64];
    int unchanged = req_header(s->req, "If-None-Match", inm, sizeof inm) && !strcmp(inm, etag);
    char range[96], ifr[64];
    long from = -1, to = -1;
    s->last_if_range[0] = 0;
    if (req_header(s->req, "Range", range, sizeof range) && !strncmp(range, "bytes=", 6)) {
        char *end;
        from = strtol(range + 6, &end, 10);
        to = (*end == '-' && end[1]) ? strtol(end + 1, NULL, 10) : -1;
    }
    s->last_range_from = from;
    int if_range_ok = 1;
    if (req_header(s->req, "If-Range", ifr, sizeof ifr)) {
        snprintf(s->last_if_range, sizeof s->last_if_range, "%s", ifr);
        if_range_ok = !strcmp(ifr, etag);
    }
    int status = 200;
    size_t b0 = 0, b1 = len; /* [b0, b1) */
    if (s->status_override) {
        status = s->status_override;
        b1 = 0;
    } else if (unchanged) {
        status = 304;
        b1 = 0;
        s->not_modified++;
    } else if (from >= 0 && !s->ignore_range && if_range_ok) {
        if ((size_t)from >= len) {
            status = 416;
            b1 = 0;
        } else {
            status = 206;
            b0 = (size_t)from;
            if (to >= 0 && (size_t)to + 1 < len)
                b1 = (size_t)to + 1;
        }
    }
    const char *reason = status == 200 ? "OK" : status == 206 ? "Partial Content" : status == 304 ? "Not Modified" : "Error";
    size_t announced = status == 416 ? (size_t)0 : b1 - b0;
    s->close_at_end = 0;
    if (status == 200 && s->lie_extra && s->lie_times != 0) {
        announced += s->lie_extra;
        s->close_at_end = 1;
        if (s->lie_times > 0)
            s->lie_times--;
    }
    char cl[48];
    snprintf(cl, sizeof cl, "Content-Length: %lu\r\n", (unsigned long)announced);
    if (s->no_length && status == 200) {
        cl[0] = 0;
        s->close_at_end = 1;
    }
    int n = snprintf((char *)s->head, sizeof s->head,
                     "HTTP/1.1 %d %s\r\nServer: memserver\r\nContent-Type: %s\r\n"
                     "%sETag: %s\r\nLast-Modified: Tue, 24 Nov 2026 08:00:00 GMT\r\n"
                     "Accept-Ranges: bytes\r\n",
                     status, reason, s->content_type ? s->content_type : "application/octet-stream", cl, etag);
    if (status == 206)
        n += snprintf((char *)s->head + n, sizeof s->head - (size_t)n, "Content-Range: bytes %lu-%lu/%lu\r\n",
                      (unsigned long)b0, (unsigned long)(b1 - 1), (unsigned long)len);
    n += snprintf((char *)s->head + n, sizeof s->head - (size_t)n, "Connection: %s\r\n\r\n",
                  s->close_at_end ? "close" : "keep-alive");
    s->head_len = (size_t)n;
    s->head_bytes_sent += (size_t)n;
    s->head_off = 0;
    s->body = file;
    s->body_off = b0;
    s->body_end = head_only || status == 416 ? b0 : b1;
    if (status != 200 && status != 206)
        s->body_end = s->body_off;
}

static int ms_write(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    memserver_t *s = ctx;
    (void)timeout_ms;
    s->reads++;
    if (!s->open)
        return OTTER_ERR_NET_IO;
    size_t room = sizeof s->req - 1 - s->req_len;
    size_t n = len < room ? len : room;
    memcpy(s->req + s->req_len, buf, n);
    s->req_len += n;
    s->req[s->req_len] = 0;
    char *end = strstr(s->req, "\r\n\r\n");
    if (end) {
        respond(s);
        /* Keep whatever follows (a pipelined request) for the next round. */
        size_t used = (size_t)(end + 4 - s->req);
        memmove(s->req, s->req + used, s->req_len - used + 1);
        s->req_len -= used;
    }
    return (int)len;
}

static int ms_read(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    memserver_t *s = ctx;
    (void)timeout_ms;
    s->reads++;
    if (!s->open)
        return OTTER_ERR_NET_IO;
    if (s->stalled)
        return OTTER_ERR_TIMEOUT;
    size_t max = s->chunk && len > s->chunk ? s->chunk : len;
    if (s->head_off < s->head_len) {
        size_t n = s->head_len - s->head_off;
        if (n > max)
            n = max;
        memcpy(buf, s->head + s->head_off, n);
        s->head_off += n;
        return (int)n;
    }
    if (s->body_off >= s->body_end && s->close_at_end) {
        s->open = 0;
        return OTTER_ERR_CLOSED; /* the end of a close-delimited body (or of a lie) */
    }
    if (s->body_off >= s->body_end)
        return OTTER_ERR_TIMEOUT; /* nothing more to say on this connection */
    size_t stop = s->body_end;
    long fault = s->cut_at >= 0 ? s->cut_at : s->stall_at;
    if (fault >= 0 && (size_t)fault >= s->body_off && (size_t)fault < stop)
        stop = (size_t)fault;
    if (s->body_off == stop) {
        if (s->cut_at >= 0) {
            s->cut_at = -1;
            s->open = 0;
            return OTTER_ERR_CLOSED;
        }
        s->stall_at = -1;
        s->stalled = 1;
        return OTTER_ERR_TIMEOUT;
    }
    size_t n = stop - s->body_off;
    if (n > max)
        n = max;
    memcpy(buf, s->body + s->body_off, n);
    if (s->clock_ms)
        *s->clock_ms += s->ms_per_read;
    s->body_off += n;
    s->body_bytes_sent += n;
    return (int)n;
}

static void ms_close(void *ctx)
{
    memserver_t *s = ctx;
    s->open = 0;
    s->stalled = 0;
}

otter_transport_t memserver_transport(memserver_t *srv)
{
    otter_transport_t t = {ms_connect, ms_read, ms_write, ms_close, srv};
    return t;
}
