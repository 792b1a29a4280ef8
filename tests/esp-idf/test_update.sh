#!/bin/sh
# A whole update through otter's ESP-IDF port on ESP-IDF's emulated flash,
# from otter serve over TLS, in the port's FreeRTOS update task; then what
# ESP-IDF's own code makes of it: esp_image_verify() of the slot,
# esp_ota_get_boot_partition() and the NEW state, a simulated bootloader
# pass (PENDING_VERIFY), and confirming with ESP-IDF's call and with otter's.
# The same update from nginx (HTTPS, otter's demo PKI).
. "$OTTER_SRC/tests/esp-idf/idf_lib.sh"

img v1.bin 1.0.0 200000
VEC="$OTTER_VECTORS/esp32/esp32-arduino3-idf5.5.2-pio-otademo-app.bin"
serve_start
cp "$VEC" "$T/www/fw.bin"
fresh "$T/flash.bin" "$T/v1.bin"

dev "update from otter serve (1.0.0 -> real ESP32 app, 1117568 B)" 0 \
    "booted=ota_0" "running=ota_0" "result=ESP_OK" "outcome=updated" "target=ota_1" "done=1117568" \
    "esp_image_verify=ESP_OK image_len=1117568 segments=6" "boot=ota_1" "state_ota_1=NEW" "state_ota_0=VALID" \
    -- update "$T/flash.bin" "$URL_BASE/fw.bin" "$CA"
grep '^result=' "$T/out.txt" | sed 's/^/    /'

# Each run of the device is one boot: the simulated bootloader first.
cp "$T/flash.bin" "$T/a.bin"
cp "$T/flash.bin" "$T/b.bin"
dev "first boot: NEW -> PENDING_VERIFY, ESP-IDF verifies the new app; esp_ota_mark_app_valid_cancel_rollback()" 0 \
    "booted=ota_1" "state=NEW->PENDING_VERIFY" "verify=ESP_OK" "running=ota_1" \
    "confirm-idf=ESP_OK" "boot=ota_1" "state_ota_1=VALID" -- confirm-idf "$T/a.bin"
dev "confirmed app boots again" 0 "booted=ota_1" "state=VALID->VALID" -- boot "$T/a.bin"
dev "first boot, otter's confirm (otter_esp_mark_app_valid) instead" 0 \
    "booted=ota_1" "state=NEW->PENDING_VERIFY" "confirm-otter=ESP_OK" "boot=ota_1" "state_ota_1=VALID" \
    -- confirm-otter "$T/b.bin"
dev "... ESP-IDF reads it as VALID, next boot runs it" 0 "booted=ota_1" "state=VALID->VALID" "state_ota_1=VALID" \
    -- state "$T/b.bin"
dev "same version again: up to date, nothing written" 10 "outcome=up_to_date" "NOT:event=switched" \
    -- update "$T/b.bin" "$URL_BASE/fw.bin" "$CA"

cp "$T/flash.bin" "$T/c.bin"
"$DEV" boot "$T/c.bin" > /dev/null 2>&1
dev "never confirmed: next boot rolls back to ota_0 (ABORTED)" 0 "booted=ota_0" "state_ota_1=ABORTED" \
    -- state "$T/c.bin"
# The ABORTED version's finished download is still in ota_1: it is checked
# against the server (last byte, Range + If-Range) before any switch, so a
# server that cannot be trusted switches nothing.
dev "after the rollback, a wrong CA: the finished download in ota_1 is not switched to" 1 \
    "event=resume offset=1117567" "result=OTTER_ESP_ERR_TLS_TRUST" "otter_err=TLS_TRUST" "NOT:event=switched" \
    "NOT:boot=ota_1" -- update "$T/c.bin" "$URL_BASE/fw.bin" "$OTTER_VECTORS/tls/forum-pinned-r3-by-dst-root-x3.pem"
dev "... with the right CA: re-checked against the server and installed again (try 2 of 2)" 0 \
    "result=ESP_OK" "outcome=updated" "resumed=1" "boot=ota_1" "state_ota_1=NEW" \
    -- update "$T/c.bin" "$URL_BASE/fw.bin" "$CA"

fresh "$T/d.bin" "$T/v1.bin"
dev "the port's flash refuses to erase or program the running slot (ota_0), writes ota_1" 0 \
    "guard: read=OK erase_running=FLASH_RANGE program_running=FLASH_RANGE unchanged=1 erase_next=OK refused=2" \
    -- guard "$T/d.bin"
fresh "$T/d.bin" "$T/v1.bin"
dev "a port that reports the running slot as the target is refused before anything is erased" 0 \
    "misport: result=ESP_ERR_OTA_PARTITION_CONFLICT otter_err=UPD_RUNNING_SLOT erases=0 identical=1" \
    "running slot or overlaps it" "nothing was erased" "unchanged" "NOT:boot=ota_1" \
    -- misport "$T/d.bin" "$URL_BASE/fw.bin" "$CA"
fresh "$T/d.bin" "$T/v1.bin"
dev "untrusted server (wrong CA): refused, explained, nothing switched" 1 \
    "result=OTTER_ESP_ERR_TLS_TRUST" "otter_err=TLS_TRUST" "explain=" "unchanged" "NOT:boot=ota_1" \
    -- update "$T/d.bin" "$URL_BASE/fw.bin" "$OTTER_VECTORS/tls/forum-pinned-r3-by-dst-root-x3.pem"

# Trust by SPKI pin only (no CA): the right pin, then a wrong one.
PIN=$("$OTTER" cert --explain "$CA" --format pin 2> /dev/null | tail -1)
fresh "$T/p.bin" "$T/v1.bin"
dev "trust by SPKI pin only" 0 "result=ESP_OK" "outcome=updated" "esp_image_verify=ESP_OK" \
    -- update "$T/p.bin" "$URL_BASE/fw.bin" - "pin=$PIN"
fresh "$T/p.bin" "$T/v1.bin"
dev "a pin that matches nothing: refused, nothing switched" 1 "result=OTTER_ESP_ERR_TLS_TRUST" "otter_err=TLS_PIN" \
    "NOT:boot=ota_1" -- update "$T/p.bin" "$URL_BASE/fw.bin" - \
    "pin=0000000000000000000000000000000000000000000000000000000000000000"

# nginx, as a production server would be (Range, ETag), with a demo PKI.
: "${OTTER_TOOL_TLSGET:?}"
PORT_TOOL="$OTTER_TOOL_TLSGET"
P="$T/pki"
"$OTTER" pki demo "$P" > /dev/null
mkdir -p "$T/ngxwww" && cp "$VEC" "$T/ngxwww/fw.bin"
# nginx workers may run as another user (nobody when started by root)
chmod 755 "$T" "$T/ngxwww" && chmod 644 "$T/ngxwww/fw.bin"
cat > "$T/server.tmpl" <<NGX
default_type application/octet-stream;
server {
    listen 127.0.0.1:@PORT@ ssl;
    server_name localhost;
    ssl_certificate $P/chain.pem;
    ssl_certificate_key $P/server.key;
    root $T/ngxwww;
}
NGX
ready() { "$OTTER_TOOL_TLSGET" --port "$PORT" --ca "$P/ca.pem" > /dev/null 2>&1; }
nginx_start "$T/ngx" "$T/server.tmpl" ready 300
fresh "$T/n.bin" "$T/v1.bin"
dev "update from nginx over TLS, ESP-IDF verifies it" 0 "result=ESP_OK" "outcome=updated" "target=ota_1" \
    "esp_image_verify=ESP_OK image_len=1117568 segments=6" "boot=ota_1" "state_ota_1=NEW" \
    -- update "$T/n.bin" "https://localhost:$PORT/fw.bin" "$P/ca.pem"
dev "first boot from nginx's image, confirmed by ESP-IDF" 0 "booted=ota_1" "confirm-idf=ESP_OK" \
    "state_ota_1=VALID" -- confirm-idf "$T/n.bin"
finish
