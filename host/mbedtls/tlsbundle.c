/* host/tlsbundle on mbedTLS: the verify callback ESP-IDF's certificate bundle
 * installs, with roots parsed from PEM. */
#include "tlsbundle.h"

#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "hostcrypto.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"

struct otter_tlsbundle {
    mbedtls_x509_crt roots;
};

otter_tlsbundle_t *otter_tlsbundle_load(const char *pem, size_t len)
{
    /* mbedTLS 3.6 and 4.0 parse public keys through PSA. */
    if (otter_hostcrypto_init() != 0)
        return NULL;
    otter_tlsbundle_t *b = calloc(1, sizeof *b);
    char *z = malloc(len + 1);
    if (!b || !z) {
        free(b);
        free(z);
        return NULL;
    }
    memcpy(z, pem, len);
    z[len] = 0;
    mbedtls_x509_crt_init(&b->roots);
    int r = mbedtls_x509_crt_parse(&b->roots, (const unsigned char *)z, len + 1);
    free(z);
    if (r != 0) {
        otter_tlsbundle_free(b);
        return NULL;
    }
    return b;
}

void otter_tlsbundle_free(otter_tlsbundle_t *b)
{
    if (!b)
        return;
    mbedtls_x509_crt_free(&b->roots);
    free(b);
}

static int bundle_verify(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    otter_tlsbundle_t *b = ctx;
    uint32_t f = 0;
    (void)depth;
    if ((*flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) &&
        mbedtls_x509_crt_verify(crt, &b->roots, NULL, NULL, &f, NULL, NULL) == 0)
        *flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_NOT_TRUSTED;
    return 0;
}

int otter_tlsbundle_attach(void *ctx, void *backend_conf)
{
    mbedtls_ssl_conf_verify((mbedtls_ssl_config *)backend_conf, bundle_verify, ctx);
    return 0;
}
