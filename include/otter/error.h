/* otter: error codes.
 *
 * Every otter function that can fail returns an int: 0 (OTTER_OK) on success,
 * a negative otter_err_t on failure, and where documented a positive byte
 * count. The list lives in errors.def so that the enum, the names and the
 * words cannot drift apart. */
#ifndef OTTER_ERROR_H
#define OTTER_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum otter_err {
    OTTER_OK = 0,
#define OTTER_ERRDEF(name, value, text) name = value,
#include "otter/errors.def"
#undef OTTER_ERRDEF
} otter_err_t;

/* Words for an error code ("flash program over bytes that are not erased")
 * in the default build (OTTER_ERROR_TEXTS 1). A build with
 * OTTER_ERROR_TEXTS 0 (CMake -DOTTER_ERROR_TEXTS=OFF) keeps the names and
 * codes but not the texts: this then returns otter_errname()'s name
 * ("FLASH_NOT_ERASED"), and a firmware that does not call
 * otter_error_text() links none of the texts. Never NULL; unknown codes
 * give "unknown error" (names-only: "UNKNOWN"). Static storage. */
const char *otter_strerror(int err);

/* The explanation text of an error code, whatever OTTER_ERROR_TEXTS says:
 * the otter_explain library (src/error_text.c), which the CLI and `otter
 * doctor` link for their own words. The diagnosis functions
 * (otter_update_diagnose(), otter_http_explain(), ...) use otter_strerror(),
 * so a names-only device that calls them gets names in their sentences and
 * no texts. Never NULL; unknown codes give "unknown error". Static storage. */
const char *otter_error_text(int err);

/* The code's name without the prefix ("FLASH_NOT_ERASED"), for logs and JSON.
 * Never NULL; 0 gives "OK", unknown codes "UNKNOWN". Static storage. */
const char *otter_errname(int err);

#ifdef __cplusplus
}
#endif

#endif
