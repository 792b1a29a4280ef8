/* otter release: build, edit, sign, show and verify a signed release index
 * (docs/FORMATS.md "Release index"; the device side is otter/index.h).
 *
 * The file is always written in its canonical form through the core's
 * writer, so what the tool writes is what the device parses. Editing a
 * signed index drops its signature and raises its sequence number by one,
 * and so does signing an index that is already signed: a published index
 * never shares a sequence number with different content. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "host_error.h"
#include "otter/crypto.h"
#include "otter/image.h"
#include "otter/index.h"
#include "release.h"
#include "release_cli.h"

#define RELEASE_USAGE                                                                                                  \
    "usage: otter release <command> INDEX ...\n"                                                                       \
    "  new INDEX [--seq N] [--days N | --expires DATE] [--force]   start an empty index\n"                             \
    "  add INDEX IMAGE [--channel C] [--url URL]... [--rollout PCT] [--min VERSION]\n"                                 \
    "                                       add (or replace) the release read from IMAGE\n"                            \
    "  rollout INDEX PCT --channel C [--project P] [--version V] [--chip X]   set a rollout percentage\n"              \
    "  remove INDEX --channel C --version V [--project P] [--chip X]          remove releases\n"                       \
    "  trust INDEX [--pin SHA256]... [--roots FILE [--roots-url URL]] [--gen N] | --clear\n"                           \
    "                                       set the TLS trust set devices adopt\n"                                     \
    "  keys INDEX PUB.pem... | --clear      set the release keys devices adopt (rotation, 1..3)\n"                     \
    "  sign INDEX --key KEY.pem [--days N | --expires DATE] [--out FILE]\n"                                            \
    "  show INDEX\n"                                                                                                   \
    "  verify INDEX --key PUB.pem... [--seq N] [--now DATE | --no-time]\n"                                             \
    "         [--running V --chip X --project P --id HEX [--channel C] [--secure-version N]]\n"                        \
    "                                       and what that device would decide, and why\n"                              \
    "DATE is YYYY-MM-DDTHH:MM:SSZ (UTC). Release keys are ECDSA P-256 (otter keygen --type ecdsa-p256).\n"

static int cmd_new(int argc, char **argv)
{
    const char *path = NULL, *days = NULL, *date = NULL, *seq = NULL, *v;
    bool force = false;
    for (int i = 1; i < argc; i++) {
        if ((v = cli_opt(argc, argv, &i, "--days")))
            days = v;
        else if ((v = cli_opt(argc, argv, &i, "--expires")))
            date = v;
        else if ((v = cli_opt(argc, argv, &i, "--seq")))
            seq = v;
        else if (!strcmp(argv[i], "--force"))
            force = true;
        else if (!path && argv[i][0] != '-')
            path = argv[i];
        else
            return cli_usage_err("release new: unexpected '%s'", argv[i]);
    }
    if (!path)
        return cli_usage_err("usage: otter release new INDEX [--seq N] [--days N | --expires DATE]");
    release_t r;
    memset(&r, 0, sizeof r);
    r.path = path;
    uint64_t s = 1;
    if ((seq && release_parse_num("--seq", seq, INT64_MAX, &s)) || release_expiry(days, date, &r.idx.expires))
        return CLI_EXIT_USAGE;
    if (s == 0)
        return cli_usage_err("--seq must be at least 1");
    struct stat st;
    if (!force && stat(path, &st) == 0)
        return cli_err("%s exists (use --force to start it over)", path);
    r.idx.seq = s;
    int rc = release_save(&r, NULL);
    if (rc == CLI_EXIT_OK) {
        char t[21];
        otter_index_time_format(r.idx.expires, t);
        printf("new index %s: seq %llu, expires %s, no releases yet\n", path, (unsigned long long)s, t);
    }
    return rc;
}

/* The image's identity, size and SHA-256 into a release entry. */
static int read_image(release_t *r, const char *path, otter_index_release_t *e)
{
    size_t n = 0;
    if (cli_can_open(path))
        return CLI_EXIT_FAIL;
    uint8_t *d = cli_read_file(path, &n);
    if (!d)
        return CLI_EXIT_FAIL;
    otter_image_t img;
    otter_image_init(&img, OTTER_CHIP_ANY);
    otter_image_set_file_len(&img, n > UINT32_MAX ? UINT32_MAX : (uint32_t)n);
    otter_image_feed(&img, d, n);
    int verdict = otter_image_finish(&img);
    const otter_image_info_t *info = otter_image_info(&img);
    int rc = CLI_EXIT_FAIL;
    if (verdict != OTTER_OK)
        cli_err("%s: not a valid app image: %s", path, otter_host_strerror(verdict));
    else if (!info->has_app_desc)
        cli_err("%s: the image has no app description (version, project): cannot list it", path);
    else if (n > UINT32_MAX || otter_sha256(d, n, e->sha256) != 0)
        cli_err("%s: cannot hash the image", path);
    else {
        e->chip_id = info->chip_id;
        e->secure_version = info->app.secure_version;
        e->size = (uint32_t)n;
        e->project = release_str(r, info->app.project_name);
        e->version = release_str(r, info->app.version);
        rc = CLI_EXIT_OK;
    }
    otter_image_free(&img);
    free(d);
    return rc;
}

static bool str_is(const otter_index_str_t *s, const char *c)
{
    return c && strlen(c) == s->len && memcmp(s->p, c, s->len) == 0;
}

static bool same_release(const otter_index_release_t *a, const otter_index_release_t *b)
{
    return a->chip_id == b->chip_id && a->channel.len == b->channel.len &&
           !memcmp(a->channel.p, b->channel.p, a->channel.len) && a->project.len == b->project.len &&
           !memcmp(a->project.p, b->project.p, a->project.len) && a->version.len == b->version.len &&
           !memcmp(a->version.p, b->version.p, a->version.len);
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Put e into the index: replace the entry for the same channel, chip,
 * project and version, or append. */
static int put_release(release_t *r, const otter_index_release_t *e)
{
    otter_index_t *x = &r->idx;
    for (unsigned i = 0; i < x->n_releases; i++)
        if (same_release(&x->release[i], e)) {
            x->release[i] = *e;
            printf("replaced release %.*s %.*s %.*s\n", (int)e->channel.len, e->channel.p, (int)e->project.len,
                   e->project.p, (int)e->version.len, e->version.p);
            return CLI_EXIT_OK;
        }
    if (x->n_releases == OTTER_INDEX_MAX_RELEASES)
        return cli_err("%s: already %u releases, the most an index holds; remove one first", r->path,
                       OTTER_INDEX_MAX_RELEASES);
    x->release[x->n_releases++] = *e;
    printf("added release %.*s %.*s %.*s\n", (int)e->channel.len, e->channel.p, (int)e->project.len, e->project.p,
           (int)e->version.len, e->version.p);
    return CLI_EXIT_OK;
}

static int cmd_add(int argc, char **argv)
{
    const char *path = NULL, *image = NULL, *channel = "stable", *rollout = NULL, *min = NULL, *v;
    const char *urls[OTTER_INDEX_MAX_URLS + 1];
    unsigned n_urls = 0;
    for (int i = 1; i < argc; i++) {
        if ((v = cli_opt(argc, argv, &i, "--channel")))
            channel = v;
        else if ((v = cli_opt(argc, argv, &i, "--url"))) {
            if (n_urls == OTTER_INDEX_MAX_URLS)
                return cli_usage_err("at most %u --url (mirrors) per release", OTTER_INDEX_MAX_URLS);
            urls[n_urls++] = v;
        } else if ((v = cli_opt(argc, argv, &i, "--rollout")))
            rollout = v;
        else if ((v = cli_opt(argc, argv, &i, "--min")))
            min = v;
        else if (argv[i][0] != '-' && (!path || !image))
            *(path ? &image : &path) = argv[i];
        else
            return cli_usage_err("release add: unexpected '%s'", argv[i]);
    }
    if (!path || !image)
        return cli_usage_err("usage: otter release add INDEX IMAGE [--channel C] [--url URL]... [--rollout PCT]");
    if (!otter_index_channel_ok(channel, strlen(channel)))
        return cli_usage_err("--channel '%s': use 1 to 16 of a-z 0-9 . _ -", channel);
    uint64_t pct = 100;
    if (rollout && release_parse_num("--rollout", rollout, 100, &pct))
        return CLI_EXIT_USAGE;
    release_t r;
    int rc = release_load(&r, path);
    otter_index_release_t e;
    memset(&e, 0, sizeof e);
    if (rc == CLI_EXIT_OK)
        rc = read_image(&r, image, &e);
    if (rc == CLI_EXIT_OK) {
        e.channel = release_str(&r, channel);
        e.rollout = (unsigned)pct;
        if (min)
            e.min_version = release_str(&r, min);
        if (n_urls == 0)
            urls[n_urls++] = base_name(image); /* beside the index */
        for (unsigned u = 0; u < n_urls; u++)
            e.url[e.n_urls++] = release_str(&r, urls[u]);
        rc = put_release(&r, &e);
    }
    if (rc == CLI_EXIT_OK)
        rc = release_save(&r, NULL);
    release_free(&r);
    return rc;
}

/* Options naming releases: --channel, --project, --version, --chip. */
typedef struct match {
    const char *channel, *project, *version, *chip;
    uint16_t chip_id;
} match_t;

static int match_opt(int argc, char **argv, int *i, match_t *m)
{
    const char *v;
    if ((v = cli_opt(argc, argv, i, "--channel")))
        m->channel = v;
    else if ((v = cli_opt(argc, argv, i, "--project")))
        m->project = v;
    else if ((v = cli_opt(argc, argv, i, "--version")))
        m->version = v;
    else if ((v = cli_opt(argc, argv, i, "--chip"))) {
        m->chip = v;
        if (otter_image_chip_from_name(v, &m->chip_id) || m->chip_id == OTTER_CHIP_ANY)
            return cli_usage_err("--chip '%s' is not a chip otter knows (esp32, esp32c3, ...)", v);
    } else
        return -1;
    return 0;
}

static bool matches(const match_t *m, const otter_index_release_t *e)
{
    return str_is(&e->channel, m->channel) && (!m->project || str_is(&e->project, m->project)) &&
           (!m->version || str_is(&e->version, m->version)) && (!m->chip || e->chip_id == m->chip_id);
}

/* rollout (pct given) or remove (pct NULL). */
static int edit_releases(int argc, char **argv, bool remove)
{
    const char *path = NULL, *pct_s = NULL;
    match_t m = {0};
    for (int i = 1; i < argc; i++) {
        int k = match_opt(argc, argv, &i, &m);
        if (k > 0)
            return k;
        if (k == 0)
            continue;
        if (argv[i][0] != '-' && (!path || (!remove && !pct_s)))
            *(path ? &pct_s : &path) = argv[i];
        else
            return cli_usage_err("release %s: unexpected '%s'", argv[0], argv[i]);
    }
    if (!path || !m.channel || (remove ? !m.version : !pct_s))
        return cli_usage_err(remove ? "usage: otter release remove INDEX --channel C --version V [--project P]"
                                    : "usage: otter release rollout INDEX PCT --channel C [--project P] [--version V]");
    uint64_t pct = 0;
    if (!remove && release_parse_num("rollout", pct_s, 100, &pct))
        return CLI_EXIT_USAGE;
    release_t r;
    int rc = release_load(&r, path);
    unsigned hit = 0, keep = 0;
    for (unsigned i = 0; rc == CLI_EXIT_OK && i < r.idx.n_releases; i++) {
        otter_index_release_t *e = &r.idx.release[i];
        if (matches(&m, e)) {
            hit++;
            printf("%s release %.*s %.*s %.*s%s", remove ? "removed" : "rollout of", (int)e->channel.len, e->channel.p,
                   (int)e->project.len, e->project.p, (int)e->version.len, e->version.p, remove ? "\n" : "");
            if (!remove)
                printf(": %u%% -> %u%%\n", e->rollout, (unsigned)pct);
            e->rollout = (unsigned)pct;
            if (remove)
                continue;
        }
        r.idx.release[keep++] = *e;
    }
    r.idx.n_releases = keep;
    if (rc == CLI_EXIT_OK && hit == 0)
        rc = cli_err("%s: no release matches --channel %s%s%s%s%s", path, m.channel, m.project ? " --project " : "",
                     m.project ? m.project : "", m.version ? " --version " : "", m.version ? m.version : "");
    if (rc == CLI_EXIT_OK)
        rc = release_save(&r, NULL);
    release_free(&r);
    return rc;
}

static int cmd_rollout(int argc, char **argv)
{
    return edit_releases(argc, argv, false);
}

static int cmd_remove(int argc, char **argv)
{
    return edit_releases(argc, argv, true);
}

int otter_cmd_release(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {
        {"new", cmd_new},
        {"add", cmd_add},
        {"rollout", cmd_rollout},
        {"remove", cmd_remove},
        {"trust", release_cmd_trust},
        {"keys", release_cmd_keys},
        {"sign", release_cmd_sign},
        {"show", release_cmd_show},
        {"verify", release_cmd_verify},
    };
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(RELEASE_USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        if (strcmp(argv[1], cmds[i].name) != 0)
            continue;
        for (int a = 2; a < argc; a++)
            if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
                printf("usage: otter release %s INDEX ... (the forms below)\n%s", cmds[i].name, RELEASE_USAGE);
                return CLI_EXIT_OK;
            }
        return cmds[i].fn(argc - 1, argv + 1);
    }
    return cli_usage_err("release: unknown command '%s' (new, add, rollout, remove, trust, keys, sign, show, verify)",
                         argv[1]);
}
