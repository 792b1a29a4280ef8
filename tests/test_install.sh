#!/bin/sh
# The install step of the README: `cmake --install BUILD --prefix DIR` puts
# the CLI in DIR/bin, the libraries in DIR/lib, the headers in
# DIR/include/otter and DIR/lib/pkgconfig/otter.pc; a program built with
# `pkg-config --cflags --libs otter` against the installed copy runs; the
# Makefile's `install` target passes PREFIX to cmake --install.
set -eu
SRC="${OTTER_SRC:?}"
BUILD="${OTTER_BUILD:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/otter-install.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

cmake --install "$BUILD" --prefix "$T/prefix" >"$T/install.log" 2>&1 || { cat "$T/install.log"; exit 1; }
P="$T/prefix"
[ -x "$P/bin/otter" ] && ok "bin/otter" || fail "no bin/otter"
"$P/bin/otter" --version | grep -q '^otter ' && ok "the installed otter runs" || fail "installed otter does not run"
PATH="$P/bin:$PATH" otter image make --chip esp32 --version 1.0.0 --project demo --size 70000 --out "$T/a.bin" >/dev/null &&
    PATH="$P/bin:$PATH" otter image info "$T/a.bin" >/dev/null && ok "otter on PATH after install" || fail "otter on PATH"
for f in lib/libotter_core.a lib/libotter_explain.a lib/libotter_posix.a include/otter/otter.h include/otter/update.h include/otter/http.h \
         include/otter/errors.def include/otter/bytes.h include/otter/host/partition.h include/otter/host/sigblock.h \
         include/otter/host/tls_report.h include/otter/posix/norsim.h lib/pkgconfig/otter.pc; do
    [ -s "$P/$f" ] && ok "$f" || fail "no $f"
done
# The core's private headers (src/) are not installed.
for f in update_journal.h crc32.h update_priv.h; do
    [ ! -e "$P/include/otter/$f" ] && ok "private $f not installed" || fail "private $f installed"
done
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
pkg-config --exists otter && ok "pkg-config finds otter $(pkg-config --modversion otter)" || fail "pkg-config"
cat >"$T/use.c" <<'C'
#include <stdio.h>
#include <string.h>
#include "otter/host/partition.h"
#include "otter/http.h"
#include "otter/image.h"
#include "otter/otter.h"
#include "posix_clock.h"
int main(void)
{
    static const unsigned char elf[] = {0x7F, 'E', 'L', 'F', 2, 1, 1, 0};
    int e = otter_image_identify(elf, sizeof elf, sizeof elf);
    printf("%s %s\n", otter_errname(e), otter_errname(OTTER_ERR_HTTP_AGAIN));
    return e == OTTER_ERR_IMG_ELF ? 0 : 1;
}
C
san=""
grep -q '^OTTER_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" && san="-fsanitize=address,undefined"
# shellcheck disable=SC2046
if cc -std=c11 -Wall -Werror $san -o "$T/use" "$T/use.c" $(pkg-config --cflags --libs otter) 2>"$T/cc.err"; then
    out=$("$T/use") && [ "$out" = "IMG_ELF HTTP_AGAIN" ] && ok "a program built with pkg-config runs: $out" ||
        fail "the program says '$out'"
else
    fail "cannot build against the installed otter: $(cat "$T/cc.err")"
fi
# make install PREFIX=... runs cmake --install with that prefix
make -n -C "$SRC" install PREFIX=/opt/otter-test BUILD="$BUILD" 2>/dev/null | grep -q "cmake --install $BUILD --prefix /opt/otter-test" &&
    ok "make install PREFIX= passes the prefix" || fail "make install does not pass PREFIX"
grep -q 'make install PREFIX=' "$SRC/README.md" && grep -q 'bin/otter' "$SRC/README.md" &&
    ok "README says how to install and where the binary is" || fail "README lacks the install step"
[ "$fails" -eq 0 ]
