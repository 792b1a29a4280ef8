/* otter serve: development HTTPS static file server with fault injection.
 * Shared between tools/cmd_serve.c (options, event loop), tools/serve_conn.c
 * (one connection's state machine) and tools/serve_http.c (requests and
 * response headers). Not for production: see README "Serving updates in
 * production". */
#ifndef OTTER_SERVE_H
#define OTTER_SERVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tlssrv.h"

#define SERVE_REQ_MAX 8192            /* request head limit (431 above) */
#define SERVE_BODY_CHUNK 16384        /* max body bytes per write (one TLS record) */
#define SERVE_OUT_MAX (SERVE_BODY_CHUNK + 64)
#define SERVE_HEAD_MAX 16384          /* response head incl. --header lines */
#define SERVE_MAX_HEADERS 16          /* --header options */
#define SERVE_MAX_CONNS 4096
#define SERVE_LINGER_MS 2000          /* drain after our FIN before close */
#define SERVE_WATCHDOG_S 20           /* a loop round or the clean-up longer: exit */

#define SERVE_MAX_OFFSETS 1024

/* A list of file offsets where a fault bites, each once, in order. */
struct serve_offsets {
    uint64_t at[SERVE_MAX_OFFSETS];
    size_t n;    /* entries */
    size_t next; /* the next one to use; n: all used */
};

enum serve_etag_mode { SERVE_ETAG_MTIME = 0, SERVE_ETAG_HASH, SERVE_ETAG_NONE };

struct serve_opts {
    const char *dir;
    unsigned port;
    const char *bind;
    const char *cert, *key, *self_signed_for, *cert_out;
    int plain;
    uint64_t throttle_bps;      /* bytes per second per connection, 0: off */
    int64_t cut_after;          /* body bytes, -1: off */
    int64_t stall_after;        /* body bytes, -1: off */
    struct serve_offsets cut_at;   /* file offsets to cut at, each once, in order */
    struct serve_offsets stall_at; /* file offsets to stall at, each once, in order */
    unsigned stall_ms;          /* how long a stalled connection is held */
    int lie_length;
    const char *redirect_url;   /* 302 target, NULL: off */
    const char *redirect_path;  /* only this path; NULL: every path */
    char redirect_path_buf[1024];
    int ignore_range;
    long fault_times;           /* faults applied at most this often, -1: always */
    long max_requests;          /* exit after this many responses, 0: never */
    const char *port_file;
    int quiet;
    int chunked;
    const char *content_type;   /* override for files, NULL: by extension */
    const char *headers[SERVE_MAX_HEADERS];
    int n_headers;
    int etag_mode;
    int no_last_modified;
    unsigned idle_ms;           /* keep-alive / handshake / send timeout */
    unsigned chunk_size;        /* body bytes per write / TLS record, 1..SERVE_BODY_CHUNK */
};

/* One parsed request head. */
struct serve_req {
    char method[16];
    char target[2048]; /* decoded path, starts with '/' */
    int minor;         /* HTTP/1.<minor> */
    int close;         /* Connection: close (or HTTP/1.0 without keep-alive) */
    int has_range;
    char range[256];
    int has_if_range;
    char if_range[256];
    int has_if_none_match;
    char if_none_match[256];
    long long content_length;
};

/* What a response carries: head bytes plus (optionally) a file range. */
struct serve_resp {
    int status;
    int fd;              /* file to send from, -1: none */
    uint64_t body_off;   /* first byte of the file to send */
    uint64_t body_len;   /* bytes to send (actual) */
    int head_only;       /* HEAD: send no body */
    int chunked;         /* frame body with Transfer-Encoding: chunked */
    int close;           /* close the connection after this response */
    int64_t cut_at;      /* cut after this many body bytes, -1: no */
    int64_t stall_at;    /* stall after this many body bytes, -1: no */
    const char *fault;   /* log marker, "" if none */
    const char *small_body; /* short text body for errors/redirects, or NULL */
    char head[SERVE_HEAD_MAX];
    size_t head_len;
};

struct etag_cache_entry {
    dev_t dev;
    ino_t ino;
    off_t size;
    int64_t mtime_ns;
    char etag[80];
};

struct serve_server;

enum serve_state { ST_HANDSHAKE, ST_READ, ST_SEND, ST_STALL, ST_LINGER, ST_CLOSED };

struct serve_conn {
    struct serve_server *srv;
    int fd;
    otter_tlssrv_conn_t *tls; /* NULL for plain HTTP */
    enum serve_state state;
    short want;          /* poll events while blocked */
    int64_t deadline;    /* monotonic ms: timeout of the current state */
    int64_t wake;        /* monotonic ms: throttle wake-up, 0: none */
    char peer[64];
    char req[SERVE_REQ_MAX];
    size_t req_len;
    /* current response */
    struct serve_resp resp;
    char log[2600];      /* "GET /path bytes=0-9 206", bytes appended at the end */
    int head_sent;
    uint64_t body_sent;  /* payload bytes sent */
    int body_done;       /* terminator (chunked) queued or not needed */
    int64_t body_start_ms;
    unsigned char out[SERVE_OUT_MAX];
    size_t out_len, out_off, out_payload;
};

struct serve_server {
    struct serve_opts o;
    int listen_fd;
    int sig_fd;
    unsigned port;
    otter_tlssrv_t *tls;  /* NULL with --plain */
    struct serve_conn *conns[SERVE_MAX_CONNS];
    size_t nconns;
    long requests_done;
    long faults_used;
    int draining;        /* --max-requests reached: finish and exit */
    struct etag_cache_entry etags[16];
    unsigned etag_next;
};

/* serve_conn.c */
/* Monotonic milliseconds. */
int64_t serve_now_ms(void);

/* serve_http.c */
/* Parse one request head (ending with an empty line) of len bytes. Returns 0
 * or the HTTP status to answer with (400, 414, 505). */
int serve_parse_request(const char *buf, size_t len, struct serve_req *req);
/* Decide the response to req and fill resp (opens the file if any). */
void serve_build_response(struct serve_server *srv, const struct serve_req *req,
                          struct serve_resp *resp);
/* An error response without a file (400, 405, 431, ...). */
void serve_build_error(struct serve_server *srv, int status, int close, struct serve_resp *resp);

/* serve_conn.c */
/* Accepted socket fd (non-blocking): a new connection or NULL. */
struct serve_conn *serve_conn_new(struct serve_server *srv, int fd, const char *peer);
/* Run the connection until it would block. */
void serve_conn_step(struct serve_conn *c);
/* Mark closed (logged as aborted if a response was under way). */
void serve_conn_abort(struct serve_conn *c);
/* Close (abruptly) and free. */
void serve_conn_free(struct serve_conn *c);

#endif
