#!/bin/sh
# make demo: a whole OTA update on this machine, end to end, in under a minute.
#
#   1. a demo PKI (root CA + localhost certificate) and a signing key
#   2. apps v1.0.0, v1.1.0 and v1.2.0, all signed (with keys the simulated
#      bootloader checks signatures too), 1,577,648 bytes each (the forum user's size)
#   3. a 4 MB flash with Arduino's "Minimal SPIFFS" layout running v1.0.0
#   4. `otter serve` on 127.0.0.1 (a free port) serving v1.1.0 over HTTPS
#   5. `otter device`: boot v1.0.0, download with progress, verify the image and
#      its signature, switch, reboot, v1.1.0 confirms itself
#   6. v1.2.0 whose self-test fails: installed, booted, rolled back to v1.1.0
# The server is always stopped (trap), and the work directory removed.
set -eu
build="${1:-build}"
otter="$(cd "$build" && pwd)/otter"
[ -x "$otter" ] || { echo "demo: $otter not built (run make build)" >&2; exit 1; }
work="$(mktemp -d "${TMPDIR:-/tmp}/otter-demo.XXXXXX")"
server=""
cleanup() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        i=0
        while kill -0 "$server" 2>/dev/null && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
        kill -9 "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
start=$(date +%s)
say() { printf '\n== %s\n' "$*"; }

say "demo PKI and a Secure Boot V2 signing key"
"$otter" pki demo "$work/pki" >/dev/null
"$otter" keygen --type ecdsa-p256 --out "$work/signing.pem"

say "app images: v1.0.0, v1.1.0, v1.2.0 (all signed; v1.2.0's self-test will fail)"
mkdir -p "$work/www"
for v in 1.0.0 1.1.0 1.2.0; do
    "$otter" image make --chip esp32 --project otter-demo --version "$v" --size 1577648 \
        --seed "$(echo "$v" | tr -d .)" --out "$work/app-$v.bin" >/dev/null
done
"$otter" sign --key "$work/signing.pem" "$work/app-1.0.0.bin" --out "$work/app-1.0.0.signed.bin" >/dev/null
"$otter" sign --key "$work/signing.pem" "$work/app-1.1.0.bin" --out "$work/app-1.1.0.signed.bin" >/dev/null
"$otter" sign --key "$work/signing.pem" "$work/app-1.2.0.bin" --out "$work/app-1.2.0.signed.bin" >/dev/null
ls -l "$work"/app-*.bin | awk '{print "  " $5 "  " $NF}' | sed "s|$work/||"

say "a 4 MB flash, min_spiffs layout, running v1.0.0"
"$otter" flash init --out "$work/device.bin" --size 4M --layout min_spiffs >/dev/null
"$otter" flash write "$work/device.bin" --slot ota_0 "$work/app-1.0.0.signed.bin" --valid >/dev/null
echo "  device.bin: app0 (ota_0) = v1.0.0, app1 (ota_1) empty"

say "otter serve on 127.0.0.1 (HTTPS, demo certificate)"
cp "$work/app-1.1.0.signed.bin" "$work/www/app.bin"
"$otter" serve "$work/www" --bind 127.0.0.1 --port 0 --port-file "$work/port" \
    --cert "$work/pki/chain.pem" --key "$work/pki/server.key" --quiet > "$work/serve.log" 2>&1 &
server=$!
i=0
while [ ! -s "$work/port" ]; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "demo: otter serve did not start" >&2; exit 1; }
    sleep 0.1
done
port=$(cat "$work/port")
url="https://localhost:$port/app.bin"
echo "  serving $url"

say "otter device: v1.0.0 -> v1.1.0"
"$otter" device --flash "$work/device.bin" --url "$url" --ca "$work/pki/ca.pem" --pub "$work/signing.pub.pem"

say "v1.2.0 on the server, and its self-test fails: rollback"
cp "$work/app-1.2.0.signed.bin" "$work/www/app.bin.new" && mv "$work/www/app.bin.new" "$work/www/app.bin"
rc=0
"$otter" device --flash "$work/device.bin" --url "$url" --ca "$work/pki/ca.pem" --pub "$work/signing.pub.pem" \
    --self-test fail || rc=$?
[ "$rc" -eq 4 ] || { echo "demo: expected exit 4 (rolled back), got $rc" >&2; exit 1; }

say "done in $(( $(date +%s) - start )) s: v1.1.0 runs, v1.2.0 was rolled back, the server is stopped"
