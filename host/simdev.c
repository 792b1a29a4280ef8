/* otter host: a simulated ESP32 device (see simdev.h). Over RAM it needs
 * only the C library (stdio just to read a layout CSV file); the flash-file
 * functions are simdev_file.c. */
#include "simdev.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otter/error.h"
#include "otter/host/partition.h"
#include "otter/otadata.h"

void otter_simdev_init(otter_simdev_t *d)
{
    memset(d, 0, sizeof *d);
    otter_norsim_init(&d->sim);
}

int otter_simdev_load_layout(otter_ptable_t *pt, const char *layout, uint32_t size)
{
    if (otter_ptable_builtin_csv(layout))
        return otter_ptable_builtin(pt, layout, size);
    FILE *f = fopen(layout, "rb");
    if (!f)
        return OTTER_ERR_PT_NOT_FOUND;
    char csv[8192];
    size_t n = fread(csv, 1, sizeof csv, f);
    fclose(f);
    return otter_ptable_parse_csv(pt, csv, n, size, NULL);
}

/* Wire d to its open simulator: read the partition table, set up boot. */
int otter_simdev_attach(otter_simdev_t *d, uint16_t chip)
{
    d->flash = otter_norsim_flash(&d->sim);
    d->vclock = otter_norsim_clock(&d->sim);
    int ret = otter_ptable_read(&d->pt, &d->flash);
    if (ret < 0) {
        otter_norsim_close(&d->sim);
        return ret;
    }
    d->vcfg.chip_id = chip;
    d->vcfg.work = d->vwork;
    d->vcfg.work_len = sizeof d->vwork;
    otter_boot_init(&d->boot, &d->flash, &d->pt);
    otter_boot_set_validator(&d->boot, otter_image_boot_validate, &d->vcfg);
    d->booted = false;
    return 0;
}

int otter_simdev_open_mem(otter_simdev_t *d, uint8_t *buf, uint32_t size, const char *layout,
                          const otter_norsim_options_t *opt, uint16_t chip)
{
    otter_ptable_t pt;
    int ret = otter_simdev_load_layout(&pt, layout, size);
    if (ret < 0)
        return ret;
    if (buf)
        memset(buf, 0xFF, size);
    ret = otter_norsim_open_mem(&d->sim, buf, size, NULL, opt);
    if (ret < 0)
        return ret;
    otter_flash_t f = otter_norsim_flash(&d->sim);
    ret = otter_ptable_write(&pt, &f);
    if (ret < 0) {
        otter_norsim_close(&d->sim);
        return ret;
    }
    return otter_simdev_attach(d, chip);
}

void otter_simdev_set_keys(otter_simdev_t *d, const uint8_t (*digests)[32], size_t n)
{
    d->vcfg.trusted = n ? digests : NULL;
    d->vcfg.n_trusted = n;
}

int otter_simdev_install(otter_simdev_t *d, uint8_t slot, const uint8_t *image, size_t len)
{
    const otter_partition_t *p = otter_ptable_app(&d->pt, slot);
    uint32_t s = d->flash.sector_size;
    if (!p)
        return OTTER_ERR_BOOT_SLOT;
    if (len > p->size)
        return OTTER_ERR_UPD_TOO_LARGE;
    for (uint32_t off = 0; off < p->size && off < len + s; off += s) {
        int ret = d->flash.erase(d->flash.ctx, p->offset + off, s);
        if (ret < 0)
            return ret;
    }
    /* The slot's last sector too: it may hold an update journal. */
    int ret = d->flash.erase(d->flash.ctx, p->offset + p->size - s, s);
    if (ret < 0)
        return ret;
    ret = d->flash.program(d->flash.ctx, p->offset, image, len);
    if (ret < 0)
        return ret;
    return otter_boot_set_boot_slot(&d->boot, slot, OTTER_OTA_STATE_VALID);
}

int otter_simdev_slot_app(otter_simdev_t *d, uint8_t slot, otter_app_desc_t *out)
{
    const otter_partition_t *p = otter_ptable_app(&d->pt, slot);
    uint8_t head[OTTER_IMAGE_EARLY_LEN];
    otter_image_t img;
    if (!p)
        return OTTER_ERR_BOOT_SLOT;
    int ret = d->flash.read(d->flash.ctx, p->offset, head, sizeof head);
    if (ret < 0)
        return ret;
    otter_image_init(&img, OTTER_CHIP_ANY);
    (void)otter_image_feed(&img, head, sizeof head);
    const otter_image_info_t *info = otter_image_info(&img);
    ret = otter_image_early_verdict(&img);
    if (ret == 0 && !info->has_app_desc)
        ret = OTTER_ERR_IMG_TRUNCATED;
    if (ret == 0)
        *out = info->app;
    otter_image_free(&img);
    return ret;
}

int otter_simdev_boot(otter_simdev_t *d)
{
    d->booted = false;
    d->has_app = false;
    int ret = otter_boot_select(&d->boot, &d->res);
    if (ret < 0)
        return ret;
    d->booted = true;
    d->has_app = otter_simdev_slot_app(d, d->res.slot, &d->app) == 0;
    return 0;
}

int otter_simdev_reboot(otter_simdev_t *d, int keep_counters)
{
    int ret = otter_norsim_reboot(&d->sim, keep_counters);
    if (ret < 0)
        return ret;
    d->flash = otter_norsim_flash(&d->sim);
    return otter_simdev_boot(d);
}

int otter_simdev_otadata(otter_simdev_t *d, otter_otadata_t *out)
{
    return otter_otadata_read(out, &d->flash, &d->pt);
}

void otter_simdev_close(otter_simdev_t *d)
{
    otter_norsim_close(&d->sim);
    d->booted = false;
}
