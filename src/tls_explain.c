/* Words for TLS failures: alerts, verify flags, and the explanation of a
 * handshake report. No TLS library headers, no allocation (the names of the
 * library's error codes come from src/mbedtls/tls_errors.c, built from its
 * headers). Everything said about a certificate comes from the report,
 * never from names written here. */
#include <string.h>

#include "otter/error.h"
#include "otter/tls_report.h"
#include "tls_priv.h"

const char *otter_tls_alert_name(int alert)
{
    static const struct {
        int code;
        const char *name;
    } alerts[] = {
        {0, "close_notify"}, {10, "unexpected_message"}, {20, "bad_record_mac"},
        {22, "record_overflow"}, {40, "handshake_failure"}, {42, "bad_certificate"},
        {43, "unsupported_certificate"}, {44, "certificate_revoked"}, {45, "certificate_expired"},
        {46, "certificate_unknown"}, {47, "illegal_parameter"}, {48, "unknown_ca"},
        {49, "access_denied"}, {50, "decode_error"}, {51, "decrypt_error"},
        {70, "protocol_version"}, {71, "insufficient_security"}, {80, "internal_error"},
        {86, "inappropriate_fallback"}, {90, "user_canceled"}, {100, "no_renegotiation"},
        {110, "unsupported_extension"}, {112, "unrecognized_name"}, {116, "certificate_required"},
        {120, "no_application_protocol"},
    };
    for (size_t i = 0; i < sizeof alerts / sizeof alerts[0]; i++) {
        if (alerts[i].code == alert) {
            return alerts[i].name;
        }
    }
    return "unknown";
}

const char *otter_tls_flag_text(uint32_t flag)
{
    switch (flag) {
    case OTTER_TLS_VF_EXPIRED: return "has expired";
    case OTTER_TLS_VF_REVOKED: return "is revoked";
    case OTTER_TLS_VF_HOSTNAME: return "is not valid for the host name";
    case OTTER_TLS_VF_NOT_TRUSTED: return "does not lead to a trusted CA";
    case OTTER_TLS_VF_MISSING: return "is missing";
    case OTTER_TLS_VF_SKIP_VERIFY: return "was not verified";
    case OTTER_TLS_VF_OTHER: return "was rejected by the verify callback";
    case OTTER_TLS_VF_FUTURE: return "is not valid yet";
    case OTTER_TLS_VF_KEY_USAGE: return "has a key usage that does not allow this use";
    case OTTER_TLS_VF_EXT_KEY_USAGE: return "has an extended key usage that does not allow TLS server use";
    case OTTER_TLS_VF_NS_CERT_TYPE: return "has a Netscape cert type that does not allow this use";
    case OTTER_TLS_VF_BAD_MD: return "is signed with a hash this device does not accept (e.g. SHA-1)";
    case OTTER_TLS_VF_BAD_PK: return "has a key algorithm this device does not accept";
    case OTTER_TLS_VF_BAD_KEY: return "has a key that is too small";
    case OTTER_TLS_VF_CLOCK_UNSET: return "cannot be date-checked: the clock is not set";
    case OTTER_TLS_VF_NO_PIN: return "matches none of the pins";
    default: return "has an unknown problem";
    }
}

void otter_tls_date(int64_t t, char out[11])
{
    /* civil_from_days (Howard Hinnant's algorithm) */
    int64_t z = (t >= 0 ? t : t - 86399) / 86400 + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    if (y < 0 || y > 9999) {
        memcpy(out, "0000-00-00", 11);
        return;
    }
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

/* host, or host:port when the port is not HTTPS's 443, as `otter cert` takes it. */
static void put_host_port(otter_sb_t *sb, const otter_tls_report_t *r)
{
    otter_sb_put(sb, r->host);
    if (r->port != 0 && r->port != 443) {
        otter_sb_put(sb, ":");
        otter_sb_dec(sb, r->port);
    }
}

static void put_date(otter_sb_t *sb, int64_t t)
{
    char d[11];
    otter_tls_date(t, d);
    otter_sb_put(sb, d);
}

static void put_quoted(otter_sb_t *sb, const char *s)
{
    otter_sb_putc(sb, '\'');
    otter_sb_put(sb, s);
    otter_sb_putc(sb, '\'');
}

static void put_hexcode(otter_sb_t *sb, int code)
{
    static const char digits[] = "0123456789ABCDEF";
    uint32_t u = code < 0 ? (uint32_t)0 - (uint32_t)code : (uint32_t)code;
    otter_sb_put(sb, code < 0 ? "-0x" : "0x");
    otter_sb_putc(sb, digits[(u >> 12) & 15]);
    otter_sb_putc(sb, digits[(u >> 8) & 15]);
    otter_sb_putc(sb, digits[(u >> 4) & 15]);
    otter_sb_putc(sb, digits[u & 15]);
}

/* "the server's certificate 'x' (issuer 'y')" and the like. */
static void put_cert(otter_sb_t *sb, const otter_tls_report_t *r, const otter_tls_cert_info_t *c, int cap)
{
    otter_sb_put(sb, cap ? "T" : "t");
    if (c == &r->anchor) {
        otter_sb_put(sb, c->self_signed ? "he trusted root certificate " : "he trusted (pinned) certificate ");
    } else if (c == &r->chain[0]) {
        otter_sb_put(sb, "he server's certificate ");
    } else {
        otter_sb_put(sb, c->is_ca ? "he server's CA certificate " : "he server's certificate ");
    }
    put_quoted(sb, c->name);
    if (!c->self_signed) {
        otter_sb_put(sb, " (issuer ");
        put_quoted(sb, c->issuer_name);
        otter_sb_putc(sb, ')');
    } else {
        otter_sb_put(sb, " (self-signed)");
    }
}

static void put_now(otter_sb_t *sb, const otter_tls_report_t *r)
{
    otter_sb_put(sb, " (the device's clock says ");
    put_date(sb, r->now);
    otter_sb_put(sb, ")");
}

/* The rest of the host name sentence, after the certificate's name. */
static void put_host_mismatch(otter_sb_t *sb, const otter_tls_report_t *r)
{
    otter_sb_put(sb, " is not valid for the host ");
    put_quoted(sb, r->host);
    otter_sb_put(sb, "; it names ");
    otter_sb_put(sb, r->leaf_names[0] ? r->leaf_names : "no DNS names, only its CN");
}

size_t otter_tls_explain_host(const otter_tls_report_t *r, char *buf, size_t len)
{
    otter_sb_t sb;
    otter_sb_init(&sb, buf, len);
    if (r->hostname_mismatch && r->chain_count) {
        put_cert(&sb, r, &r->chain[0], 1);
        put_host_mismatch(&sb, r);
        otter_sb_putc(&sb, '.');
    }
    return sb.len;
}

/* One sentence per problem flag of one certificate. */
static void explain_cert(otter_sb_t *sb, const otter_tls_report_t *r, const otter_tls_cert_info_t *c)
{
    uint32_t f = c->flags & ~(OTTER_TLS_VF_NOT_TRUSTED | OTTER_TLS_VF_CLOCK_UNSET | OTTER_TLS_VF_NO_PIN);
    for (uint32_t bit = 1; bit; bit <<= 1) {
        if (!(f & bit)) {
            continue;
        }
        put_cert(sb, r, c, 1);
        if (bit == OTTER_TLS_VF_EXPIRED) {
            otter_sb_put(sb, " expired on ");
            put_date(sb, c->not_after);
            put_now(sb, r);
        } else if (bit == OTTER_TLS_VF_FUTURE) {
            otter_sb_put(sb, " is not valid before ");
            put_date(sb, c->not_before);
            put_now(sb, r);
        } else if (bit == OTTER_TLS_VF_HOSTNAME) {
            put_host_mismatch(sb, r);
        } else {
            otter_sb_putc(sb, ' ');
            otter_sb_put(sb, otter_tls_flag_text(bit));
        }
        otter_sb_put(sb, ".\n");
    }
}

static void explain_untrusted(otter_sb_t *sb, const otter_tls_report_t *r, int anchor_dated)
{
    if (!r->chain_count) {
        return;
    }
    otter_sb_put(sb, "The server's chain ends at ");
    put_quoted(sb, r->chain_end);
    otter_sb_put(sb, r->chain_end_self_signed ? " (self-signed, sent by the server)" : "");
    if (r->chain_end_in_bundle && r->trust_ca_for_pins && (r->flags & OTTER_TLS_VF_NO_PIN)) {
        otter_sb_put(sb, ", which is in the device's trust store; with pins the store only completes "
                         "the path, and the ");
        otter_sb_dec(sb, r->trust_pin_count);
        otter_sb_put(sb, r->trust_pin_count == 1 ? " pin matches" : " pins match");
        otter_sb_put(sb, " no certificate of that path.\nFix: pin the root the path leads to (`otter cert ");
        put_host_port(sb, r);
        otter_sb_put(sb, " --format pin` prints its pin).\n");
        return;
    }
    if (r->chain_end_in_bundle) {
        otter_sb_put(sb, ", which is in the CA bundle.\n");
        return;
    }
    otter_sb_put(sb, ", which is not trusted: the device trusts ");
    otter_sb_dec(sb, r->trust_ca_count);
    otter_sb_put(sb, r->trust_ca_count == 1 ? " CA certificate" : " CA certificates");
    if (r->trust_ca_count) {
        otter_sb_put(sb, " (");
        put_quoted(sb, r->trust_first);
        otter_sb_put(sb, r->trust_ca_count > 1 ? ", ...)" : ")");
    }
    if (r->trust_pin_count) {
        otter_sb_put(sb, " and ");
        otter_sb_dec(sb, r->trust_pin_count);
        otter_sb_put(sb, r->trust_pin_count == 1 ? " pin, which matches" : " pins, none of which matches");
        otter_sb_put(sb, " no certificate the server sent");
    }
    otter_sb_put(sb, ".\n");
    const otter_tls_cert_info_t *last = &r->chain[r->chain_count - 1];
    if (r->chain_total == r->chain_count && !last->self_signed && !last->is_ca) {
        otter_sb_put(sb, "The server sent only its own certificate, not ");
        put_quoted(sb, r->chain_end);
        otter_sb_put(sb, ", which issued it: if that is an intermediate, the server's chain is "
                         "incomplete and the server should send it.\n");
    }
    if (anchor_dated && !r->anchor.self_signed) {
        otter_sb_put(sb, "Fix: trusting an intermediate breaks when it is replaced; trust the root the "
                         "server's chain leads to today, ");
        put_quoted(sb, r->chain_end);
        otter_sb_put(sb, ", instead (`otter cert ");
        put_host_port(sb, r);
        otter_sb_put(sb, "` shows it).\n");
    } else {
        otter_sb_put(sb, "Fix: if you trust it, add ");
        put_quoted(sb, r->chain_end);
        otter_sb_put(sb, " to the CA bundle (`otter cert ");
        put_host_port(sb, r);
        otter_sb_put(sb, "` shows the chain), or pin a certificate of the chain.\n");
    }
}

static void explain_verify(otter_sb_t *sb, const otter_tls_report_t *r)
{
    if (r->flags & OTTER_TLS_VF_CLOCK_UNSET) {
        otter_sb_put(sb, "The device's clock is not set (it says ");
        if (r->now < 0) {
            otter_sb_put(sb, "nothing: no wall clock");
        } else {
            put_date(sb, r->now);
        }
        otter_sb_put(sb, "), so certificate dates cannot be checked");
        if (r->chain_count) {
            otter_sb_put(sb, "; ");
            put_cert(sb, r, &r->chain[0], 0);
            otter_sb_put(sb, " is valid from ");
            put_date(sb, r->chain[0].not_before);
            otter_sb_put(sb, " to ");
            put_date(sb, r->chain[0].not_after);
        }
        otter_sb_put(sb, ".\nFix: set the clock (SNTP, RTC) before connecting.\n");
    }
    int anchor_dated = r->has_anchor && (r->anchor.flags & (OTTER_TLS_VF_EXPIRED | OTTER_TLS_VF_FUTURE));
    if (r->has_anchor) {
        explain_cert(sb, r, &r->anchor);
    }
    for (size_t i = 0; i < r->chain_count; i++) {
        explain_cert(sb, r, &r->chain[i]);
    }
    if ((r->flags & (OTTER_TLS_VF_NOT_TRUSTED | OTTER_TLS_VF_NO_PIN)) || anchor_dated) {
        explain_untrusted(sb, r, anchor_dated);
    }
    if (r->chain_count && (r->chain[0].flags & OTTER_TLS_VF_EXPIRED)) {
        otter_sb_put(sb, "Fix: the server must renew its certificate.\n");
    }
    if (r->chain_count && (r->chain[0].flags & OTTER_TLS_VF_HOSTNAME)) {
        otter_sb_put(sb, "Fix: connect with a name the certificate lists, or give the server a "
                         "certificate for this name.\n");
    }
}

static void explain_ok(otter_sb_t *sb, const otter_tls_report_t *r)
{
    otter_sb_put(sb, "Connected to ");
    otter_sb_put(sb, r->host);
    otter_sb_putc(sb, ':');
    otter_sb_dec(sb, r->port);
    otter_sb_put(sb, " with ");
    otter_sb_put(sb, r->version);
    otter_sb_put(sb, ", ");
    otter_sb_put(sb, r->cipher);
    if (r->alpn[0]) {
        otter_sb_put(sb, ", ALPN ");
        otter_sb_put(sb, r->alpn);
    }
    if (r->resumed) {
        otter_sb_put(sb, ", session resumed");
    }
    if (r->chain_count) {
        otter_sb_put(sb, "; ");
        put_cert(sb, r, &r->chain[0], 0);
        otter_sb_put(sb, " is valid until ");
        put_date(sb, r->chain[0].not_after);
    }
    if (r->has_anchor && r->trust_ca_for_pins) {
        otter_sb_put(sb, ", trusted through a pin on the path to ");
        put_quoted(sb, r->anchor.name);
        otter_sb_put(sb, r->anchor.pinned ? " (the root is pinned)" : "");
    } else if (r->has_anchor) {
        otter_sb_put(sb, ", trusted through ");
        put_quoted(sb, r->anchor.name);
    } else if (r->pin_matched) {
        otter_sb_put(sb, ", trusted through a pin");
    }
    otter_sb_put(sb, ".\n");
}

static void explain_other(otter_sb_t *sb, const otter_tls_report_t *r)
{
    if (OTTER_ERR_IS_TRANSPORT(r->result)) {
        otter_sb_put(sb, "Could not talk to ");
        otter_sb_put(sb, r->host);
        otter_sb_putc(sb, ':');
        otter_sb_dec(sb, r->port);
        otter_sb_put(sb, ": ");
        otter_sb_put(sb, otter_strerror(r->result));
        otter_sb_put(sb, ".\n");
        return;
    }
    if (r->result == OTTER_ERR_TLS_VERSION) {
        otter_sb_put(sb, "The server does not offer TLS 1.2 or newer, which this device requires; "
                         "the server must enable TLS 1.2.\n");
    } else if (r->max_fragment_len && r->backend_err == -0x7080) {
        otter_sb_put(sb, "The server split a handshake message into records of at most ");
        otter_sb_dec(sb, r->max_fragment_len);
        otter_sb_put(sb, " bytes, as the requested max fragment length asks, and mbedTLS cannot "
                         "reassemble split handshake messages; request a larger max fragment length "
                         "(above the size of the server's certificate chain) or none.\n");
    } else {
        otter_sb_put(sb, "The TLS handshake failed");
        if (r->backend_err) {
            otter_sb_put(sb, ": ");
            otter_sb_put(sb, otter_tls_backend_errtext(r->backend_err));
        }
        otter_sb_put(sb, ".\n");
    }
    if (r->alert >= 0) {
        otter_sb_put(sb, "The server sent the fatal alert ");
        otter_sb_dec(sb, r->alert);
        otter_sb_put(sb, " (");
        otter_sb_put(sb, otter_tls_alert_name(r->alert));
        otter_sb_put(sb, ").\n");
    }
}

size_t otter_tls_explain(const otter_tls_report_t *r, char *buf, size_t len)
{
    otter_sb_t sb;
    otter_sb_init(&sb, buf, len);
    otter_tls_explain_sb(&sb, r);
    return sb.len;
}

void otter_tls_explain_sb(otter_sb_t *sb, const otter_tls_report_t *r)
{
    if (r->hostname_check_skipped) {
        otter_sb_put(sb, "WARNING: the host name check is OFF (OTTER_TLS_INSECURE_SKIP_HOSTNAME_CHECK): "
                          "any certificate from a trusted CA is accepted for ");
        put_quoted(sb, r->host);
        otter_sb_put(sb, ".\n");
    }
    if (r->result == OTTER_OK) {
        explain_ok(sb, r);
    } else if (r->verified && r->flags) {
        explain_verify(sb, r);
    } else {
        explain_other(sb, r);
    }
    if (r->result != OTTER_OK && r->backend_err) {
        otter_sb_put(sb, "(mbedTLS ");
        put_hexcode(sb, r->backend_err);
        otter_sb_put(sb, " ");
        otter_sb_put(sb, otter_tls_backend_errname(r->backend_err));
        if (r->flags) {
            otter_sb_put(sb, ", verify flags ");
            otter_sb_put(sb, "0x");
            for (int shift = 28; shift >= 0; shift -= 4) {
                otter_sb_putc(sb, "0123456789abcdef"[(r->flags >> shift) & 15]);
            }
        }
        otter_sb_put(sb, ")\n");
    }
}
