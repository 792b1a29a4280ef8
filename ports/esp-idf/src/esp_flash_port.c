/* otter ESP-IDF port: flash through esp_partition_*, limited to the
 * partitions an update may touch, and the partition table from ESP-IDF's
 * partition list. */
#include <string.h>

#include "esp_flash.h"
#include "esp_partition.h"
#include "otter/error.h"
#include "otter_esp_port.h"

/* Every esp_partition_read/write is kept between 4 and 4096 bytes: ESP-IDF's
 * linux flash emulator times operations with a table that only covers that
 * range (a 1-3 byte access computes __builtin_clz(0)). On a device the split
 * costs nothing measurable and changes nothing on flash. */
#define IO_MAX 4096u
#define WORD 4u

static const otter_esp_window_t *find(const otter_esp_flash_t *f, uint32_t addr, size_t len)
{
    for (unsigned i = 0; i < f->count; i++) {
        const esp_partition_t *p = f->win[i].part;
        if (addr >= p->address && len <= p->size && addr - p->address <= p->size - len)
            return &f->win[i];
    }
    return NULL;
}

static int esp_fail(otter_esp_flash_t *f, esp_err_t e)
{
    f->last_esp_err = e;
    if (e == ESP_ERR_INVALID_ARG || e == ESP_ERR_INVALID_SIZE)
        return OTTER_ERR_FLASH_RANGE;
    return OTTER_ERR_FLASH_IO;
}

/* Read [off, off + len) of p, len <= IO_MAX, as accesses of at least 4
 * bytes (a short read takes the aligned word(s) around it). */
static esp_err_t read_part(const esp_partition_t *p, uint32_t off, uint8_t *buf, size_t len)
{
    if (len >= WORD)
        return esp_partition_read(p, off, buf, len);
    uint8_t w[2 * WORD];
    uint32_t start = off & ~(WORD - 1u);
    size_t span = ((off + len + WORD - 1u) & ~(WORD - 1u)) - start;
    esp_err_t e = esp_partition_read(p, start, w, span);
    if (e == ESP_OK)
        memcpy(buf, w + (off - start), len);
    return e;
}

static int flash_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    otter_esp_flash_t *f = ctx;
    const otter_esp_window_t *w = find(f, addr, len);
    if (!w)
        return OTTER_ERR_FLASH_RANGE;
    uint8_t *out = buf;
    uint32_t off = addr - w->part->address;
    while (len > 0) {
        size_t n = len > IO_MAX ? IO_MAX : len;
        /* never leave a 1-3 byte tail for the last access */
        if (len > IO_MAX && len - n < WORD)
            n -= WORD;
        esp_err_t e = read_part(w->part, off, out, n);
        if (e != ESP_OK)
            return esp_fail(f, e);
        out += n;
        off += (uint32_t)n;
        len -= n;
    }
    return 0;
}

/* Program a 1-3 byte piece as whole words: the neighbouring bytes are
 * written with the value they hold, which NOR flash leaves unchanged. */
static esp_err_t program_short(const esp_partition_t *p, uint32_t off, const uint8_t *src, size_t len)
{
    uint8_t w[2 * WORD];
    uint32_t start = off & ~(WORD - 1u);
    size_t span = ((off + len + WORD - 1u) & ~(WORD - 1u)) - start;
    esp_err_t e = esp_partition_read(p, start, w, span);
    if (e != ESP_OK)
        return e;
    for (size_t i = 0; i < len; i++)
        w[off - start + i] &= src[i];
    return esp_partition_write(p, start, w, span);
}

/* NOR rule, checked before writing: a program may only clear bits. */
static int check_erased(const esp_partition_t *p, uint32_t off, const uint8_t *src, size_t len,
                        otter_esp_flash_t *f)
{
    uint8_t old[64];
    while (len > 0) {
        size_t n = len > sizeof old ? sizeof old : len;
        esp_err_t e = read_part(p, off, old, n);
        if (e != ESP_OK)
            return esp_fail(f, e);
        for (size_t i = 0; i < n; i++)
            if ((uint8_t)(~old[i] & src[i]) != 0)
                return OTTER_ERR_FLASH_NOT_ERASED;
        off += (uint32_t)n;
        src += n;
        len -= n;
    }
    return 0;
}

static const otter_esp_window_t *writable(otter_esp_flash_t *f, uint32_t addr, size_t len)
{
    const otter_esp_window_t *w = find(f, addr, len);
    if (!w || !w->writable) {
        f->refused++;
        return NULL;
    }
    return w;
}

static int flash_program(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    otter_esp_flash_t *f = ctx;
    const otter_esp_window_t *w = writable(f, addr, len);
    if (!w)
        return OTTER_ERR_FLASH_RANGE;
    const uint8_t *src = buf;
    uint32_t off = addr - w->part->address;
    int ret = check_erased(w->part, off, src, len, f);
    if (ret < 0)
        return ret;
    while (len > 0) {
        size_t n = len > IO_MAX ? IO_MAX : len;
        if (len > IO_MAX && len - n < WORD)
            n -= WORD;
        esp_err_t e = n < WORD ? program_short(w->part, off, src, n) : esp_partition_write(w->part, off, src, n);
        if (e != ESP_OK)
            return esp_fail(f, e);
        src += n;
        off += (uint32_t)n;
        len -= n;
    }
    return 0;
}

static int flash_erase(void *ctx, uint32_t addr, size_t len)
{
    otter_esp_flash_t *f = ctx;
    if (addr % f->flash.sector_size != 0 || len % f->flash.sector_size != 0 || len == 0)
        return OTTER_ERR_FLASH_ALIGN;
    const otter_esp_window_t *w = writable(f, addr, len);
    if (!w)
        return OTTER_ERR_FLASH_RANGE;
    esp_err_t e = esp_partition_erase_range(w->part, addr - w->part->address, len);
    return e == ESP_OK ? 0 : esp_fail(f, e);
}

/* End of the last partition: the part of the flash otter may know about. */
static uint32_t table_end(void)
{
    uint32_t end = 0;
    esp_partition_iterator_t it = esp_partition_find(ESP_PARTITION_TYPE_ANY, ESP_PARTITION_SUBTYPE_ANY, NULL);
    for (; it != NULL; it = esp_partition_next(it)) {
        const esp_partition_t *p = esp_partition_get(it);
        if (p->flash_chip == esp_flash_default_chip && p->address + p->size > end)
            end = p->address + p->size;
    }
    esp_partition_iterator_release(it);
    return end;
}

void otter_esp_flash_init(otter_esp_flash_t *f)
{
    memset(f, 0, sizeof *f);
    f->flash.read = flash_read;
    f->flash.program = flash_program;
    f->flash.erase = flash_erase;
    f->flash.size = table_end();
    f->flash.sector_size = 4096;
    f->flash.block_size = 65536;
    f->flash.page_size = 256;
    f->flash.erased_value = 0xFF;
    f->flash.ctx = f;
    f->last_esp_err = ESP_OK;
}

esp_err_t otter_esp_flash_allow(otter_esp_flash_t *f, const esp_partition_t *part, bool can_write)
{
    if (!part || part->encrypted || part->flash_chip != esp_flash_default_chip)
        return ESP_ERR_INVALID_ARG;
    for (unsigned i = 0; i < f->count; i++) {
        if (f->win[i].part == part) {
            f->win[i].writable = f->win[i].writable || can_write;
            return ESP_OK;
        }
    }
    if (f->count >= OTTER_ESP_FLASH_MAX_WINDOWS)
        return ESP_ERR_NO_MEM;
    f->win[f->count].part = part;
    f->win[f->count].writable = can_write && !part->readonly;
    f->count++;
    return ESP_OK;
}

const otter_flash_t *otter_esp_flash_port(otter_esp_flash_t *f)
{
    return &f->flash;
}

/* The rows of ESP-IDF's partition list as pt's entries; with
 * update_rows_only, only the app slots and otadata (what an update and the
 * boot choice use; pt->dropped counts the others), as otter_ptable_read()
 * keeps them from a table with more rows than OTTER_PT_MAX_ENTRIES. */
static esp_err_t load_rows(otter_ptable_t *pt, int update_rows_only, int *oerr)
{
    esp_err_t ret = ESP_OK;
    otter_ptable_init(pt);
    pt->has_md5 = 0;
    esp_partition_iterator_t it = esp_partition_find(ESP_PARTITION_TYPE_ANY, ESP_PARTITION_SUBTYPE_ANY, NULL);
    for (; it != NULL && ret == ESP_OK; it = esp_partition_next(it)) {
        const esp_partition_t *p = esp_partition_get(it);
        /* ESP-IDF 5.5+ lists the bootloader (type 2) and the table itself
         * (type 3) as partitions; they are not rows of the table. External
         * flash chips are not either. */
        if (p->type == 0x02 || p->type == 0x03 || p->flash_chip != esp_flash_default_chip)
            continue;
        if (update_rows_only && p->type != OTTER_PT_TYPE_APP &&
            !(p->type == OTTER_PT_TYPE_DATA && p->subtype == OTTER_PT_SUBTYPE_OTADATA)) {
            pt->dropped++;
            continue;
        }
        uint32_t flags = (p->encrypted ? OTTER_PT_FLAG_ENCRYPTED : 0u) | (p->readonly ? OTTER_PT_FLAG_READONLY : 0u);
        *oerr = otter_ptable_add(pt, p->label, (uint8_t)p->type, (uint8_t)p->subtype, p->address, p->size, flags);
        if (*oerr < 0)
            ret = *oerr == OTTER_ERR_PT_TOO_MANY ? ESP_ERR_NO_MEM : ESP_ERR_INVALID_STATE;
    }
    esp_partition_iterator_release(it);
    return ret;
}

esp_err_t otter_esp_ptable_load(otter_ptable_t *pt, int *otter_err)
{
    int oerr = 0;
    esp_err_t ret = load_rows(pt, 0, &oerr);
    if (ret == ESP_ERR_NO_MEM) {
        oerr = 0;
        ret = load_rows(pt, 1, &oerr); /* more rows than fit: keep the ones an update needs */
    }
    if (ret == ESP_OK && pt->count == 0)
        ret = ESP_ERR_NOT_FOUND;
    if (ret == ESP_OK) {
        oerr = otter_ptable_validate(pt, 0);
        if (oerr < 0)
            ret = ESP_ERR_INVALID_STATE;
    }
    if (otter_err)
        *otter_err = oerr < 0 ? oerr : 0;
    return ret;
}
