/* otter doctor --index URL: what a device with these keys, this sequence
 * number, clock and identity would do with the release index at URL, and
 * why. It polls the index with the device's own code (otter/index_poll.h)
 * over a RAM record, so the verdict is the device's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "doctor.h"
#include "host_error.h"
#include "index_cli.h"
#include "norsim.h"

static const char usage_text[] =
    "usage: otter doctor --index URL --key PUB.pem... [--ca FILE (default: the system's)] [--seq N]\n"
    "                    [--now DATE | --no-time [--accept-without-time]]\n"
    "                    [--etag ETAG] [--running V --chip NAME --project P --id HEX\n"
    "                     [--channel C] [--secure-version N]]\n"
    "\n"
    "Fetch the signed release index at URL as a device does (If-None-Match with --etag),\n"
    "check its signature with the device's release keys, its sequence number against\n"
    "the highest the device accepted (--seq) and its expiry against the device's clock\n"
    "(--now; --no-time: a device without one, which refuses the index unless\n"
    "--accept-without-time), and say what the device described by\n"
    "--running/--chip/--project/--id would install, and why.\n"
    "Exit status: 0 the device accepts the index (or 304), 1 it refuses it, 2 usage.\n";

static void print_accepted(const otter_index_poll_t *p, const index_cli_t *o)
{
    const otter_index_t *idx = &p->idx;
    char t[21];
    otter_index_time_format(idx->expires, t);
    printf("signature: verifies with the device's release key%s\n", o->n_keys == 1 ? "" : "s");
    printf("accepted: seq %llu (the device had %s), expires %s\n", (unsigned long long)idx->seq, o->seq ? o->seq : "0",
           t);
    if (idx->n_keys)
        printf("release keys: the device adopts the index's %u key%s\n", idx->n_keys, idx->n_keys == 1 ? "" : "s");
    if (idx->trust_gen)
        printf("trust set: generation %u (%u pin%s%s): the device adopts it if newer, for its next connection\n",
               (unsigned)idx->trust_gen, idx->n_pins, idx->n_pins == 1 ? "" : "s",
               idx->roots_url.len ? ", a roots bundle" : "");
    if (!o->dev.running) {
        printf("decision: give --running, --chip, --project and --id to see what a device decides\n");
        return;
    }
    char why[512];
    otter_index_explain(idx, &p->cfg.device, &p->decision, why, sizeof why);
    printf("decision: %s\n", why);
    if (p->result != OTTER_INDEX_POLL_INSTALL)
        return;
    const otter_index_release_t *r = &idx->release[p->decision.release];
    for (unsigned i = 0; i < r->n_urls; i++) {
        char url[OTTER_INDEX_URL_MAX + OTTER_HTTP_URL_MAX];
        if (otter_index_poll_url(p, i, url, sizeof url) > 0)
            printf("%s %s\n", i ? "mirror:" : "download:", url);
    }
    printf("check: %lu bytes, SHA-256 ", (unsigned long)p->size);
    cli_print_hex(stdout, p->sha256, 32);
    printf(" (the device refuses any other file before the switch)\n");
}

static void print_refused(const otter_index_poll_t *p, int err, const index_cli_t *o)
{
    printf("refused: %s\n", otter_host_strerror(err));
    if (err == OTTER_ERR_HTTP_STATUS)
        printf("  the server answered HTTP %d for the index\n", p->http_status);
    else if (err == OTTER_ERR_INDEX_KEY_UNKNOWN || err == OTTER_ERR_INDEX_SIGNATURE)
        printf("  sign the index with a key the device trusts (otter release sign INDEX --key KEY.pem), or\n"
               "  rotate keys through an index signed by an old key that lists the new one (otter release keys)\n");
    else if (err == OTTER_ERR_INDEX_REPLAY)
        printf("  the device accepted seq %s already: publish an index with a higher seq (otter release sign)\n",
               o->seq ? o->seq : "0");
    else if (err == OTTER_ERR_INDEX_EXPIRED)
        printf("  re-sign the index before it expires (otter release sign INDEX --key KEY.pem --days N)\n");
    else if (err == OTTER_ERR_INDEX_NO_TIME)
        printf("  the device has no clock: give it one (SNTP) or set accept_without_time (seq alone then guards "
               "against replay)\n");
}

int otter_doctor_index(int argc, char **argv)
{
    index_cli_t o;
    memset(&o, 0, sizeof o);
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_text, stdout);
            return CLI_EXIT_OK;
        }
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = cli_opt(argc, argv, &i, "--index")))
            o.url = v;
        else if (!index_cli_opt(argc, argv, &i, &o))
            return cli_usage_err("doctor --index: unexpected '%s' (otter doctor --index --help)", argv[i]);
    }
    if (!o.url)
        return cli_usage_err("doctor --index: which URL?");
    /* The device's record, in RAM: two sectors. */
    uint8_t *mem = malloc(0x10000);
    otter_norsim_t sim;
    otter_norsim_init(&sim);
    if (!mem || (memset(mem, 0xFF, 0x10000), otter_norsim_open_mem(&sim, mem, 0x10000, NULL, NULL))) {
        free(mem);
        return cli_err("doctor: cannot open a RAM flash");
    }
    otter_flash_t flash = otter_norsim_flash(&sim);
    otter_index_record_t rec;
    otter_index_poll_t *p = calloc(1, sizeof *p);
    index_cli_bufs_t *bufs = calloc(1, sizeof *bufs);
    int rc = p && bufs ? otter_index_record_load(&rec, &flash, 0) : OTTER_ERR_IO;
    if (rc == 0)
        rc = index_cli_poll(&o, p, bufs, &rec, &flash, NULL);
    if (rc > 0) {
        /* a usage error, printed */
    } else if (rc == 0) {
        printf("index: %s\n", o.url);
        if (p->result == OTTER_INDEX_POLL_NOT_MODIFIED)
            printf("fetch: HTTP 304 not modified (ETag %s): the device keeps its last decision\n", p->etag);
        else {
            printf("fetch: HTTP 200, %lu bytes, ETag %s\n", (unsigned long)p->len, p->etag[0] ? p->etag : "(none)");
            print_accepted(p, &o);
        }
        rc = CLI_EXIT_OK;
    } else {
        printf("index: %s\n", o.url);
        print_refused(p, rc, &o);
        rc = CLI_EXIT_FAIL;
    }
    free(p);
    free(bufs);
    otter_norsim_close(&sim);
    free(mem);
    return rc;
}
