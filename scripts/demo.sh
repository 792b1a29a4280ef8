#!/bin/sh
# make demo: otter end to end on this machine. Grows as the pieces land.
set -eu
build="${1:-build}"
otter="$build/otter"
echo "== otter demo"
"$otter" --help
