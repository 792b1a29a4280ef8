/* The CLI's otter_strerror(): the texts, whatever OTTER_ERROR_TEXTS the
 * core is built with. The texts are what the CLI and `otter doctor` are for
 * (issue 16); a names-only build is for firmware. Linked before the core's
 * library, this definition keeps src/error_words.c's out of the program,
 * and the core's diagnosis functions, which call otter_strerror(), give
 * their sentences with the texts here. */
#include "otter/error.h"

const char *otter_strerror(int err)
{
    return otter_error_text(err);
}
