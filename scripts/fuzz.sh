#!/bin/sh
# make fuzz: run every libFuzzer target for a while on its seed corpus.
# Usage: scripts/fuzz.sh BUILD_DIR [SECONDS_PER_TARGET]   (default 60)
# New inputs go to build-fuzz/corpus/<name>/ (not the committed seeds);
# crashes are written as build-fuzz/crash-<name>-* and fail the run.
set -eu
build="$1"; secs="${2:-${FUZZ_SECONDS:-60}}"
cd "$(dirname "$0")/.."
rc=0
ran=0
# The fuzz build lets UBSan recover; make every report a failure.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
for bin in "$build"/fuzz_*; do
    [ -x "$bin" ] || continue
    ran=$((ran + 1))
    name=$(basename "$bin"); corpus=${name#fuzz_}
    work="$build/corpus/$corpus"; mkdir -p "$work"
    echo "== $name for ${secs}s"
    if ! "$bin" -max_total_time="$secs" -artifact_prefix="$build/crash-$corpus-" \
            -print_final_stats=0 "$work" "fuzz/corpus/$corpus" >"$build/$name.log" 2>&1; then
        echo "fuzz: $name found a crash; see $build/$name.log and $build/crash-$corpus-*" >&2
        rc=1
    fi
    tail -1 "$build/$name.log"
done
if [ "$ran" -eq 0 ]; then
    echo "fuzz: no fuzz target in $build (build them with: make fuzz)" >&2
    exit 1
fi
exit $rc
