/* Stand-in for ESP-IDF's esp_timer.h on the linux target (tests only): the
 * esp_timer component is not in the host subset. Only the call otter's
 * ESP-IDF port makes: microseconds since start, monotonic. Implemented in
 * tests/esp-idf/standins.c on CLOCK_MONOTONIC. */
#pragma once
#include <stdint.h>

int64_t esp_timer_get_time(void);
