/* otter: command-line entry point. Dispatches to tools/cmd_<name>.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Weak references: a subcommand whose file is not linked in is simply absent. */
#pragma weak otter_cmd_flash
#pragma weak otter_cmd_image
#pragma weak otter_cmd_keygen
#pragma weak otter_cmd_sign
#pragma weak otter_cmd_verify
#pragma weak otter_cmd_device
#pragma weak otter_cmd_serve
#pragma weak otter_cmd_pki
#pragma weak otter_cmd_cert
#pragma weak otter_cmd_doctor
#pragma weak otter_cmd_fetch

struct subcommand {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
};

static int usage(FILE *f, const struct subcommand *cmds, size_t n)
{
    fputs("otter: safe HTTPS over-the-air firmware updates for ESP32-family devices\n\n"
          "usage: otter <command> [options]     (otter <command> --help for more)\n\n"
          "commands:\n",
          f);
    for (size_t i = 0; i < n; i++)
        if (cmds[i].fn)
            fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
    return f == stdout ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    const struct subcommand cmds[] = {
        {"flash", otter_cmd_flash, "create, inspect and write simulated device flash images"},
        {"image", otter_cmd_image, "make and inspect ESP app images"},
        {"keygen", otter_cmd_keygen, "make a Secure Boot V2 signing key"},
        {"sign", otter_cmd_sign, "sign an app image (Secure Boot V2 signature block)"},
        {"verify", otter_cmd_verify, "verify an image's signature blocks"},
        {"device", otter_cmd_device, "run the simulated device: boot, update, confirm or roll back"},
        {"serve", otter_cmd_serve, "development HTTPS server with fault injection"},
        {"pki", otter_cmd_pki, "make a demo certificate authority and server certificate"},
        {"cert", otter_cmd_cert, "show a server's certificates and what to pin"},
        {"doctor", otter_cmd_doctor, "walk the update path a device would take and explain failures"},
        {"fetch", otter_cmd_fetch, "download, hash and write an image to a flash file"},
    };
    const size_t n = sizeof cmds / sizeof cmds[0];
    if (argc < 2)
        return usage(stderr, cmds, n);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
        return usage(stdout, cmds, n);
    if (!strcmp(argv[1], "--version")) {
        puts("otter 0.1.0");
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < n; i++)
        if (cmds[i].fn && !strcmp(argv[1], cmds[i].name))
            return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "otter: unknown command '%s'\n\n", argv[1]);
    return usage(stderr, cmds, n);
}
