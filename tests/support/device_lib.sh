# Shared by tests/test_device_*.sh (sourced): `otter device` against a real
# HTTPS server started by the test. The caller sets BASE (https://localhost:
# PORT) after starting its server on $T/www with the certificate
# $P/chain.pem + $P/server.key, then calls run_scenarios: the same
# assertions for every server.
set -eu
: "${OTTER_BIN:?}" "${OTTER_SRC:?}"
OTTER="$OTTER_BIN"
. "$OTTER_SRC/tests/support/servers.sh"
servers_init dev
P="$T/pki"
"$OTTER" pki demo "$P" >/dev/null
mkdir -p "$T/www" "$T/img"
chmod 755 "$T" "$T/www"
"$OTTER" keygen --type ecdsa-p256 --out "$T/key.pem" >"$T/keygen.txt"
KEY_DIGEST=$(sed -n 's/^key digest: //p' "$T/keygen.txt")
"$OTTER" keygen --type ecdsa-p256 --out "$T/other.pem" >/dev/null

# mkimg NAME VERSION [image make options]: $T/img/NAME.bin
mkimg() {
    n="$1"; v="$2"; shift 2
    "$OTTER" image make --chip esp32 --project otter-test --version "$v" --size 300000 --out "$T/img/$n.bin" "$@" >/dev/null
}
# signed NAME KEY: $T/www/NAME.bin from $T/img/NAME.bin
signed() {
    "$OTTER" sign --key "$2" "$T/img/$1.bin" --out "$T/www/$1.bin" >/dev/null
}
# The running app is signed too: with keys given, the simulated bootloader
# checks signatures as ESP-IDF's does.
mkimg v1u 1.0.0 --seed 1 && "$OTTER" sign --key "$T/key.pem" "$T/img/v1u.bin" --out "$T/img/v1.bin" >/dev/null
mkimg app 1.1.0 --seed 2 && signed app "$T/key.pem"
mkimg app2 1.3.0 --seed 3 && signed app2 "$T/key.pem"
mkimg old 0.9.0 --seed 4 && signed old "$T/key.pem"
mkimg unsigned 1.2.0 --seed 5 && cp "$T/img/unsigned.bin" "$T/www/unsigned.bin"
mkimg wrongkey 1.2.0 --seed 6 && signed wrongkey "$T/other.pem"
"$OTTER" image make --chip esp32c3 --project otter-test --version 1.2.0 --size 300000 --out "$T/img/c3.bin" >/dev/null
signed c3 "$T/key.pem"
mkimg sv 1.2.0 --seed 7 --secure-version 1 && signed sv "$T/key.pem"
mkimg fail 1.4.0 --seed 8 && signed fail "$T/key.pem"
"$OTTER" image make --chip esp32 --project otter-test --version 1.2.0 --size 2100000 --out "$T/www/big.bin" >/dev/null
head -c 200000 "$T/www/app.bin" > "$T/www/trunc.bin"
printf '<!DOCTYPE html>\n<html><body>Please log in</body></html>\n' > "$T/www/login.html"
printf '<!DOCTYPE html>\n<html><body>Please log in</body></html>\n' > "$T/www/login.bin"
chmod 644 "$T/www"/*
APP_LEN=$(wc -c < "$T/www/app.bin")

# newflash NAME: a min_spiffs 4 MB flash running v1.0.0 in ota_0.
newflash() {
    "$OTTER" flash init --out "$T/$1.flash" --size 4M --layout min_spiffs --force >/dev/null
    "$OTTER" flash write "$T/$1.flash" --slot ota_0 "$T/img/v1.bin" --valid >/dev/null
}
# keep FLASH: checksum of the running slot (ota_0) and otadata.
keep() {
    { dd if="$1" bs=4096 skip=14 count=2 2>/dev/null; dd if="$1" bs=4096 skip=16 count=480 2>/dev/null; } |
        sha256sum | cut -d' ' -f1
}
# field NAME: a value from the last JSON summary ($T/out.json).
field() {
    sed -n "s/.*\"$1\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p" "$T/out.json" | tr -d '"'
}
fail() {
    echo "FAIL: $1"
    FAILS=$((FAILS + 1))
    sed 's/^/    | /' "$T/out.json" "$T/err.txt" 2>/dev/null | tail -25
}
# dev NAME RC KEY=VALUE... -- ARGS: run `otter device --json ARGS`, check the
# exit code and the summary fields.
dev() {
    name="$1"; want="$2"; shift 2
    checks=""
    while [ "$1" != "--" ]; do checks="$checks $1"; shift; done
    shift
    set +e
    timeout 120 "$OTTER" device --json --ca "${DEV_CA:-$P/ca.pem}" "$@" > "$T/out.json" 2> "$T/err.txt"
    rc=$?
    set -e
    if [ "$rc" != "$want" ]; then fail "$name: exit $rc, want $want"; return 0; fi
    for c in $checks; do
        k="${c%%=*}"; v="${c#*=}"
        got=$(field "$k")
        [ "$got" = "$v" ] || { fail "$name: $k is '$got', want '$v'"; return 0; }
    done
    echo "ok: $name"
}
# bad NAME ERROR URL [ARGS]: a refused update leaves ota_0 and otadata as
# they were and v1.0.0 running.
bad() {
    name="$1"; err="$2"; url="$3"; shift 3
    newflash bad
    before=$(keep "$T/bad.flash")
    dev "$name" 1 outcome=failed error="$err" running_version=1.0.0 running_slot=ota_0 \
        -- --flash "$T/bad.flash" --url "$url" "$@"
    [ "$(keep "$T/bad.flash")" = "$before" ] || fail "$name: running slot or otadata changed"
}
# refused NAME ERROR URL [ARGS]: as bad, and decided before anything was
# erased (the summary's erases is 0).
refused() {
    name="$1"; err="$2"; url="$3"; shift 3
    newflash bad
    before=$(keep "$T/bad.flash")
    dev "$name (before any erase)" 1 outcome=failed error="$err" erases=0 running_version=1.0.0 \
        running_slot=ota_0 -- --flash "$T/bad.flash" --url "$url" "$@"
    [ "$(keep "$T/bad.flash")" = "$before" ] || fail "$name: running slot or otadata changed"
}

run_scenarios() {
    pub="--pub $T/key.pub.pem"
    newflash a
    # shellcheck disable=SC2086
    dev "update 1.0.0 -> 1.1.0" 0 outcome=updated running_version=1.1.0 running_slot=ota_1 running_state=VALID \
        bytes_redownloaded=0 image_bytes="$APP_LEN" -- --flash "$T/a.flash" --url "$BASE/app.bin" $pub
    lsm=$(field longest_step_ms)
    awk "BEGIN { exit !($lsm <= 50) }" || fail "longest step $lsm ms > 50"
    # shellcheck disable=SC2086
    dev "same version: up to date" 3 outcome=up_to_date running_version=1.1.0 \
        -- --flash "$T/a.flash" --url "$BASE/app.bin" $pub
    # --json as documented: up to date has a detail and no error
    grep -q '"error":' "$T/out.json" && fail "up to date: JSON has an error"
    grep -q '"detail":"up to date' "$T/out.json" || fail "up to date: JSON has no detail"
    grep -q '"whole_slot_erase_ms":' "$T/out.json" || fail "no whole_slot_erase_ms"
    refused "older version" UPD_OLDER "$BASE/old.bin" $pub
    bad "unsigned while a key is provisioned" UPD_UNSIGNED "$BASE/unsigned.bin" $pub
    bad "signed by another key" SIG_UNTRUSTED "$BASE/wrongkey.bin" $pub
    refused "wrong chip" IMG_CHIP_MISMATCH "$BASE/c3.bin" $pub
    refused "lower secure_version" UPD_SECURE_VERSION "$BASE/sv.bin" $pub --secure-version 2
    refused "another project" UPD_PROJECT "$BASE/app.bin" $pub --project someone-else
    refused "HTML page (text/html)" UPD_CONTENT_TYPE "$BASE/login.html" $pub
    refused "HTML page (as .bin)" IMG_HTML "$BASE/login.bin" $pub
    refused "larger than the slot" UPD_TOO_LARGE "$BASE/big.bin" $pub
    bad "truncated file" IMG_TRUNCATED "$BASE/trunc.bin" $pub
    refused "404" HTTP_STATUS "$BASE/missing.bin" $pub
    "$OTTER" pki demo "$T/pki2" >/dev/null
    DEV_CA="$T/pki2/ca.pem"
    bad "server certificate from an untrusted CA" TLS_TRUST "$BASE/app.bin" $pub
    unset DEV_CA
    grep -qF "tls (failed): " "$T/err.txt" || fail "untrusted CA: no TLS explanation"

    # The README's options: each changes what the device does.
    newflash g
    dev "--allow-downgrade installs an older version" 0 outcome=updated running_version=0.9.0 \
        -- --flash "$T/g.flash" --url "$BASE/old.bin" $pub --allow-downgrade
    dev "without --allow-same the same version is up to date" 3 outcome=up_to_date erases=0 running_version=0.9.0 \
        -- --flash "$T/g.flash" --url "$BASE/old.bin" $pub
    dev "--allow-same installs the same version again" 0 outcome=updated running_version=0.9.0 running_slot=ota_0 \
        -- --flash "$T/g.flash" --url "$BASE/old.bin" $pub --allow-same
    newflash k
    dev "--key-digest: the eFuse digest instead of the key" 0 outcome=updated running_version=1.1.0 \
        -- --flash "$T/k.flash" --url "$BASE/app.bin" --key-digest "$KEY_DIGEST"
    bad "--key-digest: an unsigned image" UPD_UNSIGNED "$BASE/unsigned.bin" --key-digest "$KEY_DIGEST"
    newflash m
    dev "--flash-model max" 0 outcome=updated -- --flash "$T/m.flash" --url "$BASE/app.bin" $pub --flash-model max
    lsm_max=$(field longest_step_ms)
    # worst-case 4 KB erase is 400 ms, typical 45 ms
    awk "BEGIN { exit !($lsm_max >= 400 && $lsm <= 50) }" || fail "--flash-model max: longest step $lsm_max ms (typ $lsm)"

    # Power cut mid-download, then resume from the journal with Range/If-Range.
    newflash c
    before=$(keep "$T/c.flash")
    # shellcheck disable=SC2086
    dev "power cut during the download" 1 outcome=failed error=FLASH_POWER_LOSS running_version=1.0.0 \
        -- --flash "$T/c.flash" --url "$BASE/app.bin" $pub --power-cut-after 40
    d1=$(field bytes_downloaded)
    again=$(field bytes_to_download_again)
    [ "$(keep "$T/c.flash")" = "$before" ] || fail "power cut: running slot or otadata changed"
    # shellcheck disable=SC2086
    dev "resume after the power cut" 0 outcome=updated running_version=1.1.0 resumed_from_journal=true \
        -- --flash "$T/c.flash" --url "$BASE/app.bin" $pub
    d2=$(field bytes_downloaded)
    [ $((d1 + d2)) -le $((APP_LEN + 4096)) ] || fail "resume re-downloaded $((d1 + d2 - APP_LEN)) bytes (> 4096)"
    # the counters tell the truth: what was downloaded twice is what the cut
    # run said it would be, and what the rerun counts again
    [ $((d1 + d2)) -eq $((APP_LEN + again)) ] || fail "power cut: $d1 + $d2 bytes for $APP_LEN, cut run said $again again"
    # (the rerun finds them in flash: the programmed bytes after the journal,
    # up to the last one that is not 0xFF)
    redl=$(field bytes_redownloaded)
    [ "$again" -gt 0 ] && [ "$redl" -le "$again" ] && [ "$redl" -gt $((again - 256)) ] ||
        fail "power cut: rerun counts $redl again, $again were downloaded twice"

    # The file changes on the server between the cut and the resume.
    newflash e
    cp "$T/www/app.bin" "$T/www/moving.bin" && touch -d '2019-01-01' "$T/www/moving.bin"
    # shellcheck disable=SC2086
    dev "power cut (file about to change)" 1 error=FLASH_POWER_LOSS \
        -- --flash "$T/e.flash" --url "$BASE/moving.bin" $pub --power-cut-after 40
    cp "$T/www/old.bin" "$T/www/moving.tmp" && touch -d '2020-01-01' "$T/www/moving.tmp" && mv "$T/www/moving.tmp" "$T/www/moving.bin"
    before=$(keep "$T/e.flash")
    # shellcheck disable=SC2086
    dev "file switched to an older build: start over, refuse" 1 error=UPD_OLDER restarts=1 running_version=1.0.0 \
        -- --flash "$T/e.flash" --url "$BASE/moving.bin" $pub
    [ "$(keep "$T/e.flash")" = "$before" ] || fail "switched file: running slot or otadata changed"
    # (a new mtime: nginx's ETag is mtime-size, and these files have one size)
    cp "$T/www/app2.bin" "$T/www/moving.tmp" && touch -d '2021-01-01' "$T/www/moving.tmp" && mv "$T/www/moving.tmp" "$T/www/moving.bin"
    # shellcheck disable=SC2086
    dev "file switched to a newer build: installed" 0 outcome=updated running_version=1.3.0 \
        -- --flash "$T/e.flash" --url "$BASE/moving.bin" $pub

    # Self-test failures roll back.
    newflash f
    # shellcheck disable=SC2086
    dev "self-test fails: rolled back" 4 outcome=rolled_back error=UPD_SELF_TEST running_version=1.0.0 \
        running_slot=ota_0 -- --flash "$T/f.flash" --url "$BASE/fail.bin" $pub --self-test fail
    newflash h
    # shellcheck disable=SC2086
    dev "self-test hangs: rolled back" 4 outcome=rolled_back running_version=1.0.0 running_slot=ota_0 \
        -- --flash "$T/h.flash" --url "$BASE/fail.bin" $pub --self-test hang
}

