/* HTTP response parsing over the scripted transport: every response is
 * replayed with the transport delivering 1, 2, 3, 7 bytes per read and all at
 * once, through work buffers of 64, 100 and 1024 bytes and caller reads of 1,
 * 5 and 4096 bytes, so every parser state sees input split at every
 * position; a network cut after every byte; bounds on heads and chunk
 * framing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http_run.h"
#include "otter/error.h"
#include "otter/http.h"

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

/* Network cut (close or reset) after every byte of a response: the exact
 * error for the phase, and exactly the body bytes before the cut delivered. */
static void cut_sweep(const char *wire, size_t head_len, const uint8_t *is_data, const char *body, int reset)
{
    size_t total = strlen(wire);
    for (size_t k = 0; k <= total; k++) {
        otter_script_step_t steps[] = {SCRIPT_ACCEPT(), SCRIPT_BYTES(wire, k),
                                       SCRIPT_READ_ERR(reset ? OTTER_ERR_NET_IO : OTTER_ERR_CLOSED)};
        run_t *r = run_new(steps, ARRAY_LEN(steps), k % 3 + 1, 64);
        run_get(r, "http://h.test/", 4096);
        size_t data = 0;
        for (size_t i = 0; i < k; i++)
            data += is_data[i];
        int want_head = k < head_len ? (reset ? OTTER_ERR_NET_IO : OTTER_ERR_CLOSED) : 0;
        int want_read = k == total ? 0 : reset ? OTTER_ERR_NET_IO : OTTER_ERR_HTTP_CLOSED_EARLY;
        if (r->head_ret != want_head || (want_head == 0 && r->read_ret != want_read) ||
            (want_head == 0 && (r->body_len != data || memcmp(r->body, body, data) != 0 ||
                                otter_http_detail(&r->h)->body_bytes != data)))
            fail_msg("cut after %zu of %zu: head %s read %s body %zu (want %zu)", k, total,
                     otter_errname(r->head_ret), otter_errname(r->read_ret), r->body_len, data);
        free(r);
    }
}

static void test_cut_at_every_offset(void **state)
{
    (void)state;
    static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nETag: \"x\"\r\n\r\n";
    char wire[256];
    uint8_t is_data[256];
    snprintf(wire, sizeof wire, "%s0123456789", head);
    memset(is_data, 0, sizeof is_data);
    memset(is_data + sizeof head - 1, 1, 10);
    for (int reset = 0; reset <= 1; reset++)
        cut_sweep(wire, sizeof head - 1, is_data, "0123456789", reset);

    static const char chead[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    static const char cbody[] = "3;e=1\r\nabc\r\n1\r\nd\r\n6\r\nefghij\r\n0\r\nT: 1\r\n\r\n";
    snprintf(wire, sizeof wire, "%s%s", chead, cbody);
    memset(is_data, 0, sizeof is_data);
    size_t base = sizeof chead - 1;
    static const size_t data_at[] = {7, 8, 9, 15, 21, 22, 23, 24, 25, 26};
    for (size_t i = 0; i < ARRAY_LEN(data_at); i++)
        is_data[base + data_at[i]] = 1;
    assert_int_equal(cbody[7], 'a');
    assert_int_equal(cbody[15], 'd');
    assert_int_equal(cbody[26], 'j');
    for (int reset = 0; reset <= 1; reset++)
        cut_sweep(wire, base, is_data, "abcdefghij", reset);
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_responses_every_split),
        cmocka_unit_test(test_response_fields),
        cmocka_unit_test(test_huge_unneeded_headers),
        cmocka_unit_test(test_head_too_long),
        cmocka_unit_test(test_chunk_framing_bounded),
        cmocka_unit_test(test_cut_at_every_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
