/* Polling the signed release index in bounded steps (otter/index_poll.h)
 * against the in-memory server: 200 then 304 with If-None-Match (bytes on
 * the wire), the record stored only after a verified index, replay, expiry
 * and the no-time policy, a forged index, an index too large, a device
 * outside the rollout (no image request), at most one transport read per
 * step, and the whole flow: poll, then the engine installs the release with
 * the index's size and SHA-256, and refuses other bytes before the switch. */
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
#include "otter/index_poll.h"
#include "ramflash.h"
#include "relkey.h"
#include "release.h"
#include "sign.h"
#include "updfix.h"

#define INDEX_URL "http://updates.test/fleet/index"
#define NOW 1796547600 /* 2026-12-06T09:00:00Z; the index expires 2027-01-31 */
#define REC_OFF 0x4000u

static otter_signkey_t KEY_A, KEY_B;
static otter_index_key_t PUB_A, PUB_B;

typedef struct fixture {
    updfix_t u; /* device, memserver, engine */
    ramflash_t rec_flash;
    otter_index_record_t rec;
    uint64_t ms;
    int64_t wall;
    otter_clock_t clock;
    otter_index_poll_t poll;
    otter_index_poll_config_t pcfg;
    uint8_t http_buf[1024];
    uint8_t index_buf[OTTER_INDEX_MAX_SIZE + 1];
    uint8_t *img;
    size_t img_len;
    char index[OTTER_INDEX_MAX_SIZE + 256];
    size_t index_len;
    uint8_t id[6];
} fixture_t;

static uint64_t now_ms(void *ctx)
{
    fixture_t *f = ctx;
    return f->ms++;
}

static int64_t wall(void *ctx)
{
    return ((fixture_t *)ctx)->wall;
}

static int group_setup(void **state)
{
    (void)state;
    return relkey_load(&KEY_A, &PUB_A, "test-p256.pem") || relkey_load(&KEY_B, &PUB_B, "test-p256-b.pem") ? -1 : 0;
}

static int group_teardown(void **state)
{
    (void)state;
    otter_signkey_free(&KEY_A);
    otter_signkey_free(&KEY_B);
    return 0;
}

/* Sign an index offering the fixture's image at `rollout` percent with
 * sequence seq, and publish it at /fleet/index. */
static void publish_with(fixture_t *f, otter_signkey_t *key, unsigned seq, unsigned rollout, const char *expires,
                         const char *extra)
{
    uint8_t d[32];
    char hex[65];
    assert_int_equal(otter_sha256(f->img, f->img_len, d), 0);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    char body[1024];
    snprintf(body, sizeof body,
             "otter-index 1\nseq %u\nexpires %s\n%srelease stable esp32 otter-demo 1.1.0\nsecure 0\nsize %lu\n"
             "sha256 %s\nurl blink-1.1.0.bin\nurl http://mirror.test/fw/blink-1.1.0.bin\nrollout %u\n",
             seq, expires, extra, (unsigned long)f->img_len, hex, rollout);
    assert_int_equal(otter_release_sign(key, body, strlen(body), f->index, sizeof f->index, &f->index_len), 0);
    memserver_route(&f->u.srv, "/fleet/index", (const uint8_t *)f->index, f->index_len);
}

static void publish(fixture_t *f, otter_signkey_t *key, unsigned seq, unsigned rollout, const char *expires)
{
    publish_with(f, key, seq, rollout, expires, "");
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(updfix_setup(&f->u, "min_spiffs"), 0);
    updfix_snapshot(&f->u);
    f->img = updfix_image("1.1.0", 300000, 0, OTTER_CHIP_ESP32, 7, &f->img_len);
    memserver_init(&f->u.srv, f->img, f->img_len); /* every other path: the image */
    assert_int_equal(ramflash_open(&f->rec_flash, NULL, 0x10000, 0xFF, NULL), 0);
    assert_int_equal(otter_index_record_load(&f->rec, &f->rec_flash.flash, REC_OFF), 0);
    f->wall = NOW;
    f->clock.now_ms = now_ms;
    f->clock.wall_time = wall;
    f->clock.ctx = f;
    memcpy(f->id, "\x24\x0a\xc4\x00\x00\x01", 6);
    otter_index_poll_config_t *c = &f->pcfg;
    c->tcp = &f->u.tr;
    c->clock = &f->clock;
    c->record = &f->rec;
    c->flash = &f->rec_flash.flash;
    c->keys = &PUB_A;
    c->n_keys = 1;
    c->device.channel = "stable";
    c->device.chip_id = OTTER_CHIP_ESP32;
    c->device.project = "otter-demo";
    c->device.running_version = "1.0.0";
    c->device.id = f->id;
    c->device.id_len = sizeof f->id;
    c->http_buf = f->http_buf;
    c->http_buf_len = sizeof f->http_buf;
    c->index_buf = f->index_buf;
    c->index_buf_len = sizeof f->index_buf;
    otter_index_poll_init(&f->poll, c);
    publish(f, &KEY_A, 42, 100, "2027-01-31T00:00:00Z");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    otter_index_poll_free(&f->poll);
    ramflash_close(&f->rec_flash);
    updfix_teardown(&f->u);
    free(f->img);
    free(f);
    return 0;
}

/* Run a poll to its end; at most one transport read per step. */
static int poll(fixture_t *f, const char *etag)
{
    otter_index_poll_init(&f->poll, &f->pcfg);
    int ret = otter_index_poll_begin(&f->poll, INDEX_URL, etag);
    if (ret < 0)
        return ret;
    for (int i = 0; i < 1000; i++) {
        int reads = f->u.srv.reads;
        ret = otter_index_poll_step(&f->poll);
        assert_true(f->u.srv.reads - reads <= 1);
        if (ret != OTTER_INDEX_POLL_MORE)
            return ret;
    }
    fail_msg("poll did not end");
    return 0;
}

static void test_200_then_304(void **state)
{
    fixture_t *f = *state;
    f->u.srv.chunk = 300; /* the index comes in several reads, one per step */
    assert_int_equal(poll(f, NULL), 0);
    assert_int_equal(f->poll.result, OTTER_INDEX_POLL_INSTALL);
    assert_int_equal(f->poll.http_status, 200);
    assert_int_equal(f->rec.seq, 42);
    assert_int_equal(f->poll.size, f->img_len);
    assert_true(f->poll.etag[0] == '"');
    char url[256];
    assert_int_equal(otter_index_poll_url(&f->poll, 0, url, sizeof url), (int)strlen("http://updates.test/fleet/blink-1.1.0.bin"));
    assert_string_equal(url, "http://updates.test/fleet/blink-1.1.0.bin");
    assert_true(otter_index_poll_url(&f->poll, 1, url, sizeof url) > 0);
    assert_string_equal(url, "http://mirror.test/fw/blink-1.1.0.bin");
    assert_int_equal(otter_index_poll_url(&f->poll, 2, url, sizeof url), OTTER_ERR_INVAL);
    /* Again with the ETag: 304, a few hundred bytes, no flash. */
    char etag[OTTER_HTTP_ETAG_MAX];
    strcpy(etag, f->poll.etag);
    otter_norsim_stats_t before, after;
    otter_norsim_stats(&f->rec_flash.sim, &before);
    uint64_t head0 = f->u.srv.head_bytes_sent, body0 = f->u.srv.body_bytes_sent;
    assert_int_equal(poll(f, etag), 0);
    assert_int_equal(f->poll.result, OTTER_INDEX_POLL_NOT_MODIFIED);
    assert_int_equal(f->poll.http_status, 304);
    assert_string_equal(f->poll.etag, etag);
    assert_int_equal(f->u.srv.not_modified, 1);
    assert_int_equal(f->u.srv.body_bytes_sent, body0);
    assert_true(f->u.srv.head_bytes_sent - head0 < 400);
    otter_norsim_stats(&f->rec_flash.sim, &after);
    assert_int_equal(after.ops, before.ops);
    /* The same index again without the ETag: verified, nothing written. */
    assert_int_equal(poll(f, NULL), 0);
    assert_int_equal(f->poll.result, OTTER_INDEX_POLL_INSTALL);
    otter_norsim_stats(&f->rec_flash.sim, &after);
    assert_int_equal(after.ops, before.ops);
    /* A new index: a new ETag, so the old one gets a 200. */
    publish(f, &KEY_A, 43, 100, "2027-01-31T00:00:00Z");
    assert_int_equal(poll(f, etag), 0);
    assert_int_equal(f->poll.http_status, 200);
    assert_int_equal(f->rec.seq, 43);
    assert_string_not_equal(f->poll.etag, etag);
}

static void test_replay_refused(void **state)
{
    fixture_t *f = *state;
    publish(f, &KEY_A, 50, 100, "2027-01-31T00:00:00Z");
    assert_int_equal(poll(f, NULL), 0);
    assert_int_equal(f->rec.seq, 50);
    publish(f, &KEY_A, 42, 100, "2027-01-31T00:00:00Z"); /* an old index served again */
    otter_norsim_stats_t before, after;
    otter_norsim_stats(&f->rec_flash.sim, &before);
    assert_int_equal(poll(f, NULL), OTTER_ERR_INDEX_REPLAY);
    assert_int_equal(f->poll.result, OTTER_INDEX_POLL_NONE);
    assert_string_equal(f->poll.etag, "");
    otter_norsim_stats(&f->rec_flash.sim, &after);
    assert_int_equal(after.ops, before.ops);
    /* After a reboot the record still says 50. */
    assert_int_equal(otter_index_record_load(&f->rec, &f->rec_flash.flash, REC_OFF), 0);
    assert_int_equal(f->rec.seq, 50);
}

static void test_expired_and_no_time(void **state)
{
    fixture_t *f = *state;
    f->wall = 1801353600; /* the expiry itself */
    assert_int_equal(poll(f, NULL), OTTER_ERR_INDEX_EXPIRED);
    assert_int_equal(f->rec.seq, 0);
    f->wall = -1; /* no time */
    assert_int_equal(poll(f, NULL), OTTER_ERR_INDEX_NO_TIME);
    assert_int_equal(f->rec.seq, 0);
    f->pcfg.accept_without_time = true;
    assert_int_equal(poll(f, NULL), 0);
    assert_int_equal(f->rec.seq, 42);
}

static void test_forged_and_tampered(void **state)
{
    fixture_t *f = *state;
    publish(f, &KEY_B, 42, 100, "2027-01-31T00:00:00Z");
    assert_int_equal(poll(f, NULL), OTTER_ERR_INDEX_KEY_UNKNOWN);
    publish(f, &KEY_A, 42, 100, "2027-01-31T00:00:00Z");
    char *r = strstr(f->index, "rollout 100");
    assert_non_null(r);
    memcpy(r, "rollout 010", 11); /* still one line of the same length */
    assert_int_equal(poll(f, NULL), OTTER_ERR_INDEX_SIGNATURE);
    assert_int_equal(f->rec.seq, 0);
    assert_int_equal(f->rec.active, -1); /* never written */
}

static void test_too_large(void **state)
{
    fixture_t *f = *state;
    static uint8_t big[OTTER_INDEX_MAX_SIZE + 100];
    memset(big, '#', sizeof big);
    memserver_route(&f->u.srv, "/fleet/index", big, sizeof big);
    assert_int_equal(poll(f, NULL), OTTER_ERR_INDEX_TOO_LARGE);
    assert_int_equal(f->u.srv.body_bytes_sent, 0); /* Content-Length said so */
    f->u.srv.no_length = 1;
    assert_int_equal(poll(f, NULL), OTTER_ERR_INDEX_TOO_LARGE);
    assert_true(f->u.srv.body_bytes_sent <= OTTER_INDEX_MAX_SIZE + 1 + 1460);
}

static void test_not_in_rollout_no_download(void **state)
{
    fixture_t *f = *state;
    publish(f, &KEY_A, 42, 0, "2027-01-31T00:00:00Z");
    assert_int_equal(poll(f, NULL), 0);
    assert_int_equal(f->poll.result, OTTER_INDEX_POLL_NOTHING);
    assert_int_equal(f->poll.decision.reason, OTTER_INDEX_NOT_IN_ROLLOUT);
    assert_int_equal(f->u.srv.requests, 1);
    assert_string_equal(f->u.srv.last_path, "/fleet/index");
    char url[256];
    assert_int_equal(otter_index_poll_url(&f->poll, 0, url, sizeof url), OTTER_ERR_INVAL);
    /* The running version is the release's: up to date. */
    f->pcfg.device.running_version = "1.1.0";
    publish(f, &KEY_A, 43, 100, "2027-01-31T00:00:00Z");
    assert_int_equal(poll(f, NULL), 0);
    assert_int_equal(f->poll.decision.reason, OTTER_INDEX_UP_TO_DATE);
}

/* Poll, then install with the engine under the index's size and SHA-256. */
static int install(fixture_t *f)
{
    char url[256];
    assert_int_equal(otter_index_poll_url(&f->poll, 0, url, sizeof url) > 0, 1);
    updfix_engine(&f->u);
    f->u.cfg.policy.expect_size = f->poll.size;
    f->u.cfg.policy.expect_sha256 = f->poll.sha256;
    otter_update_init(&f->u.up, &f->u.cfg);
    return updfix_run(&f->u, url, 0);
}

static void test_whole_flow_installs(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(poll(f, NULL), 0);
    assert_int_equal(f->poll.result, OTTER_INDEX_POLL_INSTALL);
    assert_int_equal(install(f), 0);
    assert_string_equal(f->u.srv.last_path, "/fleet/blink-1.1.0.bin");
    assert_int_equal(updfix_reboot(&f->u), 0);
    assert_int_equal(f->u.dev.res.slot, OTTER_PT_SUBTYPE_OTA(1));
    assert_string_equal(f->u.dev.app.version, "1.1.0");
}

/* The CDN serves something else under the release's URL: a valid app of
 * the same size (refused after the download) or another size (refused at
 * the response head); either way before the switch. */
static void test_whole_flow_cdn_serves_other_bytes(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(poll(f, NULL), 0);
    size_t ol;
    uint8_t *other = updfix_image("1.1.0", 300000, 0, OTTER_CHIP_ESP32, 99, &ol);
    assert_int_equal(ol, f->img_len);
    memserver_route(&f->u.srv, "/fleet/blink-1.1.0.bin", other, ol);
    assert_int_equal(install(f), OTTER_ERR_UPD_DIGEST_MISMATCH);
    assert_true(updfix_unchanged(&f->u));
    size_t sl;
    uint8_t *shorter = updfix_image("1.1.0", 100000, 0, OTTER_CHIP_ESP32, 7, &sl);
    memserver_route(&f->u.srv, "/fleet/blink-1.1.0.bin", shorter, sl);
    assert_int_equal(install(f), OTTER_ERR_UPD_SIZE_MISMATCH);
    assert_true(updfix_unchanged(&f->u));
    assert_int_equal(updfix_reboot(&f->u), 0);
    assert_int_equal(f->u.dev.res.slot, OTTER_PT_SUBTYPE_OTA_0);
    assert_string_equal(f->u.dev.app.version, "1.0.0");
    free(other);
    free(shorter);
}

/* An index with a new trust set: its roots bundle is fetched (URL relative
 * to the index), checked and put in force; a bundle of other bytes is
 * refused and the provisioned set stays. */
static void test_trust_set_applied(void **state)
{
    fixture_t *f = *state;
    static uint8_t bundle[3000], other[3000];
    for (size_t i = 0; i < sizeof bundle; i++) {
        bundle[i] = (uint8_t)(i * 7u + 1u);
        other[i] = (uint8_t)(i * 7u + 2u);
    }
    uint8_t d[32];
    char extra[400], hex[65];
    assert_int_equal(otter_sha256(bundle, sizeof bundle, d), 0);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    snprintf(extra, sizeof extra, "trust 1\npin %s\nroots %u %s roots-1.der\n", hex, (unsigned)sizeof bundle, hex);
    otter_trust_store_t ts = {&f->rec_flash.flash, 0x8000, 0x2000};
    f->pcfg.trust = &ts;
    publish_with(f, &KEY_A, 42, 100, "2027-01-31T00:00:00Z", extra);
    memserver_route(&f->u.srv, "/fleet/roots-1.der", other, sizeof other);
    assert_int_equal(poll(f, NULL), OTTER_ERR_UPD_DIGEST_MISMATCH);
    assert_false(f->poll.trust_applied);
    assert_int_equal(f->rec.trust_gen, 0);
    assert_int_equal(f->rec.seq, 42); /* the index itself was good */
    memserver_route(&f->u.srv, "/fleet/roots-1.der", bundle, sizeof bundle);
    assert_int_equal(poll(f, NULL), 0);
    assert_true(f->poll.trust_applied);
    assert_int_equal(f->poll.result, OTTER_INDEX_POLL_INSTALL);
    assert_string_equal(f->u.srv.last_path, "/fleet/roots-1.der");
    otter_index_record_t back;
    assert_int_equal(otter_index_record_load(&back, &f->rec_flash.flash, REC_OFF), 0);
    assert_int_equal(back.trust_gen, 1);
    otter_trust_set_t t;
    uint8_t work[128];
    assert_int_equal(otter_trust_load(&ts, &back, &t, work, sizeof work), 0);
    assert_int_equal(t.n_pins, 1);
    assert_memory_equal(t.pins[0], d, 32);
    assert_int_equal(t.roots_len, sizeof bundle);
    assert_memory_equal(f->rec_flash.mem + t.roots_addr, bundle, sizeof bundle);
    /* Polled again: in force already, nothing fetched or written. */
    int requests = f->u.srv.requests;
    assert_int_equal(poll(f, NULL), 0);
    assert_false(f->poll.trust_applied);
    assert_int_equal(f->u.srv.requests, requests + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_200_then_304, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replay_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_and_no_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_and_tampered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_in_rollout_no_download, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whole_flow_installs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whole_flow_cdn_serves_other_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trust_set_applied, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
