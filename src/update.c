/* otter update engine: lifecycle and the step state machine.
 * The HTTP side is in update_net.c, flash writes in update_write.c, the
 * policy and the words in update_policy.c, the journal in update_journal.c. */
#include <string.h>

#include "otter/crypto.h"
#include "otter/error.h"
#include "otter/otadata.h"
#include "otter/sigblock.h"
#include "otter/url.h"
#include "otadata_priv.h"
#include "update_priv.h"

#define DEFAULT_TIMEOUT_MS 10000u
#define DEFAULT_RETRIES 5u
#define DEFAULT_RATE_WINDOW_MS 60000u

void otter_update_init(otter_update_t *u, const otter_update_config_t *cfg)
{
    memset(u, 0, sizeof *u);
    if (cfg)
        u->cfg = *cfg;
    if (!u->cfg.connect_timeout_ms)
        u->cfg.connect_timeout_ms = DEFAULT_TIMEOUT_MS;
    if (!u->cfg.read_timeout_ms)
        u->cfg.read_timeout_ms = DEFAULT_TIMEOUT_MS;
    if (!u->cfg.max_retries)
        u->cfg.max_retries = DEFAULT_RETRIES;
    if (!u->cfg.deadline_ms)
        u->cfg.deadline_ms = OTTER_UPDATE_DEADLINE_DEFAULT_MS;
    if (!u->cfg.rate_window_ms)
        u->cfg.rate_window_ms = DEFAULT_RATE_WINDOW_MS;
    upd_net_init(u);
    otter_image_init(&u->img, u->cfg.policy.chip_id);
    otter_sha256_init(&u->pol.file_sha);
    u->st.phase = OTTER_UPDATE_PHASE_IDLE;
}

static bool image_error(int err)
{
    return OTTER_ERR_IS_IMAGE(err) || OTTER_ERR_IS_SIG(err) || err == OTTER_ERR_UPD_UNSIGNED ||
           err == OTTER_ERR_UPD_SIZE_MISMATCH || err == OTTER_ERR_UPD_DIGEST_MISMATCH;
}

static int fail(otter_update_t *u, int err)
{
    upd_net_close(u);
    u->st.err = err;
    u->detail.err = err;
    u->detail.phase = u->st.phase;
    u->detail.offset = u->net.received;
    if (!u->detail.http_status)
        u->detail.http_status = otter_http_detail(&u->net.http)->status;
    /* Bad bytes must not be resumed into: give the journal up. Network and
     * flash failures keep it, so the next attempt continues. */
    upd_write_end(u, image_error(err) || err == OTTER_ERR_FLASH_VERIFY);
    u->st.phase = OTTER_UPDATE_PHASE_FAILED;
    u->st.outcome = OTTER_UPDATE_OUTCOME_FAILED;
    otter_update_event_t ev = {.kind = OTTER_UPDATE_EV_ERROR, .err = err, .offset = u->net.received};
    upd_event(u, &ev);
    return err;
}

static bool active(const otter_update_t *u)
{
    return u->st.phase != OTTER_UPDATE_PHASE_IDLE && u->st.phase != OTTER_UPDATE_PHASE_DONE &&
           u->st.phase != OTTER_UPDATE_PHASE_FAILED;
}

int otter_update_begin(otter_update_t *u, const char *url)
{
    const otter_update_config_t *c = &u->cfg;
    otter_url_t parsed;
    if (active(u))
        return OTTER_ERR_STATE;
    if (!url || !c->flash || !c->ptable || !c->boot || !c->clock || !c->clock->now_ms || !c->data_buf ||
        c->data_buf_len < OTTER_UPDATE_DATA_BUF_MIN || c->data_buf_len > UINT32_MAX || !c->http_buf ||
        c->http_buf_len < OTTER_UPDATE_HTTP_BUF_MIN || c->flash->sector_size < 1024 || c->policy.key_digest_count > 3)
        return OTTER_ERR_INVAL;
    int ret = otter_url_parse(url, strlen(url), &parsed);
    if (ret < 0)
        return ret;
    if ((parsed.scheme == OTTER_URL_HTTPS && !c->tls) || (parsed.scheme == OTTER_URL_HTTP && !c->tcp))
        return OTTER_ERR_UNSUPPORTED;
    ret = otter_sha256(url, strlen(url), u->url_hash);
    if (ret < 0)
        return ret;
    otter_image_free(&u->img);
    otter_image_init(&u->img, c->policy.chip_id);
    memset(&u->st, 0, sizeof u->st);
    memset(&u->detail, 0, sizeof u->detail);
    u->url = url;
    u->target = NULL;
    upd_net_begin(u);
    memset(&u->wr, 0, sizeof u->wr);
    upd_policy_clear(u);
    u->t_begin = u->win_start = c->clock->now_ms(c->clock->ctx);
    u->win_bytes = 0;
    u->st.phase = OTTER_UPDATE_PHASE_START;
    return 0;
}

/* The target may be neither the running slot nor overlap it, whoever chose
 * it: the running slot is the one the platform says the code runs from. */
static int check_not_running(const otter_update_t *u, const otter_partition_t *t)
{
    uint8_t slot;
    int ret = otter_boot_running_slot(u->cfg.boot, &slot);
    if (ret < 0)
        return ret;
    const otter_partition_t *r = otter_ptable_app(u->cfg.ptable, slot);
    if (!r || (t->subtype == slot && t->type == OTTER_PT_TYPE_APP))
        return OTTER_ERR_UPD_RUNNING_SLOT; /* unknown where the code runs: refuse */
    if ((uint64_t)t->offset < (uint64_t)r->offset + r->size && (uint64_t)r->offset < (uint64_t)t->offset + t->size)
        return OTTER_ERR_UPD_RUNNING_SLOT;
    return 0;
}

static int do_start(otter_update_t *u)
{
    const otter_partition_t *t = u->cfg.target;
    int ret = t ? 0 : otter_boot_next_update_slot(u->cfg.boot, &t);
    if (ret < 0)
        return ret == OTTER_ERR_STATE ? ret : OTTER_ERR_UPD_NO_SLOT;
    u->st.target_slot = t->subtype; /* named in the diagnosis of a refusal */
    ret = check_not_running(u, t);
    if (ret < 0)
        return ret;
    if (t->type != OTTER_PT_TYPE_APP || t->subtype < OTTER_PT_SUBTYPE_OTA_0 || t->subtype >= OTTER_PT_SUBTYPE_OTA(16))
        return OTTER_ERR_UPD_NO_SLOT;
    uint32_t s = upd_sector(u);
    if (t->size < 2 * s || t->offset % s || t->size % s)
        return OTTER_ERR_UPD_NO_SLOT;
    u->target = t;
    u->st.target_slot = t->subtype;
    ret = upd_policy_load(u);
    if (ret < 0)
        return ret;
    bool resume = upd_write_journal_resumable(u); /* uses the image context as scratch */
    otter_image_init(&u->img, u->cfg.policy.chip_id);
    otter_image_set_max_len(&u->img, t->size - s);
    upd_policy_reset(u); /* the whole-file hash starts with byte 0, downloaded or re-hashed */
    if (resume) {
        upd_write_resume(u);
        upd_net_resume(u, u->wr.journal.validator, u->wr.journal.validator_len);
        u->st.resumed_from_journal = true;
        u->st.resumed_at = u->wr.journal.sectors_done * s;
        u->st.total = u->wr.journal.total;
        u->st.phase = OTTER_UPDATE_PHASE_REHASH;
        return OTTER_UPDATE_MORE;
    }
    u->st.phase = OTTER_UPDATE_PHASE_CONNECT;
    return OTTER_UPDATE_MORE;
}

/* DECIDE: collect the first bytes in data_buf (not programmed yet) until
 * the app description is known, then ask the policy. */
static int do_decide(otter_update_t *u)
{
    const otter_image_t *img = &u->img;
    if (!otter_image_desc_known(img) && !otter_image_done(img)) {
        if (u->wr.pend_len >= u->cfg.data_buf_len || u->net.received >= u->st.total)
            return otter_image_early_verdict(img) < 0 ? otter_image_early_verdict(img) : OTTER_ERR_IMG_TRUNCATED;
        int n = upd_net_read(u, u->cfg.data_buf + u->wr.pend_len, u->cfg.data_buf_len - u->wr.pend_len);
        if (n == OTTER_ERR_HTTP_AGAIN)
            return OTTER_UPDATE_MORE;
        if (n == 0)
            return OTTER_ERR_HTTP_CLOSED_EARLY;
        if (n < 0)
            return upd_net_transient(n) ? upd_net_cut(u, n) : n;
        upd_write_take(u, 0, u->wr.pend_len + (uint32_t)n);
        int v = otter_image_early_verdict(img);
        if (v < 0)
            return v;
        if (!otter_image_desc_known(img) && !otter_image_done(img))
            return OTTER_UPDATE_MORE;
    }
    int ret = upd_policy_decide(u);
    if (ret < 0)
        return ret;
    if (ret == OTTER_UPDATE_MORE) {
        upd_net_close(u);
        u->st.phase = OTTER_UPDATE_PHASE_DONE;
        u->st.outcome = OTTER_UPDATE_OUTCOME_UP_TO_DATE;
        return 0;
    }
    u->st.phase = OTTER_UPDATE_PHASE_PREPARE;
    return OTTER_UPDATE_MORE;
}

/* A body without a length ended. The app image says where it ends: there
 * (unsigned) or after its signature sector, else it was a cut (the same
 * as a closed connection: resume with Range). */
static int open_body_end(otter_update_t *u)
{
    const otter_image_info_t *in = otter_image_info(&u->img);
    bool whole = otter_image_done(&u->img) &&
                 (u->net.received == in->image_len || (uint64_t)u->net.received == (uint64_t)in->signed_len + OTTER_SIG_SECTOR_LEN);
    if (!whole)
        return upd_net_cut(u, OTTER_ERR_HTTP_CLOSED_EARLY);
    upd_net_body_ended(u);
    return upd_write_pending(u); /* nothing pending: marks the last sector done */
}

/* The slot is full and the body has not ended: one more byte says whether
 * it was exactly the slot or too large. */
static int open_body_full(otter_update_t *u)
{
    if (!u->net.in_request) {
        u->st.phase = OTTER_UPDATE_PHASE_CONNECT;
        return OTTER_UPDATE_MORE;
    }
    int n = upd_net_probe(u);
    if (n == 0)
        return open_body_end(u);
    if (n == OTTER_ERR_HTTP_AGAIN)
        return OTTER_UPDATE_MORE;
    if (n > 0)
        return OTTER_ERR_UPD_TOO_LARGE;
    return upd_net_transient(n) ? upd_net_cut(u, n) : n;
}

/* DOWNLOAD: program what is pending (erasing one sector first if needed),
 * else read once from the network and program what fits erased sectors. */
static int do_download(otter_update_t *u)
{
    if (u->wr.pend_off < u->wr.pend_len) {
        if (u->wr.pend_file_off + u->wr.pend_off >= u->wr.erased_to)
            return upd_write_erase_next(u);
        return upd_write_pending(u);
    }
    if (u->net.received >= u->st.total && u->net.open_length)
        return open_body_full(u);
    if (u->net.received >= u->st.total) {
        otter_update_event_t ev = {.kind = OTTER_UPDATE_EV_FINISH};
        upd_event(u, &ev);
        upd_net_close(u);
        ev.kind = OTTER_UPDATE_EV_DISCONNECTED;
        upd_event(u, &ev);
        u->st.phase = OTTER_UPDATE_PHASE_VERIFY;
        return OTTER_UPDATE_MORE;
    }
    if (!u->net.in_request) {
        u->st.phase = OTTER_UPDATE_PHASE_CONNECT;
        return OTTER_UPDATE_MORE;
    }
    /* Never read past the end of the sector being filled: what a power cut
     * can lose (received, not yet journalled) stays within one sector. */
    uint32_t s = upd_sector(u);
    uint32_t want = s - u->net.received % s;
    if (want > u->st.total - u->net.received)
        want = u->st.total - u->net.received;
    if (want > u->cfg.data_buf_len)
        want = (uint32_t)u->cfg.data_buf_len;
    upd_write_take(u, u->net.received, 0);
    int n = upd_net_read(u, u->cfg.data_buf, want);
    if (n == OTTER_ERR_HTTP_AGAIN)
        return OTTER_UPDATE_MORE;
    if (n == 0 && u->net.open_length)
        return open_body_end(u);
    if (n == 0)
        n = OTTER_ERR_HTTP_CLOSED_EARLY;
    if (n < 0)
        return upd_net_transient(n) ? upd_net_cut(u, n) : n;
    upd_write_take(u, u->net.received - (uint32_t)n, (uint32_t)n); /* after any dropped bytes */
    if (u->wr.pend_file_off < u->wr.erased_to)
        return upd_write_pending(u);
    return OTTER_UPDATE_MORE;
}

/* Forget the download: a fresh image check, nothing received, erased,
 * journalled or decided. */
static void forget_download(otter_update_t *u)
{
    otter_image_free(&u->img);
    otter_image_init(&u->img, u->cfg.policy.chip_id);
    otter_image_set_max_len(&u->img, u->target->size - upd_sector(u));
    upd_net_reset(u);
    upd_write_reset(u);
    upd_policy_reset(u);
    u->st.done = u->st.total = 0;
    u->st.have_app = false;
    u->st.phase = OTTER_UPDATE_PHASE_CONNECT;
}

/* The file changed on the server (update_net.c said so): start from byte 0
 * with a fresh decision. The journal is rewritten before the first
 * program. */
static int start_over(otter_update_t *u)
{
    forget_download(u);
    otter_update_event_t ev = {.kind = OTTER_UPDATE_EV_RESTART};
    upd_event(u, &ev);
    return OTTER_UPDATE_MORE;
}

/* The journal's download cannot be continued (update_write.c said so: its
 * bytes fail a check, or the policy no longer wants that image): forget
 * it, nothing written, and download from byte 0 with a fresh decision. */
static int give_up_journal(otter_update_t *u)
{
    forget_download(u);
    upd_net_rewind(u, 0);
    u->st.resumed_from_journal = false;
    u->st.resumed_at = 0;
    memset(&u->detail, 0, sizeof u->detail);
    return OTTER_UPDATE_MORE;
}

static int dispatch_phase(otter_update_t *u)
{
    switch (u->st.phase) {
    case OTTER_UPDATE_PHASE_START:
        return do_start(u);
    case OTTER_UPDATE_PHASE_REHASH:
        return upd_write_rehash(u);
    case OTTER_UPDATE_PHASE_CONNECT:
        return upd_net_connect_step(u);
    case OTTER_UPDATE_PHASE_DECIDE:
        return do_decide(u);
    case OTTER_UPDATE_PHASE_PREPARE:
        return upd_write_prepare(u);
    case OTTER_UPDATE_PHASE_DOWNLOAD:
        return do_download(u);
    case OTTER_UPDATE_PHASE_VERIFY:
        return upd_write_verify(u);
    case OTTER_UPDATE_PHASE_READY:
    case OTTER_UPDATE_PHASE_DONE:
        return 0;
    case OTTER_UPDATE_PHASE_FAILED:
        return u->st.err;
    case OTTER_UPDATE_PHASE_IDLE:
    default:
        return OTTER_ERR_STATE;
    }
}

static int dispatch(otter_update_t *u)
{
    int ret = dispatch_phase(u);
    if (ret == UPD_RESTART)
        return start_over(u);
    if (ret == UPD_GIVE_UP)
        return give_up_journal(u);
    return ret;
}

static void time_step(otter_update_t *u, uint64_t t0)
{
    uint64_t dt = u->cfg.clock->now_ms(u->cfg.clock->ctx) - t0;
    /* The status fields that mirror the engine's parts, for tools. */
    u->st.target_size = u->target ? u->target->size : 0;
    u->st.received = u->net.received;
    u->st.journalled = u->wr.journal_live ? u->wr.marked * upd_sector(u) : 0;
    u->st.steps++;
    if (dt > u->st.longest_step_ms)
        u->st.longest_step_ms = (uint32_t)(dt > UINT32_MAX ? UINT32_MAX : dt);
}

/* The overall deadline and the minimum rate (cfg). 0 or the error. */
static int out_of_time(otter_update_t *u, uint64_t now)
{
    const otter_update_config_t *c = &u->cfg;
    if (c->deadline_ms != UINT32_MAX && now - u->t_begin > c->deadline_ms)
        return OTTER_ERR_HTTP_DEADLINE;
    otter_update_phase_t p = u->st.phase;
    bool network = p == OTTER_UPDATE_PHASE_CONNECT || p == OTTER_UPDATE_PHASE_DECIDE || p == OTTER_UPDATE_PHASE_DOWNLOAD;
    if (!network) {
        u->win_start = now; /* flash-only work does not count against the rate */
        u->win_bytes = u->st.downloaded;
        return 0;
    }
    uint64_t dt = now - u->win_start;
    if (!c->min_bytes_per_s || dt < c->rate_window_ms)
        return 0;
    if ((u->st.downloaded - u->win_bytes) * 1000u < (uint64_t)c->min_bytes_per_s * dt)
        return OTTER_ERR_UPD_TOO_SLOW;
    u->win_start = now;
    u->win_bytes = u->st.downloaded;
    return 0;
}

int otter_update_step(otter_update_t *u)
{
    if (u->st.phase == OTTER_UPDATE_PHASE_IDLE)
        return OTTER_ERR_STATE;
    if (!active(u))
        return u->st.phase == OTTER_UPDATE_PHASE_FAILED ? u->st.err : 0;
    uint64_t t0 = u->cfg.clock->now_ms(u->cfg.clock->ctx);
    int ret = out_of_time(u, t0);
    if (ret == 0)
        ret = dispatch(u);
    if (ret < 0 && u->st.phase != OTTER_UPDATE_PHASE_FAILED)
        ret = fail(u, ret);
    time_step(u, t0);
    if (ret > 0)
        return OTTER_UPDATE_MORE;
    return ret;
}

int otter_update_finish(otter_update_t *u)
{
    if (u->st.phase == OTTER_UPDATE_PHASE_DONE && u->st.outcome == OTTER_UPDATE_OUTCOME_UP_TO_DATE)
        return 0;
    if (u->st.phase != OTTER_UPDATE_PHASE_READY)
        return u->st.phase == OTTER_UPDATE_PHASE_FAILED ? u->st.err : OTTER_ERR_STATE;
    uint64_t t0 = u->cfg.clock->now_ms(u->cfg.clock->ctx);
    otter_otadata_t od;
    unsigned n = otter_ptable_ota_count(u->cfg.ptable);
    /* Verified means bootable (its first byte is in, update_write.c). */
    int ret = upd_write_first_byte(u);
    if (ret == 0)
        ret = otter_otadata_read(&od, u->cfg.flash, u->cfg.ptable);
    if (ret == 0)
        ret = otter_otadata_set_slot(&od, u->cfg.flash, (unsigned)(u->target->subtype - OTTER_PT_SUBTYPE_OTA_0), n,
                                     OTTER_OTA_STATE_NEW);
    if (ret < 0) {
        ret = fail(u, ret);
        time_step(u, t0);
        return ret;
    }
    upd_write_installed(u);
    u->st.phase = OTTER_UPDATE_PHASE_DONE;
    u->st.outcome = OTTER_UPDATE_OUTCOME_UPDATED;
    otter_update_event_t ev = {.kind = OTTER_UPDATE_EV_SWITCHED, .offset = u->target->offset};
    upd_event(u, &ev);
    time_step(u, t0);
    return 0;
}

void otter_update_abort(otter_update_t *u)
{
    upd_net_close(u);
    if (!active(u) && u->st.phase != OTTER_UPDATE_PHASE_IDLE)
        return;
    u->st.err = OTTER_ERR_UPD_ABORTED;
    u->detail.err = OTTER_ERR_UPD_ABORTED;
    u->detail.phase = u->st.phase;
    u->detail.offset = u->net.received;
    u->st.phase = OTTER_UPDATE_PHASE_DONE;
    u->st.outcome = OTTER_UPDATE_OUTCOME_ABORTED;
}

const otter_update_status_t *otter_update_status(const otter_update_t *u)
{
    return &u->st;
}

const otter_update_detail_t *otter_update_detail(const otter_update_t *u)
{
    return &u->detail;
}

void otter_update_free(otter_update_t *u)
{
    upd_net_free(u);
    otter_image_free(&u->img);
    upd_policy_free(u);
}
