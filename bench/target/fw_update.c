/* bench/target/fw_update.c: the footprint firmware's harness (issue 15):
 * one whole HTTPS update on QEMU, measured. The board's UART carries the TCP
 * byte stream (QEMU connects it to nginx on the host, bench/target.sh); the
 * flash is the RAM NOR simulator running app 1.0.0 in ota_0; the device's
 * own code is fw_app.c. Prints "FP key value" lines that bench/target.sh
 * reads:
 *   - heap: every mbedTLS allocation goes through the counting
 *     mbedtls_calloc/free below (MBEDTLS_PLATFORM_MEMORY), the two record
 *     buffers told apart (see blockhdr_t);
 *   - stack: painted from 1 KiB below main's top_marker down STACK_PAINT
 *     bytes just before the update, scanned at the first body byte
 *     (connect, handshake, request: painted again below the step's frame
 *     then) and after the update;
 *   - instructions (board.h): the whole update and the steady download,
 *     less the time spun waiting on the UART, and with the UART driver and
 *     the flash simulator (a device's SPI flash driver, not otter) apart.
 * The verdict: after the update the simulated device reboots; the
 * bootloader must pick the new slot and its image must verify. */
#define _DEFAULT_SOURCE /* sbrk() */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/platform.h>
#include <mbedtls/ssl.h> /* the record buffers' sizes */

#include "board.h"
#include "fw_app.h"
#include "fw_port.h"
#include "imgmake.h"
#include "otter/boot.h"
#include "otter/error.h"
#include "otter/partition.h"
#include "simdev.h"
#include "fp_ca.h" /* fp_ca_pem[], fp_ca_pem_len: the CA, made by bench/target.sh */

#define STACK_PAINT (40u * 1024u)
#define PAINT_BYTE 0xa5u
#define RECORD_MIN 16384u

/* ---- mbedTLS's heap, counted ----------------------------------------------- */

typedef struct heapcount {
    size_t cur, peak, cur_small, peak_small, biggest, record_bytes;
    unsigned allocs, records, big;
} heapcount_t;
static heapcount_t heap;

/* Each block carries an 8-byte header: its length and whether it is one of
 * the two record buffers. mbedtls_ssl_setup() allocates them before any
 * record flows, the incoming one first (MBEDTLS_SSL_IN_CONTENT_LEN plus the
 * record overhead), the outgoing one next (..._OUT_CONTENT_LEN plus it):
 * they are the first block since the update began of the one size and the
 * next block of the other. Later large blocks (PSA's copies of a record's
 * ciphertext and plaintext in 4.0) count as ordinary heap. */
typedef struct blockhdr {
    uint32_t len;
    uint32_t record;
} blockhdr_t;
_Static_assert(sizeof(blockhdr_t) == 8, "header keeps 8-byte alignment");

#define RECORD_OVERHEAD_MAX 512u

static int is_record_buffer(uint32_t len)
{
    uint32_t want = heap.records == 0 ? MBEDTLS_SSL_IN_CONTENT_LEN : MBEDTLS_SSL_OUT_CONTENT_LEN;
    return heap.records < 2 && len >= want && len < want + RECORD_OVERHEAD_MAX;
}

static void *fp_calloc(size_t n, size_t size)
{
    if (size != 0 && n > (UINT32_MAX - 8) / size)
        return NULL;
    blockhdr_t h = {(uint32_t)(n * size), 0};
    uint8_t *p = calloc(1, h.len + 8u);
    if (!p)
        return NULL;
    heap.allocs++;
    heap.cur += h.len;
    if (heap.cur > heap.peak)
        heap.peak = heap.cur;
    if (h.len >= RECORD_MIN)
        heap.big++;
    if (is_record_buffer(h.len)) {
        heap.records++;
        heap.record_bytes += h.len;
        h.record = 1;
    } else {
        heap.cur_small += h.len;
        if (heap.cur_small > heap.peak_small)
            heap.peak_small = heap.cur_small;
    }
    if (h.len > heap.biggest)
        heap.biggest = h.len;
    memcpy(p, &h, sizeof h);
    return p + 8;
}

static void fp_free(void *ptr)
{
    if (!ptr)
        return;
    uint8_t *p = (uint8_t *)ptr - 8;
    blockhdr_t h;
    memcpy(&h, p, sizeof h);
    heap.cur -= h.len;
    if (!h.record)
        heap.cur_small -= h.len;
    free(p);
}

/* ---- the flash: the simulator, its time counted apart ----------------- */

static int fl_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    const otter_flash_t *f = ctx;
    uint64_t t0 = board_count();
    int r = f->read(f->ctx, addr, buf, len);
    fw_counts.flash += board_count() - t0;
    return r;
}

static int fl_program(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    const otter_flash_t *f = ctx;
    uint64_t t0 = board_count();
    int r = f->program(f->ctx, addr, buf, len);
    fw_counts.flash += board_count() - t0;
    return r;
}

static int fl_erase(void *ctx, uint32_t addr, size_t len)
{
    const otter_flash_t *f = ctx;
    uint64_t t0 = board_count();
    int r = f->erase(f->ctx, addr, len);
    fw_counts.flash += board_count() - t0;
    return r;
}

/* ---- the stack ----------------------------------------------------------- */

static uint8_t *paint_lo, *paint_hi, *stack_top;
static size_t stack_connect; /* high-water mark up to the first body byte */

/* At the first body byte (connect, TLS handshake, request and response
 * head done): note the mark so far and paint again below the caller's
 * frame, so that the final scan gives the rest of the update apart. */
__attribute__((noinline)) static void stack_repaint(void)
{
    uint8_t here;
    uint8_t *p = paint_lo;
    while (p < paint_hi && *p == PAINT_BYTE)
        p++;
    stack_connect = (size_t)(stack_top - p);
    uint8_t *below = (uint8_t *)((uintptr_t)&here - 256u); /* clear of this frame */
    for (volatile uint8_t *q = paint_lo; q < below; q++)
        *q = PAINT_BYTE;
}

__attribute__((noinline)) static void stack_paint(uint8_t *top)
{
    paint_hi = top - 1024; /* clear of main's locals and this function's frame */
    paint_lo = top - STACK_PAINT;
    for (volatile uint8_t *p = paint_lo; p < paint_hi; p++)
        *p = PAINT_BYTE;
}

static size_t stack_used(uint8_t *top)
{
    uint8_t *p = paint_lo;
    while (p < paint_hi && *p == PAINT_BYTE)
        p++;
    return (size_t)(top - p);
}

/* ---- the run ----------------------------------------------------------------- */

typedef struct steps {
    fw_counts_t start, first, last;
    uint64_t first_bytes, last_bytes;
} steps_t;

static void on_step(void *ctx, const otter_update_t *up)
{
    steps_t *s = ctx;
    const otter_update_status_t *st = otter_update_status(up);
    if (st->downloaded == 0)
        return;
    if (s->first_bytes == 0) {
        stack_repaint();
        fw_snap(&s->first);
        s->first_bytes = st->downloaded;
    }
    if (st->downloaded != s->last_bytes) {
        fw_snap(&s->last);
        s->last_bytes = st->downloaded;
    }
}

/* nano printf has no %llu */
static const char *u64s(uint64_t v, char buf[24])
{
    char *p = buf + 23;
    *p = 0;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return p;
}

static uint64_t per_kb(uint64_t instr, uint64_t bytes)
{
    return bytes ? instr * board_count_unit * 1000u / bytes : 0; /* instructions per 1000 bytes */
}

int main(void)
{
    uint8_t top_marker;
    uint8_t *top = &top_marker;
    static otter_simdev_t dev;
    static steps_t s;
    static char why[512];
    static otter_tls_report_t report;

    otter_transport_t tcp;
    otter_clock_t clock;
    fw_ports(&tcp, &clock);
    uint32_t t = (uint32_t)time(NULL);
    fw_rng_seed(t);
    mbedtls_platform_set_calloc_free(fp_calloc, fp_free);

    /* The device: 4 MB RAM flash, app 1.0.0 in ota_0, booted. */
    uint8_t *mem = malloc(4u << 20);
    otter_simdev_init(&dev);
    int rc = mem ? otter_simdev_open_mem(&dev, mem, 4u << 20, "default", NULL, OTTER_CHIP_ESP32) : OTTER_ERR_IO;
    otter_imgmake_t ip;
    otter_imgmake_defaults(&ip);
    ip.size = 200000;
    size_t v1len = 0;
    uint8_t *v1 = rc >= 0 ? otter_imgmake_alloc(&ip, &v1len) : NULL;
    if (!v1 || otter_simdev_install(&dev, OTTER_PT_SUBTYPE_OTA_0, v1, v1len) < 0 || otter_simdev_boot(&dev) < 0) {
        printf("FP error device setup failed (%d)\n", rc);
        return 2;
    }
    free(v1);
    uint8_t running = dev.res.slot;

    otter_flash_t flash = dev.flash;
    flash.read = fl_read;
    flash.program = fl_program;
    flash.erase = fl_erase;
    flash.ctx = &dev.flash;
    fw_app_ports_t ports = {.flash = &flash,
                            .tcp = &tcp,
                            .clock = &clock,
                            .entropy = fw_entropy,
                            .running_slot = running,
                            .ca = fp_ca_pem,
                            .ca_len = fp_ca_pem_len,
                            .on_step = on_step,
                            .step_ctx = &s,
                            .report = &report};

    /* The device's set-up is not the update: peaks restart from what is
     * allocated now (PSA's state, if any). */
    heap.peak = heap.cur;
    heap.peak_small = heap.cur_small;
    heap.biggest = 0;
    heap.allocs = heap.records = heap.big = 0;
    heap.record_bytes = 0;
    size_t heap_base = heap.cur;
    void *brk0 = sbrk(0);
    fw_counts_t end;
    stack_top = top;
    stack_paint(top); /* the set-up above is the harness's, not the update's */
    fw_snap(&s.start);
    rc = fw_app_update(&ports, "https://localhost/app-1.1.0.bin", why, sizeof why);
    fw_snap(&end);
    void *brk1 = sbrk(0);
    size_t stack_rest = stack_used(top);
    size_t stack = stack_rest > stack_connect ? stack_rest : stack_connect;

    printf("FP rc %d\n", rc);
    printf("FP rc_name %s\n", otter_errname(rc));
    printf("FP tls_version %s\nFP tls_cipher %s\n", report.version[0] ? report.version : "-",
           report.cipher[0] ? report.cipher : "-");
    printf("FP mfl_requested %u\nFP mfl_answer %s\n", (unsigned)report.max_fragment_len,
           report.max_fragment_answer == OTTER_TLS_MFL_HONOURED  ? "honoured"
           : report.max_fragment_answer == OTTER_TLS_MFL_IGNORED ? "ignored"
                                                                 : "unknown");
    printf("FP in_content_len %u\nFP out_content_len %u\n", (unsigned)MBEDTLS_SSL_IN_CONTENT_LEN,
           (unsigned)MBEDTLS_SSL_OUT_CONTENT_LEN);
    /* otter's own RAM: the device's contexts less the TLS library's objects
     * that otter_tls_t holds for it (opaque), and its buffers */
    printf("FP size_ptable %lu\nFP size_boot %lu\nFP size_tls %lu\nFP size_tls_backend %lu\n",
           (unsigned long)sizeof(otter_ptable_t), (unsigned long)sizeof(otter_boot_t),
           (unsigned long)sizeof(otter_tls_t), (unsigned long)OTTER_TLS_BACKEND_SIZE);
    printf("FP size_update %lu\nFP buf_http %u\nFP buf_data %u\n", (unsigned long)sizeof(otter_update_t),
           (unsigned)FW_HTTP_BUF, (unsigned)FW_DATA_BUF);
    printf("FP stack_hwm %lu\n", (unsigned long)stack);
    printf("FP stack_hwm_connect %lu\nFP stack_hwm_download %lu\n", (unsigned long)stack_connect,
           (unsigned long)stack_rest);
    if (rc != 0) {
        printf("FP error update failed: %s (%s)\n", otter_strerror(rc), why);
        return 1;
    }
    /* The verdict: the bootloader's choice after a reboot, and its check. */
    int brc = otter_simdev_reboot(&dev, 0);
    int ok = brc >= 0 && dev.res.found && dev.res.slot != running && dev.res.fallback_err == 0 && dev.has_app &&
             strcmp(dev.app.version, "1.1.0") == 0;
    printf("FP boot_slot %u\nFP boot_version %s\nFP verdict %s\n", (unsigned)dev.res.slot,
           dev.has_app ? dev.app.version : "-", ok ? "updated" : "NOT-UPDATED");
    printf("FP heap_peak_mbedtls %lu\nFP heap_peak_no_records %lu\nFP heap_records %u\nFP heap_biggest %lu\n",
           (unsigned long)heap.peak, (unsigned long)heap.peak_small, heap.records, (unsigned long)heap.biggest);
    printf("FP heap_base %lu\n", (unsigned long)heap_base);
    printf("FP heap_big_blocks %u\n", heap.big);
    printf("FP heap_allocs %u\nFP heap_leak %lu\nFP brk_growth %ld\n", heap.allocs, (unsigned long)heap.cur,
           (long)((char *)brk1 - (char *)brk0));
    printf("FP heap_record_bytes %lu\n", (unsigned long)heap.record_bytes);
    uint64_t dl = s.last_bytes - s.first_bytes;
    printf("FP bytes %lu\nFP steady_bytes %lu\n", (unsigned long)s.last_bytes, (unsigned long)dl);
    char b[24];
    printf("FP instr_total %s\n", u64s((end.all - s.start.all) * board_count_unit, b));
    printf("FP instr_wait %s\n", u64s((end.wait - s.start.wait) * board_count_unit, b));
    printf("FP instr_uart %s\n", u64s((end.uart - s.start.uart) * board_count_unit, b));
    printf("FP instr_flash %s\n", u64s((end.flash - s.start.flash) * board_count_unit, b));
    printf("FP ipkb_update %s\n", u64s(per_kb(fw_busy(&s.start, &end), s.last_bytes), b));
    printf("FP ipkb_download %s\n", u64s(per_kb(fw_busy(&s.first, &s.last), dl), b));
    printf("FP ipkb_download_uart %s\n", u64s(per_kb(s.last.uart - s.first.uart, dl), b));
    printf("FP ipkb_download_flash %s\n", u64s(per_kb(s.last.flash - s.first.flash, dl), b));
    printf("FP setup_handshake_instr %s\n", u64s(fw_busy(&s.start, &s.first) * board_count_unit, b));
    printf("FP count_check_2000000 %s\n", u64s(board_count_check(2000000u), b));
    printf("FP count_method %s\n", board_count_method);
    return ok ? 0 : 1;
}
