/* Test support: an HTTP/1.1 file server living inside an otter_transport_t.
 * Needs only the C library (string functions, strtol, strncasecmp,
 * snprintf; newlib and picolibc have them): no POSIX calls, no files.
 *
 * Each connect() opens a fresh "connection"; write() collects the request;
 * once the request head is complete the response (status line, headers,
 * body) is produced from the file in memory, honouring Range and If-Range
 * like nginx does. Faults for the update engine's tests: cut the connection
 * after N response body bytes (counted from the start of the file, so "cut
 * at file offset X"), stall instead of cutting, switch the file (new ETag)
 * after N requests, lie about the content type or status, ignore Range.
 * Reads hand out at most `chunk` bytes at a time. No threads, no sockets. */
#ifndef OTTER_TEST_MEMSERVER_H
#define OTTER_TEST_MEMSERVER_H

#include <stddef.h>
#include <stdint.h>

#include "otter/transport.h"

typedef struct memserver {
    /* the file served at any path */
    const uint8_t *file;
    size_t file_len;
    char etag[64];
    const char *content_type; /* default application/octet-stream */
    int status_override;      /* non-zero: answer every request with this status, empty body */

    /* faults */
    long cut_at;      /* >= 0: close after sending the body byte at this file offset - 1 (one shot) */
    long stall_at;    /* >= 0: like cut_at but reads time out instead (one shot) */
    int ignore_range; /* answer 200 with the whole file to Range requests */
    int switch_after; /* > 0: after this many requests serve file2 (new ETag) */
    const uint8_t *file2;
    size_t file2_len;
    int refuse_connects; /* > 0: that many connect() calls fail with refuse_err */
    int refuse_err;      /* what a refused connect() returns (0: OTTER_ERR_CONNECT), e.g.
                          * OTTER_ERR_TLS_TRUST for a server that cannot be trusted */
    size_t chunk;        /* max bytes per read (default 1460) */
    size_t lie_extra;    /* a 200 announces this many bytes more than the file, sends the file, closes */
    int lie_times;       /* responses that lie (-1: all) */
    int no_length;       /* 1: a 200 has no Content-Length, its body ends when the connection closes */
    uint64_t *clock_ms;  /* when set, advanced by ms_per_read on every body read (a drip) */
    uint32_t ms_per_read;
    /* More files by path (memserver_route()); other paths get `file`. A
     * routed file's ETag is "\"r<hash>-<len>\"" of its bytes, so new
     * content at a path gets a new ETag. A GET whose If-None-Match equals
     * the ETag is answered 304 with no body (any file). */
    struct {
        const char *path;
        const uint8_t *file;
        size_t len;
    } route[4];
    int n_routes;

    /* statistics */
    int requests;
    int connects;
    int reads; /* read() calls, answered or not */
    uint64_t body_bytes_sent;
    long last_range_from; /* -1 when the last request had no Range */
    char last_if_range[64];
    int not_modified;        /* 304 answers */
    uint64_t head_bytes_sent; /* response head bytes, all responses */
    char last_path[128];     /* request target of the last request */

    /* connection state (private) */
    int open;
    int stalled;
    char req[2048];
    size_t req_len;
    uint8_t head[512];
    size_t head_len, head_off;
    int close_at_end; /* this response ends by closing the connection */
    const uint8_t *body;
    size_t body_off, body_end; /* file offsets */
} memserver_t;

/* Reset srv to serve file (ETag "\"v1-<len>\""), no faults, chunk 1460. */
void memserver_init(memserver_t *srv, const uint8_t *file, size_t len);

/* Serve file (len bytes, caller-owned, kept) at path ("/fleet/index");
 * a path already routed gets the new file. At most 4 paths. */
void memserver_route(memserver_t *srv, const char *path, const uint8_t *file, size_t len);

/* A transport bound to srv. */
otter_transport_t memserver_transport(memserver_t *srv);

#endif
