#!/bin/sh
# otter fetch against real nginx (TLS, test PKI, free loopback port): the
# body lands byte-exact in the simulated flash and its SHA-256 is printed;
# a second fetch over programmed flash erases ahead and works; failures
# (404, untrusted server, region too small, bad usage) exit non-zero and
# leave the flash outside the region untouched.
. "$OTTER_SRC/tests/support/tls_lib.sh"
: "${OTTER_BIN:?}"

mkdir -p "$T/www"
chmod 755 "$T" "$T/www"
head -c 1577648 /dev/urandom > "$T/www/firmware.bin"
head -c 5000 /dev/urandom > "$T/www/small.bin"
chmod 644 "$T/www/firmware.bin" "$T/www/small.bin"

cat > "$T/server.tmpl" <<EOF
server {
    listen 127.0.0.1:@PORT@ ssl;
    server_name localhost;
    ssl_certificate $P/chain.pem;
    ssl_certificate_key $P/leaf.key;
    ssl_protocols TLSv1.2;
    root $T/www;
}
EOF
nginx_tls "$T/ngx" "$T/server.tmpl"
URL="https://localhost:$PORT"

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

# run NAME WANT_RC ARGS...: run otter fetch, check the exit code.
run() {
    name="$1"; want="$2"; shift 2
    set +e
    "$OTTER_BIN" fetch "$@" > "$T/out.txt" 2> "$T/err.txt"
    rc=$?
    set -e
    if [ "$rc" = "$want" ]; then echo "ok: $name (exit $rc)"; else
        fail "$name: exit $rc, want $want"; sed 's/^/    | /' "$T/out.txt" "$T/err.txt"; fi
}

# same FLASH OFFSET FILE: the flash holds FILE at OFFSET.
same() {
    n=$(wc -c < "$3")
    tail -c +"$(($2 + 1))" "$1" | head -c "$n" | cmp -s - "$3"
}

sha_want=$(sha256sum "$T/www/firmware.bin" | cut -d' ' -f1)
run "1.5 MB into a new flash file" 0 "$URL/firmware.bin" --flash "$T/f.bin" --create 4M --ca "$P/root.crt"
grep -q "^sha256 $sha_want bytes 1577648 flash $T/f.bin@0x0 " "$T/out.txt" && echo "ok: printed SHA-256 and length" ||
    fail "printed line: $(cat "$T/out.txt"), want sha256 $sha_want"
same "$T/f.bin" 0 "$T/www/firmware.bin" && echo "ok: flash holds the file byte-exact" || fail "flash content differs"
[ "$(wc -c < "$T/f.bin")" = 4194304 ] && echo "ok: flash file is 4 MB" || fail "flash size $(wc -c < "$T/f.bin")"
# Past the last programmed byte, the flash is still erased.
head -c 4096 /dev/zero | tr '\0' '\377' > "$T/ff.bin"
tail -c +1577649 "$T/f.bin" | head -c 4096 | cmp -s - "$T/ff.bin" &&
    echo "ok: flash after the image stays erased" || fail "bytes after the image are not 0xff"

run "again over programmed flash, at an offset, 1 KB buffer, JSON" 0 "$URL/firmware.bin" --flash "$T/f.bin" \
    --offset 0x10000 --buffer 1024 --ca "$P/root.crt" --json
grep -q "\"sha256\":\"$sha_want\",\"bytes\":1577648,\"flash\":\"$T/f.bin\",\"offset\":65536," "$T/out.txt" &&
    echo "ok: JSON line" || fail "JSON: $(cat "$T/out.txt")"
same "$T/f.bin" 65536 "$T/www/firmware.bin" && echo "ok: flash at 0x10000 holds the file" || fail "flash at 0x10000 differs"

cp "$T/f.bin" "$T/before.bin"
run "404" 1 "$URL/missing.bin" --flash "$T/f.bin" --ca "$P/root.crt"
grep -q "answered HTTP 404: there is no file at this URL" "$T/err.txt" && echo "ok: 404 explained" || fail "404 message: $(cat "$T/err.txt")"
run "untrusted server" 1 "$URL/firmware.bin" --flash "$T/f.bin" --ca "$P/new-root.crt"
run "region too small" 1 "$URL/firmware.bin" --flash "$T/f.bin" --offset 0x300000 --ca "$P/root.crt"
cmp -s "$T/f.bin" "$T/before.bin" && echo "ok: failures left the flash untouched" || fail "a failure changed the flash"
run "small file fits the tail" 0 "$URL/small.bin" --flash "$T/f.bin" --offset 0x3FE000 --ca "$P/root.crt"
same "$T/f.bin" $((0x3FE000)) "$T/www/small.bin" && echo "ok: small file at 0x3fe000" || fail "small file differs"

run "no URL" 2 --flash "$T/f.bin"
run "unaligned offset" 1 "$URL/small.bin" --flash "$T/f.bin" --offset 100 --ca "$P/root.crt"
run "missing flash file" 1 "$URL/small.bin" --flash "$T/nope.bin" --ca "$P/root.crt"
finish
