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
    words=""
    while [ "$1" != "--" ]; do
        words="$words$1
"
        shift
    done
    shift
    set +e
    "$OTTER_BIN" "$@" > "$T/out.txt" 2>&1
    rc=$?
    set -e
    ok=1
    [ "$rc" = "$want" ] || { echo "FAIL: $name: exit $rc, want $want"; ok=0; }
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
        echo "FAIL: $1: $2 and $3 differ"
        FAILS=$((FAILS + 1))
    fi
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
    i=0
    while [ $i -lt 100 ]; do
        if [ -s "$T/$name.port" ]; then
            PORT=$(cat "$T/$name.port")
            return 0
        fi
        i=$((i + 1)); sleep 0.05
    done
    echo "FAIL: otter serve $name did not start:"; cat "$T/$name.log"; exit 1
}
