# Shared by tests/test_tls_*.sh (sourced): temp dir, test PKI, servers on
# free loopback ports, and assertions on tool_tlsget's exit code and words.
set -eu
: "${OTTER_SRC:?}" "${OTTER_TOOL_TLSGET:?}"
GET="$OTTER_TOOL_TLSGET"
T=$(mktemp -d "${TMPDIR:-/tmp}/otter-tls.XXXXXX")
PIDS=""
FAILS=0
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    for p in $PIDS; do wait "$p" 2>/dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
sh "$OTTER_SRC/tests/support/mkpki.sh" "$T/pki"
P="$T/pki"

# spki_pin CERT: the SPKI SHA-256 of a certificate, hex, computed by OpenSSL.
spki_pin() {
    openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform DER |
        openssl dgst -sha256 -binary | od -An -tx1 | tr -d ' \n'
}

# sserver NAME ARGS...: start `openssl s_server -www` on a free port chosen by
# the kernel; sets PORT. Bounded to 5 minutes.
sserver() {
    name="$1"; shift
    log="$T/$name.log"
    : > "$log" # exists before the background job opens it
    timeout 300 openssl s_server -accept 127.0.0.1:0 -www "$@" > "$log" 2>&1 &
    PIDS="$PIDS $!"
    PORT=""
    i=0
    while [ $i -lt 100 ]; do
        PORT=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' "$log" | head -1)
        [ -n "$PORT" ] && return 0
        i=$((i + 1)); sleep 0.05
    done
    echo "FAIL: s_server $name did not start:"; cat "$log"; exit 1
}

# badserver MODE: start tool_tlsget --serve MODE (silent, close, http) for
# at most 5 minutes; sets PORT.
badserver() {
    log="$T/bad-$1.log"
    : > "$log"
    "$GET" --serve "$1" 300 > "$log" 2>&1 &
    PIDS="$PIDS $!"
    PORT=""
    i=0
    while [ $i -lt 100 ] && [ -z "$PORT" ]; do
        PORT=$(head -1 "$log" || true)
        [ -n "$PORT" ] || sleep 0.05
        i=$((i + 1))
    done
    [ -n "$PORT" ] || { echo "FAIL: bad server $1 did not start"; exit 1; }
}

# expect NAME RC "WORDS"... -- TOOL ARGS: run tool_tlsget, check exit code
# and that each WORDS string appears in its output.
expect() {
    name="$1"; want="$2"; shift 2
    words=""
    while [ "$1" != "--" ]; do
        words="$words$1
"
        shift
    done
    shift
    set +e
    "$GET" "$@" > "$T/out.txt" 2>&1
    rc=$?
    set -e
    ok=1
    [ "$rc" = "$want" ] || { echo "FAIL: $name: exit $rc, want $want"; ok=0; }
    printf '%s' "$words" > "$T/words.txt"
    while IFS= read -r w; do
        [ -z "$w" ] && continue
        grep -qF -- "$w" "$T/out.txt" || { echo "FAIL: $name: missing: $w"; ok=0; }
    done < "$T/words.txt"
    if [ $ok = 1 ]; then
        echo "ok: $name"
    else
        FAILS=$((FAILS + 1))
        sed 's/^/    | /' "$T/out.txt"
    fi
}

finish() {
    if [ "$FAILS" -ne 0 ]; then
        echo "$FAILS failure(s)"
        exit 1
    fi
    echo "all passed"
}
