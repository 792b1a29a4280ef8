/* URL parsing and RFC 3986 reference resolution for http(s) URLs. */
#include <string.h>

#include "otter/error.h"
#include "otter/url.h"
#include "strutil.h"

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Case-insensitive: does s (len bytes) start with the lowercase prefix p? */
static int ci_prefix(const char *s, size_t len, const char *p)
{
    size_t n = strlen(p);
    if (len < n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (otter_ascii_lower(s[i]) != p[i])
            return 0;
    return 1;
}

static int parse_ipv6(const char *u, size_t i, size_t end, otter_url_t *out, size_t *next)
{
    size_t j = i + 1;
    int colons = 0;
    while (j < end && u[j] != ']') {
        if (u[j] == ':')
            colons++;
        else if (!is_hex(u[j]) && u[j] != '.')
            return OTTER_ERR_URL;
        j++;
    }
    if (j >= end || colons < 2 || j - (i + 1) < 2)
        return OTTER_ERR_URL;
    out->host_off = i + 1;
    out->host_len = j - (i + 1);
    out->host_is_ipv6 = 1;
    *next = j + 1;
    return 0;
}

static int parse_port(const char *u, size_t i, size_t end, otter_url_t *out)
{
    if (i == end)
        return 0; /* "host:" with an empty port means the default */
    if (end - i > 5)
        return OTTER_ERR_URL;
    uint32_t port = 0;
    for (; i < end; i++) {
        if (!is_digit(u[i]))
            return OTTER_ERR_URL;
        port = port * 10u + (uint32_t)(u[i] - '0');
    }
    if (port == 0 || port > 65535u)
        return OTTER_ERR_URL;
    out->port = (uint16_t)port;
    out->port_given = 1;
    return 0;
}

/* Authority: [userinfo@]host[:port], bytes [i, end). */
static int parse_authority(const char *u, size_t i, size_t end, otter_url_t *out)
{
    size_t at = end;
    for (size_t j = i; j < end; j++)
        if (u[j] == '@')
            at = j;
    if (at != end) {
        out->userinfo_off = i;
        out->userinfo_len = at - i;
        i = at + 1;
    }
    size_t next;
    if (i < end && u[i] == '[') {
        int ret = parse_ipv6(u, i, end, out, &next);
        if (ret)
            return ret;
    } else {
        size_t j = i;
        while (j < end && u[j] != ':') {
            char c = u[j];
            if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.' && c != '_' && c != '~')
                return OTTER_ERR_URL;
            j++;
        }
        if (j == i)
            return OTTER_ERR_URL;
        out->host_off = i;
        out->host_len = j - i;
        next = j;
    }
    if (next == end)
        return 0;
    if (u[next] != ':')
        return OTTER_ERR_URL;
    return parse_port(u, next + 1, end, out);
}

int otter_url_parse(const char *url, size_t len, otter_url_t *out)
{
    if (url == NULL || out == NULL || len == 0)
        return OTTER_ERR_URL;
    memset(out, 0, sizeof *out);
    for (size_t k = 0; k < len; k++)
        if ((unsigned char)url[k] < 0x21 || (unsigned char)url[k] > 0x7E)
            return OTTER_ERR_URL;
    size_t i;
    if (ci_prefix(url, len, "http://")) {
        out->scheme = OTTER_URL_HTTP;
        out->port = 80;
        i = 7;
    } else if (ci_prefix(url, len, "https://")) {
        out->scheme = OTTER_URL_HTTPS;
        out->port = 443;
        i = 8;
    } else {
        return OTTER_ERR_URL;
    }
    size_t a_end = i;
    while (a_end < len && url[a_end] != '/' && url[a_end] != '?' && url[a_end] != '#')
        a_end++;
    int ret = parse_authority(url, i, a_end, out);
    if (ret)
        return ret;
    size_t t_end = a_end;
    while (t_end < len && url[t_end] != '#')
        t_end++;
    out->target_off = a_end;
    out->target_len = t_end - a_end;
    return 0;
}

/* Does ref start with "scheme:" (RFC 3986: ALPHA *(ALPHA / DIGIT / + - .))? */
static int has_scheme(const char *ref, size_t len)
{
    if (len == 0 || !is_alpha(ref[0]))
        return 0;
    for (size_t i = 1; i < len; i++) {
        char c = ref[i];
        if (c == ':')
            return 1;
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.')
            return 0;
    }
    return 0;
}

/* RFC 3986 5.2.4 on the absolute path p[0..n) in place; returns the new
 * length. The write index never passes the read index. */
static size_t remove_dot_segments(char *p, size_t n)
{
    size_t r = 0, w = 0;
    while (r < n) {
        size_t s = r + 1, e = s;
        while (e < n && p[e] != '/')
            e++;
        size_t sl = e - s;
        int last = (e == n);
        if (sl == 1 && p[s] == '.') {
            if (last)
                p[w++] = '/';
        } else if (sl == 2 && p[s] == '.' && p[s + 1] == '.') {
            while (w > 0 && p[w - 1] != '/')
                w--;
            if (w > 0)
                w--; /* drop the '/' that led to the popped segment */
            if (last)
                p[w++] = '/';
        } else {
            if (w != r)
                memmove(p + w, p + r, 1 + sl);
            w += 1 + sl;
        }
        r = e;
    }
    return w;
}

/* How many bytes of base (parsed as b) a reference of this shape keeps, and
 * whether a '/' must be inserted between them and the reference. */
static size_t base_keep(const char *base, const otter_url_t *b, const char *ref, size_t rl, int *slash)
{
    size_t path_len = 0;
    while (path_len < b->target_len && base[b->target_off + path_len] != '?')
        path_len++;
    *slash = 0;
    if (has_scheme(ref, rl))
        return 0;
    if (rl >= 2 && ref[0] == '/' && ref[1] == '/')
        return b->scheme == OTTER_URL_HTTPS ? 6 : 5; /* "https:" / "http:" */
    if (rl >= 1 && ref[0] == '/')
        return b->target_off;
    if (rl == 0)
        return b->target_off + b->target_len;
    if (ref[0] == '?')
        return b->target_off + path_len;
    size_t k = path_len;
    while (k > 0 && base[b->target_off + k - 1] != '/')
        k--;
    if (k == 0)
        *slash = 1; /* empty or slash-less base path: merge as "/" + ref */
    return b->target_off + k;
}

int otter_url_resolve(char *out, size_t out_cap, const char *base, const char *ref, size_t ref_len)
{
    if (out == NULL || base == NULL || (ref == NULL && ref_len > 0))
        return OTTER_ERR_INVAL;
    otter_url_t b;
    size_t blen = strlen(base);
    if (otter_url_parse(base, blen, &b) != 0)
        return OTTER_ERR_URL;
    size_t rl = 0;
    while (rl < ref_len && ref[rl] != '#')
        rl++;
    int slash;
    size_t keep = base_keep(base, &b, ref, rl, &slash);
    size_t total = keep + (size_t)slash + rl;
    if (total + 1 > out_cap || total > 0x7FFFFFFF)
        return OTTER_ERR_BUF_TOO_SMALL;
    /* ref first: when aliased it lies after base, and keep <= blen. */
    memmove(out + keep + slash, ref, rl);
    if (out != base)
        memmove(out, base, keep);
    if (slash)
        out[keep] = '/';
    out[total] = '\0';
    otter_url_t r;
    if (otter_url_parse(out, total, &r) != 0)
        return OTTER_ERR_URL;
    char *path = out + r.target_off;
    size_t path_len = 0;
    while (path_len < r.target_len && path[path_len] != '?')
        path_len++;
    if (path_len > 0) {
        size_t n = remove_dot_segments(path, path_len);
        memmove(path + n, path + path_len, total - (r.target_off + path_len) + 1);
        total -= path_len - n;
    }
    return (int)total;
}
