/* otter: the update engine. Downloads an app image over HTTP(S) into the
 * inactive OTA slot, checks it while it streams, and makes it boot next on
 * probation; a failure at any point leaves the running app and otadata as
 * they were.
 *
 *   otter_update_t up;                      // caller-owned (5 KB on Cortex-M4)
 *   otter_update_init(&up, &cfg);           // ports, policy, buffers
 *   otter_update_begin(&up, url);           // no I/O yet
 *   int r;
 *   while ((r = otter_update_step(&up)) == OTTER_UPDATE_MORE)
 *       feed_watchdog_and_yield();          // the caller's job, see below
 *   if (r == 0) r = otter_update_finish(&up);   // verify + switch
 *   if (r < 0) log(otter_update_diagnose(&up, buf, sizeof buf));
 *   otter_update_free(&up);
 *
 * The watchdog contract. Each otter_update_step() call does ONE bounded piece
 * of work and returns:
 *   - one flash erase (one 4 KB sector; a 64 KB block only when
 *     cfg.erase_block is set and the flash has blocks), and nothing else; or
 *   - one network read into the caller's data buffer (at most data_buf_len
 *     bytes, waiting at most read_timeout_ms), followed by the programs of
 *     those bytes into sectors that are already erased; or
 *   - programs of bytes already at hand (at most data_buf_len bytes) plus
 *     one-byte journal writes; or
 *   - reading back and re-hashing at most data_buf_len bytes of a resumed
 *     download; or
 *   - one connection set-up: TCP connect, TLS handshake, the request and the
 *     response headers (network time only, bounded by the timeouts).
 * Sectors are erased one at a time just ahead of the write pointer; the slot
 * is never erased up front. With the typical SPI NOR model (4 KB erase 45 ms,
 * 256-byte page 0.4 ms) and a 4 KB data buffer no step blocks on flash for
 * more than ~46 ms. Between steps the caller feeds its watchdog and yields
 * (vTaskDelay(1) on FreeRTOS). otter_update_finish() does the signature check
 * and one otadata write (one erase + three small programs).
 *
 * Decisions come before any erase: the HTTP status (200, or 206 on a
 * resume), Content-Type (not text/html), the length (fits the slot minus the
 * journal sector), the image header (an app for this chip) and the app
 * description (policy: newer than the running app unless allowed,
 * secure_version at least the device's, project name if configured). When
 * the image is the running version the update ends "up to date" with
 * nothing written.
 *
 * Resume: a cut connection (closed, reset, stalled past read_timeout_ms) is
 * reconnected with Range from the next byte to program and If-Range with the
 * ETag (or Last-Modified); nothing already programmed is fetched again.
 * Across a reboot, a journal in the last sector of the target slot
 * (docs/FORMATS.md, "Update journal") says which sectors are complete: the
 * engine re-reads and re-hashes them, then asks for the rest, so at most the
 * one sector that was being written is downloaded again. If the file changed
 * on the server (ETag/Last-Modified differ) the download starts over. */
#ifndef OTTER_UPDATE_H
#define OTTER_UPDATE_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otter/boot.h"
#include "otter/clock.h"
#include "otter/flash.h"
#include "otter/http.h"
#include "otter/image.h"
#include "otter/partition.h"
#include "otter/tls_report.h"
#include "otter/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* otter_update_step(): more work to do, call again. */
#define OTTER_UPDATE_MORE 1

/* Smallest buffers otter_update_init() accepts. The data buffer carries
 * the download to flash and reads the signature sector back in pieces
 * (OTTER_SIG_WORK_MIN); 1024 to 2048 is the recommended size (more only
 * means fewer, larger flash programs). One rare path wants a whole flash
 * sector: a power cut that tears the program of the image's first byte
 * (held back until the image is verified) is repaired by rewriting that
 * sector through the buffer; with a smaller buffer that attempt fails
 * with OTTER_ERR_FLASH_VERIFY, the journal is given up and the next
 * attempt downloads the image again (the running app is never touched). */
#define OTTER_UPDATE_DATA_BUF_MIN 1024u
#define OTTER_UPDATE_HTTP_BUF_MIN 512u

/* Default overall deadline of one update (otter_update_config_t). */
#define OTTER_UPDATE_DEADLINE_DEFAULT_MS (30u * 60u * 1000u)

/* Where an update is. */
typedef enum otter_update_phase {
    OTTER_UPDATE_PHASE_IDLE = 0, /* initialised, no begin() yet */
    OTTER_UPDATE_PHASE_START,    /* begin() called: choose slot, read journal */
    OTTER_UPDATE_PHASE_REHASH,   /* re-reading what a previous run wrote */
    OTTER_UPDATE_PHASE_CONNECT,  /* connecting, requesting, reading headers */
    OTTER_UPDATE_PHASE_DECIDE,   /* reading the image header and app description */
    OTTER_UPDATE_PHASE_PREPARE,  /* starting the journal */
    OTTER_UPDATE_PHASE_DOWNLOAD, /* streaming into flash */
    OTTER_UPDATE_PHASE_VERIFY,   /* image and signature checks */
    OTTER_UPDATE_PHASE_READY,    /* verified; otter_update_finish() switches */
    OTTER_UPDATE_PHASE_DONE,     /* finished (updated or up to date) */
    OTTER_UPDATE_PHASE_FAILED,   /* stopped with an error (see detail) */
} otter_update_phase_t;

/* How an update ended. */
typedef enum otter_update_outcome {
    OTTER_UPDATE_OUTCOME_NONE = 0,   /* not ended yet */
    OTTER_UPDATE_OUTCOME_UPDATED,    /* new slot boots next, on probation */
    OTTER_UPDATE_OUTCOME_UP_TO_DATE, /* server has the running version: nothing written */
    OTTER_UPDATE_OUTCOME_FAILED,     /* error; running app and otadata untouched */
    OTTER_UPDATE_OUTCOME_ABORTED,    /* otter_update_abort() */
} otter_update_outcome_t;

/* Event kinds. The first seven mirror Arduino-ESP32's HttpEvent_t
 * (esp_http_client_event_id_t) so a facade can forward them one to one. */
typedef enum otter_update_event_kind {
    OTTER_UPDATE_EV_ERROR = 0,    /* HTTP_EVENT_ERROR: the update failed (err, detail) */
    OTTER_UPDATE_EV_CONNECTED,    /* HTTP_EVENT_ON_CONNECTED: TCP (+TLS) up */
    OTTER_UPDATE_EV_HEADER_SENT,  /* HTTP_EVENT_HEADER_SENT: request written */
    OTTER_UPDATE_EV_HEADER,       /* HTTP_EVENT_ON_HEADER: key / value of a response header */
    OTTER_UPDATE_EV_DATA,         /* HTTP_EVENT_ON_DATA: body bytes programmed (progress) */
    OTTER_UPDATE_EV_FINISH,       /* HTTP_EVENT_ON_FINISH: whole body received */
    OTTER_UPDATE_EV_DISCONNECTED, /* HTTP_EVENT_DISCONNECTED */
    OTTER_UPDATE_EV_REDIRECT,     /* HTTP_EVENT_REDIRECT: followed a Location */
    OTTER_UPDATE_EV_TLS,          /* handshake report (tls_report); err set when it failed */
    OTTER_UPDATE_EV_DECISION,     /* decided: update, up to date, or refused (err) */
    OTTER_UPDATE_EV_ERASE,        /* about to erase [offset, offset + len) */
    OTTER_UPDATE_EV_RESUME,       /* continuing at offset (after a cut or a reboot) */
    OTTER_UPDATE_EV_RESTART,      /* file changed on the server: starting over */
    OTTER_UPDATE_EV_VERIFIED,     /* image (and signature) verified */
    OTTER_UPDATE_EV_SWITCHED,     /* otadata written: new slot boots next */
} otter_update_event_kind_t;

/* One event. Pointers are valid only during the callback. */
typedef struct otter_update_event {
    otter_update_event_kind_t kind;
    int err;                  /* ERROR / DECISION: the code (0 for "update") */
    const char *header_key;   /* HEADER */
    const char *header_value; /* HEADER, REDIRECT (the new URL) */
    const uint8_t *data;      /* DATA: the bytes just programmed */
    size_t data_len;
    uint32_t offset;                      /* DATA: file offset of data; ERASE/RESUME: offset */
    uint32_t len;                         /* ERASE: bytes erased */
    uint32_t done, total;                 /* progress after this event */
    const otter_tls_report_t *tls_report; /* TLS */
    const otter_app_desc_t *app;          /* DECISION: the image's app description (may be NULL) */
} otter_update_event_t;

typedef void (*otter_update_event_fn)(void *ctx, const otter_update_event_t *ev);

/* Which rolled-back versions are refused again (the rollback rule). */
typedef enum otter_update_rollback_rule {
    /* Default: refuse the version whose own self-test rejected it (otadata
     * INVALID) at once. One that only failed to confirm (ABORTED: power
     * lost, hang, watchdog reset during its first boot) is installed again
     * until it has been switched to unconfirmed_tries times (default 2),
     * then refused too: a build that hangs is never retried without end. */
    OTTER_UPDATE_REFUSE_REJECTED = 0,
    /* Refuse both INVALID and ABORTED versions at once (what ESP-IDF's
     * esp_https_ota does): a power cut during the first boot then blocks
     * that version. */
    OTTER_UPDATE_REFUSE_UNCONFIRMED = 1,
    /* Never refuse for this reason (a hanging build is retried forever). */
    OTTER_UPDATE_REFUSE_NONE = 2,
} otter_update_rollback_rule_t;

/* What may be installed. */
typedef struct otter_update_policy {
    /* Install only a newer version than the running one (default). With
     * allow_downgrade, an older one is installed too; with allow_same also
     * the same version (otherwise "up to date"). The version rule (see
     * otter_update_version_cmp()): the leading numbers decide, then
     * release / git describe / pre-release. A version the rule cannot
     * compare with the running one is refused (OTTER_ERR_UPD_VERSION)
     * unless allow_incomparable (or allow_downgrade) is set; then any
     * different text counts as an update (ESP-IDF's rule). */
    bool allow_downgrade;
    bool allow_same;
    bool allow_incomparable;
    /* Running app's version; NULL: read from the running slot. */
    const char *running_version;
    /* Device's anti-rollback secure_version (eFuse); images below it are
     * refused. */
    uint32_t min_secure_version;
    /* If not NULL, the image's project_name must equal it. */
    const char *project_name;
    /* Expected chip id (OTTER_CHIP_ESP32, ...) and revision (major*100+minor,
     * 0: do not check the revision range). */
    uint16_t chip_id;
    uint16_t chip_rev;
    /* Secure Boot V2 key digests trusted for the signature sector (SHA-256
     * of the public key as burnt into eFuse), 0..3. When any is given, a
     * signature is required unless allow_unsigned is set. */
    const uint8_t (*key_digests)[32];
    size_t key_digest_count;
    bool allow_unsigned;
    /* An image with the same version as the app that was rolled back from
     * the target slot: see otter_update_rollback_rule_t. */
    otter_update_rollback_rule_t rolled_back;
    /* OTTER_UPDATE_REFUSE_REJECTED: how many switches to a version that
     * then never confirmed are allowed before it is refused (0: 2). Counted
     * in the slot's journal (docs/FORMATS.md). */
    uint8_t unconfirmed_tries;
    /* What a verified release index (otter/index.h) says the file is, set
     * from its decision: expect_size bytes (0: not checked) and the
     * SHA-256 of the whole file as served (NULL: not checked; 32 bytes,
     * kept, must outlive the update), the two values `otter release add`
     * records. A Content-Length that differs is refused before anything is
     * erased (OTTER_ERR_UPD_SIZE_MISMATCH); a file whose bytes hash to
     * anything else is refused after the download, before its first byte
     * and otadata are written (OTTER_ERR_UPD_DIGEST_MISMATCH). This holds
     * with Secure Boot keys or without: the device installs only what the
     * index's key signed for, whatever the server or CDN sends. */
    uint32_t expect_size;
    const uint8_t *expect_sha256;
} otter_update_policy_t;

/* Everything the engine needs. Pointers are kept: the objects must outlive
 * the update context. */
typedef struct otter_update_config {
    const otter_flash_t *flash;   /* required */
    const otter_ptable_t *ptable; /* required: the device's partition table */
    /* required: the running slot known, from the platform (a port's
     * otter_boot_set_running(), e.g. ESP-IDF's esp_ota_get_running_partition();
     * the simulator's boot), never by running otter_boot_select() in an app. */
    otter_boot_t *boot;
    /* The slot to write: NULL picks otter_boot_next_update_slot(). Whatever
     * it is, a target that is the running slot or overlaps it is refused
     * (OTTER_ERR_UPD_RUNNING_SLOT) before anything is erased. */
    const otter_partition_t *target;
    /* Transports: tcp for http:// URLs (NULL refuses them), tls for
     * https:// (an otter_tls transport whose trust the caller configured;
     * NULL refuses https). */
    const otter_transport_t *tcp;
    const otter_transport_t *tls;
    /* The report the TLS context fills (optional): passed in the TLS event
     * and used by otter_update_diagnose(). */
    const otter_tls_report_t *tls_report;
    const otter_clock_t *clock; /* required (timeouts, step timing) */
    otter_update_policy_t policy;
    otter_update_event_fn on_event; /* optional */
    void *event_ctx;
    /* HTTP request/headers buffer (>= OTTER_UPDATE_HTTP_BUF_MIN; 1024-2048
     * typical) and data buffer (>= OTTER_UPDATE_DATA_BUF_MIN). Caller-owned,
     * used from init to free. */
    uint8_t *http_buf;
    size_t http_buf_len;
    uint8_t *data_buf;
    size_t data_buf_len;
    /* Erase 64 KB blocks where a whole block lies ahead of the write pointer
     * (150 ms typical per erase). Off by default. */
    bool erase_block;
    /* Timeouts in ms (0: defaults 10000 connect, 10000 read, no deadline). */
    uint32_t connect_timeout_ms;
    uint32_t read_timeout_ms;
    /* Overall deadline of one update, from otter_update_begin() to the
     * end, in ms of cfg.clock (0: default OTTER_UPDATE_DEADLINE_DEFAULT_MS,
     * 30 minutes; UINT32_MAX: none). Past it the update stops with
     * OTTER_ERR_HTTP_DEADLINE; the journal is kept, so the next attempt
     * resumes. A server that drips a byte every few seconds never trips
     * read_timeout_ms, but it trips this. */
    uint32_t deadline_ms;
    /* Minimum throughput: while connecting or downloading, fewer than
     * min_bytes_per_s bytes per second on average over each window of
     * rate_window_ms (0: 60000) stops the update with
     * OTTER_ERR_UPD_TOO_SLOW (journal kept). 0: no minimum (default). */
    uint32_t min_bytes_per_s;
    uint32_t rate_window_ms;
    /* Reconnects allowed in a row without progress (0: default 5). */
    uint8_t max_retries;
    /* Extra request header line(s) without CRLF, e.g. "Authorization: ..."
     * (NULL: none). */
    const char *extra_header;
} otter_update_config_t;

/* Progress and state, readable at any time. */
typedef struct otter_update_status {
    otter_update_phase_t phase;
    otter_update_outcome_t outcome;
    int err;                   /* 0 or the error that stopped the update */
    uint32_t done;             /* bytes of the file programmed (and hashed) */
    uint32_t total;            /* file length (0 until known) */
    uint64_t downloaded;       /* body bytes received, all requests together */
    uint64_t redownloaded;     /* of which bytes received more than once */
    uint32_t worst_redownload; /* most bytes received again after one cut */
    uint32_t resumes;          /* reconnects with Range (cut or reboot) */
    uint32_t restarts;         /* start-overs because the file changed */
    uint32_t erases;           /* erase operations done */
    uint32_t steps;            /* step()/finish() calls */
    uint32_t longest_step_ms;  /* longest step()/finish() call by cfg.clock */
    uint8_t target_slot;       /* slot written (OTTER_PT_SUBTYPE_OTA(n)) */
    uint32_t target_size;      /* its size in bytes (0 until chosen) */
    uint32_t received;         /* file offset of the next body byte to receive */
    uint32_t journalled;       /* bytes the slot's journal records as programmed
                                  (whole sectors; what a resume after a power cut keeps) */
    uint32_t resumed_at;       /* resumed_from_journal: bytes the journal had recorded */
    bool resumed_from_journal; /* this run continued a previous run's download */
    bool have_app;             /* app is the image's app description */
    otter_app_desc_t app;
    char running_version[33];
} otter_update_status_t;

/* Where and why it failed: the parts of a sentence. */
typedef struct otter_update_detail {
    int err;                    /* the error code */
    otter_update_phase_t phase; /* phase it happened in */
    int http_status;            /* last HTTP status, 0 if none */
    uint32_t offset;            /* file offset reached */
    int module_err;             /* a lower module's code when err wraps one */
    char expected[48];          /* policy: what was required ("newer than 1.1.0") */
    char got[48];               /* policy: what the image had ("1.0.0") */
} otter_update_detail_t;

/* The engine's state, one part per source file of the engine (each file
 * writes only its own part). Fields are private. */

/* update_net.c: the request, the response and where the body is. */
typedef struct otter_update_net {
    otter_http_t http;
    otter_http_request_t req;
    uint32_t received;   /* file offset of the next byte to receive */
    uint32_t high_water; /* most bytes ever received (re-download accounting) */
    uint32_t skip;       /* body bytes to drop (server ignored Range) */
    uint32_t cut_redl;   /* bytes received again since the last cut */
    uint8_t retries;
    uint8_t prev_http_phase;
    bool in_request;                     /* an HTTP request is open */
    bool whole_again;                    /* server ignores Range: ask for the whole file, drop `skip` bytes */
    bool open_length;                    /* no Content-Length: total is the slot capacity until the body ends */
    char validator[OTTER_HTTP_ETAG_MAX]; /* ETag or Last-Modified of the file */
} otter_update_net_t;

#define OTTER_JOURNAL_VALIDATOR_MAX 70u /* ETag / Last-Modified bytes kept */

/* Which HTTP validator the journal holds. */
enum {
    OTTER_JOURNAL_VALIDATOR_NONE = 0,
    OTTER_JOURNAL_VALIDATOR_ETAG = 1,
    OTTER_JOURNAL_VALIDATOR_LAST_MODIFIED = 2,
};

/* One download as the resume journal describes it (private: the journal
 * functions are in src/update_journal.h). Filled by the engine before
 * otter_journal_write_header(), or by otter_journal_load(). */
typedef struct otter_journal {
    uint32_t addr;        /* flash address of the journal sector */
    uint32_t sector_size; /* flash sector size the progress bytes count in */
    uint32_t slot_addr;   /* first byte of the slot being written */
    uint32_t total;       /* bytes of the whole file being downloaded */
    uint8_t url_hash[32]; /* SHA-256 of the URL as given to begin() */
    uint8_t validator_kind;
    uint8_t validator_len;
    char validator[OTTER_JOURNAL_VALIDATOR_MAX + 1]; /* NUL-terminated */
    /* Filled by load: */
    uint32_t sectors_done; /* leading progress bytes that are not 0xFF */
    uint8_t complete;      /* 1 if the complete marker is set */
    uint8_t abandoned;     /* 1 if the abandoned marker is set */
    uint8_t installs;      /* times otadata was switched to this image: complete + install bytes */
} otter_journal_t;

/* update_write.c: the target slot, the pending bytes and the journal. */
typedef struct otter_update_write {
    otter_journal_t journal;
    uint32_t erased_to;     /* slot offset up to which sectors are erased */
    uint32_t marked;        /* journal progress bytes written (sectors) */
    uint32_t pend_off;      /* pending bytes in data_buf: [pend_off, pend_len) */
    uint32_t pend_len;
    uint32_t pend_file_off; /* file offset of data_buf[pend_off] */
    uint32_t rehash_to;     /* REHASH: bytes to re-read */
    uint32_t keep_to;       /* bytes at the start of the slot already in flash (re-checked, not programmed) */
    uint8_t first_byte;     /* the image's first byte, programmed last (finish) */
    bool journal_erased;    /* PREPARE: journal sector erased */
    bool journal_live;      /* journal header written for this download */
} otter_update_write_t;

/* update_policy.c: what the decision compares against, and its verdict. */
typedef struct otter_update_verdict {
    bool decided;                 /* the policy accepted the image */
    char rolled_back_version[33]; /* version rolled back from the target slot */
    char carry_version[33];       /* ABORTED version still allowed in the target slot... */
    uint8_t carry_installs;       /* ...and how often it was switched to */
    otter_sha256_t file_sha;      /* policy.expect_sha256: every file byte fed so far, in order */
    bool file_sha_live;           /* file_sha started and not finished */
} otter_update_verdict_t;

/* The engine. Caller-owned; may be static (its size is public so that no
 * one needs malloc). Opaque: the fields are the engine's own and change
 * between versions; apps and tools read otter_update_status() and
 * otter_update_detail(), never the fields. */
typedef struct otter_update {
    otter_update_config_t cfg;
    const char *url;
    otter_update_status_t st;
    otter_update_detail_t detail;
    const otter_partition_t *target;
    otter_image_t img;
    uint8_t url_hash[32];
    uint64_t t_begin;   /* cfg.clock at begin() */
    uint64_t win_start; /* rate window: start time and bytes downloaded then */
    uint64_t win_bytes;
    otter_update_net_t net;
    otter_update_write_t wr;
    otter_update_verdict_t pol;
} otter_update_t;

/* Zero the context and keep cfg (copied). Cannot fail; problems with cfg are
 * reported by otter_update_begin(). */
void otter_update_init(otter_update_t *u, const otter_update_config_t *cfg);

/* Start an update from url (http:// or https://; kept, must outlive the
 * update). Does no I/O: the work happens in otter_update_step(). Can be
 * called again after the previous update ended. Errors: OTTER_ERR_INVAL
 * (missing port, buffer too small), OTTER_ERR_URL, OTTER_ERR_STATE (an
 * update is running). */
int otter_update_begin(otter_update_t *u, const char *url);

/* Do one bounded piece of work (see the top of this file). Returns
 * OTTER_UPDATE_MORE (call again), 0 (ended: READY, call finish(), or DONE up
 * to date), or a negative otter_err_t (failed; the running app and otadata
 * are untouched; otter_update_detail() and otter_update_diagnose() say why).
 * Errors include every image, signature, HTTP, TLS, transport and flash
 * error, and OTTER_ERR_UPD_* (content type, too large, older, secure
 * version, project, unsigned, rolled back version, no length, no slot). */
int otter_update_step(otter_update_t *u);

/* After step() returned 0: if the outcome is UP_TO_DATE, nothing to do
 * (returns 0). Otherwise (READY) write otadata once so the target slot boots
 * next on probation (state NEW) and mark the journal complete. Returns 0, or
 * OTTER_ERR_STATE (not ready), otadata/flash errors. */
int otter_update_finish(otter_update_t *u);

/* Stop now: close the connection, keep the journal (a later begin() with the
 * same URL resumes). Outcome ABORTED, err OTTER_ERR_UPD_ABORTED. Safe in any
 * state. */
void otter_update_abort(otter_update_t *u);

/* Progress and state (points into u). */
const otter_update_status_t *otter_update_status(const otter_update_t *u);
/* The failure detail (points into u; err 0 if none). */
const otter_update_detail_t *otter_update_detail(const otter_update_t *u);

/* One or two sentences a user can act on, for the last failure (or the
 * outcome when there is none): what failed, with the numbers, and that the
 * running app and otadata are unchanged. Writes at most len bytes
 * (NUL-terminated, truncated) and returns buf. */
const char *otter_update_diagnose(const otter_update_t *u, char *buf, size_t len);

/* Words for a phase ("download") / outcome ("updated"). Static storage. */
const char *otter_update_phase_name(otter_update_phase_t p);
const char *otter_update_outcome_name(otter_update_outcome_t o);

/* Compare two version strings as the policy does: < 0, 0, > 0.
 *   - surrounding spaces and a leading v/V are ignored;
 *   - the leading numeric part (up to 8 dot-separated numbers of up to 9
 *     digits; missing ones are 0: "1.2" = "1.2.0") decides when it differs,
 *     whatever follows it ("0.9.0 (factory)" < "1.0.0");
 *   - equal numbers: a semver pre-release ("-rc.1") < the release ("",
 *     "+build", "-dirty" all equal) < git describe "-N-gHASH[-dirty]"
 *     (ordered by N); pre-releases compare as semver 2.0 says.
 * *comparable (may be NULL) is false when the rule cannot order them (no
 * leading number, more than 8 numbers, another suffix such as "_rc1",
 * equal describe distance with another hash); the result is then the text
 * order of the trimmed strings and only "equal or not" means anything. */
int otter_update_version_cmp(const char *a, const char *b, bool *comparable);

/* The decisions the engine makes before it erases anything, as pure
 * functions, so that a diagnosis tool (otter doctor) runs the same code as
 * the device.
 *
 * otter_update_check_head(): the response head of the first request, for a
 * slot that takes `capacity` bytes (slot size minus the journal sector).
 * Returns 0 with *total (0 when the server did not say how long the body
 * is: chunked, or ended by closing the connection; the engine then reads
 * to the end of the body, bounded by the slot, and the app image says
 * where it ends), or OTTER_ERR_UPD_CONTENT_TYPE (text/html),
 * OTTER_ERR_UPD_TOO_LARGE (*total set), OTTER_ERR_UPD_NO_LENGTH (a
 * Content-Range with an unknown total). */
int otter_update_check_head(const otter_http_response_t *r, uint32_t capacity, uint64_t *total);

/* otter_update_decide(): the policy once the image header and app
 * description are known (info after otter_image_early_verdict() == 0).
 * running_version "" or NULL: unknown (no version check);
 * rolled_back_version NULL or "": none. Returns 0 (install),
 * OTTER_UPDATE_MORE (the running version: up to date), or
 * OTTER_ERR_IMG_CHIP_REV, OTTER_ERR_UPD_SECURE_VERSION, _PROJECT,
 * _ROLLED_BACK, _OLDER, _VERSION. detail (may be NULL) gets expected/got. */
int otter_update_decide(const otter_update_policy_t *p, const otter_image_info_t *info, const char *running_version,
                        const char *rolled_back_version, otter_update_detail_t *detail);

/* Close the connection and wipe hash state. Safe on any initialised context. */
void otter_update_free(otter_update_t *u);

/* For host tools and the simulator, not for the app: what an unfinished
 * download left in the resume journal of `slot` (its last sector), read
 * before an update starts. buf (len >= 64) is scratch. Returns 0 with *done
 * (bytes recorded as programmed, whole sectors) and *total (the file's
 * length), OTTER_ERR_UPD_JOURNAL when there is no unfinished journal (none,
 * torn, complete or abandoned), OTTER_ERR_INVAL (bad geometry), or a flash
 * error. Reads only. */
int otter_update_journal_peek(const otter_flash_t *f, const otter_partition_t *slot, uint8_t *buf, size_t len,
                              uint32_t *done, uint32_t *total);

#ifdef __cplusplus
}
#endif

#endif
