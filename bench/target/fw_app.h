/* bench/target/fw_app.h: the device side of the footprint firmware: what an
 * application that updates itself over HTTPS holds and runs (bench/fw_main.c's
 * flow with a real CA and a hook per step for the measurements). */
#ifndef OTTER_BENCH_FW_APP_H
#define OTTER_BENCH_FW_APP_H

#include <stddef.h>
#include <stdint.h>

#include "otter/flash.h"
#include "otter/tls.h"
#include "otter/update.h"

/* The buffers the device gives otter (issue 16's default configuration):
 * the HTTP buffer (request and response head) and the data buffer (each
 * network read, each program, the signature sector checked in pieces),
 * which also serves as the PEM scratch of otter_tls_setup(): setup is over
 * before the update uses it. FW_MAX_FRAGMENT: the max_fragment_length asked
 * of the server (0: none), for an mbedTLS with that incoming buffer. */
#ifndef FW_HTTP_BUF
#define FW_HTTP_BUF 1024
#endif
#ifndef FW_DATA_BUF
#define FW_DATA_BUF 2048
#endif
#ifndef FW_MAX_FRAGMENT
#define FW_MAX_FRAGMENT 0
#endif

typedef struct fw_app_ports {
    const otter_flash_t *flash;
    const otter_transport_t *tcp;
    const otter_clock_t *clock;
    otter_entropy_fn entropy;
    uint8_t running_slot; /* from the platform (the bootloader's choice) */
    const uint8_t *ca;    /* PEM bundle */
    size_t ca_len;
    /* called after begin and after every step with the engine */
    void (*on_step)(void *ctx, const otter_update_t *up);
    void *step_ctx;
    otter_tls_report_t *report; /* the handshake's report, NULL for none */
} fw_app_ports_t;

/* One whole update from url: mark the running app valid, set up TLS, run
 * the engine to the end and switch. Returns 0 or the otter error; on
 * failure why holds a sentence when fw_diagnose is linked (fw_diag.c). */
int fw_app_update(const fw_app_ports_t *p, const char *url, char *why, size_t why_len);

/* In fw_diag.c, linked only into the firmware "with texts". */
const char *fw_diagnose(const otter_update_t *up, char *why, size_t why_len) __attribute__((weak));

#endif
