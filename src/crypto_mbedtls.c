/* The crypto shim's mbedTLS backend: hashes. (Signature checks are added by
 * the signature module.) */
#include <mbedtls/md5.h>
#include <mbedtls/sha256.h>

#include "otter/crypto.h"
#include "otter/error.h"

_Static_assert(sizeof(mbedtls_sha256_context) <= OTTER_HASH_CTX_SIZE, "OTTER_HASH_CTX_SIZE too small for mbedTLS SHA-256");
_Static_assert(sizeof(mbedtls_md5_context) <= OTTER_HASH_CTX_SIZE, "OTTER_HASH_CTX_SIZE too small for mbedTLS MD5");

#define SHA(c) ((mbedtls_sha256_context *)(void *)(c)->opaque)
#define MD5(c) ((mbedtls_md5_context *)(void *)(c)->opaque)

void otter_sha256_init(otter_sha256_t *ctx)
{
    mbedtls_sha256_init(SHA(ctx));
}

int otter_sha256_start(otter_sha256_t *ctx)
{
    return mbedtls_sha256_starts_ret(SHA(ctx), 0) == 0 ? OTTER_OK : OTTER_ERR_CRYPTO;
}

int otter_sha256_update(otter_sha256_t *ctx, const void *data, size_t len)
{
    return mbedtls_sha256_update_ret(SHA(ctx), data, len) == 0 ? OTTER_OK : OTTER_ERR_CRYPTO;
}

int otter_sha256_finish(otter_sha256_t *ctx, uint8_t out[32])
{
    return mbedtls_sha256_finish_ret(SHA(ctx), out) == 0 ? OTTER_OK : OTTER_ERR_CRYPTO;
}

void otter_sha256_free(otter_sha256_t *ctx)
{
    mbedtls_sha256_free(SHA(ctx));
    otter_wipe(ctx, sizeof *ctx);
}

int otter_sha256_clone(otter_sha256_t *dst, const otter_sha256_t *src)
{
    mbedtls_sha256_clone(SHA(dst), (const mbedtls_sha256_context *)(const void *)src->opaque);
    return OTTER_OK;
}

int otter_sha256(const void *data, size_t len, uint8_t out[32])
{
    return mbedtls_sha256_ret(data, len, out, 0) == 0 ? OTTER_OK : OTTER_ERR_CRYPTO;
}

void otter_md5_init(otter_md5_t *ctx)
{
    mbedtls_md5_init(MD5(ctx));
}

int otter_md5_start(otter_md5_t *ctx)
{
    return mbedtls_md5_starts_ret(MD5(ctx)) == 0 ? OTTER_OK : OTTER_ERR_CRYPTO;
}

int otter_md5_update(otter_md5_t *ctx, const void *data, size_t len)
{
    return mbedtls_md5_update_ret(MD5(ctx), data, len) == 0 ? OTTER_OK : OTTER_ERR_CRYPTO;
}

int otter_md5_finish(otter_md5_t *ctx, uint8_t out[16])
{
    return mbedtls_md5_finish_ret(MD5(ctx), out) == 0 ? OTTER_OK : OTTER_ERR_CRYPTO;
}

void otter_md5_free(otter_md5_t *ctx)
{
    mbedtls_md5_free(MD5(ctx));
    otter_wipe(ctx, sizeof *ctx);
}

int otter_md5(const void *data, size_t len, uint8_t out[16])
{
    return mbedtls_md5_ret(data, len, out) == 0 ? OTTER_OK : OTTER_ERR_CRYPTO;
}
