/* otter: a bounded-memory, streaming HTTP/1.1 client (GET and HEAD).
 *
 * Memory: the context (otter_http_t, caller-owned, a few hundred bytes plus
 * OTTER_HTTP_URL_MAX) and one caller-provided work buffer (512 bytes to a few
 * KB) that carries the request going out and the raw response head coming in.
 * Requests are written in pieces, so a URL longer than the buffer works.
 * Response headers are parsed byte by byte as they arrive: otter keeps the
 * ones it needs in fixed fields of the context (status, Content-Length,
 * Transfer-Encoding, Content-Range, ETag, Last-Modified, Location,
 * Content-Type, Connection) and skips all others whatever their length. A
 * needed header whose value does not fit its field gives
 * OTTER_ERR_HTTP_HEADER_TOO_LARGE.
 *
 * Transports: plain TCP for http:// and TLS (itself a transport layered on
 * TCP, whose connect(host, port) also does the handshake with SNI = host) for
 * https://. The client never sees TLS directly.
 *
 * Watchdog-friendly use: otter_http_begin() prepares a request without I/O;
 * each otter_http_step() does at most one transport operation (connect,
 * write or read) until the response head is in; each otter_http_read() does
 * at most one transport read. otter_http_get() is begin + step loop.
 *
 * Error codes (negative otter_err_t) used here: OTTER_ERR_INVAL, _STATE,
 * _URL, _HTTP_URL_TOO_LONG, _HTTP_REDIRECT_TOO_LONG, transport codes (_DNS, _CONNECT, _TIMEOUT, _CLOSED,
 * _NET_IO, TLS codes from the TLS transport), _HTTP_STATUS_LINE,
 * _HTTP_HEADER_TOO_LARGE, _HTTP_HEAD_TOO_LONG, _HTTP_PROTOCOL,
 * _HTTP_TOO_MANY_REDIRECTS, _HTTP_DOWNGRADE, _HTTP_STATUS (status kept in the
 * detail), _HTTP_RANGE_IGNORED, _HTTP_RESOURCE_CHANGED, _HTTP_CLOSED_EARLY,
 * _HTTP_BODY_TOO_LONG, _HTTP_CHUNK, _HTTP_DEADLINE, _HTTP_AGAIN (read only),
 * _UNSUPPORTED (no transport for the scheme). */
#ifndef OTTER_HTTP_H
#define OTTER_HTTP_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otter/clock.h"
#include "otter/config.h"
#include "otter/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest URL otter can follow, including the NUL: the size of the URL
 * field in otter_http_t. The Location of a redirect is stored after the
 * current URL in the same field, so current URL + Location + 2 bytes must
 * fit. 256 keeps the engine within a device's RAM budget and holds a
 * typical update URL and a same-site redirect. Redirect targets can be
 * long (GitHub release downloads redirect to ~700-900-byte signed URLs on
 * another host): a device that follows those needs 2048. A Location that
 * does not fit fails the request with OTTER_ERR_HTTP_REDIRECT_TOO_LONG
 * (nothing is truncated or followed); a URL given to begin() that does not
 * fit gives OTTER_ERR_HTTP_URL_TOO_LONG. Set it with
 * -DOTTER_HTTP_URL_MAX=2048 or in OTTER_CONFIG_FILE (CMake:
 * -DOTTER_HTTP_URL_MAX=2048; ESP-IDF: CONFIG_OTTER_HTTP_URL_MAX). */
#ifndef OTTER_HTTP_URL_MAX
#define OTTER_HTTP_URL_MAX 256
#endif
/* Longest host name kept (DNS allows 253), including the NUL. */
#ifndef OTTER_HTTP_HOST_MAX
#define OTTER_HTTP_HOST_MAX 256
#endif
/* ETag field size, including the quotes and the NUL. */
#ifndef OTTER_HTTP_ETAG_MAX
#define OTTER_HTTP_ETAG_MAX 128
#endif
/* Last-Modified field size ("Sun, 06 Nov 1994 08:49:37 GMT" is 29). */
#ifndef OTTER_HTTP_DATE_MAX
#define OTTER_HTTP_DATE_MAX 40
#endif
/* Content-Type field size. */
#ifndef OTTER_HTTP_CTYPE_MAX
#define OTTER_HTTP_CTYPE_MAX 64
#endif
/* Field for short headers parsed at the end of their line (Content-Length,
 * Transfer-Encoding, Content-Range, Connection). */
#ifndef OTTER_HTTP_SCRATCH_MAX
#define OTTER_HTTP_SCRATCH_MAX 64
#endif
/* Upper bound on the bytes of one response head (status line + headers),
 * however they are split: more gives OTTER_ERR_HTTP_HEAD_TOO_LONG. The same
 * bound applies to the chunk framing between two chunks' data (size line,
 * extensions, trailers): more gives OTTER_ERR_HTTP_CHUNK. */
#ifndef OTTER_HTTP_HEAD_MAX
#define OTTER_HTTP_HEAD_MAX 65536u
#endif
/* A redirect response's body up to this size is read and dropped so that the
 * connection can be reused; a larger one closes the connection instead. */
#ifndef OTTER_HTTP_DRAIN_MAX
#define OTTER_HTTP_DRAIN_MAX 16384u
#endif
/* Default hop limit for redirects. */
#ifndef OTTER_HTTP_MAX_REDIRECTS
#define OTTER_HTTP_MAX_REDIRECTS 5
#endif

/* otter_http_step() returns this while the response head is not complete. */
#define OTTER_HTTP_PENDING 1

/* Where the client is; kept in the detail record. */
typedef enum otter_http_phase {
    OTTER_HTTP_PHASE_IDLE = 0, /* no request */
    OTTER_HTTP_PHASE_CONNECT,  /* opening the transport (TCP/TLS) */
    OTTER_HTTP_PHASE_SEND,     /* writing the request */
    OTTER_HTTP_PHASE_HEAD,     /* reading the status line and headers */
    OTTER_HTTP_PHASE_REDIRECT, /* reading and dropping a redirect's body */
    OTTER_HTTP_PHASE_BODY,     /* head in, body being read */
    OTTER_HTTP_PHASE_DONE,     /* body complete */
} otter_http_phase_t;

/* Events reported to the optional callback. */
typedef enum otter_http_event_type {
    OTTER_HTTP_EV_CONNECT,  /* opening a new connection to host:port */
    OTTER_HTTP_EV_REUSE,    /* sending on a kept-alive connection to host:port */
    OTTER_HTTP_EV_RETRY,    /* kept-alive connection was dead; reconnecting */
    OTTER_HTTP_EV_REDIRECT, /* following a redirect: status, hop, new url */
    OTTER_HTTP_EV_HEAD,     /* final response head received: status */
} otter_http_event_type_t;

/* One event. Pointers are valid only during the callback. */
typedef struct otter_http_event {
    otter_http_event_type_t type;
    uint16_t status;  /* REDIRECT, HEAD */
    uint8_t hop;      /* REDIRECT: 1 for the first redirect followed */
    uint16_t port;    /* CONNECT, REUSE, RETRY */
    const char *host; /* CONNECT, REUSE, RETRY */
    const char *url;  /* REDIRECT: the absolute URL being followed */
} otter_http_event_t;

/* Client configuration. Copied by otter_http_init(); the transports and
 * clock it points to are caller-owned and must outlive the context. */
typedef struct otter_http_config {
    /* Transport for http:// URLs (plain TCP); NULL refuses http://. */
    const otter_transport_t *tcp;
    /* Transport for https:// URLs (TLS layered on TCP); NULL refuses https://. */
    const otter_transport_t *tls;
    /* Monotonic clock for the overall deadline; required only when
     * overall_timeout_ms is non-zero. */
    const otter_clock_t *clock;
    uint32_t connect_timeout_ms; /* per connect (incl. TLS handshake); 0: 10 s */
    uint32_t read_timeout_ms;    /* per read or write: a stall longer fails; 0: 10 s */
    uint32_t overall_timeout_ms; /* request start to end of body, over all
                                    redirects; 0: no overall deadline */
    uint8_t max_redirects;       /* 0: OTTER_HTTP_MAX_REDIRECTS; 255: none followed */
    const char *user_agent;      /* NULL: "otter/0.1" */
    void (*on_event)(void *arg, const otter_http_event_t *ev); /* may be NULL */
    void *event_arg;
} otter_http_config_t;

/* One request. Strings are caller-owned and must stay valid until the head
 * is received (otter_http_step() returned 0 or an error). */
typedef struct otter_http_request {
    const char *url;         /* absolute http(s) URL, NUL-terminated */
    bool head;               /* HEAD instead of GET */
    uint64_t range_start;    /* first byte wanted; 0 with range_len 0: no Range */
    uint64_t range_len;      /* bytes wanted from range_start; 0: to the end */
    const char *if_range;    /* ETag or Last-Modified for If-Range; NULL: none */
    uint64_t expected_total; /* for range_start > 0: the full size the caller
                                saw before; a different Content-Range total is
                                OTTER_ERR_HTTP_RESOURCE_CHANGED; 0: unchecked */
    const char *basic_auth;  /* "user:password" sent as Authorization: Basic
                                to the URL's scheme, host and port only (not
                                to other hosts a redirect leads to, as curl);
                                NULL: the URL's user:password@ if any (without
                                %-escapes: those give OTTER_ERR_UNSUPPORTED) */
    const char *if_none_match; /* ETag for If-None-Match (a conditional GET:
                                  the server answers 304, no body, when the
                                  file is unchanged; the request then ends
                                  with OTTER_ERR_HTTP_STATUS and status 304
                                  in the detail); NULL: none */
} otter_http_request_t;

/* What the final response said. Valid after the head was received until the
 * next request. Strings are NUL-terminated, "" when absent. */
typedef struct otter_http_response {
    uint16_t status;          /* e.g. 200, 206 */
    uint8_t http_minor;       /* 0 for HTTP/1.0, 1 for HTTP/1.1 */
    bool has_length;          /* Content-Length was given (and is used) */
    bool chunked;             /* Transfer-Encoding: chunked */
    bool keep_alive;          /* the connection may be reused afterwards */
    bool has_range;           /* a valid Content-Range was given */
    uint64_t content_length;  /* body bytes announced (if has_length) */
    uint64_t range_first;     /* Content-Range: bytes first-last/total */
    uint64_t range_last;
    uint64_t range_total;     /* UINT64_MAX for "/\*" (unknown) */
    char etag[OTTER_HTTP_ETAG_MAX];
    char last_modified[OTTER_HTTP_DATE_MAX];
    char content_type[OTTER_HTTP_CTYPE_MAX];
} otter_http_response_t;

/* Detail record for diagnostics: where the last request stands or failed. */
typedef struct otter_http_detail {
    otter_http_phase_t phase;   /* phase reached (or failed in) */
    int last_error;             /* last error returned, 0 if none */
    uint16_t status;            /* last status received, 0 if none */
    uint16_t port;              /* port of host */
    uint8_t redirects;          /* redirect hops followed for this request */
    uint32_t url_need;          /* OTTER_ERR_HTTP_REDIRECT_TOO_LONG: bytes the current URL and
                                   the Location needed at least (the limit is OTTER_HTTP_URL_MAX) */
    uint64_t body_bytes;        /* body bytes returned to the caller so far */
    char host[OTTER_HTTP_HOST_MAX]; /* host contacted last */
} otter_http_detail_t;

/* The client context. Caller-owned; treat the fields not documented above as
 * private. */
typedef struct otter_http {
    otter_http_config_t cfg;
    uint8_t *buf; /* caller's work buffer */
    size_t buf_len;
    size_t buf_pos, buf_end; /* unparsed received bytes are buf[buf_pos..buf_end) */
    otter_http_detail_t detail;
    otter_http_response_t resp;
    /* request */
    const otter_http_request_t *req_src;
    bool head_method;
    uint64_t range_start, range_len, expected_total;
    const char *if_range;
    const char *if_none_match;
    const char *auth;     /* credentials (caller's string), auth_len bytes */
    size_t auth_len;
    const char *origin_host; /* the original URL's host, in the caller's string */
    size_t origin_host_len;
    uint16_t origin_port;
    uint8_t origin_scheme;
    uint64_t deadline_ms; /* 0: none */
    size_t req_sent;      /* request bytes written so far */
    /* connection */
    const otter_transport_t *conn; /* open transport, NULL if none */
    bool conn_reusable;
    bool conn_reused; /* current request went out on a kept-alive connection */
    bool retried;
    uint8_t state;
    /* head parser */
    uint8_t hstate;
    uint8_t hfield;       /* which needed header the current line carries */
    uint8_t name_len;
    bool prev_needed;     /* the previous header line was a kept one */
    bool conn_close;      /* Connection: close seen */
    bool conn_keep;       /* Connection: keep-alive seen */
    bool te_seen;
    uint16_t status_pos;
    size_t head_bytes;
    size_t val_len;
    char name[20];
    char scratch[OTTER_HTTP_SCRATCH_MAX];
    size_t loc_off, loc_len; /* Location value, stored in url[] after the URL */
    bool loc_seen;
    /* body */
    uint64_t remaining;   /* Content-Length bytes or current chunk bytes left */
    uint64_t drained;
    uint8_t bmode;        /* body framing */
    bool body_done;
    uint8_t cstate;       /* chunked parser state */
    uint8_t chunk_digits;
    char url[OTTER_HTTP_URL_MAX]; /* current absolute URL */
} otter_http_t;

/* Prepare h with cfg (copied) and the work buffer buf[0..buf_len) (caller-
 * owned, must outlive h; at least 64 bytes, 512 to 2048 recommended: it
 * bounds the bytes per transport read of the head). Cannot fail; a NULL or
 * too small buffer makes every request fail with OTTER_ERR_INVAL. */
void otter_http_init(otter_http_t *h, const otter_http_config_t *cfg, uint8_t *buf, size_t buf_len);

/* Start a request: validates and copies the URL, arms the overall deadline.
 * No I/O. If a previous response's body was not read to the end, its
 * connection is closed. Returns 0, OTTER_ERR_INVAL (NULL, bad if_range or
 * basic_auth with CR/LF, range_len with range_start overflow), OTTER_ERR_URL,
 * OTTER_ERR_HTTP_URL_TOO_LONG, OTTER_ERR_UNSUPPORTED (no transport for the
 * scheme; %-escaped credentials in the URL). */
int otter_http_begin(otter_http_t *h, const otter_http_request_t *req);

/* Advance the request by at most one transport operation. Returns
 * OTTER_HTTP_PENDING (call again), 0 when the final response head is in
 * (after redirects; status 2xx and, for a resumed request, a Content-Range
 * that matches), or a negative error; after an error the connection is
 * closed. Non-2xx final statuses give OTTER_ERR_HTTP_STATUS with the status
 * in h->detail.status and h->resp. Resume rules (range_start > 0): a 206 must
 * carry Content-Range starting at range_start (else _HTTP_RANGE_IGNORED),
 * with total == expected_total when given and the same ETag when if_range was
 * an ETag (else _HTTP_RESOURCE_CHANGED); a 200 is _HTTP_RESOURCE_CHANGED if
 * If-Range was sent (the validator did not match), else _HTTP_RANGE_IGNORED. */
int otter_http_step(otter_http_t *h);

/* begin + step until done: returns 0 or a negative error as above. */
int otter_http_request(otter_http_t *h, const otter_http_request_t *req);

/* Convenience: GET url, from range_start (0: whole file) with If-Range
 * if_range (NULL: none). Same returns as otter_http_request(). */
int otter_http_get(otter_http_t *h, const char *url, uint64_t range_start, const char *if_range);

/* Read body bytes into buf[0..len), with at most one transport read.
 * Returns the number of bytes (> 0), 0 at the end of the body (the
 * connection is then kept for reuse when allowed), or a negative error:
 * OTTER_ERR_HTTP_AGAIN (only chunk framing arrived in this call: call again;
 * not sticky), _HTTP_CLOSED_EARLY, _HTTP_BODY_TOO_LONG (bytes beyond the
 * announced end arrived together with the last body bytes; ones that arrive
 * later make the next request on the kept-alive connection fail with
 * _HTTP_BODY_TOO_LONG in phase HEAD, as its response then does not start
 * with "HTTP/1."), _HTTP_CHUNK, _TIMEOUT (stall), _HTTP_DEADLINE, _NET_IO and
 * TLS codes, _STATE (no response head). A read asks the transport for up to
 * len bytes even near the end of a Content-Length body, which is how extra
 * bytes are seen. When an error and body bytes arrive in the same read, the
 * error is returned and those bytes are dropped. Errors are sticky until the
 * next request; the connection is closed. */
int otter_http_read(otter_http_t *h, uint8_t *buf, size_t len);

/* The final response of the last request (valid after step returned 0). */
const otter_http_response_t *otter_http_response(const otter_http_t *h);

/* The detail record (always valid). */
const otter_http_detail_t *otter_http_detail(const otter_http_t *h);

/* One sentence for a log or a user about err (a result of this client's
 * calls; 0 for success), from the detail record: what failed, where (host,
 * port, phase, bytes so far) and, where there is one, what to do. E.g.
 * "the server 'h' closed the connection after 700 of 5000 body bytes; the
 * download can resume from byte 700". Writes at most cap bytes including the
 * NUL (truncated if needed; cap 0 writes nothing). Returns the length the
 * full sentence has (like snprintf). */
size_t otter_http_explain(const otter_http_t *h, int err, char *out, size_t cap);

/* Close the connection (if any). The context stays usable. */
void otter_http_close(otter_http_t *h);

/* Close the connection; safe on any initialised context. */
void otter_http_free(otter_http_t *h);

#ifdef __cplusplus
}
#endif

#endif
