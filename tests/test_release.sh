#!/bin/sh
# otter release: an index built from images (version, chip, project,
# secure_version, size and SHA-256 as sha256sum sees the file), signed and
# checked by OpenSSL independently, edits that drop the signature and raise
# the sequence number, verify refusing replay, expiry, a wrong key and a
# tampered entry, the usage and file errors in the CLI's words, and the
# example in docs/FORMATS.md verifying with tests/keys/test-p256.pem, and
# what devices would decide from it (buckets checked with Python hashlib).
set -u
OTTER="${OTTER_BIN:?}"
SRC="${OTTER_SRC:?}"
K="$SRC/tests/keys"
T=$(mktemp -d "${TMPDIR:-/tmp}/otter-release.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
FAILS=0
# want RC TEXT ARGS... and fail (tests/support/cli_want.sh)
. "${OTTER_SRC:?}/tests/support/cli_want.sh"
# has TEXT FILE: FILE holds the line TEXT
has() {
    CHECKS=$((CHECKS + 1))
    grep -qxF -- "$1" "$2" || { cp "$2" "$T/out"; fail "$2 lacks the line '$1'"; }
}

I="$T/idx"
"$OTTER" image make --chip esp32 --version 1.2.0 --project blink --size 70000 --secure-version 3 --out "$T/a.bin" \
    >/dev/null
"$OTTER" image make --chip esp32c3 --version 2.0.0 --project blink --size 90000 --out "$T/c3.bin" >/dev/null

# --- help ----------------------------------------------------------------------
want 0 "usage: otter release" release --help
for c in new add rollout remove trust keys sign show verify; do
    want 0 "otter release $c " release $c --help
done
want 2 "unknown command 'frob'" release frob
want 2 "usage: otter release" release

# --- build from images ------------------------------------------------------------
want 0 "new index $I: seq 5, expires" release new "$I" --seq 5 --days 30
has "otter-index 1" "$I"
has "seq 5" "$I"
want 1 "exists" release new "$I"
want 0 "added release stable blink 1.2.0" release add "$I" "$T/a.bin" --rollout 10 --min 1.0.0 \
    --url https://cdn.example.com/a.bin --url a.bin
want 0 "added release beta blink 2.0.0" release add "$I" "$T/c3.bin" --channel beta
has "release stable esp32 blink 1.2.0" "$I"
has "release beta esp32c3 blink 2.0.0" "$I"
has "size 70000" "$I"
has "sha256 $(sha256sum "$T/a.bin" | cut -d' ' -f1)" "$I"
has "sha256 $(sha256sum "$T/c3.bin" | cut -d' ' -f1)" "$I"
has "secure 3" "$I"
has "url https://cdn.example.com/a.bin" "$I"
has "url c3.bin" "$I"
has "rollout 10" "$I"
has "min 1.0.0" "$I"
want 0 "replaced release beta blink 2.0.0" release add "$I" "$T/c3.bin" --channel beta --rollout 50

# --- sign, and OpenSSL agrees ---------------------------------------------------
want 0 "signed $I: seq 5" release sign "$I" --key "$K/test-p256.pem"
want 0 "ok: $I verifies; seq 5" release verify "$I" --key "$K/test-p256.pem"
want 0 "signed by key 093d006b5bd5ac29" release show "$I"
CHECKS=$((CHECKS + 1))
le2be() { echo "$1" | fold -w2 | tac | tr -d '\n'; }
sig=$(tail -n 1 "$I" | cut -d' ' -f3)
r=$(le2be "$(echo "$sig" | cut -c1-64)")
s=$(le2be "$(echo "$sig" | cut -c65-128)")
head -n -1 "$I" >"$T/body"
printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' "$r" "$s" >"$T/sig.cnf"
openssl asn1parse -genconf "$T/sig.cnf" -out "$T/sig.der" >/dev/null 2>&1 &&
    openssl pkey -in "$K/test-p256.pem" -pubout -out "$T/pub.pem" 2>/dev/null &&
    openssl dgst -sha256 -verify "$T/pub.pem" -signature "$T/sig.der" "$T/body" >"$T/out" 2>&1 ||
    fail "openssl does not verify the index signature"

# --- verify refuses -------------------------------------------------------------
want 0 "ok" release verify "$I" --key "$K/test-p256.pem" --seq 5
want 1 "sequence number went down: replay" release verify "$I" --key "$K/test-p256.pem" --seq 6
want 1 "has expired" release verify "$I" --key "$K/test-p256.pem" --now 2099-01-01T00:00:00Z
want 0 "ok" release verify "$I" --key "$K/test-p256.pem" --no-time
want 1 "signed by a key this device does not trust" release verify "$I" --key "$K/test-p256-b.pem"
want 0 "ok" release verify "$I" --key "$K/test-p256-b.pem" --key "$K/test-p256.pem"
sed 's/^rollout 10$/rollout 90/' "$I" >"$T/tampered"
want 1 "signature does not verify" release verify "$T/tampered" --key "$K/test-p256.pem"
head -n -1 "$I" >"$T/unsigned"
want 1 "does not end with a signature line" release verify "$T/unsigned" --key "$K/test-p256.pem"
sed 's/^secure /secure 0/' "$I" >"$T/noncanon"
want 1 "line 5: release index field is malformed" release show "$T/noncanon"

# --- edits drop the signature and raise seq once; re-signing raises it ----------------
want 0 "rollout of release stable blink 1.2.0: 10% -> 20%" release rollout "$I" 20 --channel stable
has "seq 6" "$I"
has "rollout 20" "$I"
CHECKS=$((CHECKS + 1))
grep -q '^sig ' "$I" && fail "an edited index keeps its signature"
want 0 "20% -> 30%" release rollout "$I" 30 --channel stable
has "seq 6" "$I"
want 0 "signed $I: seq 6" release sign "$I" --key "$K/test-p256.pem" --days 10
want 0 "signed $I: seq 7" release sign "$I" --key "$K/test-p256.pem"
want 0 "removed release beta blink 2.0.0" release remove "$I" --channel beta --version 2.0.0
want 1 "no release matches --channel beta" release remove "$I" --channel beta --version 2.0.0

# --- trust sets and key rotation -------------------------------------------------
pin=6d99fb265eb1c5b3744765fcbc648f3cd8e1bffafdc4c2f99b9d47cf7ff1c24f
printf 'not really DER, only bytes to hash\n' >"$T/roots.der"
want 0 "trust set generation 1: 1 pin, a root bundle" release trust "$I" --pin "$pin" --roots "$T/roots.der"
has "trust 1" "$I"
has "pin $pin" "$I"
has "roots 35 $(sha256sum "$T/roots.der" | cut -d' ' -f1) roots.der" "$I"
want 0 "trust set generation 2" release trust "$I" --pin "$pin"
want 0 "release key 2: a0042138c2e952f4" release keys "$I" "$K/test-p256.pem" "$K/test-p256-b.pem"
CHECKS=$((CHECKS + 1))
[ "$(grep -c '^key p256 ' "$I")" -eq 2 ] || fail "two key lines expected"
want 0 "signed" release sign "$I" --key "$K/test-p256.pem"
want 0 "new release key 2: a0042138c2e952f4" release show "$I"
want 0 "trust set generation 2: 1 pin" release show "$I"
want 0 "trust set removed" release trust "$I" --clear
want 0 "release key set removed" release keys "$I" --clear

# --- usage and file errors in the CLI's words ------------------------------------------
NOPE="$T/nope"
want 1 "cannot open $NOPE: No such file or directory" release show "$NOPE"
want 1 "cannot open $NOPE: No such file or directory" release add "$I" "$NOPE"
want 1 "cannot open $NOPE: No such file or directory" release sign "$I" --key "$NOPE"
want 2 "--rollout '101' is not a number from 0 to 100" release add "$I" "$T/a.bin" --rollout 101
want 2 "--channel 'Beta'" release add "$I" "$T/a.bin" --channel Beta
want 2 "--expires 'tomorrow' is not a date like 2027-01-31T00:00:00Z" release sign "$I" --key "$K/test-p256.pem" \
    --expires tomorrow
want 2 "--pin 'abc' is not a SHA-256" release trust "$I" --pin abc
want 2 "--chip 'esp99'" release rollout "$I" 5 --channel stable --chip esp99
want 2 "at most 3 --url" release add "$I" "$T/a.bin" --url a --url b --url c --url d
want 1 "release keys are ECDSA P-256" release sign "$I" --key "$K/test-rsa3072.pem"
want 1 "a public key; signing needs the private key" release sign "$I" --key "$T/pub.pem"
want 1 "not a valid app image" release add "$I" "$T/roots.der"
want 1 "expires in the past" release sign "$I" --key "$K/test-p256.pem" --expires 2001-01-01T00:00:00Z
for v in 1 2 3 4 5 6 7 8; do
    "$OTTER" image make --chip esp32 --version "3.$v.0" --project many --size 30000 --out "$T/m$v.bin" >/dev/null
    "$OTTER" release add "$I" "$T/m$v.bin" >/dev/null 2>&1
done
want 1 "already 8 releases" release add "$I" "$T/a.bin" --channel beta

# --- the example in docs/FORMATS.md ---------------------------------------------------
awk '/^<!-- index-example -->$/ { on = 1; next } on == 1 && /^```$/ { on = 2; next } on == 2 && /^```$/ { exit }
     on == 2 { print }' "$SRC/docs/FORMATS.md" >"$T/example"
want 0 "ok: $T/example verifies; seq 41" release verify "$T/example" --key "$K/test-p256.pem" \
    --now 2030-01-01T00:00:00Z

# --- what a device would decide from it (buckets from Python's hashlib) -------------
E="$T/example"
dev_says() { text=$1; shift; want 0 "$text" release verify "$E" --key "$K/test-p256.pem" \
    --now 2030-01-01T00:00:00Z --chip esp32c3 --project blink "$@"; }
dev_says "decision: install blink 1.4.0 over 1.3.0: 200000 bytes, sha256 1631296bd793159e...; this device's bucket 885 is inside the 10% rollout (buckets 0..999)" \
    --running 1.3.0 --id 240ac4000001
dev_says "bucket 6194 is outside the 10% rollout (buckets 0..999); it joins at 62%" --running 1.3.0 --id 240ac4000002
dev_says "decision: install blink 1.3.0 over 1.2.0" --running 1.2.0 --id 240ac4000002
dev_says "decision: up to date" --running 1.4.0 --id 240ac4000002
dev_says "no release for channel beta" --running 1.4.0 --id 240ac4000002 --channel beta
want 2 "--running needs --chip, --project and --id" release verify "$E" --key "$K/test-p256.pem" --running 1.0.0
want 2 "--id 'xyz' is not 1 to 64 bytes of hex" release verify "$E" --key "$K/test-p256.pem" \
    --now 2030-01-01T00:00:00Z --chip esp32c3 --project blink --running 1.0.0 --id xyz

echo "test_release: $CHECKS checks, $FAILS failed"
[ "$FAILS" -eq 0 ]
