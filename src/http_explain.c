/* otter HTTP client: the detail record in words (freestanding: no stdio). */
#include <string.h>

#include "http_priv.h"
#include "otter/error.h"
#include "strutil.h"

/* Output cursor: writes what fits, counts everything. */
typedef struct out {
    char *p;
    size_t cap, len;
} out_t;

static void put(out_t *o, const char *s)
{
    for (; *s; s++, o->len++)
        if (o->len + 1 < o->cap)
            o->p[o->len] = *s;
}

static void put_u64(out_t *o, uint64_t v)
{
    char tmp[21];
    tmp[otter_ascii_u64(tmp, v)] = '\0';
    put(o, tmp);
}

static void put_host(out_t *o, const otter_http_detail_t *d)
{
    put(o, "'");
    put(o, d->host[0] ? d->host : "?");
    put(o, "' port ");
    put_u64(o, d->port);
}

static void explain_status(out_t *o, const otter_http_t *h)
{
    const otter_http_detail_t *d = &h->detail;
    uint16_t s = d->status;
    put(o, "the server ");
    put_host(o, d);
    put(o, " answered HTTP ");
    put_u64(o, s);
    if (s == 401 || s == 403)
        put(o, ": access refused (credentials needed, or wrong)");
    else if (s == 404 || s == 410)
        put(o, ": there is no file at this URL");
    else if (s == 416)
        put(o, ": the requested range lies past the end of the file");
    else if (s >= 500)
        put(o, ": the server failed (see its error log)");
    else if (s >= 300 && s < 400)
        put(o, " without a Location to follow");
    else
        put(o, ": otter accepts only 2xx here");
}

static void explain_timeout(out_t *o, const otter_http_t *h)
{
    const otter_http_detail_t *d = &h->detail;
    if (d->phase == OTTER_HTTP_PHASE_CONNECT) {
        put(o, "no connection to ");
        put_host(o, d);
        put(o, " within ");
        put_u64(o, h->cfg.connect_timeout_ms);
        put(o, " ms");
    } else if (d->phase == OTTER_HTTP_PHASE_BODY) {
        put(o, "the download from ");
        put_host(o, d);
        put(o, " stalled after ");
        put_u64(o, d->body_bytes);
        put(o, " body bytes (nothing for ");
        put_u64(o, h->cfg.read_timeout_ms);
        put(o, " ms); it can resume from there");
    } else {
        put(o, "the server ");
        put_host(o, d);
        put(o, " sent no response for ");
        put_u64(o, h->cfg.read_timeout_ms);
        put(o, " ms");
    }
}

static void explain_body(out_t *o, const otter_http_t *h, int err)
{
    const otter_http_detail_t *d = &h->detail;
    put(o, "the server ");
    put_host(o, d);
    if (err == OTTER_ERR_HTTP_CLOSED_EARLY) {
        put(o, " closed the connection after ");
        put_u64(o, d->body_bytes);
        if (h->resp.has_length) {
            put(o, " of ");
            put_u64(o, h->resp.content_length);
        }
        put(o, " body bytes; the download can resume from byte ");
        put_u64(o, h->range_start + d->body_bytes);
    } else {
        put(o, " sent more body than the ");
        put_u64(o, h->resp.content_length);
        put(o, " bytes it announced");
    }
}

static void explain_range(out_t *o, const otter_http_t *h, int err)
{
    const otter_http_detail_t *d = &h->detail;
    if (err == OTTER_ERR_HTTP_RANGE_IGNORED) {
        put(o, "the server ");
        put_host(o, d);
        put(o, " did not resume at byte ");
        put_u64(o, h->range_start);
        put(o, " (HTTP ");
        put_u64(o, d->status);
        put(o, "): download from the start");
    } else {
        put(o, "the file on ");
        put_host(o, d);
        put(o, " changed since the download began (ETag, Last-Modified or size differ): start again from byte 0");
    }
}

/* Errors about the response's form. */
static void explain_form(out_t *o, const otter_http_t *h, int err)
{
    const otter_http_detail_t *d = &h->detail;
    if (err == OTTER_ERR_HTTP_STATUS_LINE) {
        put(o, "the server ");
        put_host(o, d);
        put(o, " did not answer in HTTP/1.x (an https port addressed with http://, or not a web server?)");
    } else if (err == OTTER_ERR_HTTP_HEADER_TOO_LARGE) {
        put(o, "a header otter keeps (ETag, Last-Modified, Content-Type, Location, ...) from ");
        put_host(o, d);
        put(o, " is longer than its field: raise the OTTER_HTTP_*_MAX limits");
    } else if (err == OTTER_ERR_HTTP_HEAD_TOO_LONG) {
        put(o, "the response head from ");
        put_host(o, d);
        put(o, " is longer than OTTER_HTTP_HEAD_MAX (");
        put_u64(o, OTTER_HTTP_HEAD_MAX);
        put(o, " bytes)");
    } else {
        put(o, "the server ");
        put_host(o, d);
        put(o, " sent a malformed response (");
        put(o, otter_strerror(err));
        put(o, ")");
    }
}

static void explain_redirect(out_t *o, const otter_http_t *h, int err)
{
    const otter_http_detail_t *d = &h->detail;
    if (err == OTTER_ERR_HTTP_DOWNGRADE) {
        put(o, "the server ");
        put_host(o, d);
        put(o, " redirects from https to plain http (");
        put(o, h->url);
        put(o, "), which otter refuses: make it redirect to https");
    } else {
        put(o, "more than ");
        put_u64(o, h->cfg.max_redirects);
        put(o, " redirects, the last one HTTP ");
        put_u64(o, d->status);
        put(o, " from ");
        put_host(o, d);
        put(o, " (a redirect loop?)");
    }
}

static void explain_net(out_t *o, const otter_http_t *h, int err)
{
    const otter_http_detail_t *d = &h->detail;
    switch (err) {
    case OTTER_ERR_DNS:
        put(o, "the host name '");
        put(o, d->host);
        put(o, "' does not resolve: check the URL and the device's DNS server");
        return;
    case OTTER_ERR_CONNECT:
        put(o, "cannot connect to ");
        put_host(o, d);
        put(o, ": refused or unreachable (server down, wrong port, firewall?)");
        return;
    case OTTER_ERR_CLOSED:
        put(o, "the server ");
        put_host(o, d);
        put(o, " closed the connection before its response was complete");
        return;
    default:
        put(o, "the connection to ");
        put_host(o, d);
        put(o, " failed (");
        put(o, otter_strerror(err));
        put(o, ")");
        if (d->phase == OTTER_HTTP_PHASE_BODY) {
            put(o, " after ");
            put_u64(o, d->body_bytes);
            put(o, " body bytes; the download can resume from there");
        }
    }
}

static void explain(out_t *o, const otter_http_t *h, int err)
{
    const otter_http_detail_t *d = &h->detail;
    if (err >= 0) {
        put(o, "HTTP ");
        put_u64(o, d->status);
        put(o, " from ");
        put_host(o, d);
        put(o, ", ");
        put_u64(o, d->body_bytes);
        put(o, " body bytes so far");
        return;
    }
    if (err <= -140 && err >= -159) {
        put(o, "TLS with ");
        put_host(o, d);
        put(o, " failed: ");
        put(o, otter_strerror(err));
        put(o, " (the TLS report names the certificate and the reason)");
        return;
    }
    switch (err) {
    case OTTER_ERR_TIMEOUT:
        explain_timeout(o, h);
        return;
    case OTTER_ERR_HTTP_DEADLINE:
        put(o, "the overall time limit of ");
        put_u64(o, h->cfg.overall_timeout_ms);
        put(o, " ms ran out after ");
        put_u64(o, d->body_bytes);
        put(o, " body bytes from ");
        put_host(o, d);
        return;
    case OTTER_ERR_HTTP_STATUS:
        explain_status(o, h);
        return;
    case OTTER_ERR_HTTP_CLOSED_EARLY:
    case OTTER_ERR_HTTP_BODY_TOO_LONG:
        explain_body(o, h, err);
        return;
    case OTTER_ERR_HTTP_RANGE_IGNORED:
    case OTTER_ERR_HTTP_RESOURCE_CHANGED:
        explain_range(o, h, err);
        return;
    case OTTER_ERR_HTTP_STATUS_LINE:
    case OTTER_ERR_HTTP_HEADER_TOO_LARGE:
    case OTTER_ERR_HTTP_HEAD_TOO_LONG:
    case OTTER_ERR_HTTP_PROTOCOL:
    case OTTER_ERR_HTTP_CHUNK:
        explain_form(o, h, err);
        return;
    case OTTER_ERR_HTTP_DOWNGRADE:
    case OTTER_ERR_HTTP_TOO_MANY_REDIRECTS:
        explain_redirect(o, h, err);
        return;
    case OTTER_ERR_HTTP_URL_TOO_LONG:
        put(o, "the URL (or a redirect's Location) is longer than OTTER_HTTP_URL_MAX (");
        put_u64(o, OTTER_HTTP_URL_MAX);
        put(o, " bytes with the Location)");
        return;
    case OTTER_ERR_URL:
        put(o, "the URL is not a valid http:// or https:// URL");
        return;
    case OTTER_ERR_UNSUPPORTED:
        put(o, "this client cannot fetch the URL: no transport for its scheme (https without TLS?) or "
               "%-escaped credentials in it (pass them in basic_auth)");
        return;
    default:
        explain_net(o, h, err);
    }
}

size_t otter_http_explain(const otter_http_t *h, int err, char *out, size_t cap)
{
    out_t o = {out, out != NULL ? cap : 0, 0};
    if (h == NULL)
        put(&o, "no HTTP client");
    else
        explain(&o, h, err);
    if (o.cap > 0)
        out[o.len < o.cap ? o.len : o.cap - 1] = '\0';
    return o.len;
}
