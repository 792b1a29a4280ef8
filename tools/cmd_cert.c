/* otter cert: show a server's certificates (or a file's), find the root
 * they lead to, say what to pin and write it out. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cert_report.h"
#include "cert_fetch.h"
#include "cli.h"
#include "host_error.h"
#include "otter/tls_report.h"

static const char usage_text[] =
    "usage: otter cert URL|HOST[:PORT] [options]     connect and explain the server's chain\n"
    "       otter cert --explain FILE.pem [options]  explain the certificates in a file\n"
    "\n"
    "Shows each certificate (subject, issuer, validity and days left, key, SPKI\n"
    "SHA-256, CA or leaf, self-signed), finds the root the chain leads to (in\n"
    "the chain, else in the trust store, following cross-signs) and says what a\n"
    "device should pin and why.\n"
    "\n"
    "options:\n"
    "  --store FILE   trust store to look for roots in (PEM bundle or DER;\n"
    "                 default " OTTER_CERTSTORE_SYSTEM ")\n"
    "  --at DATE      check dates as of DATE (YYYY-MM-DD[THH:MM:SSZ], now+Nd); default now\n"
    "  --sni NAME     server name to send (default: the host)\n"
    "  --format F     write certificates instead of the report: c (a C string like an\n"
    "                 Arduino sketch's server_certificate), pem, der, pin (SPKI SHA-256)\n"
    "  --cert WHICH   what --format writes: pin (what to pin, default), path (the\n"
    "                 whole path to the root), or N (certificate N of the chain)\n"
    "  --name VAR     variable name for --format c (default server_certificate)\n"
    "  --out FILE     write the --format output to FILE (the report goes to stdout)\n"
    "  --json         the whole report as one JSON object\n"
    "  --timeout MS   connect and handshake timeout in milliseconds (default 10000)\n"
    "\n"
    "exit: 0 report written, 1 no certificates (cannot connect, bad file) or nothing\n"
    "to write for --format, 2 bad command line.\n";

struct cert_args {
    const char *target;
    const char *explain;
    const char *store;
    const char *at;
    const char *sni;
    const char *format;
    const char *which;
    const char *name;
    const char *out;
    int json;
    uint32_t timeout_ms;
};

static int parse_args(int argc, char **argv, struct cert_args *a)
{
    memset(a, 0, sizeof *a);
    a->timeout_ms = 10000;
    a->which = "pin";
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_text, stdout);
            exit(CLI_EXIT_OK);
        } else if ((v = cli_opt(argc, argv, &i, "--explain")))
            a->explain = v;
        else if ((v = cli_opt(argc, argv, &i, "--store")))
            a->store = v;
        else if ((v = cli_opt(argc, argv, &i, "--at")))
            a->at = v;
        else if ((v = cli_opt(argc, argv, &i, "--sni")))
            a->sni = v;
        else if ((v = cli_opt(argc, argv, &i, "--format")))
            a->format = v;
        else if ((v = cli_opt(argc, argv, &i, "--cert")))
            a->which = v;
        else if ((v = cli_opt(argc, argv, &i, "--name")))
            a->name = v;
        else if ((v = cli_opt(argc, argv, &i, "--out")))
            a->out = v;
        else if ((v = cli_opt(argc, argv, &i, "--timeout"))) {
            uint64_t t;
            if (cli_parse_size(v, &t) || t == 0 || t > 600000)
                return cli_usage_err("cert: --timeout wants 1..600000 ms");
            a->timeout_ms = (uint32_t)t;
        } else if (!strcmp(argv[i], "--json"))
            a->json = 1;
        else if (argv[i][0] == '-')
            return cli_usage_err("cert: unknown option %s", argv[i]);
        else if (a->target)
            return cli_usage_err("cert: one server at a time (%s and %s)", a->target, argv[i]);
        else
            a->target = argv[i];
    }
    if (!a->target == !a->explain)
        return cli_usage_err("cert: give a server (URL or HOST[:PORT]) or --explain FILE");
    return 0;
}

/* The certificates --format writes, into v (at most cap). */
static size_t pick(const cert_report_t *r, const char *which, const otter_cert_t **v, size_t cap)
{
    size_t n = 0;
    if (!strcmp(which, "pin")) {
        for (size_t i = 0; i < r->advice.pin_count && n < cap; i++)
            v[n++] = r->advice.pin[i];
    } else if (!strcmp(which, "path")) {
        for (size_t i = 0; i < r->path.len && n < cap; i++)
            v[n++] = r->path.crt[i];
    } else {
        char *end;
        unsigned long k = strtoul(which, &end, 10);
        const otter_cert_t *c = (*which && !*end) ? otter_certset_get(&r->chain, k) : NULL;
        if (c && n < cap)
            v[n++] = c;
    }
    return n;
}

static int write_material(const cert_report_t *r, const struct cert_args *a, otter_certfmt_t fmt)
{
    const otter_cert_t *v[OTTER_CERTPATH_MAX];
    size_t n = pick(r, a->which, v, OTTER_CERTPATH_MAX);
    if (n == 0)
        return cli_err("cert: nothing to write for --cert %s%s", a->which,
                       strcmp(a->which, "pin") ? "" : ": no certificate fit to pin (see the report)");
    FILE *f = stdout;
    if (a->out && !(f = fopen(a->out, "wb")))
        return cli_err("cannot create %s", a->out);
    int ret = otter_cert_write(f, fmt, v, n, a->name);
    if (a->out && fclose(f) != 0)
        ret = OTTER_ERR_IO;
    if (ret)
        return cli_err("cert: cannot write the certificates: %s", otter_host_strerror(ret));
    return CLI_EXIT_OK;
}

static int collect(cert_report_t *r, const struct cert_args *a)
{
    if (a->explain) {
        snprintf(r->target, sizeof r->target, "%s", a->explain);
        if (cli_can_open(a->explain))
            return CLI_EXIT_FAIL;
        int ret = otter_certset_load(&r->chain, a->explain);
        if (ret < 0)
            return cli_err("cert: %s: %s", a->explain,
                           ret == OTTER_ERR_FILE ? "cannot read the file" : otter_host_strerror(ret));
        return 0;
    }
    if (cert_split_target(a->target, r->host, sizeof r->host, &r->port))
        return cli_usage_err("cert: cannot read a host and port in '%s'", a->target);
    r->live = 1;
    snprintf(r->target, sizeof r->target, "%s", a->target);
    otter_tls_report_t tr;
    int ret = cert_fetch_chain(r->host, r->port, a->sni, a->timeout_ms, &r->chain, &tr);
    if (ret < 0 && tr.backend_err)
        return cli_err("cert: %s: TLS handshake failed (mbedTLS -0x%04x): %s (%s)", a->target,
                       (unsigned)-tr.backend_err, otter_tls_backend_errname(tr.backend_err),
                       otter_tls_backend_errtext(tr.backend_err));
    if (ret == OTTER_ERR_DNS)
        return cli_err("cert: %s: %s did not resolve", a->target, r->host);
    if (ret < 0 && ret != OTTER_ERR_CERT_NONE)
        return cli_err("cert: %s: cannot connect to %s port %u: %s", a->target, r->host, (unsigned)r->port,
                       otter_host_strerror(ret));
    if (ret < 0)
        return cli_err("cert: %s: the server sent no certificate", a->target);
    snprintf(r->version, sizeof r->version, "%s", tr.version);
    snprintf(r->cipher, sizeof r->cipher, "%s", tr.cipher);
    otter_tls_explain_host(&tr, r->host_mismatch, sizeof r->host_mismatch);
    return 0;
}

int otter_cmd_cert(int argc, char **argv)
{
    struct cert_args a;
    int ret = parse_args(argc, argv, &a);
    if (ret)
        return ret;
    otter_certfmt_t fmt = OTTER_CERTFMT_PEM;
    if (a.format && otter_certfmt_parse(a.format, &fmt))
        return cli_usage_err("cert: --format wants c, pem, der or pin");
    cert_report_t *r = malloc(sizeof *r);
    if (!r)
        return cli_err("out of memory");
    cert_report_init(r);
    r->now = (int64_t)time(NULL);
    if (a.at && cert_parse_at(a.at, &r->now)) {
        free(r);
        return cli_usage_err("cert: --at wants YYYY-MM-DD[THH:MM:SSZ] or now+Nd");
    }
    r->now_given = a.at != NULL;
    ret = cert_report_load_store(r, a.store) ? CLI_EXIT_FAIL : collect(r, &a);
    if (ret == 0) {
        cert_report_analyse(r);
        /* With --format and no --out the certificates go to stdout, so the
         * report goes to stderr. */
        FILE *rf = (a.format && !a.out) ? stderr : stdout;
        if (a.json)
            cert_report_json(rf, r);
        else
            cert_report_text(rf, r);
        if (a.format)
            ret = write_material(r, &a, fmt);
    }
    cert_report_free(r);
    free(r);
    return ret;
}
