# Shared by shell tests of the CLI (sourced): want RC TEXT ARGS... runs
# "$OTTER" ARGS, output in $T/out, and checks its exit code and that TEXT
# appears; counts CHECKS and FAILS (set FAILS=0 and $T first).
CHECKS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); sed 's/^/    | /' "$T/out" | head -12; }
want() {
    rc_want=$1; text=$2; shift 2
    CHECKS=$((CHECKS + 1))
    rc=0
    "$OTTER" "$@" >"$T/out" 2>&1 || rc=$?
    [ "$rc" -eq "$rc_want" ] || { fail "otter $*: exit $rc, want $rc_want"; return 0; }
    grep -qF -- "$text" "$T/out" || fail "otter $*: lacks '$text'"
}
