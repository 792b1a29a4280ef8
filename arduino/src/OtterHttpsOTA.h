/* otter for Arduino-ESP32: a drop-in for Arduino-ESP32's HttpsOTAUpdate.
 *
 *   #include <OtterHttpsOTA.h>             // was: #include <HttpsOTAUpdate.h>
 *   HttpsOTA.onHttpEvent(HttpEvent);        // same events, same fields
 *   HttpsOTA.begin(url, server_certificate); // the host name IS checked
 *   HttpsOTA.status();                      // HTTPS_OTA_IDLE/UPDATING/SUCCESS/FAIL
 *
 * As HttpsOTAUpdate, the update runs in its own FreeRTOS task (the ESP-IDF
 * port's otter_esp_ota_start_task), so delay() in loop() does not slow the
 * download. Unlike it: the host name is checked unless begin()'s third
 * argument says otherwise; server_certificate may hold several roots; the
 * image is checked end to end (and its Secure Boot V2 signature, with
 * setSigningKeyDigest()) before the new slot is made to boot, on probation:
 * the new app must call HttpsOTA.markAppValid() (or esp_ota_mark_app_valid_
 * cancel_rollback()) after its self-test, else the bootloader rolls back;
 * a download cut by a reboot resumes where it stopped (same URL); and
 * lastError() says why it failed in the sentence `otter doctor` prints.
 *
 * Without a task: beginSteps() then step() from loop() (each call does one
 * bounded piece of work, a few ms to ~50 ms).
 *
 * The object holds the TLS context, the buffers and the engine (about 30 KB
 * on ESP32, allocated once at begin(), never freed): keep one, global. */
#ifndef OTTER_HTTPS_OTA_ARDUINO_H
#define OTTER_HTTPS_OTA_ARDUINO_H

#include <stddef.h>
#include <stdint.h>

/* The event type: Arduino-ESP32's HttpEvent_t is ESP-IDF's
 * esp_http_client_event_t; on Arduino-ESP32 that type is used as is, so a
 * sketch's HttpEvent(HttpEvent_t *) callback fits both libraries. */
#if defined(ARDUINO_ARCH_ESP32) && defined(__has_include)
#if __has_include(<esp_http_client.h>)
#include <esp_http_client.h>
#define OTTER_ARDUINO_IDF_HTTP_EVENT 1
#endif
#endif
#ifdef OTTER_ARDUINO_IDF_HTTP_EVENT
typedef esp_http_client_event_t HttpEvent_t;
#else
/* Elsewhere (host builds): the same names and fields. */
typedef enum {
    HTTP_EVENT_ERROR = 0,
    HTTP_EVENT_ON_CONNECTED,
    HTTP_EVENT_HEADERS_SENT,
    HTTP_EVENT_HEADER_SENT = HTTP_EVENT_HEADERS_SENT,
    HTTP_EVENT_ON_HEADER,
    HTTP_EVENT_ON_DATA,
    HTTP_EVENT_ON_FINISH,
    HTTP_EVENT_DISCONNECTED,
    HTTP_EVENT_REDIRECT,
} esp_http_client_event_id_t;
typedef struct {
    esp_http_client_event_id_t event_id;
    void *client; /* always NULL here */
    void *data;
    int data_len;
    void *user_data;
    char *header_key;
    char *header_value;
} HttpEvent_t;
#endif

typedef void (*HttpEventCb)(HttpEvent_t *);

typedef enum {
    HTTPS_OTA_IDLE,
    HTTPS_OTA_UPDATING,
    HTTPS_OTA_SUCCESS, /* new app written and checked: ESP.restart() runs it */
    HTTPS_OTA_FAIL,    /* the running app and otadata are unchanged: lastError() */
    HTTPS_OTA_ERR,     /* begin() refused its arguments: lastError() */
} HttpsOTAStatus_t;

struct otter_esp_ota;

class OtterHttpsOTA {
  public:
    OtterHttpsOTA();
    /* Same as HttpsOTAUpdate. skip_cert_common_name_check = true turns the
     * host-name check off (lab setups only; every explanation says so). */
    void onHttpEvent(HttpEventCb cb);
    void begin(const char *url, const char *server_certificate, bool skip_cert_common_name_check = false);
    HttpsOTAStatus_t status();

    /* Beyond HttpsOTAUpdate; call before begin(). */
    /* Trust by SPKI SHA-256 pin ("sha256//base64" or 64 hex digits), up to
     * 4; with pins server_certificate may be NULL. Any certificate of the
     * verified path may match: pin the root (`otter cert URL --format pin`). */
    bool addPin(const char *spki_sha256);
    /* Secure Boot V2 key digest (hex, as `otter keygen` prints it), up to 3:
     * the image must carry a valid signature by one of them. */
    bool setSigningKeyDigest(const char *hex);
    /* Version policy: only newer versions install unless allowed. */
    void allowDowngrade(bool on = true);
    void allowSameVersion(bool on = true);
    void allowIncomparableVersion(bool on = true);
    void setProjectName(const char *name);
    void setMinSecureVersion(uint32_t v);
    /* Update task stack (bytes, default CONFIG_OTTER_TASK_STACK_SIZE) and priority. */
    void setTaskStack(uint32_t bytes);
    void setTaskPriority(unsigned prio);

    /* Without a task: begin, then step() from loop() until it returns
     * something other than HTTPS_OTA_UPDATING. */
    void beginSteps(const char *url, const char *server_certificate, bool skip_cert_common_name_check = false);
    HttpsOTAStatus_t step();

    /* Progress: bytes written / file length (0 until known). */
    uint32_t bytesWritten() const;
    uint32_t totalBytes() const;
    /* true when this run continued a download cut by a reset or power loss
     * (from the journal in the target slot), instead of starting over. */
    bool resumed() const;
    /* The version of the image being installed ("" until known). */
    const char *newVersion() const;
    /* Why it failed: otter's sentence (what failed, the numbers, what to
     * do, that the running app is unchanged); "" when nothing failed. */
    const char *lastError();
    /* otter's error code (otter/error.h), 0 if none. */
    int lastErrorCode() const;
    /* Bytes of the update task's stack never used (its high-water mark),
     * measured as the task ends; 0 before. */
    uint32_t taskStackUnused() const;

    /* First boot of a new app: confirm it (after its self-test) or reject
     * it (the bootloader goes back to the previous app at the next reset).
     * true on success. */
    static bool markAppValid();
    /* true on the first boot of a new app (otadata PENDING_VERIFY): run the
     * self-test, then markAppValid() or markAppInvalid(). */
    static bool appPendingVerify();
    static bool markAppInvalid();

  private:
    bool prepare(const char *url, const char *cert, bool skip);
    struct otter_esp_ota *ota_;
    HttpEventCb cb_;
    volatile HttpsOTAStatus_t status_;
    bool allow_downgrade_, allow_same_, allow_incomparable_;
    const char *project_;
    uint32_t min_secure_;
    uint32_t stack_;
    unsigned prio_;
    const char *pins_[5];
    unsigned npins_;
    uint8_t digests_[3][32];
    unsigned ndigests_;
    int err_;
    bool stepping_;
    volatile uint32_t stack_unused_;
    char why_[512];
    static void onEvent(void *ctx, const void *ev);
    static void onDone(void *ctx, const void *result);
    friend struct OtterHttpsOTAGlue;
};

extern OtterHttpsOTA HttpsOTA;

#endif
