/* mbedTLS 4.0 TLS/X.509 configuration for the QEMU target tests
 * (MBEDTLS_CONFIG_FILE): empty, the target tests link crypto only. */
#ifndef OTTER_TARGET_MBEDTLS4_CONFIG_H
#define OTTER_TARGET_MBEDTLS4_CONFIG_H
#endif
