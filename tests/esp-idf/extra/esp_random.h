/* Stand-in for ESP-IDF's esp_random.h, which the host subset does not ship
 * (tests only). The linux implementation (ESP-IDF's esp_hw_support/port/linux/
 * esp_random.c in ESP-IDF, getentropy) is built; these are its prototypes. */
#pragma once
#include <stddef.h>
#include <stdint.h>

uint32_t esp_random(void);
void esp_fill_random(void *buf, size_t len);
