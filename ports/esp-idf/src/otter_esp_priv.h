/* Private to otter's ESP-IDF port. */
#ifndef OTTER_ESP_PRIV_H
#define OTTER_ESP_PRIV_H

#include "otter_esp.h"

/* 1 when the two partitions share a byte. */
int otter_esp_overlaps(const esp_partition_t *a, const esp_partition_t *b);

/* The flash port an update or an app-side otadata write uses: otadata and
 * `target` (may be NULL) writable, every app slot readable. */
esp_err_t otter_esp_flash_setup(otter_esp_flash_t *f, const esp_partition_t *target);

/* Let other tasks (and IDLE, which the task watchdog watches) run. */
void otter_esp_yield(void);

/* on_done and the DONE event. */
void otter_esp_ota_report_done(otter_esp_ota_t *ota, esp_err_t err);

/* esp_event posting (esp_events.c on a device with CONFIG_OTTER_ESP_EVENT;
 * esp_events_none.c elsewhere does nothing). */
void otter_esp_post_update_event(const otter_update_event_t *ev);
void otter_esp_post_done(const otter_esp_ota_result_t *res);

#endif
