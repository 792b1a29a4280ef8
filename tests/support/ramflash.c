/* Test support: a RAM flash on the NOR simulator (see ramflash.h). Needs
 * malloc/free; no POSIX, no stdio. */
#include "ramflash.h"

#include <stdlib.h>
#include <string.h>

#include "otter/error.h"

int ramflash_open(ramflash_t *rf, uint8_t *buf, uint32_t size, uint8_t fill, const otter_norsim_options_t *opt)
{
    memset(rf, 0, sizeof *rf);
    otter_norsim_init(&rf->sim);
    if (size == 0 || size % OTTER_NORSIM_SECTOR_SIZE)
        return OTTER_ERR_FLASH_SIZE;
    if (!buf) {
        buf = malloc(size);
        if (!buf)
            return OTTER_ERR_IO;
        rf->owned = 1;
    }
    memset(buf, fill, size);
    rf->mem = buf;
    rf->size = size;
    int ret = otter_norsim_open_mem(&rf->sim, buf, size, NULL, opt);
    if (ret != 0) {
        ramflash_close(rf);
        return ret;
    }
    rf->flash = otter_norsim_flash(&rf->sim);
    return 0;
}

otter_norsim_options_t ramflash_sector_only(void)
{
    otter_norsim_options_t o;
    otter_norsim_options_default(&o);
    o.block_erase = 0;
    return o;
}

int ramflash_reboot(ramflash_t *rf, int keep_counters)
{
    int ret = otter_norsim_reboot(&rf->sim, keep_counters);
    if (ret == 0)
        rf->flash = otter_norsim_flash(&rf->sim);
    return ret;
}

void ramflash_close(ramflash_t *rf)
{
    otter_norsim_close(&rf->sim);
    if (rf->owned)
        free(rf->mem);
    memset(rf, 0, sizeof *rf);
    otter_norsim_init(&rf->sim);
}
