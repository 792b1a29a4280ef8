/* URL parser and reference resolution. Resolution cases are RFC 3986
 * section 5.4 (normal and abnormal examples, base http://a/b/c/d;p?q), with
 * fragments dropped as an HTTP client sends none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "otter/error.h"
#include "otter/url.h"

static void expect_part(const char *url, size_t off, size_t len, const char *want)
{
    assert_int_equal(len, strlen(want));
    assert_memory_equal(url + off, want, len);
}

static void test_parse_good(void **state)
{
    (void)state;
    otter_url_t u;
    const char *s = "http://example.com";
    assert_int_equal(otter_url_parse(s, strlen(s), &u), 0);
    assert_int_equal(u.scheme, OTTER_URL_HTTP);
    assert_int_equal(u.port, 80);
    assert_int_equal(u.port_given, 0);
    expect_part(s, u.host_off, u.host_len, "example.com");
    assert_int_equal(u.target_len, 0);
    assert_int_equal(u.userinfo_len, 0);

    s = "HTTPS://Example.COM:8443/a/b?c=d#frag";
    assert_int_equal(otter_url_parse(s, strlen(s), &u), 0);
    assert_int_equal(u.scheme, OTTER_URL_HTTPS);
    assert_int_equal(u.port, 8443);
    assert_int_equal(u.port_given, 1);
    expect_part(s, u.host_off, u.host_len, "Example.COM");
    expect_part(s, u.target_off, u.target_len, "/a/b?c=d");

    s = "https://[2001:db8::1]:8080/x";
    assert_int_equal(otter_url_parse(s, strlen(s), &u), 0);
    assert_int_equal(u.host_is_ipv6, 1);
    assert_int_equal(u.port, 8080);
    expect_part(s, u.host_off, u.host_len, "2001:db8::1");
    expect_part(s, u.target_off, u.target_len, "/x");

    s = "https://[::1]";
    assert_int_equal(otter_url_parse(s, strlen(s), &u), 0);
    assert_int_equal(u.port, 443);
    expect_part(s, u.host_off, u.host_len, "::1");

    s = "http://user:p%40ss@h.example/f@x";
    assert_int_equal(otter_url_parse(s, strlen(s), &u), 0);
    expect_part(s, u.userinfo_off, u.userinfo_len, "user:p%40ss");
    expect_part(s, u.host_off, u.host_len, "h.example");
    expect_part(s, u.target_off, u.target_len, "/f@x");

    s = "http://h:/";
    assert_int_equal(otter_url_parse(s, strlen(s), &u), 0);
    assert_int_equal(u.port, 80);
    assert_int_equal(u.port_given, 0);

    s = "http://h?x=1";
    assert_int_equal(otter_url_parse(s, strlen(s), &u), 0);
    expect_part(s, u.target_off, u.target_len, "?x=1");

    s = "http://192.168.0.1:65535";
    assert_int_equal(otter_url_parse(s, strlen(s), &u), 0);
    assert_int_equal(u.port, 65535);
    expect_part(s, u.host_off, u.host_len, "192.168.0.1");

    /* len bounds the parse: no NUL needed */
    s = "http://h/abcXXXX";
    assert_int_equal(otter_url_parse(s, 12, &u), 0);
    expect_part(s, u.target_off, u.target_len, "/abc");
}

static void test_parse_bad(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "ftp://h/",
        "http:/h/",
        "http//h/",
        "http://",
        "http:///x",
        "http://h:0/",
        "http://h:65536/",
        "http://h:123456/",
        "http://h:12a/",
        "http://h:-1/",
        "http://[::1/",
        "http://[zz::1]/",
        "http://[]/",
        "http://[1]/",
        "http://[::1]x/",
        "http://h h/",
        "http://h/a b",
        "http://h/\r\nX-Injected: 1",
        "http://h/\x7f",
        "http://h/\xc3\xa9",
        "http://ho%41st/",
        "http://a@/",
        "http://a@:80/",
        "mailto:x@y",
        "//h/x",
        "/x",
    };
    otter_url_t u;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int ret = otter_url_parse(bad[i], strlen(bad[i]), &u);
        if (ret != OTTER_ERR_URL)
            fail_msg("accepted bad URL #%zu '%s' (%d)", i, bad[i], ret);
    }
    assert_int_equal(otter_url_parse(NULL, 3, &u), OTTER_ERR_URL);
    assert_int_equal(otter_url_parse("http://h", 8, NULL), OTTER_ERR_URL);
}

static const struct {
    const char *ref;
    const char *want;
} rfc_cases[] = {
    /* RFC 3986 5.4.1 */
    {"g", "http://a/b/c/g"},
    {"./g", "http://a/b/c/g"},
    {"g/", "http://a/b/c/g/"},
    {"/g", "http://a/g"},
    {"//g", "http://g"},
    {"?y", "http://a/b/c/d;p?y"},
    {"g?y", "http://a/b/c/g?y"},
    {"#s", "http://a/b/c/d;p?q"},
    {"g#s", "http://a/b/c/g"},
    {"g?y#s", "http://a/b/c/g?y"},
    {";x", "http://a/b/c/;x"},
    {"g;x", "http://a/b/c/g;x"},
    {"g;x?y#s", "http://a/b/c/g;x?y"},
    {"", "http://a/b/c/d;p?q"},
    {".", "http://a/b/c/"},
    {"./", "http://a/b/c/"},
    {"..", "http://a/b/"},
    {"../", "http://a/b/"},
    {"../g", "http://a/b/g"},
    {"../..", "http://a/"},
    {"../../", "http://a/"},
    {"../../g", "http://a/g"},
    /* RFC 3986 5.4.2 */
    {"../../../g", "http://a/g"},
    {"../../../../g", "http://a/g"},
    {"/./g", "http://a/g"},
    {"/../g", "http://a/g"},
    {"g.", "http://a/b/c/g."},
    {".g", "http://a/b/c/.g"},
    {"g..", "http://a/b/c/g.."},
    {"..g", "http://a/b/c/..g"},
    {"./../g", "http://a/b/g"},
    {"./g/.", "http://a/b/c/g/"},
    {"g/./h", "http://a/b/c/g/h"},
    {"g/../h", "http://a/b/c/h"},
    {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
    {"g;x=1/../y", "http://a/b/c/y"},
    {"g?y/./x", "http://a/b/c/g?y/./x"},
    {"g?y/../x", "http://a/b/c/g?y/../x"},
    {"g#s/./x", "http://a/b/c/g"},
    {"g#s/../x", "http://a/b/c/g"},
    /* absolute references, as redirects use them */
    {"https://cdn.example/x/../y?sig=1", "https://cdn.example/y?sig=1"},
    {"HTTP://Other:81", "HTTP://Other:81"},
};

static void test_resolve_rfc3986(void **state)
{
    (void)state;
    const char *base = "http://a/b/c/d;p?q";
    char out[128];
    for (size_t i = 0; i < sizeof rfc_cases / sizeof rfc_cases[0]; i++) {
        memset(out, 'Z', sizeof out);
        int n = otter_url_resolve(out, sizeof out, base, rfc_cases[i].ref, strlen(rfc_cases[i].ref));
        if (n < 0 || strcmp(out, rfc_cases[i].want) != 0 || (size_t)n != strlen(rfc_cases[i].want))
            fail_msg("'%s' -> '%s' (%d), want '%s'", rfc_cases[i].ref, n < 0 ? "" : out, n, rfc_cases[i].want);
    }
}

static void test_resolve_in_place(void **state)
{
    (void)state;
    /* The HTTP client's layout: URL, NUL, Location, in one array. */
    char buf[64];
    const char *base = "https://h.example/dl/v1/fw.bin";
    const char *ref = "../v2/fw.bin?x";
    size_t bl = strlen(base);
    memcpy(buf, base, bl + 1);
    memcpy(buf + bl + 1, ref, strlen(ref));
    int n = otter_url_resolve(buf, sizeof buf, buf, buf + bl + 1, strlen(ref));
    assert_int_equal(n, (int)strlen("https://h.example/dl/v2/fw.bin?x"));
    assert_string_equal(buf, "https://h.example/dl/v2/fw.bin?x");

    /* base without a path: a relative reference gets a leading '/' */
    memcpy(buf, "http://h", 9);
    memcpy(buf + 9, "fw.bin", 6);
    n = otter_url_resolve(buf, sizeof buf, buf, buf + 9, 6);
    assert_string_equal(buf, "http://h/fw.bin");
    assert_int_equal(n, 15);

    /* absolute reference replacing the whole URL in place */
    memcpy(buf, "http://h/a", 11);
    memcpy(buf + 11, "https://x.example/b", 19);
    n = otter_url_resolve(buf, sizeof buf, buf, buf + 11, 19);
    assert_string_equal(buf, "https://x.example/b");
}

static void test_resolve_errors(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(otter_url_resolve(out, sizeof out, "http://a/b", "ftp://x/", 8), OTTER_ERR_URL);
    assert_int_equal(otter_url_resolve(out, sizeof out, "http://a/b", "g:h", 3), OTTER_ERR_URL);
    assert_int_equal(otter_url_resolve(out, sizeof out, "not a url", "g", 1), OTTER_ERR_URL);
    assert_int_equal(otter_url_resolve(out, sizeof out, "http://a/b", "/x y", 4), OTTER_ERR_URL);
    assert_int_equal(otter_url_resolve(out, sizeof out, "http://a/b", "//", 2), OTTER_ERR_URL);
    /* exactly fitting (13 bytes + NUL) and one byte short */
    assert_int_equal(otter_url_resolve(out, 14, "http://a/b", "/cdef", 5), 13);
    assert_string_equal(out, "http://a/cdef");
    assert_int_equal(otter_url_resolve(out, 13, "http://a/b", "/cdef", 5), OTTER_ERR_BUF_TOO_SMALL);
    assert_int_equal(otter_url_resolve(NULL, 13, "http://a/b", "/c", 2), OTTER_ERR_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_resolve_rfc3986),
        cmocka_unit_test(test_resolve_in_place),
        cmocka_unit_test(test_resolve_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
