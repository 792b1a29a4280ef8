/* otter HTTP client: the detail record in words (freestanding: no stdio). */
#include <string.h>

#include "http_priv.h"
#include "otter/error.h"
#include "strbuf.h"

static void put_host(otter_sb_t *o, const otter_http_detail_t *d)
{
    otter_sb_put(o, "'");
    otter_sb_put(o, d->host[0] ? d->host : "?");
    otter_sb_put(o, "' port ");
    otter_sb_u64(o, d->port);
}

static void explain_status(otter_sb_t *o, const otter_http_t *h)
{
    const otter_http_detail_t *d = &h->detail;
    uint16_t s = d->status;
    otter_sb_put(o, "the server ");
    put_host(o, d);
    otter_sb_put(o, " answered HTTP ");
    otter_sb_u64(o, s);
    if (s == 401 || s == 403)
        otter_sb_put(o, ": access refused (credentials needed, or wrong)");
    else if (s == 404 || s == 410)
        otter_sb_put(o, ": there is no file at this URL");
    else if (s == 416)
        otter_sb_put(o, ": the requested range lies past the end of the file");
    else if (s >= 500)
        otter_sb_put(o, ": the server failed (see its error log)");
    else if (s >= 300 && s < 400)
        otter_sb_put(o, " without a Location to follow");
    else
        otter_sb_put(o, ": otter accepts only 2xx here");
}

static void explain_timeout(otter_sb_t *o, const otter_http_t *h)
{
    const otter_http_detail_t *d = &h->detail;
    if (d->phase == OTTER_HTTP_PHASE_CONNECT) {
        otter_sb_put(o, "no connection to ");
        put_host(o, d);
        otter_sb_put(o, " within ");
        otter_sb_u64(o, h->cfg.connect_timeout_ms);
        otter_sb_put(o, " ms");
    } else if (d->phase == OTTER_HTTP_PHASE_BODY) {
        otter_sb_put(o, "the download from ");
        put_host(o, d);
        otter_sb_put(o, " stalled after ");
        otter_sb_u64(o, d->body_bytes);
        otter_sb_put(o, " body bytes (nothing for ");
        otter_sb_u64(o, h->cfg.read_timeout_ms);
        otter_sb_put(o, " ms); it can resume from there");
    } else {
        otter_sb_put(o, "the server ");
        put_host(o, d);
        otter_sb_put(o, " sent no response for ");
        otter_sb_u64(o, h->cfg.read_timeout_ms);
        otter_sb_put(o, " ms");
    }
}

static void explain_body(otter_sb_t *o, const otter_http_t *h, int err)
{
    const otter_http_detail_t *d = &h->detail;
    otter_sb_put(o, "the server ");
    put_host(o, d);
    if (err == OTTER_ERR_HTTP_CLOSED_EARLY) {
        otter_sb_put(o, " closed the connection after ");
        otter_sb_u64(o, d->body_bytes);
        if (h->resp.has_length) {
            otter_sb_put(o, " of ");
            otter_sb_u64(o, h->resp.content_length);
        }
        otter_sb_put(o, " body bytes; the download can resume from byte ");
        otter_sb_u64(o, h->range_start + d->body_bytes);
    } else {
        otter_sb_put(o, " sent more body than the ");
        otter_sb_u64(o, h->resp.content_length);
        otter_sb_put(o, " bytes it announced");
    }
}

static void explain_range(otter_sb_t *o, const otter_http_t *h, int err)
{
    const otter_http_detail_t *d = &h->detail;
    if (err == OTTER_ERR_HTTP_RANGE_IGNORED) {
        otter_sb_put(o, "the server ");
        put_host(o, d);
        otter_sb_put(o, " did not resume at byte ");
        otter_sb_u64(o, h->range_start);
        otter_sb_put(o, " (HTTP ");
        otter_sb_u64(o, d->status);
        otter_sb_put(o, "): download from the start");
    } else {
        otter_sb_put(o, "the file on ");
        put_host(o, d);
        otter_sb_put(o, " changed since the download began (ETag, Last-Modified or size differ): start again from byte 0");
    }
}

/* Errors about the response's form. */
static void explain_form(otter_sb_t *o, const otter_http_t *h, int err)
{
    const otter_http_detail_t *d = &h->detail;
    if (err == OTTER_ERR_HTTP_STATUS_LINE) {
        otter_sb_put(o, "the server ");
        put_host(o, d);
        otter_sb_put(o, " did not answer in HTTP/1.x (an https port addressed with http://, or not a web server?)");
    } else if (err == OTTER_ERR_HTTP_HEADER_TOO_LARGE) {
        otter_sb_put(o, "a header otter keeps (ETag, Last-Modified, Content-Type, Location, ...) from ");
        put_host(o, d);
        otter_sb_put(o, " is longer than its field: raise the OTTER_HTTP_*_MAX limits");
    } else if (err == OTTER_ERR_HTTP_HEAD_TOO_LONG) {
        otter_sb_put(o, "the response head from ");
        put_host(o, d);
        otter_sb_put(o, " is longer than OTTER_HTTP_HEAD_MAX (");
        otter_sb_u64(o, OTTER_HTTP_HEAD_MAX);
        otter_sb_put(o, " bytes)");
    } else {
        otter_sb_put(o, "the server ");
        put_host(o, d);
        otter_sb_put(o, " sent a malformed response (");
        otter_sb_put(o, otter_strerror(err));
        otter_sb_put(o, ")");
    }
}

static void explain_redirect(otter_sb_t *o, const otter_http_t *h, int err)
{
    const otter_http_detail_t *d = &h->detail;
    if (err == OTTER_ERR_HTTP_DOWNGRADE) {
        otter_sb_put(o, "the server ");
        put_host(o, d);
        otter_sb_put(o, " redirects from https to plain http (");
        otter_sb_put(o, h->url);
        otter_sb_put(o, "), which otter refuses: make it redirect to https");
    } else {
        otter_sb_put(o, "more than ");
        otter_sb_u64(o, h->cfg.max_redirects);
        otter_sb_put(o, " redirects, the last one HTTP ");
        otter_sb_u64(o, d->status);
        otter_sb_put(o, " from ");
        put_host(o, d);
        otter_sb_put(o, " (a redirect loop?)");
    }
}

static void explain_net(otter_sb_t *o, const otter_http_t *h, int err)
{
    const otter_http_detail_t *d = &h->detail;
    switch (err) {
    case OTTER_ERR_DNS:
        otter_sb_put(o, "the host name '");
        otter_sb_put(o, d->host);
        otter_sb_put(o, "' does not resolve: check the URL and the device's DNS server");
        return;
    case OTTER_ERR_CONNECT:
        otter_sb_put(o, "cannot connect to ");
        put_host(o, d);
        otter_sb_put(o, ": refused or unreachable (server down, wrong port, firewall?)");
        return;
    case OTTER_ERR_CLOSED:
        otter_sb_put(o, "the server ");
        put_host(o, d);
        otter_sb_put(o, " closed the connection before its response was complete");
        return;
    default:
        otter_sb_put(o, "the connection to ");
        put_host(o, d);
        otter_sb_put(o, " failed (");
        otter_sb_put(o, otter_strerror(err));
        otter_sb_put(o, ")");
        if (d->phase == OTTER_HTTP_PHASE_BODY) {
            otter_sb_put(o, " after ");
            otter_sb_u64(o, d->body_bytes);
            otter_sb_put(o, " body bytes; the download can resume from there");
        }
    }
}

static void explain(otter_sb_t *o, const otter_http_t *h, int err)
{
    const otter_http_detail_t *d = &h->detail;
    if (err >= 0) {
        otter_sb_put(o, "HTTP ");
        otter_sb_u64(o, d->status);
        otter_sb_put(o, " from ");
        put_host(o, d);
        otter_sb_put(o, ", ");
        otter_sb_u64(o, d->body_bytes);
        otter_sb_put(o, " body bytes so far");
        return;
    }
    if (OTTER_ERR_IS_TLS(err)) {
        otter_sb_put(o, "TLS with ");
        put_host(o, d);
        otter_sb_put(o, " failed: ");
        otter_sb_put(o, otter_strerror(err));
        otter_sb_put(o, " (the TLS report names the certificate and the reason)");
        return;
    }
    switch (err) {
    case OTTER_ERR_TIMEOUT:
        explain_timeout(o, h);
        return;
    case OTTER_ERR_HTTP_DEADLINE:
        otter_sb_put(o, "the overall time limit of ");
        otter_sb_u64(o, h->cfg.overall_timeout_ms);
        otter_sb_put(o, " ms ran out after ");
        otter_sb_u64(o, d->body_bytes);
        otter_sb_put(o, " body bytes from ");
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
        otter_sb_put(o, "the URL is longer than OTTER_HTTP_URL_MAX (");
        otter_sb_u64(o, OTTER_HTTP_URL_MAX);
        otter_sb_put(o, " bytes with its NUL): build otter with a larger -DOTTER_HTTP_URL_MAX");
        return;
    case OTTER_ERR_HTTP_REDIRECT_TOO_LONG:
        otter_sb_put(o, "the redirect from ");
        put_host(o, &h->detail);
        otter_sb_put(o, " points to a URL that does not fit in OTTER_HTTP_URL_MAX (");
        otter_sb_u64(o, OTTER_HTTP_URL_MAX);
        otter_sb_put(o, " bytes, holding the current URL and the Location; at least ");
        otter_sb_u64(o, h->detail.url_need);
        otter_sb_put(o, " needed): it was not followed; build otter with -DOTTER_HTTP_URL_MAX=");
        otter_sb_u64(o, h->detail.url_need <= 2048 ? 2048 : h->detail.url_need);
        otter_sb_put(o, " (or in OTTER_CONFIG_FILE)");
        return;
    case OTTER_ERR_URL:
        otter_sb_put(o, "the URL is not a valid http:// or https:// URL");
        return;
    case OTTER_ERR_UNSUPPORTED:
        otter_sb_put(o, "this client cannot fetch the URL: no transport for its scheme (https without TLS?) or "
               "%-escaped credentials in it (pass them in basic_auth)");
        return;
    default:
        explain_net(o, h, err);
    }
}

size_t otter_http_explain(const otter_http_t *h, int err, char *out, size_t cap)
{
    otter_sb_t o;
    otter_sb_init(&o, out, cap);
    if (h == NULL)
        otter_sb_put(&o, "no HTTP client");
    else
        explain(&o, h, err);
    return o.len;
}
