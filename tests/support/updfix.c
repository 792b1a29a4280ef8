/* Test support for the update engine (see updfix.h). Needs malloc,
 * getenv/fprintf (UPDFIX_DEBUG) and fopen (the signed apps) from the C
 * library; no POSIX. */
#include "updfix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imgmake.h"
#include "otter/error.h"

uint8_t *updfix_image(const char *version, uint32_t size, uint32_t secure_version, uint16_t chip, uint32_t seed,
                      size_t *len)
{
    otter_imgmake_t p;
    otter_imgmake_defaults(&p);
    p.version = version;
    p.size = size;
    p.secure_version = secure_version;
    p.chip = chip;
    p.seed = seed;
    return otter_imgmake_alloc(&p, len);
}

uint8_t *updfix_signed(const char *name, size_t *len)
{
    const char *dir = getenv("OTTER_SIGNED");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "build-target/signed", name);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    uint8_t *buf = NULL;
    long n = -1;
    if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) > 0 && fseek(fp, 0, SEEK_SET) == 0)
        buf = malloc((size_t)n);
    if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    if (buf)
        *len = (size_t)n;
    return buf;
}

static void count_event(void *ctx, const otter_update_event_t *ev)
{
    updfix_t *f = ctx;
    if ((unsigned)ev->kind < sizeof f->events / sizeof f->events[0])
        f->events[ev->kind]++;
}

int updfix_setup(updfix_t *f, const char *layout)
{
    memset(f, 0, sizeof *f);
    otter_simdev_init(&f->dev);
    f->flash_mem = malloc(UPDFIX_FLASH_SIZE);
    if (!f->flash_mem)
        return OTTER_ERR_IO;
    int ret = otter_simdev_open_mem(&f->dev, f->flash_mem, UPDFIX_FLASH_SIZE, layout, NULL, OTTER_CHIP_ESP32);
    if (ret < 0)
        return ret;
    size_t len;
    uint8_t *v1 = updfix_image("1.0.0", 200000, 0, OTTER_CHIP_ESP32, 1, &len);
    if (!v1)
        return OTTER_ERR_INVAL;
    ret = otter_simdev_install(&f->dev, OTTER_PT_SUBTYPE_OTA_0, v1, len);
    free(v1);
    if (ret < 0)
        return ret;
    ret = otter_simdev_boot(&f->dev);
    if (ret < 0)
        return ret;
    memserver_init(&f->srv, NULL, 0);
    f->tr = memserver_transport(&f->srv);
    updfix_engine(f);
    return 0;
}

void updfix_engine(updfix_t *f)
{
    otter_update_free(&f->up);
    memset(&f->cfg, 0, sizeof f->cfg);
    f->cfg.flash = &f->dev.flash;
    f->cfg.ptable = &f->dev.pt;
    f->cfg.boot = &f->dev.boot;
    f->cfg.tcp = &f->tr;
    f->cfg.clock = &f->dev.vclock;
    f->cfg.policy.chip_id = OTTER_CHIP_ESP32;
    f->cfg.on_event = count_event;
    f->cfg.event_ctx = f;
    f->cfg.http_buf = f->http_buf;
    f->cfg.http_buf_len = sizeof f->http_buf;
    f->cfg.data_buf = f->data_buf;
    f->cfg.data_buf_len = sizeof f->data_buf;
    memset(f->events, 0, sizeof f->events);
    otter_update_init(&f->up, &f->cfg);
}

void updfix_snapshot(updfix_t *f)
{
    const otter_partition_t *run = otter_ptable_app(&f->dev.pt, f->dev.res.slot);
    const otter_partition_t *od = otter_ptable_otadata(&f->dev.pt);
    f->run_off = run->offset;
    f->run_len = run->size;
    f->ota_off = od->offset;
    free(f->snap);
    f->snap_len = run->size + od->size;
    f->snap = malloc(f->snap_len);
    const uint8_t *mem = otter_norsim_data(&f->dev.sim);
    memcpy(f->snap, mem + run->offset, run->size);
    memcpy(f->snap + run->size, mem + od->offset, od->size);
}

bool updfix_unchanged(const updfix_t *f)
{
    const uint8_t *mem = otter_norsim_data(&f->dev.sim);
    return !memcmp(f->snap, mem + f->run_off, f->run_len) &&
           !memcmp(f->snap + f->run_len, mem + f->ota_off, f->snap_len - f->run_len);
}

int updfix_run(updfix_t *f, const char *url, uint32_t max_steps)
{
    if (!max_steps)
        max_steps = 10000000u;
    int ret = otter_update_begin(&f->up, url);
    if (ret < 0)
        return ret;
    for (uint32_t i = 0; i < max_steps; i++) {
        uint64_t t0 = otter_norsim_time_us(&f->dev.sim);
        ret = otter_update_step(&f->up);
        uint64_t dt = otter_norsim_time_us(&f->dev.sim) - t0;
        if (dt > f->longest_step_us) {
            f->longest_step_us = dt;
            if (getenv("UPDFIX_DEBUG"))
                fprintf(stderr, "longest step %llu us in phase %s\n", (unsigned long long)dt,
                        otter_update_phase_name(otter_update_status(&f->up)->phase));
        }
        if (ret != OTTER_UPDATE_MORE)
            break;
    }
    if (ret != 0)
        return ret;
    uint64_t t0 = otter_norsim_time_us(&f->dev.sim);
    ret = otter_update_finish(&f->up);
    uint64_t dt = otter_norsim_time_us(&f->dev.sim) - t0;
    if (dt > f->longest_step_us)
        f->longest_step_us = dt;
    return ret;
}

int updfix_reboot(updfix_t *f)
{
    return otter_simdev_reboot(&f->dev, 1);
}

void updfix_teardown(updfix_t *f)
{
    otter_update_free(&f->up);
    otter_simdev_close(&f->dev);
    free(f->flash_mem);
    f->flash_mem = NULL;
    free(f->snap);
    f->snap = NULL;
}
