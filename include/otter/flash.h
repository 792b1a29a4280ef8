/* otter: the flash port.
 *
 * The core reaches flash only through this struct. A port fills in the
 * function pointers and geometry; ctx is passed back unchanged. All addresses
 * are absolute flash offsets (the partition table lives at 0x8000).
 *
 * NOR semantics are assumed: erase sets whole sectors to erased_value (0xFF),
 * program can only clear bits. The core never programs a byte it has not
 * erased since it was last programmed, and never erases a range it does not
 * own (the running app slot and the active otadata copy are never touched). */
#ifndef OTTER_FLASH_H
#define OTTER_FLASH_H

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct otter_flash {
    /* Read len bytes at addr into buf. Returns 0 or a negative otter_err_t
     * (OTTER_ERR_FLASH_RANGE, OTTER_ERR_FLASH_IO, OTTER_ERR_FLASH_POWER_LOSS). */
    int (*read)(void *ctx, uint32_t addr, void *buf, size_t len);
    /* Program len bytes at addr (any alignment; the port splits at page
     * boundaries). Returns 0 or OTTER_ERR_FLASH_RANGE, OTTER_ERR_FLASH_NOT_ERASED
     * (strict ports), OTTER_ERR_FLASH_IO, OTTER_ERR_FLASH_POWER_LOSS. */
    int (*program)(void *ctx, uint32_t addr, const void *buf, size_t len);
    /* Erase [addr, addr+len): addr and len multiples of sector_size. The core
     * calls it with len == sector_size, or len == block_size on a block
     * boundary when block_size != 0 and the caller asked for block erases, so
     * one call is one bounded blocking operation. Returns 0 or
     * OTTER_ERR_FLASH_ALIGN, OTTER_ERR_FLASH_RANGE, OTTER_ERR_FLASH_IO,
     * OTTER_ERR_FLASH_POWER_LOSS. */
    int (*erase)(void *ctx, uint32_t addr, size_t len);
    uint32_t size;        /* total bytes */
    uint32_t sector_size; /* smallest erase unit, 4096 on SPI NOR */
    uint32_t block_size;  /* optional larger erase unit (65536), 0 if none */
    uint32_t page_size;   /* program page, 256 on SPI NOR */
    uint8_t erased_value; /* 0xFF on NOR */
    void *ctx;
} otter_flash_t;

#ifdef __cplusplus
}
#endif

#endif
