# Shared by the tests/esp-idf shell tests: the emulated ESP32's partition
# table (made by the tarball's gen_esp32part.py), the images (made by
# `otter image make`, and a real ESP32 app from tests/vectors), otter serve
# over TLS with a throw-away certificate for localhost, and `dev`, which
# runs one boot of the emulated device (idf_device.c) and checks its output.
. "$OTTER_SRC/tests/support/servers.sh"
set -eu
OTTER="$OTTER_BIN"
DEV="$IDF_HOST"
PT="$IDF_TOP/components/partition_table"
servers_init "esp-idf-$(basename "$0" .sh)"
echo "ESP-IDF v$IDF_VERSION ($DEV)"

# Two OTA slots of 1.5 MB, otadata at 0xd000: the table of ESP-IDF-HOST.md.
cat > "$T/table.csv" <<CSV
# Name,   Type, SubType, Offset,   Size
nvs,      data, nvs,     0x9000,   0x4000
otadata,  data, ota,     0xd000,   0x2000
phy_init, data, phy,     0xf000,   0x1000
ota_0,    app,  ota_0,   0x10000,  0x180000
ota_1,    app,  ota_1,   0x190000, 0x180000
CSV
python3 "$PT/gen_esp32part.py" -q --disable-md5sum "$T/table.csv" "$T/table.bin"

# img NAME VERSION SIZE: an ESP32 app image made by otter.
img() { "$OTTER" image make --chip esp32 --version "$2" --project demo --size "$3" --out "$T/$1" > /dev/null; }

# serve_start: otter serve on $T/www over TLS; sets URL_BASE and CA.
serve_start() {
    mkdir -p "$T/www"
    rm -f "$T/serve.port"
    "$OTTER" serve "$T/www" --bind 127.0.0.1 --port 0 --port-file "$T/serve.port" \
        --self-signed-for localhost --cert-out "$T/ca.pem" --quiet > "$T/serve.log" 2>&1 &
    PIDS="$PIDS $!"
    poll 200 port_file "$T/serve.port" || { echo "FAIL: otter serve did not start"; cat "$T/serve.log"; exit 1; }
    poll 100 test -s "$T/ca.pem" || { echo "FAIL: no certificate from otter serve"; exit 1; }
    URL_BASE="https://localhost:$FILE_PORT"
    CA="$T/ca.pem"
}

# dev NAME RC "WORDS"... -- ARGS: one boot of the emulated device.
dev() {
    name="$1"; rc="$2"; shift 2
    check_run "$name" "$rc" "$DEV" "$@"
}

# fresh FILE IMAGE: a new flash with IMAGE in ota_0, set to boot and VALID
# by ESP-IDF's own calls.
fresh() {
    "$DEV" init "$T/table.bin" "$1" "$2" > "$T/init.txt" 2>&1 || { echo "FAIL: init"; cat "$T/init.txt"; exit 1; }
}
