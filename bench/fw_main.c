/* bench/fw_main.c: the smallest "firmware" that runs an otter update, for
 * the linked code-size figure. Linked freestanding for Cortex-M4 with
 * --gc-sections, so only what a device that updates itself needs stays:
 * confirmation, the partition table, the update engine
 * (HTTP, image checks, signature check, journal, otadata) and the TLS
 * client glue (and, as a second figure, the diagnostics that turn an error
 * into a sentence). The ports (flash, transport, clock), mbedTLS and the C
 * library are outside otter and not counted. Never run.
 *
 * The safe pattern: the bootloader has already chosen the slot, so the app
 * asks the platform where its code runs (ESP-IDF:
 * esp_ota_get_running_partition()->subtype; a port of its own: its boot
 * record) and tells otter with otter_boot_set_running(). It never calls
 * otter_boot_select() (the bootloader's choice, for the simulator and the
 * CLI): run again after a NEW image booted, it would turn that image
 * ABORTED and name the other slot running, and the next update would erase
 * the code that runs. tests/test_fw_link.sh links this file with
 * --gc-sections and checks that otter_boot_select / _peek are not in it. */
#include <stddef.h>
#include <stdint.h>

#include "otter/boot.h"
#include "otter/partition.h"
#include "otter/tls.h"
#include "otter/update.h"

int fw_main(const otter_flash_t *flash, const otter_transport_t *tcp, const otter_clock_t *clock,
            otter_entropy_fn entropy, uint8_t running_slot, const char *url);
const char *fw_diagnose(const otter_update_t *up, char *why, size_t why_len);

/* Linked in only for the "with diagnostics" figure (ld -u fw_diagnose):
 * the sentences otter_update_diagnose() writes need the error messages. */
const char *fw_diagnose(const otter_update_t *up, char *why, size_t why_len)
{
    return otter_update_diagnose(up, why, why_len);
}

int fw_main(const otter_flash_t *flash, const otter_transport_t *tcp, const otter_clock_t *clock,
            otter_entropy_fn entropy, uint8_t running_slot, const char *url)
{
    static otter_ptable_t pt;
    static otter_boot_t boot;
    static otter_tls_t tls;
    static otter_update_t up;
    static uint8_t http_buf[1024], data_buf[1024], work[2048];
    static const uint8_t ca[] = "-----BEGIN CERTIFICATE-----\n";
    otter_transport_t tls_t;

    otter_ptable_init(&pt);
    int rc = otter_ptable_read(&pt, flash);
    if (rc)
        return rc;
    otter_boot_init(&boot, flash, &pt);
    otter_boot_set_running(&boot, running_slot); /* from the platform, never otter_boot_select() */
    /* (the app's self-test would go here) then confirm: a no-op unless this
     * is the first boot of a new image */
    if ((rc = otter_boot_mark_valid(&boot)))
        return rc;

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
