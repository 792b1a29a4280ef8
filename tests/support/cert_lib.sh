# Shared by tests/test_cert.sh and tests/test_doctor.sh (sourced after
# tests/support/tls_lib.sh, which makes the PKI in $P, starts s_server with
# `sserver` and cleans up): run the otter CLI and check its exit code and
# the exact statements it prints.
: "${OTTER_BIN:?}"

# run NAME RC "WORDS"... -- ARGS: run `otter ARGS`, check the exit code and
# that each WORDS string appears in its output (stdout and stderr). A WORDS
# string starting with "NOT:" must NOT appear.
run() {
    name="$1"; want="$2"; shift 2
    check_run "$name" "$want" "$OTTER_BIN" "$@"
}

# oserve NAME DIR ARGS...: start `otter serve DIR` on a free port (the kernel
# picks it; --port-file tells it); sets PORT. Bounded to 5 minutes, stopped
# by tls_lib.sh's cleanup.
oserve() {
    name="$1"; dir="$2"; shift 2
    rm -f "$T/$name.port"
    # -k: a server that does not stop on SIGTERM is killed 5 s later, so the
    # cleanup's wait cannot hang; the fixture's own leaks are not our test.
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        timeout -k 5 300 "$OTTER_BIN" serve "$dir" --port 0 --port-file "$T/$name.port" --quiet "$@" \
        > "$T/$name.log" 2>&1 &
    PIDS="$PIDS $!"
    poll 100 port_file "$T/$name.port" && { PORT=$FILE_PORT; return 0; }
    echo "FAIL: otter serve $name did not start:"; cat "$T/$name.log"; exit 1
}
