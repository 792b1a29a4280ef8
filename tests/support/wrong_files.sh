# Sourced: make_wrong_files DIR APP.BIN makes, in DIR, one file of each kind
# people serve by mistake instead of the app image APP.BIN, each made for the
# test (cc, python3, gzip and otter itself), and sets WRONG_FILES to
# "FILE:ERROR_NAME ..." (the name `otter image info` and the device give).
make_wrong_files() {
    dir="$1"; app="$2"
    v="${OTTER_VECTORS:?}/esp32"
    mkdir -p "$dir"
    printf 'int main(void) { return 0; }\n' > "$dir/app.c"
    cc -o "$dir/app.elf" "$dir/app.c"
    gzip -c "$app" > "$dir/app.bin.gz"
    cp "$v/esp32s3-idf4.4-partition-table-factory-2ota.bin" "$dir/partitions.bin"
    cp "$v/esp32c3-arduino-boot_app0.bin" "$dir/boot_app0.bin"
    cp "$v/esp32s3-idf4.4-ota_data_initial.bin" "$dir/ota_data_initial.bin"
    cp "$v/esp8266-arduino-nonos2.2.2-pio-button-firmware.bin" "$dir/esp8266.bin"
    printf '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Please sign in</body></html>\n' > "$dir/login.bin"
    printf '{"error": "not found", "status": 404}\n' > "$dir/api.bin"
    printf 'File not found.\nThe requested firmware does not exist on this server.\n' > "$dir/notfound.bin"
    python3 - "$dir" "$app" "$v" <<'PY'
import io, os, random, struct, sys, zipfile
d, app, v = sys.argv[1:4]
appb = open(app, 'rb').read()
boot = open(v + '/esp32c6-idf5.2.1-bootloader.bin', 'rb').read()
pt = open(v + '/esp32s3-idf4.4-partition-table-factory-2ota.bin', 'rb').read()
def put(name, b):
    open(os.path.join(d, name), 'wb').write(b)
# merged flash images as esptool merge_bin writes them (0xFF in the gaps)
m = bytearray(b'\xff' * (0x10000 + len(appb)))
m[0x1000:0x1000 + len(boot)] = boot; m[0x8000:0x8000 + len(pt)] = pt; m[0x10000:] = appb
put('merged-esp32.bin', bytes(m))
# UF2: 512-byte blocks, 256 bytes of payload each (Microsoft's UF2 format)
u = bytearray()
n = (len(appb) + 255) // 256
for i in range(n):
    chunk = appb[i * 256:(i + 1) * 256].ljust(256, b'\0')
    u += struct.pack('<IIIIIIII', 0x0A324655, 0x9E5D5157, 0x2000, 0x10000 + i * 256, 256, i, n, 0x1C5F21B0)
    u += chunk.ljust(476, b'\0') + struct.pack('<I', 0x0AB16F30)
put('app.uf2', bytes(u))
z = io.BytesIO()
with zipfile.ZipFile(z, 'w', zipfile.ZIP_DEFLATED) as f:
    f.writestr('firmware/app.bin', appb)
put('firmware.zip', z.getvalue())
# esp_encrypted_img: magic 0x0788b6cf, then 508 header bytes, then ciphertext
r = random.Random(1)
put('app-encrypted.bin', struct.pack('<I', 0x0788b6cf) + bytes(r.getrandbits(8) for _ in range(508 + len(appb) // 8)))
# a RAM-only app: the app description in DRAM, IRAM code, no flash-mapped segment
def image(segs, desc):
    h = bytearray(24); h[0] = 0xE9; h[1] = len(segs); h[2] = 2; h[3] = 0x20
    h[4:8] = struct.pack('<I', 0x40080400); h[8] = 0xEE
    body = bytearray(); x = 0xEF
    for k, (addr, ln) in enumerate(segs):
        data = bytearray(r.getrandbits(8) for _ in range(ln))
        if k == 0 and desc:
            data[0:256] = struct.pack('<II', 0xABCD5432, 0) + bytes(8) + b'1.0.0'.ljust(32, b'\0') + b'ramapp'.ljust(32, b'\0') + bytes(176)
        for c in data: x ^= c
        body += struct.pack('<II', addr, ln) + data
    out = h + body
    while (len(out) + 1) % 16: out.append(0)
    out.append(x)
    return bytes(out)
put('ram-app.bin', image([(0x3FFB0000, 0x400), (0x40080000, 0x9000)], True))
# an ESP32 bootloader (IDF 5.1+: esp_bootloader_desc_t, magic 0x50, in DRAM)
bl = bytearray(image([(0x3FFF0000, 0x100), (0x40078000, 0x3000)], False))
bl[32:36] = bytes([0x50, 0, 0, 0]); bl[36:40] = struct.pack('<I', 1)
bl[40:72] = b'v5.2.1'.ljust(32, b'\0'); bl[72:96] = b'Jan  1 2025 12:00:00'.ljust(24, b'\0')
x = 0xEF
off = 24
for k in range(2):
    ln = struct.unpack('<I', bl[off + 4:off + 8])[0]
    for c in bl[off + 8:off + 8 + ln]: x ^= c
    off += 8 + ln
bl[-1] = x
put('bootloader.bin', bytes(bl))
# merged with the bootloader at 0x0 (as for ESP32-C3 and later)
m = bytearray(b'\xff' * (0x10000 + len(appb)))
m[0:len(bl)] = bl; m[0x8000:0x8000 + len(pt)] = pt; m[0x10000:] = appb
put('merged-boot-at-0.bin', bytes(m))
# unknown binary
put('random.bin', bytes([0x42]) + bytes(r.getrandbits(8) for _ in range(4095)))
PY
    WRONG_FILES="app.elf:IMG_ELF merged-esp32.bin:IMG_MERGED merged-boot-at-0.bin:IMG_MERGED bootloader.bin:IMG_NOT_APP
        partitions.bin:IMG_PTABLE boot_app0.bin:IMG_OTADATA ota_data_initial.bin:IMG_OTADATA app.uf2:IMG_UF2
        firmware.zip:IMG_ZIP app.bin.gz:IMG_GZIP app-encrypted.bin:IMG_ENCRYPTED ram-app.bin:IMG_RAM_APP
        esp8266.bin:IMG_ESP8266 login.bin:IMG_HTML api.bin:IMG_JSON notfound.bin:IMG_TEXT random.bin:IMG_MAGIC"
}
