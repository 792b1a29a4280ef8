/* Fuzz target: host/certchain on untrusted certificate files. The input is
 * loaded as a certificate set (PEM bundle or DER) and used as both the chain
 * and the trust store: path to a root, advice, successor search and every
 * output format. Aborts when an invariant breaks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "certchain.h"
#include "otter/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    otter_certset_t set;
    otter_certset_init(&set);
    int r = otter_certset_add(&set, data, size);
    if (r < 0 ? (r != OTTER_ERR_CERT_NONE || set.count != 0) : (size_t)r != set.count)
        abort();
    otter_certpath_t p;
    if (otter_certpath_build(&p, &set, &set, 1780272000) == 0) {
        if (p.len == 0 || p.len > OTTER_CERTPATH_MAX || (p.complete && !otter_certpath_root(&p)))
            abort();
        otter_certadvice_t a;
        otter_certadvice_make(&a, &p, &set, &set, 1780272000);
        if (a.pin_count > 2)
            abort();
        FILE *null = fopen("/dev/null", "wb");
        for (int fmt = OTTER_CERTFMT_PEM; null && fmt <= OTTER_CERTFMT_PIN; fmt++)
            if (otter_cert_write(null, (otter_certfmt_t)fmt, p.crt, p.len, NULL) != 0)
                abort();
        if (null)
            fclose(null);
    }
    otter_certset_free(&set);
    return 0;
}
