/* Streaming ESP app image validator (see include/otter/image.h and
 * docs/FORMATS.md "App image"). One state machine; every byte goes through
 * exactly one state, so the result cannot depend on how input is chunked. */
#include <string.h>

#include "otter/bytes.h"
#include "otter/error.h"
#include "otter/image.h"
#include "strbuf.h"

enum {
    ST_HEADER,   /* collecting the 24-byte header */
    ST_SEG_HDR,  /* collecting an 8-byte segment header */
    ST_SEG_DATA, /* inside segment data */
    ST_PAD,      /* zero padding before the checksum byte */
    ST_CHECKSUM, /* the checksum byte */
    ST_HASH,     /* the appended SHA-256 */
    ST_SIGPAD,   /* after the image, up to the 4096 boundary (hashed) */
    ST_SNIFF,    /* not 0xE9: collecting the first bytes to say what it is */
    ST_TRAIL,    /* after signed_len: counted only */
    ST_DEAD,     /* structure broken: counted only */
};

/* A bootloader fits below the partition table at 0x8000: an image with no
 * flash-mapped segment that is longer is a RAM-only app. */
#define BOOTLOADER_MAX_LEN 0x8000u
/* A merged flash image holds the first app at 0x10000 or later. */
#define MERGED_MIN_LEN 0x10000u

/* ESP8266 instruction RAM: where its images' entry points are. */
#define ESP8266_IRAM_LO 0x40100000u
#define ESP8266_IRAM_HI 0x40110000u

struct chip {
    uint16_t id;
    const char *key;    /* esptool spelling, lower case */
    const char *name;   /* display name */
    uint32_t map[2][2]; /* flash-mapped windows [lo, hi) */
};

/* Flash-mapped windows from esptool's per-chip IROM/DROM memory maps. */
static const struct chip chips[] = {
    {OTTER_CHIP_ESP32, "esp32", "ESP32", {{0x3F400000u, 0x3F800000u}, {0x400D0000u, 0x40400000u}}},
    {OTTER_CHIP_ESP32S2, "esp32s2", "ESP32-S2", {{0x3F000000u, 0x3FF80000u}, {0x40080000u, 0x40800000u}}},
    {OTTER_CHIP_ESP32C3, "esp32c3", "ESP32-C3", {{0x3C000000u, 0x3C800000u}, {0x42000000u, 0x42800000u}}},
    {OTTER_CHIP_ESP32S3, "esp32s3", "ESP32-S3", {{0x3C000000u, 0x3E000000u}, {0x42000000u, 0x44000000u}}},
    {OTTER_CHIP_ESP32C2, "esp32c2", "ESP32-C2", {{0x3C000000u, 0x3C400000u}, {0x42000000u, 0x42400000u}}},
    {OTTER_CHIP_ESP32C6, "esp32c6", "ESP32-C6", {{0x42000000u, 0x43000000u}, {0, 0}}},
    {OTTER_CHIP_ESP32H2, "esp32h2", "ESP32-H2", {{0x42000000u, 0x43000000u}, {0, 0}}},
    {OTTER_CHIP_ESP32P4, "esp32p4", "ESP32-P4", {{0x40000000u, 0x4C000000u}, {0, 0}}},
    {OTTER_CHIP_ESP32C61, "esp32c61", "ESP32-C61", {{0x41000000u, 0x42000000u}, {0, 0}}},
    {OTTER_CHIP_ESP32C5, "esp32c5", "ESP32-C5", {{0x42000000u, 0x44000000u}, {0, 0}}},
    {OTTER_CHIP_ESP32H21, "esp32h21", "ESP32-H21", {{0x42000000u, 0x43000000u}, {0, 0}}},
    {OTTER_CHIP_ESP32H4, "esp32h4", "ESP32-H4", {{0x42000000u, 0x43000000u}, {0, 0}}},
};
#define N_CHIPS (sizeof chips / sizeof chips[0])

static const struct chip *chip_find(uint16_t id)
{
    for (size_t i = 0; i < N_CHIPS; i++)
        if (chips[i].id == id)
            return &chips[i];
    return NULL;
}

const char *otter_image_chip_name(uint16_t chip_id)
{
    const struct chip *c = chip_find(chip_id);
    return c ? c->name : "unknown";
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

int otter_image_chip_from_name(const char *name, uint16_t *chip_id)
{
    char norm[16];
    size_t n = 0;
    if (!name || !chip_id)
        return OTTER_ERR_INVAL;
    for (; *name; name++) {
        if (*name == '-' || *name == '_')
            continue;
        if (n + 1 >= sizeof norm)
            return OTTER_ERR_IMG_CHIP_UNKNOWN;
        norm[n++] = lower(*name);
    }
    norm[n] = 0;
    if (!strcmp(norm, "any")) {
        *chip_id = OTTER_CHIP_ANY;
        return OTTER_OK;
    }
    for (size_t i = 0; i < N_CHIPS; i++) {
        if (!strcmp(norm, chips[i].key)) {
            *chip_id = chips[i].id;
            return OTTER_OK;
        }
    }
    return OTTER_ERR_IMG_CHIP_UNKNOWN;
}

bool otter_image_addr_flash_mapped(uint16_t chip_id, uint32_t load_addr)
{
    const struct chip *c = chip_find(chip_id);
    if (!c)
        return false;
    for (int i = 0; i < 2; i++)
        if (load_addr >= c->map[i][0] && load_addr < c->map[i][1])
            return true;
    return false;
}

int otter_image_check_chip_rev(const otter_image_info_t *info, uint16_t chip_rev_full)
{
    if (!info)
        return OTTER_ERR_INVAL;
    if (chip_rev_full < info->min_chip_rev_full)
        return OTTER_ERR_IMG_CHIP_REV;
    if (info->max_chip_rev_full != 0 && chip_rev_full > info->max_chip_rev_full)
        return OTTER_ERR_IMG_CHIP_REV;
    return OTTER_OK;
}

void otter_image_init(otter_image_t *ctx, uint16_t expected_chip)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->state = ST_HEADER;
    ctx->expect_chip = expected_chip;
    ctx->xor_sum = 0xEF; /* checksum seed */
    ctx->end = OTTER_IMAGE_HEADER_LEN;
    otter_sha256_init(&ctx->sha);
    /* The backend cannot fail to start a software hash; a hardware backend
     * that does is reported on the first feed. */
    if (otter_sha256_start(&ctx->sha) != OTTER_OK)
        ctx->status = OTTER_ERR_CRYPTO;
    ctx->info.header_verdict = OTTER_IMAGE_PENDING;
    ctx->info.segments_verdict = OTTER_IMAGE_PENDING;
    ctx->info.padding_verdict = OTTER_IMAGE_PENDING;
    ctx->info.checksum_verdict = OTTER_IMAGE_PENDING;
    ctx->info.hash_verdict = OTTER_IMAGE_PENDING;
    ctx->info.error_offset = -1;
    ctx->info.trailing_ff = true;
}

void otter_image_set_max_len(otter_image_t *ctx, uint32_t max_len)
{
    ctx->max_len = max_len;
}

void otter_image_free(otter_image_t *ctx)
{
    otter_sha256_free(&ctx->sha);
}

/* Record the first error at file offset off. */
static void set_error(otter_image_t *ctx, int err, uint32_t off)
{
    if (ctx->status == OTTER_OK) {
        ctx->status = err;
        ctx->info.error_offset = (int)off;
    }
}

/* Structural error: nothing after this point can be interpreted. */
static void die(otter_image_t *ctx, int err, uint32_t off, int *verdict)
{
    set_error(ctx, err, off);
    if (verdict)
        *verdict = err;
    ctx->state = ST_DEAD;
}

/* A fixed-width text field of the format (NUL-padded, maybe full). */
#define COPY_FIELD(dst, src, n) ((void)otter_str_copy((dst), sizeof(dst), (const char *)(src), (n)))


static int header_error(const otter_image_t *ctx, const uint8_t *h)
{
    const otter_image_info_t *in = &ctx->info;
    bool known = chip_find(in->chip_id) != NULL;
    /* An ESP8266 image has an 8-byte header: what would be the extended
     * header is its first segment header, so the "chip id" and "hash flag"
     * read as garbage; its entry point is in the ESP8266's IRAM. */
    if ((!known || in->hash_appended > 1) && in->entry_addr >= ESP8266_IRAM_LO && in->entry_addr < ESP8266_IRAM_HI)
        return OTTER_ERR_IMG_ESP8266;
    if (!known)
        return OTTER_ERR_IMG_CHIP_UNKNOWN;
    if (in->hash_appended > 1)
        return OTTER_ERR_IMG_HASH_FLAG;
    if (ctx->expect_chip != OTTER_CHIP_ANY && in->chip_id != ctx->expect_chip)
        return OTTER_ERR_IMG_CHIP_MISMATCH;
    if (h[1] == 0 || h[1] > OTTER_IMAGE_MAX_SEGMENTS)
        return OTTER_ERR_IMG_SEG_COUNT;
    return OTTER_OK;
}

static void parse_header(otter_image_t *ctx)
{
    const uint8_t *h = ctx->buf;
    otter_image_info_t *in = &ctx->info;
    in->segment_count = h[1];
    in->spi_mode = h[2];
    in->spi_speed = h[3] & 0x0F;
    in->spi_size = h[3] >> 4;
    in->entry_addr = otter_le32(h + 4);
    in->wp_pin = h[8];
    memcpy(in->spi_pin_drv, h + 9, 3);
    in->chip_id = otter_le16(h + 12);
    in->min_chip_rev = h[14];
    in->min_chip_rev_full = otter_le16(h + 15);
    in->max_chip_rev_full = otter_le16(h + 17);
    in->hash_appended = h[23];
    int err = header_error(ctx, h);
    if (err) {
        die(ctx, err, 0, &in->header_verdict);
        return;
    }
    in->header_verdict = OTTER_OK;
    ctx->state = ST_SEG_HDR;
    ctx->buf_len = 0;
    ctx->end = OTTER_IMAGE_HEADER_LEN + OTTER_IMAGE_SEG_HEADER_LEN;
}

/* Decide what the first segment's first bytes say (app or bootloader). */
static void examine_desc(otter_image_t *ctx)
{
    otter_image_info_t *in = &ctx->info;
    const uint8_t *d = ctx->desc;
    if (in->kind != OTTER_IMAGE_KIND_UNKNOWN || in->has_app_desc || in->has_boot_desc)
        return;
    if (ctx->desc_len == OTTER_APP_DESC_LEN && otter_le32(d) == OTTER_APP_DESC_MAGIC) {
        in->has_app_desc = true;
        in->kind = OTTER_IMAGE_KIND_APP;
        in->app.secure_version = otter_le32(d + 4);
        COPY_FIELD(in->app.version, d + 16, 32);
        COPY_FIELD(in->app.project_name, d + 48, 32);
        COPY_FIELD(in->app.time, d + 80, 16);
        COPY_FIELD(in->app.date, d + 96, 16);
        COPY_FIELD(in->app.idf_ver, d + 112, 32);
        memcpy(in->app.app_elf_sha256, d + 144, 32);
        in->app.min_efuse_blk_rev_full = otter_le16(d + 176);
        in->app.max_efuse_blk_rev_full = otter_le16(d + 178);
        in->app.mmu_page_size = d[180];
        /* ESP-IDF puts the description at the start of the flash-mapped
         * rodata (DROM); in RAM it belongs to a RAM-only app. */
        if (!otter_image_addr_flash_mapped(in->chip_id, in->seg[0].load_addr)) {
            in->kind = OTTER_IMAGE_KIND_RAM_APP;
            set_error(ctx, OTTER_ERR_IMG_RAM_APP, OTTER_APP_DESC_OFFSET);
        }
    } else if (ctx->desc_len >= 80 && d[0] == OTTER_BOOT_DESC_MAGIC && d[1] == 0 && d[2] == 0 &&
               !otter_image_addr_flash_mapped(in->chip_id, in->seg[0].load_addr)) {
        in->has_boot_desc = true;
        in->kind = OTTER_IMAGE_KIND_BOOTLOADER;
        in->boot.secure_version = d[3];
        in->boot.version = otter_le32(d + 4);
        COPY_FIELD(in->boot.idf_ver, d + 8, 32);
        COPY_FIELD(in->boot.date_time, d + 40, 24);
    }
}

static void enter_seg_header_or_pad(otter_image_t *ctx, uint32_t off)
{
    ctx->buf_len = 0;
    if (ctx->seg_index < ctx->info.segment_count) {
        ctx->state = ST_SEG_HDR;
        ctx->end = off + OTTER_IMAGE_SEG_HEADER_LEN;
        return;
    }
    /* Zero padding so that the byte after the checksum is 16-aligned. */
    uint32_t ck = ((off + 1 + 15) & ~15u) - 1;
    uint32_t limit = ctx->max_len ? ctx->max_len : OTTER_IMAGE_MAX_SEG_LEN;
    if (ck + 1 + (ctx->info.hash_appended ? 32u : 0u) > limit) {
        die(ctx, OTTER_ERR_IMG_TOO_LONG, off, &ctx->info.segments_verdict);
        return;
    }
    ctx->info.segments_verdict = OTTER_OK;
    ctx->state = ck > off ? ST_PAD : ST_CHECKSUM;
    ctx->end = ck;
    ctx->info.padding_verdict = OTTER_OK;
}

static void end_segment(otter_image_t *ctx, uint32_t off)
{
    if (ctx->seg_index == 0)
        examine_desc(ctx);
    ctx->desc_len = OTTER_APP_DESC_LEN; /* settled for good */
    ctx->seg_index++;
    enter_seg_header_or_pad(ctx, off);
}

static void parse_seg_header(otter_image_t *ctx, uint32_t off)
{
    otter_image_info_t *in = &ctx->info;
    uint32_t hdr_off = off - OTTER_IMAGE_SEG_HEADER_LEN;
    uint32_t load = otter_le32(ctx->buf);
    uint32_t len = otter_le32(ctx->buf + 4);
    in->seg[ctx->seg_index].load_addr = load;
    in->seg[ctx->seg_index].data_len = len;
    in->seg[ctx->seg_index].offset = hdr_off;
    in->segments_seen = (uint8_t)(ctx->seg_index + 1);
    if ((len & 3u) != 0 || len >= OTTER_IMAGE_MAX_SEG_LEN) {
        die(ctx, OTTER_ERR_IMG_SEG_LEN, hdr_off, &in->segments_verdict);
        return;
    }
    uint32_t limit = ctx->max_len ? ctx->max_len : OTTER_IMAGE_MAX_SEG_LEN;
    /* off + len + checksum byte must fit; off < 2^25 here so no overflow. */
    if ((uint64_t)off + len + 1 > limit) {
        die(ctx, OTTER_ERR_IMG_TOO_LONG, hdr_off, &in->segments_verdict);
        return;
    }
    if (otter_image_addr_flash_mapped(in->chip_id, load))
        ctx->seg_mapped = true;
    if (len == 0) {
        end_segment(ctx, off);
        return;
    }
    ctx->state = ST_SEG_DATA;
    ctx->end = off + len;
}

static void finish_sig_digest(otter_image_t *ctx)
{
    if (otter_sha256_finish(&ctx->sha, ctx->info.sig_digest) != OTTER_OK)
        set_error(ctx, OTTER_ERR_CRYPTO, ctx->info.signed_len);
    else
        ctx->info.sig_digest_ready = true;
    ctx->state = ST_TRAIL;
}

/* As the ESP-IDF bootloader requires: a flash-mapped segment's data must sit
 * at a file offset congruent to its load address modulo the MMU page (64 KB
 * unless the app description says otherwise). Checked at the end because the
 * page size is only known once the first segment was read. */
static void check_mapping(otter_image_t *ctx)
{
    otter_image_info_t *in = &ctx->info;
    uint32_t page = 0x10000;
    if (in->has_app_desc && in->app.mmu_page_size >= 13 && in->app.mmu_page_size <= 16)
        page = 1u << in->app.mmu_page_size;
    for (unsigned i = 0; i < in->segments_seen; i++) {
        const otter_image_segment_t *s = &in->seg[i];
        uint32_t data = s->offset + OTTER_IMAGE_SEG_HEADER_LEN;
        if (otter_image_addr_flash_mapped(in->chip_id, s->load_addr) && data % page != s->load_addr % page) {
            in->segments_verdict = OTTER_ERR_IMG_SEG_ALIGN;
            set_error(ctx, OTTER_ERR_IMG_SEG_ALIGN, s->offset);
            return;
        }
    }
}

static void image_end(otter_image_t *ctx, uint32_t off)
{
    otter_image_info_t *in = &ctx->info;
    check_mapping(ctx);
    in->image_len = off;
    in->signed_len = (off + OTTER_IMAGE_SIG_ALIGN - 1) & ~(OTTER_IMAGE_SIG_ALIGN - 1);
    if (in->kind == OTTER_IMAGE_KIND_UNKNOWN) {
        if (ctx->seg_mapped)
            in->kind = OTTER_IMAGE_KIND_APP;
        else if (off > BOOTLOADER_MAX_LEN)
            in->kind = OTTER_IMAGE_KIND_RAM_APP;
        else
            in->kind = OTTER_IMAGE_KIND_BOOTLOADER;
    }
    if (in->kind == OTTER_IMAGE_KIND_RAM_APP)
        set_error(ctx, OTTER_ERR_IMG_RAM_APP, 0);
    if (in->signed_len == off) {
        finish_sig_digest(ctx);
    } else {
        ctx->state = ST_SIGPAD;
        ctx->end = in->signed_len;
    }
}

static void checksum_byte(otter_image_t *ctx, uint8_t b, uint32_t off)
{
    otter_image_info_t *in = &ctx->info;
    otter_sha256_t tmp;
    in->checksum_stored = b;
    in->checksum_calc = ctx->xor_sum;
    in->checksum_verdict = b == ctx->xor_sum ? OTTER_OK : OTTER_ERR_IMG_CHECKSUM;
    if (in->checksum_verdict)
        set_error(ctx, OTTER_ERR_IMG_CHECKSUM, off);
    /* The appended hash covers everything up to and including this byte,
     * which the caller has already hashed; the running hash goes on for the
     * signature digest. */
    otter_sha256_init(&tmp);
    if (otter_sha256_clone(&tmp, &ctx->sha) != OTTER_OK || otter_sha256_finish(&tmp, in->hash_calc) != OTTER_OK)
        set_error(ctx, OTTER_ERR_CRYPTO, off);
    otter_sha256_free(&tmp);
    if (in->hash_appended) {
        ctx->state = ST_HASH;
        ctx->buf_len = 0;
        ctx->end = off + 1 + 32;
    } else {
        in->hash_verdict = OTTER_IMAGE_NA;
        image_end(ctx, off + 1);
    }
}

static void hash_done(otter_image_t *ctx, uint32_t off)
{
    otter_image_info_t *in = &ctx->info;
    memcpy(in->hash_stored, ctx->buf, 32);
    in->hash_verdict = otter_ct_equal(in->hash_stored, in->hash_calc, 32) ? OTTER_OK : OTTER_ERR_IMG_HASH;
    if (in->hash_verdict)
        set_error(ctx, OTTER_ERR_IMG_HASH, off - 32);
    image_end(ctx, off);
}

/* Bytes the current state takes from an input of avail bytes. */
static size_t step_len(const otter_image_t *ctx, uint32_t off, size_t avail)
{
    if (ctx->state >= ST_TRAIL)
        return avail;
    size_t want = ctx->end - off;
    return want < avail ? want : avail;
}


/* sum XOR every byte of p[0..n). Segment data is nearly every byte of an
 * update (and is checked twice: while downloading and when the slot is
 * validated), so XOR 16 bytes per step into local 64-bit words and fold,
 * instead of a read-modify-write of the context per byte. The XOR of all bytes
 * equals the XOR of the bytes of the XOR of all words, whatever the byte
 * order. */
static uint8_t xor_bytes(uint8_t sum, const uint8_t *p, size_t n)
{
    uint64_t a = 0, b = 0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        uint64_t w0, w1;
        memcpy(&w0, p + i, 8);
        memcpy(&w1, p + i + 8, 8);
        a ^= w0;
        b ^= w1;
    }
    a ^= b;
    a ^= a >> 32;
    a ^= a >> 16;
    a ^= a >> 8;
    sum ^= (uint8_t)a;
    for (; i < n; i++)
        sum ^= p[i];
    return sum;
}

static void process_bytes(otter_image_t *ctx, const uint8_t *p, size_t n, uint32_t off)
{
    uint32_t end_off = off + (uint32_t)n;
    switch (ctx->state) {
    case ST_HEADER:
        if (off == 0 && p[0] != OTTER_IMAGE_MAGIC) {
            /* Some other file: collect its first bytes to say which. */
            ctx->state = ST_SNIFF;
            ctx->end = OTTER_IMAGE_SNIFF_LEN;
        }
        memcpy(ctx->buf + ctx->buf_len, p, n);
        ctx->buf_len = (uint8_t)(ctx->buf_len + n);
        if (ctx->state == ST_SNIFF)
            return; /* fewer than the header's 24 bytes so far */
        if (end_off == ctx->end)
            parse_header(ctx);
        return;
    case ST_SNIFF:
        memcpy(ctx->buf + ctx->buf_len, p, n);
        ctx->buf_len = (uint8_t)(ctx->buf_len + n);
        if (end_off == ctx->end)
            die(ctx, otter_image_identify(ctx->buf, ctx->buf_len, ctx->file_len), 0, &ctx->info.header_verdict);
        return;
    case ST_SEG_HDR:
        memcpy(ctx->buf + ctx->buf_len, p, n);
        ctx->buf_len = (uint8_t)(ctx->buf_len + n);
        if (end_off == ctx->end)
            parse_seg_header(ctx, end_off);
        return;
    case ST_SEG_DATA:
        ctx->xor_sum = xor_bytes(ctx->xor_sum, p, n);
        if (ctx->seg_index == 0 && ctx->desc_len < OTTER_APP_DESC_LEN) {
            size_t take = OTTER_APP_DESC_LEN - ctx->desc_len;
            take = take < n ? take : n;
            memcpy(ctx->desc + ctx->desc_len, p, take);
            ctx->desc_len = (uint16_t)(ctx->desc_len + take);
            if (ctx->desc_len == OTTER_APP_DESC_LEN)
                examine_desc(ctx);
        }
        if (end_off == ctx->end)
            end_segment(ctx, end_off);
        return;
    case ST_PAD:
        for (size_t i = 0; i < n; i++) {
            if (p[i] != 0 && ctx->info.padding_verdict == OTTER_OK) {
                ctx->info.padding_verdict = OTTER_ERR_IMG_PADDING;
                set_error(ctx, OTTER_ERR_IMG_PADDING, off + (uint32_t)i);
            }
        }
        if (end_off == ctx->end)
            ctx->state = ST_CHECKSUM, ctx->end = end_off + 1;
        return;
    case ST_CHECKSUM:
        checksum_byte(ctx, p[0], off);
        return;
    case ST_HASH:
        memcpy(ctx->buf + ctx->buf_len, p, n);
        ctx->buf_len = (uint8_t)(ctx->buf_len + n);
        if (end_off == ctx->end)
            hash_done(ctx, end_off);
        return;
    case ST_SIGPAD:
        for (size_t i = 0; i < n; i++)
            if (p[i] != 0xFF)
                ctx->info.trailing_ff = false;
        if (end_off == ctx->end)
            finish_sig_digest(ctx);
        return;
    default:
        return;
    }
}

int otter_image_feed(otter_image_t *ctx, const void *data, size_t len)
{
    const uint8_t *p = data;
    size_t left = len;
    if (!ctx || (!data && len) || len > (size_t)INT32_MAX)
        return OTTER_ERR_INVAL;
    while (left && ctx->state < ST_TRAIL) {
        /* Before the trailing state the offset is below 2^25 (segment
         * lengths are bounded), so it fits in 32 bits. */
        uint32_t off = (uint32_t)ctx->info.total_len;
        size_t n = step_len(ctx, off, left);
        if (otter_sha256_update(&ctx->sha, p, n) != OTTER_OK) {
            die(ctx, OTTER_ERR_CRYPTO, off, NULL);
            break;
        }
        process_bytes(ctx, p, n, off);
        p += n;
        left -= n;
        ctx->info.total_len += n;
    }
    ctx->info.total_len += left;
    if (ctx->state == ST_SIGPAD || ctx->state == ST_TRAIL)
        ctx->info.trailing = ctx->info.total_len - ctx->info.image_len;
    return ctx->status ? ctx->status : (int)len;
}

bool otter_image_done(const otter_image_t *ctx)
{
    return ctx->state == ST_SIGPAD || ctx->state == ST_TRAIL;
}

bool otter_image_header_known(const otter_image_t *ctx)
{
    return ctx->info.header_verdict == OTTER_OK;
}

bool otter_image_desc_known(const otter_image_t *ctx)
{
    return ctx->state == ST_DEAD || ctx->desc_len == OTTER_APP_DESC_LEN;
}

/* A bootloader in a file far longer than a bootloader can be is the start
 * of a merged flash image (ESP32-C3 and later put the bootloader at 0x0). */
static int not_app(const otter_image_t *ctx)
{
    return ctx->file_len >= MERGED_MIN_LEN ? OTTER_ERR_IMG_MERGED : OTTER_ERR_IMG_NOT_APP;
}

int otter_image_finish(const otter_image_t *ctx)
{
    if (ctx->status)
        return ctx->status;
    if (ctx->state == ST_SNIFF) /* a file shorter than the sniff length */
        return otter_image_identify(ctx->buf, ctx->buf_len, ctx->buf_len);
    if (!otter_image_done(ctx))
        return OTTER_ERR_IMG_TRUNCATED;
    if (ctx->info.kind == OTTER_IMAGE_KIND_RAM_APP)
        return OTTER_ERR_IMG_RAM_APP;
    if (ctx->info.kind != OTTER_IMAGE_KIND_APP)
        return not_app(ctx);
    return OTTER_OK;
}

void otter_image_set_file_len(otter_image_t *ctx, uint32_t file_len)
{
    ctx->file_len = file_len;
}

size_t otter_image_first_bytes(const otter_image_t *ctx, const uint8_t **p)
{
    *p = ctx->buf;
    return ctx->info.header_verdict == OTTER_OK ? 0 : ctx->buf_len;
}

int otter_image_early_verdict(const otter_image_t *ctx)
{
    if (ctx->status)
        return ctx->status;
    if (ctx->state == ST_SNIFF && ctx->file_len && ctx->info.total_len >= ctx->file_len)
        return otter_image_identify(ctx->buf, ctx->buf_len, ctx->file_len);
    if (ctx->info.kind == OTTER_IMAGE_KIND_BOOTLOADER)
        return not_app(ctx);
    return OTTER_OK;
}

const otter_image_info_t *otter_image_info(const otter_image_t *ctx)
{
    return &ctx->info;
}

int otter_image_validate_flash(const otter_flash_t *flash, uint32_t offset, uint32_t max_len, otter_image_info_t *out,
                               uint8_t *work, size_t work_len)
{
    otter_image_t img;
    int ret = OTTER_ERR_IMG_TRUNCATED;
    uint32_t pos = 0;
    if (!flash || !flash->read || !work || work_len == 0)
        return OTTER_ERR_INVAL;
    otter_image_init(&img, OTTER_CHIP_ANY);
    otter_image_set_max_len(&img, max_len);
    while (pos < max_len) {
        uint32_t n = max_len - pos;
        if (otter_image_done(&img)) {
            if (img.info.sig_digest_ready || pos >= img.info.signed_len)
                break;
            n = img.info.signed_len - pos; /* only up to the signature sector */
        }
        if (n > work_len)
            n = (uint32_t)work_len;
        int r = flash->read(flash->ctx, offset + pos, work, n);
        if (r < 0) {
            ret = r;
            goto out;
        }
        otter_image_feed(&img, work, n);
        pos += n;
        if (img.state == ST_DEAD)
            break;
    }
    ret = otter_image_finish(&img);
out:
    if (out)
        *out = img.info;
    otter_image_free(&img);
    return ret;
}
