/* Test support: the release keys of the tests ($OTTER_SRC, then tests/keys),
 * loaded for signing indexes (host/sign.h) with their public points
 * (otter/index.h). Host only: it reads files. */
#ifndef OTTER_TEST_RELKEY_H
#define OTTER_TEST_RELKEY_H

#include "otter/index.h"
#include "sign.h"

/* Load the key file `name` of the tests' keys folder into k (initialised
 * here; free it with otter_signkey_free()) and its point into pub. 0 or
 * non-zero. */
int relkey_load(otter_signkey_t *k, otter_index_key_t *pub, const char *name);

#endif
