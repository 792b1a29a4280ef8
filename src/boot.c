/* otter: boot choice and rollback (see otter/boot.h). */
#include <string.h>

#include "otter/boot.h"
#include "otter/error.h"
#include "otadata_priv.h"
#include "strbuf.h"

#define FACTORY_INDEX (-1)

/* --- sentences (the core's string builder, strbuf.h) ---------------------- */

static void sb_hex(otter_sb_t *s, uint32_t v)
{
    static const char hex[] = "0123456789ABCDEF";
    char out[11] = "0x";
    for (int i = 0; i < 8; i++)
        out[2 + i] = hex[(v >> (28 - 4 * i)) & 0xF];
    out[10] = 0;
    otter_sb_put(s, out);
}

static void sb_state(otter_sb_t *s, uint32_t state)
{
    const char *n = otter_ota_state_name(state);
    if (n) {
        otter_sb_put(s, n);
    } else {
        otter_sb_put(s, "unknown ");
        sb_hex(s, state);
        otter_sb_put(s, ", treated as VALID");
    }
}

/* "ota_1 (app1)" or "ota_1" when the label is the slot name. */
static void sb_slot(otter_sb_t *s, const otter_ptable_t *pt, uint8_t slot)
{
    const otter_partition_t *p = otter_ptable_app(pt, slot);
    const char *name = otter_slot_name(slot);
    otter_sb_put(s, name ? name : "?");
    if (p && name && strcmp(p->label, name)) {
        otter_sb_put(s, " (");
        otter_sb_put(s, p->label);
        otter_sb_put(s, ")");
    }
}

/* --- validator ------------------------------------------------------------ */

int otter_boot_validate_magic(void *ctx, const otter_flash_t *flash, uint32_t offset, uint32_t size)
{
    (void)ctx;
    uint8_t b = 0;
    if (size == 0)
        return OTTER_ERR_IMG_TRUNCATED;
    int ret = flash->read(flash->ctx, offset, &b, 1);
    if (ret)
        return ret;
    return b == 0xE9 ? 0 : OTTER_ERR_IMG_MAGIC;
}

void otter_boot_init(otter_boot_t *b, const otter_flash_t *flash, const otter_ptable_t *pt)
{
    memset(b, 0, sizeof *b);
    b->flash = flash;
    b->pt = pt;
    b->validate = otter_boot_validate_magic;
}

void otter_boot_set_validator(otter_boot_t *b, otter_boot_validate_fn fn, void *ctx)
{
    b->validate = fn;
    b->validate_ctx = ctx;
}

const char *otter_boot_reason_name(otter_boot_reason_t r)
{
    switch (r) {
    case OTTER_BOOT_REASON_OTADATA:
        return "otadata";
    case OTTER_BOOT_REASON_TRIAL:
        return "trial";
    case OTTER_BOOT_REASON_ROLLBACK:
        return "rollback";
    case OTTER_BOOT_REASON_FACTORY:
        return "factory";
    case OTTER_BOOT_REASON_FIRST_OTA:
        return "first_ota";
    case OTTER_BOOT_REASON_NO_OTADATA:
        return "no_otadata";
    case OTTER_BOOT_REASON_FALLBACK:
        return "fallback";
    default:
        return "none";
    }
}

/* --- the choice ------------------------------------------------------------ */

struct choice {
    const otter_boot_t *b;
    otter_otadata_t od;
    int have_od;
    int write;   /* make the bootloader's otadata writes */
    int initial; /* otadata blank, no factory: record the booted OTA slot */
    unsigned n;  /* OTA slots */
    otter_boot_result_t *res;
    otter_sb_t why;
};

static uint8_t index_slot(int index)
{
    return index == FACTORY_INDEX ? OTTER_PT_SUBTYPE_FACTORY : OTTER_PT_SUBTYPE_OTA((unsigned)index);
}

/* Rewrite one copy with a new state (in memory only when not writing). */
static int set_state(struct choice *c, int copy, uint32_t state)
{
    otter_ota_entry_t *e = &c->od.copy[copy];
    if (!c->write || !otter_ota_entry_crc_ok(e)) {
        /* A copy whose CRC fails stays invalid whatever its state says;
         * rewriting it would only cost an erase. */
        e->state = state;
        c->od.active = otter_otadata_select(c->od.copy);
        return 0;
    }
    c->res->writes++;
    return otter_otadata_write_copy(&c->od, c->b->flash, copy, e->seq, state);
}

/* Step 1: PENDING_VERIFY at boot means the app never confirmed: ABORTED. */
static int abort_pending(struct choice *c)
{
    for (int i = 0; i < 2; i++)
        if (c->od.copy[i].state == OTTER_OTA_STATE_PENDING_VERIFY) {
            c->res->aborted = 1;
            int ret = set_state(c, i, OTTER_OTA_STATE_ABORTED);
            if (ret)
                return ret;
        }
    return 0;
}

static int no_usable_copy(struct choice *c, int *start)
{
    const otter_ota_entry_t *e = c->od.copy;
    if (otter_ptable_app(c->b->pt, OTTER_PT_SUBTYPE_FACTORY)) {
        *start = FACTORY_INDEX;
        c->res->reason = OTTER_BOOT_REASON_FACTORY;
        otter_sb_put(&c->why, c->n ? "no usable otadata copy (blank, INVALID or ABORTED)" : "no OTA app slots");
        return 0;
    }
    *start = 0;
    c->res->reason = OTTER_BOOT_REASON_FIRST_OTA;
    c->initial = !otter_ota_entry_crc_ok(&e[0]) && !otter_ota_entry_crc_ok(&e[1]);
    otter_sb_put(&c->why, "no usable otadata copy and no factory app");
    return 0;
}

/* A newer copy that was rejected: the active one is a rollback. */
static void note_rollback(struct choice *c, int active)
{
    const otter_ota_entry_t *o = &c->od.copy[1 - active];
    if (!otter_ota_entry_crc_ok(o) || o->seq <= c->od.copy[active].seq ||
        (o->state != OTTER_OTA_STATE_ABORTED && o->state != OTTER_OTA_STATE_INVALID))
        return;
    c->res->rolled_back = 1;
    c->res->reason = OTTER_BOOT_REASON_ROLLBACK;
    otter_sb_put(&c->why, "rolled back: otadata copy ");
    otter_sb_dec(&c->why, (uint32_t)(1 - active));
    otter_sb_put(&c->why, " (seq ");
    otter_sb_dec(&c->why, o->seq);
    if (c->n) {
        otter_sb_put(&c->why, ", ");
        sb_slot(&c->why, c->b->pt, OTTER_PT_SUBTYPE_OTA((o->seq - 1u) % c->n));
    }
    otter_sb_put(&c->why, o->state == OTTER_OTA_STATE_INVALID ? ") was rejected by its app (INVALID)"
                    : c->res->aborted ? ") was never confirmed (PENDING_VERIFY at boot -> ABORTED)"
                                      : ") was never confirmed (ABORTED)");
    otter_sb_put(&c->why, "; ");
}

static int from_active(struct choice *c, int active, int *start)
{
    otter_ota_entry_t *e = &c->od.copy[active];
    *start = (int)((e->seq - 1u) % c->n);
    c->res->copy = active;
    c->res->seq = e->seq;
    c->res->reason = OTTER_BOOT_REASON_OTADATA;
    note_rollback(c, active);
    otter_sb_put(&c->why, "otadata copy ");
    otter_sb_dec(&c->why, (uint32_t)active);
    otter_sb_put(&c->why, " is active (seq ");
    otter_sb_dec(&c->why, e->seq);
    if (e->state == OTTER_OTA_STATE_NEW) {
        c->res->trial = 1;
        if (c->res->reason == OTTER_BOOT_REASON_OTADATA)
            c->res->reason = OTTER_BOOT_REASON_TRIAL;
        otter_sb_put(&c->why, ", state NEW): a new app boots on probation (NEW -> PENDING_VERIFY) until it confirms");
        return set_state(c, active, OTTER_OTA_STATE_PENDING_VERIFY);
    }
    otter_sb_put(&c->why, ", state ");
    sb_state(&c->why, e->state);
    otter_sb_put(&c->why, ")");
    return 0;
}

/* Steps 1 and 2: the start index, as bootloader_utility_get_selected_boot_partition(). */
static int select_start(struct choice *c, int *start)
{
    int ret;
    if (!c->have_od) {
        *start = FACTORY_INDEX;
        c->res->reason = OTTER_BOOT_REASON_NO_OTADATA;
        otter_sb_put(&c->why, "the partition table has no otadata partition");
        return 0;
    }
    if ((ret = abort_pending(c)) != 0)
        return ret;
    const otter_ota_entry_t *e = c->od.copy;
    if ((otter_ota_entry_unusable(&e[0]) && otter_ota_entry_unusable(&e[1])) || c->n == 0)
        return no_usable_copy(c, start);
    int active = otter_otadata_select(e);
    if (active >= 0)
        return from_active(c, active, start);
    *start = FACTORY_INDEX;
    c->res->reason = OTTER_BOOT_REASON_FACTORY;
    otter_sb_put(&c->why, "no valid otadata copy (CRC mismatch)");
    return 0;
}

/* Try one slot; 1 if it validates, 0 if not or absent, <0 on flash error. */
static int try_index(struct choice *c, int index, int *err)
{
    if (index != FACTORY_INDEX && (index < 0 || (unsigned)index >= c->n))
        return 0;
    const otter_partition_t *p = otter_ptable_app(c->b->pt, index_slot(index));
    if (!p)
        return 0;
    int ret = c->b->validate(c->b->validate_ctx, c->b->flash, p->offset, p->size);
    if (ret == OTTER_ERR_FLASH_POWER_LOSS)
        return ret;
    *err = ret;
    return ret == 0;
}

static int booted(struct choice *c, uint8_t slot, int index, int start)
{
    otter_boot_result_t *r = c->res;
    r->found = 1;
    r->slot = slot;
    r->part = otter_ptable_app(c->b->pt, slot);
    if (index != start || slot != r->selected) {
        r->reason = OTTER_BOOT_REASON_FALLBACK;
        otter_sb_put(&c->why, "; but ");
        sb_slot(&c->why, c->b->pt, r->selected);
        otter_sb_put(&c->why, otter_ptable_app(c->b->pt, r->selected) ? " does not hold a valid app (" : " does not exist (");
        otter_sb_put(&c->why, otter_strerror(r->fallback_err ? r->fallback_err : OTTER_ERR_PT_NOT_FOUND));
        otter_sb_put(&c->why, "): fell back");
    }
    /* Blank otadata and no factory: the bootloader records what it booted. */
    if (c->initial && index >= 0 && c->write && c->have_od) {
        r->writes++;
        /* set_actual_ota_seq(): a fresh entry, label erased */
        memset(c->od.copy[0].seq_label, 0xFF, sizeof c->od.copy[0].seq_label);
        return otter_otadata_write_copy(&c->od, c->b->flash, 0, (uint32_t)index + 1u, OTTER_OTA_STATE_VALID);
    }
    return 0;
}

/* Step 3: bootloader_utility_load_boot_image(): down to factory, then up, then test. */
static int load(struct choice *c, int start)
{
    int err = 0, ret;
    c->res->selected = index_slot(start);
    for (int i = start; i >= FACTORY_INDEX; i--) {
        int e = 0;
        if ((ret = try_index(c, i, &e)) < 0)
            return ret;
        if (i == start)
            err = e;
        c->res->fallback_err = err;
        if (ret == 1)
            return booted(c, index_slot(i), i, start);
    }
    for (int i = start + 1; i < (int)c->n; i++) {
        int e = 0;
        if ((ret = try_index(c, i, &e)) < 0)
            return ret;
        if (ret == 1)
            return booted(c, index_slot(i), i, start);
    }
    const otter_partition_t *t = otter_ptable_app(c->b->pt, OTTER_PT_SUBTYPE_TEST);
    if (t && c->b->validate(c->b->validate_ctx, c->b->flash, t->offset, t->size) == 0)
        return booted(c, OTTER_PT_SUBTYPE_TEST, -2, start);
    /* Otadata chose a slot: "but" it fails; a default choice: "and" no slot works. */
    otter_boot_reason_t r = c->res->reason;
    int chosen = r == OTTER_BOOT_REASON_OTADATA || r == OTTER_BOOT_REASON_TRIAL || r == OTTER_BOOT_REASON_ROLLBACK;
    c->res->reason = OTTER_BOOT_REASON_NONE;
    otter_sb_put(&c->why, chosen ? "; but no app slot holds a valid app (" : ", and no app slot holds a valid app (");
    sb_slot(&c->why, c->b->pt, c->res->selected);
    otter_sb_put(&c->why, ": ");
    otter_sb_put(&c->why, otter_ptable_app(c->b->pt, c->res->selected)
                        ? otter_strerror(c->res->fallback_err ? c->res->fallback_err : OTTER_ERR_BOOT_NO_APP)
                        : "no such partition");
    otter_sb_put(&c->why, ")");
    return OTTER_ERR_BOOT_NO_APP;
}

static void finish_sentence(struct choice *c)
{
    /* Lead with the outcome: "ota_1 (app1): <why>". */
    char body[sizeof c->res->why];
    memcpy(body, c->res->why, sizeof body);
    otter_sb_init(&c->why, c->res->why, sizeof c->res->why);
    if (c->res->found)
        sb_slot(&c->why, c->b->pt, c->res->slot);
    else
        otter_sb_put(&c->why, "nothing boots");
    otter_sb_put(&c->why, ": ");
    otter_sb_put(&c->why, body);
}

static int choose(const otter_boot_t *b, const otter_otadata_t *od_override, int write, otter_boot_result_t *res)
{
    struct choice c;
    memset(&c, 0, sizeof c);
    memset(res, 0, sizeof *res);
    res->copy = -1;
    c.b = b;
    c.write = write;
    c.res = res;
    c.n = otter_ptable_ota_count(b->pt);
    otter_sb_init(&c.why, res->why, sizeof res->why);
    int ret = 0, start = FACTORY_INDEX;
    if (od_override) {
        c.od = *od_override;
        c.have_od = 1;
    } else if (otter_ptable_otadata(b->pt)) {
        ret = otter_otadata_read(&c.od, b->flash, b->pt);
        c.have_od = ret == 0;
    }
    if (ret == 0)
        ret = select_start(&c, &start);
    if (ret == 0)
        ret = load(&c, start);
    if (ret == 0 || ret == OTTER_ERR_BOOT_NO_APP)
        finish_sentence(&c);
    else {
        otter_sb_init(&c.why, res->why, sizeof res->why);
        otter_sb_put(&c.why, "boot failed: ");
        otter_sb_put(&c.why, otter_strerror(ret));
    }
    return ret;
}

int otter_boot_select(otter_boot_t *b, otter_boot_result_t *res)
{
    b->booted = 0;
    int ret = choose(b, NULL, 1, res);
    if (ret == 0) {
        b->booted = 1;
        b->running = res->slot;
    }
    return ret;
}

int otter_boot_peek(const otter_boot_t *b, otter_boot_result_t *res)
{
    return choose(b, NULL, 0, res);
}

void otter_boot_set_running(otter_boot_t *b, uint8_t slot)
{
    b->booted = 1;
    b->running = slot;
}

int otter_boot_running_slot(const otter_boot_t *b, uint8_t *slot)
{
    if (!b->booted)
        return OTTER_ERR_STATE;
    *slot = b->running;
    return 0;
}

int otter_boot_next_update_slot(const otter_boot_t *b, const otter_partition_t **out)
{
    if (!b->booted)
        return OTTER_ERR_STATE;
    unsigned n = otter_ptable_ota_count(b->pt);
    const otter_partition_t *first = NULL;
    int next_is_result = 0;
    for (unsigned i = 0; i < n; i++) {
        const otter_partition_t *p = otter_ptable_app(b->pt, OTTER_PT_SUBTYPE_OTA(i));
        if (!first)
            first = p;
        if (OTTER_PT_SUBTYPE_OTA(i) == b->running)
            next_is_result = 1;
        else if (next_is_result) {
            *out = p;
            return 0;
        }
    }
    if (!first || first->subtype == b->running)
        return OTTER_ERR_BOOT_SLOT;
    *out = first;
    return 0;
}

int otter_boot_set_boot_slot(otter_boot_t *b, uint8_t slot, uint32_t state)
{
    const otter_partition_t *p = otter_ptable_app(b->pt, slot);
    unsigned n = otter_ptable_ota_count(b->pt);
    if (!p || slot == OTTER_PT_SUBTYPE_TEST)
        return OTTER_ERR_BOOT_SLOT;
    if (state != OTTER_OTA_STATE_NEW && state != OTTER_OTA_STATE_VALID && state != OTTER_OTA_STATE_UNDEFINED)
        return OTTER_ERR_INVAL;
    int ret = b->validate(b->validate_ctx, b->flash, p->offset, p->size);
    if (ret)
        return ret;
    otter_otadata_t od;
    if ((ret = otter_otadata_read(&od, b->flash, b->pt)) != 0)
        return ret;
    if (slot == OTTER_PT_SUBTYPE_FACTORY)
        return otter_otadata_erase(&od, b->flash);
    return otter_otadata_set_slot(&od, b->flash, (unsigned)(slot - OTTER_PT_SUBTYPE_OTA_0), n, state);
}

/* The active copy, if it selects the running slot. */
static int running_copy(const otter_boot_t *b, otter_otadata_t *od, int *copy)
{
    *copy = -1;
    if (!b->booted)
        return OTTER_ERR_STATE;
    int ret = otter_otadata_read(od, b->flash, b->pt);
    if (ret)
        return ret;
    int slot = otter_otadata_active_slot(od, otter_ptable_ota_count(b->pt));
    if (slot >= 0 && OTTER_PT_SUBTYPE_OTA((unsigned)slot) == b->running)
        *copy = od->active;
    return 0;
}

int otter_boot_mark_valid(otter_boot_t *b)
{
    otter_otadata_t od;
    int copy, ret = running_copy(b, &od, &copy);
    if (ret || copy < 0 || od.copy[copy].state == OTTER_OTA_STATE_VALID)
        return ret;
    return otter_otadata_write_copy(&od, b->flash, copy, od.copy[copy].seq, OTTER_OTA_STATE_VALID);
}

int otter_boot_mark_invalid_rollback(otter_boot_t *b)
{
    otter_otadata_t od;
    int copy, ret = running_copy(b, &od, &copy);
    if (ret)
        return ret;
    if (copy < 0)
        return OTTER_ERR_BOOT_ROLLBACK_REFUSED;
    /* Would the next boot start another app that validates? */
    otter_otadata_t after = od;
    otter_boot_result_t r;
    after.copy[copy].state = OTTER_OTA_STATE_INVALID;
    after.active = otter_otadata_select(after.copy);
    ret = choose(b, &after, 0, &r);
    if (ret == OTTER_ERR_BOOT_NO_APP || (ret == 0 && r.slot == b->running))
        return OTTER_ERR_BOOT_ROLLBACK_REFUSED;
    if (ret)
        return ret;
    return otter_otadata_write_copy(&od, b->flash, copy, od.copy[copy].seq, OTTER_OTA_STATE_INVALID);
}
