/* What the README's C snippets assume the surrounding firmware has (its
 * ports, trust, callbacks, buffers), declared for tests/test_readme_c.sh so
 * that each snippet compiles as written. Only standard headers are included
 * here: the otter types come from the headers the snippet itself includes
 * (declarations appear for the headers it pulled in), so a header that does
 * not include what its API names still fails to compile. */
#include <stdint.h>
#include <stdio.h>

#ifdef OTTER_TRANSPORT_H
extern otter_transport_t tls_transport, tcp, tls;
#endif
#ifdef OTTER_CLOCK_H
extern otter_clock_t clock;
#endif
#ifdef OTTER_UPDATE_H
extern otter_flash_t flash;
extern otter_ptable_t ptable;
extern otter_boot_t boot;
extern uint8_t running_slot; /* what the platform says the code runs from */
extern otter_tls_report_t tls_report;
extern const uint8_t efuse_digests[1][32];
void on_event(void *ctx, const otter_update_event_t *ev);
void vTaskDelay(int ticks);
#endif
void consume(const uint8_t *data, int len);
extern const char *url, *saved_etag;
extern uint64_t resume_at;
