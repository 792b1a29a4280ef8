/* Names for otter_err_t, generated from errors.def. otter_strerror() is in
 * error_words.c, a file (and archive member) of its own so that a program
 * can bring its own. */
#include "otter/error.h"

const char *otter_errname(int err)
{
    switch (err) {
    case OTTER_OK:
        return "OK";
#define OTTER_ERRDEF(name, value, text) \
    case name:                          \
        return &#name[10];
#include "otter/errors.def"
#undef OTTER_ERRDEF
    default:
        return "UNKNOWN";
    }
}
