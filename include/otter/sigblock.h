/* otter: Secure Boot V2 signature sector (parse and verify).
 *
 * The sector espsecure.py `sign_data --version 2` appends to an image padded
 * with 0xFF to a 4096-byte boundary: up to three 1216-byte blocks (magic 0xE7,
 * version 0x02 RSA-3072-PSS or 0x03 ECDSA), the rest 0xFF. Byte layout in
 * docs/FORMATS.md "Secure Boot V2 signature sector".
 *
 * Portable: signature maths goes through include/otter/crypto.h only. Keys
 * are trusted the way the ESP-IDF bootloader trusts them: by the SHA-256 of
 * the public key as stored in the block (the eFuse key digest). To trust a
 * PEM public key, compute its digest on the host (host/sign.h) and pass it.
 * Making a block (sealing it) is for host tools: otter/host/sigblock.h. */
#ifndef OTTER_SIGBLOCK_H
#define OTTER_SIGBLOCK_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stddef.h>
#include <stdint.h>

#include "otter/flash.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OTTER_SIG_SECTOR_LEN 4096u
#define OTTER_SIG_BLOCK_LEN 1216u
#define OTTER_SIG_BLOCK_CRC_LEN 1196u /* the CRC covers bytes [0, 1196) */
#define OTTER_SIG_MAX_BLOCKS 3u
#define OTTER_SIG_MAGIC 0xE7u
#define OTTER_SIG_VERSION_RSA 0x02u
#define OTTER_SIG_VERSION_ECDSA 0x03u
#define OTTER_SIG_RSA_KEY_LEN 776u /* n (384) + e (4) + rinv (384) + mdash (4) */
#define OTTER_SIG_MAX_KEY_LEN OTTER_SIG_RSA_KEY_LEN
/* Smallest work buffer otter_sigblock_verify_sector_flash() takes: it
 * holds an RSA block's n, e and rinv (or n, e and signature) at once. */
#define OTTER_SIG_WORK_MIN 1024u

/* Signature schemes a block can use. */
typedef enum otter_sig_scheme {
    OTTER_SIG_SCHEME_NONE = 0,
    OTTER_SIG_SCHEME_RSA3072 = 1,
    OTTER_SIG_SCHEME_ECDSA_P192 = 2,
    OTTER_SIG_SCHEME_ECDSA_P256 = 3,
    OTTER_SIG_SCHEME_ECDSA_P384 = 4,
} otter_sig_scheme_t;

/* Status of a block slot that holds only 0xFF (no block). Positive, so it is
 * never mistaken for success or for an error. */
#define OTTER_SIG_ABSENT 1

/* Result for one block slot. */
typedef struct otter_sigblock_result {
    /* 0: signature verified with a trusted key. OTTER_SIG_ABSENT: empty slot.
     * Otherwise the reason, in the order checked: OTTER_ERR_SIG_MAGIC,
     * OTTER_ERR_SIG_CRC, OTTER_ERR_SIG_VERSION, OTTER_ERR_SIG_UNSUPPORTED,
     * OTTER_ERR_SIG_DIGEST, OTTER_ERR_SIG_KEY, OTTER_ERR_SIG_VERIFY,
     * OTTER_ERR_SIG_UNTRUSTED (the signature is good, the key is not trusted),
     * OTTER_ERR_CRYPTO. */
    int status;
    otter_sig_scheme_t scheme;
    uint8_t key_digest[32]; /* valid when scheme != NONE */
    int trusted_index;      /* index of the matching trusted digest, or -1 */
} otter_sigblock_result_t;

typedef struct otter_sigblock_report {
    uint8_t n_present;  /* slots that are not all 0xFF */
    uint8_t n_verified; /* blocks verified with a trusted key */
    otter_sigblock_result_t block[OTTER_SIG_MAX_BLOCKS];
} otter_sigblock_report_t;

/* The public key bytes of a block as the block stores them (what the key
 * digest is taken over) and their length: 776 for RSA, 65 for ECDSA
 * P-192/P-256, 97 for P-384. Checks magic, CRC and version first. Returns the
 * scheme (> 0) and sets *key / *key_len to point into block, or
 * OTTER_ERR_SIG_MAGIC / OTTER_ERR_SIG_CRC / OTTER_ERR_SIG_VERSION. */
int otter_sigblock_key(const uint8_t block[OTTER_SIG_BLOCK_LEN], const uint8_t **key, size_t *key_len);

/* SHA-256 key digest of a block's public key, as ESP-IDF burns it into eFuse
 * and espsecure's digest_sbv2_public_key / signature_info_v2 compute it.
 * Returns the scheme (> 0) or the errors of otter_sigblock_key(), or
 * OTTER_ERR_CRYPTO. */
int otter_sigblock_key_digest(const uint8_t block[OTTER_SIG_BLOCK_LEN], uint8_t out[32]);

/* Check one block against the image digest, without trust: fills res (with
 * trusted_index -1) and returns 0 if the block is well formed and its
 * signature verifies, else res->status. digest384 may be NULL (P-384 blocks
 * then give OTTER_ERR_SIG_UNSUPPORTED). */
int otter_sigblock_check(const uint8_t block[OTTER_SIG_BLOCK_LEN], const uint8_t digest256[32],
                         const uint8_t *digest384, otter_sigblock_result_t *res);

/* Verify a whole signature sector.
 *   sector:    the 4096 bytes at the image's signed_len (caller's buffer,
 *              read only during the call)
 *   digest256: SHA-256 of every byte before the sector (otter_image_info_t
 *              sig_digest); digest384: SHA-384 of the same, or NULL
 *   trusted:   n_trusted key digests (eFuse SECURE_BOOT_DIGESTn), n <= 3
 *   report:    per-slot results (may be NULL)
 * Every slot is checked. Returns 0 only if at least one block verifies with a
 * trusted key and no present block is malformed or fails its signature;
 * otherwise the first malformed block's reason, or OTTER_ERR_SIG_NONE (no
 * block), OTTER_ERR_SIG_UNTRUSTED (blocks verify but no key is trusted; also
 * when n_trusted is 0), OTTER_ERR_SIG_UNSUPPORTED, OTTER_ERR_INVAL. */
int otter_sigblock_verify(const uint8_t sector[OTTER_SIG_SECTOR_LEN], const uint8_t digest256[32],
                          const uint8_t *digest384, const uint8_t (*trusted)[32], size_t n_trusted,
                          otter_sigblock_report_t *report);

/* The same verification on a sector in flash, read in pieces through the
 * caller's work buffer (work_len >= OTTER_SIG_WORK_MIN; 1216 or more reads
 * one block at a time, less reads each block's fields separately), so a
 * device needs no 4 KB buffer for it. addr: the sector's flash address
 * (image offset + signed_len). Same verdicts and report as
 * otter_sigblock_verify() on the same 4096 bytes, plus a flash read error
 * (report then zeroed) and OTTER_ERR_BUF_TOO_SMALL. */
int otter_sigblock_verify_sector_flash(const otter_flash_t *f, uint32_t addr, const uint8_t digest256[32],
                                       const uint8_t *digest384, const uint8_t (*trusted)[32], size_t n_trusted,
                                       otter_sigblock_report_t *report, uint8_t *work, size_t work_len);

/* Number of leading block slots that hold a well-formed block (magic, CRC,
 * version), as espsecure counts them before appending: 0..3. */
unsigned otter_sigblock_count(const uint8_t sector[OTTER_SIG_SECTOR_LEN]);

/* "RSA-3072", "ECDSA-P256", ... */
const char *otter_sig_scheme_name(otter_sig_scheme_t scheme);

#ifdef __cplusplus
}
#endif

#endif
