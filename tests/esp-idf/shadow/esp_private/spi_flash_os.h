/* Stand-in for ESP-IDF's esp_private/spi_flash_os.h on the linux target
 * (tests only). The real one includes the chip's hal/spi_flash_ll.h; what
 * ESP-IDF's bootloader_flash.h needs from it is the ROM SPI flash types. */
#pragma once
#include "esp_rom_spiflash.h"
#include "esp_flash.h"
