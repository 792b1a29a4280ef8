/* otter: whole-image verification in flash, above the image validator
 * (image.h) and the signature block (sigblock.h): what a bootloader, the
 * simulator and `otter flash verify` run on a slot. */
#ifndef OTTER_VERIFY_H
#define OTTER_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "otter/error.h" /* the OTTER_ERR_* codes its functions return */
#include "otter/flash.h"
#include "otter/image.h"
#include "otter/sigblock.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Validate the app image at flash [offset, offset + max_len) with
 * otter_image_validate_flash() and then verify the signature sector that
 * follows it (at offset + signed_len) with otter_sigblock_verify() against the
 * trusted key digests. work: caller buffer of at least OTTER_SIG_WORK_MIN
 * (1024) bytes (the sector is read into it in pieces). info / report may be NULL. Returns 0, the image verdict,
 * OTTER_ERR_SIG_NONE if the sector does not fit in max_len, the sector
 * verdict, a flash read error, or OTTER_ERR_BUF_TOO_SMALL. */
int otter_sigblock_verify_flash(const otter_flash_t *flash, uint32_t offset, uint32_t max_len,
                                const uint8_t (*trusted)[32], size_t n_trusted, otter_image_info_t *info,
                                otter_sigblock_report_t *report, uint8_t *work, size_t work_len);

/* Options for otter_image_boot_validate(). */
typedef struct otter_image_boot_cfg {
    uint16_t chip_id; /* expected chip, or OTTER_CHIP_ANY */
    uint8_t *work;    /* read buffer; NULL: a 256-byte stack buffer */
    size_t work_len;
    /* Secure boot: when n_trusted > 0 the image must also carry a signature
     * sector that otter_sigblock_verify_flash() accepts with these key
     * digests (then work must hold OTTER_SIG_WORK_MIN = 1024 bytes). */
    const uint8_t (*trusted)[32];
    size_t n_trusted;
} otter_image_boot_cfg_t;

/* Adapter with the boot module's validate callback signature:
 * int (*validate)(void *ctx, const otter_flash_t *, uint32_t offset, uint32_t size).
 * ctx is an otter_image_boot_cfg_t * or NULL (any chip, stack buffer, no
 * signature check). Returns 0 if [offset, offset+size) holds a valid app
 * image (and, with trusted keys, a signature sector they accept), else the
 * verdict of otter_image_validate_flash() / otter_sigblock_verify_flash(),
 * or OTTER_ERR_IMG_CHIP_MISMATCH. */
int otter_image_boot_validate(void *ctx, const otter_flash_t *flash, uint32_t offset, uint32_t size);

#ifdef __cplusplus
}
#endif

#endif
