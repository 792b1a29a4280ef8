#!/bin/sh
# otter TLS against real nginx (private configuration, free loopback port):
# full handshake with the test PKI, ALPN http/1.1, a 1.5 MB file downloaded
# byte-exact over TLS, session resumption on reconnect, max fragment length.
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
    server_name localhost;
    ssl_certificate $P/chain.pem;
    ssl_certificate_key $P/leaf.key;
    root $T/www;
}
EOF
nginx_tls "$T/ngx" "$T/server.tmpl"

expect "nginx handshake" 0 "result: OK" "protocol: TLSv1.2" "alpn=http/1.1" \
    "trusted through 'Otter Test Root'" "chain sent by the server: 2 certificates" \
    -- --port "$PORT" --ca "$P/root.crt"
expect "1.5 MB download" 0 "response: HTTP/1.1 200 OK" "body bytes: 1577648" \
    -- --port "$PORT" --ca "$P/root.crt" --get /firmware.bin --out "$T/got.bin"
if cmp -s "$T/got.bin" "$T/www/firmware.bin"; then echo "ok: download byte-exact"; else
    echo "FAIL: download differs"; FAILS=$((FAILS + 1)); fi
expect "resumption" 0 "session resumed" -- --port "$PORT" --ca "$P/root.crt" --reconnect
expect "max fragment length 4096" 0 "body bytes: 1577648" \
    -- --port "$PORT" --ca "$P/root.crt" --mfl 4096 --get /firmware.bin --out "$T/got4k.bin"
cmp -s "$T/got4k.bin" "$T/www/firmware.bin" && echo "ok: mfl download byte-exact" || {
    echo "FAIL: mfl download differs"; FAILS=$((FAILS + 1)); }
# nginx honours 512 and fragments its Certificate message; mbedTLS 2.28
# cannot reassemble fragmented handshake messages: say so.
expect "max fragment length 512" 141 "result: TLS_HANDSHAKE" \
    "split a handshake message into records of at most 512 bytes" "SSL_FEATURE_UNAVAILABLE" \
    -- --port "$PORT" --ca "$P/root.crt" --mfl 512
expect "404 over TLS" 0 "response: HTTP/1.1 404 Not Found" -- --port "$PORT" --ca "$P/root.crt" --get /missing
expect "nginx, untrusted" 140 "The server's chain ends at 'Otter Test Root', which is not trusted" \
    -- --port "$PORT" --ca "$P/new-root.crt"
finish
