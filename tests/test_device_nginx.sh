#!/bin/sh
# otter device against real nginx (private configuration, HTTPS with the
# demo PKI, free loopback port): the same scenarios as against otter serve
# (tests/support/device_lib.sh). nginx answers Range with 206 and honours
# If-Range with its ETag, as a CDN or object store would.
. "$OTTER_SRC/tests/support/device_lib.sh"
: "${OTTER_TOOL_TLSGET:?}"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "FAIL: nginx not installed (make deps-test installs nginx-light)"; exit 1; }
mkdir -p "$T/ngx"

start_nginx() {
    tries=0
    while [ $tries -lt 5 ]; do
        PORT=$("$OTTER_TOOL_TLSGET" --free-port)
        cat > "$T/ngx/nginx.conf" <<NGX
daemon off;
worker_processes 1;
pid $T/ngx/nginx.pid;
error_log $T/ngx/error.log;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path $T/ngx/body;
    proxy_temp_path $T/ngx/proxy;
    fastcgi_temp_path $T/ngx/fastcgi;
    uwsgi_temp_path $T/ngx/uwsgi;
    scgi_temp_path $T/ngx/scgi;
    server {
        listen 127.0.0.1:$PORT ssl;
        server_name localhost;
        ssl_certificate $P/chain.pem;
        ssl_certificate_key $P/server.key;
        root $T/www;
    }
}
NGX
        "$NGINX" -p "$T/ngx" -c "$T/ngx/nginx.conf" -e "$T/ngx/error.log" >>"$T/ngx/stderr" 2>&1 &
        NGINX_PID=$!
        PIDS="$PIDS $NGINX_PID"
        i=0
        while [ $i -lt 100 ]; do
            if ! kill -0 "$NGINX_PID" 2>/dev/null; then break; fi
            if "$OTTER_TOOL_TLSGET" --port "$PORT" --ca "$P/ca.pem" >/dev/null 2>&1; then return 0; fi
            i=$((i + 1)); sleep 0.05
        done
        kill "$NGINX_PID" 2>/dev/null || true
        tries=$((tries + 1))
    done
    echo "FAIL: nginx did not start"; cat "$T/ngx/error.log" "$T/ngx/stderr" 2>/dev/null; exit 1
}
start_nginx
BASE="https://localhost:$PORT"
run_scenarios
finish
