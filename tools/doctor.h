/* otter doctor: walk the update path a device would take, one step at a
 * time, with the device's own code (otter_tls, otter_http, otter_image,
 * otter_sigblock) and settings, and say what fails and how to fix it. */
#ifndef OTTER_TOOLS_DOCTOR_H
#define OTTER_TOOLS_DOCTOR_H

#include <stdint.h>
#include <stdio.h>

#include "otter/clock.h"
#include "otter/tls.h"

#define DOCTOR_MAX_CA 8
#define DOCTOR_MAX_STEPS 40
#define DOCTOR_TEXT 720

enum doctor_status {
    DOCTOR_OK = 0,   /* ✓ */
    DOCTOR_FAIL = 1, /* ✗ the device would fail here */
    DOCTOR_WARN = 2, /* ! works, but something to know */
    DOCTOR_INFO = 3, /* plain information (redirect hops, ...) */
};

enum doctor_verdict { DOCTOR_UPDATE = 0, DOCTOR_SKIP = 1, DOCTOR_FAILS = 2 };

typedef struct doctor_step {
    char name[24];
    int status;
    char text[DOCTOR_TEXT];
    char fix[3 * DOCTOR_TEXT]; /* what to do, "" when nothing; lines split by '\n' */
} doctor_step_t;

typedef struct doctor {
    /* options */
    const char *url;
    const char *ca[DOCTOR_MAX_CA];
    size_t n_ca;
    uint8_t pins[OTTER_TLS_MAX_PINS][32];
    size_t n_pins;
    int64_t at; /* the device's wall time; -1: no wall clock */
    int at_given;
    uint8_t trusted[3][32]; /* signing key digests from --pub / --digest */
    size_t n_trusted;
    size_t buffer;       /* the device's HTTP work buffer */
    uint64_t slot_size;  /* 0: not given */
    uint16_t chip;       /* OTTER_CHIP_ANY when not given */
    const char *running_version;
    const char *store;   /* trust store for root finding (cert advice) */
    uint32_t timeout_ms;
    int json;
    /* derived */
    char host[256];
    uint16_t port;
    int https;
    uint8_t *ca_buf; /* the --ca files concatenated (malloc) */
    size_t ca_len;
    otter_clock_t clock; /* monotonic from the host, wall time = at */
    otter_clock_t host_clock;
    otter_tls_report_t tls_report; /* last handshake */
    /* results */
    doctor_step_t steps[DOCTOR_MAX_STEPS + 1];
    size_t n_steps;
    int verdict;
    char fail_at[24];
    char skip_why[200];
} doctor_t;

/* Add a step line; returns it so that a fix can be written. The first
 * DOCTOR_FAIL step decides the verdict ("fail at <name>"). */
doctor_step_t *doctor_add(doctor_t *d, const char *name, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Append a line to a step's fix. */
void doctor_fix(doctor_step_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The network steps: URL, DNS, TCP, TLS handshake, trust, hostname, dates.
 * Return 0 when the device would get past them, -1 when it stops. */
int doctor_net(doctor_t *d);

/* The HTTP and image steps: redirects, headers, status, Content-Type,
 * Content-Length, Range/ETag, image header, signature. Same returns. */
int doctor_http(doctor_t *d);

/* TLS setup shared by both: otter_tls over a TCP transport with the
 * device's trust. 0 or an otter_err_t (printed as a failed step by the
 * caller). */
int doctor_tls_setup(doctor_t *d, otter_tls_t *tls, const otter_transport_t *lower,
                     otter_tls_report_t *report);

/* Steps for a handshake that failed on trust, host name or dates: the
 * TLS module's explanation and, from the chain the server sends and the
 * trust store, what to pin instead (host:port as named by the device). */
void doctor_trust_steps(doctor_t *d, const otter_tls_report_t *r, int rc);

/* otter doctor --index URL ... (tools/doctor_index.c): the release index
 * as a device with the given keys, sequence, clock and id sees it. */
int otter_doctor_index(int argc, char **argv);

#endif
