/* otter update engine: what its source files share (private). */
#ifndef OTTER_UPDATE_PRIV_H
#define OTTER_UPDATE_PRIV_H

#include "otter/update.h"

/* update.c */
void upd_event(otter_update_t *u, otter_update_event_t *ev);
int upd_fail(otter_update_t *u, int err);
uint32_t upd_sector(const otter_update_t *u);

/* update_net.c: the HTTP side. */
/* otter_http event callback (arg = the engine). */
void upd_net_http_event(void *arg, const otter_http_event_t *ev);
/* Advance the current request by one transport operation. Returns
 * OTTER_UPDATE_MORE while the head is not in, 0 when the response was
 * accepted (phase moved on), or a negative error. */
int upd_net_connect_step(otter_update_t *u);
/* One body read into data_buf + off (at most len bytes). Returns bytes,
 * 0 (end of body), OTTER_ERR_HTTP_AGAIN, or a negative error. */
int upd_net_read(otter_update_t *u, uint8_t *buf, size_t len);
/* A transport-level failure that a reconnect with Range can cure. */
bool upd_net_transient(int err);
/* Handle a transient failure: close, count the retry, go back to CONNECT.
 * Returns OTTER_UPDATE_MORE or err when out of retries. */
int upd_net_cut(otter_update_t *u, int err);

/* update_write.c: flash side. */
/* Program pending bytes into erased sectors (no erase). */
int upd_write_pending(otter_update_t *u);
/* Erase the next sector (or block) the pending bytes need. */
int upd_write_erase_next(otter_update_t *u);
/* One re-hash step of a resumed download. */
int upd_write_rehash(otter_update_t *u);
/* PREPARE phase: one step (erase the journal sector, then its header). */
int upd_write_prepare(otter_update_t *u);
/* Program the held-back first byte of a verified image (idempotent). */
int upd_write_first_byte(otter_update_t *u);
/* VERIFY phase: image verdict and signature sector. */
int upd_write_verify(otter_update_t *u);

/* update_policy.c */
/* Read running version and the rolled-back version of the target slot. */
int upd_policy_load(otter_update_t *u);
/* The target slot holds an app newer than the running one (cheap check of
 * its first 288 bytes). */
bool upd_policy_slot_newer(otter_update_t *u);
/* The decision once the app description is known: 0 update,
 * OTTER_UPDATE_MORE up to date, or a negative error (detail filled). */
int upd_policy_decide(otter_update_t *u);

#endif
