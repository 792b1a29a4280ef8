/* otter ESP-IDF port: events on the default esp_event loop
 * (CONFIG_OTTER_ESP_EVENT). The loop must exist
 * (esp_event_loop_create_default()). Posting never blocks the update: an
 * event that does not fit the loop's queue is dropped. */
#include "esp_event.h"
#include "otter_esp_event.h"
#include "otter_esp_priv.h"

ESP_EVENT_DEFINE_BASE(OTTER_ESP_EVENT);

void otter_esp_post_update_event(const otter_update_event_t *ev)
{
    otter_esp_event_data_t d = {
        .err = ev->err, .done = ev->done, .total = ev->total, .offset = ev->offset,
    };
    (void)esp_event_post(OTTER_ESP_EVENT, (int32_t)ev->kind, &d, sizeof d, 0);
}

void otter_esp_post_done(const otter_esp_ota_result_t *res)
{
    otter_esp_event_data_t d = {
        .err = res->err, .otter_err = res->otter_err, .outcome = (int)res->outcome,
        .done = res->status ? res->status->done : 0, .total = res->status ? res->status->total : 0,
    };
    (void)esp_event_post(OTTER_ESP_EVENT, OTTER_ESP_EVENT_DONE, &d, sizeof d, 0);
}
