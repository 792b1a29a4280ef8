# Shared by tests/test_http_*.sh and test_https_nginx.sh (sourced): temp dir,
# servers on free loopback ports (always stopped), and `expect` on
# tool_httpget's result line.
set -eu
: "${OTTER_SRC:?}" "${OTTER_TOOL_HTTPGET:?}"
GET="$OTTER_TOOL_HTTPGET"
. "$OTTER_SRC/tests/support/servers.sh"
servers_init http
PORT_TOOL="$GET"
# nginx workers may run as another user (nobody when started by root)
chmod 755 "$T"

# expect NAME "WORDS"... -- TOOL_HTTPGET_ARGS: run tool_httpget (bounded to
# 120 s) and check that each WORDS string appears in its output.
expect() {
    name="$1"; shift
    check_run "$name" - httpget "$@"
}
httpget() {
    timeout 120 "$GET" "$@"
}

# start_nginx DIR SERVER_BLOCK_FILE: nginx with a private prefix in DIR whose
# http block includes SERVER_BLOCK_FILE, on free port(s) substituted for
# @PORT@ (and @PORT6@ when IPv6 loopback works; else lines with @PORT6@ are
# dropped). Sets PORT, PORT6 (empty without IPv6). Bounded to 5 minutes.
start_nginx() {
    nginx_start "$1" "$2" http_ready
}
http_ready() {
    [ -f "$1/nginx.pid" ] && "$GET" -T 500 "http://127.0.0.1:$PORT/" 2>/dev/null | grep -q "status=[1-5]"
}

# start_fault NAME ARGS...: start tests/tool_faultserver (plain HTTP fault
# server and CONNECT proxy) on a free port; sets FPORT.
start_fault() {
    name="$1"; shift
    : "${OTTER_TOOL_FAULTSERVER:?}"
    "$OTTER_TOOL_FAULTSERVER" "$T/$name.port" "$@" &
    PIDS="$PIDS $!"
    poll 100 port_file "$T/$name.port" || { echo "FAIL: tool_faultserver did not start"; exit 1; }
    FPORT=$FILE_PORT
}

