/* Partition tables: the real ESP-IDF / Arduino tables in tests/vectors/esp32
 * parse to what their README lists and serialise back byte for byte; CSV
 * files that describe them produce the same bytes (gen_esp32part.py output);
 * built-in layouts; every bad input gives its own error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otter/bytes.h"
#include "otter/crypto.h"
#include "otter/error.h"
#include "otter/host/partition.h"
#include "otter/partition.h"
#include "ramflash.h"

static uint8_t *load_vector(const char *name, size_t *len)
{
    const char *dir = getenv("OTTER_VECTORS");
    char path[1024];
    snprintf(path, sizeof path, "%s/esp32/%s", dir ? dir : "tests/vectors", name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *buf = malloc(1 << 20);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

struct row {
    uint8_t type, subtype;
    uint32_t offset, size;
    const char *label;
};

static void expect_rows(const otter_ptable_t *pt, const struct row *rows, size_t n)
{
    assert_int_equal(pt->count, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(pt->entry[i].type, rows[i].type);
        assert_int_equal(pt->entry[i].subtype, rows[i].subtype);
        assert_int_equal(pt->entry[i].offset, rows[i].offset);
        assert_int_equal(pt->entry[i].size, rows[i].size);
        assert_string_equal(pt->entry[i].label, rows[i].label);
        assert_int_equal(pt->entry[i].flags, 0);
    }
}

/* #11: ESP-IDF 4.4, factory + 2 OTA. */
static const struct row rows11[] = {
    {1, 0x02, 0x9000, 0x7000, "nvs"},         {1, 0x01, 0x10000, 0x1000, "phy_init"},
    {1, 0x00, 0x11000, 0x2000, "otadata"},    {0, 0x00, 0x20000, 0x100000, "factory"},
    {0, 0x10, 0x120000, 0x3a0000, "ota_0"},   {0, 0x11, 0x4c0000, 0x3a0000, "ota_1"},
    {1, 0x81, 0x860000, 0x1a0000, "storage"},
};
static const char csv11[] = "# Name, Type, SubType, Offset, Size, Flags\n"
                            "nvs,data,nvs,0x9000,28K,\n"
                            "phy_init,data,phy,0x10000,4K,\n"
                            "otadata,data,ota,0x11000,8K,\n"
                            "factory,app,factory,0x20000,1M,\n"
                            "ota_0,app,ota_0,,0x3a0000,\n"
                            "ota_1,app,ota_1,,0x3a0000,\n"
                            "storage,data,fat,,0x1a0000,\n";
/* #12: ESP-IDF 5.2.1 Zigbee, a 0x400-byte data partition. */
static const struct row rows12[] = {
    {1, 0x02, 0x9000, 0x6000, "nvs"},          {1, 0x01, 0xf000, 0x1000, "phy_init"},
    {0, 0x00, 0x10000, 0xe1000, "factory"},    {1, 0x81, 0xf1000, 0x4000, "zb_storage"},
    {1, 0x81, 0xf5000, 0x400, "zb_fct"},
};
static const char csv12[] = "nvs,        data, nvs,     0x9000,  0x6000,\n"
                            "phy_init,   data, phy,     0xf000,  0x1000,\n"
                            "factory,    app,  factory, 0x10000, 900K,\n"
                            "zb_storage, data, fat,     0xf1000, 16K,\n"
                            "zb_fct,     data, fat,     0xf5000, 1K,\n";
/* #13: Arduino-ESP32 1.0 default with a custom 0x99 data subtype. */
static const struct row rows13[] = {
    {1, 0x02, 0x9000, 0x5000, "nvs"},        {1, 0x00, 0xe000, 0x2000, "otadata"},
    {0, 0x10, 0x10000, 0x140000, "app0"},    {0, 0x11, 0x150000, 0x140000, "app1"},
    {1, 0x99, 0x290000, 0x1000, "eeprom"},   {1, 0x82, 0x291000, 0x16F000, "spiffs"},
};
static const char csv13[] = "# Name,   Type, SubType, Offset,   Size, Flags\r\n"
                            "nvs,      data, nvs,     0x9000,   0x5000,\r\n"
                            "otadata,  data, ota,     0xe000,   0x2000,\r\n"
                            "app0,     app,  ota_0,   0x10000,  0x140000,\r\n"
                            "app1,\t    app,\tota_1,\t 0x150000, 0x140000,\r\n"
                            "eeprom,   data, 0x99,    0x290000, 0x1000,\r\n"
                            "spiffs,   data, spiffs,  0x291000, 0x16F000,";

static void check_vector(const char *file, const struct row *rows, size_t n, const char *csv, const char *md5hex)
{
    size_t len;
    uint8_t *bin = load_vector(file, &len);
    assert_int_equal(len, 3072);
    otter_ptable_t pt, pc;
    assert_int_equal(otter_ptable_parse(&pt, bin, len, 16u << 20), 0);
    expect_rows(&pt, rows, n);
    assert_int_equal(pt.has_md5, 1);
    /* MD5 row as the README says: EB EB, 14 x FF, the digest */
    const uint8_t *md5row = bin + n * 32;
    assert_int_equal(md5row[0], 0xEB);
    char hex[33];
    for (int i = 0; i < 16; i++)
        sprintf(hex + 2 * i, "%02x", md5row[16 + i]);
    assert_string_equal(hex, md5hex);
    /* serialise: byte-identical */
    uint8_t out[3072];
    assert_int_equal(otter_ptable_serialise(&pt, out, sizeof out), 3072);
    assert_memory_equal(out, bin, 3072);
    /* the CSV describing it gives the same bytes (gen_esp32part.py output) */
    unsigned line = 99;
    assert_int_equal(otter_ptable_parse_csv(&pc, csv, strlen(csv), 16u << 20, &line), 0);
    assert_int_equal(line, 0);
    memset(out, 0, sizeof out);
    assert_int_equal(otter_ptable_serialise(&pc, out, sizeof out), 3072);
    assert_memory_equal(out, bin, 3072);
    free(bin);
}

static void test_vectors(void **state)
{
    (void)state;
    check_vector("esp32s3-idf4.4-partition-table-factory-2ota.bin", rows11, 7, csv11, "bf0acfc29df8fe9d2703251b29c7b2b2");
    check_vector("esp32c6-idf5.2.1-partition-table-zigbee.bin", rows12, 5, csv12, "3f5c91b40e0c1ba4b9624e0649c50251");
    check_vector("esp32-arduino1.0-partitions-custom-subtype.bin", rows13, 6, csv13, "d74418276b08c9a4aebaf9ed583bc896");
}

static void test_lookups(void **state)
{
    (void)state;
    size_t len;
    uint8_t *bin = load_vector("esp32s3-idf4.4-partition-table-factory-2ota.bin", &len);
    otter_ptable_t pt;
    assert_int_equal(otter_ptable_parse(&pt, bin, len, 0), 0);
    free(bin);
    assert_int_equal(otter_ptable_ota_count(&pt), 2);
    assert_int_equal(otter_ptable_otadata(&pt)->offset, 0x11000);
    assert_string_equal(otter_ptable_find_label(&pt, "storage")->label, "storage");
    assert_null(otter_ptable_find_label(&pt, "nope"));
    assert_int_equal(otter_ptable_find(&pt, 1, 0x81)->offset, 0x860000);
    assert_int_equal(otter_ptable_app(&pt, OTTER_PT_SUBTYPE_OTA(1))->offset, 0x4c0000);
    assert_null(otter_ptable_app(&pt, OTTER_PT_SUBTYPE_OTA(2)));
    const otter_partition_t *slots[2];
    assert_int_equal(otter_ptable_app_slots(&pt, slots, 2), 3);
    assert_string_equal(slots[0]->label, "factory");
    assert_string_equal(slots[1]->label, "ota_0");
    assert_string_equal(otter_ptable_type_name(0), "app");
    assert_string_equal(otter_ptable_type_name(1), "data");
    assert_null(otter_ptable_type_name(0x40));
    assert_string_equal(otter_ptable_subtype_name(0, 0x1F), "ota_15");
    assert_string_equal(otter_ptable_subtype_name(1, 0x83), "littlefs");
    assert_null(otter_ptable_subtype_name(1, 0x99));
    uint8_t s = 0;
    assert_int_equal(otter_slot_parse("ota_12", &s), 0);
    assert_int_equal(s, 0x1C);
    assert_int_equal(otter_slot_parse("factory", &s), 0);
    assert_int_equal(s, 0);
    assert_int_equal(otter_slot_parse("ota_16", &s), OTTER_ERR_BOOT_SLOT);
    assert_int_equal(otter_slot_parse("app0", &s), OTTER_ERR_BOOT_SLOT);
}

static void test_builtins(void **state)
{
    (void)state;
    static const struct row def[] = {
        {1, 0x02, 0x9000, 0x5000, "nvs"},         {1, 0x00, 0xe000, 0x2000, "otadata"},
        {0, 0x10, 0x10000, 0x140000, "app0"},     {0, 0x11, 0x150000, 0x140000, "app1"},
        {1, 0x82, 0x290000, 0x160000, "spiffs"},  {1, 0x03, 0x3F0000, 0x10000, "coredump"},
    };
    static const struct row mins[] = {
        {1, 0x02, 0x9000, 0x5000, "nvs"},         {1, 0x00, 0xe000, 0x2000, "otadata"},
        {0, 0x10, 0x10000, 0x1E0000, "app0"},     {0, 0x11, 0x1F0000, 0x1E0000, "app1"},
        {1, 0x82, 0x3D0000, 0x20000, "spiffs"},   {1, 0x03, 0x3F0000, 0x10000, "coredump"},
    };
    static const struct row two[] = {
        {1, 0x02, 0x9000, 0x4000, "nvs"},         {1, 0x00, 0xd000, 0x2000, "otadata"},
        {1, 0x01, 0xf000, 0x1000, "phy_init"},    {0, 0x00, 0x10000, 0x100000, "factory"},
        {0, 0x10, 0x110000, 0x100000, "ota_0"},   {0, 0x11, 0x210000, 0x100000, "ota_1"},
    };
    otter_ptable_t pt;
    assert_int_equal(otter_ptable_builtin(&pt, "default", 4u << 20), 0);
    expect_rows(&pt, def, 6);
    assert_int_equal(otter_ptable_builtin(&pt, "min_spiffs", 4u << 20), 0);
    expect_rows(&pt, mins, 6);
    assert_int_equal(otter_ptable_builtin(&pt, "two_ota", 4u << 20), 0);
    expect_rows(&pt, two, 6);
    assert_int_equal(otter_ptable_builtin(&pt, "huge_app", 4u << 20), OTTER_ERR_PT_NOT_FOUND);
    assert_int_equal(pt.count, 0);
    /* default does not fit 2 MB */
    assert_int_equal(otter_ptable_builtin(&pt, "default", 2u << 20), OTTER_ERR_PT_BOUNDS);
    assert_non_null(otter_ptable_builtin_csv("min_spiffs"));
    assert_null(otter_ptable_builtin_csv("x"));
}

/* A valid two-entry table in bin, returned with MD5. */
static void make_table(uint8_t bin[3072], const otter_ptable_t *pt)
{
    assert_int_equal(otter_ptable_serialise(pt, bin, 3072), 3072);
}

static void base_table(otter_ptable_t *pt)
{
    otter_ptable_init(pt);
    assert_int_equal(otter_ptable_add(pt, "otadata", 1, 0, 0xd000, 0x2000, 0), 0);
    assert_int_equal(otter_ptable_add(pt, "ota_0", 0, 0x10, 0x10000, 0x10000, 0), 0);
    assert_int_equal(otter_ptable_add(pt, "ota_1", 0, 0x11, 0x20000, 0x10000, 0), 0);
}

static int parse_modified(void (*mod)(otter_ptable_t *), uint32_t flash_size)
{
    otter_ptable_t pt, out;
    uint8_t bin[3072];
    base_table(&pt);
    mod(&pt);
    make_table(bin, &pt);
    int ret = otter_ptable_parse(&out, bin, sizeof bin, flash_size);
    if (ret)
        assert_int_equal(out.count, 0); /* left empty on error */
    return ret;
}

static void m_none(otter_ptable_t *pt) { (void)pt; }
static void m_overlap(otter_ptable_t *pt) { pt->entry[2].offset = 0x10000 + 0x0000; pt->entry[1].size = 0x20000; }
static void m_in_table(otter_ptable_t *pt) { pt->entry[0].offset = 0x8000; }
static void m_align(otter_ptable_t *pt) { pt->entry[2].offset = 0x21000; }
static void m_align_data(otter_ptable_t *pt) { pt->entry[0].offset = 0xd002; }
static void m_otadata_align(otter_ptable_t *pt) { pt->entry[0].offset = 0xd004; }
static void m_dup_label(otter_ptable_t *pt) { strcpy(pt->entry[2].label, "ota_0"); }
static void m_gap(otter_ptable_t *pt) { pt->entry[2].subtype = 0x12; }
static void m_dup_type(otter_ptable_t *pt) { pt->entry[2].subtype = 0x10; }
static void m_zero(otter_ptable_t *pt) { pt->entry[1].size = 0; }
static void m_wrap(otter_ptable_t *pt) { pt->entry[2].offset = 0xFFFF0000u; pt->entry[2].size = 0x20000; }
static void m_two_otadata(otter_ptable_t *pt) { assert_int_equal(otter_ptable_add(pt, "od2", 1, 0, 0x40000, 0x2000, 0), 0); }

static void test_validation(void **state)
{
    (void)state;
    assert_int_equal(parse_modified(m_none, 0x40000), 0);
    assert_int_equal(parse_modified(m_none, 0x2F000), OTTER_ERR_PT_BOUNDS);
    assert_int_equal(parse_modified(m_overlap, 0), OTTER_ERR_PT_OVERLAP);
    assert_int_equal(parse_modified(m_in_table, 0), OTTER_ERR_PT_OVERLAP);
    assert_int_equal(parse_modified(m_align, 0), OTTER_ERR_PT_ALIGN);
    assert_int_equal(parse_modified(m_align_data, 0), OTTER_ERR_PT_ALIGN);
    assert_int_equal(parse_modified(m_otadata_align, 0), OTTER_ERR_PT_ALIGN);
    assert_int_equal(parse_modified(m_dup_label, 0), OTTER_ERR_PT_DUP_LABEL);
    assert_int_equal(parse_modified(m_gap, 0), OTTER_ERR_PT_OTA_GAP);
    assert_int_equal(parse_modified(m_dup_type, 0), OTTER_ERR_PT_DUP_TYPE);
    assert_int_equal(parse_modified(m_zero, 0), OTTER_ERR_PT_FIELD);
    assert_int_equal(parse_modified(m_wrap, 0), OTTER_ERR_PT_BOUNDS);
    assert_int_equal(parse_modified(m_two_otadata, 0), OTTER_ERR_PT_DUP_TYPE);
}

static void test_bad_binary(void **state)
{
    (void)state;
    otter_ptable_t pt, out;
    uint8_t bin[3072], b2[3072];
    base_table(&pt);
    make_table(bin, &pt);
    /* erased flash: no entries */
    memset(b2, 0xFF, sizeof b2);
    assert_int_equal(otter_ptable_parse(&out, b2, sizeof b2, 0), OTTER_ERR_PT_EMPTY);
    /* bad magic */
    memcpy(b2, bin, sizeof b2);
    b2[32] = 0xAB;
    assert_int_equal(otter_ptable_parse(&out, b2, sizeof b2, 0), OTTER_ERR_PT_MAGIC);
    /* an entry changed: the MD5 no longer matches */
    memcpy(b2, bin, sizeof b2);
    b2[32 + 8] ^= 0x10;
    assert_int_equal(otter_ptable_parse(&out, b2, sizeof b2, 0), OTTER_ERR_PT_MD5);
    /* a second MD5 row */
    memcpy(b2, bin, sizeof b2);
    memcpy(b2 + 4 * 32, b2 + 3 * 32, 32);
    assert_int_equal(otter_ptable_parse(&out, b2, sizeof b2, 0), OTTER_ERR_PT_MD5);
    /* an entry after the MD5 row */
    memcpy(b2, bin, sizeof b2);
    memcpy(b2 + 4 * 32, b2, 32);
    assert_int_equal(otter_ptable_parse(&out, b2, sizeof b2, 0), OTTER_ERR_PT_NO_END);
    /* truncated before the terminator */
    assert_int_equal(otter_ptable_parse(&out, bin, 3 * 32, 0), OTTER_ERR_PT_NO_END);
    /* no MD5 row at all is accepted (gen_esp32part.py --disable-md5sum) */
    memcpy(b2, bin, sizeof b2);
    memset(b2 + 3 * 32, 0xFF, 32);
    assert_int_equal(otter_ptable_parse(&out, b2, sizeof b2, 0), 0);
    assert_int_equal(out.has_md5, 0);
    uint8_t b3[3072];
    assert_int_equal(otter_ptable_serialise(&out, b3, sizeof b3), 3072);
    assert_memory_equal(b3, b2, 3072);
    assert_int_equal(otter_ptable_serialise(&out, b3, 100), OTTER_ERR_BUF_TOO_SMALL);
    /* more entries than fit */
    otter_ptable_init(&pt);
    for (int i = 0; i < OTTER_PT_MAX_ENTRIES; i++) {
        char l[8];
        sprintf(l, "p%d", i);
        assert_int_equal(otter_ptable_add(&pt, l, 1, 0x81, 0x10000u + (uint32_t)i * 0x1000u, 0x1000, 0), 0);
    }
    assert_int_equal(otter_ptable_add(&pt, "x", 1, 0x81, 0x100000, 0x1000, 0), OTTER_ERR_PT_TOO_MANY);
    assert_int_equal(otter_ptable_add(&pt, "", 1, 0x81, 0x100000, 0x1000, 0), OTTER_ERR_PT_FIELD);
    assert_int_equal(otter_ptable_add(&pt, "seventeen_chars_x", 1, 0x81, 0, 1, 0), OTTER_ERR_PT_FIELD);
    /* ESP-IDF's limit: 95 rows fill the table without an MD5 row */
    pt.has_md5 = 0;
    make_table(bin, &pt);
    assert_int_equal(otter_ptable_parse(&out, bin, sizeof bin, 0), 0);
    /* one entry row more than otter keeps: parse refuses them */
    memset(b2, 0xFF, sizeof b2);
    for (int i = 0; i < OTTER_PT_MAX_ENTRIES + 1; i++) {
        otter_partition_t e = pt.entry[0];
        e.offset = 0x10000u + (uint32_t)i * 0x1000u;
        sprintf(e.label, "q%d", i);
        otter_ptable_t one;
        otter_ptable_init(&one);
        one.has_md5 = 0;
        one.entry[0] = e;
        one.count = 1;
        uint8_t tmp[3072];
        make_table(tmp, &one);
        memcpy(b2 + i * 32, tmp, 32);
    }
    assert_int_equal(otter_ptable_parse(&out, b2, sizeof b2, 0), OTTER_ERR_PT_TOO_MANY);
    assert_int_equal(otter_ptable_validate(&out, 0), OTTER_ERR_PT_EMPTY);
}

static int csv_err(const char *csv, unsigned *line)
{
    otter_ptable_t pt;
    int ret = otter_ptable_parse_csv(&pt, csv, strlen(csv), 0, line);
    if (ret)
        assert_int_equal(pt.count, 0);
    return ret;
}

static void test_csv(void **state)
{
    (void)state;
    unsigned line = 0;
    otter_ptable_t pt;
    /* auto offsets: data 4 KB, apps 64 KB; sizes K/M, decimal, octal, binary;
     * flags; a UTF-8 BOM; keywords in any case; empty data subtype */
    const char *ok = "\xEF\xBB\xBF# comment\n\n"
                     "  nvs , DATA, NVS, , 20K\n"
                     "otadata,data,ota,,8192\n"
                     "app0,APP,OTA_0,,1M,encrypted\n"
                     "cfg,data,,,0o10000,readonly:encrypted\n"
                     "raw,0x40,0x01,,0b1000000000000\n";
    assert_int_equal(otter_ptable_parse_csv(&pt, ok, strlen(ok), 0, &line), 0);
    assert_int_equal(pt.count, 5);
    assert_int_equal(pt.entry[0].offset, 0x9000);
    assert_int_equal(pt.entry[0].size, 0x5000);
    assert_int_equal(pt.entry[1].offset, 0xe000);
    assert_int_equal(pt.entry[2].offset, 0x10000);
    assert_int_equal(pt.entry[2].flags, OTTER_PT_FLAG_ENCRYPTED);
    assert_int_equal(pt.entry[3].offset, 0x110000);
    assert_int_equal(pt.entry[3].subtype, OTTER_PT_SUBTYPE_UNDEFINED);
    assert_int_equal(pt.entry[3].size, 0x1000);
    assert_int_equal(pt.entry[3].flags, OTTER_PT_FLAG_ENCRYPTED | OTTER_PT_FLAG_READONLY);
    assert_int_equal(pt.entry[4].type, 0x40);
    assert_int_equal(pt.entry[4].offset, 0x111000);
    assert_int_equal(pt.entry[4].size, 0x1000);
    /* flags serialise as bits 0 and 1 */
    uint8_t bin[3072];
    assert_int_equal(otter_ptable_serialise(&pt, bin, sizeof bin), 3072);
    assert_int_equal(otter_le32(bin + 3 * 32 + 28), 3);

    /* a negative size runs up to that offset (gen_esp32part.py's -END) */
    const char *neg = "nvs,data,nvs,,-0xe000\n"
                      "otadata,data,ota,,8K\n"
                      "app0,app,ota_0,,-1M\n"
                      "spiffs,data,spiffs,0x3F0000,-4M\n";
    assert_int_equal(otter_ptable_parse_csv(&pt, neg, strlen(neg), 4u << 20, &line), 0);
    assert_int_equal(pt.count, 4);
    assert_int_equal(pt.entry[0].offset, 0x9000);
    assert_int_equal(pt.entry[0].size, 0x5000);
    assert_int_equal(pt.entry[2].offset, 0x10000);
    assert_int_equal(pt.entry[2].size, 0xF0000);
    assert_int_equal(pt.entry[3].size, 0x10000);
    assert_int_equal(csv_err("a,data,nvs,0x9000,-0x9000\n", &line), OTTER_ERR_PT_CSV);
    assert_int_equal(csv_err("a,data,nvs,0x9000,-0x8000\n", &line), OTTER_ERR_PT_CSV);
    assert_int_equal(csv_err("a,data,nvs,0x9000,-\n", &line), OTTER_ERR_PT_CSV);
    assert_int_equal(csv_err("a,data,nvs,0x9000,--4M\n", &line), OTTER_ERR_PT_CSV);
    assert_int_equal(csv_err("a,data,nvs,0x9000,0x1000\nb,dada,nvs,,4K\n", &line), OTTER_ERR_PT_CSV);
    assert_int_equal(line, 2);
    assert_int_equal(csv_err("a,data,nvs,0x9000,\n", &line), OTTER_ERR_PT_CSV);
    assert_int_equal(line, 1);
    assert_int_equal(csv_err("a,app,,0x10000,4K\n", &line), OTTER_ERR_PT_CSV);
    assert_int_equal(csv_err("a,app,ota_0,$OFFSET,4K\n", &line), OTTER_ERR_PT_CSV);
    assert_int_equal(csv_err("a,data,nvs,0x9000,0x1G\n", &line), OTTER_ERR_PT_CSV);
    assert_int_equal(csv_err("a,data,nvs,0x9000,010\n", &line), OTTER_ERR_PT_CSV);
    assert_int_equal(csv_err("a,data,nvs,0x9000,4096,secret\n", &line), OTTER_ERR_PT_CSV);
    assert_int_equal(csv_err("a,data,nvs,0x9000,4096,encrypted: readonly\n", &line), OTTER_ERR_PT_CSV);
    assert_int_equal(csv_err("a,data,0x100,0x9000,4096\n", &line), OTTER_ERR_PT_CSV);
    assert_int_equal(csv_err("a,data,nvs,0x9000,5000000000\n", &line), OTTER_ERR_PT_CSV);
    assert_int_equal(csv_err("seventeen_chars_x,data,nvs,0x9000,4K\n", &line), OTTER_ERR_PT_FIELD);
    assert_int_equal(csv_err("a,data,nvs,0x9000,8K\nb,data,nvs,0xa000,4K\n", &line), OTTER_ERR_PT_OVERLAP);
    assert_int_equal(line, 2);
    assert_int_equal(csv_err("a,data,nvs,0x8000,4K\n", &line), OTTER_ERR_PT_OVERLAP);
    assert_int_equal(csv_err("a,data,nvs,0x9800,4K\n", &line), OTTER_ERR_PT_ALIGN);
    assert_int_equal(csv_err("od,data,ota,0x9000,4K\n", &line), OTTER_ERR_OTADATA_SIZE);
    assert_int_equal(csv_err("a,app,ota_0,0x18000,64K\n", &line), OTTER_ERR_PT_ALIGN);
    assert_int_equal(csv_err("# only a comment\n", &line), OTTER_ERR_PT_EMPTY);
    assert_int_equal(line, 0);
    assert_int_equal(csv_err("a,app,ota_0,,64K\nb,app,ota_2,,64K\n", &line), OTTER_ERR_PT_OTA_GAP);
    assert_int_equal(line, 0);
    assert_int_equal(csv_err("a,data,nvs,,12K\na,data,nvs,,12K\n", &line), OTTER_ERR_PT_DUP_LABEL);
    assert_int_equal(line, 2);
    /* gen_esp32part.py's CSV rules, with its words and offsets */
    otter_ptable_csv_error_t why;
    const char *ov = "# t\nnvs,data,nvs,0x9000,0x6000\nphy,data,phy,0xe000,4K\n";
    assert_int_equal(otter_ptable_parse_csv_explain(&pt, ov, strlen(ov), 0, &why), OTTER_ERR_PT_OVERLAP);
    assert_int_equal(why.line, 3);
    assert_string_equal(why.text, "partitions overlap: 'phy' sets offset 0xe000, previous partition ends at 0xf000");
    assert_int_equal(csv_err("a,data,nvs,,8K\n", &line), OTTER_ERR_PT_FIELD);
    assert_int_equal(csv_err("a,data,nvs,,8K,readonly\n", &line), 0);
    assert_int_equal(csv_err("a,data,ota,,8K,readonly\n", &line), OTTER_ERR_PT_FIELD);
    assert_int_equal(csv_err("a,app,ota_0,,0x10800\n", &line), OTTER_ERR_PT_ALIGN);
    assert_int_equal(csv_err("a,data,ota,,8K\nb,data,ota,,8K\n", &line), OTTER_ERR_PT_DUP_TYPE);
    assert_int_equal(csv_err("t,app,tee_0,,192K\nto,data,tee_ota,,8K\n", &line), 0);
    assert_int_equal(csv_err("to,data,tee_ota,,4K\n", &line), OTTER_ERR_OTADATA_SIZE);
}

/* write to a RAM flash, read back */
static void test_write_read(void **state)
{
    (void)state;
    ramflash_t rf;
    assert_int_equal(ramflash_open(&rf, NULL, 4u << 20, 0x00, NULL), 0);
    otter_flash_t fl = rf.flash;
    uint8_t *table = rf.mem + 0x8000;
    otter_ptable_t pt, back;
    assert_int_equal(otter_ptable_builtin(&pt, "default", fl.size), 0);
    assert_int_equal(otter_ptable_write(&pt, &fl), 0);
    assert_int_equal(otter_ptable_read(&back, &fl), 0);
    assert_memory_equal(&back, &pt, sizeof pt);
    uint8_t bin[3072];
    otter_ptable_serialise(&pt, bin, sizeof bin);
    assert_memory_equal(table, bin, 3072);
    for (int i = 3072; i < 4096; i++)
        assert_int_equal(table[i], 0xFF);
    /* refused before touching flash when the table does not fit */
    fl.size = 2u << 20;
    memset(table, 0x11, 16);
    assert_int_equal(otter_ptable_write(&pt, &fl), OTTER_ERR_PT_BOUNDS);
    assert_int_equal(table[0], 0x11);
    ramflash_close(&rf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),   cmocka_unit_test(test_lookups),    cmocka_unit_test(test_builtins),
        cmocka_unit_test(test_validation), cmocka_unit_test(test_bad_binary), cmocka_unit_test(test_csv),
        cmocka_unit_test(test_write_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
