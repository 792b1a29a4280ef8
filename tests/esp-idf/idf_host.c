/* Test harness around ESP-IDF's linux target (see idf_host.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootloader_common.h"
#include "esp_app_desc.h"
#include "esp_flash_partitions.h"
#include "esp_image_format.h"
#include "esp_ota_ops.h"
#include "esp_partition.h"
#include "esp_private/partition_linux.h"
#include "idf_host.h"
#include "spi_flash_mmap.h"

static char flash_path[4096];

const char *idf_host_flash_new(const char *table_bin, size_t flash_size)
{
    esp_partition_file_mmap_ctrl_t *in = esp_partition_get_file_mmap_ctrl_input();
    memset(in, 0, sizeof *in);
    snprintf(in->partition_file_name, sizeof in->partition_file_name, "%s", table_bin);
    in->flash_file_size = flash_size;
    in->remove_dump = true;
    if (!esp_partition_find_first(ESP_PARTITION_TYPE_ANY, ESP_PARTITION_SUBTYPE_ANY, NULL))
        return NULL;
    snprintf(flash_path, sizeof flash_path, "%s", esp_partition_get_file_mmap_ctrl_act()->flash_file_name);
    return flash_path;
}

int idf_host_flash_open(const char *path)
{
    esp_partition_file_mmap_ctrl_t *in = esp_partition_get_file_mmap_ctrl_input();
    memset(in, 0, sizeof *in);
    snprintf(in->flash_file_name, sizeof in->flash_file_name, "%s", path);
    return esp_partition_find_first(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_ANY, NULL) ? 0 : -1;
}

int idf_host_flash_save(const char *path)
{
    const esp_partition_file_mmap_ctrl_t *act = esp_partition_get_file_mmap_ctrl_act();
    FILE *in = fopen(act->flash_file_name, "rb");
    FILE *out = fopen(path, "wb");
    int ret = in && out ? 0 : -1;
    static char buf[65536];
    size_t n;
    while (ret == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            ret = -1;
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ret = -1;
    return ret;
}

const char *idf_host_state_name(uint32_t s)
{
    static const char *const names[] = {"NEW", "PENDING_VERIFY", "VALID", "INVALID", "ABORTED"};
    if (s < 5)
        return names[s];
    return s == ESP_OTA_IMG_UNDEFINED ? "UNDEFINED" : "?";
}

static const esp_partition_t *otadata(void)
{
    return esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESP_PARTITION_SUBTYPE_DATA_OTA, NULL);
}

static void write_entry(const esp_partition_t *od, int i, esp_ota_select_entry_t *e)
{
    e->crc = bootloader_common_ota_select_crc(e);
    if (esp_partition_erase_range(od, (size_t)i * 4096, 4096) != ESP_OK ||
        esp_partition_write(od, (size_t)i * 4096, e, sizeof *e) != ESP_OK) {
        fprintf(stderr, "bootsim: otadata write failed\n");
        exit(2);
    }
}

void idf_host_boot(idf_host_boot_t *b)
{
    memset(b, 0, sizeof *b);
    b->active = -1;
    const esp_partition_t *od = otadata();
    esp_ota_select_entry_t e[2];
    if (od && (esp_partition_read(od, 0, &e[0], sizeof e[0]) != ESP_OK ||
               esp_partition_read(od, 4096, &e[1], sizeof e[1]) != ESP_OK))
        od = NULL;
    int active = od ? bootloader_common_get_active_otadata(e) : -1;
    if (active >= 0 && e[active].ota_state == ESP_OTA_IMG_PENDING_VERIFY) {
        /* booted on probation last time and never confirmed: roll back */
        e[active].ota_state = ESP_OTA_IMG_ABORTED;
        write_entry(od, active, &e[active]);
        active = bootloader_common_get_active_otadata(e);
    }
    unsigned n = 0;
    while (esp_partition_find_first(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_APP_OTA_MIN + n, NULL))
        n++;
    if (active >= 0 && n > 0) {
        b->active = active;
        b->state_before = e[active].ota_state;
        if (e[active].ota_state == ESP_OTA_IMG_NEW) {
            e[active].ota_state = ESP_OTA_IMG_PENDING_VERIFY;
            write_entry(od, active, &e[active]);
        }
        b->state_after = e[active].ota_state;
        b->part = esp_partition_find_first(ESP_PARTITION_TYPE_APP,
                                           ESP_PARTITION_SUBTYPE_APP_OTA_MIN + (e[active].ota_seq - 1) % n, NULL);
    } else {
        b->part = esp_partition_find_first(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_APP_FACTORY, NULL);
        if (!b->part)
            b->part = esp_partition_find_first(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_APP_OTA_MIN, NULL);
    }
    b->verify = ESP_ERR_NOT_FOUND;
    if (!b->part)
        return;
    esp_partition_pos_t pos = {.offset = b->part->address, .size = b->part->size};
    esp_image_metadata_t md;
    b->verify = esp_image_verify(ESP_IMAGE_VERIFY_SILENT, &pos, &md);
    esp_app_desc_t desc;
    if (b->verify == ESP_OK && esp_ota_get_partition_description(b->part, &desc) == ESP_OK)
        snprintf(b->version, sizeof b->version, "%s", desc.version);
    idf_host_set_running_offset(b->part->address);
}

/* --- power cuts: every esp_partition_write / _erase_range goes through
 * these (linked with --wrap), the port's and ESP-IDF's own alike. */
esp_err_t __real_esp_partition_write(const esp_partition_t *p, size_t off, const void *src, size_t len);
esp_err_t __real_esp_partition_erase_range(const esp_partition_t *p, size_t off, size_t len);
esp_err_t __wrap_esp_partition_write(const esp_partition_t *p, size_t off, const void *src, size_t len);
esp_err_t __wrap_esp_partition_erase_range(const esp_partition_t *p, size_t off, size_t len);

static bool cut_armed;
static FILE *oplog;
static unsigned long long units_total;

void idf_host_cut_after(size_t units)
{
    cut_armed = true;
    esp_partition_fail_after(units, ESP_PARTITION_FAIL_AFTER_MODE_BOTH);
}

void idf_host_record_ops(const char *path)
{
    oplog = fopen(path, "w");
    units_total = 0;
}

static void after_op(char kind, const esp_partition_t *p, size_t off, size_t len, size_t units, esp_err_t r)
{
    if (cut_armed && r == ESP_ERR_FLASH_OP_FAIL) {
        fprintf(stderr, "power cut during %s of %zu bytes at 0x%zx\n", kind == 'w' ? "write" : "erase", len,
                (size_t)p->address + off);
        _exit(IDF_HOST_CUT_EXIT);
    }
    units_total += units;
    if (oplog) {
        fprintf(oplog, "%c 0x%zx %zu %zu %llu\n", kind, (size_t)p->address + off, len, units, units_total);
        fflush(oplog);
    }
}

esp_err_t __wrap_esp_partition_write(const esp_partition_t *p, size_t off, const void *src, size_t len)
{
    esp_err_t r = __real_esp_partition_write(p, off, src, len);
    after_op('w', p, off, len, len / 4, r);
    return r;
}

esp_err_t __wrap_esp_partition_erase_range(const esp_partition_t *p, size_t off, size_t len)
{
    esp_err_t r = __real_esp_partition_erase_range(p, off, len);
    after_op('e', p, off, len, (len + 4095) / 4096, r);
    return r;
}
