/* Fuzz target: the HTTP client's response parsing (status line, headers,
 * framing, chunked decoding, redirects, range checks). Input byte 0 picks the
 * transport's bytes per read, byte 1 the work buffer size (bits 0-4) and
 * whether the request has credentials (0x20), is a HEAD (0x40), a resumed
 * range request (0x80); the rest is what the server sends
 * (replayed on every connection, so redirects are exercised too). */
#include <stdint.h>
#include <string.h>

#include "otter/error.h"
#include "otter/http.h"
#include "script_transport.c" /* test support, included: fuzz targets link no test code */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t max_read = data[0] & 15;
    size_t buf_len = 64 + (size_t)(data[1] & 31) * 32;
    uint8_t flags = data[1];
    data += 2;
    size -= 2;
    /* The input on every connection, max_read bytes per read, then a
     * close; short writes; time advances 1 ms per read. */
    const otter_script_step_t steps[] = {SCRIPT_ACCEPT(), SCRIPT_BYTES(data, size)};
    otter_script_transport_t sc;
    otter_transport_t t;
    otter_script_init(&sc, steps, 2, &t);
    sc.loop = true;
    sc.max_read = max_read;
    sc.write_short_by = 7;
    otter_fake_clock_t fc;
    otter_clock_t clk;
    otter_fake_clock_init(&fc, &clk);
    fc.now_ms = 0;
    clk.wall_time = NULL;
    sc.clock = &fc;
    sc.ms_per_read = 1;
    otter_http_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.tcp = &t;
    cfg.tls = &t;
    cfg.clock = &clk;
    cfg.overall_timeout_ms = 1000000;
    static uint8_t buf[1024 + 64];
    static uint8_t body[512];
    otter_http_t h;
    otter_http_init(&h, &cfg, buf, buf_len);
    otter_http_request_t req;
    memset(&req, 0, sizeof req);
    req.url = "https://fuzz.test/dir/fw.bin?x=1";
    req.head = (flags & 0x40) != 0;
    if (flags & 0x20)
        req.basic_auth = "user:password";
    if (flags & 0x80) {
        req.range_start = 100;
        req.if_range = "\"etag\"";
        req.expected_total = 1000;
    }
    int ret = otter_http_request(&h, &req);
    while (ret == 0) {
        int n = otter_http_read(&h, body, sizeof body);
        if (n == OTTER_ERR_HTTP_AGAIN)
            continue;
        if (n <= 0)
            break;
    }
    otter_http_free(&h);
    return 0;
}
