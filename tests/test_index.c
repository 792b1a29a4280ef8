/* The signed release index: canonical parse and write, every bad line, the
 * signature (wrong key, tampered entry), replay and expiry, the time policy,
 * key rotation lines, the decision (versions, secure_version, stepping
 * stones) and the rollout over 10,000 device ids. Expected rollout counts
 * and times come from Python (hashlib, calendar.timegm), not from otter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otter/error.h"
#include "otter/image.h"
#include "otter/index.h"
#include "relkey.h"
#include "release.h"
#include "sign.h"

#define SHA_A "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define SHA_B "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"

static const char BODY[] = "otter-index 1\n"
                           "seq 42\n"
                           "expires 2027-01-31T00:00:00Z\n"
                           "release stable esp32 blink 1.2.0\n"
                           "secure 1\n"
                           "size 1577648\n"
                           "sha256 " SHA_A "\n"
                           "url blink-1.2.0.bin\n"
                           "url https://mirror.example.com/fw/blink-1.2.0.bin\n"
                           "rollout 10\n"
                           "min 1.0.0\n"
                           "release beta esp32c3 blink 1.3.0-rc.1\n"
                           "secure 2\n"
                           "size 200000\n"
                           "sha256 " SHA_B "\n"
                           "url blink-c3-1.3.0-rc.1.bin\n"
                           "rollout 100\n";

#define EXPIRES 1801353600 /* 2027-01-31T00:00:00Z */
#define NOW 1796547600     /* 2026-12-06T09:00:00Z */

static otter_signkey_t KEY_A, KEY_B;
static otter_index_key_t PUB_A, PUB_B;

static int setup(void **state)
{
    (void)state;
    if (relkey_load(&KEY_A, &PUB_A, "test-p256.pem") || relkey_load(&KEY_B, &PUB_B, "test-p256-b.pem"))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    otter_signkey_free(&KEY_A);
    otter_signkey_free(&KEY_B);
    return 0;
}

/* body with the first occurrence of from replaced by to, into out. */
static size_t subst(char *out, size_t cap, const char *body, const char *from, const char *to)
{
    const char *at = strstr(body, from);
    assert_non_null(at);
    size_t pre = (size_t)(at - body), n = strlen(body) - pre - strlen(from);
    assert_true(pre + strlen(to) + n < cap);
    memcpy(out, body, pre);
    memcpy(out + pre, to, strlen(to));
    memcpy(out + pre + strlen(to), at + strlen(from), n);
    out[pre + strlen(to) + n] = 0;
    return pre + strlen(to) + n;
}

static size_t sign_with(otter_signkey_t *k, const char *body, char *out, size_t cap)
{
    size_t len = 0;
    assert_int_equal(otter_release_sign(k, body, strlen(body), out, cap, &len), 0);
    return len;
}

static otter_index_check_t check_a(void)
{
    otter_index_check_t c = {&PUB_A, 1, 0, NOW, false};
    return c;
}

static void test_time(void **state)
{
    (void)state;
    int64_t t;
    char s[21];
    assert_int_equal(otter_index_time_parse("2027-01-31T00:00:00Z", 20, &t), 0);
    assert_int_equal(t, EXPIRES);
    assert_int_equal(otter_index_time_parse("2000-02-29T12:34:56Z", 20, &t), 0);
    assert_int_equal(t, 951827696);
    assert_int_equal(otter_index_time_format(951827696, s), 0);
    assert_string_equal(s, "2000-02-29T12:34:56Z");
    assert_int_equal(otter_index_time_format(NOW, s), 0);
    assert_string_equal(s, "2026-12-06T09:00:00Z");
    static const char *bad[] = {"2027-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "1999-12-31T23:59:59Z",
                                "2027-13-01T00:00:00Z", "2027-01-01T24:00:00Z", "2027-01-01T00:60:00Z",
                                "2027-01-01T00:00:60Z", "2027-01-01t00:00:00Z", "2027-01-01T00:00:00z",
                                "2027-1-01T00:00:00Z",  "+027-01-01T00:00:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(otter_index_time_parse(bad[i], strlen(bad[i]), &t), OTTER_ERR_INDEX_FIELD);
    assert_int_equal(otter_index_time_format(946684799, s), OTTER_ERR_INDEX_FIELD);
}

static void test_parse_fields_and_roundtrip(void **state)
{
    (void)state;
    otter_index_t idx;
    assert_int_equal(otter_index_parse(&idx, (const uint8_t *)BODY, strlen(BODY), false), 0);
    assert_int_equal(idx.seq, 42);
    assert_int_equal(idx.expires, EXPIRES);
    assert_int_equal(idx.n_releases, 2);
    assert_false(idx.has_sig);
    const otter_index_release_t *r = &idx.release[0];
    assert_int_equal(r->chip_id, OTTER_CHIP_ESP32);
    assert_int_equal(r->size, 1577648);
    assert_int_equal(r->secure_version, 1);
    assert_int_equal(r->n_urls, 2);
    assert_int_equal(r->rollout, 10);
    assert_int_equal(r->sha256[0], 0x9f);
    assert_int_equal(r->sha256[31], 0x08);
    assert_memory_equal(r->min_version.p, "1.0.0", 5);
    assert_int_equal(idx.release[1].chip_id, OTTER_CHIP_ESP32C3);
    assert_int_equal(idx.release[1].min_version.len, 0);
    /* canonical: writing what was read gives the same bytes */
    char out[OTTER_INDEX_MAX_SIZE];
    size_t n = 0;
    assert_int_equal(otter_index_write(&idx, out, sizeof out, &n), 0);
    assert_int_equal(n, strlen(BODY));
    assert_memory_equal(out, BODY, n);
    assert_int_equal(otter_index_write(&idx, out, 100, &n), OTTER_ERR_BUF_TOO_SMALL);
}

static void test_trust_and_keys_lines(void **state)
{
    (void)state;
    char body[OTTER_INDEX_MAX_SIZE], key[160], keys[600];
    static const char hex[] = "0123456789abcdef";
    strcpy(key, "key p256 ");
    for (int i = 0; i < 64; i++) {
        key[9 + 2 * i] = hex[PUB_B.point[i] >> 4];
        key[10 + 2 * i] = hex[PUB_B.point[i] & 15];
    }
    strcpy(key + 137, "\n");
    snprintf(keys, sizeof keys,
             "expires 2027-01-31T00:00:00Z\n%strust 3\npin " SHA_A "\npin " SHA_B "\nroots 1234 " SHA_A
             " roots-3.der\n",
             key);
    subst(body, sizeof body, BODY, "expires 2027-01-31T00:00:00Z\n", keys);
    otter_index_t idx;
    assert_int_equal(otter_index_parse(&idx, (const uint8_t *)body, strlen(body), false), 0);
    assert_int_equal(idx.n_keys, 1);
    assert_memory_equal(idx.keys[0].point, PUB_B.point, 64);
    assert_int_equal(idx.trust_gen, 3);
    assert_int_equal(idx.n_pins, 2);
    assert_int_equal(idx.roots_size, 1234);
    assert_int_equal(idx.roots_url.len, strlen("roots-3.der"));
    char out[OTTER_INDEX_MAX_SIZE];
    size_t n = 0;
    assert_int_equal(otter_index_write(&idx, out, sizeof out, &n), 0);
    assert_int_equal(n, strlen(body));
    assert_memory_equal(out, body, n);

    /* rotation: an index signed by key A introduces key B; the next one,
     * signed by B, verifies with the adopted set and not with A's alone */
    char signed_[OTTER_INDEX_MAX_SIZE], next[OTTER_INDEX_MAX_SIZE];
    size_t len = sign_with(&KEY_A, body, signed_, sizeof signed_);
    otter_index_check_t c = check_a();
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)signed_, len, &c), 0);
    subst(next, sizeof next, BODY, "seq 42", "seq 43");
    len = sign_with(&KEY_B, next, signed_, sizeof signed_);
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)signed_, len, &c), OTTER_ERR_INDEX_KEY_UNKNOWN);
    c.keys = idx.keys; /* not yet: idx was cleared by the failed open */
    otter_index_key_t adopted[1] = {PUB_B};
    c.keys = adopted;
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)signed_, len, &c), 0);
    assert_int_equal(idx.seq, 43);
}

struct bad {
    const char *from, *to;
    int err;
};

static void test_bad_lines(void **state)
{
    (void)state;
    char url201[220], long_line[320];
    strcpy(url201, "url ");
    memset(url201 + 4, 'u', 201);
    url201[205] = 0;
    strcpy(long_line, "url ");
    memset(long_line + 4, 'u', 260);
    long_line[264] = 0;
    const struct bad cases[] = {
        {"otter-index 1", "otter-index 2", OTTER_ERR_INDEX_HEADER},
        {"otter-index 1\n", "", OTTER_ERR_INDEX_HEADER},
        {"seq 42", "seq 042", OTTER_ERR_INDEX_FIELD},
        {"seq 42", "seq 0", OTTER_ERR_INDEX_FIELD},
        {"seq 42", "seq -1", OTTER_ERR_INDEX_FIELD},
        {"seq 42", "seq +42", OTTER_ERR_INDEX_FIELD},
        {"seq 42", "seq 99999999999999999999", OTTER_ERR_INDEX_FIELD},
        {"seq 42", "seq 9223372036854775808", OTTER_ERR_INDEX_FIELD},
        {"seq 42", "seq 42 43", OTTER_ERR_INDEX_FIELD},
        {"seq 42\n", "", OTTER_ERR_INDEX_LINE},
        {"expires 2027-01-31T00:00:00Z", "expires 2027-02-30T00:00:00Z", OTTER_ERR_INDEX_FIELD},
        {"expires 2027-01-31T00:00:00Z", "expires 2027-01-31 00:00:00", OTTER_ERR_INDEX_FIELD},
        {"expires 2027-01-31T00:00:00Z", "expires 1801353600", OTTER_ERR_INDEX_FIELD},
        {"secure 1\nsize 1577648\n", "size 1577648\nsecure 1\n", OTTER_ERR_INDEX_LINE},
        {"secure 1\n", "", OTTER_ERR_INDEX_LINE},
        {"secure 1", "secure 4294967296", OTTER_ERR_INDEX_FIELD},
        {"size 1577648", "size 0", OTTER_ERR_INDEX_FIELD},
        {"size 1577648", "size 0x1812b0", OTTER_ERR_INDEX_FIELD},
        {"sha256 9f86", "sha256 9F86", OTTER_ERR_INDEX_FIELD},
        {"0f00a08\n", "0f00a0\n", OTTER_ERR_INDEX_FIELD},
        {"0f00a08\n", "0f00a08aa\n", OTTER_ERR_INDEX_FIELD},
        {"release stable", "release  stable", OTTER_ERR_INDEX_CHAR},
        {"rollout 10\n", "rollout 10 \n", OTTER_ERR_INDEX_CHAR},
        {"rollout 10\n", "rollout\t10\n", OTTER_ERR_INDEX_CHAR},
        {"rollout 10\n", "rollout 10\r\n", OTTER_ERR_INDEX_CHAR},
        {"rollout 10\n", "rollout 10\n\n", OTTER_ERR_INDEX_CHAR},
        {"1.0.0\n", "1.0.\xc3\xa9\n", OTTER_ERR_INDEX_CHAR},
        {"release stable", "release Stable", OTTER_ERR_INDEX_FIELD},
        {"release stable", "release stable/x", OTTER_ERR_INDEX_FIELD},
        {"release stable", "release channel-name-too-long", OTTER_ERR_INDEX_FIELD},
        {"stable esp32 ", "stable ESP32 ", OTTER_ERR_INDEX_FIELD},
        {"stable esp32 ", "stable esp-32 ", OTTER_ERR_INDEX_FIELD},
        {"stable esp32 ", "stable esp99 ", OTTER_ERR_INDEX_FIELD},
        {"blink 1.2.0", "blink", OTTER_ERR_INDEX_FIELD},
        {"blink 1.2.0", "blink 1.2.0 extra", OTTER_ERR_INDEX_FIELD},
        {"blink 1.2.0", "blink 1.2.0-a-version-that-is-too-long-here", OTTER_ERR_INDEX_FIELD},
        {"rollout 10", "rollout 101", OTTER_ERR_INDEX_FIELD},
        {"rollout 10", "rollout 10.5", OTTER_ERR_INDEX_FIELD},
        {"rollout 10", "rollout 10%", OTTER_ERR_INDEX_FIELD},
        {"rollout 10\nmin 1.0.0\n", "min 1.0.0\nrollout 10\n", OTTER_ERR_INDEX_LINE},
        {"rollout 10\n", "notes hello\n", OTTER_ERR_INDEX_LINE},
        {"rollout 10\n", "rollout 10\nrollout 20\n", OTTER_ERR_INDEX_LINE},
        {"min 1.0.0\n", "min 1.0.0\nmin 1.1.0\n", OTTER_ERR_INDEX_LINE},
        {"url blink-1.2.0.bin\n", "url a\nurl b\nurl c\n", OTTER_ERR_INDEX_TOO_MANY},
        {"url blink-1.2.0.bin\nurl https://mirror.example.com/fw/blink-1.2.0.bin\n", "", OTTER_ERR_INDEX_LINE},
        {"url blink-1.2.0.bin", url201, OTTER_ERR_INDEX_FIELD},
        {"url blink-1.2.0.bin", long_line, OTTER_ERR_INDEX_LINE_TOO_LONG},
        {"1.3.0-rc.1", "1.2.0", 0}, /* another channel and chip: no duplicate */
        {"beta esp32c3 blink 1.3.0-rc.1", "stable esp32 blink 1.2.0", OTTER_ERR_INDEX_DUPLICATE},
        {"expires 2027-01-31T00:00:00Z\n", "expires 2027-01-31T00:00:00Z\nkey p384 " SHA_A SHA_A "\n",
         OTTER_ERR_INDEX_FIELD},
        {"expires 2027-01-31T00:00:00Z\n", "expires 2027-01-31T00:00:00Z\nkey p256 " SHA_A "\n", OTTER_ERR_INDEX_FIELD},
        {"expires 2027-01-31T00:00:00Z\n", "expires 2027-01-31T00:00:00Z\ntrust 1\n", OTTER_ERR_INDEX_LINE},
        {"expires 2027-01-31T00:00:00Z\n", "expires 2027-01-31T00:00:00Z\ntrust 0\npin " SHA_A "\n",
         OTTER_ERR_INDEX_FIELD},
        {"expires 2027-01-31T00:00:00Z\n", "expires 2027-01-31T00:00:00Z\npin " SHA_A "\n", OTTER_ERR_INDEX_LINE},
        {"expires 2027-01-31T00:00:00Z\n",
         "expires 2027-01-31T00:00:00Z\ntrust 1\nroots 9 " SHA_A " r.der\npin " SHA_A "\n", OTTER_ERR_INDEX_LINE},
        {"expires 2027-01-31T00:00:00Z\n",
         "expires 2027-01-31T00:00:00Z\ntrust 1\npin " SHA_A "\npin " SHA_A "\npin " SHA_A "\npin " SHA_A "\npin " SHA_A
         "\n",
         OTTER_ERR_INDEX_TOO_MANY},
        {"expires 2027-01-31T00:00:00Z\n", "expires 2027-01-31T00:00:00Z\ntrust 1\nroots 0 " SHA_A " r.der\n",
         OTTER_ERR_INDEX_FIELD},
        {"rollout 100\n", "rollout 100\nsig 0011223344556677 " SHA_A SHA_B "\nrollout 1\n", OTTER_ERR_INDEX_LINE},
        {"rollout 100\n", "rollout 100\nsig 00112233 " SHA_A SHA_B "\n", OTTER_ERR_INDEX_FIELD},
        {"rollout 100\n", "", OTTER_ERR_INDEX_LINE},                     /* ends inside a release */
        {"rollout 100\n", "rollout 100", OTTER_ERR_INDEX_LINE_TOO_LONG}, /* no final newline */
    };
    char body[OTTER_INDEX_MAX_SIZE + 512];
    otter_index_t idx;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = subst(body, sizeof body, BODY, cases[i].from, cases[i].to);
        int ret = otter_index_parse(&idx, (const uint8_t *)body, n, false);
        if (ret != cases[i].err)
            print_error("case %zu (%s -> %s): got %d (%s), want %d\n", i, cases[i].from, cases[i].to, ret,
                        otter_errname(ret), cases[i].err);
        assert_int_equal(ret, cases[i].err);
        if (ret)
            assert_true(idx.err_line >= 1);
    }
    /* a NUL byte where a space was */
    memcpy(body, BODY, strlen(BODY));
    body[strstr(BODY, "blink 1.2.0") - BODY + 5] = 0;
    assert_int_equal(otter_index_parse(&idx, (const uint8_t *)body, strlen(BODY), false), OTTER_ERR_INDEX_CHAR);
    assert_int_equal(idx.err_line, 4);
    /* a need_sig parse of an unsigned body; too large; too many releases */
    assert_int_equal(otter_index_parse(&idx, (const uint8_t *)BODY, strlen(BODY), true), OTTER_ERR_INDEX_UNSIGNED);
    static uint8_t big[OTTER_INDEX_MAX_SIZE + 1];
    memset(big, 'a', sizeof big);
    assert_int_equal(otter_index_parse(&idx, big, sizeof big, false), OTTER_ERR_INDEX_TOO_LARGE);
    assert_int_equal(otter_index_parse(&idx, big, 10, false), OTTER_ERR_INDEX_LINE_TOO_LONG);
    assert_int_equal(otter_index_parse(&idx, big, 0, false), OTTER_ERR_INDEX_HEADER);
    char many[OTTER_INDEX_MAX_SIZE];
    int off = snprintf(many, sizeof many, "otter-index 1\nseq 1\nexpires 2027-01-31T00:00:00Z\n");
    for (int i = 0; i < 9; i++)
        off += snprintf(many + off, sizeof many - (size_t)off,
                        "release stable esp32 p 1.%d\nsecure 0\nsize 1\nsha256 " SHA_A "\nurl a\nrollout 1\n", i);
    assert_int_equal(otter_index_parse(&idx, (const uint8_t *)many, (size_t)off, false), OTTER_ERR_INDEX_TOO_MANY);
    assert_int_equal(idx.err_line, 3 + 8 * 6 + 1);
}

static void test_signature(void **state)
{
    (void)state;
    char s[OTTER_INDEX_MAX_SIZE];
    size_t len = sign_with(&KEY_A, BODY, s, sizeof s);
    otter_index_t idx;
    otter_index_check_t c = check_a();
    unsigned slot = 9;
    assert_int_equal(otter_index_verify((const uint8_t *)s, len, &PUB_A, 1, &slot), 0);
    assert_int_equal(slot, 0);
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)s, len, &c), 0);
    assert_true(idx.has_sig);
    assert_int_equal(idx.signed_len, strlen(BODY));
    /* the signed file reads back canonically too */
    char out[OTTER_INDEX_MAX_SIZE];
    size_t n = 0;
    assert_int_equal(otter_index_write(&idx, out, sizeof out, &n), 0);
    assert_int_equal(n, len);
    assert_memory_equal(out, s, n);
    /* the second of two keys */
    otter_index_key_t two[2] = {PUB_B, PUB_A};
    assert_int_equal(otter_index_verify((const uint8_t *)s, len, two, 2, &slot), 0);
    assert_int_equal(slot, 1);

    /* wrong key: the device knows only B */
    c.keys = &PUB_B;
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)s, len, &c), OTTER_ERR_INDEX_KEY_UNKNOWN);
    assert_int_equal(idx.n_releases, 0);
    /* a signature by B under A's key id */
    char forged[OTTER_INDEX_MAX_SIZE];
    size_t flen = sign_with(&KEY_B, BODY, forged, sizeof forged);
    memcpy(forged + flen - 150 + 4, s + len - 150 + 4, 16);
    c.keys = &PUB_A;
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)forged, flen, &c), OTTER_ERR_INDEX_SIGNATURE);

    /* tampered entry: rollout 10 -> 90, one byte */
    char *p = strstr(s, "rollout 10\n");
    p[8] = '9';
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)s, len, &c), OTTER_ERR_INDEX_SIGNATURE);
    p[8] = '1';
    /* tampered signature, key id, missing newline, appended line */
    /* another hex digit, whatever the random signature had there (a bit
     * flip would make 'a' or 'f' a character that is not hex) */
    char was = s[len - 2];
    s[len - 2] = was == '0' ? '1' : '0';
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)s, len, &c), OTTER_ERR_INDEX_SIGNATURE);
    s[len - 2] = was;
    s[len - 2] = 'X';
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)s, len, &c), OTTER_ERR_INDEX_UNSIGNED);
    len = sign_with(&KEY_A, BODY, s, sizeof s);
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)s, len - 1, &c), OTTER_ERR_INDEX_UNSIGNED);
    memcpy(s + len, "seq 99\n", 7);
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)s, len + 7, &c), OTTER_ERR_INDEX_UNSIGNED);
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)BODY, strlen(BODY), &c), OTTER_ERR_INDEX_UNSIGNED);
    assert_int_equal(otter_index_verify((const uint8_t *)s, len, &PUB_A, 0, NULL), OTTER_ERR_INVAL);
    /* a signed but malformed body fails the parse after the signature */
    char bad[OTTER_INDEX_MAX_SIZE];
    subst(bad, sizeof bad, BODY, "rollout 10", "rollout 200");
    len = sign_with(&KEY_A, bad, s, sizeof s);
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)s, len, &c), OTTER_ERR_INDEX_FIELD);
    assert_int_equal(idx.err_line, 10);
}

static void test_replay_and_expiry(void **state)
{
    (void)state;
    char s[OTTER_INDEX_MAX_SIZE];
    size_t len = sign_with(&KEY_A, BODY, s, sizeof s);
    otter_index_t idx;
    otter_index_check_t c = check_a();
    c.highest_seq = 43;
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)s, len, &c), OTTER_ERR_INDEX_REPLAY);
    c.highest_seq = 42; /* the same index again */
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)s, len, &c), 0);
    c.highest_seq = 41;
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)s, len, &c), 0);
    c.now = EXPIRES;
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)s, len, &c), OTTER_ERR_INDEX_EXPIRED);
    c.now = EXPIRES - 1;
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)s, len, &c), 0);
    c.now = OTTER_INDEX_TIME_UNKNOWN;
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)s, len, &c), OTTER_ERR_INDEX_NO_TIME);
    c.accept_without_time = true;
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)s, len, &c), 0);
    c.highest_seq = 100; /* replay is refused with or without time */
    assert_int_equal(otter_index_open(&idx, (const uint8_t *)s, len, &c), OTTER_ERR_INDEX_REPLAY);
}

static otter_index_device_t device(const char *running, const uint8_t *id)
{
    otter_index_device_t d = {"stable", OTTER_CHIP_ESP32, "blink", running, 0, id, 6};
    return d;
}

static void mac(uint8_t id[6], unsigned i)
{
    id[0] = 0x24;
    id[1] = 0x0a;
    id[2] = 0xc4;
    id[3] = (uint8_t)(i >> 16);
    id[4] = (uint8_t)(i >> 8);
    id[5] = (uint8_t)i;
}

static void test_rollout(void **state)
{
    (void)state;
    char body[OTTER_INDEX_MAX_SIZE];
    otter_index_t idx;
    static const unsigned pct[] = {0, 10, 20, 50, 100};
    /* from Python: sum(bucket < p * 100) over the 10,000 ids of mac() */
    static const unsigned want[] = {0, 1040, 2018, 4913, 10000};
    static uint8_t in[5][10000];
    for (unsigned k = 0; k < 5; k++) {
        char r[32];
        snprintf(r, sizeof r, "rollout %u\n", pct[k]);
        subst(body, sizeof body, BODY, "rollout 10\n", r);
        assert_int_equal(otter_index_parse(&idx, (const uint8_t *)body, strlen(body), false), 0);
        unsigned count = 0;
        for (unsigned i = 0; i < 10000; i++) {
            uint8_t id[6];
            mac(id, i);
            otter_index_device_t d = device("1.1.0", id);
            otter_index_decision_t dec;
            assert_int_equal(otter_index_decide(&idx, &d, &dec), 0);
            assert_int_equal(dec.release, 0);
            in[k][i] = dec.reason == OTTER_INDEX_INSTALL;
            if (!in[k][i])
                assert_int_equal(dec.reason, OTTER_INDEX_NOT_IN_ROLLOUT);
            if (i == 0) {
                assert_int_equal(dec.bucket, 6946); /* Python */
                char why[256];
                otter_index_explain(&idx, &d, &dec, why, sizeof why);
                if (pct[k] == 10)
                    assert_string_equal(why, "blink 1.2.0 is newer than 1.1.0, but this device's bucket 6946 is "
                                             "outside the 10% rollout (buckets 0..999); it joins at 70%");
                if (pct[k] == 100)
                    assert_string_equal(why, "install blink 1.2.0 over 1.1.0: 1577648 bytes, sha256 "
                                             "9f86d081884c7d65...; this device's bucket 6946 is inside the 100% "
                                             "rollout");
            }
            count += in[k][i];
            /* raising never swaps: whoever was in stays in */
            if (k > 0 && in[k - 1][i])
                assert_true(in[k][i]);
        }
        assert_int_equal(count, want[k]);
    }
    /* another release: another tenth of the fleet first (Python: 1032 at
     * 10%, 109 of them also in 1.2.0's first tenth) */
    otter_index_str_t proj = {"blink", 5}, v13 = {"1.3.0", 5};
    unsigned count = 0, both = 0;
    for (unsigned i = 0; i < 10000; i++) {
        uint8_t id[6];
        uint32_t b;
        mac(id, i);
        assert_int_equal(otter_index_bucket(&proj, &v13, id, 6, &b), 0);
        count += otter_index_in_rollout(b, 10);
        both += otter_index_in_rollout(b, 10) && in[1][i];
    }
    assert_int_equal(count, 1032);
    assert_int_equal(both, 109);
}

static const char STONES[] = "otter-index 1\n"
                             "seq 7\n"
                             "expires 2027-01-31T00:00:00Z\n"
                             "release stable esp32 blink 3.0.0\n"
                             "secure 2\n"
                             "size 1000\n"
                             "sha256 " SHA_A "\n"
                             "url blink-3.0.0.bin\n"
                             "rollout 100\n"
                             "min 2.0.0\n"
                             "release stable esp32 blink 2.0.0\n"
                             "secure 1\n"
                             "size 1000\n"
                             "sha256 " SHA_B "\n"
                             "url blink-2.0.0.bin\n"
                             "rollout 100\n"
                             "min 1.0.0\n";

static void expect(const otter_index_t *idx, const char *running, uint32_t sv, otter_index_reason_t why,
                   const char *version)
{
    uint8_t id[6];
    mac(id, 1);
    otter_index_device_t d = device(running, id);
    d.secure_version = sv;
    otter_index_decision_t dec;
    assert_int_equal(otter_index_decide(idx, &d, &dec), 0);
    if (dec.reason != why)
        print_error("running %s sv %u: %s\n", running, (unsigned)sv, otter_index_reason_text(dec.reason));
    assert_int_equal(dec.reason, why);
    if (version) {
        assert_true(dec.release >= 0);
        assert_int_equal(idx->release[dec.release].version.len, strlen(version));
        assert_memory_equal(idx->release[dec.release].version.p, version, strlen(version));
    } else {
        assert_int_equal(dec.release, -1);
    }
}

static void explains(const otter_index_t *idx, const char *running, uint32_t sv, const char *channel,
                     const char *want)
{
    uint8_t id[6];
    mac(id, 1);
    otter_index_device_t d = device(running, id);
    d.secure_version = sv;
    d.channel = channel;
    otter_index_decision_t dec;
    char why[256];
    assert_int_equal(otter_index_decide(idx, &d, &dec), 0);
    otter_index_explain(idx, &d, &dec, why, sizeof why);
    assert_string_equal(why, want);
    assert_int_equal(otter_index_explain(idx, &d, &dec, why, 8), 7);
}

static void test_stepping_stones_and_policy(void **state)
{
    (void)state;
    otter_index_t idx;
    assert_int_equal(otter_index_parse(&idx, (const uint8_t *)STONES, strlen(STONES), false), 0);
    expect(&idx, "1.0.0", 0, OTTER_INDEX_INSTALL, "2.0.0"); /* 3.0.0 needs 2.0.0 first */
    expect(&idx, "1.5.0", 1, OTTER_INDEX_INSTALL, "2.0.0");
    expect(&idx, "2.0.0", 1, OTTER_INDEX_INSTALL, "3.0.0"); /* the stone reached */
    expect(&idx, "2.5.0", 2, OTTER_INDEX_INSTALL, "3.0.0");
    expect(&idx, "3.0.0", 2, OTTER_INDEX_UP_TO_DATE, NULL);
    expect(&idx, "4.0.0", 2, OTTER_INDEX_UP_TO_DATE, NULL);        /* never a downgrade */
    expect(&idx, "0.9.0", 0, OTTER_INDEX_STEPPING_STONE, "3.0.0"); /* too old for both */
    expect(&idx, "2.0.0", 3, OTTER_INDEX_SECURE_VERSION, "3.0.0");
    expect(&idx, "1.0.0", 2, OTTER_INDEX_STEPPING_STONE, "3.0.0"); /* 2.0.0 has sv 1 < 2; 3.0.0 needs 2.0.0 */
    expect(&idx, "dev-build", 0, OTTER_INDEX_INCOMPARABLE, "3.0.0");
    /* nothing for another channel, project or chip */
    uint8_t id[6];
    mac(id, 1);
    otter_index_decision_t dec;
    otter_index_device_t d = device("1.0.0", id);
    d.channel = "beta";
    assert_int_equal(otter_index_decide(&idx, &d, &dec), 0);
    assert_int_equal(dec.reason, OTTER_INDEX_NO_RELEASE);
    d = device("1.0.0", id);
    d.chip_id = OTTER_CHIP_ESP32C3;
    assert_int_equal(otter_index_decide(&idx, &d, &dec), 0);
    assert_int_equal(dec.reason, OTTER_INDEX_NO_RELEASE);
    d = device("1.0.0", id);
    d.project = "blinky";
    assert_int_equal(otter_index_decide(&idx, &d, &dec), 0);
    assert_int_equal(dec.reason, OTTER_INDEX_NO_RELEASE);
    d = device(NULL, id);
    assert_int_equal(otter_index_decide(&idx, &d, &dec), OTTER_ERR_INVAL);
    explains(&idx, "0.9.0", 0, "stable",
             "blink 3.0.0 may only be installed from 2.0.0 or newer (a stepping stone); this device runs 0.9.0 "
             "and no release in the index that it may install leads there");
    explains(&idx, "2.0.0", 3, "stable",
             "blink 3.0.0 has secure_version 2, below this device's 3 (anti-rollback): refused");
    explains(&idx, "dev-build", 0, "stable",
             "blink 3.0.0: the version cannot be ordered against the running dev-build (see the version rule); "
             "refused");
    explains(&idx, "3.0.0", 2, "stable", "up to date: nothing newer than 3.0.0 for channel stable, chip ESP32, "
                                         "project blink");
    explains(&idx, "3.0.0", 2, "beta", "the index lists no release for channel beta, chip ESP32, project blink");
    for (int r = OTTER_INDEX_INSTALL; r <= OTTER_INDEX_INCOMPARABLE; r++)
        assert_string_not_equal(otter_index_reason_text((otter_index_reason_t)r), "unknown reason");
    for (int e = -260; e >= -274; e--)
        assert_string_not_equal(otter_strerror(e), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_parse_fields_and_roundtrip),
        cmocka_unit_test(test_trust_and_keys_lines),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_signature),
        cmocka_unit_test(test_replay_and_expiry),
        cmocka_unit_test(test_rollout),
        cmocka_unit_test(test_stepping_stones_and_policy),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
