/* Words and names for the host side's error codes, generated from
 * host_errors.def; every other code is the core's (otter_error_text()). */
#include "host_error.h"

const char *otter_host_strerror(int err)
{
    switch (err) {
#define OTTER_ERRDEF(name, value, text) \
    case name:                          \
        return text;
#include "host_errors.def"
#undef OTTER_ERRDEF
    default:
        return otter_error_text(err); /* the texts whatever OTTER_ERROR_TEXTS says */
    }
}

const char *otter_host_errname(int err)
{
    switch (err) {
#define OTTER_ERRDEF(name, value, text) \
    case name:                          \
        return &#name[10];
#include "host_errors.def"
#undef OTTER_ERRDEF
    default:
        return otter_errname(err);
    }
}
