/* otter fetch: the lean download path, for benchmarks and quick checks.
 *
 *   otter fetch URL --flash FILE [--ca PEM] [--slot SLOT | --offset N]
 *               [--buffer N] [--create SIZE] [--json]
 *
 * Downloads URL with otter's own HTTP client over otter's TLS (or plain TCP
 * for http://), hashes the body with SHA-256 and programs it into a NOR
 * simulator flash file, erasing 4 KB sectors just ahead of the write pointer
 * (never the whole region up front). No image checks, no otadata switch:
 * that is `otter device`. Prints one line:
 *   sha256 <hex> bytes <n> flash <FILE>@0x<offset> ms <wall>
 * (or a JSON object with --json). Exit 0 on success, 1 on any failure. */
#include <stdbool.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "norsim.h"
#include "otter/crypto.h"
#include "host_error.h"
#include "otter/http.h"
#include "otter/partition.h"
#include "otter/tls.h"
#include "posix_clock.h"
#include "posix_rng.h"
#include "posix_tcp.h"

typedef struct fetch_opts {
    const char *url;
    const char *flash;
    const char *ca;
    const char *slot;
    uint64_t offset;
    uint64_t buffer;
    uint64_t create;
    int json;
} fetch_opts_t;

/* Where the body goes and how far the flash is erased. */
typedef struct fetch_sink {
    otter_flash_t flash;
    uint32_t base, limit; /* region [base, limit) */
    uint32_t pos;         /* next byte to program */
    uint32_t erased_to;   /* [base, erased_to) is erased */
    otter_sha256_t sha;
} fetch_sink_t;

static int usage(void)
{
    fputs("usage: otter fetch URL --flash FILE [--ca PEM] [--slot SLOT | --offset N]\n"
          "                   [--buffer N] [--create SIZE] [--json]\n"
          "Download URL (otter's HTTP + TLS), SHA-256 it and program it into a simulated\n"
          "NOR flash file, erasing sector by sector just ahead of the write pointer.\n"
          "  --ca PEM       trusted CA certificate(s) for https (required for https)\n"
          "  --slot SLOT    write into this partition: ota_0..ota_15, factory, or a label (app1)\n"
          "  --offset N     write at this flash offset instead (default 0)\n"
          "  --buffer N     body read buffer in bytes (default 4096)\n"
          "  --create SIZE  create the flash file, erased, if it does not exist\n"
          "  --json         print the result as one JSON object\n",
          stdout);
    return CLI_EXIT_OK;
}

static int parse_opts(int argc, char **argv, fetch_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->buffer = 4096;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 1;
        if ((v = cli_opt(argc, argv, &i, "--flash")))
            o->flash = v;
        else if ((v = cli_opt(argc, argv, &i, "--ca")))
            o->ca = v;
        else if ((v = cli_opt(argc, argv, &i, "--slot")))
            o->slot = v;
        else if ((v = cli_opt(argc, argv, &i, "--offset"))) {
            if (cli_parse_size(v, &o->offset))
                return cli_usage_err("fetch: bad --offset '%s'", v);
        } else if ((v = cli_opt(argc, argv, &i, "--buffer"))) {
            if (cli_parse_size(v, &o->buffer) || o->buffer < 256 || o->buffer > (1u << 20))
                return cli_usage_err("fetch: --buffer must be 256 bytes to 1 MB");
        } else if ((v = cli_opt(argc, argv, &i, "--create"))) {
            if (cli_parse_size(v, &o->create))
                return cli_usage_err("fetch: bad --create '%s'", v);
        } else if (!strcmp(argv[i], "--json"))
            o->json = 1;
        else if (argv[i][0] == '-')
            return cli_usage_err("fetch: unknown option '%s'", argv[i]);
        else if (!o->url)
            o->url = argv[i];
        else
            return cli_usage_err("fetch: more than one URL");
    }
    if (!o->url || !o->flash)
        return cli_usage_err("fetch: need URL and --flash FILE (see otter fetch --help)");
    return cli_check_url("fetch: ", o->url);
}

/* Open (and maybe create) the flash file and find the region to write. */
static int open_region(const fetch_opts_t *o, otter_norsim_t *sim, fetch_sink_t *s, bool *created)
{
    FILE *f = fopen(o->flash, "rb");
    if (f)
        fclose(f);
    else if (o->create) {
        *created = true; /* removed again if the fetch fails */
        if (o->create > 0xFFFFFFFFu || otter_norsim_create(o->flash, (uint32_t)o->create))
            return cli_err("fetch: cannot create %s of %llu bytes", o->flash,
                           (unsigned long long)o->create);
    }
    if (cli_can_open(o->flash))
        return CLI_EXIT_FAIL;
    int rc = otter_norsim_open(sim, o->flash, NULL);
    if (rc)
        return cli_err("fetch: %s: %s", o->flash, otter_host_strerror(rc));
    s->flash = otter_norsim_flash(sim);
    if (o->slot) {
        otter_ptable_t pt;
        otter_ptable_init(&pt);
        rc = otter_ptable_read(&pt, &s->flash);
        if (rc)
            return cli_err("fetch: %s: partition table: %s", o->flash, otter_host_strerror(rc));
        const otter_partition_t *p = cli_find_slot(&pt, o->slot);
        if (!p)
            return cli_err("fetch: %s: the partition table has no slot '%s' (give ota_0..ota_15, factory, or a label)",
                           o->flash, o->slot);
        s->base = p->offset;
        s->limit = p->offset + p->size;
    } else {
        if (o->offset % s->flash.sector_size || o->offset >= s->flash.size)
            return cli_err("fetch: --offset must be sector-aligned and inside the flash");
        s->base = (uint32_t)o->offset;
        s->limit = s->flash.size;
    }
    s->pos = s->erased_to = s->base;
    return 0;
}

/* Program n bytes at the write pointer, erasing the sectors it reaches
 * first (one sector at a time, just ahead). */
static int sink_write(fetch_sink_t *s, const uint8_t *p, size_t n)
{
    if (n > s->limit - s->pos)
        return OTTER_ERR_UPD_TOO_LARGE;
    while (s->erased_to < s->pos + n) {
        int rc = s->flash.erase(s->flash.ctx, s->erased_to, s->flash.sector_size);
        if (rc)
            return rc;
        s->erased_to += s->flash.sector_size;
    }
    int rc = s->flash.program(s->flash.ctx, s->pos, p, n);
    if (rc)
        return rc;
    otter_sha256_update(&s->sha, p, n);
    s->pos += (uint32_t)n;
    return 0;
}

/* Read a whole (small) file into a buffer of exactly its size plus a NUL:
 * the benchmark's heap figure is about mbedTLS, so the CLI keeps its own
 * allocations small. NULL (printed) on failure. */
static uint8_t *read_exact(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_err("fetch: cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    uint8_t *buf = NULL;
    if (n >= 0 && n < (1L << 24) && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    if (!buf) {
        cli_err("fetch: cannot read %s", path);
        return NULL;
    }
    buf[n] = 0;
    *len = (size_t)n;
    return buf;
}

/* GET the URL and stream the body into the sink. */
static int download(const fetch_opts_t *o, fetch_sink_t *s, uint8_t *buf, size_t buf_len)
{
    otter_clock_t clock;
    otter_posix_clock_init(&clock);
    otter_posix_tcp_t tcp;
    otter_transport_t tcp_t;
    otter_posix_tcp_init(&tcp, &tcp_t);

    size_t ca_len = 0;
    uint8_t *ca = NULL;
    if (o->ca && !(ca = read_exact(o->ca, &ca_len))) {
        otter_posix_tcp_free(&tcp);
        return CLI_EXIT_FAIL;
    }
    uint8_t work[4096];
    otter_tls_t tls;
    otter_tls_init(&tls);
    otter_transport_t tls_t;
    int have_tls = 0;
    if (ca) {
        otter_tls_config_t tc = {.lower = &tcp_t, .clock = &clock, .entropy = otter_posix_entropy,
                                 .ca = ca, .ca_len = ca_len, .work = work, .work_len = sizeof work};
        int rc = otter_tls_setup(&tls, &tc);
        free(ca);
        if (rc) {
            otter_tls_free(&tls);
            otter_posix_tcp_free(&tcp);
            return cli_err("fetch: TLS setup: %s", otter_host_strerror(rc));
        }
        otter_tls_transport(&tls, &tls_t);
        have_tls = 1;
    }
    otter_http_config_t hc = {.tcp = &tcp_t, .tls = have_tls ? &tls_t : NULL, .clock = &clock};
    uint8_t head[1024];
    otter_http_t http;
    otter_http_init(&http, &hc, head, sizeof head);
    int rc = otter_http_get(&http, o->url, 0, NULL);
    if (rc == 0) {
        const otter_http_response_t *r = otter_http_response(&http);
        if (r->has_length && r->content_length > s->limit - s->base) {
            otter_http_free(&http);
            otter_tls_free(&tls);
            otter_posix_tcp_free(&tcp);
            return cli_err("fetch: %s: the image is %llu bytes, larger than the %u bytes of %s from 0x%x", o->url,
                           (unsigned long long)r->content_length, (unsigned)(s->limit - s->base),
                           o->slot ? o->slot : "the flash", (unsigned)s->base);
        }
    }
    while (rc == 0) {
        int n = otter_http_read(&http, buf, buf_len);
        if (n == OTTER_ERR_HTTP_AGAIN)
            continue;
        if (n <= 0) {
            rc = n;
            break;
        }
        rc = sink_write(s, buf, (size_t)n);
    }
    char why[512] = "";
    if (OTTER_ERR_IS_NET(rc)) /* transport, TLS, HTTP: the client says what and where */
        otter_http_explain(&http, rc, why, sizeof why);
    otter_http_free(&http);
    otter_tls_free(&tls);
    otter_posix_tcp_free(&tcp);
    if (rc == OTTER_ERR_UPD_TOO_LARGE)
        return cli_err("fetch: %s: the image is larger than the %u bytes of %s from 0x%x", o->url,
                       (unsigned)(s->limit - s->base), o->slot ? o->slot : "the flash", (unsigned)s->base);
    if (rc)
        return cli_err("fetch: %s: %s", o->url, why[0] ? why : otter_host_strerror(rc));
    return 0;
}

int otter_cmd_fetch(int argc, char **argv)
{
    fetch_opts_t o;
    int rc = parse_opts(argc, argv, &o);
    if (rc)
        return rc == 1 ? usage() : rc;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    otter_norsim_t sim;
    otter_norsim_init(&sim);
    fetch_sink_t s;
    memset(&s, 0, sizeof s);
    otter_sha256_init(&s.sha);
    otter_sha256_start(&s.sha);
    uint8_t *buf = malloc((size_t)o.buffer);
    if (!buf)
        return cli_err("fetch: out of memory");
    bool created = false;
    rc = open_region(&o, &sim, &s, &created);
    if (!rc)
        rc = download(&o, &s, buf, (size_t)o.buffer);
    free(buf);
    uint8_t digest[32];
    otter_sha256_finish(&s.sha, digest);
    otter_sha256_free(&s.sha);
    otter_norsim_close(&sim);
    if (rc && created) {
        /* --create made the file for this fetch: do not leave it behind */
        size_t n = strlen(o.flash);
        char *wear = malloc(n + 6);
        remove(o.flash);
        if (wear) {
            memcpy(wear, o.flash, n);
            memcpy(wear + n, ".wear", 6);
            remove(wear);
            free(wear);
        }
    }
    if (rc)
        return rc;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    uint32_t bytes = s.pos - s.base;
    if (o.json) {
        printf("{\"sha256\":\"");
        cli_print_hex(stdout, digest, sizeof digest);
        printf("\",\"bytes\":%u,\"flash\":", bytes);
        cli_json_str(stdout, o.flash);
        printf(",\"offset\":%u,\"wall_ms\":%.1f}\n", s.base, ms);
    } else {
        printf("sha256 ");
        cli_print_hex(stdout, digest, sizeof digest);
        printf(" bytes %u flash %s@0x%x ms %.1f\n", bytes, o.flash, s.base, ms);
    }
    return CLI_EXIT_OK;
}
