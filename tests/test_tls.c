/* Unit tests for the TLS module without a server: PEM splitting, pins,
 * certificate description (the forum user's R3 certificate, expected values
 * from `openssl x509`), mbedTLS error names checked against mbedTLS's own
 * headers, dates, setup errors, and handshakes over a scripted transport
 * (timeout, close, plain HTTP on a TLS port). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otter/crypto.h"
#include "errwords.h"
#include "otter/error.h"
#include "otter/host/tls_report.h"
#include "otter/tls.h"
#include "posix_rng.h"
#include "script_transport.h"

#define FORUM_PEM "/tls/forum-pinned-r3-by-dst-root-x3.pem"

static uint8_t *read_vector(const char *rel, size_t *len)
{
    const char *dir = getenv("OTTER_VECTORS");
    char path[1024];
    snprintf(path, sizeof path, "%s%s", dir ? dir : "tests/vectors", rel);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t buf[65536];
    *len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

static void hex32(const uint8_t *h, char out[65])
{
    for (int i = 0; i < 32; i++) {
        sprintf(out + 2 * i, "%02x", h[i]);
    }
}

/* ---- PEM ---------------------------------------------------------------- */

static void test_pem_forum_vector(void **state)
{
    (void)state;
    size_t len, pos = 0, n = 0;
    const uint8_t *pem = read_vector(FORUM_PEM, &len);
    uint8_t der[2048], h[32];
    char hex[65];
    assert_int_equal(otter_tls_pem_next(pem, len, &pos, der, sizeof der, &n), 1);
    assert_int_equal(n, 1129);
    static const uint8_t head[] = {0x30, 0x82, 0x04, 0x65, 0x30, 0x82, 0x03, 0x4d};
    assert_memory_equal(der, head, sizeof head);
    assert_int_equal(otter_sha256(der, n, h), 0);
    hex32(h, hex);
    assert_string_equal(hex, "730c1bdcd85f57ce5dc0bba733e5f1ba5a925b2a771d640a26f7a454224dad3b");
    assert_int_equal(otter_tls_pem_next(pem, len, &pos, der, sizeof der, &n), 0);
    assert_int_equal(pos, len);
    /* too small a buffer */
    pos = 0;
    assert_int_equal(otter_tls_pem_next(pem, len, &pos, der, 1128, &n), OTTER_ERR_BUF_TOO_SMALL);
}

static void test_pem_bad(void **state)
{
    (void)state;
    uint8_t der[64];
    size_t pos, n;
    static const struct {
        const char *text;
        int want;
    } cases[] = {
        {"", 0},
        {"no certificate here", 0},
        {"-----BEGIN CERTIFICATE-----\nMIIB\n", OTTER_ERR_TLS_CONFIG},           /* no END */
        {"-----BEGIN CERTIFICATE-----\nMI*B\n-----END CERTIFICATE-----", OTTER_ERR_TLS_CONFIG},
        {"-----BEGIN CERTIFICATE-----\nMII=B\n-----END CERTIFICATE-----", OTTER_ERR_TLS_CONFIG},
        {"-----BEGIN CERTIFICATE-----\nMIIBA\n-----END CERTIFICATE-----", OTTER_ERR_TLS_CONFIG},
        {"-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----", OTTER_ERR_TLS_CONFIG},
        {"-----BEGIN CERTIFICATE-----\nAA===\n-----END CERTIFICATE-----", OTTER_ERR_TLS_CONFIG},
        {"junk\n-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n", 1},
        {"-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pos = 0;
        int r = otter_tls_pem_next((const uint8_t *)cases[i].text, strlen(cases[i].text), &pos, der,
                                   sizeof der, &n);
        if (r != cases[i].want) {
            fail_msg("case %zu: got %d want %d", i, r, cases[i].want);
        }
    }
    pos = 0;
    const char *two = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
                      "-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n";
    assert_int_equal(otter_tls_pem_next((const uint8_t *)two, strlen(two), &pos, der, sizeof der, &n), 1);
    assert_int_equal(n, 3);
    assert_memory_equal(der, "\x30\x82\x01", 3);
    assert_int_equal(otter_tls_pem_next((const uint8_t *)two, strlen(two), &pos, der, sizeof der, &n), 1);
    assert_memory_equal(der, "\x00\x01\x02", 3);
    assert_int_equal(otter_tls_pem_next((const uint8_t *)two, strlen(two), &pos, der, sizeof der, &n), 0);
}

/* ---- pins ---------------------------------------------------------------- */

static void test_pins(void **state)
{
    (void)state;
    uint8_t pin[32], want[32];
    const char *hex = "8d02536c887482bc34ff54e41d2ba659bf85b341a0a20afadb5813dcfbcf286d";
    for (int i = 0; i < 32; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        want[i] = (uint8_t)v;
    }
    const char *good[] = {
        hex,
        "8D02536C887482BC34FF54E41D2BA659BF85B341A0A20AFADB5813DCFBCF286D",
        "8d:02:53:6c:88:74:82:bc:34:ff:54:e4:1d:2b:a6:59:bf:85:b3:41:a0:a2:0a:fa:db:58:13:dc:fb:cf:28:6d",
        "jQJTbIh0grw0/1TkHSumWb+Fs0Ggogr621gT3PvPKG0=",
        "sha256//jQJTbIh0grw0/1TkHSumWb+Fs0Ggogr621gT3PvPKG0=",
        "sha256/jQJTbIh0grw0/1TkHSumWb+Fs0Ggogr621gT3PvPKG0=",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        memset(pin, 0, sizeof pin);
        assert_int_equal(otter_tls_pin_parse(good[i], strlen(good[i]), pin), OTTER_OK);
        assert_memory_equal(pin, want, 32);
    }
    const char *bad[] = {
        "",
        "8d02536c887482bc34ff54e41d2ba659bf85b341a0a20afadb5813dcfbcf286",   /* 63 digits */
        "8d02536c887482bc34ff54e41d2ba659bf85b341a0a20afadb5813dcfbcf286d00", /* 33 bytes */
        "8g02536c887482bc34ff54e41d2ba659bf85b341a0a20afadb5813dcfbcf286d",
        ":8d02536c887482bc34ff54e41d2ba659bf85b341a0a20afadb5813dcfbcf286d",
        "8d02536c887482bc34ff54e41d2ba659bf85b341a0a20afadb5813dcfbcf286d:",
        "jQJTbIh0grw0/1TkHSumWb+Fs0Ggogr621gT3PvPKG0",  /* 43 chars */
        "jQJTbIh0grw0/1TkHSumWb+Fs0Ggogr621gT3PvPKG==", /* 31 bytes */
        "jQJTbIh0grw0/1TkHSumWb+Fs0Ggogr621gT3PvPK G0=",
        "sha256//",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (otter_tls_pin_parse(bad[i], strlen(bad[i]), pin) != OTTER_ERR_TLS_CONFIG) {
            fail_msg("bad pin %zu accepted", i);
        }
    }
}

/* ---- certificate description ---------------------------------------------- */

static void test_describe_forum_cert(void **state)
{
    (void)state;
    size_t len, pos = 0, n = 0;
    const uint8_t *pem = read_vector(FORUM_PEM, &len);
    uint8_t der[2048];
    char hex[65], d[11];
    assert_int_equal(otter_tls_pem_next(pem, len, &pos, der, sizeof der, &n), 1);
    otter_tls_cert_info_t info;
    int mret = 1;
    assert_int_equal(otter_tls_cert_info_der(der, n, &info, &mret), OTTER_OK);
    assert_int_equal(mret, 0);
    assert_string_equal(info.subject, "C=US, O=Let's Encrypt, CN=R3");
    assert_string_equal(info.issuer, "O=Digital Signature Trust Co., CN=DST Root CA X3");
    assert_string_equal(info.name, "R3");
    assert_string_equal(info.issuer_name, "DST Root CA X3");
    otter_tls_date(info.not_before, d);
    assert_string_equal(d, "2020-10-07");
    otter_tls_date(info.not_after, d);
    assert_string_equal(d, "2021-09-29");
    assert_int_equal(info.not_after, 1632943300); /* 2021-09-29T19:21:40Z */
    assert_int_equal(info.key_type, OTTER_TLS_KEY_RSA);
    assert_int_equal(info.key_bits, 2048);
    assert_int_equal(info.is_ca, 1);
    assert_int_equal(info.path_len, 0);
    assert_int_equal(info.self_signed, 0);
    hex32(info.spki_sha256, hex);
    assert_string_equal(hex, "8d02536c887482bc34ff54e41d2ba659bf85b341a0a20afadb5813dcfbcf286d");
    /* not a certificate */
    der[4] = 0x05;
    assert_int_equal(otter_tls_cert_info_der(der, n, &info, &mret), OTTER_ERR_TLS_CONFIG);
    assert_true(mret < 0);
}

/* ---- words ----------------------------------------------------------------- */

/* The names come from the headers of the mbedTLS otter is built with
 * (src/mbedtls/tls_errors.c); these codes have the same value in 2.28, 3.6
 * and 4.0 (values from their headers). */
#define NAME_IS(code, name) assert_string_equal(otter_tls_backend_errname(code), name)

static void test_mbedtls_names(void **state)
{
    (void)state;
    NAME_IS(-0x2700, "X509_CERT_VERIFY_FAILED");
    NAME_IS(-0x2180, "X509_INVALID_FORMAT");
    NAME_IS(-0x2400, "X509_INVALID_DATE");
    NAME_IS(-0x2600, "X509_UNKNOWN_SIG_ALG");
    NAME_IS(-0x3000, "X509_FATAL_ERROR");
    NAME_IS(-0x7780, "SSL_FATAL_ALERT_MESSAGE");
    NAME_IS(-0x7200, "SSL_INVALID_RECORD");
    NAME_IS(-0x7280, "SSL_CONN_EOF");
    NAME_IS(-0x7180, "SSL_INVALID_MAC");
    NAME_IS(-0x7880, "SSL_PEER_CLOSE_NOTIFY");
    NAME_IS(-0x6800, "SSL_TIMEOUT");
    NAME_IS(-0x6900, "SSL_WANT_READ");
    NAME_IS(-0x6C00, "SSL_INTERNAL_ERROR");
    NAME_IS(-0x004C, "NET_RECV_FAILED");
    NAME_IS(-0x0050, "NET_CONN_RESET");
    NAME_IS(-0x0062, "ASN1_UNEXPECTED_TAG");
    /* renamed in 3.0, same value */
    const char *v = otter_tls_backend_errname(-0x6E80);
    assert_true(strcmp(v, "SSL_BAD_HS_PROTOCOL_VERSION") == 0 || strcmp(v, "SSL_BAD_PROTOCOL_VERSION") == 0);
    NAME_IS(-149, "PSA_ERROR_INVALID_SIGNATURE");
    /* high-level + low-level: named by the high part */
    assert_string_equal(otter_tls_backend_errname(-0x2180 - 0x0062),
                        "X509_INVALID_FORMAT");
    assert_string_equal(otter_tls_backend_errname(-0x1000), "UNKNOWN");
    assert_string_equal(otter_tls_backend_errname(0), "UNKNOWN");
    assert_string_equal(otter_tls_backend_errtext(-0x2700),
                        "the server's certificate chain failed verification (the verify flags say why)");
    assert_string_equal(otter_tls_alert_name(40), "handshake_failure");
    assert_string_equal(otter_tls_alert_name(112), "unrecognized_name");
    assert_string_equal(otter_tls_alert_name(255), "unknown");
    assert_string_equal(otter_tls_flag_text(OTTER_TLS_VF_EXPIRED), "has expired");
    assert_string_equal(otter_tls_flag_text(OTTER_TLS_VF_FUTURE), "is not valid yet");
    assert_string_equal(otter_tls_flag_text(0x80000000u), "has an unknown problem");
}

static void test_dates(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        const char *d;
    } cases[] = {
        {0, "1970-01-01"},          {-1, "1969-12-31"},         {951782400, "2000-02-29"},
        {1632873600, "2021-09-29"}, {1704067199, "2023-12-31"}, {4102444800, "2100-01-01"},
        {253402300799, "9999-12-31"}, {253402300800, "0000-00-00"},
    };
    char d[11];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        otter_tls_date(cases[i].t, d);
        assert_string_equal(d, cases[i].d);
    }
}

static void test_explain_truncation(void **state)
{
    (void)state;
    otter_tls_report_t r;
    otter_tls_report_init(&r);
    strcpy(r.host, "example.com");
    r.port = 443;
    r.result = OTTER_ERR_TIMEOUT;
    char full[512], small[16];
    size_t n = otter_tls_explain(&r, full, sizeof full);
    assert_string_equal(full, errwords("Could not talk to example.com:443: timed out.\n"));
    assert_int_equal(n, strlen(full));
    assert_int_equal(otter_tls_explain(&r, small, sizeof small), n);
    assert_string_equal(small, "Could not talk ");
    assert_int_equal(otter_tls_explain(&r, NULL, 0), n);
}

/* Found by fuzz_trust: dates far apart must not overflow (UBSan). */
static void test_text_extreme_dates(void **state)
{
    (void)state;
    static otter_tls_report_t r;
    otter_tls_report_init(&r);
    r.now = 3108310830414597634;
    r.chain_count = 1;
    r.chain[0].not_after = -7022333970914903853;
    char out[2048];
    size_t n = otter_tls_report_text(&r, out, sizeof out);
    assert_true(n < sizeof out);
    assert_non_null(strstr(out, " (expired 106751991167300 days ago)\n"));
}

/* ---- setup and scripted handshakes ------------------------------------------ */

static uint64_t fake_ms;
static uint64_t clk_ms(void *ctx)
{
    (void)ctx;
    return fake_ms += 10;
}
static int64_t clk_wall(void *ctx)
{
    (void)ctx;
    return 1780000000; /* 2026-05-28 */
}

typedef struct {
    otter_script_step_t steps[3]; /* accept, the server's bytes, then err */
    otter_script_transport_t script;
    otter_transport_t lower;
    otter_clock_t clock;
    otter_tls_report_t report;
    otter_tls_t tls;
    uint8_t work[2048];
    otter_tls_config_t cfg;
} fixture_t;

static void fixture(fixture_t *f, const uint8_t *ca, size_t ca_len)
{
    memset(f, 0, sizeof *f);
    otter_script_init(&f->script, f->steps, 0, &f->lower);
    f->clock = (otter_clock_t){clk_ms, clk_wall, NULL};
    f->cfg = (otter_tls_config_t){.lower = &f->lower, .clock = &f->clock, .entropy = otter_posix_entropy,
                                  .ca = ca, .ca_len = ca_len, .work = f->work, .work_len = sizeof f->work,
                                  .report = &f->report};
    otter_tls_init(&f->tls);
}

static void test_setup_errors(void **state)
{
    (void)state;
    static fixture_t f;
    size_t len;
    const uint8_t *pem = read_vector(FORUM_PEM, &len);
    fixture(&f, NULL, 0);
    assert_int_equal(otter_tls_setup(&f.tls, &f.cfg), OTTER_ERR_INVAL); /* no CA, no pin */
    otter_tls_free(&f.tls);
    otter_tls_free(&f.tls); /* twice is fine */
    fixture(&f, pem, len);
    f.cfg.max_fragment_len = 300;
    assert_int_equal(otter_tls_setup(&f.tls, &f.cfg), OTTER_ERR_INVAL);
    f.cfg.max_fragment_len = 0;
    f.cfg.entropy = NULL;
    assert_int_equal(otter_tls_setup(&f.tls, &f.cfg), OTTER_ERR_INVAL);
    f.cfg.entropy = otter_posix_entropy;
    f.cfg.pin_count = OTTER_TLS_MAX_PINS + 1;
    assert_int_equal(otter_tls_setup(&f.tls, &f.cfg), OTTER_ERR_INVAL);
    f.cfg.pin_count = 0;
    f.cfg.work_len = 1000;
    assert_int_equal(otter_tls_setup(&f.tls, &f.cfg), OTTER_ERR_BUF_TOO_SMALL);
    assert_int_equal(otter_tls_bad_ca_index(&f.tls), 0);
    otter_tls_free(&f.tls);

    /* second certificate of the bundle is corrupt DER */
    static uint8_t bundle[8192];
    const char *bad = "\n-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n";
    memcpy(bundle, pem, len);
    memcpy(bundle + len, bad, strlen(bad));
    fixture(&f, bundle, len + strlen(bad));
    assert_int_equal(otter_tls_setup(&f.tls, &f.cfg), OTTER_ERR_TLS_CONFIG);
    assert_int_equal(otter_tls_bad_ca_index(&f.tls), 1);
    otter_tls_free(&f.tls);

    /* text without any certificate; DER garbage */
    fixture(&f, (const uint8_t *)"hello", 5);
    assert_int_equal(otter_tls_setup(&f.tls, &f.cfg), OTTER_ERR_TLS_CONFIG);
    otter_tls_free(&f.tls);
    fixture(&f, (const uint8_t *)"\x30\x03\x02\x01\x00", 5);
    assert_int_equal(otter_tls_setup(&f.tls, &f.cfg), OTTER_ERR_TLS_CONFIG);
    otter_tls_free(&f.tls);

    /* not set up / not connected */
    otter_tls_init(&f.tls);
    uint8_t b[4];
    assert_int_equal(otter_tls_connect(&f.tls, "h", 443, 100), OTTER_ERR_STATE);
    assert_int_equal(otter_tls_read(&f.tls, b, 4, 100), OTTER_ERR_STATE);
    assert_int_equal(otter_tls_write(&f.tls, b, 4, 100), OTTER_ERR_STATE);
    otter_tls_close(&f.tls);
    otter_tls_free(&f.tls);
}

/* Connect over the script; return the result, report in f->report. */
#define scripted(f, reply, err) scripted_n(f, reply, sizeof(reply) - 1, err)
static int scripted_n(fixture_t *f, const char *reply, size_t reply_len, int err)
{
    size_t len;
    const uint8_t *pem = read_vector(FORUM_PEM, &len);
    fixture(f, pem, len);
    size_t n = 0;
    f->steps[n++] = (otter_script_step_t)SCRIPT_ACCEPT();
    if (reply && reply_len)
        f->steps[n++] = (otter_script_step_t)SCRIPT_BYTES(reply, reply_len);
    f->steps[n++] = (otter_script_step_t)SCRIPT_READ_ERR(err);
    otter_script_init(&f->script, f->steps, n, &f->lower);
    assert_int_equal(otter_tls_setup(&f->tls, &f->cfg), OTTER_OK);
    int r = otter_tls_connect(&f->tls, "example.com", 443, 5000);
    assert_int_equal(f->script.connects, 1);
    assert_int_equal(f->script.closes, 1); /* failed handshake closes the lower transport */
    otter_tls_free(&f->tls);
    return r;
}

static void test_scripted_failures(void **state)
{
    (void)state;
    static fixture_t f;
    char words[1024];
    assert_int_equal(scripted_n(&f, NULL, 0, OTTER_ERR_TIMEOUT), OTTER_ERR_TIMEOUT);
    assert_int_equal(f.report.result, OTTER_ERR_TIMEOUT);
    assert_string_equal(f.report.host, "example.com");
    assert_string_equal(f.report.trust_first, "R3"); /* from the bundle's certificate */
    assert_int_equal(f.report.trust_ca_count, 1);
    assert_int_equal(f.report.now, 1780000000);
    otter_tls_explain(&f.report, words, sizeof words);
    assert_string_equal(words, errwords("Could not talk to example.com:443: timed out.\n"
                                        "(mbedTLS -0x6800 SSL_TIMEOUT)\n"));

    assert_int_equal(scripted_n(&f, NULL, 0, OTTER_ERR_CLOSED), OTTER_ERR_CLOSED);
    assert_int_equal(f.report.backend_err, -0x7280);
    assert_int_equal(scripted_n(&f, NULL, 0, OTTER_ERR_NET_IO), OTTER_ERR_NET_IO);
    assert_int_equal(f.report.backend_err, -0x004C);

    /* plain HTTP on a TLS port */
    assert_int_equal(scripted(&f, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", OTTER_ERR_CLOSED),
                     OTTER_ERR_TLS_HANDSHAKE);
    otter_tls_explain(&f.report, words, sizeof words);
    assert_non_null(strstr(words, "not a TLS record (plain HTTP on a TLS port?)"));
    assert_non_null(strstr(words, "SSL_INVALID_RECORD"));

    /* a fatal handshake_failure alert (TLS 1.2 record, alert 2/40) */
    assert_int_equal(scripted(&f, "\x15\x03\x03\x00\x02\x02\x28", OTTER_ERR_CLOSED), OTTER_ERR_TLS_HANDSHAKE);
    assert_int_equal(f.report.alert, 40);
    assert_int_equal(f.report.backend_err, -0x7780);
    otter_tls_explain(&f.report, words, sizeof words);
    assert_non_null(strstr(words, "The server sent the fatal alert 40 (handshake_failure)."));
    /* protocol_version alert */
    assert_int_equal(scripted(&f, "\x15\x03\x01\x00\x02\x02\x46", OTTER_ERR_CLOSED), OTTER_ERR_TLS_VERSION);
}

static void test_sizes(void **state)
{
    (void)state;
    print_message("sizeof otter_tls_t %zu (TLS library part %zu), otter_tls_report_t %zu, cert info %zu\n",
                  sizeof(otter_tls_t), (size_t)OTTER_TLS_BACKEND_SIZE, sizeof(otter_tls_report_t),
                  sizeof(otter_tls_cert_info_t));
    assert_true(sizeof(otter_tls_report_t) < 4096);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pem_forum_vector), cmocka_unit_test(test_pem_bad),
        cmocka_unit_test(test_pins),             cmocka_unit_test(test_describe_forum_cert),
        cmocka_unit_test(test_mbedtls_names),    cmocka_unit_test(test_dates),
        cmocka_unit_test(test_explain_truncation), cmocka_unit_test(test_text_extreme_dates),
        cmocka_unit_test(test_setup_errors),
        cmocka_unit_test(test_scripted_failures), cmocka_unit_test(test_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
