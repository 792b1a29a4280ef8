#!/bin/sh
# The Arduino library's manifests have the fields the Arduino IDE / library
# manager (library.properties, 1.5 format) and PlatformIO (library.json)
# require, and `make arduino` (scripts/arduino.sh) assembles a library
# whose layout both accept: manifests at the top, sources under src/ with
# every header a source includes found there, the examples as folders.
set -eu
: "${OTTER_SRC:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/otter-ardman.XXXXXX")
trap 'rm -rf "$T"' EXIT
FAILS=0
fail() { echo "FAIL: $1"; FAILS=$((FAILS + 1)); }
P="$OTTER_SRC/arduino/library.properties"
for k in name version author maintainer sentence paragraph category url architectures includes; do
    grep -qE "^$k=.+" "$P" || fail "library.properties: no $k="
done
grep -qx 'architectures=esp32' "$P" || fail "library.properties: architectures must be esp32"
grep -qE '^category=(Display|Communication|Signal Input/Output|Sensors|Device Control|Timing|Data Storage|Data Processing|Other)$' "$P" ||
    fail "library.properties: category is not one the Arduino IDE knows"
grep -qE '^version=[0-9]+\.[0-9]+\.[0-9]+$' "$P" || fail "library.properties: version is not semver"
inc=$(sed -n 's/^includes=//p' "$P")
[ -f "$OTTER_SRC/arduino/src/$inc" ] || fail "library.properties: includes=$inc is not in arduino/src"
# the same version everywhere
v=$(sed -n 's/^version=//p' "$P")
python3 - "$OTTER_SRC/arduino/library.json" "$v" "$OTTER_SRC" <<'PY' || FAILS=$((FAILS + 1))
import json, sys, re
d = json.load(open(sys.argv[1]))
bad = []
for k in ("name", "version", "description", "frameworks", "platforms", "build"):
    if k not in d: bad.append("no " + k)
if d.get("version") != sys.argv[2]: bad.append("version %r differs from library.properties %r" % (d.get("version"), sys.argv[2]))
if "arduino" not in d.get("frameworks", []): bad.append("frameworks lacks arduino")
if "espressif32" not in d.get("platforms", []): bad.append("platforms lacks espressif32")
b = d.get("build", {})
if b.get("srcDir", "src") != "src": bad.append("build.srcDir is not src")
if not isinstance(b.get("flags", []), list): bad.append("build.flags is not a list")
cm = open(sys.argv[3] + "/CMakeLists.txt").read()
m = re.search(r"project\(otter VERSION ([0-9.]+)", cm)
if m and m.group(1) != sys.argv[2]: bad.append("version differs from CMakeLists.txt's %s" % m.group(1))
for x in bad: print("FAIL: library.json: " + x)
sys.exit(1 if bad else 0)
PY
sh "$OTTER_SRC/scripts/arduino.sh" "$T/lib/otter" > "$T/out.txt" 2>&1 || { fail "make arduino"; cat "$T/out.txt"; }
L="$T/lib/otter"
for f in library.properties library.json src/OtterHttpsOTA.h src/OtterHttpsOTA.cpp src/otter_esp.h \
    src/otter/update.h examples/HttpsOTA/HttpsOTA.ino examples/HttpsOTASigned/HttpsOTASigned.ino; do
    [ -f "$L/$f" ] || fail "make arduino: no $f"
done
[ -f "$T/lib/otter.zip" ] || fail "make arduino: no zip"
# every quoted include of the library's sources resolves in the same folder
# or under src/ (the only include path the Arduino build adds), or is ESP-IDF's
find "$L/src" -name '*.[ch]' -o -name '*.cpp' | while read -r f; do
    d=$(dirname "$f")
    sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | while read -r h; do
        [ -f "$d/$h" ] || [ -f "$L/src/$h" ] || case "$h" in
            esp_* | freertos/* | sdkconfig.h | spi_flash_mmap.h | mbedtls/* | psa/*) ;;
            *) echo "FAIL: ${f#"$L"/}: #include \"$h\" is not found in the library" ;;
        esac
    done
done > "$T/inc.txt"
[ -s "$T/inc.txt" ] && { cat "$T/inc.txt"; FAILS=$((FAILS + 1)); }
[ $FAILS = 0 ] || { echo "$FAILS failure(s)"; exit 1; }
echo "ok: library.properties and library.json have the required fields; make arduino gives a library whose includes resolve"
