/* CRC-32 as ESP-IDF's ROM computes it. */
#ifndef OTTER_CRC32_H
#define OTTER_CRC32_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) with the same calling
 * convention as ESP-IDF's esp_rom_crc32_le() and Python's zlib.crc32(data, crc):
 * the running value is inverted on entry and on exit, so calls chain.
 * otadata uses otter_crc32_le(UINT32_MAX, &seq, 4) (seq 1 gives 0x4743989A);
 * Secure Boot V2 signature blocks use otter_crc32_le(0, block, 1196). */
uint32_t otter_crc32_le(uint32_t crc, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
