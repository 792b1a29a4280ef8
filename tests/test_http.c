/* HTTP client over the scripted transport: requests byte for byte,
 * credentials, redirects, range resume rules, keep-alive and retry, stalls,
 * resets and the overall deadline, one transport operation per call. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http_run.h"
#include "errwords.h"
#include "otter/error.h"
#include "otter/http.h"

/* --- requests ------------------------------------------------------------ */

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
    run_expect_log(r, "GET /fw/app.bin?v=2 HTTP/1.1\r\n"
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
    run_expect_log(r, "HEAD /?x HTTP/1.1\r\nHost: h.test\r\nUser-Agent: fw/1.2\r\nAccept: */*\r\n"
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
    /* as long as the client holds (OTTER_HTTP_URL_MAX), up to 1 KB, and
     * longer than the buffer */
    size_t url_len = OTTER_HTTP_URL_MAX - 1 < 1024 ? OTTER_HTTP_URL_MAX - 1 : 1024;
    for (; n < url_len; n++)
        url[n] = (char)('a' + n % 26);
    url[n] = '\0';
    snprintf(want, sizeof want,
             "GET %s HTTP/1.1\r\nHost: objects.example.test\r\nUser-Agent: otter/0.1\r\nAccept: */*\r\n"
             "Accept-Encoding: identity\r\n\r\n",
             url + strlen("http://objects.example.test"));
    otter_script_step_t steps[] = {SCRIPT_ACCEPT(), SCRIPT_STR(ok_resp)};
    run_t *r = run_new(steps, ARRAY_LEN(steps), 0, url_len / 2);
    run_get(r, url, 4096);
    assert_int_equal(r->read_ret, 0);
    run_expect_log(r, want);
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
        run_expect_log(r, want);
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
    run_expect_log(r, "GET /fw HTTP/1.1\r\nHost: h.test\r\nUser-Agent: otter/0.1\r\nAccept: */*\r\n"
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
        run_expect_log(r, "GET /dl/v1/fw.bin HTTP/1.1\r\nHost: h.test\r\nUser-Agent: otter/0.1\r\nAccept: */*\r\n"
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
    run_expect_log(r, "GET / HTTP/1.1\r\nHost: h.test\r\nUser-Agent: otter/0.1\r\nAccept: */*\r\n"
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
    run_expect_log(r, "GET /rel/fw.bin HTTP/1.1\r\nHost: github.test\r\nUser-Agent: otter/0.1\r\nAccept: */*\r\n"
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
    assert_int_equal(r->head_ret, OTTER_ERR_HTTP_REDIRECT_TOO_LONG);
    {
        /* its own words: the limit, the room needed, how to raise it */
        char why[512], need[64];
        otter_http_explain(&r->h, r->head_ret, why, sizeof why);
        snprintf(need, sizeof need, "OTTER_HTTP_URL_MAX (%u bytes", (unsigned)OTTER_HTTP_URL_MAX);
        assert_non_null(strstr(why, need));
        assert_true(otter_http_detail(&r->h)->url_need > OTTER_HTTP_URL_MAX);
        snprintf(need, sizeof need, "at least %u needed", (unsigned)otter_http_detail(&r->h)->url_need);
        assert_non_null(strstr(why, need));
        assert_non_null(strstr(why, "-DOTTER_HTTP_URL_MAX="));
        assert_non_null(strstr(why, "h.test"));
    }
    free(r);

    /* the longest Location that fits is followed; one byte more is not */
    for (int extra = 0; extra < 2; extra++) {
        static char hop[OTTER_HTTP_URL_MAX + 200];
        /* Location bytes that fit after the URL and its NUL, with the
         * Location's own NUL */
        size_t room = OTTER_HTTP_URL_MAX - sizeof "http://h.test/fw.bin" - 1;
        size_t m = (size_t)snprintf(hop, sizeof hop, "HTTP/1.1 302 Found\r\nLocation: /");
        memset(hop + m, 'y', room - 1 + (size_t)extra);
        m += room - 1 + (size_t)extra;
        m += (size_t)snprintf(hop + m, sizeof hop - m, "\r\nContent-Length: 0\r\n\r\n");
        otter_script_step_t st[] = {SCRIPT_ACCEPT(), SCRIPT_BYTES(hop, m),
                                    SCRIPT_STR("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")};
        r = run_new(st, ARRAY_LEN(st), 0, 256);
        run_get(r, "http://h.test/fw.bin", 4096);
        assert_int_equal(r->head_ret, extra ? OTTER_ERR_HTTP_REDIRECT_TOO_LONG : 0);
        free(r);
    }

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

/* Surplus body bytes that arrive after the announced end, in a later
 * segment: the next request on the kept-alive connection reports them. */
static void test_keep_alive_surplus_body(void **state)
{
    (void)state;
    otter_script_step_t steps[] = {
        SCRIPT_ACCEPT(), SCRIPT_STR(ok_resp), SCRIPT_STR("XYZ"), SCRIPT_STR(ok_resp),
    };
    run_t *r = run_new(steps, ARRAY_LEN(steps), 0, 256);
    run_get(r, "http://h.test/1", 4096);
    assert_int_equal(r->read_ret, 0);
    assert_int_equal(r->body_len, 2);
    run_get(r, "http://h.test/2", 4096);
    assert_int_equal(r->head_ret, OTTER_ERR_HTTP_BODY_TOO_LONG);
    assert_int_equal(otter_http_detail(&r->h)->phase, OTTER_HTTP_PHASE_HEAD);
    assert_int_equal(r->sc.connects, 1);
    free(r);
    /* a fresh connection with garbage stays a bad status line; so does a
     * reused one whose status line goes wrong after "HTTP/1." */
    otter_script_step_t fresh[] = {SCRIPT_ACCEPT(), SCRIPT_STR("XYZ")};
    r = run_new(fresh, ARRAY_LEN(fresh), 0, 256);
    run_get(r, "http://h.test/1", 4096);
    assert_int_equal(r->head_ret, OTTER_ERR_HTTP_STATUS_LINE);
    free(r);
    otter_script_step_t late[] = {SCRIPT_ACCEPT(), SCRIPT_STR(ok_resp), SCRIPT_STR("HTTP/1.1 2x0 OK\r\n\r\n")};
    r = run_new(late, ARRAY_LEN(late), 0, 256);
    run_get(r, "http://h.test/1", 4096);
    run_get(r, "http://h.test/2", 4096);
    assert_int_equal(r->head_ret, OTTER_ERR_HTTP_STATUS_LINE);
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

/* The detail record in words. */
static void expect_explain(const run_t *r, int err, const char *want)
{
    char buf[512];
    size_t n = otter_http_explain(&r->h, err, buf, sizeof buf);
    want = errwords(want);
    if (strcmp(buf, want) != 0 || n != strlen(want))
        fail_msg("explain(%s):\n  %s\nwant\n  %s", otter_errname(err), buf, want);
}

static void test_explain(void **state)
{
    (void)state;
    otter_script_step_t cut[] = {SCRIPT_ACCEPT(), SCRIPT_STR("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")};
    run_t *r = run_new(cut, ARRAY_LEN(cut), 0, 256);
    run_get(r, "http://h.test/fw", 4096);
    assert_int_equal(r->read_ret, OTTER_ERR_HTTP_CLOSED_EARLY);
    expect_explain(r, r->read_ret,
                   "the server 'h.test' port 80 closed the connection after 3 of 10 body bytes; the download can "
                   "resume from byte 3");
    /* truncation keeps a NUL and reports the full length */
    char small[10];
    size_t n = otter_http_explain(&r->h, r->read_ret, small, sizeof small);
    assert_string_equal(small, "the serve");
    assert_true(n > 80);
    assert_int_equal(otter_http_explain(&r->h, r->read_ret, NULL, 0), n);
    free(r);

    otter_script_step_t ok[] = {SCRIPT_ACCEPT(), SCRIPT_STR("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")};
    r = run_new(ok, ARRAY_LEN(ok), 0, 256);
    run_get(r, "http://h.test:8080/fw", 4096);
    expect_explain(r, 0, "HTTP 200 from 'h.test' port 8080, 2 body bytes so far");
    free(r);

    otter_script_step_t nf[] = {SCRIPT_ACCEPT(), SCRIPT_STR("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")};
    r = run_new(nf, ARRAY_LEN(nf), 0, 256);
    run_get(r, "http://h.test/fw", 4096);
    expect_explain(r, r->head_ret, "the server 'h.test' port 80 answered HTTP 404: there is no file at this URL");
    free(r);

    otter_script_step_t dns[] = {SCRIPT_REFUSE(OTTER_ERR_DNS)};
    r = run_new(dns, ARRAY_LEN(dns), 0, 256);
    run_get(r, "https://nx.test/fw", 4096);
    expect_explain(r, r->head_ret, "the host name 'nx.test' does not resolve: check the URL and the device's DNS server");
    free(r);

    otter_script_step_t tls[] = {SCRIPT_REFUSE(OTTER_ERR_TLS_TRUST)};
    r = run_new(tls, ARRAY_LEN(tls), 0, 256);
    run_get(r, "https://h.test/fw", 4096);
    expect_explain(r, r->head_ret,
                   "TLS with 'h.test' port 443 failed: server certificate is not trusted (the TLS report names the "
                   "certificate and the reason)");
    free(r);

    otter_script_step_t stall[] = {SCRIPT_ACCEPT(), SCRIPT_STR("HTTP/1.1 206 P\r\nContent-Range: bytes 100-199/200\r\n"
                                                               "Content-Length: 100\r\n\r\nabc"),
                                   SCRIPT_READ_ERR(OTTER_ERR_TIMEOUT)};
    r = run_new(stall, ARRAY_LEN(stall), 0, 256);
    otter_http_request_t req;
    memset(&req, 0, sizeof req);
    req.url = "http://h.test/fw";
    req.range_start = 100;
    run_req(r, &req, 4096);
    expect_explain(r, r->read_ret,
                   "the download from 'h.test' port 80 stalled after 3 body bytes (nothing for 10000 ms); it can "
                   "resume from there");
    free(r);

    otter_script_step_t down[] = {SCRIPT_ACCEPT(),
                                  SCRIPT_STR("HTTP/1.1 301 Moved\r\nLocation: http://h.test/fw\r\n\r\n")};
    r = run_new(down, ARRAY_LEN(down), 0, 256);
    run_get(r, "https://h.test/fw", 4096);
    expect_explain(r, r->head_ret,
                   "the server 'h.test' port 443 redirects from https to plain http (http://h.test/fw), which otter "
                   "refuses: make it redirect to https");
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_explain),
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
        cmocka_unit_test(test_keep_alive_surplus_body),
        cmocka_unit_test(test_stalls_and_resets),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_one_operation_per_call),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
