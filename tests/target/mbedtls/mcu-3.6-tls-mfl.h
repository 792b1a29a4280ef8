/* mbedTLS 3.6 configuration for the footprint firmware that asks the server
 * for a maximum fragment length (RFC 6066) of 4096 bytes (bench/target/,
 * FW_MAX_FRAGMENT): mcu-3.6-tls.h with record buffers of that size. Both:
 * mbedTLS asks for at most the smaller of MBEDTLS_SSL_IN_CONTENT_LEN and
 * MBEDTLS_SSL_OUT_CONTENT_LEN (mbedtls_ssl_conf_max_frag_len()). Only for servers that honour the request (nginx / OpenSSL do);
 * from one that ignores it the first record over 4 KB fails the update
 * with OTTER_ERR_TLS_RECORD_TOO_LONG, and the device needs the 16 KB
 * buffer of mcu-3.6-tls.h. */
#ifndef OTTER_TARGET_MBEDTLS_TLS_MFL_CONFIG_H
#define OTTER_TARGET_MBEDTLS_TLS_MFL_CONFIG_H

#define MBEDTLS_SSL_IN_CONTENT_LEN 4096
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096
#include "mcu-3.6-tls.h"

#endif
