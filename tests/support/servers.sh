# Shared by the shell tests (sourced by tests/support/http_lib.sh, tls_lib.sh
# and device_lib.sh): a private temp dir, servers on loopback ports chosen at
# run time (always stopped on exit), and the checks every test reports with.

# servers_init NAME: make the temp dir $T (otter-NAME.XXXXXX), set PIDS and
# FAILS, and trap exit so that every pid in PIDS is stopped and $T removed.
servers_init() {
    T=$(mktemp -d "${TMPDIR:-/tmp}/otter-$1.XXXXXX")
    PIDS=""
    FAILS=0
    trap cleanup EXIT
    trap 'exit 1' INT TERM
}
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    # Give servers 5 s to exit on TERM, then KILL: a server that ignores TERM
    # must not hold the test (and ctest) forever.
    i=0
    while [ $i -lt 50 ] && [ -n "$(live_pids)" ]; do
        sleep 0.1; i=$((i + 1))
    done
    for p in $(live_pids); do kill -9 "$p" 2>/dev/null || true; done
    for p in $PIDS; do wait "$p" 2>/dev/null || true; done
    rm -rf "$T"
}
# live_pids: the pids in PIDS still running (exited but unreaped ones count
# as gone).
live_pids() {
    for p in $PIDS; do
        [ -r "/proc/$p/stat" ] || continue
        case "$(cut -d')' -f2 "/proc/$p/stat" 2>/dev/null)" in
        " Z"*|"") ;;
        *) echo "$p" ;;
        esac
    done
}

# poll N CMD...: run CMD every 50 ms until it succeeds, at most N times;
# fails when it never did or when CMD exits 2 (gave up).
poll() {
    n="$1"; shift
    i=0
    while [ $i -lt "$n" ]; do
        if "$@"; then return 0; else r=$?; fi
        [ $r != 2 ] || return 1
        i=$((i + 1)); sleep 0.05
    done
    return 1
}

# port_file FILE: succeeds once FILE (a server's --port-file) is not empty;
# sets FILE_PORT to its content.
port_file() {
    [ -s "$1" ] || return 1
    FILE_PORT=$(cat "$1")
}

# nginx_start DIR CONF READY [SECONDS]: start nginx with a private prefix in
# DIR whose http block includes CONF, with @PORT@ replaced by a free loopback
# port from `$PORT_TOOL --free-port` (and @PORT6@ by one from --free-port6
# when IPv6 loopback works; else lines with @PORT6@ are dropped). READY DIR
# must succeed once the server answers (polled for 5 s, 5 attempts). Sets
# PORT, PORT6 (empty without IPv6 or @PORT6@), NGINX_PID. Bounded to SECONDS
# (300).
nginx_start() {
    dir="$1"; tmpl="$2"; ready="$3"; secs="${4:-300}"
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
    [ -x "$NGINX" ] || { echo "FAIL: nginx not installed (make deps-test installs nginx-light)"; exit 1; }
    mkdir -p "$dir"
    tries=0
    while [ $tries -lt 5 ]; do
        PORT=$("$PORT_TOOL" --free-port)
        PORT6=""
        if grep -q @PORT6@ "$tmpl"; then PORT6=$("$PORT_TOOL" --free-port6 2>/dev/null || true); fi
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
        timeout "$secs" "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" >>"$dir/stderr" 2>&1 &
        NGINX_PID=$!
        PIDS="$PIDS $NGINX_PID"
        if poll 100 nginx_ready "$dir" "$ready"; then return 0; fi
        kill "$NGINX_PID" 2>/dev/null || true
        tries=$((tries + 1))
    done
    echo "FAIL: nginx did not start"; cat "$dir/error.log" "$dir/stderr" 2>/dev/null; exit 1
}
# nginx_ready DIR READY: READY DIR succeeds; gives up (2) once nginx died.
nginx_ready() {
    kill -0 "$NGINX_PID" 2>/dev/null || return 2
    "$2" "$1" || return 1
}

# check_run NAME RC CMD "WORDS"... -- ARGS: run CMD ARGS (stdout and stderr
# to $T/out.txt), check its exit code (unless RC is -) and that each WORDS
# string appears in the output; a WORDS string starting with "NOT:" must NOT
# appear.
check_run() {
    name="$1"; want="$2"; cmd="$3"; shift 3
    words=""
    while [ "$1" != "--" ]; do
        words="$words$1
"
        shift
    done
    shift
    set +e
    "$cmd" "$@" > "$T/out.txt" 2>&1
    rc=$?
    set -e
    ok=1
    [ "$want" = - ] || [ "$rc" = "$want" ] || { echo "FAIL: $name: exit $rc, want $want"; ok=0; }
    printf '%s' "$words" > "$T/words.txt"
    while IFS= read -r w; do
        [ -z "$w" ] && continue
        case "$w" in
        NOT:*) if grep -qF -- "${w#NOT:}" "$T/out.txt"; then echo "FAIL: $name: unwanted: ${w#NOT:}"; ok=0; fi ;;
        *) grep -qF -- "$w" "$T/out.txt" || { echo "FAIL: $name: missing: $w"; ok=0; } ;;
        esac
    done < "$T/words.txt"
    if [ $ok = 1 ]; then
        echo "ok: $name"
    else
        FAILS=$((FAILS + 1))
        sed 's/^/    | /' "$T/out.txt"
    fi
}

# same NAME FILE1 FILE2: the two files are byte-identical.
same() {
    if cmp -s "$2" "$3"; then
        echo "ok: $1"
    else
        echo "FAIL: $1: $2 and $3 differ ($(wc -c < "$2") vs $(wc -c < "$3") bytes)"
        FAILS=$((FAILS + 1))
    fi
}

finish() {
    if [ "$FAILS" -ne 0 ]; then
        echo "$FAILS failure(s)"
        exit 1
    fi
    echo "all passed"
}
