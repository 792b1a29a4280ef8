#!/bin/sh
# The CLI agrees with itself: --help at every level, usage errors (exit 2)
# for malformed URLs and bad option values, "cannot open FILE: No such file
# or directory" for a missing file, --slot by subtype name or by label, and
# --key-digest (or --digest) wherever keys are given.
set -u
OTTER="${OTTER_BIN:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/otter-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
FAILS=0
# want RC TEXT ARGS... and fail (tests/support/cli_want.sh)
. "${OTTER_SRC:?}/tests/support/cli_want.sh"

# --- --help at every level -------------------------------------------------------
want 0 "usage: otter <command>" --help
for c in flash "flash init" "flash write" "flash info" "flash boot" image "image info" "image make" keygen sign \
         verify device serve pki "pki demo" "pki cert" "pki key" cert doctor fetch release "release new" "release sign"; do
    for h in --help -h; do
        # shellcheck disable=SC2086
        want 0 "otter $c " $c $h
        grep -q "usage:" "$T/out" || fail "otter $c $h: no usage"
    done
done

# --- malformed URLs and bad option values are usage errors (2) --------------------
"$OTTER" image make --chip esp32 --version 1.0.0 --project demo --size 70000 --out "$T/app.bin" >/dev/null
"$OTTER" flash init --out "$T/f.bin" --layout min_spiffs >/dev/null
"$OTTER" flash write "$T/f.bin" --slot ota_0 "$T/app.bin" --valid >/dev/null
for u in "htp://x/a.bin" "https://" "https://localhost:99999/a.bin" "https://exa mple.com/a.bin" "ftp://host/a.bin"; do
    want 2 "is not a valid URL" device --flash "$T/f.bin" --url "$u"
    want 2 "is not a valid URL" fetch "$u" --flash "$T/f.bin"
    want 2 "is not a valid URL" doctor "$u"
done
want 2 "--read-timeout" device --flash "$T/f.bin" --url https://localhost/a.bin --read-timeout abc
want 2 "--flash-model" device --flash "$T/f.bin" --url https://localhost/a.bin --flash-model fast
want 2 "--power-cut-after" device --flash "$T/f.bin" --url https://localhost/a.bin --power-cut-after x
want 2 "--key-digest wants 64 hex digits" device --flash "$T/f.bin" --url https://localhost/a.bin --key-digest 12
want 2 "--key-digest wants 64 hex digits" verify --key-digest 12 "$T/app.bin"
want 2 "--key-digest wants 64 hex digits" doctor https://localhost/a.bin --key-digest 12
want 2 "--buffer" fetch https://localhost/a.bin --flash "$T/f.bin" --buffer abc
want 2 "--size" image make --chip esp32 --version 1 --project p --size abc --out "$T/x.bin"
want 2 "--size" flash init --out "$T/g.bin" --size abc

# --- a missing file says so ----------------------------------------------------------
NOPE="$T/nope.bin"
NO="cannot open $NOPE: No such file or directory"
want 1 "$NO" image info "$NOPE"
want 1 "$NO" flash info "$NOPE"
want 1 "$NO" flash boot "$NOPE"
want 1 "$NO" flash write "$NOPE" --slot ota_0 "$T/app.bin"
want 1 "$NO" flash write "$T/f.bin" --slot ota_1 "$NOPE"
want 1 "$NO" sign --key "$NOPE" "$T/app.bin"
want 1 "$NO" device --flash "$NOPE" --url https://localhost/a.bin
want 1 "$NO" fetch https://localhost/a.bin --flash "$NOPE"
want 1 "$NO" fetch https://localhost/a.bin --flash "$T/f.bin" --ca "$NOPE"
want 1 "$NO" doctor https://localhost/a.bin --ca "$NOPE"
want 1 "$NO" cert --explain "$NOPE"
want 1 "$NO" pki cert --subject CN=x --key "$NOPE" --out "$T/x.pem"

# --- --slot: subtype name or label, for every verb that takes one --------------------
"$OTTER" flash info "$T/f.bin" >"$T/out"
label1=$(sed -n 's/.*ota_1 (\([a-z0-9_]*\)).*/\1/p' "$T/out" | head -1)
[ -n "$label1" ] || label1=app1
want 0 "wrote " flash write "$T/f.bin" --slot ota_1 "$T/app.bin" --no-boot
want 0 "wrote " flash write "$T/f.bin" --slot "$label1" "$T/app.bin" --no-boot
want 1 "has no slot 'ota_7'" flash write "$T/f.bin" --slot ota_7 "$T/app.bin"
want 1 "is not an app slot" flash write "$T/f.bin" --slot nvs "$T/app.bin"
# fetch looks the slot up before connecting (port 9: nothing listens)
want 1 "127.0.0.1" fetch http://127.0.0.1:9/a.bin --flash "$T/f.bin" --slot ota_1
want 1 "127.0.0.1" fetch http://127.0.0.1:9/a.bin --flash "$T/f.bin" --slot "$label1"
want 1 "has no slot 'ota_7'" fetch http://127.0.0.1:9/a.bin --flash "$T/f.bin" --slot ota_7

# --- --key-digest and --digest are accepted everywhere keys are ---------------------------
"$OTTER" keygen --type ecdsa-p256 --out "$T/k.pem" >"$T/kg"
kd=$(sed -n 's/^key digest: //p' "$T/kg")
"$OTTER" sign --key "$T/k.pem" "$T/app.bin" --out "$T/app.signed" >/dev/null
want 0 "OK: signed by a trusted key" verify --key-digest "$kd" "$T/app.signed"
want 0 "OK: signed by a trusted key" verify --digest "$kd" "$T/app.signed"
# With keys, the simulated bootloader boots only a signed app: run a signed one.
"$OTTER" flash write "$T/f.bin" --slot ota_0 "$T/app.signed" --valid >/dev/null
for opt in --key-digest --digest; do
    want 1 "127.0.0.1" device --flash "$T/f.bin" --url http://127.0.0.1:9/a.bin $opt "$kd"
    want 1 "TCP" doctor http://127.0.0.1:9/a.bin $opt "$kd"
done
for f in "$OTTER_SRC/README.md" "$OTTER_SRC/tools/cmd_doctor.c" "$OTTER_SRC/tools/cmd_verify.c" "$OTTER_SRC/tools/cmd_device.c"; do
    CHECKS=$((CHECKS + 1))
    if grep -n -- '--digest' "$f" | grep -v -- '--key-digest' | grep -v 'cli_opt(' >"$T/out"; then
        fail "$f documents --digest (the one spelling is --key-digest)"
    fi
done

echo "test_cli_words: $CHECKS checks, $FAILS failed"
[ "$FAILS" -eq 0 ]
