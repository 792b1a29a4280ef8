/* otter HTTP client: the response head parser and the chunked body decoder.
 * Both are byte-at-a-time state machines kept in the context, so input may be
 * split anywhere (one byte per transport read works) and nothing but the
 * kept header values is ever stored. */
#include <string.h>

#include "http_priv.h"
#include "otter/error.h"
#include "strutil.h"

int otter_http_ci_equal(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++)
        if (otter_ascii_lower(a[i]) != otter_ascii_lower(b[i]))
            return 0;
    return 1;
}

static int is_tchar(uint8_t c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Decimal digits only, 1..19 of them (cannot overflow 64 bits). */
static int parse_u64(const char *s, size_t n, uint64_t *out)
{
    if (n == 0 || n > 19)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10u + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

void otter_http_head_reset(otter_http_t *h)
{
    h->hstate = HS_STATUS;
    h->hfield = HF_NONE;
    h->status_pos = 0;
    h->name_len = 0;
    h->val_len = 0;
    h->prev_needed = false;
    h->conn_close = false;
    h->conn_keep = false;
    h->te_seen = false;
    h->loc_seen = false;
    h->loc_len = 0;
    h->loc_off = strlen(h->url) + 1;
    memset(&h->resp, 0, sizeof h->resp);
}

static const struct {
    const char *name;
    uint8_t field;
} kept_headers[] = {
    {"content-length", HF_CONTENT_LENGTH}, {"transfer-encoding", HF_TRANSFER_ENCODING},
    {"content-range", HF_CONTENT_RANGE},   {"connection", HF_CONNECTION},
    {"etag", HF_ETAG},                     {"last-modified", HF_LAST_MODIFIED},
    {"content-type", HF_CONTENT_TYPE},     {"location", HF_LOCATION},
};

static uint8_t classify_name(const otter_http_t *h)
{
    if (h->name_len > sizeof h->name)
        return HF_NONE; /* longer than any kept name */
    for (size_t i = 0; i < sizeof kept_headers / sizeof kept_headers[0]; i++)
        if (otter_http_ci_equal(h->name, h->name_len, kept_headers[i].name)) {
            uint16_t s = h->resp.status;
            int redirect = s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
            if (kept_headers[i].field == HF_LOCATION && !redirect)
                return HF_NONE; /* only a redirect's Location matters */
            return kept_headers[i].field;
        }
    return HF_NONE;
}

/* Destination and capacity (including the NUL) of the current kept field. */
static char *field_dest(otter_http_t *h, size_t *cap)
{
    switch (h->hfield) {
    case HF_ETAG:
        *cap = sizeof h->resp.etag;
        return h->resp.etag;
    case HF_LAST_MODIFIED:
        *cap = sizeof h->resp.last_modified;
        return h->resp.last_modified;
    case HF_CONTENT_TYPE:
        *cap = sizeof h->resp.content_type;
        return h->resp.content_type;
    case HF_LOCATION:
        *cap = h->loc_off < sizeof h->url ? sizeof h->url - h->loc_off : 0;
        return h->url + h->loc_off;
    default:
        *cap = sizeof h->scratch;
        return h->scratch;
    }
}

/* "bytes first-last/total" or "bytes first-last/\*". */
static int parse_content_range(otter_http_response_t *r, const char *v, size_t n)
{
    if (n < 6 || !otter_http_ci_equal(v, 6, "bytes "))
        return -1;
    size_t i = 6, j;
    for (j = i; j < n && v[j] != '-'; j++)
        ;
    if (j >= n || parse_u64(v + i, j - i, &r->range_first))
        return -1;
    for (i = j + 1, j = i; j < n && v[j] != '/'; j++)
        ;
    if (j >= n || parse_u64(v + i, j - i, &r->range_last))
        return -1;
    i = j + 1;
    if (n - i == 1 && v[i] == '*')
        r->range_total = UINT64_MAX;
    else if (parse_u64(v + i, n - i, &r->range_total) || r->range_last >= r->range_total)
        return -1;
    if (r->range_first > r->range_last)
        return -1;
    r->has_range = true;
    return 0;
}

static void parse_connection(otter_http_t *h, const char *v, size_t n)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t s = i;
        while (i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t')
            i++;
        if (otter_http_ci_equal(v + s, i - s, "close"))
            h->conn_close = true;
        else if (otter_http_ci_equal(v + s, i - s, "keep-alive"))
            h->conn_keep = true;
    }
}

/* A redirect's Location of at least loc_len bytes does not fit after the
 * current URL: its own error, with the room it needed for the explanation. */
static int location_too_long(otter_http_t *h, size_t loc_len)
{
    h->detail.url_need = (uint32_t)(h->loc_off + loc_len + 1);
    return OTTER_ERR_HTTP_REDIRECT_TOO_LONG;
}

/* The trimmed Location value v[0..n): percent-encode the whitespace left
 * inside it, in place from the back. */
static int end_location(otter_http_t *h, char *v, size_t n, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t ws = 0;
    for (size_t i = 0; i < n; i++)
        ws += v[i] == ' ' || v[i] == '\t';
    if (n + 2 * ws + 1 > cap)
        return location_too_long(h, n + 2 * ws);
    size_t w = n + 2 * ws;
    v[w] = '\0';
    for (size_t i = n; i-- > 0;) {
        char c = v[i];
        if (c == ' ' || c == '\t') {
            v[--w] = hex[c & 15];
            v[--w] = hex[(c >> 4) & 15];
            v[--w] = '%';
        } else {
            v[--w] = c;
        }
    }
    h->loc_seen = true;
    h->loc_len = n + 2 * ws;
    return 0;
}

/* End of a header line: trim, terminate and interpret a kept value. */
static int end_value(otter_http_t *h)
{
    size_t cap;
    char *v = field_dest(h, &cap);
    uint8_t f = h->hfield;
    h->prev_needed = f != HF_NONE;
    h->hstate = HS_LINE_START;
    if (f == HF_NONE)
        return 0;
    while (h->val_len > 0 && (v[h->val_len - 1] == ' ' || v[h->val_len - 1] == '\t'))
        h->val_len--;
    v[h->val_len] = '\0';
    size_t n = h->val_len;
    uint64_t cl;
    switch (f) {
    case HF_CONTENT_LENGTH:
        if (parse_u64(v, n, &cl) || (h->resp.has_length && cl != h->resp.content_length))
            return OTTER_ERR_HTTP_PROTOCOL;
        h->resp.has_length = true;
        h->resp.content_length = cl;
        return 0;
    case HF_TRANSFER_ENCODING:
        /* otter asks for no transfer coding but chunked can be decoded */
        if (!otter_http_ci_equal(v, n, "chunked"))
            return OTTER_ERR_HTTP_PROTOCOL;
        h->te_seen = true;
        h->resp.chunked = true;
        return 0;
    case HF_CONTENT_RANGE:
        h->resp.has_range = false;
        (void)parse_content_range(&h->resp, v, n);
        return 0;
    case HF_CONNECTION:
        parse_connection(h, v, n);
        return 0;
    case HF_LOCATION:
        return end_location(h, v, n, cap);
    default:
        return 0;
    }
}

static int status_byte(otter_http_t *h, uint8_t c)
{
    static const char prefix[] = "HTTP/1.";
    uint16_t pos = h->status_pos++;
    if (pos < 7)
        return c == (uint8_t)prefix[pos] ? 0 : OTTER_ERR_HTTP_STATUS_LINE;
    if (pos == 7) {
        if (c < '0' || c > '9')
            return OTTER_ERR_HTTP_STATUS_LINE;
        h->resp.http_minor = (uint8_t)(c - '0');
        return 0;
    }
    if (pos == 8)
        return c == ' ' ? 0 : OTTER_ERR_HTTP_STATUS_LINE;
    if (pos <= 11) {
        if (c < '0' || c > '9' || (pos == 9 && c == '0'))
            return OTTER_ERR_HTTP_STATUS_LINE;
        h->resp.status = (uint16_t)(h->resp.status * 10u + (uint16_t)(c - '0'));
        if (pos == 11)
            h->detail.status = h->resp.status;
        return 0;
    }
    if (c == ' ')
        h->hstate = HS_REASON;
    else if (c == '\r')
        h->hstate = HS_STATUS_CR;
    else if (c == '\n')
        h->hstate = HS_LINE_START;
    else
        return OTTER_ERR_HTTP_STATUS_LINE;
    return 0;
}

static int line_start_byte(otter_http_t *h, uint8_t c)
{
    if (c == '\r') {
        h->hstate = HS_END_CR;
    } else if (c == '\n') {
        h->hstate = HS_DONE;
    } else if (c == ' ' || c == '\t') {
        /* obsolete line folding: harmless on a skipped header, ambiguous on
         * one otter interprets */
        if (h->prev_needed)
            return OTTER_ERR_HTTP_PROTOCOL;
        h->hstate = HS_SKIP;
    } else if (is_tchar(c)) {
        h->name[0] = (char)c;
        h->name_len = 1;
        h->hstate = HS_NAME;
    } else {
        return OTTER_ERR_HTTP_PROTOCOL;
    }
    return 0;
}

static int name_byte(otter_http_t *h, uint8_t c)
{
    if (c == ':') {
        h->hfield = classify_name(h);
        h->val_len = 0;
        h->hstate = HS_VALUE_LWS;
        return 0;
    }
    if (!is_tchar(c))
        return OTTER_ERR_HTTP_PROTOCOL; /* includes space before the colon */
    if (h->name_len < sizeof h->name)
        h->name[h->name_len] = (char)c;
    if (h->name_len <= sizeof h->name)
        h->name_len++;
    return 0;
}

static int value_byte(otter_http_t *h, uint8_t c)
{
    if (c == '\r') {
        h->hstate = HS_VALUE_CR;
        return 0;
    }
    if (c == '\n')
        return end_value(h);
    if (h->hstate == HS_VALUE_LWS && (c == ' ' || c == '\t'))
        return 0;
    h->hstate = HS_VALUE;
    if (h->hfield == HF_NONE)
        return 0;
    if (c < 0x20 && c != '\t')
        return OTTER_ERR_HTTP_PROTOCOL;
    size_t cap;
    char *v = field_dest(h, &cap);
    if (h->hfield == HF_LOCATION && c >= 0x7F) {
        /* as curl does: non-ASCII bytes (and, in end_value, inner spaces)
         * of a Location are percent-encoded to fit on a request line */
        static const char hex[] = "0123456789ABCDEF";
        if (h->val_len + 3 >= cap)
            return location_too_long(h, h->val_len + 3);
        v[h->val_len++] = '%';
        v[h->val_len++] = hex[c >> 4];
        v[h->val_len++] = hex[c & 15];
        return 0;
    }
    if (h->val_len + 1 >= cap)
        return h->hfield == HF_LOCATION ? location_too_long(h, h->val_len + 1) : OTTER_ERR_HTTP_HEADER_TOO_LARGE;
    v[h->val_len++] = (char)c;
    return 0;
}

static int head_byte(otter_http_t *h, uint8_t c)
{
    switch (h->hstate) {
    case HS_STATUS:
        return status_byte(h, c);
    case HS_REASON:
        if (c == '\r')
            h->hstate = HS_STATUS_CR;
        else if (c == '\n')
            h->hstate = HS_LINE_START;
        return 0;
    case HS_STATUS_CR:
        if (c != '\n')
            return OTTER_ERR_HTTP_STATUS_LINE;
        h->hstate = HS_LINE_START;
        return 0;
    case HS_LINE_START:
        return line_start_byte(h, c);
    case HS_NAME:
        return name_byte(h, c);
    case HS_VALUE_LWS:
    case HS_VALUE:
        return value_byte(h, c);
    case HS_VALUE_CR:
        return c == '\n' ? end_value(h) : OTTER_ERR_HTTP_PROTOCOL;
    case HS_SKIP:
        if (c == '\n')
            h->hstate = HS_LINE_START;
        return 0;
    case HS_END_CR:
        if (c != '\n')
            return OTTER_ERR_HTTP_PROTOCOL;
        h->hstate = HS_DONE;
        return 0;
    default:
        return OTTER_ERR_STATE;
    }
}

int otter_http_head_feed(otter_http_t *h, const uint8_t *p, size_t n, size_t *used)
{
    size_t i = 0;
    int ret = 0;
    while (i < n && h->hstate != HS_DONE) {
        if (h->head_bytes >= OTTER_HTTP_HEAD_MAX) {
            ret = OTTER_ERR_HTTP_HEAD_TOO_LONG;
            break;
        }
        h->head_bytes++;
        ret = head_byte(h, p[i++]);
        if (ret)
            break;
    }
    *used = i;
    if (ret)
        return ret;
    return h->hstate == HS_DONE ? 1 : 0;
}

static int chunk_size_byte(otter_http_t *h, uint8_t c)
{
    int d = otter_ascii_hexval(c);
    if (h->cstate == CS_SIZE0) {
        if (d < 0)
            return OTTER_ERR_HTTP_CHUNK;
        h->remaining = (uint64_t)d;
        h->chunk_digits = 1;
        h->cstate = CS_SIZE;
        return 0;
    }
    if (d >= 0) {
        if (++h->chunk_digits > 15)
            return OTTER_ERR_HTTP_CHUNK; /* no chunk is 2^60 bytes */
        h->remaining = h->remaining * 16u + (uint64_t)d;
        return 0;
    }
    if (c == ';' || c == ' ' || c == '\t')
        h->cstate = CS_EXT;
    else if (c == '\r')
        h->cstate = CS_SIZE_CR;
    else if (c == '\n')
        h->cstate = h->remaining ? CS_DATA : CS_TRAILER;
    else
        return OTTER_ERR_HTTP_CHUNK;
    return 0;
}

/* One framing byte (any state but CS_DATA). */
static int chunk_frame_byte(otter_http_t *h, uint8_t c)
{
    switch (h->cstate) {
    case CS_SIZE0:
    case CS_SIZE:
        return chunk_size_byte(h, c);
    case CS_EXT:
        if (c == '\r')
            h->cstate = CS_SIZE_CR;
        else if (c == '\n')
            h->cstate = h->remaining ? CS_DATA : CS_TRAILER;
        return 0;
    case CS_SIZE_CR:
        if (c != '\n')
            return OTTER_ERR_HTTP_CHUNK;
        h->cstate = h->remaining ? CS_DATA : CS_TRAILER;
        return 0;
    case CS_DATA_CR:
        if (c == '\r')
            h->cstate = CS_DATA_LF;
        else if (c == '\n')
            h->cstate = CS_SIZE0;
        else
            return OTTER_ERR_HTTP_CHUNK;
        return 0;
    case CS_DATA_LF:
        if (c != '\n')
            return OTTER_ERR_HTTP_CHUNK;
        h->cstate = CS_SIZE0;
        return 0;
    case CS_TRAILER:
        if (c == '\r')
            h->cstate = CS_LAST_LF;
        else if (c == '\n')
            h->cstate = CS_DONE;
        else
            h->cstate = CS_TRAILER_LINE;
        return 0;
    case CS_TRAILER_LINE:
        if (c == '\n')
            h->cstate = CS_TRAILER;
        return 0;
    case CS_LAST_LF:
        if (c != '\n')
            return OTTER_ERR_HTTP_CHUNK;
        h->cstate = CS_DONE;
        return 0;
    default:
        return OTTER_ERR_HTTP_CHUNK;
    }
}

int otter_http_chunk_feed(otter_http_t *h, const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *used)
{
    size_t r = 0, w = 0;
    while (r < n && h->cstate != CS_DONE) {
        if (h->cstate == CS_DATA) {
            if (w == cap)
                break;
            size_t k = n - r;
            if (k > cap - w)
                k = cap - w;
            if (k > h->remaining)
                k = (size_t)h->remaining;
            memmove(out + w, in + r, k);
            r += k;
            w += k;
            h->remaining -= k;
            if (h->remaining == 0)
                h->cstate = CS_DATA_CR;
            continue;
        }
        /* framing between two chunks' data (size line, extensions,
         * trailers) is bounded like a response head */
        if (++h->head_bytes > OTTER_HTTP_HEAD_MAX) {
            *used = r;
            return OTTER_ERR_HTTP_CHUNK;
        }
        int ret = chunk_frame_byte(h, in[r++]);
        if (h->cstate == CS_DATA)
            h->head_bytes = 0;
        if (ret) {
            *used = r;
            return ret;
        }
    }
    *used = r;
    return (int)w;
}
