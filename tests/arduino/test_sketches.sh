#!/bin/sh
# The example sketches, compiled unmodified as C++ with EpoxyDuino against
# the Arduino library and the ESP-IDF port on ESP-IDF's linux target
# (tests/arduino/CMakeLists.txt), run as Arduino-ESP32 runs them (setup()
# and loop() in a FreeRTOS task, delay() = vTaskDelay) on an emulated ESP32
# with Arduino's "Minimal SPIFFS" partition table, against otter serve over
# TLS (sketch_main.cpp gives the sketch its url and server_certificate).
#   - examples/HttpsOTA (the forum user's sketch): prints what it printed
#     on Arduino-ESP32 and "Firmware written successfully"; ESP-IDF finds the
#     new image in app1 (ota_1) with otadata NEW. With the expired
#     intermediate the forum user pinned: "Firmware Upgrade Fail" and why.
#     A certificate for another host name is refused.
#   - tests/arduino/StepSketch.ino: the same update stepped from loop().
#   - examples/HttpsOTASigned: a signed image installs, an unsigned one is
#     refused; the new app's self-test confirms it (otadata VALID).
. "$OTTER_SRC/tests/support/servers.sh"
set -eu
: "${SKETCH_HttpsOTA:?}" "${SKETCH_HttpsOTASigned:?}" "${SKETCH_StepSketch:?}" "${IDF_HOST:?}" "${IDF_TOP:?}"
OTTER="$OTTER_BIN"
servers_init arduino-sketches

# Arduino-ESP32's "Minimal SPIFFS" table (min_spiffs.csv in its tools folder)
cat > "$T/min_spiffs.csv" <<CSV
# Name,   Type, SubType, Offset,  Size, Flags
nvs,      data, nvs,     0x9000,  0x5000,
otadata,  data, ota,     0xe000,  0x2000,
app0,     app,  ota_0,   0x10000, 0x1E0000,
app1,     app,  ota_1,   0x1F0000,0x1E0000,
spiffs,   data, spiffs,  0x3D0000,0x20000,
coredump, data, coredump,0x3F0000,0x10000,
CSV
python3 "$IDF_TOP/components/partition_table/gen_esp32part.py" -q --disable-md5sum "$T/min_spiffs.csv" "$T/table.bin"
img() { "$OTTER" image make --chip esp32 --version "$2" --project sketch --size "$3" --out "$T/$1" > /dev/null; }
fresh() { "$IDF_HOST" init "$T/table.bin" "$1" "$T/v1.bin" > "$T/init.txt" 2>&1 || { echo "FAIL: init"; cat "$T/init.txt"; exit 1; }; }
img v1.bin 1.0.0 200000
mkdir -p "$T/www"
img www/firmware.bin 1.1.0 300000

"$OTTER" serve "$T/www" --bind 127.0.0.1 --port 0 --port-file "$T/serve.port" \
    --self-signed-for localhost --cert-out "$T/ca.pem" --quiet > "$T/serve.log" 2>&1 &
PIDS="$PIDS $!"
poll 200 port_file "$T/serve.port" || { echo "FAIL: otter serve did not start"; cat "$T/serve.log"; exit 1; }
poll 100 test -s "$T/ca.pem" || { echo "FAIL: no certificate from otter serve"; exit 1; }
URL="https://localhost:$FILE_PORT"

fresh "$T/a.bin"
check_run "HttpsOTA.ino: the forum sketch updates 1.0.0 -> 1.1.0 in its own task" 0 "$SKETCH_HttpsOTA" \
    "[host] booted=app0 version=1.0.0" "Attempting to connect to SSID: .Connected to your-ssid" "Starting OTA" \
    "Please Wait it takes some time ..." "Http Event On Connected" "Http Event Header Sent" \
    "Http Event On Header, key=Content-Length, value=300000" "Http Event On Header, key=Content-Type, value=" \
    "Http Event On Finish" \
    "Firmware written successfully. To reboot device, call API ESP.restart() or PUSH restart button on device" \
    "NOT:Firmware Upgrade Fail" "written=300000 total=300000" \
    -- "$T/a.bin" "$URL/firmware.bin" "$T/ca.pem"
given=$(sed -n 's/.*stack_given=\([0-9]*\).*/\1/p' "$T/out.txt")
unused=$(sed -n 's/.*stack_unused=\([0-9]*\).*/\1/p' "$T/out.txt")
if [ -n "$unused" ] && [ "$unused" -gt 0 ] && [ "$unused" -lt "$given" ]; then
    echo "update task stack: $((given - unused)) bytes used of $given on this x86-64 host (high-water mark)"
else
    echo "FAIL: no stack measurement (given=$given unused=$unused)"; FAILS=$((FAILS + 1))
fi
# ESP-IDF's view (idf_device.c boots the flash first, as the bootloader would):
# otadata said NEW for app1, and ESP-IDF's esp_image_verify() accepts it.
cp "$T/a.bin" "$T/a2.bin"
check_run "ESP-IDF: otadata NEW for app1 (ota_1), which boots next and verifies; app0 stays VALID" 0 "$IDF_HOST" \
    "booted=app1 copy=1 state=NEW->PENDING_VERIFY verify=ESP_OK version=1.1.0" "state_app0=VALID" -- state "$T/a2.bin"

fresh "$T/b.bin"
check_run "HttpsOTA.ino with the forum user's pinned expired intermediate: fails, says why, nothing switched" 1 "$SKETCH_HttpsOTA" \
    "Http Event Error" "Firmware Upgrade Fail" "R3" "unchanged" "NOT:Firmware written successfully" \
    -- "$T/b.bin" "$URL/firmware.bin" "$OTTER_VECTORS/tls/forum-pinned-r3-by-dst-root-x3.pem"
sed -n '/Firmware Upgrade Fail/{n;p;q}' "$T/out.txt" | cut -c1-400 | sed 's/^/    lastError(): /'
check_run "... ESP-IDF still boots app0" 0 "$IDF_HOST" "boot=app0" "NOT:state_app1=NEW" -- state "$T/b.bin"

# No task: beginSteps() + step() from loop() (tests/arduino/StepSketch.ino).
fresh "$T/s.bin"
check_run "StepSketch.ino: the same update stepped from loop(), no task" 0 "$SKETCH_StepSketch" \
    "Stepping from loop()" "Firmware 1.1.0 written in" "NOT:Firmware Upgrade Fail" \
    -- "$T/s.bin" "$URL/firmware.bin" "$T/ca.pem"
grep -o 'written in [0-9]* calls of step()' "$T/out.txt" | head -1 | sed 's/^/    /'
cp "$T/s.bin" "$T/s2.bin"
check_run "... ESP-IDF: app1 NEW, verifies" 0 "$IDF_HOST" "booted=app1 copy=1 state=NEW->PENDING_VERIFY verify=ESP_OK" \
    -- state "$T/s2.bin"

# Resume after a reboot: the power goes during the download (after 20000
# units of flash work: 4-byte words written or 4 KB sectors erased), the
# sketch starts again and continues from the journal.
fresh "$T/r.bin"
export OTTER_SKETCH_CUT=20000
check_run "HttpsOTA.ino: power lost during the download" 42 "$SKETCH_HttpsOTA" \
    "Starting OTA" "NOT:Firmware written successfully" -- "$T/r.bin" "$URL/firmware.bin" "$T/ca.pem"
unset OTTER_SKETCH_CUT
check_run "HttpsOTA.ino after the reboot: resumes, then written" 0 "$SKETCH_HttpsOTA" \
    "[host] booted=app0" "Firmware written successfully" "resumed=1" -- "$T/r.bin" "$URL/firmware.bin" "$T/ca.pem"

# The host name is checked (HttpsOTAUpdate skipped it by default): a
# trusted certificate for another host is refused.
"$OTTER" serve "$T/www" --bind 127.0.0.1 --port 0 --port-file "$T/serve2.port" \
    --self-signed-for other.example --cert-out "$T/other.pem" --quiet > "$T/serve2.log" 2>&1 &
PIDS="$PIDS $!"
poll 200 port_file "$T/serve2.port" || { echo "FAIL: otter serve did not start"; cat "$T/serve2.log"; exit 1; }
poll 100 test -s "$T/other.pem" || { echo "FAIL: no certificate from otter serve"; exit 1; }
fresh "$T/h.bin"
check_run "HttpsOTA.ino: a trusted certificate for another host name is refused" 1 "$SKETCH_HttpsOTA" \
    "Http Event Error" "Firmware Upgrade Fail" "other.example" "NOT:Firmware written successfully" \
    -- "$T/h.bin" "https://localhost:$FILE_PORT/firmware.bin" "$T/other.pem"

# The signed example: Secure Boot V2 key, signed and unsigned images.
"$OTTER" keygen --type ecdsa-p256 --out "$T/key.pem" > "$T/keygen.txt" 2>&1
DIGEST=$(grep -oiE '[0-9a-f]{64}' "$T/keygen.txt" | head -1)
[ -n "$DIGEST" ] || { echo "FAIL: no key digest from otter keygen"; cat "$T/keygen.txt"; exit 1; }
"$OTTER" sign --key "$T/key.pem" "$T/www/firmware.bin" --out "$T/www/signed.bin" > /dev/null
fresh "$T/c.bin"
check_run "HttpsOTASigned.ino: an unsigned image is refused" 1 "$SKETCH_HttpsOTASigned" "Firmware Upgrade Fail" "NOT:signature checked" \
    -- "$T/c.bin" "$URL/firmware.bin" "$T/ca.pem" "$DIGEST"
fresh "$T/c.bin"
check_run "HttpsOTASigned.ino: the signed image installs" 0 "$SKETCH_HttpsOTASigned" "Firmware 1.1.0 written, signature checked. Restarting" \
    -- "$T/c.bin" "$URL/signed.bin" "$T/ca.pem" "$DIGEST"
check_run "HttpsOTASigned.ino, first boot of 1.1.0: self-test passes, confirmed; then up to date" 3 "$SKETCH_HttpsOTASigned" \
    "[host] booted=app1 version=1.1.0" "New firmware confirmed" "NOT:Firmware Upgrade Fail" \
    -- "$T/c.bin" "$URL/signed.bin" "$T/ca.pem" "$DIGEST"
check_run "... ESP-IDF reads app1 as VALID" 0 "$IDF_HOST" "boot=app1" "state_app1=VALID" -- state "$T/c.bin"

[ $FAILS = 0 ] || { echo "$FAILS failure(s)"; exit 1; }
echo "all passed"
