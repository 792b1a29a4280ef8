/* mbedTLS 3.6 configuration for the footprint firmware on QEMU
 * (bench/target/, MBEDTLS_CONFIG_FILE): what a device that updates itself
 * over HTTPS asks of mbedTLS, the TLS-capable sibling of mcu-3.6.h.
 *   - TLS 1.2 client, ECDHE-ECDSA and ECDHE-RSA key exchange with AES-GCM,
 *     SNI, ALPN, max fragment length and session tickets (otter's TLS client
 *     calls them), the peer certificate kept (otter's report);
 *   - X.509 certificate parsing and verification (P-256/P-384 ECDSA, RSA
 *     PKCS#1 v1.5 and PSS);
 *   - PSA crypto for otter's crypto shim (hashes, ECDSA and RSA-PSS verify);
 *   - mbedtls_calloc/free through MBEDTLS_PLATFORM_MEMORY, so the firmware
 *     counts every allocation (peak heap, record buffers);
 *   - randomness from the port: otter's CTR-DRBG (seeded from the port's
 *     entropy function) for TLS, MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG for PSA
 *     (from mcu-3.6.h, which this file includes).
 * TLS 1.3 is left out: in 3.6 it needs MBEDTLS_USE_PSA_CRYPTO, which moves
 * TLS 1.2 onto PSA as well; not what ESP-IDF 5.x's default build has.
 * No sockets, no file system, no time (otter checks certificate dates with
 * the port's wall clock), no key storage.
 * RAM (issue 16; the same options are ESP-IDF's menuconfig ones, see
 * ports/esp-idf/README.md, "RAM"):
 *   - the incoming record buffer holds a whole 16 KB record, what any
 *     server may send (MBEDTLS_SSL_IN_CONTENT_LEN; mcu-3.6-tls-mfl.h
 *     sets it to what a max_fragment_length request allows);
 *   - the outgoing one holds what a client sends: ClientHello (about 250
 *     bytes here), ClientKeyExchange, Finished, an HTTP request (otter's
 *     HTTP buffer, 1 KB), so 1 KB; longer writes go out in several records
 *     (and a max_fragment_length request is limited to the smaller of the
 *     two, so this build asks for none);
 *   - ECP: window 2 and no fixed-point tables (less heap in ECDHE and
 *     ECDSA, slower: bench/RESULTS.md §8);
 *   - AES tables in flash rather than built in RAM at run time. */
#ifndef OTTER_TARGET_MBEDTLS_TLS_CONFIG_H
#define OTTER_TARGET_MBEDTLS_TLS_CONFIG_H

/* The crypto of the target tests (PSA, hashes, ECDSA and RSA verification,
 * the port's RNG), then what TLS adds. */
#include "mcu-3.6.h"

#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY

#define MBEDTLS_AES_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_GCM_C
#define MBEDTLS_CTR_DRBG_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C

#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C

#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_ALPN
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
#define MBEDTLS_SSL_SESSION_TICKETS
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE
#define MBEDTLS_SSL_ENCRYPT_THEN_MAC
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET

#ifndef MBEDTLS_SSL_IN_CONTENT_LEN
#define MBEDTLS_SSL_IN_CONTENT_LEN 16384
#endif
#ifndef MBEDTLS_SSL_OUT_CONTENT_LEN
#define MBEDTLS_SSL_OUT_CONTENT_LEN 1024
#endif
#define MBEDTLS_ECP_WINDOW_SIZE 2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#define MBEDTLS_AES_ROM_TABLES

#endif
