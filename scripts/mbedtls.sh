#!/bin/sh
# Build one upstream mbedTLS release into an ignored folder of the checkout,
# once, and print its install prefix (the value for -DOTTER_MBEDTLS=<prefix>).
#
# Usage: scripts/mbedtls.sh 3.6|4.0 [--quiet]
#
# Sources, first found:
#   $OTTER_DEPS/mbedtls-<X>.tar.xz            (OTTER_DEPS defaults to ../shared/deps)
#   https://github.com/Mbed-TLS/mbedtls/releases (only when OTTER_FETCH=1 and online)
# Output: .deps/mbedtls-<X>/prefix/{include,lib}; a stamp file records the
# tarball's sha256 so a new tarball rebuilds and an unchanged one is reused.
# Exit 0 with the prefix on stdout; exit 3 with one line on stderr saying what
# to set when the sources are not available (callers treat 3 as "skip").
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)

case "${1:-}" in
    3.6) ver=3.6.6 ;;
    4.0) ver=4.0.0 ;;
    *) echo "usage: scripts/mbedtls.sh 3.6|4.0" >&2; exit 2 ;;
esac
deps="${OTTER_DEPS:-$root/../shared/deps}"
tarball="$deps/mbedtls-$ver.tar.xz"
dest="$root/.deps/mbedtls-$ver"
prefix="$dest/prefix"

if [ ! -f "$tarball" ]; then
    if [ "${OTTER_FETCH:-0}" = 1 ]; then
        mkdir -p "$root/.deps/dl"
        tarball="$root/.deps/dl/mbedtls-$ver.tar.bz2"
        url="https://github.com/Mbed-TLS/mbedtls/releases/download/mbedtls-$ver/mbedtls-$ver.tar.bz2"
        if [ ! -f "$tarball" ] && ! curl -fsSL -o "$tarball.part" "$url"; then
            echo "mbedtls $ver: download of $url failed; set OTTER_DEPS to a folder holding mbedtls-$ver.tar.xz" >&2
            rm -f "$tarball.part"; exit 3
        fi
        [ -f "$tarball.part" ] && mv "$tarball.part" "$tarball"
    else
        echo "mbedtls $ver: $tarball not found; set OTTER_DEPS to a folder holding mbedtls-$ver.tar.xz (or OTTER_FETCH=1 to download it)" >&2
        exit 3
    fi
fi

sum=$(sha256sum "$tarball" | cut -d' ' -f1)
stamp="$dest/stamp"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && [ -f "$prefix/lib/libmbedtls.a" ]; then
    echo "$prefix"
    exit 0
fi

# 4.0 generates sources at build time with Python 3 + jinja2 + jsonschema.
if [ "$ver" = 4.0.0 ]; then
    scripts/deps.sh python3 python3-jinja2 python3-jsonschema >&2
fi

rm -rf "$dest"
mkdir -p "$dest"
log="$dest/build.log"
echo "mbedtls $ver: building into $prefix (log: $log)" >&2
tar -xf "$tarball" -C "$dest"
src=$(find "$dest" -mindepth 1 -maxdepth 1 -type d -name 'mbedtls-*' | head -1)
if ! { cmake -S "$src" -B "$dest/build" -DENABLE_TESTING=OFF -DENABLE_PROGRAMS=OFF \
          -DCMAKE_BUILD_TYPE=Release -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
          -DPython3_EXECUTABLE=/usr/bin/python3 \
          -DCMAKE_INSTALL_PREFIX="$prefix" &&
       cmake --build "$dest/build" -j "$(nproc 2>/dev/null || echo 2)" &&
       cmake --install "$dest/build"; } >"$log" 2>&1; then
    tail -20 "$log" >&2
    echo "mbedtls $ver: build failed; see $log" >&2
    exit 1
fi
# Sources and objects are not needed once installed; keep the prefix only.
rm -rf "$dest/build" "$src"
echo "$sum" >"$stamp"
echo "$prefix"
