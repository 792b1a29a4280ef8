/* tests/support/errwords.h: expected sentences that hold in either error
 * text build. With OTTER_ERROR_TEXTS 0 otter_strerror() gives a code's name
 * ("TIMEOUT") where it would give its text ("timed out"), and so do the
 * sentences the diagnosis functions build on it. errwords() rewrites a
 * sentence written with the texts the same way (longest text first);
 * errpart() is for a piece of one code's text looked for with strstr().
 * With OTTER_ERROR_TEXTS 1 both return what they are given. errwords()'s
 * result lives until its fourth call after. Header only: the target tests
 * (scripts/target.sh) include it without a support object of their own. */
#ifndef OTTER_TEST_ERRWORDS_H
#define OTTER_TEST_ERRWORDS_H

#include <string.h>

#include "otter/config.h"
#include "otter/error.h"

#if OTTER_ERROR_TEXTS
static inline const char *errwords(const char *s)
{
    return s;
}

static inline const char *errpart(const char *piece, int code)
{
    (void)code;
    return piece;
}
#else
static inline const char *errwords(const char *s)
{
    static const int codes[] = {
#define OTTER_ERRDEF(name, value, text) name,
#include "otter/errors.def"
#undef OTTER_ERRDEF
    };
    static char out[4][2048];
    static unsigned turn;
    char *o = out[turn++ % 4];
    size_t n = 0;
    while (*s && n + 1 < sizeof out[0]) {
        size_t best = 0;
        int code = 0;
        for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
            const char *t = otter_error_text(codes[i]);
            size_t len = strlen(t);
            if (len > best && strncmp(s, t, len) == 0) {
                best = len;
                code = codes[i];
            }
        }
        if (best == 0) {
            o[n++] = *s++;
            continue;
        }
        const char *name = otter_errname(code);
        size_t len = strlen(name);
        if (n + len + 1 >= sizeof out[0])
            break;
        memcpy(o + n, name, len);
        n += len;
        s += best;
    }
    o[n] = 0;
    return o;
}

static inline const char *errpart(const char *piece, int code)
{
    (void)piece;
    return otter_errname(code);
}
#endif

#endif
