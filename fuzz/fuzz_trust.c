/* Fuzz target: trust input otter parses itself and the report formatters.
 * The input is used four ways: as a PEM bundle (split with two buffer
 * sizes, each decoded DER described, its names listed and checked against
 * a host name through the public API), as a pin, and,
 * copied over a report struct, as a report to explain / print as text and
 * JSON. Aborts when an invariant breaks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otter/error.h"
#include "otter/host/tls_report.h"
#include "otter/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void split(const uint8_t *data, size_t size, size_t cap)
{
    uint8_t der[4096];
    size_t pos = 0, n = 0;
    int r;
    while ((r = otter_tls_pem_next(data, size, &pos, der, cap, &n)) == 1) {
        if (n == 0 || n > cap || pos > size) {
            abort();
        }
        otter_tls_cert_info_t info;
        char names[OTTER_TLS_HOST_MAX];
        if (otter_tls_cert_info_der(der, n, &info, NULL) == OTTER_OK) {
            if (otter_tls_cert_names_der(der, n, names, sizeof names) != OTTER_OK ||
                strlen(info.subject) >= sizeof info.subject || strlen(names) >= sizeof names) {
                abort();
            }
            int h = otter_tls_cert_check_host(der, n, "a.example.com");
            if (h != 0 && h != 1) {
                abort();
            }
        }
    }
    if (r == 0 && pos != size) {
        abort();
    }
    if (r != 0 && r != OTTER_ERR_TLS_CONFIG && r != OTTER_ERR_BUF_TOO_SMALL) {
        abort();
    }
}

static void report(const uint8_t *data, size_t size)
{
    static otter_tls_report_t r;
    static char out[16384];
    otter_tls_report_init(&r);
    memcpy(&r, data, size < sizeof r ? size : sizeof r);
    /* Strings in a report are always terminated; counts within bounds. */
    r.host[sizeof r.host - 1] = r.version[sizeof r.version - 1] = '\0';
    r.cipher[sizeof r.cipher - 1] = r.alpn[sizeof r.alpn - 1] = '\0';
    r.trust_first[sizeof r.trust_first - 1] = r.leaf_names[sizeof r.leaf_names - 1] = '\0';
    r.chain_end[sizeof r.chain_end - 1] = '\0';
    r.chain_count %= OTTER_TLS_REPORT_MAX_CERTS + 1;
    for (size_t i = 0; i <= OTTER_TLS_REPORT_MAX_CERTS; i++) {
        otter_tls_cert_info_t *c = i < OTTER_TLS_REPORT_MAX_CERTS ? &r.chain[i] : &r.anchor;
        c->subject[sizeof c->subject - 1] = c->issuer[sizeof c->issuer - 1] = '\0';
        c->name[sizeof c->name - 1] = c->issuer_name[sizeof c->issuer_name - 1] = '\0';
    }
    size_t small = size % 64;
    size_t n = otter_tls_explain(&r, out, small);
    if (small && strlen(out) >= small) {
        abort();
    }
    n = otter_tls_explain(&r, out, sizeof out);
    if (n < sizeof out && strlen(out) != n) {
        abort();
    }
    otter_tls_report_text(&r, out, sizeof out);
    otter_tls_report_json(&r, out, sizeof out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t pin[32];
    split(data, size, 4096);
    split(data, size, 300);
    int r = otter_tls_pin_parse((const char *)data, size, pin);
    if (r != OTTER_OK && r != OTTER_ERR_TLS_CONFIG) {
        abort();
    }
    report(data, size);
    return 0;
}
