/* The functions ESP-IDF's host subset needs and does not have on the linux
 * target (tests only; see ../shared/deps/ESP-IDF-HOST.md "Stand-ins").
 * Written for these tests from the prototypes in ESP-IDF's headers: the
 * flash driver pieces that app_update and bootloader_support expect from a
 * chip, built on esp_partition's emulated flash, and the "where does the
 * running app live" answer that the cache MMU gives on a device. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bootloader_flash_priv.h"
#include "esp_err.h"
#include "esp_flash.h"
#include "esp_partition.h"
#include "esp_private/partition_linux.h"
#include "esp_rom_spiflash.h"
#include "esp_timer.h"
#include "spi_flash_mmap.h"

#include "idf_host.h"

/* On linux every partition has flash_chip == NULL: there is no chip. */
esp_flash_t *esp_flash_default_chip = NULL;

esp_err_t esp_flash_set_dangerous_write_protection(esp_flash_t *chip, const bool protect)
{
    (void)chip;
    (void)protect;
    return ESP_OK;
}

/* Flash encryption is off on the host (v5.5 and v6.0 spell the query
 * differently; each build uses one). */
bool esp_flash_encryption_enabled(void);
bool esp_flash_encryption_enabled(void)
{
    return false;
}
bool esp_efuse_is_flash_encryption_enabled(void);
bool esp_efuse_is_flash_encryption_enabled(void)
{
    return false;
}

/* The flash offset the running code is "mapped" from. On a device the cache
 * MMU answers for the address of a function; here the bootloader
 * simulation sets it (idf_host_boot). esp_ota_get_running_partition() asks
 * once per process and caches the answer. */
static size_t running_offset = SPI_FLASH_CACHE2PHYS_FAIL;

void idf_host_set_running_offset(uint32_t offset)
{
    running_offset = offset;
}

size_t spi_flash_cache2phys(const void *cached)
{
    (void)cached;
    return running_offset;
}

/* The whole emulated flash as one partition, for the bootloader_flash
 * calls, which take absolute offsets. Reads go through esp_partition_mmap()
 * and memcpy rather than esp_partition_read(), which would count them in
 * the emulator's statistics (and its timing table mis-handles reads under 4
 * bytes). */
static const void *whole_flash(uint32_t addr, uint32_t size)
{
    const esp_partition_file_mmap_ctrl_t *act = esp_partition_get_file_mmap_ctrl_act();
    esp_partition_t all;
    memset(&all, 0, sizeof all);
    all.address = 0;
    all.size = (uint32_t)act->flash_file_size;
    all.erase_size = 4096;
    all.flash_chip = NULL;
    const void *ptr = NULL;
    esp_partition_mmap_handle_t h;
    if (esp_partition_mmap(&all, addr, size, ESP_PARTITION_MMAP_DATA, &ptr, &h) != ESP_OK)
        return NULL;
    return ptr;
}

const void *bootloader_mmap(uint32_t src_addr, uint32_t size)
{
    return whole_flash(src_addr, size);
}

void bootloader_munmap(const void *mapping)
{
    (void)mapping;
}

uint32_t bootloader_mmap_get_free_pages(void)
{
    return spi_flash_mmap_get_free_pages(SPI_FLASH_MMAP_DATA);
}

esp_err_t bootloader_flash_read(size_t src_addr, void *dest, size_t size, bool allow_decrypt)
{
    (void)allow_decrypt;
    const void *p = whole_flash((uint32_t)src_addr, (uint32_t)size);
    if (!p)
        return ESP_FAIL;
    memcpy(dest, p, size);
    return ESP_OK;
}

/* Called by ESP-IDF's bootloader_sha.c / esp_image_format.c on a hash
 * mismatch; its home (ESP-IDF's bootloader_utility.c) is bootloader-only. */
void bootloader_debug_buffer(const void *buffer, size_t length, const char *label);
void bootloader_debug_buffer(const void *buffer, size_t length, const char *label)
{
    (void)buffer;
    (void)length;
    (void)label;
}

/* The ROM's idea of the flash chip: esp_partition_table_verify() reads its
 * size. 16 MiB. */
static esp_rom_spiflash_legacy_data_t legacy_data = {.chip = {.chip_size = 16u * 1024u * 1024u}};
esp_rom_spiflash_legacy_data_t *rom_spiflash_legacy_data = &legacy_data;

/* esp_timer is not in the host subset: microseconds since an arbitrary
 * start, monotonic, which is all otter's clock port asks of it. */
int64_t esp_timer_get_time(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
