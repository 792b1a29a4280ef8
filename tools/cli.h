/* otter CLI: subcommand entry points and shared helpers.
 *
 * Each subcommand lives in its own tools/cmd_<name>.c and defines
 * otter_cmd_<name>(argc, argv) with argv[0] being the subcommand name. It
 * returns the process exit code. Adding one takes that file and one line in
 * OTTER_CLI_COMMANDS below: the declarations here and main.c's table of
 * subcommands are both made from that list. */
#ifndef OTTER_CLI_H
#define OTTER_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes shared by all subcommands. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAIL = 1,  /* the operation failed (bad file, bad signature, ...) */
    CLI_EXIT_USAGE = 2, /* bad command line */
};

/* The subcommands, in the order `otter --help` lists them:
 * X(name, one-line summary). */
#define OTTER_CLI_COMMANDS(X)                                                                        \
    X(flash, "create, inspect and write simulated device flash images")                              \
    X(image, "make and inspect ESP app images")                                                      \
    X(keygen, "make a Secure Boot V2 signing key")                                                   \
    X(sign, "sign an app image (Secure Boot V2 signature block)")                                    \
    X(verify, "verify an image's signature blocks")                                                  \
    X(device, "run the simulated device: boot, update, confirm or roll back")                        \
    X(serve, "development HTTPS server with fault injection")                                        \
    X(pki, "make a demo certificate authority and server certificate")                               \
    X(cert, "show a server's certificates and what to pin")                                          \
    X(doctor, "walk the update path a device would take and explain failures")                       \
    X(fetch, "download, hash and write an image to a flash file")                                    \
    X(release, "build, sign, show and verify a signed release index")

#define OTTER_CLI_DECLARE(name, summary) int otter_cmd_##name(int argc, char **argv);
OTTER_CLI_COMMANDS(OTTER_CLI_DECLARE)
#undef OTTER_CLI_DECLARE

/* Print "otter: <fmt>\n" to stderr. Returns CLI_EXIT_FAIL for `return cli_err(...)`. */
int cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, for usage errors; returns CLI_EXIT_USAGE. */
int cli_usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read a whole file into a malloc'd buffer (NUL-terminated for convenience,
 * the NUL not counted in *len). Returns NULL and prints why on failure. */
uint8_t *cli_read_file(const char *path, size_t *len);
/* Write len bytes to path (atomically: temp file + rename). 0 or -1 (printed). */
int cli_write_file(const char *path, const void *data, size_t len);

/* Parse "4M", "4MB", "1577648", "0x10000", "64K" into bytes. 0 or -1. */
int cli_parse_size(const char *s, uint64_t *out);
/* Parse exactly len bytes of hex (spaces and colons ignored). 0 or -1. */
/* Copy text from an image or a server (a version, a project name) into
 * out for printing: control characters (terminal escape sequences
 * included), backslashes and bytes >= 0x7F become \xHH, so nothing reaches
 * the terminal as a command. Always NUL-terminates (cap >= 1). Returns out. */
const char *cli_escape(const char *s, char *out, size_t cap);

int cli_parse_hex(const char *s, uint8_t *out, size_t len);
/* Print len bytes as lowercase hex. */
void cli_print_hex(FILE *f, const uint8_t *p, size_t len);
/* Print s as a JSON string literal, with quotes and escapes. */
void cli_json_str(FILE *f, const char *s);
/* Same for at most n bytes of s (stops at NUL). */
void cli_json_strn(FILE *f, const char *s, size_t n);

/* 0 if path can be opened for reading, else prints "cannot open PATH:
 * <reason>" (e.g. "No such file or directory") and returns -1. */
int cli_can_open(const char *path);

/* 0 if url is a well-formed http:// or https:// URL, else prints a usage
 * error naming opt and returns CLI_EXIT_USAGE. */
int cli_check_url(const char *opt, const char *url);

struct otter_ptable;
struct otter_partition;
/* The partition a --slot NAME means: an app slot by its subtype name
 * ("ota_0", "ota_1", "factory") or any partition by its label ("app1").
 * NULL if the table has none. */
const struct otter_partition *cli_find_slot(const struct otter_ptable *pt, const char *name);

/* argv helper: if argv[*i] is opt ("--out") return the next argument and
 * advance *i; if it is "--out=VALUE" return VALUE. NULL otherwise. Prints a
 * usage error and exits 2 if the value is missing. */
const char *cli_opt(int argc, char **argv, int *i, const char *opt);

#endif
