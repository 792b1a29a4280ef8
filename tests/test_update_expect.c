/* The update engine with the size and SHA-256 a release index names
 * (otter_update_policy_t.expect_size, .expect_sha256): whatever the server
 * or CDN serves, the device switches only to the file the index was signed
 * for. Every refusal leaves the running slot and otadata byte-identical and
 * the old app booting; the right bytes still install, also across network
 * cuts, a server that ignores Range, a file changed mid-download and a
 * power cut resumed from the journal (the hash covers the re-hashed part). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otter/crypto.h"
#include "otter/error.h"
#include "otter/otadata.h"
#include "updfix.h"

#define URL "http://updates.test/app.bin"

static int setup(void **state)
{
    updfix_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(updfix_setup(f, "min_spiffs"), 0);
    updfix_snapshot(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    updfix_t *f = *state;
    updfix_teardown(f);
    free(f);
    return 0;
}

/* The index's view of file: its size and SHA-256, into the policy. */
static void expect_file(updfix_t *f, const uint8_t *file, size_t len, uint8_t digest[32])
{
    assert_int_equal(otter_sha256(file, len, digest), 0);
    f->cfg.policy.expect_size = (uint32_t)len;
    f->cfg.policy.expect_sha256 = digest;
    otter_update_init(&f->up, &f->cfg);
}

static void assert_untouched(updfix_t *f)
{
    assert_true(updfix_unchanged(f));
    assert_int_equal(otter_update_status(&f->up)->outcome, OTTER_UPDATE_OUTCOME_FAILED);
    assert_int_equal(f->events[OTTER_UPDATE_EV_SWITCHED], 0);
    assert_int_equal(updfix_reboot(f), 0);
    assert_int_equal(f->dev.res.slot, OTTER_PT_SUBTYPE_OTA_0);
    assert_string_equal(f->dev.app.version, "1.0.0");
    assert_true(updfix_unchanged(f));
}

static void assert_updated(updfix_t *f, const uint8_t *img, size_t len, const char *version)
{
    assert_int_equal(otter_update_status(&f->up)->outcome, OTTER_UPDATE_OUTCOME_UPDATED);
    const otter_partition_t *p = otter_ptable_app(&f->dev.pt, OTTER_PT_SUBTYPE_OTA(1));
    assert_memory_equal(otter_norsim_data(&f->dev.sim) + p->offset, img, len);
    assert_int_equal(updfix_reboot(f), 0);
    assert_int_equal(f->dev.res.slot, OTTER_PT_SUBTYPE_OTA(1));
    assert_string_equal(f->dev.app.version, version);
}

static void assert_words(updfix_t *f, const char *want)
{
    char words[768];
    otter_update_diagnose(&f->up, words, sizeof words);
    if (!strstr(words, want) || !strstr(words, "running app and otadata are unchanged"))
        fail_msg("diagnosis lacks \"%s\": %s", want, words);
}

/* The index names A (app 1.1.0, 300,000 bytes, seed 7); the server serves
 * B (app 1.1.0 of b_size bytes, seed b_seed), with or without a
 * Content-Length. Returns what the update returned; *la gets A's length. */
static int index_names_a_server_sends_b(updfix_t *f, uint32_t b_size, uint32_t b_seed, int no_length, size_t *la)
{
    size_t lb;
    uint8_t *a = updfix_image("1.1.0", 300000, 0, OTTER_CHIP_ESP32, 7, la);
    uint8_t *b = updfix_image("1.1.0", b_size, 0, OTTER_CHIP_ESP32, b_seed, &lb);
    assert_true(lb != *la || memcmp(a, b, lb) != 0);
    uint8_t digest[32];
    expect_file(f, a, *la, digest);
    memserver_init(&f->srv, b, lb);
    f->srv.no_length = no_length;
    int ret = updfix_run(f, URL, 0);
    f->cfg.policy.expect_sha256 = NULL; /* digest ends here; the run's detail keeps its words */
    free(a);
    free(b);
    return ret;
}

/* A valid newer app of exactly the same length: downloaded, then refused
 * before the first byte and the otadata switch. */
static void test_other_bytes_refused(void **state)
{
    updfix_t *f = *state;
    size_t la;
    assert_int_equal(index_names_a_server_sends_b(f, 300000, 8, 0, &la), OTTER_ERR_UPD_DIGEST_MISMATCH);
    assert_int_equal(otter_update_detail(&f->up)->phase, OTTER_UPDATE_PHASE_VERIFY);
    assert_int_equal(f->events[OTTER_UPDATE_EV_VERIFIED], 0);
    assert_non_null(strstr(otter_update_detail(&f->up)->expected, "(release index)"));
    assert_words(f, "serves a file other than the one the signed release index names");
    /* The slot's first byte was held back: what is there never boots. */
    const otter_partition_t *p = otter_ptable_app(&f->dev.pt, OTTER_PT_SUBTYPE_OTA(1));
    assert_int_equal(otter_norsim_data(&f->dev.sim)[p->offset], 0xFF);
    assert_untouched(f);
}

/* A different length in the response head: refused before any flash
 * operation. */
static void test_other_size_refused_early(void **state)
{
    updfix_t *f = *state;
    size_t la;
    otter_norsim_stats_t before, after;
    otter_norsim_stats(&f->dev.sim, &before);
    assert_int_equal(index_names_a_server_sends_b(f, 200000, 7, 0, &la), OTTER_ERR_UPD_SIZE_MISMATCH);
    otter_norsim_stats(&f->dev.sim, &after);
    assert_int_equal(after.ops, before.ops);
    assert_int_equal(f->srv.body_bytes_sent < 4096, 1);
    assert_words(f, "release index");
    assert_untouched(f);
}

/* No Content-Length: the size is known only at the end of the body. */
static void test_other_size_no_length(void **state)
{
    updfix_t *f = *state;
    size_t la;
    assert_int_equal(index_names_a_server_sends_b(f, 200000, 7, 1, &la), OTTER_ERR_UPD_SIZE_MISMATCH);
    char want[64];
    snprintf(want, sizeof want, "%zu bytes (release index)", la);
    assert_string_equal(otter_update_detail(&f->up)->expected, want);
    assert_untouched(f);
}

/* The size alone (no digest named) is checked too. */
static void test_size_only(void **state)
{
    updfix_t *f = *state;
    size_t la;
    uint8_t *a = updfix_image("1.1.0", 300000, 0, OTTER_CHIP_ESP32, 7, &la);
    f->cfg.policy.expect_size = (uint32_t)la + 16u;
    otter_update_init(&f->up, &f->cfg);
    memserver_init(&f->srv, a, la);
    assert_int_equal(updfix_run(f, URL, 0), OTTER_ERR_UPD_SIZE_MISMATCH);
    assert_untouched(f);
    free(a);
}

static void test_right_bytes_switch(void **state)
{
    updfix_t *f = *state;
    size_t la;
    uint8_t *a = updfix_image("1.1.0", 300000, 0, OTTER_CHIP_ESP32, 7, &la);
    uint8_t digest[32];
    expect_file(f, a, la, digest);
    memserver_init(&f->srv, a, la);
    assert_int_equal(updfix_run(f, URL, 0), 0);
    assert_int_equal(f->events[OTTER_UPDATE_EV_SWITCHED], 1);
    assert_updated(f, a, la, "1.1.0");
    free(a);
}

/* Cuts resumed with Range, and a server that ignores Range (the whole file
 * again, the known part dropped): every byte is hashed once. */
static void test_right_bytes_across_cuts(void **state)
{
    updfix_t *f = *state;
    size_t la;
    uint8_t *a = updfix_image("1.3.0", 300000, 0, OTTER_CHIP_ESP32, 9, &la);
    uint8_t digest[32];
    expect_file(f, a, la, digest);
    memserver_init(&f->srv, a, la);
    f->srv.chunk = 1000;
    f->srv.cut_at = 4097;
    f->srv.stall_at = 150001;
    f->srv.ignore_range = 1;
    assert_int_equal(updfix_run(f, URL, 0), 0);
    assert_true(otter_update_status(&f->up)->resumes >= 2);
    assert_updated(f, a, la, "1.3.0");
    free(a);
}

/* The file changes on the server mid-download (new ETag): the engine starts
 * over, and the hash with it; the index names the new file. */
static void test_file_changes_mid_download(void **state)
{
    updfix_t *f = *state;
    size_t la, lb;
    uint8_t *a = updfix_image("1.3.0", 300000, 0, OTTER_CHIP_ESP32, 9, &la);
    uint8_t *b = updfix_image("1.3.1", 300000, 0, OTTER_CHIP_ESP32, 10, &lb);
    uint8_t digest[32];
    expect_file(f, b, lb, digest);
    memserver_init(&f->srv, a, la);
    f->srv.file2 = b;
    f->srv.file2_len = lb;
    f->srv.switch_after = 1;
    f->srv.cut_at = 50000;
    assert_int_equal(updfix_run(f, URL, 0), 0);
    assert_true(otter_update_status(&f->up)->restarts >= 1);
    assert_updated(f, b, lb, "1.3.1");
    free(a);
    free(b);
}

/* A power cut mid-download; after the reboot the journal's sectors are
 * re-read from flash and re-hashed, the rest downloaded: the right bytes
 * install (so the re-hashed part is in the hash), and when the index now
 * names another file of that size the download is refused. */
static void resume_after_power_cut(updfix_t *f, bool tamper)
{
    size_t la;
    uint8_t *a = updfix_image("1.5.0", 300000, 0, OTTER_CHIP_ESP32, 12, &la);
    uint8_t digest[32];
    expect_file(f, a, la, digest);
    memserver_init(&f->srv, a, la);
    otter_norsim_cut_after(&f->dev.sim, 150);
    assert_int_equal(updfix_run(f, URL, 0), OTTER_ERR_FLASH_POWER_LOSS);
    uint32_t done = otter_update_status(&f->up)->done;
    assert_true(done > 16384);
    assert_int_equal(updfix_reboot(f), 0);
    assert_true(updfix_unchanged(f));
    updfix_engine(f);
    expect_file(f, a, la, digest);
    if (tamper)
        digest[31] ^= 0x01; /* a new index names another file of that size */
    int ret = updfix_run(f, URL, 0);
    assert_true(otter_update_status(&f->up)->resumed_from_journal);
    if (tamper) {
        assert_int_equal(ret, OTTER_ERR_UPD_DIGEST_MISMATCH);
        assert_untouched(f);
    } else {
        assert_int_equal(ret, 0);
        assert_updated(f, a, la, "1.5.0");
    }
    free(a);
}

static void test_power_cut_resume_right_bytes(void **state)
{
    resume_after_power_cut(*state, false);
}

static void test_power_cut_resume_other_bytes(void **state)
{
    resume_after_power_cut(*state, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_other_bytes_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_size_refused_early, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_size_no_length, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_right_bytes_switch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_right_bytes_across_cuts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_changes_mid_download, setup, teardown),
        cmocka_unit_test_setup_teardown(test_power_cut_resume_right_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_power_cut_resume_other_bytes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
