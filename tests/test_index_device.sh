#!/bin/sh
# The release index end to end on the simulated device, against otter serve
# on loopback (plain HTTP; the index is what is trusted, not the server):
# `otter doctor --index` explains what a device with given keys, sequence,
# clock and id decides (304 with --etag, replay, expiry, a wrong key, a
# rollout it is outside of), and `otter device --index` runs the whole
# flow: poll, verify, decide, download, refuse to switch when the server
# serves other bytes than the index names, install the right ones, then
# up to date; a replayed older index is refused by the device's record; a
# release whose first URL fails is installed from its mirror.
set -eu
: "${OTTER_BIN:?}" "${OTTER_SRC:?}"
OTTER="$OTTER_BIN"
. "$OTTER_SRC/tests/support/servers.sh"
servers_init index-device
K="$OTTER_SRC/tests/keys"
. "$OTTER_SRC/tests/support/cli_want.sh"
mkdir -p "$T/www" "$T/img"
openssl pkey -in "$K/test-p256.pem" -pubout -out "$T/pub.pem" 2>/dev/null
openssl pkey -in "$K/test-p256-b.pem" -pubout -out "$T/pub-b.pem" 2>/dev/null
"$OTTER" image make --chip esp32 --project otter-test --version 1.0.0 --size 300000 --seed 1 --out "$T/img/v1.bin" >/dev/null
"$OTTER" image make --chip esp32 --project otter-test --version 1.1.0 --size 300000 --seed 2 --out "$T/www/app-1.1.0.bin" >/dev/null
"$OTTER" image make --chip esp32 --project otter-test --version 1.1.0 --size 300000 --seed 3 --out "$T/img/other.bin" >/dev/null
"$OTTER" flash init --out "$T/dev.flash" --size 4M --layout min_spiffs --force >/dev/null
"$OTTER" flash write "$T/dev.flash" --slot ota_0 "$T/img/v1.bin" --valid >/dev/null
cp "$T/dev.flash" "$T/fresh.flash"
cp "$T/dev.flash" "$T/mirror.flash"

I="$T/www/index"
"$OTTER" release new "$I" --seq 5 --days 30 >/dev/null
"$OTTER" release add "$I" "$T/www/app-1.1.0.bin" --url app-1.1.0.bin --rollout 100 >/dev/null
"$OTTER" release sign "$I" --key "$K/test-p256.pem" >/dev/null
cp "$I" "$T/index-seq5"

rm -f "$T/port"
"$OTTER" serve "$T/www" --plain --bind 127.0.0.1 --port 0 --port-file "$T/port" --quiet >"$T/serve.log" 2>&1 &
PIDS="$PIDS $!"
poll 200 port_file "$T/port" || { echo "FAIL: otter serve did not start"; cat "$T/serve.log"; exit 1; }
U="http://127.0.0.1:$FILE_PORT/index"
DEV="--running 1.0.0 --chip esp32 --project otter-test --id 0a0b0c"

# --- otter doctor --index ------------------------------------------------------------
want 0 "download: http://127.0.0.1:$FILE_PORT/app-1.1.0.bin" doctor --index "$U" --key "$T/pub.pem" $DEV
want 0 "accepted: seq 5 (the device had 3)" doctor --index "$U" --key "$T/pub.pem" --seq 3
want 0 "the device refuses any other file before the switch" doctor --index "$U" --key "$T/pub.pem" $DEV
ETAG=$(sed -n 's/^fetch: HTTP 200, [0-9]* bytes, ETag //p' "$T/out")
want 0 "HTTP 304 not modified" doctor --index "$U" --key "$T/pub.pem" --etag "$ETAG"
want 1 "replay" doctor --index "$U" --key "$T/pub.pem" --seq 6
want 1 "has expired" doctor --index "$U" --key "$T/pub.pem" --now 2031-01-01T00:00:00Z
want 1 "does not know the time" doctor --index "$U" --key "$T/pub.pem" --no-time
want 0 "accepted: seq 5" doctor --index "$U" --key "$T/pub.pem" --no-time --accept-without-time
want 1 "signed by a key this device does not trust" doctor --index "$U" --key "$T/pub-b.pem"
want 1 "HTTP 404" doctor --index "http://127.0.0.1:$FILE_PORT/nothing" --key "$T/pub.pem"
want 2 "--key PUB.pem" doctor --index "$U"
want 0 "usage: otter doctor --index" doctor --index --help

# --- otter device --index -----------------------------------------------------------
# The CDN serves other bytes (a valid app, same size) under the release's
# URL: downloaded, refused before the switch; the old app runs.
cp "$T/www/app-1.1.0.bin" "$T/img/good.bin"
cp "$T/img/other.bin" "$T/www/app-1.1.0.bin"
want 1 "SHA-256 differs from the one the release index names" \
    device --flash "$T/dev.flash" --index "$U" --index-key "$T/pub.pem" --quiet --json
want 1 '"running_version":"1.0.0"' device --flash "$T/dev.flash" --index "$U" --index-key "$T/pub.pem" --quiet --json
# The right bytes: installed, booted, confirmed; then up to date.
cp "$T/img/good.bin" "$T/www/app-1.1.0.bin"
want 0 '"outcome":"updated"' device --flash "$T/dev.flash" --index "$U" --index-key "$T/pub.pem" --quiet --json
want 3 "up to date: nothing newer than 1.1.0" device --flash "$T/dev.flash" --index "$U" --index-key "$T/pub.pem"
# Not in the rollout: nothing downloaded.
"$OTTER" release rollout "$I" 0 --channel stable --version 1.1.0 >/dev/null
"$OTTER" release sign "$I" --key "$K/test-p256.pem" >/dev/null
want 3 "outside" device --flash "$T/fresh.flash" --index "$U" --index-key "$T/pub.pem"
# The record remembers seq 6: the old index served again is a replay.
cp "$T/index-seq5" "$I"
want 1 "replay" device --flash "$T/fresh.flash" --index "$U" --index-key "$T/pub.pem"
# Mirrors: the first URL is missing (404), the second serves the release.
"$OTTER" release new "$T/www/index2" --seq 1 --days 30 >/dev/null
"$OTTER" release add "$T/www/index2" "$T/img/good.bin" --url missing.bin --url app-1.1.0.bin --rollout 100 >/dev/null
"$OTTER" release sign "$T/www/index2" --key "$K/test-p256.pem" >/dev/null
want 0 "trying mirror http://127.0.0.1:$FILE_PORT/app-1.1.0.bin" \
    device --flash "$T/mirror.flash" --index "http://127.0.0.1:$FILE_PORT/index2" --index-key "$T/pub.pem"
grep -qF "outcome            updated" "$T/out" || fail "the mirror did not install the release"
want 2 "--index-key PUB.pem" device --flash "$T/fresh.flash" --index "$U"
want 2 "not both" device --flash "$T/fresh.flash" --index "$U" --url "$U" --index-key "$T/pub.pem"

echo "index device: $CHECKS checks, $FAILS failed"
[ "$FAILS" -eq 0 ]
