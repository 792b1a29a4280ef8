/* otter: poll the signed release index (docs/FORMATS.md "Release index") in
 * bounded steps, and say what to install.
 *
 *   otter_index_poll_t p;                       // caller-owned (~1.5 KB + the index)
 *   otter_index_poll_init(&p, &cfg);            // ports, buffers, record, device
 *   otter_index_poll_begin(&p, index_url, etag); // no I/O; etag: kept from the last poll, or NULL
 *   while ((r = otter_index_poll_step(&p)) == OTTER_INDEX_POLL_MORE)
 *       feed_watchdog_and_yield();
 *   if (r == 0 && p.result == OTTER_INDEX_POLL_INSTALL) {
 *       otter_index_poll_url(&p, 0, url, sizeof url);  // mirror 0, resolved
 *       policy.expect_size = p.size; policy.expect_sha256 = p.sha256;
 *       ... run otter_update with url (on failure, the next mirror) ...
 *   }
 *   if (r == 0) keep p.etag for the next poll.
 *
 * The steps, each one bounded piece of work as the update engine's:
 *   - one transport operation of the request (connect, write, a read of the
 *     head), as otter_http_step(); the request carries If-None-Match with
 *     the caller's ETag, and a 304 ends the poll "not modified" (a few
 *     hundred bytes on the wire, no signature check, no flash);
 *   - one body read into the index buffer (at most OTTER_INDEX_MAX_SIZE
 *     bytes in all: a longer body is refused, OTTER_ERR_INDEX_TOO_LARGE);
 *   - the signature check and the parse (otter_index_open(): one SHA-256
 *     over at most 4 KB and one ECDSA P-256 verification), nothing of the
 *     index read before the signature has verified;
 *   - the record write (otter_index_record_accept(): one sector erase and
 *     one small program, only when the sequence number or the key set
 *     changed): stored only after the index verified, so a forged or
 *     replayed index never moves it;
 *   - with cfg.trust, when the index carries a trust set of a higher
 *     generation than the one in force (otter/index_trust.h): one sector
 *     erase of the inactive trust area per step, then the roots bundle
 *     (URL resolved against the index's) one read per step into that area,
 *     then its size and SHA-256 check, the header and one record store:
 *     the new set is in force for the next connection (trust_applied);
 *   - the decision (otter_index_decide()).
 * No allocation, no globals. */
#ifndef OTTER_INDEX_POLL_H
#define OTTER_INDEX_POLL_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otter/clock.h"
#include "otter/flash.h"
#include "otter/http.h"
#include "otter/index.h"
#include "otter/index_record.h"
#include "otter/index_trust.h"
#include "otter/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* otter_index_poll_step(): more work to do, call again. */
#define OTTER_INDEX_POLL_MORE 1

/* What a finished poll found. */
typedef enum otter_index_poll_result {
    OTTER_INDEX_POLL_NONE = 0,         /* not finished */
    OTTER_INDEX_POLL_NOT_MODIFIED = 1, /* 304: the index is the one the ETag names; nothing to do */
    OTTER_INDEX_POLL_NOTHING = 2,      /* a verified index, nothing to install (decision.reason says why) */
    OTTER_INDEX_POLL_INSTALL = 3,      /* install idx.release[decision.release] */
} otter_index_poll_result_t;

typedef struct otter_index_poll_config {
    /* Transports: tcp for http:// (NULL refuses it), tls for https://. */
    const otter_transport_t *tcp;
    const otter_transport_t *tls;
    const otter_clock_t *clock; /* required; its wall_time (if any) checks the expiry */
    /* The power-safe record (loaded with otter_index_record_load() by the
     * caller) and its flash: the highest sequence accepted and the adopted
     * release keys. */
    otter_index_record_t *record;
    const otter_flash_t *flash;
    /* The release keys provisioned at manufacture: used while the record
     * holds none (record->n_keys == 0). 1..OTTER_INDEX_MAX_KEYS. */
    const otter_index_key_t *keys;
    unsigned n_keys;
    /* See otter_index_check_t.accept_without_time. */
    bool accept_without_time;
    otter_index_device_t device; /* channel, chip, project, running version, id */
    /* HTTP buffer (>= 512 bytes) and the index buffer (>=
     * OTTER_INDEX_MAX_SIZE + 1 bytes: the one more tells a longer body). Caller-owned, from init to free; idx's
     * strings point into index_buf. */
    uint8_t *http_buf;
    size_t http_buf_len;
    uint8_t *index_buf;
    size_t index_buf_len;
    /* The trust-set areas (NULL: trust sets in an index are not adopted).
     * On the record's flash. */
    const otter_trust_store_t *trust;
    uint32_t connect_timeout_ms; /* 0: 10 s */
    uint32_t read_timeout_ms;    /* 0: 10 s */
} otter_index_poll_config_t;

/* The poll. Caller-owned (may be static); fields up to `idx` are private,
 * the results after it are valid once step() returned 0. */
typedef struct otter_index_poll {
    otter_index_poll_config_t cfg;
    otter_http_t http;
    otter_http_request_t req;
    const char *url;
    char etag_sent[OTTER_HTTP_ETAG_MAX];
    int state;
    size_t len; /* index bytes received */
    otter_trust_write_t tw;
    char roots_url[OTTER_HTTP_URL_MAX];
    /* Results. */
    otter_index_poll_result_t result;
    otter_index_t idx;               /* the verified index (NOTHING, INSTALL) */
    otter_index_decision_t decision; /* NOTHING, INSTALL */
    uint32_t size;                   /* INSTALL: the image file's size and SHA-256, for */
    uint8_t sha256[32];              /* otter_update_policy_t.expect_size / expect_sha256 */
    char etag[OTTER_HTTP_ETAG_MAX];  /* the index's ETag ("" none): send it next time */
    bool trust_applied;              /* this poll put a new trust set in force */
    int err;                         /* 0 or the error that stopped the poll */
    int http_status;                 /* last HTTP status, 0 if none */
} otter_index_poll_t;

/* Zero p and keep cfg (copied). Cannot fail. */
void otter_index_poll_init(otter_index_poll_t *p, const otter_index_poll_config_t *cfg);

/* Start a poll of url (kept, must outlive the poll) with If-None-Match etag
 * (NULL or "": none; copied). Send the ETag of the last poll that ended in
 * 0 only while the result of that poll is still at hand (kept in RAM): after
 * a reboot poll without one. No I/O. Errors: OTTER_ERR_INVAL (missing port,
 * record or keys, a buffer too small), OTTER_ERR_URL, OTTER_ERR_UNSUPPORTED,
 * OTTER_ERR_HTTP_URL_TOO_LONG. */
int otter_index_poll_begin(otter_index_poll_t *p, const char *url, const char *etag);

/* One bounded piece of work (see the top of this file). Returns
 * OTTER_INDEX_POLL_MORE, 0 (done: p->result), or a negative error (p->err):
 * HTTP and transport errors (a status other than 200 and 304:
 * OTTER_ERR_HTTP_STATUS, p->http_status), OTTER_ERR_INDEX_TOO_LARGE, every
 * error of otter_index_open() (the signature, then the parse, then
 * OTTER_ERR_INDEX_REPLAY, _EXPIRED, _NO_TIME) and of
 * otter_index_record_accept(). On any error the record is unchanged. */
int otter_index_poll_step(otter_index_poll_t *p);

/* After INSTALL: the release's URL number i (0..n_urls-1, the mirrors in
 * order) resolved against the index URL, NUL-terminated in out. Returns the
 * length, OTTER_ERR_INVAL (no such URL, not INSTALL), OTTER_ERR_URL,
 * OTTER_ERR_BUF_TOO_SMALL. */
int otter_index_poll_url(const otter_index_poll_t *p, unsigned i, char *out, size_t cap);

/* Close the connection. Safe on any initialised poll. */
void otter_index_poll_free(otter_index_poll_t *p);

#ifdef __cplusplus
}
#endif

#endif
