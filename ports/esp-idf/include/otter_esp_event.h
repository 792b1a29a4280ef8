/* otter on ESP-IDF: events on the default esp_event loop
 * (CONFIG_OTTER_ESP_EVENT, device builds; cfg.post_events). Event ids are
 * otter_update_event_kind_t values (OTTER_UPDATE_EV_DATA is progress,
 * OTTER_UPDATE_EV_SWITCHED the otadata switch, ...) plus
 * OTTER_ESP_EVENT_DONE at the end. The data is an otter_esp_event_data_t
 * (copied by the loop). */
#ifndef OTTER_ESP_EVENT_H
#define OTTER_ESP_EVENT_H

#include <stdint.h>

#include "esp_event.h"
#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

ESP_EVENT_DECLARE_BASE(OTTER_ESP_EVENT);

/* The last event of an update: data.err, data.otter_err, data.outcome. */
#define OTTER_ESP_EVENT_DONE 100

typedef struct otter_esp_event_data {
    esp_err_t err;   /* DONE: the result; others: otter_err_t of the event (ERROR, DECISION) */
    int otter_err;   /* DONE: otter's code */
    int outcome;     /* DONE: otter_update_outcome_t */
    uint32_t done;   /* bytes programmed so far */
    uint32_t total;  /* image length (0 until known) */
    uint32_t offset; /* DATA / ERASE / RESUME: file offset */
} otter_esp_event_data_t;

#ifdef __cplusplus
}
#endif

#endif
