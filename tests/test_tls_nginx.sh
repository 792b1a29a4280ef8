#!/bin/sh
# otter TLS against real nginx (private configuration, free loopback port):
# full handshake with the test PKI, ALPN http/1.1, a 1.5 MB file downloaded
# byte-exact over TLS, session resumption on reconnect, max fragment length;
# then nginx with ssl_protocols forcing TLS 1.2 and TLS 1.3.
. "$OTTER_SRC/tests/support/tls_lib.sh"

mkdir -p "$T/www"
# nginx workers may run as another user (nobody when started by root)
chmod 755 "$T" "$T/www"
head -c 1577648 /dev/urandom > "$T/www/firmware.bin"
chmod 644 "$T/www/firmware.bin"

cat > "$T/server.tmpl" <<EOF
ssl_session_cache shared:otter:1m;
ssl_session_tickets on;
server {
    listen 127.0.0.1:@PORT@ ssl;
    ssl_protocols TLSv1.2 TLSv1.3;
    server_name localhost;
    ssl_certificate $P/chain.pem;
    ssl_certificate_key $P/leaf.key;
    root $T/www;
}
EOF
nginx_tls "$T/ngx" "$T/server.tmpl"

expect "nginx handshake" 0 "result: OK" "protocol: $BEST " "alpn=http/1.1" \
    "trusted through 'Otter Test Root'" "chain sent by the server: 2 certificates" \
    -- --port "$PORT" --ca "$P/root.crt"
expect "1.5 MB download" 0 "response: HTTP/1.1 200 OK" "body bytes: 1577648" \
    -- --port "$PORT" --ca "$P/root.crt" --get /firmware.bin --out "$T/got.bin"
if cmp -s "$T/got.bin" "$T/www/firmware.bin"; then echo "ok: download byte-exact"; else
    echo "FAIL: download differs"; FAILS=$((FAILS + 1)); fi
# TLS 1.3 tickets come after the handshake, with the first data read: --get
expect "resumption" 0 "session resumed" -- --port "$PORT" --ca "$P/root.crt" --get / --reconnect
expect "max fragment length 4096" 0 "body bytes: 1577648" "max fragment length: 4096 requested, honoured by the server" \
    -- --port "$PORT" --ca "$P/root.crt" --mfl 4096 --get /firmware.bin --out "$T/got4k.bin"
cmp -s "$T/got4k.bin" "$T/www/firmware.bin" && echo "ok: mfl download byte-exact" || {
    echo "FAIL: mfl download differs"; FAILS=$((FAILS + 1)); }
# nginx honours 512 and fragments its Certificate message (over TLS 1.2:
# mbedTLS offers only 1.2 when a max fragment length is asked for). mbedTLS
# 2.28 cannot reassemble fragmented handshake messages: say so; 3.6.3 and
# later can.
if [ "$REASSEMBLY" = 1 ]; then
    expect "max fragment length 512" 0 "result: OK" "body bytes: 1577648" \
        -- --port "$PORT" --ca "$P/root.crt" --mfl 512 --get /firmware.bin --out "$T/got512.bin"
    cmp -s "$T/got512.bin" "$T/www/firmware.bin" && echo "ok: mfl 512 download byte-exact" || {
        echo "FAIL: mfl 512 download differs"; FAILS=$((FAILS + 1)); }
else
    expect "max fragment length 512" 141 "result: TLS_HANDSHAKE" \
        "split a handshake message into records of at most 512 bytes" "SSL_FEATURE_UNAVAILABLE" \
        -- --port "$PORT" --ca "$P/root.crt" --mfl 512
fi
expect "404 over TLS" 0 "response: HTTP/1.1 404 Not Found" -- --port "$PORT" --ca "$P/root.crt" --get /missing
expect "nginx, untrusted" 140 "The server's chain ends at 'Otter Test Root', which is not trusted" \
    -- --port "$PORT" --ca "$P/new-root.crt"

# --- each version forced with ssl_protocols ---------------------------------
listening() {
    rc=0
    "$GET" --port "$PORT" --ca "$P/root.crt" >/dev/null 2>&1 || rc=$?
    [ $rc != 121 ] # anything but "connection refused"
}
for v in 1.2 1.3; do
    sed "s/ssl_protocols .*;/ssl_protocols TLSv$v;/" "$T/server.tmpl" > "$T/server$v.tmpl"
    grep -q "ssl_protocols TLSv$v;" "$T/server$v.tmpl" || { echo "FAIL: template"; FAILS=$((FAILS + 1)); }
    # ready once it answers at all: a build without TLS 1.3 cannot handshake
    nginx_start "$T/ngx$v" "$T/server$v.tmpl" listening
    if [ $v = 1.3 ] && [ "$TLS13" != 1 ]; then
        expect "nginx TLS 1.3 only (no TLS 1.3 in this build)" 149 "result: TLS_VERSION" \
            -- --port "$PORT" --ca "$P/root.crt"
        continue
    fi
    expect "nginx TLS $v only" 0 "result: OK" "protocol: TLSv$v " "body bytes: 1577648" \
        -- --port "$PORT" --ca "$P/root.crt" --get /firmware.bin --out "$T/got$v.bin"
    cmp -s "$T/got$v.bin" "$T/www/firmware.bin" && echo "ok: TLS $v download byte-exact" || {
        echo "FAIL: TLS $v download differs"; FAILS=$((FAILS + 1)); }
    expect "nginx TLS $v resumption" 0 "protocol: TLSv$v " "session resumed" \
        -- --port "$PORT" --ca "$P/root.crt" --get / --reconnect
    expect "nginx TLS $v, untrusted: same words" 140 "result: TLS_TRUST" "-0x2700 X509_CERT_VERIFY_FAILED" \
        "The server's chain ends at 'Otter Test Root', which is not trusted" \
        -- --port "$PORT" --ca "$P/new-root.crt"
done
finish
