#!/bin/sh
# Every file a comment or a document of the repository cites exists
# (scripts/check-comments.py), and the checker itself notices one that does
# not: a stand-in tree with a dangling citation must fail.
set -u
SRC="${OTTER_SRC:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/otter-comments.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
python3 "$SRC/scripts/check-comments.py" "$SRC" || exit 1
mkdir -p "$T/src"
printf '/* see src/nowhere.c */\nint x;\n' >"$T/src/a.c"
if python3 "$SRC/scripts/check-comments.py" "$T" >"$T/out" 2>&1; then
    echo "FAIL: a citation of src/nowhere.c was not flagged"
    exit 1
fi
grep -q "src/nowhere.c" "$T/out" || { echo "FAIL: the report does not name src/nowhere.c"; cat "$T/out"; exit 1; }
echo "ok: every cited file exists, and a missing one is flagged"
