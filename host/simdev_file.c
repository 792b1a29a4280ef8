/* otter host: the simulated device over a flash file (see simdev.h); needs
 * the POSIX norsim backing (norsim_file.c). */
#include "simdev.h"

#include "otter/error.h"
#include "otter/host/partition.h"

int otter_simdev_create(const char *path, uint32_t size, const char *layout)
{
    otter_ptable_t pt;
    otter_norsim_t sim;
    int ret = otter_simdev_load_layout(&pt, layout, size);
    if (ret < 0)
        return ret;
    ret = otter_norsim_create(path, size);
    if (ret < 0)
        return ret;
    otter_norsim_init(&sim);
    ret = otter_norsim_open(&sim, path, NULL);
    if (ret < 0)
        return ret;
    otter_flash_t f = otter_norsim_flash(&sim);
    ret = otter_ptable_write(&pt, &f);
    otter_norsim_close(&sim);
    return ret;
}

int otter_simdev_open(otter_simdev_t *d, const char *path, const otter_norsim_options_t *opt, uint16_t chip)
{
    int ret = otter_norsim_open(&d->sim, path, opt);
    if (ret < 0)
        return ret;
    return otter_simdev_attach(d, chip);
}
