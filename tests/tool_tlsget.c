/* tool_tlsget: connect with otter's TLS to a test server on loopback and
 * print the handshake report. Used by tests/test_tls_*.sh.
 *
 *   tool_tlsget --port P [--host NAME] [--connect ADDR] [--ca FILE]...
 *               [--pin PIN]... [--ca-for-pins] [--at YYYY-MM-DD|none] [--skip-hostname]
 *               [--json] [--get PATH [--out FILE]] [--reconnect] [--mfl N]
 *               [--timeout MS] [--tls12-only] [--bundle-ca FILE]
 *   tool_tlsget --free-port
 *   tool_tlsget --caps
 *   tool_tlsget --serve silent|close|http SECONDS
 *
 * --ca-for-pins: the --ca files only complete paths for the pins
 * (OTTER_TLS_CA_FOR_PINS). --host is the name sent as SNI and checked (default localhost); the TCP
 * connection always goes to --connect (default 127.0.0.1). --at replaces
 * the wall clock used for certificate dates ("none": no wall clock).
 * Prints the report as text, then the explanation (or one JSON object with
 * --json). Exit status: 0, or minus the otter error code (e.g. 146).
 * --bundle-ca FILE: trust FILE's roots the way ESP-IDF's certificate bundle
 * does, through otter_tls_config_t.backend_setup: a verify callback on the
 * mbedTLS config that clears NOT_TRUSTED where FILE's roots verify the chain.
 * --tls12-only: OTTER_TLS_TLS12_ONLY.
 * --caps prints what this build's TLS library can do (otter_tls_caps), one
 * "name: value" line each, for tests whose expectations depend on it. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "otter/error.h"
#include "otter/host/tls_report.h"
#include "otter/tls.h"
#include "posix_clock.h"
#include "posix_rng.h"
#include "posix_tcp.h"
#include "tlsbundle.h"

/* The POSIX TCP transport, connecting to --connect whatever host name the
 * TLS layer asks for (that name is only used for SNI and the check). */
typedef struct {
    const char *addr;
    otter_posix_tcp_t tcp;
    otter_transport_t t;
} testnet_t;

static int tn_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    testnet_t *n = ctx;
    (void)host;
    return n->t.connect(n->t.ctx, n->addr, port, timeout_ms);
}

static int tn_read(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    testnet_t *n = ctx;
    return n->t.read(n->t.ctx, buf, len, timeout_ms);
}

static int tn_write(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    testnet_t *n = ctx;
    return n->t.write(n->t.ctx, buf, len, timeout_ms);
}

static void tn_close(void *ctx)
{
    testnet_t *n = ctx;
    n->t.close(n->t.ctx);
}

static void testnet_init(testnet_t *n, otter_transport_t *t, const char *addr)
{
    n->addr = addr;
    otter_posix_tcp_init(&n->tcp, &n->t);
    t->connect = tn_connect;
    t->read = tn_read;
    t->write = tn_write;
    t->close = tn_close;
    t->ctx = n;
}

typedef struct {
    otter_clock_t host;
    int64_t at;
    int have_at;
} fake_clock_t;

static uint64_t fc_now_ms(void *ctx)
{
    fake_clock_t *fc = ctx;
    return fc->host.now_ms(fc->host.ctx);
}

static int64_t fc_wall(void *ctx)
{
    fake_clock_t *fc = ctx;
    return fc->have_at ? fc->at : fc->host.wall_time(fc->host.ctx);
}

static int64_t parse_date(const char *s)
{
    int y, m, d;
    if (strcmp(s, "none") == 0) {
        return -1;
    }
    if (sscanf(s, "%d-%d-%d", &y, &m, &d) != 3) {
        return atoll(s);
    }
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (era * 146097 + doe - 719468) * 86400;
}

static int append_file(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return -1;
    }
    uint8_t chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        *buf = realloc(*buf, *len + n + 1);
        memcpy(*buf + *len, chunk, n);
        *len += n;
    }
    fclose(f);
    return 0;
}

static void print_report(const otter_tls_report_t *r, int json)
{
    static char out[32768];
    if (json) {
        otter_tls_report_json(r, out, sizeof out);
        printf("%s\n", out);
        return;
    }
    otter_tls_report_text(r, out, sizeof out);
    fputs(out, stdout);
    otter_tls_explain(r, out, sizeof out);
    printf("explain:\n%s", out);
}

/* Send a GET and print the status line and the number of bytes received;
 * with out, write the body (everything after the blank line) to it. */
static int do_get(otter_transport_t *t, const char *host, const char *path, FILE *out)
{
    char req[512];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host);
    int w = t->write(t->ctx, (const uint8_t *)req, (size_t)n, 5000);
    if (w != n) {
        return w < 0 ? w : OTTER_ERR_NET_IO;
    }
    static uint8_t buf[16384];
    size_t total = 0, body = 0;
    char first[128] = "";
    int state = 0; /* bytes of "\r\n\r\n" matched; 4 = in the body */
    for (;;) {
        int r = t->read(t->ctx, buf, sizeof buf, 5000);
        if (r == OTTER_ERR_CLOSED) {
            break;
        }
        if (r < 0) {
            return r;
        }
        if (total == 0) {
            size_t l = 0;
            while (l < (size_t)r && l < sizeof first - 1 && buf[l] != '\r' && buf[l] != '\n') {
                first[l] = (char)buf[l];
                l++;
            }
            first[l] = '\0';
        }
        for (int i = 0; i < r; i++) {
            if (state == 4) {
                if (out) {
                    fwrite(buf + i, 1, (size_t)(r - i), out);
                }
                body += (size_t)(r - i);
                break;
            }
            state = buf[i] == "\r\n\r\n"[state] ? state + 1 : buf[i] == '\r' ? 1 : 0;
        }
        total += (size_t)r;
    }
    printf("response: %s\nresponse bytes: %zu\nbody bytes: %zu\n", first, total, body);
    return 0;
}

/* A misbehaving TCP server on 127.0.0.1 for the tests: prints its port,
 * then for each connection (until `seconds` pass) either never answers
 * ("silent"), closes at once ("close") or answers plain HTTP ("http"). */
static int serve(const char *mode, int seconds)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {0};
    socklen_t len = sizeof sa;
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        return 1;
    }
    printf("%d\n", ntohs(sa.sin_port));
    fflush(stdout);
    alarm((unsigned)seconds);
    for (;;) {
        int c = accept(fd, NULL, NULL);
        if (c < 0) {
            continue;
        }
        if (strcmp(mode, "close") == 0) {
            /* orderly close (FIN) right after the ClientHello: reading it
             * first avoids a reset for unread data */
            char buf[2048];
            (void)!recv(c, buf, sizeof buf, 0);
            shutdown(c, SHUT_WR);
            (void)!recv(c, buf, sizeof buf, 0);
            close(c);
        } else if (strcmp(mode, "http") == 0) {
            static const char resp[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
            char buf[512];
            (void)!recv(c, buf, sizeof buf, 0);
            (void)!send(c, resp, sizeof resp - 1, MSG_NOSIGNAL);
            close(c);
        } /* silent: keep c open, never answer */
    }
}

/* Print a TCP port that is free on 127.0.0.1 now (for servers that need
 * one in their configuration). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {0};
    socklen_t len = sizeof sa;
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        return 1;
    }
    printf("%d\n", ntohs(sa.sin_port));
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    const char *host = "localhost", *addr = "127.0.0.1", *get = NULL, *outpath = NULL;
    int port = 0, json = 0, reconnect = 0;
    uint32_t timeout = 10000, flags = 0;
    uint16_t mfl = 0;
    int (*hook)(void *, void *) = NULL;
    otter_tlsbundle_t *bundle = NULL;
    uint8_t *ca = NULL, pins[OTTER_TLS_MAX_PINS + 1][32];
    size_t ca_len = 0, npins = 0;
    fake_clock_t fc = {0};
    otter_posix_clock_init(&fc.host);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--free-port") == 0) {
            return free_port();
        } else if (strcmp(a, "--caps") == 0) {
            otter_tls_caps_t caps;
            otter_tls_caps(&caps);
            printf("backend: %s\ntls1.2: %d\ntls1.3: %d\nhs_reassembly: %d\n", caps.backend, caps.tls12,
                   caps.tls13, caps.hs_reassembly);
            return 0;
        } else if (strcmp(a, "--serve") == 0 && i + 2 < argc) {
            return serve(argv[i + 1], atoi(argv[i + 2]));
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--reconnect") == 0) {
            reconnect = 1;
        } else if (strcmp(a, "--ca-for-pins") == 0) {
            flags |= OTTER_TLS_CA_FOR_PINS;
        } else if (strcmp(a, "--tls12-only") == 0) {
            flags |= OTTER_TLS_TLS12_ONLY;
        } else if (strcmp(a, "--skip-hostname") == 0) {
            flags |= OTTER_TLS_INSECURE_SKIP_HOSTNAME_CHECK;
        } else if (!v) {
            fprintf(stderr, "tool_tlsget: %s needs a value\n", a);
            return 2;
        } else if (i++, strcmp(a, "--port") == 0) {
            port = atoi(v);
        } else if (strcmp(a, "--host") == 0) {
            host = v;
        } else if (strcmp(a, "--connect") == 0) {
            addr = v;
        } else if (strcmp(a, "--get") == 0) {
            get = v;
        } else if (strcmp(a, "--out") == 0) {
            outpath = v;
        } else if (strcmp(a, "--timeout") == 0) {
            timeout = (uint32_t)atol(v);
        } else if (strcmp(a, "--mfl") == 0) {
            mfl = (uint16_t)atoi(v);
        } else if (strcmp(a, "--at") == 0) {
            fc.at = parse_date(v);
            fc.have_at = 1;
        } else if (strcmp(a, "--ca") == 0) {
            if (append_file(v, &ca, &ca_len) != 0) {
                fprintf(stderr, "tool_tlsget: cannot read %s\n", v);
                return 2;
            }
        } else if (strcmp(a, "--bundle-ca") == 0) {
            uint8_t *pem = NULL;
            size_t pem_len = 0;
            if (append_file(v, &pem, &pem_len) != 0 || !pem) {
                fprintf(stderr, "tool_tlsget: cannot read %s\n", v);
                return 2;
            }
            bundle = otter_tlsbundle_load((const char *)pem, pem_len);
            free(pem);
            if (!bundle) {
                fprintf(stderr, "tool_tlsget: no certificate in %s\n", v);
                return 2;
            }
            hook = otter_tlsbundle_attach;
        } else if (strcmp(a, "--pin") == 0) {
            if (npins == OTTER_TLS_MAX_PINS + 1 || otter_tls_pin_parse(v, strlen(v), pins[npins]) != 0) {
                fprintf(stderr, "tool_tlsget: bad pin %s\n", v);
                return 2;
            }
            npins++;
        } else {
            fprintf(stderr, "tool_tlsget: unknown option %s\n", a);
            return 2;
        }
    }
    testnet_t net;
    otter_transport_t tcp;
    testnet_init(&net, &tcp, addr);
    otter_clock_t clock = {fc_now_ms, fc_wall, &fc};
    static otter_tls_report_t report;
    static otter_tls_t tls;
    uint8_t work[4096];
    otter_tls_config_t cfg = {
        .lower = &tcp, .clock = &clock, .entropy = otter_posix_entropy,
        .ca = ca, .ca_len = ca_len, .work = work, .work_len = sizeof work,
        .pins = (const uint8_t(*)[32])pins, .pin_count = npins,
        .report = &report, .flags = flags, .max_fragment_len = mfl,
        .backend_setup = hook, .backend_setup_ctx = bundle,
    };
    otter_tls_init(&tls);
    int err = otter_tls_setup(&tls, &cfg);
    if (err != OTTER_OK) {
        printf("setup: %s (bad CA index %d)\n", otter_errname(err), otter_tls_bad_ca_index(&tls));
        otter_tls_free(&tls);
        free(ca);
        return -err;
    }
    otter_transport_t t;
    otter_tls_transport(&tls, &t);
    for (int round = 0; round < (reconnect ? 2 : 1); round++) {
        err = t.connect(t.ctx, host, (uint16_t)port, timeout);
        print_report(&report, json);
        if (err == OTTER_OK && get) {
            FILE *out = outpath ? fopen(outpath, "wb") : NULL;
            err = do_get(&t, host, get, out);
            if (out) {
                fclose(out);
            }
        }
        t.close(t.ctx);
        if (err != OTTER_OK) {
            break;
        }
    }
    otter_tls_free(&tls);
    otter_posix_tcp_free(&net.tcp);
    free(ca);
    return -err;
}
