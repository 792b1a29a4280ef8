/* otter: safe HTTPS over-the-air updates for ESP32. The firmware API: an app
 * that updates itself includes this header and reads the ones it names.
 *
 * 1. Update (otter/update.h). One caller-owned context, one config struct:
 *
 *      static otter_update_t up;                // documented as opaque; may be static
 *      otter_update_config_t cfg = {...};       // ports, policy, two buffers
 *      otter_update_init(&up, &cfg);
 *      otter_update_begin(&up, url);            // no I/O yet
 *      while ((r = otter_update_step(&up)) == OTTER_UPDATE_MORE)
 *          feed_watchdog_and_yield();           // each step is bounded
 *      if (r == 0) r = otter_update_finish(&up);  // verified: one otadata write
 *      if (r < 0) log(otter_update_diagnose(&up, buf, sizeof buf));
 *      otter_update_free(&up);
 *
 *    otter_update_status() and otter_update_detail() say where it is and
 *    why it stopped; otter_update_abort() stops it (a later begin() with the
 *    same URL resumes). The new app boots next on probation.
 *
 * 2. Confirm or roll back, on the first boot of the new app (otter/boot.h,
 *    an otter_boot_t from otter_boot_init() and otter_boot_set_running(),
 *    also what cfg.boot wants): otter_boot_mark_valid() once its self-test passed, or
 *    otter_boot_mark_invalid_rollback() and a reboot to go back. An app that
 *    neither confirms nor rolls back is rolled back by the next boot.
 *
 * 3. Ports the app fills (a struct of function pointers plus ctx each;
 *    docs/PORTING.md): otter/flash.h, otter/transport.h (TCP),
 *    otter/clock.h; TLS over that transport with the app's trust:
 *    otter/tls.h. The partition table is read with otter_ptable_read()
 *    (otter/partition.h). Errors: otter/error.h (otter_strerror()).
 *
 * Also for firmware: otter/https_ota.h, the same engine behind
 * Arduino-ESP32's HttpsOTAUpdate calls; a fleet's signed release index:
 * otter/index_poll.h (poll, verify, decide, in bounded steps; then the
 * engine with policy.expect_size / expect_sha256 from its result),
 * otter/index_record.h (the power-safe record it keeps) and
 * otter/index_trust.h (the TLS trust set an index carries, A/B in flash).
 *
 * Not for the app:
 *   - the bootloader and the simulator: otter_boot_select(),
 *     otter_boot_peek() (otter/boot.h), otter/otadata.h, otter/verify.h;
 *   - host tools (the otter CLI, tests): otter/host/ (partition CSV and
 *     writing tables, sealing signature blocks, TLS reports as text and
 *     JSON), otter_update_journal_peek(), and the engine's decisions as
 *     pure functions, otter_update_check_head() and otter_update_decide();
 *   - building blocks the engine is made of, public for tools and for other
 *     transports: otter/http.h, otter/url.h, otter/proxy.h, otter/image.h,
 *     otter/sigblock.h, otter/crypto.h, otter/tls_report.h,
 *     otter/tls_collect.h, otter/bytes.h, otter/config.h. */
#ifndef OTTER_OTTER_H
#define OTTER_OTTER_H

#include "otter/boot.h"
#include "otter/clock.h"
#include "otter/error.h"
#include "otter/flash.h"
#include "otter/partition.h"
#include "otter/tls.h"
#include "otter/transport.h"
#include "otter/update.h"

#endif
