/* otter: command-line entry point. Dispatches to tools/cmd_<name>.c
 * (the list is OTTER_CLI_COMMANDS in tools/cli.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

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
        fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
    return f == stdout ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    const struct subcommand cmds[] = {
#define OTTER_CLI_ENTRY(name, summary) {#name, otter_cmd_##name, summary},
        OTTER_CLI_COMMANDS(OTTER_CLI_ENTRY)
#undef OTTER_CLI_ENTRY
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
        if (!strcmp(argv[1], cmds[i].name))
            return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "otter: unknown command '%s'\n\n", argv[1]);
    return usage(stderr, cmds, n);
}
