/* The release index on the command line (index_cli.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certchain.h"
#include "cli.h"
#include "host_error.h"
#include "index_cli.h"
#include "otter/tls.h"
#include "posix_clock.h"
#include "posix_rng.h"
#include "posix_tcp.h"

bool index_cli_opt(int argc, char **argv, int *i, index_cli_t *o)
{
    const char *v;
    if ((v = cli_opt(argc, argv, i, "--key"))) {
        if (o->n_keys < OTTER_INDEX_MAX_KEYS)
            o->keys[o->n_keys] = v;
        o->n_keys++; /* too many: refused by index_cli_poll() */
    } else if ((v = cli_opt(argc, argv, i, "--ca")))
        o->ca = v;
    else if ((v = cli_opt(argc, argv, i, "--seq")))
        o->seq = v;
    else if ((v = cli_opt(argc, argv, i, "--now")))
        o->now = v;
    else if ((v = cli_opt(argc, argv, i, "--etag")))
        o->etag = v;
    else if (!strcmp(argv[*i], "--no-time"))
        o->no_time = true;
    else if (!strcmp(argv[*i], "--accept-without-time"))
        o->accept_without_time = true;
    else
        return release_device_opt(argc, argv, i, &o->dev);
    return true;
}

typedef struct cli_clock {
    otter_clock_t host;
    int64_t wall; /* INT64_MIN: the host's */
    bool none;
} cli_clock_t;

static uint64_t mono(void *ctx)
{
    cli_clock_t *c = ctx;
    return c->host.now_ms(c->host.ctx);
}

static int64_t wall(void *ctx)
{
    cli_clock_t *c = ctx;
    if (c->none)
        return -1;
    return c->wall != INT64_MIN ? c->wall : (int64_t)time(NULL);
}

/* The poll to its end over these transports. */
static int run(otter_index_poll_t *p, const char *url, const char *etag)
{
    int ret = otter_index_poll_begin(p, url, etag);
    while (ret == 0 || ret == OTTER_INDEX_POLL_MORE) {
        ret = otter_index_poll_step(p);
        if (ret == 0)
            break;
    }
    otter_index_poll_free(p); /* the transports die with the caller's frame */
    return ret;
}

int index_cli_poll(const index_cli_t *o, otter_index_poll_t *p, index_cli_bufs_t *bufs, otter_index_record_t *rec,
                   const otter_flash_t *flash, const otter_trust_store_t *trust)
{
    if (!o->url || !o->n_keys)
        return cli_usage_err("--index URL needs the release key(s) the device trusts: --key PUB.pem");
    if (o->n_keys > OTTER_INDEX_MAX_KEYS)
        return cli_usage_err("at most %u --key (a device knows up to three)", OTTER_INDEX_MAX_KEYS);
    int rc = cli_check_url("--index ", o->url);
    for (unsigned i = 0; rc == 0 && i < o->n_keys; i++)
        rc = release_load_point(o->keys[i], &bufs->keys[i], NULL);
    uint64_t seq = 0;
    cli_clock_t clock = {.wall = INT64_MIN, .none = o->no_time};
    if (rc == 0 && o->seq)
        rc = release_parse_num("--seq", o->seq, INT64_MAX, &seq);
    if (rc == 0 && o->now)
        rc = release_parse_date("--now", o->now, &clock.wall);
    otter_index_poll_config_t c;
    memset(&c, 0, sizeof c);
    if (rc == 0 && o->dev.running)
        rc = release_device(&o->dev, &c.device, bufs->id);
    if (rc)
        return rc;
    if (seq > rec->seq)
        rec->seq = seq; /* what the device accepted before (in RAM: --seq describes it) */
    otter_posix_clock_init(&clock.host);
    otter_clock_t clk = {.now_ms = mono, .wall_time = wall, .ctx = &clock};
    otter_posix_tcp_t tcp;
    otter_transport_t tcp_t, tls_t;
    otter_posix_tcp_init(&tcp, &tcp_t);
    otter_tls_t tls;
    otter_tls_init(&tls);
    uint8_t work[4096];
    /* https:// without --ca: the system's CA bundle, as otter device does. */
    const char *ca_file = o->ca ? o->ca : !strncmp(o->url, "https://", 8) ? OTTER_CERTSTORE_SYSTEM : NULL;
    if (ca_file) {
        size_t ca_len = 0;
        uint8_t *ca = cli_read_file(ca_file, &ca_len);
        if (!ca) {
            otter_posix_tcp_free(&tcp);
            return cli_err("cannot read %s (give the device's CA bundle with --ca FILE)", ca_file);
        }
        otter_tls_config_t tc = {.lower = &tcp_t, .clock = &clk, .entropy = otter_posix_entropy,
                                 .ca = ca, .ca_len = ca_len, .work = work, .work_len = sizeof work};
        int ret = otter_tls_setup(&tls, &tc);
        free(ca);
        if (ret) {
            otter_tls_free(&tls);
            otter_posix_tcp_free(&tcp);
            return cli_err("TLS setup: %s", otter_host_strerror(ret));
        }
        otter_tls_transport(&tls, &tls_t);
    }
    c.tcp = &tcp_t;
    c.tls = ca_file ? &tls_t : NULL;
    c.clock = &clk;
    c.record = rec;
    c.flash = flash;
    c.keys = bufs->keys;
    c.n_keys = o->n_keys;
    c.accept_without_time = o->accept_without_time;
    c.trust = trust;
    c.http_buf = bufs->http;
    c.http_buf_len = sizeof bufs->http;
    c.index_buf = bufs->index;
    c.index_buf_len = sizeof bufs->index;
    if (!o->dev.running) { /* verify only: a device that decides nothing */
        c.device.channel = "stable";
        c.device.project = "";
        c.device.running_version = "";
        c.device.id = bufs->id;
        c.device.id_len = 1;
    }
    otter_index_poll_init(p, &c);
    int ret = run(p, o->url, o->etag);
    otter_tls_free(&tls);
    otter_posix_tcp_free(&tcp);
    return ret;
}
