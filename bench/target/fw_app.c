/* bench/target/fw_app.c: the device's update code in the footprint firmware
 * (see fw_app.h). Every context is static, as on a device, so that the
 * link map counts them as static RAM of the application. */
#include "fw_app.h"

#include <string.h>

#include "otter/boot.h"
#include "otter/partition.h"

static otter_ptable_t pt;
static otter_boot_t boot;
static otter_tls_t tls;
static otter_update_t up;
static uint8_t http_buf[FW_HTTP_BUF], data_buf[FW_DATA_BUF];

int fw_app_update(const fw_app_ports_t *p, const char *url, char *why, size_t why_len)
{
    otter_transport_t tls_t;
    why[0] = 0;
    otter_ptable_init(&pt);
    int rc = otter_ptable_read(&pt, p->flash);
    if (rc)
        return rc;
    otter_boot_init(&boot, p->flash, &pt);
    otter_boot_set_running(&boot, p->running_slot); /* from the platform, never otter_boot_select() */
    if ((rc = otter_boot_mark_valid(&boot)))
        return rc;

    otter_tls_init(&tls);
    otter_tls_config_t tc = {.lower = p->tcp,
                             .clock = p->clock,
                             .entropy = p->entropy,
                             .ca = p->ca,
                             .ca_len = p->ca_len,
                             .work = data_buf, /* free until the update begins */
                             .work_len = sizeof data_buf,
                             .report = p->report,
                             .max_fragment_len = FW_MAX_FRAGMENT,
                             .flags = OTTER_TLS_TLS12_ONLY};
    if ((rc = otter_tls_setup(&tls, &tc))) {
        otter_tls_free(&tls);
        return rc;
    }
    otter_tls_transport(&tls, &tls_t);

    otter_update_config_t cfg = {.flash = p->flash,
                                 .ptable = &pt,
                                 .boot = &boot,
                                 .tls = &tls_t,
                                 .clock = p->clock,
                                 .http_buf = http_buf,
                                 .http_buf_len = sizeof http_buf,
                                 .data_buf = data_buf,
                                 .data_buf_len = sizeof data_buf};
    cfg.policy.chip_id = OTTER_CHIP_ESP32;
    otter_update_init(&up, &cfg);
    rc = otter_update_begin(&up, url);
    p->on_step(p->step_ctx, &up);
    if (rc == 0) {
        while ((rc = otter_update_step(&up)) == OTTER_UPDATE_MORE)
            p->on_step(p->step_ctx, &up);
        p->on_step(p->step_ctx, &up);
        if (rc == 0)
            rc = otter_update_finish(&up);
    }
    if (rc != 0 && fw_diagnose)
        fw_diagnose(&up, why, why_len);
    otter_update_free(&up);
    otter_tls_free(&tls);
    return rc;
}
