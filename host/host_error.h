/* host/host_error: error codes of the host side (the otter CLI and the host
 * library: files, command lines, certificate input), -240..-259, listed in
 * host_errors.def. The core's codes stay in otter/error.h; the functions
 * here know both, so host code uses them for any code it prints. */
#ifndef OTTER_HOST_ERROR_H
#define OTTER_HOST_ERROR_H

#include "otter/error.h"

#define OTTER_ERR_IS_HOST(e) OTTER_ERR_IN_RANGE((e), -240, -259)

typedef enum otter_host_err {
#define OTTER_ERRDEF(name, value, text) name = value,
#include "host_errors.def"
#undef OTTER_ERRDEF
} otter_host_err_t;

/* Words for a host or core error code (otter_error_text() for the core's).
 * Never NULL; unknown codes give "unknown error". Static storage. */
const char *otter_host_strerror(int err);

/* The code's name without the prefix ("FILE"), host or core codes (see
 * otter_errname()). Never NULL. Static storage. */
const char *otter_host_errname(int err);

#endif
