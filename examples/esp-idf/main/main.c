/* otter on ESP-IDF: the forum user's case, done safely.
 *
 * At boot: connect (Wi-Fi or Ethernet from menuconfig), set the clock by
 * SNTP (certificate dates), and if this app is on probation (the first boot
 * after an update) run the self-test, then confirm it or roll back. Then
 * check the URL from menuconfig for a newer image every N seconds, in
 * otter's update task; when one is installed, restart into it.
 *
 * Untested on hardware here: see README.md. */
#include <string.h>

#include "esp_app_desc.h"
#include "esp_event.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "esp_netif_sntp.h"
#include "esp_ota_ops.h"
#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "nvs_flash.h"
#include "otter/error.h"
#include "otter_esp.h"
#include "otter_esp_event.h"
#include "protocol_examples_common.h"

static const char *TAG = "ota_example";

/* main/root_ca.pem, embedded NUL-terminated (EMBED_TXTFILES). */
extern const char root_ca_pem_start[] asm("_binary_root_ca_pem_start");

static otter_esp_ota_t ota; /* ~30 KB: static, not on a stack */

/* The self-test a new app runs before it confirms itself: whatever proves
 * this firmware can do its job and can be updated again. Here: the network
 * came up (we got this far) and the update server answers over TLS with the
 * trust this build carries. Add your own checks (sensors, peripherals). */
static bool self_test(void)
{
    if (!IS_ENABLED(CONFIG_EXAMPLE_SELF_TEST_NETWORK))
        return true;
    /* An update check that finds "up to date" (or a newer image) proves
     * connect, DNS, TLS trust and HTTP; it installs nothing before the
     * confirm below decides. Run it in this task, not as a task. */
    otter_esp_ota_config_t cfg = OTTER_ESP_OTA_CONFIG_DEFAULT();
    cfg.url = CONFIG_EXAMPLE_FIRMWARE_URL;
    cfg.ca_pem = root_ca_pem_start;
    cfg.policy.allow_same = false;
    esp_err_t e = otter_esp_ota_init(&ota, &cfg);
    if (e == ESP_OK)
        e = otter_esp_ota_begin(&ota);
    /* steps until the decision: connected, headers and app description read */
    while (e == ESP_OK || e == OTTER_ESP_ERR_IN_PROGRESS) {
        const otter_update_status_t *st = otter_esp_ota_status(&ota);
        if (st->phase >= OTTER_UPDATE_PHASE_PREPARE || st->outcome != OTTER_UPDATE_OUTCOME_NONE)
            break;
        e = otter_esp_ota_step(&ota);
        vTaskDelay(1);
    }
    /* a refusal by policy (an older image, say) still proves the server answers */
    bool ok = e == ESP_OK || e == OTTER_ESP_ERR_IN_PROGRESS || e == OTTER_ESP_ERR_POLICY;
    if (!ok) {
        char why[256];
        ESP_LOGE(TAG, "self-test: update server not reachable: %s", otter_esp_ota_explain(&ota, why, sizeof why));
    }
    otter_esp_ota_abort(&ota);
    (void)otter_esp_ota_step(&ota); /* closes the connection; the journal stays */
    otter_esp_ota_free(&ota);
    return ok;
}

/* First boot after an update: confirm or roll back. */
static void confirm_or_roll_back(void)
{
    esp_ota_img_states_t state;
    const esp_partition_t *running = esp_ota_get_running_partition();
    if (esp_ota_get_state_partition(running, &state) != ESP_OK || state != ESP_OTA_IMG_PENDING_VERIFY)
        return;
    ESP_LOGI(TAG, "first boot of %s from %s: self-test", esp_app_get_description()->version, running->label);
    int oerr = 0;
    if (self_test()) {
        esp_err_t e = otter_esp_mark_app_valid(&oerr);
        ESP_LOGI(TAG, "self-test passed; confirmed: %s", otter_esp_err_to_name(e));
        return;
    }
    esp_err_t e = otter_esp_mark_app_invalid(&oerr);
    if (e == ESP_OK) {
        ESP_LOGE(TAG, "self-test failed: rolling back to the previous app");
        esp_restart();
    }
    /* nothing to roll back to: keep running this one */
    ESP_LOGE(TAG, "self-test failed, and no previous app to roll back to: %s", otter_strerror(oerr));
}

static void on_done(void *ctx, const otter_esp_ota_result_t *r)
{
    (void)ctx;
    if (r->err == ESP_OK && r->outcome == OTTER_UPDATE_OUTCOME_UPDATED) {
        ESP_LOGI(TAG, "installed %s (%u bytes, longest step %u ms): restarting", r->status->app.version,
                 (unsigned)r->status->total, (unsigned)r->status->longest_step_ms);
        esp_restart();
    } else if (r->err == ESP_OK) {
        ESP_LOGI(TAG, "up to date (%s)", esp_app_get_description()->version);
    } else {
        char why[320];
        ESP_LOGE(TAG, "update failed (%s): %s", otter_esp_err_to_name(r->err),
                 otter_esp_ota_explain(&ota, why, sizeof why));
    }
}

/* Progress from the default event loop (CONFIG_OTTER_ESP_EVENT). */
static void on_otter_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    const otter_esp_event_data_t *d = data;
    if (id == OTTER_UPDATE_EV_DATA && d->total && d->done % (64 * 1024) < 4096)
        ESP_LOGI(TAG, "%u / %u bytes", (unsigned)d->done, (unsigned)d->total);
}

void app_main(void)
{
    esp_err_t e = nvs_flash_init();
    if (e == ESP_ERR_NVS_NO_FREE_PAGES || e == ESP_ERR_NVS_NEW_VERSION_FOUND) {
        ESP_ERROR_CHECK(nvs_flash_erase());
        e = nvs_flash_init();
    }
    ESP_ERROR_CHECK(e);
    ESP_ERROR_CHECK(esp_netif_init());
    ESP_ERROR_CHECK(esp_event_loop_create_default());
    ESP_ERROR_CHECK(example_connect());

    /* certificate dates are checked against this clock */
    esp_sntp_config_t sntp = ESP_NETIF_SNTP_DEFAULT_CONFIG("pool.ntp.org");
    esp_netif_sntp_init(&sntp);
    if (esp_netif_sntp_sync_wait(pdMS_TO_TICKS(15000)) != ESP_OK)
        ESP_LOGW(TAG, "clock not set by SNTP yet: TLS will say so");

    confirm_or_roll_back();
    esp_event_handler_register(OTTER_ESP_EVENT, ESP_EVENT_ANY_ID, on_otter_event, NULL);

    static const char *pins[2];
    pins[0] = CONFIG_EXAMPLE_SPKI_PIN[0] ? CONFIG_EXAMPLE_SPKI_PIN : NULL;
    for (;;) {
        otter_esp_ota_config_t cfg = OTTER_ESP_OTA_CONFIG_DEFAULT();
        cfg.url = CONFIG_EXAMPLE_FIRMWARE_URL;
        cfg.ca_pem = root_ca_pem_start;
        cfg.pins = pins;
        cfg.on_done = on_done;
        cfg.post_events = true;
        e = otter_esp_ota_start_task(&ota, &cfg);
        if (e != ESP_OK) {
            char why[256];
            ESP_LOGE(TAG, "cannot start the update: %s: %s", otter_esp_err_to_name(e),
                     otter_esp_ota_explain(&ota, why, sizeof why));
        }
        while (otter_esp_ota_running(&ota))
            vTaskDelay(pdMS_TO_TICKS(1000));
        if (CONFIG_EXAMPLE_CHECK_INTERVAL_S == 0)
            break;
        vTaskDelay(pdMS_TO_TICKS(CONFIG_EXAMPLE_CHECK_INTERVAL_S * 1000));
    }
}
