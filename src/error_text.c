/* The explanation texts of otter_err_t, generated from errors.def: the
 * otter_explain library (CMake target otter_explain), linked by the CLI and
 * `otter doctor`, by the diagnosis functions (http_explain.c,
 * tls_explain.c, image_explain.c, otter_update_diagnose()) and, when
 * OTTER_ERROR_TEXTS is 1, by otter_strerror(). A firmware that calls none
 * of those drops it with --gc-sections. */
#include "otter/error.h"

const char *otter_error_text(int err)
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
