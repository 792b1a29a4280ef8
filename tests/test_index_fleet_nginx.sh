#!/bin/sh
# The fleet case of the forum thread, with nginx: devices trust root A (the
# CA they were built with), the server moves to a certificate chain under
# root B, and the devices still update, because a signed release index
# carried a new trust set (roots A and B, by URL, size and SHA-256) that
# they adopted, A/B in their flash, while the server was still under A.
# A device that never polled that index cannot reach the moved server.
# Steps: nginx serves chain A; index seq 1 (release 1.1.0, trust set 1) ->
# the device updates and adopts the set; nginx reloads with chain B; index
# seq 2 (release 1.2.0) -> the device updates over B; a device without the
# set fails the handshake and keeps its app.
set -eu
: "${OTTER_BIN:?}" "${OTTER_SRC:?}" "${OTTER_TOOL_TLSGET:?}"
OTTER="$OTTER_BIN"
. "$OTTER_SRC/tests/support/servers.sh"
servers_init index-fleet
PORT_TOOL="$OTTER_TOOL_TLSGET"
K="$OTTER_SRC/tests/keys"
. "$OTTER_SRC/tests/support/cli_want.sh"
"$OTTER" pki demo "$T/a" >/dev/null
"$OTTER" pki demo "$T/b" >/dev/null
cmp -s "$T/a/ca.pem" "$T/b/ca.pem" && { echo "FAIL: the two demo PKIs share a root"; exit 1; }
cat "$T/a/ca.pem" "$T/b/ca.pem" > "$T/roots-ab.pem"
openssl pkey -in "$K/test-p256.pem" -pubout -out "$T/pub.pem" 2>/dev/null
mkdir -p "$T/www" "$T/img" "$T/cur"
chmod 755 "$T" "$T/www"
"$OTTER" image make --chip esp32 --project fleet --version 1.0.0 --size 200000 --seed 1 --out "$T/img/v1.bin" >/dev/null
"$OTTER" image make --chip esp32 --project fleet --version 1.1.0 --size 200000 --seed 2 --out "$T/www/fleet-1.1.0.bin" >/dev/null
"$OTTER" image make --chip esp32 --project fleet --version 1.2.0 --size 200000 --seed 3 --out "$T/www/fleet-1.2.0.bin" >/dev/null
cp "$T/roots-ab.pem" "$T/www/roots-ab.pem"
chmod 644 "$T/www"/*
for d in dev stale; do
    "$OTTER" flash init --out "$T/$d.flash" --size 4M --layout min_spiffs --force >/dev/null
    "$OTTER" flash write "$T/$d.flash" --slot ota_0 "$T/img/v1.bin" --valid >/dev/null
done

# nginx with the chain in $T/cur (copied from A, later from B: reload).
use_chain() { cp "$T/$1/chain.pem" "$T/cur/chain.pem"; cp "$T/$1/server.key" "$T/cur/server.key"; }
use_chain a
cat > "$T/server.tmpl" <<NGX
server {
    listen 127.0.0.1:@PORT@ ssl;
    server_name localhost;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $T/cur/chain.pem;
    ssl_certificate_key $T/cur/server.key;
    location / { root $T/www; types { } default_type application/octet-stream; }
}
NGX
ready_a() { "$OTTER_TOOL_TLSGET" --port "$PORT" --ca "$T/a/ca.pem" >/dev/null 2>&1; }
nginx_start "$T/ngx" "$T/server.tmpl" ready_a
U="https://localhost:$PORT/index"

# Index 1: release 1.1.0 and the trust set {A, B}, published under A.
I="$T/www/index"
"$OTTER" release new "$I" --seq 1 --days 30 >/dev/null
"$OTTER" release add "$I" "$T/www/fleet-1.1.0.bin" --url fleet-1.1.0.bin --rollout 100 >/dev/null
"$OTTER" release trust "$I" --roots "$T/roots-ab.pem" --roots-url roots-ab.pem --gen 1 >/dev/null
"$OTTER" release sign "$I" --key "$K/test-p256.pem" >/dev/null
chmod 644 "$I"
want 0 "trust set: generation 1" doctor --index "$U" --key "$T/pub.pem" --ca "$T/a/ca.pem"
want 0 "new trust set, generation 1" device --flash "$T/dev.flash" --index "$U" --index-key "$T/pub.pem" \
    --ca "$T/a/ca.pem"
grep -qF "outcome            updated" "$T/out" || fail "the device did not update to 1.1.0 under root A"

# The server moves to a chain under root B.
use_chain b
kill -HUP "$(cat "$T/ngx/nginx.pid")"
moved() { "$OTTER_TOOL_TLSGET" --port "$PORT" --ca "$T/b/ca.pem" >/dev/null 2>&1; }
poll 100 moved || { echo "FAIL: nginx did not reload with chain B"; exit 1; }
"$OTTER" release add "$I" "$T/www/fleet-1.2.0.bin" --url fleet-1.2.0.bin --rollout 100 >/dev/null
"$OTTER" release sign "$I" --key "$K/test-p256.pem" >/dev/null
chmod 644 "$I"

# The device still provisioned with A only: its adopted set reaches B.
want 0 '"running_version":"1.2.0"' device --flash "$T/dev.flash" --index "$U" --index-key "$T/pub.pem" \
    --ca "$T/a/ca.pem" --json
# A device that never saw index 1: root A alone, the handshake fails.
want 1 '"running_version":"1.0.0"' device --flash "$T/stale.flash" --index "$U" --index-key "$T/pub.pem" \
    --ca "$T/a/ca.pem" --json
grep -qF "TLS" "$T/out" || fail "the stale device's failure does not name TLS"

echo "index fleet (nginx): $CHECKS checks, $FAILS failed"
[ "$FAILS" -eq 0 ]
