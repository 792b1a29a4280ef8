/* otter ESP-IDF port: TCP over BSD sockets (lwIP on a device, the host's
 * sockets on ESP-IDF's linux target). Every wait is a select() bounded by
 * the caller's timeout: lwIP implements select() for its sockets, and on the
 * linux target FreeRTOS's simulator wraps it so that waiting lets the other
 * tasks run. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "esp_timer.h"
#include "otter/error.h"
#include "otter_esp_port.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

static uint64_t now_ms(void)
{
    return (uint64_t)esp_timer_get_time() / 1000u;
}

static void tcp_close(void *ctx)
{
    otter_esp_tcp_t *tcp = ctx;
    if (tcp->fd >= 0)
        close(tcp->fd);
    tcp->fd = -1;
}

/* Wait until fd can be read (want_read) or written, at most timeout_ms:
 * 1 ready, 0 timed out, -1 error (errno). Signals restart the wait with the
 * time left (the linux target's FreeRTOS tick is a signal). */
static int wait_fd(int fd, bool want_read, uint32_t timeout_ms)
{
    uint64_t end = now_ms() + timeout_ms;
    for (;;) {
        uint64_t now = now_ms();
        uint64_t left = now >= end ? 0 : end - now;
        fd_set set, err;
        FD_ZERO(&set);
        FD_ZERO(&err);
        FD_SET(fd, &set);
        FD_SET(fd, &err);
        struct timeval tv = {.tv_sec = (long)(left / 1000u), .tv_usec = (long)(left % 1000u) * 1000};
        int r = select(fd + 1, want_read ? &set : NULL, want_read ? NULL : &set, &err, &tv);
        if (r > 0)
            return 1;
        if (r == 0) {
            if (now_ms() >= end)
                return 0;
            continue; /* woke early (the simulator's select polls) */
        }
        if (errno != EINTR)
            return -1;
    }
}

static int connect_one(otter_esp_tcp_t *tcp, const struct addrinfo *ai, uint32_t timeout_ms)
{
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) {
        tcp->last_errno = errno;
        return OTTER_ERR_CONNECT;
    }
    int ret = OTTER_ERR_CONNECT;
    int fl = fcntl(fd, F_GETFL, 0);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        tcp->last_errno = errno;
    } else if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        ret = 0;
    } else if (errno == EINPROGRESS || errno == EINTR) {
        int w = wait_fd(fd, false, timeout_ms);
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
    return 0;
}

static int tcp_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    otter_esp_tcp_t *tcp = ctx;
    tcp_close(tcp);
    if (!host || !host[0] || port == 0)
        return OTTER_ERR_INVAL;
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int g = getaddrinfo(host, service, &hints, &res);
    if (g != 0 || !res) {
        tcp->last_errno = g;
        return OTTER_ERR_DNS;
    }
    uint64_t end = now_ms() + timeout_ms;
    int ret = OTTER_ERR_CONNECT;
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        uint64_t now = now_ms();
        if (now >= end) {
            ret = OTTER_ERR_TIMEOUT;
            break;
        }
        int r = connect_one(tcp, ai, (uint32_t)(end - now));
        if (r == 0) {
            ret = 0;
            break;
        }
        if (r == OTTER_ERR_TIMEOUT || ret != OTTER_ERR_TIMEOUT)
            ret = r;
    }
    freeaddrinfo(res);
    return ret;
}

static int tcp_io(otter_esp_tcp_t *tcp, uint8_t *rbuf, const uint8_t *wbuf, size_t len, uint32_t timeout_ms)
{
    if (tcp->fd < 0)
        return OTTER_ERR_NET_IO;
    if (len == 0)
        return OTTER_ERR_INVAL;
    if (len > 0x7FFFFFFF)
        len = 0x7FFFFFFF;
    uint64_t end = now_ms() + timeout_ms;
    for (;;) {
        uint64_t now = now_ms();
        int w = wait_fd(tcp->fd, rbuf != NULL, now >= end ? 0 : (uint32_t)(end - now));
        if (w == 0)
            return OTTER_ERR_TIMEOUT;
        if (w < 0) {
            tcp->last_errno = errno;
            return OTTER_ERR_NET_IO;
        }
        ssize_t n = rbuf ? recv(tcp->fd, rbuf, len, 0) : send(tcp->fd, wbuf, len, MSG_NOSIGNAL);
        if (n > 0)
            return (int)n;
        if (n == 0 && rbuf)
            return OTTER_ERR_CLOSED;
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
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

void otter_esp_tcp_init(otter_esp_tcp_t *tcp, otter_transport_t *t)
{
    tcp->fd = -1;
    tcp->last_errno = 0;
    t->connect = tcp_connect;
    t->read = tcp_read;
    t->write = tcp_write;
    t->close = tcp_close;
    t->ctx = tcp;
}

void otter_esp_tcp_free(otter_esp_tcp_t *tcp)
{
    tcp_close(tcp);
}
