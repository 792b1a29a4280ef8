/* ESP-IDF's host subset on its own, without otter (tests only): the build
 * pairs each ESP-IDF with an mbedTLS (2.28, 3.6 or 4.0), and this checks
 * the pair works before otter is involved. On a new emulated flash from
 * TABLE.bin, ESP-IDF's own OTA path writes IMAGE into the next update slot
 * (esp_ota_begin/write/end: SHA-256 through bootloader_sha.c and mbedTLS or
 * PSA), esp_image_verify() checks it, esp_ota_set_boot_partition() selects
 * it. Usage: idf_smoke TABLE.bin IMAGE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_image_format.h"
#include "esp_log.h"
#include "esp_ota_ops.h"
#include "esp_partition.h"
#include "esp_private/partition_linux.h"
#include "idf_host.h"
#include "psa/crypto.h"

int idf_port_main(int argc, const char **argv);

static int g_argc;
static const char **g_argv;

static int smoke(void)
{
    if (g_argc < 3 || !idf_host_flash_new(g_argv[1], 0))
        return 2;
    FILE *f = fopen(g_argv[2], "rb");
    static uint8_t img[4 << 20];
    size_t len = f ? fread(img, 1, sizeof img, f) : 0;
    if (f)
        fclose(f);
    /* ESP-IDF calls this from a startup hook that does not run on linux */
    if (psa_crypto_init() != PSA_SUCCESS)
        return 1;
    const esp_partition_t *ota0 = esp_partition_find_first(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_APP_OTA_0, NULL);
    idf_host_set_running_offset(ota0->address);
    const esp_partition_t *p = esp_ota_get_next_update_partition(NULL);
    esp_ota_handle_t h;
    esp_err_t e = esp_ota_begin(p, OTA_WITH_SEQUENTIAL_WRITES, &h);
    for (size_t off = 0; e == ESP_OK && off < len; off += 1000)
        e = esp_ota_write(h, img + off, len - off < 1000 ? len - off : 1000);
    if (e == ESP_OK)
        e = esp_ota_end(h);
    esp_partition_pos_t pos = {.offset = p->address, .size = p->size};
    esp_image_metadata_t md;
    esp_err_t v = esp_image_verify(ESP_IMAGE_VERIFY_SILENT, &pos, &md);
    esp_err_t b = esp_ota_set_boot_partition(p);
    const esp_partition_t *boot = esp_ota_get_boot_partition();
    printf("esp_ota_end=%s esp_image_verify=%s image_len=%u set_boot=%s boot=%s\n", esp_err_to_name(e),
           esp_err_to_name(v), (unsigned)md.image_len, esp_err_to_name(b), boot ? boot->label : "none");
    esp_partition_get_file_mmap_ctrl_input()->remove_dump = true;
    esp_partition_file_munmap();
    return e == ESP_OK && v == ESP_OK && b == ESP_OK && boot == p ? 0 : 1;
}

void app_main(void)
{
    esp_log_level_set("*", ESP_LOG_WARN);
    int rc = smoke();
    fflush(stdout);
    exit(rc);
}

int main(int argc, const char **argv)
{
    g_argc = argc;
    g_argv = argv;
    return idf_port_main(argc, argv);
}
