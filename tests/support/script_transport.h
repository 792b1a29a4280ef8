/* Scripted in-memory transport for unit tests (any module that talks over an
 * otter_transport_t: HTTP, TLS, proxy). A script is an array of steps played
 * in order; it models what the peer does and when:
 *
 *   ACCEPT     a connect() lands here: err is its result (0: connected).
 *              connect() skips whatever is left of the previous connection,
 *              so a script lists connections one after another.
 *   DATA       bytes the peer sends (delivered in at most max_read bytes per
 *              read, and a read never spans two DATA steps: consecutive DATA
 *              steps are separate TCP segments).
 *   READ_ERR   the next read returns err: OTTER_ERR_TIMEOUT is a stall (the
 *              fake clock, if any, advances by the read's timeout),
 *              OTTER_ERR_NET_IO a reset, OTTER_ERR_CLOSED an orderly close.
 *   WRITE_ERR  the next write returns err.
 *   DELAY      the fake clock advances by ms before the next step is read.
 *
 * After the last step of a connection (next step is ACCEPT or the end),
 * reads return OTTER_ERR_CLOSED. Everything the client writes is appended to
 * a caller-provided log (all connections, in order) for exact-byte asserts.
 * Not part of otter: test code, may be used by any test, fuzz target or
 * benchmark, host or target. Needs only the C library (string.h, and
 * stdio.h for snprintf): no POSIX. */
#ifndef OTTER_SCRIPT_TRANSPORT_H
#define OTTER_SCRIPT_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otter/clock.h"
#include "otter/transport.h"

typedef enum otter_script_kind {
    OTTER_SCRIPT_END = 0, /* unused marker (zeroed step) */
    OTTER_SCRIPT_ACCEPT,
    OTTER_SCRIPT_DATA,
    OTTER_SCRIPT_READ_ERR,
    OTTER_SCRIPT_WRITE_ERR,
    OTTER_SCRIPT_DELAY,
} otter_script_kind_t;

typedef struct otter_script_step {
    otter_script_kind_t kind;
    const void *data; /* DATA */
    size_t len;       /* DATA */
    int err;          /* ACCEPT, READ_ERR, WRITE_ERR */
    uint32_t ms;      /* DELAY */
} otter_script_step_t;

/* Step constructors (C99 compound literals usable in array initialisers). */
#define SCRIPT_ACCEPT() {OTTER_SCRIPT_ACCEPT, NULL, 0, 0, 0}
#define SCRIPT_REFUSE(e) {OTTER_SCRIPT_ACCEPT, NULL, 0, (e), 0}
#define SCRIPT_STR(s) {OTTER_SCRIPT_DATA, (s), sizeof(s) - 1, 0, 0}
#define SCRIPT_BYTES(p, n) {OTTER_SCRIPT_DATA, (p), (n), 0, 0}
#define SCRIPT_READ_ERR(e) {OTTER_SCRIPT_READ_ERR, NULL, 0, (e), 0}
#define SCRIPT_WRITE_ERR(e) {OTTER_SCRIPT_WRITE_ERR, NULL, 0, (e), 0}
#define SCRIPT_DELAY(t) {OTTER_SCRIPT_DELAY, NULL, 0, 0, (t)}

/* A test clock whose time moves only when told (or by the script). */
typedef struct otter_fake_clock {
    uint64_t now_ms;
    int64_t wall; /* wall_time() result; negative: unknown */
} otter_fake_clock_t;

/* Fill out with fc's functions (out->ctx = fc). now_ms starts at 1000. */
void otter_fake_clock_init(otter_fake_clock_t *fc, otter_clock_t *out);

typedef struct otter_script_transport {
    const otter_script_step_t *steps;
    size_t nsteps;
    size_t idx;      /* current step */
    size_t off;      /* bytes of the current DATA step already delivered */
    bool connected;
    /* knobs, set after init */
    size_t max_read;          /* bytes per read at most; 0: as much as asked */
    size_t max_write;         /* bytes per write at most (short writes); 0: all */
    size_t write_short_by;    /* a write of more than this many bytes takes this many fewer */
    bool loop;                /* a connect() past the last step starts the script again */
    otter_fake_clock_t *clock; /* advanced by DELAY, stalls, ms_per_read; may be NULL */
    uint32_t ms_per_read;     /* clock advance on every read */
    uint8_t *log;             /* written bytes go here (may be NULL) */
    size_t log_cap;
    /* records */
    size_t log_len;           /* bytes written in total (even beyond log_cap) */
    size_t bytes_read;        /* bytes delivered by read() in total */
    int connects, closes, reads, writes;
    char last_host[256];
    uint16_t last_port;
    uint32_t last_connect_timeout, last_read_timeout, last_write_timeout;
} otter_script_transport_t;

/* Start s on steps[0..n) (caller-owned, must outlive s) and fill t with the
 * transport functions (t->ctx = s). */
void otter_script_init(otter_script_transport_t *s, const otter_script_step_t *steps, size_t n,
                       otter_transport_t *t);

/* True when every step was consumed. */
bool otter_script_done(const otter_script_transport_t *s);

#endif
