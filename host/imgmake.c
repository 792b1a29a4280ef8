/* Deterministic synthetic app images (host/imgmake.h). The layout mimics
 * esptool's elf2image output: DROM segment first (starting with the app
 * description), DRAM, IRAM, and for larger images a padding segment plus an
 * IROM segment whose data starts at a file offset congruent to its load
 * address modulo 64 KB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imgmake.h"
#include "otter/bytes.h"
#include "otter/crypto.h"
#include "host_error.h"
#include "otter/image.h"

struct mem {
    uint16_t chip;
    uint32_t drom, dram, iram, irom;
};

/* Region bases per chip (from esptool's memory maps). */
static const struct mem mems[] = {
    {OTTER_CHIP_ESP32, 0x3F400000u, 0x3FFB0000u, 0x40080000u, 0x400D0000u},
    {OTTER_CHIP_ESP32S2, 0x3F000000u, 0x3FFB0000u, 0x40022000u, 0x40080000u},
    {OTTER_CHIP_ESP32C3, 0x3C000000u, 0x3FC88000u, 0x40380000u, 0x42000000u},
    {OTTER_CHIP_ESP32S3, 0x3C000000u, 0x3FC90000u, 0x40374000u, 0x42000000u},
    {OTTER_CHIP_ESP32C2, 0x3C000000u, 0x3FCA0000u, 0x4037C000u, 0x42000000u},
    {OTTER_CHIP_ESP32C6, 0x42800000u, 0x40800000u, 0x40810000u, 0x42000000u},
    {OTTER_CHIP_ESP32H2, 0x42800000u, 0x40800000u, 0x40810000u, 0x42000000u},
    {OTTER_CHIP_ESP32P4, 0x40800000u, 0x4FF10000u, 0x4FF00000u, 0x40000000u},
    {OTTER_CHIP_ESP32C61, 0x41800000u, 0x40800000u, 0x40810000u, 0x41000000u},
    {OTTER_CHIP_ESP32C5, 0x42800000u, 0x40800000u, 0x40810000u, 0x42000000u},
    {OTTER_CHIP_ESP32H21, 0x42800000u, 0x40800000u, 0x40810000u, 0x42000000u},
    {OTTER_CHIP_ESP32H4, 0x42800000u, 0x40800000u, 0x40810000u, 0x42000000u},
};

#define MAX_SEGS 5
#define IROM_MIN_SIZE (192u * 1024u)

struct layout {
    unsigned n;
    uint32_t load[MAX_SEGS], len[MAX_SEGS];
    uint32_t data_end; /* offset after the last segment */
    uint32_t image_len;
    uint32_t entry;
};

static const struct mem *mem_find(uint16_t chip)
{
    for (size_t i = 0; i < sizeof mems / sizeof mems[0]; i++)
        if (mems[i].chip == chip)
            return &mems[i];
    return NULL;
}

void otter_imgmake_defaults(otter_imgmake_t *p)
{
    memset(p, 0, sizeof *p);
    p->chip = OTTER_CHIP_ESP32;
    p->version = "1.0.0";
    p->project = "otter-demo";
    p->size = 65536;
    p->seed = 1;
}

static uint32_t down4(int64_t v)
{
    return v < 0 ? 0 : (uint32_t)(v & ~(int64_t)3);
}

static int plan(const otter_imgmake_t *p, struct layout *l)
{
    const struct mem *m = mem_find(p->chip);
    if (!m || !p->version || !p->project || strlen(p->version) > 32 || strlen(p->project) > 32 ||
        (p->idf_ver && strlen(p->idf_ver) > 32) || (p->date && strlen(p->date) > 16) ||
        (p->time && strlen(p->time) > 16) || p->size > 0x800000u)
        return OTTER_ERR_INVAL;
    int64_t s = p->size < 1024 ? 1024 : p->size;
    int64_t tail = 16 + (p->no_hash ? 0 : 32); /* padding + checksum (<= 16), hash */
    uint32_t small = down4(s / 16);
    small = small > 16384 ? 16384 : small < 16 ? 16 : small;
    memset(l, 0, sizeof *l);
    l->entry = m->iram;
    l->load[1] = m->dram, l->len[1] = small;
    l->load[2] = m->iram, l->len[2] = small;
    l->load[0] = m->drom + 0x20;
    if (s < IROM_MIN_SIZE) {
        l->n = 3;
        l->len[0] = down4(s - 24 - 3 * 8 - 2 * small - tail);
    } else {
        l->n = 5;
        l->len[0] = down4(s / 4);
        uint32_t end = 24 + 3 * 8 + l->len[0] + 2 * small;
        /* IROM segment header at q with (q + 8) % 64K == 0x20, after a padding segment. */
        uint32_t q = end + 8 + ((0x18u - (end + 8)) & 0xFFFFu);
        l->load[3] = 0, l->len[3] = q - end - 8;
        l->load[4] = m->irom + 0x20, l->len[4] = down4(s - (q + 8) - tail);
    }
    if (l->len[0] < OTTER_APP_DESC_LEN)
        l->len[0] = OTTER_APP_DESC_LEN;
    uint32_t off = OTTER_IMAGE_HEADER_LEN;
    for (unsigned i = 0; i < l->n; i++)
        off += 8 + l->len[i];
    l->data_end = off;
    l->image_len = ((off + 1 + 15) & ~15u) + (p->no_hash ? 0 : 32);
    return OTTER_OK;
}

size_t otter_imgmake_len(const otter_imgmake_t *p)
{
    struct layout l;
    return plan(p, &l) == OTTER_OK ? l.image_len : 0;
}

static void put_str(uint8_t *dst, const char *s)
{
    memcpy(dst, s, strlen(s)); /* the field is zero-filled already */
}

static void write_desc(const otter_imgmake_t *p, uint8_t *d)
{
    uint8_t seedbuf[4];
    otter_sha256_t h;
    memset(d, 0, OTTER_APP_DESC_LEN);
    otter_put_le32(d, OTTER_APP_DESC_MAGIC);
    otter_put_le32(d + 4, p->secure_version);
    put_str(d + 16, p->version);
    put_str(d + 48, p->project);
    put_str(d + 80, p->time ? p->time : "12:00:00");
    put_str(d + 96, p->date ? p->date : "Jan  1 2025");
    put_str(d + 112, p->idf_ver ? p->idf_ver : "v5.2.1");
    /* a stand-in for the ELF's SHA-256, stable for the same parameters */
    otter_put_le32(seedbuf, p->seed);
    otter_sha256_init(&h);
    otter_sha256_start(&h);
    otter_sha256_update(&h, "otter-imgmake", 13);
    otter_sha256_update(&h, seedbuf, 4);
    otter_sha256_update(&h, p->version, strlen(p->version));
    otter_sha256_update(&h, p->project, strlen(p->project));
    otter_sha256_finish(&h, d + 144);
    otter_sha256_free(&h);
    d[180] = 16; /* mmu_page_size: 64 KB */
}

static void fill_random(uint8_t *d, size_t n, uint32_t *state)
{
    for (size_t i = 0; i < n; i++) {
        if ((i & 3) == 0) {
            *state ^= *state << 13;
            *state ^= *state >> 17;
            *state ^= *state << 5;
        }
        d[i] = (uint8_t)(*state >> (8 * (i & 3)));
    }
}

static void write_header(const otter_imgmake_t *p, const struct layout *l, uint8_t *h)
{
    memset(h, 0, OTTER_IMAGE_HEADER_LEN);
    h[0] = OTTER_IMAGE_MAGIC;
    h[1] = (uint8_t)l->n;
    h[2] = 2;    /* DIO */
    h[3] = 0x20; /* 4 MB, speed code 0 */
    otter_put_le32(h + 4, l->entry);
    h[8] = 0xEE; /* WP pin disabled */
    otter_put_le16(h + 12, p->chip);
    h[23] = p->no_hash ? 0 : 1;
}

int otter_imgmake(const otter_imgmake_t *p, uint8_t *buf, size_t cap, size_t *out_len)
{
    struct layout l;
    if (!p || !buf || plan(p, &l) != OTTER_OK)
        return OTTER_ERR_INVAL;
    if (cap < l.image_len)
        return OTTER_ERR_BUF_TOO_SMALL;
    uint32_t state = p->seed ? p->seed : 0x9E3779B9u;
    uint8_t xor_sum = 0xEF;
    write_header(p, &l, buf);
    uint32_t off = OTTER_IMAGE_HEADER_LEN;
    for (unsigned i = 0; i < l.n; i++) {
        otter_put_le32(buf + off, l.load[i]);
        otter_put_le32(buf + off + 4, l.len[i]);
        uint8_t *d = buf + off + 8;
        if (l.n == 5 && i == 3)
            memset(d, 0, l.len[i]); /* padding segment */
        else
            fill_random(d, l.len[i], &state);
        if (i == 0 && !p->no_desc)
            write_desc(p, d);
        for (uint32_t k = 0; k < l.len[i]; k++)
            xor_sum ^= d[k];
        off += 8 + l.len[i];
    }
    uint32_t ck = ((off + 1 + 15) & ~15u) - 1;
    memset(buf + off, 0, ck - off);
    buf[ck] = xor_sum;
    if (!p->no_hash && otter_sha256(buf, ck + 1, buf + ck + 1) != OTTER_OK)
        return OTTER_ERR_CRYPTO;
    *out_len = l.image_len;
    return OTTER_OK;
}

uint8_t *otter_imgmake_alloc(const otter_imgmake_t *p, size_t *len)
{
    size_t n = otter_imgmake_len(p);
    uint8_t *buf = n ? malloc(n) : NULL;
    if (buf && otter_imgmake(p, buf, n, len) != OTTER_OK) {
        free(buf);
        buf = NULL;
    }
    return buf;
}

int otter_imgmake_file(const otter_imgmake_t *p, const char *path)
{
    size_t len;
    uint8_t *buf = otter_imgmake_alloc(p, &len);
    if (!buf)
        return OTTER_ERR_INVAL;
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(buf, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = 0;
    free(buf);
    return ok ? OTTER_OK : OTTER_ERR_FILE;
}
