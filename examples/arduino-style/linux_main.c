/* Runs the sketch on Linux: the "device" is a flash file on the NOR flash
 * simulator (make one with `otter flash init` + `otter flash write`), the
 * network is the host's. Arduino calls are printed or emulated.
 *
 *   ./https_ota_update --flash dev.bin --url https://localhost:8443/app.bin --ca ca.pem
 *
 * --url and --ca replace the sketch's url and server_certificate; the rest of
 * the sketch runs as written. After "Firmware written successfully" the
 * harness restarts the device (what ESP.restart() does) and prints what
 * boots. Exit 0 when the update was written, 1 when it failed or timed out. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arduino_shim.h"
#include "otter/error.h"
#include "otter/https_ota.h"
#include "posix_clock.h"
#include "posix_rng.h"
#include "posix_tcp.h"
#include "simdev.h"

extern const char *url;
extern const char *server_certificate;
extern otter_https_ota_t HttpsOTA;

static int fast; /* OTTER_SKETCH_FAST=1: delay() does not sleep (tests) */

void Serial_begin(unsigned long baud)
{
    (void)baud;
    setvbuf(stdout, NULL, _IOLBF, 0);
}

void Serial_print(const char *s)
{
    fputs(s, stdout);
}

void Serial_println(const char *s)
{
    puts(s);
}

void Serial_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

void WiFi_begin(const char *ssid, const char *password)
{
    (void)ssid;
    (void)password;
}

int WiFi_status(void)
{
    return WL_CONNECTED; /* the host's network is up */
}

void delay(uint32_t ms)
{
    if (fast)
        return;
    struct timespec ts = {ms / 1000u, (long)(ms % 1000u) * 1000000L};
    nanosleep(&ts, NULL);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = 0;
    return buf;
}

int main(int argc, char **argv)
{
    const char *flash = NULL, *ca = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--flash"))
            flash = argv[i + 1];
        else if (!strcmp(argv[i], "--url"))
            url = argv[i + 1];
        else if (!strcmp(argv[i], "--ca"))
            ca = argv[i + 1];
    }
    if (!flash) {
        fprintf(stderr, "usage: %s --flash FILE [--url URL] [--ca PEM]\n", argv[0]);
        return 2;
    }
    fast = getenv("OTTER_SKETCH_FAST") != NULL;
    char *pem = ca ? slurp(ca) : NULL;
    if (pem)
        server_certificate = pem;

    static otter_simdev_t dev;
    otter_simdev_init(&dev);
    if (otter_simdev_open(&dev, flash, NULL, OTTER_CHIP_ESP32) || otter_simdev_boot(&dev)) {
        fprintf(stderr, "cannot boot %s\n", flash);
        return 1;
    }
    printf("[device] running %s %s\n", dev.app.project_name, dev.app.version);
    otter_posix_tcp_t tcp;
    otter_transport_t tcp_t;
    otter_clock_t clock;
    otter_posix_tcp_init(&tcp, &tcp_t);
    otter_posix_clock_init(&clock);
    otter_https_ota_port_t port = {
        .flash = &dev.flash,
        .ptable = &dev.pt,
        .boot = &dev.boot,
        .tcp = &tcp_t,
        .clock = &clock,
        .entropy = otter_posix_entropy,
        .chip_id = OTTER_CHIP_ESP32,
    };
    otter_https_ota_init(&HttpsOTA, &port);

    setup();
    int rc = 1;
    for (int i = 0; i < 600; i++) {
        loop();
        otter_https_ota_status_t s = HttpsOTA.status; /* as loop() last saw it, no more work */
        if (s == OTTER_HTTPS_OTA_UPDATING)
            continue;
        char why[512];
        const otter_update_t *up = otter_https_ota_engine(&HttpsOTA);
        printf("[device] %s\n", otter_update_diagnose(up, why, sizeof why));
        if (otter_update_detail(up)->err)
            printf("[device] error: %s\n", otter_errname(otter_update_detail(up)->err));
        if (s == OTTER_HTTPS_OTA_SUCCESS) {
            rc = 0;
            if (otter_simdev_reboot(&dev, 1) == 0) /* ESP.restart() */
                printf("[device] after restart: %s %s (%s)\n", dev.app.project_name, dev.app.version, dev.res.why);
        }
        break;
    }
    otter_https_ota_free(&HttpsOTA);
    otter_posix_tcp_free(&tcp);
    otter_simdev_close(&dev);
    free(pem);
    return rc;
}
