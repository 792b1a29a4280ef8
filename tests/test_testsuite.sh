#!/bin/sh
# The tests can fail: each check that once passed without checking is run
# against a broken stand-in and must now fail (or report a skip, never a pass).
set -u
OTTER="${OTTER_BIN:?}"
SRC="${OTTER_SRC:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/otter-testsuite.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
FAILS=0
ok() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; FAILS=$((FAILS + 1)); }

# 1. test_pki.sh checks the exit status of every `otter pki` it runs, and
#    not_has fails on a file that does not exist.
cat >"$T/otter-nobc" <<EOS
#!/bin/sh
for a in "\$@"; do [ "\$a" = --no-basic-constraints ] && exit 1; done
exec "$OTTER" "\$@"
EOS
chmod +x "$T/otter-nobc"
if OTTER_BIN="$T/otter-nobc" sh "$SRC/tests/test_pki.sh" >"$T/pki.out" 2>&1; then
    fail "test_pki.sh passes with an otter that fails on --no-basic-constraints"
else
    grep -q "FAIL: otter pki cert .*--no-basic-constraints.*(exit 1)" "$T/pki.out" &&
        grep -q "FAIL: no basicConstraints" "$T/pki.out" &&
        ok "test_pki.sh fails with an otter that fails on --no-basic-constraints" ||
        fail "test_pki.sh failed for another reason: $(grep FAIL "$T/pki.out" | head -3)"
fi

# 2. test_sign_openssl.sh without xxd or bc: a skip (77), not a pass (0).
mkdir -p "$T/bin"
for tool in sh openssl gzip tac dd tr fold head tail cat printf sed mktemp rm; do
    p=$(command -v $tool) && ln -sf "$p" "$T/bin/$tool"
done
rc=0
PATH="$T/bin" "$T/bin/sh" "$SRC/tests/test_sign_openssl.sh" >"$T/sign.out" 2>&1 || rc=$?
[ "$rc" -eq 77 ] && ok "test_sign_openssl.sh without xxd/bc exits 77 (skip)" ||
    fail "test_sign_openssl.sh without xxd/bc: exit $rc, want 77: $(cat "$T/sign.out")"
grep -q 'SKIP_RETURN_CODE 77' "$SRC/CMakeLists.txt" && ok "shell tests have SKIP_RETURN_CODE 77" ||
    fail "shell tests have no SKIP_RETURN_CODE"
for dep in xxd bc python3; do
    grep -q "^TEST_DEPS .*[ ]$dep\( \|$\)" "$SRC/Makefile" && ok "TEST_DEPS has $dep" || fail "TEST_DEPS lacks $dep"
done

# 3. make test fails when ctest skipped a test.
mkdir -p "$T/b"
cat >"$T/b/ctest-results.xml" <<'EOS'
<testsuite tests="2" skipped="1">
	<testcase name="a" classname="a" time="0" status="notrun">
		<skipped message="SKIP_RETURN_CODE=77"/>
	</testcase>
	<testcase name="b" classname="b" time="0" status="run">
	</testcase>
</testsuite>
EOS
"$SRC/scripts/check-skips.sh" "$T/b" >"$T/skips.out" 2>&1 && fail "check-skips.sh passes a skipped test" ||
    { grep -q "a (notrun)" "$T/skips.out" && ok "check-skips.sh names the skipped test" ||
        fail "check-skips.sh: $(cat "$T/skips.out")"; }
sed -i '/status="notrun"/,/<\/testcase>/d' "$T/b/ctest-results.xml"
"$SRC/scripts/check-skips.sh" "$T/b" >/dev/null 2>&1 && ok "check-skips.sh passes when every test ran" ||
    fail "check-skips.sh fails when every test ran"
"$SRC/scripts/check-skips.sh" "$T/nonexistent" >/dev/null 2>&1 && fail "check-skips.sh passes without results" ||
    ok "check-skips.sh fails without results"
grep -q '^test:' "$SRC/Makefile" && grep -q 'scripts/test.sh' "$SRC/Makefile" &&
    grep -q 'scripts/check-skips.sh "$dir"' "$SRC/scripts/test.sh" &&
    ok "make test runs check-skips.sh for every leg" || fail "make test does not run check-skips.sh"

# 4. scripts/fuzz.sh with no fuzz binary fails instead of fuzzing nothing.
mkdir -p "$T/nofuzz"
sh "$SRC/scripts/fuzz.sh" "$T/nofuzz" 1 >"$T/fuzz.out" 2>&1 && fail "fuzz.sh exits 0 with no fuzz target" ||
    ok "fuzz.sh fails with no fuzz target: $(cat "$T/fuzz.out")"

# 5. No silent skip guards left in the shell tests.
if grep -n 'if "$OTTER" [a-z]* --help' "$SRC"/tests/test_*.sh; then fail "a test block is guarded by --help"; else
    ok "no test block guarded by --help"; fi
if grep -n 'if command -v' "$SRC"/tests/test_*.sh | grep -v test_testsuite; then fail "a test block is guarded by command -v"; else
    ok "no test block guarded by command -v"; fi

# 6. Figures that are arithmetic, not measurements, say so.
grep -q "21.6 s (computed" "$SRC/README.md" && grep -q "would block for 21.6 s (computed" "$SRC/README.md" &&
    ok "README labels 21.6 s as computed" || fail "README quotes 21.6 s without 'computed'"
grep -q "would block %llu ms (computed" "$SRC/tests/test_update_sweeps.c" && ok "test_update_sweeps prints 'computed'" ||
    fail "test_update_sweeps prints the whole-slot figure without 'computed'"
grep -q "whole-slot erase up front: %.0f ms, computed" "$SRC/tools/device_report.c" &&
    ok "otter device's summary says computed" || fail "otter device's summary does not say computed"

echo "test_testsuite: $FAILS failed"
[ "$FAILS" -eq 0 ]
