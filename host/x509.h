/* host/x509: X.509 certificates and public keys read from their DER, the
 * same on every crypto library (host only).
 *
 * otter_crt_parse() splits a certificate into the parts the host tools
 * reason about (names, validity, basicConstraints, keyUsage, SANs, the
 * public key, the signature); otter_cert_t is a parsed certificate that
 * owns its bytes, also described by the TLS module exactly as a device
 * would (otter_tls_cert_info_der), so a certificate the device's mbedTLS
 * refuses is refused here too. */
#ifndef OTTER_HOST_X509_H
#define OTTER_HOST_X509_H

#include <stddef.h>
#include <stdint.h>

#include "host_error.h" /* the OTTER_ERR_* codes its functions return */
#include "der.h"
#include "hostcrypto.h"
#include "otter/tls.h"
#include "otter/tls_report.h"

/* Object identifiers (DER content bytes, as string literals). */
#define OTTER_OID_RSA "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01"
#define OTTER_OID_RSA_PSS "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0a"
#define OTTER_OID_RSA_SHA1 "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x05"
#define OTTER_OID_RSA_SHA256 "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b"
#define OTTER_OID_RSA_SHA384 "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0c"
#define OTTER_OID_RSA_SHA512 "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0d"
#define OTTER_OID_EC "\x2a\x86\x48\xce\x3d\x02\x01"
#define OTTER_OID_ECDSA_SHA1 "\x2a\x86\x48\xce\x3d\x04\x01"
#define OTTER_OID_ECDSA_SHA256 "\x2a\x86\x48\xce\x3d\x04\x03\x02"
#define OTTER_OID_ECDSA_SHA384 "\x2a\x86\x48\xce\x3d\x04\x03\x03"
#define OTTER_OID_ECDSA_SHA512 "\x2a\x86\x48\xce\x3d\x04\x03\x04"
#define OTTER_OID_SECP192R1 "\x2a\x86\x48\xce\x3d\x03\x01\x01"
#define OTTER_OID_SECP256R1 "\x2a\x86\x48\xce\x3d\x03\x01\x07"
#define OTTER_OID_SECP384R1 "\x2b\x81\x04\x00\x22"
#define OTTER_OID_SECP521R1 "\x2b\x81\x04\x00\x23"
#define OTTER_OID_SHA256 "\x60\x86\x48\x01\x65\x03\x04\x02\x01"
#define OTTER_OID_SHA384 "\x60\x86\x48\x01\x65\x03\x04\x02\x02"
#define OTTER_OID_SHA512 "\x60\x86\x48\x01\x65\x03\x04\x02\x03"
#define OTTER_OID_AT_CN "\x55\x04\x03"
#define OTTER_OID_AT_O "\x55\x04\x0a"
#define OTTER_OID_AT_OU "\x55\x04\x0b"
#define OTTER_OID_EXT_SKI "\x55\x1d\x0e"
#define OTTER_OID_EXT_KU "\x55\x1d\x0f"
#define OTTER_OID_EXT_SAN "\x55\x1d\x11"
#define OTTER_OID_EXT_BC "\x55\x1d\x13"
#define OTTER_OID_EXT_AKI "\x55\x1d\x23"
#define OTTER_OID_EXT_EKU "\x55\x1d\x25"

/* The length of an OID literal above. */
#define OTTER_OID_LEN(lit) (sizeof(lit) - 1)

/* keyUsage bits, as RFC 5280 numbers them (bit 0 = digitalSignature) and
 * mbedTLS's MBEDTLS_X509_KU_* values. */
#define OTTER_KU_DIGITAL_SIGNATURE 0x80u
#define OTTER_KU_NON_REPUDIATION 0x40u
#define OTTER_KU_KEY_ENCIPHERMENT 0x20u
#define OTTER_KU_DATA_ENCIPHERMENT 0x10u
#define OTTER_KU_KEY_AGREEMENT 0x08u
#define OTTER_KU_KEY_CERT_SIGN 0x04u
#define OTTER_KU_CRL_SIGN 0x02u

/* A SubjectPublicKeyInfo. */
typedef struct otter_spki {
    otter_hkey_type_t type; /* NONE for other algorithms */
    otter_der_t curve;      /* EC: namedCurve OID content */
    otter_der_t key;        /* BIT STRING content without the unused-bits byte */
} otter_spki_t;

/* Parse a DER SubjectPublicKeyInfo (the whole element). 0 or -1. */
int otter_spki_parse(const uint8_t *der, size_t len, otter_spki_t *out);

/* The parts of a certificate; spans point into the DER given. */
typedef struct otter_crt {
    otter_der_t raw;       /* the whole certificate */
    otter_der_t tbs;       /* TBSCertificate, whole element (what is signed) */
    int version;           /* 1, 2 or 3 */
    otter_der_t serial;    /* INTEGER content */
    otter_der_t issuer;    /* Name, whole element */
    otter_der_t subject;   /* Name, whole element */
    int64_t not_before;    /* seconds since 1970-01-01 UTC */
    int64_t not_after;
    otter_der_t spki;      /* SubjectPublicKeyInfo, whole element */
    int has_basic_constraints;
    int is_ca;
    int pathlen;           /* -1: none */
    int has_key_usage;
    unsigned key_usage;    /* OTTER_KU_* */
    otter_der_t san;       /* GeneralNames content, empty if none */
    otter_der_t eku;       /* ExtKeyUsageSyntax content, empty if none */
    otter_der_t ski;       /* subjectKeyIdentifier, empty if none */
    otter_der_t aki;       /* authorityKeyIdentifier keyIdentifier, empty if none */
    otter_hsig_t sig_scheme;   /* 0 when the signature algorithm is not one we check */
    otter_hash_alg_t sig_hash;
    otter_der_t sig_oid;   /* signatureAlgorithm OID content */
    otter_der_t sig;       /* signatureValue without the unused-bits byte */
} otter_crt_t;

/* Parse a DER certificate. 0 or -1 (not a certificate this parser reads). */
int otter_crt_parse(const uint8_t *der, size_t len, otter_crt_t *out);

/* The first value of attribute oid (e.g. OTTER_OID_AT_CN) in a Name. 0 and
 * *val (its string content), or -1 when the name has none. */
int otter_crt_name_attr(const otter_der_t *name, const char *oid, size_t oid_len, otter_der_t *val);

/* Iterate over subjectAltName entries: *it starts as the certificate's
 * san. 1 and the entry's tag number (2 dNSName, 7 iPAddress, ...) and
 * content, or 0 at the end (or on malformed input). */
int otter_crt_san_next(otter_der_t *it, int *type, otter_der_t *val);

/* The subjectAltNames as text, ", "-separated: "DNS:localhost, IP:127.0.0.1,
 * IP:::1" (other kinds as "other:N"). "" when there are none. */
void otter_crt_altnames(const otter_crt_t *x, char *out, size_t cap);

/* Does child's signature verify with parent's public key? 1 or 0. Issuer
 * and subject names are not compared here. */
int otter_crt_signed_by(const otter_crt_t *child, const otter_crt_t *parent);

/* A parsed certificate that owns its DER. */
typedef struct otter_cert {
    uint8_t *der;
    size_t der_len;
    otter_crt_t x;              /* spans into der */
    otter_tls_cert_info_t info;  /* as the device's TLS module describes it */
    int self_signed;             /* subject == issuer and its own key verifies it */
} otter_cert_t;

/* Copy and parse one DER certificate into a new otter_cert_t (*out). 0, or
 * OTTER_ERR_CERT_NONE when either this parser or the device's mbedTLS
 * refuses it. */
int otter_cert_new(otter_cert_t **out, const uint8_t *der, size_t len);
/* Release. NULL is fine. */
void otter_cert_free(otter_cert_t *c);

#endif
