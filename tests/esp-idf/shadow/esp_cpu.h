/* Stand-in for ESP-IDF's esp_cpu.h on the linux target (tests only).
 * The real header assumes an Xtensa or RISC-V CPU; the code compiled here
 * only asks whether a debugger is attached. */
#pragma once
#include <stdbool.h>

static inline bool esp_cpu_dbgr_is_attached(void)
{
    return false;
}
