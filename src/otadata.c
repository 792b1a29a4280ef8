/* otter: ESP-IDF otadata (see otter/otadata.h). */
#include <string.h>

#include "otter/bytes.h"
#include "crc32.h"
#include "otter/error.h"
#include "otter/otadata.h"
#include "otadata_priv.h"

void otter_ota_entry_decode(otter_ota_entry_t *e, const uint8_t raw[OTTER_OTADATA_ENTRY_SIZE])
{
    e->seq = otter_le32(raw);
    memcpy(e->seq_label, raw + 4, OTTER_OTADATA_SEQ_LABEL_LEN);
    e->state = otter_le32(raw + 24);
    e->crc = otter_le32(raw + 28);
}

void otter_ota_entry_encode(const otter_ota_entry_t *e, uint8_t raw[OTTER_OTADATA_ENTRY_SIZE])
{
    otter_put_le32(raw, e->seq);
    memcpy(raw + 4, e->seq_label, OTTER_OTADATA_SEQ_LABEL_LEN);
    otter_put_le32(raw + 24, e->state);
    otter_put_le32(raw + 28, e->crc);
}

uint32_t otter_ota_seq_crc(uint32_t seq)
{
    uint8_t b[4];
    otter_put_le32(b, seq);
    return otter_crc32_le(UINT32_MAX, b, 4);
}

int otter_ota_entry_crc_ok(const otter_ota_entry_t *e)
{
    return e->seq != UINT32_MAX && e->crc == otter_ota_seq_crc(e->seq);
}

int otter_ota_entry_unusable(const otter_ota_entry_t *e)
{
    return e->seq == UINT32_MAX || e->state == OTTER_OTA_STATE_INVALID || e->state == OTTER_OTA_STATE_ABORTED;
}

int otter_ota_entry_valid(const otter_ota_entry_t *e)
{
    return !otter_ota_entry_unusable(e) && otter_ota_entry_crc_ok(e);
}

int otter_ota_entry_blank(const otter_ota_entry_t *e)
{
    for (unsigned i = 0; i < OTTER_OTADATA_SEQ_LABEL_LEN; i++)
        if (e->seq_label[i] != 0xFF)
            return 0;
    return e->seq == UINT32_MAX && e->state == UINT32_MAX && e->crc == UINT32_MAX;
}

int otter_otadata_select(const otter_ota_entry_t copy[2])
{
    int v0 = otter_ota_entry_valid(&copy[0]), v1 = otter_ota_entry_valid(&copy[1]);
    if (v0 && v1)
        return copy[0].seq >= copy[1].seq ? 0 : 1;
    return v0 ? 0 : v1 ? 1 : -1;
}

const char *otter_ota_state_name(uint32_t state)
{
    switch (state) {
    case OTTER_OTA_STATE_NEW:
        return "NEW";
    case OTTER_OTA_STATE_PENDING_VERIFY:
        return "PENDING_VERIFY";
    case OTTER_OTA_STATE_VALID:
        return "VALID";
    case OTTER_OTA_STATE_INVALID:
        return "INVALID";
    case OTTER_OTA_STATE_ABORTED:
        return "ABORTED";
    case OTTER_OTA_STATE_UNDEFINED:
        return "UNDEFINED";
    default:
        return NULL;
    }
}

int otter_otadata_read(otter_otadata_t *od, const otter_flash_t *flash, const otter_ptable_t *pt)
{
    memset(od, 0, sizeof *od);
    od->active = -1;
    const otter_partition_t *p = otter_ptable_otadata(pt);
    if (!p)
        return OTTER_ERR_OTADATA_MISSING;
    if (p->size < 2 * OTTER_OTADATA_SECTOR || p->offset % OTTER_OTADATA_SECTOR)
        return OTTER_ERR_OTADATA_SIZE;
    od->offset = p->offset;
    for (int i = 0; i < 2; i++) {
        uint8_t raw[OTTER_OTADATA_ENTRY_SIZE];
        int ret = flash->read(flash->ctx, p->offset + (uint32_t)i * OTTER_OTADATA_SECTOR, raw, sizeof raw);
        if (ret)
            return ret;
        otter_ota_entry_decode(&od->copy[i], raw);
    }
    od->active = otter_otadata_select(od->copy);
    return 0;
}

int otter_otadata_active_slot(const otter_otadata_t *od, unsigned ota_count)
{
    if (od->active < 0 || ota_count == 0)
        return -1;
    return (int)((od->copy[od->active].seq - 1u) % ota_count);
}

/* The smallest seq >= from that maps onto slot with n slots, or
 * UINT32_MAX when none fits below the erased value 0xFFFFFFFF. */
static uint32_t seq_at_least(uint64_t from, unsigned slot, unsigned n)
{
    uint64_t base = (slot + 1u) % n;
    uint64_t i = from > base ? (from - base + n - 1u) / n : 0;
    uint64_t seq = base + i * n;
    return seq >= UINT32_MAX ? UINT32_MAX : (uint32_t)seq;
}

uint32_t otter_otadata_next_seq(const otter_otadata_t *od, unsigned slot, unsigned ota_count)
{
    if (ota_count == 0 || od->active < 0)
        return slot + 1u;
    /* esp_rewrite_ota_data(): the first (slot + 1) % n + i * n >= seq,
     * computed without the 32-bit wrap (ESP-IDF's uint32_t loop would
     * produce 0xFFFFFFFF or a wrapped, lower value here). */
    return seq_at_least(od->copy[od->active].seq, slot, ota_count);
}

int otter_otadata_write_copy(otter_otadata_t *od, const otter_flash_t *flash, int copy, uint32_t seq,
                             uint32_t state)
{
    if ((copy != 0 && copy != 1) || seq == UINT32_MAX)
        return OTTER_ERR_INVAL;
    uint32_t addr = od->offset + (uint32_t)copy * OTTER_OTADATA_SECTOR;
    otter_ota_entry_t *e = &od->copy[copy];
    uint8_t b[4], label[OTTER_OTADATA_SEQ_LABEL_LEN], blank[OTTER_OTADATA_SEQ_LABEL_LEN];
    /* ESP-IDF rewrites the whole entry it read: the label stays. */
    memcpy(label, e->seq_label, sizeof label);
    memset(blank, 0xFF, sizeof blank);
    /* Whatever happens next, this copy no longer holds what od says. */
    memset(e, 0xFF, sizeof *e);
    od->active = otter_otadata_select(od->copy);
    int ret = flash->erase(flash->ctx, addr, OTTER_OTADATA_SECTOR);
    /* State first: until the CRC is complete the copy is invalid, so the
     * state (which the CRC does not cover) is never seen half-written. */
    otter_put_le32(b, state);
    if (ret == 0 && state != UINT32_MAX)
        ret = flash->program(flash->ctx, addr + 24, b, 4);
    if (ret == 0 && memcmp(label, blank, sizeof label) != 0)
        ret = flash->program(flash->ctx, addr + 4, label, sizeof label);
    otter_put_le32(b, seq);
    if (ret == 0)
        ret = flash->program(flash->ctx, addr, b, 4);
    otter_put_le32(b, otter_ota_seq_crc(seq));
    if (ret == 0)
        ret = flash->program(flash->ctx, addr + 28, b, 4);
    if (ret == 0) {
        e->seq = seq;
        memcpy(e->seq_label, label, sizeof label);
        e->state = state;
        e->crc = otter_ota_seq_crc(seq);
        od->active = otter_otadata_select(od->copy);
    }
    return ret;
}

int otter_otadata_set_slot(otter_otadata_t *od, const otter_flash_t *flash, unsigned slot, unsigned ota_count,
                           uint32_t state)
{
    if (slot >= ota_count)
        return OTTER_ERR_BOOT_SLOT;
    int target = od->active < 0 ? 0 : 1 - od->active;
    uint32_t seq = otter_otadata_next_seq(od, slot, ota_count);
    if (seq != UINT32_MAX)
        return otter_otadata_write_copy(od, flash, target, seq, state);
    /* The sequence is exhausted: no value above the active one maps onto
     * slot. Renumber, decided before anything is erased, in two writes
     * that each leave one valid selection: first the inactive copy becomes
     * the active one's twin with the smallest seq for its slot (the active
     * copy still wins, being higher); then the active copy is rewritten
     * with the next seq above the twin's for the new slot (while it is
     * torn, the twin selects the old slot). ESP-IDF's bootloader takes the
     * higher valid seq, so it reads the result as written. */
    int active = od->active;
    otter_ota_entry_t was = od->copy[active];
    unsigned old_slot = (unsigned)((was.seq - 1u) % ota_count);
    uint32_t low = old_slot + 1u;
    uint32_t high = seq_at_least((uint64_t)low + 1u, slot, ota_count);
    memcpy(od->copy[target].seq_label, was.seq_label, sizeof was.seq_label);
    int ret = otter_otadata_write_copy(od, flash, target, low, was.state);
    if (ret == 0)
        ret = otter_otadata_write_copy(od, flash, active, high, state);
    return ret;
}

int otter_otadata_erase(otter_otadata_t *od, const otter_flash_t *flash)
{
    int first = od->active < 0 ? 0 : 1 - od->active;
    for (int k = 0; k < 2; k++) {
        int copy = k == 0 ? first : 1 - first;
        memset(&od->copy[copy], 0xFF, sizeof od->copy[copy]);
        od->active = otter_otadata_select(od->copy);
        int ret = flash->erase(flash->ctx, od->offset + (uint32_t)copy * OTTER_OTADATA_SECTOR, OTTER_OTADATA_SECTOR);
        if (ret)
            return ret;
    }
    return 0;
}
