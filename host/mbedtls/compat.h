/* host/mbedtls: the few calls whose arguments differ between the mbedTLS
 * versions otter builds with (2.28, 3.6, 4.0). Private to host/mbedtls/.
 *
 * Randomness is PSA's generator on every version (mbedtls_psa_get_random,
 * after psa_crypto_init()), so no file here keeps an entropy or DRBG
 * context; 4.0 takes no f_rng arguments at all. */
#ifndef OTTER_HOST_MBEDTLS_COMPAT_H
#define OTTER_HOST_MBEDTLS_COMPAT_H

#include <mbedtls/pk.h>
#include <mbedtls/version.h>
#include <psa/crypto.h>

#if MBEDTLS_VERSION_MAJOR < 4
#include <mbedtls/psa_util.h>
/* ", f_rng, p_rng" for the functions that still take them. */
#define HM_RNG , mbedtls_psa_get_random, MBEDTLS_PSA_RANDOM_STATE
#else
#define HM_RNG
#endif

/* mbedtls_pk_parse_key: 3.x takes an RNG (for blinding), 2.28 and 4.0 do not. */
#if MBEDTLS_VERSION_MAJOR == 3
#define HM_PK_PARSE_KEY(pk, buf, len) mbedtls_pk_parse_key((pk), (buf), (len), NULL, 0 HM_RNG)
#else
#define HM_PK_PARSE_KEY(pk, buf, len) mbedtls_pk_parse_key((pk), (buf), (len), NULL, 0)
#endif

#endif
