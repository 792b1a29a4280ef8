/* otter: HTTP CONNECT proxy transport. */
#include <string.h>

#include "otter/error.h"
#include "otter/proxy.h"
#include "otter/url.h"
#include "strbuf.h"
#include "strutil.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of s[0..n) into out (room for 4 * ceil(n / 3) + 1 bytes). */
static size_t base64(const char *s, size_t n, char *out)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(uint8_t)s[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)(uint8_t)s[i + 1] << 8;
        if (i + 2 < n)
            v |= (uint8_t)s[i + 2];
        out[w++] = b64[(v >> 18) & 63];
        out[w++] = b64[(v >> 12) & 63];
        out[w++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        out[w++] = i + 2 < n ? b64[v & 63] : '=';
    }
    out[w] = '\0';
    return w;
}

static size_t fmt_port(char *out, uint16_t port)
{
    char tmp[5];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + port % 10u);
        port = (uint16_t)(port / 10u);
    } while (port);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

/* Timeout for the next inner operation: the connect's timeout, or with a
 * clock what is left of it. OTTER_ERR_TIMEOUT once it has run out. */
static int op_ms(const otter_proxy_t *p, uint32_t *ms)
{
    *ms = p->timeout_ms;
    if (p->clock == NULL)
        return 0;
    uint64_t now = p->clock->now_ms(p->clock->ctx);
    if (now >= p->deadline_ms)
        return OTTER_ERR_TIMEOUT;
    if (p->deadline_ms - now < *ms)
        *ms = (uint32_t)(p->deadline_ms - now);
    return 0;
}

static int write_all(const otter_proxy_t *p, const char *s, size_t n)
{
    const otter_transport_t *t = p->inner;
    while (n > 0) {
        uint32_t ms;
        int w = op_ms(p, &ms);
        if (w == 0)
            w = t->write(t->ctx, (const uint8_t *)s, n, ms);
        if (w < 0)
            return w;
        if (w == 0 || (size_t)w > n)
            return OTTER_ERR_NET_IO;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

/* "host:port" (IPv6 in brackets) for the request line and Host header. */
static int write_authority(const otter_proxy_t *p, const char *host, uint16_t port)
{
    int v6 = strchr(host, ':') != NULL;
    char num[6];
    size_t nl = fmt_port(num + 1, port);
    num[0] = ':';
    int ret = 0;
    if (v6)
        ret = write_all(p, "[", 1);
    if (ret == 0)
        ret = write_all(p, host, strlen(host));
    if (ret == 0 && v6)
        ret = write_all(p, "]", 1);
    if (ret == 0)
        ret = write_all(p, num, nl + 1);
    return ret;
}

static int send_connect(otter_proxy_t *p, const char *host, uint16_t port)
{
    int ret = write_all(p, "CONNECT ", 8);
    if (ret == 0)
        ret = write_authority(p, host, port);
    if (ret == 0)
        ret = write_all(p, " HTTP/1.1\r\nHost: ", 17);
    if (ret == 0)
        ret = write_authority(p, host, port);
    if (ret == 0 && p->auth[0] != '\0') {
        char enc[4 * ((OTTER_PROXY_AUTH_MAX + 2) / 3) + 1];
        size_t n = base64(p->auth, strlen(p->auth), enc);
        ret = write_all(p, "\r\nProxy-Authorization: Basic ", 29);
        if (ret == 0)
            ret = write_all(p, enc, n);
        memset(enc, 0, sizeof enc);
    }
    if (ret == 0)
        ret = write_all(p, "\r\n\r\n", 4);
    return ret;
}

/* Read the proxy's answer byte by byte up to the empty line. */
static int read_answer(otter_proxy_t *p)
{
    static const char prefix[] = "HTTP/1.";
    const otter_transport_t *t = p->inner;
    size_t pos = 0, line_len = 0, lines = 0;
    uint16_t status = 0;
    for (size_t total = 0; total < OTTER_PROXY_HEAD_MAX; total++) {
        uint8_t c;
        uint32_t ms;
        int n = op_ms(p, &ms);
        if (n == 0)
            n = t->read(t->ctx, &c, 1, ms);
        if (n == OTTER_ERR_CLOSED)
            return OTTER_ERR_PROXY;
        if (n < 0)
            return n;
        if (n != 1)
            return OTTER_ERR_NET_IO;
        if (pos < 7 && c != (uint8_t)prefix[pos])
            return OTTER_ERR_PROXY;
        if (pos == 7 && (c < '0' || c > '9'))
            return OTTER_ERR_PROXY;
        if (pos == 8 && c != ' ')
            return OTTER_ERR_PROXY;
        if (pos >= 9 && pos <= 11) {
            if (c < '0' || c > '9')
                return OTTER_ERR_PROXY;
            status = (uint16_t)(status * 10u + (uint16_t)(c - '0'));
        }
        if (pos == 11)
            p->status = status;
        if (pos == 12 && c != ' ' && c != '\r' && c != '\n')
            return OTTER_ERR_PROXY;
        pos++;
        if (c == '\n') {
            if (pos <= 12)
                return OTTER_ERR_PROXY; /* status line cut short */
            if (line_len == 0 && lines > 0)
                return (status >= 200 && status <= 299) ? 0 : OTTER_ERR_PROXY;
            lines++;
            line_len = 0;
        } else if (c != '\r') {
            line_len++;
        }
    }
    return OTTER_ERR_PROXY;
}

static int proxy_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    otter_proxy_t *p = ctx;
    p->status = 0;
    if (p->inner == NULL || p->host[0] == '\0' || host == NULL || host[0] == '\0')
        return OTTER_ERR_INVAL;
    for (const char *s = host; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7F)
            return OTTER_ERR_INVAL;
    p->timeout_ms = timeout_ms;
    if (p->clock != NULL)
        p->deadline_ms = p->clock->now_ms(p->clock->ctx) + timeout_ms;
    int ret = p->inner->connect(p->inner->ctx, p->host, p->port, timeout_ms);
    if (ret == 0)
        ret = send_connect(p, host, port);
    if (ret == 0)
        ret = read_answer(p);
    if (ret != 0)
        p->inner->close(p->inner->ctx);
    return ret;
}

static int proxy_read(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    otter_proxy_t *p = ctx;
    return p->inner->read(p->inner->ctx, buf, len, timeout_ms);
}

static int proxy_write(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    otter_proxy_t *p = ctx;
    return p->inner->write(p->inner->ctx, buf, len, timeout_ms);
}

static void proxy_close(void *ctx)
{
    otter_proxy_t *p = ctx;
    if (p->inner != NULL)
        p->inner->close(p->inner->ctx);
}

void otter_proxy_init(otter_proxy_t *p, const otter_transport_t *inner, otter_transport_t *out)
{
    memset(p, 0, sizeof *p);
    p->inner = inner;
    out->connect = proxy_connect;
    out->read = proxy_read;
    out->write = proxy_write;
    out->close = proxy_close;
    out->ctx = p;
}

/* s[0, n) into dst[cap] when it fits and has no control characters (a
 * header line must not be split by one). */
static int copy_field(char *dst, size_t cap, const char *s, size_t n)
{
    if (n + 1 > cap)
        return OTTER_ERR_INVAL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7F)
            return OTTER_ERR_INVAL;
    (void)otter_str_copy(dst, cap, s, n);
    return 0;
}

void otter_proxy_set_clock(otter_proxy_t *p, const otter_clock_t *clock)
{
    p->clock = clock;
}

int otter_proxy_set(otter_proxy_t *p, const char *host, uint16_t port, const char *userpass)
{
    p->host[0] = '\0';
    p->auth[0] = '\0';
    if (host == NULL || host[0] == '\0' || port == 0)
        return OTTER_ERR_INVAL;
    int ret = copy_field(p->host, sizeof p->host, host, strlen(host));
    if (ret == 0 && userpass != NULL)
        ret = copy_field(p->auth, sizeof p->auth, userpass, strlen(userpass));
    if (ret != 0) {
        p->host[0] = '\0';
        p->auth[0] = '\0';
        return ret;
    }
    p->port = port;
    return 0;
}

/* Percent-decode s[0..n) into dst (cap bytes with the NUL), as curl does
 * for proxy credentials in a URL. */
static int copy_decoded(char *dst, size_t cap, const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            int hi = i + 2 < n ? otter_ascii_hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? otter_ascii_hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return OTTER_ERR_URL;
            c = hi * 16 + lo;
            i += 2;
        }
        if (w + 1 >= cap || c < 0x20 || c == 0x7F)
            return OTTER_ERR_INVAL;
        dst[w++] = (char)c;
    }
    dst[w] = '\0';
    return 0;
}

int otter_proxy_init_url(otter_proxy_t *p, const otter_transport_t *inner, const char *url, otter_transport_t *out)
{
    otter_proxy_init(p, inner, out);
    otter_url_t u;
    if (url == NULL || otter_url_parse(url, strlen(url), &u) != 0 || u.scheme != OTTER_URL_HTTP)
        return OTTER_ERR_URL;
    char host[OTTER_PROXY_HOST_MAX];
    char auth[OTTER_PROXY_AUTH_MAX];
    int ret = copy_field(host, sizeof host, url + u.host_off, u.host_len);
    if (ret == 0)
        ret = copy_decoded(auth, sizeof auth, url + u.userinfo_off, u.userinfo_len);
    if (ret == 0)
        ret = otter_proxy_set(p, host, u.port_given ? u.port : 1080, u.userinfo_len ? auth : NULL);
    memset(auth, 0, sizeof auth);
    return ret;
}
