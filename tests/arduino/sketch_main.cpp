/* Runs an example sketch as Arduino-ESP32 would, on ESP-IDF's linux target
 * (tests only): the simulated bootloader boots the emulated flash, then a
 * FreeRTOS task (POSIX port) runs setup() and loop() as Arduino-ESP32's
 * loopTask does, and delay() is vTaskDelay() as on Arduino-ESP32, so the
 * update task runs while the sketch sleeps. EpoxyDuino supplies Arduino.h,
 * Serial and String.
 *
 *   sketch FLASH URL CA.pem [KEY_DIGEST]
 *
 * URL, CA and KEY_DIGEST replace the sketch's url, server_certificate and
 * signing_key_digest (the strings a user fills in). The sketch runs until HttpsOTA.status() is
 * SUCCESS, FAIL or ERR and loop() has run once more to print it; then the
 * flash is saved and the process prints stack_unused=BYTES and exits (0
 * success, 1 otherwise). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "OtterHttpsOTA.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
extern "C" {
#include "idf_host.h"
}

extern "C" int idf_port_main(int argc, const char **argv);
extern "C" void app_main(void);
extern "C" void __wrap_delay(unsigned long ms);

extern const char *url;
extern const char *server_certificate;
/* examples/HttpsOTASigned only */
extern const char *signing_key_digest __attribute__((weak));
/* EpoxyDuino's Arduino.h declares them in extern "C" */
extern "C" void setup();
extern "C" void loop();

static int g_argc;
static const char **g_argv;

/* Arduino-ESP32's delay(): vTaskDelay, other tasks run meanwhile. */
void __wrap_delay(unsigned long ms)
{
    TickType_t t = pdMS_TO_TICKS(ms);
    vTaskDelay(t ? t : 1);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

void app_main(void)
{
    if (g_argc < 4 || idf_host_flash_open(g_argv[1]) != 0) {
        fprintf(stderr, "usage: sketch FLASH URL CA.pem\n");
        exit(2);
    }
    idf_host_boot_t b;
    idf_host_boot(&b);
    printf("[host] booted=%s version=%s\n", b.part ? b.part->label : "none", b.version);
    /* OTTER_SKETCH_CUT=N: the power goes after N units of flash work
     * (idf_host_cut_after), exit 42, as a device losing power */
    if (getenv("OTTER_SKETCH_CUT"))
        idf_host_cut_after((size_t)strtoull(getenv("OTTER_SKETCH_CUT"), NULL, 0));
    url = g_argv[2];
    server_certificate = slurp(g_argv[3]);
    if (!server_certificate)
        exit(2);
    if (g_argc > 4 && &signing_key_digest)
        signing_key_digest = g_argv[4];
    fflush(stdout);
    setup();
    HttpsOTAStatus_t st = HTTPS_OTA_UPDATING;
    /* at most 5 minutes of FreeRTOS time */
    for (TickType_t t0 = xTaskGetTickCount(); xTaskGetTickCount() - t0 < pdMS_TO_TICKS(300000);) {
        st = HttpsOTA.status();
        loop();
        if (st != HTTPS_OTA_UPDATING)
            break;
    }
    /* the update task deletes itself after on_done */
    vTaskDelay(pdMS_TO_TICKS(50));
    /* the stack the class asked for: OTTER_ARDUINO_TASK_STACK units of StackType_t
     * (bytes on ESP32, 8-byte words on the linux port) */
    printf("[host] status=%d resumed=%d stack_given=%u stack_unused=%u written=%u total=%u\n", (int)st,
           (int)HttpsOTA.resumed(),
           (unsigned)(OTTER_ARDUINO_TASK_STACK * sizeof(StackType_t)), (unsigned)HttpsOTA.taskStackUnused(),
           (unsigned)HttpsOTA.bytesWritten(), (unsigned)HttpsOTA.totalBytes());
    fflush(stdout);
    /* the emulated flash is the file itself (idf_host_flash_open): nothing to save */
    int rc = st == HTTPS_OTA_SUCCESS ? 0 : st == HTTPS_OTA_IDLE ? 3 : 1;
    exit(rc);
}

int main(int argc, const char **argv)
{
    g_argc = argc;
    g_argv = argv;
    return idf_port_main(argc, argv);
}
