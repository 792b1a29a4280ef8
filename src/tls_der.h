/* Private to the TLS module: otter's own reading of an X.509 certificate's
 * DER, so that what otter says about a certificate (names, dates, key,
 * basicConstraints, subjectAltNames) and whether it names the host are the
 * same on every TLS library version. No library headers, no allocation:
 * every field points into the caller's DER, which must outlive the struct.
 *
 * Bounded: each parse walks the bytes once; nesting depth is fixed by the
 * X.509 grammar; no recursion. Malformed input gives OTTER_ERR_TLS_CONFIG. */
#ifndef OTTER_TLS_DER_H
#define OTTER_TLS_DER_H

#include <stddef.h>
#include <stdint.h>

#include "otter/tls_report.h"

typedef struct otter_der {
    const uint8_t *p;
    size_t len;
} otter_der_t;

typedef struct otter_x509 {
    otter_der_t tbs;        /* tbsCertificate, whole TLV (what is signed) */
    otter_der_t sig_alg;    /* signatureAlgorithm OID, value bytes */
    otter_der_t sig_params; /* its parameters TLV, empty when absent */
    otter_der_t sig;        /* signature BIT STRING, without the unused-bits byte */
    otter_der_t issuer;     /* Name, whole TLV */
    otter_der_t subject;    /* Name, whole TLV */
    otter_der_t spki;       /* SubjectPublicKeyInfo, whole TLV (the pin hashes this) */
    otter_der_t key_alg;    /* its algorithm OID, value bytes */
    otter_der_t key_params; /* its parameters TLV (a curve OID for EC), may be empty */
    otter_der_t key;        /* subjectPublicKey BIT STRING, without the unused-bits byte */
    otter_der_t san;        /* subjectAltName GeneralNames contents, when has_san */
    int64_t not_before;     /* seconds since 1970 UTC */
    int64_t not_after;
    uint8_t has_san;        /* the subjectAltName extension is present */
    uint8_t is_ca;          /* basicConstraints cA TRUE */
    int8_t path_len;        /* basicConstraints pathLenConstraint, -1 if absent (or > 127) */
} otter_x509_t;

/* Parse the outer structure of one certificate (der[0..len) exactly).
 * 0 or OTTER_ERR_TLS_CONFIG. */
int otter_x509_parse(const uint8_t *der, size_t len, otter_x509_t *x);

/* Describe x into info (names, dates, key type/size, SPKI SHA-256, CA,
 * pathlen); self_signed is set to whether subject == issuer only (the
 * caller verifies the signature); flags, pinned, in_path are 0. */
void otter_x509_describe(const otter_x509_t *x, otter_tls_cert_info_t *info);

/* Full DN ("CN=R3, O=Let's Encrypt, C=US" in DER order) and short name
 * (CN, else O, else OU, else the full DN) of a Name TLV into out[cap],
 * printable ASCII only, truncated with "...". */
void otter_x509_dn_format(otter_der_t name, char *out, size_t cap);
void otter_x509_dn_name(otter_der_t name, char *out, size_t cap);

/* subjectAltNames as "IP:192.168.1.10, DNS:a.example" into out[cap]. */
void otter_x509_names(const otter_x509_t *x, char *out, size_t cap);

/* The server-identity check (see otter_tls_cert_check_host): 1 match,
 * 0 no match, OTTER_ERR_INVAL for an empty or overlong host. */
int otter_x509_check_host(const otter_x509_t *x, const char *host);

/* 1 when subject and issuer are byte-identical. */
int otter_x509_same_names(const otter_x509_t *x);

#endif
