#!/bin/sh
# The fleet owner's flow in README.md ("A fleet: the signed release index")
# runs as written: the ```sh block after the fleet-flow marker, with its
# first three lines (where the static host's files go, the index URL, the
# built image) pointed at otter serve on loopback and a made image. Then a
# simulated device polls what it published and does what doctor says.
set -eu
: "${OTTER_BIN:?}" "${OTTER_SRC:?}"
OTTER="$OTTER_BIN"
. "$OTTER_SRC/tests/support/servers.sh"
servers_init readme-fleet
awk '/<!-- fleet-flow/ { armed = 1; next } armed && /^```sh/ { inside = 1; next } inside && /^```/ { exit }
     inside { print }' "$OTTER_SRC/README.md" >"$T/flow.sh"
n=$(grep -c . "$T/flow.sh" || true)
[ "$n" -ge 10 ] || { echo "FAIL: no fleet-flow block in README.md"; exit 1; }
for v in PUBLISH INDEX_URL IMAGE; do
    grep -q "^$v=" "$T/flow.sh" || { echo "FAIL: the README block does not set $v"; exit 1; }
done
mkdir -p "$T/pub" "$T/work/build"
rm -f "$T/port"
"$OTTER" serve "$T/pub" --plain --bind 127.0.0.1 --port 0 --port-file "$T/port" --quiet >"$T/serve.log" 2>&1 &
PIDS="$PIDS $!"
poll 200 port_file "$T/port" || { echo "FAIL: otter serve did not start"; cat "$T/serve.log"; exit 1; }
sed -e "s|^PUBLISH=.*|PUBLISH=$T/pub|" -e "s|^INDEX_URL=.*|INDEX_URL=http://127.0.0.1:$FILE_PORT/index|" \
    -e "s|^IMAGE=.*|IMAGE=build/blink.bin|" "$T/flow.sh" >"$T/flow-local.sh"
cd "$T/work"
"$OTTER" image make --chip esp32 --project blink --version 1.1.0 --size 200000 --seed 2 --out build/blink.bin >/dev/null
"$OTTER" image make --chip esp32 --project blink --version 1.0.0 --size 200000 --seed 1 --out v1.bin >/dev/null
"$OTTER" pki demo pki-old >/dev/null && cp pki-old/ca.pem old-root.pem
"$OTTER" pki demo pki-new >/dev/null && cp pki-new/ca.pem new-root.pem
mkdir -p bin && ln -s "$OTTER" bin/otter
if ! PATH="$T/work/bin:$PATH" sh -eu "$T/flow-local.sh" >"$T/flow.out" 2>&1; then
    echo "FAIL: the README's fleet flow failed:"; sed 's/^/    | /' "$T/flow.out"; exit 1
fi
echo "ok: the README's fleet flow runs"
fails=0
for w in "signed site/index: seq 1" "ok: site/index verifies" "decision: " "signed site/index: seq 3"; do
    grep -qF "$w" "$T/flow.out" && echo "ok: $w" || { echo "FAIL: flow output lacks '$w'"; fails=$((fails + 1)); }
done
U="http://127.0.0.1:$FILE_PORT/index"
"$OTTER" doctor --index "$U" --key release-key.pub.pem --running 1.0.0 --chip esp32 --project blink \
    --id 240ac4000001 >"$T/doctor.out" 2>&1 || { echo "FAIL: doctor on the published index"; cat "$T/doctor.out"; exit 1; }
grep -q "trust set: generation 1" "$T/doctor.out" && echo "ok: the published index carries the trust set" ||
    { echo "FAIL: no trust set in the published index"; fails=$((fails + 1)); }
# The device with that id does what doctor said.
want=3; grep -q "^download: " "$T/doctor.out" && want=0
"$OTTER" flash init --out dev.flash --size 4M --layout min_spiffs --force >/dev/null
"$OTTER" flash write dev.flash --slot ota_0 v1.bin --valid >/dev/null
rc=0
"$OTTER" device --flash dev.flash --index "$U" --index-key release-key.pub.pem --id 240ac4000001 >"$T/dev.out" 2>&1 ||
    rc=$?
if [ "$rc" = "$want" ]; then echo "ok: the device did what doctor said (exit $rc)"; else
    echo "FAIL: device exit $rc, doctor predicted $want"; sed 's/^/    | /' "$T/dev.out"; fails=$((fails + 1)); fi
[ "$fails" -eq 0 ]
