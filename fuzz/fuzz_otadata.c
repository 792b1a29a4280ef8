/* Fuzz target: otadata decoding, selection and the boot choice. The input's
 * first 64 bytes are the two otadata copies, the next bytes the start of the
 * factory, ota_0 and ota_1 slots, on an in-memory flash with a fixed table.
 * The boot choice (without and with writes) must agree with itself and only
 * ever boot a slot that validates. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otter/boot.h"
#include "otter/error.h"
#include "otter/host/partition.h"
#include "otter/otadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_SIZE 0x40000u

struct mem {
    uint8_t d[MEM_SIZE];
};

static int m_read(void *c, uint32_t a, void *b, size_t n)
{
    if (a > MEM_SIZE || n > MEM_SIZE - a)
        return OTTER_ERR_FLASH_RANGE;
    memcpy(b, ((struct mem *)c)->d + a, n);
    return 0;
}

static int m_prog(void *c, uint32_t a, const void *b, size_t n)
{
    if (a > MEM_SIZE || n > MEM_SIZE - a)
        return OTTER_ERR_FLASH_RANGE;
    uint8_t *d = ((struct mem *)c)->d + a;
    for (size_t i = 0; i < n; i++) {
        if (d[i] != 0xFF && ((const uint8_t *)b)[i] != 0xFF)
            abort(); /* the core programmed over data it did not erase */
        d[i] &= ((const uint8_t *)b)[i];
    }
    return 0;
}

static int m_erase(void *c, uint32_t a, size_t n)
{
    if (a % 4096 || n % 4096 || a > MEM_SIZE || n > MEM_SIZE - a)
        return OTTER_ERR_FLASH_ALIGN;
    memset(((struct mem *)c)->d + a, 0xFF, n);
    return 0;
}

static const char layout[] = "otadata,data,ota,0xd000,0x2000\n"
                             "factory,app,factory,0x10000,64K\n"
                             "ota_0,app,ota_0,,64K\n"
                             "ota_1,app,ota_1,,64K\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mem m;
    otter_flash_t fl = {m_read, m_prog, m_erase, MEM_SIZE, 4096, 65536, 256, 0xFF, &m};
    otter_ptable_t pt;
    if (otter_ptable_parse_csv(&pt, layout, strlen(layout), MEM_SIZE, NULL))
        abort();
    memset(m.d, 0xFF, sizeof m.d);
    for (int i = 0; i < 2 && size >= (size_t)(i + 1) * 32; i++)
        memcpy(m.d + 0xd000 + i * 0x1000, data + i * 32, 32);
    for (int s = 0; s < 3 && size > 64 + (size_t)s; s++)
        m.d[0x10000 + s * 0x10000] = data[64 + s];

    otter_otadata_t od;
    if (otter_otadata_read(&od, &fl, &pt))
        abort();
    if (od.active >= 0 && !otter_ota_entry_valid(&od.copy[od.active]))
        abort();
    otter_boot_t b;
    otter_boot_result_t peek, sel;
    otter_boot_init(&b, &fl, &pt);
    int rp = otter_boot_peek(&b, &peek);
    int rs = otter_boot_select(&b, &sel);
    if (rp != rs || peek.found != sel.found || peek.slot != sel.slot || peek.reason != sel.reason)
        abort();
    if (rs == 0) {
        if (!sel.found || !sel.part || otter_boot_validate_magic(NULL, &fl, sel.part->offset, sel.part->size))
            abort();
        /* the app side never crashes and never leaves otadata unreadable */
        if (size > 67 && (data[67] & 1))
            otter_boot_mark_valid(&b);
        else if (size > 67)
            otter_boot_mark_invalid_rollback(&b);
        if (otter_otadata_read(&od, &fl, &pt))
            abort();
    } else if (rs != OTTER_ERR_BOOT_NO_APP || sel.found) {
        abort();
    }
    return 0;
}
