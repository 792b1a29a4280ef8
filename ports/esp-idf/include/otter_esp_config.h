/* otter's ESP-IDF port: build limits. menuconfig sets them (Kconfig,
 * "Component config -> otter"); these defaults apply when it did not. */
#ifndef OTTER_ESP_CONFIG_H
#define OTTER_ESP_CONFIG_H

#include "sdkconfig.h"

/* HTTP request / response-head buffer (bytes, >= 512). */
#ifndef CONFIG_OTTER_HTTP_BUF_SIZE
#define CONFIG_OTTER_HTTP_BUF_SIZE 2048
#endif
/* Data buffer (bytes, >= 1024): bounds each network read and flash program
 * (include/otter/update.h, OTTER_UPDATE_DATA_BUF_MIN). */
#ifndef CONFIG_OTTER_DATA_BUF_SIZE
#define CONFIG_OTTER_DATA_BUF_SIZE 2048
#endif
/* Scratch for one PEM certificate while the trust is set up (bytes). */
#ifndef CONFIG_OTTER_PEM_WORK_SIZE
#define CONFIG_OTTER_PEM_WORK_SIZE 2048
#endif
/* Longest update URL kept by otter_esp_ota_t (bytes, with the NUL). */
#ifndef CONFIG_OTTER_URL_MAX
#define CONFIG_OTTER_URL_MAX 512
#endif
/* Versions refused again after a rollback: 0 the one whose self-test
 * rejected it (INVALID), 1 also one that never confirmed (ABORTED, what
 * esp_https_ota does), 2 none. */
#ifndef CONFIG_OTTER_ROLLBACK_RULE
#define CONFIG_OTTER_ROLLBACK_RULE 0
#endif
/* 1: offer TLS 1.2 only; 0: TLS 1.2 and, where mbedTLS has it, 1.3. */
#ifndef CONFIG_OTTER_TLS12_ONLY
#define CONFIG_OTTER_TLS12_ONLY 0
#endif
/* A Kconfig bool is undefined when off: as a C value for the default config. */
#ifdef CONFIG_OTTER_ALLOW_INCOMPARABLE_VERSION
#define OTTER_ESP_ALLOW_INCOMPARABLE 1
#else
#define OTTER_ESP_ALLOW_INCOMPARABLE 0
#endif
/* Update task: stack (bytes), priority, timeouts (ms). */
#ifndef CONFIG_OTTER_TASK_STACK_SIZE
#define CONFIG_OTTER_TASK_STACK_SIZE 8192
#endif
#ifndef CONFIG_OTTER_TASK_PRIORITY
#define CONFIG_OTTER_TASK_PRIORITY 5
#endif
#ifndef CONFIG_OTTER_CONNECT_TIMEOUT_MS
#define CONFIG_OTTER_CONNECT_TIMEOUT_MS 10000
#endif
#ifndef CONFIG_OTTER_READ_TIMEOUT_MS
#define CONFIG_OTTER_READ_TIMEOUT_MS 10000
#endif
/* The chip images must be built for (ESP-IDF always sets it). */
#ifndef CONFIG_IDF_FIRMWARE_CHIP_ID
#define CONFIG_IDF_FIRMWARE_CHIP_ID 0x0000
#endif

#endif
