/* otter: an Arduino-ESP32 HttpsOTAUpdate-shaped facade over the update
 * engine, in C, for sketches that want the familiar three calls:
 *
 *   Arduino-ESP32                          otter
 *   HttpsOTA.onHttpEvent(cb)               otter_https_ota_on_http_event(&ota, cb)
 *   HttpsOTA.begin(url, cert_pem, skip)    otter_https_ota_begin(&ota, url, cert_pem, skip)
 *   HttpsOTA.status()                      otter_https_ota_status(&ota)
 *   HttpEvent_t / HTTP_EVENT_*             otter_https_ota_event_t / OTTER_HTTPS_OTA_EVENT_*
 *   HTTPS_OTA_IDLE/UPDATING/SUCCESS/FAIL   OTTER_HTTPS_OTA_IDLE/...
 *
 * Differences, on purpose:
 *   - The certificate check includes the host name unless
 *     skip_cert_common_name_check is true (Arduino's default was true:
 *     here the default an example passes is false, and a skipped check is
 *     reported in every TLS event).
 *   - server_certificate_pem may hold several certificates (a bundle: the
 *     current root and its successor) and the update is verified end to end
 *     (image checks, Secure Boot V2 signature when keys are given) before
 *     otadata is switched; the new app boots on probation.
 *   - There is no hidden task: otter_https_ota_status() does the work, a
 *     bounded slice of steps per call (cfg.slice_ms of clock time, default
 *     50 ms), so calling it from loop() drives the update and the watchdog
 *     is fed between calls. otter_https_ota_poll() does exactly one step.
 *
 * The platform pieces (flash, partition table, boot state, TCP transport,
 * clocks, entropy) come from the port, in otter_https_ota_port_t. */
#ifndef OTTER_HTTPS_OTA_H
#define OTTER_HTTPS_OTA_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otter/tls.h"
#include "otter/update.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status, as HttpsOTAStatus_t. How the update ended in detail:
 * otter_update_status(otter_https_ota_engine(ota))->outcome, and
 * otter_update_diagnose() in words. */
typedef enum otter_https_ota_status {
    OTTER_HTTPS_OTA_IDLE = 0, /* not begun, or ended up to date (the server has the running version) */
    OTTER_HTTPS_OTA_UPDATING,
    OTTER_HTTPS_OTA_SUCCESS, /* new app installed: restart to run it */
    OTTER_HTTPS_OTA_FAIL,    /* failed; the running app and otadata are unchanged */
    OTTER_HTTPS_OTA_ERR,     /* begin() refused its arguments */
} otter_https_ota_status_t;

/* Event ids, as esp_http_client_event_id_t (same order and meaning). */
typedef enum otter_https_ota_event_id {
    OTTER_HTTPS_OTA_EVENT_ERROR = 0,
    OTTER_HTTPS_OTA_EVENT_ON_CONNECTED,
    OTTER_HTTPS_OTA_EVENT_HEADER_SENT,
    OTTER_HTTPS_OTA_EVENT_ON_HEADER,
    OTTER_HTTPS_OTA_EVENT_ON_DATA,
    OTTER_HTTPS_OTA_EVENT_ON_FINISH,
    OTTER_HTTPS_OTA_EVENT_DISCONNECTED,
    OTTER_HTTPS_OTA_EVENT_REDIRECT,
} otter_https_ota_event_id_t;

/* One event, with the fields of esp_http_client_event_t a sketch reads.
 * Pointers are valid during the callback only. */
typedef struct otter_https_ota_event {
    otter_https_ota_event_id_t event_id;
    const void *data; /* ON_DATA: bytes just written to flash */
    int data_len;
    void *user_data;
    const char *header_key;   /* ON_HEADER */
    const char *header_value; /* ON_HEADER, REDIRECT */
    int err;                  /* ERROR: the otter_err_t */
} otter_https_ota_event_t;

typedef void (*otter_https_ota_event_cb)(otter_https_ota_event_t *ev);

/* What the port supplies. Pointers are kept. */
typedef struct otter_https_ota_port {
    const otter_flash_t *flash;
    const otter_ptable_t *ptable;
    otter_boot_t *boot;           /* booted */
    const otter_transport_t *tcp; /* TCP (TLS is layered on it here) */
    const otter_clock_t *clock;   /* monotonic ms (steps) and wall time (certificate dates) */
    otter_entropy_fn entropy;
    void *entropy_ctx;
    uint16_t chip_id;                 /* OTTER_CHIP_ESP32, ... */
    const uint8_t (*key_digests)[32]; /* Secure Boot V2 key digests, 0..3 */
    size_t key_digest_count;
    uint32_t slice_ms; /* work per status() call; 0: 50 ms */
    void *user_data;   /* passed in every event */
    /* The rollback rule and the deadline, as in otter_update_policy_t /
     * otter_update_config_t (zero: the engine's defaults, which never retry
     * a version that fails to confirm more than twice, and stop an update
     * after 30 minutes). */
    otter_update_rollback_rule_t rolled_back;
    uint8_t unconfirmed_tries;
    uint32_t deadline_ms;
    uint32_t min_bytes_per_s;
} otter_https_ota_port_t;

/* The facade. Caller-owned (tens of KB with the TLS context and buffers):
 * make it static. */
typedef struct otter_https_ota {
    otter_https_ota_port_t port;
    otter_https_ota_status_t status;
    otter_https_ota_event_cb cb;
    otter_update_t up;
    otter_tls_t tls;
    otter_tls_report_t report;
    otter_transport_t tls_t;
    bool tls_ready;
    uint8_t http_buf[2048];
    uint8_t data_buf[2048];
    uint8_t pem_work[2048];
} otter_https_ota_t;

/* Bind to the port. Cannot fail. */
void otter_https_ota_init(otter_https_ota_t *ota, const otter_https_ota_port_t *port);

/* HttpsOTA.onHttpEvent(cb). */
void otter_https_ota_on_http_event(otter_https_ota_t *ota, otter_https_ota_event_cb cb);

/* HttpsOTA.begin(url, server_certificate_pem, skip_cert_common_name_check):
 * sets up TLS trust from the PEM (one or more certificates; NULL for an
 * http:// URL) and starts the update; no I/O yet. Status becomes UPDATING,
 * or ERR when the arguments are refused (the error is returned too:
 * OTTER_ERR_TLS_CONFIG for an unreadable certificate, OTTER_ERR_URL, ...). */
int otter_https_ota_begin(otter_https_ota_t *ota, const char *url, const char *server_certificate_pem,
                          bool skip_cert_common_name_check);

/* HttpsOTA.status(): while UPDATING, first runs update steps for up to
 * port.slice_ms of clock time (each step bounded; see otter/update.h), then
 * returns the status. SUCCESS: the new app boots after a restart, on
 * probation; IDLE after UPDATING: up to date, nothing written; FAIL: see
 * otter_update_diagnose(). */
otter_https_ota_status_t otter_https_ota_status(otter_https_ota_t *ota);

/* Exactly one update step (for callers with their own scheduling). Returns
 * the status after it. */
otter_https_ota_status_t otter_https_ota_poll(otter_https_ota_t *ota);

/* The engine underneath (progress, outcome, otter_update_diagnose()). */
otter_update_t *otter_https_ota_engine(otter_https_ota_t *ota);

/* Release TLS state. Safe on any initialised facade. */
void otter_https_ota_free(otter_https_ota_t *ota);

#ifdef __cplusplus
}
#endif

#endif
