#!/bin/sh
# otter flash init|write|info|boot: help, layouts, a full trial/rollback
# cycle, a flash file assembled from the real vectors, and clear errors with
# the right exit codes for bad files and bad command lines.
set -u
O="${OTTER_BIN:?}"
V="${OTTER_VECTORS:?}/esp32"
T=$(mktemp -d "${TMPDIR:-/tmp}/otter-flash-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# expect CODE CMD...: run, keep stdout in $T/out and stderr in $T/err
expect() {
    want=$1; shift
    "$@" >"$T/out" 2>"$T/err"; got=$?
    [ "$got" = "$want" ] || fail "exit $got (want $want): $* :: $(cat "$T/err")"
}
has() { grep -qF -- "$2" "$1" || fail "$1 lacks: $2 :: $(head -c 600 "$1")"; }
put() { # put FILE OFFSET SRC: copy SRC into FILE at OFFSET
    dd if="$3" of="$1" bs=4096 seek=$(($2 / 4096)) conv=notrunc 2>/dev/null
}
poke() { # poke FILE OFFSET OCTAL: one byte
    printf "\\$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

APP_A="$V/esp32-arduino3-idf5.5.2-pio-otademo-app.bin"
APP_B="$V/esp32-arduino1.0-pio-logging-app-padseg-nodesc.bin"

# --- help ------------------------------------------------------------------
expect 0 "$O" --help
has "$T/out" "flash"
expect 0 "$O" flash --help
has "$T/out" "usage: otter flash <command>"
for c in init write info boot; do
    expect 0 "$O" flash "$c" --help
    has "$T/out" "usage: otter flash $c"
done
expect 2 "$O" flash
expect 2 "$O" flash frobnicate

# --- a new image -------------------------------------------------------------
F="$T/dev.bin"
expect 0 "$O" flash init --out "$F"
has "$T/out" "created $F: 4194304 bytes, layout default, 6 partitions, 2 OTA slots"
[ "$(wc -c <"$F")" -eq 4194304 ] || fail "size"
expect 0 "$O" flash info "$F"
has "$T/out" "copy 0 at 0x00e000: blank"
has "$T/out" "next boot: nothing [none]"
expect 0 "$O" flash info --json "$F"
has "$T/out" '"next_boot": {"slot": null, "label": null, "reason": "none"'
has "$T/out" '{"label": "app0", "type": "app", "subtype": "ota_0", "offset": 65536, "size": 1310720'
has "$T/out" '{"label": "coredump", "type": "data", "subtype": "coredump", "offset": 4128768, "size": 65536'
has "$T/out" '"otadata": {"offset": 57344, "active": null'

# --- install, trial, roll back, install again, confirm -----------------------
expect 0 "$O" flash write "$F" --slot ota_0 "$APP_A" --valid
has "$T/out" 'wrote 1117568 bytes to ota_0 (app0) at 0x010000, version "8cabf2c"'
has "$T/out" "next boot: ota_0 (app0): otadata copy 0 is active (seq 1, state VALID)"
expect 0 "$O" flash write "$F" --slot ota_1 "$APP_B"
expect 0 "$O" flash info --json "$F"
has "$T/out" '"next_boot": {"slot": "ota_1", "label": "app1", "reason": "trial"'
has "$T/out" '{"copy": 1, "offset": 61440, "blank": false, "seq": 2, "state": "NEW"'
has "$T/out" '"version": "8cabf2c", "project": "arduino-lib-builder"'
expect 0 "$O" flash boot "$F"
has "$T/out" "boot: ota_1 (app1): otadata copy 1 is active (seq 2, state NEW)"
expect 0 "$O" flash boot --json "$F"
has "$T/out" '{"slot": "ota_0", "reason": "rollback"'
expect 0 "$O" flash info "$F"
has "$T/out" "copy 1 at 0x00f000: seq 2, state ABORTED"
# ota_0 is the only good app: rejecting it is refused
expect 1 "$O" flash boot "$F" --reject
has "$T/err" "rollback refused: no other bootable app"
expect 0 "$O" flash write "$F" --slot ota_1 "$APP_B"
expect 0 "$O" flash boot "$F" --confirm
has "$T/out" "confirmed ota_1"
expect 0 "$O" flash info --json "$F"
has "$T/out" '"next_boot": {"slot": "ota_1", "label": "app1", "reason": "otadata"'
has "$T/out" '"state": "VALID", "state_value": 2'
# rejecting the confirmed ota_1 rolls back to ota_0
expect 0 "$O" flash boot "$F" --reject
has "$T/out" "rejected ota_1; rebooting"
has "$T/out" "was rejected by its app (INVALID)"
# erase counts are kept in FILE.wear across runs
expect 0 "$O" flash info --json "$F"
has "$T/out" '"erases": {"total": '
grep -q '"label": "otadata", "type": "data", "subtype": "ota", "offset": 57344, "size": 8192, "flags": 0, "erases": 0}' "$T/out" &&
    fail "otadata erases not counted"

# --- layouts ----------------------------------------------------------------
expect 0 "$O" flash init --out "$T/m.bin" --layout min_spiffs
expect 0 "$O" flash info --json "$T/m.bin"
has "$T/out" '{"label": "app1", "type": "app", "subtype": "ota_1", "offset": 2031616, "size": 1966080'
expect 0 "$O" flash init --out "$T/t.bin" --layout two_ota --size 4M
expect 0 "$O" flash write "$T/t.bin" --slot factory "$APP_B"
expect 0 "$O" flash info --json "$T/t.bin"
has "$T/out" '"next_boot": {"slot": "factory", "label": "factory", "reason": "factory"'
printf 'nvs,data,nvs,,24K\notadata,data,ota,,8K\nfirmware,app,ota_0,,1M\nfirmware2,app,ota_1,,1M\n' >"$T/p.csv"
expect 0 "$O" flash init --out "$T/c.bin" --layout "$T/p.csv" --size 4M
expect 0 "$O" flash info --json "$T/c.bin"
has "$T/out" '{"label": "firmware2", "type": "app", "subtype": "ota_1", "offset": 1179648'
printf 'nvs,data,nvs,,24K\nbad,data,nonsense,,8K\n' >"$T/bad.csv"
expect 1 "$O" flash init --out "$T/c2.bin" --layout "$T/bad.csv"
has "$T/err" "line 2: partition CSV syntax error"
expect 1 "$O" flash init --out "$T/c2.bin" --layout default --size 2M
has "$T/err" "partition lies outside the flash"
expect 1 "$O" flash init --out "$T/c2.bin" --layout "$T/missing.csv"

# --- a flash file assembled from the real vectors -----------------------------
R="$T/real.bin"
expect 0 "$O" flash init --out "$R" --layout default
put "$R" 32768 "$V/esp32-arduino1.0-partitions-custom-subtype.bin"
put "$R" 57344 "$V/esp32c3-arduino-boot_app0.bin"
put "$R" 65536 "$APP_A"
expect 0 "$O" flash info "$R"
has "$T/out" "eeprom           data  0x99      0x00290000 0x00001000"
has "$T/out" "copy 0 at 0x00e000: seq 1, state UNDEFINED, crc 0x4743989a ok, selects ota_0  <- active"
has "$T/out" "copy 1 at 0x00f000: seq 0, state UNDEFINED, crc 0xffffffff ok, selects ota_1"
has "$T/out" "next boot: ota_0 [otadata]"
has "$T/out" 'valid, 1117568 bytes, version "8cabf2c"'
put "$R" 57344 "$V/esp32s3-idf4.4-ota_data_initial.bin"
expect 0 "$O" flash info --json "$R"
has "$T/out" '"next_boot": {"slot": "ota_0", "label": "app0", "reason": "first_ota"'

# --- bad files ----------------------------------------------------------------
expect 1 "$O" flash info "$T/nonexistent.bin"
head -c 5000 "$F" >"$T/short.bin"
expect 1 "$O" flash info "$T/short.bin"
has "$T/err" "flash image size is zero or not a multiple of the 4 KB sector size"
cp "$F" "$T/md5.bin"
poke "$T/md5.bin" $((32768 + 40)) 001
expect 1 "$O" flash info "$T/md5.bin"
has "$T/err" "partition table at 0x8000: partition table MD5 does not match (PT_MD5)"
cp "$F" "$T/erased.bin"
dd if=/dev/zero bs=4096 count=1 2>/dev/null | tr '\000' '\377' | dd of="$T/erased.bin" bs=4096 seek=8 conv=notrunc 2>/dev/null
expect 1 "$O" flash info "$T/erased.bin"
has "$T/err" "partition table is empty"
cp "$F" "$T/od.bin"
poke "$T/od.bin" 57344 125
poke "$T/od.bin" 61440 125
expect 1 "$O" flash info "$T/od.bin"
has "$T/err" "both otadata copies are corrupt (CRC mismatch)"
has "$T/out" "next boot: ota_0 [fallback]"

# --- bad command lines and images ----------------------------------------------
expect 2 "$O" flash init
has "$T/err" "--out FILE is required"
expect 2 "$O" flash init --out "$T/x.bin" --size 1000
expect 2 "$O" flash init --out "$T/x.bin" --bogus
expect 1 "$O" flash write "$F" --slot ota_9x "$APP_A"
expect 2 "$O" flash write "$F" "$APP_A"
expect 2 "$O" flash info
expect 2 "$O" flash boot "$F" --confirm --reject
expect 1 "$O" flash write "$F" --slot ota_5 "$APP_A"
has "$T/err" "has no slot 'ota_5'"
head -c 3000 /dev/urandom >"$T/junk.img"
cp "$F" "$T/before.bin"
expect 1 "$O" flash write "$F" --slot ota_1 "$T/junk.img"
has "$T/err" "not a valid app image"
cmp -s "$F" "$T/before.bin" || fail "a refused image changed the flash"
# a partition dump (valid image + stale bytes) fits two_ota's 1 MB slot exactly
expect 0 "$O" flash write "$T/t.bin" --slot ota_0 "$V/esp32-idf4.3.7-factory-partition-dump-1MiB.bin" --no-boot
has "$T/out" "next boot: factory: no usable otadata copy (blank, INVALID or ABORTED)"
cat "$APP_A" "$APP_B" >"$T/big.img"
expect 1 "$O" flash write "$F" --slot ota_0 "$T/big.img"
has "$T/err" "1397104 bytes do not fit ota_0 (1310720 bytes)"
expect 0 "$O" flash write "$T/m.bin" --slot ota_0 "$T/junk.img" --force
has "$T/out" "next boot: nothing boots: no usable otadata copy and no factory app"

if [ "$fails" -ne 0 ]; then
    echo "test_flash_cli: $fails failures"
    exit 1
fi
echo "test_flash_cli: ok"
