#!/bin/sh
# Independent check of the Secure Boot V2 block byte order with the OpenSSL
# CLI (and bc for the RSA Montgomery constants, gzip's trailer for CRC-32):
#  A. otter signs; the test pulls each field out of the block, converts the
#     little-endian numbers to big-endian, and OpenSSL verifies the signature
#     (RSA-PSS MGF1-SHA256 salt 32, ECDSA P-256) over the digest OpenSSL
#     computes; key digests are rebuilt from OpenSSL's view of the key.
#  B. OpenSSL signs the digest; the test assembles the block by hand (the
#     layout of docs/FORMATS.md); otter verify must accept it.
set -eu
OTTER="${OTTER_BIN:?}"
# A missing tool is a skip (exit 77, which ctest reports as "Not Run"), never
# a pass; `make test` installs them (TEST_DEPS) and fails on any skip.
for tool in openssl xxd gzip tac bc; do
    command -v $tool >/dev/null 2>&1 || { echo "SKIP: $tool not installed"; exit 77; }
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
same() { [ "$1" = "$2" ] || fail "$3: got $1, want $2"; }

hex_of() { dd if="$1" bs=1 skip="$2" count="$3" 2>/dev/null | xxd -p | tr -d '\n'; }
rev_hex() { printf '%s' "$1" | fold -w2 | tac | tr -d '\n'; }
le_of() { rev_hex "$(hex_of "$1" "$2" "$3")"; } # field read as a little-endian number, printed big-endian
lower() { tr 'A-F' 'a-f'; }
pad_hex() { printf '%0'"$2"'d%s' 0 "$1" | tail -c "$2"; } # left-pad hex $1 to $2 digits
sha256_hex() { openssl dgst -sha256 -binary "$1" | xxd -p | tr -d '\n'; }
crc_hex() { head -c 1196 "$1" | gzip -c | tail -c 8 | head -c 4 | xxd -p; } # CRC-32 LE from the gzip trailer

# DER INTEGER from big-endian hex
der_int() {
    h=$(printf '%s' "$1" | sed 's/^\(00\)*//')
    [ -z "$h" ] && h=00
    case "$h" in [89a-f]*) h="00$h" ;; esac
    printf '02%02x%s' $((${#h} / 2)) "$h"
}

# RSA constants with bc: rinv = 2^6144 mod n, mdash = -n^-1 mod 2^32 (hex, big-endian)
rsa_rinv() { printf 'ibase=16; obase=10; n=%s; (2^1800) %% n\n' "$1" | BC_LINE_LENGTH=0 bc; }
rsa_mdash() {
    printf 'ibase=16; obase=10; n=%s; m=2^20; a=n%%m; x=a\nfor(i=0;i<6;i++){ x=((x*(2-a*x))%%m+m)%%m }\n(m-x)%%m\n' "$1" |
        BC_LINE_LENGTH=0 bc
}

"$OTTER" image make --chip esp32 --version 3.0.0 --project sigtest --size 50000 --seed 3 --out "$T/img.bin" >/dev/null
imglen=$(wc -c <"$T/img.bin")

# ---------------- A: otter signs, OpenSSL checks ----------------------------
split_signed() { # $1 signed file -> $T/body.bin $T/sec.bin $T/dg.bin
    len=$(wc -c <"$1")
    head -c $((len - 4096)) "$1" >"$T/body.bin"
    tail -c 4096 "$1" >"$T/sec.bin"
    openssl dgst -sha256 -binary "$T/body.bin" >"$T/dg.bin"
    [ $(( (len - 4096) % 4096 )) = 0 ] || fail "signed image is not padded to 4096"
    same "$(tail -c +$((imglen + 1)) "$T/body.bin" | tr -d '\377' | wc -c)" 0 "padding after the image is 0xFF"
    same "$(hex_of "$T/body.bin" 0 64)" "$(hex_of "$T/img.bin" 0 64)" "image kept"
    same "$(hex_of "$T/sec.bin" 4 32)" "$(xxd -p "$T/dg.bin" | tr -d '\n')" "block digest = SHA-256 of the padded image"
    same "$(hex_of "$T/sec.bin" 1196 4)" "$(crc_hex "$T/sec.bin")" "CRC-32 of the first 1196 bytes"
    same "$(hex_of "$T/sec.bin" 1200 16)" "00000000000000000000000000000000" "zero padding after the CRC"
    same "$(hex_of "$T/sec.bin" 1216 2880 | tr -d 'f')" "" "rest of the sector is 0xFF"
}

# ECDSA P-256
openssl ecparam -name prime256v1 -genkey -noout -out "$T/ec.pem"
openssl ec -in "$T/ec.pem" -pubout -out "$T/ec.pub" 2>/dev/null
"$OTTER" sign --key "$T/ec.pem" "$T/img.bin" --out "$T/ec.signed" >"$T/out"
split_signed "$T/ec.signed"
same "$(hex_of "$T/sec.bin" 0 4)" "e7030000" "ECDSA block header"
same "$(hex_of "$T/sec.bin" 36 1)" "02" "curve id P-256"
xy=$(openssl ec -pubin -in "$T/ec.pub" -outform DER 2>/dev/null | tail -c 64 | xxd -p | tr -d '\n')
x=$(printf '%s' "$xy" | cut -c1-64)
y=$(printf '%s' "$xy" | cut -c65-128)
same "$(le_of "$T/sec.bin" 37 32)" "$x" "public X (little-endian in the block)"
same "$(le_of "$T/sec.bin" 69 32)" "$y" "public Y"
r=$(le_of "$T/sec.bin" 101 32)
s=$(le_of "$T/sec.bin" 133 32)
ri=$(der_int "$r")
si=$(der_int "$s")
body="$ri$si"
printf '30%02x%s' $((${#body} / 2)) "$body" | xxd -r -p >"$T/ec.der"
openssl pkeyutl -verify -pubin -inkey "$T/ec.pub" -in "$T/dg.bin" -sigfile "$T/ec.der" >/dev/null 2>&1 ||
    fail "OpenSSL does not verify otter's ECDSA signature (r, s little-endian)"
printf '02%s%s' "$(rev_hex "$x")" "$(rev_hex "$y")" | xxd -r -p >"$T/eckey.bin"
grep -q "key digest: $(sha256_hex "$T/eckey.bin")" "$T/out" || fail "ECDSA key digest differs from SHA-256(02 || X LE || Y LE)"
dd if="$T/sec.bin" bs=1 skip=36 count=65 2>/dev/null | cmp -s - "$T/eckey.bin" || fail "ECDSA key bytes"

# ECDSA P-384 (SHA-384 layout: hash type 1, 48-byte digest, curve id at 52)
openssl ecparam -name secp384r1 -genkey -noout -out "$T/ec384.pem"
openssl ec -in "$T/ec384.pem" -pubout -out "$T/ec384.pub" 2>/dev/null
"$OTTER" sign --key "$T/ec384.pem" "$T/img.bin" --out "$T/ec384.signed" >"$T/out"
len=$(wc -c <"$T/ec384.signed")
head -c $((len - 4096)) "$T/ec384.signed" >"$T/body.bin"
tail -c 4096 "$T/ec384.signed" >"$T/sec.bin"
openssl dgst -sha384 -binary "$T/body.bin" >"$T/dg384.bin"
same "$(hex_of "$T/sec.bin" 0 4)" "e7030100" "P-384 block header"
same "$(hex_of "$T/sec.bin" 4 48)" "$(xxd -p "$T/dg384.bin" | tr -d '\n')" "P-384 block digest = SHA-384"
same "$(hex_of "$T/sec.bin" 52 1)" "03" "curve id P-384"
same "$(hex_of "$T/sec.bin" 1196 4)" "$(crc_hex "$T/sec.bin")" "P-384 block CRC"
xy=$(openssl ec -pubin -in "$T/ec384.pub" -outform DER 2>/dev/null | tail -c 96 | xxd -p | tr -d '\n')
same "$(le_of "$T/sec.bin" 53 48)$(le_of "$T/sec.bin" 101 48)" "$xy" "P-384 public point"
body="$(der_int "$(le_of "$T/sec.bin" 149 48)")$(der_int "$(le_of "$T/sec.bin" 197 48)")"
printf '30%02x%s' $((${#body} / 2)) "$body" | xxd -r -p >"$T/ec384.der"
openssl pkeyutl -verify -pubin -inkey "$T/ec384.pub" -in "$T/dg384.bin" -sigfile "$T/ec384.der" >/dev/null 2>&1 ||
    fail "OpenSSL does not verify otter's ECDSA P-384 signature"
"$OTTER" verify --pub "$T/ec384.pub" "$T/ec384.signed" >/dev/null || fail "otter does not verify its own P-384 block"

# RSA-3072
openssl genrsa -out "$T/rsa.pem" 3072 2>/dev/null
openssl rsa -in "$T/rsa.pem" -pubout -out "$T/rsa.pub" 2>/dev/null
"$OTTER" sign --key "$T/rsa.pem" "$T/img.bin" --out "$T/rsa.signed" >"$T/out"
split_signed "$T/rsa.signed"
same "$(hex_of "$T/sec.bin" 0 4)" "e7020000" "RSA block header"
N=$(openssl rsa -in "$T/rsa.pem" -noout -modulus | sed 's/^Modulus=//')
n=$(printf '%s' "$N" | lower)
same "$(le_of "$T/sec.bin" 36 384)" "$n" "modulus n (little-endian in the block)"
same "$(hex_of "$T/sec.bin" 420 4)" "01000100" "exponent e = 65537 (u32 LE)"
rinv=$(pad_hex "$(rsa_rinv "$N" | lower)" 768)
mdash=$(pad_hex "$(rsa_mdash "$N" | lower)" 8)
same "$(le_of "$T/sec.bin" 424 384)" "$rinv" "rinv = 2^6144 mod n"
same "$(le_of "$T/sec.bin" 808 4)" "$mdash" "mdash = -n^-1 mod 2^32"
rev_hex "$(hex_of "$T/sec.bin" 812 384)" | xxd -r -p >"$T/rsa.sig"
openssl pkeyutl -verify -pubin -inkey "$T/rsa.pub" -in "$T/dg.bin" -sigfile "$T/rsa.sig" -pkeyopt digest:sha256 \
    -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:32 >/dev/null 2>&1 ||
    fail "OpenSSL does not verify otter's RSA-PSS signature (salt 32, reversed)"
if openssl pkeyutl -verify -pubin -inkey "$T/rsa.pub" -in "$T/dg.bin" -sigfile "$T/rsa.sig" -pkeyopt digest:sha256 \
    -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:20 >/dev/null 2>&1; then
    fail "RSA-PSS salt is not exactly 32 bytes"
fi
printf '%s01000100%s%s' "$(rev_hex "$n")" "$(rev_hex "$rinv")" "$(rev_hex "$mdash")" | xxd -r -p >"$T/rsakey.bin"
grep -q "key digest: $(sha256_hex "$T/rsakey.bin")" "$T/out" || fail "RSA key digest differs from SHA-256(n, e, rinv, mdash)"

# ---------------- B: OpenSSL signs, otter verifies ---------------------------
pad=$(( (4096 - imglen % 4096) % 4096 ))
cp "$T/img.bin" "$T/padded.bin"
head -c "$pad" /dev/zero | tr '\000' '\377' >>"$T/padded.bin"
openssl dgst -sha256 -binary "$T/padded.bin" >"$T/pdg.bin"
dg=$(xxd -p "$T/pdg.bin" | tr -d '\n')

finish_sector() { # $1 = hex of the first 1196 bytes -> $T/blk.bin, $T/ossl.signed
    printf '%s' "$1" | xxd -r -p >"$T/blk.bin"
    same "$(wc -c <"$T/blk.bin")" 1196 "hand-made block length"
    crc_hex "$T/blk.bin" | xxd -r -p >>"$T/blk.bin"
    head -c 16 /dev/zero >>"$T/blk.bin"
    head -c 2880 /dev/zero | tr '\000' '\377' >>"$T/blk.bin"
    cat "$T/padded.bin" "$T/blk.bin" >"$T/ossl.signed"
}

openssl pkeyutl -sign -inkey "$T/ec.pem" -in "$T/pdg.bin" -out "$T/o.der"
ints=$(openssl asn1parse -inform DER -in "$T/o.der" | sed -n 's/.*INTEGER *://p')
r=$(pad_hex "$(echo "$ints" | sed -n 1p | lower)" 64)
s=$(pad_hex "$(echo "$ints" | sed -n 2p | lower)" 64)
finish_sector "e7030000${dg}02$(rev_hex "$x")$(rev_hex "$y")$(rev_hex "$r")$(rev_hex "$s")$(printf '%02062d' 0)"
"$OTTER" verify --pub "$T/ec.pub" "$T/ossl.signed" >"$T/out" 2>&1 || { fail "otter rejects an OpenSSL ECDSA block"; cat "$T/out"; }
if "$OTTER" verify --pub "$T/rsa.pub" "$T/ossl.signed" >/dev/null 2>&1; then fail "ECDSA block trusted for the wrong key"; fi

openssl pkeyutl -sign -inkey "$T/rsa.pem" -in "$T/pdg.bin" -out "$T/o.sig" -pkeyopt digest:sha256 \
    -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:32
sig=$(xxd -p "$T/o.sig" | tr -d '\n')
finish_sector "e7020000${dg}$(rev_hex "$n")01000100$(rev_hex "$rinv")$(rev_hex "$mdash")$(rev_hex "$sig")"
"$OTTER" verify --pub "$T/rsa.pub" "$T/ossl.signed" >"$T/out" 2>&1 || { fail "otter rejects an OpenSSL RSA-PSS block"; cat "$T/out"; }
# Any salt length but 32 must be refused, the same way on every mbedTLS
# (ESP ROMs accept exactly 32; PSA's PSA_ALG_RSA_PSS verifies only the
# hash-length salt, PSA_ALG_RSA_PSS_ANY_SALT would accept these): OpenSSL's
# maximum (350 for RSA-3072), the 20 of SHA-1-era defaults, none, and 31 / 33.
for salt in max 20 0 31 33; do
    openssl pkeyutl -sign -inkey "$T/rsa.pem" -in "$T/pdg.bin" -out "$T/o.sig" -pkeyopt digest:sha256 \
        -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:$salt
    openssl pkeyutl -verify -pubin -inkey "$T/rsa.pub" -in "$T/pdg.bin" -sigfile "$T/o.sig" -pkeyopt digest:sha256 \
        -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:auto >/dev/null 2>&1 ||
        fail "salt $salt: OpenSSL does not verify its own signature"
    sig=$(xxd -p "$T/o.sig" | tr -d '\n')
    finish_sector "e7020000${dg}$(rev_hex "$n")01000100$(rev_hex "$rinv")$(rev_hex "$mdash")$(rev_hex "$sig")"
    if "$OTTER" verify --pub "$T/rsa.pub" "$T/ossl.signed" >"$T/out" 2>&1; then
        fail "otter accepts a PSS salt of $salt bytes (only 32 is valid)"
    fi
    grep -q "signature does not verify" "$T/out" || fail "salt $salt: $(cat "$T/out")"
done

if [ "$fails" -ne 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "OpenSSL cross-check: all passed"
