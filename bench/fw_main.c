/* bench/fw_main.c: the smallest "firmware" that runs an otter update, for
 * the linked code-size figure. Linked freestanding for Cortex-M4 with
 * --gc-sections, so only what a device that updates itself needs stays:
 * boot selection and confirmation, the partition table, the update engine
 * (HTTP, image checks, signature check, journal, otadata) and the TLS
 * client glue (and, as a second figure, the diagnostics that turn an error
 * into a sentence). The ports (flash, transport, clock), mbedTLS and the C
 * library are outside otter and not counted. Never run. */
#include <stddef.h>
#include <stdint.h>

#include "otter/boot.h"
#include "otter/partition.h"
#include "otter/tls.h"
#include "otter/update.h"

int fw_main(const otter_flash_t *flash, const otter_transport_t *tcp, const otter_clock_t *clock,
            otter_entropy_fn entropy, const char *url);
const char *fw_diagnose(const otter_update_t *up, char *why, size_t why_len);

/* Linked in only for the "with diagnostics" figure (ld -u fw_diagnose):
 * the sentences otter_update_diagnose() writes need the error messages. */
const char *fw_diagnose(const otter_update_t *up, char *why, size_t why_len)
{
    return otter_update_diagnose(up, why, why_len);
}

int fw_main(const otter_flash_t *flash, const otter_transport_t *tcp, const otter_clock_t *clock,
            otter_entropy_fn entropy, const char *url)
{
    static otter_ptable_t pt;
    static otter_boot_t boot;
    static otter_tls_t tls;
    static otter_update_t up;
    static uint8_t http_buf[1024], data_buf[4096], work[2048];
    static const uint8_t ca[] = "-----BEGIN CERTIFICATE-----\n";
    otter_boot_result_t res;
    otter_transport_t tls_t;

    otter_ptable_init(&pt);
    int rc = otter_ptable_read(&pt, flash);
    if (rc)
        return rc;
    otter_boot_init(&boot, flash, &pt);
    if ((rc = otter_boot_select(&boot, &res)))
        return rc;
    if (res.trial)
        otter_boot_mark_valid(&boot);

    otter_tls_init(&tls);
    otter_tls_config_t tc = {.lower = tcp, .clock = clock, .entropy = entropy, .ca = ca,
                             .ca_len = sizeof ca, .work = work, .work_len = sizeof work};
    if ((rc = otter_tls_setup(&tls, &tc)))
        return rc;
    otter_tls_transport(&tls, &tls_t);

    otter_update_config_t cfg = {.flash = flash, .ptable = &pt, .boot = &boot, .tls = &tls_t,
                                 .clock = clock, .http_buf = http_buf,
                                 .http_buf_len = sizeof http_buf, .data_buf = data_buf,
                                 .data_buf_len = sizeof data_buf};
    otter_update_init(&up, &cfg);
    if ((rc = otter_update_begin(&up, url)))
        return rc;
    while ((rc = otter_update_step(&up)) == OTTER_UPDATE_MORE)
        ;
    if (rc == 0)
        rc = otter_update_finish(&up);
    otter_update_free(&up);
    otter_tls_free(&tls);
    return rc;
}
