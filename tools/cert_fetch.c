/* Collecting a server's chain with otter_tls's collecting mode. */
#include "cert_fetch.h"

#include <stdio.h>
#include <string.h>

#include "host_error.h"
#include "otter/tls.h"
#include "posix_clock.h"
#include "posix_rng.h"
#include "posix_tcp.h"

/* The TCP transport, connecting to the real host whatever name otter_tls
 * asks for (so that --sni can differ from the address). */
struct fetch {
    otter_transport_t tcp;
    const char *host;
    otter_certset_t *chain;
};

static int f_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    struct fetch *f = ctx;
    (void)host;
    return f->tcp.connect(f->tcp.ctx, f->host, port, timeout_ms);
}

static int f_read(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    struct fetch *f = ctx;
    return f->tcp.read(f->tcp.ctx, buf, len, timeout_ms);
}

static int f_write(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    struct fetch *f = ctx;
    return f->tcp.write(f->tcp.ctx, buf, len, timeout_ms);
}

static void f_close(void *ctx)
{
    struct fetch *f = ctx;
    f->tcp.close(f->tcp.ctx);
}

static void on_cert(void *ctx, const otter_tls_collected_t *c)
{
    struct fetch *f = ctx;
    if (c->origin == OTTER_TLS_ORIGIN_SERVER)
        (void)otter_certset_add_der(f->chain, c->der, c->der_len);
}

int cert_fetch_chain(const char *host, uint16_t port, const char *sni, uint32_t timeout_ms,
                     otter_certset_t *chain, otter_tls_report_t *report)
{
    otter_posix_tcp_t tcp;
    struct fetch f = {.host = host, .chain = chain};
    otter_posix_tcp_init(&tcp, &f.tcp);
    otter_transport_t lower = {.connect = f_connect, .read = f_read, .write = f_write, .close = f_close,
                               .ctx = &f};
    otter_clock_t clock;
    otter_posix_clock_init(&clock);
    otter_tls_report_t local;
    otter_tls_t tls_ctx, *tls = &tls_ctx;
    otter_tls_config_t cfg = {.lower = &lower, .clock = &clock, .entropy = otter_posix_entropy,
                              .report = report ? report : &local, .flags = OTTER_TLS_COLLECT,
                              .collect = on_cert, .collect_ctx = &f};
    otter_tls_init(tls);
    int ret = otter_tls_setup(tls, &cfg);
    size_t before = chain->count;
    if (ret == 0)
        ret = otter_tls_connect(tls, sni ? sni : host, port, timeout_ms);
    otter_tls_free(tls);
    otter_posix_tcp_free(&tcp);
    snprintf(chain->source, sizeof chain->source, "server");
    /* The verdict does not matter here: nothing is trusted when collecting. */
    if (chain->count > before)
        return 0;
    return ret < 0 && cfg.report->verified == 0 ? ret : OTTER_ERR_CERT_NONE;
}
