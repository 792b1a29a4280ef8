/* otter: ESP-IDF partition CSV files and built-in layouts (see
 * otter/partition.h). Follows gen_esp32part.py's reading of the format. */
#include <string.h>

#include "otter/error.h"
#include "otter/partition.h"
#include "strutil.h"

#define ALIGN_APP 0x10000u
#define ALIGN_DATA 0x1000u

/* A (pointer, length) view into the CSV text. */
struct span {
    const char *p;
    size_t n;
};

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n';
}

static struct span trim(struct span s)
{
    while (s.n && is_space(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n && is_space(s.p[s.n - 1]))
        s.n--;
    return s;
}

static int span_eq_ci(struct span s, const char *word)
{
    size_t n = strlen(word);
    if (s.n != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (otter_ascii_lower(s.p[i]) != word[i])
            return 0;
    }
    return 1;
}

/* Python int(s, 0) without sign or underscores, then K/M suffixes (1024,
 * 1024*1024; case-insensitive, repeatable as gen_esp32part.py allows).
 * Returns 0 or -1 (not a number, or above 32 bits). */
static int parse_number(struct span s, uint32_t *out)
{
    uint64_t mult = 1;
    while (s.n && (s.p[s.n - 1] == 'k' || s.p[s.n - 1] == 'K' || s.p[s.n - 1] == 'm' || s.p[s.n - 1] == 'M')) {
        mult *= (s.p[s.n - 1] == 'k' || s.p[s.n - 1] == 'K') ? 1024u : 1024u * 1024u;
        s.n--;
        if (mult > UINT32_MAX)
            return -1;
    }
    s = trim(s);
    unsigned base = 10;
    if (s.n > 2 && s.p[0] == '0') {
        char x = s.p[1];
        base = (x == 'x' || x == 'X') ? 16 : (x == 'o' || x == 'O') ? 8 : (x == 'b' || x == 'B') ? 2 : 10;
        if (base != 10) {
            s.p += 2;
            s.n -= 2;
        }
    }
    if (s.n == 0)
        return -1;
    /* Python refuses leading zeros in decimal ("010"), except all zeros. */
    if (base == 10 && s.p[0] == '0')
        for (size_t i = 0; i < s.n; i++)
            if (s.p[i] != '0')
                return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < s.n; i++) {
        int d = otter_ascii_hexval(s.p[i]);
        if (d < 0 || d >= (int)base)
            return -1;
        v = v * base + (unsigned)d;
        if (v > UINT32_MAX)
            return -1;
    }
    v *= mult;
    if (v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

struct keyword {
    const char *name;
    uint8_t value;
};

static const struct keyword data_subtypes[] = {
    {"ota", OTTER_PT_SUBTYPE_OTADATA},  {"phy", OTTER_PT_SUBTYPE_PHY},
    {"nvs", OTTER_PT_SUBTYPE_NVS},      {"coredump", OTTER_PT_SUBTYPE_COREDUMP},
    {"nvs_keys", OTTER_PT_SUBTYPE_NVS_KEYS}, {"efuse", OTTER_PT_SUBTYPE_EFUSE},
    {"undefined", OTTER_PT_SUBTYPE_UNDEFINED}, {"esphttpd", OTTER_PT_SUBTYPE_ESPHTTPD},
    {"fat", OTTER_PT_SUBTYPE_FAT},      {"spiffs", OTTER_PT_SUBTYPE_SPIFFS},
    {"littlefs", OTTER_PT_SUBTYPE_LITTLEFS},
};

/* A number (0..255) or, when the value is not a number, a keyword. */
static int parse_byte(struct span s, uint8_t type, int is_type, uint8_t *out)
{
    uint32_t v;
    if (parse_number(s, &v) == 0) {
        if (v > 0xFF)
            return OTTER_ERR_PT_CSV;
        *out = (uint8_t)v;
        return 0;
    }
    if (is_type) {
        if (span_eq_ci(s, "app") || span_eq_ci(s, "data")) {
            *out = span_eq_ci(s, "app") ? OTTER_PT_TYPE_APP : OTTER_PT_TYPE_DATA;
            return 0;
        }
        return OTTER_ERR_PT_CSV;
    }
    if (type == OTTER_PT_TYPE_APP) {
        for (unsigned slot = 0; slot <= OTTER_PT_SUBTYPE_TEST; slot++) {
            const char *name = otter_slot_name((uint8_t)slot);
            if (name && span_eq_ci(s, name)) {
                *out = (uint8_t)slot;
                return 0;
            }
        }
    } else if (type == OTTER_PT_TYPE_DATA) {
        for (size_t i = 0; i < sizeof data_subtypes / sizeof data_subtypes[0]; i++)
            if (span_eq_ci(s, data_subtypes[i].name)) {
                *out = data_subtypes[i].value;
                return 0;
            }
    }
    return OTTER_ERR_PT_CSV;
}

/* Flags: names joined by ':' (not trimmed, as gen_esp32part.py). */
static int parse_flags(struct span s, uint32_t *flags)
{
    *flags = 0;
    while (s.n) {
        size_t k = 0;
        while (k < s.n && s.p[k] != ':')
            k++;
        struct span f = {s.p, k};
        if (f.n == 9 && !memcmp(f.p, "encrypted", 9))
            *flags |= OTTER_PT_FLAG_ENCRYPTED;
        else if (f.n == 8 && !memcmp(f.p, "readonly", 8))
            *flags |= OTTER_PT_FLAG_READONLY;
        else if (f.n)
            return OTTER_ERR_PT_CSV;
        s.p += k < s.n ? k + 1 : k;
        s.n -= k < s.n ? k + 1 : k;
    }
    return 0;
}

/* Split a line into 6 fields (missing ones empty, extra ones ignored). */
static void split_fields(struct span line, struct span f[6])
{
    size_t i = 0;
    for (int k = 0; k < 6; k++) {
        size_t start = i;
        while (i < line.n && line.p[i] != ',')
            i++;
        f[k].p = line.p + start;
        f[k].n = i - start;
        f[k] = trim(f[k]);
        if (i < line.n)
            i++;
    }
}

static int has_variable(struct span line)
{
    for (size_t i = 0; i + 1 < line.n; i++) {
        char c = line.p[i + 1];
        if (line.p[i] == '$' && (i == 0 || line.p[i - 1] != '\\') &&
            (c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return 1;
    }
    return 0;
}

/* One data row. *offset_set tells whether the offset column was filled;
 * *size_to_end that the size was negative, "-END": the partition runs up to
 * flash offset END (e->size holds END until place() computes the size). */
static int parse_line(struct span line, otter_partition_t *e, int *offset_set, int *size_to_end)
{
    struct span f[6];
    if (has_variable(line))
        return OTTER_ERR_PT_CSV;
    split_fields(line, f);
    memset(e, 0, sizeof *e);
    if (f[0].n == 0 || f[1].n == 0 || f[4].n == 0)
        return OTTER_ERR_PT_CSV;
    if (f[0].n > OTTER_PT_LABEL_LEN)
        return OTTER_ERR_PT_FIELD;
    if (memchr(f[0].p, 0, f[0].n))
        return OTTER_ERR_PT_CSV; /* a NUL would cut the label short */
    memcpy(e->label, f[0].p, f[0].n);
    int ret = parse_byte(f[1], 0, 1, &e->type);
    if (ret)
        return ret;
    if (f[2].n == 0) {
        if (e->type == OTTER_PT_TYPE_APP)
            return OTTER_ERR_PT_CSV;
        e->subtype = OTTER_PT_SUBTYPE_UNDEFINED;
    } else if ((ret = parse_byte(f[2], e->type, 0, &e->subtype)) != 0) {
        return ret;
    }
    *offset_set = f[3].n != 0;
    if (*offset_set && parse_number(f[3], &e->offset))
        return OTTER_ERR_PT_CSV;
    *size_to_end = f[4].p[0] == '-';
    if (*size_to_end) {
        f[4].p++;
        f[4].n--;
    }
    if (parse_number(f[4], &e->size))
        return OTTER_ERR_PT_CSV;
    return parse_flags(f[5], &e->flags);
}

/* Place the entry: fill an empty offset after last_end, aligned for its
 * type; refuse an explicit offset below last_end; turn a "-END" size into
 * END - offset (refused unless END lies after the offset). */
static int place(otter_partition_t *e, int offset_set, int size_to_end, uint32_t *last_end)
{
    if (offset_set) {
        if (e->offset < *last_end)
            return OTTER_ERR_PT_CSV;
    } else {
        uint32_t align = e->type == OTTER_PT_TYPE_APP ? ALIGN_APP : ALIGN_DATA;
        uint64_t o = ((uint64_t)*last_end + align - 1) / align * align;
        if (o > UINT32_MAX)
            return OTTER_ERR_PT_BOUNDS;
        e->offset = (uint32_t)o;
    }
    if (size_to_end) {
        if (e->size <= e->offset)
            return OTTER_ERR_PT_CSV;
        e->size -= e->offset;
    }
    if ((uint64_t)e->offset + e->size > UINT32_MAX)
        return OTTER_ERR_PT_BOUNDS;
    *last_end = e->offset + e->size;
    /* gen_esp32part.py's checks beyond the binary table's: data offsets on
     * 4 KB, otadata exactly two sectors. */
    if (e->type != OTTER_PT_TYPE_APP && e->offset % ALIGN_DATA)
        return OTTER_ERR_PT_ALIGN;
    if (e->type == OTTER_PT_TYPE_DATA && e->subtype == OTTER_PT_SUBTYPE_OTADATA && e->size != 0x2000u)
        return OTTER_ERR_OTADATA_SIZE;
    return 0;
}

static size_t next_line(const char *csv, size_t len, size_t pos, struct span *line)
{
    size_t end = pos;
    while (end < len && csv[end] != '\n' && csv[end] != '\r')
        end++;
    line->p = csv + pos;
    line->n = end - pos;
    if (end < len && csv[end] == '\r' && end + 1 < len && csv[end + 1] == '\n')
        end++;
    return end < len ? end + 1 : end;
}

int otter_ptable_parse_csv(otter_ptable_t *pt, const char *csv, size_t len, uint32_t flash_size, unsigned *err_line)
{
    uint32_t last_end = OTTER_PT_OFFSET + OTTER_PT_REGION_SIZE;
    unsigned line_no = 0;
    size_t pos = 0;
    int ret = 0;
    otter_ptable_init(pt);
    if (len >= 3 && (uint8_t)csv[0] == 0xEF && (uint8_t)csv[1] == 0xBB && (uint8_t)csv[2] == 0xBF)
        pos = 3; /* UTF-8 byte order mark */
    while (ret == 0 && pos < len) {
        struct span line;
        pos = next_line(csv, len, pos, &line);
        line_no++;
        line = trim(line);
        if (line.n == 0 || line.p[0] == '#')
            continue;
        if (pt->count >= OTTER_PT_MAX_ENTRIES) {
            ret = OTTER_ERR_PT_TOO_MANY;
            break;
        }
        int offset_set = 0, size_to_end = 0;
        otter_partition_t *e = &pt->entry[pt->count];
        ret = parse_line(line, e, &offset_set, &size_to_end);
        if (ret == 0)
            ret = place(e, offset_set, size_to_end, &last_end);
        if (ret == 0)
            pt->count++;
    }
    if (ret == 0) {
        line_no = 0;
        ret = pt->count ? otter_ptable_validate(pt, flash_size) : OTTER_ERR_PT_EMPTY;
    }
    if (err_line)
        *err_line = ret ? line_no : 0;
    if (ret)
        otter_ptable_init(pt);
    return ret;
}

/* Arduino-ESP32 tools/partitions/default.csv (4 MB). */
static const char csv_default[] = "# Name,   Type, SubType, Offset,  Size, Flags\n"
                                  "nvs,      data, nvs,     0x9000,  0x5000,\n"
                                  "otadata,  data, ota,     0xe000,  0x2000,\n"
                                  "app0,     app,  ota_0,   0x10000, 0x140000,\n"
                                  "app1,     app,  ota_1,   0x150000,0x140000,\n"
                                  "spiffs,   data, spiffs,  0x290000,0x160000,\n"
                                  "coredump, data, coredump,0x3F0000,0x10000,\n";

/* Arduino-ESP32 tools/partitions/min_spiffs.csv ("Minimal SPIFFS (1.9MB APP
 * with OTA/190KB SPIFFS)"), current form with a coredump partition. */
static const char csv_min_spiffs[] = "# Name,   Type, SubType, Offset,  Size, Flags\n"
                                     "nvs,      data, nvs,     0x9000,  0x5000,\n"
                                     "otadata,  data, ota,     0xe000,  0x2000,\n"
                                     "app0,     app,  ota_0,   0x10000, 0x1E0000,\n"
                                     "app1,     app,  ota_1,   0x1F0000,0x1E0000,\n"
                                     "spiffs,   data, spiffs,  0x3D0000,0x20000,\n"
                                     "coredump, data, coredump,0x3F0000,0x10000,\n";

/* ESP-IDF components/partition_table/partitions_two_ota.csv. */
static const char csv_two_ota[] = "# Name,   Type, SubType, Offset,   Size, Flags\n"
                                  "nvs,      data, nvs,     0x9000,  0x4000\n"
                                  "otadata,  data, ota,     0xd000,  0x2000\n"
                                  "phy_init, data, phy,     0xf000,  0x1000\n"
                                  "factory,  app,  factory, 0x10000,  1M\n"
                                  "ota_0,    app,  ota_0,   ,         1M\n"
                                  "ota_1,    app,  ota_1,   ,         1M\n";

const char *otter_ptable_builtin_csv(const char *name)
{
    if (!strcmp(name, "default"))
        return csv_default;
    if (!strcmp(name, "min_spiffs"))
        return csv_min_spiffs;
    if (!strcmp(name, "two_ota"))
        return csv_two_ota;
    return NULL;
}

int otter_ptable_builtin(otter_ptable_t *pt, const char *name, uint32_t flash_size)
{
    const char *csv = otter_ptable_builtin_csv(name);
    if (!csv) {
        otter_ptable_init(pt);
        return OTTER_ERR_PT_NOT_FOUND;
    }
    return otter_ptable_parse_csv(pt, csv, strlen(csv), flash_size, NULL);
}
