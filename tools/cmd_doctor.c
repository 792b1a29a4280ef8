/* otter doctor: walk the update path a device would take and explain every
 * failure. See tools/doctor.h. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cert_report.h"
#include "cli.h"
#include "doctor.h"
#include "host_error.h"
#include "otter/host/tls_report.h"
#include "otter/image.h"
#include "posix_clock.h"
#include "sign.h"

static const char usage_text[] =
    "usage: otter doctor URL [--ca FILE]... [--pin SHA256]... [--at DATE]\n"
    "                        [--pub PEM | --key-digest HEX]... [--buffer N] [--slot-size N]\n"
    "                        [--chip NAME] [--running-version V] [--store FILE] [--json]\n"
    "\n"
    "Walks the update path a device configured like this would take, with\n"
    "otter's own TLS, HTTP and image code: DNS, TCP, TLS handshake, trust, host\n"
    "name, dates, redirects, headers, status, Content-Type, size, Range/ETag,\n"
    "image header, signature. One line per step, the fix for each failure, and\n"
    "a last line: a device configured like this would: update / skip / fail at <step>.\n"
    "\n"
    "  --ca FILE       the device's CA bundle (PEM or DER; repeatable)\n"
    "  --pin SHA256    an SPKI SHA-256 pin the device has (repeatable)\n"
    "                  (neither: the trust store is used as the device's bundle)\n"
    "  --at DATE       the device's clock (YYYY-MM-DD[THH:MM:SSZ]); default now;\n"
    "                  1970-01-01 is a device whose clock was never set\n"
    "  --pub PEM / --key-digest HEX   the image signing keys the device trusts\n"
    "  --buffer N      the device's HTTP buffer in bytes (default 2048)\n"
    "  --slot-size N   the OTA slot size (e.g. 1536K, 0x180000)\n"
    "  --chip NAME     the device's chip (esp32, esp32c3, ...)\n"
    "  --running-version V   the version the device runs\n"
    "  --store FILE    trust store for finding roots to pin (default " OTTER_CERTSTORE_SYSTEM ")\n"
    "  --json          the report as JSON\n"
    "  --timeout MS    per connect/read timeout (default 10000)\n"
    "\n"
    "exit: 0 a device would update or correctly skip, 1 it would fail, 2 bad command line.\n"
    "\n"
    "       otter doctor --decode CODE   an error code from a device log in words\n"
    "       otter doctor --index URL --key PUB.pem ...   what a device decides from a release index\n"
    "                                    (mbedTLS -0x2700, or otter's -140)\n";

static uint64_t mono_ms(void *ctx)
{
    doctor_t *d = ctx;
    return d->host_clock.now_ms(d->host_clock.ctx);
}

static int64_t device_wall(void *ctx)
{
    doctor_t *d = ctx;
    return d->at;
}

static int add_ca(doctor_t *d, const char *path)
{
    size_t len;
    uint8_t *b = cli_read_file(path, &len);
    if (!b)
        return -1;
    uint8_t *nb = realloc(d->ca_buf, d->ca_len + len + 2);
    if (!nb) {
        free(b);
        return -1;
    }
    d->ca_buf = nb;
    memcpy(d->ca_buf + d->ca_len, b, len);
    d->ca_len += len;
    d->ca_buf[d->ca_len++] = '\n';
    d->ca_buf[d->ca_len] = 0;
    free(b);
    return 0;
}

static int add_key(doctor_t *d, const char *v, int is_pub)
{
    if (d->n_trusted >= 3)
        return cli_usage_err("doctor: at most three signing keys");
    if (!is_pub)
        return cli_parse_hex(v, d->trusted[d->n_trusted++], 32) ? cli_usage_err("doctor: --key-digest wants 64 hex digits") : 0;
    otter_signkey_t k;
    otter_signkey_init(&k);
    int r = otter_signkey_load(&k, v);
    if (r == 0)
        r = otter_signkey_digest(&k, d->trusted[d->n_trusted]);
    otter_signkey_free(&k);
    if (r == OTTER_ERR_FILE)
        return cli_usage_err("doctor: --pub %s: cannot open the file", v);
    if (r)
        return cli_usage_err("doctor: %s: not a usable RSA-3072 or ECDSA public key", v);
    d->n_trusted++;
    return 0;
}

static int parse_opt(doctor_t *d, int argc, char **argv, int *i)
{
    const char *v;
    uint64_t n;
    if ((v = cli_opt(argc, argv, i, "--ca"))) {
        if (d->n_ca >= DOCTOR_MAX_CA)
            return cli_usage_err("doctor: at most %d --ca files", DOCTOR_MAX_CA);
        d->ca[d->n_ca++] = v;
    } else if ((v = cli_opt(argc, argv, i, "--pin"))) {
        if (d->n_pins >= OTTER_TLS_MAX_PINS || otter_tls_pin_parse(v, strlen(v), d->pins[d->n_pins]))
            return cli_usage_err("doctor: --pin wants an SPKI SHA-256 (64 hex digits or base64), at most %d",
                                 OTTER_TLS_MAX_PINS);
        d->n_pins++;
    } else if ((v = cli_opt(argc, argv, i, "--at"))) {
        if (cert_parse_at(v, &d->at))
            return cli_usage_err("doctor: --at wants YYYY-MM-DD[THH:MM:SSZ]");
        d->at_given = 1;
    } else if ((v = cli_opt(argc, argv, i, "--pub"))) {
        return add_key(d, v, 1);
    } else if ((v = cli_opt(argc, argv, i, "--key-digest")) || (v = cli_opt(argc, argv, i, "--digest"))) {
        return add_key(d, v, 0);
    } else if ((v = cli_opt(argc, argv, i, "--buffer"))) {
        if (cli_parse_size(v, &n) || n < 64 || n > 65536)
            return cli_usage_err("doctor: --buffer wants 64..65536 bytes");
        d->buffer = (size_t)n;
    } else if ((v = cli_opt(argc, argv, i, "--slot-size"))) {
        if (cli_parse_size(v, &d->slot_size) || !d->slot_size)
            return cli_usage_err("doctor: bad --slot-size %s", v);
    } else if ((v = cli_opt(argc, argv, i, "--chip"))) {
        if (otter_image_chip_from_name(v, &d->chip))
            return cli_usage_err("doctor: unknown chip %s", v);
    } else if ((v = cli_opt(argc, argv, i, "--running-version"))) {
        d->running_version = v;
    } else if ((v = cli_opt(argc, argv, i, "--store"))) {
        d->store = v;
    } else if ((v = cli_opt(argc, argv, i, "--timeout"))) {
        if (cli_parse_size(v, &n) || !n || n > 600000)
            return cli_usage_err("doctor: --timeout wants 1..600000 ms");
        d->timeout_ms = (uint32_t)n;
    } else if (!strcmp(argv[*i], "--json")) {
        d->json = 1;
    } else if (argv[*i][0] == '-') {
        return cli_usage_err("doctor: unknown option %s", argv[*i]);
    } else if (d->url) {
        return cli_usage_err("doctor: one URL at a time");
    } else {
        d->url = argv[*i];
    }
    return 0;
}

static const char *verdict_words(const doctor_t *d, char *buf, size_t cap)
{
    if (d->verdict == DOCTOR_FAILS)
        snprintf(buf, cap, "fail at %s", d->fail_at);
    else if (d->verdict == DOCTOR_SKIP)
        snprintf(buf, cap, "skip (%s)", d->skip_why);
    else
        snprintf(buf, cap, "update");
    return buf;
}

static void print_text(const doctor_t *d)
{
    static const char *const marks[] = {"\xe2\x9c\x93", "\xe2\x9c\x97", "!", " "};
    char at[11], v[260];
    otter_tls_date(d->at, at);
    printf("otter doctor %s (device clock: %s%s)\n", d->url, d->at < 0 ? "none" : at,
           d->at_given ? ", --at" : "");
    for (size_t i = 0; i < d->n_steps; i++) {
        const doctor_step_t *s = &d->steps[i];
        printf("%s %-14s %s\n", marks[s->status], s->name, s->text);
        const char *p = s->fix;
        for (int first = 1; *p; first = 0) {
            size_t n = strcspn(p, "\n");
            printf("  %s %.*s\n", first ? "  fix:" : "      ", (int)n, p);
            p += n + (p[n] == '\n');
        }
    }
    printf("a device configured like this would: %s\n", verdict_words(d, v, sizeof v));
}

static void print_json(const doctor_t *d)
{
    static const char *const st[] = {"ok", "fail", "warn", "info"};
    char v[260];
    fputs("{\"url\":", stdout);
    cli_json_str(stdout, d->url);
    fputs(",\"steps\":[", stdout);
    for (size_t i = 0; i < d->n_steps; i++) {
        printf("%s{\"step\":", i ? "," : "");
        cli_json_str(stdout, d->steps[i].name);
        printf(",\"status\":\"%s\",\"text\":", st[d->steps[i].status]);
        cli_json_str(stdout, d->steps[i].text);
        fputs(",\"fix\":", stdout);
        cli_json_str(stdout, d->steps[i].fix);
        fputc('}', stdout);
    }
    printf("],\"verdict\":\"%s\",\"fail_at\":", d->verdict == DOCTOR_FAILS ? "fail" : d->verdict == DOCTOR_SKIP ? "skip" : "update");
    cli_json_str(stdout, d->fail_at);
    fputs(",\"summary\":", stdout);
    cli_json_str(stdout, verdict_words(d, v, sizeof v));
    char *tls = malloc(16384);
    if (tls && d->tls_report.host[0]) {
        otter_tls_report_json(&d->tls_report, tls, 16384);
        printf(",\"tls\":%s", tls);
    }
    free(tls);
    fputs("}\n", stdout);
}

/* No --ca and no --pin: the trust store stands in for the device's bundle. */
static int default_trust(doctor_t *d)
{
    const char *p = d->store ? d->store : otter_certstore_default();
    if (!p)
        return cli_usage_err("doctor: give the device's trust: --ca FILE or --pin SHA256");
    if (add_ca(d, p))
        return CLI_EXIT_FAIL;
    doctor_step_t *s = doctor_add(d, "trust config", DOCTOR_WARN, "no --ca or --pin: using %s as the device's CA bundle", p);
    doctor_fix(s, "give the device's own trust with --ca / --pin to check what it will see");
    return 0;
}

/* otter doctor --decode CODE: an error code from a device log in words.
 * "-0x2700" / "0x2700" (mbedTLS codes are negative; the sign may be left
 * out in hex) or a decimal "-9984"; otter's own codes (-1..-259) too. */
static int decode(const char *text)
{
    char *end;
    int neg = text[0] == '-';
    const char *t = text + (neg || text[0] == '+');
    int hex = t[0] == '0' && (t[1] == 'x' || t[1] == 'X');
    long v = strtol(t, &end, hex ? 16 : 10);
    if (end == t || *end || v <= 0 || v > 0xFFFF)
        return cli_usage_err("doctor: --decode wants an error code like -0x2700 or -140");
    int code = (int)-v;
    int found = 0;
    if (hex || v > 259) {
        const char *name = otter_tls_backend_errname(code);
        if (strcmp(name, "UNKNOWN")) {
            printf("mbedTLS -0x%04X (%d): MBEDTLS_ERR_%s: %s\n", (unsigned)v, code, name,
                   otter_tls_backend_errtext(code));
            found = 1;
        }
    }
    if (!hex && v <= 259 && strcmp(otter_host_errname(code), "UNKNOWN")) {
        printf("otter %d: OTTER_ERR_%s: %s\n", code, otter_host_errname(code), otter_host_strerror(code));
        found = 1;
    }
    if (!found) {
        printf("%s: not a code otter or mbedTLS defines\n", text);
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}

int otter_cmd_doctor(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--decode"))
        return decode(argv[2]);
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--index"))
            return otter_doctor_index(argc, argv);
    doctor_t *d = calloc(1, sizeof *d);
    if (!d)
        return cli_err("out of memory");
    d->buffer = 2048;
    d->chip = OTTER_CHIP_ANY;
    d->timeout_ms = 10000;
    d->at = (int64_t)time(NULL);
    int ret = 0;
    for (int i = 1; i < argc && ret == 0; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_text, stdout);
            free(d);
            return CLI_EXIT_OK;
        }
        ret = parse_opt(d, argc, argv, &i);
    }
    if (ret == 0 && !d->url)
        ret = cli_usage_err("doctor: which URL?");
    if (ret == 0)
        ret = cli_check_url("doctor: ", d->url);
    for (size_t i = 0; ret == 0 && i < d->n_ca; i++)
        ret = add_ca(d, d->ca[i]) ? CLI_EXIT_FAIL : 0;
    if (ret == 0 && !d->n_ca && !d->n_pins)
        ret = default_trust(d);
    if (ret == 0) {
        otter_posix_clock_init(&d->host_clock);
        d->clock.now_ms = mono_ms;
        d->clock.wall_time = device_wall;
        d->clock.ctx = d;
        if (doctor_net(d) == 0)
            doctor_http(d);
        d->verdict = d->fail_at[0] ? DOCTOR_FAILS : d->skip_why[0] ? DOCTOR_SKIP : DOCTOR_UPDATE;
        if (d->json)
            print_json(d);
        else
            print_text(d);
        ret = d->verdict == DOCTOR_FAILS ? CLI_EXIT_FAIL : CLI_EXIT_OK;
    }
    free(d->ca_buf);
    free(d);
    return ret;
}
