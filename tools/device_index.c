/* otter device --index: the simulated device polls the signed release index
 * with the device's own code (otter/index_poll.h) and its transports. What a
 * device keeps in flash, the index record (highest sequence, adopted release
 * keys, trust-set generation) and the two trust-set areas, lives in a NOR
 * flash file beside the device's: FILE.index. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "device.h"
#include "host_error.h"
#include "norsim.h"
#include "otter/index_poll.h"
#include "release_cli.h"

#define SIDE_SIZE 0x10000u
#define REC_OFF 0x0u
#define TRUST_OFF 0x2000u
#define TRUST_AREA 0x6000u

typedef struct side {
    otter_norsim_t sim;
    otter_flash_t flash;
    otter_index_record_t rec;
    otter_trust_store_t trust;
} side_t;

/* Open (create when missing) FILE.index and load the record. */
static int side_open(const dev_ctx_t *c, side_t *s)
{
    char path[4096];
    snprintf(path, sizeof path, "%s.index", c->o.flash);
    otter_norsim_init(&s->sim);
    int ret = access(path, F_OK) == 0 ? 0 : otter_norsim_create(path, SIDE_SIZE);
    if (ret == 0)
        ret = otter_norsim_open(&s->sim, path, NULL);
    if (ret < 0)
        return ret;
    s->flash = otter_norsim_flash(&s->sim);
    s->trust.flash = &s->flash;
    s->trust.offset = TRUST_OFF;
    s->trust.area_size = TRUST_AREA;
    return otter_index_record_load(&s->rec, &s->flash, REC_OFF);
}

int dev_index_trust(const dev_ctx_t *c, uint8_t **ca, size_t *ca_len, uint8_t pins[][32], int *n_pins)
{
    side_t s;
    int ret = side_open(c, &s);
    otter_trust_set_t t;
    uint8_t work[256];
    if (ret == 0)
        ret = otter_trust_load(&s.trust, &s.rec, &t, work, sizeof work);
    if (ret == 0 && t.gen) {
        uint8_t *roots = malloc(t.roots_len + 1u);
        if (!roots || s.flash.read(s.flash.ctx, t.roots_addr, roots, t.roots_len)) {
            free(roots);
            ret = OTTER_ERR_IO;
        } else {
            roots[t.roots_len] = 0;
            free(*ca);
            *ca = roots;
            *ca_len = t.roots_len;
            for (unsigned i = 0; i < t.n_pins; i++)
                memcpy(pins[i], t.pins[i], 32);
            *n_pins = (int)t.n_pins;
            fprintf(c->out, "trust: the index's trust set, generation %u (%u root bundle bytes, %u pin%s)\n",
                    (unsigned)t.gen, (unsigned)t.roots_len, t.n_pins, t.n_pins == 1 ? "" : "s");
        }
    }
    otter_norsim_close(&s.sim);
    return ret;
}

/* The poll's configuration from the running app and the options. */
static int poll_config(dev_ctx_t *c, side_t *s, otter_index_poll_config_t *pc, otter_index_key_t *keys,
                       uint8_t *http_buf, uint8_t *index_buf)
{
    memset(pc, 0, sizeof *pc);
    for (int i = 0; i < c->o.n_index_keys; i++)
        if (release_load_point(c->o.index_keys[i], &keys[i], NULL))
            return OTTER_ERR_FILE;
    pc->tcp = c->lower;
    pc->tls = c->tls_ready ? &c->tls_t : NULL;
    pc->clock = c->o.index_no_time ? &c->no_wall : &c->wall;
    pc->record = &s->rec;
    pc->flash = &s->flash;
    pc->keys = keys;
    pc->n_keys = (unsigned)c->o.n_index_keys;
    pc->accept_without_time = c->o.index_no_time;
    pc->trust = &s->trust;
    pc->device.channel = c->o.channel ? c->o.channel : "stable";
    pc->device.chip_id = c->o.chip;
    pc->device.project = c->d.has_app ? c->d.app.project_name : "";
    pc->device.running_version = c->d.has_app ? c->d.app.version : "";
    pc->device.secure_version = c->o.secure_version;
    pc->http_buf = http_buf;
    pc->http_buf_len = 2048;
    pc->index_buf = index_buf;
    pc->index_buf_len = OTTER_INDEX_MAX_SIZE + 1u;
    return 0;
}

static int device_id(const dev_ctx_t *c, uint8_t *id, size_t *len)
{
    if (!c->o.id) { /* the flash file's name: stable per simulated device */
        const char *b = strrchr(c->o.flash, '/');
        b = b ? b + 1 : c->o.flash;
        *len = strlen(b) < 64 ? strlen(b) : 64;
        memcpy(id, b, *len);
        return 0;
    }
    *len = strlen(c->o.id) / 2;
    if (!*len || *len > 64 || strlen(c->o.id) % 2 || cli_parse_hex(c->o.id, id, *len))
        return cli_usage_err("--id '%s' is not 1 to 64 bytes of hex", c->o.id), OTTER_ERR_INVAL;
    return 0;
}

static int run_poll(dev_ctx_t *c, otter_index_poll_t *p)
{
    int ret = otter_index_poll_begin(p, c->o.index, NULL);
    while (ret == 0 || ret == OTTER_INDEX_POLL_MORE) {
        ret = otter_index_poll_step(p);
        if (ret == 0)
            break;
    }
    return ret;
}

/* The outcome of a finished poll, into c. */
static int take(dev_ctx_t *c, otter_index_poll_t *p)
{
    char why[512];
    const otter_index_t *idx = &p->idx;
    fprintf(c->out, "index: %s: seq %llu accepted (signature verified)\n", c->o.index, (unsigned long long)idx->seq);
    if (p->trust_applied)
        fprintf(c->out, "index: new trust set, generation %u, in force from the next connection\n",
                (unsigned)idx->trust_gen);
    otter_index_explain(idx, &p->cfg.device, &p->decision, why, sizeof why);
    fprintf(c->out, "index: %s\n", why);
    if (p->result != OTTER_INDEX_POLL_INSTALL) {
        c->r.outcome = DEV_UP_TO_DATE;
        snprintf(c->r.detail, sizeof c->r.detail, "release index: %s", why);
        return 1;
    }
    const otter_index_release_t *r = &idx->release[p->decision.release];
    c->n_index_urls = 0;
    for (unsigned i = 0; i < r->n_urls && i < OTTER_INDEX_MAX_URLS; i++) {
        int n = otter_index_poll_url(p, i, c->index_urls[c->n_index_urls], sizeof c->index_urls[0]);
        if (n < 0) {
            fprintf(c->out, "index: URL %u of the release: %s; skipped\n", i + 1, otter_host_strerror(n));
            continue;
        }
        c->n_index_urls++;
    }
    if (!c->n_index_urls) {
        snprintf(c->r.detail, sizeof c->r.detail, "release index: no usable URL for the release");
        return OTTER_ERR_URL;
    }
    c->o.url = c->index_urls[0];
    c->index_expect = true;
    c->expect_size = p->size;
    memcpy(c->expect_sha256, p->sha256, 32);
    return 0;
}

int dev_index(dev_ctx_t *c)
{
    side_t s;
    otter_index_poll_t *p = calloc(1, sizeof *p);
    uint8_t *bufs = malloc(2048 + OTTER_INDEX_MAX_SIZE + 1u);
    otter_index_key_t keys[3];
    uint8_t id[64];
    size_t id_len = 0;
    otter_index_poll_config_t pc;
    int ret = p && bufs ? side_open(c, &s) : OTTER_ERR_IO;
    if (ret < 0 && p && bufs)
        snprintf(c->r.detail, sizeof c->r.detail, "%s.index: %s", c->o.flash, otter_host_strerror(ret));
    if (ret == 0) {
        ret = poll_config(c, &s, &pc, keys, bufs, bufs + 2048);
        if (ret == 0)
            ret = device_id(c, id, &id_len);
        pc.device.id = id;
        pc.device.id_len = id_len;
        if (ret == 0) {
            otter_index_poll_init(p, &pc);
            ret = run_poll(c, p);
            if (ret == 0)
                ret = take(c, p);
            else
                snprintf(c->r.detail, sizeof c->r.detail,
                         "release index %s refused: %s (%s); nothing was downloaded, the running app and otadata "
                         "are unchanged",
                         c->o.index, otter_host_strerror(ret), otter_host_errname(ret));
            otter_index_poll_free(p);
        }
        otter_norsim_close(&s.sim);
    }
    free(p);
    free(bufs);
    return ret;
}
