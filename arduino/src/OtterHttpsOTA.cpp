/* otter for Arduino-ESP32: OtterHttpsOTA over the ESP-IDF port (otter_esp.h).
 * See OtterHttpsOTA.h. */
#include "OtterHttpsOTA.h"

#include <stdlib.h>
#include <string.h>

#include "esp_ota_ops.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "otter/error.h"
#include "otter_esp.h"

OtterHttpsOTA HttpsOTA;

/* Default update task stack (ESP-IDF: bytes). The update, TLS handshake
 * included, used 11,112 bytes on x86-64 (tests/arduino, high-water mark);
 * not measured on an ESP32 yet, so 12 KB rather than the port's 8 KB
 * default. Host builds, whose x86-64 frames are larger, raise it. */
#ifndef OTTER_ARDUINO_TASK_STACK
#define OTTER_ARDUINO_TASK_STACK 12288
#endif

OtterHttpsOTA::OtterHttpsOTA()
    : ota_(NULL), cb_(NULL), status_(HTTPS_OTA_IDLE), allow_downgrade_(false), allow_same_(false),
      allow_incomparable_(false), project_(NULL), min_secure_(0), stack_(OTTER_ARDUINO_TASK_STACK), prio_(0), npins_(0), ndigests_(0),
      err_(0), stepping_(false), stack_unused_(0)
{
    memset(pins_, 0, sizeof pins_);
    memset(digests_, 0, sizeof digests_);
    why_[0] = '\0';
}

/* Engine events as HttpEvent_t (the kinds HttpsOTAUpdate delivers). */
void OtterHttpsOTA::onEvent(void *ctx, const void *evp)
{
    OtterHttpsOTA *self = static_cast<OtterHttpsOTA *>(ctx);
    const otter_update_event_t *ev = static_cast<const otter_update_event_t *>(evp);
    if (!self->cb_)
        return;
    HttpEvent_t e;
    memset(&e, 0, sizeof e);
    switch (ev->kind) {
    case OTTER_UPDATE_EV_ERROR: e.event_id = HTTP_EVENT_ERROR; break;
    case OTTER_UPDATE_EV_CONNECTED: e.event_id = HTTP_EVENT_ON_CONNECTED; break;
    case OTTER_UPDATE_EV_HEADER_SENT: e.event_id = HTTP_EVENT_HEADER_SENT; break;
    case OTTER_UPDATE_EV_HEADER: e.event_id = HTTP_EVENT_ON_HEADER; break;
    case OTTER_UPDATE_EV_DATA: e.event_id = HTTP_EVENT_ON_DATA; break;
    case OTTER_UPDATE_EV_FINISH: e.event_id = HTTP_EVENT_ON_FINISH; break;
    case OTTER_UPDATE_EV_DISCONNECTED: e.event_id = HTTP_EVENT_DISCONNECTED; break;
    case OTTER_UPDATE_EV_REDIRECT: e.event_id = HTTP_EVENT_REDIRECT; break;
    default: return;
    }
    e.data = const_cast<uint8_t *>(ev->data);
    e.data_len = (int)ev->data_len;
    e.header_key = const_cast<char *>(ev->header_key);
    e.header_value = const_cast<char *>(ev->header_value);
    self->cb_(&e);
}

static HttpsOTAStatus_t status_of(const otter_esp_ota_result_t *r)
{
    if (r->err != ESP_OK)
        return HTTPS_OTA_FAIL;
    return r->outcome == OTTER_UPDATE_OUTCOME_UPDATED ? HTTPS_OTA_SUCCESS : HTTPS_OTA_IDLE;
}

/* In the update task, at its end: measure the stack, then publish. */
void OtterHttpsOTA::onDone(void *ctx, const void *resp)
{
    OtterHttpsOTA *self = static_cast<OtterHttpsOTA *>(ctx);
    const otter_esp_ota_result_t *r = static_cast<const otter_esp_ota_result_t *>(resp);
    if (!self->stepping_)
        self->stack_unused_ = (uint32_t)uxTaskGetStackHighWaterMark(NULL) * (uint32_t)sizeof(StackType_t);
    self->err_ = r->otter_err;
    self->status_ = status_of(r);
}

struct OtterHttpsOTAGlue {
    static void on_event(void *ctx, const otter_update_event_t *ev) { OtterHttpsOTA::onEvent(ctx, ev); }
    static void on_done(void *ctx, const otter_esp_ota_result_t *r) { OtterHttpsOTA::onDone(ctx, r); }
};

void OtterHttpsOTA::onHttpEvent(HttpEventCb cb)
{
    cb_ = cb;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool OtterHttpsOTA::addPin(const char *spki_sha256)
{
    if (!spki_sha256 || npins_ >= 4)
        return false;
    pins_[npins_++] = spki_sha256;
    pins_[npins_] = NULL;
    return true;
}

bool OtterHttpsOTA::setSigningKeyDigest(const char *hex)
{
    if (!hex || ndigests_ >= 3 || strlen(hex) != 64)
        return false;
    for (int i = 0; i < 32; i++) {
        int h = hexval(hex[2 * i]), l = hexval(hex[2 * i + 1]);
        if (h < 0 || l < 0)
            return false;
        digests_[ndigests_][i] = (uint8_t)(h << 4 | l);
    }
    ndigests_++;
    return true;
}

void OtterHttpsOTA::allowDowngrade(bool on) { allow_downgrade_ = on; }
void OtterHttpsOTA::allowSameVersion(bool on) { allow_same_ = on; }
void OtterHttpsOTA::allowIncomparableVersion(bool on) { allow_incomparable_ = on; }
void OtterHttpsOTA::setProjectName(const char *name) { project_ = name; }
void OtterHttpsOTA::setMinSecureVersion(uint32_t v) { min_secure_ = v; }
void OtterHttpsOTA::setTaskStack(uint32_t bytes) { stack_ = bytes; }
void OtterHttpsOTA::setTaskPriority(unsigned prio) { prio_ = prio; }

/* Allocate (once) and configure; false: status_ is ERR or FAIL. */
bool OtterHttpsOTA::prepare(const char *url, const char *cert, bool skip)
{
    (void)skip;
    if (status_ == HTTPS_OTA_UPDATING)
        return false;
    if (!ota_)
        ota_ = static_cast<otter_esp_ota_t *>(calloc(1, sizeof(otter_esp_ota_t)));
    why_[0] = '\0';
    err_ = 0;
    stack_unused_ = 0;
    if (!ota_) {
        err_ = OTTER_ERR_BUF_TOO_SMALL;
        status_ = HTTPS_OTA_ERR;
        return false;
    }
    return url != NULL && (cert != NULL || npins_ > 0) ? true : (status_ = HTTPS_OTA_ERR, err_ = OTTER_ERR_INVAL, false);
}

static void fill(otter_esp_ota_config_t *cfg, OtterHttpsOTA *self, const char *url, const char *cert, bool skip,
                 const char *const *pins, const uint8_t (*digests)[32], unsigned ndigests, bool down, bool same,
                 bool incomparable, const char *project, uint32_t min_secure, uint32_t stack, unsigned prio)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->policy.chip_id = CONFIG_IDF_FIRMWARE_CHIP_ID;
    cfg->policy.rolled_back = (otter_update_rollback_rule_t)CONFIG_OTTER_ROLLBACK_RULE;
    cfg->policy.allow_downgrade = down;
    cfg->policy.allow_same = same;
    cfg->policy.allow_incomparable = incomparable;
    cfg->policy.project_name = project;
    cfg->policy.min_secure_version = min_secure;
    cfg->policy.key_digests = ndigests ? digests : NULL;
    cfg->policy.key_digest_count = ndigests;
    cfg->task_core = -1;
    cfg->url = url;
    cfg->ca_pem = cert;
    cfg->pins = pins;
    cfg->tls_flags = skip ? OTTER_TLS_INSECURE_SKIP_HOSTNAME_CHECK : 0;
    cfg->on_event = OtterHttpsOTAGlue::on_event;
    cfg->on_done = OtterHttpsOTAGlue::on_done;
    cfg->ctx = self;
    cfg->task_stack = stack;
    cfg->task_priority = prio;
}

void OtterHttpsOTA::begin(const char *url, const char *server_certificate, bool skip_cert_common_name_check)
{
    if (!prepare(url, server_certificate, skip_cert_common_name_check))
        return;
    stepping_ = false;
    otter_esp_ota_config_t cfg;
    fill(&cfg, this, url, server_certificate, skip_cert_common_name_check, npins_ ? pins_ : NULL, digests_,
         ndigests_, allow_downgrade_, allow_same_, allow_incomparable_, project_, min_secure_, stack_, prio_);
    status_ = HTTPS_OTA_UPDATING;
    esp_err_t e = otter_esp_ota_start_task(ota_, &cfg);
    if (e != ESP_OK) {
        err_ = otter_esp_ota_otter_err(ota_);
        status_ = e == ESP_ERR_INVALID_ARG ? HTTPS_OTA_ERR : HTTPS_OTA_FAIL;
    }
}

HttpsOTAStatus_t OtterHttpsOTA::status()
{
    return status_;
}

void OtterHttpsOTA::beginSteps(const char *url, const char *server_certificate, bool skip_cert_common_name_check)
{
    if (!prepare(url, server_certificate, skip_cert_common_name_check))
        return;
    stepping_ = true;
    otter_esp_ota_config_t cfg;
    fill(&cfg, this, url, server_certificate, skip_cert_common_name_check, npins_ ? pins_ : NULL, digests_,
         ndigests_, allow_downgrade_, allow_same_, allow_incomparable_, project_, min_secure_, 0, 0);
    cfg.on_done = NULL; /* step() publishes the end itself */
    esp_err_t e = otter_esp_ota_init(ota_, &cfg);
    if (e == ESP_OK)
        e = otter_esp_ota_begin(ota_);
    if (e != ESP_OK) {
        err_ = otter_esp_ota_otter_err(ota_);
        status_ = e == ESP_ERR_INVALID_ARG ? HTTPS_OTA_ERR : HTTPS_OTA_FAIL;
        return;
    }
    status_ = HTTPS_OTA_UPDATING;
}

HttpsOTAStatus_t OtterHttpsOTA::step()
{
    if (!stepping_ || status_ != HTTPS_OTA_UPDATING)
        return status_;
    esp_err_t e = otter_esp_ota_step(ota_);
    if (e == OTTER_ESP_ERR_IN_PROGRESS)
        return status_;
    if (e == ESP_OK)
        e = otter_esp_ota_finish(ota_);
    const otter_update_status_t *st = otter_esp_ota_status(ota_);
    otter_esp_ota_result_t r;
    memset(&r, 0, sizeof r);
    r.err = e;
    r.otter_err = otter_esp_ota_otter_err(ota_);
    r.outcome = st ? st->outcome : OTTER_UPDATE_OUTCOME_FAILED;
    err_ = r.otter_err;
    status_ = status_of(&r);
    if (status_ != HTTPS_OTA_FAIL)
        otter_esp_ota_free(ota_);
    return status_;
}

uint32_t OtterHttpsOTA::bytesWritten() const
{
    const otter_update_status_t *st = ota_ ? otter_esp_ota_status(ota_) : NULL;
    return st ? st->done : 0;
}

uint32_t OtterHttpsOTA::totalBytes() const
{
    const otter_update_status_t *st = ota_ ? otter_esp_ota_status(ota_) : NULL;
    return st ? st->total : 0;
}

bool OtterHttpsOTA::resumed() const
{
    const otter_update_status_t *st = ota_ ? otter_esp_ota_status(ota_) : NULL;
    return st && st->resumed_from_journal;
}

const char *OtterHttpsOTA::newVersion() const
{
    const otter_update_status_t *st = ota_ ? otter_esp_ota_status(ota_) : NULL;
    return st && st->have_app ? st->app.version : "";
}

const char *OtterHttpsOTA::lastError()
{
    if (status_ == HTTPS_OTA_UPDATING || (err_ == 0 && status_ != HTTPS_OTA_FAIL && status_ != HTTPS_OTA_ERR))
        return "";
    if (!ota_)
        return otter_strerror(err_);
    return otter_esp_ota_explain(ota_, why_, sizeof why_);
}

int OtterHttpsOTA::lastErrorCode() const
{
    return err_;
}

uint32_t OtterHttpsOTA::taskStackUnused() const
{
    return stack_unused_;
}

bool OtterHttpsOTA::markAppValid()
{
    int oerr = 0;
    return otter_esp_mark_app_valid(&oerr) == ESP_OK;
}

bool OtterHttpsOTA::markAppInvalid()
{
    int oerr = 0;
    return otter_esp_mark_app_invalid(&oerr) == ESP_OK;
}

bool OtterHttpsOTA::appPendingVerify()
{
    const esp_partition_t *running = esp_ota_get_running_partition();
    esp_ota_img_states_t st;
    return running && esp_ota_get_state_partition(running, &st) == ESP_OK && st == ESP_OTA_IMG_PENDING_VERIFY;
}
