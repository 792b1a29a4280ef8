/* otter: the signed release index, parser and signature check
 * (otter/index.h; the format is docs/FORMATS.md "Release index"). */
#include <string.h>

#include "otter/crypto.h"
#include "otter/error.h"
#include "otter/image.h"
#include "otter/index.h"
#include "index_priv.h"

#define SIG_LINE_LEN (4u + 2u * OTTER_INDEX_KEY_ID_LEN + 1u + 128u + 1u) /* "sig " id " " sig "\n" */
#define MAX_TOKENS 5u
#define CHANNEL_MAX 16u

/* Parser states: what the next line may be. */
enum state {
    ST_MAGIC,
    ST_SEQ,
    ST_EXPIRES,
    ST_KEYS,   /* key*, trust, release, sig */
    ST_PINS,   /* after trust: pin*, roots, release, sig */
    ST_ROOTS,  /* after roots: release, sig */
    ST_SECURE, /* after release */
    ST_SIZE,
    ST_SHA,
    ST_URL,      /* the first url */
    ST_URLS,     /* more urls, rollout */
    ST_MIN,      /* after rollout: min, release, sig */
    ST_REL_DONE, /* after min: release, sig */
    ST_END,      /* after sig: nothing */
};

typedef struct line {
    const char *tok[MAX_TOKENS];
    size_t len[MAX_TOKENS];
    unsigned n;
} line_t;

void otter_index_init(otter_index_t *idx)
{
    memset(idx, 0, sizeof *idx);
}

/* ---- canonical fields -------------------------------------------------- */

static bool tok_is(const line_t *l, unsigned i, const char *s)
{
    size_t n = strlen(s);
    return l->len[i] == n && memcmp(l->tok[i], s, n) == 0;
}

int otter_index_parse_uint(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
        return OTTER_ERR_INDEX_FIELD;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return OTTER_ERR_INDEX_FIELD;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (max - d) / 10u)
            return OTTER_ERR_INDEX_FIELD;
        v = v * 10u + d;
    }
    *out = v;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1; /* upper case is not canonical */
}

int otter_index_parse_hex(const char *s, size_t len, uint8_t *out, size_t n)
{
    if (len != 2 * n)
        return OTTER_ERR_INDEX_FIELD;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return OTTER_ERR_INDEX_FIELD;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static int parse_name(const char *s, size_t len, size_t max, otter_index_str_t *out)
{
    if (len == 0 || len > max)
        return OTTER_ERR_INDEX_FIELD;
    out->p = s;
    out->len = len;
    return 0;
}

int otter_index_channel_ok(const char *s, size_t len)
{
    if (len == 0 || len > CHANNEL_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

int otter_index_chip_key(uint16_t chip_id, char out[17])
{
    /* "ESP32-C3" -> "esp32c3": the name esptool and otter's --chip take */
    const char *name = otter_image_chip_name(chip_id);
    size_t n = 0;
    for (; *name && n < 16; name++) {
        if (*name == '-')
            continue;
        out[n++] = *name >= 'A' && *name <= 'Z' ? (char)(*name - 'A' + 'a') : *name;
    }
    out[n] = 0;
    return strcmp(out, "unknown") == 0 ? OTTER_ERR_INDEX_FIELD : 0;
}

static int parse_chip(const char *s, size_t len, uint16_t *chip)
{
    char name[17], key[17];
    if (len == 0 || len >= sizeof name)
        return OTTER_ERR_INDEX_FIELD;
    memcpy(name, s, len);
    name[len] = 0;
    /* Only the one spelling: "esp32c3", not "ESP32-C3" or "esp32_c3". */
    if (otter_image_chip_from_name(name, chip) != 0 || otter_index_chip_key(*chip, key) != 0 || strcmp(key, name) != 0)
        return OTTER_ERR_INDEX_FIELD;
    return 0;
}

/* ---- time -------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = y / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153u * (m > 2 ? m - 3 : m + 9) + 2u) / 5u + d - 1u;
    unsigned doe = yoe * 365u + yoe / 4u - yoe / 100u + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const uint8_t dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4u == 0 && y % 100u != 0) || y % 400u == 0;
    return m == 2 && leap ? 29u : dm[m - 1];
}

static bool digits(const char *s, size_t n, unsigned *v)
{
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *v = *v * 10u + (unsigned)(s[i] - '0');
    }
    return true;
}

int otter_index_time_parse(const char *s, size_t len, int64_t *t)
{
    unsigned y, mo, d, h, mi, se;
    if (len != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
        return OTTER_ERR_INDEX_FIELD;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) ||
        !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se))
        return OTTER_ERR_INDEX_FIELD;
    if (y < 2000 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 59)
        return OTTER_ERR_INDEX_FIELD;
    *t = days_from_civil((int64_t)y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + (int64_t)se;
    return 0;
}

static void put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10u);
    p[1] = (char)('0' + v % 10u);
}

int otter_index_time_format(int64_t t, char out[21])
{
    /* 2000-01-01 and 10000-01-01 */
    if (t < 946684800 || t >= 253402300800)
        return OTTER_ERR_INDEX_FIELD;
    int64_t days = t / 86400, sec = t % 86400;
    /* civil_from_days */
    int64_t z = days + 719468, era = z / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
    unsigned doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
    unsigned mp = (5u * doy + 2u) / 153u;
    unsigned d = doy - (153u * mp + 2u) / 5u + 1u;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    unsigned y = (unsigned)(yoe + era * 400) + (m <= 2);
    put2(out, y / 100u);
    put2(out + 2, y % 100u);
    out[4] = '-';
    put2(out + 5, m);
    out[7] = '-';
    put2(out + 8, d);
    out[10] = 'T';
    put2(out + 11, (unsigned)(sec / 3600));
    out[13] = ':';
    put2(out + 14, (unsigned)(sec / 60 % 60));
    out[16] = ':';
    put2(out + 17, (unsigned)(sec % 60));
    out[19] = 'Z';
    out[20] = 0;
    return 0;
}

/* ---- lines ------------------------------------------------------------- */

/* Split the line at p (up to and without its '\n', n bytes) into tokens
 * separated by exactly one space. */
static int split(const char *p, size_t n, line_t *l)
{
    l->n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != ' ') {
            if ((unsigned char)p[i] < 0x21 || (unsigned char)p[i] > 0x7E)
                return OTTER_ERR_INDEX_CHAR;
            continue;
        }
        if (i == start) /* empty token: leading, trailing or double space, or an empty line */
            return OTTER_ERR_INDEX_CHAR;
        if (l->n == MAX_TOKENS)
            return OTTER_ERR_INDEX_FIELD;
        l->tok[l->n] = p + start;
        l->len[l->n] = i - start;
        l->n++;
        start = i + 1;
    }
    return 0;
}

static bool may_end_section(const otter_index_t *idx, enum state st)
{
    /* Where a release or the signature may come next. */
    return st == ST_KEYS || (st == ST_PINS && idx->n_pins > 0) || st == ST_ROOTS || st == ST_MIN || st == ST_REL_DONE;
}

static int line_header(otter_index_t *idx, const line_t *l, enum state *st)
{
    uint64_t v = 0;
    int ret = OTTER_ERR_INDEX_FIELD;
    switch (*st) {
    case ST_MAGIC:
        if (l->n != 2 || !tok_is(l, 0, "otter-index") || !tok_is(l, 1, "1"))
            return OTTER_ERR_INDEX_HEADER;
        *st = ST_SEQ;
        return 0;
    case ST_SEQ:
        if (!tok_is(l, 0, "seq"))
            return OTTER_ERR_INDEX_LINE;
        if (l->n == 2 && (ret = otter_index_parse_uint(l->tok[1], l->len[1], INT64_MAX, &v)) == 0 && v == 0)
            ret = OTTER_ERR_INDEX_FIELD;
        idx->seq = v;
        *st = ST_EXPIRES;
        return l->n == 2 ? ret : OTTER_ERR_INDEX_FIELD;
    default: /* ST_EXPIRES */
        if (!tok_is(l, 0, "expires"))
            return OTTER_ERR_INDEX_LINE;
        *st = ST_KEYS;
        return l->n == 2 ? otter_index_time_parse(l->tok[1], l->len[1], &idx->expires) : OTTER_ERR_INDEX_FIELD;
    }
}

static int line_trust(otter_index_t *idx, const line_t *l, enum state *st)
{
    uint64_t v;
    int ret;
    if (tok_is(l, 0, "key")) {
        if (*st != ST_KEYS)
            return OTTER_ERR_INDEX_LINE;
        if (idx->n_keys == OTTER_INDEX_MAX_KEYS)
            return OTTER_ERR_INDEX_TOO_MANY;
        if (l->n != 3 || !tok_is(l, 1, "p256"))
            return OTTER_ERR_INDEX_FIELD;
        return otter_index_parse_hex(l->tok[2], l->len[2], idx->keys[idx->n_keys++].point, 64);
    }
    if (tok_is(l, 0, "trust")) {
        if (*st != ST_KEYS)
            return OTTER_ERR_INDEX_LINE;
        *st = ST_PINS;
        if (l->n != 2 || (ret = otter_index_parse_uint(l->tok[1], l->len[1], UINT32_MAX, &v)) != 0 || v == 0)
            return OTTER_ERR_INDEX_FIELD;
        idx->trust_gen = (uint32_t)v;
        return 0;
    }
    if (tok_is(l, 0, "pin")) {
        if (*st != ST_PINS)
            return OTTER_ERR_INDEX_LINE;
        if (idx->n_pins == OTTER_INDEX_MAX_PINS)
            return OTTER_ERR_INDEX_TOO_MANY;
        return l->n == 2 ? otter_index_parse_hex(l->tok[1], l->len[1], idx->pins[idx->n_pins++], 32)
                         : OTTER_ERR_INDEX_FIELD;
    }
    /* roots SIZE SHA256 URL */
    if (*st != ST_PINS)
        return OTTER_ERR_INDEX_LINE;
    *st = ST_ROOTS;
    if (l->n != 4 || (ret = otter_index_parse_uint(l->tok[1], l->len[1], UINT32_MAX, &v)) != 0 || v == 0)
        return OTTER_ERR_INDEX_FIELD;
    idx->roots_size = (uint32_t)v;
    if ((ret = otter_index_parse_hex(l->tok[2], l->len[2], idx->roots_sha256, 32)) != 0)
        return ret;
    return parse_name(l->tok[3], l->len[3], OTTER_INDEX_URL_MAX, &idx->roots_url);
}

static int line_release_start(otter_index_t *idx, const line_t *l, enum state *st)
{
    if (!may_end_section(idx, *st))
        return OTTER_ERR_INDEX_LINE;
    if (idx->n_releases == OTTER_INDEX_MAX_RELEASES)
        return OTTER_ERR_INDEX_TOO_MANY;
    otter_index_release_t *r = &idx->release[idx->n_releases++];
    *st = ST_SECURE;
    if (l->n != 5 || !otter_index_channel_ok(l->tok[1], l->len[1]))
        return OTTER_ERR_INDEX_FIELD;
    r->channel.p = l->tok[1];
    r->channel.len = l->len[1];
    int ret = parse_chip(l->tok[2], l->len[2], &r->chip_id);
    if (ret == 0)
        ret = parse_name(l->tok[3], l->len[3], OTTER_INDEX_NAME_MAX, &r->project);
    if (ret == 0)
        ret = parse_name(l->tok[4], l->len[4], OTTER_INDEX_NAME_MAX, &r->version);
    return ret;
}

/* The lines inside a release, each in its place: secure, size, sha256,
 * url (1..3), rollout, min (optional). */
static int line_release_field(otter_index_t *idx, const line_t *l, enum state *st)
{
    static const struct {
        const char *kw;
        enum state from, from2, to;
    } order[] = {
        {"secure", ST_SECURE, ST_SECURE, ST_SIZE}, {"size", ST_SIZE, ST_SIZE, ST_SHA},
        {"sha256", ST_SHA, ST_SHA, ST_URL},        {"url", ST_URL, ST_URLS, ST_URLS},
        {"rollout", ST_URLS, ST_URLS, ST_MIN},     {"min", ST_MIN, ST_MIN, ST_REL_DONE},
    };
    otter_index_release_t *r = &idx->release[idx->n_releases ? idx->n_releases - 1 : 0];
    unsigned k = 0;
    while (k < sizeof order / sizeof order[0] && !tok_is(l, 0, order[k].kw))
        k++;
    if (k == sizeof order / sizeof order[0])
        return OTTER_ERR_INDEX_LINE; /* an unknown keyword */
    if (*st != order[k].from && *st != order[k].from2)
        return OTTER_ERR_INDEX_LINE;
    *st = order[k].to;
    if (l->n != 2)
        return OTTER_ERR_INDEX_FIELD;
    const char *s = l->tok[1];
    size_t n = l->len[1];
    uint64_t v = 0;
    int ret;
    switch (k) {
    case 0:
        ret = otter_index_parse_uint(s, n, UINT32_MAX, &v);
        r->secure_version = (uint32_t)v;
        return ret;
    case 1:
        ret = otter_index_parse_uint(s, n, UINT32_MAX, &v);
        r->size = (uint32_t)v;
        return ret == 0 && v == 0 ? OTTER_ERR_INDEX_FIELD : ret;
    case 2:
        return otter_index_parse_hex(s, n, r->sha256, 32);
    case 3:
        if (r->n_urls == OTTER_INDEX_MAX_URLS)
            return OTTER_ERR_INDEX_TOO_MANY;
        return parse_name(s, n, OTTER_INDEX_URL_MAX, &r->url[r->n_urls++]);
    case 4:
        ret = otter_index_parse_uint(s, n, 100, &v);
        r->rollout = (unsigned)v;
        return ret;
    default:
        return parse_name(s, n, OTTER_INDEX_NAME_MAX, &r->min_version);
    }
}

static int line_sig(otter_index_t *idx, const line_t *l, enum state *st, size_t offset)
{
    if (!may_end_section(idx, *st))
        return OTTER_ERR_INDEX_LINE;
    *st = ST_END;
    idx->has_sig = true;
    idx->signed_len = offset;
    if (l->n != 3)
        return OTTER_ERR_INDEX_FIELD;
    int ret = otter_index_parse_hex(l->tok[1], l->len[1], idx->sig_key_id, OTTER_INDEX_KEY_ID_LEN);
    return ret ? ret : otter_index_parse_hex(l->tok[2], l->len[2], idx->sig, 64);
}

static int parse_line(otter_index_t *idx, const line_t *l, enum state *st, size_t offset)
{
    if (*st == ST_END)
        return OTTER_ERR_INDEX_LINE; /* nothing after the signature */
    if (*st <= ST_EXPIRES)
        return line_header(idx, l, st);
    if (tok_is(l, 0, "key") || tok_is(l, 0, "trust") || tok_is(l, 0, "pin") || tok_is(l, 0, "roots"))
        return line_trust(idx, l, st);
    if (tok_is(l, 0, "release"))
        return line_release_start(idx, l, st);
    if (tok_is(l, 0, "sig"))
        return line_sig(idx, l, st, offset);
    return line_release_field(idx, l, st);
}

static bool str_eq(const otter_index_str_t *a, const otter_index_str_t *b)
{
    return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

static int check_duplicates(const otter_index_t *idx)
{
    for (unsigned i = 0; i < idx->n_releases; i++)
        for (unsigned j = 0; j < i; j++) {
            const otter_index_release_t *a = &idx->release[i], *b = &idx->release[j];
            if (a->chip_id == b->chip_id && str_eq(&a->channel, &b->channel) && str_eq(&a->project, &b->project) &&
                str_eq(&a->version, &b->version))
                return OTTER_ERR_INDEX_DUPLICATE;
        }
    return 0;
}

int otter_index_parse(otter_index_t *idx, const uint8_t *buf, size_t len, bool need_sig)
{
    otter_index_init(idx);
    if (len > OTTER_INDEX_MAX_SIZE)
        return OTTER_ERR_INDEX_TOO_LARGE;
    const char *text = (const char *)buf;
    enum state st = ST_MAGIC;
    size_t off = 0;
    unsigned lineno = 0;
    int ret = 0;
    while (off < len && ret == 0) {
        lineno++;
        idx->err_line = lineno;
        idx->err_offset = off;
        size_t max = len - off < OTTER_INDEX_MAX_LINE ? len - off : OTTER_INDEX_MAX_LINE;
        const char *nl = memchr(text + off, '\n', max);
        if (!nl)
            return OTTER_ERR_INDEX_LINE_TOO_LONG;
        line_t l;
        size_t n = (size_t)(nl - (text + off));
        ret = split(text + off, n, &l);
        if (ret == 0)
            ret = parse_line(idx, &l, &st, off);
        off += n + 1;
    }
    if (ret)
        return ret;
    idx->err_line = lineno + 1;
    idx->err_offset = len;
    if (st == ST_MAGIC)
        return OTTER_ERR_INDEX_HEADER;
    if (st != ST_END && (need_sig || !may_end_section(idx, st)))
        return need_sig && may_end_section(idx, st) ? OTTER_ERR_INDEX_UNSIGNED : OTTER_ERR_INDEX_LINE;
    ret = check_duplicates(idx);
    if (ret == 0)
        idx->err_line = 0;
    return ret;
}

/* ---- signature --------------------------------------------------------- */

int otter_index_key_id(const otter_index_key_t *key, uint8_t id[OTTER_INDEX_KEY_ID_LEN])
{
    uint8_t block[65], digest[32];
    block[0] = OTTER_EC_P256;
    memcpy(block + 1, key->point, 64);
    int ret = otter_sha256(block, sizeof block, digest);
    memcpy(id, digest, OTTER_INDEX_KEY_ID_LEN);
    return ret;
}

int otter_index_verify(const uint8_t *buf, size_t len, const otter_index_key_t *keys, unsigned n_keys,
                       unsigned *key_slot)
{
    int ret = OTTER_ERR_INDEX_SIGNATURE;
    if (len > OTTER_INDEX_MAX_SIZE)
        return OTTER_ERR_INDEX_TOO_LARGE;
    if (n_keys == 0 || n_keys > OTTER_INDEX_MAX_KEYS || !keys)
        return OTTER_ERR_INVAL;
    /* The signature line has one length; it follows the newline that ends
     * the signed bytes. Nothing else is read before the signature holds. */
    if (len < SIG_LINE_LEN + 1 || buf[len - SIG_LINE_LEN - 1] != '\n')
        return OTTER_ERR_INDEX_UNSIGNED;
    const char *l = (const char *)buf + len - SIG_LINE_LEN;
    uint8_t id[OTTER_INDEX_KEY_ID_LEN], sig[64];
    if (memcmp(l, "sig ", 4) != 0 || l[4 + 2 * OTTER_INDEX_KEY_ID_LEN] != ' ' || l[SIG_LINE_LEN - 1] != '\n' ||
        otter_index_parse_hex(l + 4, 2 * OTTER_INDEX_KEY_ID_LEN, id, sizeof id) != 0 ||
        otter_index_parse_hex(l + 5 + 2 * OTTER_INDEX_KEY_ID_LEN, 128, sig, sizeof sig) != 0)
        return OTTER_ERR_INDEX_UNSIGNED;
    uint8_t digest[32];
    if (otter_sha256(buf, len - SIG_LINE_LEN, digest) != 0)
        return OTTER_ERR_CRYPTO;
    bool known = false;
    for (unsigned i = 0; i < n_keys; i++) {
        uint8_t kid[OTTER_INDEX_KEY_ID_LEN];
        if (otter_index_key_id(&keys[i], kid) != 0)
            return OTTER_ERR_CRYPTO;
        if (memcmp(kid, id, sizeof id) != 0)
            continue;
        known = true;
        int v = otter_ecdsa_verify(OTTER_EC_P256, keys[i].point, digest, sizeof digest, sig);
        if (v == 0) {
            if (key_slot)
                *key_slot = i;
            ret = 0;
            break;
        }
        if (v != OTTER_ERR_SIG_VERIFY && v != OTTER_ERR_SIG_KEY)
            ret = v;
    }
    otter_wipe(digest, sizeof digest);
    return known ? ret : OTTER_ERR_INDEX_KEY_UNKNOWN;
}

int otter_index_open(otter_index_t *idx, const uint8_t *buf, size_t len, const otter_index_check_t *chk)
{
    otter_index_init(idx);
    if (!chk)
        return OTTER_ERR_INVAL;
    int ret = otter_index_verify(buf, len, chk->keys, chk->n_keys, NULL);
    if (ret == 0)
        ret = otter_index_parse(idx, buf, len, true);
    if (ret == 0 && idx->seq < chk->highest_seq)
        ret = OTTER_ERR_INDEX_REPLAY;
    if (ret == 0 && chk->now == OTTER_INDEX_TIME_UNKNOWN && !chk->accept_without_time)
        ret = OTTER_ERR_INDEX_NO_TIME;
    if (ret == 0 && chk->now != OTTER_INDEX_TIME_UNKNOWN && chk->now >= idx->expires)
        ret = OTTER_ERR_INDEX_EXPIRED;
    return ret;
}
