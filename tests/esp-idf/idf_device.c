/* An emulated ESP32 on ESP-IDF's linux target, for tests: one process is
 * one boot. The simulated bootloader runs first (idf_host_boot), then the
 * command, as "the app", in FreeRTOS tasks (POSIX port):
 *
 *   ptable TABLE.bin             otter_esp_ptable_load() on a new flash
 *   init TABLE.bin FLASH IMAGE   new flash; IMAGE raw-written to ota_0,
 *                                esp_ota_set_boot_partition(ota_0) and
 *                                esp_ota_mark_app_valid_cancel_rollback()
 *   boot FLASH                   the boot only (prints what it chose)
 *   update FLASH URL CA.pem      otter_esp_ota_start_task(): the update task
 *   state FLASH                  esp_ota_get_boot_partition() and each slot's
 *                                esp_ota_get_state_partition()
 *   confirm-idf | confirm-otter FLASH      mark the running app valid
 *   rollback-idf | rollback-otter FLASH    mark it invalid (and reboot)
 *   guard FLASH                  the port's flash refuses the running slot
 *   misport FLASH URL CA         a port that names the running slot as the
 *                                target: the engine refuses it, nothing erased
 *   setboot-idf FLASH SLOT       esp_ota_set_boot_partition(SLOT)
 *
 * Options (after the arguments): pin=SPKI (with CA "-": pins only), cut=N (power cut after N fail_after
 * units, exit 42), record=FILE (log every write/erase), expect=SLOT (the
 * boot must choose SLOT).
 * Prints "key=value" lines for the shell tests. Exit 0 on success, 10 "up
 * to date", 1 failure, 3 the boot chose an app that does not verify. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_image_format.h"
#include "esp_log.h"
#include "esp_ota_ops.h"
#include "esp_partition.h"
#include "esp_private/partition_linux.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "idf_host.h"
#include "otter/error.h"
#include "otter_esp.h"

int idf_port_main(int argc, const char **argv);

static int g_argc;
static const char **g_argv;

static const char *opt(const char *name)
{
    size_t n = strlen(name);
    for (int i = 1; i < g_argc; i++)
        if (!strncmp(g_argv[i], name, n) && g_argv[i][n] == '=')
            return g_argv[i] + n + 1;
    return NULL;
}

static const esp_partition_t *slot(const char *name)
{
    return esp_partition_find_first(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_ANY, name);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    if (len)
        *len = (size_t)n;
    return buf;
}

static void print_states(void)
{
    const esp_partition_t *boot = esp_ota_get_boot_partition();
    printf("boot=%s\n", boot ? boot->label : "none");
    for (int i = 0; i < 16; i++) {
        const esp_partition_t *p =
            esp_partition_find_first(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_APP_OTA_MIN + i, NULL);
        if (!p)
            break;
        esp_ota_img_states_t st;
        esp_err_t e = esp_ota_get_state_partition(p, &st);
        printf("state_%s=%s\n", p->label, e == ESP_OK ? idf_host_state_name(st) : esp_err_to_name(e));
    }
}

static int cmd_init(const char *table, const char *out, const char *image)
{
    const char *tmp = idf_host_flash_new(table, 0);
    if (!tmp)
        return 1;
    size_t len = 0;
    char *img = read_file(image, &len);
    /* the first OTA slot, whatever its label (Arduino's tables say app0) */
    const esp_partition_t *p = esp_partition_find_first(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_APP_OTA_0, NULL);
    if (!img || !p || len > p->size)
        return 1;
    esp_err_t e = esp_partition_erase_range(p, 0, (len + 4095) & ~(size_t)4095);
    /* in 4 KB writes: the emulator's statistics mis-handle larger ones */
    for (size_t off = 0; e == ESP_OK && off < len; off += 4096)
        e = esp_partition_write(p, off, img + off, len - off < 4096 ? len - off : 4096);
    free(img);
    if (e == ESP_OK)
        e = esp_ota_set_boot_partition(p);
    idf_host_set_running_offset(p->address);
    if (e == ESP_OK)
        e = esp_ota_mark_app_valid_cancel_rollback();
    printf("init=%s\n", esp_err_to_name(e));
    print_states();
    int rc = e == ESP_OK && idf_host_flash_save(out) == 0 ? 0 : 1;
    /* munmap deletes the temp file when the *input* asks for it */
    esp_partition_get_file_mmap_ctrl_input()->remove_dump = true;
    esp_partition_file_munmap();
    return rc;
}

/* The port's view of a table: otter_esp_ptable_load() over ESP-IDF's list. */
static int cmd_ptable(const char *table)
{
    if (!idf_host_flash_new(table, 0))
        return 1;
    unsigned n = 0;
    esp_partition_iterator_t it = esp_partition_find(ESP_PARTITION_TYPE_ANY, ESP_PARTITION_SUBTYPE_ANY, NULL);
    for (; it; it = esp_partition_next(it))
        n++;
    static otter_ptable_t pt;
    int oerr = 0;
    esp_err_t e = otter_esp_ptable_load(&pt, &oerr);
    printf("ptable=%s otter_err=%s count=%u esp_partitions=%u\n", esp_err_to_name(e), otter_errname(oerr),
           (unsigned)pt.count, n);
    esp_partition_get_file_mmap_ctrl_input()->remove_dump = true;
    esp_partition_file_munmap();
    return e == ESP_OK ? 0 : 1;
}

/* --- the update ---------------------------------------------------------- */

static otter_esp_ota_t ota;
static volatile int done_flag;
static otter_esp_ota_result_t done_res;

static void on_event(void *ctx, const otter_update_event_t *ev)
{
    (void)ctx;
    switch (ev->kind) {
    case OTTER_UPDATE_EV_DECISION:
        printf("event=decision err=%d version=%s\n", ev->err, ev->app ? ev->app->version : "?");
        break;
    case OTTER_UPDATE_EV_RESUME:
        printf("event=resume offset=%u\n", (unsigned)ev->offset);
        break;
    case OTTER_UPDATE_EV_VERIFIED:
        printf("event=verified\n");
        break;
    case OTTER_UPDATE_EV_SWITCHED:
        printf("event=switched\n");
        break;
    default:
        break;
    }
}

static void on_done(void *ctx, const otter_esp_ota_result_t *r)
{
    (void)ctx;
    done_res = *r;
    done_flag = 1;
}

static int cmd_update(const char *url, const char *ca_path)
{
    /* "-": no CA, trust by pin=... only */
    char *ca = strcmp(ca_path, "-") ? read_file(ca_path, NULL) : NULL;
    if (!ca && strcmp(ca_path, "-"))
        return 1;
    static const char *pins[2];
    pins[0] = opt("pin");
    otter_esp_ota_config_t cfg = OTTER_ESP_OTA_CONFIG_DEFAULT();
    cfg.url = url;
    /* The real Arduino-built app's version is a commit hash ("8cabf2c"),
     * which the version rule cannot compare with 1.0.0: this project opts in. */
    cfg.policy.allow_incomparable = true;
    cfg.ca_pem = ca;
    cfg.pins = pins;
    cfg.on_event = on_event;
    cfg.on_done = on_done;
    /* x86-64 frames are larger than Xtensa's: more than the 8 KB default */
    cfg.task_stack = 65536;
    esp_err_t e = otter_esp_ota_start_task(&ota, &cfg);
    if (e != ESP_OK) {
        char buf[256];
        printf("start=%s otter_err=%s\nexplain=%s\n", otter_esp_err_to_name(e), otter_errname(otter_esp_ota_otter_err(&ota)),
               otter_esp_ota_explain(&ota, buf, sizeof buf));
        return 1;
    }
    while (!done_flag)
        vTaskDelay(pdMS_TO_TICKS(10));
    while (otter_esp_ota_running(&ota))
        vTaskDelay(1);
    const otter_update_status_t *st = done_res.status;
    printf("result=%s otter_err=%s outcome=%s target=%s done=%u total=%u resumed=%d redownloaded=%llu erases=%u "
           "longest_step_ms=%u\n",
           otter_esp_err_to_name(done_res.err), otter_errname(done_res.otter_err), otter_update_outcome_name(done_res.outcome),
           ota.target ? ota.target->label : "?", (unsigned)st->done, (unsigned)st->total, st->resumed_from_journal,
           (unsigned long long)st->redownloaded, (unsigned)st->erases, (unsigned)st->longest_step_ms);
    if (done_res.err != ESP_OK) {
        char buf[512];
        printf("explain=%s\n", otter_esp_ota_explain(&ota, buf, sizeof buf));
        return 1;
    }
    /* what ESP-IDF makes of it */
    if (done_res.outcome == OTTER_UPDATE_OUTCOME_UPDATED && ota.target) {
        esp_partition_pos_t pos = {.offset = ota.target->address, .size = ota.target->size};
        esp_image_metadata_t md;
        esp_err_t v = esp_image_verify(ESP_IMAGE_VERIFY_SILENT, &pos, &md);
        printf("esp_image_verify=%s image_len=%u segments=%u\n", esp_err_to_name(v), (unsigned)md.image_len,
               (unsigned)md.image.segment_count);
    }
    print_states();
    free(ca);
    return done_res.outcome == OTTER_UPDATE_OUTCOME_UP_TO_DATE ? 10 : 0;
}

/* The flash port as an update sets it up (otadata and the update slot
 * writable, app slots readable): erasing or programming the running slot
 * is refused and changes nothing. */
static int cmd_guard(const esp_partition_t *running)
{
    static otter_esp_flash_t f;
    otter_esp_flash_init(&f);
    const esp_partition_t *next = esp_ota_get_next_update_partition(running);
    otter_esp_flash_allow(&f, running, false);
    otter_esp_flash_allow(&f, next, true);
    otter_esp_flash_allow(&f, esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESP_PARTITION_SUBTYPE_DATA_OTA, NULL),
                          true);
    const otter_flash_t *fl = otter_esp_flash_port(&f);
    uint8_t before[16], after[16], zero[16] = {0};
    int r0 = fl->read(fl->ctx, running->address, before, sizeof before);
    int r1 = fl->erase(fl->ctx, running->address, 4096);
    int r2 = fl->program(fl->ctx, running->address + 4096, zero, sizeof zero);
    int r3 = fl->read(fl->ctx, running->address, after, sizeof after);
    int r4 = fl->erase(fl->ctx, next->address, 4096);
    printf("guard: read=%s erase_running=%s program_running=%s unchanged=%d erase_next=%s refused=%u\n",
           otter_errname(r0), otter_errname(r1), otter_errname(r2), r3 == 0 && !memcmp(before, after, sizeof before),
           otter_errname(r4), (unsigned)f.refused);
    return r1 == OTTER_ERR_FLASH_RANGE && r2 == OTTER_ERR_FLASH_RANGE && r4 == 0 ? 0 : 1;
}

/* Every partition's bytes, at their flash offsets (malloc'd; *size set). */
static uint8_t *snapshot_partitions(size_t *size)
{
    *size = 0;
    esp_partition_iterator_t it;
    for (it = esp_partition_find(ESP_PARTITION_TYPE_ANY, ESP_PARTITION_SUBTYPE_ANY, NULL); it; it = esp_partition_next(it))
        if (esp_partition_get(it)->address + esp_partition_get(it)->size > *size)
            *size = esp_partition_get(it)->address + esp_partition_get(it)->size;
    uint8_t *buf = calloc(1, *size ? *size : 1);
    for (it = esp_partition_find(ESP_PARTITION_TYPE_ANY, ESP_PARTITION_SUBTYPE_ANY, NULL); buf && it;
         it = esp_partition_next(it)) {
        const esp_partition_t *p = esp_partition_get(it);
        if (esp_partition_read(p, 0, buf + p->address, p->size) != ESP_OK) {
            free(buf);
            buf = NULL;
        }
    }
    return buf;
}

/* A port that reports the running slot as the target (and whose flash
 * would let it be written): the engine refuses it before any erase, the
 * flash byte-identical. */
static int cmd_misport(const esp_partition_t *running, const char *url, const char *ca_path)
{
    static otter_esp_ota_t ota;
    char *ca = read_file(ca_path, NULL);
    if (!ca)
        return 1;
    otter_esp_ota_config_t cfg = OTTER_ESP_OTA_CONFIG_DEFAULT();
    cfg.url = url;
    cfg.ca_pem = ca;
    esp_err_t e = otter_esp_ota_init(&ota, &cfg);
    if (e != ESP_OK) {
        printf("init=%s\n", esp_err_to_name(e));
        return 1;
    }
    ota.target = running;
    otter_esp_flash_allow(&ota.flash, running, true);
    ota.up.cfg.target = otter_ptable_app(&ota.pt, (uint8_t)running->subtype);
    size_t size = 0;
    uint8_t *before = snapshot_partitions(&size), *after = NULL;
    e = otter_esp_ota_perform(&ota);
    after = snapshot_partitions(&size);
    char buf[768];
    printf("misport: result=%s otter_err=%s erases=%u identical=%d\nexplain=%s\n", otter_esp_err_to_name(e),
           otter_errname(otter_esp_ota_otter_err(&ota)), (unsigned)otter_update_status(&ota.up)->erases,
           before && after && !memcmp(before, after, size), otter_esp_ota_explain(&ota, buf, sizeof buf));
    free(before);
    free(after);
    free(ca);
    return otter_esp_ota_otter_err(&ota) == OTTER_ERR_UPD_RUNNING_SLOT ? 0 : 1;
}

static int run(int argc, const char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    if (!strcmp(cmd, "init") && argc >= 5)
        return cmd_init(argv[2], argv[3], argv[4]);
    if (!strcmp(cmd, "ptable") && argc >= 3)
        return cmd_ptable(argv[2]);
    if (argc < 3 || idf_host_flash_open(argv[2]) != 0) {
        fprintf(stderr, "usage: see tests/esp-idf/idf_device.c\n");
        return 2;
    }
    idf_host_boot_t b;
    idf_host_boot(&b);
    printf("booted=%s copy=%d state=%s->%s verify=%s version=%s\n", b.part ? b.part->label : "none", b.active,
           idf_host_state_name(b.state_before), idf_host_state_name(b.state_after), esp_err_to_name(b.verify),
           b.version);
    if (b.verify != ESP_OK)
        return 3;
    if (opt("expect") && strcmp(opt("expect"), b.part->label) != 0) {
        printf("expected boot of %s\n", opt("expect"));
        return 1;
    }
    const esp_partition_t *running = esp_ota_get_running_partition();
    printf("running=%s\n", running ? running->label : "none");
    /* armed after the boot: only the command's own flash work counts */
    if (opt("record"))
        idf_host_record_ops(opt("record"));
    if (opt("cut"))
        idf_host_cut_after((size_t)strtoull(opt("cut"), NULL, 0));
    esp_err_t e = ESP_OK;
    int oerr = 0;
    if (!strcmp(cmd, "boot"))
        return 0;
    if (!strcmp(cmd, "state")) {
        print_states();
        return 0;
    }
    if (!strcmp(cmd, "update") && argc >= 5)
        return cmd_update(argv[3], argv[4]);
    if (!strcmp(cmd, "guard"))
        return cmd_guard(running);
    if (!strcmp(cmd, "misport") && argc >= 5)
        return cmd_misport(running, argv[3], argv[4]);
    if (!strcmp(cmd, "confirm-idf"))
        e = esp_ota_mark_app_valid_cancel_rollback();
    else if (!strcmp(cmd, "confirm-otter"))
        e = otter_esp_mark_app_valid(&oerr);
    else if (!strcmp(cmd, "rollback-otter"))
        e = otter_esp_mark_app_invalid(&oerr);
    else if (!strcmp(cmd, "rollback-idf"))
        e = esp_ota_mark_app_invalid_rollback_and_reboot(); /* exits on success */
    else if (!strcmp(cmd, "setboot-idf") && argc >= 4)
        e = slot(argv[3]) ? esp_ota_set_boot_partition(slot(argv[3])) : ESP_ERR_NOT_FOUND;
    else
        return 2;
    printf("%s=%s otter_err=%s\n", cmd, esp_err_to_name(e), otter_errname(oerr));
    print_states();
    return e == ESP_OK ? 0 : 1;
}

void app_main(void)
{
    esp_log_level_set("esp_image", ESP_LOG_WARN);
    int rc = run(g_argc, g_argv);
    fflush(stdout);
    exit(rc);
}

int main(int argc, const char **argv)
{
    g_argc = argc;
    g_argv = argv;
    return idf_port_main(argc, argv);
}
