/* Stand-in for ESP-IDF's generated sdkconfig.h (see esp_err.h here): no
 * options set, so the port's headers fall back to their defaults. */
