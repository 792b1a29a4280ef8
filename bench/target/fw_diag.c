/* bench/target/fw_diag.c: linked into the footprint firmware "with texts"
 * only: the sentence otter_update_diagnose() writes on a failed update, and
 * with it the error messages and explanations. */
#include "fw_app.h"

const char *fw_diagnose(const otter_update_t *up, char *why, size_t why_len)
{
    return otter_update_diagnose(up, why, why_len);
}
