#!/bin/sh
# No include or call cycles between the files of src/, tools/, host/ and
# ports/ (scripts/check-cycles.py over #include "..." lines and over `nm`
# of this build's objects), and tools/, host/ and ports/ use no private
# header of src/. The checker must also see a cycle where there is one: a stand-in
# tree with two headers that include each other has to fail.
set -u
SRC="${OTTER_SRC:?}"
BUILD="${OTTER_BUILD:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/otter-cycles.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
python3 "$SRC/scripts/check-cycles.py" --root "$SRC" "$BUILD" || exit 1
mkdir -p "$T/src" "$T/tools" "$T/ports/posix"
printf '#include "b.h"\n' >"$T/src/a.h"
printf '#include "a.h"\n' >"$T/src/b.h"
printf '#include "le.h"\n' >"$T/tools/t.c"
printf '#include "le.h"\n' >"$T/ports/posix/p.c"
printf '\n' >"$T/src/le.h"
if python3 "$SRC/scripts/check-cycles.py" --root "$T" >"$T/out" 2>&1; then
    echo "FAIL: a.h <-> b.h was not flagged"
    exit 1
fi
grep -q "include cycle: src/a.h <-> src/b.h" "$T/out" || { echo "FAIL: the cycle is not named"; cat "$T/out"; exit 1; }
grep -q "tools/t.c includes the core's private header src/le.h" "$T/out" || { echo "FAIL: private include not named"; cat "$T/out"; exit 1; }
grep -q "ports/posix/p.c includes the core's private header src/le.h" "$T/out" || { echo "FAIL: private include from a port not named"; cat "$T/out"; exit 1; }
echo "ok: no cycles, and a stand-in cycle is flagged"
