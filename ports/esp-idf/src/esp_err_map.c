/* otter ESP-IDF port: otter_err_t -> esp_err_t, and the app-side otadata
 * calls (confirm, reject) through the port. */
#include <stdlib.h>
#include <string.h>

#include "esp_ota_ops.h"
#include "otter/error.h"
#include "otter_esp.h"
#include "otter_esp_priv.h"
#include "spi_flash_mmap.h"

static esp_err_t map_tls(int e)
{
    switch (e) {
    case OTTER_ERR_TLS_TRUST:
    case OTTER_ERR_TLS_PIN:
    case OTTER_ERR_TLS_CLOCK_UNSET:
    case OTTER_ERR_TLS_CONFIG:
    case OTTER_ERR_TLS_EXPIRED:
    case OTTER_ERR_TLS_NOT_YET_VALID:
    case OTTER_ERR_TLS_HOSTNAME:
        return OTTER_ESP_ERR_TLS_TRUST;
    default:
        return OTTER_ESP_ERR_NETWORK;
    }
}

static esp_err_t map_update(int e)
{
    switch (e) {
    case OTTER_ERR_UPD_CONTENT_TYPE:
        return ESP_ERR_OTA_VALIDATE_FAILED;
    case OTTER_ERR_UPD_TOO_LARGE:
        return ESP_ERR_INVALID_SIZE;
    case OTTER_ERR_UPD_SECURE_VERSION:
        return ESP_ERR_OTA_SMALL_SEC_VER;
    case OTTER_ERR_UPD_ABORTED:
        return OTTER_ESP_ERR_ABORTED;
    case OTTER_ERR_UPD_NO_SLOT:
        return ESP_ERR_NOT_FOUND;
    case OTTER_ERR_UPD_RUNNING_SLOT:
        return ESP_ERR_OTA_PARTITION_CONFLICT; /* esp_ota_begin()'s word for the running partition */
    case OTTER_ERR_UPD_NO_LENGTH:
        return OTTER_ESP_ERR_NETWORK;
    case OTTER_ERR_UPD_OLDER:
    case OTTER_ERR_UPD_PROJECT:
    case OTTER_ERR_UPD_UNSIGNED:
    case OTTER_ERR_UPD_ROLLED_BACK:
        return OTTER_ESP_ERR_POLICY;
    default:
        return ESP_FAIL;
    }
}

esp_err_t otter_esp_err(int e)
{
    if (e >= 0)
        return ESP_OK;
    switch (e) {
    case OTTER_ERR_INVAL:
    case OTTER_ERR_URL:
    case OTTER_ERR_HTTP_URL_TOO_LONG:
        return ESP_ERR_INVALID_ARG;
    case OTTER_ERR_BUF_TOO_SMALL:
        return ESP_ERR_INVALID_SIZE;
    case OTTER_ERR_UNSUPPORTED:
        return ESP_ERR_NOT_SUPPORTED;
    case OTTER_ERR_STATE:
        return ESP_ERR_INVALID_STATE;
    case OTTER_ERR_TIMEOUT:
        return ESP_ERR_TIMEOUT;
    case OTTER_ERR_PT_NOT_FOUND:
    case OTTER_ERR_BOOT_NO_APP:
    case OTTER_ERR_BOOT_SLOT:
        return ESP_ERR_NOT_FOUND;
    case OTTER_ERR_BOOT_ROLLBACK_REFUSED:
        return ESP_ERR_OTA_ROLLBACK_FAILED;
    case OTTER_ERR_OTADATA_MISSING:
    case OTTER_ERR_OTADATA_SIZE:
    case OTTER_ERR_OTADATA_INVALID:
        return ESP_ERR_OTA_SELECT_INFO_INVALID;
    default:
        break;
    }
    if (e <= -10 && e >= -29)
        return ESP_ERR_FLASH_OP_FAIL;
    if (e <= -30 && e >= -49)
        return ESP_ERR_INVALID_STATE;
    if (e <= -60 && e >= -119)
        return ESP_ERR_OTA_VALIDATE_FAILED;
    if (e <= -120 && e >= -139)
        return OTTER_ESP_ERR_NETWORK;
    if (e <= -140 && e >= -159)
        return map_tls(e);
    if (e <= -160 && e >= -199)
        return OTTER_ESP_ERR_NETWORK;
    if (e <= -200 && e >= -239)
        return map_update(e);
    return ESP_FAIL;
}

const char *otter_esp_err_to_name(esp_err_t err)
{
    switch (err) {
    case OTTER_ESP_ERR_IN_PROGRESS:
        return "OTTER_ESP_ERR_IN_PROGRESS";
    case OTTER_ESP_ERR_NETWORK:
        return "OTTER_ESP_ERR_NETWORK";
    case OTTER_ESP_ERR_TLS_TRUST:
        return "OTTER_ESP_ERR_TLS_TRUST";
    case OTTER_ESP_ERR_POLICY:
        return "OTTER_ESP_ERR_POLICY";
    case OTTER_ESP_ERR_ABORTED:
        return "OTTER_ESP_ERR_ABORTED";
    default:
        return esp_err_to_name(err);
    }
}

int otter_esp_overlaps(const esp_partition_t *a, const esp_partition_t *b)
{
    return a->flash_chip == b->flash_chip && a->address < b->address + b->size && b->address < a->address + a->size;
}

esp_err_t otter_esp_flash_setup(otter_esp_flash_t *f, const esp_partition_t *target)
{
    otter_esp_flash_init(f);
    esp_err_t e = ESP_OK;
    esp_partition_iterator_t it = esp_partition_find(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_ANY, NULL);
    for (; it && e == ESP_OK; it = esp_partition_next(it))
        e = otter_esp_flash_allow(f, esp_partition_get(it), false);
    esp_partition_iterator_release(it);
    const esp_partition_t *od =
        esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESP_PARTITION_SUBTYPE_DATA_OTA, NULL);
    if (e == ESP_OK)
        e = od ? otter_esp_flash_allow(f, od, true) : ESP_ERR_NOT_FOUND;
    if (e == ESP_OK && target)
        e = otter_esp_flash_allow(f, target, true);
    return e;
}

/* Port, table and boot state for one app-side otadata write. */
typedef struct app_side {
    otter_ptable_t pt;
    otter_esp_flash_t flash;
    otter_boot_t boot;
} app_side_t;

static esp_err_t app_side_bind(app_side_t *s, int *oerr)
{
    esp_err_t e = otter_esp_ptable_load(&s->pt, oerr);
    if (e != ESP_OK)
        return e;
    const esp_partition_t *running = esp_ota_get_running_partition();
    if (!running)
        return ESP_ERR_NOT_FOUND;
    e = otter_esp_flash_setup(&s->flash, NULL);
    if (e != ESP_OK)
        return e;
    otter_boot_init(&s->boot, otter_esp_flash_port(&s->flash), &s->pt);
    otter_boot_set_running(&s->boot, (uint8_t)running->subtype);
    return ESP_OK;
}

static esp_err_t app_side(int (*op)(otter_boot_t *), int *otter_err)
{
    int oerr = 0;
    /* about 4 KB with ESP-IDF's 95-entry table: not on the caller's stack */
    app_side_t *s = malloc(sizeof *s);
    esp_err_t e = s ? app_side_bind(s, &oerr) : ESP_ERR_NO_MEM;
    if (e == ESP_OK) {
        oerr = op(&s->boot);
        e = otter_esp_err(oerr);
    }
    free(s);
    if (otter_err)
        *otter_err = oerr;
    return e;
}

esp_err_t otter_esp_mark_app_valid(int *otter_err)
{
    return app_side(otter_boot_mark_valid, otter_err);
}

esp_err_t otter_esp_mark_app_invalid(int *otter_err)
{
    return app_side(otter_boot_mark_invalid_rollback, otter_err);
}
