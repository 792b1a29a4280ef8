/* What the README's ESP-IDF snippet assumes of the app around it: its
 * menuconfig URL, the root certificate it embeds, its completion callback. */
#ifndef README_ESP_CONTEXT_H
#define README_ESP_CONTEXT_H
#include "esp_err.h"
#include "otter_esp.h"
#define CONFIG_EXAMPLE_FIRMWARE_URL "https://updates.example.com/app.bin"
extern const char root_ca_pem[];
void done(void *ctx, const otter_esp_ota_result_t *result);
#endif
