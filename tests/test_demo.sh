#!/bin/sh
# `make demo` itself, in make test: scripts/demo.sh against this build must
# update v1.0.0 -> v1.1.0, roll v1.2.0 back, and stop its server.
set -eu
: "${OTTER_SRC:?}" "${OTTER_BUILD:?}"
out=$(mktemp "${TMPDIR:-/tmp}/otter-demo-test.XXXXXX")
trap 'rm -f "$out"' EXIT INT TERM
if ! sh "$OTTER_SRC/scripts/demo.sh" "$OTTER_BUILD" >"$out" 2>&1; then
    echo "FAIL: scripts/demo.sh failed"; cat "$out"; exit 1
fi
fails=0
for w in "== otter device: v1.0.0 -> v1.1.0" "v1.1.0 runs, v1.2.0 was rolled back, the server is stopped"; do
    grep -qF "$w" "$out" && echo "ok: $w" || { echo "FAIL: demo output lacks: $w"; fails=$((fails + 1)); }
done
grep -c "outcome            updated" "$out" | grep -qx 1 && echo "ok: one update confirmed" || { echo "FAIL: no confirmed update"; fails=$((fails + 1)); }
grep -q "outcome            rolled_back" "$out" && echo "ok: v1.2.0 rolled back" || { echo "FAIL: no rollback"; fails=$((fails + 1)); }
[ "$fails" -eq 0 ] || { cat "$out"; exit 1; }
