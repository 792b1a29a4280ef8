/* bench/target/board.h: the two things the footprint firmware needs from
 * the QEMU board beyond semihosting: the UART that carries the TLS byte
 * stream (QEMU connects it to a TCP server on the host) and a counter of
 * executed instructions (QEMU runs with -icount shift=0: one instruction is
 * one nanosecond of virtual time). One board file per ISA:
 * board_mps2.c (Cortex-M4, mps2-an386), board_virt.c (RV32, virt). */
#ifndef OTTER_BENCH_BOARD_H
#define OTTER_BENCH_BOARD_H

#include <stdint.h>

/* Enable the UART's receiver and transmitter. */
void board_uart_init(void);
/* 1 when a received byte waits in the UART. */
int board_uart_rx_ready(void);
/* The next received byte (call only when board_uart_rx_ready()). */
uint8_t board_uart_getc(void);
/* 1 when the UART can take a byte to send. */
int board_uart_tx_ready(void);
void board_uart_putc(uint8_t c);

/* Start the instruction counter. */
void board_count_init(void);
/* Executed instructions since board_count_init(), in units of
 * BOARD_COUNT_UNIT instructions (the counter's resolution). */
uint64_t board_count(void);
extern const uint32_t board_count_unit;
/* Run a loop of exactly n instructions (2 per turn) between two counter
 * reads; returns the instructions the counter saw (the check of the
 * method: n, to the counter's resolution). */
uint64_t board_count_check(uint32_t n);
extern const char board_count_method[];

#endif
