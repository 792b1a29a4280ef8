/* otter sign: append a Secure Boot V2 signature sector (as espsecure
 * sign_data --version 2 does). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "host_error.h"
#include "sign.h"

int otter_cmd_sign(int argc, char **argv)
{
    const char *key = NULL, *in = NULL, *out = NULL, *v;
    bool append = false;
    for (int i = 1; i < argc; i++) {
        if ((v = cli_opt(argc, argv, &i, "--key")))
            key = v;
        else if ((v = cli_opt(argc, argv, &i, "--out")))
            out = v;
        else if (!strcmp(argv[i], "--append"))
            append = true;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            puts("usage: otter sign --key KEY.pem IN [--out OUT] [--append]\n"
                 "Pads IN with 0xFF to 4096 bytes and appends a signature sector (in place without --out).\n"
                 "--append keeps the blocks of an already signed IN and adds one (at most three).");
            return CLI_EXIT_OK;
        } else if (argv[i][0] == '-' || in)
            return cli_usage_err("sign: unexpected '%s'", argv[i]);
        else
            in = argv[i];
    }
    if (!key || !in)
        return cli_usage_err("usage: otter sign --key KEY.pem IN [--out OUT] [--append]");
    if (!out)
        out = in;
    if (cli_can_open(key))
        return CLI_EXIT_FAIL;
    otter_signkey_t k;
    otter_signkey_init(&k);
    int r = otter_signkey_load(&k, key);
    if (r != OTTER_OK || !k.has_private) {
        otter_signkey_free(&k);
        return cli_err("%s: %s", key,
                       r == OTTER_ERR_FILE ? "cannot read the file"
                                           : "not a usable private key "
                                             "(RSA-3072 or ECDSA P-256/P-384)");
    }
    size_t n, out_len;
    uint8_t *data = cli_read_file(in, &n), *signed_data = NULL;
    unsigned blocks = 0;
    int rc = CLI_EXIT_FAIL;
    if (!data)
        goto out;
    if (n == 0) {
        cli_err("%s: the file is empty: nothing to sign", in);
        goto out;
    }
    r = otter_sign_data(&k, data, n, append, &signed_data, &out_len, &blocks);
    if (r != OTTER_OK) {
        cli_err("cannot sign %s: %s", in, otter_host_strerror(r));
        goto out;
    }
    if (cli_write_file(out, signed_data, out_len) != 0)
        goto out;
    uint8_t digest[32];
    otter_signkey_digest(&k, digest);
    printf("signed %zu bytes of %s with %s; signature sector has %u block%s; wrote %s (%zu bytes)\nkey digest: ",
           out_len - 4096, in, otter_sig_scheme_name(k.scheme), blocks, blocks == 1 ? "" : "s", out, out_len);
    cli_print_hex(stdout, digest, 32);
    printf("\n");
    rc = CLI_EXIT_OK;
out:
    free(data);
    free(signed_data);
    otter_signkey_free(&k);
    return rc;
}
