/* Test support: release keys from tests/keys (relkey.h). */
#include "relkey.h"

#include <stdio.h>
#include <stdlib.h>

#include "release.h"

int relkey_load(otter_signkey_t *k, otter_index_key_t *pub, const char *name)
{
    const char *src = getenv("OTTER_SRC");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/keys/%s", src ? src : ".", name);
    otter_signkey_init(k);
    if (otter_signkey_load(k, path) != 0)
        return -1;
    return otter_release_key_point(k, pub);
}
