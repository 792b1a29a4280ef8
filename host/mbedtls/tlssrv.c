/* host/tlssrv on mbedTLS 2.28, 3.6 and 4.0 (see host/tlssrv.h). The
 * differences: 4.0 has no RNG to configure (PSA's is used), 3.6 and 2.28
 * get PSA's generator too, so no file keeps a DRBG. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/x509_crt.h>

#include "compat.h"
#include "hostcrypto.h"
#include "tlssrv.h"

struct otter_tlssrv {
    mbedtls_ssl_config conf;
    mbedtls_ssl_cache_context cache;
    mbedtls_x509_crt crt;
    mbedtls_pk_context key;
};

struct otter_tlssrv_conn {
    mbedtls_ssl_context ssl;
    mbedtls_net_context net;
    int last;
};

#if MBEDTLS_VERSION_MAJOR < 4
static void conf_rng(mbedtls_ssl_config *conf)
{
    mbedtls_ssl_conf_rng(conf, mbedtls_psa_get_random, MBEDTLS_PSA_RANDOM_STATE);
}
#else
static void conf_rng(mbedtls_ssl_config *conf)
{
    (void)conf; /* 4.0: TLS always draws from the PSA generator */
}
#endif

/* mbedTLS parses PEM only NUL-terminated, with the NUL counted. */
static unsigned char *dup_z(const char *s, size_t len)
{
    unsigned char *z = malloc(len + 1);
    if (z) {
        memcpy(z, s, len);
        z[len] = 0;
    }
    return z;
}

void otter_tlssrv_free(otter_tlssrv_t *s)
{
    if (!s)
        return;
    mbedtls_ssl_config_free(&s->conf);
    mbedtls_ssl_cache_free(&s->cache);
    mbedtls_x509_crt_free(&s->crt);
    mbedtls_pk_free(&s->key);
    free(s);
}

/* Is key the key of the leaf? Compared as DER SubjectPublicKeyInfo. */
static int key_matches(otter_tlssrv_t *s)
{
    unsigned char der[2048];
    int n = mbedtls_pk_write_pubkey_der(&s->key, der, sizeof der);
    return n > 0 && (size_t)n == s->crt.pk_raw.len &&
           memcmp(der + sizeof der - (size_t)n, s->crt.pk_raw.p, (size_t)n) == 0;
}

static int setup(otter_tlssrv_t *s, const char *cert_pem, size_t cert_len, const char *key_pem, size_t key_len,
                 char *why, size_t cap)
{
    unsigned char *c = dup_z(cert_pem, cert_len), *k = dup_z(key_pem, key_len);
    int r = -1;
    if (!c || !k) {
        snprintf(why, cap, "out of memory");
    } else if ((r = mbedtls_x509_crt_parse(&s->crt, c, cert_len + 1)) != 0) {
        snprintf(why, cap, "cannot read the certificate (-0x%04x)", (unsigned)-r);
    } else if ((r = HM_PK_PARSE_KEY(&s->key, k, key_len + 1)) != 0) {
        snprintf(why, cap, "cannot read the key (-0x%04x)", (unsigned)-r);
    } else if (!key_matches(s)) {
        snprintf(why, cap, "the key is not the key of the first certificate");
        r = -1;
    } else if ((r = mbedtls_ssl_config_defaults(&s->conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                                MBEDTLS_SSL_PRESET_DEFAULT)) != 0 ||
               (r = mbedtls_ssl_conf_own_cert(&s->conf, &s->crt, &s->key)) != 0) {
        snprintf(why, cap, "TLS configuration failed (-0x%04x)", (unsigned)-r);
    } else {
        conf_rng(&s->conf);
        mbedtls_ssl_conf_session_cache(&s->conf, &s->cache, mbedtls_ssl_cache_get, mbedtls_ssl_cache_set);
    }
    if (k)
        memset(k, 0, key_len + 1);
    free(c);
    free(k);
    return r == 0 ? 0 : -1;
}

int otter_tlssrv_new(otter_tlssrv_t **out, const char *cert_pem, size_t cert_len, const char *key_pem,
                     size_t key_len, char *why, size_t cap)
{
    *out = NULL;
    if (otter_hostcrypto_init() != 0) { /* TLS 1.3 and 4.0 need PSA started */
        snprintf(why, cap, "cannot start the crypto library (%d)", otter_hostcrypto_last_error());
        return -1;
    }
    otter_tlssrv_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(why, cap, "out of memory");
        return -1;
    }
    mbedtls_ssl_config_init(&s->conf);
    mbedtls_ssl_cache_init(&s->cache);
    mbedtls_x509_crt_init(&s->crt);
    mbedtls_pk_init(&s->key);
    if (setup(s, cert_pem, cert_len, key_pem, key_len, why, cap) != 0) {
        otter_tlssrv_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

otter_tlssrv_conn_t *otter_tlssrv_conn_new(otter_tlssrv_t *s, int fd)
{
    otter_tlssrv_conn_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    mbedtls_ssl_init(&c->ssl);
    mbedtls_net_init(&c->net);
    c->net.fd = fd;
    if (mbedtls_ssl_setup(&c->ssl, &s->conf) != 0) {
        mbedtls_ssl_free(&c->ssl);
        free(c);
        return NULL;
    }
    mbedtls_ssl_set_bio(&c->ssl, &c->net, mbedtls_net_send, mbedtls_net_recv, NULL);
    return c;
}

void otter_tlssrv_conn_free(otter_tlssrv_conn_t *c)
{
    if (!c)
        return;
    mbedtls_ssl_free(&c->ssl); /* the socket is the caller's */
    free(c);
}

static int status(otter_tlssrv_conn_t *c, int r)
{
    if (r > 0)
        return r;
    c->last = r;
    if (r == MBEDTLS_ERR_SSL_WANT_READ)
        return OTTER_TLSSRV_WANT_READ;
    if (r == MBEDTLS_ERR_SSL_WANT_WRITE)
        return OTTER_TLSSRV_WANT_WRITE;
    if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || r == MBEDTLS_ERR_SSL_CONN_EOF)
        return OTTER_TLSSRV_EOF;
    return OTTER_TLSSRV_ERROR;
}

int otter_tlssrv_handshake(otter_tlssrv_conn_t *c)
{
    int r = mbedtls_ssl_handshake(&c->ssl);
    return r == 0 ? 0 : status(c, r);
}

int otter_tlssrv_read(otter_tlssrv_conn_t *c, void *buf, size_t len)
{
    return status(c, mbedtls_ssl_read(&c->ssl, buf, len));
}

int otter_tlssrv_write(otter_tlssrv_conn_t *c, const void *buf, size_t len)
{
    return status(c, mbedtls_ssl_write(&c->ssl, buf, len));
}

void otter_tlssrv_conn_error(const otter_tlssrv_conn_t *c, char *out, size_t cap)
{
    char msg[128];
    mbedtls_strerror(c->last, msg, sizeof msg);
    snprintf(out, cap, "-0x%04x %s", (unsigned)-c->last, msg);
}

const char *otter_tlssrv_conn_version(const otter_tlssrv_conn_t *c)
{
    return mbedtls_ssl_get_version(&c->ssl);
}
