/* Server identity (RFC 9525 / 6125): otter_tls_cert_check_host against
 * certificates made by OpenSSL with every subjectAltName shape
 * (tests/vectors/tls/names/README.md), each host that must match and each
 * that must not; and how otter_tls_cert_names_der writes the names, IPv6
 * compressed as RFC 5952 says (expected text from Python's ipaddress). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otter/error.h"
#include "otter/tls.h"
#include "otter/tls_collect.h"

/* The DER of tests/vectors/tls/names/<name>.pem into der (cap bytes). */
static size_t load(const char *name, uint8_t *der, size_t cap)
{
    const char *dir = getenv("OTTER_VECTORS");
    char path[1024];
    snprintf(path, sizeof path, "%s/tls/names/%s.pem", dir ? dir : "tests/vectors", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    static uint8_t pem[8192];
    size_t n = fread(pem, 1, sizeof pem, f);
    fclose(f);
    size_t pos = 0, len = 0;
    assert_int_equal(otter_tls_pem_next(pem, n, &pos, der, cap, &len), 1);
    return len;
}

struct host_case {
    const char *cert;
    const char *host;
    int want; /* 1 matches, 0 does not */
};

static const struct host_case cases[] = {
    /* IPv4: only the iPAddress SAN, byte for byte; never as a DNS name */
    {"ipv4", "192.168.1.10", 1},
    {"ipv4", "192.168.1.10.", 1},
    {"ipv4", "192.168.1.11", 0},
    {"ipv4", "192.168.001.010", 0}, /* not a dotted quad: a DNS name, and no DNS SAN */
    {"ipv4", "lan server", 0},
    {"ipv4", "[192.168.1.10]", 1},
    {"ipv4", "::ffff:192.168.1.10", 0},
    /* IPv6, with and without brackets, any spelling of the same address */
    {"ipv6", "::1", 1},
    {"ipv6", "[::1]", 1},
    {"ipv6", "0:0:0:0:0:0:0:1", 1},
    {"ipv6", "[2001:DB8::1]", 1},
    {"ipv6", "2001:db8:0::0:1", 1},
    {"ipv6", "::2", 0},
    {"ipv6", "127.0.0.1", 0},
    {"ipv6", "localhost", 0},
    {"ipv6", "[::1", 0},
    {"ipv6", "::1::", 0},
    {"ipv6", "1:2:3:4:5:6:7:8:9", 0},
    /* DNS: case-insensitive, the CN ignored when there is a SAN */
    {"dns", "updates.example.com", 1},
    {"dns", "UPDATES.Example.COM", 1},
    {"dns", "updates.example.com.", 1},
    {"dns", "ignored.example", 0},
    {"dns", "example.com", 0},
    {"dns", "x.updates.example.com", 0},
    {"dns", "updates.example.co", 0},
    {"dns", "192.168.1.10", 0},
    /* wildcard: exactly one whole left-most label */
    {"wildcard", "ota.example.com", 1},
    {"wildcard", "OTA.EXAMPLE.COM", 1},
    {"wildcard", "example.com", 0},
    {"wildcard", "a.b.example.com", 0},  /* never across a dot */
    {"wildcard", ".example.com", 0},
    {"wildcard", "ota.example.org", 0},
    {"wildcard", "wild", 0},
    /* wildcards otter refuses: *.com (one label after), partial labels,
     * several or non-left-most stars, a lone star */
    {"badwild", "example.com", 0},
    {"badwild", "foo.example.com", 0},
    {"badwild", "f.example.com", 0},
    {"badwild", "a.b.example.com", 0},
    {"badwild", "a.x.example.com", 0},
    {"badwild", "com", 0},
    {"badwild", "bad", 0},
    /* CN only when there is no SAN at all, as a DNS name, never an IP */
    {"cnonly", "updates.example.com", 1},
    {"cnonly", "Updates.Example.Com", 1},
    {"cnonly", "other.example.com", 0},
    {"cnonly", "Otter Tests", 0},
    {"cnip", "192.168.1.10", 0},
    {"cnip", "[192.168.1.10]", 0},
    {"emailonly", "updates.example.com", 0}, /* a SAN is present: the CN is not consulted */
    /* mixed SANs: each kind matches its own kind only */
    {"mixed", "192.168.1.10", 1},
    {"mixed", "updates.example.com", 1},
    {"mixed", "[fe80::1]", 1},
    {"mixed", "a.cdn.example.net", 1},
    {"mixed", "cdn.example.net", 0},
    {"mixed", "example.com", 0},
    {"mixed", "ops@example.com", 0},
    {"mixed", "mixed", 0},
    {"mixed", "fe80::2", 0},
    {"mixed", "192.168.1.1", 0},
};

static void test_check_host_table(void **state)
{
    (void)state;
    uint8_t der[4096];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = load(cases[i].cert, der, sizeof der);
        int got = otter_tls_cert_check_host(der, n, cases[i].host);
        if (got != cases[i].want)
            fail_msg("%s.pem vs '%s': got %d, want %d", cases[i].cert, cases[i].host, got, cases[i].want);
    }
}

static void test_check_host_errors(void **state)
{
    (void)state;
    uint8_t der[4096];
    size_t n = load("dns", der, sizeof der);
    char longname[OTTER_TLS_HOST_MAX + 8];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(otter_tls_cert_check_host(der, n, ""), OTTER_ERR_INVAL);
    assert_int_equal(otter_tls_cert_check_host(der, n, "[]"), OTTER_ERR_INVAL);
    assert_int_equal(otter_tls_cert_check_host(der, n, longname), OTTER_ERR_INVAL);
    assert_int_equal(otter_tls_cert_check_host(der, n, NULL), OTTER_ERR_INVAL);
    assert_int_equal(otter_tls_cert_check_host(der, n - 1, "updates.example.com"), OTTER_ERR_TLS_CONFIG);
    assert_int_equal(otter_tls_cert_check_host((const uint8_t *)"\x30\x00", 2, "a.example"), OTTER_ERR_TLS_CONFIG);
}

struct names_case {
    const char *cert;
    const char *want;
};

static const struct names_case names[] = {
    {"ipv4", "IP:192.168.1.10"},
    {"ipv6", "IP:::1, IP:2001:db8::1"},
    {"dns", "DNS:updates.example.com"},
    {"wildcard", "DNS:*.example.com"},
    {"cnonly", ""},
    {"emailonly", ""},
    {"mixed", "IP:192.168.1.10, DNS:updates.example.com, IP:fe80::1, DNS:*.cdn.example.net"},
    {"ipv6fmt", "IP:::, IP:1::, IP:2001:db8::1:0:0:1, IP:2001:0:0:1::1, IP:fe80::abcd:0:0:0, "
                "IP:1:2:3:4:5:6:7:8, IP:0:0:1::1"},
};

static void test_names_text(void **state)
{
    (void)state;
    uint8_t der[4096];
    char out[512];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = load(names[i].cert, der, sizeof der);
        assert_int_equal(otter_tls_cert_names_der(der, n, out, sizeof out), 0);
        if (strcmp(out, names[i].want) != 0)
            fail_msg("%s.pem: got '%s', want '%s'", names[i].cert, out, names[i].want);
    }
    /* truncated with "...", always terminated */
    size_t n = load("mixed", der, sizeof der);
    assert_int_equal(otter_tls_cert_names_der(der, n, out, 20), 0);
    assert_true(strlen(out) < 20);
    assert_non_null(strstr(out, "..."));
    assert_int_equal(otter_tls_cert_names_der(der, 10, out, sizeof out), OTTER_ERR_TLS_CONFIG);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_host_table),
        cmocka_unit_test(test_check_host_errors),
        cmocka_unit_test(test_names_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
