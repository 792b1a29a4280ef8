/* otter_strerror(): the explanation texts (error_text.c, otter_explain)
 * when OTTER_ERROR_TEXTS is 1, the names when it is 0. The choice is the
 * whole function, made once here. Alone in its file, so that a program
 * linking the core as a static library can define otter_strerror() itself
 * and this one is then not linked: the CLI does (tools/error_words.c), so
 * that `otter doctor` explains with the texts whatever the core says. */
#include "otter/config.h"
#include "otter/error.h"

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
