/* Fuzz target: the streaming app image validator. Feeds the input whole and
 * again in chunks whose sizes come from the input itself, and aborts if the
 * two disagree (chunking invariance) or if an invariant of the result breaks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otter/error.h"
#include "otter/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    otter_image_t a, b;
    otter_image_init(&a, OTTER_CHIP_ANY);
    otter_image_init(&b, OTTER_CHIP_ANY);
    int ra = otter_image_feed(&a, data, size);
    size_t pos = 0, k = 0;
    while (pos < size) {
        size_t c = 1 + (size_t)data[k % size] * 7 % 97;
        k++;
        if (c > size - pos)
            c = size - pos;
        otter_image_feed(&b, data + pos, c);
        pos += c;
    }
    const otter_image_info_t *ia = otter_image_info(&a), *ib = otter_image_info(&b);
    int fa = otter_image_finish(&a);
    if (fa != otter_image_finish(&b) || memcmp(ia, ib, sizeof *ia) != 0)
        abort();
    if (ra >= 0 && (size_t)ra != size)
        abort();
    if (fa == OTTER_OK && (ia->kind != OTTER_IMAGE_KIND_APP || ia->image_len > size || ia->image_len < 24 + 8 + 16))
        abort();
    if (otter_image_done(&a) && ia->trailing != ia->total_len - ia->image_len)
        abort();
    otter_image_free(&a);
    otter_image_free(&b);
    return 0;
}
