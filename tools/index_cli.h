/* The release index on the command line: poll it the way a device does
 * (otter/index_poll.h over the POSIX transports), for `otter doctor
 * --index` (tools/doctor_index.c) and `otter device --index`
 * (tools/cmd_device.c). */
#ifndef OTTER_TOOLS_INDEX_CLI_H
#define OTTER_TOOLS_INDEX_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "otter/index_poll.h"
#include "release_cli.h"

/* What the device brings. */
typedef struct index_cli {
    const char *url;
    const char *ca; /* CA bundle file for https:// (NULL: http only) */
    const char *keys[OTTER_INDEX_MAX_KEYS];
    unsigned n_keys;
    const char *seq;  /* highest sequence accepted (NULL: 0) */
    const char *now;  /* the device's clock (NULL: now) */
    bool no_time;     /* the device has no clock */
    bool accept_without_time; /* ...and accepts an index on its seq alone */
    const char *etag; /* If-None-Match */
    release_device_opts_t dev;
} index_cli_t;

/* One index option at argv[*i]: --key --ca --seq --now --no-time --etag
 * and the device options. true when consumed. */
bool index_cli_opt(int argc, char **argv, int *i, index_cli_t *o);

/* Poll o->url once as the device o describes: the record (seq from o, on
 * flash) and the trust areas (trust, may be NULL) on flash. p gets the
 * result (its buffers are in *bufs, which must outlive p). Returns the
 * poll's code (0 or an otter error), or a CLI exit code > 0 for a bad
 * option (printed). */
typedef struct index_cli_bufs {
    uint8_t http[2048];
    uint8_t index[OTTER_INDEX_MAX_SIZE + 1];
    uint8_t id[64];
    otter_index_key_t keys[OTTER_INDEX_MAX_KEYS];
} index_cli_bufs_t;
int index_cli_poll(const index_cli_t *o, otter_index_poll_t *p, index_cli_bufs_t *bufs, otter_index_record_t *rec,
                   const otter_flash_t *flash, const otter_trust_store_t *trust);

#endif
