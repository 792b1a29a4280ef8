/* host/certchain: reasoning about certificate chains on the host, for
 * `otter cert` and `otter doctor`.
 *
 * A trust store (a PEM bundle such as /etc/ssl/certs/ca-certificates.crt, or
 * DER), the path a chain leads along to its root (through the chain the
 * server sent, then the store, following cross-signs), the advice on what a
 * device should pin, and the output formats for pinning material (PEM, DER,
 * a C string literal like an Arduino sketch's `server_certificate`, SPKI
 * SHA-256 pins).
 *
 * Host-side only (allocates, reads files, uses stdio). Certificates are
 * otter_cert_t (host/x509.h): read from their DER here, and accepted only
 * when the device's mbedTLS accepts them too. Every statement it makes
 * comes from the certificates given and the store: no names or dates are
 * built in. Describing one certificate in words (names, dates, key, SPKI
 * SHA-256) is the TLS module's job (otter_cert_t.info, from
 * otter_tls_cert_info_der); this module only relates certificates. */
#ifndef OTTER_HOST_CERTCHAIN_H
#define OTTER_HOST_CERTCHAIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "host_error.h" /* the OTTER_ERR_* codes its functions return */
#include "x509.h"

/* The system trust store on Debian/Ubuntu (and Alpine, Arch). */
#define OTTER_CERTSTORE_SYSTEM "/etc/ssl/certs/ca-certificates.crt"

/* Longest path followed from a leaf to a root (certificates). */
#define OTTER_CERTPATH_MAX 10

/* A root expiring within this many seconds of "now" gets a warning and a
 * successor is looked for (two years). */
#define OTTER_CERT_ROOT_WARN_SECONDS (2 * 366 * 86400LL)

/* A set of parsed certificates: a trust store, a chain the server sent, or
 * the certificates of a file. */
typedef struct otter_certset {
    otter_cert_t **certs;   /* count certificates, in the order added */
    size_t count;           /* certificates parsed */
    size_t cap;
    size_t unparsed;        /* certificates found but refused (by mbedTLS or the DER reader) */
    char source[256];       /* file it came from, or a label ("server") */
} otter_certset_t;

/* Make s empty. Cannot fail. */
void otter_certset_init(otter_certset_t *s);

/* Add the certificates of buf[0..len): PEM text with any number of
 * CERTIFICATE blocks (other text ignored), or one DER certificate. Blocks
 * that cannot be parsed are counted in s->unparsed and skipped.
 * Returns the number of certificates added (>= 1), or
 * OTTER_ERR_CERT_NONE when no certificate could be parsed. */
int otter_certset_add(otter_certset_t *s, const uint8_t *buf, size_t len);

/* Add one DER certificate (copied). 0 or OTTER_ERR_CERT_NONE. */
int otter_certset_add_der(otter_certset_t *s, const uint8_t *der, size_t len);

/* Read a file and add its certificates; records the path in s->source.
 * Returns the count added, OTTER_ERR_FILE (cannot read) or
 * OTTER_ERR_CERT_NONE. */
int otter_certset_load(otter_certset_t *s, const char *path);

/* The i-th certificate (0-based, in the order added) or NULL. */
const otter_cert_t *otter_certset_get(const otter_certset_t *s, size_t i);

/* Index of crt in s, or -1 when crt is not one of s's certificates. */
int otter_certset_index(const otter_certset_t *s, const otter_cert_t *crt);

/* Release everything; s is empty and reusable afterwards. */
void otter_certset_free(otter_certset_t *s);

/* The default trust store path: OTTER_CERTSTORE_SYSTEM when it exists,
 * else NULL. */
const char *otter_certstore_default(void);

/* Seconds since 1970-01-01 UTC of a certificate's notBefore / notAfter. */
int64_t otter_cert_not_before(const otter_cert_t *crt);
int64_t otter_cert_not_after(const otter_cert_t *crt);

/* 1 when now lies within [notBefore, notAfter], else 0. */
int otter_cert_valid_at(const otter_cert_t *crt, int64_t now);

/* 1 when child's issuer name equals parent's subject and parent's key
 * verifies child's signature; else 0. */
int otter_cert_signed_by(const otter_cert_t *child, const otter_cert_t *parent);

/* 1 when crt is self-signed (subject == issuer, own key verifies it). */
int otter_cert_self_signed(const otter_cert_t *crt);

/* 1 when a and b have the same subject and the same public key (two
 * versions of one CA, e.g. a self-signed root and its cross-signed copy). */
int otter_cert_same_entity(const otter_cert_t *a, const otter_cert_t *b);

/* 1 when a and b are byte-identical certificates. */
int otter_cert_equal(const otter_cert_t *a, const otter_cert_t *b);

/* The subject's organisation (O=) into out[cap] (printable ASCII, others as
 * '?', truncated to fit); "" when the subject has none. */
void otter_cert_org(const otter_cert_t *crt, char *out, size_t cap);

/* SHA-256 of crt's SubjectPublicKeyInfo (the SPKI pin). 0 or
 * OTTER_ERR_CRYPTO. */
int otter_cert_spki_sha256(const otter_cert_t *crt, uint8_t out[32]);

/* Where a certificate of a path came from. */
typedef enum otter_certpath_origin {
    OTTER_CERTPATH_CHAIN = 0, /* sent by the server / in the file explained */
    OTTER_CERTPATH_STORE = 1, /* found in the trust store */
} otter_certpath_origin_t;

/* The path from a chain's first certificate towards its root. */
typedef struct otter_certpath {
    const otter_cert_t *crt[OTTER_CERTPATH_MAX]; /* [0] is the chain's first */
    uint8_t origin[OTTER_CERTPATH_MAX];             /* otter_certpath_origin_t */
    size_t len;
    /* The last certificate is self-signed: the path reaches a root. */
    int complete;
    /* The path left the chain through a cross-sign: crt[cross_at] is a
     * chain certificate whose self-signed version (same subject and key) in
     * the store ends the path; -1 when not. */
    int cross_at;
    /* Certificates of the chain that are not on the path (extra or
     * out-of-order ones the server sent). */
    size_t unused_chain;
} otter_certpath_t;

/* Follow chain's first certificate up to a root: each step takes the issuer
 * from the store first (a self-signed certificate valid at now preferred,
 * then any self-signed, then any), else from the chain. A chain certificate
 * that has a self-signed version in the store (same subject and key: a
 * cross-signed root) is followed to that version, as mbedTLS does when it
 * looks for a parent among trusted CAs first. store may be NULL.
 * Returns 0, or OTTER_ERR_CERT_NONE when chain is empty. The path points
 * into chain and store: keep both alive while it is used. */
int otter_certpath_build(otter_certpath_t *p, const otter_certset_t *chain,
                         const otter_certset_t *store, int64_t now);

/* The root of a complete path, else NULL. */
const otter_cert_t *otter_certpath_root(const otter_certpath_t *p);

/* Why a successor root was chosen. */
typedef enum otter_successor_reason {
    OTTER_SUCCESSOR_NONE = 0,
    OTTER_SUCCESSOR_CROSS_SIGNED = 1, /* the old root cross-signed it */
    OTTER_SUCCESSOR_SAME_OWNER = 2,   /* same organisation, later expiry */
} otter_successor_reason_t;

/* Look in store (and in extra, e.g. the server's chain, for cross-signs; may
 * be NULL) for the root that takes over from root: a self-signed CA of the
 * store valid at now, other than root and expiring later, whose key the old
 * root cross-signed (a certificate with its subject and key issued by root,
 * in store or extra), else one of root's organisation (same O=). The
 * latest-expiring candidate wins. When the store has none, a CA certificate
 * of extra valid at now that root cross-signed is returned (a device can
 * trust it as a CA: mbedTLS checks a trusted CA's own dates only).
 * Returns the certificate or NULL; *why says which rule matched. */
const otter_cert_t *otter_cert_find_successor(const otter_cert_t *root,
                                                  const otter_certset_t *store,
                                                  const otter_certset_t *extra, int64_t now,
                                                  otter_successor_reason_t *why);

/* What a device should pin, decided from a path. */
typedef struct otter_certadvice {
    /* The root the path reaches (NULL when it does not reach one) and the
     * last certificate of the path (the root, or where it stops). */
    const otter_cert_t *root;
    const otter_cert_t *top;
    int root_from_store; /* the root came from the trust store */
    int root_valid;      /* valid at now */
    int root_expiring;   /* valid, but expires within OTTER_CERT_ROOT_WARN_SECONDS */
    /* The root that takes over (see otter_cert_find_successor), when the
     * root expired or expires soon; NULL when none is known. */
    const otter_cert_t *successor;
    otter_successor_reason_t successor_why;
    int successor_from_store; /* 0: the cross-signed copy the server sent */
    /* What to pin, best first: the root (and its successor when the root
     * expires soon), or the successor alone when the root expired; empty
     * when nothing the chain leads to is fit to pin. */
    const otter_cert_t *pin[2];
    size_t pin_count;
} otter_certadvice_t;

/* Decide what to pin for path p (built from chain and store at now). */
void otter_certadvice_make(otter_certadvice_t *a, const otter_certpath_t *p,
                           const otter_certset_t *chain, const otter_certset_t *store,
                           int64_t now);

/* Output formats for pinning material. */
typedef enum otter_certfmt {
    OTTER_CERTFMT_PEM = 0,
    OTTER_CERTFMT_DER = 1, /* concatenated DER certificates */
    OTTER_CERTFMT_C = 2,   /* C string literal, as an Arduino sketch's server_certificate */
    OTTER_CERTFMT_PIN = 3, /* one SPKI SHA-256 per line, lowercase hex */
} otter_certfmt_t;

/* Parse "pem", "der", "c", "pin". 0 or OTTER_ERR_USAGE. */
int otter_certfmt_parse(const char *name, otter_certfmt_t *fmt);

/* Write n certificates in fmt to f. For OTTER_CERTFMT_C, var is the
 * variable's name ("server_certificate" when NULL) and the output is
 *   static const char *server_certificate = "-----BEGIN CERTIFICATE-----\n" \
 *                                           "MIIF...\n" \
 *                                           "-----END CERTIFICATE-----";
 * (several certificates follow one another in the one literal, each END
 * line but the last keeping its "\n"). Returns 0, OTTER_ERR_INVAL or
 * OTTER_ERR_IO. */
int otter_cert_write(FILE *f, otter_certfmt_t fmt, const otter_cert_t *const *crts, size_t n,
                     const char *var);

#endif
