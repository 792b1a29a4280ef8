/* otter ESP-IDF port: clocks and entropy. */
#include <time.h>

#include "esp_random.h"
#include "esp_timer.h"
#include "otter_esp_port.h"

static uint64_t mono_ms(void *ctx)
{
    (void)ctx;
    return (uint64_t)esp_timer_get_time() / 1000u;
}

/* The system time, which SNTP (esp_sntp / esp_netif_sntp) or an RTC sets.
 * Unset, it counts from 1970 at boot: otter then says "clock not set"
 * rather than "certificate not yet valid". */
static int64_t wall(void *ctx)
{
    (void)ctx;
    time_t t = time(NULL);
    return t < 946684800 ? -1 : (int64_t)t;
}

void otter_esp_clock_init(otter_clock_t *c)
{
    c->now_ms = mono_ms;
    c->wall_time = wall;
    c->ctx = NULL;
}

int otter_esp_entropy(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    esp_fill_random(buf, len);
    return 0;
}
