#!/bin/sh
# otter's HTTP client against real nginx over plain TCP (private prefix, free
# loopback port): GET byte-exact through small buffers, HEAD, Range with
# If-Range (ETag and Last-Modified), keep-alive, redirects (relative,
# absolute, chains, loop, to https without TLS), several KB of add_header,
# 404/500, basic auth, IPv6 loopback, connect and DNS failures.
. "$OTTER_SRC/tests/support/http_lib.sh"

W="$T/www"
mkdir -p "$W/big"
head -c 1577648 /dev/urandom > "$W/firmware.bin"
printf 'hello, otter\n' > "$W/small.txt"
cp "$W/small.txt" "$W/big/small.txt"
chmod -R a+rX "$W"
BIG=$(head -c 3000 /dev/zero | tr '\0' 'h')
mkdir -p "$W/private"
cp "$W/small.txt" "$W/private/small.txt"
printf 'otter:%s\n' "$(openssl passwd -apr1 s3cret)" > "$T/htpasswd"
chmod a+r "$T/htpasswd"

cat > "$T/server.tmpl" <<NGINX_SERVER
server {
    listen 127.0.0.1:@PORT@;
    listen [::1]:@PORT6@;
    server_name localhost;
    root $W;
    location = /redir { return 302 /firmware.bin; }
    location = /redir-rel { return 302 big/../small.txt; }
    location = /redir-abs { return 301 http://127.0.0.1:@PORT@/small.txt; }
    location = /loop { return 302 /loop; }
    location = /chain1 { return 302 /chain2; }
    location = /chain2 { return 307 /chain3; }
    location = /chain3 { return 308 /chain4; }
    location = /chain4 { return 303 /chain5; }
    location = /chain5 { return 301 /small.txt; }
    location = /chain0 { return 302 /chain1; }
    location = /to-https { return 302 https://127.0.0.1:@PORT@/small.txt; }
    location = /err500 { return 500; }
    location /private/ {
        auth_basic "otter";
        auth_basic_user_file $T/htpasswd;
    }
    location /big/ {
        add_header Set-Cookie "a=$BIG";
        add_header Content-Security-Policy "default-src $BIG";
        add_header X-Padding "$BIG";
    }
}
NGINX_SERVER
start_nginx "$T/ngx" "$T/server.tmpl"
U="http://127.0.0.1:$PORT"
SIZE=1577648

expect "GET 1.5 MB, 1 KB buffer" "result=OK status=200 bytes=$SIZE redirects=0" "length=$SIZE" -- \
    -b 1024 -o "$T/fw.out" "$U/firmware.bin"
same "GET byte-exact" "$W/firmware.bin" "$T/fw.out"
expect "GET 1.5 MB, 64-byte buffer, 100-byte reads" "result=OK status=200 bytes=$SIZE" -- \
    -b 64 -r 100 -o "$T/fw.out" "$U/firmware.bin"
same "GET small buffers byte-exact" "$W/firmware.bin" "$T/fw.out"
expect "GET one byte per read" "result=OK status=200 bytes=13" -- -b 64 -r 1 -o "$T/s.out" "$U/small.txt"
same "one byte per read byte-exact" "$W/small.txt" "$T/s.out"

expect "HEAD" "result=OK status=200 bytes=0 " "length=$SIZE" -- -I "$U/firmware.bin"
"$GET" -I "$U/firmware.bin" > "$T/head.txt"
ETAG=$(sed -n 's/.* etag=\(".*"\) lm=.*/\1/p' "$T/head.txt")
LM=$(sed -n 's/.* lm=//p' "$T/head.txt")
[ -n "$ETAG" ] && [ -n "$LM" ] || { echo "FAIL: no ETag/Last-Modified from HEAD"; cat "$T/head.txt"; exit 1; }

expect "Range resume with If-Range ETag" "result=OK status=206 bytes=577648" -- \
    -s 1000000 -i "$ETAG" -t $SIZE -o "$T/tail.out" "$U/firmware.bin"
tail -c +1000001 "$W/firmware.bin" > "$T/tail.want"
same "Range body byte-exact" "$T/tail.want" "$T/tail.out"
expect "Range resume with If-Range Last-Modified" "result=OK status=206 bytes=1" -- \
    -s $((SIZE - 1)) -i "$LM" -t $SIZE "$U/firmware.bin"
expect "If-Range ETag changed: 200 never appended" "result=HTTP_RESOURCE_CHANGED status=200 bytes=0" -- \
    -s 1000 -i '"0-0"' "$U/firmware.bin"
expect "resume with a different total" "result=HTTP_RESOURCE_CHANGED status=206 bytes=0" -- \
    -s 1000 -i "$ETAG" -t 1577649 "$U/firmware.bin"
expect "bounded range (image header)" "result=OK status=206 bytes=24" -- -l 24 -o "$T/hdr.out" "$U/firmware.bin"
head -c 24 "$W/firmware.bin" > "$T/hdr.want"
same "bounded range byte-exact" "$T/hdr.want" "$T/hdr.out"
expect "range past the end" "result=HTTP_STATUS status=416" -- -s $((SIZE + 10)) "$U/firmware.bin"

expect "keep-alive: three requests, one connection" "connects=1 reuses=2 retries=0" -- \
    "$U/small.txt" "$U/firmware.bin" "$U/small.txt"
expect "redirect to /firmware.bin" "result=OK status=200 bytes=$SIZE redirects=1 phase=done connects=1 reuses=1" -- \
    -o "$T/fw.out" "$U/redir"
same "redirected body byte-exact" "$W/firmware.bin" "$T/fw.out"
expect "relative redirect with dot segments" "result=OK status=200 bytes=13 redirects=1" -- "$U/redir-rel"
expect "absolute redirect" "result=OK status=200 bytes=13 redirects=1" -- "$U/redir-abs"
expect "5 redirects (302 307 308 303 301)" "result=OK status=200 bytes=13 redirects=5 phase=done connects=1" -- \
    "$U/chain1"
expect "6 redirects" "result=HTTP_TOO_MANY_REDIRECTS status=301 bytes=0 redirects=5" -- "$U/chain0"
expect "redirect loop" "result=HTTP_TOO_MANY_REDIRECTS status=302 bytes=0 redirects=5" -- "$U/loop"
expect "no redirects allowed" "result=HTTP_TOO_MANY_REDIRECTS status=302 bytes=0 redirects=0" -- -R 0 "$U/redir"
expect "redirect to https without TLS" "result=UNSUPPORTED status=302" -- "$U/to-https"

expect "9 KB of add_header through a 512-byte buffer" "result=OK status=200 bytes=13" -- -b 512 "$U/big/small.txt"
expect "404" "result=HTTP_STATUS status=404 bytes=0 redirects=0 phase=head" -- "$U/missing.bin"
expect "500" "result=HTTP_STATUS status=500 bytes=0" -- "$U/err500"
expect "404 then 200: connection closed after an error status" "result=OK status=200 bytes=13" "connects=2" -- \
    "$U/missing.bin" "$U/small.txt"

expect "basic auth required" "result=HTTP_STATUS status=401" -- "$U/private/small.txt"
expect "basic auth from the URL" "result=OK status=200 bytes=13" -- "http://otter:s3cret@127.0.0.1:$PORT/private/small.txt"
expect "wrong password" "result=HTTP_STATUS status=401" -- "http://otter:nope@127.0.0.1:$PORT/private/small.txt"

if [ -n "$PORT6" ]; then
    expect "IPv6 loopback" "result=OK status=200 bytes=$SIZE" -- -o "$T/fw6.out" "http://[::1]:$PORT6/firmware.bin"
    same "IPv6 byte-exact" "$W/firmware.bin" "$T/fw6.out"
else
    echo "skip: IPv6 loopback not available"
fi

DEAD=$("$GET" --free-port)
expect "connection refused" "result=CONNECT status=0 bytes=0 redirects=0 phase=connect" -- "http://127.0.0.1:$DEAD/"
expect "DNS failure" "result=DNS status=0 bytes=0 redirects=0 phase=connect" -- "http://no-such-host.invalid/"
expect "bad URL" "result=URL" -- "htp://127.0.0.1/"
finish
