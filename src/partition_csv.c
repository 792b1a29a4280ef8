/* otter: ESP-IDF partition CSV files and built-in layouts (see
 * otter/partition.h). Follows gen_esp32part.py's reading of the format. */
#include <string.h>

#include "otter/error.h"
#include "otter/host/partition.h"
#include "otter/partition.h"
#include "strutil.h"

#define ALIGN_APP 0x10000u
#define ALIGN_DATA 0x1000u

/* A (pointer, length) view into the CSV text. */
struct span {
    const char *p;
    size_t n;
};

/* The sentence of an otter_ptable_csv_error_t, built without snprintf. */
struct msg {
    char *p;
    size_t cap;
    size_t n;
};

static void m_chr(struct msg *m, char c)
{
    if (m->n + 1 < m->cap) {
        m->p[m->n++] = c;
        m->p[m->n] = '\0';
    }
}

static void m_str(struct msg *m, const char *s)
{
    while (*s)
        m_chr(m, *s++);
}

static void m_span(struct msg *m, struct span s)
{
    for (size_t i = 0; i < s.n; i++)
        m_chr(m, s.p[i]);
}

static void m_hex(struct msg *m, uint32_t v)
{
    static const char digits[] = "0123456789abcdef";
    int shift = 28;
    m_str(m, "0x");
    while (shift > 0 && ((v >> shift) & 0xFu) == 0)
        shift -= 4;
    for (; shift >= 0; shift -= 4)
        m_chr(m, digits[(v >> shift) & 0xFu]);
}

static void m_dec(struct msg *m, uint32_t v)
{
    char d[20];
    size_t n = otter_ascii_u64(d, v);
    for (size_t i = 0; i < n; i++)
        m_chr(m, d[i]);
}

/* "partition 'label' invalid: " as gen_esp32part.py's ValidationError. */
static void m_part(struct msg *m, const otter_partition_t *e)
{
    m_str(m, "partition '");
    m_str(m, e->label);
    m_str(m, "' invalid: ");
}

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
    {"littlefs", OTTER_PT_SUBTYPE_LITTLEFS}, {"tee_ota", OTTER_PT_SUBTYPE_TEE_OTA},
};

static const struct keyword app_subtypes[] = {
    {"tee_0", OTTER_PT_SUBTYPE_TEE_0},
    {"tee_1", OTTER_PT_SUBTYPE_TEE_1},
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
        for (size_t i = 0; i < sizeof app_subtypes / sizeof app_subtypes[0]; i++)
            if (span_eq_ci(s, app_subtypes[i].name)) {
                *out = app_subtypes[i].value;
                return 0;
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
static int parse_flags(struct span s, uint32_t *flags, struct msg *m)
{
    *flags = 0;
    while (s.n) {
        size_t k = 0;
        while (k < s.n && s.p[k] != ':')
            k++;
        struct span f = {s.p, k};
        if (f.n == 9 && !memcmp(f.p, "encrypted", 9)) {
            *flags |= OTTER_PT_FLAG_ENCRYPTED;
        } else if (f.n == 8 && !memcmp(f.p, "readonly", 8)) {
            *flags |= OTTER_PT_FLAG_READONLY;
        } else if (f.n) {
            m_str(m, "CSV flag column contains unknown flag '");
            m_span(m, f);
            m_str(m, "'");
            return OTTER_ERR_PT_CSV;
        }
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

static int is_name_char(char c, int first)
{
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9');
}

/* A $VARIABLE (not escaped): gen_esp32part.py expands it from its
 * environment; otter has none, so it names it and refuses. */
static int has_variable(struct span line, struct msg *m)
{
    for (size_t i = 0; i + 1 < line.n; i++) {
        if (line.p[i] == '$' && (i == 0 || line.p[i - 1] != '\\') && is_name_char(line.p[i + 1], 1)) {
            struct span v = {line.p + i + 1, 0};
            while (v.n < line.n - i - 1 && is_name_char(v.p[v.n], 0))
                v.n++;
            m_str(m, "unknown variable '");
            m_span(m, v);
            m_str(m, "'");
            return 1;
        }
    }
    return 0;
}

/* A number or keyword field, with the words for a refusal. */
static int parse_field(struct span f, uint8_t type, int is_type, uint8_t *out, struct msg *m)
{
    if (parse_byte(f, type, is_type, out) == 0)
        return 0;
    uint32_t v;
    if (parse_number(f, &v) == 0) {
        m_str(m, "value ");
        m_span(m, f);
        m_str(m, " does not fit in a byte");
    } else if (is_type) {
        m_str(m, "value '");
        m_span(m, f);
        m_str(m, "' is not valid. Known keywords: app, data");
    } else {
        m_str(m, "value '");
        m_span(m, f);
        m_str(m, type <= OTTER_PT_TYPE_DATA ? "' is not a known subtype for type " : "' is not a number (custom type ");
        m_str(m, type == OTTER_PT_TYPE_APP ? "app" : type == OTTER_PT_TYPE_DATA ? "data" : "");
        if (type > OTTER_PT_TYPE_DATA) {
            m_hex(m, type);
            m_str(m, ")");
        }
    }
    return OTTER_ERR_PT_CSV;
}

static int parse_num_field(struct span f, uint32_t *out, struct msg *m)
{
    if (parse_number(f, out) == 0)
        return 0;
    m_str(m, "invalid field value ");
    m_span(m, f);
    return OTTER_ERR_PT_CSV;
}

/* One data row. *offset_set tells whether the offset column was filled;
 * *size_to_end that the size was negative, "-END": the partition runs up to
 * flash offset END (e->size holds END until place() computes the size). */
static int parse_line(struct span line, otter_partition_t *e, int *offset_set, int *size_to_end, struct msg *m)
{
    struct span f[6];
    if (has_variable(line, m))
        return OTTER_ERR_PT_CSV;
    split_fields(line, f);
    memset(e, 0, sizeof *e);
    if (f[0].n == 0) {
        m_str(m, "the name field is empty");
        return OTTER_ERR_PT_CSV;
    }
    if (f[1].n == 0) {
        m_str(m, "field 'type' can't be left empty");
        return OTTER_ERR_PT_CSV;
    }
    if (f[0].n > OTTER_PT_LABEL_LEN || memchr(f[0].p, 0, f[0].n)) {
        m_str(m, "name '");
        m_span(m, f[0]);
        m_str(m, "' is longer than 16 bytes (the table's label field)");
        return f[0].n > OTTER_PT_LABEL_LEN ? OTTER_ERR_PT_FIELD : OTTER_ERR_PT_CSV;
    }
    memcpy(e->label, f[0].p, f[0].n);
    int ret = parse_field(f[1], 0, 1, &e->type, m);
    if (ret)
        return ret;
    if (f[2].n == 0) {
        if (e->type == OTTER_PT_TYPE_APP) {
            m_str(m, "app partition cannot have an empty subtype");
            return OTTER_ERR_PT_CSV;
        }
        e->subtype = OTTER_PT_SUBTYPE_UNDEFINED;
    } else if ((ret = parse_field(f[2], e->type, 0, &e->subtype, m)) != 0) {
        return ret;
    }
    *offset_set = f[3].n != 0;
    if (*offset_set && (ret = parse_num_field(f[3], &e->offset, m)) != 0)
        return ret;
    if (f[4].n == 0) {
        m_str(m, "size field can't be empty");
        return OTTER_ERR_PT_CSV;
    }
    *size_to_end = f[4].p[0] == '-';
    if (*size_to_end) {
        f[4].p++;
        f[4].n--;
    }
    if ((ret = parse_num_field(f[4], &e->size, m)) != 0)
        return ret;
    return parse_flags(f[5], &e->flags, m);
}

/* Place the entry: fill an empty offset after last_end, aligned for its
 * type; refuse an explicit offset below last_end (gen_esp32part.py's
 * "Partitions overlap"); turn a "-END" size into END - offset (refused
 * unless END lies after the offset). */
static int place(otter_partition_t *e, int offset_set, int size_to_end, uint32_t *last_end, int first,
                 struct msg *m)
{
    if (offset_set) {
        if (e->offset < *last_end) {
            m_str(m, "partitions overlap: '");
            m_str(m, e->label);
            m_str(m, "' sets offset ");
            m_hex(m, e->offset);
            if (first) {
                m_str(m, ", but the partition table occupies the whole sector ");
                m_hex(m, OTTER_PT_OFFSET);
                m_str(m, ": use a free offset ");
                m_hex(m, *last_end);
                m_str(m, " or higher");
            } else {
                m_str(m, ", previous partition ends at ");
                m_hex(m, *last_end);
            }
            return OTTER_ERR_PT_OVERLAP;
        }
    } else {
        uint32_t align = e->type == OTTER_PT_TYPE_APP ? ALIGN_APP : ALIGN_DATA;
        uint64_t o = ((uint64_t)*last_end + align - 1) / align * align;
        if (o > UINT32_MAX) {
            m_str(m, "no room left in a 32-bit flash for '");
            m_str(m, e->label);
            m_str(m, "'");
            return OTTER_ERR_PT_BOUNDS;
        }
        e->offset = (uint32_t)o;
    }
    if (size_to_end) {
        if (e->size <= e->offset) {
            m_part(m, e);
            m_str(m, "size -");
            m_hex(m, e->size);
            m_str(m, " ends at or before its offset ");
            m_hex(m, e->offset);
            return OTTER_ERR_PT_CSV;
        }
        e->size -= e->offset;
    }
    if ((uint64_t)e->offset + e->size > UINT32_MAX) {
        m_part(m, e);
        m_str(m, "it ends past 4 GB");
        return OTTER_ERR_PT_BOUNDS;
    }
    *last_end = e->offset + e->size;
    return 0;
}

/* gen_esp32part.py's per-partition checks (PartitionDefinition.verify). */
static int check_row(const otter_partition_t *e, struct msg *m)
{
    uint32_t align = e->type == OTTER_PT_TYPE_APP ? ALIGN_APP : ALIGN_DATA;
    if (e->offset % align) {
        m_part(m, e);
        m_str(m, "offset ");
        m_hex(m, e->offset);
        m_str(m, " is not aligned to ");
        m_hex(m, align);
        return OTTER_ERR_PT_ALIGN;
    }
    if (e->type == OTTER_PT_TYPE_APP && e->size % ALIGN_DATA) {
        m_part(m, e);
        m_str(m, "size ");
        m_hex(m, e->size);
        m_str(m, " is not aligned to ");
        m_hex(m, ALIGN_DATA);
        return OTTER_ERR_PT_ALIGN;
    }
    int always_rw = e->subtype == OTTER_PT_SUBTYPE_OTADATA || e->subtype == OTTER_PT_SUBTYPE_COREDUMP;
    if (e->type == OTTER_PT_TYPE_DATA && always_rw && (e->flags & OTTER_PT_FLAG_READONLY)) {
        m_part(m, e);
        m_str(m, e->subtype == OTTER_PT_SUBTYPE_OTADATA ? "an otadata" : "a coredump");
        m_str(m, " partition is always read-write and cannot be read-only");
        return OTTER_ERR_PT_FIELD;
    }
    if (e->type == OTTER_PT_TYPE_DATA && e->subtype == OTTER_PT_SUBTYPE_NVS && e->size < 0x3000u &&
        !(e->flags & OTTER_PT_FLAG_READONLY)) {
        m_part(m, e);
        m_str(m, "an NVS partition of size ");
        m_hex(m, e->size);
        m_str(m, " must be flagged 'readonly' (read/write NVS needs at least 0x3000)");
        return OTTER_ERR_PT_FIELD;
    }
    return 0;
}

/* gen_esp32part.py's table checks (PartitionTable.verify, to_binary), in
 * its order; *line gets the row concerned. */
static int check_table(const otter_ptable_t *pt, const uint16_t *lines, unsigned *line, struct msg *m)
{
    for (uint32_t i = 0; i < pt->count; i++) {
        int ret = check_row(&pt->entry[i], m);
        if (ret) {
            *line = lines[i];
            return ret;
        }
    }
    for (uint32_t i = 0; i < pt->count; i++)
        for (uint32_t j = i + 1; j < pt->count; j++)
            if (!strcmp(pt->entry[i].label, pt->entry[j].label)) {
                m_str(m, "partition names must be unique: '");
                m_str(m, pt->entry[i].label);
                m_str(m, "' is on lines ");
                m_dec(m, lines[i]);
                m_str(m, " and ");
                m_dec(m, lines[j]);
                *line = lines[j];
                return OTTER_ERR_PT_DUP_LABEL;
            }
    static const uint8_t otadata_kinds[2] = {OTTER_PT_SUBTYPE_OTADATA, OTTER_PT_SUBTYPE_TEE_OTA};
    for (int k = 0; k < 2; k++) {
        int seen = -1;
        for (uint32_t i = 0; i < pt->count; i++) {
            const otter_partition_t *e = &pt->entry[i];
            if (e->type != OTTER_PT_TYPE_DATA || e->subtype != otadata_kinds[k])
                continue;
            *line = lines[i];
            if (seen >= 0) {
                m_str(m, k ? "found multiple TEE otadata partitions (lines " : "found multiple otadata partitions (lines ");
                m_dec(m, lines[seen]);
                m_str(m, " and ");
                m_dec(m, lines[i]);
                m_str(m, k ? "): only one data/tee_ota partition is allowed" : "): only one data/ota partition is allowed");
                return OTTER_ERR_PT_DUP_TYPE;
            }
            seen = (int)i;
            if (e->size != 0x2000u) {
                m_part(m, e);
                m_str(m, k ? "TEE otadata partition must have size = 0x2000, not " : "otadata partition must have size = 0x2000, not ");
                m_hex(m, e->size);
                return OTTER_ERR_OTADATA_SIZE;
            }
        }
    }
    uint32_t bytes = (pt->count + (pt->has_md5 ? 1u : 0u)) * OTTER_PT_ROW_SIZE;
    if (bytes >= OTTER_PT_MAX_LEN) {
        m_str(m, "binary partition table length (");
        m_dec(m, bytes);
        m_str(m, " bytes for ");
        m_dec(m, pt->count);
        m_str(m, pt->has_md5 ? " partitions and the MD5 row) longer than max (" : " partitions) longer than max (");
        m_hex(m, OTTER_PT_MAX_LEN - 1u);
        m_str(m, ")");
        *line = 0;
        return OTTER_ERR_PT_TOO_MANY;
    }
    *line = 0;
    return 0;
}

/* Words for the binary table's rules (otter_ptable_validate) that the CSV
 * checks above did not already name. */
static void explain_validate(const otter_ptable_t *pt, const uint16_t *lines, uint32_t flash_size, int err,
                             unsigned *line, struct msg *m)
{
    for (uint32_t i = 0; i < pt->count; i++) {
        const otter_partition_t *e = &pt->entry[i];
        if (err == OTTER_ERR_PT_BOUNDS && flash_size && (uint64_t)e->offset + e->size > flash_size) {
            m_part(m, e);
            m_str(m, "it ends at ");
            m_hex(m, e->offset + e->size);
            m_str(m, ", past the flash size ");
            m_hex(m, flash_size);
            *line = lines[i];
            return;
        }
        for (uint32_t j = i + 1; err == OTTER_ERR_PT_DUP_TYPE && j < pt->count; j++)
            if (pt->entry[j].type == e->type && pt->entry[j].subtype == e->subtype) {
                const char *name = otter_ptable_subtype_name(e->type, e->subtype);
                m_str(m, "more than one '");
                m_str(m, name ? name : "?");
                m_str(m, "' partition (lines ");
                m_dec(m, lines[i]);
                m_str(m, " and ");
                m_dec(m, lines[j]);
                m_str(m, "): the bootloader would use only the first");
                *line = lines[j];
                return;
            }
    }
    m_str(m, otter_strerror(err));
    if (err == OTTER_ERR_PT_OTA_GAP)
        m_str(m, ": otadata's sequence number selects among ota_0..ota_{n-1}");
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

int otter_ptable_parse_csv_explain(otter_ptable_t *pt, const char *csv, size_t len, uint32_t flash_size,
                                   otter_ptable_csv_error_t *why)
{
    otter_ptable_csv_error_t scratch;
    if (!why)
        why = &scratch;
    memset(why, 0, sizeof *why);
    struct msg m = {why->text, sizeof why->text, 0};
    uint16_t lines[OTTER_PT_MAX_ENTRIES];
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
            m_str(&m, "more than ");
            m_dec(&m, OTTER_PT_MAX_ENTRIES);
            m_str(&m, " partitions (OTTER_PT_MAX_ENTRIES)");
            ret = OTTER_ERR_PT_TOO_MANY;
            break;
        }
        int offset_set = 0, size_to_end = 0;
        otter_partition_t *e = &pt->entry[pt->count];
        ret = parse_line(line, e, &offset_set, &size_to_end, &m);
        if (ret == 0)
            ret = place(e, offset_set, size_to_end, &last_end, pt->count == 0, &m);
        if (ret == 0)
            lines[pt->count++] = (uint16_t)(line_no > 0xFFFFu ? 0xFFFFu : line_no);
    }
    if (ret == 0 && pt->count == 0) {
        line_no = 0;
        m_str(&m, "no partitions in the CSV");
        ret = OTTER_ERR_PT_EMPTY;
    }
    if (ret == 0)
        ret = check_table(pt, lines, &line_no, &m);
    if (ret == 0) {
        line_no = 0;
        ret = otter_ptable_validate(pt, flash_size);
        if (ret)
            explain_validate(pt, lines, flash_size, ret, &line_no, &m);
    }
    why->err = ret;
    why->line = ret ? line_no : 0;
    if (ret)
        otter_ptable_init(pt);
    return ret;
}

int otter_ptable_parse_csv(otter_ptable_t *pt, const char *csv, size_t len, uint32_t flash_size, unsigned *err_line)
{
    otter_ptable_csv_error_t why;
    int ret = otter_ptable_parse_csv_explain(pt, csv, len, flash_size, &why);
    if (err_line)
        *err_line = why.line;
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
