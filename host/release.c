/* otter host: signing release indexes (host/release.h). */
#include <string.h>

#include "otter/crypto.h"
#include "release.h"

int otter_release_key_point(otter_signkey_t *k, otter_index_key_t *out)
{
    uint8_t block[OTTER_SIG_MAX_KEY_LEN];
    size_t len = 0;
    if (!k->key || k->scheme != OTTER_SIG_SCHEME_ECDSA_P256)
        return OTTER_ERR_SIG_KEY;
    int ret = otter_signkey_block_key(k, block, &len);
    if (ret)
        return ret;
    if (len != 65 || block[0] != OTTER_EC_P256)
        return OTTER_ERR_SIG_KEY;
    memcpy(out->point, block + 1, 64);
    return 0;
}

static void hex(char *o, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        o[2 * i] = digits[p[i] >> 4];
        o[2 * i + 1] = digits[p[i] & 15];
    }
}

int otter_release_sign(otter_signkey_t *k, const char *body, size_t body_len, char *out, size_t cap, size_t *out_len)
{
    const size_t line = 4 + 2 * OTTER_INDEX_KEY_ID_LEN + 1 + 128 + 1;
    otter_index_key_t pub;
    uint8_t id[OTTER_INDEX_KEY_ID_LEN], digest[32], sig[64];
    size_t sig_len = 0;
    if (!k->has_private)
        return OTTER_ERR_SIG_KEY;
    int ret = otter_release_key_point(k, &pub);
    if (ret)
        return ret;
    if (body_len + line > OTTER_INDEX_MAX_SIZE)
        return OTTER_ERR_INDEX_TOO_LARGE;
    if (body_len + line > cap)
        return OTTER_ERR_BUF_TOO_SMALL;
    if ((ret = otter_index_key_id(&pub, id)) != 0 || (ret = otter_sha256(body, body_len, digest)) != 0)
        return ret;
    if (otter_hkey_sign(k->key, OTTER_HSIG_ECDSA, OTTER_HASH_SHA256, digest, sizeof digest, sig, sizeof sig,
                        &sig_len) != 0 ||
        sig_len != 64)
        return OTTER_ERR_CRYPTO;
    /* r and s come big-endian from the library; the index stores them
     * little-endian, as a Secure Boot V2 block does. */
    uint8_t le[64];
    for (size_t i = 0; i < 32; i++) {
        le[i] = sig[31 - i];
        le[32 + i] = sig[63 - i];
    }
    memmove(out, body, body_len);
    char *p = out + body_len;
    memcpy(p, "sig ", 4);
    hex(p + 4, id, sizeof id);
    p[4 + 2 * sizeof id] = ' ';
    hex(p + 5 + 2 * sizeof id, le, sizeof le);
    p[line - 1] = '\n';
    *out_len = body_len + line;
    return 0;
}
