/* host/hostcrypto: the host tools' keys, signatures, hashes and random
 * bytes, without naming the crypto library (host only; allocates).
 *
 * The one implementation is host/mbedtls/hostcrypto.c (PSA Crypto for
 * every operation on every mbedTLS version otter supports, mbedTLS's PK
 * module to read and write key files). Keys are handles: generate or parse
 * one, use it, free it.
 *
 * Errors: OTTER_ERR_SIG_KEY (unusable key or key file), OTTER_ERR_CRYPTO
 * (the library refused; otter_hostcrypto_last_error() has its raw code),
 * OTTER_ERR_BUF_TOO_SMALL, OTTER_ERR_INVAL. */
#ifndef OTTER_HOST_HOSTCRYPTO_H
#define OTTER_HOST_HOSTCRYPTO_H

#include <stddef.h>
#include <stdint.h>

typedef struct otter_hkey otter_hkey_t;

typedef enum otter_hkey_type {
    OTTER_HKEY_NONE = 0,
    OTTER_HKEY_RSA = 1,
    OTTER_HKEY_EC = 2, /* NIST P-curves (secp192r1, secp256r1, secp384r1, secp521r1) */
} otter_hkey_type_t;

typedef enum otter_hash_alg {
    OTTER_HASH_NONE = 0,
    OTTER_HASH_SHA1,
    OTTER_HASH_SHA256,
    OTTER_HASH_SHA384,
    OTTER_HASH_SHA512,
} otter_hash_alg_t;

typedef enum otter_hsig {
    OTTER_HSIG_ECDSA = 1,     /* signature as r || s, each the curve's size, big-endian */
    OTTER_HSIG_RSA_PKCS1 = 2, /* PKCS#1 v1.5, modulus-sized big-endian */
    OTTER_HSIG_RSA_PSS = 3,   /* PSS, MGF1 with the same hash, salt = hash length */
} otter_hsig_t;

/* Start the crypto library once per process (psa_crypto_init). Every
 * function below calls it; call it directly before using the library in
 * other ways (the TLS server does). 0 or OTTER_ERR_CRYPTO. */
int otter_hostcrypto_init(void);

/* Raw library code of this thread's last OTTER_ERR_CRYPTO, 0 if none. */
int otter_hostcrypto_last_error(void);

/* Random bytes from the library's generator. 0 or OTTER_ERR_CRYPTO. */
int otter_host_random(void *buf, size_t len);

/* Length of a hash (20, 32, 48, 64), 0 for NONE. */
size_t otter_hash_len(otter_hash_alg_t alg);

/* Hash data into out (otter_hash_len(alg) bytes). 0 or OTTER_ERR_CRYPTO. */
int otter_host_hash(otter_hash_alg_t alg, const void *data, size_t len, uint8_t *out);

/* A fresh key: RSA of bits (1024..8192, e = 65537) or EC on the P-curve of
 * bits (192 where the library still has it, 256, 384, 521). *out is NULL on
 * failure. */
int otter_hkey_generate(otter_hkey_t **out, otter_hkey_type_t type, unsigned bits);

/* A key from PEM (NUL not needed) or DER bytes: private (PKCS#1, SEC1,
 * PKCS#8, unencrypted) or public (SubjectPublicKeyInfo). OTTER_ERR_SIG_KEY
 * when the bytes are no key the library can use. */
int otter_hkey_parse(otter_hkey_t **out, const uint8_t *buf, size_t len);

/* Release (private parts are wiped). NULL is fine. */
void otter_hkey_free(otter_hkey_t *k);

/* 1 when the library can use EC keys on the P-curve of bits (mbedTLS 4.0
 * dropped curves below 250 bits: P-192 there gives 0), else 0. */
int otter_hkey_ec_available(unsigned bits);

otter_hkey_type_t otter_hkey_type(const otter_hkey_t *k);
/* RSA modulus bits, or the curve's bits. */
unsigned otter_hkey_bits(const otter_hkey_t *k);
/* 1 when the private key is present. */
int otter_hkey_has_private(const otter_hkey_t *k);

/* The public key as DER SubjectPublicKeyInfo into out[cap]. */
int otter_hkey_spki(const otter_hkey_t *k, uint8_t *out, size_t cap, size_t *len);

/* The key as NUL-terminated PEM: private (priv != 0: "RSA PRIVATE KEY"
 * PKCS#1 or "EC PRIVATE KEY" SEC1, as espsecure.py and openssl write them)
 * or public ("PUBLIC KEY"). */
int otter_hkey_write_pem(const otter_hkey_t *k, int priv, char *out, size_t cap);

/* Sign a digest of hash (digest_len must be its length) with the private
 * key. out[cap] gets the signature in the layout of scheme (see
 * otter_hsig_t); for X.509 an ECDSA signature must then be DER-encoded. */
int otter_hkey_sign(const otter_hkey_t *k, otter_hsig_t scheme, otter_hash_alg_t hash,
                    const uint8_t *digest, size_t digest_len, uint8_t *out, size_t cap,
                    size_t *out_len);

/* Verify sig (layout of scheme) over digest with the public key of a DER
 * SubjectPublicKeyInfo. 0 when it verifies, else OTTER_ERR_SIG_VERIFY, or
 * OTTER_ERR_SIG_KEY (a key the library cannot use). */
int otter_spki_verify(const uint8_t *spki, size_t spki_len, otter_hsig_t scheme,
                      otter_hash_alg_t hash, const uint8_t *digest, size_t digest_len,
                      const uint8_t *sig, size_t sig_len);

#endif
