/* host/pki.h C API: dates (exact epoch values, from `date -u -d ... +%s`),
 * exact error codes for bad input, and certificates read back with mbedTLS's
 * parser (names, dates, CA flags, path length, key usage, SANs, issuer and
 * signature). OpenSSL checks the same certificates in test_pki.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/oid.h>
#include <mbedtls/x509.h>

#include "otter/error.h"
#include "pki.h"

static void test_parse_time(void **state)
{
    (void)state;
    int64_t t = 0, now = 1700000000;
    assert_int_equal(otter_pki_parse_time("2021-09-30", now, &t), 0);
    assert_int_equal(t, 1632960000);
    assert_int_equal(otter_pki_parse_time("2000-09-30T21:12:19Z", now, &t), 0);
    assert_int_equal(t, 970348339);
    assert_int_equal(otter_pki_parse_time("1970-01-01", now, &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(otter_pki_parse_time("2060-02-29 12:00:00", now, &t), 0);
    assert_int_equal(t, 2845281600);
    assert_int_equal(otter_pki_parse_time("now", now, &t), 0);
    assert_int_equal(t, now);
    assert_int_equal(otter_pki_parse_time("now+30d", now, &t), 0);
    assert_int_equal(t, now + 30 * 86400);
    assert_int_equal(otter_pki_parse_time("-2d", now, &t), 0);
    assert_int_equal(t, now - 2 * 86400);
    assert_int_equal(otter_pki_parse_time("+1", now, &t), 0);
    assert_int_equal(t, now + 86400);

    static const char *const bad[] = {"2021-02-30", "2021-13-01", "2021-1-01", "21-01-01",
                                      "2021-01-01T25:00:00", "2021-01-01T10:00", "now+",
                                      "now+3x", "yesterday", "", "+-3d", "2021-01-01Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = 42;
        assert_int_equal(otter_pki_parse_time(bad[i], now, &t), OTTER_ERR_INVAL);
        assert_int_equal(t, 42);
    }
    assert_int_equal(otter_pki_parse_time(NULL, now, &t), OTTER_ERR_INVAL);
}

struct fixture {
    otter_pki_t pki;
    mbedtls_pk_context root_key, leaf_key, other_key;
    mbedtls_x509_crt root, leaf;
    char pem[8192];
};

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof *f);
    otter_pki_init(&f->pki);
    mbedtls_pk_init(&f->root_key);
    mbedtls_pk_init(&f->leaf_key);
    mbedtls_pk_init(&f->other_key);
    mbedtls_x509_crt_init(&f->root);
    mbedtls_x509_crt_init(&f->leaf);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    mbedtls_pk_free(&f->root_key);
    mbedtls_pk_free(&f->leaf_key);
    mbedtls_pk_free(&f->other_key);
    mbedtls_x509_crt_free(&f->root);
    mbedtls_x509_crt_free(&f->leaf);
    otter_pki_free(&f->pki);
    test_free(f);
    return 0;
}

static void make_root(struct fixture *f)
{
    otter_pki_cert_spec_t s;
    assert_int_equal(otter_pki_key_generate(&f->pki, &f->root_key, OTTER_PKI_KEY_EC_P256, 0), 0);
    otter_pki_cert_spec_init(&s);
    s.subject = "CN=Test Root,O=otter tests,C=DE";
    s.key = &f->root_key;
    s.ca = 1;
    s.pathlen = 1;
    s.not_before = 970348339;  /* 2000-09-30 21:12:19 */
    s.not_after = 1632960000;  /* 2021-09-30 00:00:00 */
    s.serial = 0x1234;
    size_t len = 0;
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, &len), 0);
    assert_int_equal(len, strlen(f->pem));
    assert_int_equal(mbedtls_x509_crt_parse(&f->root, (unsigned char *)f->pem, len + 1), 0);
}

static void test_root(void **state)
{
    struct fixture *f = *state;
    make_root(f);
    mbedtls_x509_crt *c = &f->root;
    char name[256];
    mbedtls_x509_dn_gets(name, sizeof name, &c->subject);
    assert_string_equal(name, "CN=Test Root, O=otter tests, C=DE");
    mbedtls_x509_dn_gets(name, sizeof name, &c->issuer);
    assert_string_equal(name, "CN=Test Root, O=otter tests, C=DE");
    assert_int_equal(c->subject_raw.len, c->issuer_raw.len);
    assert_memory_equal(c->subject_raw.p, c->issuer_raw.p, c->subject_raw.len);
    assert_int_equal(c->valid_from.year, 2000);
    assert_int_equal(c->valid_from.mon, 9);
    assert_int_equal(c->valid_from.day, 30);
    assert_int_equal(c->valid_from.hour, 21);
    assert_int_equal(c->valid_from.min, 12);
    assert_int_equal(c->valid_from.sec, 19);
    assert_int_equal(c->valid_to.year, 2021);
    assert_int_equal(c->version, 3);
    assert_int_equal(c->ca_istrue, 1);
    assert_int_equal(c->max_pathlen, 2); /* mbedTLS stores pathlen + 1 */
    assert_int_equal(c->key_usage, MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN |
                                       MBEDTLS_X509_KU_DIGITAL_SIGNATURE);
    assert_int_equal(c->serial.len, 2);
    assert_int_equal(c->serial.p[0], 0x12);
    assert_int_equal(c->serial.p[1], 0x34);
    assert_int_equal(c->sig_md, MBEDTLS_MD_SHA256);
    assert_int_equal(c->sig_pk, MBEDTLS_PK_ECDSA);
    /* self-signature verifies */
    uint32_t flags = 0;
    assert_int_equal(mbedtls_x509_crt_verify(c, c, NULL, NULL, &flags, NULL, NULL),
                     MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    assert_int_equal(flags, MBEDTLS_X509_BADCERT_EXPIRED); /* only expired, nothing else */
}

static void test_leaf_and_cross(void **state)
{
    struct fixture *f = *state;
    make_root(f);
    otter_pki_cert_spec_t s;
    assert_int_equal(otter_pki_key_generate(&f->pki, &f->leaf_key, OTTER_PKI_KEY_EC_P384, 0), 0);
    otter_pki_cert_spec_init(&s);
    s.subject = "CN=localhost";
    s.key = &f->leaf_key;
    s.issuer_cert = &f->root;
    s.issuer_key = &f->root_key;
    s.not_before = 1000000000;
    s.not_after = 1600000000;
    s.san = "DNS:localhost,IP:127.0.0.1,IP:::1";
    s.eku = "serverAuth";
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), 0);
    assert_int_equal(mbedtls_x509_crt_parse(&f->leaf, (unsigned char *)f->pem, strlen(f->pem) + 1),
                     0);
    mbedtls_x509_crt *c = &f->leaf;
    assert_int_equal(c->ca_istrue, 0);
    assert_int_equal(c->key_usage, MBEDTLS_X509_KU_DIGITAL_SIGNATURE);
    assert_int_equal(mbedtls_x509_crt_check_extended_key_usage(
                         c, MBEDTLS_OID_SERVER_AUTH, MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)),
                     0);
    assert_int_not_equal(mbedtls_x509_crt_check_extended_key_usage(
                             c, MBEDTLS_OID_CLIENT_AUTH, MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)),
                         0);
    /* SAN: one dNSName then two iPAddress entries, in order */
    const mbedtls_x509_sequence *san = &c->subject_alt_names;
    assert_int_equal(san->buf.tag, 0x82);
    assert_int_equal(san->buf.len, 9);
    assert_memory_equal(san->buf.p, "localhost", 9);
    san = san->next;
    assert_non_null(san);
    assert_int_equal(san->buf.tag, 0x87);
    assert_int_equal(san->buf.len, 4);
    assert_memory_equal(san->buf.p, "\x7f\x00\x00\x01", 4);
    san = san->next;
    assert_non_null(san);
    assert_int_equal(san->buf.len, 16);
    assert_int_equal(san->buf.p[15], 1);
    assert_null(san->next);
    /* issuer name = the root's subject, byte for byte; signature by the root */
    assert_int_equal(c->issuer_raw.len, f->root.subject_raw.len);
    assert_memory_equal(c->issuer_raw.p, f->root.subject_raw.p, c->issuer_raw.len);
    uint32_t flags = 0;
    mbedtls_x509_crt_verify(c, &f->root, NULL, "localhost", &flags, NULL, NULL);
    assert_int_equal(flags & ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED), 0);

    /* cross-sign: the root's subject and key, issued by another key/cert */
    mbedtls_x509_crt other;
    mbedtls_x509_crt_init(&other);
    assert_int_equal(otter_pki_key_generate(&f->pki, &f->other_key, OTTER_PKI_KEY_EC_P256, 0), 0);
    otter_pki_cert_spec_init(&s);
    s.subject = "CN=Other Root";
    s.key = &f->other_key;
    s.ca = 1;
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), 0);
    assert_int_equal(mbedtls_x509_crt_parse(&other, (unsigned char *)f->pem, strlen(f->pem) + 1), 0);
    otter_pki_cert_spec_init(&s);
    s.subject_from = &f->root;
    s.key = &f->root_key;
    s.issuer_cert = &other;
    s.issuer_key = &f->other_key;
    s.ca = 1;
    mbedtls_x509_crt cross;
    mbedtls_x509_crt_init(&cross);
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), 0);
    assert_int_equal(mbedtls_x509_crt_parse(&cross, (unsigned char *)f->pem, strlen(f->pem) + 1), 0);
    assert_int_equal(cross.subject_raw.len, f->root.subject_raw.len);
    assert_memory_equal(cross.subject_raw.p, f->root.subject_raw.p, cross.subject_raw.len);
    assert_int_equal(cross.issuer_raw.len, other.subject_raw.len);
    assert_memory_equal(cross.issuer_raw.p, other.subject_raw.p, cross.issuer_raw.len);
    assert_int_equal(cross.pk_raw.len, f->root.pk_raw.len);
    assert_memory_equal(cross.pk_raw.p, f->root.pk_raw.p, cross.pk_raw.len);
    flags = 0;
    assert_int_equal(mbedtls_x509_crt_verify(&cross, &other, NULL, NULL, &flags, NULL, NULL), 0);
    mbedtls_x509_crt_free(&cross);
    mbedtls_x509_crt_free(&other);
}

static void test_errors(void **state)
{
    struct fixture *f = *state;
    make_root(f);
    otter_pki_cert_spec_t s;
    otter_pki_cert_spec_init(&s);
    s.subject = "CN=x";
    /* no key */
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), OTTER_ERR_INVAL);
    assert_true(f->pki.why[0] != 0);
    /* empty key object */
    s.key = &f->leaf_key;
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), OTTER_ERR_INVAL);
    assert_int_equal(otter_pki_key_generate(&f->pki, &f->leaf_key, OTTER_PKI_KEY_EC_P256, 0), 0);
    /* issuer cert without its key, and with a key that is not its own */
    s.issuer_cert = &f->root;
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), OTTER_ERR_INVAL);
    s.issuer_key = &f->leaf_key;
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), OTTER_ERR_INVAL);
    assert_non_null(strstr(f->pki.why, "does not belong"));
    s.issuer_cert = NULL;
    s.issuer_key = NULL;
    /* bad SAN entries */
    static const char *const bad_san[] = {"FOO:x", "IP:300.1.1.1", "DNS:", "DNS:a,,DNS:b", "IP:1::2::3"};
    for (size_t i = 0; i < sizeof bad_san / sizeof bad_san[0]; i++) {
        s.san = bad_san[i];
        assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL),
                         OTTER_ERR_INVAL);
    }
    s.san = NULL;
    s.eku = "serverAuth,nope";
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), OTTER_ERR_INVAL);
    s.eku = NULL;
    /* dates: reversed, before 1950 */
    s.not_before = 1600000000;
    s.not_after = 1500000000;
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), OTTER_ERR_INVAL);
    s.not_before = -1000000000; /* 1938 */
    s.not_after = 1500000000;
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), OTTER_ERR_INVAL);
    s.not_before = 1400000000;
    /* bad subject; buffer too small */
    s.subject = "nonsense";
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), OTTER_ERR_INVAL);
    s.subject = "CN=x";
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, 100, NULL), OTTER_ERR_BUF_TOO_SMALL);
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), 0);
    /* keys: bad RSA size, unknown type, missing file */
    mbedtls_pk_context k;
    mbedtls_pk_init(&k);
    assert_int_equal(otter_pki_key_generate(&f->pki, &k, OTTER_PKI_KEY_RSA, 512), OTTER_ERR_INVAL);
    assert_int_equal(otter_pki_key_generate(&f->pki, &k, (otter_pki_keytype_t)99, 0), OTTER_ERR_INVAL);
    assert_int_equal(otter_pki_key_load(&f->pki, &k, "/nonexistent/otter.key"), OTTER_ERR_IO);
    mbedtls_pk_free(&k);
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    assert_int_equal(otter_pki_cert_load(&f->pki, &crt, "/nonexistent/otter.pem"), OTTER_ERR_IO);
    mbedtls_x509_crt_free(&crt);
    assert_int_equal(otter_pki_demo(&f->pki, "", NULL, 0), OTTER_ERR_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_time),
        cmocka_unit_test_setup_teardown(test_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leaf_and_cross, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
