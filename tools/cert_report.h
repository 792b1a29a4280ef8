/* The certificate report shared by `otter cert` and `otter doctor`: the
 * certificates described (through the TLS module's otter_tls_cert_describe),
 * the path to the root (host/certchain), what it all means and what to pin,
 * as text or JSON. */
#ifndef OTTER_TOOLS_CERT_REPORT_H
#define OTTER_TOOLS_CERT_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "certchain.h"

/* Statement kinds, printed as a leading mark in text. */
enum cert_note_kind {
    CERT_NOTE_INFO = 0, /* "  " */
    CERT_NOTE_OK,       /* "✓ " */
    CERT_NOTE_BAD,      /* "✗ " */
    CERT_NOTE_WARN,     /* "! " */
    CERT_NOTE_DO,       /* "→ " */
};

#define CERT_NOTES_MAX 24
#define CERT_NOTE_LEN 640

typedef struct cert_notes {
    size_t n;
    int kind[CERT_NOTES_MAX];
    char text[CERT_NOTES_MAX][CERT_NOTE_LEN];
} cert_notes_t;

/* Everything a report says, built by cert_report_analyse. */
typedef struct cert_report {
    /* inputs */
    otter_certset_t chain;   /* the server's chain, or the file's certificates */
    otter_certset_t store;   /* the trust store (may be empty) */
    int live;                /* chain came from a server */
    char target[300];        /* "host:port" or the file path */
    char host[256];          /* server host name (live) */
    uint16_t port;
    char version[16];        /* TLS version and suite of the collecting handshake */
    char cipher[64];
    char host_mismatch[600]; /* the device's words when the leaf does not name the host, else "" */
    int64_t now;             /* dates are checked against this */
    int now_given;           /* --at was used */
    char store_note[300];    /* why the store is empty, "" when loaded */
    /* results */
    otter_certpath_t path;
    otter_certadvice_t advice;
    cert_notes_t what;       /* what the certificates are */
    cert_notes_t pin;        /* what to pin and why */
} cert_report_t;

/* Clear a report (empty sets). Cannot fail. */
void cert_report_init(cert_report_t *r);
/* Release the sets. */
void cert_report_free(cert_report_t *r);

/* Load the trust store: path, or the system store when path is NULL.
 * 0, or -1 after printing why (an explicit path that cannot be read). */
int cert_report_load_store(cert_report_t *r, const char *path);

/* Build path, advice and notes from r's inputs. */
void cert_report_analyse(cert_report_t *r);

/* Print the whole report as text or as one JSON object. */
void cert_report_text(FILE *f, const cert_report_t *r);
void cert_report_json(FILE *f, const cert_report_t *r);

/* Print the notes of one list as text lines (mark + text), indent spaces
 * before each. */
void cert_notes_print(FILE *f, const cert_notes_t *notes, int indent);
/* Append a note (printf format); silently dropped when the list is full. */
void cert_notes_add(cert_notes_t *notes, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Print notes as a JSON array of {"kind":..,"text":..}. */
void cert_notes_json(FILE *f, const cert_notes_t *notes);

/* Short name of a certificate (CN, else O, else OU), from the TLS module's
 * description, into out[cap]. */
void cert_short_name(const otter_cert_t *crt, char *out, size_t cap);

/* Parse a date for --at, as otter_pki_parse_time does: "YYYY-MM-DD",
 * "YYYY-MM-DDTHH:MM:SS[Z]", "now", "now+30d" / "now-2d". 0 or -1. */
int cert_parse_at(const char *s, int64_t *out);

/* Split "https://host:port/path", "host:port", "host", "[v6]:port" into
 * host and port (443 when absent; 80 for http:// URLs). 0 or -1. */
int cert_split_target(const char *s, char *host, size_t host_cap, uint16_t *port);

#endif
