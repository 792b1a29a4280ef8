/* otter POSIX port: the host's clocks as an otter_clock_t. */
#ifndef OTTER_POSIX_CLOCK_H
#define OTTER_POSIX_CLOCK_H

#include "otter/clock.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fill clk with CLOCK_MONOTONIC milliseconds and time(NULL) wall time.
 * ctx is unused (NULL). Cannot fail. */
void otter_posix_clock_init(otter_clock_t *clk);

#ifdef __cplusplus
}
#endif

#endif
