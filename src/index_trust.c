/* otter: the trust set of the release index, A/B in flash (index_trust.h). */
#include <string.h>

#include "crc32.h"
#include "otter/bytes.h"
#include "otter/error.h"
#include "otter/index_trust.h"

#define TRUST_MAGIC 0x5354544Fu /* "OTTS" */
#define CRC_OFF (OTTER_TRUST_HEADER_SIZE - 4u)

static bool geometry_ok(const otter_trust_store_t *s)
{
    const otter_flash_t *f = s->flash;
    return f && f->sector_size && s->area_size >= f->sector_size && s->area_size % f->sector_size == 0 &&
           s->offset % f->sector_size == 0 && (uint64_t)s->offset + 2u * (uint64_t)s->area_size <= f->size;
}

static uint32_t area_addr(const otter_trust_store_t *s, unsigned slot)
{
    return s->offset + (slot ? s->area_size : 0u);
}

static void encode(const otter_trust_set_t *t, uint8_t h[OTTER_TRUST_HEADER_SIZE])
{
    memset(h, 0, OTTER_TRUST_HEADER_SIZE);
    otter_put_le32(h, TRUST_MAGIC);
    otter_put_le32(h + 4, t->gen);
    h[8] = (uint8_t)t->n_pins;
    otter_put_le32(h + 12, t->roots_len);
    memcpy(h + 16, t->roots_sha256, 32);
    memcpy(h + 48, t->pins, (size_t)t->n_pins * 32u);
    otter_put_le32(h + CRC_OFF, otter_crc32_le(0, h, CRC_OFF));
}

int otter_trust_load(const otter_trust_store_t *store, const otter_index_record_t *rec, otter_trust_set_t *out,
                     uint8_t *work, size_t work_len)
{
    memset(out, 0, sizeof *out);
    if (rec->trust_gen == 0)
        return 0;
    if (!geometry_ok(store) || !work || work_len < 64 || rec->trust_slot > 1)
        return OTTER_ERR_INVAL;
    const otter_flash_t *f = store->flash;
    uint32_t a = area_addr(store, rec->trust_slot);
    uint8_t h[OTTER_TRUST_HEADER_SIZE];
    int ret = f->read(f->ctx, a, h, sizeof h);
    if (ret < 0)
        return ret;
    otter_trust_set_t t;
    memset(&t, 0, sizeof t);
    t.gen = otter_le32(h + 4);
    t.n_pins = h[8];
    t.roots_len = otter_le32(h + 12);
    memcpy(t.roots_sha256, h + 16, 32);
    if (otter_le32(h) != TRUST_MAGIC || otter_le32(h + CRC_OFF) != otter_crc32_le(0, h, CRC_OFF) ||
        t.gen != rec->trust_gen || t.n_pins > OTTER_INDEX_MAX_PINS ||
        t.roots_len > store->area_size - OTTER_TRUST_HEADER_SIZE)
        return OTTER_ERR_INDEX_RECORD;
    memcpy(t.pins, h + 48, (size_t)t.n_pins * 32u);
    t.roots_addr = a + OTTER_TRUST_HEADER_SIZE;
    /* The bundle must still be what was checked when it was adopted. */
    otter_sha256_t sha;
    uint8_t d[32];
    otter_sha256_init(&sha);
    ret = otter_sha256_start(&sha);
    for (uint32_t off = 0; ret == 0 && off < t.roots_len;) {
        size_t n = t.roots_len - off < work_len ? t.roots_len - off : work_len;
        ret = f->read(f->ctx, t.roots_addr + off, work, n);
        if (ret == 0)
            ret = otter_sha256_update(&sha, work, n);
        off += (uint32_t)n;
    }
    if (ret == 0)
        ret = otter_sha256_finish(&sha, d);
    otter_sha256_free(&sha);
    if (ret == 0 && !otter_ct_equal(d, t.roots_sha256, 32))
        ret = OTTER_ERR_INDEX_RECORD;
    if (ret == 0)
        *out = t;
    return ret;
}

int otter_trust_write_begin(otter_trust_write_t *w, const otter_trust_store_t *store, otter_index_record_t *rec,
                            const otter_index_t *idx)
{
    memset(w, 0, sizeof *w);
    otter_sha256_init(&w->sha);
    if (idx->trust_gen == 0 || idx->trust_gen <= rec->trust_gen)
        return 1;
    if (!geometry_ok(store) || idx->n_pins > OTTER_INDEX_MAX_PINS ||
        idx->roots_size > store->area_size - OTTER_TRUST_HEADER_SIZE)
        return OTTER_ERR_INVAL;
    w->store = *store;
    w->rec = rec;
    w->set.gen = idx->trust_gen;
    w->set.n_pins = idx->n_pins;
    memcpy(w->set.pins, idx->pins, (size_t)idx->n_pins * 32u);
    w->set.roots_len = idx->roots_url.len ? idx->roots_size : 0;
    memcpy(w->set.roots_sha256, idx->roots_sha256, 32);
    /* The area not in force: with the provisioned set in force, area 0. */
    w->slot = rec->trust_gen ? (uint8_t)(1u - rec->trust_slot) : 0u;
    w->set.roots_addr = area_addr(store, w->slot) + OTTER_TRUST_HEADER_SIZE;
    uint32_t s = store->flash->sector_size;
    w->need = (OTTER_TRUST_HEADER_SIZE + w->set.roots_len + s - 1u) / s * s;
    if (otter_sha256_start(&w->sha) != 0)
        return OTTER_ERR_CRYPTO;
    w->sha_live = true;
    return 0;
}

int otter_trust_write_step(otter_trust_write_t *w)
{
    if (!w->rec)
        return OTTER_ERR_STATE;
    if (w->erased >= w->need)
        return 0;
    const otter_flash_t *f = w->store.flash;
    int ret = f->erase(f->ctx, area_addr(&w->store, w->slot) + w->erased, f->sector_size);
    if (ret < 0)
        return ret;
    w->erased += f->sector_size;
    return w->erased >= w->need ? 0 : OTTER_TRUST_MORE;
}

int otter_trust_write_data(otter_trust_write_t *w, const uint8_t *buf, size_t n)
{
    if (!w->rec || w->erased < w->need || !w->sha_live)
        return OTTER_ERR_STATE;
    if (n > w->set.roots_len - w->written)
        return OTTER_ERR_UPD_TOO_LARGE;
    const otter_flash_t *f = w->store.flash;
    int ret = f->program(f->ctx, w->set.roots_addr + w->written, buf, n);
    if (ret == 0)
        ret = otter_sha256_update(&w->sha, buf, n);
    if (ret < 0)
        return ret;
    w->written += (uint32_t)n;
    return 0;
}

int otter_trust_write_commit(otter_trust_write_t *w)
{
    if (!w->rec || w->erased < w->need || !w->sha_live)
        return OTTER_ERR_STATE;
    if (w->written != w->set.roots_len)
        return OTTER_ERR_UPD_SIZE_MISMATCH;
    uint8_t d[32];
    int ret = otter_sha256_finish(&w->sha, d);
    w->sha_live = false;
    if (ret == 0 && w->set.roots_len && !otter_ct_equal(d, w->set.roots_sha256, 32))
        ret = OTTER_ERR_UPD_DIGEST_MISMATCH;
    otter_wipe(d, sizeof d);
    if (ret < 0)
        return ret;
    if (!w->set.roots_len) /* no bundle: the header names the empty one */
        otter_sha256(NULL, 0, w->set.roots_sha256);
    /* Header (CRC last), then the record: the switch. */
    uint8_t h[OTTER_TRUST_HEADER_SIZE];
    encode(&w->set, h);
    const otter_flash_t *f = w->store.flash;
    uint32_t a = area_addr(&w->store, w->slot);
    ret = f->program(f->ctx, a, h, CRC_OFF);
    if (ret == 0)
        ret = f->program(f->ctx, a + CRC_OFF, h + CRC_OFF, 4);
    if (ret < 0)
        return ret;
    otter_index_record_t next = *w->rec;
    next.trust_gen = w->set.gen;
    next.trust_slot = w->slot;
    ret = otter_index_record_store(&next, f);
    if (ret == 0)
        *w->rec = next;
    return ret;
}

void otter_trust_write_free(otter_trust_write_t *w)
{
    otter_sha256_free(&w->sha);
    w->sha_live = false;
}
