#!/bin/sh
# otter device against real nginx (private configuration, HTTPS with the
# demo PKI, free loopback port): the same scenarios as against otter serve
# (tests/support/device_lib.sh). nginx answers Range with 206 and honours
# If-Range with its ETag, as a CDN or object store would.
. "$OTTER_SRC/tests/support/device_lib.sh"
: "${OTTER_TOOL_TLSGET:?}"
PORT_TOOL="$OTTER_TOOL_TLSGET"
cat > "$T/server.tmpl" <<NGX
include /etc/nginx/mime.types;
default_type application/octet-stream;
server {
    listen 127.0.0.1:@PORT@ ssl;
    server_name localhost;
    ssl_certificate $P/chain.pem;
    ssl_certificate_key $P/server.key;
    root $T/www;
}
NGX
ready() {
    "$OTTER_TOOL_TLSGET" --port "$PORT" --ca "$P/ca.pem" >/dev/null 2>&1
}
nginx_start "$T/ngx" "$T/server.tmpl" ready 600
BASE="https://localhost:$PORT"
run_scenarios
finish
