/* otter POSIX port: entropy from the kernel (getrandom) for otter_tls. */
#ifndef OTTER_POSIX_RNG_H
#define OTTER_POSIX_RNG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An otter_entropy_fn: fills buf with len bytes from getrandom(2), retrying
 * on EINTR and short reads. ctx is unused (NULL). Returns 0, or
 * OTTER_ERR_IO when the kernel refuses. */
int otter_posix_entropy(void *ctx, uint8_t *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
