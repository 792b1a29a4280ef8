#!/bin/sh
# otter doctor: the issue's scenarios on loopback servers with the generated
# PKI (tests/support/mkpki.sh): `openssl s_server -WWW` serving files, each
# asserting the exact step lines, the verdict line and the exit code.
. "$OTTER_SRC/tests/support/tls_lib.sh"
. "$OTTER_SRC/tests/support/cert_lib.sh"
AT=2026-06-01
W="$T/www"
mkdir -p "$W"
# Images: a valid app image, the same signed, an HTML page.
"$OTTER_BIN" image make --chip esp32 --version 1.2.0 --project demo --size 60000 --out "$W/fw.bin" > /dev/null
"$OTTER_BIN" keygen --type ecdsa-p256 --out "$T/key.pem" > /dev/null
"$OTTER_BIN" keygen --type ecdsa-p256 --out "$T/other.pem" > /dev/null
"$OTTER_BIN" sign --key "$T/key.pem" "$W/fw.bin" --out "$W/fw-signed.bin" > /dev/null
printf '<html><body>Not found, but 200</body></html>\n' > "$W/fw.html"
cd "$W"
doctor() { run "$@"; }

# 1. The forum case: the device pins R3 issued by the expired old root.
sserver forum -cert "$P/forum.crt" -cert_chain "$P/r3-new.crt" -key "$P/forum.key" -WWW
U="https://localhost:$PORT"
doctor "forum: pinned intermediate whose root expired" 1 \
    "✗ TLS handshake  mbedtls_ssl_handshake returned -0x2700: X509_CERT_VERIFY_FAILED" \
    "✗ trust          the pinned certificate 'Otter R3' (issuer 'Otter Old Root X3'): has expired (X509_BADCERT_EXPIRED)" \
    "The trusted (pinned) certificate 'Otter R3' (issuer 'Otter Old Root X3') expired on 2021-09-29 (the device's clock says 2026-06-01)." \
    "otter cert: Pin the root 'Otter New Root X1' (in the trust store), valid until 2035-06-04 (3290 days left)." \
    "otter cert: Get it with: otter cert localhost:$PORT --format c" \
    "a device configured like this would: fail at trust" \
    -- doctor "$U/fw.bin" --ca "$P/r3-old.crt" --store "$P/new-root.crt" --at $AT
doctor "forum: with the new root" 0 "✓ trust          the chain leads to 'Otter New Root X1', which the device trusts" \
    "✓ image          ESP32 app image, project 'demo', version '1.2.0'" \
    "signature      not checked: no --pub or --key-digest given" \
    "a device configured like this would: update" \
    -- doctor "$U/fw.bin" --ca "$P/new-root.crt" --at $AT
doctor "forum: pinned by SPKI of the new root" 0 "✓ trust          a pinned key is in the chain" \
    "a device configured like this would: update" -- doctor "$U/fw.bin" --pin "$(spki_pin "$P/r3-new.crt")" --at $AT
doctor "JSON" 1 '"step":"trust","status":"fail"' '"verdict":"fail","fail_at":"trust"' '"tls":{' \
    -- doctor "$U/fw.bin" --ca "$P/r3-old.crt" --store "$P/new-root.crt" --at $AT --json

# 4. The device's clock was never set.
doctor "clock unset" 1 "✗ dates          the device's clock is not set (it says 1970-01-01, before 2024-01-01, OTTER_TLS_CLOCK_MIN): that is the cause, not the certificates" \
    "fix: set the clock before connecting" "✓ trust" "a device configured like this would: fail at dates" \
    -- doctor "$U/fw.bin" --ca "$P/new-root.crt" --at 1970-01-01

# 6. s_server -WWW: no Content-Length, Range ignored, HTML with 200.
doctor "no Content-Length, Range ignored" 0 "✓ Content-Length not given (the body ends when the server closes): the device reads to the end of the body, at most the slot; the app image says where it ends" \
    "! Range          ignored (status 200 to a Range request): a cut download restarts from zero (and without a length a cut looks like the end)" \
    -- doctor "$U/fw.bin" --ca "$P/new-root.crt" --at $AT
doctor "HTML page with status 200" 1 "✗ Content-Type   text/html: a web page, not a firmware image" \
    "✗ image          got an HTML page, not a firmware image" \
    "a device configured like this would: fail at Content-Type" \
    -- doctor "$U/fw.html" --ca "$P/new-root.crt" --at $AT
doctor "missing file: s_server answers 200 with an error text" 1 "✓ status         200" \
    "✗ image          got a text file, not a firmware image" \
    "fix: the URL serves a text file (an error message?), not the .bin file" \
    "a device configured like this would: fail at image" -- doctor "$U/nope.bin" --ca "$P/new-root.crt" --at $AT

# 7. Signed and unsigned images, with and without keys; versions; chip.
doctor "signed image, key given" 0 "✓ signature      1 signature block(s), 1 verified with a key the device trusts" \
    "a device configured like this would: update" \
    -- doctor "$U/fw-signed.bin" --ca "$P/new-root.crt" --at $AT --pub "$T/key.pub.pem"
doctor "signed image, other key" 1 "✗ signature      signature key is not one of the trusted keys" \
    "a device configured like this would: fail at signature" \
    -- doctor "$U/fw-signed.bin" --ca "$P/new-root.crt" --at $AT --pub "$T/other.pub.pem"
doctor "unsigned image, key given" 1 "✗ signature      the image is unsigned" \
    "a device configured like this would: fail at signature" \
    -- doctor "$U/fw.bin" --ca "$P/new-root.crt" --at $AT --pub "$T/key.pub.pem"
doctor "signed image, no key" 0 "signature      not checked" "a device configured like this would: update" \
    -- doctor "$U/fw-signed.bin" --ca "$P/new-root.crt" --at $AT
doctor "same version: skip" 0 "✓ version        '1.2.0' is the same as the running '1.2.0': a device skips it" \
    "a device configured like this would: skip (the image's version '1.2.0' is the same as the running one)" \
    -- doctor "$U/fw.bin" --ca "$P/new-root.crt" --at $AT --running-version 1.2.0
doctor "newer version" 0 "'1.2.0' is newer than the running '1.1.9'" "would: update" \
    -- doctor "$U/fw.bin" --ca "$P/new-root.crt" --at $AT --running-version 1.1.9
doctor "other chip" 1 "✗ image" "the image is built for ESP32, the device is ESP32-C3" "would: fail at image" \
    -- doctor "$U/fw.bin" --ca "$P/new-root.crt" --at $AT --chip esp32c3

# 2. Cross-signed chain: leaf, intermediate, root B cross-signed by expired A.
cat "$P/cross-int.crt" "$P/root-b-cross.crt" > "$T/cross-extra.pem"
sserver cross -cert "$P/cross.crt" -cert_chain "$T/cross-extra.pem" -key "$P/cross.key" -WWW
doctor "cross-signed: trusted with root B" 0 "✓ trust          the chain leads to 'Otter Root B', which the device trusts" \
    "would: update" -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root-b.crt" --at $AT
doctor "cross-signed: explained with A only" 1 "✗ trust" "'Otter Root A'" \
    "otter cert: Pin its successor 'Otter Root B' instead ('Otter Root A' cross-signed it" \
    "would: fail at trust" -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root-a.crt" --store "$P/root-a.crt" --at $AT

# 3. Wrong host name, expired, not yet valid, self-signed, untrusted root.
sserver wronghost -cert "$P/wronghost.crt" -cert_chain "$P/int.crt" -key "$P/wronghost.key" -WWW
doctor "wrong host name" 1 "✗ hostname       The server's certificate 'wrong.example' (issuer 'Otter Test Intermediate') is not valid for the host 'localhost'; it names DNS:wrong.example." \
    "would: fail at hostname" -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT
sserver expired -cert "$P/expired.crt" -cert_chain "$P/int.crt" -key "$P/expired.key" -WWW
doctor "expired leaf" 1 "✗ dates          as of 2026-06-01: the server's certificate 'localhost' (issuer 'Otter Test Intermediate'): has expired (X509_BADCERT_EXPIRED)" \
    "fix: the server must renew its certificate" "would: fail at dates" \
    -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT
sserver future -cert "$P/future.crt" -cert_chain "$P/int.crt" -key "$P/future.key" -WWW
doctor "not yet valid leaf" 1 "✗ dates          as of 2026-06-01: the server's certificate 'localhost' (issuer 'Otter Test Intermediate'): is not valid yet (X509_BADCERT_FUTURE)" \
    "would: fail at dates" -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT
sserver selfsigned -cert "$P/selfsigned.crt" -key "$P/selfsigned.key" -WWW
doctor "self-signed" 1 "✗ trust          the server's certificate 'localhost' (issuer 'localhost'): does not lead to a trusted CA (X509_BADCERT_NOT_TRUSTED)" "The server's chain ends at 'localhost' (self-signed, sent by the server), which is not trusted" \
    "would: fail at trust" -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT
sserver evil -cert "$P/evil.crt" -cert_chain "$P/evil-root.crt" -key "$P/evil.key" -WWW
doctor "untrusted root" 1 "✗ trust" "The server's chain ends at 'Otter Untrusted Root' (self-signed, sent by the server), which is not trusted" \
    "would: fail at trust" -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT

# 5. and 6. with `otter serve`: redirects, headers, chunked, Range, sizes.
# An address is matched against iPAddress subjectAltNames only (RFC 9525), never the CN.
cat "$P/leaf.crt" "$P/int.crt" > "$T/a-chain.pem"
"$OTTER_BIN" pki cert --subject CN=127.0.0.1 --san IP:127.0.0.1 --key-out "$T/b.key" --issuer-cert "$P/evil-root.crt" \
    --issuer-key "$P/evil-root.key" --not-before 2024-01-01 --not-after 2034-01-01 --out "$T/b.crt" > /dev/null
cat "$T/b.crt" "$P/evil-root.crt" > "$T/b-chain.pem"
oserve other "$W" --cert "$T/b-chain.pem" --key "$T/b.key"; POTHER=$PORT
oserve plain "$W" --plain; PPLAIN=$PORT
oserve r1 "$W" --cert "$T/a-chain.pem" --key "$P/leaf.key" --redirect-to "https://127.0.0.1:$POTHER/"
doctor "redirect to a host with another CA" 1 "  redirect       hop 1: 302 to https://127.0.0.1:$POTHER/fw.bin" \
    "✗ redirect       TLS with 127.0.0.1 port $POTHER failed: server certificate is not trusted" \
    "needs the roots of both hosts in its CA bundle" \
    "✗ trust          the server's CA 'Otter Untrusted Root' (issuer 'Otter Untrusted Root'): does not lead to a trusted CA (X509_BADCERT_NOT_TRUSTED)" \
    "otter cert: Pin the root 'Otter Untrusted Root' (in the trust store)" \
    "would: fail at trust" \
    -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --store "$P/evil-root.crt" --at $AT
doctor "redirect to a host with another CA, both roots given" 0 "✓ redirects      1 followed, none to http://" \
    "✓ status         206" "would: update" \
    -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --ca "$P/evil-root.crt" --at $AT
oserve r2 "$W" --cert "$T/a-chain.pem" --key "$P/leaf.key" --redirect-to "http://127.0.0.1:$PPLAIN/"
doctor "redirect to http://" 1 "✗ redirect       hop 1 redirects to plain http://: the device refuses to leave https" \
    "redirects from https to plain http (http://127.0.0.1:$PPLAIN/fw.bin), which otter refuses: make it redirect to https" \
    "would: fail at redirect" \
    -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT
oserve loop "$W" --cert "$T/a-chain.pem" --key "$P/leaf.key" --redirect-to /fw.bin=/fw.bin
doctor "redirect loop" 1 "  redirect       hop 5: 302 to https://localhost:$PORT/fw.bin" \
    "✗ redirect       more than 5 redirects (a loop?)" "would: fail at redirect" \
    -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT
oserve good "$W" --cert "$T/a-chain.pem" --key "$P/leaf.key"
doctor "a good server: Range, ETag, size" 0 "✓ status         206" "✓ Content-Type   application/octet-stream" \
    "✓ Content-Length 60000 bytes, fits the slot" "✓ Range          honoured (206), ETag \"" \
    ": a cut download resumes where it stopped" "would: update" \
    -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT --slot-size 64K --buffer 512
doctor "image larger than the slot" 1 "✗ Content-Length 60000 bytes: larger than the 28672 bytes the slot takes (its last sector holds the update journal)" \
    "would: fail at Content-Length" -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT --slot-size 32K
oserve bighead "$W" --cert "$T/a-chain.pem" --key "$P/leaf.key" --header "X-Padding: $(head -c 6000 /dev/zero | tr '\0' a)"
doctor "6 KB header the device does not need, 1 KB buffer" 0 "✓ headers        the ones the device keeps (ETag, Last-Modified, Content-Type, Location) fit their fields; the rest pass through its 1024-byte buffer" \
    "would: update" -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT --buffer 1024
oserve bigtype "$W" --cert "$T/a-chain.pem" --key "$P/leaf.key" \
    --content-type "application/octet-stream; x=$(head -c 200 /dev/zero | tr '\0' b)"
doctor "needed header too large: named, with its limit" 1 \
    "✗ headers        Content-Type from localhost is 228 bytes: the device keeps at most 63 (OTTER_HTTP_CTYPE_MAX 64)" \
    "fix: make the server send a shorter Content-Type, or build the device with -DOTTER_HTTP_CTYPE_MAX=229 or more" \
    "would: fail at headers" -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT --buffer 1024
oserve bigetag "$W" --cert "$T/a-chain.pem" --key "$P/leaf.key" --etag none \
    --header "ETag: \"$(head -c 200 /dev/zero | tr '\0' e)\""
doctor "ETag too long: named, with its limit" 1 \
    "✗ headers        ETag from localhost is 202 bytes: the device keeps at most 127 (OTTER_HTTP_ETAG_MAX 128)" \
    "-DOTTER_HTTP_ETAG_MAX=203 or more" "would: fail at headers" \
    -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT
oserve chunked "$W" --cert "$T/a-chain.pem" --key "$P/leaf.key" --chunked
doctor "chunked, no Content-Length" 0 "✓ Content-Length not given (chunked transfer); Content-Range says 60000 bytes" \
    "would: update" -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT
oserve chunked200 "$W" --cert "$T/a-chain.pem" --key "$P/leaf.key" --chunked --ignore-range
doctor "chunked and Range ignored: size unknown" 0 "✓ Content-Length not given (chunked transfer): the device reads to the end of the body, at most the slot; the app image says where it ends" \
    "! Range          ignored" "would: update" -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT
oserve norange "$W" --cert "$T/a-chain.pem" --key "$P/leaf.key" --ignore-range
doctor "server ignores Range" 0 "! Range          ignored (status 200 to a Range request): a cut download restarts from zero" \
    "✓ Content-Length 60000 bytes" "would: update" -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT
oserve html "$W" --cert "$T/a-chain.pem" --key "$P/leaf.key" --content-type text/html
doctor "served as text/html" 1 "✗ Content-Type   text/html: a web page, not a firmware image" \
    "would: fail at Content-Type" -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT

# A TLS 1.0-only server; no --ca or --pin (the trust store stands in).
sserver tls10 -tls1 -cipher 'DEFAULT:@SECLEVEL=0' -cert "$P/leaf.crt" -cert_chain "$P/int.crt" -key "$P/leaf.key" -WWW
doctor "TLS 1.0-only server" 1 "✗ TLS handshake" "does not offer TLS 1.2" "would: fail at TLS handshake" \
    -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT
sserver plainca -cert "$P/leaf.crt" -cert_chain "$P/int.crt" -key "$P/leaf.key" -WWW
doctor "no --ca or --pin: the store is the bundle" 0 \
    "! trust config   no --ca or --pin: using $P/root.crt as the device's CA bundle" \
    "✓ trust          the chain leads to 'Otter Test Root', which the device trusts" "would: update" \
    -- doctor "https://localhost:$PORT/fw.bin" --store "$P/root.crt" --at $AT
"$OTTER_BIN" doctor "https://localhost:$PORT/fw.bin" --ca "$P/evil-root.crt" --at $AT --json > "$T/doctor.json" || true
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["verdict"]=="fail" and d["fail_at"]=="trust"' "$T/doctor.json"; then
    echo "ok: --json is valid JSON"
else
    echo "FAIL: --json is not valid JSON"; FAILS=$((FAILS + 1))
fi

oserve plainhttp "$W" --plain
doctor "plain http:// URL" 0 "! URL            http, host localhost, port $PORT" "plain http:// lets anyone on the path change the image" \
    "NOT:TLS handshake" "✓ status         206" "would: update" -- doctor "http://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT

# Error codes from a device log.
doctor "decode -0x2700" 0 "mbedTLS -0x2700 (-9984): MBEDTLS_ERR_X509_CERT_VERIFY_FAILED" -- doctor --decode -0x2700
doctor "decode 0x7780" 0 "mbedTLS -0x7780 (-30592): MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE" -- doctor --decode 0x7780
doctor "decode -0x7200" 0 "MBEDTLS_ERR_SSL_INVALID_RECORD" -- doctor --decode -0x7200
doctor "decode otter -140" 0 "otter -140: OTTER_ERR_TLS_TRUST: server certificate is not trusted" -- doctor --decode -140
doctor "decode junk" 2 "--decode wants an error code" -- doctor --decode junk

# Network and command line.
doctor "nothing listening" 1 "✗ TCP            cannot connect to 127.0.0.1 port 1" "would: fail at TCP" \
    -- doctor "https://127.0.0.1:1/fw.bin" --ca "$P/root.crt"
doctor "unresolvable host" 1 "✗ DNS            no-such-host.invalid does not resolve" "would: fail at DNS" \
    -- doctor "https://no-such-host.invalid/fw.bin" --ca "$P/root.crt"
doctor "bad URL" 2 "doctor: 'ftp://x/fw.bin' is not a valid URL" -- doctor "ftp://x/fw.bin" --ca "$P/root.crt"
doctor "no URL" 2 "doctor: which URL?" -- doctor --ca "$P/root.crt"
doctor "bad pin" 2 "--pin wants an SPKI SHA-256" -- doctor "$U/fw.bin" --pin xyz
finish
