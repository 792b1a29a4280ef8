/* host/bytes: little-endian load/store for host code, which may not include
 * the core's private src/le.h. Formats are read and written with these,
 * never by casting packed structs. */
#ifndef OTTER_HOST_BYTES_H
#define OTTER_HOST_BYTES_H

#include <stdint.h>

static inline uint32_t otter_host_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void otter_host_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void otter_host_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

#endif
