#!/bin/sh
# otter TLS against `openssl s_server` with the generated test PKI: trust by
# CA bundle, DER, pins; every certificate failure with its exact error code
# and the sentence that names the certificate; TLS version, SNI, resumption.
# python3 checks the JSON: without it the test cannot run (a skip, exit 77).
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not installed"; exit 77; }
. "$OTTER_SRC/tests/support/tls_lib.sh"

# --- a good server: leaf + intermediate -------------------------------------
sserver good -cert "$P/leaf.crt" -cert_chain "$P/int.crt" -key "$P/leaf.key"
expect "root CA" 0 "result: OK" "protocol: $BEST " "trusted through 'Otter Test Root'" \
    "[1]  subject: CN=Otter Test Intermediate, O=Otter Tests" "CA (pathlen 0)" \
    "[trusted CA]  subject: CN=Otter Test Root, O=Otter Tests" "RSA 2048 bits" \
    -- --port "$PORT" --ca "$P/root.crt" --at 2026-06-01
expect "bundle of three roots" 0 "trusted through 'Otter Test Root'" \
    -- --port "$PORT" --ca "$P/bundle.pem" --at 2026-06-01
openssl x509 -in "$P/root.crt" -outform DER -out "$P/root.der"
# The backend hook (otter_tls_config_t.backend_setup), as ESP-IDF's
# certificate bundle uses it: a verify callback on mbedTLS's config that
# trusts the root; without it, or with another root, the same chain is not.
expect "no trust but a bundle-style hook with the root" 0 "result: OK" \
    -- --port "$PORT" --bundle-ca "$P/root.crt" --at 2026-06-01
expect "a bundle-style hook with the leaf's own certificate only: untrusted" 140 "result: TLS_TRUST" \
    -- --port "$PORT" --bundle-ca "$P/leaf.crt" --at 2026-06-01
expect "TLS 1.2 only (OTTER_TLS_TLS12_ONLY)" 0 "result: OK" "protocol: TLSv1.2 " \
    -- --port "$PORT" --ca "$P/root.crt" --tls12-only --at 2026-06-01
# max_fragment_length (RFC 6066): OpenSSL's server honours it (so does nginx
# with OpenSSL); the report says so, and the download works in 4 KB records.
# The answer is read from the ServerHello, before any record is split: with
# 512, on an mbedTLS that cannot reassemble the split Certificate message
# (before 3.6.3), the handshake fails later but the answer is already there.
expect "max_fragment_length 4096, honoured by s_server" 0 "result: OK" "protocol: TLSv1.2 " \
    "max fragment length: 4096 requested, honoured by the server" "response: HTTP/1.0 200 ok" \
    -- --port "$PORT" --ca "$P/root.crt" --mfl 4096 --get / --at 2026-06-01
expect "max_fragment_length 512 in the JSON report" - '"max_fragment_len":512' '"max_fragment_answer":"honoured"' \
    -- --port "$PORT" --ca "$P/root.crt" --mfl 512 --json --at 2026-06-01
expect "DER root" 0 "result: OK" -- --port "$PORT" --ca "$P/root.der" --at 2026-06-01
expect "spki of the leaf printed" 0 "spki sha256: $(spki_pin "$P/leaf.crt")" \
    -- --port "$PORT" --ca "$P/root.crt"
expect "resumption" 0 "session resumed" "response: HTTP/1.0 200 ok" \
    -- --port "$PORT" --ca "$P/root.crt" --get / --reconnect
expect "pin of the intermediate only" 0 "trusted through a pin" "matches a pin" \
    -- --port "$PORT" --pin "$(spki_pin "$P/int.crt")"
expect "pin of the leaf, colon form" 0 "result: OK" \
    -- --port "$PORT" --pin "$(spki_pin "$P/leaf.crt" | sed 's/../&:/g; s/:$//')"
expect "pin of the root, not sent, no store" 142 "result: TLS_PIN" \
    -- --port "$PORT" --pin "$(spki_pin "$P/root.crt")"
expect "pin of the root, reached through the store" 0 "result: OK" \
    "trusted through a pin on the path to 'Otter Test Root' (the root is pinned)" \
    -- --port "$PORT" --pin "$(spki_pin "$P/root.crt")" --ca "$P/bundle.pem" --ca-for-pins
expect "pin of the intermediate, store for pins" 0 "result: OK" "trusted through a pin on the path to 'Otter Test Root'" \
    -- --port "$PORT" --pin "$(spki_pin "$P/int.crt")" --ca "$P/bundle.pem" --ca-for-pins
expect "store for pins: a root in the store without a pin is not enough" 142 "result: TLS_PIN" \
    "which is in the device's trust store; with pins the store only completes the path, and the 1 pin matches no certificate of that path" \
    -- --port "$PORT" --pin "$(spki_pin "$P/evil-root.crt")" --ca "$P/bundle.pem" --ca-for-pins
expect "wrong pin only" 142 "result: TLS_PIN" "1 pin, which matches no certificate the server sent" \
    -- --port "$PORT" --pin "$(spki_pin "$P/evil-root.crt")"
expect "wrong pin, right CA" 0 "result: OK" \
    -- --port "$PORT" --pin "$(spki_pin "$P/evil-root.crt")" --ca "$P/root.crt"
expect "untrusted root in bundle" 140 "result: TLS_TRUST" \
    "The server's chain ends at 'Otter Test Root', which is not trusted: the device trusts 1 CA certificate ('Otter Untrusted Root')" \
    -- --port "$PORT" --ca "$P/evil-root.crt"
expect "clock unset" 143 "result: TLS_CLOCK_UNSET" "The device's clock is not set (it says 1970-01-01)" \
    "the server's certificate 'localhost' (issuer 'Otter Test Intermediate') is valid from 2024-01-01 to 2034-01-01" \
    "Fix: set the clock" -- --port "$PORT" --ca "$P/root.crt" --at 1970-01-01
expect "no wall clock" 143 "it says nothing: no wall clock" -- --port "$PORT" --ca "$P/root.crt" --at none
expect "evaluated after the leaf expired" 146 \
    "The server's certificate 'localhost' (issuer 'Otter Test Intermediate') expired on 2034-01-01 (the device's clock says 2035-06-01)" \
    -- --port "$PORT" --ca "$P/root.crt" --at 2035-06-01
expect "wrong host name" 148 "result: TLS_HOSTNAME" \
    "The server's certificate 'localhost' (issuer 'Otter Test Intermediate') is not valid for the host 'other.example'; it names DNS:localhost" \
    -- --port "$PORT" --ca "$P/root.crt" --host other.example
expect "pin does not skip the host name check" 148 "result: TLS_HOSTNAME" \
    -- --port "$PORT" --pin "$(spki_pin "$P/int.crt")" --host other.example
expect "json" 0 '"result":0' "\"version\":\"$BEST\"" '"cipher":"TLS' '"name":"Otter Test Intermediate"' '"self_signed":true' \
    -- --port "$PORT" --ca "$P/root.crt" --json

for a in "--ca $P/root.crt" "--ca $P/r3-old.crt --at 2026-06-01" "--ca $P/root.crt --at 1970-01-01"; do
    # shellcheck disable=SC2086
    "$GET" --port "$PORT" $a --json > "$T/r.json" || true
    if python3 -m json.tool "$T/r.json" > /dev/null; then echo "ok: valid JSON ($a)"; else
        echo "FAIL: invalid JSON ($a)"; cat "$T/r.json"; FAILS=$((FAILS + 1)); fi
done

# --- the server does not send its intermediate -----------------------------
sserver nochain -cert "$P/leaf.crt" -key "$P/leaf.key"
expect "intermediate not sent" 140 "The server's chain ends at 'Otter Test Intermediate', which is not trusted" \
    "The server sent only its own certificate, not 'Otter Test Intermediate', which issued it" \
    -- --port "$PORT" --ca "$P/root.crt"
expect "intermediate in the bundle instead" 0 "trusted through 'Otter Test Intermediate'" \
    -- --port "$PORT" --ca "$P/int.crt"

# --- pins match the verified path only ---------------------------------------
# A pinned intermediate sent next to a leaf it did not sign is no path: an
# attacker can send a copy of any public certificate.
sserver offpath -cert "$P/selfsigned.crt" -key "$P/selfsigned.key" -cert_chain "$P/int.crt"
expect "pinned intermediate sent beside a self-signed leaf" 142 "result: TLS_PIN" \
    -- --port "$PORT" --pin "$(spki_pin "$P/int.crt")"
# A leaf whose issuer name is the intermediate's but whose signature is not.
"$OTTER_BIN" pki cert --subject-from "$P/int.crt" --key-out "$P/fake-int.key" --ca --out "$P/fake-int.crt" >/dev/null
"$OTTER_BIN" pki cert --subject CN=localhost --san DNS:localhost --key-out "$P/forged.key" \
    --issuer-cert "$P/fake-int.crt" --issuer-key "$P/fake-int.key" --out "$P/forged.crt" >/dev/null
sserver forged -cert "$P/forged.crt" -key "$P/forged.key" -cert_chain "$P/int.crt"
expect "pinned intermediate above a forged signature" 142 "result: TLS_PIN" \
    -- --port "$PORT" --pin "$(spki_pin "$P/int.crt")"
expect "pinned root above a forged signature" 142 "result: TLS_PIN" \
    -- --port "$PORT" --pin "$(spki_pin "$P/root.crt")" --ca "$P/root.crt" --ca-for-pins
expect "forged signature, CA only" 140 "result: TLS_TRUST" -- --port "$PORT" --ca "$P/root.crt"

# --- certificate failures ---------------------------------------------------
sserver expired -cert "$P/expired.crt" -cert_chain "$P/int.crt" -key "$P/expired.key"
expect "expired leaf" 146 "result: TLS_EXPIRED" \
    "The server's certificate 'localhost' (issuer 'Otter Test Intermediate') expired on 2021-01-01" \
    "Fix: the server must renew its certificate." -- --port "$PORT" --ca "$P/root.crt"
sserver future -cert "$P/future.crt" -cert_chain "$P/int.crt" -key "$P/future.key"
expect "not yet valid leaf" 147 "result: TLS_NOT_YET_VALID" \
    "The server's certificate 'localhost' (issuer 'Otter Test Intermediate') is not valid before 2090-01-01" \
    -- --port "$PORT" --ca "$P/root.crt"
sserver wronghost -cert "$P/wronghost.crt" -cert_chain "$P/int.crt" -key "$P/wronghost.key"
expect "certificate for another host" 148 "it names DNS:wrong.example" \
    -- --port "$PORT" --ca "$P/root.crt"
expect "hostname check skipped" 0 "WARNING: the host name check is OFF" "WARNING: host name check SKIPPED" \
    -- --port "$PORT" --ca "$P/root.crt" --skip-hostname
sserver selfsigned -cert "$P/selfsigned.crt" -key "$P/selfsigned.key"
expect "self-signed" 140 "The server's chain ends at 'localhost' (self-signed, sent by the server), which is not trusted" \
    -- --port "$PORT" --ca "$P/root.crt"
sserver evil -cert "$P/evil.crt" -cert_chain "$P/evil-root.crt" -key "$P/evil.key"
expect "untrusted root" 140 "The server's chain ends at 'Otter Untrusted Root' (self-signed, sent by the server), which is not trusted" \
    "the device trusts 2 CA certificates ('Otter Test Root', ...)" -- --port "$PORT" --ca "$P/root.crt" --ca "$P/new-root.crt"

# --- the forum case: pinned intermediate whose root expired ----------------
sserver forum -cert "$P/forum.crt" -cert_chain "$P/r3-new.crt" -key "$P/forum.key"
expect "forum: pinned R3 by the expired root" 146 "result: TLS_EXPIRED" \
    "The trusted (pinned) certificate 'Otter R3' (issuer 'Otter Old Root X3') expired on 2021-09-29" \
    "The server's chain ends at 'Otter New Root X1', which is not trusted" \
    "trust the root the server's chain leads to today, 'Otter New Root X1', instead (\`otter cert localhost:$PORT\` shows it)" \
    -- --port "$PORT" --ca "$P/r3-old.crt" --at 2026-06-01
expect "forum: the new root" 0 "trusted through 'Otter New Root X1'" \
    -- --port "$PORT" --ca "$P/new-root.crt" --at 2026-06-01

# --- cross-signed chain -----------------------------------------------------
cat "$P/cross-int.crt" "$P/root-b-cross.crt" > "$P/cross-extra.pem"
sserver cross -cert "$P/cross.crt" -cert_chain "$P/cross-extra.pem" -key "$P/cross.key"
expect "cross: trusted with root B" 0 "trusted through 'Otter Root B'" \
    -- --port "$PORT" --ca "$P/root-b.crt" --at 2026-06-01
expect "cross: explained with root A only" 146 \
    "The trusted root certificate 'Otter Root A' (self-signed) expired on 2021-01-01" \
    -- --port "$PORT" --ca "$P/root-a.crt" --at 2026-06-01

# --- a report describes only its own attempt ---------------------------------
sserver once -naccept 1 -cert "$P/leaf.crt" -cert_chain "$P/int.crt" -key "$P/leaf.key"
set +e
"$GET" --port "$PORT" --ca "$P/root.crt" --json --reconnect > "$T/once.txt" 2>&1
rc=$?
set -e
# the server is gone (refused, 121) or resets the queued connection (124)
if { [ $rc = 121 ] || [ $rc = 124 ]; } && sed -n 1p "$T/once.txt" | grep -qF '"result":0,' &&
    sed -n 2p "$T/once.txt" | grep -qF '"flags":0,"verified":false,"resumed":false' &&
    sed -n 2p "$T/once.txt" | grep -qF '"chain_total":0,"chain":[],"anchor":null'; then
    echo "ok: second attempt fails, its report is not stale"
else
    echo "FAIL: second attempt (exit $rc):"; cat "$T/once.txt"; FAILS=$((FAILS + 1))
fi

# --- protocol ---------------------------------------------------------------
# Each version forced by the server: 1.2 everywhere; 1.3 where the build has
# it, else refused as a version mismatch. The session resumes on both.
sserver tls12 -tls1_2 -cert "$P/leaf.crt" -cert_chain "$P/int.crt" -key "$P/leaf.key"
expect "TLS 1.2 forced" 0 "result: OK" "protocol: TLSv1.2 TLS-ECDHE-" "session resumed" \
    -- --port "$PORT" --ca "$P/root.crt" --get / --reconnect
sserver tls13 -tls1_3 -cert "$P/leaf.crt" -cert_chain "$P/int.crt" -key "$P/leaf.key"
if [ "$TLS13" = 1 ]; then
    expect "TLS 1.3 forced" 0 "result: OK" "protocol: TLSv1.3 TLS1-3-" "session resumed" \
        "response: HTTP/1.0 200 ok" -- --port "$PORT" --ca "$P/root.crt" --get / --reconnect
else
    expect "TLS 1.3-only server refused (no TLS 1.3 in this build)" 149 "result: TLS_VERSION" \
        -- --port "$PORT" --ca "$P/root.crt"
fi
# The forum case on each version: the same error, code and words.
for v in 1_2 1_3; do
    [ $v = 1_3 ] && [ "$TLS13" != 1 ] && continue
    sserver forum$v -tls$v -cert "$P/forum.crt" -cert_chain "$P/r3-new.crt" -key "$P/forum.key"
    expect "forum case over TLS ${v%_*}.${v#*_}" 146 "result: TLS_EXPIRED" \
        "-0x2700 X509_CERT_VERIFY_FAILED" \
        "The trusted (pinned) certificate 'Otter R3' (issuer 'Otter Old Root X3') expired on 2021-09-29" \
        "The server's chain ends at 'Otter New Root X1', which is not trusted" \
        -- --port "$PORT" --ca "$P/r3-old.crt" --at 2026-06-01
done
sserver tls10 -tls1 -cipher 'DEFAULT:@SECLEVEL=0' -cert "$P/leaf.crt" -cert_chain "$P/int.crt" -key "$P/leaf.key"
expect "TLS 1.0-only server refused" 149 "result: TLS_VERSION" "does not offer TLS 1.2" \
    -- --port "$PORT" --ca "$P/root.crt"
sserver sni -cert "$P/wronghost.crt" -key "$P/wronghost.key" -servername localhost \
    -cert2 "$P/leaf.crt" -key2 "$P/leaf.key"
expect "SNI selects the right certificate" 0 "result: OK" "[0]  subject: CN=localhost" \
    -- --port "$PORT" --ca "$P/root.crt" --ca "$P/int.crt"

# --- servers that misbehave at the TCP level --------------------------------
badserver silent
expect "server never answers" 122 "result: TIMEOUT" "Could not talk to localhost:$PORT: timed out." \
    -- --port "$PORT" --ca "$P/root.crt" --timeout 300
badserver close
expect "server closes at once" 123 "result: CLOSED" "connection closed by peer" \
    -- --port "$PORT" --ca "$P/root.crt"
badserver http
expect "plain HTTP on the TLS port" 141 "result: TLS_HANDSHAKE" "plain HTTP on a TLS port?" "SSL_INVALID_RECORD" \
    -- --port "$PORT" --ca "$P/root.crt"
expect "connection refused" 121 "result: CONNECT" "Could not talk to localhost" \
    -- --port 1 --ca "$P/root.crt"
finish
