/* Fuzz target: the release index parser, signature check, decision (and
 * its words), canonical writer, and the index record's decoder. Invariants
 * (abort when broken): an index that parses writes back to exactly its input
 * bytes (one way to write each field); open never succeeds without a
 * signature by the one key it is given; a decision names a release of the
 * right channel, chip and project, and INSTALL only inside the rollout. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otter/error.h"
#include "otter/image.h"
#include "otter/index.h"
#include "otter/index_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decide(const otter_index_t *idx, const char *channel, const char *running)
{
    static const uint8_t id[6] = {0x24, 0x0a, 0xc4, 0, 0, 1};
    otter_index_device_t d = {channel, OTTER_CHIP_ESP32, "blink", running, 1, id, sizeof id};
    otter_index_decision_t dec;
    if (otter_index_decide(idx, &d, &dec) != 0)
        abort();
    if (dec.release >= (int)idx->n_releases || (dec.reason == OTTER_INDEX_INSTALL && dec.release < 0))
        abort();
    char why[160];
    size_t n = otter_index_explain(idx, &d, &dec, why, sizeof why);
    if (n >= sizeof why || why[n] != 0 || strlen(why) != n)
        abort();
    if (dec.release >= 0) {
        const otter_index_release_t *r = &idx->release[dec.release];
        if (r->chip_id != OTTER_CHIP_ESP32 || r->project.len != 5 || memcmp(r->project.p, "blink", 5) != 0 ||
            r->channel.len != strlen(channel) || memcmp(r->channel.p, channel, r->channel.len) != 0)
            abort();
        if (dec.reason == OTTER_INDEX_INSTALL && !otter_index_in_rollout(dec.bucket, r->rollout))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char out[OTTER_INDEX_MAX_SIZE]; /* fuzz harness only */
    otter_index_t idx;
    for (int need_sig = 0; need_sig < 2; need_sig++) {
        if (otter_index_parse(&idx, data, size, need_sig) != 0)
            continue;
        if (need_sig && !idx.has_sig)
            abort();
        size_t n = 0;
        if (otter_index_write(&idx, out, sizeof out, &n) != 0 || n != size || memcmp(out, data, size) != 0)
            abort();
        decide(&idx, "stable", "1.0.0");
        decide(&idx, "beta", "2.0.0-rc.1");
    }
    /* A key no fuzzer input is signed by: the base point of P-256, X and Y
     * little-endian. */
    static const otter_index_key_t key = {{
        0x96, 0xc2, 0x98, 0xd8, 0x45, 0x39, 0xa1, 0xf4, 0xa0, 0x33, 0xeb, 0x2d, 0x81, 0x7d, 0x03, 0x77,
        0xf2, 0x40, 0xa4, 0x63, 0xe5, 0xe6, 0xbc, 0xf8, 0x47, 0x42, 0x2c, 0xe1, 0xf2, 0xd1, 0x17, 0x6b,
        0xf5, 0x51, 0xbf, 0x37, 0x68, 0x40, 0xb6, 0xcb, 0xce, 0x5e, 0x31, 0x6b, 0x57, 0x33, 0xce, 0x2b,
        0x16, 0x9e, 0x0f, 0x7c, 0x4a, 0xeb, 0x7e, 0x8e, 0x9b, 0x7f, 0x1a, 0xfe, 0xe2, 0x42, 0xe3, 0x4f,
    }};
    otter_index_check_t chk = {&key, 1, 0, 1800000000, false};
    int ret = otter_index_open(&idx, data, size, &chk);
    if (ret == 0 || !(OTTER_ERR_IS_INDEX(ret) || ret == OTTER_ERR_CRYPTO))
        abort();
    if (size >= OTTER_INDEX_RECORD_SIZE) {
        otter_index_record_t rec;
        uint32_t counter;
        if (otter_index_record_decode(&rec, &counter, data) == 0 && rec.n_keys > OTTER_INDEX_MAX_KEYS)
            abort();
    }
    return 0;
}
