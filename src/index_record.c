/* otter: the release index record, two copies with CRC (otter/index_record.h). */
#include <string.h>

#include "crc32.h"
#include "otter/bytes.h"
#include "otter/error.h"
#include "otter/index_record.h"

#define OFF_COUNTER 4u
#define OFF_SEQ 8u
#define OFF_TRUST_GEN 16u
#define OFF_TRUST_SLOT 20u
#define OFF_N_KEYS 21u
#define OFF_KEYS 24u
#define OFF_CRC 216u
_Static_assert(OFF_KEYS + OTTER_INDEX_MAX_KEYS * 64u == OFF_CRC, "record layout");
_Static_assert(OFF_CRC + 4u == OTTER_INDEX_RECORD_SIZE, "record size");

void otter_index_record_encode(const otter_index_record_t *rec, uint32_t counter, uint8_t out[OTTER_INDEX_RECORD_SIZE])
{
    memset(out, 0, OTTER_INDEX_RECORD_SIZE);
    otter_put_le32(out, OTTER_INDEX_RECORD_MAGIC);
    otter_put_le32(out + OFF_COUNTER, counter);
    otter_put_le32(out + OFF_SEQ, (uint32_t)rec->seq);
    otter_put_le32(out + OFF_SEQ + 4, (uint32_t)(rec->seq >> 32));
    otter_put_le32(out + OFF_TRUST_GEN, rec->trust_gen);
    out[OFF_TRUST_SLOT] = rec->trust_slot;
    out[OFF_N_KEYS] = (uint8_t)rec->n_keys;
    for (unsigned i = 0; i < rec->n_keys && i < OTTER_INDEX_MAX_KEYS; i++)
        memcpy(out + OFF_KEYS + 64u * i, rec->keys[i].point, 64);
    otter_put_le32(out + OFF_CRC, otter_crc32_le(0, out, OFF_CRC));
}

int otter_index_record_decode(otter_index_record_t *rec, uint32_t *counter, const uint8_t in[OTTER_INDEX_RECORD_SIZE])
{
    if (otter_le32(in) != OTTER_INDEX_RECORD_MAGIC || otter_le32(in + OFF_CRC) != otter_crc32_le(0, in, OFF_CRC) ||
        in[OFF_TRUST_SLOT] > 1 || in[OFF_N_KEYS] > OTTER_INDEX_MAX_KEYS || otter_le32(in + OFF_COUNTER) == 0 ||
        otter_le32(in + OFF_COUNTER) == UINT32_MAX)
        return OTTER_ERR_INDEX_RECORD;
    *counter = otter_le32(in + OFF_COUNTER);
    rec->seq = (uint64_t)otter_le32(in + OFF_SEQ + 4) << 32 | otter_le32(in + OFF_SEQ);
    rec->trust_gen = otter_le32(in + OFF_TRUST_GEN);
    rec->trust_slot = in[OFF_TRUST_SLOT];
    rec->n_keys = in[OFF_N_KEYS];
    memset(rec->keys, 0, sizeof rec->keys);
    for (unsigned i = 0; i < rec->n_keys; i++)
        memcpy(rec->keys[i].point, in + OFF_KEYS + 64u * i, 64);
    return 0;
}

static bool blank(const uint8_t *p, size_t n, uint8_t erased)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != erased)
            return false;
    return true;
}

int otter_index_record_load(otter_index_record_t *rec, const otter_flash_t *flash, uint32_t offset)
{
    memset(rec, 0, sizeof *rec);
    rec->offset = offset;
    rec->active = -1;
    uint32_t sector = flash->sector_size;
    if (sector < OTTER_INDEX_RECORD_SIZE || offset % sector || offset > flash->size ||
        flash->size - offset < 2 * sector)
        return OTTER_ERR_INVAL;
    uint8_t raw[2][OTTER_INDEX_RECORD_SIZE];
    otter_index_record_t copy[2];
    uint32_t counter[2] = {0, 0};
    int ok[2];
    for (int i = 0; i < 2; i++) {
        int ret = flash->read(flash->ctx, offset + (uint32_t)i * sector, raw[i], sizeof raw[i]);
        if (ret)
            return ret;
        ok[i] = otter_index_record_decode(&copy[i], &counter[i], raw[i]) == 0;
    }
    int pick = ok[0] && ok[1] ? (counter[1] > counter[0] ? 1 : 0) : ok[0] ? 0 : ok[1] ? 1 : -1;
    if (pick < 0) {
        /* The first store writes A while B is blank; B is only ever erased
         * while A is valid. So B blank means "never stored" (A blank or torn
         * by a cut); anything else is corruption, and forgetting the highest
         * sequence would reopen the door to replay: refuse. */
        return blank(raw[1], sizeof raw[1], flash->erased_value) ? 0 : OTTER_ERR_INDEX_RECORD;
    }
    *rec = copy[pick];
    rec->offset = offset;
    rec->counter = counter[pick];
    rec->active = pick;
    return 0;
}

int otter_index_record_store(otter_index_record_t *rec, const otter_flash_t *flash)
{
    if (rec->n_keys > OTTER_INDEX_MAX_KEYS || rec->trust_slot > 1 || rec->counter >= 0xFEFFFFFFu)
        return OTTER_ERR_INVAL;
    int target = rec->active < 0 ? 0 : 1 - rec->active;
    uint32_t counter = rec->active < 0 ? 1u : rec->counter + 1u;
    uint32_t addr = rec->offset + (uint32_t)target * flash->sector_size;
    uint8_t raw[OTTER_INDEX_RECORD_SIZE];
    otter_index_record_encode(rec, counter, raw);
    int ret = flash->erase(flash->ctx, addr, flash->sector_size);
    /* The CRC last: until it is complete this copy is invalid and the other
     * one is current. */
    if (ret == 0)
        ret = flash->program(flash->ctx, addr, raw, OFF_CRC);
    if (ret == 0)
        ret = flash->program(flash->ctx, addr + OFF_CRC, raw + OFF_CRC, 4);
    if (ret == 0) {
        rec->active = target;
        rec->counter = counter;
    }
    return ret;
}

int otter_index_record_accept(otter_index_record_t *rec, const otter_flash_t *flash, const otter_index_t *idx)
{
    if (idx->seq < rec->seq)
        return OTTER_ERR_INDEX_REPLAY;
    if (idx->n_keys > OTTER_INDEX_MAX_KEYS)
        return OTTER_ERR_INVAL;
    bool keys = idx->n_keys > 0 &&
                (idx->n_keys != rec->n_keys || memcmp(idx->keys, rec->keys, idx->n_keys * sizeof idx->keys[0]) != 0);
    if (idx->seq == rec->seq && !keys && rec->active >= 0)
        return 0;
    otter_index_record_t next = *rec;
    next.seq = idx->seq;
    if (keys) {
        memset(next.keys, 0, sizeof next.keys);
        memcpy(next.keys, idx->keys, idx->n_keys * sizeof idx->keys[0]);
        next.n_keys = idx->n_keys;
    }
    int ret = otter_index_record_store(&next, flash);
    if (ret == 0)
        *rec = next;
    return ret;
}
