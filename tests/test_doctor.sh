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
    "✗ trust          the pinned certificate 'Otter R3' (issuer 'Otter Old Root X3'): has expired" \
    "The trusted (pinned) certificate 'Otter R3' (issuer 'Otter Old Root X3') expired on 2021-09-29 (the device's clock says 2026-06-01)." \
    "otter cert: Pin the root 'Otter New Root X1' (in the trust store), valid until 2035-06-04 (3290 days left)." \
    "otter cert: Get it with: otter cert localhost:$PORT --format c" \
    "a device configured like this would: fail at trust" \
    -- doctor "$U/fw.bin" --ca "$P/r3-old.crt" --store "$P/new-root.crt" --at $AT
doctor "forum: with the new root" 0 "✓ trust          the chain leads to 'Otter New Root X1', which the device trusts" \
    "✓ image          ESP32 app image, project 'demo', version '1.2.0'" \
    "signature      not checked: no --pub or --digest given" \
    "a device configured like this would: update" \
    -- doctor "$U/fw.bin" --ca "$P/new-root.crt" --at $AT
doctor "forum: pinned by SPKI of the new root" 0 "✓ trust          a pinned key is in the chain" \
    "a device configured like this would: update" -- doctor "$U/fw.bin" --pin "$(spki_pin "$P/r3-new.crt")" --at $AT
doctor "JSON" 1 '"step":"trust","status":"fail"' '"verdict":"fail","fail_at":"trust"' '"tls":{' \
    -- doctor "$U/fw.bin" --ca "$P/r3-old.crt" --store "$P/new-root.crt" --at $AT --json

# 4. The device's clock was never set.
doctor "clock unset" 1 "✗ dates          the device's clock is not set (it says 1970-01-01): that is the cause, not the certificates" \
    "fix: set the clock before connecting" "✓ trust" "a device configured like this would: fail at dates" \
    -- doctor "$U/fw.bin" --ca "$P/new-root.crt" --at 1970-01-01

# 6. s_server -WWW: no Content-Length, Range ignored, HTML with 200.
doctor "no Content-Length, Range ignored" 0 "! Content-Length not given: the size is known only at the end" \
    "! Range          ignored (status 200 to a Range request): a cut download restarts from zero" \
    -- doctor "$U/fw.bin" --ca "$P/new-root.crt" --at $AT
doctor "HTML page with status 200" 1 "✗ Content-Type   text/html: a web page, not a firmware image" \
    "✗ image          got an HTML/text page, not a firmware image" \
    "a device configured like this would: fail at Content-Type" \
    -- doctor "$U/fw.html" --ca "$P/new-root.crt" --at $AT
doctor "missing file: s_server answers 200 with an error text" 1 "✓ status         200" \
    "✗ image          got an HTML/text page, not a firmware image" \
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
doctor "wrong host name" 1 "✗ hostname       the certificate is not valid for localhost: it names DNS:wrong.example" \
    "would: fail at hostname" -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT
sserver expired -cert "$P/expired.crt" -cert_chain "$P/int.crt" -key "$P/expired.key" -WWW
doctor "expired leaf" 1 "✗ dates          as of 2026-06-01: the server's certificate 'localhost' (issuer 'Otter Test Intermediate'): has expired" \
    "fix: the server must renew its certificate" "would: fail at dates" \
    -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT
sserver future -cert "$P/future.crt" -cert_chain "$P/int.crt" -key "$P/future.key" -WWW
doctor "not yet valid leaf" 1 "✗ dates          as of 2026-06-01: the server's certificate 'localhost' (issuer 'Otter Test Intermediate'): is not valid yet" \
    "would: fail at dates" -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT
sserver selfsigned -cert "$P/selfsigned.crt" -key "$P/selfsigned.key" -WWW
doctor "self-signed" 1 "✗ trust" "The server's chain ends at 'localhost' (self-signed, sent by the server), which is not trusted" \
    "would: fail at trust" -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT
sserver evil -cert "$P/evil.crt" -cert_chain "$P/evil-root.crt" -key "$P/evil.key" -WWW
doctor "untrusted root" 1 "✗ trust" "The server's chain ends at 'Otter Untrusted Root' (self-signed, sent by the server), which is not trusted" \
    "would: fail at trust" -- doctor "https://localhost:$PORT/fw.bin" --ca "$P/root.crt" --at $AT

# Network and command line.
doctor "nothing listening" 1 "✗ TCP            cannot connect to 127.0.0.1 port 1" "would: fail at TCP" \
    -- doctor "https://127.0.0.1:1/fw.bin" --ca "$P/root.crt"
doctor "unresolvable host" 1 "✗ DNS            no-such-host.invalid does not resolve" "would: fail at DNS" \
    -- doctor "https://no-such-host.invalid/fw.bin" --ca "$P/root.crt"
doctor "bad URL" 1 "✗ URL            'ftp://x/fw.bin' is not an http:// or https:// URL" -- doctor "ftp://x/fw.bin" --ca "$P/root.crt"
doctor "no URL" 2 "doctor: which URL?" -- doctor --ca "$P/root.crt"
doctor "bad pin" 2 "--pin wants an SPKI SHA-256" -- doctor "$U/fw.bin" --pin xyz
finish
