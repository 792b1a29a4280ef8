#!/bin/sh
# Host names and IP addresses, live: server certificates made by `otter pki
# cert --san` for IPv4, IPv6, DNS, wildcard, CN-only and mixed SANs, served
# by `openssl s_server` (over ::1 for the IPv6 ones where the machine has
# IPv6 loopback), each checked by otter's TLS client against the URL host
# that matches and the one that does not: exit code, error name
# (TLS_HOSTNAME) and the explanation's "it names IP:..., DNS:..." words;
# then `otter cert` on an IP literal shows the same names.
. "$OTTER_SRC/tests/support/tls_lib.sh"
OTTER="${OTTER_BIN:?}"
N="$T/names"
mkdir -p "$N"
"$OTTER" pki cert --subject "CN=Otter Names Root,O=Otter Tests" --key-out "$N/root.key" --ca \
    --days 3650 --out "$N/root.pem" >/dev/null

# leaf NAME SUBJECT [--san LIST]...: $N/NAME.pem + .key issued by the root
leaf() {
    name="$1"; subj="$2"; shift 2
    "$OTTER" pki cert --subject "$subj" --key-out "$N/$name.key" --issuer-cert "$N/root.pem" \
        --issuer-key "$N/root.key" --days 365 "$@" --out "$N/$name.pem" >/dev/null
}
leaf ipv4 "CN=lan server" --san IP:127.0.0.1
leaf ipv6 "CN=lan server" --san IP:::1 --san IP:2001:db8::1
leaf dns "CN=ignored.example" --san DNS:localhost
leaf wild "CN=wild" --san "DNS:*.otter.test"
leaf badwild "CN=bad" --san "DNS:*.test,DNS:f*.otter.test"
leaf cnonly "CN=localhost"
leaf cnip "CN=127.0.0.1"
leaf mixed "CN=mixed" --san "DNS:updates.otter.test,IP:127.0.0.1,IP:::1,DNS:*.cdn.otter.test"

# serve NAME [ADDR]: s_server with $N/NAME.pem on ADDR (default 127.0.0.1)
serve() {
    log="$T/$1.log"
    : > "$log"
    timeout 300 openssl s_server -accept "${2:-127.0.0.1}:0" -www -cert "$N/$1.pem" -key "$N/$1.key" > "$log" 2>&1 &
    PIDS="$PIDS $!"
    poll 100 accept_port "$log" || { echo "FAIL: s_server $1 did not start:"; cat "$log"; exit 1; }
}
# ok NAME HOST [CONNECT]: the handshake with --host HOST succeeds
ok() {
    expect "$1: $2 matches" 0 "result: OK" -- --port "$PORT" --host "$2" --connect "${3:-127.0.0.1}" --ca "$N/root.pem"
}
# bad NAME HOST NAMES [CONNECT]: refused as TLS_HOSTNAME, the explanation
# saying what the certificate names
bad() {
    expect "$1: $2 refused" 148 "result: TLS_HOSTNAME" \
        "is not valid for the host '$2'; it names $3" \
        -- --port "$PORT" --host "$2" --connect "${4:-127.0.0.1}" --ca "$N/root.pem"
}

V6=""
if timeout 5 "$GET" --port 1 --connect ::1 --ca "$N/root.pem" >/dev/null 2>&1; [ $? = 121 ]; then
    V6="[::1]" # connection refused: IPv6 loopback works
fi

serve ipv4
ok ipv4 127.0.0.1
bad ipv4 127.0.0.2 "IP:127.0.0.1"
bad ipv4 localhost "IP:127.0.0.1"
bad ipv4 "lan server" "IP:127.0.0.1"

if [ -n "$V6" ]; then serve ipv6 "$V6"; C6=::1; else serve ipv6; C6=127.0.0.1; echo "ok: no IPv6 loopback: ::1 checked over 127.0.0.1"; fi
ok ipv6 "[::1]" $C6
ok ipv6 "0:0:0:0:0:0:0:1" $C6
ok ipv6 "[2001:DB8::1]" $C6
bad ipv6 "[::2]" "IP:::1, IP:2001:db8::1" $C6
bad ipv6 127.0.0.1 "IP:::1, IP:2001:db8::1" $C6
bad ipv6 localhost "IP:::1, IP:2001:db8::1" $C6

serve dns
ok dns localhost
ok dns LOCALHOST
bad dns ignored.example "DNS:localhost"
bad dns 127.0.0.1 "DNS:localhost"
bad dns "[::1]" "DNS:localhost"

serve wild
ok wild ota.otter.test
bad wild otter.test "DNS:*.otter.test"
bad wild a.b.otter.test "DNS:*.otter.test"

serve badwild
bad badwild otter.test "DNS:*.test, DNS:f*.otter.test"
bad badwild foo.otter.test "DNS:*.test, DNS:f*.otter.test"
bad badwild f.otter.test "DNS:*.test, DNS:f*.otter.test"

serve cnonly
ok cnonly localhost
expect "cnonly: other.example refused" 148 "result: TLS_HOSTNAME" "is not valid for the host 'other.example'" \
    -- --port "$PORT" --host other.example --ca "$N/root.pem"
serve cnip
expect "cnip: an address in the CN does not count" 148 "result: TLS_HOSTNAME" \
    "is not valid for the host '127.0.0.1'" -- --port "$PORT" --host 127.0.0.1 --ca "$N/root.pem"

serve mixed
MIXED="DNS:updates.otter.test, IP:127.0.0.1, IP:::1, DNS:*.cdn.otter.test"
ok mixed updates.otter.test
ok mixed 127.0.0.1
ok mixed "[::1]"
ok mixed eu.cdn.otter.test
bad mixed cdn.otter.test "$MIXED"
bad mixed 127.0.0.2 "$MIXED"
bad mixed mixed "$MIXED"
expect "mixed: --skip-hostname lets a mismatch through, loudly" 0 "WARNING: the host name check is OFF" \
    -- --port "$PORT" --host 127.0.0.2 --ca "$N/root.pem" --skip-hostname

# otter cert and otter doctor on an address: the same names, IP SANs
# included, and a mismatch in the device's words
check_run "otter cert 127.0.0.1 lists the IP SANs" 0 "$OTTER" \
    "DNS:updates.otter.test, IP:127.0.0.1, IP:::1" NOT:TLS_HOSTNAME -- cert "127.0.0.1:$PORT" --store "$N/root.pem"
serve dns
SAID="The server's certificate 'ignored.example' (issuer 'Otter Names Root') is not valid for the host '127.0.0.1'; it names DNS:localhost."
expect "device words for a DNS-only certificate by address" 148 "$SAID" \
    -- --port "$PORT" --host 127.0.0.1 --ca "$N/root.pem"
check_run "otter cert: the same words" 0 "$OTTER" "$SAID" "refuses it (TLS_HOSTNAME)" \
    -- cert "127.0.0.1:$PORT" --store "$N/root.pem"
check_run "otter doctor: the same words" 1 "$OTTER" "✗ hostname       $SAID" \
    -- doctor "https://127.0.0.1:$PORT/fw.bin" --ca "$N/root.pem"
finish
