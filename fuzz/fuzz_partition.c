/* Fuzz target: the binary partition table parser. Parses the input (with and
 * without a flash size); whatever parses must serialise and parse back to the
 * same table, and a rejected table must leave the output empty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otter/error.h"
#include "otter/host/partition.h"
#include "otter/partition.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t sizes[] = {0, 4u << 20, 0x10000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        otter_ptable_t pt, back;
        uint8_t out[OTTER_PT_MAX_LEN];
        int ret = otter_ptable_parse(&pt, data, size, sizes[k]);
        if (ret > 0)
            abort();
        if (ret < 0) {
            if (pt.count != 0)
                abort();
            continue;
        }
        if (pt.count == 0 || pt.count > OTTER_PT_MAX_ENTRIES || otter_ptable_validate(&pt, sizes[k]) != 0)
            abort();
        if (otter_ptable_serialise(&pt, out, sizeof out) != (int)OTTER_PT_MAX_LEN)
            abort();
        if (otter_ptable_parse(&back, out, sizeof out, sizes[k]) != 0 || memcmp(&back, &pt, sizeof pt) != 0)
            abort();
        for (uint32_t i = 0; i < pt.count; i++)
            if (otter_ptable_find_label(&pt, pt.entry[i].label) != &pt.entry[i])
                abort(); /* labels are unique */
        (void)otter_ptable_ota_count(&pt);
    }
    return 0;
}
