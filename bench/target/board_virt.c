/* RV32 on QEMU virt (see board.h): UART0 is an NS16550A at 0x10000000; the
 * count is the minstret CSR, which QEMU derives from the instruction count
 * under -icount (exact, resolution 1 instruction). Read with .insn so that
 * the file builds for the picolibc multilib's -march=rv32imc. */
#include "board.h"

#define UART_REG(o) (*(volatile uint8_t *)(0x10000000u + (o)))
#define UART_RBR 0
#define UART_THR 0
#define UART_FCR 2
#define UART_LSR 5
#define LSR_DR 0x01u
#define LSR_THRE 0x20u

const uint32_t board_count_unit = 1;
const char board_count_method[] = "minstret CSR under -icount shift=0 (exact)";

static uint64_t base;

void board_uart_init(void)
{
    UART_REG(UART_FCR) = 0x07u; /* FIFOs on and cleared */
}

int board_uart_rx_ready(void)
{
    return (UART_REG(UART_LSR) & LSR_DR) != 0;
}
uint8_t board_uart_getc(void)
{
    return UART_REG(UART_RBR);
}
int board_uart_tx_ready(void)
{
    return (UART_REG(UART_LSR) & LSR_THRE) != 0;
}
void board_uart_putc(uint8_t c)
{
    UART_REG(UART_THR) = c;
}

static uint64_t instret(void)
{
    uint32_t hi, lo, hi2;
    do {
        __asm__ volatile(".insn i 0x73, 2, %0, x0, -1150" : "=r"(hi)); /* csrr minstreth (0xB82) */
        __asm__ volatile(".insn i 0x73, 2, %0, x0, -1278" : "=r"(lo)); /* csrr minstret (0xB02) */
        __asm__ volatile(".insn i 0x73, 2, %0, x0, -1150" : "=r"(hi2));
    } while (hi != hi2);
    return ((uint64_t)hi << 32) | lo;
}

void board_count_init(void)
{
    base = instret();
}
uint64_t board_count(void)
{
    return instret() - base;
}

uint64_t board_count_check(uint32_t n)
{
    uint32_t turns = n / 2;
    uint64_t t0 = board_count();
    __asm__ volatile("1: addi %0, %0, -1\n\tbnez %0, 1b" : "+r"(turns));
    return (board_count() - t0) * board_count_unit;
}
