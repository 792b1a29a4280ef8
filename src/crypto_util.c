/* Backend-independent crypto helpers: constant-time compare and wipe. */
#include "otter/crypto.h"

int otter_ct_equal(const void *a, const void *b, size_t len)
{
    const volatile uint8_t *x = a;
    const volatile uint8_t *y = b;
    uint8_t diff = 0;
    for (size_t i = 0; i < len; i++)
        diff |= (uint8_t)(x[i] ^ y[i]);
    return diff == 0;
}

void otter_wipe(void *p, size_t len)
{
    volatile uint8_t *q = p;
    while (len--)
        *q++ = 0;
}
