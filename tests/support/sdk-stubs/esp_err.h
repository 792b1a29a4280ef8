/* Stand-in for ESP-IDF's esp_err.h, only so that tests/test_headers_cxx.sh
 * can compile the ESP-IDF port's public headers alone without ESP-IDF.
 * The port itself is built against the real ESP-IDF (tests/esp-idf/). */
#ifndef ESP_ERR_H_STUB
#define ESP_ERR_H_STUB
typedef int esp_err_t;
#define ESP_OK 0
#define ESP_FAIL -1
#define ESP_ERR_NO_MEM 0x101
#define ESP_ERR_INVALID_ARG 0x102
#define ESP_ERR_INVALID_STATE 0x103
#define ESP_ERR_NOT_FOUND 0x105
#define ESP_ERR_NOT_SUPPORTED 0x106
#endif
