/* Base utilities: error words, CRC-32 (ESP-IDF ROM convention), hash shim,
 * constant-time compare. Expected values from Python's zlib/hashlib. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crc32.h"
#include "otter/crypto.h"
#include "errwords.h"
#include "otter/error.h"

static void test_strerror(void **state)
{
    (void)state;
    assert_string_equal(otter_strerror(OTTER_OK), OTTER_ERROR_TEXTS ? "success" : "OK");
    assert_string_equal(otter_strerror(OTTER_ERR_FLASH_NOT_ERASED),
                        errwords("flash program over bytes that are not erased"));
    assert_string_equal(otter_errname(OTTER_ERR_FLASH_NOT_ERASED), "FLASH_NOT_ERASED");
    assert_string_equal(otter_strerror(12345), OTTER_ERROR_TEXTS ? "unknown error" : "UNKNOWN");
    assert_string_equal(otter_errname(-9999), "UNKNOWN");
}

static void test_crc32_esp_rom(void **state)
{
    (void)state;
    /* zlib.crc32(struct.pack('<I', 1), 0xFFFFFFFF) == 0x4743989a */
    uint8_t seq1[4] = {1, 0, 0, 0};
    uint8_t seq0[4] = {0, 0, 0, 0};
    assert_int_equal(otter_crc32_le(UINT32_MAX, seq1, 4), 0x4743989Au);
    assert_int_equal(otter_crc32_le(UINT32_MAX, seq0, 4), 0xFFFFFFFFu);
    /* zlib.crc32(b'123456789') == 0xcbf43926 */
    assert_int_equal(otter_crc32_le(0, "123456789", 9), 0xCBF43926u);
    /* chaining equals one call */
    uint32_t c = otter_crc32_le(0, "1234", 4);
    assert_int_equal(otter_crc32_le(c, "56789", 5), 0xCBF43926u);
}

static void test_hashes(void **state)
{
    (void)state;
    static const uint8_t sha_abc[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    static const uint8_t md5_abc[16] = {0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0,
                                        0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72};
    uint8_t out[32];
    otter_sha256_t s;
    otter_sha256_init(&s);
    assert_int_equal(otter_sha256_start(&s), 0);
    assert_int_equal(otter_sha256_update(&s, "a", 1), 0);
    assert_int_equal(otter_sha256_update(&s, "bc", 2), 0);
    assert_int_equal(otter_sha256_finish(&s, out), 0);
    otter_sha256_free(&s);
    otter_sha256_free(&s);
    assert_memory_equal(out, sha_abc, 32);
    assert_int_equal(otter_sha256("abc", 3, out), 0);
    assert_memory_equal(out, sha_abc, 32);
    assert_int_equal(otter_md5("abc", 3, out), 0);
    assert_memory_equal(out, md5_abc, 16);
}

static void test_ct_equal(void **state)
{
    (void)state;
    uint8_t a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8];
    memcpy(b, a, 8);
    assert_true(otter_ct_equal(a, b, 8));
    b[7] ^= 0x80;
    assert_false(otter_ct_equal(a, b, 8));
    assert_true(otter_ct_equal(a, b, 0));
    otter_wipe(a, sizeof a);
    for (int i = 0; i < 8; i++)
        assert_int_equal(a[i], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_crc32_esp_rom),
        cmocka_unit_test(test_hashes),
        cmocka_unit_test(test_ct_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
