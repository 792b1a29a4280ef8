/* Stand-in for ESP-IDF's esp_random.h, which the host subset does not ship
 * (tests only). The linux implementation (esp_hw_support/port/linux/
 * esp_random.c, getentropy) is built; these are its prototypes. */
#pragma once
#include <stddef.h>
#include <stdint.h>

uint32_t esp_random(void);
void esp_fill_random(void *buf, size_t len);
