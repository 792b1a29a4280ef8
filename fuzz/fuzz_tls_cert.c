/* Fuzz target: describing arbitrary DER certificates and formatting the TLS
 * handshake report (otter_tls_cert_info_der, otter_tls_explain,
 * otter_tls_report_text / _json), plus the PEM iterator and the pin parser
 * on the same bytes. Input: 16 header bytes (0: output buffer size / 8, 0 =
 * 8192; 1: chain count (bits 0-2), anchor (0x08), resumed (0x10), verified
 * (0x20), pin matched (0x40); 2-5 verify flags LE; 6-9 mbedTLS error LE;
 * 10-11 alert LE; 12-15 result LE), then the certificate. Aborts when the
 * snprintf-like buffer contract breaks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otter/error.h"
#include "otter/host/tls_report.h"
#include "otter/tls.h"
#include "otter/tls_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

typedef size_t (*fmt_fn)(const otter_tls_report_t *r, char *buf, size_t len);

static char out[8192 + 1];

static void check_fmt(fmt_fn fn, const otter_tls_report_t *r, size_t len)
{
    memset(out, 'x', sizeof out);
    size_t need = fn(r, out, len);
    size_t got = strnlen(out, sizeof out);
    if (out[len] != 'x' || got >= len || (need < len && got != need) ||
        (need >= len && got != len - 1))
        abort();
    if (fn(r, NULL, 0) != need)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t der[4096];
    size_t pos = 0, der_len = 0;
    for (int n = 0; n < 64; n++) {
        int r = otter_tls_pem_next(data, size, &pos, der, sizeof der, &der_len);
        if (r != 1) {
            if (r != 0 && r != OTTER_ERR_TLS_CONFIG && r != OTTER_ERR_BUF_TOO_SMALL)
                abort();
            break;
        }
        if (der_len > sizeof der || pos > size)
            abort();
    }
    uint8_t pin[32];
    int pr = otter_tls_pin_parse((const char *)data, size, pin);
    if (pr != 0 && pr != OTTER_ERR_TLS_CONFIG)
        abort();
    if (size < 16)
        return 0;
    otter_tls_cert_info_t info;
    int err = 0;
    int r = otter_tls_cert_info_der(data + 16, size - 16, &info, &err);
    if (r != 0 && r != OTTER_ERR_TLS_CONFIG)
        abort();
    if (r != 0)
        return 0;
    static otter_tls_report_t rep;
    otter_tls_report_init(&rep);
    memcpy(rep.host, "fuzz.example", 13);
    rep.port = 443;
    rep.flags = rd32(data + 2);
    rep.backend_err = (int)rd32(data + 6);
    rep.alert = (int16_t)(data[10] | data[11] << 8);
    rep.result = (int)rd32(data + 12);
    rep.now = 1780272000;
    rep.resumed = (data[1] & 0x10) != 0;
    rep.verified = (data[1] & 0x20) != 0;
    rep.pin_matched = (data[1] & 0x40) != 0;
    info.flags = rep.flags;
    rep.chain_count = (uint8_t)(data[1] & 7);
    if (rep.chain_count > OTTER_TLS_REPORT_MAX_CERTS)
        rep.chain_count = OTTER_TLS_REPORT_MAX_CERTS;
    rep.chain_total = (uint8_t)(rep.chain_count + (data[1] >> 7));
    for (unsigned i = 0; i < rep.chain_count; i++)
        rep.chain[i] = info;
    if (data[1] & 0x08) {
        rep.has_anchor = 1;
        rep.anchor = info;
    }
    memcpy(rep.chain_end, info.issuer_name, sizeof rep.chain_end);
    memcpy(rep.trust_first, info.name, sizeof rep.trust_first);
    rep.trust_ca_count = 1;
    size_t len = data[0] ? (size_t)data[0] * 8 : 8192;
    check_fmt(otter_tls_explain, &rep, len);
    check_fmt(otter_tls_report_text, &rep, len);
    check_fmt(otter_tls_report_json, &rep, len);
    return 0;
}
