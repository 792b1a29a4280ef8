/* otter: URL parsing and relative reference resolution (RFC 3986 subset for
 * http:// and https:// URLs, as HTTP clients and redirects need them).
 *
 * Accepted form: scheme "://" [userinfo "@"] host [":" port] [path] ["?" query]
 * ["#" fragment], where scheme is http or https (any case), host is a name, an
 * IPv4 literal or an IPv6 literal in brackets, port is 1..65535. Bytes below
 * 0x21 or above 0x7E anywhere in the URL are refused (they cannot be sent on
 * a request line; this also rules out CR/LF header injection). */
#ifndef OTTER_URL_H
#define OTTER_URL_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Schemes otter speaks. */
typedef enum otter_url_scheme {
    OTTER_URL_HTTP = 0,
    OTTER_URL_HTTPS = 1,
} otter_url_scheme_t;

/* A parsed URL: offsets and lengths into the string that was parsed (the
 * string stays owned by the caller and must outlive the use of this struct).
 * host excludes IPv6 brackets. target is the request target sent on the
 * request line: path and query, without the fragment; target_len 0 means
 * the URL had no path and "/" must be sent. */
typedef struct otter_url {
    otter_url_scheme_t scheme;
    uint16_t port;        /* explicit port, or 80 / 443 by scheme */
    uint8_t port_given;   /* 1 if the URL spelled a port */
    uint8_t host_is_ipv6; /* 1 if host was a bracketed IPv6 literal */
    size_t userinfo_off, userinfo_len; /* "user:pass" before '@'; len 0 if none */
    size_t host_off, host_len;
    size_t target_off, target_len;
} otter_url_t;

/* Parse the len bytes at url (no NUL needed) into *out.
 * Returns 0, or OTTER_ERR_URL for anything malformed: other schemes, missing
 * or empty host, bad port (0, > 65535, non-digits), bad IPv6 literal, bytes
 * outside 0x21..0x7E, len 0. *out is unspecified on error. */
int otter_url_parse(const char *url, size_t len, otter_url_t *out);

/* Resolve the reference ref (ref_len bytes, e.g. an HTTP Location value:
 * absolute, "//host/p", "/p", "p", "../p", "?q", "" ...) against the absolute
 * URL base (NUL-terminated) per RFC 3986 section 5, removing dot segments and
 * dropping any fragment. Writes the NUL-terminated result to out (out_cap
 * bytes including the NUL).
 *
 * Aliasing is allowed for in-place use: out may equal base, and ref may lie
 * inside out after base's terminating NUL (the HTTP client keeps the current
 * URL and the Location header in one array this way). Other overlaps are not
 * allowed.
 *
 * Returns the length of the result (>= 0), OTTER_ERR_URL if base is not a
 * valid http(s) URL or the result is not one (e.g. "ftp://x"), or
 * OTTER_ERR_BUF_TOO_SMALL if the result does not fit (out is then
 * unspecified). */
int otter_url_resolve(char *out, size_t out_cap, const char *base, const char *ref, size_t ref_len);

#ifdef __cplusplus
}
#endif

#endif
