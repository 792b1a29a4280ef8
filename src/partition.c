/* otter: ESP-IDF partition table, binary form (see otter/partition.h). */
#include <string.h>

#include "otter/bytes.h"
#include "otter/crypto.h"
#include "otter/error.h"
#include "otter/host/partition.h"
#include "otter/partition.h"

#define MAGIC_ENTRY 0x50AAu
#define MAGIC_MD5 0xEBEBu
#define MAX_ROWS (OTTER_PT_MAX_LEN / OTTER_PT_ROW_SIZE)

static int check_entry(const otter_partition_t *e, uint32_t flash_size);
static int check_pair(const otter_partition_t *a, const otter_partition_t *b);
static int check_ota_gap(const otter_ptable_t *pt);

void otter_ptable_init(otter_ptable_t *pt)
{
    memset(pt, 0, sizeof *pt);
    pt->has_md5 = 1;
}

static void encode_row(const otter_partition_t *p, uint8_t row[OTTER_PT_ROW_SIZE])
{
    memset(row, 0, OTTER_PT_ROW_SIZE);
    otter_put_le16(row, MAGIC_ENTRY);
    row[2] = p->type;
    row[3] = p->subtype;
    otter_put_le32(row + 4, p->offset);
    otter_put_le32(row + 8, p->size);
    memcpy(row + 12, p->label, strlen(p->label)); /* NUL padded, as struct.pack('16s') */
    otter_put_le32(row + 28, p->flags);
}

static void decode_row(otter_partition_t *p, const uint8_t row[OTTER_PT_ROW_SIZE])
{
    memset(p, 0, sizeof *p);
    p->type = row[2];
    p->subtype = row[3];
    p->offset = otter_le32(row + 4);
    p->size = otter_le32(row + 8);
    /* The label ends at the first NUL; bytes after it are dropped, as
     * gen_esp32part.py does. */
    for (unsigned i = 0; i < OTTER_PT_LABEL_LEN && row[12 + i]; i++)
        p->label[i] = (char)row[12 + i];
    p->flags = otter_le32(row + 28);
}

static int is_end_row(const uint8_t row[OTTER_PT_ROW_SIZE])
{
    /* The bootloader ends the table at magic 0xFFFF with type and subtype
     * 0xFF (esp_partition_table_verify); the rest of the row is not read. */
    return row[0] == 0xFF && row[1] == 0xFF && row[2] == 0xFF && row[3] == 0xFF;
}

/* Row-by-row parser state, shared by parse (buffer) and read (flash). */
struct parser {
    otter_ptable_t *pt;
    otter_md5_t md5;
    int md5_seen;
    int done;
    int update_rows_only; /* keep app rows and otadata, count the others */
    uint32_t rows;        /* entry rows seen */
};

/* The rows an update and the boot choice use: every app slot and otadata. */
static int is_update_row(const otter_partition_t *e)
{
    return e->type == OTTER_PT_TYPE_APP || (e->type == OTTER_PT_TYPE_DATA && e->subtype == OTTER_PT_SUBTYPE_OTADATA);
}

/* Feed one row. Returns 0 to continue (check p->done) or an error. */
static int parse_row(struct parser *p, const uint8_t row[OTTER_PT_ROW_SIZE])
{
    uint16_t magic = otter_le16(row);
    if (is_end_row(row)) {
        p->done = 1;
        return 0;
    }
    if (magic == MAGIC_MD5) {
        uint8_t digest[16];
        if (p->md5_seen)
            return OTTER_ERR_PT_MD5;
        if (otter_md5_finish(&p->md5, digest) != 0)
            return OTTER_ERR_CRYPTO;
        p->md5_seen = 1;
        /* Bytes 2..15 are 0xFF as written by gen_esp32part.py; neither it
         * nor the bootloader checks them, so neither do we. */
        if (!otter_ct_equal(digest, row + 16, 16))
            return OTTER_ERR_PT_MD5;
        return 0;
    }
    if (magic != MAGIC_ENTRY)
        return OTTER_ERR_PT_MAGIC;
    if (p->md5_seen)
        return OTTER_ERR_PT_NO_END; /* an entry the MD5 does not cover */
    otter_partition_t e;
    decode_row(&e, row);
    p->rows++;
    if (p->update_rows_only && !is_update_row(&e)) {
        p->pt->dropped++;
    } else {
        if (p->pt->count >= OTTER_PT_MAX_ENTRIES)
            return OTTER_ERR_PT_TOO_MANY;
        p->pt->entry[p->pt->count++] = e;
    }
    if (otter_md5_update(&p->md5, row, OTTER_PT_ROW_SIZE) != 0)
        return OTTER_ERR_CRYPTO;
    return 0;
}

static int parser_start(struct parser *p, otter_ptable_t *pt)
{
    otter_ptable_init(pt);
    memset(p, 0, sizeof *p);
    p->pt = pt;
    otter_md5_init(&p->md5);
    return otter_md5_start(&p->md5) == 0 ? 0 : OTTER_ERR_CRYPTO;
}

static int parser_finish(struct parser *p, int ret, uint32_t flash_size)
{
    otter_md5_free(&p->md5);
    if (ret == 0 && !p->done)
        ret = OTTER_ERR_PT_NO_END;
    if (ret == 0 && p->pt->count == 0)
        ret = OTTER_ERR_PT_EMPTY;
    if (ret == 0) {
        p->pt->has_md5 = p->md5_seen;
        ret = otter_ptable_validate(p->pt, flash_size);
    }
    if (ret != 0)
        otter_ptable_init(p->pt);
    return ret;
}

int otter_ptable_parse(otter_ptable_t *pt, const uint8_t *buf, size_t len, uint32_t flash_size)
{
    struct parser p;
    int ret = parser_start(&p, pt);
    if (len > OTTER_PT_MAX_LEN)
        len = OTTER_PT_MAX_LEN;
    for (size_t off = 0; ret == 0 && !p.done && off + OTTER_PT_ROW_SIZE <= len; off += OTTER_PT_ROW_SIZE)
        ret = parse_row(&p, buf + off);
    return parser_finish(&p, ret, flash_size);
}

static int read_entry(const otter_flash_t *flash, uint32_t i, otter_partition_t *e)
{
    uint8_t row[OTTER_PT_ROW_SIZE];
    int ret = flash->read(flash->ctx, OTTER_PT_OFFSET + i * OTTER_PT_ROW_SIZE, row, sizeof row);
    if (ret == 0)
        decode_row(e, row);
    return ret;
}

/* otter_ptable_validate()'s checks, in its order, on all n entry rows of
 * the table in flash (read again, one or two rows at a time) while pt
 * keeps only some of them. */
static int validate_in_flash(const otter_ptable_t *pt, const otter_flash_t *flash, uint32_t n)
{
    otter_partition_t a, b;
    int ret = 0;
    for (uint32_t i = 0; ret == 0 && i < n; i++) {
        ret = read_entry(flash, i, &a);
        if (ret == 0)
            ret = check_entry(&a, flash->size);
    }
    for (uint32_t i = 0; ret == 0 && i < n; i++) {
        ret = read_entry(flash, i, &a);
        for (uint32_t j = i + 1; ret == 0 && j < n; j++) {
            ret = read_entry(flash, j, &b);
            if (ret == 0)
                ret = check_pair(&a, &b);
        }
    }
    /* every OTA slot is kept: the gap rule is checked on pt */
    return ret ? ret : check_ota_gap(pt);
}

static int read_rows(otter_ptable_t *pt, const otter_flash_t *flash, int update_rows_only)
{
    struct parser p;
    uint8_t row[OTTER_PT_ROW_SIZE];
    int ret = parser_start(&p, pt);
    p.update_rows_only = update_rows_only;
    for (uint32_t i = 0; ret == 0 && !p.done && i < MAX_ROWS; i++) {
        ret = flash->read(flash->ctx, OTTER_PT_OFFSET + i * OTTER_PT_ROW_SIZE, row, sizeof row);
        if (ret == 0)
            ret = parse_row(&p, row);
    }
    if (!update_rows_only)
        return parser_finish(&p, ret, flash->size);
    /* the rows kept validate only as part of the whole table */
    otter_md5_free(&p.md5);
    if (ret == 0 && !p.done)
        ret = OTTER_ERR_PT_NO_END;
    if (ret == 0 && pt->count == 0)
        ret = p.rows ? OTTER_ERR_PT_NOT_FOUND : OTTER_ERR_PT_EMPTY;
    if (ret == 0) {
        pt->has_md5 = p.md5_seen;
        ret = validate_in_flash(pt, flash, p.rows);
    }
    if (ret != 0)
        otter_ptable_init(pt);
    return ret;
}

int otter_ptable_read(otter_ptable_t *pt, const otter_flash_t *flash)
{
    int ret = read_rows(pt, flash, 0);
    if (ret == OTTER_ERR_PT_TOO_MANY)
        ret = read_rows(pt, flash, 1); /* more rows than fit: keep the ones an update needs */
    return ret;
}

static int is_ota_app(const otter_partition_t *e)
{
    return e->type == OTTER_PT_TYPE_APP && e->subtype >= OTTER_PT_SUBTYPE_OTA_0 &&
           e->subtype < OTTER_PT_SUBTYPE_OTA_0 + OTTER_PT_OTA_MAX;
}

static int check_entry(const otter_partition_t *e, uint32_t flash_size)
{
    if (e->size == 0 || e->label[0] == 0)
        return OTTER_ERR_PT_FIELD;
    if (e->offset < OTTER_PT_OFFSET + OTTER_PT_REGION_SIZE)
        return OTTER_ERR_PT_OVERLAP;
    if (e->size > UINT32_MAX - e->offset)
        return OTTER_ERR_PT_BOUNDS;
    if (flash_size && (e->offset >= flash_size || e->size > flash_size - e->offset))
        return OTTER_ERR_PT_BOUNDS;
    if (e->type == OTTER_PT_TYPE_APP && e->offset % 0x10000u)
        return OTTER_ERR_PT_ALIGN;
    if (e->offset % 4u)
        return OTTER_ERR_PT_ALIGN;
    if (e->type == OTTER_PT_TYPE_DATA && e->subtype == OTTER_PT_SUBTYPE_OTADATA && e->offset % 0x1000u)
        return OTTER_ERR_PT_ALIGN;
    return 0;
}

/* Unique: one otadata, one factory, one test, one of each ota_N. */
static int is_singleton(const otter_partition_t *e)
{
    if (e->type == OTTER_PT_TYPE_DATA)
        return e->subtype == OTTER_PT_SUBTYPE_OTADATA;
    return e->type == OTTER_PT_TYPE_APP &&
           (e->subtype == OTTER_PT_SUBTYPE_FACTORY || e->subtype == OTTER_PT_SUBTYPE_TEST || is_ota_app(e));
}

static int check_pair(const otter_partition_t *a, const otter_partition_t *b)
{
    if (a->offset < b->offset + b->size && b->offset < a->offset + a->size)
        return OTTER_ERR_PT_OVERLAP;
    if (!strcmp(a->label, b->label))
        return OTTER_ERR_PT_DUP_LABEL;
    if (a->type == b->type && a->subtype == b->subtype && is_singleton(a))
        return OTTER_ERR_PT_DUP_TYPE;
    return 0;
}

int otter_ptable_validate(const otter_ptable_t *pt, uint32_t flash_size)
{
    if (pt->count == 0)
        return OTTER_ERR_PT_EMPTY;
    if (pt->count > OTTER_PT_MAX_ENTRIES)
        return OTTER_ERR_PT_TOO_MANY;
    for (uint32_t i = 0; i < pt->count; i++) {
        int ret = check_entry(&pt->entry[i], flash_size);
        if (ret)
            return ret;
    }
    for (uint32_t i = 0; i < pt->count; i++)
        for (uint32_t j = i + 1; j < pt->count; j++) {
            int ret = check_pair(&pt->entry[i], &pt->entry[j]);
            if (ret)
                return ret;
        }
    return check_ota_gap(pt);
}

/* OTA slots must be ota_0..ota_{n-1}: the bootloader maps otadata's
 * sequence number onto "the n OTA slots", so a gap breaks that map. */
static int check_ota_gap(const otter_ptable_t *pt)
{
    unsigned n = 0, highest = 0;
    for (uint32_t i = 0; i < pt->count; i++)
        if (is_ota_app(&pt->entry[i])) {
            unsigned idx = pt->entry[i].subtype - OTTER_PT_SUBTYPE_OTA_0;
            n++;
            if (idx + 1 > highest)
                highest = idx + 1;
        }
    if (n != highest)
        return OTTER_ERR_PT_OTA_GAP;
    return 0;
}

int otter_ptable_serialise(const otter_ptable_t *pt, uint8_t *out, size_t out_len)
{
    if (out_len < OTTER_PT_MAX_LEN)
        return OTTER_ERR_BUF_TOO_SMALL;
    if (pt->dropped)
        return OTTER_ERR_PT_TOO_MANY; /* only part of the table is here */
    /* gen_esp32part.py refuses a table whose rows fill all 0xC00 bytes. */
    if (pt->count > OTTER_PT_MAX_ENTRIES || (pt->count + (pt->has_md5 ? 1u : 0u)) * OTTER_PT_ROW_SIZE >= OTTER_PT_MAX_LEN)
        return OTTER_ERR_PT_TOO_MANY;
    memset(out, 0xFF, OTTER_PT_MAX_LEN);
    for (uint32_t i = 0; i < pt->count; i++)
        encode_row(&pt->entry[i], out + i * OTTER_PT_ROW_SIZE);
    if (pt->has_md5) {
        uint8_t *row = out + pt->count * OTTER_PT_ROW_SIZE;
        otter_put_le16(row, MAGIC_MD5);
        if (otter_md5(out, pt->count * OTTER_PT_ROW_SIZE, row + 16) != 0)
            return OTTER_ERR_CRYPTO;
    }
    return (int)OTTER_PT_MAX_LEN;
}

int otter_ptable_write(const otter_ptable_t *pt, const otter_flash_t *flash)
{
    if (pt->dropped)
        return OTTER_ERR_PT_TOO_MANY; /* only part of the table is here */
    int ret = otter_ptable_validate(pt, flash->size);
    if (ret)
        return ret;
    if ((pt->count + 1u) * OTTER_PT_ROW_SIZE >= OTTER_PT_MAX_LEN)
        return OTTER_ERR_PT_TOO_MANY;
    otter_md5_t md5;
    uint8_t row[OTTER_PT_ROW_SIZE];
    otter_md5_init(&md5);
    ret = otter_md5_start(&md5) ? OTTER_ERR_CRYPTO : 0;
    if (ret == 0)
        ret = flash->erase(flash->ctx, OTTER_PT_OFFSET, OTTER_PT_REGION_SIZE);
    for (uint32_t i = 0; ret == 0 && i < pt->count; i++) {
        encode_row(&pt->entry[i], row);
        ret = otter_md5_update(&md5, row, sizeof row) ? OTTER_ERR_CRYPTO : 0;
        if (ret == 0)
            ret = flash->program(flash->ctx, OTTER_PT_OFFSET + i * OTTER_PT_ROW_SIZE, row, sizeof row);
    }
    if (ret == 0 && pt->has_md5) {
        memset(row, 0xFF, sizeof row);
        otter_put_le16(row, MAGIC_MD5);
        ret = otter_md5_finish(&md5, row + 16) ? OTTER_ERR_CRYPTO : 0;
        if (ret == 0)
            ret = flash->program(flash->ctx, OTTER_PT_OFFSET + pt->count * OTTER_PT_ROW_SIZE, row, sizeof row);
    }
    otter_md5_free(&md5);
    return ret;
}

int otter_ptable_add(otter_ptable_t *pt, const char *label, uint8_t type, uint8_t subtype, uint32_t offset,
                     uint32_t size, uint32_t flags)
{
    size_t n = strlen(label);
    if (n == 0 || n > OTTER_PT_LABEL_LEN)
        return OTTER_ERR_PT_FIELD;
    if (pt->count >= OTTER_PT_MAX_ENTRIES)
        return OTTER_ERR_PT_TOO_MANY;
    otter_partition_t *e = &pt->entry[pt->count++];
    memset(e, 0, sizeof *e);
    memcpy(e->label, label, n);
    e->type = type;
    e->subtype = subtype;
    e->offset = offset;
    e->size = size;
    e->flags = flags;
    return 0;
}

const otter_partition_t *otter_ptable_find_label(const otter_ptable_t *pt, const char *label)
{
    for (uint32_t i = 0; i < pt->count; i++)
        if (!strcmp(pt->entry[i].label, label))
            return &pt->entry[i];
    return NULL;
}

const otter_partition_t *otter_ptable_find(const otter_ptable_t *pt, uint8_t type, uint8_t subtype)
{
    for (uint32_t i = 0; i < pt->count; i++)
        if (pt->entry[i].type == type && pt->entry[i].subtype == subtype)
            return &pt->entry[i];
    return NULL;
}

const otter_partition_t *otter_ptable_otadata(const otter_ptable_t *pt)
{
    return otter_ptable_find(pt, OTTER_PT_TYPE_DATA, OTTER_PT_SUBTYPE_OTADATA);
}

const otter_partition_t *otter_ptable_app(const otter_ptable_t *pt, uint8_t slot)
{
    return otter_ptable_find(pt, OTTER_PT_TYPE_APP, slot);
}

unsigned otter_ptable_ota_count(const otter_ptable_t *pt)
{
    unsigned n = 0;
    while (n < OTTER_PT_OTA_MAX && otter_ptable_app(pt, OTTER_PT_SUBTYPE_OTA(n)))
        n++;
    return n;
}

size_t otter_ptable_app_slots(const otter_ptable_t *pt, const otter_partition_t **out, size_t max)
{
    size_t n = 0;
    for (unsigned s = 0; s <= OTTER_PT_SUBTYPE_TEST; s++) {
        if (s != OTTER_PT_SUBTYPE_FACTORY && s != OTTER_PT_SUBTYPE_TEST && (s < OTTER_PT_SUBTYPE_OTA_0 || s >= OTTER_PT_SUBTYPE_OTA_0 + OTTER_PT_OTA_MAX))
            continue;
        const otter_partition_t *e = otter_ptable_app(pt, (uint8_t)s);
        if (!e)
            continue;
        if (n < max)
            out[n] = e;
        n++;
    }
    return n;
}

const char *otter_ptable_type_name(uint8_t type)
{
    return type == OTTER_PT_TYPE_APP ? "app" : type == OTTER_PT_TYPE_DATA ? "data" : NULL;
}

static const char *const ota_names[OTTER_PT_OTA_MAX] = {
    "ota_0", "ota_1", "ota_2",  "ota_3",  "ota_4",  "ota_5",  "ota_6",  "ota_7",
    "ota_8", "ota_9", "ota_10", "ota_11", "ota_12", "ota_13", "ota_14", "ota_15",
};

const char *otter_slot_name(uint8_t slot)
{
    if (slot == OTTER_PT_SUBTYPE_FACTORY)
        return "factory";
    if (slot == OTTER_PT_SUBTYPE_TEST)
        return "test";
    if (slot >= OTTER_PT_SUBTYPE_OTA_0 && slot < OTTER_PT_SUBTYPE_OTA_0 + OTTER_PT_OTA_MAX)
        return ota_names[slot - OTTER_PT_SUBTYPE_OTA_0];
    return NULL;
}

int otter_slot_parse(const char *name, uint8_t *slot)
{
    for (unsigned s = 0; s <= OTTER_PT_SUBTYPE_TEST; s++) {
        const char *n = otter_slot_name((uint8_t)s);
        if (n && !strcmp(n, name)) {
            *slot = (uint8_t)s;
            return 0;
        }
    }
    return OTTER_ERR_BOOT_SLOT;
}

const char *otter_ptable_subtype_name(uint8_t type, uint8_t subtype)
{
    static const struct {
        uint8_t v;
        const char *name;
    } data[] = {
        {OTTER_PT_SUBTYPE_OTADATA, "ota"},       {OTTER_PT_SUBTYPE_PHY, "phy"},
        {OTTER_PT_SUBTYPE_NVS, "nvs"},           {OTTER_PT_SUBTYPE_COREDUMP, "coredump"},
        {OTTER_PT_SUBTYPE_NVS_KEYS, "nvs_keys"}, {OTTER_PT_SUBTYPE_EFUSE, "efuse"},
        {OTTER_PT_SUBTYPE_UNDEFINED, "undefined"}, {OTTER_PT_SUBTYPE_ESPHTTPD, "esphttpd"},
        {OTTER_PT_SUBTYPE_FAT, "fat"},           {OTTER_PT_SUBTYPE_SPIFFS, "spiffs"},
        {OTTER_PT_SUBTYPE_LITTLEFS, "littlefs"}, {OTTER_PT_SUBTYPE_TEE_OTA, "tee_ota"},
    };
    if (type == OTTER_PT_TYPE_APP && (subtype == OTTER_PT_SUBTYPE_TEE_0 || subtype == OTTER_PT_SUBTYPE_TEE_1))
        return subtype == OTTER_PT_SUBTYPE_TEE_0 ? "tee_0" : "tee_1";
    if (type == OTTER_PT_TYPE_APP)
        return otter_slot_name(subtype);
    if (type == OTTER_PT_TYPE_DATA)
        for (size_t i = 0; i < sizeof data / sizeof data[0]; i++)
            if (data[i].v == subtype)
                return data[i].name;
    return NULL;
}
