/* otter device: the run itself (boot, network, update, reboot, self-test). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "device.h"
#include "host_error.h"
#include "posix_clock.h"
#include "posix_rng.h"

#define SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The running app as the device would log it. */
static void show_boot(dev_ctx_t *c, const char *when)
{
    otter_simdev_t *d = &c->d;
    const char *slot = otter_slot_name(d->res.slot);
    fprintf(c->out, "%s: %s\n", when, d->res.why);
    char project[4 * sizeof d->app.project_name], version[4 * sizeof d->app.version];
    if (d->has_app)
        fprintf(c->out, "app: %s %s in %s%s\n", cli_escape(d->app.project_name, project, sizeof project),
                cli_escape(d->app.version, version, sizeof version), slot ? slot : "?",
                d->res.trial ? " (on probation: it must confirm itself)" : "");
    else
        fprintf(c->out, "app: (no app description) in %s\n", slot ? slot : "?");
}

/* Concatenate the --ca files into one buffer; without them, the trust
 * store (--store, default the system bundle): trusted as CAs without pins,
 * path-only for the pins with them (*for_pins; a missing default store is
 * then no error: the pins alone decide). */
static uint8_t *load_cas(dev_ctx_t *c, size_t *len, int *for_pins)
{
    const char *sys[1] = {c->o.store ? c->o.store : SYSTEM_CA_BUNDLE};
    const char *const *files = c->o.n_ca ? c->o.ca : sys;
    int n = c->o.n_ca ? c->o.n_ca : 1;
    *for_pins = !c->o.n_ca && c->o.n_pins;
    if (*for_pins && !c->o.store && access(sys[0], R_OK) != 0)
        n = 0;
    uint8_t *all = NULL;
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        size_t l;
        uint8_t *d = cli_read_file(files[i], &l);
        if (!d) {
            free(all);
            return NULL;
        }
        uint8_t *grown = realloc(all, total + l + 2);
        if (!grown) {
            free(d);
            free(all);
            return NULL;
        }
        all = grown;
        memcpy(all + total, d, l);
        total += l;
        all[total++] = '\n';
        all[total] = 0;
        free(d);
    }
    *len = total;
    return all ? all : calloc(1, 1);
}

static int setup_net(dev_ctx_t *c)
{
    otter_posix_tcp_init(&c->tcp, &c->tcp_t);
    otter_posix_clock_init(&c->wall);
    c->no_wall = c->wall;
    c->no_wall.wall_time = NULL;
    c->lower = &c->tcp_t;
    if (c->o.proxy) {
        int ret = otter_proxy_init_url(&c->proxy, &c->tcp_t, c->o.proxy, &c->proxy_t);
        if (ret < 0) {
            cli_err("--proxy %s: want http://[user:pass@]host[:port]", c->o.proxy);
            return ret;
        }
        c->lower = &c->proxy_t;
        fprintf(c->out, "proxy: %s (HTTP CONNECT)\n", c->o.proxy);
    }
    if (strncmp(c->o.url ? c->o.url : "", "https://", 8) && strncmp(c->o.index ? c->o.index : "", "https://", 8))
        return 0;
    size_t ca_len = 0;
    int for_pins = 0;
    uint8_t *ca = load_cas(c, &ca_len, &for_pins);
    uint8_t *work = malloc(8192);
    if (!ca || !work) {
        free(ca);
        free(work);
        return OTTER_ERR_FILE;
    }
    if (c->o.index && dev_index_trust(c, &ca, &ca_len, c->o.pins, &c->o.n_pins) < 0) {
        free(ca);
        free(work);
        return OTTER_ERR_INDEX_RECORD;
    }
    otter_tls_config_t tc;
    memset(&tc, 0, sizeof tc);
    tc.lower = c->lower;
    tc.clock = &c->wall;
    tc.entropy = otter_posix_entropy;
    tc.ca = ca_len ? ca : NULL;
    tc.ca_len = ca_len;
    tc.work = work;
    tc.work_len = 8192;
    tc.pins = (const uint8_t(*)[32])c->o.pins;
    tc.pin_count = (size_t)c->o.n_pins;
    tc.report = &c->report;
    tc.flags = c->o.skip_hostname ? OTTER_TLS_INSECURE_SKIP_HOSTNAME_CHECK : 0;
    if (for_pins && ca_len)
        tc.flags |= OTTER_TLS_CA_FOR_PINS;
    otter_tls_init(&c->tls);
    otter_tls_report_init(&c->report);
    int ret = otter_tls_setup(&c->tls, &tc);
    free(ca);
    free(work);
    if (ret < 0)
        return ret;
    otter_tls_transport(&c->tls, &c->tls_t);
    c->tls_ready = true;
    return 0;
}

static void on_event(void *ctx, const otter_update_event_t *ev)
{
    dev_ctx_t *c = ctx;
    switch (ev->kind) {
    case OTTER_UPDATE_EV_TLS: {
        char line[512];
        otter_tls_explain(ev->tls_report, line, sizeof line);
        size_t n = strlen(line);
        while (n && line[n - 1] == '\n')
            line[--n] = 0;
        fprintf(c->out, "tls%s: %s\n", ev->err ? " (failed)" : "", line);
        break;
    }
    case OTTER_UPDATE_EV_DECISION:
        if (ev->app && !ev->err) {
            /* Not verified yet (the signature comes at the end): escaped. */
            char project[4 * sizeof ev->app->project_name], version[4 * sizeof ev->app->version];
            fprintf(c->out, "server has: %s %s (secure_version %u)\n",
                    cli_escape(ev->app->project_name, project, sizeof project),
                    cli_escape(ev->app->version, version, sizeof version), (unsigned)ev->app->secure_version);
        }
        if (!ev->err && ev->app)
            snprintf(c->r.new_version, sizeof c->r.new_version, "%s", ev->app->version);
        break;
    case OTTER_UPDATE_EV_DATA:
        dev_progress_update(&c->prog, ev->done, ev->total);
        break;
    case OTTER_UPDATE_EV_DISCONNECTED:
        if (!ev->err)
            break; /* the normal end of the download */
        dev_progress_end(&c->prog);
        fprintf(c->out, "connection lost at byte %u (%s): reconnecting\n", (unsigned)ev->offset,
                otter_host_errname(ev->err));
        break;
    case OTTER_UPDATE_EV_RESUME:
        dev_progress_end(&c->prog);
        fprintf(c->out, "resume: continuing at byte %u\n", (unsigned)ev->offset);
        break;
    case OTTER_UPDATE_EV_RESTART:
        dev_progress_end(&c->prog);
        fprintf(c->out, "the file changed on the server: starting over\n");
        break;
    case OTTER_UPDATE_EV_REDIRECT:
        fprintf(c->out, "redirect: %s\n", ev->header_value);
        break;
    case OTTER_UPDATE_EV_VERIFIED:
        dev_progress_end(&c->prog);
        fprintf(c->out, "verified: image checks pass%s\n",
                c->o.n_keys ? ", signature verified with a trusted key" : "");
        break;
    case OTTER_UPDATE_EV_SWITCHED:
        fprintf(c->out, "switched: otadata says %s boots next, on probation\n", c->r.target_slot);
        break;
    default:
        break;
    }
}

/* The engine's clock: the simulator's flash time plus the wall time spent
 * outside the flash (network), so a deadline or a minimum rate trips on a
 * slow server while steps are still timed in flash time. */
static uint64_t engine_now(void *ctx)
{
    dev_ctx_t *c = ctx;
    return otter_norsim_time_us(&c->d.sim) / 1000u + (now_ms() - c->wall0_ms);
}

static void engine_config(dev_ctx_t *c, otter_update_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->flash = &c->d.flash;
    cfg->ptable = &c->d.pt;
    cfg->boot = &c->d.boot;
    cfg->tcp = c->lower;
    cfg->tls = c->tls_ready ? &c->tls_t : NULL;
    cfg->tls_report = c->tls_ready ? &c->report : NULL;
    c->engine_clock.now_ms = engine_now;
    c->engine_clock.ctx = c;
    c->wall0_ms = now_ms();
    cfg->clock = &c->engine_clock; /* step times are tracked in flash time (track) */
    cfg->policy.chip_id = c->o.chip;
    cfg->policy.project_name = c->o.project;
    cfg->policy.min_secure_version = c->o.secure_version;
    cfg->policy.allow_downgrade = c->o.allow_downgrade;
    cfg->policy.allow_same = c->o.allow_same;
    cfg->policy.allow_incomparable = c->o.allow_incomparable;
    cfg->policy.rolled_back = (otter_update_rollback_rule_t)c->o.rolled_back;
    cfg->policy.unconfirmed_tries = c->o.unconfirmed_tries;
    cfg->deadline_ms = c->o.deadline_ms;
    cfg->min_bytes_per_s = c->o.min_rate;
    cfg->policy.key_digests = (const uint8_t(*)[32])c->o.keys;
    cfg->policy.key_digest_count = (size_t)c->o.n_keys;
    if (c->index_expect) {
        cfg->policy.expect_size = c->expect_size;
        cfg->policy.expect_sha256 = c->expect_sha256;
    }
    cfg->on_event = on_event;
    cfg->event_ctx = c;
    cfg->http_buf = c->http_buf;
    cfg->http_buf_len = sizeof c->http_buf;
    cfg->data_buf = c->data_buf;
    cfg->data_buf_len = sizeof c->data_buf;
    cfg->erase_block = c->o.erase_block;
    cfg->read_timeout_ms = c->o.read_timeout_ms;
}

static void track(dev_ctx_t *c, uint64_t t0)
{
    uint64_t dt = otter_norsim_time_us(&c->d.sim) - t0;
    if (dt > c->r.longest_step_us)
        c->r.longest_step_us = dt;
}

/* Bytes a cut-short previous run programmed after the last sector its
 * journal marked done: a resume starts at that sector again, so they are
 * downloaded twice. Read from the flash before the engine erases them (the
 * last byte that is not 0xFF; 0 when there is no unfinished journal). */
static uint32_t unjournalled_bytes(dev_ctx_t *c)
{
    const otter_partition_t *p;
    const otter_flash_t *f = &c->d.flash;
    static uint8_t buf[65536];
    uint32_t s = f->sector_size, done, total;
    if (s == 0 || s > sizeof buf || otter_boot_next_update_slot(&c->d.boot, &p) != 0 || !p)
        return 0;
    if (otter_update_journal_peek(f, p, buf, sizeof buf, &done, &total) != 0)
        return 0;
    if (done >= total || done >= p->size)
        return 0;
    uint32_t n = total - done < s ? total - done : s;
    if (f->read(f->ctx, p->offset + done, buf, n) < 0)
        return 0;
    while (n > 0 && buf[n - 1] == 0xFF)
        n--;
    return n;
}

/* The update proper. Returns the engine's final code. */
static int run_update(dev_ctx_t *c)
{
    otter_update_config_t cfg;
    uint32_t again = unjournalled_bytes(c);
    engine_config(c, &cfg);
    otter_update_init(&c->up, &cfg);
    int ret = otter_update_begin(&c->up, c->o.url);
    if (ret < 0)
        return ret;
    fprintf(c->out, "checking %s\n", c->o.url);
    uint32_t kept = 0, received = 0; /* journalled bytes, received bytes (as a power cut leaves them) */
    do {
        uint64_t t0 = otter_norsim_time_us(&c->d.sim);
        ret = otter_update_step(&c->up);
        track(c, t0);
        /* Bytes read in the step the power was lost in were downloaded too;
         * only what the journal marked while powered is kept. */
        const otter_update_status_t *now = otter_update_status(&c->up);
        received = now->received;
        if (otter_norsim_powered(&c->d.sim))
            kept = now->journalled;
        if (now->target_size && !c->r.target_slot[0])
            snprintf(c->r.target_slot, sizeof c->r.target_slot, "%s", otter_slot_name(now->target_slot));
    } while (ret == OTTER_UPDATE_MORE);
    dev_progress_end(&c->prog);
    if (ret == 0) {
        uint64_t t0 = otter_norsim_time_us(&c->d.sim);
        ret = otter_update_finish(&c->up);
        track(c, t0);
    }
    const otter_update_status_t *st = otter_update_status(&c->up);
    c->r.total = st->total;
    c->r.downloaded = st->downloaded;
    c->r.redownloaded = st->redownloaded;
    c->r.worst_redownload = st->worst_redownload;
    c->r.resumes = st->resumes;
    c->r.restarts = st->restarts;
    c->r.steps = st->steps;
    c->r.erases = st->erases;
    c->r.resumed_from_journal = st->resumed_from_journal;
    /* What the journal keeps is whole sectors: the rest of what was received
     * before a power cut is downloaded again by the next run. */
    c->r.resume_offset = kept;
    c->r.to_download_again = received > kept ? received - kept : 0;
    if (st->resumed_from_journal)
        c->r.resume_offset = st->resumed_at;
    if (st->resumed_from_journal && again) {
        /* downloaded before the power cut and again now */
        c->r.redownloaded += again;
        if (again > c->r.worst_redownload)
            c->r.worst_redownload = again;
    }
    if (st->target_size) {
        uint64_t per = c->o.model_max ? 400000u : 45000u;
        c->r.whole_slot_erase_us = (uint64_t)(st->target_size / c->d.flash.sector_size) * per;
    }
    return ret;
}

/* After a reboot, re-arm what is left of a --power-cut-after budget (the
 * simulator disarms cuts when it reboots). */
static void rearm(dev_ctx_t *c, uint64_t ops0)
{
    otter_norsim_stats_t st;
    if (!c->o.power_cut_after || c->r.power_lost)
        return;
    otter_norsim_stats(&c->d.sim, &st);
    uint64_t used = st.ops - ops0;
    if (used < c->o.power_cut_after)
        otter_norsim_cut_after(&c->d.sim, c->o.power_cut_after - used);
}

static int reboot(dev_ctx_t *c, const char *why, uint64_t ops0)
{
    fprintf(c->out, "reboot (%s)\n", why);
    int ret = otter_simdev_reboot(&c->d, 1);
    rearm(c, ops0);
    if (ret == OTTER_ERR_FLASH_POWER_LOSS) {
        c->r.power_lost = true;
        fprintf(c->out, "power lost during the boot\n");
        ret = otter_simdev_reboot(&c->d, 1);
    }
    if (ret == 0)
        show_boot(c, "boot");
    return ret;
}

/* The app's self-test after an update booted it on probation. */
static int self_test(dev_ctx_t *c, uint64_t ops0)
{
    int ret = 0;
    switch (c->o.self_test) {
    case SELF_TEST_PASS:
        fprintf(c->out, "self-test: pass; the app confirms itself (otadata VALID)\n");
        ret = otter_boot_mark_valid(&c->d.boot);
        c->confirmed = ret == 0;
        break;
    case SELF_TEST_FAIL:
        fprintf(c->out, "self-test: fail; the app marks itself invalid and restarts\n");
        ret = otter_boot_mark_invalid_rollback(&c->d.boot);
        if (ret == 0)
            ret = reboot(c, "rollback", ops0);
        break;
    case SELF_TEST_HANG:
        fprintf(c->out, "self-test: hangs; the watchdog resets the device before it confirms\n");
        ret = reboot(c, "watchdog reset", ops0);
        break;
    }
    if (ret == OTTER_ERR_FLASH_POWER_LOSS) {
        c->r.power_lost = true;
        ret = reboot(c, "power restored", ops0);
    }
    return ret;
}

static void final_state(dev_ctx_t *c)
{
    otter_simdev_t *d = &c->d;
    const char *slot = otter_slot_name(d->res.slot);
    snprintf(c->r.running_slot, sizeof c->r.running_slot, "%s", slot ? slot : "?");
    snprintf(c->r.running_version, sizeof c->r.running_version, "%s", d->has_app ? d->app.version : "");
    snprintf(c->r.boot_why, sizeof c->r.boot_why, "%s", d->res.why);
    c->r.od_ok = otter_simdev_otadata(d, &c->r.od) == 0;
    const char *state = "not selected by otadata";
    if (d->res.slot == OTTER_PT_SUBTYPE_FACTORY)
        state = "factory";
    else if (c->r.od_ok && c->r.od.active >= 0 &&
             otter_otadata_active_slot(&c->r.od, otter_ptable_ota_count(&d->pt)) ==
                 (int)(d->res.slot - OTTER_PT_SUBTYPE_OTA_0)) {
        const char *n = otter_ota_state_name(c->r.od.copy[c->r.od.active].state);
        state = n ? n : "VALID (unknown value)";
    }
    snprintf(c->r.running_state, sizeof c->r.running_state, "%s", state);
}

/* Outcome of an update that switched: did the new app stay? */
static void judge_switch(dev_ctx_t *c)
{
    bool stayed = c->d.has_app && !strcmp(c->d.app.version, c->r.new_version) &&
                  !strcmp(otter_slot_name(c->d.res.slot), c->r.target_slot) && (c->confirmed || !c->d.res.trial);
    if (stayed) {
        c->r.outcome = DEV_UPDATED;
        snprintf(c->r.detail, sizeof c->r.detail, "%s runs in %s and confirmed itself", c->r.new_version,
                 c->r.target_slot);
        return;
    }
    c->r.outcome = DEV_ROLLED_BACK;
    c->r.err = OTTER_ERR_UPD_SELF_TEST;
    snprintf(c->r.detail, sizeof c->r.detail,
             "the new app %s did not confirm itself (self-test %s), so the device rolled back to %s in %s",
             c->r.new_version, c->o.self_test == SELF_TEST_FAIL ? "failed" : "hung",
             c->d.has_app ? c->d.app.version : "?", otter_slot_name(c->d.res.slot));
}

static void update_and_judge(dev_ctx_t *c, uint64_t ops0)
{
    int ret = setup_net(c);
    if (ret == 0 && c->o.index) {
        ret = dev_index(c);
        if (ret == 1)
            return; /* nothing to install: c->r says why */
        if (ret < 0) {
            c->r.outcome = DEV_FAILED;
            c->r.err = ret;
            return;
        }
    }
    if (ret == 0)
        ret = run_update(c);
    /* --index: the release's mirrors in order, while the failure is one a
     * mirror can cure (the network, or a server with other bytes). */
    for (unsigned m = 1; c->o.index && m < c->n_index_urls && ret < 0 && ret != OTTER_ERR_FLASH_POWER_LOSS &&
                        (OTTER_ERR_IS_NET(ret) || ret == OTTER_ERR_UPD_SIZE_MISMATCH ||
                         ret == OTTER_ERR_UPD_DIGEST_MISMATCH);
         m++) {
        fprintf(c->out, "%s failed (%s): trying mirror %s\n", c->o.url, otter_host_errname(ret), c->index_urls[m]);
        otter_update_free(&c->up);
        c->o.url = c->index_urls[m];
        ret = run_update(c);
    }
    if (ret == OTTER_ERR_FLASH_POWER_LOSS || !otter_norsim_powered(&c->d.sim)) {
        c->r.power_lost = true;
        c->r.outcome = DEV_FAILED;
        c->r.err = OTTER_ERR_FLASH_POWER_LOSS;
        /* What the journal keeps is in whole sectors: the rest of what was
         * received is lost with the power and downloaded again. */
        snprintf(c->r.detail, sizeof c->r.detail,
                 "the power was cut at flash operation %llu of this run; the old app and otadata are intact "
                 "and the next run resumes the download from the journal at byte %u (the %u bytes received "
                 "after it are downloaded again)",
                 (unsigned long long)c->o.power_cut_after, (unsigned)c->r.resume_offset,
                 (unsigned)c->r.to_download_again);
        (void)reboot(c, "power restored", ops0);
        return;
    }
    if (ret < 0) {
        c->r.outcome = DEV_FAILED;
        c->r.err = ret;
        if (otter_update_status(&c->up)->phase != OTTER_UPDATE_PHASE_IDLE)
            otter_update_diagnose(&c->up, c->r.detail, sizeof c->r.detail);
        else
            snprintf(c->r.detail, sizeof c->r.detail, "%s; the running app and otadata are unchanged",
                     otter_host_strerror(ret));
        return;
    }
    if (otter_update_status(&c->up)->outcome == OTTER_UPDATE_OUTCOME_UP_TO_DATE) {
        c->r.outcome = DEV_UP_TO_DATE;
        otter_update_diagnose(&c->up, c->r.detail, sizeof c->r.detail);
        return;
    }
    ret = reboot(c, "to the new app", ops0);
    if (ret == 0 && c->d.res.trial)
        ret = self_test(c, ops0);
    judge_switch(c);
}

int dev_run(dev_ctx_t *c)
{
    FILE *devnull = NULL;
    uint64_t t0 = now_ms();
    setvbuf(stdout, NULL, _IOLBF, 0); /* keep stdout lines in order with the progress on stderr */
    c->out = c->o.json ? stderr : stdout;
    if (c->o.quiet && (devnull = fopen("/dev/null", "w")))
        c->out = devnull;
    otter_norsim_options_t opt;
    otter_norsim_options_default(&opt);
    opt.timing = c->o.model_max ? OTTER_NORSIM_TIMING_MAX : OTTER_NORSIM_TIMING_TYP;
    opt.persist_wear = 1;
    if (cli_can_open(c->o.flash)) {
        if (devnull)
            fclose(devnull);
        return DEV_EXIT_FAILED;
    }
    otter_simdev_init(&c->d);
    int ret = otter_simdev_open(&c->d, c->o.flash, &opt, c->o.chip);
    if (ret == 0) {
        /* Keys provisioned: the bootloader checks signatures too. */
        otter_simdev_set_keys(&c->d, (const uint8_t(*)[32])c->o.keys, (size_t)c->o.n_keys);
        ret = otter_simdev_boot(&c->d);
    }
    if (ret < 0) {
        if (ret == OTTER_ERR_BOOT_NO_APP)
            cli_err("%s: %s", c->o.flash, c->d.res.why);
        if (ret == OTTER_ERR_BOOT_NO_APP && c->o.n_keys)
            cli_err("the simulated bootloader checks Secure Boot V2 signatures because --pub/--key-digest was "
                    "given: sign the app in the flash file with one of those keys");
        cli_err("%s: %s (%s)", c->o.flash, otter_host_strerror(ret), otter_host_errname(ret));
        otter_simdev_close(&c->d);
        if (devnull)
            fclose(devnull);
        return DEV_EXIT_FAILED;
    }
    show_boot(c, "boot");
    snprintf(c->r.previous_version, sizeof c->r.previous_version, "%s", c->d.has_app ? c->d.app.version : "");
    otter_norsim_stats_t st;
    otter_norsim_stats(&c->d.sim, &st);
    uint64_t flash0 = st.elapsed_us, ops0 = st.ops;
    if (c->d.res.trial) {
        fprintf(c->out, "the running app is on probation from an earlier update: its self-test runs first\n");
        (void)self_test(c, ops0);
    }
    if (c->o.power_cut_after)
        otter_norsim_cut_after(&c->d.sim, c->o.power_cut_after);
    dev_progress_init(&c->prog, !c->o.json && !c->o.quiet);
    update_and_judge(c, ops0);
    final_state(c);
    otter_norsim_stats(&c->d.sim, &st);
    c->r.flash_time_us = st.elapsed_us - flash0;
    c->r.wall_ms = now_ms() - t0;
    if (c->o.json)
        dev_print_json(stdout, &c->r);
    else
        dev_print_summary(c->out, &c->r);
    otter_update_free(&c->up);
    if (c->tls_ready)
        otter_tls_free(&c->tls);
    otter_posix_tcp_free(&c->tcp);
    otter_simdev_close(&c->d);
    if (devnull)
        fclose(devnull);
    return dev_exit_code(c->r.outcome);
}
