/* otter POSIX port: TCP sockets as an otter_transport_t.
 *
 * connect() resolves host with getaddrinfo (IPv4 and IPv6, in the resolver's
 * order) and tries each address with a non-blocking connect bounded by the
 * remaining timeout; read() and write() wait with poll() for at most their
 * timeout. SIGPIPE is never raised (MSG_NOSIGNAL). Name resolution itself is
 * not bounded by the timeout (getaddrinfo blocks). */
#ifndef OTTER_POSIX_TCP_H
#define OTTER_POSIX_TCP_H

#include "otter/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One TCP connection. Caller-owned; fd is -1 when closed. */
typedef struct otter_posix_tcp {
    int fd;
    int last_errno; /* errno (or getaddrinfo code for DNS) of the last failure */
    int family;     /* AF_INET or AF_INET6 of the connected address, 0 if none */
} otter_posix_tcp_t;

/* Initialise tcp (closed) and fill t with its functions, t->ctx = tcp.
 * Cannot fail. Errors returned by the transport:
 *   connect: OTTER_ERR_DNS (no such name), OTTER_ERR_CONNECT (refused,
 *            unreachable, all addresses failed), OTTER_ERR_TIMEOUT;
 *   read:    bytes > 0, OTTER_ERR_TIMEOUT, OTTER_ERR_CLOSED (orderly close),
 *            OTTER_ERR_NET_IO (reset, other errors, not connected);
 *   write:   bytes > 0, OTTER_ERR_TIMEOUT, OTTER_ERR_NET_IO. */
void otter_posix_tcp_init(otter_posix_tcp_t *tcp, otter_transport_t *t);

/* Close the socket if open; safe to call repeatedly. */
void otter_posix_tcp_free(otter_posix_tcp_t *tcp);

#ifdef __cplusplus
}
#endif

#endif
