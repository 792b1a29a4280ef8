#!/bin/sh
# otter image info|make, keygen, sign, verify: exit codes, words and fields.
set -eu
OTTER="${OTTER_BIN:?}"
V="${OTTER_VECTORS:?}/esp32"
KEYS="${OTTER_SRC:?}/tests/keys"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect RC CMD...: run, keep stdout+stderr in $T/out, check the exit code
expect() {
    want=$1; shift
    set +e
    "$@" >"$T/out" 2>&1
    got=$?
    set -e
    [ "$got" = "$want" ] || { fail "exit $got (want $want): $*"; sed 's/^/    /' "$T/out"; }
}
has() { grep -q -- "$1" "$T/out" || { fail "output lacks '$1'"; sed 's/^/    /' "$T/out"; }; }

# --- vectors ---------------------------------------------------------------
for f in esp32s3-idf4.4-damda-app esp32s2-idf4.3.2-pio-voltmeter-app esp32c3-arduino2-idf4.4.1-pio-pressureprobe-app \
         esp32c6-idf5.2.1-zigbee-pzem-app esp32-arduino3-idf5.5.2-pio-otademo-app \
         esp32-arduino1.0-pio-logging-app-padseg-nodesc esp32-idf3-pio-mjs-app-emptysegs-nodesc \
         esp32-idf4.3.7-factory-partition-dump-1MiB; do
    expect 0 "$OTTER" image info "$V/$f.bin"
    has "verdict:     OK"
    has "checksum:    ok"
    has "hash:        ok"
done
expect 0 "$OTTER" image info --json "$V/esp32c6-idf5.2.1-zigbee-pzem-app.bin"
has '"verdict":"OK"'
has '"chip":"ESP32-C6"'
has '"version":"b0e160e-dirty"'
has '"project_name":"esp_zb_PZEM_004t"'
has '"idf_ver":"v5.2.1"'
has '"max_chip_rev_full":99'
expect 0 "$OTTER" image info --json "$V/esp32-idf4.3.7-factory-partition-dump-1MiB.bin"
has '"image_len":847568'
has '"trailing":201008'
has '"signed_len":847872'
expect 0 "$OTTER" image info "$V/esp32-idf3-pio-mjs-app-emptysegs-nodesc.bin"
has "segments:    9"
has "app desc:    none"
expect 1 "$OTTER" image info "$V/esp32c6-idf5.2.1-bootloader.bin"
has "IMG_NOT_APP"
has "kind:        bootloader"
has "bootloader:  version 1, idf_ver v5.2.1, built Apr 28 2024 13:51:16"
expect 1 "$OTTER" image info "$V/esp8266-arduino-nonos2.2.2-pio-button-firmware.bin"
has "IMG_ESP8266"
expect 1 "$OTTER" image info "$V/esp32s3-idf4.4-partition-table-factory-2ota.bin"
has "IMG_PTABLE"
expect 1 "$OTTER" image info --chip esp32 "$V/esp32c6-idf5.2.1-zigbee-pzem-app.bin"
has "IMG_CHIP_MISMATCH"
printf '<html><body>Not found</body></html>\n' >"$T/page.html"
expect 1 "$OTTER" image info "$T/page.html"
has "IMG_HTML"
head -c 100000 "$V/esp32s2-idf4.3.2-pio-voltmeter-app.bin" >"$T/trunc.bin"
expect 1 "$OTTER" image info "$T/trunc.bin"
has "IMG_TRUNCATED"
expect 1 "$OTTER" image info "$T/does-not-exist.bin"
expect 2 "$OTTER" image info
expect 2 "$OTTER" image frobnicate

# --- image make ------------------------------------------------------------
expect 0 "$OTTER" image make --chip esp32c3 --version 2.1.0 --project demo --secure-version 2 --size 300000 --seed 7 --out "$T/a.bin"
expect 0 "$OTTER" image make --chip esp32c3 --version 2.1.0 --project demo --secure-version 2 --size 300000 --seed 7 --out "$T/b.bin"
expect 0 "$OTTER" image make --chip esp32c3 --version 2.1.0 --project demo --secure-version 2 --size 300000 --seed 8 --out "$T/c.bin"
cmp -s "$T/a.bin" "$T/b.bin" || fail "image make is not deterministic"
cmp -s "$T/a.bin" "$T/c.bin" && fail "the seed does not change the image"
size=$(wc -c <"$T/a.bin")
[ "$size" -le 300000 ] && [ "$size" -ge 299950 ] || fail "image make size $size, wanted about 300000"
expect 0 "$OTTER" image info --json "$T/a.bin"
has '"verdict":"OK"'
has '"chip":"ESP32-C3"'
has '"version":"2.1.0"'
has '"project_name":"demo"'
has '"secure_version":2'
has '"segment_count":5'
for chip in esp32 esp32s2 esp32s3 esp32c2 esp32c6 esp32h2 esp32p4 esp32c5 esp32c61; do
    expect 0 "$OTTER" image make --chip $chip --version 1 --project p --size 70000 --out "$T/m.bin"
    expect 0 "$OTTER" image info "$T/m.bin"
done
expect 0 "$OTTER" image make --chip esp32 --version 1 --project p --size 5000 --no-hash --out "$T/nh.bin"
expect 0 "$OTTER" image info "$T/nh.bin"
has "hash:        n/a"
expect 2 "$OTTER" image make --chip esp8266 --version 1 --project p --size 5000 --out "$T/x.bin"
expect 2 "$OTTER" image make --chip esp32 --version 123456789012345678901234567890123 --project p --size 5000 --out "$T/x.bin"
expect 2 "$OTTER" image make --chip esp32 --version 1 --project p --size 5000

# --- keygen / sign / verify -------------------------------------------------
expect 0 "$OTTER" keygen --type ecdsa-p256 --out "$T/k1.pem"
has "key digest: "
digest1=$(sed -n 's/^key digest: //p' "$T/out")
[ -f "$T/k1.pub.pem" ] || fail "keygen did not write the public key"
grep -q "BEGIN EC PRIVATE KEY" "$T/k1.pem" || fail "private key PEM type"
grep -q "BEGIN PUBLIC KEY" "$T/k1.pub.pem" || fail "public key PEM type"
[ "$(stat -c %a "$T/k1.pem")" = 600 ] || fail "private key mode is not 0600"
expect 1 "$OTTER" keygen --type ecdsa-p256 --out "$T/k1.pem"
has "force"
expect 0 "$OTTER" keygen --type ecdsa-p384 --out "$T/k3.pem" --force
expect 2 "$OTTER" keygen --type dsa --out "$T/k9.pem"

expect 0 "$OTTER" sign --key "$T/k1.pem" "$T/a.bin" --out "$T/a.signed"
has "signature sector has 1 block"
[ $(( $(wc -c <"$T/a.signed") % 4096 )) = 0 ] || fail "signed file is not 4096-aligned"
expect 0 "$OTTER" verify --pub "$T/k1.pub.pem" "$T/a.signed"
has "block 0: ECDSA-P256, key digest $digest1: verified, trusted key 1"
has "OK: signed by a trusted key"
expect 0 "$OTTER" verify --digest "$digest1" "$T/a.signed"
expect 0 "$OTTER" verify --pub "$T/k1.pem" "$T/a.signed"
expect 1 "$OTTER" verify --pub "$KEYS/test-p256.pem" "$T/a.signed"
has "not one of the trusted keys"
expect 1 "$OTTER" verify --pub "$KEYS/test-p256.pem" "$T/a.bin"
has "no signature block"
expect 2 "$OTTER" verify "$T/a.signed"
expect 2 "$OTTER" verify --digest 1234 "$T/a.signed"
expect 0 "$OTTER" image info "$T/a.signed"
has "signature valid (trust not checked)"

# append a second (RSA) block, then a third; a fourth is refused
cp "$T/a.signed" "$T/two.bin"
expect 0 "$OTTER" sign --append --key "$KEYS/test-rsa3072.pem" "$T/two.bin"
has "signature sector has 2 blocks"
cmp -s "$T/two.bin" "$T/a.signed" && fail "append changed nothing"
expect 0 "$OTTER" verify --pub "$KEYS/test-rsa3072.pem" "$T/two.bin"
has "block 0: ECDSA-P256"
has "block 1: RSA-3072, key digest 4b96d2aa8bf76a5073cf7be40d8672b019046c7d1645d06d4dabfd5f48e77e1b: verified"
expect 0 "$OTTER" sign --append --key "$KEYS/test-p384.pem" "$T/two.bin" --out "$T/three.bin"
expect 1 "$OTTER" sign --append --key "$KEYS/test-p256.pem" "$T/three.bin" --out "$T/four.bin"
has "three blocks"
expect 0 "$OTTER" verify --pub "$KEYS/test-p384.pem" --digest "$digest1" "$T/three.bin"

# tampering: image byte, signature block byte
cp "$T/a.signed" "$T/t1.bin"
printf '\001' | dd of="$T/t1.bin" bs=1 seek=5000 conv=notrunc 2>/dev/null
expect 1 "$OTTER" verify --pub "$T/k1.pub.pem" "$T/t1.bin"
has "FAIL"
cp "$T/a.signed" "$T/t2.bin"
sig_off=$(( $(wc -c <"$T/a.signed") - 4096 ))
printf '\001\002\003\004' | dd of="$T/t2.bin" bs=1 seek=$((sig_off + 120)) conv=notrunc 2>/dev/null
expect 1 "$OTTER" verify --pub "$T/k1.pub.pem" "$T/t2.bin"
has "signature block CRC does not match"
expect 1 "$OTTER" sign --key "$T/k1.pub.pem" "$T/a.bin" --out "$T/x.bin"
has "not a usable private key"

if [ "$fails" -ne 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "image CLI: all checks passed"
