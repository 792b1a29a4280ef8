/* otter device: progress bar and the end-of-run summary (text and JSON). */
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "device.h"
#include "host_error.h"

void dev_progress_init(dev_progress_t *p, bool enabled)
{
    memset(p, 0, sizeof *p);
    p->enabled = enabled;
    p->tty = isatty(STDERR_FILENO);
    p->last_quarter = -1;
    p->last_pct = 101;
}

void dev_progress_update(dev_progress_t *p, uint64_t done, uint64_t total)
{
    if (!p->enabled || !total)
        return;
    fflush(stdout);
    unsigned pct = (unsigned)(done * 100 / total);
    if (p->tty) {
        if (pct == p->last_pct && done != total)
            return;
        p->last_pct = pct;
        char bar[41];
        unsigned fill = (unsigned)(done * 40 / total);
        for (unsigned i = 0; i < 40; i++)
            bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
        bar[40] = 0;
        fprintf(stderr, "\r  [%s] %3u%%  %llu / %llu KB", bar, pct, (unsigned long long)(done / 1024),
                (unsigned long long)(total / 1024));
        fflush(stderr);
        return;
    }
    int q = (int)(done * 4 / total);
    if (q != p->last_quarter) {
        p->last_quarter = q;
        fprintf(stderr, "  download: %3u%%  %llu / %llu bytes\n", pct, (unsigned long long)done,
                (unsigned long long)total);
    }
}

void dev_progress_end(dev_progress_t *p)
{
    if (p->enabled && p->tty && p->last_pct <= 100)
        fputc('\n', stderr);
    p->last_pct = 101;
}

int dev_exit_code(dev_outcome_t o)
{
    switch (o) {
    case DEV_UPDATED:
        return DEV_EXIT_UPDATED;
    case DEV_UP_TO_DATE:
        return DEV_EXIT_UP_TO_DATE;
    case DEV_ROLLED_BACK:
        return DEV_EXIT_ROLLED_BACK;
    default:
        return DEV_EXIT_FAILED;
    }
}

const char *dev_outcome_name(dev_outcome_t o)
{
    switch (o) {
    case DEV_UPDATED:
        return "updated";
    case DEV_UP_TO_DATE:
        return "up_to_date";
    case DEV_ROLLED_BACK:
        return "rolled_back";
    default:
        return "failed";
    }
}

static double ms(uint64_t us)
{
    return (double)us / 1000.0;
}

static void print_otadata_text(FILE *f, const dev_result_t *r)
{
    if (!r->od_ok) {
        fprintf(f, "  otadata            unreadable\n");
        return;
    }
    for (int c = 0; c < 2; c++) {
        const otter_ota_entry_t *e = &r->od.copy[c];
        const char *state = otter_ota_state_name(e->state);
        if (otter_ota_entry_blank(e))
            fprintf(f, "  otadata copy %d     blank\n", c);
        else
            fprintf(f, "  otadata copy %d     seq %u, %s, crc %s%s\n", c, (unsigned)e->seq, state ? state : "?",
                    otter_ota_entry_crc_ok(e) ? "ok" : "bad", r->od.active == c ? " (active)" : "");
    }
}

void dev_print_summary(FILE *f, const dev_result_t *r)
{
    fprintf(f, "\nsummary\n");
    fprintf(f, "  outcome            %s\n", dev_outcome_name(r->outcome));
    /* Versions come from images (a server's, before any check): escaped. */
    char detail[4 * sizeof r->detail], run[4 * sizeof r->running_version], prev[4 * sizeof r->previous_version];
    cli_escape(r->detail, detail, sizeof detail);
    cli_escape(r->running_version, run, sizeof run);
    cli_escape(r->previous_version, prev, sizeof prev);
    if (r->err)
        fprintf(f, "  error              %s: %s\n", otter_host_errname(r->err), detail);
    else if (r->detail[0])
        fprintf(f, "  detail             %s\n", detail);
    fprintf(f, "  running            %s in %s (%s)\n", r->running_version[0] ? run : "?", r->running_slot,
            r->running_state);
    if (r->previous_version[0])
        fprintf(f, "  before             %s\n", prev);
    print_otadata_text(f, r);
    fprintf(f, "  downloaded         %llu bytes (%llu again after cuts; worst per cut %u; %u resumes", (unsigned long long)r->downloaded,
            (unsigned long long)r->redownloaded, r->worst_redownload, r->resumes);
    if (r->resumed_from_journal)
        fprintf(f, "; continued from the journal at byte %u, after a power cut", (unsigned)r->resume_offset);
    if (r->power_lost)
        fprintf(f, "; %u received after the journal's last sector, to download again", (unsigned)r->to_download_again);
    fprintf(f, ")\n");
    fprintf(f, "  longest step       %.1f ms of flash time (a whole-slot erase up front: %.0f ms, computed)\n",
            ms(r->longest_step_us), ms(r->whole_slot_erase_us));
    fprintf(f, "  flash time         %.1f ms (virtual)\n", ms(r->flash_time_us));
    fprintf(f, "  wall time          %llu ms\n", (unsigned long long)r->wall_ms);
}

static void json_kv_str(FILE *f, const char *k, const char *v, bool comma)
{
    fprintf(f, "\"%s\":", k);
    cli_json_str(f, v);
    if (comma)
        fputc(',', f);
}

static void print_otadata_json(FILE *f, const dev_result_t *r)
{
    fputs("\"otadata\":[", f);
    for (int c = 0; r->od_ok && c < 2; c++) {
        const otter_ota_entry_t *e = &r->od.copy[c];
        const char *state = otter_ota_state_name(e->state);
        fprintf(f, "%s{\"copy\":%d,\"blank\":%s,\"seq\":%u,\"state\":", c ? "," : "", c,
                otter_ota_entry_blank(e) ? "true" : "false", (unsigned)e->seq);
        cli_json_str(f, otter_ota_entry_blank(e) ? "" : (state ? state : "?"));
        fprintf(f, ",\"crc_ok\":%s,\"active\":%s}", otter_ota_entry_crc_ok(e) ? "true" : "false",
                r->od.active == c ? "true" : "false");
    }
    fputs("],", f);
}

void dev_print_json(FILE *f, const dev_result_t *r)
{
    fputc('{', f);
    json_kv_str(f, "outcome", dev_outcome_name(r->outcome), true);
    json_kv_str(f, "running_version", r->running_version, true);
    json_kv_str(f, "running_slot", r->running_slot, true);
    json_kv_str(f, "running_state", r->running_state, true);
    json_kv_str(f, "previous_version", r->previous_version, true);
    json_kv_str(f, "new_version", r->new_version, true);
    json_kv_str(f, "target_slot", r->target_slot, true);
    json_kv_str(f, "boot", r->boot_why, true);
    print_otadata_json(f, r);
    fprintf(f, "\"image_bytes\":%llu,\"bytes_downloaded\":%llu,\"bytes_redownloaded\":%llu,",
            (unsigned long long)r->total, (unsigned long long)r->downloaded, (unsigned long long)r->redownloaded);
    fprintf(f, "\"worst_redownload_per_cut\":%u,\"resumes\":%u,\"restarts\":%u,\"resumed_from_journal\":%s,",
            r->worst_redownload, r->resumes, r->restarts, r->resumed_from_journal ? "true" : "false");
    fprintf(f, "\"resume_offset\":%u,\"bytes_to_download_again\":%u,", (unsigned)r->resume_offset,
            (unsigned)r->to_download_again);
    fprintf(f, "\"steps\":%u,\"erases\":%u,\"power_lost\":%s,", r->steps, r->erases, r->power_lost ? "true" : "false");
    fprintf(f, "\"longest_step_ms\":%.3f,\"flash_time_ms\":%.3f,\"whole_slot_erase_ms\":%.0f,\"wall_ms\":%llu",
            ms(r->longest_step_us), ms(r->flash_time_us), ms(r->whole_slot_erase_us), (unsigned long long)r->wall_ms);
    if (r->err) {
        fputc(',', f);
        json_kv_str(f, "error", otter_host_errname(r->err), true);
        json_kv_str(f, "detail", r->detail, false);
    } else if (r->detail[0]) {
        fputc(',', f);
        json_kv_str(f, "detail", r->detail, false);
    }
    fputs("}\n", f);
}
