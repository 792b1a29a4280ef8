/* otter POSIX port: host clocks. */
#include <time.h>

#include "posix_clock.h"

static uint64_t posix_now_ms(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int64_t posix_wall_time(void *ctx)
{
    (void)ctx;
    return (int64_t)time(NULL);
}

void otter_posix_clock_init(otter_clock_t *clk)
{
    clk->now_ms = posix_now_ms;
    clk->wall_time = posix_wall_time;
    clk->ctx = NULL;
}
