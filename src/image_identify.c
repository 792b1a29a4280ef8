/* Naming the file a user served instead of an ESP app image, from its first
 * bytes, and the one-sentence fix for each image error (see
 * include/otter/image.h). Magic numbers are from each format's definition:
 * ELF (e_ident), ZIP (local file header "PK\3\4"), gzip (RFC 1952 1f 8b),
 * UF2 (Microsoft's UF2 spec: "UF2\n", 0x9E5D5157), esp_encrypted_img (magic
 * 0x0788b6cf, little-endian), the ESP-IDF partition table (0x50AA entries)
 * and otadata (esp_ota_select_entry_t, CRC-32 over ota_seq). */
#include <string.h>

#include "otter/bytes.h"
#include "crc32.h"
#include "otter/error.h"
#include "otter/image.h"

#define OTADATA_FILE_LEN 0x2000u  /* two 4 KB sectors */
#define MERGED_MIN_LEN 0x10000u   /* the first app slot starts at 0x10000 or later */
#define MERGED_BOOT_OFF 0x1000u   /* ESP32 / ESP32-S2 bootloader offset */
#define MERGED_PTABLE_OFF 0x8000u /* the partition table */
#define TEXT_MIN 4u               /* fewer bytes say nothing */

static bool starts(const uint8_t *p, size_t n, const char *magic, size_t len)
{
    return n >= len && memcmp(p, magic, len) == 0;
}

static bool is_text_byte(uint8_t c)
{
    return (c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n' || c == '\r';
}

/* Every byte of p[0..n) is printable ASCII or a line break / tab. */
static bool all_text(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_text_byte(p[i]))
            return false;
    return true;
}

static bool all_ff(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0xFF)
            return false;
    return true;
}

/* A valid esp_ota_select_entry_t (32 bytes) followed by erased bytes. */
static bool otadata_entry(const uint8_t *p, size_t n)
{
    if (n < 32)
        return false;
    uint32_t seq = otter_le32(p);
    uint32_t crc = otter_le32(p + 28);
    return seq != 0xFFFFFFFFu && crc == otter_crc32_le(UINT32_MAX, p, 4) && all_ff(p + 32, n - 32);
}

/* Text: a markup tag, a JSON document, or printable lines. */
static int identify_text(const uint8_t *p, size_t n)
{
    size_t i = 0;
    if (starts(p, n, "\xEF\xBB\xBF", 3)) /* UTF-8 byte order mark */
        i = 3;
    if (n - i < TEXT_MIN || !all_text(p + i, n - i))
        return OTTER_ERR_IMG_MAGIC;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    if (i + 1 < n && p[i] == '<') {
        uint8_t c = p[i + 1];
        if (c == '!' || c == '?' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            return OTTER_ERR_IMG_HTML;
    }
    if (i + 1 < n && (p[i] == '{' || p[i] == '[')) {
        size_t j = i + 1;
        while (j < n && (p[j] == ' ' || p[j] == '\t' || p[j] == '\r' || p[j] == '\n'))
            j++;
        if (j == n || p[j] == '"' || p[j] == '}' || p[j] == ']' || p[j] == '{' || p[j] == '[' ||
            (p[j] >= '0' && p[j] <= '9') || p[j] == '-')
            return OTTER_ERR_IMG_JSON;
    }
    return OTTER_ERR_IMG_TEXT;
}

int otter_image_identify(const uint8_t *p, size_t n, uint64_t file_len)
{
    if (!p || n == 0)
        return OTTER_ERR_IMG_TRUNCATED;
    /* A merged flash image: the bootloader at 0x0 (or at 0x1000 after 0xFF
     * padding) and the partition table at 0x8000. */
    bool ptable_at_8000 = n > MERGED_PTABLE_OFF + 1 && p[MERGED_PTABLE_OFF] == 0xAA &&
                          p[MERGED_PTABLE_OFF + 1] == 0x50;
    if (ptable_at_8000 && (p[0] == OTTER_IMAGE_MAGIC || (n > MERGED_BOOT_OFF && p[MERGED_BOOT_OFF] == OTTER_IMAGE_MAGIC)))
        return OTTER_ERR_IMG_MERGED;
    if (p[0] == OTTER_IMAGE_MAGIC)
        return OTTER_OK;
    if (p[0] == 0xEA) /* ESP8266 "version 2" image */
        return OTTER_ERR_IMG_ESP8266;
    if (starts(p, n, "\x7F" "ELF", 4))
        return OTTER_ERR_IMG_ELF;
    if (starts(p, n, "UF2\n\x57\x51\x5D\x9E", 8))
        return OTTER_ERR_IMG_UF2;
    if (starts(p, n, "PK\x03\x04", 4) || starts(p, n, "PK\x05\x06", 4) || starts(p, n, "PK\x07\x08", 4))
        return OTTER_ERR_IMG_ZIP;
    if (starts(p, n, "\x1F\x8B", 2))
        return OTTER_ERR_IMG_GZIP;
    if (starts(p, n, "\xCF\xB6\x88\x07", 4))
        return OTTER_ERR_IMG_ENCRYPTED;
    if (starts(p, n, "\xAA\x50", 2) && n >= 32)
        return OTTER_ERR_IMG_PTABLE;
    if (file_len == OTADATA_FILE_LEN && (all_ff(p, n) || otadata_entry(p, n)))
        return OTTER_ERR_IMG_OTADATA;
    if (otadata_entry(p, n))
        return OTTER_ERR_IMG_OTADATA;
    if (all_ff(p, n) && file_len >= MERGED_MIN_LEN && n >= 16)
        return OTTER_ERR_IMG_MERGED; /* 0xFF up to a bootloader at 0x1000 */
    return identify_text(p, n);
}

const char *otter_image_fix(int err)
{
    switch (err) {
    case OTTER_ERR_IMG_MAGIC:
        return "serve the app image, the .bin the build writes for OTA (it starts with the byte 0xE9)";
    case OTTER_ERR_IMG_HTML:
        return "the URL serves a web page (an error or login page?), not the .bin file: check the URL and the "
               "server's access rules";
    case OTTER_ERR_IMG_JSON:
        return "the URL serves a JSON document (an API answer or a manifest?), not the .bin file: serve or "
               "link to the image itself";
    case OTTER_ERR_IMG_TEXT:
        return "the URL serves a text file (an error message?), not the .bin file: check the URL and the file "
               "on the server";
    case OTTER_ERR_IMG_ESP8266:
        return "build the app for the ESP32-family chip this device has, not for the ESP8266";
    case OTTER_ERR_IMG_ELF:
        return "serve the .bin that esptool's elf2image makes from it (idf.py build and Arduino's "
               "\"Export compiled binary\" write it next to the .elf)";
    case OTTER_ERR_IMG_MERGED:
        return "serve the app .bin alone (the file flashed at 0x10000, e.g. build/PROJECT.bin), not the merged "
               "image with the bootloader and partition table";
    case OTTER_ERR_IMG_NOT_APP:
        return "serve the app .bin (e.g. build/PROJECT.bin), not bootloader.bin; a merged flash image that "
               "starts with the bootloader is refused the same way";
    case OTTER_ERR_IMG_PTABLE:
        return "serve the app .bin, not partitions.bin (the partition table is flashed once at 0x8000 and OTA "
               "never changes it)";
    case OTTER_ERR_IMG_OTADATA:
        return "serve the app .bin, not boot_app0.bin or ota_data_initial.bin (otadata is written by the "
               "device itself when it switches apps)";
    case OTTER_ERR_IMG_UF2:
        return "serve the app .bin, not the .uf2 made for a drag-and-drop bootloader (TinyUF2)";
    case OTTER_ERR_IMG_ZIP:
        return "unpack the archive and serve the app .bin inside it";
    case OTTER_ERR_IMG_GZIP:
        return "serve the uncompressed .bin (gunzip it), and if the server compresses on the fly, turn that off "
               "for firmware files";
    case OTTER_ERR_IMG_ENCRYPTED:
        return "otter installs plain app images over HTTPS (the transfer is already encrypted): serve the app "
               ".bin before esp_enc_img_gen.py encrypted it";
    case OTTER_ERR_IMG_RAM_APP:
        return "build the app to run from flash (CONFIG_APP_BUILD_TYPE_APP_2NDBOOT, the default), not as a "
               "RAM-only app";
    case OTTER_ERR_IMG_CHIP_MISMATCH:
        return "build the app for the chip this device has (idf.py set-target, or the board chosen in Arduino)";
    case OTTER_ERR_IMG_TRUNCATED:
        return "the file ends before the image does: upload the whole .bin again";
    default:
        return NULL;
    }
}
