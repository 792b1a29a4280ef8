/* Stand-in for ESP-IDF's esp_event.h (see esp_err.h here). */
#ifndef ESP_EVENT_H_STUB
#define ESP_EVENT_H_STUB
#include "esp_err.h"
typedef const char *esp_event_base_t;
#ifdef __cplusplus
#define ESP_EVENT_DECLARE_BASE(id) extern "C" esp_event_base_t const id
#else
#define ESP_EVENT_DECLARE_BASE(id) extern esp_event_base_t const id
#endif
#endif
