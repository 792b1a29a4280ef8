/* bench/target/fw_port.c: the ports of the footprint firmware (see
 * fw_port.h): what a device supplies to otter, here over QEMU's board, with
 * the instruction counts the measurements need. */
#include "fw_port.h"

#include <string.h>
#include <time.h>

#include <psa/crypto.h>

#include "board.h"
#include "otter/error.h"

#define UART_IDLE_NS 20000000u /* a read returns what it has after 20 ms of silence */

fw_counts_t fw_counts;

void fw_snap(fw_counts_t *c)
{
    fw_counts.all = board_count();
    *c = fw_counts;
}

uint64_t fw_busy(const fw_counts_t *a, const fw_counts_t *b)
{
    return (b->all - a->all) - (b->wait - a->wait) - (b->uart - a->uart) - (b->flash - a->flash);
}

static uint64_t now_ns(void)
{
    return board_count() * board_count_unit;
}

/* ---- test-only randomness ------------------------------------------------
 * NOT FOR PRODUCTION: QEMU's boards have no TRNG. SplitMix64 over a fixed
 * seed and the host's time (semihosting): different on every run, enough
 * for a TLS session with a local test server, and predictable to anyone who
 * knows the time. It uses no mbedTLS, so that its cost and heap are not
 * counted as the TLS library's, and builds against 3.6 and 4.0 alike. */
static uint64_t rng_state;

static void rng_fill(uint8_t *out, size_t len)
{
    while (len > 0) {
        uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        size_t n = len < sizeof z ? len : sizeof z;
        memcpy(out, &z, n);
        out += n;
        len -= n;
    }
}

int fw_entropy(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    rng_fill(buf, len);
    return 0;
}

psa_status_t mbedtls_psa_external_get_random(mbedtls_psa_external_random_context_t *context, uint8_t *output,
                                             size_t output_size, size_t *output_length);
psa_status_t mbedtls_psa_external_get_random(mbedtls_psa_external_random_context_t *context, uint8_t *output,
                                             size_t output_size, size_t *output_length)
{
    (void)context;
    rng_fill(output, output_size);
    *output_length = output_size;
    return PSA_SUCCESS;
}

void fw_rng_seed(uint32_t salt)
{
    rng_state = 0x6f74746572667074ull ^ salt; /* "otterfpt" */
}

/* ---- the transport: the UART ---------------------------------------------- */

static int uart_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    (void)ctx, (void)host, (void)port, (void)timeout_ms;
    return 0; /* QEMU connected the UART to the server before the CPU started */
}

/* Waits for the first byte (up to timeout_ms of virtual time), then takes
 * bytes until len or UART_IDLE_NS of silence: mbedTLS asks for exactly the
 * rest of a record, so a read returns a whole record as a socket would. */
static int uart_read(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    (void)ctx;
    size_t n = 0;
    uint64_t t0 = board_count(), wait0 = fw_counts.wait;
    uint64_t start = now_ns();
    for (;;) {
        uint64_t w0 = board_count();
        uint64_t since = now_ns();
        while (!board_uart_rx_ready()) {
            uint64_t t = now_ns();
            if ((n == 0 && t - start > (uint64_t)timeout_ms * 1000000u) || (n > 0 && t - since > UART_IDLE_NS))
                break;
        }
        fw_counts.wait += board_count() - w0;
        if (!board_uart_rx_ready())
            break;
        while (n < len && board_uart_rx_ready())
            buf[n++] = board_uart_getc();
        if (n == len)
            break;
    }
    fw_counts.uart += board_count() - t0 - (fw_counts.wait - wait0);
    return n > 0 ? (int)n : OTTER_ERR_TIMEOUT;
}

static int uart_write(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    (void)ctx, (void)timeout_ms;
    uint64_t t0 = board_count(), wait0 = fw_counts.wait;
    for (size_t i = 0; i < len; i++) {
        uint64_t w0 = board_count();
        while (!board_uart_tx_ready())
            ;
        fw_counts.wait += board_count() - w0;
        board_uart_putc(buf[i]);
    }
    fw_counts.uart += board_count() - t0 - (fw_counts.wait - wait0);
    return (int)len;
}

static void uart_close(void *ctx)
{
    (void)ctx;
}

/* ---- the clock: virtual time (1 ns per instruction), host wall time ---- */

static uint64_t clk_now_ms(void *ctx)
{
    (void)ctx;
    return now_ns() / 1000000u;
}

static int64_t clk_wall(void *ctx)
{
    (void)ctx;
    return (int64_t)time(NULL);
}

void fw_ports(otter_transport_t *tcp, otter_clock_t *clock)
{
    board_uart_init();
    board_count_init();
    *tcp = (otter_transport_t){uart_connect, uart_read, uart_write, uart_close, NULL};
    *clock = (otter_clock_t){clk_now_ms, clk_wall, NULL};
}
