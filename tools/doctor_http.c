/* otter doctor, HTTP and image steps: the request a device makes first
 * (GET with Range: bytes=0-4095, through otter_http with the device's buffer
 * size), redirects, headers, status, Content-Type, size, Range/ETag, the
 * image header against the chip and running version, and the signature. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "doctor.h"
#include "host_error.h"
#include "otter/update.h"
#include "otter/http.h"
#include "otter/image.h"
#include "otter/sigblock.h"
#include "posix_tcp.h"
#include "sign.h"

#define FIRST_LEN 4096u
#define IMAGE_MAX (16u << 20)
#define TAP_MAX 16384u

/* A transport that passes through to another and keeps the first TAP_MAX
 * bytes of the latest response (reset at each request written), so that a
 * failed response head can be looked at afterwards. */
struct tap {
    const otter_transport_t *inner;
    uint8_t bytes[TAP_MAX];
    size_t len;
    int reading; /* a read came after the last write */
};

/* Everything one HTTP client needs, on the heap. */
struct client {
    otter_posix_tcp_t tcp_plain, tcp_tls;
    otter_transport_t plain, lower, tls_t;
    otter_transport_t tap_plain_t, tap_tls_t;
    struct tap tap_plain, tap_tls;
    otter_tls_t tls;
    otter_tls_report_t report;
    otter_http_t http;
    uint8_t *buf;
    doctor_t *d;
    int log_hops;
};

static int tap_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    struct tap *t = ctx;
    t->len = 0;
    t->reading = 0;
    return t->inner->connect(t->inner->ctx, host, port, timeout_ms);
}

static int tap_read(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    struct tap *t = ctx;
    int n = t->inner->read(t->inner->ctx, buf, len, timeout_ms);
    t->reading = 1;
    if (n > 0 && t->len < TAP_MAX) {
        size_t k = (size_t)n < TAP_MAX - t->len ? (size_t)n : TAP_MAX - t->len;
        memcpy(t->bytes + t->len, buf, k);
        t->len += k;
    }
    return n;
}

static int tap_write(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    struct tap *t = ctx;
    if (t->reading)
        t->len = 0;
    t->reading = 0;
    return t->inner->write(t->inner->ctx, buf, len, timeout_ms);
}

static void tap_close(void *ctx)
{
    struct tap *t = ctx;
    t->inner->close(t->inner->ctx);
}

static void tap_wrap(struct tap *t, const otter_transport_t *inner, otter_transport_t *out)
{
    t->inner = inner;
    t->len = 0;
    t->reading = 0;
    out->connect = tap_connect;
    out->read = tap_read;
    out->write = tap_write;
    out->close = tap_close;
    out->ctx = t;
}

static void on_event(void *arg, const otter_http_event_t *ev)
{
    struct client *c = arg;
    if (ev->type == OTTER_HTTP_EV_REDIRECT && c->log_hops)
        doctor_add(c->d, "redirect", DOCTOR_INFO, "hop %u: %u to %s", (unsigned)ev->hop,
                   (unsigned)ev->status, ev->url);
}

static struct client *client_new(doctor_t *d, int log_hops)
{
    struct client *c = calloc(1, sizeof *c);
    if (!c || !(c->buf = malloc(d->buffer))) {
        free(c);
        return NULL;
    }
    c->d = d;
    c->log_hops = log_hops;
    otter_posix_tcp_init(&c->tcp_plain, &c->plain);
    otter_posix_tcp_init(&c->tcp_tls, &c->lower);
    otter_tls_report_init(&c->report);
    if (doctor_tls_setup(d, &c->tls, &c->lower, &c->report) == 0)
        otter_tls_transport(&c->tls, &c->tls_t);
    otter_http_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    tap_wrap(&c->tap_plain, &c->plain, &c->tap_plain_t);
    tap_wrap(&c->tap_tls, &c->tls_t, &c->tap_tls_t);
    cfg.tcp = &c->tap_plain_t;
    cfg.tls = c->tls_t.read ? &c->tap_tls_t : NULL;
    cfg.connect_timeout_ms = d->timeout_ms;
    cfg.read_timeout_ms = d->timeout_ms;
    cfg.on_event = on_event;
    cfg.event_arg = c;
    otter_http_init(&c->http, &cfg, c->buf, d->buffer);
    return c;
}

static void client_free(struct client *c)
{
    if (!c)
        return;
    otter_http_free(&c->http);
    otter_tls_free(&c->tls);
    otter_posix_tcp_free(&c->tcp_plain);
    otter_posix_tcp_free(&c->tcp_tls);
    free(c->buf);
    free(c);
}

static int is_tls_error(int rc)
{
    return OTTER_ERR_IS_TLS(rc);
}

/* The headers otter keeps in fixed fields, with the build limit on each. */
static const struct kept {
    const char *name, *limit;
    size_t cap; /* value bytes + the terminating NUL */
} kept_headers[] = {
    {"ETag", "OTTER_HTTP_ETAG_MAX", OTTER_HTTP_ETAG_MAX},
    {"Last-Modified", "OTTER_HTTP_DATE_MAX", OTTER_HTTP_DATE_MAX},
    {"Content-Type", "OTTER_HTTP_CTYPE_MAX", OTTER_HTTP_CTYPE_MAX},
    {"Location", "OTTER_HTTP_URL_MAX", OTTER_HTTP_URL_MAX},
};

/* In a captured response head, the first kept header whose value does not
 * fit its field: fills *k and *len and returns 1, else 0. Location is
 * is stored after the current URL (url_len bytes) in the same field. */
static int overlong_header(const struct tap *t, size_t url_len, const struct kept **k, size_t *len)
{
    size_t i = 0;
    while (i < t->len) {
        size_t e = i;
        while (e < t->len && t->bytes[e] != '\n')
            e++;
        size_t n = e - i;
        if (n && t->bytes[i + n - 1] == '\r')
            n--;
        if (n == 0 && i > 0)
            return 0; /* end of the head */
        const char *line = (const char *)t->bytes + i;
        for (size_t h = 0; h < sizeof kept_headers / sizeof kept_headers[0]; h++) {
            size_t nl = strlen(kept_headers[h].name);
            if (n > nl && line[nl] == ':' && strncasecmp(line, kept_headers[h].name, nl) == 0) {
                size_t a = nl + 1, b = n;
                while (a < b && (line[a] == ' ' || line[a] == '\t'))
                    a++;
                while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t'))
                    b--;
                size_t room = kept_headers[h].cap - (kept_headers[h].cap == OTTER_HTTP_URL_MAX ? url_len + 1 : 0);
                if (b - a + 1 > room) {
                    *k = &kept_headers[h];
                    *len = b - a;
                    return 1;
                }
            }
        }
        i = e + 1;
    }
    return 0;
}

/* A needed header did not fit: name it from the captured head. */
static doctor_step_t *header_too_large(doctor_t *d, struct client *c, const otter_http_detail_t *det)
{
    const struct tap *t = c->tap_tls.len ? &c->tap_tls : &c->tap_plain;
    const struct kept *k;
    size_t len;
    if (!overlong_header(t, strlen(d->url), &k, &len)) {
        return doctor_add(d, "headers", DOCTOR_FAIL, "a header the device keeps (ETag, Last-Modified, Content-Type, "
                                              "Location) from %s is longer than its field",
                   det->host);
    }
    doctor_step_t *s = doctor_add(d, "headers", DOCTOR_FAIL,
                                  "%s from %s is %zu bytes: the device keeps at most %zu (%s %zu)", k->name,
                                  det->host, len, k->cap - 1, k->limit, k->cap);
    doctor_fix(s, "make the server send a shorter %s, or build the device with -D%s=%zu or more", k->name,
               k->limit, k->cap == OTTER_HTTP_URL_MAX ? len + strlen(d->url) + 2 : len + 1);
    return s;
}

/* The first request failed: say at which step and why. */
static void request_failed(doctor_t *d, struct client *c, int rc)
{
    const otter_http_detail_t *det = otter_http_detail(&c->http);
    doctor_step_t *s;
    if (is_tls_error(rc)) {
        s = doctor_add(d, "redirect", DOCTOR_FAIL, "TLS with %s port %u failed: %s", det->host,
                       (unsigned)det->port, otter_host_strerror(rc));
        doctor_fix(s, "the redirect target is checked with the same trust as the first host: a "
                      "device that follows it needs the roots of both hosts in its CA bundle (see below)");
        doctor_trust_steps(d, &c->report, rc);
        return;
    }
    /* The HTTP client's own sentence for the failure is the fix. */
    char ex[600];
    otter_http_explain(&c->http, rc, ex, sizeof ex);
    switch (rc) {
    case OTTER_ERR_HTTP_DOWNGRADE:
        s = doctor_add(d, "redirect", DOCTOR_FAIL,
                       "hop %u redirects to plain http://: the device refuses to leave https",
                       (unsigned)det->redirects + 1);
        break;
    case OTTER_ERR_HTTP_TOO_MANY_REDIRECTS:
        s = doctor_add(d, "redirect", DOCTOR_FAIL, "more than %u redirects (a loop?)", OTTER_HTTP_MAX_REDIRECTS);
        break;
    case OTTER_ERR_HTTP_HEADER_TOO_LARGE:
    case OTTER_ERR_HTTP_REDIRECT_TOO_LONG:
        s = header_too_large(d, c, det);
        break;
    case OTTER_ERR_HTTP_HEAD_TOO_LONG:
    case OTTER_ERR_HTTP_URL_TOO_LONG:
        s = doctor_add(d, "headers", DOCTOR_FAIL, "%s (the device's HTTP buffer: %zu bytes)",
                       otter_host_strerror(rc), d->buffer);
        break;
    case OTTER_ERR_HTTP_STATUS:
        s = doctor_add(d, "status", DOCTOR_FAIL, "HTTP %u from %s", (unsigned)det->status, det->host);
        break;
    default:
        s = doctor_add(d, "HTTP", DOCTOR_FAIL, "request to %s failed: %s (%s)", det->host,
                       otter_host_strerror(rc), otter_host_errname(rc));
    }
    doctor_fix(s, "%s", ex);
}

/* The slot capacity the device checks the length against: the slot minus
 * its last sector (the update journal). */
static uint32_t doctor_capacity(const doctor_t *d)
{
    if (!d->slot_size)
        return UINT32_MAX;
    return d->slot_size > 4096u ? (uint32_t)(d->slot_size - 4096u) : 0;
}

/* Length and Range, decided by the device's own otter_update_check_head(). */
static void size_steps(doctor_t *d, const otter_http_response_t *resp, int rc, uint64_t total)
{
    if (rc == OTTER_ERR_UPD_TOO_LARGE) {
        doctor_step_t *s = doctor_add(d, "Content-Length", DOCTOR_FAIL,
                                      "%llu bytes: larger than the %llu bytes the slot takes (its last sector holds "
                                      "the update journal)",
                                      (unsigned long long)total, (unsigned long long)doctor_capacity(d));
        doctor_fix(s, "build a smaller image, or use a partition table with larger OTA slots");
    } else if (rc == OTTER_ERR_UPD_NO_LENGTH) {
        doctor_step_t *s = doctor_add(d, "Content-Length", DOCTOR_FAIL, "%s", otter_host_strerror(rc));
        doctor_fix(s, "serve the file as a static file (Content-Range must carry the total length)");
    } else if (total == 0) {
        doctor_add(d, "Content-Length", DOCTOR_OK,
                   "not given (%s): the device reads to the end of the body, at most the slot; the app image "
                   "says where it ends",
                   resp->chunked ? "chunked transfer" : "the body ends when the server closes");
    } else if (resp->chunked) {
        doctor_add(d, "Content-Length", DOCTOR_OK, "not given (chunked transfer); Content-Range says %llu bytes%s",
                   (unsigned long long)total, d->slot_size ? ", fits the slot" : "");
    } else {
        doctor_add(d, "Content-Length", DOCTOR_OK, "%llu bytes%s", (unsigned long long)total,
                   d->slot_size ? ", fits the slot" : "");
    }
    if (resp->status == 206 && resp->has_range) {
        const char *v = resp->etag[0] ? resp->etag : resp->last_modified;
        doctor_step_t *s = doctor_add(d, "Range", v[0] ? DOCTOR_OK : DOCTOR_WARN, "honoured (206)%s%s%s", v[0] ? ", " : "",
                                      resp->etag[0] ? "ETag " : resp->last_modified[0] ? "Last-Modified " : "", v);
        if (v[0])
            snprintf(s->text + strlen(s->text), sizeof s->text - strlen(s->text),
                     ": a cut download resumes where it stopped");
        else
            doctor_fix(s, "no ETag or Last-Modified: a resumed download cannot tell whether the file changed");
    } else {
        doctor_step_t *s = doctor_add(d, "Range", DOCTOR_WARN,
                                      "ignored (status %u to a Range request): a cut download restarts from zero%s",
                                      (unsigned)resp->status,
                                      total ? "" : " (and without a length a cut looks like the end)");
        doctor_fix(s, "serve the image from a server or CDN that honours Range (nginx, S3 do)");
    }
}

/* Check the first bytes as the device would before erasing anything. */
static void image_steps(doctor_t *d, const uint8_t *p, size_t n, bool whole)
{
    otter_image_t img;
    otter_image_init(&img, d->chip);
    if (whole) /* the body ended: a short file is named now */
        otter_image_set_file_len(&img, (uint32_t)n);
    int rc = otter_image_feed(&img, p, n);
    rc = rc < 0 ? rc : otter_image_early_verdict(&img);
    const otter_image_info_t *in = otter_image_info(&img);
    if (rc < 0) {
        doctor_step_t *s = doctor_add(d, "image", DOCTOR_FAIL, "%s", otter_host_strerror(rc));
        if (rc == OTTER_ERR_IMG_CHIP_MISMATCH) {
            doctor_fix(s, "the image is built for %s, the device is %s: build for the right target",
                       otter_image_chip_name(in->chip_id), otter_image_chip_name(d->chip));
        } else {
            char why[512];
            otter_image_explain(&img, rc, why, sizeof why);
            doctor_fix(s, "%s", strncmp(why, "fix: ", 5) ? why : why + 5);
        }
        otter_image_free(&img);
        return;
    }
    if (!otter_image_desc_known(&img) || !in->has_app_desc) {
        doctor_add(d, "image", DOCTOR_WARN, "%s app image without an app description: no version to compare",
                   otter_image_chip_name(in->chip_id));
        otter_image_free(&img);
        return;
    }
    char project[4 * sizeof in->app.project_name], version[4 * sizeof in->app.version], idf[4 * sizeof in->app.idf_ver],
        running[200];
    cli_escape(in->app.project_name, project, sizeof project);
    cli_escape(in->app.version, version, sizeof version);
    cli_escape(in->app.idf_ver, idf, sizeof idf);
    cli_escape(d->running_version ? d->running_version : "", running, sizeof running);
    doctor_add(d, "image", DOCTOR_OK, "%s app image, project '%s', version '%s' (ESP-IDF %s)",
               otter_image_chip_name(in->chip_id), project, version, idf);
    /* The device's own decision (src/update_policy.c). */
    otter_update_policy_t pol;
    memset(&pol, 0, sizeof pol);
    pol.chip_id = d->chip;
    otter_update_detail_t det;
    memset(&det, 0, sizeof det);
    rc = otter_update_decide(&pol, in, d->running_version, NULL, &det);
    if (!d->running_version) {
        /* nothing to compare with */
    } else if (rc == OTTER_UPDATE_MORE || rc == OTTER_ERR_UPD_OLDER) {
        doctor_add(d, "version", DOCTOR_OK, "'%s' is %s the running '%s': a device skips it", version,
                   rc == OTTER_UPDATE_MORE ? "the same as" : "older than", running);
        snprintf(d->skip_why, sizeof d->skip_why, "the image's version '%s' is %s the running one", version,
                 rc == OTTER_UPDATE_MORE ? "the same as" : "older than");
    } else if (rc == OTTER_ERR_UPD_VERSION) {
        doctor_step_t *s = doctor_add(d, "version", DOCTOR_FAIL,
                                      "'%s' cannot be compared with the running '%s' by the version rule: a "
                                      "device refuses it",
                                      version, running);
        doctor_fix(s, "use versions whose leading numbers order them (1.2.3, v1.2.3-4-gabc123, 1.2.3-rc.1), or "
                      "let the device take any different version (policy allow_incomparable)");
    } else if (rc < 0) {
        doctor_step_t *s = doctor_add(d, "version", DOCTOR_FAIL, "%s", otter_host_strerror(rc));
        doctor_fix(s, "required: %s; the image has: %s", det.expected, det.got);
    } else {
        doctor_add(d, "version", DOCTOR_OK, "'%s' is newer than the running '%s'", version, running);
    }
    otter_image_free(&img);
}

/* Read the rest of a response body into a growing buffer (at most
 * IMAGE_MAX bytes). Returns the length or a negative otter_err_t. */
static long read_body(struct client *c, uint8_t **out)
{
    size_t cap = 1 << 16, n = 0;
    uint8_t *b = malloc(cap);
    if (!b)
        return OTTER_ERR_IO;
    for (;;) {
        if (n == cap) {
            uint8_t *nb = cap < IMAGE_MAX ? realloc(b, cap * 2) : NULL;
            if (!nb) {
                free(b);
                return OTTER_ERR_UPD_TOO_LARGE;
            }
            b = nb;
            cap *= 2;
        }
        int r = otter_http_read(&c->http, b + n, cap - n);
        if (r == OTTER_ERR_HTTP_AGAIN)
            continue;
        if (r < 0) {
            free(b);
            return r;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    *out = b;
    return (long)n;
}

/* Download the whole image as the device would and check it end to end:
 * image structure, then the Secure Boot V2 signature against the keys. */
static void signature_step(doctor_t *d)
{
    struct client *c = client_new(d, 0);
    uint8_t *data = NULL;
    long n = c ? otter_http_get(&c->http, d->url, 0, NULL) : OTTER_ERR_IO;
    if (n == 0)
        n = read_body(c, &data);
    client_free(c);
    if (n < 0) {
        doctor_add(d, "signature", DOCTOR_FAIL, "cannot download the image to check it: %s", otter_host_strerror((int)n));
        return;
    }
    otter_image_t img;
    otter_image_init(&img, d->chip);
    otter_image_feed(&img, data, (size_t)n);
    int rc = otter_image_finish(&img);
    const otter_image_info_t *in = otter_image_info(&img);
    if (rc != 0) {
        doctor_step_t *s = doctor_add(d, "image", DOCTOR_FAIL, "the whole image (%ld bytes): %s", n, otter_host_strerror(rc));
        doctor_fix(s, "the file on the server is damaged or not an app image: upload it again");
    } else if ((size_t)n < (size_t)in->signed_len + OTTER_SIG_SECTOR_LEN) {
        doctor_step_t *s = doctor_add(d, "signature", DOCTOR_FAIL,
                                      "the image is unsigned (no signature sector after its %u bytes), but the "
                                      "device has signing keys: it refuses it",
                                      (unsigned)in->signed_len);
        doctor_fix(s, "sign the image: otter sign --key KEY.pem IMAGE (or espsecure sign_data --version 2)");
    } else {
        uint8_t d384[48];
        otter_host_sha384(data, in->signed_len, d384);
        otter_sigblock_report_t rep;
        rc = otter_sigblock_verify(data + in->signed_len, in->sig_digest, d384,
                                   (const uint8_t(*)[32])d->trusted, d->n_trusted, &rep);
        if (rc == 0) {
            doctor_add(d, "signature", DOCTOR_OK, "%u signature block(s), %u verified with a key the device trusts",
                       (unsigned)rep.n_present, (unsigned)rep.n_verified);
        } else {
            doctor_step_t *s = doctor_add(d, "signature", DOCTOR_FAIL, "%s", otter_host_strerror(rc));
            doctor_fix(s, rc == OTTER_ERR_SIG_UNTRUSTED
                              ? "the image is signed with a key the device does not trust: sign it with the "
                                "device's key (--pub / --key-digest are what the device has)"
                              : "re-sign the image with the device's key");
        }
    }
    otter_image_free(&img);
    free(data);
}

int doctor_http(doctor_t *d)
{
    struct client *c = client_new(d, 1);
    if (!c)
        return -1;
    otter_http_request_t req;
    memset(&req, 0, sizeof req);
    req.url = d->url;
    req.range_len = FIRST_LEN;
    int rc = otter_http_request(&c->http, &req);
    if (rc != 0) {
        request_failed(d, c, rc);
        client_free(c);
        return -1;
    }
    const otter_http_response_t *resp = otter_http_response(&c->http);
    const otter_http_detail_t *det = otter_http_detail(&c->http);
    if (det->redirects)
        doctor_add(d, "redirects", DOCTOR_OK, "%u followed, none to http://", (unsigned)det->redirects);
    doctor_add(d, "headers", DOCTOR_OK,
               "the ones the device keeps (ETag, Last-Modified, Content-Type, Location) fit their fields; the "
               "rest pass through its %zu-byte buffer",
               d->buffer);
    doctor_add(d, "status", DOCTOR_OK, "%u", (unsigned)resp->status);
    uint64_t total;
    int head_rc = otter_update_check_head(resp, doctor_capacity(d), &total);
    if (head_rc == OTTER_ERR_UPD_CONTENT_TYPE) {
        doctor_step_t *s = doctor_add(d, "Content-Type", DOCTOR_FAIL, "%s: a web page, not a firmware image",
                                      resp->content_type);
        doctor_fix(s, "the server answers with a page (an error or login page with status %u?): check "
                      "the URL; serve the image as application/octet-stream",
                      (unsigned)resp->status);
    } else {
        doctor_add(d, "Content-Type", resp->content_type[0] ? DOCTOR_OK : DOCTOR_WARN, "%s",
                   resp->content_type[0] ? resp->content_type : "none given");
    }
    size_steps(d, resp, head_rc, total);
    uint8_t *first = malloc(FIRST_LEN);
    size_t n = 0;
    while (first && n < FIRST_LEN) {
        int r = otter_http_read(&c->http, first + n, FIRST_LEN - n);
        if (r == OTTER_ERR_HTTP_AGAIN)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    client_free(c);
    if (first)
        image_steps(d, first, n, n < FIRST_LEN);
    free(first);
    if (d->fail_at[0])
        return -1;
    if (d->n_trusted)
        signature_step(d);
    else
        doctor_add(d, "signature", DOCTOR_INFO, "not checked: no --pub or --key-digest given (a device without "
                                                "keys installs unsigned images)");
    return d->fail_at[0] ? -1 : 0;
}
