/* bench: network model in virtual time (see vtime_net.h). */
#include "vtime_net.h"

#include <string.h>

void vnet_init(vnet_t *n, otter_norsim_t *sim, double rate, uint32_t window)
{
    memset(n, 0, sizeof *n);
    n->sim = sim;
    n->rate = rate;
    n->window = window;
    n->segment = 1460;
}

/* Bring arrival up to the current virtual time. */
static void vnet_advance(vnet_t *n)
{
    uint64_t now = otter_norsim_time_us(n->sim);
    if (!n->started) {
        n->started = 1;
        n->t_us = now;
    }
    if (now > n->t_us) {
        n->avail += n->rate * (double)(now - n->t_us) / 1e6;
        if (n->avail > n->window)
            n->avail = n->window;
        n->t_us = now;
    }
}

uint32_t vnet_take(vnet_t *n, uint32_t want)
{
    vnet_advance(n);
    uint32_t need = want < n->segment ? want : n->segment;
    if (n->avail < need) {
        uint64_t us = (uint64_t)((need - n->avail) * 1e6 / n->rate) + 1;
        otter_norsim_advance_us(n->sim, us);
        n->wait_us += us;
        vnet_advance(n);
    }
    uint32_t got = n->avail < want ? (uint32_t)n->avail : want;
    if (got == 0)
        got = 1;
    n->avail -= got;
    if (n->avail < 0)
        n->avail = 0;
    return got;
}

static int vnet_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    vnet_t *n = ctx;
    return n->inner.connect(n->inner.ctx, host, port, timeout_ms);
}

static int vnet_read(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    vnet_t *n = ctx;
    uint32_t want = len > 65536 ? 65536 : (uint32_t)len;
    uint32_t take = vnet_take(n, want);
    int r = n->inner.read(n->inner.ctx, buf, take, timeout_ms);
    /* Give back what the inner transport did not deliver (end of response). */
    if (r >= 0 && (uint32_t)r < take)
        n->avail += take - (uint32_t)r;
    else if (r < 0)
        n->avail += take;
    return r;
}

static int vnet_write(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    vnet_t *n = ctx;
    return n->inner.write(n->inner.ctx, buf, len, timeout_ms);
}

static void vnet_close(void *ctx)
{
    vnet_t *n = ctx;
    n->inner.close(n->inner.ctx);
}

otter_transport_t vnet_transport(vnet_t *n, const otter_transport_t *inner)
{
    n->inner = *inner;
    otter_transport_t t = {vnet_connect, vnet_read, vnet_write, vnet_close, n};
    return t;
}
