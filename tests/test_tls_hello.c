/* The ServerHello scan behind otter_tls_report_t.max_fragment_answer
 * (src/tls_hello.c): real ServerHellos captured from `openssl s_server`
 * (OpenSSL 3.0, `openssl s_client -tls1_2 [-maxfraglen N] -msg`), with and
 * without the max_fragment_length extension, with and without a session
 * id, fed whole, one byte at a time and split at every offset; and
 * truncated, non-ServerHello and malformed inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "otter/tls.h"

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (h[0] && h[1] && n < cap) {
        unsigned v;
        assert_int_equal(sscanf(h, "%2x", &v), 1);
        out[n++] = (uint8_t)v;
        h += 2;
    }
    return n;
}

static const struct {
    const char *what;
    const char *hex;
    uint8_t want;
} hellos[] = {
    {"maxfraglen 1024, tickets (no session id)",
     "0200004203 03da135d77a090b9ec3989fb4e5bf408072273cc34a9b4a9d8444f574e4752440100c02c00001aff01000100000100"
     "0102000b000403000102002300000017 0000",
     OTTER_TLS_MFL_HONOURED},
    {"no maxfraglen, tickets",
     "0200003d0303f9cbf0ee879a048c2a0c720925618fe06dea1046274b0bd2444f574e4752440100c02c000015ff0100010000"
     "0b00040300010200230000001700 00",
     OTTER_TLS_MFL_IGNORED},
    {"maxfraglen 512, 32-byte session id",
     "0200005e03034b5881bc5464d48504faeb0f32a08709f473a31ced9800bc444f574e4752440120793cb48692b82cfe8f667c"
     "26552860d28e56cf45e09c0eadb7170fcac28fee4ec02c000016ff010001000001000101000b00040300010200170000",
     OTTER_TLS_MFL_HONOURED},
    {"no maxfraglen, 32-byte session id",
     "020000590303 71ce96b841f7ab192b752c17e9112f2948c5bc7e5ca80d45444f574e4752440120de32a662cd5bc7add295d4"
     "b8f27ae91013b8e83a46cdcfee2055a74f648ee975c02c000011ff01000100000b000403000102001700 00",
     OTTER_TLS_MFL_IGNORED},
    /* the same, its extensions removed: a ServerHello may carry none */
    {"no extensions at all", "0200002603030102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2000c02c00",
     OTTER_TLS_MFL_IGNORED},
    {"an empty extension list", "0200002803030102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2000c02c000000",
     OTTER_TLS_MFL_IGNORED},
    /* an extension whose data holds 00 01 must not be taken for it */
    {"00 01 inside another extension's data",
     "0200003003030102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2000c02c000008ff01000400010001",
     OTTER_TLS_MFL_IGNORED},
    {"not a ServerHello (a Certificate)", "0b0001860001830001803082017c3082", OTTER_TLS_MFL_UNKNOWN},
};

/* hex with spaces allowed */
static size_t load(const char *hex, uint8_t *out, size_t cap)
{
    char clean[1024];
    size_t k = 0;
    for (const char *p = hex; *p && k + 1 < sizeof clean; p++)
        if (*p != ' ')
            clean[k++] = *p;
    clean[k] = '\0';
    return unhex(clean, out, cap);
}

static uint8_t scan(const uint8_t *b, size_t n, size_t split)
{
    otter_tls_hello_scan_t s;
    memset(&s, 0, sizeof s);
    otter_tls_hello_feed(&s, b, split);
    otter_tls_hello_feed(&s, b + split, n - split);
    /* bytes after the message (the next handshake messages) change nothing */
    static const uint8_t more[] = {0x0b, 0x00, 0x01, 0x00, 0x01, 0x01};
    otter_tls_hello_feed(&s, more, sizeof more);
    return s.answer;
}

static void test_captured_hellos(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof hellos / sizeof hellos[0]; i++) {
        uint8_t b[256];
        size_t n = load(hellos[i].hex, b, sizeof b);
        for (size_t split = 0; split <= n; split++) {
            uint8_t got = scan(b, n, split);
            if (got != hellos[i].want)
                fail_msg("%s, split at %zu: %u, want %u", hellos[i].what, split, got, hellos[i].want);
        }
        /* one byte at a time */
        otter_tls_hello_scan_t s;
        memset(&s, 0, sizeof s);
        for (size_t k = 0; k < n; k++)
            otter_tls_hello_feed(&s, b + k, 1);
        assert_int_equal(s.answer, hellos[i].want);
    }
}

static void test_truncated_and_odd(void **state)
{
    (void)state;
    uint8_t b[256];
    size_t n = load(hellos[0].hex, b, sizeof b);
    /* cut before the extension: no answer yet */
    for (size_t cut = 0; cut < 4 + 49; cut++) { /* its header ends at body offset 48 */
        otter_tls_hello_scan_t s;
        memset(&s, 0, sizeof s);
        otter_tls_hello_feed(&s, b, cut);
        assert_int_equal(s.answer, OTTER_TLS_MFL_UNKNOWN);
    }
    /* an extension list longer than the body: ends with the body */
    uint8_t odd[] = {0x02, 0x00, 0x00, 0x2a, 0x03, 0x03, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                     17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 0x00, 0xc0, 0x2c, 0x00, 0xff,
                     0xff, 0x00, 0x17};
    assert_int_equal(scan(odd, sizeof odd, 0), OTTER_TLS_MFL_IGNORED);
    (void)n;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_captured_hellos),
        cmocka_unit_test(test_truncated_and_odd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
