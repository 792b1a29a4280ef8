/* otter image info|make: inspect and make ESP app images. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "imgmake.h"
#include "otter/crypto.h"
#include "host_error.h"
#include "otter/image.h"
#include "otter/sigblock.h"
#include "sign.h"

static const char *const spi_modes[] = {"QIO", "QOUT", "DIO", "DOUT", "FAST_READ", "SLOW_READ"};

static const char *spi_mode_name(uint8_t m)
{
    return m < sizeof spi_modes / sizeof spi_modes[0] ? spi_modes[m] : "unknown";
}

static const char *kind_name(otter_image_kind_t k)
{
    return k == OTTER_IMAGE_KIND_APP          ? "app"
           : k == OTTER_IMAGE_KIND_BOOTLOADER ? "bootloader"
           : k == OTTER_IMAGE_KIND_RAM_APP    ? "RAM-only app"
                                              : "unknown";
}

static const char *verdict_word(int v)
{
    if (v == OTTER_OK)
        return "ok";
    if (v == OTTER_IMAGE_PENDING)
        return "not reached";
    if (v == OTTER_IMAGE_NA)
        return "n/a";
    return otter_host_errname(v);
}

static const char *seg_kind(const otter_image_info_t *in, const otter_image_segment_t *s)
{
    if (s->load_addr == 0)
        return "padding";
    return otter_image_addr_flash_mapped(in->chip_id, s->load_addr) ? "flash" : "ram";
}

/* Signature blocks of the file, checked without trust. */
struct siginfo {
    int where; /* 0 ok, else OTTER_ERR_SIG_NONE / _PADDING */
    size_t off;
    otter_sigblock_result_t res[OTTER_SIG_MAX_BLOCKS];
};

static void check_sigs(const uint8_t *d, size_t n, struct siginfo *si)
{
    uint8_t d256[32], d384[48];
    memset(si, 0, sizeof *si);
    si->where = otter_sign_find_sector(d, n, &si->off);
    if (si->where != OTTER_OK)
        return;
    otter_sha256(d, si->off, d256);
    otter_host_sha384(d, si->off, d384);
    for (unsigned i = 0; i < OTTER_SIG_MAX_BLOCKS; i++)
        otter_sigblock_check(d + si->off + i * OTTER_SIG_BLOCK_LEN, d256, d384, &si->res[i]);
}

static void print_text(const char *path, size_t n, int verdict, const otter_image_t *img, const struct siginfo *si)
{
    const otter_image_info_t *in = otter_image_info(img);
    printf("file:        %s (%zu bytes)\n", path, n);
    printf("verdict:     %s%s%s\n", verdict ? otter_host_errname(verdict) : "OK", verdict ? ": " : "",
           verdict ? otter_host_strerror(verdict) : "");
    if (verdict < 0 && (otter_image_fix(verdict) || verdict == OTTER_ERR_IMG_MAGIC)) {
        char why[512];
        otter_image_explain(img, verdict, why, sizeof why);
        printf("             %s\n", why);
    }
    if (in->header_verdict != OTTER_OK) {
        if (in->header_verdict < 0)
            return;
    }
    printf("kind:        %s\n", kind_name(in->kind));
    printf("chip:        %s (id %u), revision min %u.%02u, max ", otter_image_chip_name(in->chip_id), in->chip_id,
           in->min_chip_rev_full / 100, in->min_chip_rev_full % 100);
    if (in->max_chip_rev_full == 0 || in->max_chip_rev_full == 0xFFFF)
        printf("not set\n");
    else
        printf("%u.%02u\n", in->max_chip_rev_full / 100, in->max_chip_rev_full % 100);
    printf("flash:       mode %s, size code %u, speed code 0x%x\n", spi_mode_name(in->spi_mode), in->spi_size,
           in->spi_speed);
    printf("entry:       0x%08x\n", in->entry_addr);
    printf("segments:    %u\n", in->segment_count);
    for (unsigned i = 0; i < in->segments_seen; i++) {
        const otter_image_segment_t *s = &in->seg[i];
        printf("  %2u  load 0x%08x  len %8u  at 0x%06x  %s\n", i, s->load_addr, s->data_len, s->offset,
               seg_kind(in, s));
    }
    printf("padding:     %s\n", verdict_word(in->padding_verdict));
    printf("checksum:    %s (stored 0x%02x, computed 0x%02x)\n", verdict_word(in->checksum_verdict),
           in->checksum_stored, in->checksum_calc);
    printf("hash:        %s", verdict_word(in->hash_verdict));
    if (in->hash_verdict != OTTER_IMAGE_PENDING) {
        printf(" (computed ");
        cli_print_hex(stdout, in->hash_calc, 32);
        printf(")");
    }
    printf("\nlength:      image %u, signed_len %u, trailing %llu\n", in->image_len, in->signed_len,
           (unsigned long long)in->trailing);
    if (in->has_app_desc) {
        const otter_app_desc_t *a = &in->app;
        char v[4 * sizeof a->version], p[4 * sizeof a->project_name], idf[4 * sizeof a->idf_ver],
            dt[4 * sizeof a->date], tm[4 * sizeof a->time];
        printf("version:     %s\nproject:     %s\nsecure_ver:  %u\nidf_ver:     %s\nbuilt:       %s %s\nelf_sha256:  ",
               cli_escape(a->version, v, sizeof v), cli_escape(a->project_name, p, sizeof p), a->secure_version,
               cli_escape(a->idf_ver, idf, sizeof idf), cli_escape(a->date, dt, sizeof dt),
               cli_escape(a->time, tm, sizeof tm));
        cli_print_hex(stdout, a->app_elf_sha256, 32);
        printf("\n");
    } else if (in->has_boot_desc) {
        char idf[4 * sizeof in->boot.idf_ver], dt[4 * sizeof in->boot.date_time];
        printf("bootloader:  version %u, idf_ver %s, built %s, secure_version %u\n", in->boot.version,
               cli_escape(in->boot.idf_ver, idf, sizeof idf), cli_escape(in->boot.date_time, dt, sizeof dt),
               in->boot.secure_version);
    } else if (in->kind != OTTER_IMAGE_KIND_UNKNOWN) {
        printf("app desc:    none (image older than ESP-IDF 3.3)\n");
    }
    if (si->where != OTTER_OK) {
        printf("signature:   none\n");
        return;
    }
    printf("signature:   sector at 0x%zx\n", si->off);
    for (unsigned i = 0; i < OTTER_SIG_MAX_BLOCKS; i++) {
        const otter_sigblock_result_t *r = &si->res[i];
        if (r->status == OTTER_SIG_ABSENT)
            continue;
        printf("  block %u:   %s, ", i, otter_sig_scheme_name(r->scheme));
        if (r->scheme != OTTER_SIG_SCHEME_NONE) {
            printf("key digest ");
            cli_print_hex(stdout, r->key_digest, 32);
            printf(", ");
        }
        printf("%s\n", r->status == OTTER_OK ? "signature valid (trust not checked)" : otter_host_strerror(r->status));
    }
}

static void json_verdict(const char *name, int v)
{
    printf("\"%s\":", name);
    cli_json_str(stdout, verdict_word(v));
}

static void print_json(const char *path, size_t n, int verdict, const otter_image_t *img, const struct siginfo *si)
{
    const otter_image_info_t *in = otter_image_info(img);
    printf("{\"file\":");
    cli_json_str(stdout, path);
    printf(",\"size\":%zu,\"verdict\":", n);
    cli_json_str(stdout, verdict ? otter_host_errname(verdict) : "OK");
    if (verdict < 0) {
        char why[512];
        otter_image_explain(img, verdict, why, sizeof why);
        printf(",\"explanation\":");
        cli_json_str(stdout, why);
    }
    printf(",\"error\":%d,\"error_offset\":%d,\"kind\":\"%s\",\"chip_id\":%u,\"chip\":", verdict, in->error_offset,
           kind_name(in->kind), in->chip_id);
    cli_json_str(stdout, otter_image_chip_name(in->chip_id));
    printf(",\"min_chip_rev_full\":%u,\"max_chip_rev_full\":%u,\"spi_mode\":%u,\"spi_speed\":%u,\"spi_size\":%u,"
           "\"entry\":%u,\"hash_appended\":%u,\"segment_count\":%u,\"segments\":[",
           in->min_chip_rev_full, in->max_chip_rev_full, in->spi_mode, in->spi_speed, in->spi_size, in->entry_addr,
           in->hash_appended, in->segment_count);
    for (unsigned i = 0; i < in->segments_seen; i++)
        printf("%s{\"load_addr\":%u,\"len\":%u,\"offset\":%u}", i ? "," : "", in->seg[i].load_addr, in->seg[i].data_len,
               in->seg[i].offset);
    printf("],\"image_len\":%u,\"signed_len\":%u,\"trailing\":%llu,\"checksum_stored\":%u,\"checksum_calc\":%u,",
           in->image_len, in->signed_len, (unsigned long long)in->trailing, in->checksum_stored, in->checksum_calc);
    json_verdict("header", in->header_verdict);
    putchar(',');
    json_verdict("segments_verdict", in->segments_verdict);
    putchar(',');
    json_verdict("padding", in->padding_verdict);
    putchar(',');
    json_verdict("checksum", in->checksum_verdict);
    putchar(',');
    json_verdict("hash", in->hash_verdict);
    printf(",\"sha256\":\"");
    cli_print_hex(stdout, in->hash_calc, 32);
    printf("\",\"app_desc\":");
    if (in->has_app_desc) {
        printf("{\"version\":");
        cli_json_str(stdout, in->app.version);
        printf(",\"project_name\":");
        cli_json_str(stdout, in->app.project_name);
        printf(",\"secure_version\":%u,\"idf_ver\":", in->app.secure_version);
        cli_json_str(stdout, in->app.idf_ver);
        printf(",\"date\":");
        cli_json_str(stdout, in->app.date);
        printf(",\"time\":");
        cli_json_str(stdout, in->app.time);
        printf(",\"app_elf_sha256\":\"");
        cli_print_hex(stdout, in->app.app_elf_sha256, 32);
        printf("\"}");
    } else {
        printf("null");
    }
    printf(",\"boot_desc\":");
    if (in->has_boot_desc) {
        printf("{\"version\":%u,\"secure_version\":%u,\"idf_ver\":", in->boot.version, in->boot.secure_version);
        cli_json_str(stdout, in->boot.idf_ver);
        printf(",\"date_time\":");
        cli_json_str(stdout, in->boot.date_time);
        printf("}");
    } else {
        printf("null");
    }
    printf(",\"signature_blocks\":[");
    for (unsigned i = 0, k = 0; si->where == OTTER_OK && i < OTTER_SIG_MAX_BLOCKS; i++) {
        const otter_sigblock_result_t *r = &si->res[i];
        if (r->status == OTTER_SIG_ABSENT)
            continue;
        printf("%s{\"index\":%u,\"scheme\":\"%s\",\"status\":\"%s\",\"key_digest\":\"", k++ ? "," : "", i,
               otter_sig_scheme_name(r->scheme), r->status ? otter_host_errname(r->status) : "OK");
        cli_print_hex(stdout, r->key_digest, 32);
        printf("\"}");
    }
    printf("]}\n");
}

static int image_info(int argc, char **argv)
{
    const char *path = NULL, *v;
    bool json = false;
    uint16_t chip = OTTER_CHIP_ANY;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            puts("usage: otter image info FILE [--json] [--chip CHIP]\n"
                 "Checks an ESP app image (header, segments, checksum, hash, app description, signatures);\n"
                 "any other file is named (ELF, merged flash image, bootloader, partition table, otadata,\n"
                 "UF2, ZIP, gzip, pre-encrypted image, RAM-only app, ESP8266 image, HTML, JSON, text)\n"
                 "with what to serve instead. Exits 0 only for a complete, intact app image.");
            return CLI_EXIT_OK;
        }
        if (!strcmp(argv[i], "--json"))
            json = true;
        else if ((v = cli_opt(argc, argv, &i, "--chip"))) {
            if (otter_image_chip_from_name(v, &chip))
                return cli_usage_err("unknown chip '%s'", v);
        } else if (argv[i][0] == '-' || path)
            return cli_usage_err("image info: unexpected '%s'", argv[i]);
        else
            path = argv[i];
    }
    if (!path)
        return cli_usage_err("usage: otter image info FILE [--json] [--chip CHIP]");
    size_t n;
    uint8_t *d = cli_read_file(path, &n);
    if (!d)
        return CLI_EXIT_FAIL;
    otter_image_t img;
    otter_image_init(&img, chip);
    otter_image_set_file_len(&img, n > UINT32_MAX ? UINT32_MAX : (uint32_t)n);
    otter_image_feed(&img, d, n);
    int verdict = otter_image_finish(&img);
    /* The whole file is here: a bootloader with a partition table at
     * 0x8000 behind it is a merged flash image. */
    if (otter_image_identify(d, n, n) == OTTER_ERR_IMG_MERGED)
        verdict = OTTER_ERR_IMG_MERGED;
    struct siginfo si;
    check_sigs(d, n, &si);
    if (json)
        print_json(path, n, verdict, &img, &si);
    else
        print_text(path, n, verdict, &img, &si);
    otter_image_free(&img);
    free(d);
    return verdict == OTTER_OK ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static int parse_u32(const char *s, uint32_t *out)
{
    uint64_t v;
    if (cli_parse_size(s, &v) || v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int image_make(int argc, char **argv)
{
    otter_imgmake_t p;
    const char *out = NULL, *v;
    otter_imgmake_defaults(&p);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            puts("usage: otter image make --chip CHIP --version V --project P [--secure-version N]\n"
                 "                        --size BYTES [--seed S] [--idf-ver X] [--no-hash] [--no-desc] --out FILE\n"
                 "Writes a deterministic synthetic app image (for tests and demos).");
            return CLI_EXIT_OK;
        }
        if ((v = cli_opt(argc, argv, &i, "--chip"))) {
            if (otter_image_chip_from_name(v, &p.chip) || p.chip == OTTER_CHIP_ANY)
                return cli_usage_err("unknown chip '%s'", v);
        } else if ((v = cli_opt(argc, argv, &i, "--version")))
            p.version = v;
        else if ((v = cli_opt(argc, argv, &i, "--project")))
            p.project = v;
        else if ((v = cli_opt(argc, argv, &i, "--idf-ver")))
            p.idf_ver = v;
        else if ((v = cli_opt(argc, argv, &i, "--secure-version"))) {
            if (parse_u32(v, &p.secure_version))
                return cli_usage_err("bad --secure-version '%s'", v);
        } else if ((v = cli_opt(argc, argv, &i, "--size"))) {
            if (parse_u32(v, &p.size) || p.size == 0 || p.size > 0x800000u)
                return cli_usage_err("bad --size '%s' (1 byte to 8M)", v);
        } else if ((v = cli_opt(argc, argv, &i, "--seed"))) {
            if (parse_u32(v, &p.seed))
                return cli_usage_err("bad --seed '%s'", v);
        } else if ((v = cli_opt(argc, argv, &i, "--out")))
            out = v;
        else if (!strcmp(argv[i], "--no-hash"))
            p.no_hash = true;
        else if (!strcmp(argv[i], "--no-desc"))
            p.no_desc = true;
        else
            return cli_usage_err("image make: unexpected '%s'", argv[i]);
    }
    if (!out)
        return cli_usage_err("usage: otter image make --chip CHIP --version V --project P [--secure-version N] "
                             "--size BYTES [--seed S] [--idf-ver X] [--no-hash] [--no-desc] --out FILE");
    if (strlen(p.version) > 32 || strlen(p.project) > 32 || (p.idf_ver && strlen(p.idf_ver) > 32))
        return cli_usage_err("--version, --project and --idf-ver are at most 32 bytes");
    size_t len;
    uint8_t *img = otter_imgmake_alloc(&p, &len);
    if (!img)
        return cli_err("cannot make the image");
    int rc = cli_write_file(out, img, len) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
    if (rc == CLI_EXIT_OK)
        printf("wrote %s: %zu bytes, %s app \"%s\" version \"%s\" secure_version %u\n", out, len,
               otter_image_chip_name(p.chip), p.project, p.version, p.secure_version);
    free(img);
    return rc;
}

int otter_cmd_image(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        /* --help asked for it: stdout, 0; no command: a usage error, stderr, 2 */
        fputs("usage: otter image info FILE [--json] [--chip CHIP]\n"
              "       otter image make --chip CHIP --version V --project P [--secure-version N]\n"
              "                        --size BYTES [--seed S] [--idf-ver X] [--no-hash] [--no-desc] --out FILE\n"
              "info exits 0 only for a complete, intact app image.\n",
              argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    if (!strcmp(argv[1], "info"))
        return image_info(argc - 1, argv + 1);
    if (!strcmp(argv[1], "make"))
        return image_make(argc - 1, argv + 1);
    return cli_usage_err("unknown image command '%s'", argv[1]);
}
