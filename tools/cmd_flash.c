/* otter flash init|write|info|boot: simulated device flash images. */
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <unistd.h>
#include "cli.h"
#include "norsim.h"
#include "otter/boot.h"
#include "otter/host/partition.h"
#include "host_error.h"
#include "otter/image.h"
#include "otter/otadata.h"
#include "otter/partition.h"
#include "otter/verify.h"

static const char usage_main[] =
    "usage: otter flash <command> [options]\n\n"
    "A flash file is a simulated SPI NOR flash (erased bytes 0xFF, 4 KB sectors)\n"
    "laid out as an ESP32's: partition table at 0x8000, otadata, app slots.\n"
    "Erase counts per sector are kept next to it in FILE.wear.\n\n"
    "commands:\n"
    "  init   create a flash file with a partition table\n"
    "  write  write an app image into a slot and make it boot\n"
    "  info   show partitions, otadata, which slot boots next and why\n"
    "  boot   run the bootloader once (as the device would), optionally confirm or reject\n\n"
    "otter flash <command> --help for each.\n";

static const char usage_init[] =
    "usage: otter flash init --out FILE [--size 4M] [--layout default|min_spiffs|two_ota|PATH.csv] [--force]\n\n"
    "Create FILE of --size bytes (default 4M; K/M suffixes), all 0xFF, and write\n"
    "the partition table at 0x8000. Layouts: default (Arduino-ESP32 4 MB: two\n"
    "1.25 MB OTA slots), min_spiffs (Arduino \"Minimal SPIFFS\": two 1.9 MB OTA\n"
    "slots), two_ota (ESP-IDF: factory + two 1 MB OTA slots), or an ESP-IDF\n"
    "partition CSV file. otadata starts blank.\n";

static const char usage_write[] =
    "usage: otter flash write FILE --slot SLOT IMAGE [--no-boot] [--valid] [--force]\n\n"
    "SLOT is an app partition by subtype (ota_0, ota_1, ..., factory) or by label (app0).\n"
    "Check IMAGE (ESP app image), erase the slot's sectors it needs, program it,\n"
    "then make the slot boot next: for an OTA slot one otadata write with state\n"
    "NEW (it boots once on probation and must be confirmed, as after an OTA\n"
    "update), or VALID with --valid; for factory both otadata copies are erased.\n"
    "--no-boot only writes the image. --force writes an image that does not\n"
    "validate (it will not be made to boot).\n";

static const char usage_info[] =
    "usage: otter flash info FILE [--json]\n\n"
    "Show the partition table, both otadata copies (seq, state, CRC), which slot\n"
    "the bootloader would boot next and why (nothing is written), each app slot's\n"
    "first bytes and app version, and erase counts. --json prints one object:\n"
    "  file, size, partitions[], otadata{offset, active, copies[]},\n"
    "  next_boot{slot, label, reason, why}, apps[], erases{total, max_sector}.\n"
    "next_boot.slot is e.g. \"ota_1\" (null if nothing boots); reason is one of\n"
    "otadata, trial, rollback, factory, first_ota, no_otadata, fallback, none.\n"
    "Exit status 1 for a bad file (size, partition table, both otadata copies\n"
    "corrupt).\n";

static const char usage_boot[] =
    "usage: otter flash boot FILE [--confirm | --reject] [--json]\n\n"
    "Run the bootloader once (ESP-IDF rules, rollback enabled): it may write\n"
    "otadata (PENDING_VERIFY -> ABORTED, NEW -> PENDING_VERIFY). Then, as the\n"
    "booted app: --confirm marks it valid (cancels the rollback); --reject marks\n"
    "it invalid and boots again (rollback; refused if nothing else would boot).\n";

static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 1;
    return 0;
}

/* An open flash file with its table. */
struct dev {
    otter_norsim_t sim;
    otter_flash_t fl;
    otter_ptable_t pt;
    otter_boot_t boot;
};

static int dev_open(struct dev *d, const char *path, int need_table)
{
    otter_norsim_options_t o;
    otter_norsim_options_default(&o);
    o.persist_wear = 1;
    if (cli_can_open(path))
        return CLI_EXIT_FAIL;
    int ret = otter_norsim_open(&d->sim, path, &o);
    if (ret)
        return cli_err("%s: %s", path, otter_host_strerror(ret));
    d->fl = otter_norsim_flash(&d->sim);
    ret = otter_ptable_read(&d->pt, &d->fl);
    if (ret && need_table) {
        otter_norsim_close(&d->sim);
        return cli_err("%s: partition table at 0x8000: %s (%s)", path, otter_host_strerror(ret), otter_host_errname(ret));
    }
    otter_boot_init(&d->boot, &d->fl, &d->pt);
    otter_boot_set_validator(&d->boot, otter_image_boot_validate, NULL);
    return CLI_EXIT_OK;
}

static int load_layout(const char *layout, uint32_t size, otter_ptable_t *pt)
{
    otter_ptable_csv_error_t why;
    int ret;
    memset(&why, 0, sizeof why);
    if (otter_ptable_builtin_csv(layout)) {
        const char *csv = otter_ptable_builtin_csv(layout);
        ret = otter_ptable_parse_csv_explain(pt, csv, strlen(csv), size, &why);
    } else {
        size_t len;
        uint8_t *csv = cli_read_file(layout, &len);
        if (!csv)
            return CLI_EXIT_FAIL;
        ret = otter_ptable_parse_csv_explain(pt, (const char *)csv, len, size, &why);
        free(csv);
    }
    if (ret == 0)
        return CLI_EXIT_OK;
    /* the code's words, then the rule and offsets as gen_esp32part.py names
     * them (once, when the sentence starts with the same words) */
    const char *words = otter_host_strerror(ret);
    const char *sep = ": ";
    if (!strncmp(why.text, words, strlen(words)))
        words = sep = "";
    if (why.line)
        return cli_err("layout %s, line %u: %s%s%s", layout, why.line, words, sep, why.text);
    return cli_err("layout %s: %s%s%s", layout, words, sep, why.text);
}

static int cmd_init(int argc, char **argv)
{
    const char *out = NULL, *layout = "default", *v;
    uint64_t size = 4u << 20;
    int force = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--force"))
            force = 1;
        else if ((v = cli_opt(argc, argv, &i, "--out")))
            out = v;
        else if ((v = cli_opt(argc, argv, &i, "--layout")))
            layout = v;
        else if ((v = cli_opt(argc, argv, &i, "--size"))) {
            if (cli_parse_size(v, &size) || size == 0 || size % 4096 || size > (256u << 20))
                return cli_usage_err("--size %s: want a multiple of 4K up to 256M", v);
        } else
            return cli_usage_err("flash init: unexpected argument '%s'", argv[i]);
    }
    if (!out)
        return cli_usage_err("flash init: --out FILE is required");
    if (!force && access(out, F_OK) == 0)
        return cli_err("%s exists: use --force to replace it", out);
    otter_ptable_t pt;
    int rc = load_layout(layout, (uint32_t)size, &pt);
    if (rc)
        return rc;
    /* Build the new file beside it, then rename: a full disk or a failure
     * leaves the existing file as it was and no partial one. */
    size_t n = strlen(out);
    char *tmp = malloc(n + 16);
    if (!tmp)
        return cli_err("out of memory");
    memcpy(tmp, out, n);
    memcpy(tmp + n, ".tmp-XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return cli_err("cannot create %s: %s", out, strerror(errno));
    }
    close(fd);
    int ret = otter_norsim_create(tmp, (uint32_t)size);
    otter_norsim_t sim;
    otter_norsim_init(&sim);
    if (ret == 0)
        ret = otter_norsim_open(&sim, tmp, NULL);
    if (ret == 0) {
        otter_flash_t fl = otter_norsim_flash(&sim);
        ret = otter_ptable_write(&pt, &fl);
        otter_norsim_close(&sim);
    }
    if (ret == 0 && rename(tmp, out) != 0)
        ret = OTTER_ERR_IO;
    if (ret) {
        remove(tmp);
        free(tmp);
        return cli_err("cannot create %s: %s", out, otter_host_strerror(ret));
    }
    free(tmp);
    /* The old file's wear counters (norsim) no longer apply. */
    char *wear = malloc(n + 6);
    if (wear) {
        memcpy(wear, out, n);
        memcpy(wear + n, ".wear", 6);
        remove(wear);
        free(wear);
    }
    printf("created %s: %llu bytes, layout %s, %u partitions, %u OTA slots\n", out, (unsigned long long)size, layout,
           (unsigned)pt.count, otter_ptable_ota_count(&pt));
    return CLI_EXIT_OK;
}

/* Erase what the image needs: 64 KB blocks where aligned, else sectors. */
static int erase_for(struct dev *d, uint32_t at, size_t len)
{
    uint32_t end = at + (uint32_t)((len + 4095) & ~(size_t)4095);
    while (at < end) {
        uint32_t n = (at % 65536 == 0 && end - at >= 65536) ? 65536 : 4096;
        int ret = d->fl.erase(d->fl.ctx, at, n);
        if (ret)
            return ret;
        at += n;
    }
    return 0;
}

static int check_image(const uint8_t *img, size_t len, otter_image_info_t *info)
{
    otter_image_t ctx;
    otter_image_init(&ctx, OTTER_CHIP_ANY);
    int ret = otter_image_feed(&ctx, img, len);
    if (ret >= 0)
        ret = otter_image_finish(&ctx);
    *info = *otter_image_info(&ctx);
    otter_image_free(&ctx);
    return ret;
}

static int write_image(struct dev *d, const otter_partition_t *p, const uint8_t *img, size_t len)
{
    int ret = erase_for(d, p->offset, len);
    for (size_t off = 0; ret == 0 && off < len; off += 4096)
        ret = d->fl.program(d->fl.ctx, p->offset + (uint32_t)off, img + off, len - off < 4096 ? len - off : 4096);
    return ret;
}

static int parse_write_args(int argc, char **argv, const char **file, const char **slot, const char **image,
                            int *flags)
{
    const char *v;
    for (int i = 1; i < argc; i++) {
        if ((v = cli_opt(argc, argv, &i, "--slot")))
            *slot = v;
        else if (!strcmp(argv[i], "--no-boot"))
            *flags |= 1;
        else if (!strcmp(argv[i], "--valid"))
            *flags |= 2;
        else if (!strcmp(argv[i], "--force"))
            *flags |= 4;
        else if (argv[i][0] == '-')
            return cli_usage_err("flash write: unknown option '%s'", argv[i]);
        else if (!*file)
            *file = argv[i];
        else if (!*image)
            *image = argv[i];
        else
            return cli_usage_err("flash write: unexpected argument '%s'", argv[i]);
    }
    if (!*file || !*slot || !*image)
        return cli_usage_err("flash write: need FILE --slot SLOT IMAGE");
    return CLI_EXIT_OK;
}

static int cmd_write(int argc, char **argv)
{
    const char *file = NULL, *slot_name = NULL, *image = NULL;
    int flags = 0, rc = parse_write_args(argc, argv, &file, &slot_name, &image, &flags);
    uint8_t slot = 0;
    if (rc)
        return rc;
    size_t len;
    uint8_t *img = cli_read_file(image, &len);
    if (!img)
        return CLI_EXIT_FAIL;
    struct dev d;
    if ((rc = dev_open(&d, file, 1)) != 0) {
        free(img);
        return rc;
    }
    const otter_partition_t *p = cli_find_slot(&d.pt, slot_name);
    otter_image_info_t info;
    int verdict = check_image(img, len, &info);
    int ret = 0;
    if (p)
        slot = p->subtype;
    if (!p)
        rc = cli_err("%s: the partition table has no slot '%s' (give ota_0..ota_15, factory, or a label)", file,
                     slot_name);
    else if (p->type != OTTER_PT_TYPE_APP || slot == OTTER_PT_SUBTYPE_TEST)
        rc = cli_err("%s: '%s' is not an app slot", file, slot_name);
    else if (len == 0 || len > p->size)
        rc = cli_err("%s: %zu bytes do not fit %s (%u bytes)", image, len, slot_name, (unsigned)p->size);
    else if (verdict && !(flags & 4))
        rc = cli_err("%s: not a valid app image: %s (use --force to write it anyway)", image, otter_host_strerror(verdict));
    else if ((ret = write_image(&d, p, img, len)) != 0)
        rc = cli_err("%s: writing %s: %s", file, slot_name, otter_host_strerror(ret));
    else if (!(flags & 1) && !verdict &&
             (ret = otter_boot_set_boot_slot(&d.boot, slot, (flags & 2) ? OTTER_OTA_STATE_VALID : OTTER_OTA_STATE_NEW)))
        rc = cli_err("%s: making %s boot: %s", file, slot_name, otter_host_strerror(ret));
    if (rc == 0) {
        otter_boot_result_t r;
        otter_boot_peek(&d.boot, &r);
        printf("wrote %zu bytes to %s (%s) at 0x%06x", len, otter_slot_name(slot), p->label, (unsigned)p->offset);
        char version[4 * sizeof info.app.version];
        if (info.has_app_desc)
            printf(", version \"%s\"", cli_escape(info.app.version, version, sizeof version));
        printf("\nnext boot: %s\n", r.why);
    }
    otter_norsim_close(&d.sim);
    free(img);
    return rc;
}

/* --- info -------------------------------------------------------------------- */

struct slot_info {
    const otter_partition_t *p;
    uint8_t first[16];
    int empty;
    int verdict;
    otter_image_info_t info;
};

static void inspect_slot(struct dev *d, const otter_partition_t *p, struct slot_info *s)
{
    uint8_t work[4096];
    memset(s, 0, sizeof *s);
    s->p = p;
    d->fl.read(d->fl.ctx, p->offset, s->first, p->size < 16 ? p->size : 16);
    s->empty = 1;
    for (int i = 0; i < 16; i++)
        if (s->first[i] != 0xFF)
            s->empty = 0;
    s->verdict = s->empty ? OTTER_ERR_IMG_MAGIC
                          : otter_image_validate_flash(&d->fl, p->offset, p->size, &s->info, work, sizeof work);
}

static uint64_t part_erases(const struct dev *d, const otter_partition_t *p)
{
    uint64_t n = 0;
    for (uint32_t s = p->offset / 4096; s < (p->offset + p->size + 4095) / 4096; s++)
        n += otter_norsim_sector_erases(&d->sim, s);
    return n;
}

static void json_copy(FILE *f, const otter_otadata_t *od, int i, unsigned n)
{
    const otter_ota_entry_t *e = &od->copy[i];
    const char *st = otter_ota_state_name(e->state);
    fprintf(f, "{\"copy\": %d, \"offset\": %u, \"blank\": %s, \"seq\": %u, \"state\": ", i,
            (unsigned)(od->offset + (uint32_t)i * 4096u), otter_ota_entry_blank(e) ? "true" : "false", (unsigned)e->seq);
    if (st)
        cli_json_str(f, st);
    else
        fputs("null", f);
    fprintf(f, ", \"state_value\": %u, \"crc\": %u, \"crc_ok\": %s, \"valid\": %s, \"slot\": ", (unsigned)e->state,
            (unsigned)e->crc, otter_ota_entry_crc_ok(e) ? "true" : "false",
            otter_ota_entry_valid(e) ? "true" : "false");
    if (otter_ota_entry_crc_ok(e) && n)
        cli_json_str(f, otter_slot_name(OTTER_PT_SUBTYPE_OTA((e->seq - 1u) % n)));
    else
        fputs("null", f);
    fputc('}', f);
}

static void json_info(const char *file, struct dev *d, const otter_otadata_t *od, int od_ret,
                      const otter_boot_result_t *r, const struct slot_info *slots, size_t nslots)
{
    FILE *f = stdout;
    unsigned n = otter_ptable_ota_count(&d->pt);
    fputs("{\"file\": ", f);
    cli_json_str(f, file);
    fprintf(f, ", \"size\": %u, \"partitions\": [", (unsigned)d->fl.size);
    for (uint32_t i = 0; i < d->pt.count; i++) {
        const otter_partition_t *p = &d->pt.entry[i];
        const char *tn = otter_ptable_type_name(p->type), *sn = otter_ptable_subtype_name(p->type, p->subtype);
        fprintf(f, "%s{\"label\": ", i ? ", " : "");
        cli_json_str(f, p->label);
        fputs(", \"type\": ", f);
        tn ? cli_json_str(f, tn) : (void)fprintf(f, "%u", p->type);
        fputs(", \"subtype\": ", f);
        sn ? cli_json_str(f, sn) : (void)fprintf(f, "%u", p->subtype);
        fprintf(f, ", \"offset\": %u, \"size\": %u, \"flags\": %u, \"erases\": %llu}", (unsigned)p->offset,
                (unsigned)p->size, (unsigned)p->flags, (unsigned long long)part_erases(d, p));
    }
    fputs("], \"otadata\": ", f);
    if (od_ret)
        fputs("null", f);
    else {
        fprintf(f, "{\"offset\": %u, \"active\": ", (unsigned)od->offset);
        od->active < 0 ? (void)fputs("null", f) : (void)fprintf(f, "%d", od->active);
        fputs(", \"copies\": [", f);
        json_copy(f, od, 0, n);
        fputs(", ", f);
        json_copy(f, od, 1, n);
        fputs("]}", f);
    }
    fputs(", \"next_boot\": {\"slot\": ", f);
    r->found ? cli_json_str(f, otter_slot_name(r->slot)) : (void)fputs("null", f);
    fputs(", \"label\": ", f);
    r->found ? cli_json_str(f, r->part->label) : (void)fputs("null", f);
    fputs(", \"reason\": ", f);
    cli_json_str(f, otter_boot_reason_name(r->reason));
    fputs(", \"why\": ", f);
    cli_json_str(f, r->why);
    fputs("}, \"apps\": [", f);
    for (size_t i = 0; i < nslots; i++) {
        const struct slot_info *s = &slots[i];
        fprintf(f, "%s{\"slot\": ", i ? ", " : "");
        cli_json_str(f, otter_slot_name(s->p->subtype));
        fputs(", \"label\": ", f);
        cli_json_str(f, s->p->label);
        fprintf(f, ", \"offset\": %u, \"first_bytes\": \"", (unsigned)s->p->offset);
        cli_print_hex(f, s->first, 16);
        fprintf(f, "\", \"empty\": %s, \"valid\": %s, \"error\": ", s->empty ? "true" : "false",
                s->verdict ? "false" : "true");
        s->verdict ? cli_json_str(f, otter_host_errname(s->verdict)) : (void)fputs("null", f);
        fputs(", \"version\": ", f);
        s->info.has_app_desc ? cli_json_str(f, s->info.app.version) : (void)fputs("null", f);
        fputs(", \"project\": ", f);
        s->info.has_app_desc ? cli_json_str(f, s->info.app.project_name) : (void)fputs("null", f);
        fprintf(f, ", \"image_len\": %u}", s->verdict ? 0u : (unsigned)s->info.image_len);
    }
    uint64_t total = 0, max = 0;
    for (uint32_t s = 0; s < otter_norsim_sector_count(&d->sim); s++) {
        uint32_t e = otter_norsim_sector_erases(&d->sim, s);
        total += e;
        max = e > max ? e : max;
    }
    fprintf(f, "], \"erases\": {\"total\": %llu, \"max_sector\": %llu}}\n", (unsigned long long)total,
            (unsigned long long)max);
}

static void text_copy(const otter_otadata_t *od, int i, unsigned n)
{
    const otter_ota_entry_t *e = &od->copy[i];
    const char *st = otter_ota_state_name(e->state);
    printf("  copy %d at 0x%06x: ", i, (unsigned)(od->offset + (uint32_t)i * 4096u));
    if (otter_ota_entry_blank(e)) {
        puts("blank");
        return;
    }
    printf("seq %u, state %s", (unsigned)e->seq, st ? st : "unknown");
    if (!st)
        printf(" (0x%08x)", (unsigned)e->state);
    printf(", crc 0x%08x %s", (unsigned)e->crc, otter_ota_entry_crc_ok(e) ? "ok" : "BAD");
    if (otter_ota_entry_crc_ok(e) && n)
        printf(", selects %s", otter_slot_name(OTTER_PT_SUBTYPE_OTA((e->seq - 1u) % n)));
    printf("%s\n", od->active == i ? "  <- active" : otter_ota_entry_valid(e) ? "" : "  (not usable)");
}

static void text_info(const char *file, struct dev *d, const otter_otadata_t *od, int od_ret,
                      const otter_boot_result_t *r, const struct slot_info *slots, size_t nslots)
{
    unsigned n = otter_ptable_ota_count(&d->pt);
    printf("flash %s: %u bytes\n\npartitions (%u%s):\n", file, (unsigned)d->fl.size, (unsigned)d->pt.count,
           d->pt.has_md5 ? ", MD5 ok" : ", no MD5 row");
    printf("  %-16s %-5s %-9s %-10s %-10s %-5s %s\n", "label", "type", "subtype", "offset", "size", "flags", "erases");
    for (uint32_t i = 0; i < d->pt.count; i++) {
        const otter_partition_t *p = &d->pt.entry[i];
        const char *tn = otter_ptable_type_name(p->type), *sn = otter_ptable_subtype_name(p->type, p->subtype);
        char tb[8], sb[8];
        snprintf(tb, sizeof tb, "0x%02x", p->type);
        snprintf(sb, sizeof sb, "0x%02x", p->subtype);
        printf("  %-16s %-5s %-9s 0x%08x 0x%08x %-5u %llu\n", p->label, tn ? tn : tb, sn ? sn : sb,
               (unsigned)p->offset, (unsigned)p->size, (unsigned)p->flags, (unsigned long long)part_erases(d, p));
    }
    if (od_ret)
        printf("\notadata: %s\n", otter_host_strerror(od_ret));
    else {
        printf("\notadata at 0x%06x:\n", (unsigned)od->offset);
        text_copy(od, 0, n);
        text_copy(od, 1, n);
    }
    printf("\nnext boot: %s [%s]\n  %s\n\napp slots:\n", r->found ? otter_slot_name(r->slot) : "nothing",
           otter_boot_reason_name(r->reason), r->why);
    for (size_t i = 0; i < nslots; i++) {
        const struct slot_info *s = &slots[i];
        printf("  %-8s %-12s 0x%08x  ", otter_slot_name(s->p->subtype), s->p->label, (unsigned)s->p->offset);
        cli_print_hex(stdout, s->first, 8);
        if (s->empty)
            puts("  empty");
        else if (s->verdict)
            printf("  not a valid app: %s\n", otter_host_strerror(s->verdict));
        else if (s->info.has_app_desc) {
            char version[4 * sizeof s->info.app.version], project[4 * sizeof s->info.app.project_name];
            printf("  valid, %u bytes, version \"%s\", project \"%s\"\n", (unsigned)s->info.image_len,
                   cli_escape(s->info.app.version, version, sizeof version),
                   cli_escape(s->info.app.project_name, project, sizeof project));
        }
        else
            printf("  valid, %u bytes, no app description\n", (unsigned)s->info.image_len);
    }
    uint64_t total = 0, max = 0;
    for (uint32_t s = 0; s < otter_norsim_sector_count(&d->sim); s++) {
        uint32_t e = otter_norsim_sector_erases(&d->sim, s);
        total += e;
        max = e > max ? e : max;
    }
    printf("\nerases: %llu sector erases in total, at most %llu on one sector\n", (unsigned long long)total,
           (unsigned long long)max);
}

static int cmd_info(int argc, char **argv)
{
    const char *file = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (argv[i][0] != '-' && !file)
            file = argv[i];
        else
            return cli_usage_err("flash info: unexpected argument '%s'", argv[i]);
    }
    if (!file)
        return cli_usage_err("flash info: need FILE");
    struct dev d;
    int rc = dev_open(&d, file, 1);
    if (rc)
        return rc;
    otter_otadata_t od;
    otter_boot_result_t r;
    int od_ret = otter_otadata_read(&od, &d.fl, &d.pt);
    otter_boot_peek(&d.boot, &r);
    const otter_partition_t *apps[OTTER_PT_OTA_MAX + 2];
    struct slot_info slots[OTTER_PT_OTA_MAX + 2];
    size_t n = otter_ptable_app_slots(&d.pt, apps, OTTER_PT_OTA_MAX + 2);
    for (size_t i = 0; i < n; i++)
        inspect_slot(&d, apps[i], &slots[i]);
    if (json)
        json_info(file, &d, &od, od_ret, &r, slots, n);
    else
        text_info(file, &d, &od, od_ret, &r, slots, n);
    if (od_ret == 0 && !otter_ota_entry_blank(&od.copy[0]) && !otter_ota_entry_blank(&od.copy[1]) &&
        !otter_ota_entry_crc_ok(&od.copy[0]) && !otter_ota_entry_crc_ok(&od.copy[1]))
        rc = cli_err("%s: both otadata copies are corrupt (CRC mismatch)", file);
    else if (od_ret && od_ret != OTTER_ERR_OTADATA_MISSING)
        rc = cli_err("%s: otadata: %s", file, otter_host_strerror(od_ret));
    otter_norsim_close(&d.sim);
    return rc;
}

/* --- boot -------------------------------------------------------------------- */

static void print_boot(const otter_boot_result_t *r, int json)
{
    if (!json) {
        printf("boot: %s\n", r->why);
        return;
    }
    fputs("{\"slot\": ", stdout);
    r->found ? cli_json_str(stdout, otter_slot_name(r->slot)) : (void)fputs("null", stdout);
    fputs(", \"reason\": ", stdout);
    cli_json_str(stdout, otter_boot_reason_name(r->reason));
    fputs(", \"why\": ", stdout);
    cli_json_str(stdout, r->why);
    puts("}");
}

/* --confirm: say what was written, and fail when there was nothing to
 * confirm (the booted app is not the one otadata selects). */
static int confirm_running(struct dev *d, const otter_boot_result_t *r, const char *file, int json)
{
    otter_otadata_t od;
    int ret = otter_otadata_read(&od, &d->fl, &d->pt);
    int slot = ret == 0 ? otter_otadata_active_slot(&od, otter_ptable_ota_count(&d->pt)) : -1;
    const char *name = otter_slot_name(r->slot);
    if (slot < 0 || OTTER_PT_SUBTYPE_OTA((unsigned)slot) != r->slot)
        return cli_err("%s: nothing to confirm, nothing written: %s is not the app otadata selects (%s)", file,
                       name ? name : "?", r->why);
    if (od.copy[od.active].state == OTTER_OTA_STATE_VALID) {
        if (!json)
            printf("%s is already confirmed (otadata VALID): nothing written\n", name);
        return CLI_EXIT_OK;
    }
    ret = otter_boot_mark_valid(&d->boot);
    if (ret)
        return cli_err("%s: confirm: %s", file, otter_host_strerror(ret));
    if (!json)
        printf("confirmed %s (otadata VALID written)\n", name);
    return CLI_EXIT_OK;
}

static int cmd_boot(int argc, char **argv)
{
    const char *file = NULL;
    int json = 0, confirm = 0, reject = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (!strcmp(argv[i], "--confirm"))
            confirm = 1;
        else if (!strcmp(argv[i], "--reject"))
            reject = 1;
        else if (argv[i][0] != '-' && !file)
            file = argv[i];
        else
            return cli_usage_err("flash boot: unexpected argument '%s'", argv[i]);
    }
    if (!file || (confirm && reject))
        return cli_usage_err("flash boot: need FILE and at most one of --confirm, --reject");
    struct dev d;
    int rc = dev_open(&d, file, 1), ret;
    if (rc)
        return rc;
    otter_boot_result_t r;
    ret = otter_boot_select(&d.boot, &r);
    print_boot(&r, json);
    if (ret)
        rc = cli_err("%s: %s", file, otter_host_strerror(ret));
    else if (confirm)
        rc = confirm_running(&d, &r, file, json);
    else if (reject && (ret = otter_boot_mark_invalid_rollback(&d.boot)) != 0)
        rc = cli_err("%s: reject: %s", file, otter_host_strerror(ret));
    else if (reject) {
        if (!json)
            printf("rejected %s; rebooting\n", otter_slot_name(r.slot));
        ret = otter_boot_select(&d.boot, &r);
        print_boot(&r, json);
        if (ret)
            rc = cli_err("%s: %s", file, otter_host_strerror(ret));
    }
    otter_norsim_close(&d.sim);
    return rc;
}

int otter_cmd_flash(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
        const char *usage;
    } cmds[] = {
        {"init", cmd_init, usage_init},
        {"write", cmd_write, usage_write},
        {"info", cmd_info, usage_info},
        {"boot", cmd_boot, usage_boot},
    };
    if (argc < 2) {
        fputs(usage_main, stderr);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage_main, stdout);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(argv[1], cmds[i].name)) {
            if (wants_help(argc - 1, argv + 1)) {
                fputs(cmds[i].usage, stdout);
                return CLI_EXIT_OK;
            }
            return cmds[i].fn(argc - 1, argv + 1);
        }
    fprintf(stderr, "otter: flash: unknown command '%s'\n\n%s", argv[1], usage_main);
    return CLI_EXIT_USAGE;
}
