#!/bin/sh
# otter serve: drive the development server with curl over TLS on a free
# port. GET, HEAD, Range, If-Range, ETag, Last-Modified, keep-alive, 404,
# every fault flag, plain HTTP, self-signed, many concurrent clients.
set -u
OTTER=${OTTER_BIN:-build/otter}
T=$(mktemp -d "${TMPDIR:-/tmp}/otter-serve-test.XXXXXX")
PID=
FAILS=0
CHECKS=0
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null
    [ -n "$PID" ] && wait "$PID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

ok() { CHECKS=$((CHECKS + 1)); }
bad() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...
    d=$1; shift
    if "$@"; then ok; else bad "$d"; fi
}
# header NAME FILE: the value of header NAME in a curl -D dump
header() { tr -d '\r' <"$2" | awk -v n="$1" 'BEGIN{IGNORECASE=1} tolower($0) ~ "^" tolower(n) ":" {sub(/^[^:]*: */,""); print; exit}'; }
status_of() { tr -d '\r' <"$1" | awk 'NR==1{print $2}'; }

C() { curl -sS --noproxy '*' --max-time 20 --cacert "$T/pki/ca.pem" "$@"; }

start() { # start SERVE-ARGS...: serve $T/www with the demo certificate
    rm -f "$T/port"
    "$OTTER" serve "$T/www" --port 0 --port-file "$T/port" "$@" 2>"$T/log" &
    PID=$!
    i=0
    while [ ! -s "$T/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    [ -s "$T/port" ] || { echo "FAIL: server did not start: $(cat "$T/log")"; exit 1; }
    PORT=$(cat "$T/port")
    U=https://127.0.0.1:$PORT
}
tls() { start --cert "$T/pki/server.pem" --key "$T/pki/server.key" "$@"; }
stop() { # stop: SIGTERM must end the server cleanly (exit 0)
    kill -TERM "$PID"
    wait "$PID"
    rc=$?
    PID=
    check "server exits 0 on SIGTERM (got $rc)" [ "$rc" -eq 0 ]
}

"$OTTER" pki demo "$T/pki" >/dev/null || { echo "FAIL: pki demo"; exit 1; }
mkdir -p "$T/www/sub"
# 300,000 bytes, deterministic
awk 'BEGIN{for(i=0;i<30000;i++) printf "%09d\n", i}' >"$T/www/app.bin"
printf '<html><body>not firmware</body></html>\n' >"$T/www/page.html"
cp "$T/www/app.bin" "$T/www/sub/b.bin"
SIZE=300000

# --- GET, HEAD, headers ----------------------------------------------------
tls
C -D "$T/h" -o "$T/got" "$U/app.bin"
check "GET returns the file" cmp -s "$T/got" "$T/www/app.bin"
check "GET status 200" [ "$(status_of "$T/h")" = 200 ]
check "Content-Length" [ "$(header content-length "$T/h")" = $SIZE ]
check "Content-Type for .bin" [ "$(header content-type "$T/h")" = application/octet-stream ]
check "Accept-Ranges" [ "$(header accept-ranges "$T/h")" = bytes ]
ETAG=$(header etag "$T/h")
LM=$(header last-modified "$T/h")
check "strong ETag present" sh -c "printf '%s' '$ETAG' | grep -Eq '^\"[0-9a-f-]+\"$'"
check "Last-Modified is an HTTP date" sh -c "printf '%s' '$LM' | grep -Eq '^[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT$'"
C -D "$T/h" -o "$T/got" "$U/sub/b.bin"
check "file in a subdirectory" cmp -s "$T/got" "$T/www/app.bin"
C -I -o "$T/h" "$U/app.bin"
check "HEAD status 200" [ "$(status_of "$T/h")" = 200 ]
check "HEAD Content-Length" [ "$(header content-length "$T/h")" = $SIZE ]
check "HEAD same ETag" [ "$(header etag "$T/h")" = "$ETAG" ]
C -D "$T/h" -o "$T/got" "$U/page.html"
check "Content-Type for .html" [ "$(header content-type "$T/h")" = text/html ]

# --- Range ------------------------------------------------------------------
C -D "$T/h" -o "$T/got" -H "Range: bytes=100-199" "$U/app.bin"
dd if="$T/www/app.bin" of="$T/want" bs=1 skip=100 count=100 2>/dev/null
check "Range 206" [ "$(status_of "$T/h")" = 206 ]
check "Range bytes" cmp -s "$T/got" "$T/want"
check "Content-Range" [ "$(header content-range "$T/h")" = "bytes 100-199/$SIZE" ]
check "Range Content-Length" [ "$(header content-length "$T/h")" = 100 ]
C -D "$T/h" -o "$T/got" -H "Range: bytes=299990-" "$U/app.bin"
check "open range" [ "$(header content-range "$T/h")" = "bytes 299990-299999/$SIZE" ]
check "open range bytes" [ "$(wc -c <"$T/got")" -eq 10 ]
C -D "$T/h" -o "$T/got" -H "Range: bytes=-10" "$U/app.bin"
check "suffix range" [ "$(header content-range "$T/h")" = "bytes 299990-299999/$SIZE" ]
tail -c 10 "$T/www/app.bin" >"$T/want"
check "suffix range bytes" cmp -s "$T/got" "$T/want"
C -D "$T/h" -o "$T/got" -H "Range: bytes=299000-999999" "$U/app.bin"
check "range end clamped" [ "$(header content-range "$T/h")" = "bytes 299000-299999/$SIZE" ]
C -D "$T/h" -o "$T/got" -H "Range: bytes=300000-" "$U/app.bin"
check "unsatisfiable 416" [ "$(status_of "$T/h")" = 416 ]
check "416 Content-Range" [ "$(header content-range "$T/h")" = "bytes */$SIZE" ]
C -D "$T/h" -o "$T/got" -H "Range: bytes=0-9,20-29" "$U/app.bin"
check "multi-range answered 200 whole" [ "$(status_of "$T/h")" = 200 ]
check "multi-range whole body" cmp -s "$T/got" "$T/www/app.bin"

# --- If-Range ---------------------------------------------------------------
C -D "$T/h" -o "$T/got" -H "Range: bytes=0-9" -H "If-Range: $ETAG" "$U/app.bin"
check "If-Range ETag match: 206" [ "$(status_of "$T/h")" = 206 ]
C -D "$T/h" -o "$T/got" -H "Range: bytes=0-9" -H 'If-Range: "other"' "$U/app.bin"
check "If-Range ETag mismatch: 200" [ "$(status_of "$T/h")" = 200 ]
check "If-Range mismatch: whole file" cmp -s "$T/got" "$T/www/app.bin"
C -D "$T/h" -o "$T/got" -H "Range: bytes=0-9" -H "If-Range: W/$ETAG" "$U/app.bin"
check "If-Range weak ETag never matches" [ "$(status_of "$T/h")" = 200 ]
C -D "$T/h" -o "$T/got" -H "Range: bytes=0-9" -H "If-Range: $LM" "$U/app.bin"
check "If-Range date match: 206" [ "$(status_of "$T/h")" = 206 ]
C -D "$T/h" -o "$T/got" -H "Range: bytes=0-9" -H "If-Range: Thu, 01 Jan 2015 00:00:00 GMT" "$U/app.bin"
check "If-Range date mismatch: 200" [ "$(status_of "$T/h")" = 200 ]

# --- ETag follows the file ------------------------------------------------------
cp "$T/www/app.bin" "$T/www/new.bin"
printf 'X' | dd of="$T/www/new.bin" bs=1 seek=5 conv=notrunc 2>/dev/null
touch -d '2020-01-01 00:00:00 UTC' "$T/www/new.bin"
C -D "$T/h" -o /dev/null "$U/new.bin"
E1=$(header etag "$T/h")
check "Last-Modified from mtime" [ "$(header last-modified "$T/h")" = "Wed, 01 Jan 2020 00:00:00 GMT" ]
printf 'Y' | dd of="$T/www/new.bin" bs=1 seek=5 conv=notrunc 2>/dev/null
C -D "$T/h" -o /dev/null -H "Range: bytes=0-9" -H "If-Range: $E1" "$U/new.bin"
check "ETag changes when the file changes" [ "$(header etag "$T/h")" != "$E1" ]
check "If-Range with the old ETag: 200" [ "$(status_of "$T/h")" = 200 ]

# --- keep-alive, 404, bad requests ---------------------------------------------
C -o /dev/null -o /dev/null -w '%{http_code} %{num_connects}\n' "$U/app.bin" "$U/page.html" >"$T/ka"
check "keep-alive: second request on the same connection" [ "$(sed -n 2p "$T/ka")" = "200 0" ]
C -D "$T/h" -o "$T/got" "$U/missing.bin"
check "404" [ "$(status_of "$T/h")" = 404 ]
C --path-as-is -D "$T/h" -o "$T/got" "$U/sub/../../etc/passwd"
check "path with .. refused" [ "$(status_of "$T/h")" = 404 ]
C -D "$T/h" -o "$T/got" "$U/sub"
check "directory is 404" [ "$(status_of "$T/h")" = 404 ]
C -X POST -D "$T/h" -o "$T/got" "$U/app.bin"
check "POST: 405" [ "$(status_of "$T/h")" = 405 ]
# raw requests (bad input) through openssl s_client; $1 is a printf format
raw() { printf "$1" | timeout 10 openssl s_client -quiet -connect "127.0.0.1:$PORT" \
    -CAfile "$T/pki/ca.pem" 2>/dev/null | tr -d '\r' | grep -a "^HTTP/" | cut -d' ' -f2 | tr '\n' ' '; }
check "garbage request: 400" [ "$(raw 'garbage\r\n\r\n')" = "400 " ]
check "HTTP/2.0 request line: 505" [ "$(raw 'GET /app.bin HTTP/2.0\r\n\r\n')" = "505 " ]
check "bad percent escape: 400" [ "$(raw 'GET /%%zz HTTP/1.1\r\n\r\n')" = "400 " ]
check "NUL in path: 400" [ "$(raw 'GET /a%%00 HTTP/1.1\r\n\r\n')" = "400 " ]
check "no leading slash: 400" [ "$(raw 'GET app.bin HTTP/1.1\r\n\r\n')" = "400 " ]
check "absolute-form target" [ "$(raw 'GET https://x/page.html?q=1 HTTP/1.1\r\nConnection: close\r\n\r\n')" = "200 " ]
C --http1.0 -D "$T/h" -o /dev/null "$U/page.html"
check "HTTP/1.0: Connection: close" [ "$(header connection "$T/h")" = close ]
C -D "$T/h" -o /dev/null "$U/page.html"
check "HTTP/1.1: Connection: keep-alive" [ "$(header connection "$T/h")" = keep-alive ]
check "bare LF line ends" [ "$(raw 'GET /page.html HTTP/1.1\nConnection: close\n\n')" = "200 " ]
BIG=$(head -c 9000 /dev/zero | tr '\0' a)
check "9000-byte header: 431" [ "$(raw "GET /app.bin HTTP/1.1\r\nX-Big: $BIG\r\n\r\n")" = "431 " ]
check "pipelined requests answered in order" [ "$(raw 'GET /page.html HTTP/1.1\r\n\r\nGET /missing HTTP/1.1\r\nConnection: close\r\n\r\n')" = "200 404 " ]
C -D "$T/h" -o "$T/got" -H "Range: bytes=abc" "$U/app.bin"
check "bad Range syntax ignored: 200" [ "$(status_of "$T/h")" = 200 ]
C -D "$T/h" -o "$T/got" -H "Range: bytes=20-10" "$U/app.bin"
check "reversed Range ignored: 200" [ "$(status_of "$T/h")" = 200 ]
C -D "$T/h" -o "$T/got" -H "Range: items=0-10" "$U/app.bin"
check "other Range unit ignored: 200" [ "$(status_of "$T/h")" = 200 ]
stop
check "log line for a range request" grep -q "^GET /app.bin bytes=100-199 206 100$" "$T/log"
check "log line for a 404" grep -q "^GET /missing.bin - 404 " "$T/log"
check "log line for HEAD" grep -q "^HEAD /app.bin - 200 0$" "$T/log"

# --- faults -----------------------------------------------------------------------
tls --cut-after 1000
C -D "$T/h" -o "$T/got" "$U/app.bin" 2>/dev/null
check "cut: exactly 1000 bytes arrive" [ "$(wc -c <"$T/got")" -eq 1000 ]
head -c 1000 "$T/www/app.bin" >"$T/want"
check "cut: the right 1000 bytes" cmp -s "$T/got" "$T/want"
check "cut: full length announced" [ "$(header content-length "$T/h")" = $SIZE ]
C -o "$T/got" -H "Range: bytes=0-99" "$U/app.bin"
check "cut: short response not cut" [ "$(wc -c <"$T/got")" -eq 100 ]
C -o "$T/got" -H "Range: bytes=5000-" "$U/app.bin" 2>/dev/null
dd if="$T/www/app.bin" of="$T/want" bs=1000 skip=5 count=1 2>/dev/null
check "cut counts per response body" cmp -s "$T/got" "$T/want"
stop
check "cut is logged" grep -q "^GET /app.bin - 200 1000 cut$" "$T/log"

tls --cut-after 4096 --fault-times 1
C -o "$T/got" "$U/app.bin" 2>/dev/null
check "fault-times: first response cut" [ "$(wc -c <"$T/got")" -eq 4096 ]
C -o "$T/got" "$U/app.bin"
check "fault-times: then served whole" cmp -s "$T/got" "$T/www/app.bin"
stop

tls --cut-at-offset 10000,20000
C -o "$T/got" "$U/app.bin" 2>/dev/null
check "cut-at-offset: from 0, cut at 10000" [ "$(wc -c <"$T/got")" -eq 10000 ]
C -o "$T/got" -H "Range: bytes=4096-" "$U/app.bin" 2>/dev/null
dd if="$T/www/app.bin" of="$T/want" bs=4096 skip=1 2>/dev/null
head -c 15904 "$T/want" >"$T/want2"
check "cut-at-offset: resume from 4096 cut at the next offset, 20000" cmp -s "$T/got" "$T/want2"
C -o "$T/got" -H "Range: bytes=16384-" "$U/app.bin"
dd if="$T/www/app.bin" of="$T/want" bs=16384 skip=1 2>/dev/null
check "cut-at-offset: offsets used up, the resume runs to the end" cmp -s "$T/got" "$T/want"
stop
check "cut-at-offset logged" grep -q "^GET /app.bin bytes=4096- 206 15904 cut$" "$T/log"
tls --cut-at-offset 50000
C -o /dev/null -H "Range: bytes=0-4095" "$U/app.bin"
C -o "$T/got" -H "Range: bytes=50000-" "$U/app.bin"
check "cut-at-offset: ranges not reaching the offset are not cut" [ "$(wc -c <"$T/got")" -eq 250000 ]
C -o "$T/got" "$U/app.bin" 2>/dev/null
check "cut-at-offset: still armed for the first response that reaches it" [ "$(wc -c <"$T/got")" -eq 50000 ]
stop
tls --stall-at-offset 3000 --stall-ms 200
C -o "$T/got" -H "Range: bytes=1000-" "$U/app.bin" 2>/dev/null
check "stall-at-offset: 2000 bytes from 1000" [ "$(wc -c <"$T/got")" -eq 2000 ]
stop
"$OTTER" serve "$T/www" --plain --cut-at-offset 5,3 2>/dev/null
check "decreasing offsets refused" [ $? -eq 2 ]

tls --stall-after 2000 --stall-ms 300
C -o "$T/got" "$U/app.bin" 2>/dev/null
rc=$?
check "stall: curl fails (rc $rc)" [ "$rc" -ne 0 ]
check "stall: 2000 bytes then nothing" [ "$(wc -c <"$T/got")" -eq 2000 ]
stop
check "stall is logged" grep -q "^GET /app.bin - 200 2000 stall$" "$T/log"

tls --lie-length
C -D "$T/h" -o "$T/got" "$U/app.bin" 2>/dev/null
rc=$?
check "lie-length: announced 4096 more" [ "$(header content-length "$T/h")" = $((SIZE + 4096)) ]
check "lie-length: curl sees a short body (rc $rc)" [ "$rc" -eq 18 ]
check "lie-length: real bytes all sent" cmp -s "$T/got" "$T/www/app.bin"
stop

tls --redirect-to https://127.0.0.1:1/elsewhere.bin
C -D "$T/h" -o "$T/got" "$U/app.bin"
check "redirect: 302" [ "$(status_of "$T/h")" = 302 ]
check "redirect: Location" [ "$(header location "$T/h")" = https://127.0.0.1:1/elsewhere.bin ]
stop
tls --redirect-to "/app.bin=https://127.0.0.1:1/dir/"
C -D "$T/h" -o "$T/got" "$U/app.bin"
check "path redirect: Location gets the path" [ "$(header location "$T/h")" = https://127.0.0.1:1/dir/app.bin ]
C -D "$T/h" -o "$T/got" "$U/page.html"
check "path redirect: other paths served" [ "$(status_of "$T/h")" = 200 ]
stop

tls --ignore-range
C -D "$T/h" -o "$T/got" -H "Range: bytes=100-199" "$U/app.bin"
check "ignore-range: 200" [ "$(status_of "$T/h")" = 200 ]
check "ignore-range: whole file" cmp -s "$T/got" "$T/www/app.bin"
check "ignore-range: no Accept-Ranges" [ -z "$(header accept-ranges "$T/h")" ]
stop
check "ignore-range is logged" grep -q "^GET /app.bin bytes=100-199 200 $SIZE ignore-range$" "$T/log"

tls --chunk-size 1
C -o "$T/got" -H "Range: bytes=1000-3999" "$U/app.bin"
dd if="$T/www/app.bin" of="$T/want" bs=1000 skip=1 count=3 2>/dev/null
check "one-byte records: range intact" cmp -s "$T/got" "$T/want"
stop
tls --chunk-size 1000 --cut-after 2500
C -o "$T/got" "$U/app.bin" 2>/dev/null
check "small records + cut: exactly 2500 bytes" [ "$(wc -c <"$T/got")" -eq 2500 ]
stop

tls --throttle 2048
C -o "$T/got" "$U/app.bin"
check "throttle: file intact" cmp -s "$T/got" "$T/www/app.bin"
stop

# --- shaping ------------------------------------------------------------------------
tls --chunked --etag hash --no-last-modified --content-type text/html --header "X-Pad: $(printf '%0500d' 0)"
C -D "$T/h" -o "$T/got" "$U/app.bin"
check "chunked: body intact" cmp -s "$T/got" "$T/www/app.bin"
check "chunked: header" [ "$(header transfer-encoding "$T/h")" = chunked ]
check "chunked: no Content-Length" [ -z "$(header content-length "$T/h")" ]
check "no Last-Modified" [ -z "$(header last-modified "$T/h")" ]
check "content-type override" [ "$(header content-type "$T/h")" = text/html ]
check "extra header" [ "$(header x-pad "$T/h" | wc -c)" -eq 501 ]
H=$(sha256sum "$T/www/app.bin" | cut -c1-32)
check "ETag from content hash" [ "$(header etag "$T/h")" = "\"$H\"" ]
C -D "$T/h" -o "$T/got" -H "Range: bytes=10-19" "$U/app.bin"
check "chunked range" [ "$(wc -c <"$T/got")" -eq 10 ]
stop

# --- many clients at once ----------------------------------------------------------
tls --quiet
i=0
PIDS=
while [ $i -lt 40 ]; do
    C -o "$T/par$i" "$U/app.bin" &
    PIDS="$PIDS $!"
    i=$((i + 1))
done
for p in $PIDS; do wait "$p"; done
n=0
i=0
while [ $i -lt 40 ]; do cmp -s "$T/par$i" "$T/www/app.bin" && n=$((n + 1)); i=$((i + 1)); done
check "40 concurrent downloads all intact ($n)" [ $n -eq 40 ]
stop

# --- otter's own HTTPS client (mbedTLS on both ends) --------------------------------
tls --chunk-size 700
"$OTTER" fetch "https://localhost:$PORT/app.bin" --flash "$T/flash.bin" --create 1M \
    --ca "$T/pki/ca.pem" >/dev/null 2>"$T/fetch.err"
check "otter fetch over TLS (700-byte records): $(cat "$T/fetch.err")" cmp -n $SIZE -s "$T/flash.bin" "$T/www/app.bin"
stop

# --- the simulated device updating through three cuts ----------------------------------
"$OTTER" image make --chip esp32 --version 1.0.0 --project demo --size 100000 --out "$T/v1.bin" >/dev/null
"$OTTER" image make --chip esp32 --version 1.1.0 --project demo --size 400000 --out "$T/www/v11.bin" >/dev/null
"$OTTER" flash init --out "$T/dev.bin" --layout min_spiffs >/dev/null
"$OTTER" flash write "$T/dev.bin" --slot ota_0 "$T/v1.bin" --valid >/dev/null
tls --cut-at-offset 50000,150000,300001
"$OTTER" device --flash "$T/dev.bin" --url "https://localhost:$PORT/v11.bin" --ca "$T/pki/ca.pem" \
    --json 2>"$T/dev.err" >"$T/dev.json"
rc=$?
check "device updates through three cuts (rc $rc): $(tail -1 "$T/dev.err")" [ "$rc" -eq 0 ]
check "device outcome updated" grep -q '"outcome":"updated"' "$T/dev.json"
stop
check "three cuts served" [ "$(grep -c ' cut$' "$T/log")" -eq 3 ]

# --- max-requests, plain, self-signed --------------------------------------------------
start --plain --max-requests 2
curl -sS --noproxy '*' -o "$T/got" "http://127.0.0.1:$PORT/app.bin"
check "plain HTTP" cmp -s "$T/got" "$T/www/app.bin"
curl -sS --noproxy '*' -o /dev/null "http://127.0.0.1:$PORT/page.html"
wait "$PID"
rc=$?
PID=
check "max-requests: exits 0 by itself (rc $rc)" [ "$rc" -eq 0 ]

start --plain
kill -INT "$PID"
wait "$PID"
rc=$?
PID=
check "SIGINT stops the server cleanly (rc $rc)" [ "$rc" -eq 0 ]

start --self-signed-for localhost --cert-out "$T/self.pem"
curl -sS --noproxy '*' --max-time 20 --cacert "$T/self.pem" -o "$T/got" \
    --resolve "localhost:$PORT:127.0.0.1" "https://localhost:$PORT/app.bin"
check "self-signed for localhost" cmp -s "$T/got" "$T/www/app.bin"
check "self-signed SAN" sh -c "openssl x509 -in '$T/self.pem' -noout -text | grep -q 'DNS:localhost'"
stop

"$OTTER" serve "$T/www" --port 0 --cert "$T/pki/server.pem" --key "$T/pki/ca.key" 2>/dev/null
check "mismatched key refused" [ $? -eq 1 ]
"$OTTER" serve "$T/www" --bogus 2>/dev/null
check "unknown option is a usage error" [ $? -eq 2 ]
"$OTTER" serve --help | grep -q "FOR DEVELOPMENT AND TESTS ONLY"
check "help says development only" [ $? -eq 0 ]

echo "test_serve: $CHECKS checks, $FAILS failed"
[ "$FAILS" -eq 0 ]
