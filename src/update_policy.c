/* otter update engine: what may be installed (versions, secure_version,
 * project, rollback history) and the words for what happened. No stdio:
 * sentences are assembled with a small bounded string builder. */
#include <string.h>

#include "otter/crypto.h"
#include "otter/error.h"
#include "otter/otadata.h"
#include "strbuf.h"
#include "update_priv.h"

/* ---- versions ------------------------------------------------------------
 *
 * The version rule (README "Which versions install"): surrounding spaces
 * and a leading v/V are ignored; the leading numeric part, up to 8 numbers
 * separated by dots (missing ones are 0), decides when it differs. When it
 * is equal the rest decides: nothing or "+build" (release) = "-dirty"
 * (a local build of it); git describe "-N-gHASH[-dirty]" comes after the
 * release, ordered by N; a semver pre-release "-rc.1" comes before it,
 * ordered as semver 2.0 orders them. Anything else ("_rc1", " (factory)",
 * two describe outputs with the same N and different hashes, text with no
 * leading number or whose number runs into a letter, like the git hash
 * "8cabf2c") cannot be compared. */

#define VERSION_NUMS 8

enum { V_PRE = 0, V_RELEASE = 1, V_DESCRIBE = 2, V_OTHER = 3 };

typedef struct version {
    uint32_t num[VERSION_NUMS];
    int count;
    int kind;
    uint32_t commits;        /* V_DESCRIBE: N */
    const char *tail;        /* V_PRE: identifiers; V_DESCRIBE: hash */
    size_t tail_len;
} version_t;

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_ident(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '.';
}

/* Trimmed text: [*s, *s + return). */
static size_t trim(const char **s)
{
    const char *p = *s;
    while (is_space(*p))
        p++;
    size_t n = strlen(p);
    while (n && is_space(p[n - 1]))
        n--;
    *s = p;
    return n;
}

/* Decimal number of 1..9 digits at *p (advanced). */
static bool take_num(const char **p, const char *end, uint32_t *out)
{
    const char *q = *p;
    uint32_t v = 0;
    while (q < end && is_digit(*q) && q - *p < 9)
        v = v * 10u + (uint32_t)(*q++ - '0');
    if (q == *p || (q < end && is_digit(*q)))
        return false;
    *p = q;
    *out = v;
    return true;
}

static bool matches(const char *p, const char *end, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(end - p) >= n && !memcmp(p, word, n);
}

/* What follows the numbers: release, "-dirty", describe, pre-release. */
static void parse_tail(const char *p, const char *end, version_t *v)
{
    for (const char *q = p; q < end; q++)
        if (*q == '+') {
            end = q; /* build metadata does not order */
            break;
        }
    v->kind = V_OTHER;
    if (p == end || (matches(p, end, "-dirty") && p + 6 == end)) {
        v->kind = V_RELEASE;
        return;
    }
    if (*p != '-' || p + 1 == end)
        return;
    p++;
    const char *q = p;
    uint32_t n;
    if (take_num(&q, end, &n) && matches(q, end, "-g")) {
        const char *h = q + 2, *e = h;
        while (e < end && ((*e >= '0' && *e <= '9') || (*e >= 'a' && *e <= 'f')))
            e++;
        if (e - h >= 4 && (e == end || (matches(e, end, "-dirty") && e + 6 == end))) {
            v->kind = V_DESCRIBE;
            v->commits = n;
            v->tail = h;
            v->tail_len = (size_t)(e - h);
            return;
        }
    }
    for (q = p; q < end; q++)
        if (!is_ident(*q))
            return;
    v->kind = V_PRE;
    v->tail = p;
    v->tail_len = (size_t)(end - p);
}

static bool parse_version(const char *s, version_t *v)
{
    memset(v, 0, sizeof *v);
    size_t len = trim(&s);
    const char *p = s, *end = s + len;
    if (p < end && (*p == 'v' || *p == 'V'))
        p++;
    while (v->count < VERSION_NUMS && take_num(&p, end, &v->num[v->count])) {
        v->count++;
        if (p + 1 < end && *p == '.' && is_digit(p[1]))
            p++;
        else
            break;
    }
    /* No number, more than VERSION_NUMS, or a number that runs into a
     * letter (a git hash such as "8cabf2c" is not version 8). */
    if (!v->count || (p < end && is_ident(*p) && *p != '-' && *p != '.'))
        return false;
    parse_tail(p, end, v);
    return true;
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

/* One dot-separated pre-release identifier ends at '.' or end. */
static size_t ident_len(const char *p, const char *end)
{
    const char *q = p;
    while (q < end && *q != '.')
        q++;
    return (size_t)(q - p);
}

static bool all_digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(p[i]))
            return false;
    return n > 0;
}

/* semver 2.0 section 11: identifiers left to right, numeric ones by value
 * and below alphanumeric ones, the shorter list first when all are equal. */
static int cmp_pre(const char *a, size_t la, const char *b, size_t lb)
{
    const char *ea = a + la, *eb = b + lb;
    while (a < ea && b < eb) {
        size_t na = ident_len(a, ea), nb = ident_len(b, eb);
        bool da = all_digits(a, na), db = all_digits(b, nb);
        int c;
        if (da && db) {
            /* by value: drop leading zeros, then length, then digits */
            while (na > 1 && *a == '0')
                a++, na--;
            while (nb > 1 && *b == '0')
                b++, nb--;
            c = na != nb ? sign((int)na - (int)nb) : sign(memcmp(a, b, na));
        } else if (da != db) {
            c = da ? -1 : 1;
        } else {
            c = memcmp(a, b, na < nb ? na : nb);
            c = c ? sign(c) : sign((int)na - (int)nb);
        }
        if (c)
            return c;
        a += na + (a + na < ea);
        b += nb + (b + nb < eb);
    }
    return (a < ea) - (b < eb);
}

int otter_update_version_cmp(const char *a, const char *b, bool *comparable)
{
    version_t va, vb;
    bool ok = parse_version(a, &va) && parse_version(b, &vb);
    int c = 0;
    if (ok) {
        for (int i = 0; i < VERSION_NUMS && !c; i++)
            if (va.num[i] != vb.num[i])
                c = va.num[i] > vb.num[i] ? 1 : -1;
        if (!c && (va.kind == V_OTHER || vb.kind == V_OTHER))
            ok = false;
        else if (!c && va.kind != vb.kind)
            c = va.kind > vb.kind ? 1 : -1;
        else if (!c && va.kind == V_PRE)
            c = cmp_pre(va.tail, va.tail_len, vb.tail, vb.tail_len);
        else if (!c && va.kind == V_DESCRIBE) {
            if (va.commits != vb.commits)
                c = va.commits > vb.commits ? 1 : -1;
            else if (va.tail_len != vb.tail_len || memcmp(va.tail, vb.tail, va.tail_len))
                ok = false; /* same distance from the tag, another commit */
        }
    }
    if (comparable)
        *comparable = ok;
    if (ok)
        return c;
    /* Text order of the trimmed strings: only "equal or not" means anything. */
    size_t la = trim(&a), lb = trim(&b);
    c = memcmp(a, b, la < lb ? la : lb);
    return c ? sign(c) : sign((int)la - (int)lb);
}

/* ---- words: the core's string builder (strbuf.h) ----------------------- */

/* A text that filled the buffer (did not fit) ends "... (NAME)" after the
 * last whole word, never in the middle of one. */
static void sb_end_cut(otter_sb_t *b, int err)
{
    const char *name = otter_errname(err);
    size_t tail = 6 + strlen(name); /* "... (" + name + ")" */
    size_t used = otter_sb_used(b);
    if (used + 1 < b->cap || b->cap < tail + 2)
        return;
    size_t at = used < b->cap - 1 - tail ? used : b->cap - 1 - tail;
    while (at > 0 && b->buf[at - 1] != ' ')
        at--;
    while (at > 0 && (b->buf[at - 1] == ' ' || b->buf[at - 1] == ',' || b->buf[at - 1] == '('))
        at--;
    otter_sb_cut(b, at);
    otter_sb_put(b, "... (");
    otter_sb_put(b, name);
    otter_sb_put(b, ")");
}

static void copy_text(char *dst, size_t cap, const char *src)
{
    (void)otter_str_copy(dst, cap, src, SIZE_MAX);
}

/* ---- loading what the policy compares against ---------------------------- */

#define DEFAULT_UNCONFIRMED_TRIES 2u

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
        copy_text(out, 33, info->app.version);
    otter_image_free(&u->img);
    return 0;
}

/* The target slot held an app that was rolled back (its otadata copy is
 * INVALID or ABORTED) and no download has been written over it since. The
 * rollback rule (otter_update_rollback_rule_t) says whether that version is
 * refused; an ABORTED one that may still be tried is remembered with its
 * install count, so a new download of it keeps counting. */
static int load_rolled_back(otter_update_t *u)
{
    const otter_update_policy_t *p = &u->cfg.policy;
    otter_otadata_t od;
    unsigned n = otter_ptable_ota_count(u->cfg.ptable);
    unsigned slot = (unsigned)(u->target->subtype - OTTER_PT_SUBTYPE_OTA_0);
    u->pol.carry_installs = 0;
    u->pol.carry_version[0] = 0;
    if (p->rolled_back == OTTER_UPDATE_REFUSE_NONE || otter_otadata_read(&od, u->cfg.flash, u->cfg.ptable) < 0 ||
        !n)
        return 0;
    bool invalid = false, aborted = false;
    for (int c = 0; c < 2; c++) {
        const otter_ota_entry_t *e = &od.copy[c];
        if (!otter_ota_entry_crc_ok(e) || (e->seq - 1) % n != slot)
            continue;
        invalid = invalid || e->state == OTTER_OTA_STATE_INVALID;
        aborted = aborted || e->state == OTTER_OTA_STATE_ABORTED;
    }
    if (!invalid && !aborted)
        return 0;
    otter_journal_t j;
    memset(&j, 0, sizeof j);
    j.sector_size = upd_sector(u);
    j.addr = otter_journal_addr(u->target->offset, u->target->size, j.sector_size);
    bool have_journal = otter_journal_load(u->cfg.flash, &j, u->cfg.data_buf, u->cfg.data_buf_len) == 0;
    if (have_journal && !j.complete)
        return 0; /* a download began over it: the slot no longer holds that app */
    uint8_t installs = have_journal ? j.installs : 1;
    uint8_t tries = p->unconfirmed_tries ? p->unconfirmed_tries : DEFAULT_UNCONFIRMED_TRIES;
    if (invalid || p->rolled_back == OTTER_UPDATE_REFUSE_UNCONFIRMED || installs >= tries)
        return read_version(u, u->target->offset, u->pol.rolled_back_version);
    u->pol.carry_installs = installs;
    return read_version(u, u->target->offset, u->pol.carry_version);
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
        copy_text(u->st.running_version, sizeof u->st.running_version, p->running_version);
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

static void set_detail(otter_update_detail_t *d, const char *expected_a, const char *expected_b, const char *got)
{
    if (!d)
        return;
    otter_sb_t e;
    otter_sb_init(&e, d->expected, sizeof d->expected);
    otter_sb_put(&e, expected_a);
    otter_sb_put(&e, expected_b);
    copy_text(d->got, sizeof d->got, got);
}

static int check_version(const otter_update_policy_t *p, const char *img, const char *run, const char *rolled,
                         otter_update_detail_t *d)
{
    if (rolled && rolled[0] && !strcmp(img, rolled)) {
        set_detail(d, "not ", rolled, img);
        return OTTER_ERR_UPD_ROLLED_BACK;
    }
    if (!run || !run[0])
        return 0; /* running version unknown: cannot compare */
    bool comparable;
    int c = otter_update_version_cmp(img, run, &comparable);
    if (c == 0)
        return p->allow_same ? 0 : OTTER_UPDATE_MORE;
    if (!comparable && !p->allow_incomparable && !p->allow_downgrade) {
        set_detail(d, "a version comparable with ", run, img);
        return OTTER_ERR_UPD_VERSION;
    }
    if (c < 0 && comparable && !p->allow_downgrade) {
        set_detail(d, "newer than ", run, img);
        return OTTER_ERR_UPD_OLDER;
    }
    return 0;
}

int otter_update_decide(const otter_update_policy_t *p, const otter_image_info_t *info, const char *running_version,
                        const char *rolled_back_version, otter_update_detail_t *d)
{
    int v;
    if (p->chip_rev && (v = otter_image_check_chip_rev(info, p->chip_rev)) < 0)
        return v;
    if (!info->has_app_desc) {
        if (!p->project_name)
            return 0;
        set_detail(d, "project ", p->project_name, "(no app description)");
        return OTTER_ERR_UPD_PROJECT;
    }
    if (info->app.secure_version < p->min_secure_version) {
        char num[24], need[24];
        otter_sb_t nb, b2;
        otter_sb_init(&nb, num, sizeof num);
        otter_sb_init(&b2, need, sizeof need);
        otter_sb_u64(&nb, info->app.secure_version);
        otter_sb_u64(&b2, p->min_secure_version);
        set_detail(d, "secure_version >= ", need, num);
        return OTTER_ERR_UPD_SECURE_VERSION;
    }
    if (p->project_name && strcmp(info->app.project_name, p->project_name)) {
        set_detail(d, "project ", p->project_name, info->app.project_name);
        return OTTER_ERR_UPD_PROJECT;
    }
    return check_version(p, info->app.version, running_version, rolled_back_version, d);
}

int upd_policy_decide(otter_update_t *u)
{
    const otter_image_info_t *info = otter_image_info(&u->img);
    int v = otter_image_early_verdict(&u->img);
    if (v < 0)
        return v;
    u->st.have_app = info->has_app_desc;
    if (info->has_app_desc)
        u->st.app = info->app;
    v = otter_update_decide(&u->cfg.policy, info, u->st.running_version, u->pol.rolled_back_version, &u->detail);
    otter_update_event_t ev = {
        .kind = OTTER_UPDATE_EV_DECISION, .err = v < 0 ? v : 0, .app = u->st.have_app ? &u->st.app : NULL};
    upd_event(u, &ev);
    if (v == 0)
        u->pol.decided = true;
    return v;
}

void upd_policy_reset(otter_update_t *u)
{
    u->pol.decided = false;
    otter_sha256_free(&u->pol.file_sha);
    otter_sha256_init(&u->pol.file_sha);
    u->pol.file_sha_live = u->cfg.policy.expect_sha256 && otter_sha256_start(&u->pol.file_sha) == 0;
}

void upd_policy_free(otter_update_t *u)
{
    otter_sha256_free(&u->pol.file_sha);
    u->pol.file_sha_live = false;
}

void upd_policy_clear(otter_update_t *u)
{
    upd_policy_free(u);
    memset(&u->pol, 0, sizeof u->pol);
    otter_sha256_init(&u->pol.file_sha);
}

/* "SHA-256 0123456789abcdef..." into a detail field. */
static void digest_words(char *out, size_t cap, const uint8_t *d, const char *tail)
{
    otter_sb_t b;
    otter_sb_init(&b, out, cap);
    otter_sb_put(&b, "SHA-256 ");
    otter_sb_hex(&b, d, 8);
    otter_sb_put(&b, "...");
    otter_sb_put(&b, tail);
}

int upd_policy_expected(otter_update_t *u)
{
    const otter_update_policy_t *p = &u->cfg.policy;
    otter_update_detail_t *d = &u->detail;
    otter_sb_t b;
    if (p->expect_size && u->st.total != p->expect_size) {
        otter_sb_init(&b, d->expected, sizeof d->expected);
        otter_sb_u64(&b, p->expect_size);
        otter_sb_put(&b, " bytes (release index)");
        otter_sb_init(&b, d->got, sizeof d->got);
        otter_sb_u64(&b, u->st.total);
        otter_sb_put(&b, " bytes");
        return OTTER_ERR_UPD_SIZE_MISMATCH;
    }
    if (!p->expect_sha256)
        return 0;
    if (!u->pol.file_sha_live)
        return OTTER_ERR_CRYPTO;
    uint8_t got[32];
    int ret = otter_sha256_finish(&u->pol.file_sha, got) == 0 ? OTTER_ERR_UPD_DIGEST_MISMATCH : OTTER_ERR_CRYPTO;
    u->pol.file_sha_live = false;
    if (ret == OTTER_ERR_UPD_DIGEST_MISMATCH && otter_ct_equal(got, p->expect_sha256, 32))
        ret = 0;
    if (ret == OTTER_ERR_UPD_DIGEST_MISMATCH) {
        digest_words(d->expected, sizeof d->expected, p->expect_sha256, " (release index)");
        digest_words(d->got, sizeof d->got, got, "");
    }
    otter_wipe(got, sizeof got);
    return ret;
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

static void diagnose_failure(const otter_update_t *u, otter_sb_t *b)
{
    const otter_update_detail_t *d = &u->detail;
    otter_sb_put(b, d->err == OTTER_ERR_UPD_ABORTED ? "update aborted " : "update failed ");
    otter_sb_put(b, phase_words(d->phase));
    otter_sb_put(b, ": ");
    otter_sb_put(b, otter_strerror(d->err));
    if (d->expected[0]) {
        otter_sb_put(b, " (required: ");
        otter_sb_put(b, d->expected);
        otter_sb_put(b, "; image has: ");
        otter_sb_put(b, d->got[0] ? d->got : "nothing");
        otter_sb_put(b, ")");
    }
    if (d->err == OTTER_ERR_HTTP_STATUS && d->http_status) {
        otter_sb_put(b, " (HTTP ");
        otter_sb_u64(b, d->http_status);
        otter_sb_put(b, ")");
    }
    if (d->err == OTTER_ERR_UPD_TOO_LARGE) {
        otter_sb_put(b, " (");
        otter_sb_u64(b, u->st.total);
        otter_sb_put(b, " bytes; the slot takes ");
        otter_sb_u64(b, u->target ? u->target->size - upd_sector(u) : 0);
        otter_sb_put(b, ")");
    } else if (u->st.total && d->phase >= OTTER_UPDATE_PHASE_DECIDE) {
        otter_sb_put(b, " at byte ");
        otter_sb_u64(b, d->offset);
        otter_sb_put(b, " of ");
        otter_sb_u64(b, u->st.total);
    }
    if (d->err == OTTER_ERR_UPD_RUNNING_SLOT) {
        const char *tn = otter_slot_name(u->st.target_slot);
        const char *rn = u->cfg.boot->booted ? otter_slot_name(u->cfg.boot->running) : NULL;
        otter_sb_put(b, " (target ");
        otter_sb_put(b, tn ? tn : "?");
        otter_sb_put(b, ", running ");
        otter_sb_put(b, rn ? rn : "?");
        otter_sb_put(b, "): nothing was erased. The engine never writes the slot the code runs from; the running "
                        "slot must come from the platform (esp_ota_get_running_partition(), otter_boot_set_running()), "
                        "not from the bootloader's choice run again by the app");
    }
    if (d->err == OTTER_ERR_UPD_SIZE_MISMATCH || d->err == OTTER_ERR_UPD_DIGEST_MISMATCH)
        otter_sb_put(b, ": the server, or a CDN or cache in front of it, serves a file other than the one the "
                        "signed release index names, and the device installs only that one");
    if (d->err == OTTER_ERR_HTTP_DEADLINE) {
        otter_sb_put(b, " (the update's deadline is ");
        otter_sb_u64(b, u->cfg.deadline_ms / 1000u);
        otter_sb_put(b, " s)");
    }
    if (d->err == OTTER_ERR_UPD_TOO_SLOW) {
        otter_sb_put(b, " (at least ");
        otter_sb_u64(b, u->cfg.min_bytes_per_s);
        otter_sb_put(b, " bytes/s over ");
        otter_sb_u64(b, u->cfg.rate_window_ms / 1000u);
        otter_sb_put(b, " s was required)");
    }
    otter_sb_put(b, ". ");
    if (OTTER_ERR_IS_IMAGE(d->err) && otter_image_fix(d->err)) {
        char why[384];
        (void)otter_image_explain(&u->img, d->err, why, sizeof why);
        why[0] = (char)(why[0] - 'a' + 'A'); /* "First bytes: ..." or "Fix: ..." */
        otter_sb_put(b, why);
        otter_sb_put(b, " ");
    }
    if (OTTER_ERR_IS_TLS(d->err) && u->cfg.tls_report && b->len + 1 < b->cap) {
        /* written in place: no copy of a text whose length has no bound here */
        size_t start = b->len, room = b->cap - b->len;
        size_t need = otter_tls_explain(u->cfg.tls_report, b->buf + start, room);
        otter_sb_cut(b, start + (need < room ? need : room - 1));
        for (size_t i = start; i < b->len; i++)
            if (b->buf[i] == '\n')
                b->buf[i] = ' '; /* one paragraph */
        if (b->len && b->buf[b->len - 1] != ' ')
            otter_sb_put(b, " ");
    }
    if (u->net.open_length && (upd_net_transient(d->err) || d->err == OTTER_ERR_HTTP_RESOURCE_CHANGED))
        otter_sb_put(b, "The server sent no Content-Length: a cut download can resume only where the server honours "
                  "Range. ");
    otter_sb_put(b, "The running app and otadata are unchanged");
    if (d->err == OTTER_ERR_UPD_ABORTED || upd_net_transient(d->err) || d->err == OTTER_ERR_HTTP_DEADLINE ||
        d->err == OTTER_ERR_UPD_TOO_SLOW)
        otter_sb_put(b, "; the next attempt with the same URL resumes where this one stopped");
    otter_sb_put(b, ".");
}

const char *otter_update_diagnose(const otter_update_t *u, char *buf, size_t len)
{
    otter_sb_t b;
    otter_sb_init(&b, buf, len);
    if (u->detail.err) {
        diagnose_failure(u, &b);
        sb_end_cut(&b, u->detail.err);
        return buf;
    }
    const char *ver = u->st.have_app ? u->st.app.version : "(unknown)";
    switch (u->st.outcome) {
    case OTTER_UPDATE_OUTCOME_UP_TO_DATE:
        otter_sb_put(&b, "up to date: the server has version ");
        otter_sb_put(&b, ver);
        otter_sb_put(&b, ", the running version; nothing was written.");
        break;
    case OTTER_UPDATE_OUTCOME_UPDATED:
        otter_sb_put(&b, "updated: version ");
        otter_sb_put(&b, ver);
        otter_sb_put(&b, " (");
        otter_sb_u64(&b, u->st.total);
        otter_sb_put(&b, " bytes) is in ");
        otter_sb_put(&b, otter_slot_name(u->st.target_slot) ? otter_slot_name(u->st.target_slot) : "?");
        otter_sb_put(&b, " and boots next, on probation: the new app must confirm itself or the device rolls back.");
        break;
    default:
        otter_sb_put(&b, "update ");
        otter_sb_put(&b, otter_update_phase_name(u->st.phase));
        otter_sb_put(&b, ": ");
        otter_sb_u64(&b, u->st.done);
        otter_sb_put(&b, " of ");
        otter_sb_u64(&b, u->st.total);
        otter_sb_put(&b, " bytes.");
        break;
    }
    return buf;
}
