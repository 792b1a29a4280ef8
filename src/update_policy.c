/* otter update engine: what may be installed (versions, secure_version,
 * project, rollback history) and the words for what happened. No stdio:
 * sentences are assembled with a small bounded string builder. */
#include <string.h>

#include "otter/error.h"
#include "otter/otadata.h"
#include "strutil.h"
#include "update_priv.h"

/* ---- versions ------------------------------------------------------------ */

typedef struct version {
    uint32_t num[4];
    int count;
    const char *pre; /* text after '-', or NULL */
} version_t;

static bool parse_version(const char *s, version_t *v)
{
    memset(v, 0, sizeof *v);
    if (*s == 'v' || *s == 'V')
        s++;
    while (v->count < 4 && *s >= '0' && *s <= '9') {
        uint32_t n = 0;
        while (*s >= '0' && *s <= '9') {
            if (n > 99999999u)
                return false;
            n = n * 10 + (uint32_t)(*s++ - '0');
        }
        v->num[v->count++] = n;
        if (*s != '.' || s[1] < '0' || s[1] > '9')
            break;
        s++;
    }
    if (!v->count)
        return false;
    if (*s == '-' && s[1]) {
        v->pre = s + 1;
        return true;
    }
    return *s == 0 || *s == '+';
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

int otter_update_version_cmp(const char *a, const char *b, bool *comparable)
{
    version_t va, vb;
    bool ok = parse_version(a, &va) && parse_version(b, &vb);
    if (comparable)
        *comparable = ok;
    if (!ok)
        return sign(strcmp(a, b));
    for (int i = 0; i < 4; i++)
        if (va.num[i] != vb.num[i])
            return va.num[i] > vb.num[i] ? 1 : -1;
    if (!va.pre || !vb.pre)
        return va.pre ? -1 : vb.pre ? 1 : 0;
    /* Pre-release text up to '+' (build metadata does not order). */
    const char *pa = strchr(va.pre, '+'), *pb = strchr(vb.pre, '+');
    size_t la = pa ? (size_t)(pa - va.pre) : strlen(va.pre), lb = pb ? (size_t)(pb - vb.pre) : strlen(vb.pre);
    int c = memcmp(va.pre, vb.pre, la < lb ? la : lb);
    return c ? sign(c) : sign((int)la - (int)lb);
}

/* ---- a bounded string builder ------------------------------------------- */

typedef struct sb {
    char *buf;
    size_t len, pos;
} sb_t;

static void sb_put(sb_t *b, const char *s)
{
    while (*s && b->pos + 1 < b->len)
        b->buf[b->pos++] = *s++;
    if (b->len)
        b->buf[b->pos] = 0;
}

/* A text that filled the buffer (did not fit) ends "... (NAME)" after the
 * last whole word, never in the middle of one. */
static void sb_end_cut(sb_t *b, int err)
{
    const char *name = otter_errname(err);
    size_t tail = 6 + strlen(name); /* "... (" + name + ")" */
    if (b->pos + 1 < b->len || b->len < tail + 2)
        return;
    size_t at = b->pos < b->len - 1 - tail ? b->pos : b->len - 1 - tail;
    while (at > 0 && b->buf[at - 1] != ' ')
        at--;
    while (at > 0 && (b->buf[at - 1] == ' ' || b->buf[at - 1] == ',' || b->buf[at - 1] == '('))
        at--;
    b->pos = at;
    sb_put(b, "... (");
    sb_put(b, name);
    sb_put(b, ")");
}

static void sb_num(sb_t *b, uint64_t v)
{
    char out[24];
    out[otter_ascii_u64(out, v)] = 0;
    sb_put(b, out);
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    sb_t b = {dst, cap, 0};
    sb_put(&b, src);
}

/* ---- loading what the policy compares against ---------------------------- */

/* Version string of the app at [addr, ...), "" if none can be read. Uses
 * the engine's image context and data buffer as scratch. */
static int read_version(otter_update_t *u, uint32_t addr, char out[33])
{
    const otter_flash_t *f = u->cfg.flash;
    out[0] = 0;
    int ret = f->read(f->ctx, addr, u->cfg.data_buf, OTTER_IMAGE_EARLY_LEN);
    if (ret < 0)
        return ret;
    otter_image_init(&u->img, OTTER_CHIP_ANY);
    (void)otter_image_feed(&u->img, u->cfg.data_buf, OTTER_IMAGE_EARLY_LEN);
    const otter_image_info_t *info = otter_image_info(&u->img);
    if (info->has_app_desc)
        copy_str(out, 33, info->app.version);
    otter_image_free(&u->img);
    return 0;
}

/* The target slot held an app that was rolled back (its otadata copy is
 * INVALID or ABORTED) and no download has been written over it since. */
static int load_rolled_back(otter_update_t *u)
{
    otter_otadata_t od;
    unsigned n = otter_ptable_ota_count(u->cfg.ptable);
    unsigned slot = (unsigned)(u->target->subtype - OTTER_PT_SUBTYPE_OTA_0);
    if (otter_otadata_read(&od, u->cfg.flash, u->cfg.ptable) < 0 || !n)
        return 0;
    bool rolled = false;
    for (int c = 0; c < 2; c++) {
        const otter_ota_entry_t *e = &od.copy[c];
        if (!otter_ota_entry_crc_ok(e) || (e->seq - 1) % n != slot)
            continue;
        if (e->state == OTTER_OTA_STATE_INVALID ||
            (e->state == OTTER_OTA_STATE_ABORTED && u->cfg.policy.rolled_back == OTTER_UPDATE_REFUSE_UNCONFIRMED))
            rolled = true;
    }
    if (!rolled || u->cfg.policy.rolled_back == OTTER_UPDATE_REFUSE_NONE)
        return 0;
    otter_journal_t j;
    memset(&j, 0, sizeof j);
    j.sector_size = upd_sector(u);
    j.addr = otter_journal_addr(u->target->offset, u->target->size, j.sector_size);
    if (otter_journal_load(u->cfg.flash, &j, u->cfg.data_buf, u->cfg.data_buf_len) == 0 && !j.complete)
        return 0; /* a download began over it: the slot no longer holds that app */
    return read_version(u, u->target->offset, u->rolled_back_version);
}

bool upd_policy_slot_newer(otter_update_t *u)
{
    char v[33];
    if (read_version(u, u->target->offset, v) < 0 || !v[0])
        return false;
    return !u->st.running_version[0] || otter_update_version_cmp(v, u->st.running_version, NULL) > 0;
}

int upd_policy_load(otter_update_t *u)
{
    const otter_update_policy_t *p = &u->cfg.policy;
    if (p->running_version) {
        copy_str(u->st.running_version, sizeof u->st.running_version, p->running_version);
    } else {
        uint8_t slot;
        int ret = otter_boot_running_slot(u->cfg.boot, &slot);
        if (ret < 0)
            return ret;
        const otter_partition_t *run = otter_ptable_app(u->cfg.ptable, slot);
        if (run) {
            ret = read_version(u, run->offset, u->st.running_version);
            if (ret < 0)
                return ret;
        }
    }
    return load_rolled_back(u);
}

/* ---- the decision -------------------------------------------------------- */

static int refuse(otter_update_t *u, int err, const char *expected_a, const char *expected_b, const char *got)
{
    sb_t e = {u->detail.expected, sizeof u->detail.expected, 0};
    sb_put(&e, expected_a);
    sb_put(&e, expected_b);
    copy_str(u->detail.got, sizeof u->detail.got, got);
    otter_update_event_t ev = {.kind = OTTER_UPDATE_EV_DECISION, .err = err, .app = u->st.have_app ? &u->st.app : NULL};
    upd_event(u, &ev);
    return err;
}

static void decided(otter_update_t *u, int verdict)
{
    otter_update_event_t ev = {
        .kind = OTTER_UPDATE_EV_DECISION, .err = verdict, .app = u->st.have_app ? &u->st.app : NULL};
    upd_event(u, &ev);
}

static int check_version(otter_update_t *u)
{
    const otter_update_policy_t *p = &u->cfg.policy;
    const char *img = u->st.app.version;
    const char *run = u->st.running_version;
    if (u->rolled_back_version[0] && !strcmp(img, u->rolled_back_version))
        return refuse(u, OTTER_ERR_UPD_ROLLED_BACK, "not ", u->rolled_back_version, img);
    if (!run[0])
        return 0; /* running version unknown: cannot compare */
    bool comparable;
    int c = otter_update_version_cmp(img, run, &comparable);
    if (c == 0 && !p->allow_same)
        return OTTER_UPDATE_MORE;
    if (c < 0 && comparable && !p->allow_downgrade)
        return refuse(u, OTTER_ERR_UPD_OLDER, "newer than ", run, img);
    return 0;
}

int upd_policy_decide(otter_update_t *u)
{
    const otter_update_policy_t *p = &u->cfg.policy;
    const otter_image_info_t *info = otter_image_info(&u->img);
    char num[24];
    sb_t nb = {num, sizeof num, 0};
    int v = otter_image_early_verdict(&u->img);
    if (v < 0)
        return v;
    if (p->chip_rev && (v = otter_image_check_chip_rev(info, p->chip_rev)) < 0)
        return v;
    u->st.have_app = info->has_app_desc;
    if (info->has_app_desc)
        u->st.app = info->app;
    if (!info->has_app_desc) {
        if (p->project_name)
            return refuse(u, OTTER_ERR_UPD_PROJECT, "project ", p->project_name, "(no app description)");
    } else {
        if (info->app.secure_version < p->min_secure_version) {
            sb_num(&nb, info->app.secure_version);
            char need[24];
            sb_t b2 = {need, sizeof need, 0};
            sb_num(&b2, p->min_secure_version);
            return refuse(u, OTTER_ERR_UPD_SECURE_VERSION, "secure_version >= ", need, num);
        }
        if (p->project_name && strcmp(info->app.project_name, p->project_name))
            return refuse(u, OTTER_ERR_UPD_PROJECT, "project ", p->project_name, info->app.project_name);
        v = check_version(u);
        if (v < 0)
            return v;
        if (v == OTTER_UPDATE_MORE) {
            decided(u, 0);
            return OTTER_UPDATE_MORE;
        }
    }
    u->decided = true;
    decided(u, 0);
    return 0;
}

/* ---- words --------------------------------------------------------------- */

const char *otter_update_phase_name(otter_update_phase_t p)
{
    static const char *const names[] = {"idle",     "start",  "resume", "connect", "decide", "prepare",
                                        "download", "verify", "ready",  "done",    "failed"};
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "unknown";
}

const char *otter_update_outcome_name(otter_update_outcome_t o)
{
    static const char *const names[] = {"none", "updated", "up_to_date", "failed", "aborted"};
    return (unsigned)o < sizeof names / sizeof names[0] ? names[o] : "unknown";
}

static const char *phase_words(otter_update_phase_t p)
{
    switch (p) {
    case OTTER_UPDATE_PHASE_START:
        return "while choosing the update slot";
    case OTTER_UPDATE_PHASE_REHASH:
        return "while re-checking the part downloaded before a reboot";
    case OTTER_UPDATE_PHASE_CONNECT:
        return "while connecting and requesting the image";
    case OTTER_UPDATE_PHASE_DECIDE:
        return "while checking the image header, before anything was erased";
    case OTTER_UPDATE_PHASE_PREPARE:
        return "while preparing the update slot";
    case OTTER_UPDATE_PHASE_DOWNLOAD:
        return "while downloading into the update slot";
    case OTTER_UPDATE_PHASE_VERIFY:
        return "while verifying the downloaded image";
    case OTTER_UPDATE_PHASE_READY:
        return "while switching the boot slot";
    default:
        return "";
    }
}

static void diagnose_failure(const otter_update_t *u, sb_t *b)
{
    const otter_update_detail_t *d = &u->detail;
    sb_put(b, d->err == OTTER_ERR_UPD_ABORTED ? "update aborted " : "update failed ");
    sb_put(b, phase_words(d->phase));
    sb_put(b, ": ");
    sb_put(b, otter_strerror(d->err));
    if (d->expected[0]) {
        sb_put(b, " (required: ");
        sb_put(b, d->expected);
        sb_put(b, "; image has: ");
        sb_put(b, d->got[0] ? d->got : "nothing");
        sb_put(b, ")");
    }
    if (d->err == OTTER_ERR_HTTP_STATUS && d->http_status) {
        sb_put(b, " (HTTP ");
        sb_num(b, d->http_status);
        sb_put(b, ")");
    }
    if (d->err == OTTER_ERR_UPD_TOO_LARGE) {
        sb_put(b, " (");
        sb_num(b, u->st.total);
        sb_put(b, " bytes; the slot takes ");
        sb_num(b, u->target ? u->target->size - upd_sector(u) : 0);
        sb_put(b, ")");
    } else if (u->st.total && d->phase >= OTTER_UPDATE_PHASE_DECIDE) {
        sb_put(b, " at byte ");
        sb_num(b, d->offset);
        sb_put(b, " of ");
        sb_num(b, u->st.total);
    }
    sb_put(b, ". ");
    if (d->err <= -60 && d->err >= -89 && otter_image_fix(d->err)) {
        char why[384];
        (void)otter_image_explain(&u->img, d->err, why, sizeof why);
        why[0] = (char)(why[0] - 'a' + 'A'); /* "First bytes: ..." or "Fix: ..." */
        sb_put(b, why);
        sb_put(b, " ");
    }
    if (d->err <= -140 && d->err >= -159 && u->cfg.tls_report && b->pos + 1 < b->len) {
        /* written in place: no copy of a text whose length has no bound here */
        size_t start = b->pos, room = b->len - b->pos;
        size_t need = otter_tls_explain(u->cfg.tls_report, b->buf + start, room);
        b->pos = start + (need < room ? need : room - 1);
        for (size_t i = start; i < b->pos; i++)
            if (b->buf[i] == '\n')
                b->buf[i] = ' '; /* one paragraph */
        if (b->pos && b->buf[b->pos - 1] != ' ')
            sb_put(b, " ");
    }
    sb_put(b, "The running app and otadata are unchanged");
    if (d->err == OTTER_ERR_UPD_ABORTED || upd_net_transient(d->err))
        sb_put(b, "; the next attempt with the same URL resumes where this one stopped");
    sb_put(b, ".");
}

const char *otter_update_diagnose(const otter_update_t *u, char *buf, size_t len)
{
    sb_t b = {buf, len, 0};
    if (len)
        buf[0] = 0;
    if (u->detail.err) {
        diagnose_failure(u, &b);
        sb_end_cut(&b, u->detail.err);
        return buf;
    }
    const char *ver = u->st.have_app ? u->st.app.version : "(unknown)";
    switch (u->st.outcome) {
    case OTTER_UPDATE_OUTCOME_UP_TO_DATE:
        sb_put(&b, "up to date: the server has version ");
        sb_put(&b, ver);
        sb_put(&b, ", the running version; nothing was written.");
        break;
    case OTTER_UPDATE_OUTCOME_UPDATED:
        sb_put(&b, "updated: version ");
        sb_put(&b, ver);
        sb_put(&b, " (");
        sb_num(&b, u->st.total);
        sb_put(&b, " bytes) is in ");
        sb_put(&b, otter_slot_name(u->st.target_slot) ? otter_slot_name(u->st.target_slot) : "?");
        sb_put(&b, " and boots next, on probation: the new app must confirm itself or the device rolls back.");
        break;
    default:
        sb_put(&b, "update ");
        sb_put(&b, otter_update_phase_name(u->st.phase));
        sb_put(&b, ": ");
        sb_num(&b, u->st.done);
        sb_put(&b, " of ");
        sb_num(&b, u->st.total);
        sb_put(&b, " bytes.");
        break;
    }
    return buf;
}
