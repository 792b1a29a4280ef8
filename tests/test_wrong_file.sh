#!/bin/sh
# `otter image info` names each kind of file people serve instead of the app
# image, with its fix in one sentence and exit 1 (files made for the test by
# tests/support/wrong_files.sh); the device's refusal is in
# tests/test_device_serve.sh.
set -eu
OTTER="${OTTER_BIN:?}"
. "${OTTER_SRC:?}/tests/support/wrong_files.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/otter-wrongfile.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); sed 's/^/    | /' "$T/out" | head -20; }
"$OTTER" image make --chip esp32 --version 1.0.0 --project demo --size 100000 --out "$T/app.bin" >/dev/null
make_wrong_files "$T/w" "$T/app.bin"
for fe in $WRONG_FILES; do
    f="${fe%%:*}"; e="${fe#*:}"
    rc=0
    "$OTTER" image info "$T/w/$f" >"$T/out" 2>&1 || rc=$?
    [ "$rc" -eq 1 ] || { fail "$f: exit $rc, want 1"; continue; }
    grep -q "^verdict:     $e: " "$T/out" || { fail "$f: not named $e"; continue; }
    grep -q "^             .*fix: " "$T/out" || { fail "$f: no fix sentence"; continue; }
    "$OTTER" image info --json "$T/w/$f" >"$T/out" 2>&1 || true
    grep -q "\"verdict\":\"$e\",\"explanation\":\"[^\"]*fix: " "$T/out" || { fail "$f: JSON lacks the verdict or fix"; continue; }
    echo "ok: $f is $e"
done
"$OTTER" image info "$T/w/random.bin" >"$T/out" 2>&1 || true
grep -q "first bytes: 42 " "$T/out" && echo "ok: an unknown file shows its first bytes" || fail "no first bytes"
"$OTTER" image info "$T/w/merged-esp32.bin" >"$T/out" 2>&1 || true
grep -q "serve the app .bin alone (the file flashed at 0x10000" "$T/out" && echo "ok: merged: serve the app alone" ||
    fail "merged: wrong fix"
# Random binaries are never called text: 16 tries.
i=0
while [ $i -lt 16 ]; do
    head -c 2048 /dev/urandom > "$T/r.bin"
    "$OTTER" image info "$T/r.bin" >"$T/out" 2>&1 || true
    if grep -q "IMG_HTML\|IMG_TEXT\|IMG_JSON\|IMG_ZIP" "$T/out"; then fail "random bytes named as text"; fi
    i=$((i + 1))
done
echo "ok: 16 random files, none named HTML, JSON, text or ZIP"
# The app itself is still an app.
"$OTTER" image info "$T/app.bin" >"$T/out" 2>&1 || fail "the app is refused"
echo "test_wrong_file: $FAILS failed"
[ "$FAILS" -eq 0 ]
