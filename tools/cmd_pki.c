/* otter pki: make keys and certificates (host/pki.h), so the
 * demo and the tests of certificate handling need no other tool. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "host_error.h"
#include "pki.h"

static const char PKI_HELP[] =
    "usage: otter pki demo DIR [--san LIST]\n"
    "       otter pki key --out KEY [--type ec|ec384|rsa] [--bits N]\n"
    "       otter pki cert (--subject DN | --subject-from CERT)\n"
    "                      (--key KEY | --key-out KEY [--key-type ec|ec384|rsa] [--bits N])\n"
    "                      [--issuer-cert CERT --issuer-key KEY] [--ca] [--pathlen N]\n"
    "                      [--no-basic-constraints] [--key-usage LIST|none] [--san LIST]\n"
    "                      [--eku serverAuth,clientAuth,codeSigning,OCSPSigning,any]\n"
    "                      [--not-before DATE] [--not-after DATE | --days N] [--serial N]\n"
    "                      --out CERT.pem\n"
    "\n"
    "demo: writes DIR/ca.pem + ca.key (demo root CA, EC P-256, 10 years),\n"
    "      DIR/server.pem + server.key (localhost, 127.0.0.1, ::1 and LIST, issued by\n"
    "      the root, 825 days) and DIR/chain.pem (server.pem then ca.pem).\n"
    "key:  writes a new private key (PEM, mode 0600). Default: EC P-256.\n"
    "cert: makes one X.509 v3 certificate signed with SHA-256. Without --issuer-*\n"
    "      it is self-signed. --subject-from copies a certificate's subject byte for\n"
    "      byte: with that certificate's key and another issuer it makes a\n"
    "      cross-signed certificate.\n"
    "  DN       name string, e.g. \"CN=Demo Root,O=Example,C=DE\" (CN, C, O, OU, L, ST,\n"
    "           serialNumber, title, emailAddress, DC)\n"
    "  LIST     subjectAltName entries: DNS:localhost,IP:127.0.0.1,IP:::1;\n"
    "           --san may be repeated (--san IP:192.168.1.10 --san IP:::1 --san DNS:x)\n"
    "  DATE     YYYY-MM-DD (00:00 UTC), YYYY-MM-DDTHH:MM:SSZ, now, now+30d, -2d\n"
    "           Default validity: now-1d .. now+365d (or notBefore + --days).\n"
    "  --key-usage  comma list of digitalSignature, nonRepudiation,\n"
    "           keyEncipherment, dataEncipherment, keyAgreement, keyCertSign,\n"
    "           cRLSign; 'none' omits the extension. Default by role (CA:\n"
    "           keyCertSign,cRLSign,digitalSignature; leaf: digitalSignature\n"
    "           [+keyEncipherment for RSA]).\n"
    "  --pathlen N   basicConstraints pathLenConstraint (with --ca).\n"
    "  --no-basic-constraints   omit basicConstraints (pre-v3 style).\n";

static int pki_fail(otter_pki_t *pki, int r)
{
    return cli_err("%s", pki->why[0] ? pki->why : otter_host_strerror(r));
}

static int parse_keytype(const char *s, otter_pki_keytype_t *t)
{
    if (!strcmp(s, "ec") || !strcmp(s, "p256") || !strcmp(s, "ec256"))
        *t = OTTER_PKI_KEY_EC_P256;
    else if (!strcmp(s, "ec384") || !strcmp(s, "p384"))
        *t = OTTER_PKI_KEY_EC_P384;
    else if (!strcmp(s, "rsa"))
        *t = OTTER_PKI_KEY_RSA;
    else
        return -1;
    return 0;
}

static int parse_key_usage(const char *s, unsigned *out)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {
        {"digitalSignature", OTTER_KU_DIGITAL_SIGNATURE},
        {"nonRepudiation", OTTER_KU_NON_REPUDIATION},
        {"keyEncipherment", OTTER_KU_KEY_ENCIPHERMENT},
        {"dataEncipherment", OTTER_KU_DATA_ENCIPHERMENT},
        {"keyAgreement", OTTER_KU_KEY_AGREEMENT},
        {"keyCertSign", OTTER_KU_KEY_CERT_SIGN},
        {"cRLSign", OTTER_KU_CRL_SIGN},
    };
    if (!strcmp(s, "none")) {
        *out = OTTER_PKI_KU_NONE;
        return 0;
    }
    unsigned ku = 0;
    while (*s) {
        size_t len = strcspn(s, ",");
        size_t i;
        for (i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strlen(names[i].name) == len && !strncmp(s, names[i].name, len))
                break;
        if (i == sizeof names / sizeof names[0])
            return -1;
        ku |= names[i].bit;
        s += len;
        if (*s == ',')
            s++;
    }
    if (!ku)
        return -1;
    *out = ku;
    return 0;
}

/* Repeated --san options add up: "--san IP:::1 --san DNS:x" is "IP:::1,DNS:x". */
static int san_append(char *list, size_t cap, const char *v)
{
    size_t n = strlen(list);
    int w = snprintf(list + n, cap - n, "%s%s", n ? "," : "", v);
    return w < 0 || (size_t)w >= cap - n ? -1 : 0;
}

static int cmd_demo(int argc, char **argv)
{
    const char *dir = NULL, *v;
    char list[1024] = "";
    for (int i = 1; i < argc; i++) {
        if ((v = cli_opt(argc, argv, &i, "--san"))) {
            if (san_append(list, sizeof list, v))
                return cli_usage_err("pki demo: --san list too long");
        } else if (argv[i][0] == '-')
            return cli_usage_err("pki demo: unknown option %s", argv[i]);
        else if (!dir)
            dir = argv[i];
        else
            return cli_usage_err("pki demo: one directory only");
    }
    if (!dir)
        return cli_usage_err("pki demo: which directory?");
    const char *san = list[0] ? list : NULL;
    otter_pki_t pki;
    otter_pki_init(&pki);
    int r = otter_pki_demo(&pki, dir, san, (int64_t)time(NULL));
    if (r) {
        r = pki_fail(&pki, r);
    } else {
        printf("demo PKI in %s:\n"
               "  ca.pem      root CA \"otter demo root CA\" (give this to devices: --ca)\n"
               "  ca.key      its private key\n"
               "  server.pem  certificate for localhost, 127.0.0.1, ::1%s%s\n"
               "  server.key  its private key\n"
               "  chain.pem   server.pem + ca.pem\n",
               dir, san ? ", " : "", san ? san : "");
    }
    otter_pki_free(&pki);
    return r;
}

/* --bits: a plain decimal number of RSA bits (no sign, no suffix). */
static int parse_bits(const char *v, unsigned long *bits)
{
    uint64_t n;
    if (!v[0] || strspn(v, "0123456789") != strlen(v) || cli_parse_size(v, &n) || n < 1024 || n > 16384)
        return -1;
    *bits = (unsigned long)n;
    return 0;
}

static int cmd_key(int argc, char **argv)
{
    const char *out = NULL, *v;
    otter_pki_keytype_t type = OTTER_PKI_KEY_EC_P256;
    unsigned long bits = 0;
    for (int i = 1; i < argc; i++) {
        if ((v = cli_opt(argc, argv, &i, "--out"))) {
            out = v;
        } else if ((v = cli_opt(argc, argv, &i, "--type"))) {
            if (parse_keytype(v, &type))
                return cli_usage_err("pki key: unknown key type %s", v);
        } else if ((v = cli_opt(argc, argv, &i, "--bits"))) {
            if (parse_bits(v, &bits))
                return cli_usage_err("pki key: --bits %s: want a number of bits from 1024 to 16384", v);
        } else {
            return cli_usage_err("pki key: unknown argument %s", argv[i]);
        }
    }
    if (!out)
        return cli_usage_err("pki key: --out KEY is required");
    otter_pki_t pki;
    otter_hkey_t *key = NULL;
    otter_pki_init(&pki);
    int r = otter_pki_key_generate(&pki, &key, type, (unsigned)bits);
    if (!r)
        r = otter_pki_key_save(&pki, key, out);
    if (r)
        r = pki_fail(&pki, r);
    otter_hkey_free(key);
    otter_pki_free(&pki);
    return r;
}

struct cert_args {
    const char *subject, *subject_from, *key, *key_out, *issuer_cert, *issuer_key;
    const char *eku, *not_before, *not_after, *out;
    char san[1024]; /* --san values joined with commas */
    otter_pki_keytype_t key_type;
    unsigned long bits, days;
    int ca, pathlen, no_bc;
    unsigned key_usage;
    uint64_t serial;
};

static int cert_parse_one(struct cert_args *a, int argc, char **argv, int *i)
{
    const char *v;
    if ((v = cli_opt(argc, argv, i, "--subject")))
        a->subject = v;
    else if ((v = cli_opt(argc, argv, i, "--subject-from")))
        a->subject_from = v;
    else if ((v = cli_opt(argc, argv, i, "--key-out")))
        a->key_out = v;
    else if ((v = cli_opt(argc, argv, i, "--key-type"))) {
        if (parse_keytype(v, &a->key_type))
            return cli_usage_err("pki cert: unknown key type %s", v);
    } else if ((v = cli_opt(argc, argv, i, "--key-usage"))) {
        if (parse_key_usage(v, &a->key_usage))
            return cli_usage_err("pki cert: bad --key-usage %s", v);
    } else if ((v = cli_opt(argc, argv, i, "--key")))
        a->key = v;
    else if ((v = cli_opt(argc, argv, i, "--bits"))) {
        if (parse_bits(v, &a->bits))
            return cli_usage_err("pki cert: --bits %s: want a number of bits from 1024 to 16384", v);
    }
    else if ((v = cli_opt(argc, argv, i, "--issuer-cert")))
        a->issuer_cert = v;
    else if ((v = cli_opt(argc, argv, i, "--issuer-key")))
        a->issuer_key = v;
    else if ((v = cli_opt(argc, argv, i, "--san"))) {
        if (san_append(a->san, sizeof a->san, v))
            return cli_usage_err("pki cert: --san list too long");
    } else if ((v = cli_opt(argc, argv, i, "--eku")))
        a->eku = v;
    else if ((v = cli_opt(argc, argv, i, "--not-before")))
        a->not_before = v;
    else if ((v = cli_opt(argc, argv, i, "--not-after")))
        a->not_after = v;
    else if ((v = cli_opt(argc, argv, i, "--days")))
        a->days = strtoul(v, NULL, 10);
    else if ((v = cli_opt(argc, argv, i, "--out")))
        a->out = v;
    else if ((v = cli_opt(argc, argv, i, "--pathlen"))) {
        char *end;
        long p = strtol(v, &end, 10);
        if (*end || p < 0 || p > 127)
            return cli_usage_err("pki cert: --pathlen wants 0..127");
        a->pathlen = (int)p;
    } else if ((v = cli_opt(argc, argv, i, "--serial"))) {
        if (cli_parse_size(v, &a->serial) || a->serial == 0)
            return cli_usage_err("pki cert: bad --serial %s", v);
    } else if (!strcmp(argv[*i], "--ca"))
        a->ca = 1;
    else if (!strcmp(argv[*i], "--no-basic-constraints"))
        a->no_bc = 1;
    else
        return cli_usage_err("pki cert: unknown argument %s", argv[*i]);
    return 0;
}

static int cert_check_args(const struct cert_args *a)
{
    if (!a->out)
        return cli_usage_err("pki cert: --out CERT.pem is required");
    if (!a->subject == !a->subject_from)
        return cli_usage_err("pki cert: give one of --subject or --subject-from");
    if (!a->key == !a->key_out)
        return cli_usage_err("pki cert: give one of --key (existing) or --key-out (new)");
    if (!a->issuer_cert != !a->issuer_key)
        return cli_usage_err("pki cert: --issuer-cert and --issuer-key go together");
    if (a->pathlen >= 0 && !a->ca)
        return cli_usage_err("pki cert: --pathlen needs --ca");
    return 0;
}

struct cert_objs {
    otter_pki_t pki;
    otter_hkey_t *key, *issuer_key;
    otter_cert_t *issuer, *subject_from;
    char pem[8192];
};

static int cert_make(struct cert_objs *o, const struct cert_args *a)
{
    otter_pki_cert_spec_t s;
    otter_pki_cert_spec_init(&s);
    int64_t now = (int64_t)time(NULL);
    if (a->not_before && otter_pki_parse_time(a->not_before, now, &s.not_before))
        return cli_usage_err("pki cert: bad --not-before %s", a->not_before);
    if (a->not_after && otter_pki_parse_time(a->not_after, now, &s.not_after))
        return cli_usage_err("pki cert: bad --not-after %s", a->not_after);
    if (!a->not_after && a->days)
        s.not_after = s.not_before + (int64_t)a->days * 86400;
    int r = 0;
    const char *const files[] = {a->key, a->issuer_cert, a->issuer_key, a->subject_from};
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++)
        if (files[k] && cli_can_open(files[k]))
            return CLI_EXIT_FAIL;
    if (a->key)
        r = otter_pki_key_load(&o->pki, &o->key, a->key);
    else
        r = otter_pki_key_generate(&o->pki, &o->key, a->key_type, (unsigned)a->bits);
    if (!r && a->issuer_cert)
        r = otter_pki_cert_load(&o->pki, &o->issuer, a->issuer_cert);
    if (!r && a->issuer_key)
        r = otter_pki_key_load(&o->pki, &o->issuer_key, a->issuer_key);
    if (!r && a->subject_from)
        r = otter_pki_cert_load(&o->pki, &o->subject_from, a->subject_from);
    if (r)
        return pki_fail(&o->pki, r);
    s.subject = a->subject;
    s.subject_from = o->subject_from;
    s.key = o->key;
    s.issuer_cert = o->issuer;
    s.issuer_key = o->issuer_key;
    s.ca = a->ca;
    s.pathlen = a->pathlen;
    s.basic_constraints = !a->no_bc;
    s.key_usage = a->key_usage;
    s.san = a->san[0] ? a->san : NULL;
    s.eku = a->eku;
    s.serial = a->serial;
    r = otter_pki_cert_make(&o->pki, &s, o->pem, sizeof o->pem, NULL);
    if (!r && a->key_out)
        r = otter_pki_key_save(&o->pki, o->key, a->key_out);
    if (r)
        return pki_fail(&o->pki, r);
    return cli_write_file(a->out, o->pem, strlen(o->pem)) ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

static int cmd_cert(int argc, char **argv)
{
    struct cert_args a;
    memset(&a, 0, sizeof a);
    a.pathlen = -1;
    for (int i = 1; i < argc; i++) {
        int r = cert_parse_one(&a, argc, argv, &i);
        if (r)
            return r;
    }
    int r = cert_check_args(&a);
    if (r)
        return r;
    struct cert_objs *o = calloc(1, sizeof *o);
    if (!o)
        return cli_err("out of memory");
    otter_pki_init(&o->pki);
    r = cert_make(o, &a);
    otter_hkey_free(o->key);
    otter_hkey_free(o->issuer_key);
    otter_cert_free(o->issuer);
    otter_cert_free(o->subject_from);
    otter_pki_free(&o->pki);
    free(o);
    return r;
}

int otter_cmd_pki(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_err("pki: which action? demo, key or cert");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(PKI_HELP, stdout);
        return CLI_EXIT_OK;
    }
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(PKI_HELP, stdout);
            return CLI_EXIT_OK;
        }
    if (!strcmp(argv[1], "demo"))
        return cmd_demo(argc - 1, argv + 1);
    if (!strcmp(argv[1], "key"))
        return cmd_key(argc - 1, argv + 1);
    if (!strcmp(argv[1], "cert"))
        return cmd_cert(argc - 1, argv + 1);
    return cli_usage_err("pki: unknown action %s (demo, key or cert)", argv[1]);
}
