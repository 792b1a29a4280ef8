/* Whole-image verification in flash (include/otter/verify.h): the image
 * validator, then the signature sector that follows the image. Sits above
 * image.c and sigblock.c, which do not call each other. */
#include "otter/verify.h"

int otter_sigblock_verify_flash(const struct otter_flash *flash, uint32_t offset, uint32_t max_len,
                                const uint8_t (*trusted)[32], size_t n_trusted, struct otter_image_info *info,
                                otter_sigblock_report_t *report, uint8_t *work, size_t work_len)
{
    otter_image_info_t local;
    otter_image_info_t *in = info ? info : &local;
    if (!flash || !work)
        return OTTER_ERR_INVAL;
    if (work_len < OTTER_SIG_WORK_MIN)
        return OTTER_ERR_BUF_TOO_SMALL;
    int r = otter_image_validate_flash(flash, offset, max_len, in, work, work_len);
    if (r != OTTER_OK)
        return r;
    if (!in->sig_digest_ready || (uint64_t)in->signed_len + OTTER_SIG_SECTOR_LEN > max_len)
        return OTTER_ERR_SIG_NONE;
    return otter_sigblock_verify_sector_flash(flash, offset + in->signed_len, in->sig_digest, NULL, trusted, n_trusted,
                                              report, work, work_len);
}

int otter_image_boot_validate(void *ctx, const otter_flash_t *flash, uint32_t offset, uint32_t size)
{
    const otter_image_boot_cfg_t *cfg = ctx;
    uint8_t stack_buf[256];
    uint8_t *work = stack_buf;
    size_t work_len = sizeof stack_buf;
    uint16_t chip = OTTER_CHIP_ANY;
    otter_image_info_t info;
    if (cfg) {
        chip = cfg->chip_id;
        if (cfg->work && cfg->work_len) {
            work = cfg->work;
            work_len = cfg->work_len;
        }
    }
    int ret;
    if (cfg && cfg->n_trusted)
        ret =
            otter_sigblock_verify_flash(flash, offset, size, cfg->trusted, cfg->n_trusted, &info, NULL, work, work_len);
    else
        ret = otter_image_validate_flash(flash, offset, size, &info, work, work_len);
    if (ret == OTTER_OK && chip != OTTER_CHIP_ANY && info.chip_id != chip)
        ret = OTTER_ERR_IMG_CHIP_MISMATCH;
    return ret;
}
