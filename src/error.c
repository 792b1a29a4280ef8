/* Names for otter_err_t, generated from errors.def, and otter_strerror():
 * the explanation texts (error_text.c) when OTTER_ERROR_TEXTS is 1, the
 * names when it is 0. The choice is the whole function, made once here. */
#include "otter/config.h"
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

#if OTTER_ERROR_TEXTS
const char *otter_strerror(int err)
{
    return otter_error_text(err);
}
#else
const char *otter_strerror(int err)
{
    return otter_errname(err);
}
#endif
