/* Test helper for the HTTP client tests: one client over the scripted
 * transport with a fake clock, the body collected. Test code only. */
#ifndef OTTER_HTTP_RUN_H
#define OTTER_HTTP_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "otter/http.h"
#include "script_transport.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* One client, its transport, clock and results (heap-allocated: big). */
typedef struct run {
    otter_script_transport_t sc;
    otter_transport_t t;
    otter_fake_clock_t fc;
    otter_clock_t clk;
    otter_http_config_t cfg; /* change, then run_config() */
    otter_http_t h;
    uint8_t buf[4096];
    uint8_t log[8192];    /* what the client wrote */
    uint8_t body[70000];  /* body of the last request */
    size_t body_len;
    int head_ret, read_ret; /* request result, last read result */
    int agains;             /* OTTER_ERR_HTTP_AGAIN count */
} run_t;

/* A client over steps[0..n) (the script is used as both tcp and tls
 * transport), max_read bytes per transport read (0: unlimited), a work
 * buffer of buf_len bytes. Free with free(). */
run_t *run_new(const otter_script_step_t *steps, size_t n, size_t max_read, size_t buf_len);
/* Re-initialise the client after changing r->cfg. */
void run_config(run_t *r, size_t buf_len);
/* Request, then read the body in read_len pieces until 0 or an error. */
void run_req(run_t *r, const otter_http_request_t *req, size_t read_len);
void run_get(run_t *r, const char *url, size_t read_len);
/* Fail the test unless the client wrote exactly want. */
void run_expect_log(const run_t *r, const char *want);

#endif
