/* The HttpsOTAUpdate-shaped facade (include/otter/https_ota.h): the status
 * it reports for each way an update ends, on the simulated device with an
 * in-memory server (tests/support/updfix.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otter/error.h"
#include "otter/https_ota.h"
#include "updfix.h"

#define URL "http://updates.test/app.bin"

typedef struct fixture {
    updfix_t f;
    otter_https_ota_t ota;
} fixture_t;

static int setup(void **state)
{
    fixture_t *x = calloc(1, sizeof *x);
    assert_non_null(x);
    assert_int_equal(updfix_setup(&x->f, "min_spiffs"), 0);
    updfix_snapshot(&x->f);
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *x = *state;
    otter_https_ota_free(&x->ota);
    updfix_teardown(&x->f);
    free(x);
    return 0;
}

/* The facade on the fixture's device and server. */
static void facade(fixture_t *x)
{
    otter_https_ota_port_t port;
    memset(&port, 0, sizeof port);
    port.flash = &x->f.dev.flash;
    port.ptable = &x->f.dev.pt;
    port.boot = &x->f.dev.boot;
    port.tcp = &x->f.tr;
    port.clock = &x->f.dev.vclock;
    port.chip_id = OTTER_CHIP_ESP32;
    otter_https_ota_init(&x->ota, &port);
}

/* Serve an image of version v and drive the facade to its end. */
static otter_https_ota_status_t run(fixture_t *x, const char *v, uint32_t secure_version)
{
    size_t len;
    uint8_t *img = updfix_image(v, 200000, secure_version, OTTER_CHIP_ESP32, 1, &len);
    memserver_init(&x->f.srv, img, len);
    facade(x);
    assert_int_equal(otter_https_ota_status(&x->ota), OTTER_HTTPS_OTA_IDLE);
    assert_int_equal(otter_https_ota_begin(&x->ota, URL, NULL, false), 0);
    otter_https_ota_status_t s = OTTER_HTTPS_OTA_UPDATING;
    for (int i = 0; i < 100000 && s == OTTER_HTTPS_OTA_UPDATING; i++)
        s = otter_https_ota_poll(&x->ota);
    free(img);
    return s;
}

/* The server has the running version: nothing to do is not a failure. */
static void test_up_to_date_is_idle(void **state)
{
    fixture_t *x = *state;
    assert_int_equal(run(x, "1.0.0", 0), OTTER_HTTPS_OTA_IDLE);
    const otter_update_t *up = otter_https_ota_engine(&x->ota);
    assert_int_equal(otter_update_status(up)->outcome, OTTER_UPDATE_OUTCOME_UP_TO_DATE);
    assert_true(updfix_unchanged(&x->f));
}

static void test_newer_is_success(void **state)
{
    fixture_t *x = *state;
    assert_int_equal(run(x, "1.1.0", 0), OTTER_HTTPS_OTA_SUCCESS);
    assert_int_equal(otter_update_status(otter_https_ota_engine(&x->ota))->outcome, OTTER_UPDATE_OUTCOME_UPDATED);
}

static void test_older_is_fail(void **state)
{
    fixture_t *x = *state;
    assert_int_equal(run(x, "0.9.0", 0), OTTER_HTTPS_OTA_FAIL);
    assert_int_equal(otter_update_detail(otter_https_ota_engine(&x->ota))->err, OTTER_ERR_UPD_OLDER);
    assert_true(updfix_unchanged(&x->f));
}

static void test_bad_url_is_err(void **state)
{
    fixture_t *x = *state;
    facade(x);
    assert_true(otter_https_ota_begin(&x->ota, "ftp://x/y", NULL, false) < 0);
    assert_int_equal(otter_https_ota_status(&x->ota), OTTER_HTTPS_OTA_ERR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_up_to_date_is_idle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_is_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_older_is_fail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_url_is_err, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
