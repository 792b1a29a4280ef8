/* otter host tooling: making Secure Boot V2 signature blocks (the signer,
 * host/sign.c, and the tests). Reading and verifying them is the firmware's
 * part: otter/sigblock.h. Implemented in src/sigblock.c. */
#ifndef OTTER_HOST_SIGBLOCK_H
#define OTTER_HOST_SIGBLOCK_H

#include <stdint.h>

#include "otter/sigblock.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fill in a block's CRC field (bytes 1196..1199) and zero padding. */
void otter_sigblock_seal(uint8_t block[OTTER_SIG_BLOCK_LEN]);

#ifdef __cplusplus
}
#endif

#endif
