/* otter on ESP-IDF: a whole HTTPS update in one call, or step by step.
 *
 *   static otter_esp_ota_t ota;               // ~30 KB: make it static
 *   otter_esp_ota_config_t cfg = OTTER_ESP_OTA_CONFIG_DEFAULT();
 *   cfg.url = CONFIG_EXAMPLE_URL;
 *   cfg.ca_pem = root_ca_pem;                 // or cfg.pins, or cfg.crt_bundle
 *   cfg.on_done = done;                       // or esp_event: OTTER_ESP_EVENT
 *   ESP_ERROR_CHECK(otter_esp_ota_start_task(&ota, &cfg));
 *
 * or, scheduling it yourself:
 *
 *   otter_esp_ota_init(&ota, &cfg);
 *   otter_esp_ota_begin(&ota);
 *   esp_err_t r;
 *   while ((r = otter_esp_ota_step(&ota)) == OTTER_ESP_ERR_IN_PROGRESS)
 *       vTaskDelay(1);                        // feeds the task watchdog
 *   if (r == ESP_OK) r = otter_esp_ota_finish(&ota);
 *   if (r != ESP_OK) ESP_LOGE(TAG, "%s", otter_esp_ota_explain(&ota, buf, sizeof buf));
 *
 * Each step does one bounded piece of work (one 4 KB erase, or one network
 * read and its programs, ...: otter/update.h), so the task watchdog stays
 * fed. The running slot is the one esp_ota_get_running_partition() names;
 * the update goes to esp_ota_get_next_update_partition(NULL), and the flash
 * port can write only that slot and otadata. The new app boots on
 * probation (otadata NEW): it must call otter_esp_mark_app_valid() or
 * esp_ota_mark_app_valid_cancel_rollback() (either works on otadata the
 * other wrote), else the bootloader rolls back (needs
 * CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE).
 *
 * Results are esp_err_t; otter's own code and a sentence saying what failed
 * and what to do are one call away (otter_esp_ota_otter_err,
 * otter_esp_ota_explain). */
#ifndef OTTER_ESP_H
#define OTTER_ESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"
#include "esp_partition.h"
#include "otter/tls.h"
#include "otter/update.h"
#include "otter_esp_config.h"
#include "otter_esp_port.h"

#ifdef __cplusplus
extern "C" {
#endif

/* esp_err_t codes of this component (others are ESP-IDF's own). */
#define OTTER_ESP_ERR_BASE 0x7A00
/* otter_esp_ota_step(): more to do, call again (as ESP_ERR_HTTPS_OTA_IN_PROGRESS). */
#define OTTER_ESP_ERR_IN_PROGRESS (OTTER_ESP_ERR_BASE + 1)
/* The network, TLS or HTTP failed (otter_esp_ota_explain() says how). */
#define OTTER_ESP_ERR_NETWORK (OTTER_ESP_ERR_BASE + 2)
/* The server's certificate is not trusted, or the trust is misconfigured. */
#define OTTER_ESP_ERR_TLS_TRUST (OTTER_ESP_ERR_BASE + 3)
/* The image was refused by policy (older, other project, secure version,
 * unsigned, the version that was rolled back). */
#define OTTER_ESP_ERR_POLICY (OTTER_ESP_ERR_BASE + 4)
/* The update was aborted (otter_esp_ota_abort). */
#define OTTER_ESP_ERR_ABORTED (OTTER_ESP_ERR_BASE + 5)

/* How the update ended, for on_done and the DONE event. */
typedef struct otter_esp_ota_result {
    esp_err_t err;                   /* ESP_OK: updated or up to date */
    int otter_err;                   /* otter's code (0 on success) */
    otter_update_outcome_t outcome;  /* UPDATED: reboot to run it; UP_TO_DATE */
    const otter_update_status_t *status; /* progress figures, version found */
} otter_esp_ota_result_t;

typedef void (*otter_esp_ota_done_fn)(void *ctx, const otter_esp_ota_result_t *result);

/* What to update from and what to trust. Strings are kept: they must
 * outlive the update (the URL is copied). */
typedef struct otter_esp_ota_config {
    const char *url;         /* https://... (http:// only when allow_http) */
    bool allow_http;
    /* Trust, any combination (at least one for https):
     *   ca_pem     PEM roots, NUL-terminated, one or more certificates
     *              (give the root and its successor, not an intermediate);
     *   pins       SPKI SHA-256 pins ("sha256//base64" or hex), NULL-ended;
     *   crt_bundle ESP-IDF's certificate bundle (CONFIG_MBEDTLS_CERTIFICATE_BUNDLE;
     *              ESP_ERR_NOT_SUPPORTED without it), attached to otter's
     *              mbedTLS config through otter_tls_config_t.backend_setup.
     *              Its roots replace ca_pem's; pins still apply. */
    const char *ca_pem;
    const char *const *pins;
    bool crt_bundle;
    /* Offer TLS 1.2 only (default: Kconfig's "TLS versions"). */
    bool tls12_only;
    /* OTTER_TLS_* option flags (otter/tls.h), e.g.
     * OTTER_TLS_INSECURE_SKIP_HOSTNAME_CHECK (lab setups only; every report
     * and explanation then says the host name was not checked). */
    uint32_t tls_flags;
    /* What may be installed (chip id, downgrade, project, Secure Boot V2 key
     * digests, rollback rule). running_version NULL: read from the running
     * slot. */
    otter_update_policy_t policy;
    uint32_t connect_timeout_ms, read_timeout_ms; /* 0: Kconfig defaults */
    const char *extra_header; /* e.g. "Authorization: Bearer ..." */
    /* Reports: every engine event (progress, TLS report, decision, ...) and
     * the end. Called from the update task. */
    otter_update_event_fn on_event;
    otter_esp_ota_done_fn on_done;
    void *ctx;
    /* Also post OTTER_ESP_EVENT events on the default loop (device builds
     * with CONFIG_OTTER_ESP_EVENT; ignored elsewhere). */
    bool post_events;
    /* Update task: 0 for the Kconfig defaults; core tskNO_AFFINITY (-1)
     * unless set. */
    uint32_t task_stack;
    unsigned task_priority;
    int task_core;
} otter_esp_ota_config_t;

#define OTTER_ESP_OTA_CONFIG_DEFAULT() \
    { .tls12_only = CONFIG_OTTER_TLS12_ONLY, \
      .policy = {.chip_id = CONFIG_IDF_FIRMWARE_CHIP_ID, .rolled_back = (otter_update_rollback_rule_t)CONFIG_OTTER_ROLLBACK_RULE, \
                 .allow_incomparable = OTTER_ESP_ALLOW_INCOMPARABLE}, \
      .task_core = -1 }

/* The update: caller-owned, fields private. Static (it holds the TLS
 * context, the engine and the buffers). */
typedef struct otter_esp_ota {
    otter_esp_ota_config_t cfg;
    char url[CONFIG_OTTER_URL_MAX];
    otter_ptable_t pt;
    otter_boot_t boot;
    otter_esp_flash_t flash;
    otter_esp_tcp_t tcp;
    otter_transport_t tcp_t;
    otter_clock_t clock;
    otter_tls_t tls;
    otter_tls_report_t report;
    otter_transport_t tls_t;
    otter_update_t up;
    const esp_partition_t *running;
    const esp_partition_t *target;
    int otter_err;
    esp_err_t result;
    bool ready;
    bool engine_set; /* the engine was set up: its detail can be explained */
    bool tls_ready;
    volatile bool abort_req;
    void *task;
    uint8_t pins[OTTER_TLS_MAX_PINS][32];
    uint8_t http_buf[CONFIG_OTTER_HTTP_BUF_SIZE];
    uint8_t data_buf[CONFIG_OTTER_DATA_BUF_SIZE];
    uint8_t pem_work[CONFIG_OTTER_PEM_WORK_SIZE];
} otter_esp_ota_t;

/* Bind ota to the device and cfg: the partition table from ESP-IDF's list,
 * the running slot, the update slot, the flash port (writes limited to the
 * update slot and otadata), TCP, clock, entropy, the TLS trust. No network
 * or flash writes yet. Errors: ESP_ERR_INVALID_ARG (no URL, URL too long,
 * http:// not allowed, no trust for https, bad pin), ESP_ERR_NOT_FOUND (no
 * running partition or no OTA slot to write), ESP_ERR_NOT_SUPPORTED
 * (crt_bundle off the device), OTTER_ESP_ERR_TLS_TRUST (a PEM certificate
 * does not parse), ESP_ERR_INVALID_STATE (otter refuses the partition
 * table). */
esp_err_t otter_esp_ota_init(otter_esp_ota_t *ota, const otter_esp_ota_config_t *cfg);

/* Start (or restart) the update; no I/O yet. A previous interrupted run
 * with the same URL resumes from its journal. */
esp_err_t otter_esp_ota_begin(otter_esp_ota_t *ota);

/* One bounded step: OTTER_ESP_ERR_IN_PROGRESS (call again), ESP_OK (done
 * downloading and verified, or up to date: call finish), or an error (the
 * running app and otadata are untouched). */
esp_err_t otter_esp_ota_step(otter_esp_ota_t *ota);

/* After step() returned ESP_OK: switch otadata so the new slot boots next
 * on probation (nothing to do when up to date). ESP_OK or the error. */
esp_err_t otter_esp_ota_finish(otter_esp_ota_t *ota);

/* begin + steps (vTaskDelay(1) between them) + finish, in the caller's
 * task. Calls on_done (and posts DONE) at the end. */
esp_err_t otter_esp_ota_perform(otter_esp_ota_t *ota);

/* otter_esp_ota_init(), then perform() in a new FreeRTOS task ("otter_ota");
 * returns at once. The task reports through cfg.on_event / on_done (and
 * esp_event) and deletes itself. Errors: those of init, ESP_ERR_NO_MEM (no
 * task), ESP_ERR_INVALID_STATE (a task of ota still runs). */
esp_err_t otter_esp_ota_start_task(otter_esp_ota_t *ota, const otter_esp_ota_config_t *cfg);

/* true while the task of otter_esp_ota_start_task() runs. */
bool otter_esp_ota_running(const otter_esp_ota_t *ota);

/* Ask the update to stop (from any task); the journal stays, so a later
 * run resumes. */
void otter_esp_ota_abort(otter_esp_ota_t *ota);

/* otter's error code for the last failure (0 if none), its words
 * (otter_strerror) and a sentence a user can act on (what failed, the
 * numbers, that the running app is unchanged; for TLS failures, which
 * certificate and why). */
int otter_esp_ota_otter_err(const otter_esp_ota_t *ota);
const char *otter_esp_ota_explain(const otter_esp_ota_t *ota, char *buf, size_t len);

/* Progress (bytes done / total, phase, outcome) and the engine itself. */
const otter_update_status_t *otter_esp_ota_status(const otter_esp_ota_t *ota);

/* Close the connection, wipe TLS state. Safe on any initialised ota. */
void otter_esp_ota_free(otter_esp_ota_t *ota);

/* esp_err_t for an otter_err_t (the mapping the calls above use). */
esp_err_t otter_esp_err(int otter_err);

/* esp_err_to_name() that also knows OTTER_ESP_ERR_* ("OTTER_ESP_ERR_TLS_TRUST"). */
const char *otter_esp_err_to_name(esp_err_t err);

/* The running app confirms itself (otadata PENDING_VERIFY -> VALID), with
 * otter's otadata code, through this port; the same effect as
 * esp_ota_mark_app_valid_cancel_rollback(). *otter_err (may be NULL) gets
 * otter's code. */
esp_err_t otter_esp_mark_app_valid(int *otter_err);

/* The running app rejects itself: its otadata copy becomes INVALID so the
 * next boot runs the previous app; refused (ESP_ERR_OTA_ROLLBACK_FAILED)
 * when no other app would boot. The caller then calls esp_restart(). */
esp_err_t otter_esp_mark_app_invalid(int *otter_err);

#ifdef __cplusplus
}
#endif

#endif
