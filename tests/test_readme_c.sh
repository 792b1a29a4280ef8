#!/bin/sh
# Every ```c snippet in README.md compiles as written against the public
# headers: #include lines stay at file scope, the rest goes into a function
# body; what the snippet assumes of the firmware around it (its flash,
# transports, callbacks) is declared in tests/support/readme_context.h, and
# each snippet must name its own otter header; the update engine's example
# includes the firmware API (otter/otter.h) only.
set -eu
SRC="${OTTER_SRC:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/otter-readme-c.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
awk -v dir="$T" '
    /^```c[ \t]*$/ { n++; inside = 1; f = sprintf("%s/snippet%d.txt", dir, n); next }
    /^```/ { inside = 0; next }
    inside { print > f }
' "$SRC/README.md"
count=$(ls "$T"/snippet*.txt 2>/dev/null | wc -l)
[ "$count" -ge 2 ] || { echo "FAIL: found $count C snippets in README.md, expected at least 2"; exit 1; }
fails=0
for s in "$T"/snippet*.txt; do
    c="${s%.txt}.c"
    # The ESP-IDF port's snippet needs ESP-IDF's headers: the ESP-IDF host
    # build compiles it (tests/esp-idf/CMakeLists.txt, readme_esp_snippet).
    if grep -q '^#include "otter_esp' "$s"; then
        echo "ok: README snippet $(basename "$s" .txt) ($(head -1 "$s")) is compiled by the ESP-IDF host build"
        continue
    fi
    # The snippet's own includes first: a header that does not include what
    # its API names fails here.
    { grep '^#include' "$s" || true
      echo '#include "readme_context.h"'
      echo 'void readme_snippet(void);'
      echo 'void readme_snippet(void)'
      echo '{'
      echo '    uint8_t chunk[512];'
      echo '    int n;'
      grep -v '^#include' "$s"
      echo '}'
    } > "$c"
    grep -q '^#include "otter/' "$s" || { echo "FAIL: $(basename "$s"): names no otter header"; fails=$((fails + 1)); continue; }
    # The library example (the update engine) uses the firmware API only:
    # include/otter/otter.h and nothing else of otter's.
    if grep -q 'otter_update_init' "$s" && grep '^#include "otter/' "$s" | grep -qv '^#include "otter/otter.h"'; then
        echo "FAIL: $(basename "$s"): the update engine example includes more than otter/otter.h"
        fails=$((fails + 1)); continue
    fi
    if cc -std=c11 -Wall -Wextra -Werror -Wno-unused-variable -Wno-unused-but-set-variable -c \
        -I"$SRC/include" -I"$SRC/tests/support" "$c" -o "${c%.c}.o" 2>"$T/cc.err"; then
        echo "ok: README snippet $(basename "$s" .txt) ($(head -1 "$s")) compiles"
    else
        echo "FAIL: README snippet $(basename "$s" .txt) does not compile:"
        sed 's/^/    | /' "$T/cc.err" | head -20
        nl -ba "$c" | sed 's/^/    | /' | head -60
        fails=$((fails + 1))
    fi
done
[ "$fails" -eq 0 ]
