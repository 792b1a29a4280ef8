/* bench: a network model in virtual time, for the virtual-time benchmarks.
 *
 * Bytes arrive at `rate` bytes per second into a receive window of `window`
 * bytes (the device's TCP window: ESP-IDF's lwIP default is 5744). While the
 * window is full the sender is stalled, as TCP would. Time is the NOR
 * simulator's virtual clock: flash operations advance it; a read that finds
 * the window empty waits (advances the clock) until a segment's worth of
 * bytes has arrived. The time spent waiting is counted separately, because
 * a real device yields to other tasks while it waits for the network (only
 * flash operations block the CPU). */
#ifndef BENCH_VTIME_NET_H
#define BENCH_VTIME_NET_H

#include <stdint.h>

#include "norsim.h"
#include "otter/transport.h"

typedef struct vnet {
    otter_norsim_t *sim; /* the clock */
    double rate;         /* bytes per second */
    uint32_t window;     /* bytes */
    uint32_t segment;    /* a waiting read returns once this much arrived (1460) */
    double avail;        /* bytes arrived, not yet read */
    uint64_t t_us;       /* arrival computed up to this time */
    uint64_t wait_us;    /* total time spent waiting in reads */
    int started;
    /* optional: a transport whose bytes are metered (engine runs) */
    otter_transport_t inner;
} vnet_t;

/* Start a model on sim's clock. */
void vnet_init(vnet_t *n, otter_norsim_t *sim, double rate, uint32_t window);

/* Take up to want bytes (want >= 1): waits until at least
 * min(want, segment) bytes arrived, returns how many are taken. */
uint32_t vnet_take(vnet_t *n, uint32_t want);

/* A transport that meters inner's reads through the model (ctx = n). */
otter_transport_t vnet_transport(vnet_t *n, const otter_transport_t *inner);

#endif
