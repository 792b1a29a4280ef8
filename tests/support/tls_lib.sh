# Shared by tests/test_tls_*.sh (sourced): temp dir, test PKI, servers on
# free loopback ports, and assertions on tool_tlsget's exit code and words.
set -eu
: "${OTTER_SRC:?}" "${OTTER_TOOL_TLSGET:?}"
GET="$OTTER_TOOL_TLSGET"
. "$OTTER_SRC/tests/support/servers.sh"
servers_init tls
PORT_TOOL="$GET"
sh "$OTTER_SRC/tests/support/mkpki.sh" "$T/pki"
P="$T/pki"

# What this build's TLS library can do (tool_tlsget --caps): TLS13=1 where
# TLS 1.3 is built in (mbedTLS 3.6, 4.0), REASSEMBLY=1 where handshake
# messages split over records are reassembled; BEST is the protocol
# negotiated with a server that offers both 1.2 and 1.3.
CAPS=$("$GET" --caps)
TLS13=$(printf '%s\n' "$CAPS" | sed -n 's/^tls1.3: //p')
REASSEMBLY=$(printf '%s\n' "$CAPS" | sed -n 's/^hs_reassembly: //p')
if [ "$TLS13" = 1 ]; then BEST=TLSv1.3; else BEST=TLSv1.2; fi
echo "ok: $(printf '%s\n' "$CAPS" | sed -n 's/^backend: //p'), TLS 1.3 $([ "$TLS13" = 1 ] && echo on || echo off)"

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
    poll 100 accept_port "$log" && return 0
    echo "FAIL: s_server $name did not start:"; cat "$log"; exit 1
}
# accept_port LOG: s_server has printed its ACCEPT line; sets PORT.
accept_port() {
    PORT=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' "$1" | head -1)
    [ -n "$PORT" ]
}

# badserver MODE: start tool_tlsget --serve MODE (silent, close, http) for
# at most 5 minutes; sets PORT.
badserver() {
    log="$T/bad-$1.log"
    : > "$log"
    "$GET" --serve "$1" 300 > "$log" 2>&1 &
    PIDS="$PIDS $!"
    poll 100 port_file "$log" || { echo "FAIL: bad server $1 did not start"; exit 1; }
    PORT=$(head -1 "$log")
}

# expect NAME RC "WORDS"... -- TOOL ARGS: run tool_tlsget, check exit code
# and that each WORDS string appears in its output.
expect() {
    name="$1"; want="$2"; shift 2
    check_run "$name" "$want" "$GET" "$@"
}

# nginx_tls DIR CONF [SECONDS]: nginx_start (tests/support/servers.sh) for a
# TLS server trusted through $P/root.crt.
nginx_tls() {
    nginx_start "$1" "$2" tls_ready ${3:+"$3"}
}
tls_ready() {
    "$GET" --port "$PORT" --ca "$P/root.crt" >/dev/null 2>&1
}
