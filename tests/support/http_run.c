/* Test helper for the HTTP client tests (see http_run.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http_run.h"
#include "otter/error.h"

run_t *run_new(const otter_script_step_t *steps, size_t n, size_t max_read, size_t buf_len)
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
void run_config(run_t *r, size_t buf_len)
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

void run_req(run_t *r, const otter_http_request_t *req, size_t read_len)
{
    r->head_ret = otter_http_request(&r->h, req);
    run_body(r, read_len);
}

void run_get(run_t *r, const char *url, size_t read_len)
{
    otter_http_request_t req;
    memset(&req, 0, sizeof req);
    req.url = url;
    run_req(r, &req, read_len);
}


void run_expect_log(const run_t *r, const char *want)
{
    size_t n = strlen(want);
    if (r->sc.log_len != n || memcmp(r->log, want, n) != 0)
        fail_msg("client wrote:\n%.*s\nwant:\n%s", (int)r->sc.log_len, (const char *)r->log, want);
}

