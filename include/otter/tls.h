/* otter: TLS client (TLS 1.3 where the TLS library has it, else 1.2) as a
 * transport layered on another one. The backend is mbedTLS (2.28, 3.6 or
 * 4.0: src/mbedtls/); nothing in this header names a type of it.
 *
 *   otter_tls_t tls;                       // caller-owned, may be static
 *   otter_tls_init(&tls);
 *   otter_tls_setup(&tls, &cfg);           // trust, clock, RNG, lower transport
 *   otter_transport_t t;
 *   otter_tls_transport(&tls, &t);         // hand t to the HTTP client
 *   t.connect(t.ctx, "example.com", 443, 10000);  // TCP + handshake
 *   ... t.read / t.write ... t.close(t.ctx);
 *   otter_tls_free(&tls);
 *
 * Trust: a CA bundle (PEM, many certificates, or one DER certificate) and/or
 * SPKI SHA-256 pins. A pin matches a certificate of the verified path, the
 * trust anchor from the bundle included, when every signature from the leaf
 * up to that certificate verifies (a pinned certificate the server merely
 * sends alongside, off the path, matches nothing); the connection is trusted
 * when the chain leads to a bundle CA or a pin matches. With
 * OTTER_TLS_CA_FOR_PINS the bundle (say, the system's roots) only completes
 * paths, so that a pin of a root the server does not send can match it:
 * then only a pin makes a chain trusted. Verification is always on: chain, dates, host name (SNI is
 * sent for DNS names; the name or IP literal is checked by otter's own
 * server-identity function, otter_tls_cert_check_host in
 * include/otter/tls_collect.h, the same on every mbedTLS version). Dates are checked against cfg.clock's wall time, not the host's
 * time, so a caller can evaluate "as of" another date; a clock before
 * OTTER_TLS_CLOCK_MIN is reported as OTTER_ERR_TLS_CLOCK_UNSET.
 *
 * After every handshake attempt the report given in cfg.report (optional)
 * describes what the server sent and why it failed; otter_tls_explain()
 * turns it into words (include/otter/tls_report.h).
 *
 * Collecting mode (OTTER_TLS_COLLECT and a collect callback, for `otter
 * cert` / `otter doctor`): include/otter/tls_collect.h.
 *
 * Memory: otter's code never allocates. The TLS library allocates
 * internally (the CA certificates, the peer chain, and the record buffers:
 * 2 x MBEDTLS_SSL_IN/OUT_CONTENT_LEN + overhead, about 33 KB with the
 * 16384-byte default; see docs/PORTING.md "TLS and trust"). */
#ifndef OTTER_TLS_H
#define OTTER_TLS_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stddef.h>
#include <stdint.h>

#include "otter/clock.h"
#include "otter/config.h"
#include "otter/tls_collect.h"
#include "otter/tls_report.h"
#include "otter/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes reserved for the TLS library's contexts (ssl, config, RNG, CA
 * chain, saved session) inside otter_tls_t. src/mbedtls/tls.c checks it at
 * compile time; raise it for a build with larger contexts. Needed with the
 * default configurations: x86-64 2320 (2.28), 2544 (3.6), 2712 (4.0);
 * Cortex-M4 1576 (2.28), 1760 (3.6), 1960 (4.0). */
#ifndef OTTER_TLS_BACKEND_SIZE
#define OTTER_TLS_BACKEND_SIZE (sizeof(void *) >= 8 ? 2816 : 2048)
#endif
/* Most SPKI pins a context keeps. */
#ifndef OTTER_TLS_MAX_PINS
#define OTTER_TLS_MAX_PINS 4
#endif
/* Longest verified path otter tracks per-certificate flags for. */
#ifndef OTTER_TLS_MAX_PATH
#define OTTER_TLS_MAX_PATH 10
#endif

/* Option flags (otter_tls_config_t.flags). */
/* Do not check that the server certificate names the host. SNI is still
 * sent. Every report says the check was skipped (hostname_check_skipped) and
 * every explanation says so loudly. For lab setups only. */
#define OTTER_TLS_INSECURE_SKIP_HOSTNAME_CHECK 0x1u

/* The CA bundle only completes the verified path for the pins (needs at
 * least one pin): a chain that leads to a bundle CA is trusted only when a
 * pin matches a certificate of its path. For a device that pins a root and
 * keeps a store of roots for reaching it (servers send leaf + intermediate,
 * not the root). */
#define OTTER_TLS_CA_FOR_PINS 0x4u

/* Offer TLS 1.2 only, even where the TLS library has 1.3 (otter_tls_caps()
 * says whether it does; without this flag 1.3 is offered and preferred). */
#define OTTER_TLS_TLS12_ONLY 0x8u

/* Entropy source: fill buf with len bytes of true randomness (hardware RNG on
 * a device, getrandom() on POSIX: ports/posix/posix_rng.h). Returns 0, or a
 * negative value on failure. Seeds otter's CTR-DRBG. */
typedef int (*otter_entropy_fn)(void *ctx, uint8_t *buf, size_t len);

typedef struct otter_tls_config {
    /* Byte stream TLS runs over (TCP, proxy). Copied; its ctx must outlive
     * the TLS context. Required. */
    const otter_transport_t *lower;
    /* now_ms for handshake deadlines (required) and wall_time for
     * certificate dates. Pointer kept: must outlive the context. */
    const otter_clock_t *clock;
    /* Entropy for the DRBG. Required. */
    otter_entropy_fn entropy;
    void *entropy_ctx;
    /* CA bundle: PEM text (any number of "-----BEGIN CERTIFICATE-----"
     * blocks, other text between them ignored, NUL terminator optional) or
     * one DER certificate. NULL / 0 for none. Parsed during setup (the TLS
     * library keeps its own copy): need not outlive the call. */
    const uint8_t *ca;
    size_t ca_len;
    /* Scratch for decoding one PEM certificate, at least the DER size of the
     * largest certificate in the bundle (2048 bytes fits common roots). Used
     * only during setup; not needed for DER or no CA. */
    uint8_t *work;
    size_t work_len;
    /* SPKI SHA-256 pins (see otter_tls_pin_parse). Copied, at most
     * OTTER_TLS_MAX_PINS. */
    const uint8_t (*pins)[32];
    size_t pin_count;
    /* Where each handshake attempt is described; NULL for none. Kept: must
     * outlive the context. */
    otter_tls_report_t *report;
    /* OTTER_TLS_* option flags (OTTER_TLS_COLLECT: tls_collect.h). */
    uint32_t flags;
    /* Called once per certificate after each certificate check (see
     * include/otter/tls_collect.h); NULL for none. */
    otter_tls_collect_fn collect;
    void *collect_ctx;
    /* Ask the server for a maximum fragment length (RFC 6066): 0 (off), 512,
     * 1024, 2048 or 4096. Lets a device use smaller record buffers, if the
     * server honours it (nginx / OpenSSL do, many do not). The extension is
     * TLS 1.2's: asking for it limits the connection to TLS 1.2 (mbedTLS's
     * TLS 1.3 client refuses it when a TLS 1.3 server echoes it). Needs a
     * TLS library built with it (mbedTLS: MBEDTLS_SSL_MAX_FRAGMENT_LENGTH,
     * on by default; else setup fails with OTTER_ERR_UNSUPPORTED) whose
     * record buffers both hold it (mbedTLS: MBEDTLS_SSL_IN_CONTENT_LEN and
     * _OUT_CONTENT_LEN at least max_fragment_len; else the same).
     * Whether the server honoured it is in the report
     * (max_fragment_answer). A server that ignores it is not an error: the
     * handshake goes on and the server may send records of up to 16 KB, so
     * the device's incoming record buffer must still hold them
     * (MBEDTLS_SSL_IN_CONTENT_LEN 16384); only the outgoing one can be sized
     * for requests whatever the server does. A device that sizes its
     * incoming buffer to the fragment length must use servers that honour
     * it (its failure is then a record-overflow error, which
     * otter_tls_explain() names). */
    uint16_t max_fragment_len;
    /* Optional hook into the TLS library, for what otter does not wrap
     * (ESP-IDF's certificate bundle: esp_crt_bundle_attach(backend_conf)).
     * Called once during setup with the library's own TLS configuration
     * (mbedTLS: the mbedtls_ssl_config), after otter's trust is set and
     * before otter's checks are installed; non-zero fails the setup with
     * OTTER_ERR_TLS_CONFIG. A certificate verify callback it installs runs
     * first, then otter's own checks (dates, pins, hostname, the report)
     * judge the flags it leaves; a CA chain it sets replaces `ca`'s. */
    int (*backend_setup)(void *ctx, void *backend_conf);
    void *backend_setup_ctx;
} otter_tls_config_t;

/* What a server's ServerHello said about max_fragment_len (RFC 6066): read
 * from the plaintext handshake records by the TLS transport (every TLS
 * library version; mbedTLS does not tell). Private; see
 * otter_tls_report_t.max_fragment_answer. */
typedef struct otter_tls_hello_scan {
    uint32_t pos;      /* handshake bytes seen; UINT32_MAX when done */
    uint32_t len;      /* the first handshake message's body length */
    uint32_t next;     /* body offset of the next field read */
    uint32_t ext_end;  /* body offset where the extensions end */
    uint32_t val;      /* the field being read */
    uint8_t phase;     /* which field next is */
    uint8_t answer;    /* OTTER_TLS_MFL_*; set once */
} otter_tls_hello_scan_t;

/* Feed n bytes of the server's handshake stream (the bodies of plaintext
 * handshake records, in order). Sets scan->answer once the first message
 * is read: HONOURED if it is a ServerHello carrying max_fragment_length,
 * IGNORED if it is a ServerHello without it; other messages leave it
 * UNKNOWN. Portable (src/tls_hello.c). */
void otter_tls_hello_feed(otter_tls_hello_scan_t *scan, const uint8_t *p, size_t n);

/* The TLS context. Caller-owned, may be static; fields are private. Do not
 * copy or move a context after otter_tls_setup (the TLS library keeps
 * pointers into it). */
typedef struct otter_tls {
    otter_transport_t lower;
    const otter_clock_t *clock;
    otter_tls_report_t *report;
    uint32_t flags;
    otter_entropy_fn entropy;
    void *entropy_ctx;
    otter_tls_collect_fn collect;
    void *collect_ctx;
    uint16_t max_fragment_len;
    uint8_t pins[OTTER_TLS_MAX_PINS][32];
    uint8_t pin_count;
    uint8_t ready;           /* setup done */
    uint8_t connected;       /* handshake done, not closed */
    uint8_t have_session;    /* a session to resume with session_host */
    uint16_t ca_count;
    uint16_t session_port;
    char session_host[OTTER_TLS_HOST_MAX];
    int io_err;              /* last lower-transport error seen by the BIO */
    int last_backend_err;    /* last raw TLS library error */
    int bad_ca_index;        /* setup: index of the bundle cert that failed, -1 */
    uint64_t deadline_ms;    /* of the current operation */
    uint32_t vflags;         /* verify result of the last handshake */
    uint8_t verify_ran;
    uint8_t resumed;
    uint8_t path_len;
    uint8_t hostname_mismatch; /* last check: the leaf does not name the host */
    uint8_t rec_hdr[5];      /* BIO: the record header being read */
    uint8_t rec_hdr_n;
    uint8_t alert_n;         /* BIO: bytes of a plaintext alert record seen */
    uint8_t alert_body[2];
    uint16_t rec_left;       /* BIO: body bytes left in the current record */
    uint16_t rec_max;        /* BIO: the longest record body the server sent */
    int16_t last_alert;      /* fatal alert seen in a plaintext record, -1 none */
    uint8_t ccs_seen;        /* BIO: the server's ChangeCipherSpec: records encrypted from here */
    otter_tls_hello_scan_t hello; /* BIO: the ServerHello's max_fragment_length answer */
    const char *cur_host;    /* during otter_tls_connect: the host checked */
    uint32_t path_flags[OTTER_TLS_MAX_PATH];
    const void *path_crt[OTTER_TLS_MAX_PATH];
    const char *alpn[2];
    OTTER_ALIGNAS(16) unsigned char opaque[OTTER_TLS_BACKEND_SIZE];
} otter_tls_t;

/* Make tls safe to free. Cannot fail. */
void otter_tls_init(otter_tls_t *tls);

/* Configure: parse the CA bundle, copy the pins, set up the RNG, TLS 1.2
 * minimum (1.3 preferred where built in), ALPN "http/1.1", session tickets,
 * the optional max fragment length. Call once after init.
 * Entropy: with mbedTLS 2.28 and 3.6 cfg->entropy seeds otter's CTR-DRBG;
 * with 4.0 the RNG is PSA's, seeded by the entropy source mbedTLS was built
 * with (the platform's, or MBEDTLS_PSA_DRIVER_GET_ENTROPY on a device), and
 * cfg->entropy is checked but not called.
 * Errors: OTTER_ERR_INVAL (missing lower/clock/entropy, too many pins, bad
 * max_fragment_len, no CA and no pin outside collecting mode,
 * OTTER_TLS_CA_FOR_PINS without a pin), OTTER_ERR_TLS_CONFIG (a bundle
 * certificate does not parse: its index is otter_tls_bad_ca_index()),
 * OTTER_ERR_BUF_TOO_SMALL (work too small for a certificate),
 * OTTER_ERR_UNSUPPORTED (max_fragment_len in a TLS library built without
 * it or with a record buffer smaller than it), OTTER_ERR_CRYPTO (RNG / PSA /
 * TLS library setup failed). */
int otter_tls_setup(otter_tls_t *tls, const otter_tls_config_t *cfg);

/* Fill t with this context as a transport (t->ctx = tls). */
void otter_tls_transport(otter_tls_t *tls, otter_transport_t *t);

/* Connect the lower transport to host:port, then handshake with SNI = host,
 * within timeout_ms in total. Resumes the saved session when host and port
 * are those of the last successful handshake. Closes a previous connection
 * first. Fills the report.
 * Errors: the lower transport's (DNS, CONNECT, TIMEOUT, CLOSED, NET_IO);
 * OTTER_ERR_TLS_TRUST (chain leads to no trusted CA), OTTER_ERR_TLS_PIN
 * (pins only, none matched), OTTER_ERR_TLS_EXPIRED, OTTER_ERR_TLS_NOT_YET_VALID,
 * OTTER_ERR_TLS_CLOCK_UNSET, OTTER_ERR_TLS_HOSTNAME, OTTER_ERR_TLS_VERSION
 * (server offers neither TLS 1.2 nor 1.3), OTTER_ERR_TLS_HANDSHAKE (other
 * failures; the raw code is in the report). host may be a DNS name or an
 * IPv4 / IPv6 literal (brackets optional); no SNI is sent for a literal., OTTER_ERR_STATE (not set up),
 * OTTER_ERR_INVAL (host empty or too long). */
int otter_tls_connect(otter_tls_t *tls, const char *host, uint16_t port, uint32_t timeout_ms);

/* Read up to len bytes of application data, waiting at most timeout_ms.
 * Returns bytes (> 0), OTTER_ERR_TIMEOUT, OTTER_ERR_CLOSED (close_notify or
 * end of stream), OTTER_ERR_NET_IO, OTTER_ERR_TLS_IO (bad record),
 * OTTER_ERR_TLS_RECORD_TOO_LONG (a record longer than an incoming buffer
 * built below 16 KB: the server ignored max_fragment_length), or
 * OTTER_ERR_STATE when not connected. Never 0. */
int otter_tls_read(otter_tls_t *tls, uint8_t *buf, size_t len, uint32_t timeout_ms);

/* Write up to len bytes; returns bytes written (> 0, may be short) or the
 * errors of otter_tls_read. */
int otter_tls_write(otter_tls_t *tls, const uint8_t *buf, size_t len, uint32_t timeout_ms);

/* Send close_notify (best effort), close the lower transport. The session is
 * kept for resumption. Safe on a closed or never-connected context. */
void otter_tls_close(otter_tls_t *tls);

/* Forget the saved session (next connect does a full handshake). */
void otter_tls_forget_session(otter_tls_t *tls);

/* What the TLS library of this build can do, for diagnostics and tests. */
typedef struct otter_tls_caps {
    const char *backend;   /* its name and version, e.g. "Mbed TLS 3.6.6" (static) */
    uint8_t tls12;         /* TLS 1.2 offered */
    uint8_t tls13;         /* TLS 1.3 offered (and preferred) */
    uint8_t hs_reassembly; /* handshake messages split over several records are
                            * reassembled (a server honouring max_fragment_len
                            * 512 splits its Certificate message) */
} otter_tls_caps_t;

/* Fill caps. Cannot fail. */
void otter_tls_caps(otter_tls_caps_t *caps);

/* Index (0-based) of the CA bundle certificate that made setup fail with
 * OTTER_ERR_TLS_CONFIG, or -1. */
int otter_tls_bad_ca_index(const otter_tls_t *tls);

/* Release everything (closes if connected). Safe on any initialised context,
 * any number of times; init again to reuse. */
void otter_tls_free(otter_tls_t *tls);

/* Describe one DER certificate (as in a report: names, dates, key, SPKI
 * SHA-256, CA, pathlen, self-signed; flags 0). For `otter cert --explain`
 * and logs. Returns 0 or OTTER_ERR_TLS_CONFIG (not a certificate;
 * *backend_err gets the TLS library's raw code, e.g. -0x2180
 * X509_INVALID_FORMAT, when backend_err is not NULL). The TLS library may
 * allocate while parsing and frees before returning. */
int otter_tls_cert_info_der(const uint8_t *der, size_t len, otter_tls_cert_info_t *info,
                            int *backend_err);

/* Parse a pin: 64 hex digits (colons and spaces between bytes allowed, any
 * case), or base64 of the 32 bytes (44 characters, optionally prefixed
 * "sha256/" or "sha256//" as in HPKP / curl --pinnedpubkey).
 * Returns 0 or OTTER_ERR_TLS_CONFIG. */
int otter_tls_pin_parse(const char *text, size_t len, uint8_t out[32]);

/* Iterate over the PEM certificates in buf[0..len): decodes the next
 * "-----BEGIN CERTIFICATE-----" block at or after *pos into der (cap bytes),
 * sets *der_len and advances *pos past its END line.
 * Returns 1 (a certificate was decoded), 0 (no more), OTTER_ERR_TLS_CONFIG
 * (missing END line or bad base64) or OTTER_ERR_BUF_TOO_SMALL. */
int otter_tls_pem_next(const uint8_t *buf, size_t len, size_t *pos, uint8_t *der, size_t cap,
                       size_t *der_len);

#ifdef __cplusplus
}
#endif

#endif
