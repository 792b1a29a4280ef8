/* otter POSIX port: TCP transport with poll()-bounded connect, read, write. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "otter/error.h"
#include "posix_tcp.h"

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void tcp_close(void *ctx)
{
    otter_posix_tcp_t *tcp = ctx;
    if (tcp->fd >= 0)
        close(tcp->fd);
    tcp->fd = -1;
    tcp->family = 0;
}

/* Wait until fd is ready for events or timeout_ms passes: 1 ready, 0 timeout,
 * -1 error (errno set). Restarts after signals with the remaining time. */
static int wait_fd(int fd, short events, uint32_t timeout_ms)
{
    uint64_t end = mono_ms() + timeout_ms;
    for (;;) {
        uint64_t now = mono_ms();
        int left = now >= end ? 0 : (int)(end - now);
        struct pollfd p = {.fd = fd, .events = events, .revents = 0};
        int r = poll(&p, 1, left);
        if (r > 0)
            return 1;
        if (r == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

/* Non-blocking connect to one address: 0, OTTER_ERR_TIMEOUT or _CONNECT. */
static int connect_one(otter_posix_tcp_t *tcp, const struct addrinfo *ai, uint32_t timeout_ms)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
        tcp->last_errno = errno;
        return OTTER_ERR_CONNECT;
    }
    int ret = OTTER_ERR_CONNECT;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        ret = 0;
    } else if (errno == EINPROGRESS) {
        int w = wait_fd(fd, POLLOUT, timeout_ms);
        int err = 0;
        socklen_t len = sizeof err;
        if (w == 0) {
            ret = OTTER_ERR_TIMEOUT;
            tcp->last_errno = ETIMEDOUT;
        } else if (w < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
            tcp->last_errno = errno;
        } else if (err != 0) {
            tcp->last_errno = err;
        } else {
            ret = 0;
        }
    } else {
        tcp->last_errno = errno;
    }
    if (ret != 0) {
        close(fd);
        return ret;
    }
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    tcp->fd = fd;
    tcp->family = ai->ai_family;
    return 0;
}

static int tcp_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    otter_posix_tcp_t *tcp = ctx;
    tcp_close(tcp);
    if (host == NULL || host[0] == '\0' || port == 0)
        return OTTER_ERR_INVAL;
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int g = getaddrinfo(host, service, &hints, &res);
    if (g != 0) {
        tcp->last_errno = g;
        return OTTER_ERR_DNS;
    }
    uint64_t end = mono_ms() + timeout_ms;
    int ret = OTTER_ERR_CONNECT;
    for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        uint64_t now = mono_ms();
        if (now >= end) {
            ret = OTTER_ERR_TIMEOUT;
            break;
        }
        int r = connect_one(tcp, ai, (uint32_t)(end - now));
        if (r == 0) {
            ret = 0;
            break;
        }
        /* a timeout on one address stays the answer unless another connects */
        if (r == OTTER_ERR_TIMEOUT || ret != OTTER_ERR_TIMEOUT)
            ret = r;
    }
    freeaddrinfo(res);
    return ret;
}

/* One recv into rbuf (rbuf != NULL) or send from wbuf of at most len bytes,
 * once the socket is ready within timeout_ms. */
static int tcp_io(otter_posix_tcp_t *tcp, uint8_t *rbuf, const uint8_t *wbuf, size_t len, uint32_t timeout_ms)
{
    if (tcp->fd < 0)
        return OTTER_ERR_NET_IO;
    if (len == 0)
        return OTTER_ERR_INVAL;
    if (len > 0x7FFFFFFF)
        len = 0x7FFFFFFF;
    for (;;) {
        int w = wait_fd(tcp->fd, rbuf != NULL ? POLLIN : POLLOUT, timeout_ms);
        if (w == 0)
            return OTTER_ERR_TIMEOUT;
        if (w < 0) {
            tcp->last_errno = errno;
            return OTTER_ERR_NET_IO;
        }
        ssize_t n = rbuf != NULL ? recv(tcp->fd, rbuf, len, 0) : send(tcp->fd, wbuf, len, MSG_NOSIGNAL);
        if (n > 0)
            return (int)n;
        if (n == 0 && rbuf != NULL)
            return OTTER_ERR_CLOSED;
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue; /* spurious wakeup: the stall timeout restarts, rarely */
        tcp->last_errno = n < 0 ? errno : EPIPE;
        return OTTER_ERR_NET_IO;
    }
}

static int tcp_read(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    return tcp_io(ctx, buf, NULL, len, timeout_ms);
}

static int tcp_write(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    return tcp_io(ctx, NULL, buf, len, timeout_ms);
}

void otter_posix_tcp_init(otter_posix_tcp_t *tcp, otter_transport_t *t)
{
    tcp->fd = -1;
    tcp->last_errno = 0;
    tcp->family = 0;
    t->connect = tcp_connect;
    t->read = tcp_read;
    t->write = tcp_write;
    t->close = tcp_close;
    t->ctx = tcp;
}

void otter_posix_tcp_free(otter_posix_tcp_t *tcp)
{
    tcp_close(tcp);
}
