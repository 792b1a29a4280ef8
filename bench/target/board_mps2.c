/* Cortex-M4 on QEMU mps2-an386 (see board.h): UART0 is a CMSDK APB UART at
 * 0x40004000, TIMER0 a CMSDK APB timer at 0x40000000 clocked at 25 MHz.
 * Under -icount shift=0 virtual time advances 1 ns per instruction, so one
 * timer tick (40 ns) is 40 instructions: the count's resolution. (QEMU's
 * Cortex-M has no cycle counter: DWT CYCCNT reads as zero.) */
#include "board.h"

#define UART_DATA (*(volatile uint32_t *)0x40004000u)
#define UART_STATE (*(volatile uint32_t *)0x40004004u)
#define UART_CTRL (*(volatile uint32_t *)0x40004008u)
#define UART_BAUDDIV (*(volatile uint32_t *)0x40004010u)
#define STATE_TX_FULL 0x1u
#define STATE_RX_FULL 0x2u

#define TIMER_CTRL (*(volatile uint32_t *)0x40000000u)
#define TIMER_VALUE (*(volatile uint32_t *)0x40000004u)
#define TIMER_RELOAD (*(volatile uint32_t *)0x40000008u)

const uint32_t board_count_unit = 40;
const char board_count_method[] = "CMSDK APB timer 0 (25 MHz) under -icount shift=0: 1 tick = 40 instructions";

static uint32_t last;
static uint64_t high;

void board_uart_init(void)
{
    UART_BAUDDIV = 16;
    UART_CTRL = 0x3u; /* TX and RX enable */
}

int board_uart_rx_ready(void)
{
    return (UART_STATE & STATE_RX_FULL) != 0;
}
uint8_t board_uart_getc(void)
{
    return (uint8_t)UART_DATA;
}
int board_uart_tx_ready(void)
{
    return (UART_STATE & STATE_TX_FULL) == 0;
}
void board_uart_putc(uint8_t c)
{
    UART_DATA = c;
}

void board_count_init(void)
{
    TIMER_CTRL = 0;
    TIMER_RELOAD = 0xffffffffu;
    TIMER_VALUE = 0xffffffffu;
    TIMER_CTRL = 0x1u; /* enable, no interrupt */
    last = 0;
    high = 0;
}

/* The timer counts down from 2^32-1; a wrap (every 172 s of virtual time)
 * is caught as long as the counter is read more often than that. */
uint64_t board_count(void)
{
    uint32_t up = 0xffffffffu - TIMER_VALUE;
    if (up < last)
        high += 1ull << 32;
    last = up;
    return high | up;
}

uint64_t board_count_check(uint32_t n)
{
    uint32_t turns = n / 2;
    uint64_t t0 = board_count();
    __asm__ volatile("1: subs %0, %0, #1\n\tbne 1b" : "+r"(turns) : : "cc");
    return (board_count() - t0) * board_count_unit;
}
