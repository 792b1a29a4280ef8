/* Cortex-M4 vector table for the target tests on QEMU mps2-an386: the
 * initial stack pointer and reset go to newlib's rdimon-crt0 (_start); every
 * fault prints its name over semihosting and exits with status 99, so a
 * crash is a failed test at once rather than a hang until the timeout. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

extern void _start(void);
extern uint32_t __StackTop;

static void fault(const char *what)
{
    printf("\n[  FAULT   ] %s\n", what);
    fflush(stdout);
    _Exit(99);
}

static void hard_fault(void) { fault("HardFault"); }
static void mem_fault(void) { fault("MemManage"); }
static void bus_fault(void) { fault("BusFault"); }
static void usage_fault(void) { fault("UsageFault"); }
static void other(void) { fault("unexpected exception"); }

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))&__StackTop, _start, other, hard_fault, mem_fault, bus_fault, usage_fault,
    0, 0, 0, 0, other, other, 0, other, other,
};
