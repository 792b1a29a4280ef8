/* Fuzz target: the CONNECT proxy's answer parser. Byte 0 picks how many
 * bytes the transport delivers per read (the proxy asks for one at a time);
 * the rest is the proxy's answer followed by whatever the tunnel carries. */
#include <stdint.h>
#include <string.h>

#include "otter/error.h"
#include "otter/proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct replay {
    const uint8_t *data;
    size_t size, off;
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
    if (r->off == r->size)
        return OTTER_ERR_CLOSED;
    size_t n = r->size - r->off < len ? r->size - r->off : len;
    memcpy(buf, r->data + r->off, n);
    r->off += n;
    return (int)n;
}

static int rp_write(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    (void)ctx;
    (void)buf;
    (void)timeout_ms;
    return (int)len;
}

static void rp_close(void *ctx)
{
    (void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    replay_t rp = {data, size, 0};
    otter_transport_t inner = {rp_connect, rp_read, rp_write, rp_close, &rp};
    otter_transport_t t;
    otter_proxy_t p;
    if (otter_proxy_init_url(&p, &inner, "http://u:p%40ss@proxy.test:3128", &t) != 0)
        __builtin_trap();
    int ret = t.connect(t.ctx, "h.test", 443, 1000);
    if (ret == 0) {
        /* the answer must have ended at an empty line, within bounds */
        if (rp.off < 4 || rp.off > OTTER_PROXY_HEAD_MAX || data[rp.off - 1] != '\n')
            __builtin_trap();
        uint8_t b[64];
        (void)t.read(t.ctx, b, sizeof b, 10);
    } else if (ret != OTTER_ERR_PROXY && ret != OTTER_ERR_CLOSED) {
        __builtin_trap();
    }
    t.close(t.ctx);
    return 0;
}
