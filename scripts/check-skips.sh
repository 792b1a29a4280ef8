#!/bin/sh
# Fail when ctest skipped or did not run a test it lists: a test that cannot
# run here (a missing tool, exit 77) is not a test that passed.
# Usage: scripts/check-skips.sh BUILD_DIR
# Reads BUILD_DIR/ctest-results.xml, written by `ctest --output-junit
# ctest-results.xml` (the Makefile's test target).
set -eu
build="${1:?usage: scripts/check-skips.sh BUILD_DIR}"
xml="$build/ctest-results.xml"
[ -s "$xml" ] || { echo "check-skips: $xml not found (run ctest --output-junit ctest-results.xml)" >&2; exit 1; }
total=$(grep -c '<testcase ' "$xml" || true)
notrun=$(grep '<testcase ' "$xml" | grep -v 'status="run"' || true)
if [ -n "$notrun" ]; then
    echo "check-skips: $(printf '%s\n' "$notrun" | wc -l) of $total tests in $build did not run:" >&2
    printf '%s\n' "$notrun" | sed 's/.*name="\([^"]*\)".*status="\([^"]*\)".*/  \1 (\2)/' >&2
    echo "check-skips: install what they need (make deps-test) and run make test again" >&2
    exit 1
fi
echo "check-skips: all $total tests in $build ran"
