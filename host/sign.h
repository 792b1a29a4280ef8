/* otter host: Secure Boot V2 signing keys and signing (host only;
 * allocates; the crypto is host/hostcrypto.h's).
 *
 * Keys are PEM files as espsecure.py writes them: "RSA PRIVATE KEY" (PKCS#1)
 * or "EC PRIVATE KEY" (SEC1), public keys as "PUBLIC KEY" (SubjectPublicKeyInfo);
 * PKCS#8 "PRIVATE KEY" is read too. Signing produces the sector format of
 * docs/FORMATS.md, which espsecure.py verify_signature --version 2 and
 * signature_info_v2 read. */
#ifndef OTTER_HOST_SIGN_H
#define OTTER_HOST_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host_error.h" /* the OTTER_ERR_* codes its functions return */
#include "hostcrypto.h"
#include "otter/sigblock.h"

typedef struct otter_signkey {
    otter_hkey_t *key;         /* NULL until a key is loaded or generated */
    otter_sig_scheme_t scheme; /* NONE until a key is loaded or generated */
    bool has_private;
} otter_signkey_t;

/* Empty key. Cannot fail. */
void otter_signkey_init(otter_signkey_t *k);
/* Wipe and release. Safe on any initialised key, more than once. */
void otter_signkey_free(otter_signkey_t *k);

/* Parse "rsa-3072" / "rsa3072", "ecdsa-p256" / "ecdsa256", "ecdsa-p384" /
 * "ecdsa384". 0 or OTTER_ERR_SIG_KEY. */
int otter_sign_scheme_from_name(const char *name, otter_sig_scheme_t *out);

/* 1 when keys of scheme can be loaded and used with this build's crypto
 * library (ECDSA P-192 is gone from mbedTLS 4.0), else 0. */
int otter_sign_scheme_available(otter_sig_scheme_t scheme);

/* Generate a fresh key (RSA-3072 with e = 65537, ECDSA P-256 or P-384) from
 * the system entropy source. 0, OTTER_ERR_SIG_KEY (scheme), OTTER_ERR_CRYPTO. */
int otter_signkey_generate(otter_signkey_t *k, otter_sig_scheme_t scheme);

/* Load a private or public key from PEM text (len bytes, NUL not needed) or
 * from a file. Only RSA-3072 and ECDSA P-192/P-256/P-384 keys are accepted
 * (P-192 only where the crypto library still has it: not mbedTLS 4.0).
 * 0, OTTER_ERR_SIG_KEY (unreadable or wrong type/size), OTTER_ERR_UNSUPPORTED
 * (a P-192 key where the library lacks the curve), OTTER_ERR_FILE. */
int otter_signkey_parse_pem(otter_signkey_t *k, const char *pem, size_t len);
int otter_signkey_load(otter_signkey_t *k, const char *path);

/* Write the private (priv true) or public key as PEM into buf (NUL
 * terminated). 0, OTTER_ERR_BUF_TOO_SMALL, OTTER_ERR_SIG_KEY (no private
 * part), OTTER_ERR_CRYPTO. 4096 bytes is enough for RSA-3072. */
int otter_signkey_write_pem(otter_signkey_t *k, bool priv, char *buf, size_t cap);

/* The public key in signature-block layout (n LE, e, rinv LE, mdash for RSA:
 * 776 bytes; curve id + X LE + Y LE for ECDSA: 65 or 97 bytes). out must hold
 * OTTER_SIG_MAX_KEY_LEN bytes. 0 or OTTER_ERR_SIG_KEY / OTTER_ERR_CRYPTO. */
int otter_signkey_block_key(otter_signkey_t *k, uint8_t out[OTTER_SIG_MAX_KEY_LEN], size_t *len);

/* The eFuse key digest: SHA-256 of otter_signkey_block_key()'s bytes (what
 * espsecure digest_sbv2_public_key writes). */
int otter_signkey_digest(otter_signkey_t *k, uint8_t out[32]);

/* Build one sealed signature block over digest (32 bytes; 48 for P-384,
 * i.e. SHA-384). The block is verified with the portable checker before it is
 * returned. 0, OTTER_ERR_SIG_KEY (no private key), OTTER_ERR_INVAL,
 * OTTER_ERR_CRYPTO. */
int otter_sign_block(otter_signkey_t *k, const uint8_t *digest, size_t digest_len, uint8_t block[OTTER_SIG_BLOCK_LEN]);

/* Sign data (usually an app image) the way espsecure sign_data --version 2
 * does: pad with 0xFF to a 4096 boundary, append a 4096-byte sector with one
 * block. With append, an input whose last sector already holds valid blocks
 * keeps them and gets the new block after them (OTTER_ERR_SIG_FULL at three).
 * Without append, such an existing sector is replaced (espsecure would sign
 * over it). *out is malloc'd (caller frees), *n_blocks the blocks in the new
 * sector. */
int otter_sign_data(otter_signkey_t *k, const uint8_t *in, size_t in_len, bool append, uint8_t **out, size_t *out_len,
                    unsigned *n_blocks);

/* Where the signature sector of a file starts. For an app image: at the
 * image's signed_len (its length rounded up to 4096), which must leave room
 * for 4096 bytes (extra bytes after the sector are ignored). For other data
 * (espsecure signs any file): the last 4096 bytes of a file whose length is
 * a multiple of 4096 and at least 8192. Returns 0 and *off, or
 * OTTER_ERR_SIG_NONE (an image with nothing after it) or
 * OTTER_ERR_SIG_PADDING (bytes after the image that are not a padded sector). */
int otter_sign_find_sector(const uint8_t *data, size_t len, size_t *off);

/* SHA-384 (for P-384 blocks; the core has only SHA-256). */
int otter_host_sha384(const void *data, size_t len, uint8_t out[48]);

#endif
