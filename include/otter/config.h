/* otter: compile-time options. Every option has a default here and can be
 * overridden by defining it on the command line or in a file named by
 * -DOTTER_CONFIG_FILE="my_otter_config.h", which is included first. */
#ifndef OTTER_CONFIG_H
#define OTTER_CONFIG_H

#ifdef OTTER_CONFIG_FILE
#include OTTER_CONFIG_FILE
#endif

/* Bytes reserved for a hash context in otter_sha256_t / otter_md5_t. Must be
 * at least the backend's context size (checked at compile time in the backend).
 * Raise it for hardware SHA drivers with larger contexts. */
#ifndef OTTER_HASH_CTX_SIZE
#define OTTER_HASH_CTX_SIZE 256
#endif

/* Partition table entries otter_ptable_t holds: 36 bytes each. A table
 * with more rows is still read (otter_ptable_read()): otter then keeps only
 * the app slots and otadata, which is all an update and the boot choice
 * use, after validating every row. 12 holds a whole common table and the
 * update rows of any table with up to 10 OTA slots. Tools that edit or
 * write tables back need the whole table: ESP-IDF's limit is 95 rows
 * (94 with the MD5 row), what the host build (CMake) uses. */
#ifndef OTTER_PT_MAX_ENTRIES
#define OTTER_PT_MAX_ENTRIES 12
#endif

/* Alignment of the opaque backend buffers in otter_sha256_t, otter_md5_t and
 * otter_tls_t: _Alignas in C11, alignas in C++11, so the headers compile as
 * both. */
#ifdef __cplusplus
#define OTTER_ALIGNAS(n) alignas(n)
#else
#define OTTER_ALIGNAS(n) _Alignas(n)
#endif

/* Error texts: 1 (default), otter_strerror() returns the explanation text
 * of a code; 0, it returns the code's name ("HTTP_STATUS") and the texts
 * (about 7.5 KB on Cortex-M4) are linked only by what calls
 * otter_error_text() (the CLI and otter doctor, through the otter_explain
 * library). The diagnosis functions (otter_update_diagnose(), ...) then
 * write names in their sentences. For firmware that logs codes and names
 * and explains them elsewhere (otter doctor, the docs). CMake:
 * -DOTTER_ERROR_TEXTS=OFF. */
#ifndef OTTER_ERROR_TEXTS
#define OTTER_ERROR_TEXTS 1
#endif

/* Logging: compiled out unless OTTER_LOG is defined to a printf-like macro. */
#ifndef OTTER_LOG
#define OTTER_LOG(...) ((void)0)
#endif

#endif
