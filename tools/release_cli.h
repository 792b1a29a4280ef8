/* otter release: what its subcommands share (tools/cmd_release.c,
 * tools/release_sign.c). */
#ifndef OTTER_TOOLS_RELEASE_CLI_H
#define OTTER_TOOLS_RELEASE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otter/index.h"

/* An index being edited: the file's bytes (the parsed strings point into
 * them) and the strings the edit added. */
typedef struct release {
    const char *path;
    uint8_t *text;
    size_t len;
    otter_index_t idx;
    bool was_signed;
    char *owned[64];
    unsigned n_owned;
} release_t;

/* Read and parse path (signed or not). CLI exit code; prints why. */
int release_load(release_t *r, const char *path);
/* Write r back to out (NULL: its own path), canonical and unsigned; a
 * signed index gets the next sequence number. CLI exit code. */
int release_save(release_t *r, const char *out);
/* Free what load and release_str allocated. */
void release_free(release_t *r);
/* A copy of s that lives as long as r ({NULL, 0} when out of memory). */
otter_index_str_t release_str(release_t *r, const char *s);
/* Print "otter: PATH: line N: words" for a parse error; CLI_EXIT_FAIL. */
int release_index_err(const release_t *r, int err);
/* Option values: a DATE, a number 0..max, --days/--expires (default now +
 * 30 days). CLI exit codes (usage errors printed). */
int release_parse_date(const char *opt, const char *s, int64_t *t);
int release_parse_num(const char *opt, const char *s, uint64_t max, uint64_t *v);
int release_expiry(const char *days, const char *date, int64_t *t);

/* Load a release key (private or public PEM) and give its public point;
 * keep (may be NULL) gets the key itself. CLI exit code; prints why. */
struct otter_signkey;
int release_load_point(const char *path, otter_index_key_t *out, struct otter_signkey *keep);

/* The device options (--running --chip --project --channel --id
 * --secure-version): what a device runs and who it is. */
typedef struct release_device_opts {
    const char *running, *chip, *project, *channel, *id, *sv;
} release_device_opts_t;
/* One of them at argv[*i] (its value consumed): true. */
bool release_device_opt(int argc, char **argv, int *i, release_device_opts_t *d);
/* The device they describe (id bytes into id, which must outlive out). CLI
 * exit code; prints why. */
int release_device(const release_device_opts_t *o, otter_index_device_t *out, uint8_t id[64]);

/* The subcommands in tools/release_sign.c. */
int release_cmd_trust(int argc, char **argv);
int release_cmd_keys(int argc, char **argv);
int release_cmd_sign(int argc, char **argv);
int release_cmd_show(int argc, char **argv);
int release_cmd_verify(int argc, char **argv);

#endif
