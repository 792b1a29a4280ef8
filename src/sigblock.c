/* Secure Boot V2 signature sector: parse and verify (include/otter/sigblock.h,
 * docs/FORMATS.md). Offsets follow ESP-IDF's ets_secure_boot_sig_block_t and
 * espsecure's block packing. */
#include <stdbool.h>
#include <string.h>

#include "otter/bytes.h"
#include "crc32.h"
#include "otter/crypto.h"
#include "otter/error.h"
#include "otter/host/sigblock.h"
#include "otter/sigblock.h"

/* Field offsets inside a block. */
#define OFF_DIGEST 4u
#define OFF_RSA_N 36u
#define OFF_RSA_E 420u
#define OFF_RSA_RINV 424u
#define OFF_RSA_MDASH 808u
#define OFF_RSA_SIG 812u
#define RSA_LEN 384u
#define OFF_EC_CURVE 36u /* SHA-256 layout (P-192, P-256) */
#define OFF_EC_POINT 37u
#define OFF_EC_SIG 101u
#define OFF_EC384_CURVE 52u /* SHA-384 layout (P-384) */
#define OFF_EC384_POINT 53u
#define OFF_EC384_SIG 149u
#define OFF_CRC 1196u

static bool all_ff(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0xFF)
            return false;
    return true;
}

const char *otter_sig_scheme_name(otter_sig_scheme_t scheme)
{
    switch (scheme) {
    case OTTER_SIG_SCHEME_RSA3072:
        return "RSA-3072";
    case OTTER_SIG_SCHEME_ECDSA_P192:
        return "ECDSA-P192";
    case OTTER_SIG_SCHEME_ECDSA_P256:
        return "ECDSA-P256";
    case OTTER_SIG_SCHEME_ECDSA_P384:
        return "ECDSA-P384";
    default:
        return "none";
    }
}

void otter_sigblock_seal(uint8_t block[OTTER_SIG_BLOCK_LEN])
{
    otter_put_le32(block + OFF_CRC, otter_crc32_le(0, block, OTTER_SIG_BLOCK_CRC_LEN));
    memset(block + OFF_CRC + 4, 0, OTTER_SIG_BLOCK_LEN - OFF_CRC - 4);
}

/* Magic, CRC (crc_ok: the stored CRC matches) and version from the first
 * HEAD_LEN bytes of a block; returns the scheme or an error. */
#define HEAD_LEN 64u
static int head_scheme(const uint8_t *b, bool crc_ok)
{
    if (b[0] != OTTER_SIG_MAGIC)
        return OTTER_ERR_SIG_MAGIC;
    if (!crc_ok)
        return OTTER_ERR_SIG_CRC;
    if (b[1] == OTTER_SIG_VERSION_RSA)
        return OTTER_SIG_SCHEME_RSA3072;
    if (b[1] != OTTER_SIG_VERSION_ECDSA)
        return OTTER_ERR_SIG_VERSION;
    /* byte 2: 0 = SHA-256 layout, 1 = SHA-384 layout */
    if (b[2] == 0 && b[OFF_EC_CURVE] == OTTER_EC_P256)
        return OTTER_SIG_SCHEME_ECDSA_P256;
    if (b[2] == 0 && b[OFF_EC_CURVE] == OTTER_EC_P192)
        return OTTER_SIG_SCHEME_ECDSA_P192;
    if (b[2] == 1 && b[OFF_EC384_CURVE] == OTTER_EC_P384)
        return OTTER_SIG_SCHEME_ECDSA_P384;
    return OTTER_ERR_SIG_VERSION;
}

static int block_scheme(const uint8_t *b)
{
    return head_scheme(b, otter_le32(b + OFF_CRC) == otter_crc32_le(0, b, OTTER_SIG_BLOCK_CRC_LEN));
}

int otter_sigblock_key(const uint8_t block[OTTER_SIG_BLOCK_LEN], const uint8_t **key, size_t *key_len)
{
    if (!block || !key || !key_len)
        return OTTER_ERR_INVAL;
    int scheme = block_scheme(block);
    switch (scheme) {
    case OTTER_SIG_SCHEME_RSA3072:
        *key = block + OFF_RSA_N, *key_len = OTTER_SIG_RSA_KEY_LEN;
        break;
    case OTTER_SIG_SCHEME_ECDSA_P192:
    case OTTER_SIG_SCHEME_ECDSA_P256:
        *key = block + OFF_EC_CURVE, *key_len = 1 + 64;
        break;
    case OTTER_SIG_SCHEME_ECDSA_P384:
        *key = block + OFF_EC384_CURVE, *key_len = 1 + 96;
        break;
    default:
        break;
    }
    return scheme;
}

int otter_sigblock_key_digest(const uint8_t block[OTTER_SIG_BLOCK_LEN], uint8_t out[32])
{
    const uint8_t *key = NULL;
    size_t key_len = 0;
    int scheme = otter_sigblock_key(block, &key, &key_len);
    if (scheme < 0)
        return scheme;
    if (!out || otter_sha256(key, key_len, out) != OTTER_OK)
        return out ? OTTER_ERR_CRYPTO : OTTER_ERR_INVAL;
    return scheme;
}

/* mdash must be -n^-1 mod 2^32 (the Montgomery constant the ROM uses). */
static bool rsa_mdash_ok(const uint8_t *n, const uint8_t *mdash)
{
    uint32_t n0 = otter_le32(n);
    if ((n0 & 1u) == 0)
        return false;
    uint32_t x = n0; /* n0 * n0 == 1 mod 8: x is n0^-1 to 3 bits */
    for (int i = 0; i < 4; i++)
        x *= 2u - n0 * x; /* Newton: doubles the correct bits */
    return otter_le32(mdash) == (uint32_t)(0u - x);
}

static int check_signature(const uint8_t *b, int scheme, const uint8_t *digest256, const uint8_t *digest384)
{
    switch (scheme) {
    case OTTER_SIG_SCHEME_RSA3072:
        if (!otter_ct_equal(b + OFF_DIGEST, digest256, 32))
            return OTTER_ERR_SIG_DIGEST;
        if (!rsa_mdash_ok(b + OFF_RSA_N, b + OFF_RSA_MDASH))
            return OTTER_ERR_SIG_KEY;
        return otter_rsa_pss_verify(b + OFF_RSA_N, RSA_LEN, otter_le32(b + OFF_RSA_E), b + OFF_RSA_RINV, digest256,
                                    b + OFF_RSA_SIG);
    case OTTER_SIG_SCHEME_ECDSA_P192:
        if (!otter_ct_equal(b + OFF_DIGEST, digest256, 32))
            return OTTER_ERR_SIG_DIGEST;
        return otter_ecdsa_verify(OTTER_EC_P192, b + OFF_EC_POINT, digest256, 32, b + OFF_EC_SIG);
    case OTTER_SIG_SCHEME_ECDSA_P256:
        if (!otter_ct_equal(b + OFF_DIGEST, digest256, 32))
            return OTTER_ERR_SIG_DIGEST;
        return otter_ecdsa_verify(OTTER_EC_P256, b + OFF_EC_POINT, digest256, 32, b + OFF_EC_SIG);
    case OTTER_SIG_SCHEME_ECDSA_P384:
        if (!digest384)
            return OTTER_ERR_SIG_UNSUPPORTED;
        if (!otter_ct_equal(b + OFF_DIGEST, digest384, 48))
            return OTTER_ERR_SIG_DIGEST;
        return otter_ecdsa_verify(OTTER_EC_P384, b + OFF_EC384_POINT, digest384, 48, b + OFF_EC384_SIG);
    default:
        return OTTER_ERR_SIG_VERSION;
    }
}

int otter_sigblock_check(const uint8_t block[OTTER_SIG_BLOCK_LEN], const uint8_t digest256[32],
                         const uint8_t *digest384, otter_sigblock_result_t *res)
{
    if (!block || !digest256 || !res)
        return OTTER_ERR_INVAL;
    memset(res, 0, sizeof *res);
    res->trusted_index = -1;
    if (all_ff(block, OTTER_SIG_BLOCK_LEN)) {
        res->status = OTTER_SIG_ABSENT;
        return res->status;
    }
    int scheme = otter_sigblock_key_digest(block, res->key_digest);
    if (scheme < 0) {
        res->status = scheme;
        return scheme;
    }
    res->scheme = (otter_sig_scheme_t)scheme;
    res->status = check_signature(block, scheme, digest256, digest384);
    return res->status;
}

/* Index of the trusted digest equal to d, or -1. Every entry is compared,
 * in constant time, whatever matches. */
static int find_trusted(const uint8_t d[32], const uint8_t (*trusted)[32], size_t n)
{
    int found = -1;
    for (size_t i = 0; i < n; i++)
        if (otter_ct_equal(d, trusted[i], 32) && found < 0)
            found = (int)i;
    return found;
}

static bool is_malformed(int status)
{
    return status < 0 && status != OTTER_ERR_SIG_UNTRUSTED && status != OTTER_ERR_SIG_UNSUPPORTED;
}

/* Fold one slot's result into the sector report (otter_sigblock_verify()'s
 * rules); *first_bad keeps the first malformed block's reason. */
static void tally(otter_sigblock_report_t *rep, otter_sigblock_result_t *r, int st, const uint8_t (*trusted)[32],
                  size_t n_trusted, int *first_bad, bool *untrusted)
{
    if (st == OTTER_SIG_ABSENT)
        return;
    rep->n_present++;
    if (st == OTTER_OK) {
        r->trusted_index = find_trusted(r->key_digest, trusted, n_trusted);
        if (r->trusted_index >= 0) {
            rep->n_verified++;
        } else {
            r->status = OTTER_ERR_SIG_UNTRUSTED;
            *untrusted = true;
        }
    }
    if (is_malformed(r->status) && *first_bad == OTTER_OK)
        *first_bad = r->status;
}

static int verdict(const otter_sigblock_report_t *rep, int first_bad, bool untrusted)
{
    if (first_bad != OTTER_OK)
        return first_bad;
    if (rep->n_verified > 0)
        return OTTER_OK;
    if (rep->n_present == 0)
        return OTTER_ERR_SIG_NONE;
    return untrusted ? OTTER_ERR_SIG_UNTRUSTED : OTTER_ERR_SIG_UNSUPPORTED;
}

int otter_sigblock_verify(const uint8_t sector[OTTER_SIG_SECTOR_LEN], const uint8_t digest256[32],
                          const uint8_t *digest384, const uint8_t (*trusted)[32], size_t n_trusted,
                          otter_sigblock_report_t *report)
{
    otter_sigblock_report_t local;
    otter_sigblock_report_t *rep = report ? report : &local;
    int first_bad = OTTER_OK;
    bool untrusted = false;
    memset(rep, 0, sizeof *rep);
    if (!sector || !digest256 || (n_trusted && !trusted) || n_trusted > OTTER_SIG_MAX_BLOCKS)
        return OTTER_ERR_INVAL;
    for (unsigned i = 0; i < OTTER_SIG_MAX_BLOCKS; i++) {
        otter_sigblock_result_t *r = &rep->block[i];
        int st = otter_sigblock_check(sector + i * OTTER_SIG_BLOCK_LEN, digest256, digest384, r);
        tally(rep, r, st, trusted, n_trusted, &first_bad, &untrusted);
    }
    return verdict(rep, first_bad, untrusted);
}

/* --- the same checks on a sector in flash, read in pieces ------------------
 * A work buffer of OTTER_SIG_BLOCK_LEN bytes or more takes one block at a
 * time and runs otter_sigblock_check() on it. A smaller one (down to
 * OTTER_SIG_WORK_MIN) reads each block three times: a scan in work_len
 * pieces (all 0xFF?, CRC over [0, 1196), the first HEAD_LEN bytes kept),
 * then only the fields a check needs: the key for its digest, then, for
 * RSA, n + e + rinv (key checks) and n + e + signature (verification).
 * Every verdict is the one otter_sigblock_check() gives on the same bytes
 * (tests/test_sigblock.c compares them for every buffer size). */

/* Read [off, off + len) of the block at addr into work. */
static int rd(const otter_flash_t *f, uint32_t addr, uint32_t off, uint8_t *work, size_t len)
{
    return f->read(f->ctx, addr + off, work, len);
}

static int check_piecewise(const otter_flash_t *f, uint32_t addr, const uint8_t *digest256,
                           const uint8_t *digest384, otter_sigblock_result_t *res, uint8_t *w, size_t wl)
{
    uint8_t head[HEAD_LEN], crcb[4];
    uint32_t crc = 0;
    bool ff = true;
    for (uint32_t off = 0; off < OTTER_SIG_BLOCK_LEN;) {
        size_t n = OTTER_SIG_BLOCK_LEN - off < wl ? OTTER_SIG_BLOCK_LEN - off : wl;
        int ret = rd(f, addr, off, w, n);
        if (ret < 0)
            return ret;
        ff = ff && all_ff(w, n);
        if (off < OTTER_SIG_BLOCK_CRC_LEN)
            crc = otter_crc32_le(crc, w, off + n <= OTTER_SIG_BLOCK_CRC_LEN ? n : OTTER_SIG_BLOCK_CRC_LEN - off);
        for (size_t i = 0; i < n; i++) {
            if (off + i < HEAD_LEN)
                head[off + i] = w[i];
            else if (off + i >= OFF_CRC && off + i < OFF_CRC + 4)
                crcb[off + i - OFF_CRC] = w[i];
        }
        off += (uint32_t)n;
    }
    if (ff)
        return res->status = OTTER_SIG_ABSENT;
    int scheme = head_scheme(head, otter_le32(crcb) == crc);
    if (scheme < 0)
        return res->status = scheme;
    res->scheme = (otter_sig_scheme_t)scheme;
    int ret;
    if (scheme != OTTER_SIG_SCHEME_RSA3072) {
        /* an ECDSA block's fields all lie in its first 245 bytes */
        ret = rd(f, addr, 0, w, 256);
        if (ret < 0)
            return ret;
        const uint8_t *key = w + (scheme == OTTER_SIG_SCHEME_ECDSA_P384 ? OFF_EC384_CURVE : OFF_EC_CURVE);
        size_t key_len = scheme == OTTER_SIG_SCHEME_ECDSA_P384 ? 1 + 96 : 1 + 64;
        if (otter_sha256(key, key_len, res->key_digest) != OTTER_OK)
            return res->status = OTTER_ERR_CRYPTO;
        return res->status = check_signature(w, scheme, digest256, digest384);
    }
    /* RSA: key digest over n, e, rinv, mdash (w[0, 776) = block[36, 812)) */
    ret = rd(f, addr, OFF_RSA_N, w, OTTER_SIG_RSA_KEY_LEN);
    if (ret < 0)
        return ret;
    if (otter_sha256(w, OTTER_SIG_RSA_KEY_LEN, res->key_digest) != OTTER_OK)
        return res->status = OTTER_ERR_CRYPTO;
    if (!otter_ct_equal(head + OFF_DIGEST, digest256, 32))
        return res->status = OTTER_ERR_SIG_DIGEST;
    const uint8_t *n = w, *rinv = w + (OFF_RSA_RINV - OFF_RSA_N);
    uint32_t e = otter_le32(w + (OFF_RSA_E - OFF_RSA_N));
    if (!rsa_mdash_ok(w, w + (OFF_RSA_MDASH - OFF_RSA_N)))
        return res->status = OTTER_ERR_SIG_KEY;
    ret = otter_rsa_key_check(n, RSA_LEN, e, rinv);
    if (ret != OTTER_OK)
        return res->status = ret;
    /* the signature over rinv: w[388, 772) = block[812, 1196) */
    ret = rd(f, addr, OFF_RSA_SIG, w + (OFF_RSA_RINV - OFF_RSA_N), RSA_LEN);
    if (ret < 0)
        return ret;
    return res->status = otter_rsa_pss_verify(n, RSA_LEN, e, NULL, digest256, w + (OFF_RSA_RINV - OFF_RSA_N));
}

/* One slot: its verdict in res (a status as otter_sigblock_check() gives),
 * or a flash read error (< 0, res->status left 0) returned as such. */
static int check_flash_block(const otter_flash_t *f, uint32_t addr, const uint8_t *digest256,
                             const uint8_t *digest384, otter_sigblock_result_t *res, uint8_t *w, size_t wl,
                             bool *read_err)
{
    memset(res, 0, sizeof *res);
    res->trusted_index = -1;
    int ret;
    if (wl >= OTTER_SIG_BLOCK_LEN) {
        ret = rd(f, addr, 0, w, OTTER_SIG_BLOCK_LEN);
        if (ret == 0)
            return otter_sigblock_check(w, digest256, digest384, res);
    } else {
        ret = check_piecewise(f, addr, digest256, digest384, res, w, wl);
        if (ret == res->status)
            return ret;
    }
    res->status = 0;
    *read_err = true;
    return ret;
}

int otter_sigblock_verify_sector_flash(const otter_flash_t *f, uint32_t addr, const uint8_t digest256[32],
                                       const uint8_t *digest384, const uint8_t (*trusted)[32], size_t n_trusted,
                                       otter_sigblock_report_t *report, uint8_t *work, size_t work_len)
{
    otter_sigblock_report_t local;
    otter_sigblock_report_t *rep = report ? report : &local;
    int first_bad = OTTER_OK;
    bool untrusted = false;
    memset(rep, 0, sizeof *rep);
    if (!f || !f->read || !digest256 || !work || (n_trusted && !trusted) || n_trusted > OTTER_SIG_MAX_BLOCKS)
        return OTTER_ERR_INVAL;
    if (work_len < OTTER_SIG_WORK_MIN)
        return OTTER_ERR_BUF_TOO_SMALL;
    for (unsigned i = 0; i < OTTER_SIG_MAX_BLOCKS; i++) {
        otter_sigblock_result_t *r = &rep->block[i];
        bool read_err = false;
        int st = check_flash_block(f, addr + i * OTTER_SIG_BLOCK_LEN, digest256, digest384, r, work, work_len,
                                   &read_err);
        if (read_err) {
            memset(rep, 0, sizeof *rep);
            return st;
        }
        tally(rep, r, st, trusted, n_trusted, &first_bad, &untrusted);
    }
    return verdict(rep, first_bad, untrusted);
}

unsigned otter_sigblock_count(const uint8_t sector[OTTER_SIG_SECTOR_LEN])
{
    unsigned n = 0;
    while (n < OTTER_SIG_MAX_BLOCKS && block_scheme(sector + n * OTTER_SIG_BLOCK_LEN) > 0)
        n++;
    return n;
}

