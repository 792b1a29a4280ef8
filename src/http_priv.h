/* otter HTTP client: internals shared by http.c (requests, connections,
 * body) and http_parse.c (byte-at-a-time response head and chunk parsers). */
#ifndef OTTER_HTTP_PRIV_H
#define OTTER_HTTP_PRIV_H

#include "otter/http.h"

/* Head parser states (h->hstate). */
enum {
    HS_STATUS = 0, /* in "HTTP/1.x SSS", position h->status_pos */
    HS_REASON,     /* reason phrase */
    HS_STATUS_CR,  /* CR ended the status line, LF expected */
    HS_LINE_START, /* start of a header line or of the empty line */
    HS_NAME,       /* header name */
    HS_VALUE_LWS,  /* whitespace before the value */
    HS_VALUE,      /* value bytes */
    HS_VALUE_CR,   /* CR ended the value, LF expected */
    HS_SKIP,       /* rest of a folded continuation line */
    HS_END_CR,     /* CR of the empty line, LF expected */
    HS_DONE,
};

/* Which kept header the current line carries (h->hfield). */
enum {
    HF_NONE = 0,
    HF_CONTENT_LENGTH,
    HF_TRANSFER_ENCODING,
    HF_CONTENT_RANGE,
    HF_CONNECTION,
    HF_ETAG,
    HF_LAST_MODIFIED,
    HF_CONTENT_TYPE,
    HF_LOCATION,
};

/* Chunked body parser states (h->cstate). */
enum {
    CS_SIZE0 = 0,    /* first hex digit of a chunk size */
    CS_SIZE,         /* more hex digits */
    CS_EXT,          /* chunk extension or whitespace, skipped */
    CS_SIZE_CR,      /* CR after the size line, LF expected */
    CS_DATA,         /* h->remaining data bytes of this chunk */
    CS_DATA_CR,      /* CRLF after the data */
    CS_DATA_LF,
    CS_TRAILER,      /* start of a trailer line or of the final empty line */
    CS_TRAILER_LINE, /* a trailer line, skipped */
    CS_LAST_LF,      /* CR of the final empty line, LF expected */
    CS_DONE,
};

/* Body framing (h->bmode). */
enum {
    BM_NONE = 0, /* no body (HEAD, 204, 304) */
    BM_LENGTH,   /* Content-Length */
    BM_CHUNKED,
    BM_CLOSE,    /* until the server closes */
};

/* Reset the head parser and response fields for a new response head. */
void otter_http_head_reset(otter_http_t *h);

/* Feed n response bytes to the head parser. Sets *used to the bytes
 * consumed. Returns 0 (need more), 1 (head complete: *used ends just after
 * it) or a negative error (_HTTP_STATUS_LINE, _HTTP_PROTOCOL,
 * _HTTP_HEADER_TOO_LARGE, _HTTP_HEAD_TOO_LONG). */
int otter_http_head_feed(otter_http_t *h, const uint8_t *p, size_t n, size_t *used);

/* Decode chunked body bytes in[0..n) into out[0..cap) (out may equal in:
 * the write position never passes the read position). Sets *used to the
 * input bytes consumed. Returns the data bytes written or
 * OTTER_ERR_HTTP_CHUNK. Stops at the end of the body (cstate CS_DONE). */
int otter_http_chunk_feed(otter_http_t *h, const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *used);

/* ASCII case-insensitive comparison of a (alen bytes) with NUL-terminated b. */
int otter_http_ci_equal(const char *a, size_t alen, const char *b);

#endif
