/* otter: the release index decision in words (otter/index.h). */
#include "otter/image.h"
#include "otter/index.h"
#include "strbuf.h"

static void put_str(otter_sb_t *sb, const otter_index_str_t *s)
{
    otter_sb_putn(sb, s->p, s->len);
}

static void put_release(otter_sb_t *sb, const otter_index_release_t *r)
{
    put_str(sb, &r->project);
    otter_sb_put(sb, " ");
    put_str(sb, &r->version);
}

/* "the 10% rollout (buckets 0..999)" */
static void put_rollout(otter_sb_t *sb, unsigned pct)
{
    otter_sb_put(sb, "the ");
    otter_sb_u64(sb, pct);
    otter_sb_put(sb, "% rollout");
    if (pct > 0 && pct < 100) {
        otter_sb_put(sb, " (buckets 0..");
        otter_sb_u64(sb, pct * (OTTER_INDEX_ROLLOUT_BUCKETS / 100u) - 1u);
        otter_sb_put(sb, ")");
    }
}

static void explain_release(otter_sb_t *sb, const otter_index_release_t *r, const otter_index_device_t *dev,
                            const otter_index_decision_t *dec)
{
    switch (dec->reason) {
    case OTTER_INDEX_INSTALL:
        otter_sb_put(sb, "install ");
        put_release(sb, r);
        otter_sb_put(sb, " over ");
        otter_sb_put(sb, dev->running_version);
        otter_sb_put(sb, ": ");
        otter_sb_u64(sb, r->size);
        otter_sb_put(sb, " bytes, sha256 ");
        otter_sb_hex(sb, r->sha256, 8);
        otter_sb_put(sb, "...; this device's bucket ");
        otter_sb_u64(sb, dec->bucket);
        otter_sb_put(sb, " is inside ");
        put_rollout(sb, r->rollout);
        return;
    case OTTER_INDEX_NOT_IN_ROLLOUT:
        put_release(sb, r);
        otter_sb_put(sb, " is newer than ");
        otter_sb_put(sb, dev->running_version);
        otter_sb_put(sb, ", but this device's bucket ");
        otter_sb_u64(sb, dec->bucket);
        otter_sb_put(sb, " is outside ");
        put_rollout(sb, r->rollout);
        otter_sb_put(sb, "; it joins at ");
        otter_sb_u64(sb, dec->bucket / (OTTER_INDEX_ROLLOUT_BUCKETS / 100u) + 1u);
        otter_sb_put(sb, "%");
        return;
    case OTTER_INDEX_STEPPING_STONE:
        put_release(sb, r);
        otter_sb_put(sb, " may only be installed from ");
        put_str(sb, &r->min_version);
        otter_sb_put(sb, " or newer (a stepping stone); this device runs ");
        otter_sb_put(sb, dev->running_version);
        otter_sb_put(sb, " and no release in the index that it may install leads there");
        return;
    case OTTER_INDEX_SECURE_VERSION:
        put_release(sb, r);
        otter_sb_put(sb, " has secure_version ");
        otter_sb_u64(sb, r->secure_version);
        otter_sb_put(sb, ", below this device's ");
        otter_sb_u64(sb, dev->secure_version);
        otter_sb_put(sb, " (anti-rollback): refused");
        return;
    default: /* INCOMPARABLE */
        put_release(sb, r);
        otter_sb_put(sb, ": the version cannot be ordered against the running ");
        otter_sb_put(sb, dev->running_version);
        otter_sb_put(sb, " (see the version rule); refused");
        return;
    }
}

size_t otter_index_explain(const otter_index_t *idx, const otter_index_device_t *dev,
                           const otter_index_decision_t *dec, char *out, size_t cap)
{
    otter_sb_t sb;
    otter_sb_init(&sb, out, cap);
    if (dec->release >= 0 && (unsigned)dec->release < idx->n_releases && dev->running_version) {
        explain_release(&sb, &idx->release[dec->release], dev, dec);
        return otter_sb_used(&sb);
    }
    otter_sb_put(&sb, dec->reason == OTTER_INDEX_UP_TO_DATE ? "up to date: nothing newer than "
                                                            : "the index lists no release for ");
    if (dec->reason == OTTER_INDEX_UP_TO_DATE) {
        otter_sb_put(&sb, dev->running_version ? dev->running_version : "?");
        otter_sb_put(&sb, " for ");
    }
    otter_sb_put(&sb, "channel ");
    otter_sb_put(&sb, dev->channel ? dev->channel : "?");
    otter_sb_put(&sb, ", chip ");
    otter_sb_put(&sb, otter_image_chip_name(dev->chip_id));
    otter_sb_put(&sb, ", project ");
    otter_sb_put(&sb, dev->project ? dev->project : "?");
    return otter_sb_used(&sb);
}
