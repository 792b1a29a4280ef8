/* Fuzz target: the Secure Boot V2 signature sector parser/verifier. The
 * input is the 4096-byte sector (short inputs are padded with 0xFF). The
 * image digest is taken from block 0's own digest field, and the trusted keys
 * are the blocks' own key digests, so that mutated inputs reach the
 * signature maths instead of stopping at "different data" / "untrusted". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otter/error.h"
#include "otter/sigblock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t sector[OTTER_SIG_SECTOR_LEN];
    uint8_t trusted[OTTER_SIG_MAX_BLOCKS][32];
    uint8_t d256[32], d384[48];
    size_t n = size < sizeof sector ? size : sizeof sector;
    memset(sector, 0xFF, sizeof sector);
    if (n)
        memcpy(sector, data, n);
    memcpy(d256, sector + 4, 32);
    memcpy(d384, sector + 4, 48);
    size_t nt = 0;
    for (unsigned i = 0; i < OTTER_SIG_MAX_BLOCKS; i++)
        if (otter_sigblock_key_digest(sector + i * OTTER_SIG_BLOCK_LEN, trusted[nt]) > 0)
            nt++;
    otter_sigblock_report_t rep;
    int r = otter_sigblock_verify(sector, d256, d384, (const uint8_t(*)[32])trusted, nt, &rep);
    if (r == OTTER_OK && rep.n_verified == 0)
        abort();
    if (rep.n_present > OTTER_SIG_MAX_BLOCKS || otter_sigblock_count(sector) > OTTER_SIG_MAX_BLOCKS)
        abort();
    r = otter_sigblock_verify(sector, d256, NULL, NULL, 0, &rep);
    if (r == OTTER_OK)
        abort(); /* nothing is trusted without keys */
    return 0;
}
