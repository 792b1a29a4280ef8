/* Stand-in for ESP-IDF v6's esp_private/esp_flash_internal.h (tests only). The real one
 * pulls in chip registers; ESP-IDF's esp_ota_ops.c only needs this declaration. */
#pragma once
#include <stdbool.h>
#include "esp_err.h"
#include "esp_flash.h"

esp_err_t esp_flash_set_dangerous_write_protection(esp_flash_t *chip, const bool protect);
