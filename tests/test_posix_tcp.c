/* POSIX TCP transport against loopback sockets opened by the test itself
 * (kernel-chosen ports): connect, data both ways, and the distinct codes for
 * a stall (TIMEOUT), an orderly close (CLOSED), a reset (NET_IO), a refused
 * port (CONNECT) and a name that cannot resolve (DNS). Timeouts are only
 * checked by their result code, never by wall-clock duration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "otter/error.h"
#include "posix_tcp.h"

/* A listening socket on 127.0.0.1 or ::1; returns the fd, port in *port. */
static int listen_on(int v6, uint16_t *port)
{
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    memset(&a4, 0, sizeof a4);
    memset(&a6, 0, sizeof a6);
    a4.sin_family = AF_INET;
    a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a6.sin6_family = AF_INET6;
    a6.sin6_addr = in6addr_loopback;
    struct sockaddr *sa = v6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a4;
    socklen_t len = v6 ? sizeof a6 : sizeof a4;
    if (bind(fd, sa, len) != 0 || listen(fd, 4) != 0 || getsockname(fd, sa, &len) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(v6 ? a6.sin6_port : a4.sin_port);
    return fd;
}

static void test_exchange_and_close(void **state)
{
    (void)state;
    uint16_t port;
    int ls = listen_on(0, &port);
    assert_true(ls >= 0);
    otter_posix_tcp_t tcp;
    otter_transport_t t;
    otter_posix_tcp_init(&tcp, &t);
    assert_int_equal(t.connect(t.ctx, "127.0.0.1", port, 2000), 0);
    assert_int_equal(tcp.family, AF_INET);
    int peer = accept(ls, NULL, NULL);
    assert_true(peer >= 0);
    assert_int_equal(t.write(t.ctx, (const uint8_t *)"ping", 4, 1000), 4);
    char b[8];
    assert_int_equal(recv(peer, b, 4, MSG_WAITALL), 4);
    assert_memory_equal(b, "ping", 4);
    uint8_t in[16];
    /* nothing sent yet: a stall */
    assert_int_equal(t.read(t.ctx, in, sizeof in, 20), OTTER_ERR_TIMEOUT);
    assert_int_equal(send(peer, "pong!", 5, 0), 5);
    int n = t.read(t.ctx, in, sizeof in, 2000);
    assert_true(n >= 1 && n <= 5);
    close(peer);
    /* the rest of "pong!", then the orderly close */
    int total = n;
    while (total < 5) {
        n = t.read(t.ctx, in + total, sizeof in - (size_t)total, 2000);
        assert_true(n > 0);
        total += n;
    }
    assert_memory_equal(in, "pong!", 5);
    assert_int_equal(t.read(t.ctx, in, sizeof in, 2000), OTTER_ERR_CLOSED);
    t.close(t.ctx);
    t.close(t.ctx); /* twice is fine */
    assert_int_equal(tcp.fd, -1);
    assert_int_equal(t.read(t.ctx, in, sizeof in, 10), OTTER_ERR_NET_IO);
    assert_int_equal(t.write(t.ctx, in, 1, 10), OTTER_ERR_NET_IO);
    close(ls);
}

static void test_reset(void **state)
{
    (void)state;
    uint16_t port;
    int ls = listen_on(0, &port);
    assert_true(ls >= 0);
    otter_posix_tcp_t tcp;
    otter_transport_t t;
    otter_posix_tcp_init(&tcp, &t);
    assert_int_equal(t.connect(t.ctx, "localhost", port, 2000), 0);
    int peer = accept(ls, NULL, NULL);
    assert_true(peer >= 0);
    struct linger l = {1, 0};
    assert_int_equal(setsockopt(peer, SOL_SOCKET, SO_LINGER, &l, sizeof l), 0);
    close(peer); /* RST */
    uint8_t in[4];
    assert_int_equal(t.read(t.ctx, in, sizeof in, 2000), OTTER_ERR_NET_IO);
    otter_posix_tcp_free(&tcp);
    close(ls);
}

static void test_refused_and_dns(void **state)
{
    (void)state;
    uint16_t port;
    int ls = listen_on(0, &port);
    assert_true(ls >= 0);
    close(ls); /* nothing listens there now */
    otter_posix_tcp_t tcp;
    otter_transport_t t;
    otter_posix_tcp_init(&tcp, &t);
    assert_int_equal(t.connect(t.ctx, "127.0.0.1", port, 2000), OTTER_ERR_CONNECT);
    assert_int_not_equal(tcp.last_errno, 0);
    assert_int_equal(t.connect(t.ctx, "no-such-host.invalid", 80, 2000), OTTER_ERR_DNS);
    assert_int_equal(t.connect(t.ctx, "", 80, 2000), OTTER_ERR_INVAL);
    assert_int_equal(t.connect(t.ctx, "127.0.0.1", 0, 2000), OTTER_ERR_INVAL);
    assert_int_equal(tcp.fd, -1);
}

static void test_ipv6(void **state)
{
    (void)state;
    uint16_t port;
    int ls = listen_on(1, &port);
    if (ls < 0)
        skip(); /* no IPv6 loopback on this machine */
    otter_posix_tcp_t tcp;
    otter_transport_t t;
    otter_posix_tcp_init(&tcp, &t);
    assert_int_equal(t.connect(t.ctx, "::1", port, 2000), 0);
    assert_int_equal(tcp.family, AF_INET6);
    int peer = accept(ls, NULL, NULL);
    assert_true(peer >= 0);
    assert_int_equal(send(peer, "6", 1, 0), 1);
    uint8_t in[2];
    assert_int_equal(t.read(t.ctx, in, sizeof in, 2000), 1);
    assert_int_equal(in[0], '6');
    close(peer);
    otter_posix_tcp_free(&tcp);
    close(ls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exchange_and_close),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_refused_and_dns),
        cmocka_unit_test(test_ipv6),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
