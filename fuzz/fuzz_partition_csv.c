/* Fuzz target: the partition CSV parser. Whatever parses must be a valid
 * table that serialises and parses back as binary to the same entries; a
 * rejected file leaves the table empty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otter/error.h"
#include "otter/host/partition.h"
#include "otter/partition.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    otter_ptable_t pt, back;
    uint8_t out[OTTER_PT_MAX_LEN];
    unsigned line = 12345;
    int ret = otter_ptable_parse_csv(&pt, (const char *)data, size, 0, &line);
    if (ret > 0)
        abort();
    if (ret < 0) {
        if (pt.count != 0)
            abort();
        return 0;
    }
    if (line != 0 || otter_ptable_validate(&pt, 0) != 0)
        abort();
    ret = otter_ptable_serialise(&pt, out, sizeof out);
    if (ret == OTTER_ERR_PT_TOO_MANY)
        return 0; /* 32 entries + MD5 row fill the table: gen_esp32part.py refuses too */
    if (ret != (int)OTTER_PT_MAX_LEN)
        abort();
    if (otter_ptable_parse(&back, out, sizeof out, 0) != 0 || back.count != pt.count ||
        memcmp(back.entry, pt.entry, sizeof pt.entry) != 0)
        abort();
    return 0;
}
