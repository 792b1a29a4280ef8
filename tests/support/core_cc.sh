# Shell tests that compile the core themselves (with other -D options than
# the build's) against this build's mbedTLS. Sourcing sets SRC, T (a
# temporary directory removed on exit), inc (-I of the mbedTLS headers, or
# empty for the system's) and link (the mbedTLS libraries).
set -eu
SRC="${OTTER_SRC:?}"
LIBS="${OTTER_MBEDTLS_LIBS:-}"
T=$(mktemp -d "${TMPDIR:-/tmp}/otter-core-cc.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
inc=""
link="-lmbedtls -lmbedx509 -lmbedcrypto"
if [ -n "$LIBS" ]; then
    link="$LIBS"
    for l in $LIBS; do
        d=$(dirname "$l")/../include
        [ -f "$d/mbedtls/ssl.h" ] && inc="-I$d" && break
    done
fi
: # the status of sourcing this file
