/* otter verify: check a signed image's Secure Boot V2 blocks against trusted
 * keys (PEM public/private keys or eFuse key digests). Exit 0 only if at
 * least one block verifies with a trusted key and no block is malformed. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "otter/crypto.h"
#include "host_error.h"
#include "otter/sigblock.h"
#include "sign.h"

static void print_block(unsigned i, const otter_sigblock_result_t *r)
{
    if (r->status == OTTER_SIG_ABSENT) {
        printf("block %u: absent\n", i);
        return;
    }
    printf("block %u: %s", i, otter_sig_scheme_name(r->scheme));
    if (r->scheme != OTTER_SIG_SCHEME_NONE) {
        printf(", key digest ");
        cli_print_hex(stdout, r->key_digest, 32);
    }
    if (r->status == OTTER_OK)
        printf(": verified, trusted key %d\n", r->trusted_index + 1);
    else if (r->status == OTTER_ERR_SIG_UNTRUSTED)
        printf(": the signature is valid but the key is not one of the trusted keys\n");
    else
        printf(": %s (%s)\n", otter_host_strerror(r->status), otter_host_errname(r->status));
}

static int add_pub(const char *path, uint8_t (*trusted)[32], size_t *n)
{
    otter_signkey_t k;
    otter_signkey_init(&k);
    int r = otter_signkey_load(&k, path);
    if (r == OTTER_OK)
        r = otter_signkey_digest(&k, trusted[*n]);
    otter_signkey_free(&k);
    if (r == OTTER_ERR_FILE)
        return cli_usage_err("--pub %s: cannot open the file", path);
    if (r != OTTER_OK)
        return cli_usage_err("%s: not a usable RSA-3072 or ECDSA public key", path);
    (*n)++;
    return 0;
}

int otter_cmd_verify(int argc, char **argv)
{
    uint8_t trusted[OTTER_SIG_MAX_BLOCKS][32];
    size_t n_trusted = 0;
    const char *file = NULL, *v;
    for (int i = 1; i < argc; i++) {
        bool is_pub = false;
        if ((v = cli_opt(argc, argv, &i, "--pub")))
            is_pub = true;
        else if (!(v = cli_opt(argc, argv, &i, "--key-digest")) && !(v = cli_opt(argc, argv, &i, "--digest"))) {
            if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
                puts("usage: otter verify (--pub KEY.pem | --key-digest HEX)... FILE\n"
                     "Up to three trusted keys, as PEM keys or as SHA-256 key digests (eFuse).\n"
                     "Exit 0 only if a block verifies with a trusted key and no block is malformed.");
                return CLI_EXIT_OK;
            }
            if (argv[i][0] == '-' || file)
                return cli_usage_err("verify: unexpected '%s'", argv[i]);
            file = argv[i];
            continue;
        }
        if (n_trusted == OTTER_SIG_MAX_BLOCKS)
            return cli_usage_err("at most %u trusted keys (as in eFuse)", OTTER_SIG_MAX_BLOCKS);
        if (is_pub) {
            if (add_pub(v, trusted, &n_trusted))
                return CLI_EXIT_USAGE;
        } else if (cli_parse_hex(v, trusted[n_trusted++], 32)) {
            return cli_usage_err("--key-digest wants 64 hex digits, got '%s'", v);
        }
    }
    if (!file || n_trusted == 0)
        return cli_usage_err("usage: otter verify (--pub KEY.pem | --key-digest HEX)... FILE");
    size_t n, off;
    uint8_t *d = cli_read_file(file, &n);
    if (!d)
        return CLI_EXIT_FAIL;
    int r = otter_sign_find_sector(d, n, &off);
    if (r != OTTER_OK) {
        free(d);
        printf("FAIL: %s: %s\n", file, otter_host_strerror(r));
        return CLI_EXIT_FAIL;
    }
    uint8_t d256[32], d384[48];
    otter_sha256(d, off, d256);
    otter_host_sha384(d, off, d384);
    otter_sigblock_report_t rep;
    r = otter_sigblock_verify(d + off, d256, d384, (const uint8_t(*)[32])trusted, n_trusted, &rep);
    printf("signature sector at 0x%zx, %u block%s present\n", off, rep.n_present, rep.n_present == 1 ? "" : "s");
    for (unsigned i = 0; i < OTTER_SIG_MAX_BLOCKS; i++)
        print_block(i, &rep.block[i]);
    if (r == OTTER_OK)
        printf("OK: signed by a trusted key\n");
    else
        printf("FAIL: %s\n", otter_host_strerror(r));
    free(d);
    return r == OTTER_OK ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
