/* Stand-in (tests only): included by bootloader_common_loader.c, unused there. */
#pragma once
