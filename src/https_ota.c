/* otter: the HttpsOTAUpdate-shaped facade (see otter/https_ota.h). */
#include "otter/https_ota.h"

#include <string.h>

#include "otter/error.h"

#define DEFAULT_SLICE_MS 50u

void otter_https_ota_init(otter_https_ota_t *ota, const otter_https_ota_port_t *port)
{
    memset(ota, 0, sizeof *ota);
    if (port)
        ota->port = *port;
    if (!ota->port.slice_ms)
        ota->port.slice_ms = DEFAULT_SLICE_MS;
    otter_tls_init(&ota->tls);
    otter_tls_report_init(&ota->report);
    ota->status = OTTER_HTTPS_OTA_IDLE;
}

void otter_https_ota_on_http_event(otter_https_ota_t *ota, otter_https_ota_event_cb cb)
{
    ota->cb = cb;
}

/* Engine events that Arduino's HttpEvent_t has, passed on. */
static void forward(void *ctx, const otter_update_event_t *ev)
{
    otter_https_ota_t *ota = ctx;
    otter_https_ota_event_t e;
    if (!ota->cb)
        return;
    memset(&e, 0, sizeof e);
    switch (ev->kind) {
    case OTTER_UPDATE_EV_ERROR:
        e.event_id = OTTER_HTTPS_OTA_EVENT_ERROR;
        break;
    case OTTER_UPDATE_EV_CONNECTED:
        e.event_id = OTTER_HTTPS_OTA_EVENT_ON_CONNECTED;
        break;
    case OTTER_UPDATE_EV_HEADER_SENT:
        e.event_id = OTTER_HTTPS_OTA_EVENT_HEADER_SENT;
        break;
    case OTTER_UPDATE_EV_HEADER:
        e.event_id = OTTER_HTTPS_OTA_EVENT_ON_HEADER;
        break;
    case OTTER_UPDATE_EV_DATA:
        e.event_id = OTTER_HTTPS_OTA_EVENT_ON_DATA;
        break;
    case OTTER_UPDATE_EV_FINISH:
        e.event_id = OTTER_HTTPS_OTA_EVENT_ON_FINISH;
        break;
    case OTTER_UPDATE_EV_DISCONNECTED:
        e.event_id = OTTER_HTTPS_OTA_EVENT_DISCONNECTED;
        break;
    case OTTER_UPDATE_EV_REDIRECT:
        e.event_id = OTTER_HTTPS_OTA_EVENT_REDIRECT;
        break;
    default:
        return;
    }
    e.data = ev->data;
    e.data_len = (int)ev->data_len;
    e.header_key = ev->header_key;
    e.header_value = ev->header_value;
    e.err = ev->err;
    e.user_data = ota->port.user_data;
    ota->cb(&e);
}

static int setup_tls(otter_https_ota_t *ota, const char *pem, bool skip_cn)
{
    otter_tls_config_t tc;
    memset(&tc, 0, sizeof tc);
    tc.lower = ota->port.tcp;
    tc.clock = ota->port.clock;
    tc.entropy = ota->port.entropy;
    tc.entropy_ctx = ota->port.entropy_ctx;
    tc.ca = (const uint8_t *)pem;
    tc.ca_len = pem ? strlen(pem) + 1 : 0;
    tc.work = ota->pem_work;
    tc.work_len = sizeof ota->pem_work;
    tc.report = &ota->report;
    tc.flags = skip_cn ? OTTER_TLS_INSECURE_SKIP_HOSTNAME_CHECK : 0;
    otter_tls_free(&ota->tls);
    otter_tls_init(&ota->tls);
    ota->tls_ready = false;
    int ret = otter_tls_setup(&ota->tls, &tc);
    if (ret < 0)
        return ret;
    otter_tls_transport(&ota->tls, &ota->tls_t);
    ota->tls_ready = true;
    return 0;
}

int otter_https_ota_begin(otter_https_ota_t *ota, const char *url, const char *server_certificate_pem,
                          bool skip_cert_common_name_check)
{
    int ret = OTTER_ERR_INVAL;
    if (!url || ota->status == OTTER_HTTPS_OTA_UPDATING)
        ret = url ? OTTER_ERR_STATE : OTTER_ERR_INVAL;
    else if (!strncmp(url, "https://", 8))
        ret = setup_tls(ota, server_certificate_pem, skip_cert_common_name_check);
    else
        ret = 0;
    if (ret == 0) {
        otter_update_config_t cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.flash = ota->port.flash;
        cfg.ptable = ota->port.ptable;
        cfg.boot = ota->port.boot;
        cfg.tcp = ota->port.tcp;
        cfg.tls = ota->tls_ready ? &ota->tls_t : NULL;
        cfg.tls_report = ota->tls_ready ? &ota->report : NULL;
        cfg.clock = ota->port.clock;
        cfg.policy.chip_id = ota->port.chip_id;
        cfg.policy.key_digests = ota->port.key_digests;
        cfg.policy.key_digest_count = ota->port.key_digest_count;
        cfg.policy.rolled_back = ota->port.rolled_back;
        cfg.policy.unconfirmed_tries = ota->port.unconfirmed_tries;
        cfg.deadline_ms = ota->port.deadline_ms;
        cfg.min_bytes_per_s = ota->port.min_bytes_per_s;
        cfg.on_event = forward;
        cfg.event_ctx = ota;
        cfg.http_buf = ota->http_buf;
        cfg.http_buf_len = sizeof ota->http_buf;
        cfg.data_buf = ota->data_buf;
        cfg.data_buf_len = sizeof ota->data_buf;
        otter_update_free(&ota->up);
        otter_update_init(&ota->up, &cfg);
        ret = otter_update_begin(&ota->up, url);
    }
    ota->status = ret == 0 ? OTTER_HTTPS_OTA_UPDATING : OTTER_HTTPS_OTA_ERR;
    return ret;
}

otter_https_ota_status_t otter_https_ota_poll(otter_https_ota_t *ota)
{
    if (ota->status != OTTER_HTTPS_OTA_UPDATING)
        return ota->status;
    int r = otter_update_step(&ota->up);
    if (r == OTTER_UPDATE_MORE)
        return ota->status;
    if (r == 0)
        r = otter_update_finish(&ota->up);
    if (r < 0)
        ota->status = OTTER_HTTPS_OTA_FAIL;
    else if (otter_update_status(&ota->up)->outcome == OTTER_UPDATE_OUTCOME_UPDATED)
        ota->status = OTTER_HTTPS_OTA_SUCCESS;
    else
        ota->status = OTTER_HTTPS_OTA_IDLE; /* up to date: nothing to do */
    return ota->status;
}

otter_https_ota_status_t otter_https_ota_status(otter_https_ota_t *ota)
{
    const otter_clock_t *c = ota->port.clock;
    if (ota->status != OTTER_HTTPS_OTA_UPDATING || !c)
        return ota->status;
    /* Steps until the slice of clock time is used (at most 256 steps, in
     * case the clock does not move while only the network works). */
    uint64_t t0 = c->now_ms(c->ctx);
    for (unsigned n = 0; n < 256 && otter_https_ota_poll(ota) == OTTER_HTTPS_OTA_UPDATING; n++)
        if (c->now_ms(c->ctx) - t0 >= ota->port.slice_ms)
            break;
    return ota->status;
}

otter_update_t *otter_https_ota_engine(otter_https_ota_t *ota)
{
    return &ota->up;
}

void otter_https_ota_free(otter_https_ota_t *ota)
{
    otter_update_free(&ota->up);
    otter_tls_free(&ota->tls);
    ota->tls_ready = false;
}
