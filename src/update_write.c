/* otter update engine: the flash side. Erase one sector just ahead of the
 * write pointer, program what is at hand, keep the journal, re-hash a
 * resumed download, verify at the end. Only the target slot is written. */
#include <string.h>

#include "otter/error.h"
#include "otter/sigblock.h"
#include "update_priv.h"

static uint32_t round_up(uint32_t v, uint32_t a)
{
    return (v + a - 1) / a * a;
}

int upd_write_erase_next(otter_update_t *u)
{
    const otter_flash_t *f = u->cfg.flash;
    uint32_t s = upd_sector(u);
    uint32_t off = u->erased_to;
    uint32_t len = s;
    uint32_t b = f->block_size;
    /* A 64 KB block only if asked for, aligned, and wholly inside the part
     * of the slot the file will occupy (never the journal sector). */
    if (u->cfg.erase_block && b > s && b % s == 0 && (u->target->offset + off) % b == 0 &&
        off + b <= round_up(u->st.total, s))
        len = b;
    if (off + len > u->target->size - s)
        return OTTER_ERR_UPD_TOO_LARGE; /* cannot happen: total was checked */
    otter_update_event_t ev = {.kind = OTTER_UPDATE_EV_ERASE, .offset = off, .len = len};
    upd_event(u, &ev);
    int ret = f->erase(f->ctx, u->target->offset + off, len);
    if (ret < 0)
        return ret;
    u->erased_to = off + len;
    u->st.erases++;
    return OTTER_UPDATE_MORE;
}

/* Journal progress bytes for every sector that is now complete. */
static int mark_progress(otter_update_t *u)
{
    if (!u->journal_live)
        return 0;
    uint32_t s = upd_sector(u);
    uint32_t complete = u->st.done / s;
    if (u->st.done == u->st.total && u->st.done % s)
        complete++;
    while (u->marked < complete) {
        int ret = otter_journal_mark_sector(u->cfg.flash, &u->journal, u->marked);
        if (ret < 0)
            return ret;
        u->marked++;
    }
    return 0;
}

int upd_write_pending(otter_update_t *u)
{
    const otter_flash_t *f = u->cfg.flash;
    uint32_t start = u->pend_file_off + u->pend_off;
    uint32_t n = u->pend_len - u->pend_off;
    if (start + n > u->erased_to)
        n = u->erased_to - start;
    if (start != u->st.done)
        return OTTER_ERR_STATE; /* programs are strictly sequential */
    if (n && start < u->keep_to) {
        /* Already in flash from before a reboot (the re-checked tail of a
         * finished download): compare, do not program twice. */
        uint32_t m = u->keep_to - start < n ? u->keep_to - start : n;
        uint8_t cmp[64];
        for (uint32_t i = 0; i < m; i += (uint32_t)sizeof cmp) {
            uint32_t k = m - i < sizeof cmp ? m - i : (uint32_t)sizeof cmp;
            int ret = f->read(f->ctx, u->target->offset + start + i, cmp, k);
            if (ret < 0)
                return ret;
            if (memcmp(cmp, u->cfg.data_buf + u->pend_off + i, k))
                return OTTER_ERR_FLASH_VERIFY;
        }
        u->pend_off += m;
        u->st.done = start + m;
        int ret = mark_progress(u);
        return ret < 0 ? ret : OTTER_UPDATE_MORE;
    }
    if (n) {
        /* The image's first byte (its 0xE9 magic) is held back until
         * otter_update_finish(): until the image has passed every check the
         * slot cannot boot, whatever otadata says and whichever slot a
         * fallback tries (a refused, incomplete or torn image never runs). */
        uint32_t skip = start == 0 ? 1u : 0u;
        if (skip)
            u->first_byte = u->cfg.data_buf[u->pend_off];
        int ret = n > skip ? f->program(f->ctx, u->target->offset + start + skip, u->cfg.data_buf + u->pend_off + skip,
                                        n - skip)
                           : 0;
        if (ret < 0)
            return ret;
        otter_update_event_t ev = {
            .kind = OTTER_UPDATE_EV_DATA, .data = u->cfg.data_buf + u->pend_off, .data_len = n, .offset = start};
        u->pend_off += n;
        u->st.done = start + n;
        upd_event(u, &ev);
    }
    int ret = mark_progress(u);
    return ret < 0 ? ret : OTTER_UPDATE_MORE;
}

/* The journal's download cannot be continued (its bytes fail a check, or
 * the policy no longer wants that image): forget it, nothing written, and
 * download from byte 0 with a fresh decision. */
static int rehash_give_up(otter_update_t *u)
{
    otter_image_free(&u->img);
    otter_image_init(&u->img, u->cfg.policy.chip_id);
    otter_image_set_max_len(&u->img, u->target->size - upd_sector(u));
    u->journal_live = false;
    u->st.resumed_from_journal = false;
    u->st.done = u->st.total = 0;
    u->received = u->high_water = u->rehash_to = 0;
    u->erased_to = u->marked = u->keep_to = 0;
    u->decided = false;
    u->st.have_app = false;
    u->validator[0] = 0;
    memset(&u->detail, 0, sizeof u->detail);
    u->st.phase = OTTER_UPDATE_PHASE_CONNECT;
    return OTTER_UPDATE_MORE;
}

int upd_write_rehash(otter_update_t *u)
{
    const otter_flash_t *f = u->cfg.flash;
    uint32_t n = u->rehash_to - u->st.done;
    if (n > u->cfg.data_buf_len)
        n = (uint32_t)u->cfg.data_buf_len;
    if (n) {
        int ret = f->read(f->ctx, u->target->offset + u->st.done, u->cfg.data_buf, n);
        if (ret < 0)
            return ret;
        /* The held-back first byte (see upd_write_pending): only the magic
         * can belong there, as the early check refused anything else. */
        if (u->st.done == 0 && (u->cfg.data_buf[0] & OTTER_IMAGE_MAGIC) == OTTER_IMAGE_MAGIC)
            u->cfg.data_buf[0] = OTTER_IMAGE_MAGIC; /* erased, or torn while being programmed */
        if (u->st.done == 0)
            u->first_byte = u->cfg.data_buf[0];
        if (otter_image_feed(&u->img, u->cfg.data_buf, n) < 0)
            return rehash_give_up(u);
        u->st.done += n;
        u->received = u->high_water = u->st.done;
    }
    if (!u->decided && (otter_image_desc_known(&u->img) || otter_image_done(&u->img))) {
        /* Refused or already running: the server's current file decides. */
        if (upd_policy_decide(u) != 0)
            return rehash_give_up(u);
    }
    if (u->st.done < u->rehash_to)
        return OTTER_UPDATE_MORE;
    if (!u->decided)
        return rehash_give_up(u);
    if (u->st.done >= u->st.total) {
        /* Everything was written before the reboot: no request needed (the
         * RESUME event comes with the request otherwise). */
        otter_update_event_t ev = {.kind = OTTER_UPDATE_EV_RESUME, .offset = u->st.done};
        upd_event(u, &ev);
        u->st.phase = OTTER_UPDATE_PHASE_VERIFY;
        return OTTER_UPDATE_MORE;
    }
    u->st.phase = OTTER_UPDATE_PHASE_CONNECT;
    return OTTER_UPDATE_MORE;
}

int upd_write_prepare(otter_update_t *u)
{
    const otter_flash_t *f = u->cfg.flash;
    otter_journal_t *j = &u->journal;
    uint32_t s = upd_sector(u);
    memset(j, 0, sizeof *j);
    j->sector_size = s;
    j->addr = otter_journal_addr(u->target->offset, u->target->size, s);
    if (!u->journal_erased) {
        otter_update_event_t ev = {.kind = OTTER_UPDATE_EV_ERASE, .offset = j->addr - u->target->offset, .len = s};
        upd_event(u, &ev);
        int ret = f->erase(f->ctx, j->addr, s);
        if (ret < 0)
            return ret;
        u->st.erases++;
        u->journal_erased = true;
        return OTTER_UPDATE_MORE;
    }
    j->slot_addr = u->target->offset;
    j->total = u->st.total; /* the slot capacity when the length is not known */
    memcpy(j->url_hash, u->url_hash, 32);
    size_t vl = strlen(u->validator);
    /* A validator too long to keep means no resume across a reboot (the
     * journal is still written: it marks the slot as being rewritten). */
    /* Without a length there is no resume across a reboot either: the
     * total a later run would need is not known. */
    if (vl && vl <= OTTER_JOURNAL_VALIDATOR_MAX && !u->open_length) {
        j->validator_kind = u->validator[0] == '"' || u->validator[0] == 'W' ? OTTER_JOURNAL_VALIDATOR_ETAG
                                                                             : OTTER_JOURNAL_VALIDATOR_LAST_MODIFIED;
        j->validator_len = (uint8_t)vl;
        memcpy(j->validator, u->validator, vl + 1);
    }
    int ret = otter_journal_write_header(f, j);
    /* The same version that already failed to confirm here: keep counting. */
    if (ret == 0 && u->carry_installs && u->st.have_app && !strcmp(u->st.app.version, u->carry_version))
        ret = otter_journal_carry_installs(f, j, u->carry_installs);
    if (ret < 0)
        return ret;
    u->journal_live = true;
    u->marked = 0;
    u->st.phase = OTTER_UPDATE_PHASE_DOWNLOAD;
    return OTTER_UPDATE_MORE;
}

static int verify_signature(otter_update_t *u, const otter_image_info_t *info)
{
    const otter_update_policy_t *p = &u->cfg.policy;
    if (!p->key_digest_count)
        return 0;
    bool present = info->sig_digest_ready && (uint64_t)info->signed_len + OTTER_SIG_SECTOR_LEN <= u->st.total;
    if (!present)
        return p->allow_unsigned ? 0 : OTTER_ERR_UPD_UNSIGNED;
    const otter_flash_t *f = u->cfg.flash;
    int ret = f->read(f->ctx, u->target->offset + info->signed_len, u->cfg.data_buf, OTTER_SIG_SECTOR_LEN);
    if (ret < 0)
        return ret;
    ret = otter_sigblock_verify(u->cfg.data_buf, info->sig_digest, NULL, p->key_digests, p->key_digest_count, NULL);
    if (ret == OTTER_ERR_SIG_NONE)
        return p->allow_unsigned ? 0 : OTTER_ERR_UPD_UNSIGNED;
    return ret;
}

/* The verified image becomes bootable: its first byte, held back since
 * the download began (upd_write_pending), is programmed now, in the step
 * that passed the last check and before the otadata switch. Already there
 * (a cut between this and the switch, a reinstall): nothing to do. */
int upd_write_first_byte(otter_update_t *u)
{
    const otter_flash_t *f = u->cfg.flash;
    uint8_t b;
    int ret = f->read(f->ctx, u->target->offset, &b, 1);
    if (ret < 0 || b == u->first_byte)
        return ret;
    if (b == 0xFF)
        return f->program(f->ctx, u->target->offset, &u->first_byte, 1);
    if ((b & u->first_byte) != u->first_byte || u->cfg.data_buf_len < upd_sector(u))
        return OTTER_ERR_FLASH_VERIFY;
    /* A power cut tore this very program before: the byte has only some
     * of its bits cleared, and flash cannot be programmed twice. Rewrite
     * the sector (one erase, one program; rare). */
    uint32_t s = upd_sector(u);
    ret = f->read(f->ctx, u->target->offset, u->cfg.data_buf, s);
    if (ret == 0)
        ret = f->erase(f->ctx, u->target->offset, s);
    u->cfg.data_buf[0] = u->first_byte;
    if (ret == 0)
        ret = f->program(f->ctx, u->target->offset, u->cfg.data_buf, s);
    return ret;
}

int upd_write_verify(otter_update_t *u)
{
    int ret = otter_image_finish(&u->img);
    if (ret < 0)
        return ret;
    ret = verify_signature(u, otter_image_info(&u->img));
    if (ret == 0)
        ret = upd_write_first_byte(u);
    if (ret < 0)
        return ret;
    otter_update_event_t ev = {.kind = OTTER_UPDATE_EV_VERIFIED};
    upd_event(u, &ev);
    u->st.phase = OTTER_UPDATE_PHASE_READY;
    return 0;
}
