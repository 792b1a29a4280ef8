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
#include "ramflash.c" /* test support, included: fuzz targets link no test code */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_SIZE 0x40000u

static const char layout[] = "otadata,data,ota,0xd000,0x2000\n"
                             "factory,app,factory,0x10000,64K\n"
                             "ota_0,app,ota_0,,64K\n"
                             "ota_1,app,ota_1,,64K\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t mem[MEM_SIZE]; /* fuzz harness only */
    ramflash_t rf;
    if (ramflash_open(&rf, mem, MEM_SIZE, 0xFF, NULL))
        abort();
    otter_flash_t fl = rf.flash;
    otter_ptable_t pt;
    if (otter_ptable_parse_csv(&pt, layout, strlen(layout), MEM_SIZE, NULL))
        abort();
    for (int i = 0; i < 2 && size >= (size_t)(i + 1) * 32; i++)
        memcpy(mem + 0xd000 + i * 0x1000, data + i * 32, 32);
    for (int s = 0; s < 3 && size > 64 + (size_t)s; s++)
        mem[0x10000 + s * 0x10000] = data[64 + s];

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
    if (rf.sim.st.refused_programs)
        abort(); /* the core programmed over data it did not erase */
    return 0;
}
