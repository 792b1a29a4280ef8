/* otter ESP-IDF port: the update in its own FreeRTOS task. */
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "otter_esp.h"
#include "otter_esp_priv.h"

void otter_esp_yield(void)
{
    vTaskDelay(1);
}

static void ota_task(void *arg)
{
    otter_esp_ota_t *ota = arg;
    (void)otter_esp_ota_perform(ota);
    otter_esp_ota_free(ota);
    ota->task = NULL;
    vTaskDelete(NULL);
}

esp_err_t otter_esp_ota_start_task(otter_esp_ota_t *ota, const otter_esp_ota_config_t *cfg)
{
    if (ota->task)
        return ESP_ERR_INVALID_STATE;
    esp_err_t e = otter_esp_ota_init(ota, cfg);
    if (e != ESP_OK) {
        otter_esp_ota_report_done(ota, e);
        return e;
    }
    uint32_t stack = cfg->task_stack ? cfg->task_stack : CONFIG_OTTER_TASK_STACK_SIZE;
    unsigned prio = cfg->task_priority ? cfg->task_priority : CONFIG_OTTER_TASK_PRIORITY;
    BaseType_t core = cfg->task_core < 0 ? tskNO_AFFINITY : (BaseType_t)cfg->task_core;
    TaskHandle_t h = NULL;
    /* ota->task is set before the task can run and end */
    ota->task = (void *)1;
    if (xTaskCreatePinnedToCore(ota_task, "otter_ota", stack, ota, prio, &h, core) != pdPASS) {
        ota->task = NULL;
        otter_esp_ota_free(ota);
        return ESP_ERR_NO_MEM;
    }
    return ESP_OK;
}

bool otter_esp_ota_running(const otter_esp_ota_t *ota)
{
    return ota->task != NULL;
}
