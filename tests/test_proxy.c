/* HTTP CONNECT proxy transport over the scripted transport: exact request
 * bytes (Basic credentials from RFC 7617's example), answers read without
 * consuming tunnel bytes, refusals with the status kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "otter/error.h"
#include "otter/proxy.h"
#include "script_transport.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void test_connect_with_auth(void **state)
{
    (void)state;
    otter_script_step_t steps[] = {
        SCRIPT_ACCEPT(),
        SCRIPT_STR("HTTP/1.1 200 Connection established\r\nProxy-Agent: x\r\n\r\nTUNNEL"),
    };
    otter_script_transport_t sc;
    otter_transport_t inner, t;
    otter_script_init(&sc, steps, ARRAY_LEN(steps), &inner);
    uint8_t log[512];
    sc.log = log;
    sc.log_cap = sizeof log;
    sc.max_write = 5;
    otter_proxy_t p;
    /* RFC 7617 section 2: Aladdin:open sesame -> QWxhZGRpbjpvcGVuIHNlc2FtZQ== */
    assert_int_equal(otter_proxy_init_url(&p, &inner, "http://Aladdin:open%20sesame@proxy.test:3128", &t), 0);
    assert_int_equal(t.connect(t.ctx, "objects.example.test", 443, 5000), 0);
    assert_string_equal(sc.last_host, "proxy.test");
    assert_int_equal(sc.last_port, 3128);
    static const char want[] = "CONNECT objects.example.test:443 HTTP/1.1\r\n"
                               "Host: objects.example.test:443\r\n"
                               "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n";
    assert_int_equal(sc.log_len, sizeof want - 1);
    assert_memory_equal(log, want, sizeof want - 1);
    assert_int_equal(p.status, 200);
    uint8_t b[16];
    assert_int_equal(t.read(t.ctx, b, sizeof b, 100), 6);
    assert_memory_equal(b, "TUNNEL", 6);
    assert_int_equal(t.write(t.ctx, (const uint8_t *)"GET", 3, 100), 3);
    t.close(t.ctx);
    assert_int_equal(sc.closes, 1);
}

static void test_ipv6_target_no_auth(void **state)
{
    (void)state;
    otter_script_step_t steps[] = {SCRIPT_ACCEPT(), SCRIPT_STR("HTTP/1.0 200 OK\n\n")};
    otter_script_transport_t sc;
    otter_transport_t inner, t;
    otter_script_init(&sc, steps, ARRAY_LEN(steps), &inner);
    uint8_t log[256];
    sc.log = log;
    sc.log_cap = sizeof log;
    otter_proxy_t p;
    assert_int_equal(otter_proxy_init_url(&p, &inner, "http://[::1]", &t), 0);
    assert_int_equal(t.connect(t.ctx, "2001:db8::2", 8443, 5000), 0);
    assert_string_equal(sc.last_host, "::1");
    assert_int_equal(sc.last_port, 1080);
    static const char want[] = "CONNECT [2001:db8::2]:8443 HTTP/1.1\r\nHost: [2001:db8::2]:8443\r\n\r\n";
    assert_int_equal(sc.log_len, sizeof want - 1);
    assert_memory_equal(log, want, sizeof want - 1);
}

static void test_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *answer;
        int want;
        uint16_t status;
    } cases[] = {
        {"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n", OTTER_ERR_PROXY, 407},
        {"HTTP/1.1 403 Forbidden\r\n\r\n", OTTER_ERR_PROXY, 403},
        {"HTTP/1.1 200 OK\r\n", OTTER_ERR_PROXY, 200}, /* closed before the empty line */
        {"SSH-2.0-x\r\n", OTTER_ERR_PROXY, 0},
        {"HTTP/1.1 2x0 OK\r\n\r\n", OTTER_ERR_PROXY, 0},
        {"HTTP/1.1 200\n\n", 0, 200},
        {"HTTP/1.1 20\n\n", OTTER_ERR_PROXY, 0},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        otter_script_step_t steps[] = {SCRIPT_ACCEPT(), SCRIPT_BYTES(cases[i].answer, strlen(cases[i].answer))};
        otter_script_transport_t sc;
        otter_transport_t inner, t;
        otter_script_init(&sc, steps, ARRAY_LEN(steps), &inner);
        otter_proxy_t p;
        assert_int_equal(otter_proxy_init_url(&p, &inner, "http://proxy.test:8080/", &t), 0);
        int ret = t.connect(t.ctx, "h.test", 443, 5000);
        if (ret != cases[i].want || p.status != cases[i].status)
            fail_msg("case %zu: %s status %u", i, otter_errname(ret), p.status);
        if (ret != 0)
            assert_int_equal(sc.closes, 1);
    }
    /* inner errors come back unchanged */
    otter_script_step_t steps[] = {SCRIPT_REFUSE(OTTER_ERR_DNS)};
    otter_script_transport_t sc;
    otter_transport_t inner, t;
    otter_script_init(&sc, steps, ARRAY_LEN(steps), &inner);
    otter_proxy_t p;
    assert_int_equal(otter_proxy_init_url(&p, &inner, "http://proxy.test:8080", &t), 0);
    assert_int_equal(t.connect(t.ctx, "h.test", 443, 5000), OTTER_ERR_DNS);
    /* with a clock, connect's timeout bounds the whole exchange: an answer
     * dripping one byte per second runs out after 5 s */
    otter_script_step_t drip[] = {SCRIPT_ACCEPT(), SCRIPT_STR("HTTP/1.1 200 Connection established\r\n\r\n")};
    otter_fake_clock_t fc;
    otter_clock_t clk;
    otter_fake_clock_init(&fc, &clk);
    otter_script_init(&sc, drip, ARRAY_LEN(drip), &inner);
    sc.clock = &fc;
    sc.ms_per_read = 1000;
    assert_int_equal(otter_proxy_init_url(&p, &inner, "http://proxy.test:8080", &t), 0);
    otter_proxy_set_clock(&p, &clk);
    assert_int_equal(t.connect(t.ctx, "h.test", 443, 5000), OTTER_ERR_TIMEOUT);
    assert_int_equal(sc.reads, 5);
    assert_int_equal(sc.last_read_timeout, 1000);
    /* stall while waiting for the answer */
    otter_script_step_t stall[] = {SCRIPT_ACCEPT(), SCRIPT_STR("HTTP/1.1 200"), SCRIPT_READ_ERR(OTTER_ERR_TIMEOUT)};
    otter_script_init(&sc, stall, ARRAY_LEN(stall), &inner);
    assert_int_equal(otter_proxy_init_url(&p, &inner, "http://proxy.test:8080", &t), 0);
    assert_int_equal(t.connect(t.ctx, "h.test", 443, 5000), OTTER_ERR_TIMEOUT);
}

static void test_config_errors(void **state)
{
    (void)state;
    otter_transport_t inner = {0}, t;
    otter_proxy_t p;
    otter_proxy_init(&p, &inner, &t);
    assert_int_equal(t.connect(t.ctx, "h", 1, 1), OTTER_ERR_INVAL); /* not configured */
    assert_int_equal(otter_proxy_init_url(&p, &inner, "https://proxy:1", &t), OTTER_ERR_URL);
    assert_int_equal(otter_proxy_init_url(&p, &inner, "proxy:1", &t), OTTER_ERR_URL);
    assert_int_equal(otter_proxy_init_url(&p, &inner, "http://u:%4@proxy:1", &t), OTTER_ERR_URL);
    assert_int_equal(otter_proxy_init_url(&p, &inner, "http://u:%0d%0a@proxy:1", &t), OTTER_ERR_INVAL);
    assert_int_equal(otter_proxy_set(&p, "", 1, NULL), OTTER_ERR_INVAL);
    assert_int_equal(otter_proxy_set(&p, "h", 0, NULL), OTTER_ERR_INVAL);
    assert_int_equal(otter_proxy_set(&p, "h", 1, "a\r\nb"), OTTER_ERR_INVAL);
    char longname[OTTER_PROXY_HOST_MAX + 1];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(otter_proxy_set(&p, longname, 1, NULL), OTTER_ERR_INVAL);
    assert_int_equal(otter_proxy_set(&p, "h", 1, NULL), 0);
    assert_int_equal(t.connect(t.ctx, "bad host", 1, 1), OTTER_ERR_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_with_auth),
        cmocka_unit_test(test_ipv6_target_no_auth),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_config_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
