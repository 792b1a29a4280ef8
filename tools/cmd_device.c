/* otter device: a simulated ESP32 on a flash file. Boots it like the ESP-IDF
 * bootloader, "runs" the app, checks a URL for an update and installs it
 * with the update engine, reboots, runs the self-test (confirm or roll
 * back) and prints a summary. The flash is the NOR simulator with its
 * virtual clock: step and flash times below are datasheet times, not the
 * host's. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "device.h"
#include "host_error.h"
#include "otter/tls.h"
#include "posix_clock.h"
#include "posix_rng.h"
#include "posix_tcp.h"
#include "sign.h"
#include "simdev.h"

static int usage(void)
{
    puts("usage: otter device --flash FILE --url URL [--ca PEM]... [--pin SHA256]... [--store PEM]\n"
         "       otter device --flash FILE --index URL --index-key PUB.pem... [--channel C] [--id HEX]\n"
         "         [--no-time] [the options below]\n"
         "         [--key-digest HEX | --pub PEM]... [--self-test pass|fail|hang]\n"
         "         [--power-cut-after N] [--flash-model typ|max] [--proxy URL] [--json]\n"
         "         [--chip NAME] [--project NAME] [--secure-version N] [--allow-downgrade]\n"
         "         [--allow-same] [--erase-block] [--insecure-skip-hostname-check]\n"
         "         [--read-timeout MS] [--deadline S] [--min-rate BYTES_PER_S]\n"
         "         [--rollback-rule rejected|unconfirmed|none] [--unconfirmed-tries N]\n"
         "         [--allow-incomparable-version] [--quiet]\n"
         "\n"
         "Boots FILE (made with `otter flash init`) like the ESP-IDF bootloader, runs its\n"
         "app, checks URL for an update and installs it into the other OTA slot with\n"
         "bounded steps, reboots, runs the self-test (pass: the app confirms itself;\n"
         "fail: it marks itself invalid; hang: it never confirms and the bootloader\n"
         "rolls back at the next reset), and prints a summary. --power-cut-after N cuts\n"
         "the power at the N-th flash erase/program of this run (run again to resume).\n"
         "Trust for https: --ca PEM files and/or --pin SPKI SHA-256 (default: the system\n"
         "CA bundle). A pin matches any certificate of the verified path; with --pin and\n"
         "no --ca the trust store (--store, default the system CA bundle) completes the\n"
         "path to a pinned root the server does not send, and only a pin grants trust.\n"
         "Signature: --key-digest / --pub make a signed image mandatory,\n"
         "and the simulated bootloader then boots only signed apps.\n"
         "Versions: the leading numbers decide (README, \"Which versions install\");\n"
         "one that cannot be compared is refused unless --allow-incomparable-version.\n"
         "Rollback rule: a version whose self-test failed is refused; one that never\n"
         "confirmed is retried until it was installed --unconfirmed-tries times (2).\n"
         "Release index (--index): the device polls the signed index (If-None-Match),\n"
         "checks its signature with --index-key, refuses replay (the highest sequence\n"
         "is kept in FILE.index) and expiry (--no-time: a device without a clock,\n"
         "which accepts the index on its sequence number alone),\n"
         "adopts a new trust set it carries, picks its release (channel, chip,\n"
         "project, version, rollout by --id, default the file's name) and installs it\n"
         "only if its size and SHA-256 are the index's.\n"
         "--deadline S stops an update after S seconds (default 1800); --min-rate\n"
         "stops it below that many bytes/s averaged over a minute.\n"
         "\n"
         "exit codes: 0 updated and confirmed, 1 failed (the old app runs, untouched),\n"
         "            2 usage, 3 up to date (nothing written), 4 rolled back");
    return CLI_EXIT_OK;
}

static int add_key(dev_opts_t *o, const char *v, bool pub)
{
    if (o->n_keys == 3)
        return cli_usage_err("at most three signing keys (as in eFuse)");
    if (!pub) {
        if (cli_parse_hex(v, o->keys[o->n_keys], 32))
            return cli_usage_err("--key-digest wants 64 hex digits, got '%s'", v);
    } else {
        otter_signkey_t k;
        otter_signkey_init(&k);
        int r = otter_signkey_load(&k, v);
        if (r == 0)
            r = otter_signkey_digest(&k, o->keys[o->n_keys]);
        otter_signkey_free(&k);
        if (r == OTTER_ERR_FILE)
            return cli_usage_err("--pub %s: cannot open the file", v);
        if (r)
            return cli_usage_err("%s: not a usable RSA-3072 or ECDSA public key", v);
    }
    o->n_keys++;
    return 0;
}

static int parse_value_opt(dev_opts_t *o, int argc, char **argv, int *i, bool *matched)
{
    const char *v;
    *matched = true;
    if ((v = cli_opt(argc, argv, i, "--flash")))
        o->flash = v;
    else if ((v = cli_opt(argc, argv, i, "--url")))
        o->url = v;
    else if ((v = cli_opt(argc, argv, i, "--proxy")))
        o->proxy = v;
    else if ((v = cli_opt(argc, argv, i, "--index")))
        o->index = v;
    else if ((v = cli_opt(argc, argv, i, "--index-key"))) {
        if (o->n_index_keys == 3)
            return cli_usage_err("at most three --index-key (a device knows up to three release keys)");
        o->index_keys[o->n_index_keys++] = v;
    } else if ((v = cli_opt(argc, argv, i, "--channel")))
        o->channel = v;
    else if ((v = cli_opt(argc, argv, i, "--id")))
        o->id = v;
    else if ((v = cli_opt(argc, argv, i, "--project")))
        o->project = v;
    else if ((v = cli_opt(argc, argv, i, "--ca"))) {
        if (o->n_ca == MAX_CA)
            return cli_usage_err("at most %d --ca files", MAX_CA);
        o->ca[o->n_ca++] = v;
    } else if ((v = cli_opt(argc, argv, i, "--store"))) {
        o->store = v;
    } else if ((v = cli_opt(argc, argv, i, "--pin"))) {
        if (o->n_pins == MAX_PINS || otter_tls_pin_parse(v, strlen(v), o->pins[o->n_pins]))
            return cli_usage_err("--pin wants a SPKI SHA-256 (64 hex digits or base64), at most %d", MAX_PINS);
        o->n_pins++;
    } else if ((v = cli_opt(argc, argv, i, "--key-digest")) || (v = cli_opt(argc, argv, i, "--digest")))
        return add_key(o, v, false);
    else if ((v = cli_opt(argc, argv, i, "--pub")))
        return add_key(o, v, true);
    else if ((v = cli_opt(argc, argv, i, "--self-test"))) {
        if (!strcmp(v, "pass"))
            o->self_test = SELF_TEST_PASS;
        else if (!strcmp(v, "fail"))
            o->self_test = SELF_TEST_FAIL;
        else if (!strcmp(v, "hang"))
            o->self_test = SELF_TEST_HANG;
        else
            return cli_usage_err("--self-test pass|fail|hang");
    } else if ((v = cli_opt(argc, argv, i, "--power-cut-after"))) {
        if (cli_parse_size(v, &o->power_cut_after) || !o->power_cut_after)
            return cli_usage_err("--power-cut-after wants a flash operation number >= 1");
    } else if ((v = cli_opt(argc, argv, i, "--flash-model"))) {
        if (strcmp(v, "typ") && strcmp(v, "max"))
            return cli_usage_err("--flash-model typ|max");
        o->model_max = !strcmp(v, "max");
    } else if ((v = cli_opt(argc, argv, i, "--chip"))) {
        if (otter_image_chip_from_name(v, &o->chip))
            return cli_usage_err("unknown chip '%s'", v);
    } else if ((v = cli_opt(argc, argv, i, "--read-timeout"))) {
        uint64_t n;
        if (cli_parse_size(v, &n) || !n || n > 600000)
            return cli_usage_err("--read-timeout wants milliseconds (1..600000)");
        o->read_timeout_ms = (uint32_t)n;
    } else if ((v = cli_opt(argc, argv, i, "--deadline"))) {
        uint64_t n;
        if (cli_parse_size(v, &n) || !n || n > 4000000)
            return cli_usage_err("--deadline wants seconds (1..4000000)");
        o->deadline_ms = (uint32_t)(n * 1000u);
    } else if ((v = cli_opt(argc, argv, i, "--min-rate"))) {
        uint64_t n;
        if (cli_parse_size(v, &n) || !n || n > UINT32_MAX)
            return cli_usage_err("--min-rate wants bytes per second (>= 1)");
        o->min_rate = (uint32_t)n;
    } else if ((v = cli_opt(argc, argv, i, "--rollback-rule"))) {
        if (!strcmp(v, "rejected"))
            o->rolled_back = OTTER_UPDATE_REFUSE_REJECTED;
        else if (!strcmp(v, "unconfirmed"))
            o->rolled_back = OTTER_UPDATE_REFUSE_UNCONFIRMED;
        else if (!strcmp(v, "none"))
            o->rolled_back = OTTER_UPDATE_REFUSE_NONE;
        else
            return cli_usage_err("--rollback-rule rejected|unconfirmed|none");
    } else if ((v = cli_opt(argc, argv, i, "--unconfirmed-tries"))) {
        uint64_t n;
        if (cli_parse_size(v, &n) || !n || n > 9)
            return cli_usage_err("--unconfirmed-tries wants 1..9");
        o->unconfirmed_tries = (uint8_t)n;
    } else if ((v = cli_opt(argc, argv, i, "--secure-version"))) {
        uint64_t n;
        if (cli_parse_size(v, &n) || n > UINT32_MAX)
            return cli_usage_err("--secure-version wants a number");
        o->secure_version = (uint32_t)n;
    } else
        *matched = false;
    return 0;
}

static int parse_opts(dev_opts_t *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->chip = OTTER_CHIP_ESP32;
    for (int i = 1; i < argc; i++) {
        bool matched;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return usage() - 1; /* -1: stop, exit 0 */
        if (parse_value_opt(o, argc, argv, &i, &matched))
            return CLI_EXIT_USAGE;
        if (matched)
            continue;
        if (!strcmp(argv[i], "--json"))
            o->json = true;
        else if (!strcmp(argv[i], "--quiet"))
            o->quiet = true;
        else if (!strcmp(argv[i], "--allow-downgrade"))
            o->allow_downgrade = true;
        else if (!strcmp(argv[i], "--allow-same"))
            o->allow_same = true;
        else if (!strcmp(argv[i], "--allow-incomparable-version"))
            o->allow_incomparable = true;
        else if (!strcmp(argv[i], "--no-time"))
            o->index_no_time = true;
        else if (!strcmp(argv[i], "--erase-block"))
            o->erase_block = true;
        else if (!strcmp(argv[i], "--insecure-skip-hostname-check"))
            o->skip_hostname = true;
        else
            return cli_usage_err("device: unexpected '%s'", argv[i]);
    }
    if (o->index && o->url)
        return cli_usage_err("device: --url or --index, not both (the index names the image)");
    if (o->index && !o->n_index_keys)
        return cli_usage_err("device: --index needs the release key(s) the device trusts: --index-key PUB.pem");
    if (!o->flash || (!o->url && !o->index))
        return cli_usage_err("device: --flash FILE and --url URL (or --index URL) are required");
    return cli_check_url(o->index ? "device: --index " : "device: --url ", o->index ? o->index : o->url);
}

int otter_cmd_device(int argc, char **argv)
{
    dev_ctx_t *c = calloc(1, sizeof *c);
    if (!c)
        return cli_err("out of memory");
    int ret = parse_opts(&c->o, argc, argv);
    if (ret == 0)
        ret = dev_run(c);
    else if (ret < 0)
        ret = CLI_EXIT_OK; /* --help */
    free(c);
    return ret;
}
