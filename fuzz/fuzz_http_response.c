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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A transport that plays the input on every connection, max_read bytes per
 * read, then reports a close; time advances 1 ms per read. */
typedef struct replay {
    const uint8_t *data;
    size_t size, off, max_read;
    uint64_t now;
} replay_t;

static int rp_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    (void)host;
    (void)port;
    (void)timeout_ms;
    ((replay_t *)ctx)->off = 0;
    return 0;
}

static int rp_read(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    replay_t *r = ctx;
    (void)timeout_ms;
    r->now++;
    size_t n = r->size - r->off;
    if (n == 0)
        return OTTER_ERR_CLOSED;
    if (n > len)
        n = len;
    if (r->max_read && n > r->max_read)
        n = r->max_read;
    memcpy(buf, r->data + r->off, n);
    r->off += n;
    return (int)n;
}

static int rp_write(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    (void)ctx;
    (void)buf;
    (void)timeout_ms;
    return (int)(len > 7 ? len - 7 : len); /* short writes */
}

static void rp_close(void *ctx)
{
    (void)ctx;
}

static uint64_t rp_now(void *ctx)
{
    return ((replay_t *)ctx)->now;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t max_read = data[0] & 15;
    size_t buf_len = 64 + (size_t)(data[1] & 31) * 32;
    uint8_t flags = data[1];
    data += 2;
    size -= 2;
    replay_t rp = {data, size, 0, max_read, 0};
    otter_transport_t t = {rp_connect, rp_read, rp_write, rp_close, &rp};
    otter_clock_t clk = {rp_now, NULL, &rp};
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
