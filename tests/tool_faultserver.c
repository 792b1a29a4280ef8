/* Fault-injecting plain-HTTP test server (and CONNECT proxy) for what nginx
 * cannot do. Test code only.
 *
 *   tool_faultserver PORTFILE [--proxy-auth USER:PASS]
 *       listen on 127.0.0.1 (free port written to PORTFILE), one process per
 *       connection, keep-alive; exits by itself after 300 s.
 *   tool_faultserver --pattern N FILE
 *       write the N-byte body every route serves (byte i = pattern(i)).
 *
 * Routes (N, M byte counts; the body is always the pattern):
 *   /file/N            200, or 206 for Range bytes=a- / a-b (If-Range against
 *                      ETag "pN"); 416 past the end
 *   /chunked/N/S,S,..  chunked, chunk sizes cycling through the list, with
 *                      extensions and a trailer, one chunk per write
 *   /cut/N/M           Content-Length N, M bytes, then close
 *   /reset/N/M         Content-Length N, M bytes, then RST
 *   /stall/N/M         Content-Length N, M bytes, then silence
 *   /stallhead         half a status line, then silence
 *   /lie/N/M           Content-Length N but M > N bytes, one write
 *   /lateextra/N/M     Content-Length N, N bytes, then 200 ms later M more
 *                      bytes (a separate segment), connection kept
 *   /norange/N         Range ignored: 200 with the whole body
 *   /wrongrange/N      206 whose Content-Range starts at 0 whatever was asked
 *   /drip/N            the whole response one byte per write
 *   /dripbody/N/MS     body one byte per write, MS ms apart
 *   /hugeheaders/K/N   K x 1000-byte unneeded header lines, then the body
 *   /hugeetag          an ETag of 300 bytes
 *   /redirect/K/N      K relative 302 hops, then /file/N
 *   /longredirect/N    302 to /file/N?pad=<1000 bytes> (a GitHub-sized URL)
 *   /close/N           Connection: close
 *   /closeafter/N      no Connection: close, but closed after the response
 *   /eof/N             HTTP/1.0, no Content-Length: body ends at close
 *   CONNECT host:port  proxy: tunnel to 127.0.0.1:port (407 without the
 *                      configured credentials) */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint8_t pattern(uint64_t i)
{
    return (uint8_t)((i * 31u) ^ (i >> 8) ^ (i >> 16));
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int write_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w <= 0) {
            if (w < 0 && errno == EINTR)
                continue;
            return -1;
        }
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

static int sendf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sendf(int fd, const char *fmt, ...)
{
    char buf[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return write_all(fd, buf, (size_t)n);
}

/* Send pattern bytes [from, to) in pieces; each write at most `piece`. */
static int send_body(int fd, uint64_t from, uint64_t to, size_t piece, unsigned gap_ms)
{
    uint8_t buf[16384];
    while (from < to) {
        size_t n = (size_t)(to - from);
        if (n > sizeof buf)
            n = sizeof buf;
        if (n > piece)
            n = piece;
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern(from + i);
        if (write_all(fd, buf, n))
            return -1;
        from += n;
        if (gap_ms)
            sleep_ms(gap_ms);
    }
    return 0;
}

typedef struct req {
    char method[16];
    char path[2048];
    int has_range;
    uint64_t range_a, range_b; /* range_b UINT64_MAX: open */
    char if_range[256];
    char proxy_auth[256];
} req_t;

static void header_value(const char *head, const char *name, char *out, size_t cap)
{
    out[0] = '\0';
    size_t nl = strlen(name);
    for (const char *p = head; (p = strchr(p, '\n')) != NULL;) {
        p++;
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            size_t n = strcspn(v, "\r\n");
            if (n >= cap)
                n = cap - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return;
        }
    }
}

/* Read one request head; 0 ok, -1 closed or malformed. */
static int read_request(int fd, req_t *r)
{
    static char head[16384];
    size_t n = 0;
    while (n < sizeof head - 1) {
        ssize_t k = recv(fd, head + n, 1, 0);
        if (k <= 0)
            return -1;
        n++;
        head[n] = '\0';
        if (n >= 4 && memcmp(head + n - 4, "\r\n\r\n", 4) == 0)
            break;
    }
    memset(r, 0, sizeof *r);
    if (sscanf(head, "%15s %2047s", r->method, r->path) != 2)
        return -1;
    char range[128];
    header_value(head, "Range", range, sizeof range);
    unsigned long long a, b;
    if (sscanf(range, "bytes=%llu-%llu", &a, &b) == 2) {
        r->has_range = 1;
        r->range_a = a;
        r->range_b = b;
    } else if (sscanf(range, "bytes=%llu-", &a) == 1) {
        r->has_range = 1;
        r->range_a = a;
        r->range_b = UINT64_MAX;
    }
    header_value(head, "If-Range", r->if_range, sizeof r->if_range);
    header_value(head, "Proxy-Authorization", r->proxy_auth, sizeof r->proxy_auth);
    return 0;
}

static int serve_file(int fd, const req_t *r, uint64_t n, int honour_range, int wrong_range)
{
    char etag[32];
    snprintf(etag, sizeof etag, "\"p%llu\"", (unsigned long long)n);
    int use_range = r->has_range && honour_range && (r->if_range[0] == '\0' || strcmp(r->if_range, etag) == 0);
    if (!use_range) {
        if (sendf(fd, "HTTP/1.1 200 OK\r\nContent-Length: %llu\r\nETag: %s\r\nAccept-Ranges: bytes\r\n\r\n",
                  (unsigned long long)n, etag))
            return -1;
        return send_body(fd, 0, n, 16384, 0);
    }
    if (r->range_a >= n)
        return sendf(fd, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */%llu\r\n"
                         "Content-Length: 0\r\n\r\n", (unsigned long long)n);
    uint64_t a = wrong_range ? 0 : r->range_a;
    uint64_t b = r->range_b == UINT64_MAX || r->range_b >= n ? n - 1 : r->range_b;
    if (sendf(fd, "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes %llu-%llu/%llu\r\nContent-Length: %llu\r\n"
                  "ETag: %s\r\n\r\n",
              (unsigned long long)a, (unsigned long long)b, (unsigned long long)n,
              (unsigned long long)(b - a + 1), etag))
        return -1;
    return send_body(fd, a, b + 1, 16384, 0);
}

static int serve_chunked(int fd, uint64_t n, const char *sizes)
{
    if (sendf(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"))
        return -1;
    uint64_t off = 0;
    const char *s = sizes;
    int k = 0;
    while (off < n) {
        unsigned long c = strtoul(s, NULL, 10);
        if (c == 0)
            c = 1;
        const char *comma = strchr(s, ',');
        s = comma ? comma + 1 : sizes;
        if (c > n - off)
            c = (unsigned long)(n - off);
        /* alternate upper/lower hex, extensions and bare size lines */
        if (sendf(fd, k % 3 == 0 ? "%lx\r\n" : k % 3 == 1 ? "%lX;name=val\r\n" : "%lx ; q=\"x\"\r\n", c))
            return -1;
        if (send_body(fd, off, off + c, c, 0) || sendf(fd, "\r\n"))
            return -1;
        off += c;
        k++;
    }
    return sendf(fd, "0\r\nX-Checksum: none\r\n\r\n");
}

static int serve_drip(int fd, uint64_t n)
{
    char head[128];
    int hl = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %llu\r\n\r\n", (unsigned long long)n);
    for (int i = 0; i < hl; i++)
        if (write_all(fd, head + i, 1))
            return -1;
    return send_body(fd, 0, n, 1, 0);
}

static int serve_hugeheaders(int fd, unsigned k, uint64_t n)
{
    char line[1001];
    memset(line, 'j', sizeof line);
    if (sendf(fd, "HTTP/1.1 200 OK\r\n"))
        return -1;
    for (unsigned i = 0; i < k; i++) {
        memcpy(line, "X-Junk: ", 8);
        memcpy(line + 998, "\r\n", 2);
        if (write_all(fd, line, 1000))
            return -1;
    }
    if (sendf(fd, "Content-Length: %llu\r\n\r\n", (unsigned long long)n))
        return -1;
    return send_body(fd, 0, n, 16384, 0);
}

static int proxy_tunnel(int fd, const req_t *r, const char *auth)
{
    if (auth != NULL && strcmp(r->proxy_auth, auth) != 0) {
        sendf(fd, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"t\"\r\n"
                  "Content-Length: 0\r\n\r\n");
        return -1;
    }
    const char *colon = strrchr(r->path, ':');
    int port = colon ? atoi(colon + 1) : 0;
    int up = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (port <= 0 || up < 0 || connect(up, (struct sockaddr *)&a, sizeof a) != 0) {
        sendf(fd, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return -1;
    }
    if (sendf(fd, "HTTP/1.1 200 Connection established\r\nProxy-Agent: otter-faultserver\r\n\r\n"))
        return -1;
    struct pollfd p[2] = {{fd, POLLIN, 0}, {up, POLLIN, 0}};
    uint8_t buf[16384];
    for (;;) {
        if (poll(p, 2, 60000) <= 0)
            break;
        for (int i = 0; i < 2; i++) {
            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t n = recv(p[i].fd, buf, sizeof buf, 0);
            if (n <= 0 || write_all(p[1 - i].fd, buf, (size_t)n)) {
                close(up);
                return -1;
            }
        }
    }
    close(up);
    return -1;
}

static void hard_reset(int fd)
{
    struct linger l = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

/* One request; returns 0 to keep the connection, -1 to close it. */
static int serve(int fd, const req_t *r, const char *auth)
{
    unsigned long long n = 0, m = 0;
    unsigned k = 0;
    char list[256];
    if (strcmp(r->method, "CONNECT") == 0)
        return proxy_tunnel(fd, r, auth);
    if (sscanf(r->path, "/file/%llu", &n) == 1)
        return serve_file(fd, r, n, 1, 0);
    if (sscanf(r->path, "/norange/%llu", &n) == 1)
        return serve_file(fd, r, n, 0, 0);
    if (sscanf(r->path, "/wrongrange/%llu", &n) == 1)
        return serve_file(fd, r, n, 1, 1);
    if (sscanf(r->path, "/chunked/%llu/%255s", &n, list) == 2)
        return serve_chunked(fd, n, list);
    if (sscanf(r->path, "/cut/%llu/%llu", &n, &m) == 2 || sscanf(r->path, "/reset/%llu/%llu", &n, &m) == 2 ||
        sscanf(r->path, "/stall/%llu/%llu", &n, &m) == 2 || sscanf(r->path, "/lie/%llu/%llu", &n, &m) == 2) {
        char *body = malloc(m + 128);
        int hl = snprintf(body, 128, "HTTP/1.1 200 OK\r\nContent-Length: %llu\r\n\r\n", n);
        for (unsigned long long i = 0; i < m; i++)
            body[hl + (int)i] = (char)pattern(i);
        write_all(fd, body, (size_t)hl + m); /* one write: arrives together */
        free(body);
        if (r->path[1] == 's')
            sleep_ms(30000);
        if (r->path[1] == 'r')
            hard_reset(fd);
        return -1;
    }
    if (sscanf(r->path, "/lateextra/%llu/%llu", &n, &m) == 2) {
        if (sendf(fd, "HTTP/1.1 200 OK\r\nContent-Length: %llu\r\n\r\n", n) || send_body(fd, 0, n, 16384, 0))
            return -1;
        sleep_ms(200);
        return send_body(fd, n, n + m, 16384, 0); /* before the next request is read */
    }
    if (strcmp(r->path, "/stallhead") == 0) {
        sendf(fd, "HTTP/1.1 200 O");
        sleep_ms(30000);
        return -1;
    }
    if (sscanf(r->path, "/drip/%llu", &n) == 1)
        return serve_drip(fd, n);
    if (sscanf(r->path, "/dripbody/%llu/%u", &n, &k) == 2) {
        if (sendf(fd, "HTTP/1.1 200 OK\r\nContent-Length: %llu\r\n\r\n", n))
            return -1;
        return send_body(fd, 0, n, 1, k);
    }
    if (sscanf(r->path, "/hugeheaders/%u/%llu", &k, &n) == 2)
        return serve_hugeheaders(fd, k, n);
    if (strcmp(r->path, "/hugeetag") == 0) {
        char tag[301];
        memset(tag, 'e', 300);
        tag[300] = '\0';
        return sendf(fd, "HTTP/1.1 200 OK\r\nETag: \"%s\"\r\nContent-Length: 0\r\n\r\n", tag);
    }
    if (sscanf(r->path, "/redirect/%u/%llu", &k, &n) == 2) {
        if (k == 0)
            return sendf(fd, "HTTP/1.1 302 Found\r\nLocation: ../../file/%llu\r\nContent-Length: 0\r\n\r\n", n);
        return sendf(fd, "HTTP/1.1 302 Found\r\nLocation: ../%u/%llu\r\nContent-Length: 5\r\n\r\nhello", k - 1, n);
    }
    if (sscanf(r->path, "/longredirect/%llu", &n) == 1) {
        char pad[1001];
        for (int i = 0; i < 1000; i++)
            pad[i] = (char)('a' + i % 26);
        pad[1000] = '\0';
        return sendf(fd, "HTTP/1.1 302 Found\r\nLocation: /file/%llu?pad=%s\r\nContent-Length: 0\r\n\r\n", n, pad);
    }
    if (sscanf(r->path, "/close/%llu", &n) == 1) {
        sendf(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: %llu\r\n\r\n", n);
        send_body(fd, 0, n, 16384, 0);
        return -1;
    }
    if (sscanf(r->path, "/closeafter/%llu", &n) == 1) {
        /* keep-alive by every header, then closed: a stale kept-alive
         * connection for the client's next request */
        sendf(fd, "HTTP/1.1 200 OK\r\nContent-Length: %llu\r\n\r\n", n);
        send_body(fd, 0, n, 16384, 0);
        return -1;
    }
    if (sscanf(r->path, "/eof/%llu", &n) == 1) {
        sendf(fd, "HTTP/1.0 200 OK\r\n\r\n");
        send_body(fd, 0, n, 16384, 0);
        return -1;
    }
    sendf(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    return 0;
}

static int write_pattern(const char *n_text, const char *path)
{
    unsigned long long n = strtoull(n_text, NULL, 10);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return 1;
    for (unsigned long long i = 0; i < n; i++)
        fputc(pattern(i), f);
    return fclose(f) != 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--pattern") == 0)
        return write_pattern(argv[2], argv[3]);
    if (argc != 2 && !(argc == 4 && strcmp(argv[2], "--proxy-auth") == 0)) {
        fprintf(stderr, "usage: tool_faultserver PORTFILE [--proxy-auth USER:PASS] | --pattern N FILE\n");
        return 2;
    }
    char auth[256];
    const char *want_auth = NULL;
    if (argc == 4) {
        /* "Basic " + base64(user:pass), computed the simple way */
        static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const unsigned char *s = (const unsigned char *)argv[3];
        size_t n = strlen(argv[3]), w = (size_t)snprintf(auth, sizeof auth, "Basic ");
        for (size_t i = 0; i < n && w + 5 < sizeof auth; i += 3) {
            uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);
            auth[w++] = b64[v >> 18 & 63];
            auth[w++] = b64[v >> 12 & 63];
            auth[w++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
            auth[w++] = i + 2 < n ? b64[v & 63] : '=';
        }
        auth[w] = '\0';
        want_auth = auth;
    }
    signal(SIGCHLD, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    alarm(300);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 64) != 0 ||
        getsockname(ls, (struct sockaddr *)&a, &len) != 0) {
        perror("tool_faultserver");
        return 1;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
    FILE *pf = fopen(tmp, "w");
    if (pf == NULL || fprintf(pf, "%u\n", ntohs(a.sin_port)) < 0 || fclose(pf) != 0 || rename(tmp, argv[1]) != 0)
        return 1;
    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0)
            continue;
        if (fork() == 0) {
            /* never outlive the server the test stops */
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() == 1)
                _exit(0);
            alarm(90);
            close(ls);
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            req_t r;
            while (read_request(fd, &r) == 0 && serve(fd, &r, want_auth) == 0)
                ;
            close(fd);
            _exit(0);
        }
        close(fd);
    }
}
