#!/bin/sh
# Sign real apps of tests/vectors/esp32/ with the test keys of tests/keys/,
# with the project's CLI (`otter sign`), for tests/test_sigverify.c, which
# verifies them on the host and on the target ISAs (where nothing signs).
# Usage: scripts/sign-vectors.sh OTTER_BIN OUTDIR
# Writes OUTDIR/<app>.p256.bin, <app>.rsa3072.bin, <app>.p256-rsa3072.bin.
# And for tests/test_update.c, synthetic apps (`otter image make`, the
# bytes updfix_image() makes) signed the same way: OUTDIR/app-<version>-<seed>.
# <key>.bin, the key test-p256, test-p256-b or test-rsa3072.
set -eu
cd "$(dirname "$0")/.."
otter="$1"; out="$2"
v=tests/vectors/esp32; k=tests/keys
mkdir -p "$out"
c3=esp32c3-arduino2-idf4.4.1-pio-pressureprobe-app
s3=esp32s3-idf4.4-damda-app
"$otter" sign --key $k/test-p256.pem $v/$c3.bin --out "$out/$c3.p256.bin" >/dev/null
"$otter" sign --key $k/test-rsa3072.pem $v/$s3.bin --out "$out/$s3.rsa3072.bin" >/dev/null
"$otter" sign --key $k/test-rsa3072.pem "$out/$c3.p256.bin" --append --out "$out/$c3.p256-rsa3072.bin" >/dev/null
# version size seed key: the images the update tests sign
for spec in "1.0.0 200000 1 p256" "1.1.0 150000 3 p256" "1.2.0 150000 3 p256" "1.2.0 150000 3 p256-b" "1.2.0 150000 3 rsa3072" \
            "1.2.0 150000 91 p256"; do
    set -- $spec
    app="$out/app-$1-$3"
    "$otter" image make --chip esp32 --version "$1" --project otter-demo --size "$2" --seed "$3" --out "$app.bin" >/dev/null
    "$otter" sign --key "$k/test-$4.pem" "$app.bin" --out "$app.$4.bin" >/dev/null
    rm -f "$app.bin"
done
