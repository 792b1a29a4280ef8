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
    uint32_t off = u->wr.erased_to;
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
    u->wr.erased_to = off + len;
    u->st.erases++;
    return OTTER_UPDATE_MORE;
}

/* Journal progress bytes for every sector that is now complete. */
static int mark_progress(otter_update_t *u)
{
    if (!u->wr.journal_live)
        return 0;
    uint32_t s = upd_sector(u);
    uint32_t complete = u->st.done / s;
    if (u->st.done == u->st.total && u->st.done % s)
        complete++;
    while (u->wr.marked < complete) {
        int ret = otter_journal_mark_sector(u->cfg.flash, &u->wr.journal, u->wr.marked);
        if (ret < 0)
            return ret;
        u->wr.marked++;
    }
    return 0;
}

int upd_write_pending(otter_update_t *u)
{
    const otter_flash_t *f = u->cfg.flash;
    uint32_t start = u->wr.pend_file_off + u->wr.pend_off;
    uint32_t n = u->wr.pend_len - u->wr.pend_off;
    if (start + n > u->wr.erased_to)
        n = u->wr.erased_to - start;
    if (start != u->st.done)
        return OTTER_ERR_STATE; /* programs are strictly sequential */
    if (n && start < u->wr.keep_to) {
        /* Already in flash from before a reboot (the re-checked tail of a
         * finished download): compare, do not program twice. */
        uint32_t m = u->wr.keep_to - start < n ? u->wr.keep_to - start : n;
        uint8_t cmp[64];
        for (uint32_t i = 0; i < m; i += (uint32_t)sizeof cmp) {
            uint32_t k = m - i < sizeof cmp ? m - i : (uint32_t)sizeof cmp;
            int ret = f->read(f->ctx, u->target->offset + start + i, cmp, k);
            if (ret < 0)
                return ret;
            if (memcmp(cmp, u->cfg.data_buf + u->wr.pend_off + i, k))
                return OTTER_ERR_FLASH_VERIFY;
        }
        u->wr.pend_off += m;
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
            u->wr.first_byte = u->cfg.data_buf[u->wr.pend_off];
        int ret = n > skip ? f->program(f->ctx, u->target->offset + start + skip, u->cfg.data_buf + u->wr.pend_off + skip,
                                        n - skip)
                           : 0;
        if (ret < 0)
            return ret;
        otter_update_event_t ev = {
            .kind = OTTER_UPDATE_EV_DATA, .data = u->cfg.data_buf + u->wr.pend_off, .data_len = n, .offset = start};
        u->wr.pend_off += n;
        u->st.done = start + n;
        upd_event(u, &ev);
    }
    int ret = mark_progress(u);
    return ret < 0 ? ret : OTTER_UPDATE_MORE;
}

/* Journal of a previous run for this URL and slot that can be continued. */
bool upd_write_journal_resumable(otter_update_t *u)
{
    otter_journal_t *j = &u->wr.journal;
    const otter_partition_t *t = u->target;
    uint32_t s = upd_sector(u);
    memset(j, 0, sizeof *j);
    j->sector_size = s;
    j->addr = otter_journal_addr(t->offset, t->size, s);
    if (otter_journal_load(u->cfg.flash, j, u->cfg.data_buf, u->cfg.data_buf_len) < 0)
        return false;
    /* A complete journal: the slot holds a whole verified download that is
     * not running (the switch was lost, or the app never confirmed). Worth
     * re-checking and switching to, without a download, only if it is newer
     * than what runs; the policy checks it again while re-hashing. */
    if (j->complete && !upd_policy_slot_newer(u))
        return false;
    return j->slot_addr == t->offset && !j->abandoned && j->sectors_done > 0 && j->validator_len > 0 &&
           otter_ct_equal(j->url_hash, u->url_hash, 32) && j->total <= t->size - s;
}

void upd_write_resume(otter_update_t *u)
{
    otter_update_write_t *w = &u->wr;
    uint32_t total = w->journal.total;
    w->journal_live = true;
    w->rehash_to = otter_journal_bytes_done(&w->journal);
    /* A finished download is still checked against what the server
     * offers now: its last byte is asked for with Range + If-Range (a
     * changed file starts over with a fresh decision), and compared
     * with flash instead of programmed. */
    w->keep_to = w->rehash_to;
    if (w->rehash_to >= total)
        w->rehash_to = total - 1u;
    w->marked = w->journal.sectors_done;
    /* The sector after the last complete one may be half written. */
    w->erased_to = w->journal.sectors_done * upd_sector(u);
}

void upd_write_take(otter_update_t *u, uint32_t file_off, uint32_t n)
{
    u->wr.pend_off = 0;
    u->wr.pend_len = n;
    u->wr.pend_file_off = file_off;
}

void upd_write_reset(otter_update_t *u)
{
    otter_update_write_t *w = &u->wr;
    w->pend_off = w->pend_len = w->pend_file_off = 0;
    w->erased_to = w->marked = w->keep_to = w->rehash_to = 0;
    w->journal_live = w->journal_erased = false;
}

void upd_write_end(otter_update_t *u, bool abandon)
{
    if (u->wr.journal_live && abandon)
        (void)otter_journal_mark_abandoned(u->cfg.flash, &u->wr.journal);
    u->wr.journal_live = false;
}

void upd_write_installed(otter_update_t *u)
{
    /* After the switch: a cut before this byte only means a later update
     * into this slot starts over instead of resuming. */
    (void)otter_journal_mark_installed(u->cfg.flash, &u->wr.journal);
    u->wr.journal_live = false;
}

int upd_write_rehash(otter_update_t *u)
{
    const otter_flash_t *f = u->cfg.flash;
    uint32_t n = u->wr.rehash_to - u->st.done;
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
            u->wr.first_byte = u->cfg.data_buf[0];
        if (upd_feed(u, u->cfg.data_buf, n) < 0)
            return UPD_GIVE_UP;
        u->st.done += n;
        upd_net_rewind(u, u->st.done);
    }
    if (!u->pol.decided && (otter_image_desc_known(&u->img) || otter_image_done(&u->img))) {
        /* Refused or already running: the server's current file decides. */
        if (upd_policy_decide(u) != 0)
            return UPD_GIVE_UP;
    }
    if (u->st.done < u->wr.rehash_to)
        return OTTER_UPDATE_MORE;
    if (!u->pol.decided)
        return UPD_GIVE_UP;
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
    otter_journal_t *j = &u->wr.journal;
    uint32_t s = upd_sector(u);
    memset(j, 0, sizeof *j);
    j->sector_size = s;
    j->addr = otter_journal_addr(u->target->offset, u->target->size, s);
    if (!u->wr.journal_erased) {
        otter_update_event_t ev = {.kind = OTTER_UPDATE_EV_ERASE, .offset = j->addr - u->target->offset, .len = s};
        upd_event(u, &ev);
        int ret = f->erase(f->ctx, j->addr, s);
        if (ret < 0)
            return ret;
        u->st.erases++;
        u->wr.journal_erased = true;
        return OTTER_UPDATE_MORE;
    }
    j->slot_addr = u->target->offset;
    j->total = u->st.total; /* the slot capacity when the length is not known */
    memcpy(j->url_hash, u->url_hash, 32);
    size_t vl = strlen(u->net.validator);
    /* A validator too long to keep means no resume across a reboot (the
     * journal is still written: it marks the slot as being rewritten). */
    /* Without a length there is no resume across a reboot either: the
     * total a later run would need is not known. */
    if (vl && vl <= OTTER_JOURNAL_VALIDATOR_MAX && !u->net.open_length) {
        j->validator_kind = u->net.validator[0] == '"' || u->net.validator[0] == 'W' ? OTTER_JOURNAL_VALIDATOR_ETAG
                                                                             : OTTER_JOURNAL_VALIDATOR_LAST_MODIFIED;
        j->validator_len = (uint8_t)vl;
        memcpy(j->validator, u->net.validator, vl + 1);
    }
    int ret = otter_journal_write_header(f, j);
    /* The same version that already failed to confirm here: keep counting. */
    if (ret == 0 && u->pol.carry_installs && u->st.have_app && !strcmp(u->st.app.version, u->pol.carry_version))
        ret = otter_journal_carry_installs(f, j, u->pol.carry_installs);
    if (ret < 0)
        return ret;
    u->wr.journal_live = true;
    u->wr.marked = 0;
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
    /* read back from flash in data_buf-sized pieces: the buffer may be
     * smaller than the sector */
    int ret = otter_sigblock_verify_sector_flash(f, u->target->offset + info->signed_len, info->sig_digest, NULL,
                                                 p->key_digests, p->key_digest_count, NULL, u->cfg.data_buf,
                                                 u->cfg.data_buf_len);
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
    if (ret < 0 || b == u->wr.first_byte)
        return ret;
    if (b == 0xFF)
        return f->program(f->ctx, u->target->offset, &u->wr.first_byte, 1);
    if ((b & u->wr.first_byte) != u->wr.first_byte || u->cfg.data_buf_len < upd_sector(u))
        return OTTER_ERR_FLASH_VERIFY;
    /* A power cut tore this very program before: the byte has only some
     * of its bits cleared, and flash cannot be programmed twice. Rewrite
     * the sector (one erase, one program; rare). */
    uint32_t s = upd_sector(u);
    ret = f->read(f->ctx, u->target->offset, u->cfg.data_buf, s);
    if (ret == 0)
        ret = f->erase(f->ctx, u->target->offset, s);
    u->cfg.data_buf[0] = u->wr.first_byte;
    if (ret == 0)
        ret = f->program(f->ctx, u->target->offset, u->cfg.data_buf, s);
    return ret;
}

int upd_write_verify(otter_update_t *u)
{
    /* The release index's size and SHA-256 first: a server that sends
     * other bytes is named as such, whatever else is wrong with them. */
    int ret = upd_policy_expected(u);
    if (ret < 0)
        return ret;
    ret = otter_image_finish(&u->img);
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
