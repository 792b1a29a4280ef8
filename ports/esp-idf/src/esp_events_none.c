/* otter ESP-IDF port: no esp_event (CONFIG_OTTER_ESP_EVENT off, or ESP-IDF's
 * linux target, which has no esp_event in the host subset). Callbacks
 * still report everything. */
#include "otter_esp_priv.h"

void otter_esp_post_update_event(const otter_update_event_t *ev)
{
    (void)ev;
}

void otter_esp_post_done(const otter_esp_ota_result_t *res)
{
    (void)res;
}
