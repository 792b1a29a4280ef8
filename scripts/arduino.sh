#!/bin/sh
# make arduino: the Arduino / PlatformIO library, assembled from this tree
# (nothing is duplicated in git) into OUT (default build/arduino/otter/),
# plus OUT.zip for the Arduino IDE's "Add .ZIP Library".
#
#   otter/library.properties, library.json   arduino/
#   otter/src/OtterHttpsOTA.{h,cpp}           arduino/src/ (the C++ class)
#   otter/src/otter/*.h, errors.def, host/    include/otter/ (public headers)
#   otter/src/otter_esp*.h                    ports/esp-idf/include/
#   otter/src/otter_core/                     src/*.c, src/*.h and src/mbedtls/ (the core, flat)
#   otter/src/otter_esp/                      ports/esp-idf/src/ (the port; esp_event posting off)
#   otter/examples/HttpsOTA, HttpsOTASigned   examples/
#
# The Arduino build puts only src/ on the include path and compiles src/
# recursively, so the core's private headers sit next to its sources.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$SRC/build/arduino/otter}
mkdir -p "$(dirname "$OUT")"
OUT=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")
rm -rf "$OUT" "$OUT.zip"
mkdir -p "$OUT/src/otter" "$OUT/src/otter_core" "$OUT/src/otter_esp" "$OUT/examples"
cp "$SRC/arduino/library.properties" "$SRC/arduino/library.json" "$OUT/"
cp "$SRC"/arduino/src/* "$OUT/src/"
cp "$SRC"/include/otter/*.h "$SRC/include/otter/errors.def" "$OUT/src/otter/"
mkdir -p "$OUT/src/otter/host"
cp "$SRC"/include/otter/host/*.h "$OUT/src/otter/host/"
cp "$SRC"/ports/esp-idf/include/*.h "$OUT/src/"
cp "$SRC"/src/*.c "$SRC"/src/*.h "$SRC"/src/mbedtls/*.c "$SRC"/src/mbedtls/*.h "$OUT/src/otter_core/"
for f in "$SRC"/ports/esp-idf/src/*; do
    case "$f" in */esp_events.c) continue ;; esac # needs CONFIG_OTTER_ESP_EVENT: the IDF component only
    cp "$f" "$OUT/src/otter_esp/"
done
for e in HttpsOTA HttpsOTASigned; do
    mkdir -p "$OUT/examples/$e"
    cp "$SRC/examples/$e/$e.ino" "$OUT/examples/$e/"
done
# Flattening must not make two files one.
n_src=$(find "$SRC/src" "$SRC/ports/esp-idf/src" -name '*.[ch]' ! -name esp_events.c | wc -l)
n_out=$(find "$OUT/src/otter_core" "$OUT/src/otter_esp" -name '*.[ch]' | wc -l)
[ "$n_src" = "$n_out" ] || { echo "arduino.sh: $n_src sources but $n_out copied (a name clash?)" >&2; exit 1; }
if command -v zip > /dev/null 2>&1; then
    (cd "$(dirname "$OUT")" && zip -qr "$OUT.zip" "$(basename "$OUT")")
else
    python3 -c 'import shutil,sys; shutil.make_archive(sys.argv[1], "zip", sys.argv[2], sys.argv[3])' \
        "$OUT" "$(dirname "$OUT")" "$(basename "$OUT")"
fi
echo "$OUT/ and $OUT.zip: $(find "$OUT" -type f | wc -l) files"
