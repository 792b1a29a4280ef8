/* Test client: fetches URLs through otter's HTTP client (POSIX TCP, and TLS
 * or a CONNECT proxy when available) and reports exactly what happened, one
 * line per URL on stdout:
 *   result=<ERRNAME|OK> status=S bytes=N redirects=R phase=P connects=C
 *   reuses=U retries=T length=L etag=E lm=LAST_MODIFIED
 *   why: <otter_http_explain() sentence>
 * Body bytes go to -o FILE (truncated per URL). Several URLs are fetched in
 * order on one client context (keep-alive reuse is visible in reuses=).
 *
 * Options: -o FILE, -b BUFSIZE (HTTP work buffer, default 1024),
 * -r READSIZE (bytes per otter_http_read, default 4096), -s RANGE_START,
 * -l RANGE_LEN, -i IF_RANGE, -t EXPECTED_TOTAL, -I (HEAD), -T STALL_MS,
 * -C CONNECT_MS, -D OVERALL_MS, -R MAX_REDIRECTS (0 = none), -e (events to
 * stderr), -x http://[user:pass@]proxy:port (CONNECT proxy), -c CA.pem
 * (enables https:// with otter's TLS over the TCP or proxy transport),
 * -w MS (pause between URLs, e.g. to let a kept-alive connection expire).
 * `tool_httpget --free-port` / `--free-port6` print a free loopback port.
 * Exit status 0
 * when every URL succeeded, 1 otherwise, 2 on usage errors. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host_error.h"
#include "otter/http.h"
#include "otter/proxy.h"
#include "otter/tls.h"
#include "otter/url.h"
#include "posix_clock.h"
#include "posix_rng.h"
#include "posix_tcp.h"

/* Print a loopback TCP port that is free right now (IPv4, or IPv6 ::1 when
 * v6); exit 1 if none can be bound (e.g. no IPv6). */
static int free_port(int v6)
{
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    memset(&a4, 0, sizeof a4);
    memset(&a6, 0, sizeof a6);
    a4.sin_family = AF_INET;
    a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a6.sin6_family = AF_INET6;
    a6.sin6_addr = in6addr_loopback;
    struct sockaddr *sa = v6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a4;
    socklen_t len = v6 ? sizeof a6 : sizeof a4;
    if (fd < 0 || bind(fd, sa, len) != 0 || getsockname(fd, sa, &len) != 0)
        return 1;
    printf("%u\n", ntohs(v6 ? a6.sin6_port : a4.sin_port));
    close(fd);
    return 0;
}

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

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    uint8_t *buf = malloc(1 << 20);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
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
    const char *ca;
    unsigned wait_ms;
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
           "etag=%s lm=%s\n",
           otter_errname(ret), d->status, (unsigned long long)d->body_bytes, d->redirects, phase_name(d->phase),
           c->connects, c->reuses, c->retries, r->has_length ? (long long)r->content_length : -1LL, r->etag,
           r->last_modified);
    char why[512];
    otter_http_explain(h, ret, why, sizeof why);
    printf("why: %s\n", why);
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
    if (argc == 2 && strcmp(argv[1], "--free-port") == 0)
        return free_port(0);
    if (argc == 2 && strcmp(argv[1], "--free-port6") == 0)
        return free_port(1);
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
        case 'w': o.wait_ms = (unsigned)num(v); break;
        case 'c': o.ca = v; break;
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
    otter_clock_t clk;
    otter_posix_clock_init(&clk);
    cfg.clock = &clk;
    cfg.tcp = &tcp_t;
    if (o.proxy != NULL) {
        if (otter_proxy_init_url(&proxy, &tcp_t, o.proxy, &proxy_t) != 0) {
            fprintf(stderr, "tool_httpget: bad proxy URL %s\n", o.proxy);
            return 2;
        }
        otter_proxy_set_clock(&proxy, &clk);
        cfg.tcp = &proxy_t;
    }
    otter_tls_t *tls = malloc(sizeof *tls);
    otter_transport_t tls_t;
    otter_tls_init(tls);
    if (o.ca != NULL) {
        size_t ca_len = 0;
        uint8_t *ca = read_file(o.ca, &ca_len);
        uint8_t work[4096];
        otter_tls_config_t tc;
        memset(&tc, 0, sizeof tc);
        tc.lower = cfg.tcp;
        tc.clock = &clk;
        tc.entropy = otter_posix_entropy;
        tc.ca = ca;
        tc.ca_len = ca_len;
        tc.work = work;
        tc.work_len = sizeof work;
        int err = ca ? otter_tls_setup(tls, &tc) : OTTER_ERR_FILE;
        free(ca);
        if (err != 0) {
            fprintf(stderr, "tool_httpget: TLS setup: %s\n", otter_errname(err));
            return 2;
        }
        otter_tls_transport(tls, &tls_t);
        cfg.tls = &tls_t;
    }
    cfg.on_event = on_event;
    cfg.event_arg = &c;
    uint8_t *buf = malloc(o.bufsize ? o.bufsize : 1);
    otter_http_t *h = malloc(sizeof *h);
    otter_http_init(h, &cfg, buf, o.bufsize);
    int rc = 0;
    for (int first = i; i < argc; i++) {
        if (i > first && o.wait_ms)
            usleep(o.wait_ms * 1000u);
        int r = fetch(h, &o, argv[i], &c);
        if (r > rc)
            rc = r;
    }
    otter_http_free(h);
    otter_tls_free(tls);
    free(tls);
    otter_posix_tcp_free(&tcp);
    free(h);
    free(buf);
    return rc;
}
