/* Stand-in (tests only): included by ESP-IDF's bootloader_common_loader.c, unused there. */
#pragma once
