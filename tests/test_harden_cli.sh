#!/bin/sh
# Issue 11, item 8 and the options items 1-5 added to `otter device`: each
# case is run as a user would run it, with its exit code and its words.
set -eu
: "${OTTER_BIN:?}" "${OTTER_SRC:?}"
OTTER="$OTTER_BIN"
. "$OTTER_SRC/tests/support/servers.sh"
servers_init harden

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
# expect RC CMD...: run, stdout in $T/out, stderr in $T/err, check the exit code
expect() {
    want=$1; shift
    set +e
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    set -e
    [ "$got" = "$want" ] || { fail "exit $got (want $want): $*"; sed 's/^/    | /' "$T/out" "$T/err" | tail -20; }
}
has() { grep -qF -- "$2" "$T/$1" || { fail "$1 lacks '$2'"; sed 's/^/    | /' "$T/$1" | tail -20; }; }
lacks_esc() { if grep -q "$(printf '\033')" "$T/$1"; then fail "$1 has a raw escape byte ($2)"; fi; }

cd "$T"
"$OTTER" image make --chip esp32 --project demo --version 1.0.0 --size 100000 --seed 1 --out v1.bin >/dev/null

# flash init --out EXISTING: refused without --force, the file untouched.
expect 0 "$OTTER" flash init --out dev.bin --size 4M --layout min_spiffs
"$OTTER" flash write dev.bin --slot ota_0 v1.bin --valid >/dev/null
before=$(sha256sum dev.bin | cut -d' ' -f1)
expect 1 "$OTTER" flash init --out dev.bin --size 1M
has err "dev.bin exists: use --force to replace it"
[ "$(sha256sum dev.bin | cut -d' ' -f1)" = "$before" ] || fail "flash init without --force changed the file"
# A failure (a layout that does not fit) leaves the existing file and no temporary one.
expect 1 "$OTTER" flash init --out dev.bin --size 1M --layout min_spiffs --force
[ "$(sha256sum dev.bin | cut -d' ' -f1)" = "$before" ] || fail "a failed flash init --force changed the file"
# A directory it cannot write (root can: then skipped): the file stays whole.
mkdir ro && cp dev.bin ro/dev.bin && chmod 555 ro
if ! touch ro/probe 2>/dev/null; then
    expect 1 "$OTTER" flash init --out ro/dev.bin --force
    [ "$(sha256sum ro/dev.bin | cut -d' ' -f1)" = "$before" ] || fail "flash init into a read-only dir damaged the file"
fi
chmod 755 ro
[ -z "$(ls | grep '\.tmp-')" ] || fail "flash init left a temporary file: $(ls)"
expect 0 "$OTTER" flash init --out dev.bin --force
has out "created dev.bin"

# fetch --create removes the file it created when the fetch fails.
expect 1 "$OTTER" fetch http://127.0.0.1:9/app.bin --flash new.bin --create 1M
[ ! -e new.bin ] || fail "fetch --create left new.bin behind"
[ ! -e new.bin.wear ] || fail "fetch --create left new.bin.wear behind"

# --pub MISSING: cannot open (device, doctor, verify).
expect 2 "$OTTER" device --flash dev.bin --url http://127.0.0.1:9/x --pub missing.pem
has err "--pub missing.pem: cannot open the file"
expect 2 "$OTTER" doctor http://127.0.0.1:9/x --pub missing.pem
has err "--pub missing.pem: cannot open the file"
expect 2 "$OTTER" verify --pub missing.pem v1.bin
has err "--pub missing.pem: cannot open the file"

# image make --size 0, sign of an empty file, pki key --bits -5, bare `otter image`.
expect 2 "$OTTER" image make --chip esp32 --project p --version 1 --size 0 --out zero.bin
has err "bad --size '0'"
[ ! -e zero.bin ] || fail "image make --size 0 wrote a file"
"$OTTER" keygen --type ecdsa-p256 --out key.pem >/dev/null
: > empty.bin
expect 1 "$OTTER" sign --key key.pem empty.bin --out empty.signed
has err "empty.bin: the file is empty: nothing to sign"
[ ! -e empty.signed ] || fail "sign wrote a signature for an empty file"
expect 2 "$OTTER" pki key --out k.pem --type rsa --bits -5
has err "--bits -5: want a number of bits from 1024 to 16384"
expect 2 "$OTTER" pki key --out k.pem --type rsa --bits 4294967291
expect 2 "$OTTER" image
has err "usage: otter image info FILE"
[ ! -s "$T/out" ] || fail "otter image with no arguments printed on stdout"

# flash boot --confirm: honest about what it wrote.
expect 0 "$OTTER" flash init --out c.bin --layout two_ota --force
"$OTTER" image make --chip esp32 --project demo --version 0.1.0 --size 100000 --seed 3 --out f.bin >/dev/null
"$OTTER" flash write c.bin --slot factory f.bin >/dev/null
od0=$(sha256sum c.bin | cut -d' ' -f1)
expect 1 "$OTTER" flash boot c.bin --confirm
has err "nothing to confirm, nothing written"
[ "$(sha256sum c.bin | cut -d' ' -f1)" = "$od0" ] || fail "flash boot --confirm wrote to a factory-only flash"
"$OTTER" flash write c.bin --slot ota_0 v1.bin >/dev/null
expect 0 "$OTTER" flash boot c.bin --confirm
has out "confirmed ota_0 (otadata VALID written)"
expect 0 "$OTTER" flash boot c.bin --confirm
has out "ota_0 is already confirmed (otadata VALID): nothing written"

# Three OTA slots, sequence near 2^32: flash write --valid really switches.
printf 'otadata,data,ota,0xd000,0x2000\nota_0,app,ota_0,0x10000,256K\nota_1,app,ota_1,,256K\nota_2,app,ota_2,,256K\n' > three.csv
expect 0 "$OTTER" flash init --out w.bin --size 1M --layout three.csv --force
"$OTTER" flash write w.bin --slot ota_1 v1.bin --valid >/dev/null
# otadata copy 1 := seq 0xFFFFFFFE (ota_1 with 3 slots), VALID, crc of the seq
python3 - w.bin <<'EOF'
import struct, sys, zlib
f = open(sys.argv[1], "r+b")
seq = 0xFFFFFFFE
# ESP-IDF's crc: esp_rom_crc32_le(UINT32_MAX, &seq, 4) (seq 1 -> 0x4743989A)
crc = zlib.crc32(struct.pack("<I", seq), 0xFFFFFFFF)
for off in (0xd000, 0xe000):
    f.seek(off)
    f.write(b"\xff" * 32)
f.seek(0xe000)
f.write(struct.pack("<I", seq) + b"\xff" * 20 + struct.pack("<II", 2, crc))
EOF
expect 0 "$OTTER" flash boot w.bin
has out "seq 4294967294"
expect 0 "$OTTER" flash write w.bin --slot ota_0 v1.bin --valid
expect 0 "$OTTER" flash boot w.bin
has out "ota_0: otadata copy"
if grep -q "seq 0[ ,)]" "$T/out"; then fail "flash write --valid wrote seq 0"; fi

# Terminal escapes in a version / project name are printed escaped.
esc=$(printf '1.2.0\033[2J\033]0;pwned\007')
"$OTTER" image make --chip esp32 --project "$(printf 'p\033[31m')" --version "$esc" --size 100000 --seed 2 --out esc.bin >/dev/null
expect 0 "$OTTER" image info esc.bin
lacks_esc out "image info"
has out '1.2.0\x1b[2J\x1b]0;pwned\x07'
expect 0 "$OTTER" flash init --out e.bin --layout min_spiffs --force
expect 0 "$OTTER" flash write e.bin --slot ota_0 esc.bin --valid
lacks_esc out "flash write"
expect 0 "$OTTER" flash info e.bin
lacks_esc out "flash info"
has out 'version "1.2.0\x1b[2J'
expect 1 "$OTTER" device --flash e.bin --url http://127.0.0.1:9/app.bin
lacks_esc out "device"
has out 'app: p\x1b[31m 1.2.0\x1b[2J'

# otter device: new options are parsed and checked.
expect 2 "$OTTER" device --flash e.bin --url http://127.0.0.1:9/x --rollback-rule sometimes
has err "--rollback-rule rejected|unconfirmed|none"
expect 2 "$OTTER" device --flash e.bin --url http://127.0.0.1:9/x --deadline 0
expect 2 "$OTTER" device --flash e.bin --url http://127.0.0.1:9/x --unconfirmed-tries 10

# The keyed bootloader: an unsigned app in the flash does not boot with --pub.
"$OTTER" keygen --type ecdsa-p256 --out sk.pem >/dev/null
expect 1 "$OTTER" device --flash e.bin --url http://127.0.0.1:9/app.bin --pub sk.pub.pem
has err "the simulated bootloader checks Secure Boot V2 signatures"
finish
