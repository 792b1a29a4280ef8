/* otter: the clock port. */
#ifndef OTTER_CLOCK_H
#define OTTER_CLOCK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct otter_clock {
    /* Monotonic milliseconds; wraps only after 2^64 ms. Required. */
    uint64_t (*now_ms)(void *ctx);
    /* Wall time, seconds since 1970-01-01 UTC, for certificate dates; return
     * a negative value when unknown. May be NULL (no wall clock). */
    int64_t (*wall_time)(void *ctx);
    void *ctx;
} otter_clock_t;

#ifdef __cplusplus
}
#endif

#endif
