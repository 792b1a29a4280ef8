/* Secure Boot V2 signature sectors: key digests against values computed
 * independently (tests/keys/README.md), sign + verify for every scheme, every
 * malformed block gives its own reason, trust rules, append, and the engine's
 * flow (validator's sig_digest -> sector verify). OpenSSL cross-checks of the
 * byte order are in test_sign_openssl.sh; verification alone (real vectors,
 * CLI-signed images, RSA-PSS salts), which also runs on the target ISAs, is in
 * test_sigverify.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "imgmake.h"
#include "otter/bytes.h"
#include "crc32.h"
#include "otter/crypto.h"
#include "otter/error.h"
#include "otter/host/sigblock.h"
#include "otter/image.h"
#include "otter/sigblock.h"
#include "otter/verify.h"
#include "ramflash.h"
#include "sign.h"

struct keyinfo {
    const char *file;
    otter_sig_scheme_t scheme;
    const char *digest_hex;
};

static const struct keyinfo keys[] = {
    {"test-p256.pem", OTTER_SIG_SCHEME_ECDSA_P256, "093d006b5bd5ac29f9d97ec660a8148edbdfe5c890e586de11b8461c2300ac5a"},
    {"test-p256-b.pem", OTTER_SIG_SCHEME_ECDSA_P256,
     "a0042138c2e952f4a34a5b76cc2132d7af7f10d4791e038d9bb8697fcf2a3218"},
    {"test-p192.pem", OTTER_SIG_SCHEME_ECDSA_P192, "dcf11ce24ccc2b7f1615968014e3b89e51212eece0c10f6b7be71f2ca9d15bec"},
    {"test-p384.pem", OTTER_SIG_SCHEME_ECDSA_P384, "2dafd5981237c9b52839978498758da72b582e1657dcbf660945fe311daf07bd"},
    {"test-rsa3072.pem", OTTER_SIG_SCHEME_RSA3072, "4b96d2aa8bf76a5073cf7be40d8672b019046c7d1645d06d4dabfd5f48e77e1b"},
};
enum { K_P256, K_P256B, K_P192, K_P384, K_RSA, N_KEYS };

static otter_signkey_t key[N_KEYS];
static uint8_t key_digest[N_KEYS][32];
/* ECDSA P-192 is gone from mbedTLS 4.0: its cases are skipped there. */
static int have[N_KEYS];
/* The device's verifier asked the same (a build capability, not a version):
 * without P-192 a P-192 block must give OTTER_ERR_UNSUPPORTED. */
static int have_p192;

static void hex(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

static int setup(void **state)
{
    (void)state;
    const char *src = getenv("OTTER_SRC");
    have_p192 = otter_ecdsa_curve_supported(OTTER_EC_P192);
    if (!have_p192)
        printf("note: this crypto build has no P-192 (PSA_WANT_ECC_SECP_R1_192 off): "
               "P-192 blocks must give OTTER_ERR_UNSUPPORTED\n");
    /* signer and verifier agree on what the build has */
    if (have_p192 != otter_sign_scheme_available(OTTER_SIG_SCHEME_ECDSA_P192))
        return -1;
    for (int i = 0; i < N_KEYS; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/tests/keys/%s", src ? src : ".", keys[i].file);
        otter_signkey_init(&key[i]);
        int r = otter_signkey_load(&key[i], path);
        hex(keys[i].digest_hex, key_digest[i], 32);
        have[i] = r == OTTER_OK;
        if (r == OTTER_ERR_UNSUPPORTED && !otter_sign_scheme_available(keys[i].scheme)) {
            fprintf(stderr, "test_sigblock: %s: scheme not in this crypto library, its cases skipped\n",
                    keys[i].file);
            continue;
        }
        if (r != OTTER_OK)
            return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < N_KEYS; i++)
        otter_signkey_free(&key[i]);
    return 0;
}

/* A synthetic app image (not 4096-aligned). */
static uint8_t *make_image(uint32_t seed, size_t *len)
{
    otter_imgmake_t p;
    otter_imgmake_defaults(&p);
    p.size = 20000;
    p.seed = seed;
    uint8_t *img = otter_imgmake_alloc(&p, len);
    assert_non_null(img);
    return img;
}

static uint8_t *sign(int k, const uint8_t *in, size_t n, bool append, size_t *out_len)
{
    uint8_t *out;
    unsigned blocks;
    assert_int_equal(otter_sign_data(&key[k], in, n, append, &out, out_len, &blocks), 0);
    return out;
}

/* Verify a signed file the way the engine does: stream it through the
 * validator, take sig_digest, check the sector at signed_len. */
static int engine_verify(const uint8_t *d, size_t n, const uint8_t (*trusted)[32], size_t nt,
                         otter_sigblock_report_t *rep)
{
    otter_image_t img;
    otter_image_init(&img, OTTER_CHIP_ANY);
    otter_image_feed(&img, d, n);
    assert_int_equal(otter_image_finish(&img), 0);
    const otter_image_info_t *in = otter_image_info(&img);
    assert_true(in->sig_digest_ready);
    assert_true(in->trailing_ff);
    assert_int_equal(n, in->signed_len + OTTER_SIG_SECTOR_LEN);
    uint8_t d384[48];
    assert_int_equal(otter_host_sha384(d, in->signed_len, d384), 0);
    int r = otter_sigblock_verify(d + in->signed_len, in->sig_digest, d384, trusted, nt, rep);
    otter_image_free(&img);
    return r;
}

static void test_key_digests(void **state)
{
    (void)state;
    for (int i = 0; i < N_KEYS; i++) {
        uint8_t d[32];
        if (!have[i])
            continue;
        assert_int_equal(key[i].scheme, keys[i].scheme);
        assert_true(key[i].has_private);
        assert_int_equal(otter_signkey_digest(&key[i], d), 0);
        assert_memory_equal(d, key_digest[i], 32);
        /* the public half alone gives the same digest */
        char pem[4096];
        otter_signkey_t pub;
        otter_signkey_init(&pub);
        assert_int_equal(otter_signkey_write_pem(&key[i], false, pem, sizeof pem), 0);
        assert_non_null(strstr(pem, "-----BEGIN PUBLIC KEY-----"));
        assert_int_equal(otter_signkey_parse_pem(&pub, pem, strlen(pem)), 0);
        assert_false(pub.has_private);
        assert_int_equal(otter_signkey_digest(&pub, d), 0);
        assert_memory_equal(d, key_digest[i], 32);
        uint8_t blk[OTTER_SIG_BLOCK_LEN], dg[48] = {1};
        assert_int_equal(otter_sign_block(&pub, dg, 32, blk), OTTER_ERR_SIG_KEY);
        otter_signkey_free(&pub);
        otter_signkey_free(&pub);
    }
}

static void test_sign_verify_each_scheme(void **state)
{
    (void)state;
    size_t n;
    uint8_t *img = make_image(7, &n);
    for (int k = 0; k < N_KEYS; k++) {
        size_t sn;
        if (!have[k])
            continue;
        uint8_t *s = sign(k, img, n, false, &sn);
        size_t padded = (n + 4095) & ~(size_t)4095;
        assert_int_equal(sn, padded + 4096);
        assert_memory_equal(s, img, n);
        for (size_t i = n; i < padded; i++)
            assert_int_equal(s[i], 0xFF);
        const uint8_t *sec = s + padded;
        /* layout: magic, version, one block, 0xFF after it */
        assert_int_equal(sec[0], 0xE7);
        assert_int_equal(sec[1], k == K_RSA ? 2 : 3);
        assert_int_equal(sec[2], k == K_P384 ? 1 : 0);
        assert_int_equal(sec[3], 0);
        uint8_t d256[32];
        otter_sha256(s, padded, d256);
        if (k != K_P384)
            assert_memory_equal(sec + 4, d256, 32);
        assert_int_equal(otter_le32(sec + 1196), otter_crc32_le(0, sec, 1196));
        for (size_t i = 1200; i < 1216; i++)
            assert_int_equal(sec[i], 0);
        for (size_t i = 1216; i < 4096; i++)
            assert_int_equal(sec[i], 0xFF);
        if (k == K_RSA)
            assert_memory_equal(sec + 420, "\x01\x00\x01\x00", 4);
        else
            assert_int_equal(sec[k == K_P384 ? 52 : 36], k == K_P384 ? 3 : k == K_P192 ? 1 : 2);
        uint8_t kd[32];
        assert_int_equal(otter_sigblock_key_digest(sec, kd), (int)keys[k].scheme);
        assert_memory_equal(kd, key_digest[k], 32);
        otter_sigblock_report_t rep;
        assert_int_equal(engine_verify(s, sn, (const uint8_t(*)[32])key_digest[k], 1, &rep), 0);
        assert_int_equal(rep.n_present, 1);
        assert_int_equal(rep.n_verified, 1);
        assert_int_equal(rep.block[0].status, 0);
        assert_int_equal(rep.block[0].trusted_index, 0);
        assert_int_equal(rep.block[0].scheme, keys[k].scheme);
        assert_int_equal(rep.block[1].status, OTTER_SIG_ABSENT);
        assert_int_equal(rep.block[2].status, OTTER_SIG_ABSENT);
        /* another key is not trusted; no key at all is not trusted either */
        int other = k == K_P256 ? K_P256B : K_P256;
        assert_int_equal(engine_verify(s, sn, (const uint8_t(*)[32])key_digest[other], 1, &rep),
                         OTTER_ERR_SIG_UNTRUSTED);
        assert_int_equal(rep.block[0].status, OTTER_ERR_SIG_UNTRUSTED);
        assert_int_equal(rep.block[0].trusted_index, -1);
        assert_int_equal(engine_verify(s, sn, NULL, 0, &rep), OTTER_ERR_SIG_UNTRUSTED);
        /* trusted as the third of three digests */
        uint8_t three[3][32];
        memcpy(three[0], key_digest[other], 32);
        memset(three[1], 0, 32);
        memcpy(three[2], key_digest[k], 32);
        assert_int_equal(engine_verify(s, sn, (const uint8_t(*)[32])three, 3, &rep), 0);
        assert_int_equal(rep.block[0].trusted_index, 2);
        /* P-384 needs the SHA-384 */
        if (k == K_P384) {
            assert_int_equal(otter_sigblock_verify(sec, d256, NULL, (const uint8_t(*)[32])key_digest[k], 1, &rep),
                             OTTER_ERR_SIG_UNSUPPORTED);
            assert_int_equal(rep.block[0].status, OTTER_ERR_SIG_UNSUPPORTED);
        }
        free(s);
    }
    free(img);
}

/* Corrupt one byte of block 0 of a copy, optionally fix the CRC, verify. */
static int corrupt(const uint8_t *s, size_t sn, size_t at, uint8_t x, bool reseal, int k)
{
    uint8_t *c = malloc(sn);
    memcpy(c, s, sn);
    uint8_t *blk = c + sn - 4096;
    blk[at] ^= x;
    if (reseal)
        otter_sigblock_seal(blk);
    uint8_t d256[32], d384[48];
    otter_sha256(c, sn - 4096, d256);
    otter_host_sha384(c, sn - 4096, d384);
    otter_sigblock_report_t rep;
    int r = otter_sigblock_verify(blk, d256, d384, (const uint8_t(*)[32])key_digest[k], 1, &rep);
    assert_int_equal(rep.block[0].status, r);
    free(c);
    return r;
}

static void test_malformed_blocks(void **state)
{
    (void)state;
    size_t n;
    uint8_t *img = make_image(9, &n);
    for (int k = 0; k < N_KEYS; k++) {
        size_t sn;
        if (!have[k])
            continue;
        uint8_t *s = sign(k, img, n, false, &sn);
        bool rsa = k == K_RSA, p384 = k == K_P384;
        size_t key_at = rsa ? 100 : p384 ? 60 : 40, sig_at = rsa ? 900 : p384 ? 160 : 110;
        assert_int_equal(corrupt(s, sn, 0, 0x01, false, k), OTTER_ERR_SIG_MAGIC);
        assert_int_equal(corrupt(s, sn, 0, 0x01, true, k), OTTER_ERR_SIG_MAGIC);
        assert_int_equal(corrupt(s, sn, 10, 0x01, false, k), OTTER_ERR_SIG_CRC);
        assert_int_equal(corrupt(s, sn, 1196, 0x80, false, k), OTTER_ERR_SIG_CRC);
        assert_int_equal(corrupt(s, sn, 1, 0x04, true, k), OTTER_ERR_SIG_VERSION);
        assert_int_equal(corrupt(s, sn, 10, 0x01, true, k), OTTER_ERR_SIG_DIGEST);
        assert_int_equal(corrupt(s, sn, key_at, 0x10, true, k), OTTER_ERR_SIG_KEY);
        assert_int_equal(corrupt(s, sn, sig_at, 0x10, true, k), OTTER_ERR_SIG_VERIFY);
        if (rsa) {
            assert_int_equal(corrupt(s, sn, 500, 0x01, true, k), OTTER_ERR_SIG_KEY);    /* rinv */
            assert_int_equal(corrupt(s, sn, 808, 0x01, true, k), OTTER_ERR_SIG_KEY);    /* mdash */
            assert_int_equal(corrupt(s, sn, 420, 0x02, true, k), OTTER_ERR_SIG_VERIFY); /* e = 65539 */
            assert_int_equal(corrupt(s, sn, 812, 0x01, true, k), OTTER_ERR_SIG_VERIFY); /* sig low byte */
            /* Signatures PSA calls malformed rather than wrong are still a
             * signature that does not verify: one not below n, and (with
             * e = 65539, so each one decodes to noise) encoded messages that
             * end in 0xBC but have their top bits set. 1024 of those meet
             * that case about 2 times; each must be SIG_VERIFY. */
            const uint8_t *blk = s + sn - 4096;
            uint8_t d[32], sig[384];
            otter_sha256(s, sn - 4096, d);
            memset(sig, 0xff, sizeof sig);
            assert_int_equal(otter_rsa_pss_verify(blk + 36, 384, 65537, blk + 424, d, sig), OTTER_ERR_SIG_VERIFY);
            memcpy(sig, blk + 812, sizeof sig);
            for (unsigned j = 0; j < 1024; j++) {
                sig[0] = (uint8_t)j;
                sig[1] = (uint8_t)(j >> 8);
                assert_int_equal(otter_rsa_pss_verify(blk + 36, 384, 65539, NULL, d, sig), OTTER_ERR_SIG_VERIFY);
            }
        } else {
            assert_int_equal(corrupt(s, sn, p384 ? 52 : 36, 0x04, true, k), OTTER_ERR_SIG_VERSION); /* curve */
            assert_int_equal(corrupt(s, sn, 2, 0x02, true, k), OTTER_ERR_SIG_VERSION);              /* hash type */
        }
        /* padding bytes after the CRC are not covered by anything */
        assert_int_equal(corrupt(s, sn, 1205, 0x01, false, k), 0);
        free(s);
    }
    free(img);
}

static void test_sector_level(void **state)
{
    (void)state;
    size_t n, sn, sn2;
    uint8_t *img = make_image(11, &n), *img2 = make_image(12, &n);
    uint8_t *s = sign(K_P256, img, n, false, &sn);
    uint8_t *s2 = sign(K_P256, img2, n, false, &sn2);
    uint8_t d256[32];
    otter_sigblock_report_t rep;
    otter_sha256(s, sn - 4096, d256);
    const uint8_t(*t)[32] = (const uint8_t(*)[32])key_digest[K_P256];
    /* a block made over different data */
    assert_int_equal(otter_sigblock_verify(s2 + sn2 - 4096, d256, NULL, t, 1, &rep), OTTER_ERR_SIG_DIGEST);
    /* empty sector, garbage sector */
    uint8_t sec[4096];
    memset(sec, 0xFF, sizeof sec);
    assert_int_equal(otter_sigblock_verify(sec, d256, NULL, t, 1, &rep), OTTER_ERR_SIG_NONE);
    assert_int_equal(rep.n_present, 0);
    for (int i = 0; i < 4096; i++)
        sec[i] = (uint8_t)(i * 7 + 3);
    assert_int_equal(otter_sigblock_verify(sec, d256, NULL, t, 1, &rep), OTTER_ERR_SIG_MAGIC);
    assert_int_equal(rep.n_present, 3);
    /* a valid block in slot 1 after an empty slot 0 still counts */
    memset(sec, 0xFF, sizeof sec);
    memcpy(sec + 1216, s + sn - 4096, 1216);
    assert_int_equal(otter_sigblock_verify(sec, d256, NULL, t, 1, &rep), 0);
    assert_int_equal(rep.block[1].status, 0);
    /* bad arguments */
    assert_int_equal(otter_sigblock_verify(NULL, d256, NULL, t, 1, &rep), OTTER_ERR_INVAL);
    assert_int_equal(otter_sigblock_verify(sec, d256, NULL, NULL, 1, &rep), OTTER_ERR_INVAL);
    assert_int_equal(otter_sigblock_verify(sec, d256, NULL, t, 4, &rep), OTTER_ERR_INVAL);
    free(s);
    free(s2);
    free(img);
    free(img2);
}

static void test_append(void **state)
{
    (void)state;
    size_t n, s1n, s2n, s3n;
    uint8_t *img = make_image(13, &n);
    uint8_t *s1 = sign(K_P256, img, n, true, &s1n); /* nothing to append to: a fresh sector */
    uint8_t *s2 = sign(K_RSA, s1, s1n, true, &s2n);
    uint8_t *s3 = sign(K_P256B, s2, s2n, true, &s3n);
    assert_int_equal(s2n, s1n);
    assert_int_equal(s3n, s1n);
    const uint8_t *sec = s3 + s3n - 4096;
    assert_int_equal(otter_sigblock_count(sec), 3);
    assert_memory_equal(sec, s1 + s1n - 4096, 1216); /* first block kept byte for byte */
    assert_memory_equal(sec + 1216, s2 + s2n - 4096 + 1216, 1216);
    for (size_t i = 3 * 1216; i < 4096; i++)
        assert_int_equal(sec[i], 0xFF);
    uint8_t *out;
    size_t out_len;
    unsigned blocks;
    int kx = have[K_P192] ? K_P192 : K_P384; /* a fourth key */
    assert_int_equal(otter_sign_data(&key[kx], s3, s3n, true, &out, &out_len, &blocks), OTTER_ERR_SIG_FULL);
    /* trust only the RSA key: one verified, two untrusted, none malformed */
    otter_sigblock_report_t rep;
    assert_int_equal(engine_verify(s3, s3n, (const uint8_t(*)[32])key_digest[K_RSA], 1, &rep), 0);
    assert_int_equal(rep.n_present, 3);
    assert_int_equal(rep.n_verified, 1);
    assert_int_equal(rep.block[0].status, OTTER_ERR_SIG_UNTRUSTED);
    assert_int_equal(rep.block[1].status, 0);
    assert_int_equal(rep.block[2].status, OTTER_ERR_SIG_UNTRUSTED);
    /* a broken block anywhere fails the sector even though another verifies */
    s3[s3n - 4096 + 110] ^= 1;
    otter_sigblock_seal(s3 + s3n - 4096);
    assert_int_equal(engine_verify(s3, s3n, (const uint8_t(*)[32])key_digest[K_RSA], 1, &rep), OTTER_ERR_SIG_VERIFY);
    assert_int_equal(rep.block[1].status, 0);
    /* without append, a signed input is re-signed afresh */
    assert_int_equal(otter_sign_data(&key[kx], s2, s2n, false, &out, &out_len, &blocks), 0);
    assert_int_equal(blocks, 1);
    assert_int_equal(out_len, s2n);
    assert_int_equal(otter_sigblock_count(out + out_len - 4096), 1);
    assert_int_equal(otter_sigblock_key_digest(out + out_len - 4096, rep.block[0].key_digest),
                     (int)keys[kx].scheme);
    free(out);
    free(s1);
    free(s2);
    free(s3);
    free(img);
}

static void test_find_sector(void **state)
{
    (void)state;
    size_t n, sn, off;
    uint8_t *img = make_image(15, &n);
    uint8_t *s = sign(K_P256, img, n, false, &sn);
    assert_int_equal(otter_sign_find_sector(img, n, &off), OTTER_ERR_SIG_NONE);
    assert_int_equal(otter_sign_find_sector(s, sn, &off), 0);
    assert_int_equal(off, sn - 4096);
    assert_int_equal(otter_sign_find_sector(s, sn - 1, &off), OTTER_ERR_SIG_PADDING);
    assert_int_equal(otter_sign_find_sector(s, n + 100, &off), OTTER_ERR_SIG_PADDING);
    /* longer than the sector (a partition dump): the sector is still found */
    uint8_t *big = malloc(sn + 5000);
    memcpy(big, s, sn);
    memset(big + sn, 0x5A, 5000);
    assert_int_equal(otter_sign_find_sector(big, sn + 5000, &off), 0);
    assert_int_equal(off, sn - 4096);
    /* not an image: last sector of 4096-aligned data (espsecure signs any file) */
    memset(big, 0x11, 8192);
    assert_int_equal(otter_sign_find_sector(big, 8192, &off), 0);
    assert_int_equal(off, 4096);
    assert_int_equal(otter_sign_find_sector(big, 4096, &off), OTTER_ERR_SIG_PADDING);
    free(big);
    free(s);
    free(img);
}

static void test_verify_flash_and_boot(void **state)
{
    (void)state;
    size_t n, sn;
    uint8_t *img = make_image(17, &n);
    uint8_t *s = sign(K_RSA, img, n, false, &sn);
    ramflash_t rf;
    assert_int_equal(ramflash_open(&rf, NULL, 0x40000, 0xFF, NULL), 0);
    memcpy(rf.mem + 0x10000, s, sn);  /* signed image in slot 0 */
    memcpy(rf.mem + 0x20000, img, n); /* unsigned image in slot 1 */
    otter_flash_t fl = rf.flash;
    uint8_t work[4096];
    otter_image_info_t in;
    otter_sigblock_report_t rep;
    const uint8_t(*t)[32] = (const uint8_t(*)[32])key_digest[K_RSA];
    assert_int_equal(otter_sigblock_verify_flash(&fl, 0x10000, 0x10000, t, 1, &in, &rep, work, sizeof work), 0);
    assert_int_equal(rep.n_verified, 1);
    assert_int_equal(in.image_len, n);
    assert_int_equal(otter_sigblock_verify_flash(&fl, 0x10000, 0x10000, (const uint8_t(*)[32])key_digest[K_P256], 1,
                                                 NULL, NULL, work, sizeof work),
                     OTTER_ERR_SIG_UNTRUSTED);
    assert_int_equal(otter_sigblock_verify_flash(&fl, 0x10000, (uint32_t)sn - 1, t, 1, NULL, NULL, work, sizeof work),
                     OTTER_ERR_SIG_NONE);
    assert_int_equal(otter_sigblock_verify_flash(&fl, 0x10000, 0x10000, t, 1, NULL, NULL, work, 1023),
                     OTTER_ERR_BUF_TOO_SMALL);
    /* a 1 KB buffer is enough: the sector is read in pieces */
    assert_int_equal(otter_sigblock_verify_flash(&fl, 0x10000, 0x10000, t, 1, NULL, &rep, work, 1024), 0);
    assert_int_equal(rep.n_verified, 1);
    assert_int_equal(otter_sigblock_verify_flash(&fl, 0x20000, 0x10000, t, 1, NULL, NULL, work, sizeof work),
                     OTTER_ERR_SIG_NONE);
    /* the boot adapter with and without secure boot */
    otter_image_boot_cfg_t cfg = {
        .chip_id = OTTER_CHIP_ESP32, .work = work, .work_len = sizeof work, .trusted = t, .n_trusted = 1};
    assert_int_equal(otter_image_boot_validate(&cfg, &fl, 0x10000, 0x10000), 0);
    assert_int_equal(otter_image_boot_validate(&cfg, &fl, 0x20000, 0x10000), OTTER_ERR_SIG_NONE);
    assert_int_equal(otter_image_boot_validate(NULL, &fl, 0x20000, 0x10000), 0);
    rf.mem[0x10000 + sn - 4096 + 900] ^= 1; /* signature byte: CRC now wrong */
    assert_int_equal(otter_image_boot_validate(&cfg, &fl, 0x10000, 0x10000), OTTER_ERR_SIG_CRC);
    cfg.work_len = 256;
    assert_int_equal(otter_image_boot_validate(&cfg, &fl, 0x10000, 0x10000), OTTER_ERR_BUF_TOO_SMALL);
    ramflash_close(&rf);
    free(s);
    free(img);
}

/* The sector read back from flash in pieces must give exactly the verdicts
 * and report of the whole-sector check, for every buffer size from the
 * minimum up: a block straddling piece boundaries, a CRC split over two
 * pieces, bytes that are not 0xFF at a piece's edge of an empty slot,
 * padding after the blocks that is not 0xFF (covered by nothing, today as
 * before), every kind of malformed block. */
static int failing_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    (void)ctx, (void)addr, (void)buf, (void)len;
    return OTTER_ERR_FLASH_IO;
}

static void same_verdict(const uint8_t *sec, const uint8_t *d256, const uint8_t *d384, const uint8_t (*t)[32],
                         size_t nt)
{
    static const size_t lens[] = {1024, 1100, 1197, 1198, 1200, 1215, 1216, 2048, 4096};
    otter_sigblock_report_t want, got;
    int w = otter_sigblock_verify(sec, d256, d384, t, nt, &want);
    static uint8_t mem[4096];
    ramflash_t rf;
    assert_int_equal(ramflash_open(&rf, mem, sizeof mem, 0xFF, NULL), 0);
    memcpy(rf.mem, sec, sizeof mem);
    otter_flash_t fl = rf.flash;
    static uint8_t work[4096];
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        memset(work, 0xA5, sizeof work);
        int g = otter_sigblock_verify_sector_flash(&fl, 0, d256, d384, t, nt, &got, work, lens[i]);
        if (g != w)
            fprintf(stderr, "work_len %zu: %d, whole sector %d\n", lens[i], g, w);
        assert_int_equal(g, w);
        assert_memory_equal(&got, &want, sizeof got);
    }
    assert_int_equal(otter_sigblock_verify_sector_flash(&fl, 0, d256, d384, t, nt, &got, work, 1023),
                     OTTER_ERR_BUF_TOO_SMALL);
    fl.read = failing_read;
    assert_int_equal(otter_sigblock_verify_sector_flash(&fl, 0, d256, d384, t, nt, &got, work, 1024),
                     OTTER_ERR_FLASH_IO);
    ramflash_close(&rf);
}

static void test_sector_in_pieces(void **state)
{
    (void)state;
    size_t n;
    uint8_t *img = make_image(23, &n);
    static const size_t at[] = {0,   1,   2,   4,   10,  36,  37,  40,  52,  60,   100,  110,  160,  387,
                                420, 423, 424, 500, 807, 808, 811, 812, 900, 1023, 1024, 1100, 1195, 1196,
                                1197, 1199, 1200, 1205, 1215};
    for (int k = 0; k < N_KEYS; k++) {
        size_t sn;
        if (!have[k])
            continue;
        uint8_t *s = sign(k, img, n, false, &sn);
        uint8_t d256[32], d384[48], sec[4096];
        otter_sha256(s, sn - 4096, d256);
        otter_host_sha384(s, sn - 4096, d384);
        const uint8_t(*t)[32] = (const uint8_t(*)[32])key_digest[k];
        const uint8_t(*other)[32] = (const uint8_t(*)[32])key_digest[k == K_P256 ? K_P256B : K_P256];
        memcpy(sec, s + sn - 4096, 4096);
        same_verdict(sec, d256, d384, t, 1);
        same_verdict(sec, d256, NULL, t, 1);
        same_verdict(sec, d256, d384, other, 1); /* untrusted */
        same_verdict(sec, d256, d384, NULL, 0);
        for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
            for (int reseal = 0; reseal < 2; reseal++) {
                memcpy(sec, s + sn - 4096, 4096);
                sec[at[i]] ^= 0x01;
                if (reseal)
                    otter_sigblock_seal(sec);
                same_verdict(sec, d256, d384, t, 1);
            }
        }
        /* the block in slot 1 and in slot 2, the slots before it empty */
        for (unsigned slot = 1; slot < 3; slot++) {
            memset(sec, 0xFF, sizeof sec);
            memcpy(sec + slot * 1216, s + sn - 4096, 1216);
            same_verdict(sec, d256, d384, t, 1);
            /* an empty slot 0 with one byte that is not 0xFF: at a piece
             * edge for some buffer sizes, at its end for all */
            static const size_t edge[] = {0, 1023, 1024, 1099, 1100, 1196, 1215};
            for (size_t e = 0; e < sizeof edge / sizeof edge[0]; e++) {
                memset(sec, 0xFF, 1216);
                sec[edge[e]] = 0xFE;
                same_verdict(sec, d256, d384, t, 1);
            }
        }
        /* padding after the last block that is not 0xFF */
        memcpy(sec, s + sn - 4096, 4096);
        sec[3 * 1216] = 0;
        sec[4095] = 0x12;
        same_verdict(sec, d256, d384, t, 1);
        /* garbage, all 0xFF */
        for (int i = 0; i < 4096; i++)
            sec[i] = (uint8_t)(i * 7 + 3);
        same_verdict(sec, d256, d384, t, 1);
        memset(sec, 0xFF, sizeof sec);
        same_verdict(sec, d256, d384, t, 1);
        free(s);
    }
    free(img);
}

static void test_keys_and_shim(void **state)
{
    (void)state;
    otter_signkey_t k;
    otter_signkey_init(&k);
    assert_int_equal(otter_signkey_parse_pem(&k, "nonsense", 8), OTTER_ERR_SIG_KEY);
    assert_int_equal(otter_signkey_load(&k, "/nonexistent/key.pem"), OTTER_ERR_FILE);
    /* a freshly generated P-256 key signs and verifies */
    assert_int_equal(otter_signkey_generate(&k, OTTER_SIG_SCHEME_ECDSA_P256), 0);
    uint8_t dg[32] = {1, 2, 3}, blk[OTTER_SIG_BLOCK_LEN], kd[32];
    assert_int_equal(otter_sign_block(&k, dg, 32, blk), 0);
    assert_int_equal(otter_sign_block(&k, dg, 48, blk), OTTER_ERR_INVAL);
    otter_sigblock_result_t res;
    assert_int_equal(otter_sigblock_check(blk, dg, NULL, &res), 0);
    assert_int_equal(otter_signkey_digest(&k, kd), 0);
    assert_memory_equal(kd, res.key_digest, 32);
    char pem[4096];
    assert_int_equal(otter_signkey_write_pem(&k, true, pem, 10), OTTER_ERR_BUF_TOO_SMALL);
    assert_int_equal(otter_signkey_write_pem(&k, true, pem, sizeof pem), 0);
    assert_non_null(strstr(pem, "-----BEGIN EC PRIVATE KEY-----"));
    assert_int_equal(otter_signkey_generate(&k, OTTER_SIG_SCHEME_ECDSA_P192), OTTER_ERR_SIG_KEY);
    otter_signkey_free(&k);
    otter_sig_scheme_t sc;
    assert_int_equal(otter_sign_scheme_from_name("rsa-3072", &sc), 0);
    assert_int_equal(sc, OTTER_SIG_SCHEME_RSA3072);
    assert_int_equal(otter_sign_scheme_from_name("ecdsa-p384", &sc), 0);
    assert_int_equal(sc, OTTER_SIG_SCHEME_ECDSA_P384);
    assert_int_equal(otter_sign_scheme_from_name("dsa", &sc), OTTER_ERR_SIG_KEY);
    /* shim edge cases */
    uint8_t z[384] = {0};
    assert_int_equal(otter_ecdsa_verify(9, z, dg, 32, z), OTTER_ERR_UNSUPPORTED);
    assert_int_equal(otter_ecdsa_verify(OTTER_EC_P256, z, dg, 32, z), OTTER_ERR_SIG_KEY);
    /* a curve this build lacks is "unsupported", never a bad key or signature */
    assert_int_equal(otter_ecdsa_verify(OTTER_EC_P192, z, dg, 32, z),
                     have_p192 ? OTTER_ERR_SIG_KEY : OTTER_ERR_UNSUPPORTED);
    assert_int_equal(otter_ecdsa_curve_supported(OTTER_EC_P256), 1);
    assert_int_equal(otter_ecdsa_curve_supported(OTTER_EC_P384), 1);
    assert_int_equal(otter_ecdsa_curve_supported(9), 0);
    assert_int_equal(otter_rsa_pss_verify(z, 384, 65537, NULL, dg, z), OTTER_ERR_SIG_KEY);
    assert_int_equal(otter_rsa_pss_verify(z, 0, 65537, NULL, dg, z), OTTER_ERR_INVAL);
    assert_string_equal(otter_sig_scheme_name(OTTER_SIG_SCHEME_RSA3072), "RSA-3072");
    assert_string_equal(otter_sig_scheme_name(OTTER_SIG_SCHEME_NONE), "none");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_digests),      cmocka_unit_test(test_sign_verify_each_scheme),
        cmocka_unit_test(test_malformed_blocks), cmocka_unit_test(test_sector_level),
        cmocka_unit_test(test_append),           cmocka_unit_test(test_find_sector),
        cmocka_unit_test(test_keys_and_shim),    cmocka_unit_test(test_verify_flash_and_boot),
        cmocka_unit_test(test_sector_in_pieces),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
