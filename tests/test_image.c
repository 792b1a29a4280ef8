/* Streaming app image validator: every real vector gives exactly the verdicts
 * and fields of tests/vectors/esp32/README.md (an independent checker and
 * esptool image_info produced those), at any chunking; every synthetic
 * corruption gives its own error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "imgmake.h"
#include "otter/bytes.h"
#include "otter/error.h"
#include "otter/image.h"
#include "otter/verify.h"
#include "ramflash.h"

static uint8_t *load_vector(const char *name, size_t *len)
{
    const char *dir = getenv("OTTER_VECTORS");
    char path[512];
    snprintf(path, sizeof path, "%s/esp32/%s", dir ? dir : "tests/vectors", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Feed all at once; return finish() and copy the info. */
static int run(const uint8_t *d, size_t n, uint16_t chip, otter_image_info_t *info)
{
    otter_image_t img;
    otter_image_init(&img, chip);
    int r = otter_image_feed(&img, d, n);
    int fin = otter_image_finish(&img);
    if (r >= 0)
        assert_int_equal(r, (int)n);
    else
        assert_int_equal(r, fin);
    if (info)
        *info = *otter_image_info(&img);
    otter_image_free(&img);
    return fin;
}

static uint32_t rng_next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Feed in random chunks (1 .. maxchunk), compare with feeding at once. */
static void check_chunking(const uint8_t *d, size_t n, uint32_t seed, size_t maxchunk)
{
    otter_image_t a, b;
    otter_image_init(&a, OTTER_CHIP_ANY);
    otter_image_init(&b, OTTER_CHIP_ANY);
    otter_image_feed(&a, d, n);
    size_t pos = 0;
    while (pos < n) {
        size_t c = 1 + rng_next(&seed) % maxchunk;
        if (c > n - pos)
            c = n - pos;
        otter_image_feed(&b, d + pos, c);
        pos += c;
    }
    otter_image_feed(&b, NULL, 0);
    assert_int_equal(otter_image_finish(&a), otter_image_finish(&b));
    assert_memory_equal(otter_image_info(&a), otter_image_info(&b), sizeof(otter_image_info_t));
    otter_image_free(&a);
    otter_image_free(&b);
}

struct expect {
    const char *file;
    int verdict;
    uint16_t chip;
    uint8_t segs;
    uint32_t image_len;
    uint64_t trailing;
    const char *version, *project, *idf_ver; /* NULL: no app description */
    uint16_t max_rev;
    uint8_t spi_mode;
    uint8_t checksum;
};

static const struct expect vectors[] = {
    {"esp32s3-idf4.4-damda-app.bin", 0, 9, 6, 849056, 0, "1", "damda_esp32_project", "v4.4-dirty", 0, 2, 0x00},
    {"esp32s2-idf4.3.2-pio-voltmeter-app.bin", 0, 2, 6, 161184, 0, "1", "esp32-voltmeter", "4.3.2", 0, 2, 0xFF},
    {"esp32c3-arduino2-idf4.4.1-pio-pressureprobe-app.bin", 0, 5, 7, 750768, 0, "heads/idf-release/v4.4-0-gd4572",
     "arduino-lib-builder", "v4.4.1-472-gc9140caf8c", 0, 0, 0xFF},
    {"esp32c6-idf5.2.1-zigbee-pzem-app.bin", 0, 13, 5, 608176, 0, "b0e160e-dirty", "esp_zb_PZEM_004t", "v5.2.1", 99, 2,
     0xFF},
    {"esp32-arduino3-idf5.5.2-pio-otademo-app.bin", 0, 0, 6, 1117568, 0, "8cabf2c", "arduino-lib-builder",
     "v5.5.2-729-g87912cd291", 0xFFFF, 2, 0xFF},
    {"esp32-arduino1.0-pio-logging-app-padseg-nodesc.bin", 0, 0, 6, 279536, 0, NULL, NULL, NULL, 0, 2, 0xFF},
    {"esp32-idf3-pio-mjs-app-emptysegs-nodesc.bin", 0, 0, 9, 189184, 0, NULL, NULL, NULL, 0, 2, 0xFF},
    {"esp32-idf4.3.7-factory-partition-dump-1MiB.bin", 0, 0, 5, 847568, 201008, "1", "damda_esp32_project",
     "v4.3.7-1-g3a71941503", 399, 2, 0xFF},
    {"esp32c6-idf5.2.1-bootloader.bin", OTTER_ERR_IMG_NOT_APP, 13, 3, 21712, 0, NULL, NULL, NULL, 99, 2, 0xFF},
};

static void test_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const struct expect *e = &vectors[i];
        size_t n;
        uint8_t *d = load_vector(e->file, &n);
        otter_image_info_t in;
        int v = run(d, n, OTTER_CHIP_ANY, &in);
        if (v != e->verdict)
            fail_msg("%s: verdict %s, expected %s", e->file, otter_errname(v), otter_errname(e->verdict));
        assert_int_equal(in.chip_id, e->chip);
        assert_int_equal(in.segment_count, e->segs);
        assert_int_equal(in.segments_seen, e->segs);
        assert_int_equal(in.image_len, e->image_len);
        assert_int_equal(in.total_len, n);
        assert_int_equal(in.trailing, e->trailing);
        assert_int_equal(in.max_chip_rev_full, e->max_rev);
        assert_int_equal(in.min_chip_rev_full, 0);
        assert_int_equal(in.spi_mode, e->spi_mode);
        assert_int_equal(in.wp_pin, 0xEE);
        assert_int_equal(in.hash_appended, 1);
        assert_int_equal(in.header_verdict, 0);
        assert_int_equal(in.segments_verdict, 0);
        assert_int_equal(in.padding_verdict, 0);
        assert_int_equal(in.checksum_verdict, 0);
        assert_int_equal(in.hash_verdict, 0);
        assert_int_equal(in.error_offset, -1);
        assert_int_equal(in.checksum_stored, in.checksum_calc);
        if (e->checksum != 0xFF)
            assert_int_equal(in.checksum_stored, e->checksum);
        /* the stored hash is the last 32 bytes of the image */
        assert_memory_equal(in.hash_stored, d + e->image_len - 32, 32);
        assert_int_equal(in.signed_len, (e->image_len + 4095) & ~4095u);
        if (e->version) {
            assert_true(in.has_app_desc);
            assert_int_equal(in.kind, OTTER_IMAGE_KIND_APP);
            assert_string_equal(in.app.version, e->version);
            assert_string_equal(in.app.project_name, e->project);
            assert_string_equal(in.app.idf_ver, e->idf_ver);
            assert_int_equal(in.app.secure_version, 0);
        } else {
            assert_false(in.has_app_desc);
        }
        if (e->verdict == 0)
            assert_int_equal(in.kind, OTTER_IMAGE_KIND_APP);
        check_chunking(d, n, 0x1234u + (uint32_t)i, 7000);
        check_chunking(d, n, 0x9876u + (uint32_t)i, 40);
        free(d);
    }
}

static void test_vector_details(void **state)
{
    (void)state;
    size_t n;
    otter_image_info_t in;
    /* #3: app_elf_sha256 all zero, QIO */
    uint8_t *d = load_vector("esp32c3-arduino2-idf4.4.1-pio-pressureprobe-app.bin", &n);
    assert_int_equal(run(d, n, OTTER_CHIP_ESP32C3, &in), 0);
    static const uint8_t zero[32];
    assert_memory_equal(in.app.app_elf_sha256, zero, 32);
    assert_int_equal(in.seg[3].load_addr, 0x42000020u);
    assert_int_equal(in.seg[3].data_len, 560880u);
    assert_int_equal(in.seg[3].offset, 0x20018u);
    /* wrong chip expected */
    assert_int_equal(run(d, n, OTTER_CHIP_ESP32, &in), OTTER_ERR_IMG_CHIP_MISMATCH);
    assert_int_equal(in.error_offset, 0);
    free(d);

    /* #6: padding segment with load address 0 */
    d = load_vector("esp32-arduino1.0-pio-logging-app-padseg-nodesc.bin", &n);
    assert_int_equal(run(d, n, OTTER_CHIP_ESP32, &in), 0);
    assert_int_equal(in.seg[4].load_addr, 0);
    assert_int_equal(in.seg[4].data_len, 1820);
    assert_int_equal(in.seg[4].offset, 0x1f8ec);
    assert_int_equal(in.seg[5].load_addr, 0x400d0018u);
    free(d);

    /* #7: three zero-length segments */
    d = load_vector("esp32-idf3-pio-mjs-app-emptysegs-nodesc.bin", &n);
    assert_int_equal(run(d, n, OTTER_CHIP_ESP32, &in), 0);
    assert_int_equal(in.seg[2].load_addr, 0x3ffc2084u);
    assert_int_equal(in.seg[2].data_len, 0);
    assert_int_equal(in.seg[7].load_addr, 0x400c0000u);
    assert_int_equal(in.seg[7].data_len, 0);
    assert_int_equal(in.seg[8].load_addr, 0x50000000u);
    assert_int_equal(in.seg[8].data_len, 0);
    free(d);

    /* #8: partition dump: image 0xCEED0, 0xFF to 0xCF000, stale code after */
    d = load_vector("esp32-idf4.3.7-factory-partition-dump-1MiB.bin", &n);
    assert_int_equal(run(d, n, OTTER_CHIP_ESP32, &in), 0);
    assert_int_equal(in.image_len, 0xCEED0u);
    assert_int_equal(in.signed_len, 0xCF000u);
    assert_int_equal(n - in.image_len, 201008u);
    assert_int_equal(in.trailing, 201008u);
    assert_true(in.trailing_ff);
    assert_true(in.sig_digest_ready);
    uint8_t dg[32];
    assert_int_equal(otter_sha256(d, 0xCF000u, dg), 0);
    assert_memory_equal(in.sig_digest, dg, 32);
    free(d);

    /* #10: the bootloader is recognised, with its own description */
    d = load_vector("esp32c6-idf5.2.1-bootloader.bin", &n);
    assert_int_equal(run(d, n, OTTER_CHIP_ESP32C6, &in), OTTER_ERR_IMG_NOT_APP);
    assert_int_equal(in.kind, OTTER_IMAGE_KIND_BOOTLOADER);
    assert_true(in.has_boot_desc);
    assert_false(in.has_app_desc);
    assert_int_equal(in.boot.version, 1);
    assert_string_equal(in.boot.idf_ver, "v5.2.1");
    assert_string_equal(in.boot.date_time, "Apr 28 2024 13:51:16");
    free(d);
}

static void test_not_images(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        int err;
    } t[] = {
        {"esp8266-arduino-nonos2.2.2-pio-button-firmware.bin", OTTER_ERR_IMG_ESP8266},
        {"esp32-arduino1.0-partitions-custom-subtype.bin", OTTER_ERR_IMG_PTABLE},
        {"esp32c6-idf5.2.1-partition-table-zigbee.bin", OTTER_ERR_IMG_PTABLE},
        {"esp32s3-idf4.4-partition-table-factory-2ota.bin", OTTER_ERR_IMG_PTABLE},
        {"esp32c3-arduino-boot_app0.bin", OTTER_ERR_IMG_OTADATA},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t n;
        uint8_t *d = load_vector(t[i].file, &n);
        otter_image_info_t in;
        assert_int_equal(run(d, n, OTTER_CHIP_ANY, &in), t[i].err);
        assert_int_equal(in.header_verdict, t[i].err);
        assert_int_equal(in.error_offset, 0);
        assert_int_equal(in.total_len, n);
        check_chunking(d, n, 77, 100);
        free(d);
    }
    otter_image_info_t in;
    const char *html = "<!DOCTYPE html><html><body>404</body></html>";
    assert_int_equal(run((const uint8_t *)html, strlen(html), OTTER_CHIP_ANY, &in), OTTER_ERR_IMG_HTML);
    /* named once OTTER_IMAGE_SNIFF_LEN bytes are in, and sticky */
    static const char page[] = "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>gone</body></html>";
    otter_image_t img;
    otter_image_init(&img, OTTER_CHIP_ANY);
    assert_int_equal(otter_image_feed(&img, "<", 1), 1);
    assert_int_equal(otter_image_early_verdict(&img), 0); /* one byte says nothing yet */
    assert_int_equal(otter_image_feed(&img, page + 1, OTTER_IMAGE_SNIFF_LEN - 1), OTTER_ERR_IMG_HTML);
    assert_int_equal(otter_image_feed(&img, "x", 1), OTTER_ERR_IMG_HTML); /* sticky */
    assert_int_equal(otter_image_early_verdict(&img), OTTER_ERR_IMG_HTML);
    otter_image_free(&img);
    /* a short file is named at its end (finish), or as soon as its known length was fed */
    otter_image_init(&img, OTTER_CHIP_ANY);
    otter_image_set_file_len(&img, 10);
    assert_int_equal(otter_image_feed(&img, "Not Found\n", 10), 10);
    assert_int_equal(otter_image_early_verdict(&img), OTTER_ERR_IMG_TEXT);
    assert_int_equal(otter_image_finish(&img), OTTER_ERR_IMG_TEXT);
    otter_image_free(&img);
    assert_int_equal(run((const uint8_t *)"", 0, OTTER_CHIP_ANY, NULL), OTTER_ERR_IMG_TRUNCATED);
    uint8_t ea[24] = {0xEA, 4};
    assert_int_equal(run(ea, sizeof ea, OTTER_CHIP_ANY, NULL), OTTER_ERR_IMG_ESP8266);
}

/* An ESP image made by hand: segments (load address, length), data
 * pseudo-random, the first segment optionally starting with an app
 * description; no appended hash. Returns its length. */
static size_t hand_image(uint8_t *buf, size_t cap, const uint32_t (*seg)[2], unsigned nseg, bool desc)
{
    uint32_t seed = 99;
    size_t off = 24;
    uint8_t x = 0xEF;
    memset(buf, 0, cap);
    buf[0] = 0xE9;
    buf[1] = (uint8_t)nseg;
    buf[2] = 2;
    buf[3] = 0x20;
    memcpy(buf + 4, "\x00\x04\x08\x40", 4); /* entry 0x40080400 */
    buf[8] = 0xEE;
    for (unsigned i = 0; i < nseg; i++) {
        assert_true(off + 8 + seg[i][1] + 32 <= cap);
        for (int k = 0; k < 4; k++) {
            buf[off + k] = (uint8_t)(seg[i][0] >> (8 * k));
            buf[off + 4 + k] = (uint8_t)(seg[i][1] >> (8 * k));
        }
        off += 8;
        for (uint32_t j = 0; j < seg[i][1]; j++)
            buf[off + j] = (uint8_t)rng_next(&seed);
        if (i == 0 && desc) {
            memcpy(buf + off, "\x32\x54\xCD\xAB", 4);
            memset(buf + off + 4, 0, 252);
            memcpy(buf + off + 16, "1.0.0", 5);
            memcpy(buf + off + 48, "ramapp", 6);
        }
        for (uint32_t j = 0; j < seg[i][1]; j++)
            x ^= buf[off + j];
        off += seg[i][1];
    }
    while ((off + 1) % 16)
        off++;
    buf[off++] = x;
    return off;
}

/* a string literal and its length, NULs inside included */
#define BYTES(s) s, sizeof(s) - 1

static void test_wrong_files(void **state)
{
    (void)state;
    static uint8_t b[0x12000];
    /* Each kind of file people serve by mistake, made for the test. */
    static const struct {
        const char *what;
        const char *bytes;
        size_t len;
        int err;
    } t[] = {
        {"ELF", BYTES("\x7F" "ELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x5E\x00"), OTTER_ERR_IMG_ELF},
        {"UF2", BYTES("UF2\n\x57\x51\x5D\x9E\x00\x20\x00\x00\x00\x00\x01\x00"), OTTER_ERR_IMG_UF2},
        {"ZIP", BYTES("PK\x03\x04\x14\x00\x00\x00\x08\x00"), OTTER_ERR_IMG_ZIP},
        {"empty ZIP", BYTES("PK\x05\x06\x00\x00\x00\x00"), OTTER_ERR_IMG_ZIP},
        {"gzip", BYTES("\x1F\x8B\x08\x00\x00\x00\x00\x00\x00\x03"), OTTER_ERR_IMG_GZIP},
        {"esp_encrypted_img", BYTES("\xCF\xB6\x88\x07\x11\x22\x33\x44"), OTTER_ERR_IMG_ENCRYPTED},
        {"partition table", BYTES("\xAA\x50\x01\x02\x00\x90\x00\x00\x00\x60\x00\x00nvs\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"), OTTER_ERR_IMG_PTABLE},
        {"ESP8266 v2", BYTES("\xEA\x04\x00\x00\x00\x10\x10\x40"), OTTER_ERR_IMG_ESP8266},
        {"JSON", BYTES("{\"error\": \"not found\", \"code\": 404}\n"), OTTER_ERR_IMG_JSON},
        {"JSON array", BYTES("[{\"version\":\"1.2.0\",\"url\":\"https://x/fw.bin\"}]"), OTTER_ERR_IMG_JSON},
        {"HTML with a BOM", BYTES("\xEF\xBB\xBF  <html><body>Forbidden</body></html>"), OTTER_ERR_IMG_HTML},
        {"XML error", BYTES("<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code></Error>"), OTTER_ERR_IMG_HTML},
        {"text", BYTES("Not Found\n"), OTTER_ERR_IMG_TEXT},
        {"text lines", BYTES("404 page not found\nThe requested URL was not found on this server.\n"), OTTER_ERR_IMG_TEXT},
        {"a '<' then binary", BYTES("<\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0b\x0c"), OTTER_ERR_IMG_MAGIC},
        {"a letter then binary", BYTES("Z\xff\xfe\x00\x91\x80\x01\x02"), OTTER_ERR_IMG_MAGIC},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        memset(b, 0x5A, 256);
        memcpy(b, t[i].bytes, t[i].len);
        size_t n = t[i].len;
        if (t[i].err == OTTER_ERR_IMG_ELF || t[i].err == OTTER_ERR_IMG_UF2 || t[i].err == OTTER_ERR_IMG_ZIP ||
            t[i].err == OTTER_ERR_IMG_GZIP || t[i].err == OTTER_ERR_IMG_ENCRYPTED || t[i].err == OTTER_ERR_IMG_ESP8266 ||
            t[i].err == OTTER_ERR_IMG_PTABLE) {
            uint32_t seed = (uint32_t)i + 1; /* binary bodies after the magic */
            for (size_t j = t[i].len; j < 200; j++)
                b[j] = (uint8_t)rng_next(&seed);
            n = 200;
        }
        int got = otter_image_identify(b, n, n);
        if (got != t[i].err)
            fail_msg("%s: identify says %s, want %s", t[i].what, otter_errname(got), otter_errname(t[i].err));
        /* the streaming validator says the same, whatever the chunk sizes */
        assert_int_equal(run(b, n, OTTER_CHIP_ANY, NULL), t[i].err);
        check_chunking(b, n, (uint32_t)i + 7, 9);
        assert_non_null(otter_image_fix(t[i].err));
    }
    /* Random bytes are "not an ESP app image", never text: 64 tries. */
    uint32_t seed = 2024;
    for (int k = 0; k < 64; k++) {
        for (size_t j = 0; j < 4096; j++)
            b[j] = (uint8_t)rng_next(&seed);
        if (b[0] == 0xE9 || b[0] == 0xEA)
            b[0] = 0x42;
        int got = otter_image_identify(b, 4096, 4096);
        if (got != OTTER_ERR_IMG_MAGIC && got != OTTER_ERR_IMG_GZIP && got != OTTER_ERR_IMG_PTABLE)
            fail_msg("random file %d named %s", k, otter_errname(got));
        assert_true(got == OTTER_ERR_IMG_MAGIC || b[0] == 0x1F || b[0] == 0xAA);
    }
    /* The explanation of an unknown file shows its first bytes. */
    otter_image_t img;
    otter_image_init(&img, OTTER_CHIP_ANY);
    memcpy(b, "\x42\x13\x37\x00\xff", 5);
    otter_image_feed(&img, b, 4096);
    char why[256];
    otter_image_explain(&img, otter_image_finish(&img), why, sizeof why);
    assert_non_null(strstr(why, "first bytes: 42 13 37 00 ff"));
    assert_non_null(strstr(why, "fix: serve the app image"));
    /* cut short: ends in "...", never mid-word without a mark */
    size_t full = otter_image_explain(&img, OTTER_ERR_IMG_MAGIC, why, 40);
    assert_true(full > 39);
    assert_int_equal(strlen(why), 39);
    assert_string_equal(why + 36, "...");
    otter_image_free(&img);

    /* otadata: boot_app0.bin has an entry; ota_data_initial.bin is 8 KB of
     * 0xFF, named only when the length is known. */
    size_t n;
    uint8_t *d = load_vector("esp32s3-idf4.4-ota_data_initial.bin", &n);
    assert_int_equal(otter_image_identify(d, n, n), OTTER_ERR_IMG_OTADATA);
    otter_image_init(&img, OTTER_CHIP_ANY);
    otter_image_set_file_len(&img, (uint32_t)n);
    otter_image_feed(&img, d, n);
    assert_int_equal(otter_image_finish(&img), OTTER_ERR_IMG_OTADATA);
    otter_image_free(&img);
    assert_int_equal(otter_image_identify(d, 64, 0), OTTER_ERR_IMG_MAGIC); /* an erased slot: not a file */
    free(d);

    /* Merged flash images. ESP32: 0xFF up to the bootloader at 0x1000,
     * partition table at 0x8000, app at 0x10000. */
    d = load_vector("esp32c6-idf5.2.1-bootloader.bin", &n);
    assert_true(n < 0x7000);
    size_t pn;
    uint8_t *pt = load_vector("esp32s3-idf4.4-partition-table-factory-2ota.bin", &pn);
    memset(b, 0xFF, sizeof b);
    memcpy(b + 0x1000, d, n);
    memcpy(b + 0x8000, pt, pn);
    memcpy(b + 0x10000, "\xE9\x03", 2);
    assert_int_equal(otter_image_identify(b, sizeof b, sizeof b), OTTER_ERR_IMG_MERGED);
    otter_image_init(&img, OTTER_CHIP_ANY); /* a device with Content-Length: from the first 64 bytes */
    otter_image_set_file_len(&img, sizeof b);
    assert_int_equal(otter_image_feed(&img, b, OTTER_IMAGE_SNIFF_LEN), OTTER_ERR_IMG_MERGED);
    otter_image_free(&img);
    /* ESP32-C3 and later: the bootloader at 0x0 */
    memset(b, 0xFF, sizeof b);
    memcpy(b, d, n);
    memcpy(b + 0x8000, pt, pn);
    assert_int_equal(otter_image_identify(b, sizeof b, sizeof b), OTTER_ERR_IMG_MERGED);
    assert_int_equal(run(b, sizeof b, OTTER_CHIP_ANY, NULL), OTTER_ERR_IMG_NOT_APP); /* the stream sees a bootloader */
    assert_int_equal(otter_image_identify(d, n, n), 0); /* a bootloader alone starts like an image */
    free(pt);
    free(d);

    /* RAM-only apps: an app description in DRAM (refused after 288 bytes),
     * or no description and no flash-mapped segment, longer than a
     * bootloader can be. */
    otter_image_info_t in;
    static const uint32_t ram_desc[][2] = {{0x3FFB0000u, 0x400}, {0x40080000u, 0x2000}};
    n = hand_image(b, sizeof b, ram_desc, 2, true);
    assert_int_equal(run(b, n, OTTER_CHIP_ANY, &in), OTTER_ERR_IMG_RAM_APP);
    assert_int_equal(in.kind, OTTER_IMAGE_KIND_RAM_APP);
    otter_image_init(&img, OTTER_CHIP_ANY);
    otter_image_feed(&img, b, OTTER_IMAGE_EARLY_LEN);
    assert_int_equal(otter_image_early_verdict(&img), OTTER_ERR_IMG_RAM_APP);
    otter_image_free(&img);
    static const uint32_t ram_big[][2] = {{0x3FFB0000u, 0x4000}, {0x40080000u, 0x8000}};
    n = hand_image(b, sizeof b, ram_big, 2, false);
    assert_int_equal(run(b, n, OTTER_CHIP_ANY, &in), OTTER_ERR_IMG_RAM_APP);
    static const uint32_t boot_small[][2] = {{0x3FFF0000u, 0x800}, {0x40078000u, 0x3000}};
    n = hand_image(b, sizeof b, boot_small, 2, false);
    assert_int_equal(run(b, n, OTTER_CHIP_ANY, &in), OTTER_ERR_IMG_NOT_APP);
    assert_int_equal(in.kind, OTTER_IMAGE_KIND_BOOTLOADER);
}

static void test_early_answers(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = load_vector("esp32c6-idf5.2.1-zigbee-pzem-app.bin", &n);
    otter_image_t img;
    otter_image_init(&img, OTTER_CHIP_ESP32C6);
    assert_int_equal(otter_image_feed(&img, d, 23), 23);
    assert_false(otter_image_header_known(&img));
    assert_int_equal(otter_image_feed(&img, d + 23, 1), 1);
    assert_true(otter_image_header_known(&img));
    assert_int_equal(otter_image_info(&img)->chip_id, OTTER_CHIP_ESP32C6);
    assert_false(otter_image_desc_known(&img));
    assert_int_equal(otter_image_feed(&img, d + 24, 263), 263);
    assert_false(otter_image_desc_known(&img));
    assert_int_equal(otter_image_feed(&img, d + 287, 1), 1);
    assert_true(otter_image_desc_known(&img));
    assert_int_equal(otter_image_info(&img)->kind, OTTER_IMAGE_KIND_APP);
    assert_string_equal(otter_image_info(&img)->app.version, "b0e160e-dirty");
    assert_int_equal(otter_image_early_verdict(&img), 0);
    assert_false(otter_image_done(&img));
    assert_int_equal(otter_image_finish(&img), OTTER_ERR_IMG_TRUNCATED);
    otter_image_free(&img);
    free(d);

    /* the bootloader is known as not-an-app after 24 + 8 + 80 bytes */
    d = load_vector("esp32c6-idf5.2.1-bootloader.bin", &n);
    otter_image_init(&img, OTTER_CHIP_ANY);
    otter_image_feed(&img, d, OTTER_IMAGE_EARLY_LEN);
    assert_true(otter_image_desc_known(&img));
    assert_int_equal(otter_image_early_verdict(&img), OTTER_ERR_IMG_NOT_APP);
    otter_image_free(&img);
    free(d);
}

/* ---- synthetic corruptions of a real image (labelled synthetic) ---- */

static uint8_t *s2_copy(size_t *n)
{
    return load_vector("esp32s2-idf4.3.2-pio-voltmeter-app.bin", n);
}

static void test_truncation(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = s2_copy(&n);
    uint32_t seed = 5;
    for (int k = 0; k < 300; k++) {
        size_t cut = k < 40 ? (size_t)k : rng_next(&seed) % n;
        if (k == 40)
            cut = n - 1;
        otter_image_info_t in;
        assert_int_equal(run(d, cut, OTTER_CHIP_ANY, &in), OTTER_ERR_IMG_TRUNCATED);
        assert_int_equal(in.total_len, cut);
    }
    free(d);
}

static void expect_corrupt(uint8_t *d, size_t n, size_t at, uint8_t val, int err, int err_off)
{
    uint8_t old = d[at];
    d[at] = val;
    otter_image_info_t in;
    int v = run(d, n, OTTER_CHIP_ANY, &in);
    if (v != err)
        fail_msg("byte %zu = 0x%02x: %s, expected %s", at, val, otter_errname(v), otter_errname(err));
    if (err_off >= -1)
        assert_int_equal(in.error_offset, err_off);
    check_chunking(d, n, (uint32_t)at + 1, 333);
    d[at] = old;
}

static void test_corruptions(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = s2_copy(&n);
    /* header */
    expect_corrupt(d, n, 0, 0xE8, OTTER_ERR_IMG_MAGIC, 0);
    expect_corrupt(d, n, 0, 0xFF, OTTER_ERR_IMG_MAGIC, 0);
    expect_corrupt(d, n, 1, 0, OTTER_ERR_IMG_SEG_COUNT, 0);
    expect_corrupt(d, n, 1, 17, OTTER_ERR_IMG_SEG_COUNT, 0);
    expect_corrupt(d, n, 12, 0x77, OTTER_ERR_IMG_CHIP_UNKNOWN, 0);
    expect_corrupt(d, n, 23, 2, OTTER_ERR_IMG_HASH_FLAG, 0);
    /* segment headers: length not a multiple of 4, absurd, too long */
    expect_corrupt(d, n, 0x18 + 4, (uint8_t)(d[0x18 + 4] + 1), OTTER_ERR_IMG_SEG_LEN, 0x18);
    expect_corrupt(d, n, 0x18 + 7, 0x01, OTTER_ERR_IMG_SEG_LEN, 0x18);
    expect_corrupt(d, n, 0x18 + 6, 0x20, OTTER_ERR_IMG_TRUNCATED, -1); /* runs past the end of the file */
    /* last segment 4 bytes longer: same checksum position, and the extra
     * bytes are zeros, so only the appended hash notices */
    expect_corrupt(d, n, 0x27560 + 4, 0x14, OTTER_ERR_IMG_HASH, (int)n - 32);
    /* segment data: checksum fails first, the hash too */
    expect_corrupt(d, n, 0x100, (uint8_t)(d[0x100] ^ 0x01), OTTER_ERR_IMG_CHECKSUM, 0x2757f);
    expect_corrupt(d, n, 0x20000, (uint8_t)(d[0x20000] ^ 0x80), OTTER_ERR_IMG_CHECKSUM, 0x2757f);
    /* padding (7 bytes before the checksum at 0x2757f) */
    expect_corrupt(d, n, 0x2757a, 0x01, OTTER_ERR_IMG_PADDING, 0x2757a);
    /* checksum byte */
    expect_corrupt(d, n, 0x2757f, (uint8_t)(d[0x2757f] ^ 0x10), OTTER_ERR_IMG_CHECKSUM, 0x2757f);
    /* appended hash */
    expect_corrupt(d, n, n - 1, (uint8_t)(d[n - 1] ^ 0x01), OTTER_ERR_IMG_HASH, (int)n - 32);
    expect_corrupt(d, n, n - 32, (uint8_t)(d[n - 32] ^ 0x01), OTTER_ERR_IMG_HASH, (int)n - 32);

    /* both verdicts are reported after a data flip */
    d[0x100] ^= 1;
    otter_image_info_t in;
    assert_int_equal(run(d, n, OTTER_CHIP_ANY, &in), OTTER_ERR_IMG_CHECKSUM);
    assert_int_equal(in.checksum_verdict, OTTER_ERR_IMG_CHECKSUM);
    assert_int_equal(in.hash_verdict, OTTER_ERR_IMG_HASH);
    assert_int_equal(in.image_len, n);
    d[0x100] ^= 1;

    /* hash_appended = 0: the 32 hash bytes become trailing bytes */
    d[23] = 0;
    assert_int_equal(run(d, n, OTTER_CHIP_ANY, &in), 0);
    assert_int_equal(in.hash_verdict, OTTER_IMAGE_NA);
    assert_int_equal(in.image_len, n - 32);
    assert_int_equal(in.trailing, 32);
    d[23] = 1;

    /* max_len */
    otter_image_t img;
    otter_image_init(&img, OTTER_CHIP_ANY);
    otter_image_set_max_len(&img, (uint32_t)n - 1);
    assert_int_equal(otter_image_feed(&img, d, n), OTTER_ERR_IMG_TOO_LONG);
    otter_image_free(&img);
    otter_image_init(&img, OTTER_CHIP_ANY);
    otter_image_set_max_len(&img, (uint32_t)n);
    assert_int_equal(otter_image_feed(&img, d, n), (int)n);
    assert_int_equal(otter_image_finish(&img), 0);
    otter_image_free(&img);
    free(d);
}

static void test_chip_names(void **state)
{
    (void)state;
    uint16_t id;
    assert_int_equal(otter_image_chip_from_name("esp32c3", &id), 0);
    assert_int_equal(id, 5);
    assert_int_equal(otter_image_chip_from_name("ESP32-S3", &id), 0);
    assert_int_equal(id, 9);
    assert_int_equal(otter_image_chip_from_name("esp32p4", &id), 0);
    assert_int_equal(id, 18);
    assert_int_equal(otter_image_chip_from_name("any", &id), 0);
    assert_int_equal(id, OTTER_CHIP_ANY);
    assert_int_equal(otter_image_chip_from_name("esp8266", &id), OTTER_ERR_IMG_CHIP_UNKNOWN);
    assert_int_equal(otter_image_chip_from_name("esp32c3esp32c3esp32c3", &id), OTTER_ERR_IMG_CHIP_UNKNOWN);
    assert_string_equal(otter_image_chip_name(13), "ESP32-C6");
    assert_string_equal(otter_image_chip_name(0), "ESP32");
    assert_string_equal(otter_image_chip_name(0x570), "unknown");
    assert_true(otter_image_addr_flash_mapped(0, 0x3f400020u));
    assert_false(otter_image_addr_flash_mapped(0, 0x40080000u));
    otter_image_info_t in = {0};
    in.min_chip_rev_full = 100;
    assert_int_equal(otter_image_check_chip_rev(&in, 99), OTTER_ERR_IMG_CHIP_REV);
    assert_int_equal(otter_image_check_chip_rev(&in, 301), 0); /* max 0 = not set */
    in.max_chip_rev_full = 199;
    assert_int_equal(otter_image_check_chip_rev(&in, 200), OTTER_ERR_IMG_CHIP_REV);
    assert_int_equal(otter_image_check_chip_rev(&in, 199), 0);
}

/* ---- flash-reading validator on a RAM flash ---- */

static void test_validate_flash(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = load_vector("esp32-idf4.3.7-factory-partition-dump-1MiB.bin", &n);
    ramflash_t rf;
    assert_int_equal(ramflash_open(&rf, NULL, 0x10000 + (uint32_t)n, 0xFF, NULL), 0);
    memcpy(rf.mem + 0x10000, d, n);
    otter_flash_t fl = rf.flash;
    uint8_t work[4096];
    otter_image_info_t in;
    assert_int_equal(otter_image_validate_flash(&fl, 0x10000, (uint32_t)n, &in, work, sizeof work), 0);
    assert_int_equal(in.image_len, 0xCEED0u);
    assert_true(in.sig_digest_ready);
    /* reads stop at signed_len: 0xCF000 / 4096 reads */
    assert_int_equal(rf.sim.st.reads, 0xCF000u / 4096);
    assert_int_equal(in.total_len, 0xCF000u);
    /* odd work buffer size */
    assert_int_equal(otter_image_validate_flash(&fl, 0x10000, (uint32_t)n, &in, work, 77), 0);
    /* slot too small */
    assert_int_equal(otter_image_validate_flash(&fl, 0x10000, 0x80000, &in, work, 4096), OTTER_ERR_IMG_TOO_LONG);
    /* range error from flash */
    assert_int_equal(otter_image_validate_flash(&fl, 0x10000, (uint32_t)n + 0x1000, &in, work, 4096), 0);
    assert_int_equal(otter_image_validate_flash(&fl, rf.size - 16, 4096, &in, work, 4096), OTTER_ERR_FLASH_RANGE);
    /* erased slot */
    assert_int_equal(otter_image_validate_flash(&fl, 0, 0x10000, &in, work, 4096), OTTER_ERR_IMG_MAGIC);
    /* the boot adapter */
    otter_image_boot_cfg_t cfg = {.chip_id = OTTER_CHIP_ESP32, .work = work, .work_len = sizeof work};
    assert_int_equal(otter_image_boot_validate(&cfg, &fl, 0x10000, (uint32_t)n), 0);
    assert_int_equal(otter_image_boot_validate(NULL, &fl, 0x10000, (uint32_t)n), 0);
    cfg.chip_id = OTTER_CHIP_ESP32C3;
    assert_int_equal(otter_image_boot_validate(&cfg, &fl, 0x10000, (uint32_t)n), OTTER_ERR_IMG_CHIP_MISMATCH);
    rf.mem[0x10000 + 0x1000] ^= 4;
    assert_int_equal(otter_image_boot_validate(NULL, &fl, 0x10000, (uint32_t)n), OTTER_ERR_IMG_CHECKSUM);
    ramflash_close(&rf);
    free(d);
}

/* Synthetic images from host/imgmake.c: valid for every chip and layout;
 * a flash-mapped segment at a misaligned file offset is refused like the
 * ESP-IDF bootloader refuses it. */
static void test_synthetic(void **state)
{
    (void)state;
    static const uint16_t chips[] = {OTTER_CHIP_ESP32,   OTTER_CHIP_ESP32S2,  OTTER_CHIP_ESP32C3,  OTTER_CHIP_ESP32S3,
                                     OTTER_CHIP_ESP32C2, OTTER_CHIP_ESP32C6,  OTTER_CHIP_ESP32H2,  OTTER_CHIP_ESP32P4,
                                     OTTER_CHIP_ESP32C5, OTTER_CHIP_ESP32C61, OTTER_CHIP_ESP32H21, OTTER_CHIP_ESP32H4};
    static const uint32_t sizes[] = {1024, 5000, 200000, 1577648};
    otter_imgmake_t p;
    otter_imgmake_defaults(&p);
    for (size_t c = 0; c < sizeof chips / sizeof chips[0]; c++) {
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            p.chip = chips[c];
            p.size = sizes[k];
            p.secure_version = (uint32_t)k;
            p.seed = (uint32_t)(c * 10 + k);
            size_t n;
            uint8_t *d = otter_imgmake_alloc(&p, &n);
            assert_non_null(d);
            assert_int_equal(n, otter_imgmake_len(&p));
            assert_true(n <= sizes[k] && n + 48 >= sizes[k]);
            otter_image_info_t in;
            assert_int_equal(run(d, n, chips[c], &in), 0);
            assert_int_equal(in.image_len, n);
            assert_int_equal(in.segment_count, sizes[k] >= 196608 ? 5 : 3);
            assert_string_equal(in.app.version, "1.0.0");
            assert_string_equal(in.app.project_name, "otter-demo");
            assert_int_equal(in.app.secure_version, k);
            free(d);
        }
    }
    /* same parameters, same bytes; another seed, other bytes */
    size_t n1, n2, n3;
    p.chip = OTTER_CHIP_ESP32C3;
    p.size = 70000;
    uint8_t *a = otter_imgmake_alloc(&p, &n1), *b = otter_imgmake_alloc(&p, &n2);
    p.seed++;
    uint8_t *c3 = otter_imgmake_alloc(&p, &n3);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    assert_memory_not_equal(a, c3, n1);
    free(a);
    free(b);
    free(c3);
    /* bad parameters */
    p.chip = OTTER_CHIP_ANY;
    assert_int_equal(otter_imgmake_len(&p), 0);
    assert_null(otter_imgmake_alloc(&p, &n1));
    p.chip = OTTER_CHIP_ESP32;
    p.version = "123456789012345678901234567890123";
    assert_int_equal(otter_imgmake_len(&p), 0);
    otter_imgmake_defaults(&p);
    uint8_t small[100];
    assert_int_equal(otter_imgmake(&p, small, sizeof small, &n1), OTTER_ERR_BUF_TOO_SMALL);

    /* misaligned flash mapping: make segment 1 (DRAM) claim a DROM address */
    otter_imgmake_defaults(&p);
    p.no_hash = true;
    uint8_t *d = otter_imgmake_alloc(&p, &n1);
    otter_image_info_t in;
    assert_int_equal(run(d, n1, OTTER_CHIP_ESP32, &in), 0);
    assert_int_equal(in.hash_verdict, OTTER_IMAGE_NA);
    uint32_t seg1 = in.seg[1].offset;
    otter_put_le32(d + seg1, 0x3F410000u + ((seg1 + 8 + 0x40) & 0xFFFFu)); /* off by 0x40 */
    assert_int_equal(run(d, n1, OTTER_CHIP_ESP32, &in), OTTER_ERR_IMG_SEG_ALIGN);
    assert_int_equal(in.error_offset, (int)seg1);
    assert_int_equal(in.segments_verdict, OTTER_ERR_IMG_SEG_ALIGN);
    otter_put_le32(d + seg1, 0x3F410000u + ((seg1 + 8) & 0xFFFFu)); /* aligned: fine */
    assert_int_equal(run(d, n1, OTTER_CHIP_ESP32, &in), 0);
    free(d);
}

static void test_bad_args(void **state)
{
    (void)state;
    otter_image_t img;
    otter_image_init(&img, OTTER_CHIP_ANY);
    assert_int_equal(otter_image_feed(&img, NULL, 5), OTTER_ERR_INVAL);
    assert_int_equal(otter_image_feed(&img, NULL, 0), 0);
    otter_image_free(&img);
    otter_image_free(&img);
    uint8_t w[4];
    assert_int_equal(otter_image_validate_flash(NULL, 0, 10, NULL, w, 4), OTTER_ERR_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),       cmocka_unit_test(test_vector_details), cmocka_unit_test(test_not_images), cmocka_unit_test(test_wrong_files),
        cmocka_unit_test(test_early_answers), cmocka_unit_test(test_truncation),     cmocka_unit_test(test_corruptions),
        cmocka_unit_test(test_chip_names),    cmocka_unit_test(test_validate_flash), cmocka_unit_test(test_bad_args),
        cmocka_unit_test(test_synthetic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
