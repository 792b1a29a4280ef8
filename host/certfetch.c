/* host/certfetch: collect a server's certificate chain. See certfetch.h. */
#include "certfetch.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>

#include "otter/error.h"

static int fail(otter_certfetch_t *out, int err, const char *why)
{
    out->result = err;
    snprintf(out->why, sizeof out->why, "%s", why);
    return err;
}

/* Non-blocking connect to one address within timeout_ms; the socket is
 * left blocking. Returns the fd, or -1 (errno kept, ETIMEDOUT on timeout). */
static int connect_one(const struct addrinfo *ai, uint32_t timeout_ms)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0)
        return -1;
    int fl = fcntl(fd, F_GETFL, 0);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    int r = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (r != 0 && errno == EINPROGRESS) {
        struct pollfd p = {fd, POLLOUT, 0};
        r = poll(&p, 1, (int)timeout_ms);
        if (r == 0) {
            errno = ETIMEDOUT;
            r = -1;
        } else if (r > 0) {
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
            errno = err;
            r = err ? -1 : 0;
        }
    }
    if (r != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    fcntl(fd, F_SETFL, fl);
    return fd;
}

static int tcp_connect(const char *host, uint16_t port, uint32_t timeout_ms, otter_certfetch_t *out)
{
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int g = getaddrinfo(host, service, &hints, &res);
    if (g != 0) {
        char why[160];
        snprintf(why, sizeof why, "%s did not resolve: %s", host, gai_strerror(g));
        return fail(out, OTTER_ERR_DNS, why);
    }
    int fd = -1, timed_out = 0;
    for (const struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = connect_one(ai, timeout_ms);
        timed_out |= fd < 0 && errno == ETIMEDOUT;
    }
    int e = errno;
    freeaddrinfo(res);
    if (fd < 0) {
        char why[160];
        snprintf(why, sizeof why, "cannot connect to %s port %u: %s", host, (unsigned)port,
                 strerror(e));
        return fail(out, timed_out ? OTTER_ERR_TIMEOUT : OTTER_ERR_CONNECT, why);
    }
    return fd;
}

/* Accept any chain: the point is to collect it, not to trust it. */
static int accept_all(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    (void)ctx;
    (void)crt;
    (void)depth;
    *flags = 0;
    return 0;
}

struct fetch_tls {
    mbedtls_net_context net;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    const char *alpn[2];
};

static int handshake(struct fetch_tls *t, const char *sni, uint32_t timeout_ms, otter_certfetch_t *out)
{
    const unsigned char pers[] = "otter certfetch";
    int r = mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy, pers, sizeof pers);
    if (r == 0)
        r = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                        MBEDTLS_SSL_PRESET_DEFAULT);
    if (r != 0)
        return fail(out, OTTER_ERR_CRYPTO, "mbedTLS setup failed");
    mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_OPTIONAL);
    mbedtls_ssl_conf_verify(&t->conf, accept_all, NULL);
    mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
    mbedtls_ssl_conf_read_timeout(&t->conf, timeout_ms);
    mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    t->alpn[0] = "http/1.1";
    t->alpn[1] = NULL;
    mbedtls_ssl_conf_alpn_protocols(&t->conf, t->alpn);
    if (mbedtls_ssl_setup(&t->ssl, &t->conf) != 0 || mbedtls_ssl_set_hostname(&t->ssl, sni) != 0)
        return fail(out, OTTER_ERR_CRYPTO, "mbedTLS setup failed");
    mbedtls_ssl_set_bio(&t->ssl, &t->net, mbedtls_net_send, NULL, mbedtls_net_recv_timeout);
    while ((r = mbedtls_ssl_handshake(&t->ssl)) != 0) {
        if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE)
            continue;
        out->mbedtls_err = r;
        char why[160];
        snprintf(why, sizeof why, "TLS handshake failed (mbedTLS -0x%04x)", (unsigned)-r);
        return fail(out, r == MBEDTLS_ERR_SSL_TIMEOUT ? OTTER_ERR_TIMEOUT : OTTER_ERR_TLS_HANDSHAKE,
                    why);
    }
    snprintf(out->version, sizeof out->version, "%s", mbedtls_ssl_get_version(&t->ssl));
    snprintf(out->cipher, sizeof out->cipher, "%s", mbedtls_ssl_get_ciphersuite(&t->ssl));
    return 0;
}

int otter_certfetch_chain(const char *host, uint16_t port, const char *sni, uint32_t timeout_ms,
                          otter_certset_t *chain, otter_certfetch_t *out)
{
    memset(out, 0, sizeof *out);
    int fd = tcp_connect(host, port, timeout_ms, out);
    if (fd < 0)
        return fd;
    struct fetch_tls t;
    mbedtls_net_init(&t.net);
    mbedtls_ssl_init(&t.ssl);
    mbedtls_ssl_config_init(&t.conf);
    mbedtls_entropy_init(&t.entropy);
    mbedtls_ctr_drbg_init(&t.drbg);
    t.net.fd = fd;
    int ret = handshake(&t, sni ? sni : host, timeout_ms, out);
    if (ret == 0) {
        const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&t.ssl);
        for (; peer && peer->raw.p; peer = peer->next)
            (void)otter_certset_add_der(chain, peer->raw.p, peer->raw.len);
        snprintf(chain->source, sizeof chain->source, "server");
        if (chain->count == 0)
            ret = fail(out, OTTER_ERR_CERT_NONE, "the server sent no certificate");
        mbedtls_ssl_close_notify(&t.ssl);
    }
    mbedtls_ssl_free(&t.ssl);
    mbedtls_ssl_config_free(&t.conf);
    mbedtls_ctr_drbg_free(&t.drbg);
    mbedtls_entropy_free(&t.entropy);
    mbedtls_net_free(&t.net);
    return ret;
}
