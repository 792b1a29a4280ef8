/* otter update engine: the resume journal. Format: docs/FORMATS.md. */
#include "update_journal.h"

#include <string.h>

#include "otter/bytes.h"
#include "crc32.h"
#include "otter/error.h"

/* Header field offsets (see docs/FORMATS.md, "Update journal"). */
enum {
    JH_MAGIC = 0,
    JH_VERSION = 4,
    JH_VKIND = 5,
    JH_VLEN = 6,
    JH_SECTOR = 8,
    JH_SLOT = 12,
    JH_TOTAL = 16,
    JH_URLHASH = 20,
    JH_VALIDATOR = 52,
    JH_CRC = 124,
};

uint32_t otter_journal_capacity(uint32_t sector_size)
{
    return sector_size > OTTER_JOURNAL_OFF_PROGRESS ? sector_size - OTTER_JOURNAL_OFF_PROGRESS : 0;
}

uint32_t otter_journal_addr(uint32_t slot_addr, uint32_t slot_size, uint32_t sector_size)
{
    return slot_addr + slot_size - sector_size;
}

void otter_journal_encode(const otter_journal_t *j, uint8_t out[OTTER_JOURNAL_HEADER_SIZE])
{
    memset(out, 0xFF, OTTER_JOURNAL_HEADER_SIZE);
    otter_put_le32(out + JH_MAGIC, OTTER_JOURNAL_MAGIC);
    out[JH_VERSION] = OTTER_JOURNAL_VERSION;
    uint8_t vlen = j->validator_len > OTTER_JOURNAL_VALIDATOR_MAX ? OTTER_JOURNAL_VALIDATOR_MAX : j->validator_len;
    out[JH_VKIND] = vlen ? j->validator_kind : OTTER_JOURNAL_VALIDATOR_NONE;
    out[JH_VLEN] = vlen;
    otter_put_le32(out + JH_SECTOR, j->sector_size);
    otter_put_le32(out + JH_SLOT, j->slot_addr);
    otter_put_le32(out + JH_TOTAL, j->total);
    memcpy(out + JH_URLHASH, j->url_hash, 32);
    memset(out + JH_VALIDATOR, 0, OTTER_JOURNAL_VALIDATOR_MAX);
    memcpy(out + JH_VALIDATOR, j->validator, vlen);
    otter_put_le32(out + JH_CRC, otter_crc32_le(0, out, JH_CRC));
}

static int decode_header(otter_journal_t *j, const uint8_t *h)
{
    if (otter_le32(h + JH_MAGIC) != OTTER_JOURNAL_MAGIC || h[JH_VERSION] != OTTER_JOURNAL_VERSION)
        return OTTER_ERR_UPD_JOURNAL;
    if (otter_le32(h + JH_CRC) != otter_crc32_le(0, h, JH_CRC))
        return OTTER_ERR_UPD_JOURNAL;
    if (otter_le32(h + JH_SECTOR) != j->sector_size || h[JH_VLEN] > OTTER_JOURNAL_VALIDATOR_MAX ||
        h[JH_VKIND] > OTTER_JOURNAL_VALIDATOR_LAST_MODIFIED)
        return OTTER_ERR_UPD_JOURNAL;
    j->slot_addr = otter_le32(h + JH_SLOT);
    j->total = otter_le32(h + JH_TOTAL);
    /* The journal sector is the slot's last; the file must end before it. */
    if (j->slot_addr > j->addr || j->total > j->addr - j->slot_addr)
        return OTTER_ERR_UPD_JOURNAL;
    memcpy(j->url_hash, h + JH_URLHASH, 32);
    j->validator_kind = h[JH_VKIND];
    j->validator_len = h[JH_VLEN];
    memcpy(j->validator, h + JH_VALIDATOR, j->validator_len);
    j->validator[j->validator_len] = 0;
    return 0;
}

/* Count leading 0x00 progress bytes, reading through buf. */
static int count_done(const otter_flash_t *f, otter_journal_t *j, uint8_t *buf, size_t len)
{
    uint32_t need = (j->total + j->sector_size - 1) / j->sector_size;
    uint32_t cap = otter_journal_capacity(j->sector_size);
    if (need > cap)
        need = cap;
    j->sectors_done = 0;
    while (j->sectors_done < need) {
        uint32_t n = need - j->sectors_done;
        if (n > len)
            n = (uint32_t)len;
        int ret = f->read(f->ctx, j->addr + OTTER_JOURNAL_OFF_PROGRESS + j->sectors_done, buf, n);
        if (ret < 0)
            return ret;
        for (uint32_t i = 0; i < n; i++) {
            /* Written at all (0x00, or torn by a power cut) = complete: the
             * byte is programmed only after the sector's data was. */
            if (buf[i] == 0xFF)
                return 0;
            j->sectors_done++;
        }
    }
    return 0;
}

int otter_journal_load(const otter_flash_t *f, otter_journal_t *j, uint8_t *buf, size_t len)
{
    uint8_t h[OTTER_JOURNAL_HEADER_SIZE];
    uint8_t marks[2 + OTTER_JOURNAL_INSTALLS_MAX];
    if (!f || !j || !buf || len < 64 || j->sector_size < 1024)
        return OTTER_ERR_INVAL;
    j->sectors_done = 0;
    j->complete = 0;
    j->abandoned = 0;
    int ret = f->read(f->ctx, j->addr, h, sizeof h);
    if (ret < 0)
        return ret;
    ret = decode_header(j, h);
    if (ret < 0)
        return ret;
    ret = f->read(f->ctx, j->addr + OTTER_JOURNAL_OFF_COMPLETE, marks, sizeof marks);
    if (ret < 0)
        return ret;
    /* Any programmed bit counts: a marker torn by a power cut was being set
     * after what it records had happened. */
    j->complete = marks[0] != 0xFF;
    j->abandoned = marks[1] != 0xFF;
    j->installs = j->complete;
    for (unsigned i = 0; i < OTTER_JOURNAL_INSTALLS_MAX && marks[2 + i] != 0xFF; i++)
        j->installs++;
    return count_done(f, j, buf, len);
}

int otter_journal_erase(const otter_flash_t *f, const otter_journal_t *j)
{
    return f->erase(f->ctx, j->addr, j->sector_size);
}

int otter_journal_write_header(const otter_flash_t *f, const otter_journal_t *j)
{
    uint8_t h[OTTER_JOURNAL_HEADER_SIZE];
    otter_journal_encode(j, h);
    return f->program(f->ctx, j->addr, h, sizeof h);
}

static int mark(const otter_flash_t *f, uint32_t addr)
{
    static const uint8_t zero = 0x00;
    return f->program(f->ctx, addr, &zero, 1);
}

int otter_journal_mark_sector(const otter_flash_t *f, const otter_journal_t *j, uint32_t index)
{
    if (index >= otter_journal_capacity(j->sector_size))
        return OTTER_ERR_INVAL;
    return mark(f, j->addr + OTTER_JOURNAL_OFF_PROGRESS + index);
}

int otter_journal_mark_complete(const otter_flash_t *f, const otter_journal_t *j)
{
    return mark(f, j->addr + OTTER_JOURNAL_OFF_COMPLETE);
}

int otter_journal_mark_abandoned(const otter_flash_t *f, const otter_journal_t *j)
{
    return mark(f, j->addr + OTTER_JOURNAL_OFF_ABANDONED);
}

int otter_journal_mark_installed(const otter_flash_t *f, otter_journal_t *j)
{
    int ret = 0;
    if (!j->complete)
        ret = mark(f, j->addr + OTTER_JOURNAL_OFF_COMPLETE);
    else if (j->installs >= 1u && j->installs - 1u < OTTER_JOURNAL_INSTALLS_MAX)
        ret = mark(f, j->addr + OTTER_JOURNAL_OFF_INSTALLS + j->installs - 1u);
    else
        return 0;
    if (ret == 0) {
        j->complete = 1;
        j->installs++;
    }
    return ret;
}

int otter_journal_carry_installs(const otter_flash_t *f, otter_journal_t *j, uint8_t n)
{
    uint8_t zeros[OTTER_JOURNAL_INSTALLS_MAX];
    if (n > OTTER_JOURNAL_INSTALLS_MAX)
        n = OTTER_JOURNAL_INSTALLS_MAX;
    if (!n)
        return 0;
    memset(zeros, 0, sizeof zeros);
    int ret = f->program(f->ctx, j->addr + OTTER_JOURNAL_OFF_INSTALLS, zeros, n);
    if (ret == 0)
        j->installs = (uint8_t)(j->installs + n);
    return ret;
}

uint32_t otter_journal_bytes_done(const otter_journal_t *j)
{
    uint64_t b = (uint64_t)j->sectors_done * j->sector_size;
    return b > j->total ? j->total : (uint32_t)b;
}

int otter_update_journal_peek(const otter_flash_t *f, const otter_partition_t *slot, uint8_t *buf, size_t len,
                              uint32_t *done, uint32_t *total)
{
    otter_journal_t j;
    uint32_t s = f->sector_size;
    if (s == 0 || slot->size < 2 * s)
        return OTTER_ERR_INVAL;
    memset(&j, 0, sizeof j);
    j.addr = otter_journal_addr(slot->offset, slot->size, s);
    j.sector_size = s;
    int ret = otter_journal_load(f, &j, buf, len);
    if (ret < 0)
        return ret;
    if (j.complete || j.abandoned)
        return OTTER_ERR_UPD_JOURNAL;
    *done = otter_journal_bytes_done(&j);
    *total = j.total;
    return 0;
}
