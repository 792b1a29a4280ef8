/* otter update engine: what its source files share (private).
 *
 * update.c is the top: it owns the lifecycle and the phase machine and is
 * the only file that changes the phase on failure, starts over, or resets
 * another file's part of the state. Below it, each file owns one part of
 * otter_update_t and returns what happened instead of calling back up:
 *
 *   update.c --> update_write.c --> update_policy.c --> update_net.c
 *       \______________\________________\_________________^
 *
 * update_net.c    u->net   requests, resume, body reads
 * update_write.c  u->wr    erase, program, journal, re-hash, verify
 * update_policy.c u->pol   versions, rollback history, the decision, words
 *
 * Events leave through upd_event() below (a leaf: no file calls up to emit
 * one). */
#ifndef OTTER_UPDATE_PRIV_H
#define OTTER_UPDATE_PRIV_H

#include "otter/crypto.h"
#include "otter/update.h"
#include "update_journal.h"

/* Internal step results, above OTTER_UPDATE_MORE; never returned to the
 * caller: update.c acts on them. */
/* The file changed on the server (update_net.c): start over from byte 0. */
#define UPD_RESTART 2
/* The journal's download cannot be continued (update_write.c): forget it
 * and download from byte 0 with a fresh decision. */
#define UPD_GIVE_UP 3

static inline uint32_t upd_sector(const otter_update_t *u)
{
    return u->cfg.flash->sector_size;
}

/* Hand an event to the app's callback with the progress filled in. */
static inline void upd_event(const otter_update_t *u, otter_update_event_t *ev)
{
    if (!u->cfg.on_event)
        return;
    ev->done = u->st.done;
    ev->total = u->net.open_length ? 0 : u->st.total; /* 0: not known yet */
    u->cfg.on_event(u->cfg.event_ctx, ev);
}

/* update_net.c: the HTTP side (writes u->net). */
/* otter_http event callback (arg = the engine). */
void upd_net_http_event(void *arg, const otter_http_event_t *ev);
/* Advance the current request by one transport operation. Returns
 * OTTER_UPDATE_MORE while the head is not in or once the response was
 * accepted (phase moved on), UPD_RESTART (the file changed), or a negative
 * error. */
int upd_net_connect_step(otter_update_t *u);
/* One body read into buf (at most len bytes), fed to the image check.
 * Returns bytes, 0 (end of body), OTTER_ERR_HTTP_AGAIN, or a negative
 * error. */
int upd_net_read(otter_update_t *u, uint8_t *buf, size_t len);
/* A transport-level failure that a reconnect with Range can cure. */
bool upd_net_transient(int err);
/* Handle a transient failure: close, count the retry, go back to CONNECT.
 * Returns OTTER_UPDATE_MORE or err when out of retries. */
int upd_net_cut(otter_update_t *u, int err);
/* Set up the HTTP client from cfg (init) / forget everything (begin). */
void upd_net_init(otter_update_t *u);
void upd_net_begin(otter_update_t *u);
/* Start over: the next byte to receive is 0, the file is unknown. */
void upd_net_reset(otter_update_t *u);
/* Bytes [0, received) are in (re-hashed from flash, or none). */
void upd_net_rewind(otter_update_t *u, uint32_t received);
/* A journal's download continues: its validator (len bytes, NUL after). */
void upd_net_resume(otter_update_t *u, const char *validator, size_t len);
/* A body without a length ended: its length is what was received. */
void upd_net_body_ended(otter_update_t *u);
/* Read one byte past the expected end: 0 (the body ended there), > 0
 * (more bytes), OTTER_ERR_HTTP_AGAIN, or an error. */
int upd_net_probe(otter_update_t *u);
/* Close the connection (the request is over) / free the client. */
void upd_net_close(otter_update_t *u);
void upd_net_free(otter_update_t *u);

/* update_write.c: the flash side (writes u->wr). */
/* Program pending bytes into erased sectors (no erase). */
int upd_write_pending(otter_update_t *u);
/* Erase the next sector (or block) the pending bytes need. */
int upd_write_erase_next(otter_update_t *u);
/* One re-hash step of a resumed download: OTTER_UPDATE_MORE, UPD_GIVE_UP,
 * or a negative error. */
int upd_write_rehash(otter_update_t *u);
/* PREPARE phase: one step (erase the journal sector, then its header). */
int upd_write_prepare(otter_update_t *u);
/* Program the held-back first byte of a verified image (idempotent). */
int upd_write_first_byte(otter_update_t *u);
/* VERIFY phase: image verdict and signature sector. */
int upd_write_verify(otter_update_t *u);
/* data_buf[0, n) holds file bytes from file_off on, to be programmed. */
void upd_write_take(otter_update_t *u, uint32_t file_off, uint32_t n);
/* A journal of a previous run for this URL and slot can be continued
 * (loads u->wr.journal) / continue it (what is in flash is re-hashed). */
bool upd_write_journal_resumable(otter_update_t *u);
void upd_write_resume(otter_update_t *u);
/* Start over: nothing erased, pending or journalled for this download. */
void upd_write_reset(otter_update_t *u);
/* The download ends without a switch; abandon: its bytes are bad, so the
 * journal is given up (not resumed into). */
void upd_write_end(otter_update_t *u, bool abandon);
/* The switch is done: the journal says installed. */
void upd_write_installed(otter_update_t *u);

/* update_policy.c: the decision (writes u->pol). */
/* Read running version and the rolled-back version of the target slot. */
int upd_policy_load(otter_update_t *u);
/* The target slot holds an app newer than the running one (cheap check of
 * its first 288 bytes). */
bool upd_policy_slot_newer(otter_update_t *u);
/* The decision once the app description is known: 0 update,
 * OTTER_UPDATE_MORE up to date, or a negative error (detail filled). */
int upd_policy_decide(otter_update_t *u);
/* Start over: nothing decided yet; the whole-file hash starts again
 * (a failure to start it leaves it off, and the check then fails closed). */
void upd_policy_reset(otter_update_t *u);
/* Forget everything (begin) / wipe the hash state (free). */
void upd_policy_clear(otter_update_t *u);
void upd_policy_free(otter_update_t *u);
/* What the release index named (policy.expect_size, expect_sha256)
 * against the whole file: 0, OTTER_ERR_UPD_SIZE_MISMATCH,
 * OTTER_ERR_UPD_DIGEST_MISMATCH (detail filled) or OTTER_ERR_CRYPTO.
 * Finishes the hash: call once, when every byte has been fed. */
int upd_policy_expected(otter_update_t *u);

/* Every file byte goes through here, once and in file order (the network
 * reads of update_net.c, the re-hash of a resumed download in
 * update_write.c): the streaming image check, and the whole-file hash
 * when the policy names a SHA-256. A leaf, like upd_event(). */
static inline int upd_feed(otter_update_t *u, const uint8_t *buf, size_t n)
{
    int ret = otter_image_feed(&u->img, buf, n);
    if (ret >= 0 && u->pol.file_sha_live && otter_sha256_update(&u->pol.file_sha, buf, n) != 0) {
        u->pol.file_sha_live = false; /* the check at the end fails closed */
    }
    return ret;
}

#endif
