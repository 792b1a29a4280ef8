#!/bin/sh
# Every public header (include/otter/*.h, ports/*/include/*.h, ports/posix/*.h,
# listed by glob so moved or new headers are covered) compiles alone as C11
# and as C++11 and C++17 under -Wall -Wextra -Werror -pedantic, and every one
# that declares anything does so with C linkage (an extern "C" block under
# __cplusplus), so a sketch's C++ links against the C library.
# Port headers that need an SDK (ESP-IDF's esp_err.h, sdkconfig.h, ...) get
# the small stand-ins in tests/support/sdk-stubs/.
set -eu
: "${OTTER_SRC:?}"
CC=${CC:-cc}
CXX=${CXX:-c++}
command -v "$CXX" >/dev/null 2>&1 || { echo "skip: no C++ compiler ($CXX)"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/otter-hdr.XXXXXX")
trap 'rm -rf "$T"' EXIT
FAILS=0
N=0
INC="-I$OTTER_SRC/include -I$OTTER_SRC/ports/posix -I$OTTER_SRC/tests/support/sdk-stubs"
for d in "$OTTER_SRC"/ports/*/include; do [ -d "$d" ] && INC="$INC -I$d"; done
W="-Wall -Wextra -Werror -pedantic"
for h in "$OTTER_SRC"/include/otter/*.h "$OTTER_SRC"/ports/*/include/*.h "$OTTER_SRC"/ports/*/*.h; do
    [ -f "$h" ] || continue
    case "$h" in */src/*) continue ;; esac
    N=$((N + 1))
    rel=${h#"$OTTER_SRC"/}
    printf '#include "%s"\nint otter_header_test_anchor;\n' "$h" > "$T/t.c"
    cp "$T/t.c" "$T/t.cpp"
    for std in c11; do
        # shellcheck disable=SC2086
        $CC -std=$std $W $INC -c "$T/t.c" -o "$T/t.o" 2> "$T/err" ||
            { echo "FAIL: $rel as $std"; sed 's/^/    | /' "$T/err" | head -20; FAILS=$((FAILS + 1)); }
    done
    for std in c++11 c++17; do
        # shellcheck disable=SC2086
        $CXX -std=$std $W $INC -c "$T/t.cpp" -o "$T/t.o" 2> "$T/err" ||
            { echo "FAIL: $rel as $std"; sed 's/^/    | /' "$T/err" | head -20; FAILS=$((FAILS + 1)); }
    done
    # C linkage: a header with declarations (anything beyond preprocessor
    # lines and comments) has the extern "C" block.
    if sed -e 's://.*$::' "$h" | tr '\n' ' ' | sed -e 's:/\*[^*]*\*\+\([^/*][^*]*\*\+\)*/::g' |
        tr ' ' '\n' | grep -q ';'; then
        grep -q 'extern "C" {' "$h" || { echo "FAIL: $rel declares without extern \"C\""; FAILS=$((FAILS + 1)); }
    fi
done
[ $N -gt 20 ] || { echo "FAIL: only $N headers found"; exit 1; }
# One C++ translation unit calls C functions through the headers and links
# against the C core: a mangled name would not link.
cat > "$T/link.cpp" <<'CPP'
#include "otter/error.h"
#include "otter/url.h"
int main() { otter_url_t u; return otter_url_parse("https://a/b", 11, &u) == 0 && otter_strerror(0) != nullptr ? 0 : 1; }
CPP
if [ -n "${OTTER_BUILD:-}" ] && [ -f "$OTTER_BUILD/libotter_core.a" ]; then
    san=""
    grep -q '^OTTER_SANITIZE:BOOL=ON' "$OTTER_BUILD/CMakeCache.txt" 2>/dev/null && san="-fsanitize=address,undefined"
    # shellcheck disable=SC2086
    $CXX -std=c++11 $W $san $INC "$T/link.cpp" "$OTTER_BUILD/libotter_core.a" "$OTTER_BUILD/libotter_explain.a" ${OTTER_MBEDTLS_LIBS:--lmbedtls -lmbedx509 -lmbedcrypto} -o "$T/link" 2> "$T/err" &&
        "$T/link" || { echo "FAIL: C++ does not link against the C core"; sed 's/^/    | /' "$T/err" | head; FAILS=$((FAILS + 1)); }
fi
[ $FAILS = 0 ] || { echo "$FAILS failure(s) in $N headers"; exit 1; }
echo "ok: $N headers compile as C11, C++11 and C++17 with C linkage; C++ links against the core"
