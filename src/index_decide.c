/* otter: the release index's decision for one device (rollout bucket,
 * version policy, stepping stones) and its canonical writer (otter/index.h). */
#include <string.h>

#include "otter/crypto.h"
#include "otter/error.h"
#include "otter/image.h"
#include "otter/index.h"
#include "otter/update.h"
#include "index_priv.h"

int otter_index_bucket(const otter_index_str_t *project, const otter_index_str_t *version, const uint8_t *id,
                       size_t id_len, uint32_t *bucket)
{
    static const char tag[] = "otter-rollout"; /* with its NUL: the separator */
    static const uint8_t zero = 0;
    otter_sha256_t h;
    uint8_t d[32];
    otter_sha256_init(&h);
    int ret = otter_sha256_start(&h);
    if (ret == 0)
        ret = otter_sha256_update(&h, tag, sizeof tag);
    if (ret == 0)
        ret = otter_sha256_update(&h, project->p, project->len);
    if (ret == 0)
        ret = otter_sha256_update(&h, &zero, 1);
    if (ret == 0)
        ret = otter_sha256_update(&h, version->p, version->len);
    if (ret == 0)
        ret = otter_sha256_update(&h, &zero, 1);
    if (ret == 0)
        ret = otter_sha256_update(&h, id, id_len);
    if (ret == 0)
        ret = otter_sha256_finish(&h, d);
    otter_sha256_free(&h);
    if (ret)
        return ret;
    uint32_t v = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
    *bucket = v % OTTER_INDEX_ROLLOUT_BUCKETS;
    return 0;
}

int otter_index_in_rollout(uint32_t bucket, unsigned percent)
{
    return bucket < percent * (OTTER_INDEX_ROLLOUT_BUCKETS / 100u);
}

const char *otter_index_reason_text(otter_index_reason_t reason)
{
    switch (reason) {
    case OTTER_INDEX_INSTALL:
        return "a newer release is on offer and this device is in its rollout: install it";
    case OTTER_INDEX_UP_TO_DATE:
        return "up to date: no release in the index is newer than the running one";
    case OTTER_INDEX_NO_RELEASE:
        return "the index has no release for this device's channel, chip and project";
    case OTTER_INDEX_NOT_IN_ROLLOUT:
        return "a newer release exists, but its rollout has not reached this device yet";
    case OTTER_INDEX_STEPPING_STONE:
        return "a newer release exists, but it needs a newer running version first (stepping stone)";
    case OTTER_INDEX_SECURE_VERSION:
        return "a newer release exists, but its secure_version is below the device's (anti-rollback)";
    case OTTER_INDEX_INCOMPARABLE:
        return "a release's version cannot be ordered against the running one; refused";
    default:
        return "unknown reason";
    }
}

/* A string of the index as C text (it is not NUL-terminated in the buffer);
 * names are at most OTTER_INDEX_NAME_MAX bytes. */
static const char *cstr(const otter_index_str_t *s, char out[OTTER_INDEX_NAME_MAX + 1])
{
    size_t n = s->len <= OTTER_INDEX_NAME_MAX ? s->len : OTTER_INDEX_NAME_MAX;
    memcpy(out, s->p, n);
    out[n] = 0;
    return out;
}

static bool str_is(const otter_index_str_t *s, const char *c)
{
    return c && strlen(c) == s->len && memcmp(s->p, c, s->len) == 0;
}

/* Why release r may not be installed by dev (OTTER_INDEX_INSTALL: it may). */
static int blocker(const otter_index_release_t *r, const otter_index_device_t *dev, uint32_t *bucket,
                   otter_index_reason_t *why)
{
    char min[OTTER_INDEX_NAME_MAX + 1];
    bool comparable = true;
    *why = OTTER_INDEX_INSTALL;
    if (r->secure_version < dev->secure_version)
        *why = OTTER_INDEX_SECURE_VERSION;
    else if (r->min_version.len &&
             (otter_update_version_cmp(dev->running_version, cstr(&r->min_version, min), &comparable) < 0 ||
              !comparable))
        *why = OTTER_INDEX_STEPPING_STONE;
    int ret = otter_index_bucket(&r->project, &r->version, dev->id, dev->id_len, bucket);
    if (ret == 0 && *why == OTTER_INDEX_INSTALL && !otter_index_in_rollout(*bucket, r->rollout))
        *why = OTTER_INDEX_NOT_IN_ROLLOUT;
    return ret;
}

static int vcmp(const otter_index_release_t *a, const otter_index_release_t *b)
{
    char va[OTTER_INDEX_NAME_MAX + 1], vb[OTTER_INDEX_NAME_MAX + 1];
    return otter_update_version_cmp(cstr(&a->version, va), cstr(&b->version, vb), NULL);
}

int otter_index_decide(const otter_index_t *idx, const otter_index_device_t *dev, otter_index_decision_t *out)
{
    if (!idx || !dev || !out || !dev->running_version || (!dev->id && dev->id_len))
        return OTTER_ERR_INVAL;
    out->reason = OTTER_INDEX_NO_RELEASE;
    out->release = -1;
    out->bucket = 0;
    int best = -1, blocked = -1, incomparable = -1;
    otter_index_reason_t blocked_why = OTTER_INDEX_NO_RELEASE;
    uint32_t best_bucket = 0, blocked_bucket = 0;
    bool matched = false;
    for (unsigned i = 0; i < idx->n_releases; i++) {
        const otter_index_release_t *r = &idx->release[i];
        if (r->chip_id != dev->chip_id || !str_is(&r->channel, dev->channel) || !str_is(&r->project, dev->project))
            continue;
        matched = true;
        char v[OTTER_INDEX_NAME_MAX + 1];
        bool comparable = true;
        int c = otter_update_version_cmp(cstr(&r->version, v), dev->running_version, &comparable);
        if (!comparable && c != 0) {
            incomparable = incomparable < 0 ? (int)i : incomparable;
            continue;
        }
        if (c <= 0)
            continue;
        uint32_t bucket;
        otter_index_reason_t why;
        int ret = blocker(r, dev, &bucket, &why);
        if (ret)
            return ret;
        if (why == OTTER_INDEX_INSTALL && (best < 0 || vcmp(r, &idx->release[best]) > 0)) {
            best = (int)i;
            best_bucket = bucket;
        } else if (why != OTTER_INDEX_INSTALL && (blocked < 0 || vcmp(r, &idx->release[blocked]) > 0)) {
            blocked = (int)i;
            blocked_why = why;
            blocked_bucket = bucket;
        }
    }
    if (best >= 0) {
        out->reason = OTTER_INDEX_INSTALL;
        out->release = best;
        out->bucket = best_bucket;
    } else if (blocked >= 0) {
        out->reason = blocked_why;
        out->release = blocked;
        out->bucket = blocked_bucket;
    } else if (incomparable >= 0) {
        out->reason = OTTER_INDEX_INCOMPARABLE;
        out->release = incomparable;
    } else if (matched) {
        out->reason = OTTER_INDEX_UP_TO_DATE;
    }
    return 0;
}

/* ---- writer ------------------------------------------------------------ */

typedef struct out {
    char *p;
    size_t cap, len;
    bool full;
} out_t;

static void put(out_t *o, const char *s, size_t n)
{
    if (o->full || n > o->cap - o->len) {
        o->full = true;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void puts_(out_t *o, const char *s)
{
    put(o, s, strlen(s));
}

static void put_str(out_t *o, const char *pre, const otter_index_str_t *s)
{
    puts_(o, pre);
    put(o, s->p, s->len);
}

static void put_uint(out_t *o, const char *pre, uint64_t v)
{
    char b[21];
    size_t i = sizeof b;
    do {
        b[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    puts_(o, pre);
    put(o, b + i, sizeof b - i);
}

static void put_hex(out_t *o, const char *pre, const uint8_t *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    puts_(o, pre);
    for (size_t i = 0; i < n; i++) {
        char b[2] = {hex[p[i] >> 4], hex[p[i] & 15]};
        put(o, b, 2);
    }
}

static void put_release(out_t *o, const otter_index_release_t *r)
{
    char chip[17];
    if (otter_index_chip_key(r->chip_id, chip) != 0)
        chip[0] = 0; /* the read-back refuses it */
    put_str(o, "release ", &r->channel);
    puts_(o, " ");
    puts_(o, chip);
    put_str(o, " ", &r->project);
    put_str(o, " ", &r->version);
    put_uint(o, "\nsecure ", r->secure_version);
    put_uint(o, "\nsize ", r->size);
    put_hex(o, "\nsha256 ", r->sha256, 32);
    for (unsigned u = 0; u < r->n_urls && u < OTTER_INDEX_MAX_URLS; u++)
        put_str(o, "\nurl ", &r->url[u]);
    put_uint(o, "\nrollout ", r->rollout);
    if (r->min_version.len)
        put_str(o, "\nmin ", &r->min_version);
    puts_(o, "\n");
}

int otter_index_write(const otter_index_t *idx, char *buf, size_t cap, size_t *len)
{
    out_t o = {buf, cap, 0, false};
    char t[21];
    if (idx->n_keys > OTTER_INDEX_MAX_KEYS || idx->n_pins > OTTER_INDEX_MAX_PINS ||
        idx->n_releases > OTTER_INDEX_MAX_RELEASES)
        return OTTER_ERR_INDEX_TOO_MANY;
    if (otter_index_time_format(idx->expires, t) != 0)
        return OTTER_ERR_INDEX_FIELD;
    put_uint(&o, "otter-index 1\nseq ", idx->seq);
    puts_(&o, "\nexpires ");
    puts_(&o, t);
    puts_(&o, "\n");
    for (unsigned i = 0; i < idx->n_keys; i++) {
        put_hex(&o, "key p256 ", idx->keys[i].point, 64);
        puts_(&o, "\n");
    }
    if (idx->trust_gen) {
        put_uint(&o, "trust ", idx->trust_gen);
        puts_(&o, "\n");
        for (unsigned i = 0; i < idx->n_pins; i++) {
            put_hex(&o, "pin ", idx->pins[i], 32);
            puts_(&o, "\n");
        }
        if (idx->roots_url.len) {
            put_uint(&o, "roots ", idx->roots_size);
            put_hex(&o, " ", idx->roots_sha256, 32);
            put_str(&o, " ", &idx->roots_url);
            puts_(&o, "\n");
        }
    }
    for (unsigned i = 0; i < idx->n_releases; i++)
        put_release(&o, &idx->release[i]);
    if (idx->has_sig) {
        put_hex(&o, "sig ", idx->sig_key_id, OTTER_INDEX_KEY_ID_LEN);
        put_hex(&o, " ", idx->sig, 64);
        puts_(&o, "\n");
    }
    if (o.full)
        return OTTER_ERR_BUF_TOO_SMALL;
    /* What was written must read back: the parser is the one definition of
     * a canonical field (a channel name, a URL's length, ...). */
    otter_index_t check;
    int ret = otter_index_parse(&check, (const uint8_t *)buf, o.len, idx->has_sig);
    if (ret == 0)
        *len = o.len;
    return ret;
}
