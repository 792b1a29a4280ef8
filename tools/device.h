/* otter device: shared between tools/cmd_device.c (options and the run) and
 * tools/device_report.c (progress bar, summary, JSON). */
#ifndef OTTER_TOOLS_DEVICE_H
#define OTTER_TOOLS_DEVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "otter/index.h"
#include "otter/otadata.h"
#include "otter/proxy.h"
#include "otter/tls.h"
#include "otter/update.h"
#include "posix_tcp.h"
#include "simdev.h"

/* Exit codes of `otter device` (documented in --help and README). */
enum {
    DEV_EXIT_UPDATED = 0,     /* new app installed, booted and confirmed */
    DEV_EXIT_FAILED = 1,      /* update failed: the old app runs, untouched */
    DEV_EXIT_USAGE = 2,       /* bad command line */
    DEV_EXIT_UP_TO_DATE = 3,  /* the server has the running version */
    DEV_EXIT_ROLLED_BACK = 4, /* new app failed its self-test: old app runs again */
};

typedef enum dev_outcome {
    DEV_UPDATED,
    DEV_UP_TO_DATE,
    DEV_ROLLED_BACK,
    DEV_FAILED,
} dev_outcome_t;

/* What one `otter device` run did, for the summary. */
typedef struct dev_result {
    dev_outcome_t outcome;
    int err;          /* code of the failure (0 if none) */
    char detail[4096]; /* the sentence a user reads (the longest TLS diagnosis, ~2.1 KB, fits) */
    char previous_version[33];
    char running_version[33];
    char running_slot[16];
    char running_state[24];
    char boot_why[256];
    char new_version[33]; /* version the update carried ("" if unknown) */
    char target_slot[16];
    otter_otadata_t od;
    bool od_ok;
    uint64_t total;
    uint64_t downloaded, redownloaded;
    uint32_t worst_redownload, resumes, restarts, steps, erases;
    bool resumed_from_journal;
    uint32_t resume_offset;       /* journal resume: the first byte this run downloaded */
    uint32_t to_download_again;   /* power cut: bytes received after the journal's last sector */
    uint64_t longest_step_us;     /* virtual flash time of the longest step */
    uint64_t flash_time_us;       /* virtual flash time of the whole run */
    uint64_t whole_slot_erase_us; /* what erasing the slot up front would block */
    uint64_t wall_ms;
    bool power_lost;
} dev_result_t;

/* Progress bar (stderr; redrawn on a terminal, a line per quarter otherwise). */
typedef struct dev_progress {
    bool tty, enabled;
    int last_quarter;
    unsigned last_pct;
} dev_progress_t;

void dev_progress_init(dev_progress_t *p, bool enabled);
void dev_progress_update(dev_progress_t *p, uint64_t done, uint64_t total);
void dev_progress_end(dev_progress_t *p);

#define MAX_CA 8
#define MAX_PINS 4

/* What the app does after an update boots it. */
typedef enum { SELF_TEST_PASS, SELF_TEST_FAIL, SELF_TEST_HANG } self_test_t;

typedef struct dev_opts {
    const char *flash, *url, *proxy;
    const char *ca[MAX_CA];
    int n_ca;
    const char *store; /* --store: roots that complete paths for --pin (default the system's) */
    uint8_t pins[MAX_PINS][32];
    int n_pins;
    uint8_t keys[3][32];
    int n_keys;
    self_test_t self_test;
    uint64_t power_cut_after;
    bool model_max, json, quiet, allow_downgrade, allow_same, erase_block, skip_hostname;
    const char *project;
    uint32_t secure_version;
    uint16_t chip;
    uint32_t read_timeout_ms;
    uint32_t deadline_ms, min_rate;
    bool allow_incomparable;
    int rolled_back; /* otter_update_rollback_rule_t */
    uint8_t unconfirmed_tries;
    /* --index URL: the release index decides (tools/device_index.c). */
    const char *index;
    const char *index_keys[3];
    int n_index_keys;
    const char *channel, *id;
    bool index_no_time;
} dev_opts_t;

/* Everything one run holds (allocated: the TLS context is large). */
typedef struct dev_ctx {
    dev_opts_t o;
    dev_result_t r;
    dev_progress_t prog;
    otter_simdev_t d;
    otter_clock_t wall;
    otter_clock_t no_wall; /* --index --no-time: the device's clock without wall time */
    otter_clock_t engine_clock; /* flash (virtual) time + network (wall) time */
    uint64_t wall0_ms;
    otter_posix_tcp_t tcp;
    otter_transport_t tcp_t, tls_t;
    otter_proxy_t proxy;
    otter_transport_t proxy_t;      /* tcp -> CONNECT proxy (with --proxy) */
    const otter_transport_t *lower; /* what http:// and TLS run on */
    otter_tls_t tls;
    otter_tls_report_t report;
    bool tls_ready;
    bool confirmed; /* the new app confirmed itself in this run */
    uint8_t http_buf[2048];
    uint8_t data_buf[4096];
    /* --index: the release it chose (URL resolved; size and SHA-256 the
     * engine insists on) */
    char index_urls[OTTER_INDEX_MAX_URLS][OTTER_HTTP_URL_MAX]; /* the release's URL and mirrors, resolved */
    unsigned n_index_urls;
    bool index_expect;
    uint32_t expect_size;
    uint8_t expect_sha256[32];
    otter_update_t up;
    FILE *out; /* human-readable lines: stdout, or stderr with --json */
} dev_ctx_t;

/* Run the device (tools/device_run.c): boot, update, reboot, self-test,
 * summary. Returns the exit code. */
int dev_run(dev_ctx_t *c);

/* --index: poll the release index (record and trust set kept in FLASH.index
 * beside the flash file). Returns 0 with c->o.url set to the release to
 * install, 1 when there is nothing to install (c->r filled: up to date),
 * or a negative error (c->r.detail says why). */
int dev_index(dev_ctx_t *c);
/* --index: the trust set in force in FILE.index (if any) replaces the CA
 * bundle *ca (freed) and the pins. 0 or an error. */
int dev_index_trust(const dev_ctx_t *c, uint8_t **ca, size_t *ca_len, uint8_t pins[][32], int *n_pins);

/* Print the summary as text (f) or as one JSON object. */
void dev_print_summary(FILE *f, const dev_result_t *r);
void dev_print_json(FILE *f, const dev_result_t *r);

/* Exit code for an outcome. */
int dev_exit_code(dev_outcome_t o);
const char *dev_outcome_name(dev_outcome_t o);

#endif
