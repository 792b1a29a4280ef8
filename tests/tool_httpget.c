/* Test client: fetches URLs through otter's HTTP client (POSIX TCP, and TLS
 * or a CONNECT proxy when available) and reports exactly what happened, one
 * line per URL on stdout:
 *   result=<ERRNAME|OK> status=S bytes=N redirects=R phase=P connects=C
 *   reuses=U length=L etag=E
 * Body bytes go to -o FILE (truncated per URL). Several URLs are fetched in
 * order on one client context (keep-alive reuse is visible in reuses=).
 *
 * Options: -o FILE, -b BUFSIZE (HTTP work buffer, default 1024),
 * -r READSIZE (bytes per otter_http_read, default 4096), -s RANGE_START,
 * -l RANGE_LEN, -i IF_RANGE, -t EXPECTED_TOTAL, -I (HEAD), -T STALL_MS,
 * -C CONNECT_MS, -D OVERALL_MS, -R MAX_REDIRECTS (0 = none), -e (events to
 * stderr), -x http://[user:pass@]proxy:port (CONNECT proxy). Exit status 0
 * when every URL succeeded, 1 otherwise, 2 on usage errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otter/error.h"
#include "otter/http.h"
#include "otter/proxy.h"
#include "otter/url.h"
#include "posix_clock.h"
#include "posix_tcp.h"

typedef struct counts {
    int connects, reuses, retries;
    int print;
} counts_t;

static void on_event(void *arg, const otter_http_event_t *ev)
{
    counts_t *c = arg;
    static const char *names[] = {"connect", "reuse", "retry", "redirect", "head"};
    if (ev->type == OTTER_HTTP_EV_CONNECT)
        c->connects++;
    if (ev->type == OTTER_HTTP_EV_REUSE)
        c->reuses++;
    if (ev->type == OTTER_HTTP_EV_RETRY)
        c->retries++;
    if (c->print)
        fprintf(stderr, "event %s host=%s port=%u status=%u hop=%u url=%s\n", names[ev->type],
                ev->host ? ev->host : "", ev->port, ev->status, ev->hop, ev->url ? ev->url : "");
}

static const char *phase_name(otter_http_phase_t p)
{
    static const char *names[] = {"idle", "connect", "send", "head", "redirect", "body", "done"};
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "?";
}

static unsigned long long num(const char *s)
{
    return strtoull(s, NULL, 0);
}

typedef struct opts {
    const char *out;
    size_t bufsize, readsize;
    otter_http_request_t req;
    const char *proxy;
} opts_t;

static int fetch(otter_http_t *h, const opts_t *o, const char *url, counts_t *c)
{
    otter_http_request_t req = o->req;
    req.url = url;
    FILE *f = NULL;
    if (o->out != NULL && (f = fopen(o->out, "wb")) == NULL) {
        perror(o->out);
        return 2;
    }
    uint8_t *rb = malloc(o->readsize);
    int ret = otter_http_request(h, &req);
    while (ret == 0) {
        int n = otter_http_read(h, rb, o->readsize);
        if (n == OTTER_ERR_HTTP_AGAIN)
            continue;
        if (n <= 0) {
            ret = n;
            break;
        }
        if (f != NULL && fwrite(rb, 1, (size_t)n, f) != (size_t)n) {
            perror(o->out);
            ret = OTTER_ERR_FILE;
        }
    }
    free(rb);
    if (f != NULL)
        fclose(f);
    const otter_http_detail_t *d = otter_http_detail(h);
    const otter_http_response_t *r = otter_http_response(h);
    printf("result=%s status=%u bytes=%llu redirects=%u phase=%s connects=%d reuses=%d retries=%d length=%lld "
           "etag=%s\n",
           otter_errname(ret), d->status, (unsigned long long)d->body_bytes, d->redirects, phase_name(d->phase),
           c->connects, c->reuses, c->retries, r->has_length ? (long long)r->content_length : -1LL, r->etag);
    return ret == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    opts_t o;
    memset(&o, 0, sizeof o);
    o.bufsize = 1024;
    o.readsize = 4096;
    otter_http_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    counts_t c = {0, 0, 0, 0};
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        char opt = argv[i][1];
        if (opt == 'I' || opt == 'e') {
            if (opt == 'I')
                o.req.head = true;
            else
                c.print = 1;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "tool_httpget: %s needs a value\n", argv[i]);
            return 2;
        }
        const char *v = argv[++i];
        switch (opt) {
        case 'o': o.out = v; break;
        case 'b': o.bufsize = (size_t)num(v); break;
        case 'r': o.readsize = (size_t)num(v); break;
        case 's': o.req.range_start = num(v); break;
        case 'l': o.req.range_len = num(v); break;
        case 'i': o.req.if_range = v; break;
        case 't': o.req.expected_total = num(v); break;
        case 'T': cfg.read_timeout_ms = (uint32_t)num(v); break;
        case 'C': cfg.connect_timeout_ms = (uint32_t)num(v); break;
        case 'D': cfg.overall_timeout_ms = (uint32_t)num(v); break;
        case 'R': cfg.max_redirects = num(v) == 0 ? 255 : (uint8_t)num(v); break;
        case 'x': o.proxy = v; break;
        default:
            fprintf(stderr, "tool_httpget: unknown option %s\n", argv[i - 1]);
            return 2;
        }
    }
    if (i >= argc || o.readsize == 0) {
        fprintf(stderr, "usage: tool_httpget [options] URL...\n");
        return 2;
    }
    otter_posix_tcp_t tcp;
    otter_transport_t tcp_t, proxy_t;
    otter_posix_tcp_init(&tcp, &tcp_t);
    otter_proxy_t proxy;
    cfg.tcp = &tcp_t;
    if (o.proxy != NULL) {
        if (otter_proxy_init_url(&proxy, &tcp_t, o.proxy, &proxy_t) != 0) {
            fprintf(stderr, "tool_httpget: bad proxy URL %s\n", o.proxy);
            return 2;
        }
        cfg.tcp = &proxy_t;
    }
    otter_clock_t clk;
    otter_posix_clock_init(&clk);
    cfg.clock = &clk;
    cfg.on_event = on_event;
    cfg.event_arg = &c;
    uint8_t *buf = malloc(o.bufsize ? o.bufsize : 1);
    otter_http_t *h = malloc(sizeof *h);
    otter_http_init(h, &cfg, buf, o.bufsize);
    int rc = 0;
    for (; i < argc; i++) {
        int r = fetch(h, &o, argv[i], &c);
        if (r > rc)
            rc = r;
    }
    otter_http_free(h);
    otter_posix_tcp_free(&tcp);
    free(h);
    free(buf);
    return rc;
}
