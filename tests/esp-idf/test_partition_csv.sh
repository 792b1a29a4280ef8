#!/bin/sh
# Partition tables, otter against the tarball's gen_esp32part.py:
# - every partitions_*.csv of components/partition_table: the binary table
#   (0xC00 bytes at 0x8000 of `otter flash init --layout CSV`) is byte for
#   byte gen_esp32part.py's;
# - bad CSVs: both refuse each one, and otter's message names the rule and
#   the offsets as gen_esp32part.py does;
# - ESP-IDF's limit of entries: 94 with the MD5 row, 95 without, made by
#   gen_esp32part.py, read by otter's binary parser and by the ESP-IDF port
#   from ESP-IDF's own partition list.
. "$OTTER_SRC/tests/support/servers.sh"
set -eu
servers_init esp-idf-ptable
GEN="$IDF_TOP/components/partition_table/gen_esp32part.py"
PY="${PYTHON3:-python3}"
echo "ESP-IDF v$IDF_VERSION gen_esp32part.py"
unset FOO || true

same_count=0; total=0
for csv in "$IDF_TOP"/components/partition_table/partitions_*.csv; do
    n=$(basename "$csv" .csv)
    total=$((total + 1))
    if ! "$PY" "$GEN" -q --flash-size 4MB "$csv" "$T/gen.bin" 2> "$T/gen.err"; then
        echo "FAIL: $n: gen_esp32part.py refused it: $(cat "$T/gen.err")"; FAILS=$((FAILS + 1)); continue
    fi
    if ! "$OTTER_BIN" flash init --force --out "$T/o.flash" --size 4M --layout "$csv" > /dev/null 2> "$T/o.err"; then
        echo "FAIL: $n: otter refused it: $(cat "$T/o.err")"; FAILS=$((FAILS + 1)); continue
    fi
    dd if="$T/o.flash" of="$T/o.bin" bs=1024 skip=32 count=3 2> /dev/null
    if cmp -s "$T/gen.bin" "$T/o.bin"; then
        same_count=$((same_count + 1))
    else
        echo "FAIL: $n: tables differ"; cmp "$T/gen.bin" "$T/o.bin" | head -3; FAILS=$((FAILS + 1))
    fi
done
echo "partition-csv: $same_count of $total ESP-IDF CSVs byte-identical"
[ "$same_count" = "$total" ] && echo "ok: every ESP-IDF partition CSV gives gen_esp32part.py's bytes"

# bad NAME "WORDS" CSV: both refuse CSV; otter's message has WORDS.
bad_count=0
bad() {
    name="$1"; words="$2"
    printf '%b' "$3" > "$T/bad.csv"
    bad_count=$((bad_count + 1))
    if "$PY" "$GEN" -q --flash-size 4MB "$T/bad.csv" "$T/gen.bin" > "$T/gen.err" 2>&1; then
        echo "FAIL: $name: gen_esp32part.py accepted it"; FAILS=$((FAILS + 1)); return 0
    fi
    if "$OTTER_BIN" flash init --force --out "$T/o.flash" --size 4M --layout "$T/bad.csv" > /dev/null 2> "$T/o.err"; then
        echo "FAIL: $name: otter accepted it"; FAILS=$((FAILS + 1)); return 0
    fi
    if grep -qF -- "$words" "$T/o.err"; then
        echo "ok: $name"
        echo "    gen:   $(grep -v '^Parsing\|^Verifying\|^Please check\|^$' "$T/gen.err" | tail -1)"
        echo "    otter: $(sed "s|$T/||" "$T/o.err")"
    else
        echo "FAIL: $name: otter's message lacks \"$words\": $(cat "$T/o.err")"; FAILS=$((FAILS + 1))
    fi
}
H='# Name, Type, SubType, Offset, Size, Flags\n'
bad "explicit offset overlaps the previous partition" \
    "line 3: partitions overlap: 'phy' sets offset 0xe000, previous partition ends at 0xf000" \
    "${H}nvs,data,nvs,0x9000,0x6000\nphy,data,phy,0xe000,4K\n"
bad "first partition inside the table's sector" \
    "partitions overlap: 'nvs' sets offset 0x8000, but the partition table occupies the whole sector 0x8000: use a free offset 0x9000 or higher" \
    "${H}nvs,data,nvs,0x8000,0x6000\n"
bad "app offset not 64 KB aligned" "offset 0x18000 is not aligned to 0x10000" \
    "${H}nvs,data,nvs,,0x6000\nota_0,app,ota_0,0x18000,1M\n"
bad "data offset not 4 KB aligned" "offset 0x9800 is not aligned to 0x1000" "${H}nvs,data,nvs,0x9800,0x6000\n"
bad "app size not 4 KB aligned" "size 0x10800 is not aligned to 0x1000" "${H}ota_0,app,ota_0,,0x10800\n"
bad "duplicate names" "partition names must be unique: 'x' is on lines 2 and 3" \
    "${H}x,data,nvs,,0x6000\nx,data,phy,,4K\n"
bad "two otadata partitions" "found multiple otadata partitions (lines 2 and 3)" \
    "${H}od,data,ota,,8K\nod2,data,ota,,8K\n"
bad "otadata not 0x2000" "otadata partition must have size = 0x2000, not 0x1000" "${H}od,data,ota,,4K\n"
bad "TEE otadata not 0x2000" "TEE otadata partition must have size = 0x2000, not 0x1000" "${H}t,data,tee_ota,,4K\n"
bad "small read/write NVS" "must be flagged 'readonly' (read/write NVS needs at least 0x3000)" "${H}nvs,data,nvs,,8K\n"
bad "read-only otadata" "cannot be read-only" "${H}od,data,ota,,8K,readonly\n"
bad "unknown subtype" "value 'nonsense' is not a known subtype for type data" "${H}x,data,nonsense,,8K\n"
bad "unknown flag" "CSV flag column contains unknown flag 'secret'" "${H}x,data,phy,,4K,secret\n"
bad "empty size" "size field can't be empty" "${H}x,data,phy,,\n"
bad "empty type" "field 'type' can't be left empty" "${H}x,,phy,,4K\n"
bad "app without subtype" "app partition cannot have an empty subtype" "${H}x,app,,,1M\n"
bad "unknown variable" "unknown variable 'FOO'" "${H}x,data,phy,\$FOO,4K\n"
bad "past the end of a 4 MB flash" "it ends at 0x410000, past the flash size 0x400000" "${H}factory,app,factory,,4M\n"
# 95 partitions and the MD5 row: one row too many for 0xC00 bytes
i=0; rows=""; while [ $i -lt 95 ]; do rows="${rows}p$i,data,spiffs,,4K\n"; i=$((i + 1)); done
bad "95 partitions with the MD5 row" "binary partition table length (3072 bytes for 95 partitions and the MD5 row) longer than max" "${H}${rows}"
echo "partition-csv-bad: $bad_count bad CSVs, each refused by both"

# stricter NAME "WORDS" CSV: gen_esp32part.py writes a table that otter
# refuses on purpose (a device would misbehave with it); otter says why.
stricter() {
    printf '%b' "$3" > "$T/s.csv"
    if ! "$PY" "$GEN" -q "$T/s.csv" "$T/gen.bin" > /dev/null 2>&1; then
        echo "FAIL: $1: gen_esp32part.py now refuses it too: move it to the bad list"; FAILS=$((FAILS + 1)); return 0
    fi
    check_run "otter is stricter: $1" 1 "$OTTER_BIN" "$2" -- flash init --force --out "$T/s.fl" --size 4M --layout "$T/s.csv"
}
stricter "OTA slots with a gap (otadata's seq maps onto ota_0..ota_{n-1})" "without gaps" \
    "a,app,ota_0,,64K\nb,app,ota_2,,64K\n"
stricter "two ota_0 slots" "more than one 'ota_0' partition (lines 1 and 2)" "a,app,ota_0,,64K\nb,app,ota_0,,64K\n"
stricter "two factory apps" "more than one 'factory' partition" "a,app,factory,,64K\nb,app,factory,,64K\n"
stricter "a 17-byte name (gen_esp32part.py truncates it)" "is longer than 16 bytes" "seventeen_chars_x,data,phy,,4K\n"
stricter "an empty name" "the name field is empty" ",data,phy,,4K\n"

# ESP-IDF's limit, read back.
i=0; rows=""; while [ $i -lt 94 ]; do rows="${rows}p$i,data,spiffs,,4K\n"; i=$((i + 1)); done
printf '%b' "${H}${rows}" > "$T/94.csv"
"$PY" "$GEN" -q "$T/94.csv" "$T/94.bin"
"$OTTER_BIN" flash init --force --out "$T/94.flash" --size 4M --layout "$T/94.csv" > /dev/null
dd if="$T/94.flash" of="$T/o94.bin" bs=1024 skip=32 count=3 2> /dev/null
same "94 partitions + MD5 (the most gen_esp32part.py writes with MD5): same bytes" "$T/94.bin" "$T/o94.bin"
check_run "otter reads the 94-partition table back" 0 "$OTTER_BIN" "p93" -- flash info "$T/94.flash"
printf '%b' "${H}${rows}p94,data,spiffs,,4K\n" > "$T/95.csv"
"$PY" "$GEN" -q --disable-md5sum "$T/95.csv" "$T/95.bin"
cp "$T/94.flash" "$T/95.flash"
dd if="$T/95.bin" of="$T/95.flash" bs=1024 seek=32 conv=notrunc 2> /dev/null
check_run "otter reads a 95-partition table without MD5 (gen_esp32part.py --disable-md5sum)" 0 "$OTTER_BIN" \
    "p94" -- flash info "$T/95.flash"
if [ -n "${IDF_HOST:-}" ]; then
    check_run "the ESP-IDF port reads it from esp_partition_find()" 0 "$IDF_HOST" \
        "ptable=ESP_OK otter_err=OK count=95 esp_partitions=95" -- ptable "$T/95.bin"
fi
finish
