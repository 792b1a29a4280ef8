# bench/lib.sh: helpers sourced by bench/run.sh (POSIX sh).
# Expects $W (the benchmark's work directory) to be set.

# median: read numbers, one per line, print their median (mean of the two
# middle values for an even count). Prints "-" for no input.
median() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "-"; exit }
        if (NR % 2) printf "%.4f\n", v[(NR + 1) / 2];
        else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# pick_port: print a TCP port that nothing on this machine listens on now.
# (The caller still retries if it loses a race for it.)
pick_port() {
    used=$(ss -Htln 2>/dev/null | awk '{ n = split($4, a, ":"); print a[n] }')
    while :; do
        p=$(awk 'BEGIN { srand(); printf "%d\n", 20000 + int(rand() * 40000) }')
        p=$((p + $$ % 97))
        echo "$used" | grep -qx "$p" || { echo "$p"; return; }
        sleep 0.01
    done
}

# make_pki DIR: an ECDSA P-256 CA and a server certificate for localhost and
# 127.0.0.1 signed by it (DIR/ca.pem, DIR/server.pem, DIR/server.key).
make_pki() {
    d="$1"; mkdir -p "$d"
    openssl ecparam -name prime256v1 -genkey -noout -out "$d/ca.key" 2>/dev/null
    openssl req -x509 -new -key "$d/ca.key" -subj "/CN=otter bench CA" -days 3650 -sha256 \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "$d/ca.pem" 2>/dev/null
    openssl ecparam -name prime256v1 -genkey -noout -out "$d/server.key" 2>/dev/null
    openssl req -new -key "$d/server.key" -subj "/CN=localhost" -out "$d/server.csr" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n' >"$d/ext.cnf"
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
        -days 3650 -sha256 -extfile "$d/ext.cnf" -out "$d/server.pem" 2>/dev/null
}

# The one TLS setup both clients get: TLS 1.2 only, one cipher suite.
BENCH_CIPHER=ECDHE-ECDSA-AES128-GCM-SHA256

# nginx_start ROOT PKIDIR [WORKERS]: serve ROOT over HTTPS on 127.0.0.1 at a
# free port (TLS 1.2, $BENCH_CIPHER only). Sets NGINX_PORT and NGINX_PID.
# $W/nginx/tls.log gets the protocol and cipher suite of every request.
nginx_start() {
    root="$1"; pki="$2"; workers="${3:-1}"
    nd="$W/nginx"; mkdir -p "$nd"
    for attempt in 1 2 3 4 5 6 7 8; do
        NGINX_PORT=$(pick_port)
        userline=""
        [ "$(id -u)" = 0 ] && userline="user root;"
        cat >"$nd/nginx.conf" <<EOF
$userline
worker_processes $workers;
daemon off;
pid $nd/nginx.pid;
error_log $nd/error.log warn;
events { worker_connections 4096; }
http {
    access_log $nd/access.log;
    log_format otter_tls '\$ssl_protocol \$ssl_cipher \$request_uri';
    access_log $nd/tls.log otter_tls;
    client_body_temp_path $nd/body;
    proxy_temp_path $nd/proxy;
    fastcgi_temp_path $nd/fastcgi;
    uwsgi_temp_path $nd/uwsgi;
    scgi_temp_path $nd/scgi;
    types { application/octet-stream bin; }
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$NGINX_PORT ssl backlog=4096;
        server_name localhost;
        ssl_certificate $pki/server.pem;
        ssl_certificate_key $pki/server.key;
        ssl_protocols TLSv1.2;
        ssl_ciphers $BENCH_CIPHER;
        ssl_prefer_server_ciphers on;
        keepalive_timeout 10;
        root $root;
    }
}
EOF
        : >"$nd/error.log"
        nginx -e "$nd/error.log" -p "$nd" -c "$nd/nginx.conf" &
        NGINX_PID=$!
        i=0
        while [ $i -lt 50 ]; do
            if ! kill -0 "$NGINX_PID" 2>/dev/null; then break; fi
            if ss -Htln 2>/dev/null | awk '{print $4}' | grep -qx "127.0.0.1:$NGINX_PORT"; then
                return 0
            fi
            sleep 0.1; i=$((i + 1))
        done
        kill "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null || true
        grep -q "in use" "$nd/error.log" || break
    done
    echo "bench: nginx did not start:" >&2; cat "$nd/error.log" >&2
    NGINX_PID=""
    return 1
}

nginx_stop() {
    if [ -n "${NGINX_PID:-}" ]; then
        kill "$NGINX_PID" 2>/dev/null || true
        wait "$NGINX_PID" 2>/dev/null || true
        NGINX_PID=""
    fi
}

# curl_fetch URL OUT CAFILE: the baseline client, same TLS setup as otter.
curl_fetch_cmd() {
    echo "curl -sS --fail --tlsv1.2 --tls-max 1.2 --ciphers $BENCH_CIPHER --cacert $3 --resolve localhost:$NGINX_PORT:127.0.0.1 -o $2 $1"
}

# timed RUNS LABEL CMD: run CMD (one shell command string) RUNS times under
# bench/timeit; append "LABEL wall user sys maxrss" per run to $W/times.tsv.
# $TIMED_SETUP, when set, is run (untimed) before each run. The command's
# output goes to $W/timed.log. Returns 1 if any run failed.
timed() {
    runs="$1"; label="$2"; shift 2
    r=0
    while [ $r -lt "$runs" ]; do
        rm -f "$W/timeit.out"
        [ -n "${TIMED_SETUP:-}" ] && sh -c "$TIMED_SETUP"
        if ! "$TIMEIT" -o "$W/timeit.out" sh -c "$*" >>"$W/timed.log" 2>&1; then
            echo "bench: $label failed: $*" >&2; tail -5 "$W/timed.log" >&2
            return 1
        fi
        echo "$label $(cat "$W/timeit.out")" >>"$W/times.tsv"
        r=$((r + 1))
    done
}

# stat_of LABEL FIELD: median of a field (wall|cpu|rss) over LABEL's runs.
stat_of() {
    case "$2" in
        wall) awk -v l="$1" '$1 == l { print $2 }' "$W/times.tsv" | median ;;
        cpu) awk -v l="$1" '$1 == l { print $3 + $4 }' "$W/times.tsv" | median ;;
        rss) awk -v l="$1" '$1 == l { print $5 }' "$W/times.tsv" | median | awk '{ printf "%d\n", $1 }' ;;
    esac
}
