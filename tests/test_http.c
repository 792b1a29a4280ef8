/* HTTP client against the scripted transport: every response is replayed
 * with the transport delivering 1, 2, 3, 7 bytes per read and all at once,
 * through work buffers of 64, 100 and 1024 bytes and caller reads of 1, 5
 * and 4096 bytes, so every parser state sees input split at every position.
 * Requests are checked byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otter/error.h"
#include "otter/http.h"
#include "script_transport.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* One fetch of url over a script; body collected into body[]. */
typedef struct run {
    otter_script_transport_t sc;
    otter_transport_t t;
    otter_fake_clock_t fc;
    otter_clock_t clk;
    otter_http_config_t cfg;
    otter_http_t h;
    uint8_t buf[4096];
    uint8_t log[8192];
    uint8_t body[70000];
    size_t body_len;
    int head_ret, read_ret;
    int agains;
} run_t;

static run_t *run_new(const otter_script_step_t *steps, size_t n, size_t max_read, size_t buf_len)
{
    run_t *r = calloc(1, sizeof *r);
    assert_non_null(r);
    otter_script_init(&r->sc, steps, n, &r->t);
    r->sc.max_read = max_read;
    r->sc.log = r->log;
    r->sc.log_cap = sizeof r->log;
    otter_fake_clock_init(&r->fc, &r->clk);
    r->sc.clock = &r->fc;
    r->cfg.tcp = &r->t;
    r->cfg.tls = &r->t;
    r->cfg.clock = &r->clk;
    otter_http_init(&r->h, &r->cfg, r->buf, buf_len);
    return r;
}

/* Re-init after changing r->cfg. */
static void run_config(run_t *r, size_t buf_len)
{
    otter_http_init(&r->h, &r->cfg, r->buf, buf_len);
}

static void run_body(run_t *r, size_t read_len)
{
    r->body_len = 0;
    r->read_ret = r->head_ret;
    if (r->head_ret != 0)
        return;
    for (;;) {
        size_t want = read_len;
        if (want > sizeof r->body - r->body_len)
            want = sizeof r->body - r->body_len;
        assert_true(want > 0);
        int n = otter_http_read(&r->h, r->body + r->body_len, want);
        if (n == OTTER_ERR_HTTP_AGAIN) {
            r->agains++;
            continue;
        }
        if (n <= 0) {
            r->read_ret = n;
            return;
        }
        assert_true((size_t)n <= want);
        r->body_len += (size_t)n;
    }
}

static void run_req(run_t *r, const otter_http_request_t *req, size_t read_len)
{
    r->head_ret = otter_http_request(&r->h, req);
    run_body(r, read_len);
}

static void run_get(run_t *r, const char *url, size_t read_len)
{
    otter_http_request_t req;
    memset(&req, 0, sizeof req);
    req.url = url;
    run_req(r, &req, read_len);
}

/* --- table of single responses ----------------------------------------- */

typedef struct resp_case {
    const char *name;
    const char *wire; /* what the server sends, then it closes */
    int head_ret;     /* otter_http_request() result */
    int read_ret;     /* last otter_http_read() result */
    const char *body; /* body delivered before read_ret (NULL: don't check) */
    uint16_t status;
    bool whole_only;  /* outcome depends on the bytes arriving together */
} resp_case_t;

static const resp_case_t resp_cases[] = {
    {"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: \"abc\"\r\n\r\nhello", 0, 0, "hello", 200, 0},
    {"zero length", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, 0, "", 200, 0},
    {"bare LF", "HTTP/1.1 200 OK\nContent-Length: 2\n\nhi", 0, 0, "hi", 200, 0},
    {"no reason", "HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nx", 0, 0, "x", 200, 0},
    {"value whitespace", "HTTP/1.1 200 OK\r\nContent-Length:\t  3 \t\r\n\r\nabc", 0, 0, "abc", 200, 0},
    {"chunked",
     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nh\r\n3;ext=1\r\nell\r\nA \r\n0123456789\r\n"
     "0\r\nX-Trailer: x\r\n\r\n",
     0, 0, "hell0123456789", 200, 0},
    {"chunked upper hex, LF only", "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\nb\nhello world\n0\n\n", 0, 0,
     "hello world", 200, 0},
    {"chunked + length", "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
     0, 0, "ok", 200, 0},
    {"until close", "HTTP/1.0 200 OK\r\n\r\nabc", 0, 0, "abc", 200, 0},
    {"closed early", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0, OTTER_ERR_HTTP_CLOSED_EARLY, "abc", 200, 0},
    {"chunked closed early", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", 0,
     OTTER_ERR_HTTP_CLOSED_EARLY, "ab", 200, 0},
    {"body too long", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef", 0, OTTER_ERR_HTTP_BODY_TOO_LONG, NULL, 200,
     1},
    {"bytes after chunked end", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\nXYZ", 0,
     OTTER_ERR_HTTP_BODY_TOO_LONG, NULL, 200, 1},
    {"HTTP/2", "HTTP/2 200 OK\r\n\r\n", OTTER_ERR_HTTP_STATUS_LINE, 0, NULL, 0, 0},
    {"short status", "HTTP/1.1 20 OK\r\n\r\n", OTTER_ERR_HTTP_STATUS_LINE, 0, NULL, 0, 0},
    {"status 099", "HTTP/1.1 099 OK\r\n\r\n", OTTER_ERR_HTTP_STATUS_LINE, 0, NULL, 0, 0},
    {"status glued", "HTTP/1.1 200OK\r\n\r\n", OTTER_ERR_HTTP_STATUS_LINE, 0, NULL, 200, 0},
    {"not http", "SSH-2.0-OpenSSH_9.2\r\n", OTTER_ERR_HTTP_STATUS_LINE, 0, NULL, 0, 0},
    {"html", "<html><body>hello</body></html>", OTTER_ERR_HTTP_STATUS_LINE, 0, NULL, 0, 0},
    {"CR without LF", "HTTP/1.1 200 OK\rX", OTTER_ERR_HTTP_STATUS_LINE, 0, NULL, 200, 0},
    {"space before colon", "HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\nx", OTTER_ERR_HTTP_PROTOCOL, 0, NULL, 200, 0},
    {"line without colon", "HTTP/1.1 200 OK\r\nContent-Length\r\n\r\nx", OTTER_ERR_HTTP_PROTOCOL, 0, NULL, 200, 0},
    {"bad length", "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n", OTTER_ERR_HTTP_PROTOCOL, 0, NULL, 200, 0},
    {"empty length", "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", OTTER_ERR_HTTP_PROTOCOL, 0, NULL, 200, 0},
    {"huge length", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", OTTER_ERR_HTTP_PROTOCOL, 0,
     NULL, 200, 0},
    {"two lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx", OTTER_ERR_HTTP_PROTOCOL, 0,
     NULL, 200, 0},
    {"same length twice", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nxx", 0, 0, "xx", 200, 0},
    {"gzip coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", OTTER_ERR_HTTP_PROTOCOL, 0, NULL,
     200, 0},
    {"CR in value", "HTTP/1.1 200 OK\r\nETag: \"a\"\rX\r\n\r\n", OTTER_ERR_HTTP_PROTOCOL, 0, NULL, 200, 0},
    {"control char in kept value", "HTTP/1.1 200 OK\r\nETag: \"a\x01\"\r\n\r\n", OTTER_ERR_HTTP_PROTOCOL, 0, NULL, 200,
     0},
    {"bad byte at line start", "HTTP/1.1 200 OK\r\n:x\r\n\r\n", OTTER_ERR_HTTP_PROTOCOL, 0, NULL, 200, 0},
    {"end CR without LF", "HTTP/1.1 200 OK\r\n\rX", OTTER_ERR_HTTP_PROTOCOL, 0, NULL, 200, 0},
    {"folded unneeded header", "HTTP/1.1 200 OK\r\nX-A: 1\r\n  more\r\nContent-Length: 1\r\n\r\nz", 0, 0, "z", 200, 0},
    {"folded needed header", "HTTP/1.1 200 OK\r\nETag: \"a\"\r\n  \"b\"\r\n\r\n", OTTER_ERR_HTTP_PROTOCOL, 0, NULL, 200,
     0},
    {"etag too long",
     "HTTP/1.1 200 OK\r\nETag: \"0123456789012345678901234567890123456789012345678901234567890123456789012345678901"
     "234567890123456789012345678901234567890123456789\"\r\n\r\n",
     OTTER_ERR_HTTP_HEADER_TOO_LARGE, 0, NULL, 200, 0},
    {"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, OTTER_ERR_HTTP_CHUNK, "", 200,
     0},
    {"chunk without CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nhX\r\n0\r\n\r\n", 0,
     OTTER_ERR_HTTP_CHUNK, NULL, 200, 0},
    {"chunk size overflow", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", 0,
     OTTER_ERR_HTTP_CHUNK, "", 200, 0},
    {"empty chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", 0, OTTER_ERR_HTTP_CHUNK, "", 200,
     0},
    {"chunk size CR junk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\rx", 0, OTTER_ERR_HTTP_CHUNK, "",
     200, 0},
    {"chunk data CR junk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\rx", 0, OTTER_ERR_HTTP_CHUNK,
     NULL, 200, 0},
    {"last chunk CR junk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\rx", 0, OTTER_ERR_HTTP_CHUNK, "",
     200, 0},
    {"404", "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found", OTTER_ERR_HTTP_STATUS, 0, NULL, 404, 0},
    {"500", "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", OTTER_ERR_HTTP_STATUS, 0, NULL, 500, 0},
    {"redirect without location", "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n", OTTER_ERR_HTTP_STATUS, 0, NULL,
     302, 0},
    {"204", "HTTP/1.1 204 No Content\r\n\r\n", 0, 0, "", 204, 0},
    {"100 continue", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 0, 0, "ok", 200, 0},
    {"101", "HTTP/1.1 101 Switching Protocols\r\n\r\n", OTTER_ERR_HTTP_PROTOCOL, 0, NULL, 101, 0},
    {"206 unasked", "HTTP/1.1 206 Partial\r\nContent-Range: bytes 0-0/1\r\nContent-Length: 1\r\n\r\nx",
     OTTER_ERR_HTTP_PROTOCOL, 0, NULL, 206, 0},
    {"closed in head", "HTTP/1.1 200 OK\r\nContent-Le", OTTER_ERR_CLOSED, 0, NULL, 200, 0},
    {"closed before anything", "", OTTER_ERR_CLOSED, 0, NULL, 0, 0},
};

static void check_resp_case(const resp_case_t *c, size_t max_read, size_t buf_len, size_t read_len)
{
    otter_script_step_t steps[] = {SCRIPT_ACCEPT(), SCRIPT_BYTES(c->wire, strlen(c->wire))};
    run_t *r = run_new(steps, ARRAY_LEN(steps), max_read, buf_len);
    run_get(r, "http://h.test/f", read_len);
    const otter_http_detail_t *d = otter_http_detail(&r->h);
    if (r->head_ret != c->head_ret || (c->head_ret == 0 && r->read_ret != c->read_ret) || d->status != c->status ||
        (c->body != NULL && (r->body_len != strlen(c->body) || memcmp(r->body, c->body, r->body_len) != 0)))
        fail_msg("case '%s' (max_read %zu, buf %zu, read %zu): head %s read %s status %u body '%.*s'", c->name,
                 max_read, buf_len, read_len, otter_errname(r->head_ret), otter_errname(r->read_ret), d->status,
                 (int)r->body_len, (const char *)r->body);
    if (c->read_ret == 0 && c->head_ret == 0)
        assert_int_equal(d->body_bytes, r->body_len);
    if (c->head_ret != 0)
        assert_int_equal(d->last_error, c->head_ret);
    free(r);
}

static void test_responses_every_split(void **state)
{
    (void)state;
    static const size_t max_reads[] = {1, 2, 3, 7, 0};
    static const size_t buf_lens[] = {64, 100, 1024};
    static const size_t read_lens[] = {1, 5, 4096};
    for (size_t i = 0; i < ARRAY_LEN(resp_cases); i++)
        for (size_t m = 0; m < ARRAY_LEN(max_reads); m++) {
            if (resp_cases[i].whole_only && max_reads[m] != 0)
                continue;
            for (size_t b = 0; b < ARRAY_LEN(buf_lens); b++)
                for (size_t k = 0; k < ARRAY_LEN(read_lens); k++) {
                    if (resp_cases[i].whole_only && read_lens[k] < 4096)
                        continue;
                    check_resp_case(&resp_cases[i], max_reads[m], buf_lens[b], read_lens[k]);
                }
        }
}

static void test_response_fields(void **state)
{
    (void)state;
    static const char wire[] = "HTTP/1.1 200 OK\r\n"
                               "X-Long-Name-That-Otter-Does-Not-Keep-At-All: 1\r\n"
                               "etag: W/\"v1\"\r\n"
                               "Last-Modified: Tue, 24 Nov 2026 08:00:00 GMT\r\n"
                               "Content-Type: application/octet-stream\r\n"
                               "Location: /ignored-on-200\r\n"
                               "Connection: keep-alive, Upgrade\r\n"
                               "Content-Length: 4\r\n\r\nbody";
    otter_script_step_t steps[] = {SCRIPT_ACCEPT(), SCRIPT_STR(wire)};
    run_t *r = run_new(steps, ARRAY_LEN(steps), 1, 64);
    run_get(r, "http://h.test/f", 4096);
    assert_int_equal(r->read_ret, 0);
    const otter_http_response_t *resp = otter_http_response(&r->h);
    assert_int_equal(resp->status, 200);
    assert_int_equal(resp->http_minor, 1);
    assert_true(resp->has_length);
    assert_int_equal(resp->content_length, 4);
    assert_true(resp->keep_alive);
    assert_false(resp->chunked);
    assert_string_equal(resp->etag, "W/\"v1\"");
    assert_string_equal(resp->last_modified, "Tue, 24 Nov 2026 08:00:00 GMT");
    assert_string_equal(resp->content_type, "application/octet-stream");
    assert_int_equal(otter_http_detail(&r->h)->phase, OTTER_HTTP_PHASE_DONE);
    free(r);
}

/* Unneeded header lines far longer than the work buffer are skipped. */
static void test_huge_unneeded_headers(void **state)
{
    (void)state;
    static char wire[40000];
    size_t n = (size_t)snprintf(wire, sizeof wire, "HTTP/1.1 200 OK\r\nSet-Cookie: ");
    memset(wire + n, 'c', 20000);
    n += 20000;
    n += (size_t)snprintf(wire + n, sizeof wire - n, "\r\nContent-Security-Policy: ");
    memset(wire + n, 'p', 10000);
    n += 10000;
    n += (size_t)snprintf(wire + n, sizeof wire - n, "\r\nContent-Length: 2\r\n\r\nok");
    otter_script_step_t steps[] = {SCRIPT_ACCEPT(), SCRIPT_BYTES(wire, n)};
    run_t *r = run_new(steps, ARRAY_LEN(steps), 0, 64);
    run_get(r, "http://h.test/f", 4096);
    assert_int_equal(r->head_ret, 0);
    assert_int_equal(r->read_ret, 0);
    assert_int_equal(r->body_len, 2);
    free(r);
}

static void test_head_too_long(void **state)
{
    (void)state;
    static char wire[OTTER_HTTP_HEAD_MAX + 100];
    size_t n = (size_t)snprintf(wire, sizeof wire, "HTTP/1.1 200 OK\r\n");
    while (n + 12 < sizeof wire)
        n += (size_t)snprintf(wire + n, sizeof wire - n, "X-Pad: 12\r\n");
    otter_script_step_t steps[] = {SCRIPT_ACCEPT(), SCRIPT_BYTES(wire, n)};
    run_t *r = run_new(steps, ARRAY_LEN(steps), 0, 1024);
    run_get(r, "http://h.test/f", 4096);
    assert_int_equal(r->head_ret, OTTER_ERR_HTTP_HEAD_TOO_LONG);
    assert_int_equal(otter_http_detail(&r->h)->phase, OTTER_HTTP_PHASE_HEAD);
    free(r);
}

/* --- requests ------------------------------------------------------------ */

static void expect_log(const run_t *r, const char *want)
{
    size_t n = strlen(want);
    if (r->sc.log_len != n || memcmp(r->log, want, n) != 0)
        fail_msg("client wrote:\n%.*s\nwant:\n%s", (int)r->sc.log_len, (const char *)r->log, want);
}

static const char ok_resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

static void test_request_bytes(void **state)
{
    (void)state;
    otter_script_step_t steps[] = {SCRIPT_ACCEPT(), SCRIPT_STR("HTTP/1.1 206 Partial Content\r\n"
                                                               "Content-Range: bytes 1000-1001/5000\r\n"
                                                               "Content-Length: 2\r\nETag: \"e1\"\r\n\r\nok")};
    run_t *r = run_new(steps, ARRAY_LEN(steps), 0, 64);
    r->sc.max_write = 7; /* short writes */
    otter_http_request_t req;
    memset(&req, 0, sizeof req);
    req.url = "http://[2001:db8::1]:8080/fw/app.bin?v=2#frag";
    req.range_start = 1000;
    req.if_range = "\"e1\"";
    req.expected_total = 5000;
    run_req(r, &req, 4096);
    assert_int_equal(r->head_ret, 0);
    assert_int_equal(r->read_ret, 0);
    expect_log(r, "GET /fw/app.bin?v=2 HTTP/1.1\r\n"
                  "Host: [2001:db8::1]:8080\r\n"
                  "User-Agent: otter/0.1\r\n"
                  "Accept: */*\r\n"
                  "Accept-Encoding: identity\r\n"
                  "Range: bytes=1000-\r\n"
                  "If-Range: \"e1\"\r\n"
                  "\r\n");
    assert_string_equal(r->sc.last_host, "2001:db8::1");
    assert_int_equal(r->sc.last_port, 8080);
    assert_int_equal(r->sc.last_connect_timeout, 10000);
    const otter_http_response_t *resp = otter_http_response(&r->h);
    assert_int_equal(resp->range_first, 1000);
    assert_int_equal(resp->range_last, 1001);
    assert_int_equal(resp->range_total, 5000);
    free(r);
}

static void test_request_head_and_bounded_range(void **state)
{
    (void)state;
    otter_script_step_t steps[] = {
        SCRIPT_ACCEPT(),
        SCRIPT_STR("HTTP/1.1 200 OK\r\nContent-Length: 1577648\r\n\r\n"),
        SCRIPT_STR("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-3/1577648\r\nContent-Length: 4\r\n\r\n"
                   "\xe9\x06\x02\x20"),
    };
    run_t *r = run_new(steps, ARRAY_LEN(steps), 0, 128);
    r->cfg.user_agent = "fw/1.2";
    run_config(r, 128);
    otter_http_request_t req;
    memset(&req, 0, sizeof req);
    req.url = "https://h.test?x";
    req.head = true;
    run_req(r, &req, 4096);
    assert_int_equal(r->head_ret, 0);
    assert_int_equal(r->read_ret, 0);
    assert_int_equal(otter_http_response(&r->h)->content_length, 1577648);
    req.head = false;
    req.range_len = 4;
    run_req(r, &req, 4096);
    assert_int_equal(r->read_ret, 0);
    assert_int_equal(r->body_len, 4);
    assert_memory_equal(r->body, "\xe9\x06\x02\x20", 4);
    expect_log(r, "HEAD /?x HTTP/1.1\r\nHost: h.test\r\nUser-Agent: fw/1.2\r\nAccept: */*\r\n"
                  "Accept-Encoding: identity\r\n\r\n"
                  "GET /?x HTTP/1.1\r\nHost: h.test\r\nUser-Agent: fw/1.2\r\nAccept: */*\r\n"
                  "Accept-Encoding: identity\r\nRange: bytes=0-3\r\n\r\n");
    assert_int_equal(r->sc.connects, 1); /* kept alive */
    assert_int_equal(r->sc.last_port, 443);
    free(r);
}

/* A 1 KB URL goes out through a 512-byte buffer, in pieces. */
static void test_long_url_small_buffer(void **state)
{
    (void)state;
    static char url[1100], want[1400];
    size_t n = (size_t)snprintf(url, sizeof url, "http://objects.example.test/release-assets/x?sig=");
    for (; n < 1024; n++)
        url[n] = (char)('a' + n % 26);
    url[n] = '\0';
    snprintf(want, sizeof want,
             "GET %s HTTP/1.1\r\nHost: objects.example.test\r\nUser-Agent: otter/0.1\r\nAccept: */*\r\n"
             "Accept-Encoding: identity\r\n\r\n",
             url + strlen("http://objects.example.test"));
    otter_script_step_t steps[] = {SCRIPT_ACCEPT(), SCRIPT_STR(ok_resp)};
    run_t *r = run_new(steps, ARRAY_LEN(steps), 0, 512);
    run_get(r, url, 4096);
    assert_int_equal(r->read_ret, 0);
    expect_log(r, want);
    assert_true(r->sc.writes >= 3);
    free(r);
}

/* Basic credentials: RFC 7617's example, base64 padding of every length,
 * split anywhere by a 64-byte buffer and short writes; sent only to the
 * original scheme, host and port. */
static void test_basic_auth(void **state)
{
    (void)state;
    static const struct {
        const char *cred, *b64;
    } cases[] = {{"Aladdin:open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="}, {"a", "YQ=="}, {"ab", "YWI="}, {"abc", "YWJj"}};
    char want[512];
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        otter_script_step_t steps[] = {SCRIPT_ACCEPT(), SCRIPT_STR(ok_resp)};
        run_t *r = run_new(steps, ARRAY_LEN(steps), 0, 64);
        r->sc.max_write = 5;
        otter_http_request_t req;
        memset(&req, 0, sizeof req);
        req.url = "http://h.test/fw";
        req.basic_auth = cases[i].cred;
        run_req(r, &req, 4096);
        assert_int_equal(r->read_ret, 0);
        snprintf(want, sizeof want,
                 "GET /fw HTTP/1.1\r\nHost: h.test\r\nUser-Agent: otter/0.1\r\nAccept: */*\r\n"
                 "Accept-Encoding: identity\r\nAuthorization: Basic %s\r\n\r\n",
                 cases[i].b64);
        expect_log(r, want);
        free(r);
    }
    /* from the URL; dropped on the way to another host, sent again when a
     * redirect comes back to the original one */
    otter_script_step_t steps[] = {
        SCRIPT_ACCEPT(),
        SCRIPT_STR("HTTP/1.1 302 Found\r\nLocation: http://cdn.test/x\r\nContent-Length: 0\r\n\r\n"),
        SCRIPT_ACCEPT(),
        SCRIPT_STR("HTTP/1.1 302 Found\r\nLocation: http://H.TEST:80/y\r\nContent-Length: 0\r\n\r\n"),
        SCRIPT_ACCEPT(),
        SCRIPT_STR(ok_resp),
    };
    run_t *r = run_new(steps, ARRAY_LEN(steps), 0, 256);
    run_get(r, "http://user:tok@h.test/fw", 4096);
    assert_int_equal(r->read_ret, 0);
    expect_log(r, "GET /fw HTTP/1.1\r\nHost: h.test\r\nUser-Agent: otter/0.1\r\nAccept: */*\r\n"
                  "Accept-Encoding: identity\r\nAuthorization: Basic dXNlcjp0b2s=\r\n\r\n"
                  "GET /x HTTP/1.1\r\nHost: cdn.test\r\nUser-Agent: otter/0.1\r\nAccept: */*\r\n"
                  "Accept-Encoding: identity\r\n\r\n"
                  "GET /y HTTP/1.1\r\nHost: H.TEST\r\nUser-Agent: otter/0.1\r\nAccept: */*\r\n"
                  "Accept-Encoding: identity\r\nAuthorization: Basic dXNlcjp0b2s=\r\n\r\n");
    free(r);
    otter_script_step_t none[] = {SCRIPT_ACCEPT()};
    r = run_new(none, ARRAY_LEN(none), 0, 256);
    otter_http_request_t req;
    memset(&req, 0, sizeof req);
    req.url = "http://user:p%40ss@h.test/fw";
    assert_int_equal(otter_http_begin(&r->h, &req), OTTER_ERR_UNSUPPORTED);
    req.url = "http://h.test/fw";
    req.basic_auth = "user:pa\r\nss";
    assert_int_equal(otter_http_begin(&r->h, &req), OTTER_ERR_INVAL);
    free(r);
}

static void test_begin_errors(void **state)
{
    (void)state;
    otter_script_step_t steps[] = {SCRIPT_ACCEPT()};
    run_t *r = run_new(steps, ARRAY_LEN(steps), 0, 1024);
    otter_http_request_t req;
    memset(&req, 0, sizeof req);
    req.url = "ftp://h/x";
    assert_int_equal(otter_http_begin(&r->h, &req), OTTER_ERR_URL);
    req.url = "http://h/x";
    req.if_range = "\"a\"\r\nX-Evil: 1";
    assert_int_equal(otter_http_begin(&r->h, &req), OTTER_ERR_INVAL);
    req.if_range = NULL;
    req.range_start = UINT64_MAX;
    req.range_len = 2;
    assert_int_equal(otter_http_begin(&r->h, &req), OTTER_ERR_INVAL);
    static char longurl[OTTER_HTTP_URL_MAX + 10];
    memset(longurl, 'a', sizeof longurl - 1);
    memcpy(longurl, "http://h/", 9);
    req.range_start = 0;
    req.range_len = 0;
    req.url = longurl;
    assert_int_equal(otter_http_begin(&r->h, &req), OTTER_ERR_HTTP_URL_TOO_LONG);
    /* no transport for https */
    r->cfg.tls = NULL;
    run_config(r, 1024);
    req.url = "https://h/";
    assert_int_equal(otter_http_begin(&r->h, &req), OTTER_ERR_UNSUPPORTED);
    /* tiny buffer */
    run_config(r, 10);
    req.url = "http://h/";
    assert_int_equal(otter_http_begin(&r->h, &req), OTTER_ERR_INVAL);
    /* read before any request */
    uint8_t b[4];
    run_config(r, 1024);
    assert_int_equal(otter_http_read(&r->h, b, sizeof b), OTTER_ERR_STATE);
    assert_int_equal(r->sc.connects, 0);
    free(r);
}

static void test_connect_errors(void **state)
{
    (void)state;
    static const int errs[] = {OTTER_ERR_DNS, OTTER_ERR_CONNECT, OTTER_ERR_TIMEOUT, OTTER_ERR_TLS_TRUST};
    for (size_t i = 0; i < ARRAY_LEN(errs); i++) {
        otter_script_step_t steps[] = {SCRIPT_REFUSE(errs[i])};
        run_t *r = run_new(steps, ARRAY_LEN(steps), 0, 1024);
        run_get(r, "https://unreachable.test:8443/x", 4096);
        assert_int_equal(r->head_ret, errs[i]);
        const otter_http_detail_t *d = otter_http_detail(&r->h);
        assert_int_equal(d->phase, OTTER_HTTP_PHASE_CONNECT);
        assert_int_equal(d->last_error, errs[i]);
        assert_string_equal(d->host, "unreachable.test");
        assert_int_equal(d->port, 8443);
        free(r);
    }
}

/* --- redirects ----------------------------------------------------------- */

typedef struct ev_log {
    char text[2048];
    size_t len;
} ev_log_t;

static void log_event(void *arg, const otter_http_event_t *ev)
{
    ev_log_t *l = arg;
    static const char *names[] = {"connect", "reuse", "retry", "redirect", "head"};
    int n = snprintf(l->text + l->len, sizeof l->text - l->len, "%s %s:%u %u %s|", names[ev->type],
                     ev->host ? ev->host : "-", ev->port, ev->status, ev->url ? ev->url : "-");
    if (n > 0)
        l->len += (size_t)n;
}

static void test_redirect_same_host_reuses(void **state)
{
    (void)state;
    otter_script_step_t steps[] = {
        SCRIPT_ACCEPT(),
        SCRIPT_STR("HTTP/1.1 301 Moved\r\nLocation: ../v2/fw.bin\r\nContent-Length: 5\r\n\r\nmoved"),
        SCRIPT_STR("HTTP/1.1 302 Found\r\nLocation: /final\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
        SCRIPT_STR(ok_resp),
    };
    for (size_t mr = 0; mr <= 1; mr++) {
        run_t *r = run_new(steps, ARRAY_LEN(steps), mr, 64);
        ev_log_t ev = {{0}, 0};
        r->cfg.on_event = log_event;
        r->cfg.event_arg = &ev;
        run_config(r, 64);
        run_get(r, "http://h.test/dl/v1/fw.bin", 4096);
        assert_int_equal(r->read_ret, 0);
        assert_int_equal(r->body_len, 2);
        assert_int_equal(r->sc.connects, 1);
        assert_int_equal(otter_http_detail(&r->h)->redirects, 2);
        expect_log(r, "GET /dl/v1/fw.bin HTTP/1.1\r\nHost: h.test\r\nUser-Agent: otter/0.1\r\nAccept: */*\r\n"
                      "Accept-Encoding: identity\r\n\r\n"
                      "GET /dl/v2/fw.bin HTTP/1.1\r\nHost: h.test\r\nUser-Agent: otter/0.1\r\nAccept: */*\r\n"
                      "Accept-Encoding: identity\r\n\r\n"
                      "GET /final HTTP/1.1\r\nHost: h.test\r\nUser-Agent: otter/0.1\r\nAccept: */*\r\n"
                      "Accept-Encoding: identity\r\n\r\n");
        assert_string_equal(ev.text, "connect h.test:80 0 -|"
                                     "redirect h.test:80 301 http://h.test/dl/v2/fw.bin|reuse h.test:80 0 -|"
                                     "redirect h.test:80 302 http://h.test/final|reuse h.test:80 0 -|"
                                     "head h.test:80 200 -|");
        free(r);
    }
}

/* Spaces and UTF-8 in a Location are percent-encoded (as curl does);
 * trailing whitespace is not part of the value. */
static void test_redirect_location_encoding(void **state)
{
    (void)state;
    otter_script_step_t steps[] = {
        SCRIPT_ACCEPT(),
        SCRIPT_STR("HTTP/1.1 302 Found\r\nLocation: /fw dir/\xc3\xa9t\xc3\xa9.bin?a=b c \t\r\nContent-Length: 0\r\n\r\n"),
        SCRIPT_STR(ok_resp),
    };
    run_t *r = run_new(steps, ARRAY_LEN(steps), 1, 64);
    run_get(r, "http://h.test/", 4096);
    assert_int_equal(r->read_ret, 0);
    expect_log(r, "GET / HTTP/1.1\r\nHost: h.test\r\nUser-Agent: otter/0.1\r\nAccept: */*\r\n"
                  "Accept-Encoding: identity\r\n\r\n"
                  "GET /fw%20dir/%C3%A9t%C3%A9.bin?a=b%20c HTTP/1.1\r\nHost: h.test\r\nUser-Agent: otter/0.1\r\n"
                  "Accept: */*\r\nAccept-Encoding: identity\r\n\r\n");
    free(r);
}

static void test_redirect_cross_host_keeps_range(void **state)
{
    (void)state;
    otter_script_step_t steps[] = {
        SCRIPT_ACCEPT(),
        SCRIPT_STR("HTTP/1.1 302 Found\r\nLocation: https://cdn.test/obj?sig=abc\r\nContent-Length: 0\r\n\r\n"),
        SCRIPT_ACCEPT(),
        SCRIPT_STR("HTTP/1.1 206 Partial\r\nContent-Range: bytes 10-11/12\r\nContent-Length: 2\r\n\r\nok"),
    };
    run_t *r = run_new(steps, ARRAY_LEN(steps), 0, 256);
    otter_http_request_t req;
    memset(&req, 0, sizeof req);
    req.url = "https://github.test/rel/fw.bin";
    req.range_start = 10;
    run_req(r, &req, 4096);
    assert_int_equal(r->read_ret, 0);
    assert_int_equal(r->sc.connects, 2);
    assert_int_equal(r->sc.closes, 1);
    assert_string_equal(r->sc.last_host, "cdn.test");
    assert_string_equal(otter_http_detail(&r->h)->host, "cdn.test");
    expect_log(r, "GET /rel/fw.bin HTTP/1.1\r\nHost: github.test\r\nUser-Agent: otter/0.1\r\nAccept: */*\r\n"
                  "Accept-Encoding: identity\r\nRange: bytes=10-\r\n\r\n"
                  "GET /obj?sig=abc HTTP/1.1\r\nHost: cdn.test\r\nUser-Agent: otter/0.1\r\nAccept: */*\r\n"
                  "Accept-Encoding: identity\r\nRange: bytes=10-\r\n\r\n");
    free(r);
}

static void test_redirect_errors(void **state)
{
    (void)state;
    static const char loop[] = "HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n";
    otter_script_step_t loop_steps[] = {SCRIPT_ACCEPT(), SCRIPT_STR(loop), SCRIPT_STR(loop), SCRIPT_STR(loop),
                                        SCRIPT_STR(loop), SCRIPT_STR(loop), SCRIPT_STR(loop), SCRIPT_STR(loop)};
    run_t *r = run_new(loop_steps, ARRAY_LEN(loop_steps), 0, 256);
    run_get(r, "http://h.test/again", 4096);
    assert_int_equal(r->head_ret, OTTER_ERR_HTTP_TOO_MANY_REDIRECTS);
    assert_int_equal(otter_http_detail(&r->h)->redirects, 5);
    assert_int_equal(otter_http_detail(&r->h)->status, 302);
    assert_int_equal(r->sc.connects, 1);
    free(r);

    /* max_redirects 255 means none are followed */
    r = run_new(loop_steps, ARRAY_LEN(loop_steps), 0, 256);
    r->cfg.max_redirects = 255;
    run_config(r, 256);
    run_get(r, "http://h.test/again", 4096);
    assert_int_equal(r->head_ret, OTTER_ERR_HTTP_TOO_MANY_REDIRECTS);
    assert_int_equal(otter_http_detail(&r->h)->redirects, 0);
    free(r);

    otter_script_step_t down[] = {SCRIPT_ACCEPT(),
                                  SCRIPT_STR("HTTP/1.1 301 Moved\r\nLocation: http://h.test/fw.bin\r\n\r\n")};
    r = run_new(down, ARRAY_LEN(down), 0, 256);
    run_get(r, "https://h.test/fw.bin", 4096);
    assert_int_equal(r->head_ret, OTTER_ERR_HTTP_DOWNGRADE);
    assert_int_equal(r->sc.connects, 1);
    free(r);

    otter_script_step_t bad[] = {SCRIPT_ACCEPT(),
                                 SCRIPT_STR("HTTP/1.1 307 Temp\r\nLocation: ftp://h.test/fw.bin\r\n\r\n")};
    r = run_new(bad, ARRAY_LEN(bad), 0, 256);
    run_get(r, "http://h.test/fw.bin", 4096);
    assert_int_equal(r->head_ret, OTTER_ERR_URL);
    free(r);

    /* Location longer than the room left after the URL */
    static char big[OTTER_HTTP_URL_MAX + 200];
    size_t n = (size_t)snprintf(big, sizeof big, "HTTP/1.1 302 Found\r\nLocation: /");
    memset(big + n, 'x', OTTER_HTTP_URL_MAX);
    n += OTTER_HTTP_URL_MAX;
    n += (size_t)snprintf(big + n, sizeof big - n, "\r\n\r\n");
    otter_script_step_t toolong[] = {SCRIPT_ACCEPT(), SCRIPT_BYTES(big, n)};
    r = run_new(toolong, ARRAY_LEN(toolong), 0, 256);
    run_get(r, "http://h.test/fw.bin", 4096);
    assert_int_equal(r->head_ret, OTTER_ERR_HTTP_HEADER_TOO_LARGE);
    free(r);

    /* http -> https needs the TLS transport */
    otter_script_step_t up[] = {SCRIPT_ACCEPT(),
                                SCRIPT_STR("HTTP/1.1 308 Perm\r\nLocation: https://h.test/\r\n\r\n")};
    r = run_new(up, ARRAY_LEN(up), 0, 256);
    r->cfg.tls = NULL;
    run_config(r, 256);
    run_get(r, "http://h.test/", 4096);
    assert_int_equal(r->head_ret, OTTER_ERR_UNSUPPORTED);
    free(r);
}

/* --- range resume ---------------------------------------------------------- */

typedef struct range_case {
    const char *wire;
    const char *if_range;
    uint64_t expected_total;
    int want;
} range_case_t;

static void test_range_resume_rules(void **state)
{
    (void)state;
    static const range_case_t cases[] = {
        {"HTTP/1.1 206 P\r\nContent-Range: bytes 100-101/102\r\nETag: \"v1\"\r\nContent-Length: 2\r\n\r\nok", "\"v1\"",
         102, 0},
        {"HTTP/1.1 206 P\r\nContent-Range: bytes 0-101/102\r\nContent-Length: 102\r\n\r\n", "\"v1\"", 102,
         OTTER_ERR_HTTP_RANGE_IGNORED},
        {"HTTP/1.1 206 P\r\nContent-Range: bytes 100-101/500\r\nContent-Length: 2\r\n\r\nok", "\"v1\"", 102,
         OTTER_ERR_HTTP_RESOURCE_CHANGED},
        {"HTTP/1.1 206 P\r\nContent-Range: bytes 100-101/102\r\nETag: \"v2\"\r\nContent-Length: 2\r\n\r\nok", "\"v1\"",
         102, OTTER_ERR_HTTP_RESOURCE_CHANGED},
        {"HTTP/1.1 200 OK\r\nContent-Length: 102\r\n\r\n", "\"v1\"", 102, OTTER_ERR_HTTP_RESOURCE_CHANGED},
        {"HTTP/1.1 200 OK\r\nContent-Length: 102\r\n\r\n", NULL, 102, OTTER_ERR_HTTP_RANGE_IGNORED},
        {"HTTP/1.1 206 P\r\nContent-Length: 2\r\n\r\nok", NULL, 0, OTTER_ERR_HTTP_PROTOCOL},
        {"HTTP/1.1 206 P\r\nContent-Range: bytes 100-101/*\r\nContent-Length: 2\r\n\r\nok", NULL, 0, 0},
        {"HTTP/1.1 206 P\r\nContent-Range: bytes 100-101/102\r\nContent-Length: 3\r\n\r\nok", NULL, 0,
         OTTER_ERR_HTTP_PROTOCOL},
        {"HTTP/1.1 206 P\r\nContent-Range: bytes 101-100/102\r\n\r\n", NULL, 0, OTTER_ERR_HTTP_PROTOCOL},
        {"HTTP/1.1 206 P\r\nContent-Range: bytes 100-102/102\r\n\r\n", NULL, 0, OTTER_ERR_HTTP_PROTOCOL},
        {"HTTP/1.1 206 P\r\nContent-Range: items 100-101/102\r\n\r\n", NULL, 0, OTTER_ERR_HTTP_PROTOCOL},
        {"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */102\r\nContent-Length: 0\r\n\r\n", NULL, 0,
         OTTER_ERR_HTTP_STATUS},
        /* Last-Modified validators are not ETags: a differing ETag is not compared */
        {"HTTP/1.1 206 P\r\nContent-Range: bytes 100-101/102\r\nETag: \"v2\"\r\nContent-Length: 2\r\n\r\nok",
         "Tue, 24 Nov 2026 08:00:00 GMT", 102, 0},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        otter_script_step_t steps[] = {SCRIPT_ACCEPT(), SCRIPT_BYTES(cases[i].wire, strlen(cases[i].wire))};
        run_t *r = run_new(steps, ARRAY_LEN(steps), 0, 256);
        otter_http_request_t req;
        memset(&req, 0, sizeof req);
        req.url = "http://h.test/fw.bin";
        req.range_start = 100;
        req.if_range = cases[i].if_range;
        req.expected_total = cases[i].expected_total;
        run_req(r, &req, 4096);
        if (r->head_ret != cases[i].want)
            fail_msg("range case %zu: %s, want %s", i, otter_errname(r->head_ret), otter_errname(cases[i].want));
        if (cases[i].want == 0) {
            assert_int_equal(r->read_ret, 0);
            assert_int_equal(r->body_len, 2);
        } else {
            /* nothing of a refused response reaches the caller */
            uint8_t b[8];
            assert_int_equal(otter_http_read(&r->h, b, sizeof b), cases[i].want);
            assert_int_equal(otter_http_detail(&r->h)->body_bytes, 0);
        }
        free(r);
    }
}

/* --- keep-alive ----------------------------------------------------------- */

static void test_keep_alive_rules(void **state)
{
    (void)state;
    otter_script_step_t steps[] = {
        SCRIPT_ACCEPT(),
        SCRIPT_STR(ok_resp),
        SCRIPT_STR("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"),
        SCRIPT_ACCEPT(),
        SCRIPT_STR("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        SCRIPT_ACCEPT(),
        SCRIPT_STR("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok"),
        SCRIPT_STR(ok_resp),
        SCRIPT_ACCEPT(),
        SCRIPT_STR(ok_resp),
    };
    run_t *r = run_new(steps, ARRAY_LEN(steps), 0, 256);
    static const int connects_after[] = {1, 1, 2, 3, 3, 4};
    static const char *const urls[] = {"http://h.test/1", "http://h.test/2", "http://h.test/3",
                                       "http://H.TEST:80/4", "http://h.test/5", "http://other.test/6"};
    for (size_t i = 0; i < ARRAY_LEN(urls); i++) {
        run_get(r, urls[i], 4096);
        assert_int_equal(r->read_ret, 0);
        assert_int_equal(r->body_len, 2);
        if (r->sc.connects != connects_after[i])
            fail_msg("request %zu: %d connects, want %d", i, r->sc.connects, connects_after[i]);
    }
    assert_true(otter_script_done(&r->sc));
    free(r);
}

/* A body not read to the end makes the connection unusable. */
static void test_abandoned_body_reconnects(void **state)
{
    (void)state;
    otter_script_step_t steps[] = {
        SCRIPT_ACCEPT(),
        SCRIPT_STR("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234"),
        SCRIPT_STR("56789"),
        SCRIPT_ACCEPT(),
        SCRIPT_STR(ok_resp),
    };
    run_t *r = run_new(steps, ARRAY_LEN(steps), 0, 256);
    assert_int_equal(otter_http_get(&r->h, "http://h.test/a", 0, NULL), 0);
    uint8_t b[4];
    assert_int_equal(otter_http_read(&r->h, b, sizeof b), 4);
    run_get(r, "http://h.test/b", 4096);
    assert_int_equal(r->read_ret, 0);
    assert_int_equal(r->sc.connects, 2);
    assert_int_equal(r->sc.closes, 1);
    free(r);
}

/* The server closed the idle kept-alive connection: one silent retry. */
static void test_stale_keep_alive_retry(void **state)
{
    (void)state;
    static const int errs[] = {OTTER_ERR_CLOSED, OTTER_ERR_NET_IO};
    for (size_t i = 0; i < ARRAY_LEN(errs); i++) {
        otter_script_step_t steps[] = {
            SCRIPT_ACCEPT(), SCRIPT_STR(ok_resp), SCRIPT_READ_ERR(errs[i]),
            SCRIPT_ACCEPT(), SCRIPT_STR(ok_resp),
        };
        run_t *r = run_new(steps, ARRAY_LEN(steps), 0, 256);
        ev_log_t ev = {{0}, 0};
        r->cfg.on_event = log_event;
        r->cfg.event_arg = &ev;
        run_config(r, 256);
        run_get(r, "http://h.test/1", 4096);
        run_get(r, "http://h.test/2", 4096);
        assert_int_equal(r->read_ret, 0);
        assert_int_equal(r->sc.connects, 2);
        assert_string_equal(ev.text, "connect h.test:80 0 -|head h.test:80 200 -|reuse h.test:80 0 -|"
                                     "retry h.test:80 0 -|connect h.test:80 0 -|head h.test:80 200 -|");
        free(r);
    }
    /* no retry on a fresh connection, nor twice */
    otter_script_step_t steps[] = {SCRIPT_ACCEPT(), SCRIPT_READ_ERR(OTTER_ERR_CLOSED)};
    run_t *r = run_new(steps, ARRAY_LEN(steps), 0, 256);
    run_get(r, "http://h.test/1", 4096);
    assert_int_equal(r->head_ret, OTTER_ERR_CLOSED);
    assert_int_equal(r->sc.connects, 1);
    free(r);
    /* a write failure on the reused connection is retried too */
    otter_script_step_t wsteps[] = {SCRIPT_ACCEPT(), SCRIPT_STR(ok_resp), SCRIPT_WRITE_ERR(OTTER_ERR_NET_IO),
                                    SCRIPT_ACCEPT(), SCRIPT_STR(ok_resp)};
    r = run_new(wsteps, ARRAY_LEN(wsteps), 0, 256);
    run_get(r, "http://h.test/1", 4096);
    run_get(r, "http://h.test/2", 4096);
    assert_int_equal(r->read_ret, 0);
    assert_int_equal(r->sc.connects, 2);
    free(r);
}

/* --- timeouts, resets, deadline ------------------------------------------- */

static void test_stalls_and_resets(void **state)
{
    (void)state;
    otter_script_step_t head_stall[] = {SCRIPT_ACCEPT(), SCRIPT_STR("HTTP/1.1 200 OK\r\n"),
                                        SCRIPT_READ_ERR(OTTER_ERR_TIMEOUT)};
    run_t *r = run_new(head_stall, ARRAY_LEN(head_stall), 0, 256);
    r->cfg.read_timeout_ms = 1234;
    run_config(r, 256);
    run_get(r, "http://h.test/", 4096);
    assert_int_equal(r->head_ret, OTTER_ERR_TIMEOUT);
    assert_int_equal(r->sc.last_read_timeout, 1234);
    assert_int_equal(otter_http_detail(&r->h)->phase, OTTER_HTTP_PHASE_HEAD);
    free(r);

    otter_script_step_t body_stall[] = {SCRIPT_ACCEPT(), SCRIPT_STR("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"),
                                        SCRIPT_STR("abc"), SCRIPT_READ_ERR(OTTER_ERR_TIMEOUT)};
    r = run_new(body_stall, ARRAY_LEN(body_stall), 0, 256);
    run_get(r, "http://h.test/", 4096);
    assert_int_equal(r->read_ret, OTTER_ERR_TIMEOUT);
    assert_int_equal(r->body_len, 3);
    const otter_http_detail_t *d = otter_http_detail(&r->h);
    assert_int_equal(d->body_bytes, 3);
    assert_int_equal(d->phase, OTTER_HTTP_PHASE_BODY);
    assert_int_equal(d->last_error, OTTER_ERR_TIMEOUT);
    /* sticky until the next request */
    uint8_t b[4];
    assert_int_equal(otter_http_read(&r->h, b, sizeof b), OTTER_ERR_TIMEOUT);
    free(r);

    otter_script_step_t reset[] = {SCRIPT_ACCEPT(), SCRIPT_STR("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab"),
                                   SCRIPT_READ_ERR(OTTER_ERR_NET_IO)};
    r = run_new(reset, ARRAY_LEN(reset), 0, 256);
    run_get(r, "http://h.test/", 4096);
    assert_int_equal(r->read_ret, OTTER_ERR_NET_IO);
    assert_int_equal(r->body_len, 2);
    free(r);

    otter_script_step_t wfail[] = {SCRIPT_ACCEPT(), SCRIPT_WRITE_ERR(OTTER_ERR_TIMEOUT)};
    r = run_new(wfail, ARRAY_LEN(wfail), 0, 256);
    run_get(r, "http://h.test/", 4096);
    assert_int_equal(r->head_ret, OTTER_ERR_TIMEOUT);
    assert_int_equal(otter_http_detail(&r->h)->phase, OTTER_HTTP_PHASE_SEND);
    free(r);
}

/* A server dripping one byte a second is cut off by the overall deadline;
 * the per-read timeout is clamped to the time left. */
static void test_deadline(void **state)
{
    (void)state;
    static const char wire[] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789";
    otter_script_step_t steps[] = {SCRIPT_ACCEPT(), SCRIPT_STR(wire)};
    run_t *r = run_new(steps, ARRAY_LEN(steps), 1, 256);
    r->sc.ms_per_read = 1000;
    r->cfg.overall_timeout_ms = 45500;
    r->cfg.read_timeout_ms = 5000;
    run_config(r, 256);
    run_get(r, "http://h.test/", 4096);
    assert_int_equal(r->head_ret, 0); /* 40-byte head: 40 reads, 40 s */
    assert_int_equal(r->read_ret, OTTER_ERR_HTTP_DEADLINE);
    assert_int_equal(r->body_len, 6);
    assert_int_equal(r->sc.last_read_timeout, 500); /* read 46 had 0.5 s left */
    free(r);

    /* a stall that hits the deadline reports the deadline */
    otter_script_step_t stall[] = {SCRIPT_ACCEPT(), SCRIPT_DELAY(2500), SCRIPT_STR("HTTP/1.1 200 OK\r\n"),
                                   SCRIPT_READ_ERR(OTTER_ERR_TIMEOUT)};
    r = run_new(stall, ARRAY_LEN(stall), 0, 256);
    r->cfg.overall_timeout_ms = 3000;
    run_config(r, 256);
    run_get(r, "http://h.test/", 4096);
    assert_int_equal(r->head_ret, OTTER_ERR_HTTP_DEADLINE);
    assert_int_equal(r->sc.last_read_timeout, 500);
    free(r);

    /* connect timeout clamped too */
    otter_script_step_t conn[] = {SCRIPT_REFUSE(OTTER_ERR_TIMEOUT)};
    r = run_new(conn, ARRAY_LEN(conn), 0, 256);
    r->cfg.overall_timeout_ms = 700;
    run_config(r, 256);
    run_get(r, "http://h.test/", 4096);
    assert_int_equal(r->head_ret, OTTER_ERR_HTTP_DEADLINE);
    assert_int_equal(r->sc.last_connect_timeout, 700);
    free(r);
}

/* --- step API ------------------------------------------------------------- */

/* Each step and each read does at most one transport operation. */
static void test_one_operation_per_call(void **state)
{
    (void)state;
    static const char wire[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "3\r\nabc\r\n2;x\r\nde\r\n0\r\n\r\n";
    otter_script_step_t steps[] = {SCRIPT_ACCEPT(), SCRIPT_STR(wire)};
    run_t *r = run_new(steps, ARRAY_LEN(steps), 3, 64);
    r->sc.max_write = 16;
    otter_http_request_t req;
    memset(&req, 0, sizeof req);
    req.url = "http://h.test/x";
    assert_int_equal(otter_http_begin(&r->h, &req), 0);
    assert_int_equal(r->sc.connects + r->sc.reads + r->sc.writes, 0);
    int ops = 0, ret;
    while ((ret = otter_http_step(&r->h)) == OTTER_HTTP_PENDING) {
        int now = r->sc.connects + r->sc.reads + r->sc.writes;
        assert_true(now - ops <= 1);
        ops = now;
    }
    assert_int_equal(ret, 0);
    char body[16];
    size_t n = 0;
    int agains = 0;
    for (;;) {
        int before = r->sc.reads;
        int k = otter_http_read(&r->h, (uint8_t *)body + n, sizeof body - n);
        assert_true(r->sc.reads - before <= 1);
        if (k == OTTER_ERR_HTTP_AGAIN) {
            agains++;
            continue;
        }
        assert_true(k >= 0);
        if (k == 0)
            break;
        n += (size_t)k;
    }
    assert_int_equal(n, 5);
    assert_memory_equal(body, "abcde", 5);
    assert_true(agains > 0); /* 3-byte reads of pure framing happen */
    free(r);
}

/* Endless chunk extensions or trailers are cut off like an endless head. */
static void test_chunk_framing_bounded(void **state)
{
    (void)state;
    static char wire[OTTER_HTTP_HEAD_MAX + 200];
    static const char head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n1;x=";
    memcpy(wire, head, sizeof head - 1);
    memset(wire + sizeof head - 1, 'e', sizeof wire - (sizeof head - 1));
    otter_script_step_t steps[] = {SCRIPT_ACCEPT(), SCRIPT_BYTES(wire, sizeof wire)};
    run_t *r = run_new(steps, ARRAY_LEN(steps), 0, 1024);
    run_get(r, "http://h.test/", 4096);
    assert_int_equal(r->read_ret, OTTER_ERR_HTTP_CHUNK);
    assert_int_equal(r->body_len, 2);
    free(r);
    /* just under the bound is fine: 60 KB of trailers */
    static char ok[OTTER_HTTP_HEAD_MAX];
    size_t n = (size_t)snprintf(ok, sizeof ok, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n");
    while (n + 20 < 61440)
        n += (size_t)snprintf(ok + n, sizeof ok - n, "X-Trailer: 1234567\r\n");
    n += (size_t)snprintf(ok + n, sizeof ok - n, "\r\n");
    otter_script_step_t steps2[] = {SCRIPT_ACCEPT(), SCRIPT_BYTES(ok, n)};
    r = run_new(steps2, ARRAY_LEN(steps2), 0, 1024);
    run_get(r, "http://h.test/", 4096);
    assert_int_equal(r->read_ret, 0);
    assert_int_equal(r->body_len, 1);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_responses_every_split),
        cmocka_unit_test(test_response_fields),
        cmocka_unit_test(test_huge_unneeded_headers),
        cmocka_unit_test(test_head_too_long),
        cmocka_unit_test(test_request_bytes),
        cmocka_unit_test(test_request_head_and_bounded_range),
        cmocka_unit_test(test_long_url_small_buffer),
        cmocka_unit_test(test_basic_auth),
        cmocka_unit_test(test_begin_errors),
        cmocka_unit_test(test_connect_errors),
        cmocka_unit_test(test_redirect_same_host_reuses),
        cmocka_unit_test(test_redirect_location_encoding),
        cmocka_unit_test(test_redirect_cross_host_keeps_range),
        cmocka_unit_test(test_redirect_errors),
        cmocka_unit_test(test_range_resume_rules),
        cmocka_unit_test(test_keep_alive_rules),
        cmocka_unit_test(test_abandoned_body_reconnects),
        cmocka_unit_test(test_stale_keep_alive_retry),
        cmocka_unit_test(test_stalls_and_resets),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_one_operation_per_call),
        cmocka_unit_test(test_chunk_framing_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
