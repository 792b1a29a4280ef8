#!/bin/sh
# examples/arduino-style: the forum user's sketch, ported line for line to
# otter's HttpsOTAUpdate-shaped facade, compiled against the built libraries
# and run against otter serve (HTTPS, demo PKI, free loopback port): it must
# print the sketch's success line and the device must boot the new app.
set -eu
: "${OTTER_BIN:?}" "${OTTER_SRC:?}" "${OTTER_BUILD:?}"
OTTER="$OTTER_BIN"
T=$(mktemp -d "${TMPDIR:-/tmp}/otter-ex.XXXXXX")
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    i=0
    for p in $PIDS; do
        while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
        kill -9 "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
FAILS=0
fail() { echo "FAIL: $1"; FAILS=$((FAILS + 1)); sed 's/^/    | /' "$T/out.txt" | tail -30; }

san=""
grep -q '^OTTER_SANITIZE:BOOL=ON' "$OTTER_BUILD/CMakeCache.txt" 2>/dev/null && san="-fsanitize=address,undefined"
# the mbedTLS this build uses (OTTER_MBEDTLS), not necessarily the system's
# shellcheck disable=SC2086
cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $san -I"$OTTER_SRC/include" -I"$OTTER_SRC/ports/posix" -I"$OTTER_SRC/host" \
    -o "$T/sketch" "$OTTER_SRC"/examples/arduino-style/*.c \
    "$OTTER_BUILD/libotter_host.a" "$OTTER_BUILD/libotter_posix.a" "$OTTER_BUILD/libotter_core.a" \
    ${OTTER_MBEDTLS_LIBS:--lmbedtls -lmbedx509 -lmbedcrypto} -lm
echo "ok: the sketch compiles"

"$OTTER" pki demo "$T/pki" >/dev/null
mkdir -p "$T/www"
"$OTTER" image make --chip esp32 --project sketch --version 1.0.0 --size 200000 --out "$T/v1.bin" >/dev/null
"$OTTER" image make --chip esp32 --project sketch --version 1.1.0 --size 300000 --out "$T/www/app.bin" >/dev/null
"$OTTER" flash init --out "$T/dev.bin" --size 4M --layout min_spiffs >/dev/null
"$OTTER" flash write "$T/dev.bin" --slot ota_0 "$T/v1.bin" --valid >/dev/null
"$OTTER" serve "$T/www" --bind 127.0.0.1 --port 0 --port-file "$T/port" \
    --cert "$T/pki/chain.pem" --key "$T/pki/server.key" --quiet > "$T/serve.log" 2>&1 &
PIDS="$PIDS $!"
i=0
while [ ! -s "$T/port" ]; do i=$((i + 1)); [ $i -lt 200 ] || { echo "FAIL: otter serve did not start"; exit 1; }; sleep 0.05; done
PORT=$(cat "$T/port")

set +e
OTTER_SKETCH_FAST=1 timeout 120 "$T/sketch" --flash "$T/dev.bin" --url "https://localhost:$PORT/app.bin" \
    --ca "$T/pki/ca.pem" > "$T/out.txt" 2>&1
rc=$?
set -e
[ $rc = 0 ] || fail "sketch exit $rc"
for w in "Connected to your-ssid" "Starting OTA" "Http Event On Connected" "Http Event On Header, key=Content-Length, value=" \
    "Firmware written successfully" "after restart: sketch 1.1.0"; do
    grep -qF "$w" "$T/out.txt" || fail "missing: $w"
done
[ $FAILS = 0 ] && echo "ok: the sketch updates 1.0.0 -> 1.1.0 over HTTPS with the host name checked"

# The host name is checked: a server whose (trusted) certificate names
# another host is refused.
"$OTTER" serve "$T/www" --bind 127.0.0.1 --port 0 --port-file "$T/port2" \
    --self-signed-for other.example --cert-out "$T/other.pem" --quiet > "$T/serve2.log" 2>&1 &
PIDS="$PIDS $!"
i=0
while [ ! -s "$T/port2" ]; do i=$((i + 1)); [ $i -lt 200 ] || { echo "FAIL: otter serve did not start"; exit 1; }; sleep 0.05; done
set +e
OTTER_SKETCH_FAST=1 timeout 120 "$T/sketch" --flash "$T/dev.bin" --url "https://localhost:$(cat "$T/port2")/app.bin" \
    --ca "$T/other.pem" > "$T/out.txt" 2>&1
rc=$?
set -e
if [ $rc = 1 ] && grep -qF "Firmware Upgrade Fail" "$T/out.txt" && grep -qF "Http Event Error" "$T/out.txt" &&
    grep -qF "[device] error: TLS_HOSTNAME" "$T/out.txt"; then
    echo "ok: a certificate for another host name is refused"
else
    fail "wrong host name: exit $rc"
fi
[ $FAILS = 0 ] || { echo "$FAILS failure(s)"; exit 1; }
echo "all passed"
