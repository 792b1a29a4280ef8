/* Fuzz target: the update journal as read back from flash (what a power cut
 * or another program may have left in the last sector of an update slot).
 * The input is the journal sector (up to 4096 bytes, the rest 0xFF). Loading
 * must return 0 or OTTER_ERR_UPD_JOURNAL, never read outside the flash, and a
 * journal it accepts must describe a file that fits before the journal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otter/error.h"
#include "ramflash.c" /* test support, included: fuzz targets link no test code */
#include "update_journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SECTOR 4096u
#define SLOT 0x10000u /* a 64 KB slot at address 0: the journal is its last sector */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t mem[SLOT]; /* fuzz harness only, not core code */
    otter_norsim_options_t opt = ramflash_sector_only();
    ramflash_t rf;
    if (ramflash_open(&rf, mem, SLOT, 0xFF, &opt))
        abort();
    memcpy(mem + SLOT - SECTOR, data, size < SECTOR ? size : SECTOR);
    otter_flash_t f = rf.flash;
    otter_journal_t j;
    memset(&j, 0, sizeof j);
    j.sector_size = SECTOR;
    j.addr = otter_journal_addr(0, SLOT, SECTOR);
    uint8_t buf[64];
    int ret = otter_journal_load(&f, &j, buf, sizeof buf);
    /* A read outside the slot is OTTER_ERR_FLASH_RANGE, so it aborts here. */
    if (ret != 0 && ret != OTTER_ERR_UPD_JOURNAL)
        abort();
    if (rf.sim.st.ops != 0)
        abort(); /* loading only reads */
    if (ret == 0) {
        if (j.slot_addr > j.addr || j.total > j.addr - j.slot_addr || j.validator_len > OTTER_JOURNAL_VALIDATOR_MAX ||
            j.validator[j.validator_len] != 0 || otter_journal_bytes_done(&j) > j.total)
            abort();
    }
    return 0;
}
