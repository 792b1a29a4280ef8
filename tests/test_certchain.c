/* host/certchain: loading sets (bad input included), paths to a root through
 * chain and store, cross-signs, successors of expired and expiring roots,
 * the pin advice, and the output formats byte for byte. Certificates are
 * made in-process with host/pki.h at fixed dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "certchain.h"
#include "otter/error.h"
#include "pki.h"

#define Y2020 1577836800LL /* 2020-01-01 */
#define Y2024 1704067200LL
#define Y2026 1780272000LL /* 2026-06-01, "now" in these tests */
#define Y2027 1798761600LL
#define Y2030 1893456000LL
#define Y2040 2208988800LL
#define NOW Y2026

enum { ROOT, INT, LEAF, A, B, BX, CINT, CLEAF, R1, R2, R3, R2X, N_CERTS };

struct fixture {
    otter_pki_t pki;
    otter_hkey_t *key[N_CERTS];
    otter_certset_t one[N_CERTS]; /* each certificate alone */
    char pem[N_CERTS][4096];
};

/* Make certificate i: subject (or subject_from), own key k (a fresh one when
 * k == i, else key k reused), issued by certificate iss (-1: self-signed). */
static void make(struct fixture *f, int i, const char *subject, int k, int iss, int64_t nb, int64_t na,
                 int ca)
{
    if (k == i)
        assert_int_equal(otter_pki_key_generate(&f->pki, &f->key[i], OTTER_PKI_KEY_EC_P256, 0), 0);
    otter_pki_cert_spec_t s;
    otter_pki_cert_spec_init(&s);
    s.subject = subject;
    if (!subject)
        s.subject_from = otter_certset_get(&f->one[k], 0);
    s.key = f->key[k];
    if (iss >= 0) {
        s.issuer_cert = otter_certset_get(&f->one[iss], 0);
        s.issuer_key = f->key[iss];
    }
    s.not_before = nb;
    s.not_after = na;
    s.ca = ca;
    if (!ca)
        s.san = "DNS:localhost";
    assert_int_equal(otter_pki_cert_make(&f->pki, &s, f->pem[i], sizeof f->pem[i], NULL), 0);
    assert_int_equal(otter_certset_add(&f->one[i], (const uint8_t *)f->pem[i], strlen(f->pem[i])), 1);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    otter_pki_init(&f->pki);
    for (int i = 0; i < N_CERTS; i++) {
        otter_certset_init(&f->one[i]);
    }
    make(f, ROOT, "CN=Test Root,O=Test Org", ROOT, -1, Y2020, Y2040, 1);
    make(f, INT, "CN=Test Int,O=Test Org", INT, ROOT, Y2024, Y2030, 1);
    make(f, LEAF, "CN=localhost", LEAF, INT, Y2024, Y2027, 0);
    /* B cross-signed by the expired A. */
    make(f, A, "CN=Root A", A, -1, Y2020 - 315360000, Y2024 - 86400 * 365, 1);
    make(f, B, "CN=Root B", B, -1, Y2020, Y2040, 1);
    make(f, BX, NULL, B, A, Y2020, Y2030, 1);
    make(f, CINT, "CN=Cross Int", CINT, B, Y2024, Y2030, 1);
    make(f, CLEAF, "CN=localhost", CLEAF, CINT, Y2024, Y2027, 0);
    /* R1 expires within two years of NOW; R2 (same O=) and R3 (other O=) later. */
    make(f, R1, "CN=Root One,O=Acme", R1, -1, Y2020, NOW + 400 * 86400LL, 1);
    make(f, R2, "CN=Root Two,O=Acme", R2, -1, Y2024, Y2040, 1);
    make(f, R3, "CN=Root Three,O=Other", R3, -1, Y2024, Y2040 + 86400, 1);
    make(f, R2X, NULL, R3, R1, Y2024, NOW + 300 * 86400LL, 1); /* R3's key signed by R1 */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < N_CERTS; i++) {
        otter_hkey_free(f->key[i]);
        otter_certset_free(&f->one[i]);
    }
    otter_pki_free(&f->pki);
    free(f);
    return 0;
}

static const otter_cert_t *C(struct fixture *f, int i)
{
    return otter_certset_get(&f->one[i], 0);
}

/* A set holding copies of the listed certificates (-1 ends the list). */
static void set_of(struct fixture *f, otter_certset_t *s, ...)
{
    va_list ap;
    va_start(ap, s);
    otter_certset_init(s);
    for (int i = va_arg(ap, int); i >= 0; i = va_arg(ap, int))
        assert_int_equal(otter_certset_add_der(s, C(f, i)->der, C(f, i)->der_len), 0);
    va_end(ap);
}

static void test_load_bad_input(void **state)
{
    struct fixture *f = *state;
    otter_certset_t s;
    otter_certset_init(&s);
    assert_int_equal(otter_certset_add(&s, (const uint8_t *)"", 0), OTTER_ERR_CERT_NONE);
    assert_int_equal(otter_certset_add(&s, (const uint8_t *)"hello", 5), OTTER_ERR_CERT_NONE);
    assert_int_equal(s.count, 0);
    /* A good block, then one with a damaged body, then another good one. */
    char text[16384];
    char bad[4096];
    snprintf(bad, sizeof bad, "%s", f->pem[INT]);
    bad[100] = bad[100] == 'A' ? 'B' : 'A';
    bad[101] = '!';
    snprintf(text, sizeof text, "junk before\n%s%sbetween\n%s", f->pem[ROOT], bad, f->pem[LEAF]);
    assert_int_equal(otter_certset_add(&s, (const uint8_t *)text, strlen(text)), 2);
    assert_int_equal(s.count, 2);
    assert_int_equal(s.unparsed, 2); /* "hello" (tried as DER) and the damaged block */
    assert_true(otter_cert_equal(otter_certset_get(&s, 0), C(f, ROOT)));
    assert_true(otter_cert_equal(otter_certset_get(&s, 1), C(f, LEAF)));
    assert_null(otter_certset_get(&s, 2));
    assert_int_equal(otter_certset_index(&s, otter_certset_get(&s, 1)), 1);
    assert_int_equal(otter_certset_index(&s, C(f, LEAF)), -1);
    /* DER, and DER cut short. */
    assert_int_equal(otter_certset_add(&s, C(f, INT)->der, C(f, INT)->der_len), 1);
    assert_int_equal(otter_certset_add(&s, C(f, INT)->der, C(f, INT)->der_len - 1), OTTER_ERR_CERT_NONE);
    assert_int_equal(s.count, 3);
    assert_int_equal(otter_certset_load(&s, "/nonexistent/file.pem"), OTTER_ERR_FILE);
    otter_certset_free(&s);
    assert_int_equal(s.count, 0);
}

static void test_relations(void **state)
{
    struct fixture *f = *state;
    assert_true(otter_cert_self_signed(C(f, ROOT)));
    assert_false(otter_cert_self_signed(C(f, INT)));
    assert_true(otter_cert_signed_by(C(f, INT), C(f, ROOT)));
    assert_false(otter_cert_signed_by(C(f, LEAF), C(f, ROOT)));
    assert_false(otter_cert_signed_by(C(f, INT), C(f, B)));
    assert_true(otter_cert_same_entity(C(f, B), C(f, BX)));
    assert_false(otter_cert_equal(C(f, B), C(f, BX)));
    assert_false(otter_cert_same_entity(C(f, R2), C(f, R3)));
    assert_int_equal(otter_cert_not_before(C(f, INT)), Y2024);
    assert_int_equal(otter_cert_not_after(C(f, INT)), Y2030);
    assert_true(otter_cert_valid_at(C(f, INT), Y2030));
    assert_false(otter_cert_valid_at(C(f, INT), Y2030 + 1));
    assert_false(otter_cert_valid_at(C(f, INT), Y2024 - 1));
    char org[32];
    otter_cert_org(C(f, R1), org, sizeof org);
    assert_string_equal(org, "Acme");
    otter_cert_org(C(f, A), org, sizeof org);
    assert_string_equal(org, "");
    otter_cert_org(C(f, ROOT), org, 5);
    assert_string_equal(org, "Test");
}

static void test_path_through_store(void **state)
{
    struct fixture *f = *state;
    otter_certset_t chain, store, empty;
    otter_certpath_t p;
    set_of(f, &chain, LEAF, INT, -1);
    set_of(f, &store, B, ROOT, -1);
    otter_certset_init(&empty);
    assert_int_equal(otter_certpath_build(&p, &chain, &store, NOW), 0);
    assert_int_equal(p.len, 3);
    assert_true(p.complete);
    assert_int_equal(p.origin[0], OTTER_CERTPATH_CHAIN);
    assert_int_equal(p.origin[1], OTTER_CERTPATH_CHAIN);
    assert_int_equal(p.origin[2], OTTER_CERTPATH_STORE);
    assert_ptr_equal(otter_certpath_root(&p), otter_certset_get(&store, 1));
    assert_int_equal(p.cross_at, -1);
    assert_int_equal(p.unused_chain, 0);
    /* Without a store the path stops at the intermediate. */
    assert_int_equal(otter_certpath_build(&p, &chain, NULL, NOW), 0);
    assert_int_equal(p.len, 2);
    assert_false(p.complete);
    assert_null(otter_certpath_root(&p));
    otter_certadvice_t a;
    otter_certadvice_make(&a, &p, &chain, NULL, NOW);
    assert_null(a.root);
    assert_ptr_equal(a.top, otter_certset_get(&chain, 1));
    assert_int_equal(a.pin_count, 0);
    assert_int_equal(otter_certpath_build(&p, &empty, &store, NOW), OTTER_ERR_CERT_NONE);
    otter_certset_free(&chain);
    otter_certset_free(&store);
}

static void test_cross_signed(void **state)
{
    struct fixture *f = *state;
    otter_certset_t chain, store_b, store_a, store_ab;
    otter_certpath_t p;
    otter_certadvice_t a;
    set_of(f, &chain, CLEAF, CINT, BX, -1);
    set_of(f, &store_b, B, -1);
    set_of(f, &store_a, A, -1);
    set_of(f, &store_ab, A, B, -1);
    /* The store holds B itself: the path ends there, past the cross-sign. */
    otter_certpath_build(&p, &chain, &store_b, NOW);
    assert_int_equal(p.len, 3);
    assert_true(p.complete);
    assert_int_equal(p.cross_at, 2);
    assert_int_equal(p.unused_chain, 1);
    otter_certadvice_make(&a, &p, &chain, &store_b, NOW);
    assert_true(a.root_valid && a.root_from_store && !a.root_expiring);
    assert_int_equal(a.pin_count, 1);
    assert_ptr_equal(a.pin[0], otter_certset_get(&store_b, 0));
    /* Only the expired A: the path goes through B's cross-signed copy to A,
     * and that copy is the successor to pin. */
    otter_certpath_build(&p, &chain, &store_a, NOW);
    assert_int_equal(p.len, 4);
    assert_true(p.complete);
    assert_int_equal(p.origin[2], OTTER_CERTPATH_CHAIN);
    assert_int_equal(p.origin[3], OTTER_CERTPATH_STORE);
    otter_certadvice_make(&a, &p, &chain, &store_a, NOW);
    assert_false(a.root_valid);
    assert_ptr_equal(a.successor, otter_certset_get(&chain, 2));
    assert_int_equal(a.successor_why, OTTER_SUCCESSOR_CROSS_SIGNED);
    assert_false(a.successor_from_store);
    assert_int_equal(a.pin_count, 1);
    assert_ptr_equal(a.pin[0], otter_certset_get(&chain, 2));
    /* Both: the valid self-signed B wins over the cross-sign to A. */
    otter_certpath_build(&p, &chain, &store_ab, NOW);
    assert_int_equal(p.len, 3);
    assert_ptr_equal(otter_certpath_root(&p), otter_certset_get(&store_ab, 1));
    otter_certset_free(&chain);
    otter_certset_free(&store_b);
    otter_certset_free(&store_a);
    otter_certset_free(&store_ab);
}

static void test_successors(void **state)
{
    struct fixture *f = *state;
    otter_certset_t s1, s12, s123, s123x;
    otter_successor_reason_t why;
    set_of(f, &s1, R1, -1);
    set_of(f, &s12, R1, R2, -1);
    set_of(f, &s123, R1, R2, R3, -1);
    set_of(f, &s123x, R1, R2, R3, R2X, -1);
    assert_null(otter_cert_find_successor(C(f, R1), &s1, NULL, NOW, &why));
    assert_int_equal(why, OTTER_SUCCESSOR_NONE);
    assert_null(otter_cert_find_successor(C(f, R1), NULL, NULL, NOW, &why));
    assert_ptr_equal(otter_cert_find_successor(C(f, R1), &s12, NULL, NOW, &why), otter_certset_get(&s12, 1));
    assert_int_equal(why, OTTER_SUCCESSOR_SAME_OWNER);
    /* R3 is of another organisation: not a successor by name... */
    assert_ptr_equal(otter_cert_find_successor(C(f, R1), &s123, NULL, NOW, &why), otter_certset_get(&s123, 1));
    assert_int_equal(why, OTTER_SUCCESSOR_SAME_OWNER);
    /* ...but R1 cross-signed it, which beats a shared name. */
    assert_ptr_equal(otter_cert_find_successor(C(f, R1), &s123x, NULL, NOW, &why), otter_certset_get(&s123x, 2));
    assert_int_equal(why, OTTER_SUCCESSOR_CROSS_SIGNED);
    /* The advice for a chain ending at the expiring R1: pin R1 and R2. */
    otter_certset_t chain;
    otter_certpath_t p;
    otter_certadvice_t a;
    set_of(f, &chain, R1, -1);
    otter_certpath_build(&p, &chain, &s12, NOW);
    assert_int_equal(p.len, 1);
    assert_true(p.complete);
    otter_certadvice_make(&a, &p, &chain, &s12, NOW);
    assert_true(a.root_valid && a.root_expiring);
    assert_int_equal(a.pin_count, 2);
    assert_ptr_equal(a.pin[0], otter_certset_get(&chain, 0));
    assert_ptr_equal(a.pin[1], otter_certset_get(&s12, 1));
    /* Two years and a day before R1 expires: no warning. */
    otter_certadvice_make(&a, &p, &chain, &s12, otter_cert_not_after(C(f, R1)) - OTTER_CERT_ROOT_WARN_SECONDS - 1);
    assert_false(a.root_expiring);
    assert_int_equal(a.pin_count, 1);
    otter_certset_free(&chain);
    otter_certset_free(&s1);
    otter_certset_free(&s12);
    otter_certset_free(&s123);
    otter_certset_free(&s123x);
}

/* Run otter_cert_write into a string. */
static char *write_str(otter_certfmt_t fmt, const otter_cert_t *const *v, size_t n, const char *var,
                       size_t *len)
{
    char *buf = NULL;
    FILE *m = open_memstream(&buf, len);
    assert_non_null(m);
    assert_int_equal(otter_cert_write(m, fmt, v, n, var), 0);
    fclose(m);
    return buf;
}

static void test_formats(void **state)
{
    struct fixture *f = *state;
    otter_certfmt_t fmt;
    assert_int_equal(otter_certfmt_parse("c", &fmt), 0);
    assert_int_equal(fmt, OTTER_CERTFMT_C);
    assert_int_equal(otter_certfmt_parse("pin", &fmt), 0);
    assert_int_equal(fmt, OTTER_CERTFMT_PIN);
    assert_int_equal(otter_certfmt_parse("PEM", &fmt), OTTER_ERR_USAGE);
    assert_int_equal(otter_cert_write(NULL, OTTER_CERTFMT_PEM, NULL, 0, NULL), OTTER_ERR_INVAL);
    const otter_cert_t *v[2] = {C(f, ROOT), C(f, INT)};
    size_t len;
    /* PEM is what the PKI maker (mbedTLS's PEM writer) wrote. */
    char *pem = write_str(OTTER_CERTFMT_PEM, v, 2, NULL, &len);
    char want[8300];
    snprintf(want, sizeof want, "%s%s", f->pem[ROOT], f->pem[INT]);
    assert_string_equal(pem, want);
    free(pem);
    char *der = write_str(OTTER_CERTFMT_DER, v, 1, NULL, &len);
    assert_int_equal(len, C(f, ROOT)->der_len);
    assert_memory_equal(der, C(f, ROOT)->der, len);
    free(der);
    uint8_t spki[32];
    assert_int_equal(otter_cert_spki_sha256(C(f, ROOT), spki), 0);
    char hex[66];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", spki[i]);
    hex[64] = '\n';
    hex[65] = '\0';
    char *pin = write_str(OTTER_CERTFMT_PIN, v, 1, NULL, &len);
    assert_string_equal(pin, hex);
    free(pin);
    /* C: the PEM lines as "...\n" \ continuation lines under the
     * declaration; the last END line has no "\n" and ends the statement. */
    char *c = write_str(OTTER_CERTFMT_C, v, 2, "ca_pem", &len);
    const char *head = "static const char *ca_pem = \"-----BEGIN CERTIFICATE-----\\n\" \\\n"
                       "                            \"";
    assert_memory_equal(c, head, strlen(head));
    const char *mid = "\"-----END CERTIFICATE-----\\n\" \\\n                            \"-----BEGIN CERTIFICATE-----\\n\" \\\n";
    assert_non_null(strstr(c, mid));
    const char *tail = "\"-----END CERTIFICATE-----\";\n";
    assert_string_equal(c + len - strlen(tail), tail);
    /* Undo the quoting: the literal's text is the PEM without its last newline. */
    char text[8192];
    size_t n = 0;
    for (const char *q = strchr(c, '"'); q; q = strchr(q, '"')) {
        const char *e = strchr(q + 1, '"');
        for (const char *k = q + 1; k < e; k++) {
            if (k[0] == '\\' && k[1] == 'n') {
                text[n++] = '\n';
                k++;
            } else {
                text[n++] = *k;
            }
        }
        q = e + 1;
    }
    text[n] = '\0';
    want[strlen(want) - 1] = '\0';
    assert_string_equal(text, want);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_bad_input), cmocka_unit_test(test_relations),
        cmocka_unit_test(test_path_through_store), cmocka_unit_test(test_cross_signed),
        cmocka_unit_test(test_successors), cmocka_unit_test(test_formats),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
