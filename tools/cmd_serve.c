/* otter serve: development HTTPS static file server with fault injection.
 *
 * Concurrency: one thread, one poll() loop, every socket non-blocking, one
 * small state machine per connection (serve_conn.c). Chosen over a thread per
 * connection because the faults are timing-driven (throttle, stall, linger):
 * with one loop they are deadlines in one place, there are no locks around
 * the shared counters (--fault-times, --max-requests), and 200+ simulated
 * devices cost one ~50 KB context each instead of a thread stack each. TLS
 * handshakes are EC P-256 by default, so one core keeps up with the
 * benchmark's device count. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "otter/error.h"
#include "pki.h"
#include "serve.h"

static const char SERVE_HELP[] =
    "usage: otter serve DIR [options]\n"
    "\n"
    "A development HTTPS server for firmware images: static files from DIR with\n"
    "GET, HEAD, Range (one range), If-Range, strong ETag, Last-Modified and\n"
    "keep-alive, plus fault injection for tests. FOR DEVELOPMENT AND TESTS ONLY:\n"
    "in production put the images on any HTTPS server, object store or CDN that\n"
    "honours Range and ETag (nginx does by default; see the README).\n"
    "\n"
    "  --port N              port (default 8443); 0 picks a free port\n"
    "  --bind ADDR           address to listen on (default 127.0.0.1)\n"
    "  --port-file FILE      write the port chosen to FILE once listening\n"
    "  --cert C --key K      server certificate (chain: leaf first) and key\n"
    "  --self-signed-for H   make a throw-away self-signed certificate for host H\n"
    "  --cert-out FILE       with --self-signed-for: write that certificate\n"
    "  --plain               plain HTTP instead of HTTPS\n"
    "  --quiet               no request log (default: one line per request on\n"
    "                        stderr: METHOD PATH RANGE|- STATUS BODY-BYTES [FAULT])\n"
    "  --max-requests N      exit after N responses\n"
    "  --idle-timeout MS     close connections idle this long (default 30000)\n"
    "\n"
    "Response shaping:\n"
    "  --content-type T      Content-Type for every file (default by extension:\n"
    "                        .html text/html, otherwise application/octet-stream)\n"
    "  --header 'N: V'       add a header line to every response (repeatable)\n"
    "  --chunked             Transfer-Encoding: chunked, no Content-Length\n"
    "  --chunk-size N        body bytes per write, i.e. per TLS record (default and\n"
    "                        max 16384; 1 sends one byte per record)\n"
    "  --etag mtime|hash|none  ETag from size+mtime (default), SHA-256 of the\n"
    "                        content, or none\n"
    "  --no-last-modified    send no Last-Modified\n"
    "\n"
    "Faults (each applies per response):\n"
    "  --throttle KBPS       send at most KBPS kilobytes (1024 B) per second per\n"
    "                        connection\n"
    "  --cut-after BYTES     close the connection after BYTES body bytes\n"
    "  --stall-after BYTES   stop sending after BYTES body bytes and hold the\n"
    "                        connection open for --stall-ms (default 30000), then close\n"
    "  --cut-at-offset N[,N...]  close the connection when a body reaches file\n"
    "                        offset N; each offset is used once, in order, so one\n"
    "                        download resuming with Range meets every cut in turn\n"
    "  --stall-at-offset N[,N...]  the same, stalling instead of closing\n"
    "  --lie-length          announce a Content-Length 4096 bytes larger than what\n"
    "                        is sent, then close\n"
    "  --redirect-to URL     302 to URL for every path; URL ending in '/' gets the\n"
    "                        path appended. '--redirect-to /p=URL' only for path /p\n"
    "  --ignore-range        answer 200 with the whole file to Range requests\n"
    "  --fault-times N       apply the faults above to the first N responses they\n"
    "                        bite on only, then serve normally (default: always)\n"
    "\n"
    "Stops cleanly on SIGTERM or SIGINT.\n";

static int parse_num(const char *opt, const char *v, int64_t min, int64_t *out)
{
    uint64_t u;
    if (cli_parse_size(v, &u) || u > (uint64_t)INT64_MAX || (int64_t)u < min) {
        cli_usage_err("serve: bad value for %s: %s", opt, v);
        return -1;
    }
    *out = (int64_t)u;
    return 0;
}

static int parse_numeric_opt(struct serve_opts *o, int argc, char **argv, int *i, int *used)
{
    static const char *const names[] = {"--port",      "--throttle",     "--cut-after",
                                        "--stall-after", "--stall-ms",   "--fault-times",
                                        "--max-requests", "--idle-timeout",
                                        "--chunk-size"};
    *used = 0;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        const char *v = cli_opt(argc, argv, i, names[k]);
        if (!v)
            continue;
        int64_t n;
        if (parse_num(names[k], v, 0, &n))
            return -1;
        *used = 1;
        switch (k) {
        case 0:
            if (n > 65535)
                return cli_usage_err("serve: --port wants 0..65535"), -1;
            o->port = (unsigned)n;
            break;
        case 1: o->throttle_bps = (uint64_t)n * 1024; break;
        case 2: o->cut_after = n; break;
        case 3: o->stall_after = n; break;
        case 4: o->stall_ms = (unsigned)(n > 3600000 ? 3600000 : n); break;
        case 5: o->fault_times = n; break;
        case 6: o->max_requests = n; break;
        case 7: o->idle_ms = (unsigned)(n < 100 ? 100 : n > 3600000 ? 3600000 : n); break;
        case 8:
            if (n < 1 || n > SERVE_BODY_CHUNK)
                return cli_usage_err("serve: --chunk-size wants 1..%d", SERVE_BODY_CHUNK), -1;
            o->chunk_size = (unsigned)n;
            break;
        }
        return 0;
    }
    return 0;
}

/* "N[,N...]" in increasing order into list. */
static int parse_offsets(const char *opt, const char *v, struct serve_offsets *list)
{
    char buf[64];
    list->n = list->next = 0;
    while (*v) {
        size_t len = strcspn(v, ",");
        uint64_t x;
        if (len == 0 || len >= sizeof buf || list->n == SERVE_MAX_OFFSETS)
            return cli_usage_err("serve: bad %s list", opt);
        memcpy(buf, v, len);
        buf[len] = 0;
        if (cli_parse_size(buf, &x) || (list->n && x <= list->at[list->n - 1]))
            return cli_usage_err("serve: %s wants increasing offsets, got %s", opt, buf);
        list->at[list->n++] = x;
        v += len + (v[len] == ',');
    }
    return list->n ? 0 : cli_usage_err("serve: empty %s list", opt);
}

static int parse_string_opt(struct serve_opts *o, int argc, char **argv, int *i)
{
    const char *v;
    if ((v = cli_opt(argc, argv, i, "--bind")))
        o->bind = v;
    else if ((v = cli_opt(argc, argv, i, "--cert-out")))
        o->cert_out = v;
    else if ((v = cli_opt(argc, argv, i, "--cert")))
        o->cert = v;
    else if ((v = cli_opt(argc, argv, i, "--key")))
        o->key = v;
    else if ((v = cli_opt(argc, argv, i, "--self-signed-for")))
        o->self_signed_for = v;
    else if ((v = cli_opt(argc, argv, i, "--port-file")))
        o->port_file = v;
    else if ((v = cli_opt(argc, argv, i, "--cut-at-offset")))
        return parse_offsets("--cut-at-offset", v, &o->cut_at);
    else if ((v = cli_opt(argc, argv, i, "--stall-at-offset")))
        return parse_offsets("--stall-at-offset", v, &o->stall_at);
    else if ((v = cli_opt(argc, argv, i, "--content-type")))
        o->content_type = v;
    else if ((v = cli_opt(argc, argv, i, "--redirect-to"))) {
        const char *eq = v[0] == '/' ? strchr(v, '=') : NULL;
        if (eq) {
            snprintf(o->redirect_path_buf, sizeof o->redirect_path_buf, "%.*s", (int)(eq - v), v);
            o->redirect_path = o->redirect_path_buf;
            o->redirect_url = eq + 1;
        } else {
            o->redirect_url = v;
        }
    } else if ((v = cli_opt(argc, argv, i, "--header"))) {
        if (o->n_headers == SERVE_MAX_HEADERS || !strchr(v, ':') || strpbrk(v, "\r\n"))
            return cli_usage_err("serve: bad or too many --header (max %d)", SERVE_MAX_HEADERS);
        o->headers[o->n_headers++] = v;
    } else if ((v = cli_opt(argc, argv, i, "--etag"))) {
        if (!strcmp(v, "mtime"))
            o->etag_mode = SERVE_ETAG_MTIME;
        else if (!strcmp(v, "hash"))
            o->etag_mode = SERVE_ETAG_HASH;
        else if (!strcmp(v, "none"))
            o->etag_mode = SERVE_ETAG_NONE;
        else
            return cli_usage_err("serve: --etag wants mtime, hash or none");
    } else {
        return 1; /* not a string option */
    }
    return 0;
}

static int parse_flag(struct serve_opts *o, const char *a)
{
    if (!strcmp(a, "--plain"))
        o->plain = 1;
    else if (!strcmp(a, "--lie-length"))
        o->lie_length = 1;
    else if (!strcmp(a, "--ignore-range"))
        o->ignore_range = 1;
    else if (!strcmp(a, "--quiet"))
        o->quiet = 1;
    else if (!strcmp(a, "--chunked"))
        o->chunked = 1;
    else if (!strcmp(a, "--no-last-modified"))
        o->no_last_modified = 1;
    else
        return 1;
    return 0;
}

static int parse_args(struct serve_opts *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->port = 8443;
    o->bind = "127.0.0.1";
    o->cut_after = o->stall_after = -1;
    o->stall_ms = 30000;
    o->fault_times = -1;
    o->idle_ms = 30000;
    o->chunk_size = SERVE_BODY_CHUNK;
    for (int i = 1; i < argc; i++) {
        int used, r;
        if (parse_numeric_opt(o, argc, argv, &i, &used))
            return CLI_EXIT_USAGE;
        if (used)
            continue;
        if ((r = parse_string_opt(o, argc, argv, &i)) == 0)
            continue;
        if (r != 1)
            return r;
        if (parse_flag(o, argv[i]) == 0)
            continue;
        if (argv[i][0] == '-')
            return cli_usage_err("serve: unknown option %s", argv[i]);
        if (o->dir)
            return cli_usage_err("serve: one directory only");
        o->dir = argv[i];
    }
    if (!o->dir)
        return cli_usage_err("serve: which directory?");
    int tls_ways = (o->cert || o->key) + !!o->self_signed_for + o->plain;
    if (tls_ways != 1)
        return cli_usage_err("serve: give exactly one of --cert/--key, --self-signed-for or --plain");
    if ((o->cert != NULL) != (o->key != NULL))
        return cli_usage_err("serve: --cert and --key go together");
    if (o->cert_out && !o->self_signed_for)
        return cli_usage_err("serve: --cert-out goes with --self-signed-for");
    return 0;
}

/* --- TLS ----------------------------------------------------------------- */

static int self_signed(struct serve_server *s)
{
    const char *host = s->o.self_signed_for;
    struct in6_addr a6;
    char san[600], subject[600], pem[4096], key_pem[2048], why[200];
    int is_ip = inet_pton(AF_INET, host, &a6) == 1 || inet_pton(AF_INET6, host, &a6) == 1;
    if (strlen(host) > 255 || strpbrk(host, ",=\\"))
        return cli_err("bad host name for --self-signed-for: %s", host);
    snprintf(san, sizeof san, "%s:%s", is_ip ? "IP" : "DNS", host);
    snprintf(subject, sizeof subject, "CN=%s,O=otter serve (self-signed)", host);
    otter_pki_t pki;
    otter_pki_cert_spec_t spec;
    otter_hkey_t *key = NULL;
    otter_pki_init(&pki);
    int r = otter_pki_key_generate(&pki, &key, OTTER_PKI_KEY_EC_P256, 0);
    if (!r) {
        otter_pki_cert_spec_init(&spec);
        spec.subject = subject;
        spec.key = key;
        spec.ca = 1; /* its own trust anchor: clients pin it with --ca / --cacert */
        spec.key_usage = OTTER_KU_DIGITAL_SIGNATURE | OTTER_KU_KEY_CERT_SIGN;
        spec.san = san;
        r = otter_pki_cert_make(&pki, &spec, pem, sizeof pem, NULL);
    }
    if (!r && otter_hkey_write_pem(key, 1, key_pem, sizeof key_pem) != 0)
        r = -1;
    otter_hkey_free(key);
    if (r) {
        cli_err("cannot make a self-signed certificate: %s", pki.why);
        otter_pki_free(&pki);
        return CLI_EXIT_FAIL;
    }
    otter_pki_free(&pki);
    r = otter_tlssrv_new(&s->tls, pem, strlen(pem), key_pem, strlen(key_pem), why, sizeof why);
    memset(key_pem, 0, sizeof key_pem);
    if (r)
        return cli_err("cannot use the self-signed certificate: %s", why);
    if (s->o.cert_out && cli_write_file(s->o.cert_out, pem, strlen(pem)))
        return CLI_EXIT_FAIL;
    return 0;
}

/* Read a PEM file for --cert / --key into a malloc'd buffer. */
static char *read_pem(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = f ? malloc(1 << 20) : NULL;
    *len = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    if (f)
        fclose(f);
    return buf;
}

static int tls_setup(struct serve_server *s)
{
    if (s->o.self_signed_for)
        return self_signed(s);
    size_t cert_len, key_len;
    char why[200];
    char *cert = read_pem(s->o.cert, &cert_len), *key = read_pem(s->o.key, &key_len);
    int r = 0;
    if (!cert)
        r = cli_err("cannot read certificate %s", s->o.cert);
    else if (!key)
        r = cli_err("cannot read key %s", s->o.key);
    else if (otter_tlssrv_new(&s->tls, cert, cert_len, key, key_len, why, sizeof why) != 0)
        r = cli_err("%s, %s: %s", s->o.cert, s->o.key, why);
    if (key)
        memset(key, 0, key_len);
    free(cert);
    free(key);
    return r;
}

/* --- listening socket ---------------------------------------------------- */

static int listen_on(struct serve_server *s)
{
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
    char port[16];
    snprintf(port, sizeof port, "%u", s->o.port);
    int r = getaddrinfo(s->o.bind, port, &hints, &ai);
    if (r)
        return cli_err("bad --bind address %s: %s", s->o.bind, gai_strerror(r));
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 512)) {
        int e = errno;
        freeaddrinfo(ai);
        if (fd >= 0)
            close(fd);
        return cli_err("cannot listen on %s port %u: %s", s->o.bind, s->o.port, strerror(e));
    }
    freeaddrinfo(ai);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                             : ((struct sockaddr_in *)&ss)->sin_port);
    s->listen_fd = fd;
    return 0;
}

static void accept_all(struct serve_server *s)
{
    for (;;) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(s->listen_fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; /* EAGAIN, or out of descriptors: retry on the next round */
        char peer[64] = "?";
        char host[INET6_ADDRSTRLEN] = "?";
        if (ss.ss_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
        else if (ss.ss_family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof host);
        snprintf(peer, sizeof peer, "%s", host);
        struct serve_conn *c =
            s->nconns < SERVE_MAX_CONNS ? serve_conn_new(s, fd, peer) : NULL;
        if (!c) {
            close(fd);
            continue;
        }
        s->conns[s->nconns++] = c;
        serve_conn_step(c);
    }
}

/* --- event loop ------------------------------------------------------------ */

static int poll_timeout(struct serve_server *s, int64_t now)
{
    int64_t t = -1;
    for (size_t i = 0; i < s->nconns; i++) {
        const struct serve_conn *c = s->conns[i];
        int64_t d = c->wake ? c->wake : c->deadline;
        if (c->deadline && c->deadline < d)
            d = c->deadline;
        if (d && (t < 0 || d < t))
            t = d;
    }
    if (t < 0)
        return -1;
    return t <= now ? 0 : (int)(t - now > 60000 ? 60000 : t - now);
}

static void reap(struct serve_server *s)
{
    size_t k = 0;
    for (size_t i = 0; i < s->nconns; i++) {
        if (s->conns[i]->state == ST_CLOSED)
            serve_conn_free(s->conns[i]);
        else
            s->conns[k++] = s->conns[i];
    }
    s->nconns = k;
}

/* --max-requests reached: connections with no request under way go now. */
static void close_idle(struct serve_server *s)
{
    for (size_t i = 0; i < s->nconns; i++) {
        struct serve_conn *c = s->conns[i];
        if (c->state == ST_HANDSHAKE || (c->state == ST_READ && c->req_len == 0))
            c->state = ST_CLOSED;
    }
    reap(s);
}

static int run_loop(struct serve_server *s, struct pollfd *pfd)
{
    for (;;) {
        if (s->draining) {
            close_idle(s);
            if (s->nconns == 0)
                return 0;
        }
        size_t n = 2;
        pfd[0].fd = s->draining ? -1 : s->listen_fd;
        pfd[0].events = POLLIN;
        pfd[1].fd = s->sig_fd;
        pfd[1].events = POLLIN;
        for (size_t i = 0; i < s->nconns; i++, n++) {
            pfd[n].fd = s->conns[i]->fd;
            pfd[n].events = s->conns[i]->want;
        }
        alarm(0);
        int r = poll(pfd, n, poll_timeout(s, serve_now_ms()));
        if (r < 0 && errno != EINTR)
            return cli_err("poll: %s", strerror(errno));
        if (pfd[1].revents) {
            alarm(SERVE_WATCHDOG_S); /* bound the clean-up too */
            return 0;                /* SIGTERM / SIGINT */
        }
        alarm(SERVE_WATCHDOG_S); /* a round of work never takes this long */
        int64_t now = serve_now_ms();
        size_t count = s->nconns;
        for (size_t i = 0; i < count; i++) {
            struct serve_conn *c = s->conns[i];
            if ((pfd[i + 2].revents & (POLLERR | POLLHUP)) && !(c->want & pfd[i + 2].revents)) {
                serve_conn_abort(c); /* reset by the client while we wait */
                continue;
            }
            if (pfd[i + 2].revents || (c->wake && now >= c->wake) ||
                (c->deadline && now >= c->deadline))
                serve_conn_step(c);
        }
        reap(s);
        if (pfd[0].revents && !s->draining)
            accept_all(s);
        reap(s);
    }
}

/* Watchdog: a round of the event loop that does not come back to poll()
 * within SERVE_WATCHDOG_S seconds means a bug; end the process with a word
 * rather than hold a test (or a demo) hostage. Async-signal-safe only. */
static void watchdog_fired(int sig)
{
    static const char msg[] = "otter serve: watchdog: stuck for "
                              "too long, exiting\n";
    (void)sig;
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
    _exit(3);
}

static int start_signals(struct serve_server *s)
{
    signal(SIGALRM, watchdog_fired);
    /* A shell starts background jobs with SIGINT ignored; we still want it
     * (delivered through the signalfd below, never to a handler). */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    s->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (s->sig_fd < 0)
        return cli_err("signalfd: %s", strerror(errno));
    struct rlimit rl; /* room for many simulated devices */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max &&
        rl.rlim_cur < SERVE_MAX_CONNS + 64) {
        rl.rlim_cur = rl.rlim_max < SERVE_MAX_CONNS + 64 ? rl.rlim_max : SERVE_MAX_CONNS + 64;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    return 0;
}

static int announce(struct serve_server *s)
{
    if (s->o.port_file) {
        char buf[16];
        int len = snprintf(buf, sizeof buf, "%u\n", s->port);
        if (cli_write_file(s->o.port_file, buf, (size_t)len))
            return CLI_EXIT_FAIL;
    }
    if (!s->o.quiet)
        fprintf(stderr,
                "otter serve: %s on %s://%s%s%s:%u/ (development server, not for production)\n",
                s->o.dir, s->o.plain ? "http" : "https", strchr(s->o.bind, ':') ? "[" : "",
                s->o.bind, strchr(s->o.bind, ':') ? "]" : "", s->port);
    return 0;
}

static void server_free(struct serve_server *s)
{
    for (size_t i = 0; i < s->nconns; i++)
        serve_conn_free(s->conns[i]);
    s->nconns = 0;
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    if (s->sig_fd >= 0)
        close(s->sig_fd);
    otter_tlssrv_free(s->tls);
    s->tls = NULL;
}

int otter_cmd_serve(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(SERVE_HELP, stdout);
            return CLI_EXIT_OK;
        }
    struct serve_server *s = calloc(1, sizeof *s);
    struct pollfd *pfd = calloc(SERVE_MAX_CONNS + 2, sizeof *pfd);
    if (!s || !pfd) {
        free(s);
        free(pfd);
        return cli_err("out of memory");
    }
    s->listen_fd = s->sig_fd = -1;
    int r = parse_args(&s->o, argc, argv);
    struct stat st;
    if (!r && (stat(s->o.dir, &st) || !S_ISDIR(st.st_mode)))
        r = cli_err("%s is not a directory", s->o.dir);
    if (!r && !s->o.plain)
        r = tls_setup(s);
    if (!r)
        r = start_signals(s);
    if (!r)
        r = listen_on(s);
    if (!r)
        r = announce(s);
    if (!r)
        r = run_loop(s, pfd);
    if (!s->o.quiet && s->listen_fd >= 0)
        fprintf(stderr, "otter serve: stopped after %ld request(s)\n", s->requests_done);
    server_free(s);
    free(s);
    free(pfd);
    return r;
}
