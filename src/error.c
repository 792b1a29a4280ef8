/* Words and names for otter_err_t, generated from errors.def. */
#include "otter/error.h"

const char *otter_strerror(int err)
{
    switch (err) {
    case OTTER_OK:
        return "success";
#define OTTER_ERRDEF(name, value, text) \
    case name:                          \
        return text;
#include "otter/errors.def"
#undef OTTER_ERRDEF
    default:
        return "unknown error";
    }
}

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
