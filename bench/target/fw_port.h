/* bench/target/fw_port.h: the footprint firmware's ports on QEMU: the UART
 * as the TCP transport, a clock of virtual time (1 ns per instruction under
 * -icount shift=0) with the host's wall time, and a test-only entropy
 * source; and the instruction counts kept while they run. */
#ifndef OTTER_BENCH_FW_PORT_H
#define OTTER_BENCH_FW_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "otter/clock.h"
#include "otter/transport.h"

/* Instructions (in board_count() units): all is set by fw_snap(); wait
 * (spun waiting on the UART), uart (the UART driver's own work) and flash
 * (inside the flash port, set by its owner) add up as the run goes. */
typedef struct fw_counts {
    uint64_t all, wait, uart, flash;
} fw_counts_t;
extern fw_counts_t fw_counts;

/* Copy the counts, with all = now. */
void fw_snap(fw_counts_t *c);
/* Instructions between a and b outside the UART wait, the UART driver and
 * the flash port. */
uint64_t fw_busy(const fw_counts_t *a, const fw_counts_t *b);

/* Start the UART and the counter; fill in the transport and the clock. */
void fw_ports(otter_transport_t *tcp, otter_clock_t *clock);

/* The test-only entropy source (NOT FOR PRODUCTION, see fw_port.c): seed
 * it once (salt: the host's time), then otter_entropy_fn. */
void fw_rng_seed(uint32_t salt);
int fw_entropy(void *ctx, uint8_t *buf, size_t len);

#endif
