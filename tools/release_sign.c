/* otter release: trust sets, release keys, signing, show and verify
 * (tools/release_cli.h; the format is docs/FORMATS.md "Release index"). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "host_error.h"
#include "otter/crypto.h"
#include "otter/image.h"
#include "otter/index.h"
#include "release.h"
#include "release_cli.h"

int release_cmd_trust(int argc, char **argv)
{
    const char *path = NULL, *roots = NULL, *roots_url = NULL, *gen_s = NULL, *v;
    const char *pins[OTTER_INDEX_MAX_PINS];
    unsigned n_pins = 0;
    bool clear = false;
    for (int i = 1; i < argc; i++) {
        if ((v = cli_opt(argc, argv, &i, "--pin"))) {
            if (n_pins == OTTER_INDEX_MAX_PINS)
                return cli_usage_err("at most %u --pin", OTTER_INDEX_MAX_PINS);
            pins[n_pins++] = v;
        } else if ((v = cli_opt(argc, argv, &i, "--roots-url")))
            roots_url = v;
        else if ((v = cli_opt(argc, argv, &i, "--roots")))
            roots = v;
        else if ((v = cli_opt(argc, argv, &i, "--gen")))
            gen_s = v;
        else if (!strcmp(argv[i], "--clear"))
            clear = true;
        else if (!path && argv[i][0] != '-')
            path = argv[i];
        else
            return cli_usage_err("release trust: unexpected '%s'", argv[i]);
    }
    if (!path || (!clear && !n_pins && !roots) || (clear && (n_pins || roots)))
        return cli_usage_err("usage: otter release trust INDEX [--pin SHA256]... [--roots FILE [--roots-url URL]] "
                             "[--gen N] | --clear");
    uint64_t gen = 0;
    if (gen_s && (release_parse_num("--gen", gen_s, UINT32_MAX, &gen) || gen == 0))
        return gen_s && gen == 0 ? cli_usage_err("--gen must be at least 1") : CLI_EXIT_USAGE;
    release_t r;
    int rc = release_load(&r, path);
    otter_index_t *x = &r.idx;
    if (rc == CLI_EXIT_OK && clear) {
        x->trust_gen = 0;
        x->n_pins = 0;
        x->roots_url.len = 0;
        puts("trust set removed");
    } else if (rc == CLI_EXIT_OK) {
        x->n_pins = n_pins;
        for (unsigned i = 0; i < n_pins && rc == CLI_EXIT_OK; i++)
            if (cli_parse_hex(pins[i], x->pins[i], 32))
                rc = cli_usage_err("--pin '%s' is not a SHA-256 (64 hex digits; otter cert prints them)", pins[i]);
        x->roots_url.len = 0;
        if (rc == CLI_EXIT_OK && roots) {
            size_t n = 0;
            uint8_t *d = cli_can_open(roots) ? NULL : cli_read_file(roots, &n);
            if (!d || n == 0 || n > UINT32_MAX || otter_sha256(d, n, x->roots_sha256))
                rc = d ? cli_err("%s: empty or unreadable", roots) : CLI_EXIT_FAIL;
            free(d);
            x->roots_size = (uint32_t)n;
            const char *base = strrchr(roots, '/');
            x->roots_url = release_str(&r, roots_url ? roots_url : base ? base + 1 : roots);
        }
        x->trust_gen = gen ? (uint32_t)gen : x->trust_gen + 1;
        if (rc == CLI_EXIT_OK)
            printf("trust set generation %u: %u pin%s%s\n", (unsigned)x->trust_gen, n_pins, n_pins == 1 ? "" : "s",
                   roots ? ", a root bundle" : "");
    }
    if (rc == CLI_EXIT_OK)
        rc = release_save(&r, NULL);
    release_free(&r);
    return rc;
}

int release_load_point(const char *path, otter_index_key_t *out, otter_signkey_t *keep)
{
    otter_signkey_t k;
    otter_signkey_init(&k);
    if (cli_can_open(path))
        return CLI_EXIT_FAIL;
    int ret = otter_signkey_load(&k, path);
    if (ret == 0)
        ret = otter_release_key_point(&k, out);
    if (ret) {
        otter_signkey_free(&k);
        return cli_err("%s: %s (release keys are ECDSA P-256: otter keygen --type ecdsa-p256)", path,
                       otter_host_strerror(ret));
    }
    if (keep)
        *keep = k;
    else
        otter_signkey_free(&k);
    return CLI_EXIT_OK;
}

int release_cmd_keys(int argc, char **argv)
{
    const char *path = NULL, *files[OTTER_INDEX_MAX_KEYS];
    unsigned n = 0;
    bool clear = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--clear"))
            clear = true;
        else if (argv[i][0] == '-')
            return cli_usage_err("release keys: unexpected '%s'", argv[i]);
        else if (!path)
            path = argv[i];
        else if (n == OTTER_INDEX_MAX_KEYS)
            return cli_usage_err("at most %u release keys", OTTER_INDEX_MAX_KEYS);
        else
            files[n++] = argv[i];
    }
    if (!path || (clear == (n > 0)))
        return cli_usage_err("usage: otter release keys INDEX PUB.pem... | --clear");
    release_t r;
    int rc = release_load(&r, path);
    for (unsigned i = 0; i < n && rc == CLI_EXIT_OK; i++)
        rc = release_load_point(files[i], &r.idx.keys[i], NULL);
    if (rc == CLI_EXIT_OK) {
        r.idx.n_keys = n;
        for (unsigned i = 0; i < n; i++) {
            uint8_t id[OTTER_INDEX_KEY_ID_LEN];
            otter_index_key_id(&r.idx.keys[i], id);
            printf("release key %u: ", i + 1);
            cli_print_hex(stdout, id, sizeof id);
            printf(" (%s)\n", files[i]);
        }
        if (clear)
            puts("release key set removed: devices keep the keys they have");
        rc = release_save(&r, NULL);
    }
    release_free(&r);
    return rc;
}

int release_cmd_sign(int argc, char **argv)
{
    const char *path = NULL, *key = NULL, *out = NULL, *days = NULL, *date = NULL, *v;
    for (int i = 1; i < argc; i++) {
        if ((v = cli_opt(argc, argv, &i, "--key")))
            key = v;
        else if ((v = cli_opt(argc, argv, &i, "--out")))
            out = v;
        else if ((v = cli_opt(argc, argv, &i, "--days")))
            days = v;
        else if ((v = cli_opt(argc, argv, &i, "--expires")))
            date = v;
        else if (!path && argv[i][0] != '-')
            path = argv[i];
        else
            return cli_usage_err("release sign: unexpected '%s'", argv[i]);
    }
    if (!path || !key)
        return cli_usage_err("usage: otter release sign INDEX --key KEY.pem [--days N | --expires DATE] [--out FILE]");
    int64_t expires = 0;
    if ((days || date) && release_expiry(days, date, &expires))
        return CLI_EXIT_USAGE;
    release_t r;
    otter_signkey_t k;
    otter_signkey_init(&k);
    otter_index_key_t pub;
    int rc = release_load(&r, path);
    if (rc == CLI_EXIT_OK)
        rc = release_load_point(key, &pub, &k);
    if (rc == CLI_EXIT_OK && !k.has_private)
        rc = cli_err("%s: a public key; signing needs the private key", key);
    char body[OTTER_INDEX_MAX_SIZE], signed_[OTTER_INDEX_MAX_SIZE];
    size_t blen = 0, slen = 0;
    if (rc == CLI_EXIT_OK) {
        if (expires)
            r.idx.expires = expires;
        if (r.was_signed)
            r.idx.seq++;
        r.idx.has_sig = false;
        int ret = otter_index_write(&r.idx, body, sizeof body, &blen);
        if (ret == 0)
            ret = otter_release_sign(&k, body, blen, signed_, sizeof signed_, &slen);
        if (ret)
            rc = cli_err("%s: cannot sign: %s", path, otter_host_strerror(ret));
        else if (r.idx.expires <= (int64_t)time(NULL))
            rc = cli_err("%s: expires in the past; use --days N or --expires DATE", path);
    }
    if (rc == CLI_EXIT_OK)
        rc = cli_write_file(out ? out : path, signed_, slen) ? CLI_EXIT_FAIL : CLI_EXIT_OK;
    if (rc == CLI_EXIT_OK) {
        char t[21];
        uint8_t id[OTTER_INDEX_KEY_ID_LEN];
        otter_index_time_format(r.idx.expires, t);
        otter_index_key_id(&pub, id);
        printf("signed %s: seq %llu, expires %s, %zu bytes, key ", out ? out : path, (unsigned long long)r.idx.seq, t,
               slen);
        cli_print_hex(stdout, id, sizeof id);
        putchar('\n');
    }
    otter_signkey_free(&k);
    release_free(&r);
    return rc;
}

static void show_release(const otter_index_release_t *e)
{
    char chip[32];
    snprintf(chip, sizeof chip, "%s", otter_image_chip_name(e->chip_id));
    printf("release %.*s %s %.*s %.*s\n", (int)e->channel.len, e->channel.p, chip, (int)e->project.len, e->project.p,
           (int)e->version.len, e->version.p);
    printf("  %u bytes, secure_version %u, rollout %u%%", (unsigned)e->size, (unsigned)e->secure_version, e->rollout);
    if (e->min_version.len)
        printf(", only from %.*s or newer", (int)e->min_version.len, e->min_version.p);
    printf("\n  sha256 ");
    cli_print_hex(stdout, e->sha256, 32);
    putchar('\n');
    for (unsigned u = 0; u < e->n_urls; u++)
        printf("  url %.*s\n", (int)e->url[u].len, e->url[u].p);
}

int release_cmd_show(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-')
        return cli_usage_err("usage: otter release show INDEX");
    release_t r;
    int rc = release_load(&r, argv[1]);
    if (rc != CLI_EXIT_OK)
        return rc;
    const otter_index_t *x = &r.idx;
    char t[21];
    otter_index_time_format(x->expires, t);
    int64_t left = x->expires - (int64_t)time(NULL);
    printf("index %s: %zu bytes, seq %llu, expires %s (%s %lld days)\n", argv[1], r.len, (unsigned long long)x->seq, t,
           left > 0 ? "in" : "EXPIRED", (long long)((left > 0 ? left : -left) / 86400));
    if (x->has_sig) {
        printf("signed by key ");
        cli_print_hex(stdout, x->sig_key_id, sizeof x->sig_key_id);
        puts(" (not verified: use otter release verify)");
    } else
        puts("not signed");
    for (unsigned i = 0; i < x->n_keys; i++) {
        uint8_t id[OTTER_INDEX_KEY_ID_LEN];
        otter_index_key_id(&x->keys[i], id);
        printf("new release key %u: ", i + 1);
        cli_print_hex(stdout, id, sizeof id);
        putchar('\n');
    }
    if (x->trust_gen)
        printf("trust set generation %u: %u pin%s%s%.*s\n", (unsigned)x->trust_gen, x->n_pins,
               x->n_pins == 1 ? "" : "s", x->roots_url.len ? ", roots at " : "", (int)x->roots_url.len,
               x->roots_url.p ? x->roots_url.p : "");
    for (unsigned i = 0; i < x->n_releases; i++)
        show_release(&x->release[i]);
    release_free(&r);
    return CLI_EXIT_OK;
}

bool release_device_opt(int argc, char **argv, int *i, release_device_opts_t *d)
{
    const char *v;
    if ((v = cli_opt(argc, argv, i, "--running")))
        d->running = v;
    else if ((v = cli_opt(argc, argv, i, "--chip")))
        d->chip = v;
    else if ((v = cli_opt(argc, argv, i, "--project")))
        d->project = v;
    else if ((v = cli_opt(argc, argv, i, "--channel")))
        d->channel = v;
    else if ((v = cli_opt(argc, argv, i, "--id")))
        d->id = v;
    else if ((v = cli_opt(argc, argv, i, "--secure-version")))
        d->sv = v;
    else
        return false;
    return true;
}

int release_device(const release_device_opts_t *o, otter_index_device_t *out, uint8_t id[64])
{
    uint64_t sv = 0;
    otter_index_device_t d = {o->channel ? o->channel : "stable", 0, o->project, o->running, 0, id, 0};
    if (!o->chip || !o->project || !o->id)
        return cli_usage_err("--running needs --chip, --project and --id (the device id, in hex)");
    if (otter_image_chip_from_name(o->chip, &d.chip_id) || d.chip_id == OTTER_CHIP_ANY)
        return cli_usage_err("--chip '%s' is not a chip otter knows (esp32, esp32c3, ...)", o->chip);
    d.id_len = strlen(o->id) / 2;
    if (d.id_len == 0 || d.id_len > 64 || strlen(o->id) % 2 || cli_parse_hex(o->id, id, d.id_len))
        return cli_usage_err("--id '%s' is not 1 to 64 bytes of hex", o->id);
    if (o->sv && release_parse_num("--secure-version", o->sv, UINT32_MAX, &sv))
        return CLI_EXIT_USAGE;
    d.secure_version = (uint32_t)sv;
    *out = d;
    return CLI_EXIT_OK;
}

/* What a device described by o would decide from idx, in words. */
static int print_decision(const otter_index_t *idx, const release_device_opts_t *o)
{
    uint8_t id[64];
    otter_index_device_t d;
    int rc = release_device(o, &d, id);
    if (rc != CLI_EXIT_OK)
        return rc;
    otter_index_decision_t dec;
    char why[512];
    if (otter_index_decide(idx, &d, &dec) != 0)
        return cli_err("cannot decide: crypto backend error");
    otter_index_explain(idx, &d, &dec, why, sizeof why);
    printf("decision: %s\n", why);
    return CLI_EXIT_OK;
}

int release_cmd_verify(int argc, char **argv)
{
    const char *path = NULL, *now_s = NULL, *seq_s = NULL, *keys[OTTER_INDEX_MAX_KEYS], *v;
    unsigned n_keys = 0;
    bool no_time = false;
    release_device_opts_t dev = {0};
    for (int i = 1; i < argc; i++) {
        if ((v = cli_opt(argc, argv, &i, "--key"))) {
            if (n_keys == OTTER_INDEX_MAX_KEYS)
                return cli_usage_err("at most %u --key (a device knows up to three)", OTTER_INDEX_MAX_KEYS);
            keys[n_keys++] = v;
        } else if ((v = cli_opt(argc, argv, &i, "--now")))
            now_s = v;
        else if ((v = cli_opt(argc, argv, &i, "--seq")))
            seq_s = v;
        else if (!strcmp(argv[i], "--no-time"))
            no_time = true;
        else if (release_device_opt(argc, argv, &i, &dev))
            continue;
        else if (!path && argv[i][0] != '-')
            path = argv[i];
        else
            return cli_usage_err("release verify: unexpected '%s'", argv[i]);
    }
    if (!path || !n_keys)
        return cli_usage_err("usage: otter release verify INDEX --key PUB.pem... [--seq N] [--now DATE | --no-time]");
    otter_index_key_t pub[OTTER_INDEX_MAX_KEYS];
    otter_index_check_t chk = {pub, n_keys, 0, (int64_t)time(NULL), false};
    uint64_t seq = 0;
    if ((seq_s && release_parse_num("--seq", seq_s, INT64_MAX, &seq)) ||
        (now_s && release_parse_date("--now", now_s, &chk.now)))
        return CLI_EXIT_USAGE;
    chk.highest_seq = seq;
    if (no_time) {
        chk.now = OTTER_INDEX_TIME_UNKNOWN;
        chk.accept_without_time = true;
    }
    for (unsigned i = 0; i < n_keys; i++)
        if (release_load_point(keys[i], &pub[i], NULL))
            return CLI_EXIT_FAIL;
    release_t r;
    int rc = release_load(&r, path);
    otter_index_t idx;
    int ret = rc == CLI_EXIT_OK ? otter_index_open(&idx, r.text, r.len, &chk) : 0;
    if (rc == CLI_EXIT_OK && ret) {
        r.idx.err_line = ret == OTTER_ERR_INDEX_FIELD || ret == OTTER_ERR_INDEX_LINE ? idx.err_line : 0;
        rc = release_index_err(&r, ret);
    } else if (rc == CLI_EXIT_OK) {
        char t[21];
        otter_index_time_format(idx.expires, t);
        printf("ok: %s verifies; seq %llu, expires %s, %u release%s\n", path, (unsigned long long)idx.seq, t,
               idx.n_releases, idx.n_releases == 1 ? "" : "s");
        if (dev.running)
            rc = print_decision(&idx, &dev);
    }
    release_free(&r);
    return rc;
}
