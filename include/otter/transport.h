/* otter: the transport port, a reliable byte stream (TCP on POSIX, lwIP or a
 * modem driver on a device). TLS is itself a transport layered on another one,
 * and an HTTP CONNECT proxy likewise, so the HTTP client sees one interface.
 *
 * Return values: >= 0 success (bytes for read/write), negative otter_err_t on
 * failure: OTTER_ERR_DNS, OTTER_ERR_CONNECT, OTTER_ERR_TIMEOUT (nothing
 * happened within timeout_ms), OTTER_ERR_CLOSED (orderly close by the peer),
 * OTTER_ERR_NET_IO (reset or other failure). */
#ifndef OTTER_TRANSPORT_H
#define OTTER_TRANSPORT_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct otter_transport {
    /* Open a connection to host:port (host is a name or a literal address).
     * Returns 0 or DNS / CONNECT / TIMEOUT errors. */
    int (*connect)(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms);
    /* Read up to len bytes; blocks at most timeout_ms for the first byte.
     * Returns bytes read (> 0), OTTER_ERR_TIMEOUT, OTTER_ERR_CLOSED or
     * OTTER_ERR_NET_IO. Never returns 0. */
    int (*read)(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms);
    /* Write up to len bytes; returns bytes written (> 0, may be short) or an
     * error. */
    int (*write)(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms);
    /* Close; safe on a closed or never-opened transport. */
    void (*close)(void *ctx);
    void *ctx;
} otter_transport_t;

#ifdef __cplusplus
}
#endif

#endif
