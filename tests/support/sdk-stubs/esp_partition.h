/* Stand-in for ESP-IDF's esp_partition.h (see esp_err.h here). */
#ifndef ESP_PARTITION_H_STUB
#define ESP_PARTITION_H_STUB
#include "esp_err.h"
typedef struct esp_partition_t esp_partition_t;
#endif
