#!/bin/sh
# otadata written by otter and by ESP-IDF, each read and changed by the
# other: ESP-IDF's rollback on otadata otter switched, otter's confirm and
# rollback on otadata esp_ota_set_boot_partition() wrote.
. "$OTTER_SRC/tests/esp-idf/idf_lib.sh"

img v1.bin 1.0.0 200000
img v2.bin 2.0.0 300000
serve_start
cp "$T/v2.bin" "$T/www/fw.bin"
fresh "$T/flash.bin" "$T/v1.bin"
dev "otter installs 2.0.0 into ota_1" 0 "outcome=updated" "state_ota_1=NEW" \
    -- update "$T/flash.bin" "$URL_BASE/fw.bin" "$CA"

# ESP-IDF's calls on otadata otter wrote.
cp "$T/flash.bin" "$T/a.bin"
dev "esp_ota_mark_app_invalid_rollback_and_reboot() on otter's otadata" 0 \
    "booted=ota_1" "state=NEW->PENDING_VERIFY" "restart triggered" -- rollback-idf "$T/a.bin"
dev "... next boot runs ota_0, ESP-IDF and the bootloader see ota_1 INVALID" 0 \
    "booted=ota_0" "boot=ota_0" "state_ota_1=INVALID" -- state "$T/a.bin"
dev "a rolled-back version is not installed again" 1 "otter_err=UPD_ROLLED_BACK" "NOT:event=switched" \
    -- update "$T/a.bin" "$URL_BASE/fw.bin" "$CA"

# otter's calls on otadata ESP-IDF wrote.
cp "$T/flash.bin" "$T/b.bin"
dev "ESP-IDF confirms 2.0.0" 0 "confirm-idf=ESP_OK" "state_ota_1=VALID" -- confirm-idf "$T/b.bin"
dev "esp_ota_set_boot_partition(ota_0) from 2.0.0" 0 "running=ota_1" "setboot-idf=ESP_OK" "boot=ota_0" \
    -- setboot-idf "$T/b.bin" ota_0
cp "$T/b.bin" "$T/c.bin"
dev "otter_esp_mark_app_valid() on ESP-IDF's NEW entry" 0 \
    "booted=ota_0" "state=NEW->PENDING_VERIFY" "confirm-otter=ESP_OK" "boot=ota_0" "state_ota_0=VALID" \
    -- confirm-otter "$T/b.bin"
dev "... and the next boot keeps ota_0" 0 "booted=ota_0" "state=VALID->VALID" -- boot "$T/b.bin"
dev "otter_esp_mark_app_invalid() on ESP-IDF's entry: back to 2.0.0" 0 \
    "booted=ota_0" "rollback-otter=ESP_OK" "boot=ota_1" "state_ota_0=INVALID" -- rollback-otter "$T/c.bin"
dev "... next boot runs ota_1 (2.0.0)" 0 "booted=ota_1" "version=2.0.0" -- boot "$T/c.bin"
# ota_0 is INVALID now: rejecting 2.0.0 too leaves no usable otadata copy,
# and the bootloader's rule for that is the first app slot, which verifies.
dev "otter_esp_mark_app_invalid() with both copies then unusable" 0 "rollback-otter=ESP_OK" \
    "state_ota_0=INVALID" "state_ota_1=INVALID" -- rollback-otter "$T/c.bin"
dev "... next boot: no usable copy, ota_0 (1.0.0) as the bootloader does" 0 "booted=ota_0" "copy=-1" \
    "version=1.0.0" -- boot "$T/c.bin"
finish
