#!/bin/sh
# Pins that work as advised, with the README's nginx setup (the server sends
# leaf + intermediate, not the root): `otter cert --format pin` recommends
# the root's pin "for --pin", and `otter device --pin` with that pin updates
# when its trust store (--store) holds the root; without it the pin cannot
# match and both `device` and `cert` say what works instead.
. "$OTTER_SRC/tests/support/tls_lib.sh"
OTTER="${OTTER_BIN:?}"
mkdir -p "$T/www"
chmod 755 "$T" "$T/www"
"$OTTER" image make --chip esp32 --project pins --version 1.0.0 --size 200000 --seed 1 --out "$T/v1.bin" >/dev/null
"$OTTER" image make --chip esp32 --project pins --version 1.1.0 --size 200000 --seed 2 --out "$T/www/app.bin" >/dev/null
chmod 644 "$T/www/app.bin"
cat > "$T/server.tmpl" <<EOF
server {
    listen 127.0.0.1:@PORT@ ssl;
    server_name localhost;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $P/chain.pem;      # leaf + intermediate
    ssl_certificate_key $P/leaf.key;
    location / { root $T/www; types { } default_type application/octet-stream; }
}
EOF
nginx_tls "$T/ngx" "$T/server.tmpl"

# 1. What cert recommends, with the test root in the store it searches.
"$OTTER" cert "localhost:$PORT" --store "$P/bundle.pem" --format pin > "$T/pin.txt" 2> "$T/cert.txt" ||
    { echo "FAIL: otter cert --format pin"; cat "$T/cert.txt"; FAILS=$((FAILS + 1)); }
PIN=$(tr -d '\n' < "$T/pin.txt")
if [ "$PIN" = "$(spki_pin "$P/root.crt")" ]; then echo "ok: cert recommends the root's pin"; else
    echo "FAIL: cert --format pin gave '$PIN', not the root's"; FAILS=$((FAILS + 1)); fi
check_run "cert: the root comes from the store, what a device needs" 0 "$OTTER" \
    "✓ Pin the root 'Otter Test Root' (in the trust store)" \
    "--format pin (SPKI SHA-256 for --pin)" \
    "The server does not send 'Otter Test Root': a pin of it matches only on a device whose trust store holds it" \
    "give the root itself as --ca" \
    -- cert "localhost:$PORT" --store "$P/bundle.pem"

# dev NAME RC WORDS... -- ARGS: otter device on a fresh flash running 1.0.0
dev() {
    name="$1"; want="$2"; shift 2
    "$OTTER" flash init --force --out "$T/dev.bin" --size 4M --layout min_spiffs >/dev/null
    "$OTTER" flash write "$T/dev.bin" --slot ota_0 "$T/v1.bin" --valid >/dev/null
    check_run "$name" "$want" "$OTTER" "$@"
}
URL="https://localhost:$PORT/app.bin"
# 2. The device with that pin and the root in its store: updates.
dev "device --pin <root pin> --store with the root" 0 '"outcome":"updated"' '"running_version":"1.1.0"' \
    -- device --json --flash "$T/dev.bin" --url "$URL" --pin "$PIN" --store "$P/bundle.pem"
# 3. A store without the root: the pin cannot match; the words say why.
dev "device --pin <root pin>, store without the root" 1 '"error":"TLS_PIN"' '"running_version":"1.0.0"' \
    -- device --json --flash "$T/dev.bin" --url "$URL" --pin "$PIN" --store "$P/new-root.crt"
dev "device --pin <root pin>, explanation" 1 "TLS_PIN" "matches no certificate the server sent" \
    -- device --flash "$T/dev.bin" --url "$URL" --pin "$PIN" --store "$P/new-root.crt"
# 4. What works there instead: the root as --ca; or a pin of a sent
#    certificate (fragile, as cert says).
dev "device --ca <root>" 0 '"outcome":"updated"' -- device --json --flash "$T/dev.bin" --url "$URL" --ca "$P/root.crt"
dev "device --pin <intermediate>, no store" 0 '"outcome":"updated"' \
    -- device --json --flash "$T/dev.bin" --url "$URL" --pin "$(spki_pin "$P/int.crt")" --store "$P/new-root.crt"
# 5. The store alone does not make a pinned device trust: another root's pin
#    fails although the chain leads to a root of the store.
dev "device --pin <another root>, store with the server's root" 1 '"error":"TLS_PIN"' \
    -- device --json --flash "$T/dev.bin" --url "$URL" --pin "$(spki_pin "$P/new-root.crt")" --store "$P/bundle.pem"
dev "device: the store only completes the path" 1 "which is in the device's trust store; with pins the store only completes the path" \
    -- device --flash "$T/dev.bin" --url "$URL" --pin "$(spki_pin "$P/new-root.crt")" --store "$P/bundle.pem"
finish
