/* otter keygen: make a Secure Boot V2 signing key (PEM, like espsecure
 * generate_signing_key --version 2) and its public key; print the key digest
 * that goes into eFuse. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "otter/crypto.h"
#include "host_error.h"
#include "sign.h"

/* Create path exclusively (or truncate with force) with the given mode. */
static int write_new(const char *path, const char *text, mode_t mode, bool force)
{
    int fd = open(path, O_WRONLY | O_CREAT | (force ? O_TRUNC : O_EXCL), mode);
    if (fd < 0)
        return cli_err("cannot create %s: %s%s", path, strerror(errno),
                       errno == EEXIST ? " (use --force to overwrite)" : "");
    size_t len = strlen(text);
    ssize_t w = write(fd, text, len);
    if (close(fd) != 0 || w != (ssize_t)len)
        return cli_err("cannot write %s", path);
    return CLI_EXIT_OK;
}

static char *pub_path(const char *out)
{
    size_t n = strlen(out);
    char *p = malloc(n + 16);
    if (!p)
        return NULL;
    if (n > 4 && !strcmp(out + n - 4, ".pem"))
        snprintf(p, n + 16, "%.*s.pub.pem", (int)(n - 4), out);
    else
        snprintf(p, n + 16, "%s.pub.pem", out);
    return p;
}

int otter_cmd_keygen(int argc, char **argv)
{
    const char *type = NULL, *out = NULL, *v;
    bool force = false;
    for (int i = 1; i < argc; i++) {
        if ((v = cli_opt(argc, argv, &i, "--type")))
            type = v;
        else if ((v = cli_opt(argc, argv, &i, "--out")))
            out = v;
        else if (!strcmp(argv[i], "--force"))
            force = true;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            puts("usage: otter keygen --type ecdsa-p256|rsa-3072|ecdsa-p384 --out KEY.pem [--force]\n"
                 "Writes KEY.pem (private, mode 0600) and KEY.pub.pem, prints the eFuse key digest.");
            return CLI_EXIT_OK;
        } else
            return cli_usage_err("keygen: unexpected '%s'", argv[i]);
    }
    otter_sig_scheme_t scheme;
    if (!type || !out)
        return cli_usage_err("usage: otter keygen --type ecdsa-p256|rsa-3072|ecdsa-p384 --out KEY.pem");
    if (otter_sign_scheme_from_name(type, &scheme))
        return cli_usage_err("unknown key type '%s' (ecdsa-p256, rsa-3072, ecdsa-p384)", type);
    otter_signkey_t k;
    otter_signkey_init(&k);
    char *pem = malloc(8192), *pub = pub_path(out);
    uint8_t digest[32];
    int rc = CLI_EXIT_FAIL;
    if (!pem || !pub)
        goto out;
    int r = otter_signkey_generate(&k, scheme);
    if (r == OTTER_OK)
        r = otter_signkey_digest(&k, digest);
    if (r != OTTER_OK) {
        cli_err("key generation failed: %s", otter_host_strerror(r));
        goto out;
    }
    if (otter_signkey_write_pem(&k, true, pem, 8192) || write_new(out, pem, 0600, force))
        goto out;
    if (otter_signkey_write_pem(&k, false, pem, 8192) || write_new(pub, pem, 0644, force))
        goto out;
    printf("wrote %s (%s private key) and %s\nkey digest: ", out, otter_sig_scheme_name(scheme), pub);
    cli_print_hex(stdout, digest, 32);
    printf("\n");
    rc = CLI_EXIT_OK;
out:
    if (pem)
        otter_wipe(pem, 8192);
    free(pem);
    free(pub);
    otter_signkey_free(&k);
    return rc;
}
