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
# A test named *_sources_missing stands for tests whose third-party sources
# are absent (a user's machine without $OTTER_DEPS): said, not failed.
missing=$(printf '%s\n' "$notrun" | grep 'name="[^"]*_sources_missing"' || true)
if [ -n "$missing" ]; then
    printf '%s\n' "$missing" | sed 's/.*name="\([^"]*\)".*/check-skips: \1: skipped, third-party sources not found (set OTTER_DEPS; see its test output)/'
    notrun=$(printf '%s\n' "$notrun" | grep -v 'name="[^"]*_sources_missing"' || true)
fi
if [ -n "$notrun" ]; then
    echo "check-skips: $(printf '%s\n' "$notrun" | wc -l) of $total tests in $build did not run:" >&2
    printf '%s\n' "$notrun" | sed 's/.*name="\([^"]*\)".*status="\([^"]*\)".*/  \1 (\2)/' >&2
    echo "check-skips: install what they need (make deps-test) and run make test again" >&2
    exit 1
fi
echo "check-skips: all $total tests in $build ran"
