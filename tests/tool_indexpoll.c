/* tool_indexpoll: many simulated devices polling one server for the signed
 * release index with If-None-Match, each poll a new connection (TCP and,
 * for https, a full TLS handshake), through otter_index_poll as a device
 * runs it. For bench/run.sh ("index polls") and tests.
 *
 *   tool_indexpoll --url URL --key PUB.pem [--ca FILE] [--devices N]
 *
 * Device 0 polls without an ETag (a 200: the whole index, verified); then
 * N devices that hold its ETag poll (each a 304). Prints "name value" lines:
 * the full poll's bytes, then per 304 poll the mean bytes on the wire (TCP
 * payload both ways: TLS records included), the HTTP bytes (request and
 * response head), and the time (mean, p50, p99, in ms). Exit 0 when every
 * poll ended as expected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "norsim.h"
#include "otter/index_poll.h"
#include "otter/tls.h"
#include "posix_clock.h"
#include "posix_rng.h"
#include "posix_tcp.h"
#include "release.h"
#include "sign.h"

/* A transport that counts the bytes through another. */
typedef struct counting {
    const otter_transport_t *lower;
    uint64_t bytes;
} counting_t;

static int c_connect(void *ctx, const char *host, uint16_t port, uint32_t t)
{
    counting_t *c = ctx;
    return c->lower->connect(c->lower->ctx, host, port, t);
}

static int c_read(void *ctx, uint8_t *buf, size_t len, uint32_t t)
{
    counting_t *c = ctx;
    int n = c->lower->read(c->lower->ctx, buf, len, t);
    if (n > 0)
        c->bytes += (uint64_t)n;
    return n;
}

static int c_write(void *ctx, const uint8_t *buf, size_t len, uint32_t t)
{
    counting_t *c = ctx;
    int n = c->lower->write(c->lower->ctx, buf, len, t);
    if (n > 0)
        c->bytes += (uint64_t)n;
    return n;
}

static void c_close(void *ctx)
{
    counting_t *c = ctx;
    c->lower->close(c->lower->ctx);
}

static otter_transport_t counting_transport(counting_t *c, const otter_transport_t *lower)
{
    c->lower = lower;
    c->bytes = 0;
    otter_transport_t t = {c_connect, c_read, c_write, c_close, c};
    return t;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct bench {
    otter_index_poll_config_t cfg;
    counting_t wire, http;
    otter_index_poll_t poll;
} bench_t;

static int poll_once(bench_t *b, const char *url, const char *etag, double *ms)
{
    double t0 = now_ms();
    otter_index_poll_init(&b->poll, &b->cfg);
    int ret = otter_index_poll_begin(&b->poll, url, etag);
    while (ret == 0 || ret == OTTER_INDEX_POLL_MORE) {
        ret = otter_index_poll_step(&b->poll);
        if (ret == 0)
            break;
    }
    otter_index_poll_free(&b->poll);
    *ms = now_ms() - t0;
    return ret;
}

int main(int argc, char **argv)
{
    const char *url = NULL, *key = NULL, *ca = NULL;
    long devices = 1000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--url"))
            url = argv[i + 1];
        else if (!strcmp(argv[i], "--key"))
            key = argv[i + 1];
        else if (!strcmp(argv[i], "--ca"))
            ca = argv[i + 1];
        else if (!strcmp(argv[i], "--devices"))
            devices = strtol(argv[i + 1], NULL, 10);
    }
    if (!url || !key || devices < 1 || devices > 100000) {
        fprintf(stderr, "usage: tool_indexpoll --url URL --key PUB.pem [--ca FILE] [--devices N]\n");
        return 2;
    }
    static bench_t b;
    static otter_index_key_t pub;
    static uint8_t http_buf[2048], index_buf[OTTER_INDEX_MAX_SIZE + 1], flash_mem[0x4000], work[4096];
    otter_signkey_t k;
    otter_signkey_init(&k);
    if (otter_signkey_load(&k, key) || otter_release_key_point(&k, &pub)) {
        fprintf(stderr, "tool_indexpoll: %s: not a P-256 key\n", key);
        return 2;
    }
    otter_signkey_free(&k);
    otter_clock_t clock;
    otter_posix_clock_init(&clock);
    otter_posix_tcp_t tcp;
    otter_transport_t tcp_t, wire_t, tls_t, http_t;
    otter_posix_tcp_init(&tcp, &tcp_t);
    wire_t = counting_transport(&b.wire, &tcp_t);
    static otter_tls_t tls;
    otter_tls_init(&tls);
    if (ca) {
        size_t len = 0;
        FILE *f = fopen(ca, "rb");
        static uint8_t pem[65536];
        if (f) {
            len = fread(pem, 1, sizeof pem - 1, f);
            fclose(f);
        }
        otter_tls_config_t tc = {.lower = &wire_t, .clock = &clock, .entropy = otter_posix_entropy,
                                 .ca = pem, .ca_len = len, .work = work, .work_len = sizeof work};
        if (!len || otter_tls_setup(&tls, &tc)) {
            fprintf(stderr, "tool_indexpoll: TLS setup with %s failed\n", ca);
            return 2;
        }
        otter_tls_transport(&tls, &tls_t);
        http_t = counting_transport(&b.http, &tls_t);
    } else {
        http_t = counting_transport(&b.http, &wire_t);
    }
    memset(flash_mem, 0xFF, sizeof flash_mem);
    otter_norsim_t sim;
    otter_norsim_init(&sim);
    otter_norsim_open_mem(&sim, flash_mem, sizeof flash_mem, NULL, NULL);
    otter_flash_t flash = otter_norsim_flash(&sim);
    otter_index_record_t rec;
    otter_index_record_load(&rec, &flash, 0);
    b.cfg.tcp = ca ? NULL : &http_t;
    b.cfg.tls = ca ? &http_t : NULL;
    b.cfg.clock = &clock;
    b.cfg.record = &rec;
    b.cfg.flash = &flash;
    b.cfg.keys = &pub;
    b.cfg.n_keys = 1;
    b.cfg.device.channel = "stable";
    b.cfg.device.project = "";
    b.cfg.device.running_version = "";
    b.cfg.device.id = (const uint8_t *)"0";
    b.cfg.device.id_len = 1;
    b.cfg.http_buf = http_buf;
    b.cfg.http_buf_len = sizeof http_buf;
    b.cfg.index_buf = index_buf;
    b.cfg.index_buf_len = sizeof index_buf;
    double ms;
    int ret = poll_once(&b, url, NULL, &ms);
    if (ret != 0 || b.poll.result == OTTER_INDEX_POLL_NOT_MODIFIED || !b.poll.etag[0]) {
        fprintf(stderr, "tool_indexpoll: the first poll: %d (%s)\n", ret, otter_strerror(ret));
        return 1;
    }
    char etag[OTTER_HTTP_ETAG_MAX];
    memcpy(etag, b.poll.etag, sizeof etag);
    printf("index_bytes %lu\nfull_wire_bytes %llu\nfull_http_bytes %llu\nfull_ms %.2f\n", (unsigned long)b.poll.len,
           (unsigned long long)b.wire.bytes, (unsigned long long)b.http.bytes, ms);
    double *t = calloc((size_t)devices, sizeof *t);
    long ok = 0;
    b.wire.bytes = b.http.bytes = 0;
    double t0 = now_ms();
    for (long i = 0; i < devices; i++) {
        ret = poll_once(&b, url, etag, &t[i]);
        ok += ret == 0 && b.poll.result == OTTER_INDEX_POLL_NOT_MODIFIED;
    }
    double total = now_ms() - t0;
    qsort(t, (size_t)devices, sizeof *t, cmp_double);
    printf("devices %ld\nnot_modified %ld\n", devices, ok);
    printf("poll_wire_bytes %.1f\npoll_http_bytes %.1f\n", (double)b.wire.bytes / (double)devices,
           (double)b.http.bytes / (double)devices);
    printf("poll_ms_mean %.3f\npoll_ms_p50 %.3f\npoll_ms_p99 %.3f\ntotal_s %.2f\n", total / (double)devices,
           t[devices / 2], t[(devices * 99) / 100 < devices ? (devices * 99) / 100 : devices - 1], total / 1e3);
    free(t);
    otter_tls_free(&tls);
    otter_posix_tcp_free(&tcp);
    otter_norsim_close(&sim);
    return ok == devices ? 0 : 1;
}
