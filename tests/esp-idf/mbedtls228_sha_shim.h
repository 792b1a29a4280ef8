/* Force-included into ESP-IDF v5.5's bootloader_sha.c when building against
 * mbedTLS 2.28 (tests only). That file uses the int-returning SHA-256 calls
 * of mbedTLS 3.x; 2.28 spells them with a _ret suffix, and its un-suffixed
 * names are void functions that MBEDTLS_DEPRECATED_REMOVED hides. */
#pragma once
#define MBEDTLS_DEPRECATED_REMOVED
#include <mbedtls/sha256.h>
#define mbedtls_sha256_starts mbedtls_sha256_starts_ret
#define mbedtls_sha256_update mbedtls_sha256_update_ret
#define mbedtls_sha256_finish mbedtls_sha256_finish_ret
