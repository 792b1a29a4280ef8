#!/bin/sh
# otter's HTTP client against tool_faultserver (free loopback port): chunked
# bodies with odd chunk sizes, cuts, resets, stalls, Content-Length lies, a
# 200 or a wrong 206 on a Range request, one byte per write, huge headers,
# redirect chains and a 1 KB redirect URL through a 512-byte buffer (or its
# error when OTTER_HTTP_URL_MAX is smaller), the
# overall deadline, and the CONNECT proxy transport (with and without
# credentials).
. "$OTTER_SRC/tests/support/http_lib.sh"
FS="$OTTER_TOOL_FAULTSERVER"

start_fault main
MAINPORT=$FPORT
U="http://127.0.0.1:$MAINPORT"
start_fault auth --proxy-auth "otter:s3cret pass"
AUTHPORT=$FPORT

N=100000
"$FS" --pattern $N "$T/pattern"
"$FS" --pattern 5000 "$T/pattern5000"

expect "chunked, chunk sizes 1,7,300,4096,3" "result=OK status=200 bytes=$N" "length=-1" -- \
    -b 64 -r 7 -o "$T/c.out" "$U/chunked/$N/1,7,300,4096,3"
same "chunked byte-exact" "$T/pattern" "$T/c.out"
expect "chunked, 1-byte chunks" "result=OK status=200 bytes=5000" -- -b 64 -o "$T/c1.out" "$U/chunked/5000/1"
same "1-byte chunks byte-exact" "$T/pattern5000" "$T/c1.out"
expect "chunked, then keep-alive reuse" "result=OK status=200 bytes=5000" "connects=1 reuses=1" -- \
    "$U/chunked/5000/13,4097" "$U/file/5000"
expect "one byte per write, head and body" "result=OK status=200 bytes=5000" -- -b 64 -o "$T/d.out" "$U/drip/5000"
same "drip byte-exact" "$T/pattern5000" "$T/d.out"

expect "cut after 700 of 5000" "result=HTTP_CLOSED_EARLY status=200 bytes=700 redirects=0 phase=body" \
    "why: the server '127.0.0.1' port $MAINPORT closed the connection after 700 of 5000 body bytes; the download can resume from byte 700" -- \
    "$U/cut/5000/700"
expect "reset after 700 of 5000" "result=NET_IO status=200 bytes=700" -- "$U/reset/5000/700"
expect "stall in the body" "result=TIMEOUT status=200 bytes=700 redirects=0 phase=body" -- \
    -T 1000 "$U/stall/5000/700"
expect "stall in the status line" "result=TIMEOUT status=200 bytes=0 redirects=0 phase=head" -- -T 1000 "$U/stallhead"
expect "overall deadline on a dripping body" "result=HTTP_DEADLINE status=200" "phase=body" -- \
    -D 1500 -T 5000 "$U/dripbody/1000/20"
expect "Content-Length lie (100 announced, 5000 sent)" "result=HTTP_BODY_TOO_LONG status=200" -- "$U/lie/100/5000"

expect "200 on a resume with If-Range" "result=HTTP_RESOURCE_CHANGED status=200 bytes=0" -- \
    -s 1000 -i '"p5000"' "$U/norange/5000"
expect "200 on a resume without If-Range" "result=HTTP_RANGE_IGNORED status=200 bytes=0" -- -s 1000 "$U/norange/5000"
expect "206 starting elsewhere" "result=HTTP_RANGE_IGNORED status=206 bytes=0" -- -s 1000 "$U/wrongrange/5000"
expect "resume honoured" "result=OK status=206 bytes=4000" -- -s 1000 -i '"p5000"' -t 5000 -o "$T/r.out" \
    "$U/file/5000"
tail -c +1001 "$T/pattern5000" > "$T/r.want"
same "resume byte-exact" "$T/r.want" "$T/r.out"

expect "40 KB of unneeded headers, 64-byte buffer" "result=OK status=200 bytes=5000" -- -b 64 "$U/hugeheaders/40/5000"
expect "100 KB of headers" "result=HTTP_HEAD_TOO_LONG status=200 bytes=0 redirects=0 phase=head" -- \
    "$U/hugeheaders/100/5000"
expect "needed header too large" "result=HTTP_HEADER_TOO_LARGE status=200 bytes=0" -- "$U/hugeetag"
expect "5 relative redirects" "result=OK status=200 bytes=5000 redirects=5 phase=done connects=1 reuses=5" -- \
    "$U/redirect/4/5000"
expect "6 redirects" "result=HTTP_TOO_MANY_REDIRECTS status=302 bytes=0 redirects=5" -- "$U/redirect/5/5000"
# The URL field is OTTER_HTTP_URL_MAX (256 unless the build sets it with
# -DOTTER_HTTP_URL_MAX): a 1 KB redirect target is followed only when it fits,
# else it fails with its own error naming the limit and how to raise it.
URL_MAX=$(sed -n 's/^OTTER_HTTP_URL_MAX:STRING=//p' "$OTTER_BUILD/CMakeCache.txt" 2>/dev/null)
if [ "${URL_MAX:-256}" -ge 1200 ]; then
    expect "1 KB redirect URL through a 512-byte buffer" "result=OK status=200 bytes=5000 redirects=1" -- \
        -b 512 "$U/longredirect/5000"
else
    expect "1 KB redirect URL over OTTER_HTTP_URL_MAX" "result=HTTP_REDIRECT_TOO_LONG status=302 bytes=0 redirects=0" \
        "does not fit in OTTER_HTTP_URL_MAX (${URL_MAX:-256} bytes" "build otter with -DOTTER_HTTP_URL_MAX=2048" -- \
        -b 512 "$U/longredirect/5000"
fi
expect "Connection: close honoured" "result=OK status=200 bytes=10" "connects=2 reuses=0" -- \
    "$U/close/10" "$U/file/10"
expect "extra body bytes in a later segment: the next request on the connection says so" \
    "result=HTTP_BODY_TOO_LONG status=0 bytes=0" "connects=1 reuses=1" -- "$U/lateextra/10/7" "$U/file/10"
expect "stale kept-alive connection: one silent retry" "result=OK status=200 bytes=10" \
    "connects=2 reuses=1 retries=1" -- "$U/closeafter/10" "$U/file/10"
expect "HTTP/1.0 body until close" "result=OK status=200 bytes=5000" "length=-1" -- -o "$T/e.out" "$U/eof/5000"
same "until-close byte-exact" "$T/pattern5000" "$T/e.out"

expect "through the CONNECT proxy" "result=OK status=200 bytes=$N" -- \
    -x "http://127.0.0.1:$MAINPORT" -o "$T/p.out" "$U/file/$N"
same "proxied byte-exact" "$T/pattern" "$T/p.out"
expect "proxy wants credentials" "result=PROXY status=0 bytes=0 redirects=0 phase=connect" -- \
    -x "http://127.0.0.1:$AUTHPORT" "$U/file/10"
expect "proxy with credentials" "result=OK status=200 bytes=10" -- \
    -x "http://otter:s3cret%20pass@127.0.0.1:$AUTHPORT" "$U/file/10"
expect "proxy with wrong credentials" "result=PROXY" -- -x "http://otter:nope@127.0.0.1:$AUTHPORT" "$U/file/10"
finish
