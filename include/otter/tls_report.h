/* otter: what one TLS handshake attempt saw, in caller-owned fixed-size
 * storage, and the words that explain it.
 *
 * The report is filled by otter_tls (include/otter/tls.h) after every
 * handshake attempt, successful or not. It holds no pointers: it can be
 * copied, kept after the TLS context is freed, logged on a device or printed
 * by `otter cert` / `otter doctor`. Strings are NUL-terminated and truncated
 * to their array size (a truncated string ends in "...").
 *
 * This header and src/tls_explain.c, src/tls_format.c need no TLS library
 * headers and no allocation, so a device can log the explanation too. The
 * whole report as text or JSON is for host tools: otter/host/tls_report.h. */
#ifndef OTTER_TLS_REPORT_H
#define OTTER_TLS_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "otter/config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* max_fragment_answer: the server's answer to a max_fragment_len request. */
#define OTTER_TLS_MFL_UNKNOWN 0u  /* not asked, or no ServerHello was read */
#define OTTER_TLS_MFL_HONOURED 1u /* echoed: its records are at most that long */
#define OTTER_TLS_MFL_IGNORED 2u  /* not echoed: records of up to 16 KB (see tls.h) */

/* Certificates of the server's chain kept in a report (further ones are
 * counted in chain_total but not described). */
#ifndef OTTER_TLS_REPORT_MAX_CERTS
#define OTTER_TLS_REPORT_MAX_CERTS 5
#endif
/* Bytes for a distinguished name ("C=US, O=Let's Encrypt, CN=R3"). */
#ifndef OTTER_TLS_DN_MAX
#define OTTER_TLS_DN_MAX 96
#endif
/* Bytes for a short name (the CN, else O, else OU). */
#ifndef OTTER_TLS_NAME_MAX
#define OTTER_TLS_NAME_MAX 48
#endif
/* Bytes for a host name (SNI) and for the leaf's subjectAltName list. */
#ifndef OTTER_TLS_HOST_MAX
#define OTTER_TLS_HOST_MAX 128
#endif
/* A wall time before this (2024-01-01T00:00:00Z) means the clock is not set:
 * no certificate otter can meet was issued for an earlier "now". */
#ifndef OTTER_TLS_CLOCK_MIN
#define OTTER_TLS_CLOCK_MIN 1704067200
#endif

/* Verify flags. The low bits have the values of mbedTLS's
 * MBEDTLS_X509_BADCERT_* (checked at compile time in src/mbedtls/tls.c) so
 * that the raw flags of a device log decode the same way; the high bits are
 * otter's. OTTER_TLS_VF_HOSTNAME is set by otter's own server-identity check
 * (otter_tls_cert_check_host), never by the library's. */
#define OTTER_TLS_VF_EXPIRED 0x01u         /* now is after notAfter */
#define OTTER_TLS_VF_REVOKED 0x02u
#define OTTER_TLS_VF_HOSTNAME 0x04u        /* no SAN/CN matches the host */
#define OTTER_TLS_VF_NOT_TRUSTED 0x08u     /* chain leads to no trusted CA */
#define OTTER_TLS_VF_MISSING 0x40u
#define OTTER_TLS_VF_SKIP_VERIFY 0x80u
#define OTTER_TLS_VF_OTHER 0x0100u
#define OTTER_TLS_VF_FUTURE 0x0200u        /* now is before notBefore */
#define OTTER_TLS_VF_KEY_USAGE 0x0800u
#define OTTER_TLS_VF_EXT_KEY_USAGE 0x1000u
#define OTTER_TLS_VF_NS_CERT_TYPE 0x2000u
#define OTTER_TLS_VF_BAD_MD 0x4000u        /* signature hash not allowed */
#define OTTER_TLS_VF_BAD_PK 0x8000u        /* key algorithm not allowed */
#define OTTER_TLS_VF_BAD_KEY 0x10000u      /* key too small */
#define OTTER_TLS_VF_CLOCK_UNSET 0x01000000u /* dates not checkable: clock unset */
#define OTTER_TLS_VF_NO_PIN 0x02000000u    /* pins given, none matched, no CA either */

typedef enum otter_tls_key {
    OTTER_TLS_KEY_UNKNOWN = 0,
    OTTER_TLS_KEY_RSA = 1,
    OTTER_TLS_KEY_EC = 2,
} otter_tls_key_t;

/* One certificate. */
typedef struct otter_tls_cert_info {
    char subject[OTTER_TLS_DN_MAX];    /* full subject DN */
    char issuer[OTTER_TLS_DN_MAX];     /* full issuer DN */
    char name[OTTER_TLS_NAME_MAX];     /* subject CN (else O, else OU) */
    char issuer_name[OTTER_TLS_NAME_MAX]; /* issuer CN (else O, else OU) */
    int64_t not_before;                /* seconds since 1970-01-01 UTC */
    int64_t not_after;
    uint8_t spki_sha256[32];           /* SHA-256 of SubjectPublicKeyInfo (the pin) */
    uint32_t flags;                    /* OTTER_TLS_VF_* that apply to this cert */
    uint16_t key_bits;
    uint8_t key_type;                  /* otter_tls_key_t */
    uint8_t is_ca;                     /* basicConstraints CA:TRUE */
    int8_t path_len;                   /* basicConstraints pathLen, -1 if absent */
    uint8_t self_signed;               /* subject == issuer and own key verifies it */
    uint8_t pinned;                    /* its SPKI SHA-256 equals a configured pin */
    uint8_t in_path;                   /* on the verified path */
} otter_tls_cert_info_t;

/* One handshake attempt. */
typedef struct otter_tls_report {
    char host[OTTER_TLS_HOST_MAX];     /* name sent as SNI and checked */
    uint16_t port;
    int result;                        /* otter_err_t of the attempt, 0 = ok */
    int backend_err;                   /* raw TLS library (mbedTLS) error, negative, or 0 */
    int alert;                         /* fatal alert received from the server, -1 none */
    int64_t now;                       /* wall time dates were checked against, -1 unknown */
    uint32_t flags;                    /* union of all verify flags, 0 = verified */
    uint8_t verified;                  /* the certificate check ran (chain below valid) */
    uint8_t resumed;                   /* session resumed: no certificate was sent */
    uint8_t hostname_check_skipped;    /* OTTER_TLS_INSECURE_SKIP_HOSTNAME_CHECK was on */
    uint8_t pin_matched;               /* a pin matched a certificate of the verified path */
    uint8_t hostname_mismatch;         /* the leaf names neither the host nor its address */
    uint8_t collected;                 /* OTTER_TLS_COLLECT: a verdict, the handshake went on */
    char version[16];                  /* "TLSv1.2" when negotiated */
    char cipher[64];                   /* the TLS library's suite name */
    char alpn[16];                     /* negotiated ALPN, "" if none */
    uint16_t max_fragment_len;         /* requested, 0 = off */
    uint8_t max_fragment_answer;       /* the server's answer to it: OTTER_TLS_MFL_* */
    /* The chain as the server sent it, leaf first. */
    uint8_t chain_count;               /* described in chain[] */
    uint8_t chain_total;               /* sent by the server */
    otter_tls_cert_info_t chain[OTTER_TLS_REPORT_MAX_CERTS];
    /* The trusted CA certificate the verified path ended at (from the CA
     * bundle, not from the server), if any. */
    uint8_t has_anchor;
    otter_tls_cert_info_t anchor;
    /* What the device trusts. */
    uint16_t trust_ca_count;           /* certificates in the CA bundle */
    uint16_t trust_pin_count;
    uint8_t trust_ca_for_pins;         /* the bundle only completes paths for pins (OTTER_TLS_CA_FOR_PINS) */
    char trust_first[OTTER_TLS_NAME_MAX]; /* name of the bundle's first cert */
    char leaf_names[OTTER_TLS_HOST_MAX];  /* the leaf's subjectAltNames, "IP:a, DNS:b" */
    /* Where the chain the server sent ends: the last certificate's name if
     * it is self-signed, else its issuer's name; and whether a certificate
     * of that name is in the CA bundle. */
    char chain_end[OTTER_TLS_NAME_MAX];
    uint8_t chain_end_self_signed;
    uint8_t chain_end_in_bundle;
} otter_tls_report_t;

/* Clear a report (no chain, result 0, alert -1, now -1). Cannot fail. */
void otter_tls_report_init(otter_tls_report_t *r);

/* The name of a TLS library error code (backend_err: mbedTLS's codes)
 * without the MBEDTLS_ERR_ prefix ("X509_CERT_VERIFY_FAILED" for -0x2700),
 * and its meaning in words. Codes that combine a high-level and a low-level
 * part (e.g. -0x3000 - 0x0060) are named by their high-level part. PSA
 * status codes (-132 .. -151) are named too ("PSA_ERROR_INVALID_SIGNATURE").
 * Never NULL: unknown codes give "UNKNOWN" / "unknown mbedTLS error".
 * Static storage. */
const char *otter_tls_backend_errname(int code);
const char *otter_tls_backend_errtext(int code);

/* Name of a TLS alert description (40 -> "handshake_failure"); "unknown"
 * otherwise. Static storage. */
const char *otter_tls_alert_name(int alert);

/* Words for one OTTER_TLS_VF_* bit ("has expired"); "unknown problem" for
 * other values. Static storage. */
const char *otter_tls_flag_text(uint32_t flag);

/* Write the explanation of a report into buf (len bytes, NUL-terminated,
 * truncated if needed): one sentence per line, each naming the certificate it
 * is about, from the certificates' own names and dates, plus what to do.
 * A successful handshake gives a one-line summary. Returns the length the
 * whole text needs (excluding the NUL), like snprintf: a result >= len means
 * it was truncated. buf may be NULL when len is 0. */
size_t otter_tls_explain(const otter_tls_report_t *r, char *buf, size_t len);

/* The sentence explaining a host name mismatch, the same words everywhere
 * (device, `otter cert`, `otter doctor`): "The server's certificate 'x'
 * (issuer 'y') is not valid for the host 'h'; it names IP:..., DNS:...."
 * (no newline), or "" when the leaf names the host (r->hostname_mismatch 0
 * or no certificate). Same buffer contract as otter_tls_explain. */
size_t otter_tls_explain_host(const otter_tls_report_t *r, char *buf, size_t len);

/* "YYYY-MM-DD" (11 bytes with the NUL) for seconds since 1970 UTC. */
void otter_tls_date(int64_t t, char out[11]);

#ifdef __cplusplus
}
#endif

#endif
