/* otter: the signed release index (docs/FORMATS.md "Release index").
 *
 * A fleet checks for updates by fetching one small signed text file from any
 * static server or CDN. It names, per channel, chip and project, the
 * releases on offer (version, secure_version, size, SHA-256, URLs, rollout
 * percentage, the oldest running version that may install it), optionally a
 * new set of release keys and a new TLS trust set, a sequence number that
 * only grows and an expiry time; its last line is an ECDSA P-256 signature
 * over every byte before it.
 *
 * On the device: otter_index_open() checks the signature before it reads
 * anything else, then parses, then refuses a replayed (sequence below the
 * highest accepted) or expired index; otter_index_decide() picks the release
 * for this device. Both are pure: no flash, no network, no allocation, no
 * globals. The highest accepted sequence number, the adopted release keys
 * and the trust-set generation persist in otter/index_record.h.
 *
 * Bounds: an index is at most OTTER_INDEX_MAX_SIZE bytes; the parser reads
 * it once, line by line, each line at most OTTER_INDEX_MAX_LINE bytes. The
 * work of otter_index_open() is one SHA-256 over at most 4 KB, one ECDSA
 * verification and one linear parse. */
#ifndef OTTER_INDEX_H
#define OTTER_INDEX_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OTTER_INDEX_MAX_SIZE 4096u         /* bytes in a whole index */
#define OTTER_INDEX_MAX_LINE 256u          /* bytes in one line, its newline included */
#define OTTER_INDEX_MAX_RELEASES 8u        /* release entries */
#define OTTER_INDEX_MAX_URLS 3u            /* URLs (mirrors) per release */
#define OTTER_INDEX_MAX_KEYS 3u            /* release keys a device knows, and a key set in an index */
#define OTTER_INDEX_MAX_PINS 4u            /* SPKI pins in a trust set */
#define OTTER_INDEX_KEY_ID_LEN 8u          /* a signature names its key by this prefix of the key digest */
#define OTTER_INDEX_NAME_MAX 32u           /* channel, project, version: like esp_app_desc_t's fields */
#define OTTER_INDEX_URL_MAX 200u           /* bytes in one URL */
#define OTTER_INDEX_ROLLOUT_BUCKETS 10000u /* a device's bucket is 0..9999; N% admits buckets < 100 * N */

/* "The device does not know the time" for otter_index_check_t.now. */
#define OTTER_INDEX_TIME_UNKNOWN INT64_MIN

/* A release key: an ECDSA P-256 public key as a Secure Boot V2 signature
 * block stores it, X then Y, each 32 bytes little-endian. Its digest
 * (SHA-256 of 0x02 || point, the eFuse key digest `otter keygen` prints)
 * names it: the first OTTER_INDEX_KEY_ID_LEN bytes are its key id. */
typedef struct otter_index_key {
    uint8_t point[64];
} otter_index_key_t;

/* Text inside the index buffer (not NUL-terminated): valid as long as the
 * buffer given to the parser. len 0: absent. */
typedef struct otter_index_str {
    const char *p;
    size_t len;
} otter_index_str_t;

/* One release entry. */
typedef struct otter_index_release {
    otter_index_str_t channel; /* [a-z0-9._-], 1..16 bytes */
    otter_index_str_t project; /* the image's project_name */
    otter_index_str_t version; /* the image's version */
    uint16_t chip_id;          /* OTTER_CHIP_* as in the image's extended header */
    uint32_t secure_version;
    uint32_t size;                               /* bytes of the image file */
    uint8_t sha256[32];                          /* SHA-256 of the whole image file */
    otter_index_str_t url[OTTER_INDEX_MAX_URLS]; /* relative to the index or absolute */
    unsigned n_urls;                             /* 1..3 */
    unsigned rollout;                            /* percent, 0..100 */
    otter_index_str_t min_version; /* stepping stone: oldest running version that may install (len 0: any) */
} otter_index_release_t;

/* A parsed index (1856 bytes on a 64-bit host, less on a 32-bit MCU).
 * Caller-owned (may be static); the strings point into the
 * buffer given to otter_index_parse() / otter_index_open(), which must
 * outlive it. */
typedef struct otter_index {
    uint64_t seq;    /* >= 1; only grows */
    int64_t expires; /* seconds since 1970-01-01T00:00:00Z */
    unsigned n_keys; /* 0: no key-set change; else the release keys to adopt */
    otter_index_key_t keys[OTTER_INDEX_MAX_KEYS];
    uint32_t trust_gen; /* 0: no trust set; else its generation (adopt if higher) */
    unsigned n_pins;
    uint8_t pins[OTTER_INDEX_MAX_PINS][32]; /* SHA-256 of a SubjectPublicKeyInfo */
    otter_index_str_t roots_url;            /* DER root bundle (len 0: none) */
    uint32_t roots_size;
    uint8_t roots_sha256[32];
    unsigned n_releases;
    otter_index_release_t release[OTTER_INDEX_MAX_RELEASES];
    bool has_sig;      /* the last line is a `sig` line */
    size_t signed_len; /* bytes the signature covers (everything before the `sig` line) */
    uint8_t sig_key_id[OTTER_INDEX_KEY_ID_LEN];
    uint8_t sig[64]; /* r then s, each 32 bytes little-endian */
    /* Detail of the last parse error: 1-based line and byte offset of its start. */
    unsigned err_line;
    size_t err_offset;
} otter_index_t;

/* What the device brings to otter_index_open(). */
typedef struct otter_index_check {
    const otter_index_key_t *keys; /* the release keys it trusts now (provisioned or adopted) */
    unsigned n_keys;               /* 1..OTTER_INDEX_MAX_KEYS */
    uint64_t highest_seq;          /* highest sequence accepted so far (0: none) */
    int64_t now;                   /* seconds since 1970 UTC, or OTTER_INDEX_TIME_UNKNOWN */
    /* With no time (now == OTTER_INDEX_TIME_UNKNOWN): false (the default)
     * refuses the index with OTTER_ERR_INDEX_NO_TIME; true accepts it
     * unexpired, relying on the sequence number alone (replay is still
     * refused; a freeze, withholding newer indexes, is then undetectable).
     * See docs/FORMATS.md "Time" for the HTTP Date alternative. */
    bool accept_without_time;
} otter_index_check_t;

/* What the device is, for otter_index_decide(). */
typedef struct otter_index_device {
    const char *channel; /* "stable", "beta", ... */
    uint16_t chip_id;
    const char *project;         /* running app's project_name */
    const char *running_version; /* running app's version */
    uint32_t secure_version;     /* the device's (eFuse) secure_version */
    const uint8_t *id;           /* stable device id (MAC, serial, ...) */
    size_t id_len;
} otter_index_device_t;

/* Why otter_index_decide() decided what it did; otter_index_reason_text()
 * has the words. */
typedef enum otter_index_reason {
    OTTER_INDEX_INSTALL = 0,        /* install decision.release */
    OTTER_INDEX_UP_TO_DATE = 1,     /* no release newer than the running one */
    OTTER_INDEX_NO_RELEASE = 2,     /* nothing for this channel, chip and project */
    OTTER_INDEX_NOT_IN_ROLLOUT = 3, /* a newer release, but this device's bucket is outside its rollout */
    OTTER_INDEX_STEPPING_STONE = 4, /* a newer release, but it needs a newer running version first */
    OTTER_INDEX_SECURE_VERSION = 5, /* a newer release whose secure_version is below the device's */
    OTTER_INDEX_INCOMPARABLE = 6,   /* a release whose version cannot be ordered against the running one */
} otter_index_reason_t;

typedef struct otter_index_decision {
    otter_index_reason_t reason;
    int release;     /* index into idx->release: the one to install, or the one the reason is about; -1 none */
    uint32_t bucket; /* the device's rollout bucket for that release (0..9999) */
} otter_index_decision_t;

/* Empty index. Cannot fail. */
void otter_index_init(otter_index_t *idx);

/* Parse len bytes of index text into idx WITHOUT checking the signature
 * (for tools and for otter_index_open(), which verifies first). With
 * need_sig the last line must be a `sig` line; without it a missing one is
 * allowed (an index being edited). Every field must be in its one canonical
 * form (docs/FORMATS.md). Errors: OTTER_ERR_INDEX_TOO_LARGE,
 * _LINE_TOO_LONG, _CHAR, _HEADER, _LINE, _FIELD, _TOO_MANY, _DUPLICATE,
 * _UNSIGNED; idx->err_line / err_offset say where. */
int otter_index_parse(otter_index_t *idx, const uint8_t *buf, size_t len, bool need_sig);

/* Check the signature of an index: only its last line is read before the
 * signature has verified. Looks the key id up among keys; *key_slot (may be
 * NULL) gets the matching key's position. Returns 0, OTTER_ERR_INDEX_TOO_LARGE,
 * OTTER_ERR_INDEX_UNSIGNED (no well-formed `sig` line last),
 * OTTER_ERR_INDEX_KEY_UNKNOWN, OTTER_ERR_INDEX_SIGNATURE, OTTER_ERR_CRYPTO. */
int otter_index_verify(const uint8_t *buf, size_t len, const otter_index_key_t *keys, unsigned n_keys,
                       unsigned *key_slot);

/* The device's one call: verify (as otter_index_verify()), then parse (as
 * otter_index_parse() with need_sig), then refuse an index whose seq is
 * below chk->highest_seq (OTTER_ERR_INDEX_REPLAY) or that has expired
 * (OTTER_ERR_INDEX_EXPIRED: now >= expires), or OTTER_ERR_INDEX_NO_TIME as
 * chk says. An index with seq == highest_seq is accepted (the same index
 * fetched again). idx is valid only when 0 is returned. */
int otter_index_open(otter_index_t *idx, const uint8_t *buf, size_t len, const otter_index_check_t *chk);

/* Pick this device's release from a verified index: among the releases for
 * its channel, chip and project that are newer than the running version,
 * the newest whose secure_version is not below the device's, whose
 * min_version the running version meets, and whose rollout admits the
 * device's bucket. If none qualifies, the reason names what stopped the
 * newest newer one. Returns 0 (the decision is in *out) or OTTER_ERR_INVAL /
 * OTTER_ERR_CRYPTO. */
int otter_index_decide(const otter_index_t *idx, const otter_index_device_t *dev, otter_index_decision_t *out);

/* The device's rollout bucket for a release: the first four bytes of
 * SHA-256("otter-rollout" 0x00 project 0x00 version 0x00 device_id), big-endian,
 * modulo 10000. Per release, so a different tenth of the fleet goes first
 * each time; fixed per release, so raising the percentage only adds devices.
 * 0 or OTTER_ERR_CRYPTO. */
int otter_index_bucket(const otter_index_str_t *project, const otter_index_str_t *version, const uint8_t *id,
                       size_t id_len, uint32_t *bucket);

/* 1 when bucket is inside a rollout of percent (0..100), else 0. */
int otter_index_in_rollout(uint32_t bucket, unsigned percent);

/* 1 when s (len bytes) is a channel name: 1..16 of [a-z0-9._-], else 0. */
int otter_index_channel_ok(const char *s, size_t len);

/* The decision in one sentence a person can act on: the release, the
 * versions, the bucket and the rollout, what is missing ("it joins at 82%",
 * "may only be installed from 2.0.0 or newer"). Writes at most cap bytes
 * into out, always NUL-terminated (cap > 0); returns the length written. */
size_t otter_index_explain(const otter_index_t *idx, const otter_index_device_t *dev,
                           const otter_index_decision_t *dec, char *out, size_t cap);

/* Words for a reason. Static storage. */
const char *otter_index_reason_text(otter_index_reason_t reason);

/* Write idx in canonical form into out[cap]: every line up to the signature
 * and, when idx->has_sig, the `sig` line. *len gets the bytes written; when
 * idx->has_sig is false it equals the length the signature covers. For a
 * canonical input, writing what otter_index_parse() read gives the same
 * bytes. Returns 0, OTTER_ERR_BUF_TOO_SMALL, or the error the parser would
 * return for a field that is not writable canonically (OTTER_ERR_INDEX_FIELD,
 * _TOO_MANY, _DUPLICATE): the output is parsed back, with an otter_index_t
 * on the stack (1856 bytes on a 64-bit host; a host and test function, not a device one). */
int otter_index_write(const otter_index_t *idx, char *out, size_t cap, size_t *len);

/* Time in the index's form "YYYY-MM-DDTHH:MM:SSZ" (exactly 20 bytes, UTC,
 * years 2000..9999): parse into seconds since 1970 (0 or
 * OTTER_ERR_INDEX_FIELD), or format into out (21 bytes with the NUL; 0 or
 * OTTER_ERR_INDEX_FIELD when t is outside those years). */
int otter_index_time_parse(const char *s, size_t len, int64_t *t);
int otter_index_time_format(int64_t t, char out[21]);

/* A key's id: the first OTTER_INDEX_KEY_ID_LEN bytes of SHA-256(0x02 ||
 * point). 0 or OTTER_ERR_CRYPTO. */
int otter_index_key_id(const otter_index_key_t *key, uint8_t id[OTTER_INDEX_KEY_ID_LEN]);

#ifdef __cplusplus
}
#endif

#endif
