/* host/pki.h C API: dates (exact epoch values, from `date -u -d ... +%s`),
 * exact error codes for bad input, and certificates read back two ways:
 * through otter's own reader (host/x509.h, and the device TLS module's
 * description) and through the openssl command line, an independent X.509
 * implementation (names, dates, serial, CA flags, path length, key usage,
 * EKU, SANs, issuer and signature). test_pki.sh checks the CLI the same way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "otter/error.h"
#include "certchain.h"
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
    otter_hkey_t *root_key, *leaf_key, *other_key;
    otter_cert_t *root, *leaf;
    char pem[8192];
    char dir[64];
};

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof *f);
    otter_pki_init(&f->pki);
    snprintf(f->dir, sizeof f->dir, "/tmp/otter-pki-api.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];
    otter_hkey_free(f->root_key);
    otter_hkey_free(f->leaf_key);
    otter_hkey_free(f->other_key);
    otter_cert_free(f->root);
    otter_cert_free(f->leaf);
    otter_pki_free(&f->pki);
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    test_free(f);
    return 0;
}

/* The certificate of a PEM text. */
static otter_cert_t *parse_pem(const char *pem)
{
    otter_certset_t one;
    otter_certset_init(&one);
    assert_int_equal(otter_certset_add(&one, (const uint8_t *)pem, strlen(pem)), 1);
    otter_cert_t *c = one.certs[0];
    one.count = 0; /* keep it */
    otter_certset_free(&one);
    return c;
}

/* Save pem as dir/name. */
static void save(struct fixture *f, const char *name, const char *pem)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    assert_int_equal(fputs(pem, out) >= 0, 1);
    assert_int_equal(fclose(out), 0);
}

/* First line of `openssl ARGS` run in dir, without its newline. */
static void openssl(struct fixture *f, const char *args, char *out, size_t cap)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cd %s && openssl %s 2>&1", f->dir, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    out[0] = 0;
    if (fgets(out, (int)cap, p))
        out[strcspn(out, "\n")] = 0;
    pclose(p);
}

static void make_root(struct fixture *f)
{
    otter_pki_cert_spec_t s;
    assert_int_equal(otter_pki_key_generate(&f->pki, &f->root_key, OTTER_PKI_KEY_EC_P256, 0), 0);
    otter_pki_cert_spec_init(&s);
    s.subject = "CN=Test Root,O=otter tests,C=DE";
    s.key = f->root_key;
    s.ca = 1;
    s.pathlen = 1;
    s.not_before = 970348339;  /* 2000-09-30 21:12:19 */
    s.not_after = 1632960000;  /* 2021-09-30 00:00:00 */
    s.serial = 0x1234;
    size_t len = 0;
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, &len), 0);
    assert_int_equal(len, strlen(f->pem));
    f->root = parse_pem(f->pem);
    save(f, "root.pem", f->pem);
}

static void test_root(void **state)
{
    struct fixture *f = *state;
    char line[512];
    make_root(f);
    const otter_cert_t *c = f->root;
    /* as the device's TLS module reads it */
    assert_string_equal(c->info.subject, "CN=Test Root, O=otter tests, C=DE");
    assert_string_equal(c->info.issuer, "CN=Test Root, O=otter tests, C=DE");
    assert_int_equal(c->info.not_before, 970348339);
    assert_int_equal(c->info.not_after, 1632960000);
    assert_int_equal(c->info.is_ca, 1);
    assert_int_equal(c->info.path_len, 1);
    assert_int_equal(c->info.self_signed, 1);
    /* as otter's DER reader reads it */
    assert_int_equal(c->x.version, 3);
    assert_int_equal(c->x.subject.len, c->x.issuer.len);
    assert_memory_equal(c->x.subject.p, c->x.issuer.p, c->x.subject.len);
    assert_int_equal(c->x.pathlen, 1);
    assert_int_equal(c->x.key_usage, OTTER_KU_KEY_CERT_SIGN | OTTER_KU_CRL_SIGN | OTTER_KU_DIGITAL_SIGNATURE);
    assert_int_equal(c->x.serial.len, 2);
    assert_memory_equal(c->x.serial.p, "\x12\x34", 2);
    assert_int_equal(c->x.sig_scheme, OTTER_HSIG_ECDSA);
    assert_int_equal(c->x.sig_hash, OTTER_HASH_SHA256);
    assert_true(otter_cert_self_signed(c));
    /* as OpenSSL reads it */
    openssl(f, "x509 -in root.pem -noout -subject -nameopt RFC2253", line, sizeof line);
    assert_string_equal(line, "subject=C=DE,O=otter tests,CN=Test Root");
    openssl(f, "x509 -in root.pem -noout -startdate", line, sizeof line);
    assert_string_equal(line, "notBefore=Sep 30 21:12:19 2000 GMT");
    openssl(f, "x509 -in root.pem -noout -enddate", line, sizeof line);
    assert_string_equal(line, "notAfter=Sep 30 00:00:00 2021 GMT");
    openssl(f, "x509 -in root.pem -noout -serial", line, sizeof line);
    assert_string_equal(line, "serial=1234");
    openssl(f, "x509 -in root.pem -noout -ext basicConstraints | tail -1 | tr -d ' '", line, sizeof line);
    assert_string_equal(line, "CA:TRUE,pathlen:1");
    openssl(f, "x509 -in root.pem -noout -ext keyUsage | tail -1 | sed 's/^ *//'", line, sizeof line);
    assert_string_equal(line, "Digital Signature, Certificate Sign, CRL Sign");
    /* self-signature verifies; only its dates are off today */
    openssl(f, "verify -attime 1500000000 -CAfile root.pem root.pem", line, sizeof line);
    assert_string_equal(line, "root.pem: OK");
    openssl(f, "verify -CAfile root.pem root.pem 2>&1 | grep -c 'certificate has expired'", line, sizeof line);
    assert_string_equal(line, "1");
}

static void test_leaf_and_cross(void **state)
{
    struct fixture *f = *state;
    char line[512], alt[256];
    make_root(f);
    otter_pki_cert_spec_t s;
    assert_int_equal(otter_pki_key_generate(&f->pki, &f->leaf_key, OTTER_PKI_KEY_EC_P384, 0), 0);
    otter_pki_cert_spec_init(&s);
    s.subject = "CN=localhost";
    s.key = f->leaf_key;
    s.issuer_cert = f->root;
    s.issuer_key = f->root_key;
    s.not_before = 1000000000;
    s.not_after = 1600000000;
    s.san = "DNS:localhost,IP:127.0.0.1,IP:::1,IP:192.168.1.10";
    s.eku = "serverAuth";
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), 0);
    f->leaf = parse_pem(f->pem);
    save(f, "leaf.pem", f->pem);
    const otter_cert_t *c = f->leaf;
    assert_int_equal(c->x.is_ca, 0);
    assert_int_equal(c->x.has_basic_constraints, 1);
    assert_int_equal(c->x.key_usage, OTTER_KU_DIGITAL_SIGNATURE);
    assert_int_equal(c->info.key_bits, 384);
    /* SAN: one dNSName then three iPAddress entries, in order */
    otter_der_t it = c->x.san, v;
    int type;
    assert_int_equal(otter_crt_san_next(&it, &type, &v), 1);
    assert_int_equal(type, 2);
    assert_true(otter_der_eq(&v, "localhost", 9));
    assert_int_equal(otter_crt_san_next(&it, &type, &v), 1);
    assert_int_equal(type, 7);
    assert_true(otter_der_eq(&v, "\x7f\x00\x00\x01", 4));
    assert_int_equal(otter_crt_san_next(&it, &type, &v), 1);
    assert_int_equal(v.len, 16);
    assert_int_equal(v.p[15], 1);
    assert_int_equal(otter_crt_san_next(&it, &type, &v), 1);
    assert_true(otter_der_eq(&v, "\xc0\xa8\x01\x0a", 4));
    assert_int_equal(otter_crt_san_next(&it, &type, &v), 0);
    otter_crt_altnames(&c->x, alt, sizeof alt);
    assert_string_equal(alt, "DNS:localhost, IP:127.0.0.1, IP:::1, IP:192.168.1.10");
    openssl(f, "x509 -in leaf.pem -noout -ext subjectAltName | tail -1 | sed 's/^ *//'", line, sizeof line);
    assert_string_equal(line, "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:192.168.1.10");
    openssl(f, "x509 -in leaf.pem -noout -ext extendedKeyUsage | tail -1 | sed 's/^ *//'", line, sizeof line);
    assert_string_equal(line, "TLS Web Server Authentication");
    /* issuer name = the root's subject, byte for byte; signature by the root */
    assert_int_equal(c->x.issuer.len, f->root->x.subject.len);
    assert_memory_equal(c->x.issuer.p, f->root->x.subject.p, c->x.issuer.len);
    assert_true(otter_cert_signed_by(c, f->root));
    assert_false(otter_cert_signed_by(f->root, c));
    openssl(f, "verify -attime 1500000000 -CAfile root.pem -purpose sslserver leaf.pem", line, sizeof line);
    assert_string_equal(line, "leaf.pem: OK");
    openssl(f, "x509 -in leaf.pem -noout -checkip 192.168.1.10", line, sizeof line);
    assert_string_equal(line, "IP 192.168.1.10 does match certificate");

    /* cross-sign: the root's subject and key, issued by another key/cert */
    assert_int_equal(otter_pki_key_generate(&f->pki, &f->other_key, OTTER_PKI_KEY_RSA, 2048), 0);
    otter_pki_cert_spec_init(&s);
    s.subject = "CN=Other Root";
    s.key = f->other_key;
    s.ca = 1;
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), 0);
    otter_cert_t *other = parse_pem(f->pem);
    save(f, "other.pem", f->pem);
    assert_int_equal(other->x.sig_scheme, OTTER_HSIG_RSA_PKCS1);
    otter_pki_cert_spec_init(&s);
    s.subject_from = f->root;
    s.key = f->root_key;
    s.issuer_cert = other;
    s.issuer_key = f->other_key;
    s.ca = 1;
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), 0);
    otter_cert_t *cross = parse_pem(f->pem);
    save(f, "cross.pem", f->pem);
    assert_true(otter_cert_same_entity(cross, f->root));
    assert_int_equal(cross->x.issuer.len, other->x.subject.len);
    assert_memory_equal(cross->x.issuer.p, other->x.subject.p, cross->x.issuer.len);
    assert_true(otter_cert_signed_by(cross, other));
    assert_false(otter_cert_signed_by(cross, f->root));
    openssl(f, "verify -CAfile other.pem cross.pem", line, sizeof line);
    assert_string_equal(line, "cross.pem: OK");
    otter_cert_free(cross);
    otter_cert_free(other);
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
    assert_int_equal(otter_pki_key_generate(&f->pki, &f->leaf_key, OTTER_PKI_KEY_EC_P256, 0), 0);
    s.key = f->leaf_key;
    /* issuer cert without its key, and with a key that is not its own */
    s.issuer_cert = f->root;
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), OTTER_ERR_INVAL);
    s.issuer_key = f->leaf_key;
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), OTTER_ERR_INVAL);
    assert_non_null(strstr(f->pki.why, "does not belong"));
    s.issuer_cert = NULL;
    s.issuer_key = NULL;
    /* bad SAN entries */
    static const char *const bad_san[] = {"FOO:x", "IP:300.1.1.1", "DNS:", "DNS:a,,DNS:b", "IP:1::2::3", "IP:[::1]"};
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
    /* bad subjects; buffer too small */
    static const char *const bad_dn[] = {"nonsense", "CN=", "XX=a", "CN=a,", ""};
    for (size_t i = 0; i < sizeof bad_dn / sizeof bad_dn[0]; i++) {
        s.subject = bad_dn[i];
        assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), OTTER_ERR_INVAL);
    }
    s.subject = "CN=x";
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, 100, NULL), OTTER_ERR_BUF_TOO_SMALL);
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), 0);
    /* a public key cannot sign */
    char pub[1024];
    otter_hkey_t *pk = NULL;
    assert_int_equal(otter_hkey_write_pem(f->leaf_key, 0, pub, sizeof pub), 0);
    assert_int_equal(otter_hkey_parse(&pk, (const uint8_t *)pub, strlen(pub)), 0);
    s.key = pk;
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem, sizeof f->pem, NULL), OTTER_ERR_INVAL);
    otter_hkey_free(pk);
    /* keys: bad RSA size, unknown type, missing file */
    otter_hkey_t *k = NULL;
    assert_int_equal(otter_pki_key_generate(&f->pki, &k, OTTER_PKI_KEY_RSA, 512), OTTER_ERR_INVAL);
    assert_int_equal(otter_pki_key_generate(&f->pki, &k, (otter_pki_keytype_t)99, 0), OTTER_ERR_INVAL);
    assert_int_equal(otter_pki_key_load(&f->pki, &k, "/nonexistent/otter.key"), OTTER_ERR_IO);
    assert_null(k);
    otter_cert_t *crt = NULL;
    assert_int_equal(otter_pki_cert_load(&f->pki, &crt, "/nonexistent/otter.pem"), OTTER_ERR_IO);
    assert_null(crt);
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
