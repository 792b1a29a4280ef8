/* Secure Boot V2 verification alone, the device's side: no signing, no host
 * library, so this source runs on the host and under QEMU on the target ISAs
 * (tests/target/tests.txt) with the same assertions.
 *   - real ESP-IDF / Arduino apps of tests/vectors/esp32/ as they were built
 *     (unsigned: no sector after signed_len);
 *   - the same apps signed by `otter sign` with the keys of tests/keys/
 *     (ECDSA P-256, RSA-3072, and both in one sector) by
 *     scripts/sign-vectors.sh at build time, into $OTTER_SIGNED (host) or
 *     build-target/signed/ (target, read through semihosting): verified from
 *     a RAM flash, untrusted with the other key, a bad signature (resealed,
 *     so its CRC holds) refused by the crypto backend;
 *   - RSA-PSS salt lengths against OpenSSL's signatures (tests/vectors/pss/).
 * Key digests are the ones tests/keys/README.md computes independently. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otter/crypto.h"
#include "otter/error.h"
#include "otter/host/sigblock.h"
#include "otter/image.h"
#include "otter/sigblock.h"
#include "otter/verify.h"

static const char DIGEST_P256[] = "093d006b5bd5ac29f9d97ec660a8148edbdfe5c890e586de11b8461c2300ac5a";
static const char DIGEST_RSA[] = "4b96d2aa8bf76a5073cf7be40d8672b019046c7d1645d06d4dabfd5f48e77e1b";

static void hex(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

/* A whole file, from dir (or fallback when the variable is unset) / name. */
static uint8_t *load(const char *env, const char *fallback, const char *name, size_t *len)
{
    const char *dir = getenv(env);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : fallback, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (%s unset or wrong?)", path, env);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    assert_true(n > 0);
    uint8_t *buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static uint8_t *load_vector(const char *name, size_t *len)
{
    char sub[128];
    snprintf(sub, sizeof sub, "esp32/%s", name);
    return load("OTTER_VECTORS", "tests/vectors", sub, len);
}

static uint8_t *load_signed(const char *name, size_t *len)
{
    return load("OTTER_SIGNED", "build-target/signed", name, len);
}

struct ramflash {
    const uint8_t *mem;
    uint32_t size;
};

static int ram_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    const struct ramflash *r = ctx;
    if (addr > r->size || len > r->size - addr)
        return OTTER_ERR_FLASH_RANGE;
    memcpy(buf, r->mem + addr, len);
    return 0;
}

/* Verify d[0..n) as an app slot at flash offset 0 (slot as long as the file). */
static int verify_slot(const uint8_t *d, size_t n, const char *digest_hex, otter_image_info_t *in,
                       otter_sigblock_report_t *rep)
{
    struct ramflash rf = {d, (uint32_t)n};
    otter_flash_t fl = {
        .read = ram_read, .size = rf.size, .sector_size = 4096, .page_size = 256, .erased_value = 0xFF, .ctx = &rf};
    uint8_t trusted[1][32];
    static uint8_t work[4096]; /* test code: off the target's small stack */
    hex(digest_hex, trusted[0], 32);
    return otter_sigblock_verify_flash(&fl, 0, (uint32_t)n, (const uint8_t(*)[32])trusted, 1, in, rep, work,
                                       sizeof work);
}

static const char *const apps[] = {
    "esp32c3-arduino2-idf4.4.1-pio-pressureprobe-app.bin",
    "esp32s3-idf4.4-damda-app.bin",
};

static void test_unsigned_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof apps / sizeof apps[0]; i++) {
        size_t n;
        uint8_t *d = load_vector(apps[i], &n);
        otter_image_info_t in;
        otter_sigblock_report_t rep;
        /* as built: the image is good, the slot ends before a sector could */
        assert_int_equal(verify_slot(d, n, DIGEST_P256, &in, &rep), OTTER_ERR_SIG_NONE);
        /* in a slot erased past it: the sector is read and is empty */
        size_t slot = ((n + 4095) & ~(size_t)4095) + OTTER_SIG_SECTOR_LEN;
        uint8_t *s = malloc(slot);
        assert_non_null(s);
        memset(s, 0xFF, slot);
        memcpy(s, d, n);
        assert_int_equal(verify_slot(s, slot, DIGEST_P256, &in, &rep), OTTER_ERR_SIG_NONE);
        assert_true(in.sig_digest_ready);
        assert_int_equal(in.signed_len, (in.image_len + 4095) & ~4095u);
        assert_int_equal(in.signed_len + OTTER_SIG_SECTOR_LEN, slot);
        assert_int_equal(rep.n_present, 0);
        free(s);
        free(d);
    }
}

/* Where a block's signature starts (ESP-IDF's layout, docs/FORMATS.md). */
enum { SIG_AT_RSA = 812, SIG_AT_ECDSA256 = 101 };

/* One signed app: trusted key verifies, the other key is untrusted. */
static void check_signed(const char *name, const char *good, const char *other, otter_sig_scheme_t scheme,
                         size_t sig_at)
{
    size_t n;
    uint8_t *d = load_signed(name, &n);
    otter_image_info_t in;
    otter_sigblock_report_t rep;
    print_message("%s\n", name);
    assert_int_equal(verify_slot(d, n, good, &in, &rep), 0);
    assert_int_equal(in.signed_len + OTTER_SIG_SECTOR_LEN, n);
    assert_int_equal(rep.n_present, 1);
    assert_int_equal(rep.n_verified, 1);
    assert_int_equal(rep.block[0].scheme, scheme);
    assert_int_equal(rep.block[0].trusted_index, 0);
    uint8_t want[32];
    hex(good, want, 32);
    assert_memory_equal(rep.block[0].key_digest, want, 32);
    assert_int_equal(verify_slot(d, n, other, &in, &rep), OTTER_ERR_SIG_UNTRUSTED);
    assert_int_equal(rep.block[0].status, OTTER_ERR_SIG_UNTRUSTED);

    /* A bad signature with a valid CRC: only the crypto backend can say. */
    uint8_t *blk = d + in.signed_len;
    blk[sig_at] ^= 0x01;
    otter_sigblock_seal(blk);
    assert_int_equal(verify_slot(d, n, good, &in, &rep), OTTER_ERR_SIG_VERIFY);
    assert_int_equal(rep.block[0].status, OTTER_ERR_SIG_VERIFY);
    blk[sig_at] ^= 0x01;
    otter_sigblock_seal(blk);
    assert_int_equal(verify_slot(d, n, good, &in, &rep), 0);

    /* The image the block signs, changed after signing: the digest differs. */
    uint8_t digest[32];
    memcpy(digest, in.sig_digest, 32);
    digest[0] ^= 0x80;
    assert_int_equal(otter_sigblock_verify(blk, digest, NULL, (const uint8_t(*)[32])want, 1, &rep),
                     OTTER_ERR_SIG_DIGEST);
    free(d);
}

static void test_signed_p256(void **state)
{
    (void)state;
    check_signed("esp32c3-arduino2-idf4.4.1-pio-pressureprobe-app.p256.bin", DIGEST_P256, DIGEST_RSA,
                 OTTER_SIG_SCHEME_ECDSA_P256, SIG_AT_ECDSA256);
}

static void test_signed_rsa3072(void **state)
{
    (void)state;
    check_signed("esp32s3-idf4.4-damda-app.rsa3072.bin", DIGEST_RSA, DIGEST_P256, OTTER_SIG_SCHEME_RSA3072, SIG_AT_RSA);
}

/* Two blocks in one sector: either key alone is enough, both verify. */
static void test_signed_both(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = load_signed("esp32c3-arduino2-idf4.4.1-pio-pressureprobe-app.p256-rsa3072.bin", &n);
    otter_image_info_t in;
    otter_sigblock_report_t rep;
    assert_int_equal(verify_slot(d, n, DIGEST_RSA, &in, &rep), 0);
    assert_int_equal(rep.n_present, 2);
    assert_int_equal(rep.n_verified, 1);
    assert_int_equal(rep.block[0].scheme, OTTER_SIG_SCHEME_ECDSA_P256);
    assert_int_equal(rep.block[0].status, OTTER_ERR_SIG_UNTRUSTED);
    assert_int_equal(rep.block[1].scheme, OTTER_SIG_SCHEME_RSA3072);
    assert_int_equal(rep.block[1].status, 0);
    assert_int_equal(verify_slot(d, n, DIGEST_P256, &in, &rep), 0);
    assert_int_equal(rep.block[0].status, 0);
    assert_int_equal(rep.block[1].status, OTTER_ERR_SIG_UNTRUSTED);
    assert_int_equal(otter_sigblock_count(d + in.signed_len), 2);
    free(d);
}

/* RSA-PSS: only a 32-byte salt verifies, as on the ESP ROM, whatever PSA
 * would accept with PSA_ALG_RSA_PSS_ANY_SALT (tests/vectors/pss/README.md:
 * OpenSSL's signatures of one digest with salts of 0 to 350 bytes). */
static void hex_be_to_le(const char *h, uint8_t *out, size_t n)
{
    assert_int_equal(strlen(h), 2 * n);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
        out[n - 1 - i] = (uint8_t)v;
    }
}

static void test_pss_salt_lengths(void **state)
{
    (void)state;
    const char *dir = getenv("OTTER_VECTORS");
    char path[512];
    static char line[2048], val[1024]; /* test code: off the target's small stack */
    char word[16];
    snprintf(path, sizeof path, "%s/pss/salts.txt", dir ? dir : "tests/vectors");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    uint8_t n_le[384], sig_le[384], digest[32];
    int have_n = 0, have_dg = 0, salts = 0, verified = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned salt;
        if (line[0] == '#')
            continue;
        if (sscanf(line, "n %1023s", val) == 1) {
            hex_be_to_le(val, n_le, sizeof n_le);
            have_n = 1;
        } else if (sscanf(line, "digest %1023s", val) == 1) {
            hex(val, digest, 32); /* a byte string, kept in order */
            have_dg = 1;
        } else if (sscanf(line, "salt %u %1023s", &salt, val) == 2) {
            assert_true(have_n && have_dg);
            hex_be_to_le(val, sig_le, sizeof sig_le);
            int want = salt == 32 ? OTTER_OK : OTTER_ERR_SIG_VERIFY;
            int got = otter_rsa_pss_verify(n_le, sizeof n_le, 65537, NULL, digest, sig_le);
            if (got != want)
                printf("salt %u: got %s, want %s\n", salt, otter_strerror(got), otter_strerror(want));
            assert_int_equal(got, want);
            salts++;
            verified += got == OTTER_OK;
        } else {
            assert_true(sscanf(line, "%15s", word) != 1 || !strcmp(word, "e"));
        }
    }
    fclose(f);
    assert_int_equal(salts, 7);
    assert_int_equal(verified, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unsigned_vectors), cmocka_unit_test(test_signed_p256),
        cmocka_unit_test(test_signed_rsa3072),   cmocka_unit_test(test_signed_both),
        cmocka_unit_test(test_pss_salt_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
