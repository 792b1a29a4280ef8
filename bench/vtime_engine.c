/* bench/vtime_engine: the update engine's virtual-time figures.
 *
 * usage: vtime_engine DIR SIZE
 * Runs a whole update (otter_update_begin / step / finish) of a synthetic
 * ESP32 app image of SIZE bytes (version 1.1.0 over a running 1.0.0) into
 * the min_spiffs layout's ota_1 slot of a 4 MB NOR simulator, served from
 * memory over plain HTTP through the network model of vtime_net.h, for the
 * typical and worst-case flash models and a network of 1 MB/s and 100 KB/s,
 * with 4 KB sector erases and (when the engine offers it) 64 KB block erases.
 * Prints "key value" lines (microseconds of virtual time):
 *   <model>.otter[_block].<rate>.longest_us  longest flash time inside one
 *                                            step() or finish() call
 *   <model>.otter[_block].<rate>.total_us    begin() to finish() returning
 *   <model>.otter[_block].<rate>.steps       step() + finish() calls
 *   <model>.otter[_block].<rate>.flash_us    flash time in total
 *   stack.step_bytes  deepest stack the update used (x86-64, measured by
 *                     painting the stack of the thread that runs it: init,
 *                     begin, every step and finish, plus the harness's
 *                     small frames; plain HTTP, no TLS in this path)
 *   stack.otter_frames_bytes  otter's own frames: from the frame calling
 *                     step()/finish() down to the deepest call into a port
 *                     (flash or transport) */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imgmake.h"
#include "memserver.h"
#include "norsim.h"
#include "otter/boot.h"
#include "otter/error.h"
#include "otter/host/partition.h"
#include "otter/image.h"
#include "otter/partition.h"
#include "otter/update.h"
#include "vtime_net.h"

#define FLASH_SIZE 0x400000u
#define WINDOW 5744u
#define STACK_SIZE (1u << 20)
#define PAINT 0x5Au

/* Stack depth of otter's own frames: the lowest stack address seen when
 * otter calls into a port (flash or transport), against the frame that
 * calls otter_update_step()/finish(). Bench-only globals. */
static uintptr_t call_sp, min_sp;
static otter_flash_t real_flash;
static otter_transport_t real_net;

static void note_sp(void)
{
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    if (call_sp && sp < min_sp)
        min_sp = sp;
}

static int w_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    note_sp();
    return real_flash.read(ctx, addr, buf, len);
}

static int w_program(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    note_sp();
    return real_flash.program(ctx, addr, buf, len);
}

static int w_erase(void *ctx, uint32_t addr, size_t len)
{
    note_sp();
    return real_flash.erase(ctx, addr, len);
}

static int w_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    note_sp();
    return real_net.connect(ctx, host, port, timeout_ms);
}

static int w_net_read(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    note_sp();
    return real_net.read(ctx, buf, len, timeout_ms);
}

static int w_write(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    note_sp();
    return real_net.write(ctx, buf, len, timeout_ms);
}

static void w_close(void *ctx)
{
    note_sp();
    real_net.close(ctx);
}

typedef struct run {
    const char *dir;
    const uint8_t *img;
    size_t img_len;
    otter_norsim_timing_t model;
    double rate;
    int block;
    /* results */
    int rc;
    uint64_t longest_us, total_us, flash_us;
    uint32_t steps;
    size_t otter_stack;
} run_t;

/* One update, start to finish. Returns 0 or an otter error. */
static int update_once(run_t *r)
{
    char path[512];
    snprintf(path, sizeof path, "%s/vtime-engine.flash", r->dir);
    int rc;
    otter_norsim_options_t opt;
    otter_norsim_options_default(&opt);
    opt.timing = r->model;
    /* Everything the harness owns is static, so that the painted stack
     * measures the engine's calls and not the harness's objects. */
    static otter_norsim_t sim;
    otter_norsim_init(&sim);
    if ((rc = otter_norsim_open(&sim, path, &opt)))
        return rc;
    real_flash = otter_norsim_flash(&sim);
    otter_flash_t flash = real_flash;
    flash.read = w_read;
    flash.program = w_program;
    flash.erase = w_erase;
    otter_clock_t clock = otter_norsim_clock(&sim);
    static otter_ptable_t pt;
    otter_ptable_init(&pt);
    if ((rc = otter_ptable_builtin(&pt, "min_spiffs", FLASH_SIZE)) || (rc = otter_ptable_write(&pt, &flash)))
        goto out;
    static otter_boot_t boot;
    otter_boot_init(&boot, &flash, &pt);
    otter_boot_set_running(&boot, OTTER_PT_SUBTYPE_OTA(0));

    static memserver_t srv;
    memserver_init(&srv, r->img, r->img_len);
    srv.chunk = 65536;
    otter_transport_t inner = memserver_transport(&srv);
    static vnet_t net;
    vnet_init(&net, &sim, r->rate, WINDOW);
    real_net = vnet_transport(&net, &inner);
    otter_transport_t tcp = {w_connect, w_net_read, w_write, w_close, real_net.ctx};

    static uint8_t http_buf[1024], data_buf[4096];
    otter_update_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.flash = &flash;
    cfg.ptable = &pt;
    cfg.boot = &boot;
    cfg.tcp = &tcp;
    cfg.clock = &clock;
    cfg.policy.running_version = "1.0.0";
    cfg.policy.chip_id = OTTER_CHIP_ESP32;
    cfg.policy.allow_unsigned = true;
    cfg.http_buf = http_buf;
    cfg.http_buf_len = sizeof http_buf;
    cfg.data_buf = data_buf;
    cfg.data_buf_len = sizeof data_buf;
    cfg.erase_block = r->block != 0;
    static otter_update_t up;
    otter_update_init(&up, &cfg);

    otter_norsim_reset_stats(&sim);
    uint64_t start = otter_norsim_time_us(&sim);
    if ((rc = otter_update_begin(&up, "http://device.test/app.bin")))
        goto out_up;
    call_sp = (uintptr_t)__builtin_frame_address(0);
    min_sp = call_sp;
    for (;;) {
        uint64_t t0 = otter_norsim_time_us(&sim), w0 = net.wait_us;
        rc = otter_update_step(&up);
        uint64_t blocked = otter_norsim_time_us(&sim) - t0 - (net.wait_us - w0);
        if (blocked > r->longest_us)
            r->longest_us = blocked;
        r->steps++;
        if (rc != OTTER_UPDATE_MORE)
            break;
    }
    if (rc == 0) {
        uint64_t t0 = otter_norsim_time_us(&sim), w0 = net.wait_us;
        rc = otter_update_finish(&up);
        uint64_t blocked = otter_norsim_time_us(&sim) - t0 - (net.wait_us - w0);
        if (blocked > r->longest_us)
            r->longest_us = blocked;
        r->steps++;
    }
    r->otter_stack = call_sp - min_sp;
    call_sp = 0;
    if (rc == 0 && otter_update_status(&up)->outcome != OTTER_UPDATE_OUTCOME_UPDATED)
        rc = OTTER_ERR_STATE;
    r->total_us = otter_norsim_time_us(&sim) - start;
    otter_norsim_stats_t st;
    otter_norsim_stats(&sim, &st);
    r->flash_us = st.elapsed_us;
    if (rc) {
        char why[256];
        fprintf(stderr, "vtime_engine: %s\n", otter_update_diagnose(&up, why, sizeof why));
    }
out_up:
    otter_update_free(&up);
out:
    otter_norsim_close(&sim);
    return rc;
}

static void *run_thread(void *arg)
{
    run_t *r = arg;
    r->rc = update_once(r);
    return NULL;
}

/* Run one update on a painted stack; returns the deepest use in bytes. */
static size_t run_on_painted_stack(run_t *r)
{
    uint8_t *stack = malloc(STACK_SIZE);
    if (!stack) {
        r->rc = OTTER_ERR_INVAL;
        return 0;
    }
    /* The flash file is made here, outside the measured thread: creating
     * it is the simulator's business, not the update's. */
    char path[512];
    snprintf(path, sizeof path, "%s/vtime-engine.flash", r->dir);
    if ((r->rc = otter_norsim_create(path, FLASH_SIZE))) {
        free(stack);
        return 0;
    }
    memset(stack, PAINT, STACK_SIZE);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstack(&attr, stack, STACK_SIZE);
    pthread_t th;
    if (pthread_create(&th, &attr, run_thread, r)) {
        r->rc = OTTER_ERR_INVAL;
        free(stack);
        return 0;
    }
    pthread_join(th, NULL);
    pthread_attr_destroy(&attr);
    size_t untouched = 0;
    while (untouched < STACK_SIZE && stack[untouched] == PAINT)
        untouched++;
    free(stack);
    return STACK_SIZE - untouched;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: vtime_engine DIR SIZE\n", stderr);
        return 2;
    }
    otter_imgmake_t p;
    otter_imgmake_defaults(&p);
    p.version = "1.1.0";
    p.size = (uint32_t)strtoul(argv[2], NULL, 0);
    size_t len;
    uint8_t *img = otter_imgmake_alloc(&p, &len);
    if (!img) {
        fputs("vtime_engine: cannot make the image\n", stderr);
        return 1;
    }
    printf("image_bytes %zu\n", len);
    static const char *model_name[] = {"typ", "max"};
    const double rates[] = {1000000.0, 100000.0};
    size_t stack_max = 0, otter_stack_max = 0;
    for (int m = 0; m < 2; m++)
        for (int b = 0; b < 2; b++)
            for (int k = 0; k < 2; k++) {
                run_t r = {.dir = argv[1], .img = img, .img_len = len,
                           .model = (otter_norsim_timing_t)m, .rate = rates[k], .block = b};
                size_t used = run_on_painted_stack(&r);
                if (r.rc) {
                    fprintf(stderr, "vtime_engine: %s model, %s erases, %.0f B/s: %s\n", model_name[m],
                            b ? "block" : "sector", rates[k], otter_strerror(r.rc));
                    return 1;
                }
                if (used > stack_max)
                    stack_max = used;
                if (r.otter_stack > otter_stack_max)
                    otter_stack_max = r.otter_stack;
                const char *v = b ? "otter_block" : "otter";
                printf("%s.%s.%.0f.longest_us %llu\n", model_name[m], v, rates[k],
                       (unsigned long long)r.longest_us);
                printf("%s.%s.%.0f.total_us %llu\n", model_name[m], v, rates[k],
                       (unsigned long long)r.total_us);
                printf("%s.%s.%.0f.flash_us %llu\n", model_name[m], v, rates[k],
                       (unsigned long long)r.flash_us);
                printf("%s.%s.%.0f.steps %u\n", model_name[m], v, rates[k], r.steps);
            }
    printf("stack.step_bytes %zu\n", stack_max);
    printf("stack.otter_frames_bytes %zu\n", otter_stack_max);
    free(img);
    return 0;
}
