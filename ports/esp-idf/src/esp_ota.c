/* otter on ESP-IDF: the update, bound to the device (see otter_esp.h). */
#include <stdio.h>
#include <string.h>

#include "esp_log.h"
#include "esp_ota_ops.h"
#include "otter/error.h"
#include "otter_esp.h"
#include "otter_esp_priv.h"
#if CONFIG_MBEDTLS_CERTIFICATE_BUNDLE
#include "esp_crt_bundle.h" /* ESP-IDF's mbedtls component */
#endif

static const char *TAG = "otter";

/* The events the engine reports, passed on to the user and to esp_event. */
static void on_event(void *ctx, const otter_update_event_t *ev)
{
    otter_esp_ota_t *ota = ctx;
    if (ota->cfg.on_event)
        ota->cfg.on_event(ota->cfg.ctx, ev);
    if (ota->cfg.post_events)
        otter_esp_post_update_event(ev);
}

static esp_err_t fail(otter_esp_ota_t *ota, int otter_err)
{
    ota->otter_err = otter_err;
    ota->result = otter_esp_err(otter_err);
    return ota->result;
}

#if CONFIG_MBEDTLS_CERTIFICATE_BUNDLE
/* otter_tls_config_t.backend_setup: ESP-IDF's bundle on otter's config. */
static int attach_bundle(void *ctx, void *backend_conf)
{
    (void)ctx;
    return esp_crt_bundle_attach(backend_conf) == ESP_OK ? 0 : -1;
}
#endif

static esp_err_t setup_tls(otter_esp_ota_t *ota)
{
    const otter_esp_ota_config_t *c = &ota->cfg;
    otter_tls_config_t tc;
    memset(&tc, 0, sizeof tc);
    size_t npins = 0;
    for (; c->pins && c->pins[npins]; npins++) {
        if (npins >= OTTER_TLS_MAX_PINS)
            return fail(ota, OTTER_ERR_INVAL);
        int r = otter_tls_pin_parse(c->pins[npins], strlen(c->pins[npins]), ota->pins[npins]);
        if (r < 0)
            return fail(ota, r);
    }
    if (c->crt_bundle) {
#if CONFIG_MBEDTLS_CERTIFICATE_BUNDLE
        /* the bundle installs its verify callback on otter's mbedTLS config;
         * otter's own checks (dates, pins, hostname, report) run after it */
        tc.backend_setup = attach_bundle;
#else
        ESP_LOGE(TAG, "crt_bundle: enable CONFIG_MBEDTLS_CERTIFICATE_BUNDLE, or give ca_pem or pins");
        ota->otter_err = OTTER_ERR_UNSUPPORTED;
        return ota->result = ESP_ERR_NOT_SUPPORTED;
#endif
    }
    if (!c->ca_pem && npins == 0 && !c->crt_bundle)
        return fail(ota, OTTER_ERR_INVAL);
    if (c->tls12_only)
        tc.flags |= OTTER_TLS_TLS12_ONLY;
    tc.lower = &ota->tcp_t;
    tc.clock = &ota->clock;
    tc.entropy = otter_esp_entropy;
    tc.ca = (const uint8_t *)c->ca_pem;
    tc.ca_len = c->ca_pem ? strlen(c->ca_pem) + 1 : 0;
    tc.work = ota->pem_work;
    tc.work_len = sizeof ota->pem_work;
    tc.pins = (const uint8_t(*)[32])ota->pins;
    tc.pin_count = npins;
    tc.report = &ota->report;
    tc.flags |= c->tls_flags;
    int r = otter_tls_setup(&ota->tls, &tc);
    if (r < 0)
        return fail(ota, r);
    otter_tls_transport(&ota->tls, &ota->tls_t);
    ota->tls_ready = true;
    return ESP_OK;
}

/* Partition table, running slot, update slot and the flash port. */
static esp_err_t bind_device(otter_esp_ota_t *ota)
{
    int oerr = 0;
    esp_err_t e = otter_esp_ptable_load(&ota->pt, &oerr);
    if (e != ESP_OK) {
        ota->otter_err = oerr;
        return ota->result = e;
    }
    /* where the code runs from (the cache MMU's answer), never a guess from
     * otadata: after a rollback otadata may name another slot */
    ota->running = esp_ota_get_running_partition();
    if (!ota->running || ota->running->type != ESP_PARTITION_TYPE_APP)
        return ota->result = ESP_ERR_NOT_FOUND;
    ota->target = esp_ota_get_next_update_partition(ota->running);
    if (!ota->target) {
        ota->otter_err = OTTER_ERR_UPD_NO_SLOT;
        return ota->result = ESP_ERR_NOT_FOUND;
    }
    if (otter_esp_overlaps(ota->target, ota->running))
        return ota->result = ESP_ERR_OTA_PARTITION_CONFLICT;
    e = otter_esp_flash_setup(&ota->flash, ota->target);
    if (e != ESP_OK)
        return ota->result = e;
    otter_boot_init(&ota->boot, otter_esp_flash_port(&ota->flash), &ota->pt);
    otter_boot_set_running(&ota->boot, (uint8_t)ota->running->subtype);
    return ESP_OK;
}

esp_err_t otter_esp_ota_init(otter_esp_ota_t *ota, const otter_esp_ota_config_t *cfg)
{
    memset(ota, 0, sizeof *ota);
    otter_tls_init(&ota->tls);
    otter_tls_report_init(&ota->report);
    otter_esp_tcp_init(&ota->tcp, &ota->tcp_t);
    otter_esp_clock_init(&ota->clock);
    ota->result = ESP_ERR_INVALID_ARG;
    if (!cfg || !cfg->url)
        return fail(ota, OTTER_ERR_INVAL);
    ota->cfg = *cfg;
    size_t n = strlen(cfg->url);
    if (n >= sizeof ota->url)
        return fail(ota, OTTER_ERR_HTTP_URL_TOO_LONG);
    memcpy(ota->url, cfg->url, n + 1);
    bool https = strncmp(ota->url, "https://", 8) == 0;
    if (!https && !(cfg->allow_http && strncmp(ota->url, "http://", 7) == 0))
        return fail(ota, OTTER_ERR_URL);
    esp_err_t e = bind_device(ota);
    if (e == ESP_OK && https)
        e = setup_tls(ota);
    if (e != ESP_OK)
        return e;

    otter_update_config_t uc;
    memset(&uc, 0, sizeof uc);
    uc.flash = otter_esp_flash_port(&ota->flash);
    uc.ptable = &ota->pt;
    uc.boot = &ota->boot;
    /* the port's choice; the engine still refuses it if it is the running slot */
    uc.target = otter_ptable_app(&ota->pt, (uint8_t)ota->target->subtype);
    uc.tcp = cfg->allow_http ? &ota->tcp_t : NULL;
    uc.tls = ota->tls_ready ? &ota->tls_t : NULL;
    uc.tls_report = ota->tls_ready ? &ota->report : NULL;
    uc.clock = &ota->clock;
    uc.policy = cfg->policy;
    uc.on_event = on_event;
    uc.event_ctx = ota;
    uc.http_buf = ota->http_buf;
    uc.http_buf_len = sizeof ota->http_buf;
    uc.data_buf = ota->data_buf;
    uc.data_buf_len = sizeof ota->data_buf;
    uc.connect_timeout_ms = cfg->connect_timeout_ms ? cfg->connect_timeout_ms : CONFIG_OTTER_CONNECT_TIMEOUT_MS;
    uc.read_timeout_ms = cfg->read_timeout_ms ? cfg->read_timeout_ms : CONFIG_OTTER_READ_TIMEOUT_MS;
    uc.extra_header = cfg->extra_header;
    otter_update_init(&ota->up, &uc);
    ota->ready = true;
    ota->engine_set = true;
    ota->otter_err = 0;
    ota->result = ESP_OK;
    return ESP_OK;
}

esp_err_t otter_esp_ota_begin(otter_esp_ota_t *ota)
{
    if (!ota->ready)
        return ESP_ERR_INVALID_STATE;
    ota->abort_req = false;
    int r = otter_update_begin(&ota->up, ota->url);
    return r < 0 ? fail(ota, r) : ESP_OK;
}

esp_err_t otter_esp_ota_step(otter_esp_ota_t *ota)
{
    if (!ota->ready)
        return ESP_ERR_INVALID_STATE;
    if (ota->abort_req) {
        otter_update_abort(&ota->up);
        return fail(ota, OTTER_ERR_UPD_ABORTED);
    }
    int r = otter_update_step(&ota->up);
    if (r == OTTER_UPDATE_MORE)
        return OTTER_ESP_ERR_IN_PROGRESS;
    if (r < 0)
        return fail(ota, r);
    return ESP_OK;
}

esp_err_t otter_esp_ota_finish(otter_esp_ota_t *ota)
{
    if (!ota->ready)
        return ESP_ERR_INVALID_STATE;
    int r = otter_update_finish(&ota->up);
    if (r < 0)
        return fail(ota, r);
    ota->otter_err = 0;
    return ota->result = ESP_OK;
}

void otter_esp_ota_report_done(otter_esp_ota_t *ota, esp_err_t err)
{
    otter_esp_ota_result_t res;
    memset(&res, 0, sizeof res);
    res.err = err;
    res.otter_err = err == ESP_OK ? 0 : ota->otter_err;
    res.status = otter_update_status(&ota->up);
    res.outcome = res.status->outcome;
    if (ota->cfg.on_done)
        ota->cfg.on_done(ota->cfg.ctx, &res);
    if (ota->cfg.post_events)
        otter_esp_post_done(&res);
}

esp_err_t otter_esp_ota_perform(otter_esp_ota_t *ota)
{
    esp_err_t e = otter_esp_ota_begin(ota);
    if (e == ESP_OK)
        while ((e = otter_esp_ota_step(ota)) == OTTER_ESP_ERR_IN_PROGRESS)
            otter_esp_yield();
    if (e == ESP_OK)
        e = otter_esp_ota_finish(ota);
    otter_esp_ota_report_done(ota, e);
    return e;
}

void otter_esp_ota_abort(otter_esp_ota_t *ota)
{
    ota->abort_req = true;
}

int otter_esp_ota_otter_err(const otter_esp_ota_t *ota)
{
    return ota->otter_err;
}

const char *otter_esp_ota_explain(const otter_esp_ota_t *ota, char *buf, size_t len)
{
    if (len == 0)
        return buf;
    /* the engine's words stay valid after otter_esp_ota_free() (the update
     * task frees it when it ends) */
    if (ota->engine_set)
        return otter_update_diagnose(&ota->up, buf, len);
    /* set-up failed before the engine existed */
    snprintf(buf, len, "update not started: %s (%s)%s", otter_strerror(ota->otter_err), esp_err_to_name(ota->result),
             ota->otter_err == OTTER_ERR_TLS_CONFIG ? "; a certificate in ca_pem does not parse" : "");
    return buf;
}

const otter_update_status_t *otter_esp_ota_status(const otter_esp_ota_t *ota)
{
    return otter_update_status(&ota->up);
}

void otter_esp_ota_free(otter_esp_ota_t *ota)
{
    otter_update_free(&ota->up);
    otter_tls_free(&ota->tls);
    otter_esp_tcp_free(&ota->tcp);
    ota->ready = false;
    ota->tls_ready = false;
}
