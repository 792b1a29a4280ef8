# Shared by tests/test_http_*.sh and test_https_nginx.sh (sourced): temp dir,
# servers on free loopback ports (always stopped), and `expect` on
# tool_httpget's result line.
set -eu
: "${OTTER_SRC:?}" "${OTTER_TOOL_HTTPGET:?}"
GET="$OTTER_TOOL_HTTPGET"
T=$(mktemp -d "${TMPDIR:-/tmp}/otter-http.XXXXXX")
PIDS=""
FAILS=0
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    for p in $PIDS; do wait "$p" 2>/dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# nginx workers may run as another user (nobody when started by root)
chmod 755 "$T"

# expect NAME "WORDS"... -- TOOL_HTTPGET_ARGS: run tool_httpget (bounded to
# 120 s) and check that each WORDS string appears in its output.
expect() {
    name="$1"; shift
    words=""
    while [ "$1" != "--" ]; do
        words="$words$1
"
        shift
    done
    shift
    set +e
    timeout 120 "$GET" "$@" > "$T/out.txt" 2>&1
    set -e
    ok=1
    printf '%s' "$words" > "$T/words.txt"
    while IFS= read -r w; do
        [ -z "$w" ] && continue
        grep -qF -- "$w" "$T/out.txt" || { echo "FAIL: $name: missing: $w"; ok=0; }
    done < "$T/words.txt"
    if [ $ok = 1 ]; then
        echo "ok: $name"
    else
        FAILS=$((FAILS + 1))
        sed 's/^/    | /' "$T/out.txt"
    fi
}

# same NAME FILE1 FILE2: byte-exact comparison.
same() {
    if cmp -s "$2" "$3"; then
        echo "ok: $1"
    else
        echo "FAIL: $1: $2 and $3 differ ($(wc -c < "$2") vs $(wc -c < "$3") bytes)"
        FAILS=$((FAILS + 1))
    fi
}

# start_nginx DIR SERVER_BLOCK_FILE: nginx with a private prefix in DIR whose
# http block includes SERVER_BLOCK_FILE, on free port(s) substituted for
# @PORT@ (and @PORT6@ when IPv6 loopback works; else lines with @PORT6@ are
# dropped). Sets PORT, PORT6 (empty without IPv6). Bounded to 5 minutes.
start_nginx() {
    dir="$1"; tmpl="$2"
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
    [ -x "$NGINX" ] || { echo "FAIL: nginx not installed (make deps-test installs nginx-light)"; exit 1; }
    mkdir -p "$dir"
    tries=0
    while [ $tries -lt 5 ]; do
        PORT=$("$GET" --free-port)
        PORT6=$("$GET" --free-port6 2>/dev/null || true)
        if [ -n "$PORT6" ]; then
            sed -e "s/@PORT@/$PORT/g" -e "s/@PORT6@/$PORT6/g" "$tmpl" > "$dir/server.conf"
        else
            sed -e "s/@PORT@/$PORT/g" -e "/@PORT6@/d" "$tmpl" > "$dir/server.conf"
        fi
        cat > "$dir/nginx.conf" <<NGX
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    include $dir/server.conf;
}
NGX
        timeout 300 "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" 2>>"$dir/stderr" &
        NGINX_PID=$!
        PIDS="$PIDS $NGINX_PID"
        i=0
        while [ $i -lt 100 ]; do
            if ! kill -0 "$NGINX_PID" 2>/dev/null; then break; fi
            if [ -f "$dir/nginx.pid" ] && "$GET" -T 500 "http://127.0.0.1:$PORT/" 2>/dev/null | grep -q "status=[1-5]"; then
                return 0
            fi
            i=$((i + 1)); sleep 0.05
        done
        kill "$NGINX_PID" 2>/dev/null || true
        tries=$((tries + 1))
    done
    echo "FAIL: nginx did not start"; cat "$dir/error.log" "$dir/stderr" 2>/dev/null; exit 1
}

# start_fault NAME ARGS...: start tests/tool_faultserver (plain HTTP fault
# server and CONNECT proxy) on a free port; sets FPORT.
start_fault() {
    name="$1"; shift
    : "${OTTER_TOOL_FAULTSERVER:?}"
    "$OTTER_TOOL_FAULTSERVER" "$T/$name.port" "$@" &
    PIDS="$PIDS $!"
    i=0
    while [ ! -s "$T/$name.port" ] && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.05; done
    [ -s "$T/$name.port" ] || { echo "FAIL: tool_faultserver did not start"; exit 1; }
    FPORT=$(cat "$T/$name.port")
}

finish() {
    if [ "$FAILS" -ne 0 ]; then
        echo "$FAILS failure(s)"
        exit 1
    fi
    echo "all passed"
}
