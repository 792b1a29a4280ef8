/* otter host PKI maker: keys and X.509 certificates, written as DER here and
 * signed through host/hostcrypto.h.
 *
 * Host-side only (tests, `otter pki`, `otter serve --self-signed-for`): it
 * allocates and reads/writes files. It builds whatever a
 * test of certificate handling needs: self-signed roots, intermediates with
 * or without a path length, leaves with DNS/IP subject alternative names,
 * any validity window (past, future, expired), and cross-signed
 * certificates (the same subject and key certified by another issuer).
 *
 * Every function returns 0 (OTTER_OK) or a negative otter_err_t:
 *   OTTER_ERR_INVAL          bad argument or bad syntax (subject, SAN, date)
 *   OTTER_ERR_IO             a file could not be read or written
 *   OTTER_ERR_CRYPTO         the crypto library refused (raw code in pki->crypto_err)
 *   OTTER_ERR_BUF_TOO_SMALL  the output buffer is too small
 * and leaves a sentence saying why in pki->why. */
#ifndef OTTER_HOST_PKI_H
#define OTTER_HOST_PKI_H

#include <stddef.h>
#include <stdint.h>

#include "hostcrypto.h"
#include "x509.h"

/* Maker context: the last error. The caller owns it (it may live on the
 * stack). */
typedef struct otter_pki {
    int crypto_err; /* raw crypto library code of the last failure, 0 if none */
    char why[200];  /* the last failure in words, "" if none */
} otter_pki_t;

/* Key types. */
typedef enum otter_pki_keytype {
    OTTER_PKI_KEY_EC_P256 = 0, /* ECDSA on secp256r1 (default) */
    OTTER_PKI_KEY_EC_P384,     /* ECDSA on secp384r1 */
    OTTER_PKI_KEY_RSA,         /* RSA, e = 65537, size from rsa_bits */
} otter_pki_keytype_t;

/* key_usage value meaning "write no keyUsage extension at all". */
#define OTTER_PKI_KU_NONE 0x10000u

/* What to certify. Fill with otter_pki_cert_spec_init() first, then set
 * fields. Pointers are borrowed for the duration of otter_pki_cert_make(). */
struct otter_pki_cert_spec {
    /* Subject as a name string ("CN=otter demo,O=otter,C=DE": CN, C, O,
     * OU, L, ST, serialNumber, title, emailAddress, DC; in this order in
     * the certificate; "\," escapes a comma). Ignored when subject_from is
     * set. */
    const char *subject;
    /* Copy the subject name byte for byte (string types kept) from this
     * certificate instead: how a cross-sign keeps the exact same name. */
    const otter_cert_t *subject_from;
    /* Key whose public half is certified. Required. */
    const otter_hkey_t *key;
    /* Issuer certificate (its subject becomes our issuer name, copied byte
     * for byte) and its private key. Both NULL: self-signed by key. */
    const otter_cert_t *issuer_cert;
    const otter_hkey_t *issuer_key;
    /* Validity, seconds since 1970-01-01 UTC. Years 1950..9999. */
    int64_t not_before;
    int64_t not_after;
    /* basicConstraints: ca != 0 makes a CA; pathlen < 0 means no limit.
     * basic_constraints = 0 omits the extension entirely (old-style cert). */
    int basic_constraints; /* default 1 */
    int ca;                /* default 0 */
    int pathlen;           /* default -1 */
    /* OTTER_KU_* bits (host/x509.h); 0 picks by role (CA: keyCertSign|cRLSign|
     * digitalSignature; leaf: digitalSignature, plus keyEncipherment for
     * RSA); OTTER_PKI_KU_NONE omits the extension. */
    unsigned key_usage;
    /* subjectAltName list "DNS:localhost,IP:127.0.0.1,IP:::1" or NULL. */
    const char *san;
    /* extendedKeyUsage list of serverAuth, clientAuth, codeSigning,
     * OCSPSigning, any ("serverAuth,clientAuth"), or NULL for none. */
    const char *eku;
    /* Serial number; 0 picks 16 random bytes. */
    uint64_t serial;
};
typedef struct otter_pki_cert_spec otter_pki_cert_spec_t;

/* Prepare pki. Cannot fail. */
void otter_pki_init(otter_pki_t *pki);
/* Release and wipe pki. Safe on any initialised context. */
void otter_pki_free(otter_pki_t *pki);

/* Defaults: no subject, self-signed, valid from now - 1 day for 365 days,
 * basicConstraints present, not a CA, no path length, key usage by role,
 * no SAN, random serial. */
void otter_pki_cert_spec_init(otter_pki_cert_spec_t *spec);

/* Generate a fresh key into *key (free it with otter_hkey_free). rsa_bits
 * is used for RSA only (0 means 2048; 1024..4096). */
int otter_pki_key_generate(otter_pki_t *pki, otter_hkey_t **key, otter_pki_keytype_t type,
                           unsigned rsa_bits);
/* Load an unencrypted private key (PEM or DER, PKCS#1/SEC1/PKCS#8) into *key. */
int otter_pki_key_load(otter_pki_t *pki, otter_hkey_t **key, const char *path);
/* Save key as PEM to path, mode 0600, replacing it. */
int otter_pki_key_save(otter_pki_t *pki, const otter_hkey_t *key, const char *path);
/* Load the first certificate of a PEM or DER file into *crt (free it with
 * otter_cert_free); every certificate of the file must parse. */
int otter_pki_cert_load(otter_pki_t *pki, otter_cert_t **crt, const char *path);

/* Make and sign one certificate as spec says. Writes a NUL-terminated PEM
 * into pem (4096 bytes is enough for any EC or RSA-4096 certificate with a
 * short SAN list; 8192 for long lists). *pem_len (optional) gets the PEM
 * length without the NUL. */
int otter_pki_cert_make(otter_pki_t *pki, const otter_pki_cert_spec_t *spec, char *pem,
                        size_t pem_size, size_t *pem_len);

/* Parse a date for a certificate: "YYYY-MM-DD" (midnight UTC),
 * "YYYY-MM-DDTHH:MM:SS[Z]", "now", or a day offset from now: "now+30d",
 * "now-2d", "+30d", "-2d". now is seconds since 1970 UTC. */
int otter_pki_parse_time(const char *s, int64_t now, int64_t *out);

/* Write the demo PKI into dir (created if missing):
 *   ca.pem, ca.key          root CA "otter demo root CA", EC P-256, 10 years
 *   server.pem, server.key  leaf for localhost, 127.0.0.1 and ::1 plus the
 *                           hosts in extra_san ("DNS:x,IP:y", may be NULL),
 *                           issued by the root, valid now - 1 day .. + 825 days
 *   chain.pem               server.pem followed by ca.pem */
int otter_pki_demo(otter_pki_t *pki, const char *dir, const char *extra_san, int64_t now);

#endif
