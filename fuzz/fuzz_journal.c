/* Fuzz target: the update journal as read back from flash (what a power cut
 * or another program may have left in the last sector of an update slot).
 * The input is the journal sector (up to 4096 bytes, the rest 0xFF). Loading
 * must return 0 or OTTER_ERR_UPD_JOURNAL, never read outside the flash, and a
 * journal it accepts must describe a file that fits before the journal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otter/error.h"
#include "update_journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SECTOR 4096u
#define SLOT 0x10000u /* a 64 KB slot at address 0: the journal is its last sector */

struct mem {
    uint8_t d[SLOT];
};

static int m_read(void *c, uint32_t a, void *b, size_t n)
{
    if (a > SLOT || n > SLOT - a)
        abort(); /* the journal must never read outside the slot */
    memcpy(b, ((struct mem *)c)->d + a, n);
    return 0;
}

static int m_prog(void *c, uint32_t a, const void *b, size_t n)
{
    (void)c, (void)a, (void)b, (void)n;
    abort(); /* loading only reads */
}

static int m_erase(void *c, uint32_t a, size_t n)
{
    (void)c, (void)a, (void)n;
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mem m; /* fuzz harness only, not core code */
    memset(m.d, 0xFF, sizeof m.d);
    memcpy(m.d + SLOT - SECTOR, data, size < SECTOR ? size : SECTOR);
    otter_flash_t f = {m_read, m_prog, m_erase, SLOT, SECTOR, 0, 256, 0xFF, &m};
    otter_journal_t j;
    memset(&j, 0, sizeof j);
    j.sector_size = SECTOR;
    j.addr = otter_journal_addr(0, SLOT, SECTOR);
    uint8_t buf[64];
    int ret = otter_journal_load(&f, &j, buf, sizeof buf);
    if (ret != 0 && ret != OTTER_ERR_UPD_JOURNAL)
        abort();
    if (ret == 0) {
        if (j.slot_addr > j.addr || j.total > j.addr - j.slot_addr || j.validator_len > OTTER_JOURNAL_VALIDATOR_MAX ||
            j.validator[j.validator_len] != 0 || otter_journal_bytes_done(&j) > j.total)
            abort();
    }
    return 0;
}
