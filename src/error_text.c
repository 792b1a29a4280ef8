/* The explanation texts of otter_err_t, generated from errors.def: the
 * otter_explain library (CMake target otter_explain), linked by the CLI and
 * `otter doctor` (host/host_error.c) and, when OTTER_ERROR_TEXTS is 1, by
 * otter_strerror(). A names-only firmware calls neither and drops it with
 * --gc-sections, diagnosis functions included (their sentences then carry
 * the codes' names). */
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
