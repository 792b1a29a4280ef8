/* The server's answer to max_fragment_length (RFC 6066), read from its
 * ServerHello as the bytes stream past (include/otter/tls.h,
 * otter_tls_hello_feed): TLS libraries do not say whether the server echoed
 * the extension. ServerHello body (RFC 5246 7.4.1.3): version (2), random
 * (32), session id (1 + n), cipher suite (2), compression (1), then
 * optionally the extensions: a 2-byte total, then each one's type (2),
 * length (2) and data. */
#include "otter/tls.h"

#define EXT_MAX_FRAGMENT_LENGTH 1u
#define HS_SERVER_HELLO 2u
#define OFF_SESSION_ID_LEN 34u

enum { PH_HEAD, PH_EXT_TOTAL, PH_EXT_HEADER };

static void done(otter_tls_hello_scan_t *s, uint8_t answer)
{
    s->answer = answer;
    s->pos = UINT32_MAX;
}

/* One byte at body offset b of a ServerHello. */
static void body_byte(otter_tls_hello_scan_t *s, uint32_t b, uint8_t c)
{
    if (s->phase == PH_HEAD && b == OFF_SESSION_ID_LEN) {
        /* the session id, cipher suite (2) and compression (1) follow */
        s->next = OFF_SESSION_ID_LEN + 1u + c + 3u;
        s->phase = PH_EXT_TOTAL;
    } else if (s->phase == PH_EXT_TOTAL && b >= s->next) {
        s->val = s->val << 8 | c;
        if (b == s->next + 1) {
            s->ext_end = b + 1 + s->val;
            s->next = b + 1;
            s->val = 0;
            s->phase = PH_EXT_HEADER;
        }
    } else if (s->phase == PH_EXT_HEADER && b >= s->next) {
        s->val = s->val << 8 | c;
        if (b == s->next + 3) {
            if (s->val >> 16 == EXT_MAX_FRAGMENT_LENGTH) {
                done(s, OTTER_TLS_MFL_HONOURED);
                return;
            }
            s->next = b + 1 + (s->val & 0xFFFFu);
            s->val = 0;
        }
    }
    if (b + 1 >= s->len || (s->phase == PH_EXT_HEADER && s->next >= s->ext_end))
        done(s, OTTER_TLS_MFL_IGNORED); /* the body or its extensions ended without it */
}

void otter_tls_hello_feed(otter_tls_hello_scan_t *s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n && s->pos != UINT32_MAX; i++) {
        uint32_t pos = s->pos++;
        if (pos == 0 && p[i] != HS_SERVER_HELLO)
            done(s, OTTER_TLS_MFL_UNKNOWN);
        else if (pos > 0 && pos < 4)
            s->len = s->len << 8 | p[i];
        else if (pos >= 4)
            body_byte(s, pos - 4, p[i]);
    }
}
