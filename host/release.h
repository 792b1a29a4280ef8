/* otter host: signing release indexes (host only; the format and the
 * device's checks are otter/index.h).
 *
 * Release keys are ECDSA P-256 keys, the same PEM files `otter keygen
 * --scheme ecdsa-p256` writes for Secure Boot V2: a key id is a prefix of the
 * eFuse digest `otter keygen` prints. */
#ifndef OTTER_HOST_RELEASE_H
#define OTTER_HOST_RELEASE_H

#include <stddef.h>
#include <stdint.h>

#include "host_error.h" /* the OTTER_ERR_* codes its functions return */
#include "otter/index.h"
#include "sign.h"

/* The public point of a P-256 key as the index and the device hold it.
 * 0 or OTTER_ERR_SIG_KEY (not a P-256 key), OTTER_ERR_CRYPTO. */
int otter_release_key_point(otter_signkey_t *k, otter_index_key_t *out);

/* Sign an index: body (body_len bytes, every line up to the signature,
 * ending in '\n') is copied to out[cap] and the `sig` line appended.
 * *out_len gets the whole length. 0, OTTER_ERR_SIG_KEY (no private P-256
 * key), OTTER_ERR_BUF_TOO_SMALL, OTTER_ERR_INDEX_TOO_LARGE (the result
 * would exceed OTTER_INDEX_MAX_SIZE), OTTER_ERR_CRYPTO. */
int otter_release_sign(otter_signkey_t *k, const char *body, size_t body_len, char *out, size_t cap, size_t *out_len);

#endif
