/* Fuzz target: the CONNECT proxy's answer parser. Byte 0 picks how many
 * bytes the transport delivers per read (the proxy asks for one at a time);
 * the rest is the proxy's answer followed by whatever the tunnel carries. */
#include <stdint.h>
#include <string.h>

#include "otter/error.h"
#include "otter/proxy.h"
#include "script_transport.c" /* test support, included: fuzz targets link no test code */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const otter_script_step_t steps[] = {SCRIPT_ACCEPT(), SCRIPT_BYTES(data, size)};
    otter_script_transport_t sc;
    otter_transport_t inner;
    otter_script_init(&sc, steps, 2, &inner);
    otter_transport_t t;
    otter_proxy_t p;
    if (otter_proxy_init_url(&p, &inner, "http://u:p%40ss@proxy.test:3128", &t) != 0)
        __builtin_trap();
    int ret = t.connect(t.ctx, "h.test", 443, 1000);
    if (ret == 0) {
        /* the answer must have ended at an empty line, within bounds */
        if (sc.bytes_read < 4 || sc.bytes_read > OTTER_PROXY_HEAD_MAX || data[sc.bytes_read - 1] != '\n')
            __builtin_trap();
        uint8_t b[64];
        (void)t.read(t.ctx, b, sizeof b, 10);
    } else if (ret != OTTER_ERR_PROXY && ret != OTTER_ERR_CLOSED) {
        __builtin_trap();
    }
    t.close(t.ctx);
    return 0;
}
