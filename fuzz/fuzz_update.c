/* Fuzz target: the update engine fed a hostile server through the scripted
 * transport, on the NOR flash simulator with app v1 running in ota_0.
 * Input byte 0: bytes per read (0 = as much as asked); byte 1: connections
 * the server accepts (bits 0-1, +1) and the engine's max_retries (bits 2-3);
 * the rest is what the server sends on every connection. Invariant: unless
 * begin/step/finish report success, the running slot's bytes and the
 * otadata partition are unchanged. The flash is restored after every run.
 * Reuses the test fixtures (included, as fuzz targets link no test code). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memserver.c"
#include "script_transport.c"
#include "updfix.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static updfix_t fx;
static uint8_t *pristine;
static int ready;

static void fuzz_teardown(void)
{
    updfix_teardown(&fx);
    free(pristine);
}

static void fuzz_setup(void)
{
    if (updfix_setup(&fx, "default") != 0)
        abort();
    updfix_snapshot(&fx);
    size_t n = otter_norsim_size(&fx.dev.sim);
    pristine = malloc(n);
    if (!pristine)
        abort();
    memcpy(pristine, otter_norsim_data(&fx.dev.sim), n);
    ready = 1;
    atexit(fuzz_teardown);
}

static void fuzz_restore(void)
{
    size_t n = otter_norsim_size(&fx.dev.sim);
    if (memcmp(pristine, otter_norsim_data(&fx.dev.sim), n) == 0 && otter_norsim_powered(&fx.dev.sim))
        return;
    memcpy(fx.dev.sim.map, pristine, n);
    if (otter_simdev_reboot(&fx.dev, 0) != 0 || !updfix_unchanged(&fx))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready)
        fuzz_setup();
    if (size < 2)
        return 0;
    otter_script_step_t steps[8];
    size_t n = 0, conns = (size_t)(data[1] & 3) + 1;
    for (size_t i = 0; i < conns; i++) {
        steps[n++] = (otter_script_step_t)SCRIPT_ACCEPT();
        steps[n++] = (otter_script_step_t)SCRIPT_BYTES(data + 2, size - 2);
    }
    otter_script_transport_t st;
    updfix_engine(&fx);
    otter_script_init(&st, steps, n, &fx.tr);
    st.max_read = data[0];
    fx.cfg.max_retries = (uint8_t)((data[1] >> 2) & 3);
    otter_update_free(&fx.up);
    otter_update_init(&fx.up, &fx.cfg);
    int r = updfix_run(&fx, "http://fw.example/app.bin", 200000);
    if (getenv("FUZZ_UPDATE_DEBUG"))
        fprintf(stderr, "fuzz_update: %d (%s), %d connects\n", r, otter_errname(r), st.connects);
    if (r != 0 && !updfix_unchanged(&fx))
        abort();
    otter_update_free(&fx.up);
    fuzz_restore();
    return 0;
}
