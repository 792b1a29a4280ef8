/* otter's ESP-IDF port: the pieces the core needs, each over an ESP-IDF API.
 *
 *   flash      esp_partition_read / _write / _erase_range, limited to the
 *              partitions an update may touch (the target slot and otadata
 *              for writing; app slots and otadata for reading)
 *   transport  BSD sockets (lwIP on a device): non-blocking connect, select()
 *              for every wait, so each call returns within its timeout
 *   clock      esp_timer_get_time() (monotonic) and time() (wall clock, set by
 *              SNTP or an RTC before the first TLS connect)
 *   entropy    esp_fill_random() (true random with Wi-Fi/BT on, or after
 *              bootloader_random_enable())
 *
 * otter_esp.h builds a whole update out of them; use these directly to
 * drive the core yourself. Nothing here allocates. */
#ifndef OTTER_ESP_PORT_H
#define OTTER_ESP_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"
#include "esp_partition.h"
#include "otter/clock.h"
#include "otter/flash.h"
#include "otter/partition.h"
#include "otter/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Partitions the flash port can reach. */
#define OTTER_ESP_FLASH_MAX_WINDOWS 20

/* One partition the port may read, and maybe write. */
typedef struct otter_esp_window {
    const esp_partition_t *part;
    bool writable;
} otter_esp_window_t;

/* The flash port. Caller-owned; fields are private. */
typedef struct otter_esp_flash {
    otter_esp_window_t win[OTTER_ESP_FLASH_MAX_WINDOWS];
    unsigned count;
    otter_flash_t flash;  /* what otter_esp_flash_port() returns */
    int last_esp_err;     /* ESP-IDF error of the last failed call, ESP_OK if none */
    uint32_t refused;     /* writes/erases refused because no writable window held them */
} otter_esp_flash_t;

/* Empty port (reads nothing) with SPI NOR geometry: 4 KB sectors, 64 KB
 * blocks, 256-byte pages, erased 0xFF; size = the end of the last partition
 * in the table. Cannot fail. */
void otter_esp_flash_init(otter_esp_flash_t *f);

/* Let the port read part, and write and erase it when writable. Adding a
 * partition again only widens its rights. Errors: ESP_ERR_INVALID_ARG (NULL,
 * or an encrypted partition: not supported yet), ESP_ERR_NO_MEM (more than
 * OTTER_ESP_FLASH_MAX_WINDOWS). */
esp_err_t otter_esp_flash_allow(otter_esp_flash_t *f, const esp_partition_t *part, bool writable);

/* The otter_flash_t for the core (points into f). Addresses are absolute
 * flash offsets, as in the partition table. Outside the allowed partitions,
 * or writing a read-only one, calls fail with OTTER_ERR_FLASH_RANGE and
 * touch nothing. Programs check NOR rules first (OTTER_ERR_FLASH_NOT_ERASED).
 * ESP-IDF errors map to OTTER_ERR_FLASH_IO (last_esp_err keeps the code). */
const otter_flash_t *otter_esp_flash_port(otter_esp_flash_t *f);

/* The device's partition table as otter sees it, built from ESP-IDF's own
 * partition list (esp_partition_find), so it is the table the bootloader
 * and esp_ota_* use. A table with more rows than OTTER_PT_MAX_ENTRIES
 * keeps only the app slots and otadata (pt->dropped counts the others), as
 * otter_ptable_read() does. Errors: ESP_ERR_NOT_FOUND (no partitions),
 * ESP_ERR_NO_MEM (more app slots and otadata than OTTER_PT_MAX_ENTRIES),
 * ESP_ERR_INVALID_STATE
 * (otter refuses the table: otter_err says why). */
esp_err_t otter_esp_ptable_load(otter_ptable_t *pt, int *otter_err);

/* The TCP transport. Caller-owned; fd is -1 when closed. */
typedef struct otter_esp_tcp {
    int fd;
    int last_errno; /* errno (or EAI_* for DNS) of the last failure */
} otter_esp_tcp_t;

/* Closed socket, and t filled with its functions (t->ctx = tcp). Errors the
 * transport returns: connect OTTER_ERR_DNS / _CONNECT / _TIMEOUT; read
 * bytes > 0, OTTER_ERR_TIMEOUT, _CLOSED (FIN), _NET_IO; write bytes > 0,
 * OTTER_ERR_TIMEOUT, _NET_IO. Name resolution blocks for as long as lwIP's
 * DNS takes (its own timeout), outside timeout_ms. Cannot fail. */
void otter_esp_tcp_init(otter_esp_tcp_t *tcp, otter_transport_t *t);

/* Close the socket if open. Safe to repeat. */
void otter_esp_tcp_free(otter_esp_tcp_t *tcp);

/* now_ms from esp_timer_get_time(); wall_time from time() (negative before
 * 2000-01-01, which otter reports as "clock not set"). Cannot fail. */
void otter_esp_clock_init(otter_clock_t *c);

/* otter_entropy_fn over esp_fill_random(); ctx unused. Returns 0. */
int otter_esp_entropy(void *ctx, uint8_t *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
