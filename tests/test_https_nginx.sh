#!/bin/sh
# otter's HTTP client over otter's TLS against real nginx (test PKI, free
# loopback ports): a 1.5 MB file byte-exact through a 1 KB HTTP buffer, Range
# resume, keep-alive over one TLS connection, redirects to another TLS
# server (fresh connection, same trust), https -> http refused, untrusted
# server refused, HTTPS through the CONNECT proxy.
. "$OTTER_SRC/tests/support/http_lib.sh"

sh "$OTTER_SRC/tests/support/mkpki.sh" "$T/pki"
P="$T/pki"
chmod -R a+rX "$P"
W="$T/www"
mkdir -p "$W"
head -c 1577648 /dev/urandom > "$W/firmware.bin"
printf 'hello, otter\n' > "$W/small.txt"
chmod -R a+rX "$W"
SIZE=1577648

# A second nginx first (plain http + another TLS port) so the first can
# redirect to it.
cat > "$T/other.tmpl" <<NGINX_SERVER
server {
    listen 127.0.0.1:@PORT@;
    root $W;
}
NGINX_SERVER
start_nginx "$T/ngx-plain" "$T/other.tmpl"
PLAIN=$PORT
OTHER_TLS=$("$GET" --free-port)

cat > "$T/tls.tmpl" <<NGINX_SERVER
server {
    listen 127.0.0.1:@PORT@ ssl;
    server_name localhost;
    ssl_certificate $P/chain.pem;
    ssl_certificate_key $P/leaf.key;
    root $W;
    location = /to-http { return 302 http://127.0.0.1:$PLAIN/small.txt; }
    location = /to-other { return 302 https://localhost:$OTHER_TLS/firmware.bin; }
    location = /redir { return 301 /firmware.bin; }
}
server {
    listen 127.0.0.1:$OTHER_TLS ssl;
    server_name localhost;
    ssl_certificate $P/chain.pem;
    ssl_certificate_key $P/leaf.key;
    root $W;
}
NGINX_SERVER
start_nginx "$T/ngx-tls" "$T/tls.tmpl"
U="https://localhost:$PORT"
CA="$P/root.crt"

expect "HTTPS 1.5 MB through a 1 KB HTTP buffer" "result=OK status=200 bytes=$SIZE redirects=0 phase=done" -- \
    -c "$CA" -b 1024 -o "$T/fw.out" "$U/firmware.bin"
same "HTTPS byte-exact" "$W/firmware.bin" "$T/fw.out"
"$GET" -c "$CA" -I "$U/firmware.bin" > "$T/head.txt"
ETAG=$(sed -n 's/.* etag=\(".*"\) lm=.*/\1/p' "$T/head.txt")
expect "HTTPS Range resume" "result=OK status=206 bytes=77648" -- \
    -c "$CA" -b 1024 -s 1500000 -i "$ETAG" -t $SIZE -o "$T/tail.out" "$U/firmware.bin"
tail -c +1500001 "$W/firmware.bin" > "$T/tail.want"
same "HTTPS Range byte-exact" "$T/tail.want" "$T/tail.out"
expect "HTTPS keep-alive" "connects=1 reuses=2 retries=0" -- \
    -c "$CA" "$U/small.txt" "$U/firmware.bin" "$U/small.txt"
expect "HTTPS same-host redirect reuses the TLS connection" \
    "result=OK status=200 bytes=$SIZE redirects=1 phase=done connects=1 reuses=1" -- -c "$CA" "$U/redir"
expect "HTTPS redirect to another server" "result=OK status=200 bytes=$SIZE redirects=1 phase=done connects=2" -- \
    -c "$CA" -o "$T/fw2.out" "$U/to-other"
same "redirected HTTPS byte-exact" "$W/firmware.bin" "$T/fw2.out"
expect "https -> http redirect refused" "result=HTTP_DOWNGRADE status=302 bytes=0 redirects=0" -- \
    -c "$CA" "$U/to-http"
expect "untrusted server" "result=TLS_TRUST status=0 bytes=0 redirects=0 phase=connect" -- \
    -c "$OTTER_SRC/tests/vectors/tls/forum-pinned-r3-by-dst-root-x3.pem" "$U/small.txt"
expect "https without a TLS transport" "result=UNSUPPORTED" -- "$U/small.txt"
start_fault proxy
expect "HTTPS through the CONNECT proxy (tcp -> proxy -> tls)" "result=OK status=200 bytes=$SIZE" -- \
    -x "http://127.0.0.1:$FPORT" -c "$CA" -b 1024 -o "$T/px.out" "$U/firmware.bin"
same "HTTPS through the proxy byte-exact" "$W/firmware.bin" "$T/px.out"
finish
