/* host/tlsbundle: a stand-in for ESP-IDF's certificate bundle on the host.
 *
 * esp_crt_bundle_attach() installs a verify callback on the TLS backend's
 * configuration that clears "not trusted" when the chain verifies against a
 * root of the bundle. This does the same with roots from a PEM file, through
 * otter_tls_config_t's backend_setup hook, so tests can show the hook works
 * without ESP-IDF (tests/tool_tlsget.c --bundle-ca). Host only: allocates. */
#ifndef OTTER_HOST_TLSBUNDLE_H
#define OTTER_HOST_TLSBUNDLE_H

#include <stddef.h>

typedef struct otter_tlsbundle otter_tlsbundle_t;

/* Parse PEM roots (len bytes, NUL not required). Returns a bundle or NULL
 * when no certificate parses. Free with otter_tlsbundle_free(). */
otter_tlsbundle_t *otter_tlsbundle_load(const char *pem, size_t len);
void otter_tlsbundle_free(otter_tlsbundle_t *b);

/* The backend_setup hook: ctx is the bundle, backend_conf the backend's TLS
 * configuration as otter_tls hands it over. Returns 0. */
int otter_tlsbundle_attach(void *ctx, void *backend_conf);

#endif
