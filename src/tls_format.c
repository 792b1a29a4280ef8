/* A handshake report as text and as JSON, into caller buffers (no snprintf,
 * no allocation: devices can log it too). */
#include <string.h>

#include "otter/error.h"
#include "otter/host/tls_report.h"
#include "otter/tls_report.h"
#include "tls_priv.h"

void otter_tls_report_init(otter_tls_report_t *r)
{
    memset(r, 0, sizeof *r);
    r->alert = -1;
    r->now = -1;
}

static const char *key_name(uint8_t t)
{
    return t == OTTER_TLS_KEY_RSA ? "RSA" : t == OTTER_TLS_KEY_EC ? "EC" : "unknown";
}

static void put_date(otter_sb_t *sb, int64_t t)
{
    char d[11];
    otter_tls_date(t, d);
    otter_sb_put(sb, d);
}

static void put_flag_words(otter_sb_t *sb, uint32_t flags, const char *sep)
{
    int first = 1;
    for (uint32_t bit = 1; bit; bit <<= 1) {
        if (flags & bit) {
            otter_sb_put(sb, first ? "" : sep);
            otter_sb_put(sb, otter_tls_flag_text(bit));
            first = 0;
        }
    }
}

static void text_cert(otter_sb_t *sb, const otter_tls_report_t *r, const otter_tls_cert_info_t *c,
                      const char *label)
{
    otter_sb_put(sb, label);
    otter_sb_put(sb, "  subject: ");
    otter_sb_put(sb, c->subject);
    otter_sb_put(sb, "\n    issuer:  ");
    otter_sb_put(sb, c->issuer);
    otter_sb_put(sb, "\n    valid:   ");
    put_date(sb, c->not_before);
    otter_sb_put(sb, " to ");
    put_date(sb, c->not_after);
    if (r->now >= 0) {
        /* now >= 0: the difference overflows only below INT64_MIN + now. */
        int64_t left = c->not_after >= INT64_MIN + r->now ? c->not_after - r->now : INT64_MIN;
        int64_t days = left / 86400;
        otter_sb_put(sb, days >= 0 ? " (" : " (expired ");
        otter_sb_dec(sb, days >= 0 ? days : -days);
        otter_sb_put(sb, days >= 0 ? " days left)" : " days ago)");
    }
    otter_sb_put(sb, "\n    key:     ");
    otter_sb_put(sb, key_name(c->key_type));
    otter_sb_putc(sb, ' ');
    otter_sb_dec(sb, c->key_bits);
    otter_sb_put(sb, " bits\n    spki sha256: ");
    otter_sb_hex(sb, c->spki_sha256, 32);
    otter_sb_put(sb, c->is_ca ? "\n    CA" : "\n    leaf");
    if (c->is_ca && c->path_len >= 0) {
        otter_sb_put(sb, " (pathlen ");
        otter_sb_dec(sb, c->path_len);
        otter_sb_putc(sb, ')');
    }
    otter_sb_put(sb, c->self_signed ? ", self-signed" : "");
    otter_sb_put(sb, c->pinned ? ", matches a pin" : "");
    if (c->flags) {
        otter_sb_put(sb, "\n    problems: ");
        put_flag_words(sb, c->flags, "; ");
    }
    otter_sb_putc(sb, '\n');
}

size_t otter_tls_report_text(const otter_tls_report_t *r, char *buf, size_t len)
{
    otter_sb_t sb;
    otter_sb_init(&sb, buf, len);
    otter_sb_put(&sb, "host: ");
    otter_sb_put(&sb, r->host);
    otter_sb_putc(&sb, ':');
    otter_sb_dec(&sb, r->port);
    otter_sb_put(&sb, "\nresult: ");
    otter_sb_put(&sb, otter_errname(r->result));
    if (r->version[0]) {
        otter_sb_put(&sb, "\nprotocol: ");
        otter_sb_put(&sb, r->version);
        otter_sb_put(&sb, " ");
        otter_sb_put(&sb, r->cipher);
        otter_sb_put(&sb, r->alpn[0] ? " alpn=" : "");
        otter_sb_put(&sb, r->alpn);
        otter_sb_put(&sb, r->resumed ? " (resumed)" : "");
    }
    if (r->max_fragment_len) {
        otter_sb_put(&sb, "\nmax fragment length: ");
        otter_sb_dec(&sb, r->max_fragment_len);
        otter_sb_put(&sb, r->max_fragment_answer == OTTER_TLS_MFL_HONOURED  ? " requested, honoured by the server"
                          : r->max_fragment_answer == OTTER_TLS_MFL_IGNORED ? " requested, ignored by the server "
                                                                              "(records of up to 16 KB)"
                                                                            : " requested, no answer read");
    }
    if (r->hostname_check_skipped) {
        otter_sb_put(&sb, "\nWARNING: host name check SKIPPED");
    }
    otter_sb_put(&sb, "\nchain sent by the server: ");
    otter_sb_dec(&sb, r->chain_total);
    otter_sb_put(&sb, r->chain_total == 1 ? " certificate\n" : " certificates\n");
    for (size_t i = 0; i < r->chain_count; i++) {
        char label[8] = "[ ]";
        label[1] = (char)('0' + i % 10);
        text_cert(&sb, r, &r->chain[i], label);
    }
    if (r->has_anchor) {
        text_cert(&sb, r, &r->anchor, "[trusted CA]");
    }
    return sb.len;
}

static void json_str(otter_sb_t *sb, const char *s)
{
    otter_sb_putc(sb, '"');
    sb->json = 1;
    otter_sb_put(sb, s);
    sb->json = 0;
    otter_sb_putc(sb, '"');
}

static void json_key(otter_sb_t *sb, const char *k)
{
    otter_sb_putc(sb, '"');
    otter_sb_put(sb, k);
    otter_sb_put(sb, "\":");
}

static void json_kv_str(otter_sb_t *sb, const char *k, const char *v)
{
    json_key(sb, k);
    json_str(sb, v);
    otter_sb_putc(sb, ',');
}

static void json_kv_int(otter_sb_t *sb, const char *k, int64_t v)
{
    json_key(sb, k);
    otter_sb_dec(sb, v);
    otter_sb_putc(sb, ',');
}

static void json_kv_bool(otter_sb_t *sb, const char *k, int v)
{
    json_key(sb, k);
    otter_sb_put(sb, v ? "true," : "false,");
}

static void json_cert(otter_sb_t *sb, const otter_tls_cert_info_t *c)
{
    char d[11];
    otter_sb_putc(sb, '{');
    json_kv_str(sb, "subject", c->subject);
    json_kv_str(sb, "issuer", c->issuer);
    json_kv_str(sb, "name", c->name);
    json_kv_str(sb, "issuer_name", c->issuer_name);
    otter_tls_date(c->not_before, d);
    json_kv_str(sb, "not_before", d);
    otter_tls_date(c->not_after, d);
    json_kv_str(sb, "not_after", d);
    json_kv_str(sb, "key_type", key_name(c->key_type));
    json_kv_int(sb, "key_bits", c->key_bits);
    json_key(sb, "spki_sha256");
    otter_sb_putc(sb, '"');
    otter_sb_hex(sb, c->spki_sha256, 32);
    otter_sb_put(sb, "\",");
    json_kv_bool(sb, "ca", c->is_ca);
    json_kv_int(sb, "path_len", c->path_len);
    json_kv_bool(sb, "self_signed", c->self_signed);
    json_kv_bool(sb, "pinned", c->pinned);
    json_kv_bool(sb, "in_path", c->in_path);
    json_key(sb, "problems");
    otter_sb_putc(sb, '[');
    int first = 1;
    for (uint32_t bit = 1; bit; bit <<= 1) {
        if (c->flags & bit) {
            otter_sb_put(sb, first ? "" : ",");
            json_str(sb, otter_tls_flag_text(bit));
            first = 0;
        }
    }
    otter_sb_put(sb, "],");
    json_key(sb, "flags");
    otter_sb_dec(sb, c->flags);
    otter_sb_putc(sb, '}');
}

static void json_explain(otter_sb_t *sb, const otter_tls_report_t *r)
{
    json_key(sb, "explain");
    otter_sb_putc(sb, '"');
    sb->json = 1;
    otter_tls_explain_sb(sb, r);
    sb->json = 0;
    otter_sb_putc(sb, '"');
}

size_t otter_tls_report_json(const otter_tls_report_t *r, char *buf, size_t len)
{
    otter_sb_t sb;
    otter_sb_init(&sb, buf, len);
    otter_sb_putc(&sb, '{');
    json_kv_str(&sb, "host", r->host);
    json_kv_int(&sb, "port", r->port);
    json_kv_int(&sb, "result", r->result);
    json_kv_str(&sb, "error", otter_errname(r->result));
    json_kv_int(&sb, "backend_err", r->backend_err);
    json_kv_str(&sb, "backend_err_name", r->backend_err ? otter_tls_backend_errname(r->backend_err) : "");
    json_kv_int(&sb, "alert", r->alert);
    json_kv_int(&sb, "flags", r->flags);
    json_kv_bool(&sb, "verified", r->verified);
    json_kv_bool(&sb, "resumed", r->resumed);
    json_kv_bool(&sb, "hostname_check_skipped", r->hostname_check_skipped);
    json_kv_bool(&sb, "pin_matched", r->pin_matched);
    json_kv_str(&sb, "version", r->version);
    json_kv_str(&sb, "cipher", r->cipher);
    json_kv_str(&sb, "alpn", r->alpn);
    json_kv_int(&sb, "max_fragment_len", r->max_fragment_len);
    json_kv_str(&sb, "max_fragment_answer",
                r->max_fragment_answer == OTTER_TLS_MFL_HONOURED  ? "honoured"
                : r->max_fragment_answer == OTTER_TLS_MFL_IGNORED ? "ignored"
                                                                  : "");
    json_kv_int(&sb, "now", r->now);
    json_kv_int(&sb, "chain_total", r->chain_total);
    json_key(&sb, "chain");
    otter_sb_putc(&sb, '[');
    for (size_t i = 0; i < r->chain_count; i++) {
        otter_sb_put(&sb, i ? "," : "");
        json_cert(&sb, &r->chain[i]);
    }
    otter_sb_put(&sb, "],");
    json_key(&sb, "anchor");
    if (r->has_anchor) {
        json_cert(&sb, &r->anchor);
    } else {
        otter_sb_put(&sb, "null");
    }
    otter_sb_putc(&sb, ',');
    json_kv_str(&sb, "chain_end", r->chain_end);
    json_kv_bool(&sb, "chain_end_in_bundle", r->chain_end_in_bundle);
    json_kv_int(&sb, "trust_ca_count", r->trust_ca_count);
    json_kv_int(&sb, "trust_pin_count", r->trust_pin_count);
    json_kv_bool(&sb, "trust_ca_for_pins", r->trust_ca_for_pins);
    json_explain(&sb, r);
    otter_sb_putc(&sb, '}');
    return sb.len;
}
