/* otter: HTTP CONNECT proxy as a transport layered on another transport.
 *
 * connect(host, port) connects the inner transport to the proxy, sends
 * "CONNECT host:port HTTP/1.1" (with Proxy-Authorization: Basic when
 * credentials are set), reads the proxy's answer one byte at a time (so no
 * byte of the tunnel is consumed) and succeeds on a 2xx. read, write and
 * close then pass through to the inner transport. TLS layers on top of this
 * transport exactly as it does on TCP, so https:// through a proxy is
 * tcp -> proxy -> tls.
 *
 * connect's timeout_ms bounds the whole exchange when a clock is set
 * (otter_proxy_set_clock), else each inner operation (the connect, each
 * write, each one-byte read of the answer).
 *
 * Errors from connect: the inner transport's (DNS, CONNECT, TIMEOUT, ...
 * for the proxy itself), OTTER_ERR_PROXY (proxy answered non-2xx, e.g. 407,
 * status kept in ->status; or closed or sent a malformed or over-long
 * answer), OTTER_ERR_INVAL (proxy not configured). */
#ifndef OTTER_PROXY_H
#define OTTER_PROXY_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stddef.h>
#include <stdint.h>

#include "otter/clock.h"
#include "otter/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef OTTER_PROXY_HOST_MAX
#define OTTER_PROXY_HOST_MAX 128 /* proxy host name, including the NUL */
#endif
#ifndef OTTER_PROXY_AUTH_MAX
#define OTTER_PROXY_AUTH_MAX 128 /* "user:password", including the NUL */
#endif
/* Longest proxy answer (status line + headers) accepted. */
#ifndef OTTER_PROXY_HEAD_MAX
#define OTTER_PROXY_HEAD_MAX 8192u
#endif

/* Proxy state; caller-owned, fields private except status. */
typedef struct otter_proxy {
    const otter_transport_t *inner;
    char host[OTTER_PROXY_HOST_MAX];
    uint16_t port;
    char auth[OTTER_PROXY_AUTH_MAX];
    uint16_t status; /* status of the proxy's last CONNECT answer, 0 if none */
    const otter_clock_t *clock;
    uint64_t deadline_ms;
    uint32_t timeout_ms;
} otter_proxy_t;

/* Initialise p over inner (caller-owned, must outlive p) and fill out with
 * the proxy transport (out->ctx = p). No proxy is configured yet: connect
 * fails with OTTER_ERR_INVAL until otter_proxy_set(). Cannot fail. */
void otter_proxy_init(otter_proxy_t *p, const otter_transport_t *inner, otter_transport_t *out);

/* Configure the proxy host (name or address, IPv6 without brackets), port
 * and optional credentials "user:password" (NULL: none). Strings are copied.
 * Returns 0 or OTTER_ERR_INVAL (NULL/empty host, port 0, too long, control
 * characters). */
int otter_proxy_set(otter_proxy_t *p, const char *host, uint16_t port, const char *userpass);

/* Bound connect's whole exchange by its timeout with clock's now_ms
 * (caller-owned, must outlive p; NULL: per operation). */
void otter_proxy_set_clock(otter_proxy_t *p, const otter_clock_t *clock);

/* otter_proxy_init + configure from "http://[user:pass@]host[:port]" (port
 * 1080 when omitted, as curl does). Returns 0, OTTER_ERR_URL or
 * OTTER_ERR_INVAL; on error out is still filled and connect fails. */
int otter_proxy_init_url(otter_proxy_t *p, const otter_transport_t *inner, const char *url, otter_transport_t *out);

#ifdef __cplusplus
}
#endif

#endif
