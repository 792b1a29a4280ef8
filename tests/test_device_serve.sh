#!/bin/sh
# otter device against otter serve (HTTPS, demo PKI, free loopback port):
# the shared scenarios (tests/support/device_lib.sh), then what only a
# fault-injecting server can do: connections cut and stalled mid-download.
. "$OTTER_SRC/tests/support/device_lib.sh"

# serve NAME ARGS...: start otter serve on $T/www; sets PORT.
serve() {
    name="$1"; shift
    rm -f "$T/$name.port"
    "$OTTER" serve "$T/www" --bind 127.0.0.1 --port 0 --port-file "$T/$name.port" \
        --cert "$P/chain.pem" --key "$P/server.key" --quiet "$@" > "$T/$name.log" 2>&1 &
    PIDS="$PIDS $!"
    poll 200 port_file "$T/$name.port" || { echo "FAIL: otter serve $name did not start"; cat "$T/$name.log"; exit 1; }
    PORT=$FILE_PORT
}

. "$OTTER_SRC/tests/support/wrong_files.sh"
make_wrong_files "$T/www/wrong" "$T/img/v1.bin"
chmod -R a+rX "$T/www/wrong"
serve main
BASE="https://localhost:$PORT"
run_scenarios

# The wrong file served: named, with its fix, before anything is erased.
for fe in $WRONG_FILES; do
    f="${fe%%:*}"; e="${fe#*:}"
    refused "wrong file $f" "$e" "$BASE/wrong/$f"
    grep -q '"detail":"[^"]*\(Fix\|First bytes\): ' "$T/out.json" || fail "wrong file $f: no fix in the detail"
done

# --insecure-skip-hostname-check: a certificate for another name is refused,
# unless the check is turned off.
rm -f "$T/othername.port"
"$OTTER" serve "$T/www" --bind 127.0.0.1 --port 0 --port-file "$T/othername.port" --quiet \
    --self-signed-for other.example --cert-out "$T/other-name.pem" > "$T/othername.log" 2>&1 &
PIDS="$PIDS $!"
poll 200 port_file "$T/othername.port" || { echo "FAIL: otter serve othername did not start"; cat "$T/othername.log"; exit 1; }
OPORT=$FILE_PORT
newflash o
dev "certificate for another host name" 1 error=TLS_HOSTNAME erases=0 \
    -- --flash "$T/o.flash" --url "https://localhost:$OPORT/app.bin" --ca "$T/other-name.pem"
dev "--insecure-skip-hostname-check" 0 outcome=updated running_version=1.1.0 \
    -- --flash "$T/o.flash" --url "https://localhost:$OPORT/app.bin" --ca "$T/other-name.pem" --insecure-skip-hostname-check
grep -q "host name check is OFF\|hostname check is OFF\|host name check" "$T/err.txt" || fail "no warning that the host name check is off"

pub="--pub $T/key.pub.pem"
# By address: the demo certificate lists IP:127.0.0.1 (and IP:::1); the
# device matches the URL's address against those, and sends no SNI.
newflash ip
# shellcheck disable=SC2086
dev "whole update by https://127.0.0.1:PORT" 0 outcome=updated running_version=1.1.0 running_slot=ota_1 \
    -- --flash "$T/ip.flash" --url "https://127.0.0.1:$PORT/app.bin" $pub
serve cuts --cut-after 70000 --fault-times 3
newflash n
# shellcheck disable=SC2086
dev "three connection cuts: resumed at the exact byte" 0 outcome=updated running_version=1.1.0 resumes=3 \
    bytes_redownloaded=0 -- --flash "$T/n.flash" --url "https://localhost:$PORT/app.bin" $pub
serve stalls --stall-after 100000 --stall-ms 5000 --fault-times 2
newflash s
# shellcheck disable=SC2086
dev "two stalls: timed out, resumed" 0 outcome=updated running_version=1.1.0 resumes=2 bytes_redownloaded=0 \
    -- --flash "$T/s.flash" --url "https://localhost:$PORT/app.bin" $pub --read-timeout 300
serve norange --ignore-range --cut-after 100000 --fault-times 1
newflash r
# shellcheck disable=SC2086
dev "server ignores Range: whole file again, head dropped" 0 outcome=updated running_version=1.1.0 \
    -- --flash "$T/r.flash" --url "https://localhost:$PORT/app.bin" $pub
# No Content-Length (chunked, and chunked with Range ignored): the device
# reads to the end of the body, as otter doctor says it would (issue 11).
serve chunked --chunked
newflash k
# shellcheck disable=SC2086
dev "chunked body, no Content-Length: updated" 0 outcome=updated running_version=1.1.0 \
    -- --flash "$T/k.flash" --url "https://localhost:$PORT/app.bin" $pub
"$OTTER" doctor "https://localhost:$PORT/app.bin" --ca "$P/ca.pem" --running-version 1.0.0 > "$T/doc.txt" 2>&1 ||
    fail "doctor disagrees with the device on a chunked body"
grep -qF "would: update" "$T/doc.txt" || fail "doctor: no 'would: update' for a chunked body"
serve chunked200 --chunked --ignore-range
newflash k2
# shellcheck disable=SC2086
dev "chunked, Range ignored: updated" 0 outcome=updated running_version=1.1.0 \
    -- --flash "$T/k2.flash" --url "https://localhost:$PORT/app.bin" $pub
MAIN_PORT=$(cat "$T/main.port")
serve redir --redirect-to "https://localhost:$MAIN_PORT/"
newflash d
# shellcheck disable=SC2086
dev "power cut behind a redirect" 1 error=FLASH_POWER_LOSS \
    -- --flash "$T/d.flash" --url "https://localhost:$PORT/app.bin" $pub --power-cut-after 60
# shellcheck disable=SC2086
dev "redirected, resumed from the journal" 0 outcome=updated running_version=1.1.0 resumed_from_journal=true \
    -- --flash "$T/d.flash" --url "https://localhost:$PORT/app.bin" $pub
grep -qF "redirect: https://localhost:$MAIN_PORT/app.bin" "$T/err.txt" || fail "no redirect event"
newflash p
# shellcheck disable=SC2086
dev "through a proxy that is not there: fails, old app kept" 1 outcome=failed error=CONNECT running_version=1.0.0 \
    -- --flash "$T/p.flash" --url "https://localhost:$PORT/app.bin" $pub --proxy http://127.0.0.1:9
finish
