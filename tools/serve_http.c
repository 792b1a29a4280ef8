/* otter serve: request parsing and response heads (Range, If-Range, ETag,
 * Last-Modified, faults). See serve.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "otter/crypto.h"

#include "serve.h"

/* --- request --------------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Copy the path of a request target, percent-decoded, without the query.
 * Accepts origin-form "/p" and absolute-form "http(s)://host/p". */
static int decode_target(const char *t, size_t len, char *out, size_t size)
{
    size_t scheme = len > 7 && !strncasecmp(t, "http://", 7)    ? 7
                    : len > 8 && !strncasecmp(t, "https://", 8) ? 8
                                                                : 0;
    if (scheme) {
        const char *p = memchr(t + scheme, '/', len - scheme);
        if (!p) {
            t = "/";
            len = 1;
        } else {
            len -= (size_t)(p - t);
            t = p;
        }
    }
    if (len == 0 || t[0] != '/')
        return 400;
    size_t n = 0;
    for (size_t i = 0; i < len && t[i] != '?' && t[i] != '#'; i++) {
        int ch = (unsigned char)t[i];
        if (ch == '%') {
            int hi = i + 2 < len ? hexval(t[i + 1]) : -1;
            int lo = i + 2 < len ? hexval(t[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return 400;
            ch = hi << 4 | lo;
            i += 2;
        }
        if (ch == 0)
            return 400;
        if (n + 1 >= size)
            return 414;
        out[n++] = (char)ch;
    }
    out[n] = 0;
    return 0;
}

static void copy_value(char *dst, size_t size, const char *v, size_t len)
{
    if (len >= size)
        len = size - 1;
    memcpy(dst, v, len);
    dst[len] = 0;
}

static int header_is(const char *line, size_t name_len, const char *name)
{
    return strlen(name) == name_len && !strncasecmp(line, name, name_len);
}

static void parse_header(struct serve_req *req, const char *line, size_t len, int *keep_alive)
{
    const char *colon = memchr(line, ':', len);
    if (!colon)
        return;
    size_t nlen = (size_t)(colon - line);
    const char *v = colon + 1;
    const char *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t vlen = (size_t)(end - v);
    if (header_is(line, nlen, "range")) {
        req->has_range = 1;
        copy_value(req->range, sizeof req->range, v, vlen);
    } else if (header_is(line, nlen, "if-range")) {
        req->has_if_range = 1;
        copy_value(req->if_range, sizeof req->if_range, v, vlen);
    } else if (header_is(line, nlen, "if-none-match")) {
        req->has_if_none_match = 1;
        copy_value(req->if_none_match, sizeof req->if_none_match, v, vlen);
    } else if (header_is(line, nlen, "connection")) {
        char tmp[64];
        copy_value(tmp, sizeof tmp, v, vlen);
        if (strcasestr(tmp, "close"))
            req->close = 1;
        if (strcasestr(tmp, "keep-alive"))
            *keep_alive = 1;
    } else if (header_is(line, nlen, "content-length")) {
        char tmp[32]; /* the head is not NUL-terminated: parse a copy */
        copy_value(tmp, sizeof tmp, v, vlen);
        req->content_length = strtoll(tmp, NULL, 10);
        if (req->content_length == 0 && tmp[0] != '0')
            req->content_length = 1; /* unparsable: treat as a body, close after */
    }
}

int serve_parse_request(const char *buf, size_t len, struct serve_req *req)
{
    memset(req, 0, sizeof *req);
    const char *eol = memchr(buf, '\n', len);
    if (!eol)
        return 400;
    size_t llen = (size_t)(eol - buf);
    if (llen && buf[llen - 1] == '\r')
        llen--;
    const char *sp1 = memchr(buf, ' ', llen);
    if (!sp1 || sp1 == buf || (size_t)(sp1 - buf) >= sizeof req->method)
        return 400;
    const char *sp2 = memchr(sp1 + 1, ' ', llen - (size_t)(sp1 + 1 - buf));
    if (!sp2)
        return 400;
    memcpy(req->method, buf, (size_t)(sp1 - buf));
    const char *ver = sp2 + 1;
    size_t vlen = llen - (size_t)(ver - buf);
    if (vlen != 8 || strncmp(ver, "HTTP/1.", 7) || !isdigit((unsigned char)ver[7]))
        return 505;
    req->minor = ver[7] - '0';
    int r = decode_target(sp1 + 1, (size_t)(sp2 - sp1 - 1), req->target, sizeof req->target);
    if (r)
        return r;
    int keep_alive = 0;
    const char *p = eol + 1, *end = buf + len;
    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        size_t l = e ? (size_t)(e - p) : (size_t)(end - p);
        if (l && p[l - 1] == '\r')
            l--;
        if (l == 0)
            break;
        parse_header(req, p, l, &keep_alive);
        p = e ? e + 1 : end;
    }
    if (req->minor == 0 && !keep_alive)
        req->close = 1;
    return 0;
}

/* --- validators ---------------------------------------------------------- */

static void http_date(time_t t, char *out, size_t size)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static int hash_file(int fd, char *etag, size_t size)
{
    unsigned char buf[65536], h[32];
    otter_sha256_t sha;
    otter_sha256_init(&sha);
    if (otter_sha256_start(&sha) != 0) {
        otter_sha256_free(&sha);
        return -1;
    }
    off_t off = 0;
    for (;;) {
        ssize_t n = pread(fd, buf, sizeof buf, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            otter_sha256_free(&sha);
            return -1;
        }
        if (n == 0)
            break;
        if (otter_sha256_update(&sha, buf, (size_t)n) != 0) {
            otter_sha256_free(&sha);
            return -1;
        }
        off += n;
    }
    int r = otter_sha256_finish(&sha, h);
    otter_sha256_free(&sha);
    if (r != 0)
        return -1;
    int k = snprintf(etag, size, "\"");
    for (int i = 0; i < 16; i++)
        k += snprintf(etag + k, size - (size_t)k, "%02x", h[i]);
    snprintf(etag + k, size - (size_t)k, "\"");
    return 0;
}

/* Strong ETag of an open file: from size and mtime (ns), or a content hash
 * cached per (device, inode, size, mtime). "" when ETags are off. */
static void make_etag(struct serve_server *srv, int fd, const struct stat *st, char *etag,
                      size_t size)
{
    int64_t mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    etag[0] = 0;
    if (srv->o.etag_mode == SERVE_ETAG_NONE)
        return;
    if (srv->o.etag_mode == SERVE_ETAG_MTIME) {
        snprintf(etag, size, "\"%llx-%llx\"", (unsigned long long)st->st_size,
                 (unsigned long long)mtime_ns);
        return;
    }
    for (size_t i = 0; i < sizeof srv->etags / sizeof srv->etags[0]; i++) {
        struct etag_cache_entry *e = &srv->etags[i];
        if (e->etag[0] && e->dev == st->st_dev && e->ino == st->st_ino &&
            e->size == st->st_size && e->mtime_ns == mtime_ns) {
            snprintf(etag, size, "%s", e->etag);
            return;
        }
    }
    if (hash_file(fd, etag, size))
        return;
    struct etag_cache_entry *e = &srv->etags[srv->etag_next++ % 16];
    e->dev = st->st_dev;
    e->ino = st->st_ino;
    e->size = st->st_size;
    e->mtime_ns = mtime_ns;
    snprintf(e->etag, sizeof e->etag, "%s", etag);
}

/* If-Range: an entity tag must equal ours (strong comparison: a weak tag
 * never matches); a date must equal Last-Modified. */
static int if_range_matches(const char *v, const char *etag, time_t mtime)
{
    if (v[0] == '"' || !strncmp(v, "W/", 2))
        return etag[0] && !strcmp(v, etag);
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end)
        return 0;
    return timegm(&tm) == mtime;
}

/* One "bytes=a-b" / "bytes=a-" / "bytes=-n". 1: range set; 0: ignore the
 * header (bad syntax or several ranges: answer 200); -1: unsatisfiable. */
static int parse_range(const char *v, uint64_t size, uint64_t *first, uint64_t *last)
{
    if (strncasecmp(v, "bytes=", 6))
        return 0;
    v += 6;
    if (strchr(v, ','))
        return 0;
    char *end;
    if (*v == '-') {
        if (!isdigit((unsigned char)v[1]))
            return 0;
        unsigned long long n = strtoull(v + 1, &end, 10);
        if (*end)
            return 0;
        if (n == 0 || size == 0)
            return -1;
        *first = n >= size ? 0 : size - n;
        *last = size - 1;
        return 1;
    }
    if (!isdigit((unsigned char)*v))
        return 0;
    unsigned long long a = strtoull(v, &end, 10), b = UINT64_MAX;
    if (*end != '-')
        return 0;
    if (end[1]) {
        if (!isdigit((unsigned char)end[1]))
            return 0;
        b = strtoull(end + 1, &end, 10);
        if (*end || b < a)
            return 0;
    }
    if (a >= size)
        return -1;
    *first = a;
    *last = b >= size ? size - 1 : b;
    return 1;
}

/* --- response heads -------------------------------------------------------- */

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 416: return "Range Not Satisfiable";
    case 431: return "Request Header Fields Too Large";
    case 505: return "HTTP Version Not Supported";
    default: return "Internal Server Error";
    }
}

static void head_add(struct serve_resp *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void head_add(struct serve_resp *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = sizeof r->head - r->head_len;
    int n = vsnprintf(r->head + r->head_len, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        r->head_len += (size_t)n < room ? (size_t)n : room - 1;
}

static void head_start(struct serve_server *srv, struct serve_resp *r)
{
    char date[64];
    http_date(time(NULL), date, sizeof date);
    r->head_len = 0;
    head_add(r, "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: otter-serve (development only)\r\n",
             r->status, reason(r->status), date);
    for (int i = 0; i < srv->o.n_headers; i++)
        head_add(r, "%s\r\n", srv->o.headers[i]);
}

static void head_end(struct serve_resp *r)
{
    head_add(r, "Connection: %s\r\n\r\n", r->close ? "close" : "keep-alive");
}

static void resp_reset(struct serve_resp *r)
{
    r->status = 500;
    r->fd = -1;
    r->body_off = r->body_len = 0;
    r->head_only = r->chunked = r->close = 0;
    r->cut_at = r->stall_at = -1;
    r->fault = "";
    r->small_body = NULL;
    r->head_len = 0;
}

/* A response with a short text body; extra is a preformatted header line
 * ("Location: ...\r\n") or NULL. */
static void small_response(struct serve_server *srv, struct serve_resp *r, int status,
                           const char *extra)
{
    r->status = status;
    r->small_body = status == 404   ? "not found\n"
                    : status == 400 ? "bad request\n"
                    : status == 302 ? "redirect\n"
                    : status == 405 ? "method not allowed\n"
                    : status == 416 ? "range not satisfiable\n"
                                    : "error\n";
    head_start(srv, r);
    if (extra)
        head_add(r, "%s", extra);
    if (status == 405)
        head_add(r, "Allow: GET, HEAD\r\n");
    head_add(r, "Content-Type: text/plain\r\nContent-Length: %zu\r\n", strlen(r->small_body));
    head_end(r);
}

void serve_build_error(struct serve_server *srv, int status, int close, struct serve_resp *r)
{
    resp_reset(r);
    r->close = close;
    small_response(srv, r, status, NULL);
}

static const char *content_type(const struct serve_server *srv, const char *path)
{
    if (srv->o.content_type)
        return srv->o.content_type;
    const char *dot = strrchr(path, '.');
    if (dot && (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm")))
        return "text/html";
    if (dot && !strcasecmp(dot, ".txt"))
        return "text/plain";
    if (dot && !strcasecmp(dot, ".json"))
        return "application/json";
    if (dot && !strcasecmp(dot, ".pem"))
        return "application/x-pem-file";
    return "application/octet-stream";
}

static int fault_armed(struct serve_server *srv)
{
    return srv->o.fault_times < 0 || srv->faults_used < srv->o.fault_times;
}

/* Redirect target for path into out (1) or none (0). A URL ending in '/' gets the path
 * appended (without its leading '/'). */
static int redirect_for(struct serve_server *srv, const char *path, char *out, size_t size)
{
    if (!srv->o.redirect_url || (srv->o.redirect_path && strcmp(srv->o.redirect_path, path)))
        return 0;
    if (!fault_armed(srv))
        return 0;
    size_t n = strlen(srv->o.redirect_url);
    if (n && srv->o.redirect_url[n - 1] == '/')
        snprintf(out, size, "%s%s", srv->o.redirect_url, path + 1);
    else
        snprintf(out, size, "%s", srv->o.redirect_url);
    srv->faults_used++;
    return 1;
}

/* Open DIR + path as a regular file. Refuses ".." segments. */
static int open_file(struct serve_server *srv, const char *path, struct stat *st)
{
    if (strstr(path, "/../") || (strlen(path) >= 3 && !strcmp(path + strlen(path) - 3, "/..")))
        return -1;
    char full[4096];
    if (snprintf(full, sizeof full, "%s%s", srv->o.dir, path) >= (int)sizeof full)
        return -1;
    int fd = open(full, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) || !S_ISREG(st->st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Pick status and byte range from Range / If-Range; returns the status. */
static int choose_range(struct serve_server *srv, const struct serve_req *req, const char *etag,
                        time_t mtime, uint64_t size, struct serve_resp *r)
{
    r->body_off = 0;
    r->body_len = size;
    if (!req->has_range)
        return 200;
    if (srv->o.ignore_range && fault_armed(srv)) {
        srv->faults_used++;
        r->fault = "ignore-range";
        return 200;
    }
    if (req->has_if_range && !if_range_matches(req->if_range, etag, mtime))
        return 200;
    uint64_t first, last;
    int k = parse_range(req->range, size, &first, &last);
    if (k == 0)
        return 200;
    if (k < 0)
        return 416;
    r->body_off = first;
    r->body_len = last - first + 1;
    return 206;
}

/* Where in this response's body a fault given as "after N body bytes" and/or
 * "at the next listed file offset" bites: a body byte count, or -1 if it does
 * not. *from_list says the list offset won. A range starting at or past the
 * offset does not reach it. */
static int64_t fault_point(int64_t after, const struct serve_offsets *list,
                           const struct serve_resp *r, int *from_list)
{
    int64_t at = -1;
    *from_list = 0;
    if (r->head_only)
        return -1;
    if (after >= 0 && (uint64_t)after < r->body_len)
        at = after;
    if (list->next < list->n) {
        uint64_t off = list->at[list->next];
        if (r->body_off < off && off < r->body_off + r->body_len &&
            (at < 0 || (int64_t)(off - r->body_off) < at)) {
            at = (int64_t)(off - r->body_off);
            *from_list = 1;
        }
    }
    return at;
}

/* Arm cut / stall / lie-length for this response when they would bite. */
static uint64_t arm_faults(struct serve_server *srv, struct serve_resp *r)
{
    uint64_t announced = r->body_len;
    int cut_listed, stall_listed;
    int64_t cut = fault_point(srv->o.cut_after, &srv->o.cut_at, r, &cut_listed);
    int64_t stall = fault_point(srv->o.stall_after, &srv->o.stall_at, r, &stall_listed);
    int lie = srv->o.lie_length && !r->chunked;
    if ((cut < 0 && stall < 0 && !lie) || !fault_armed(srv))
        return announced;
    srv->faults_used++;
    if (stall >= 0 && (cut < 0 || stall < cut)) {
        r->stall_at = stall;
        r->fault = "stall";
        srv->o.stall_at.next += (size_t)stall_listed;
    } else if (cut >= 0) {
        r->cut_at = cut;
        r->fault = "cut";
        srv->o.cut_at.next += (size_t)cut_listed;
    }
    if (lie) {
        announced = r->body_len + 4096; /* promise more than we will send, then close */
        r->close = 1;
        if (cut < 0 && stall < 0)
            r->fault = "lie-length";
    }
    return announced;
}

/* If-None-Match: "*" or a list of entity tags, one of them ours (weak
 * comparison, RFC 9110 13.1.2: W/ prefixes ignored). */
static int none_match_hits(const char *v, const char *etag)
{
    if (!etag[0])
        return 0;
    if (!strcmp(v, "*"))
        return 1;
    size_t el = strlen(etag);
    for (const char *p = v; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        size_t n = strcspn(p, ",");
        while (n && p[n - 1] == ' ')
            n--;
        if (n == el && !memcmp(p, etag, el))
            return 1;
        p += strcspn(p, ",");
    }
    return 0;
}

static void file_response(struct serve_server *srv, const struct serve_req *req, int fd,
                          const struct stat *st, struct serve_resp *r)
{
    char etag[80], lm[64];
    make_etag(srv, fd, st, etag, sizeof etag);
    http_date(st->st_mtim.tv_sec, lm, sizeof lm);
    if (req->has_if_none_match && none_match_hits(req->if_none_match, etag)) {
        /* Not modified: the head only (ETag again), no body. */
        close(fd);
        r->status = 304;
        head_start(srv, r);
        head_add(r, "ETag: %s\r\n", etag);
        head_end(r);
        return;
    }
    int status = choose_range(srv, req, etag, st->st_mtim.tv_sec, (uint64_t)st->st_size, r);
    if (status == 416) {
        char cr[80];
        close(fd);
        snprintf(cr, sizeof cr, "Content-Range: bytes */%llu\r\n", (unsigned long long)st->st_size);
        small_response(srv, r, 416, cr);
        return;
    }
    r->status = status;
    r->fd = fd;
    r->chunked = srv->o.chunked;
    uint64_t announced = arm_faults(srv, r);
    head_start(srv, r);
    head_add(r, "Content-Type: %s\r\n", content_type(srv, req->target));
    if (r->chunked)
        head_add(r, "Transfer-Encoding: chunked\r\n");
    else
        head_add(r, "Content-Length: %llu\r\n", (unsigned long long)announced);
    if (status == 206)
        head_add(r, "Content-Range: bytes %llu-%llu/%llu\r\n", (unsigned long long)r->body_off,
                 (unsigned long long)(r->body_off + r->body_len - 1),
                 (unsigned long long)st->st_size);
    if (!srv->o.ignore_range)
        head_add(r, "Accept-Ranges: bytes\r\n");
    if (etag[0])
        head_add(r, "ETag: %s\r\n", etag);
    if (!srv->o.no_last_modified)
        head_add(r, "Last-Modified: %s\r\n", lm);
    head_end(r);
}

void serve_build_response(struct serve_server *srv, const struct serve_req *req,
                          struct serve_resp *r)
{
    resp_reset(r);
    r->close = req->close || req->content_length > 0; /* we never read request bodies */
    int head = !strcmp(req->method, "HEAD");
    if (!head && strcmp(req->method, "GET")) {
        small_response(srv, r, 405, NULL);
        return;
    }
    r->head_only = head;
    char location[4096];
    if (redirect_for(srv, req->target, location + 10, sizeof location - 12)) {
        memcpy(location, "Location: ", 10);
        strcat(location, "\r\n");
        r->fault = "redirect";
        small_response(srv, r, 302, location);
        return;
    }
    struct stat st;
    int fd = open_file(srv, req->target, &st);
    if (fd < 0) {
        small_response(srv, r, 404, NULL);
        return;
    }
    file_response(srv, req, fd, &st, r);
}
