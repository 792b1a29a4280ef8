/* The memory map of the chip the emulated flash pretends to be: ESP32
 * (tests only). Values are the ESP32's SOC_* address ranges. The IROM/DROM
 * ranges decide which image segments count as mapped from flash (their
 * flash offset must equal their address modulo 64 KB); the others only let
 * the inline helpers of ESP-IDF's bootloader_memory_utils.h compile. */
#pragma once

#define SOC_IROM_LOW 0x400D0000
#define SOC_IROM_HIGH 0x40400000
#define SOC_DROM_LOW 0x3F400000
#define SOC_DROM_HIGH 0x3F800000
#define SOC_IRAM_LOW 0x40080000
#define SOC_IRAM_HIGH 0x400A0000
#define SOC_DRAM_LOW 0x3FFAE000
#define SOC_DRAM_HIGH 0x40000000
#define SOC_DIRAM_IRAM_LOW 0x400A0000
#define SOC_DIRAM_IRAM_HIGH 0x400C0000
#define SOC_DIRAM_DRAM_LOW 0x3FFE0000
#define SOC_DIRAM_DRAM_HIGH 0x40000000
#define SOC_DIRAM_INVERTED 1
#define SOC_CACHE_APP_LOW 0x40078000
