/* Words for an image error (include/otter/image.h, otter_image_explain):
 * the first bytes of a file that is not an app image, and what to do.
 * Above image.c (the bytes) and image_identify.c (the fix). */
#include "otter/error.h"
#include "otter/image.h"
#include "strbuf.h"

size_t otter_image_explain(const otter_image_t *ctx, int err, char *out, size_t cap)
{
    otter_sb_t w;
    otter_sb_init(&w, out, cap);
    const uint8_t *p;
    size_t n = ctx ? otter_image_first_bytes(ctx, &p) : 0;
    if (n && (err == OTTER_ERR_IMG_MAGIC || err == OTTER_ERR_IMG_MERGED)) {
        otter_sb_put(&w, "first bytes:");
        for (size_t i = 0; i < n && i < 16; i++) {
            otter_sb_putc(&w, ' ');
            otter_sb_hex(&w, p + i, 1);
        }
        otter_sb_put(&w, n > 16 ? " ...; " : "; ");
    }
    const char *fix = otter_image_fix(err);
    otter_sb_put(&w, "fix: ");
    otter_sb_put(&w, fix ? fix : otter_strerror(err));
    otter_sb_put(&w, ".");
    if (cap && w.len >= cap) { /* cut: end with "..." instead of half a word */
        size_t k = cap - 1;
        for (size_t d = 0; d < 3 && k > 0; d++)
            out[--k] = '.';
    }
    return w.len;
}
