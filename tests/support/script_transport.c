/* Scripted in-memory transport and fake clock for tests (see script_transport.h). */
#include <stdio.h>
#include <string.h>

#include "otter/error.h"
#include "script_transport.h"

static uint64_t fake_now(void *ctx)
{
    return ((otter_fake_clock_t *)ctx)->now_ms;
}

static int64_t fake_wall(void *ctx)
{
    return ((otter_fake_clock_t *)ctx)->wall;
}

void otter_fake_clock_init(otter_fake_clock_t *fc, otter_clock_t *out)
{
    fc->now_ms = 1000;
    fc->wall = -1;
    out->now_ms = fake_now;
    out->wall_time = fake_wall;
    out->ctx = fc;
}

static void advance(otter_script_transport_t *s, uint32_t ms)
{
    if (s->clock != NULL)
        s->clock->now_ms += ms;
}

static int sc_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    otter_script_transport_t *s = ctx;
    s->connects++;
    snprintf(s->last_host, sizeof s->last_host, "%s", host ? host : "");
    s->last_port = port;
    s->last_connect_timeout = timeout_ms;
    s->connected = false;
    while (s->idx < s->nsteps && s->steps[s->idx].kind != OTTER_SCRIPT_ACCEPT)
        s->idx++;
    if (s->idx >= s->nsteps && s->loop)
        for (s->idx = 0; s->idx < s->nsteps && s->steps[s->idx].kind != OTTER_SCRIPT_ACCEPT;)
            s->idx++;
    if (s->idx >= s->nsteps)
        return OTTER_ERR_CONNECT;
    int err = s->steps[s->idx].err;
    s->idx++;
    s->off = 0;
    if (err == OTTER_ERR_TIMEOUT)
        advance(s, timeout_ms);
    s->connected = err == 0;
    return err;
}

static int sc_read(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    otter_script_transport_t *s = ctx;
    s->reads++;
    s->last_read_timeout = timeout_ms;
    if (!s->connected)
        return OTTER_ERR_NET_IO;
    advance(s, s->ms_per_read);
    while (s->idx < s->nsteps) {
        const otter_script_step_t *st = &s->steps[s->idx];
        if (st->kind == OTTER_SCRIPT_DELAY) {
            advance(s, st->ms);
            s->idx++;
        } else if (st->kind == OTTER_SCRIPT_WRITE_ERR) {
            s->idx++;
        } else if (st->kind == OTTER_SCRIPT_READ_ERR) {
            s->idx++;
            if (st->err == OTTER_ERR_TIMEOUT)
                advance(s, timeout_ms);
            return st->err;
        } else if (st->kind == OTTER_SCRIPT_DATA) {
            size_t n = st->len - s->off;
            if (n > len)
                n = len;
            if (s->max_read && n > s->max_read)
                n = s->max_read;
            if (n == 0) {
                s->idx++;
                s->off = 0;
                continue;
            }
            memcpy(buf, (const uint8_t *)st->data + s->off, n);
            s->off += n;
            s->bytes_read += n;
            if (s->off == st->len) {
                s->idx++;
                s->off = 0;
            }
            return (int)n;
        } else {
            break; /* ACCEPT: the next connection; this one is over */
        }
    }
    return OTTER_ERR_CLOSED;
}

static int sc_write(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    otter_script_transport_t *s = ctx;
    s->writes++;
    s->last_write_timeout = timeout_ms;
    if (!s->connected)
        return OTTER_ERR_NET_IO;
    if (s->idx < s->nsteps && s->steps[s->idx].kind == OTTER_SCRIPT_WRITE_ERR)
        return s->steps[s->idx++].err;
    size_t n = len;
    if (s->max_write && n > s->max_write)
        n = s->max_write;
    if (s->write_short_by && n > s->write_short_by)
        n -= s->write_short_by;
    for (size_t i = 0; i < n; i++, s->log_len++)
        if (s->log != NULL && s->log_len < s->log_cap)
            s->log[s->log_len] = buf[i];
    return (int)n;
}

static void sc_close(void *ctx)
{
    otter_script_transport_t *s = ctx;
    if (s->connected)
        s->closes++;
    s->connected = false;
}

void otter_script_init(otter_script_transport_t *s, const otter_script_step_t *steps, size_t n,
                       otter_transport_t *t)
{
    memset(s, 0, sizeof *s);
    s->steps = steps;
    s->nsteps = n;
    t->connect = sc_connect;
    t->read = sc_read;
    t->write = sc_write;
    t->close = sc_close;
    t->ctx = s;
}

bool otter_script_done(const otter_script_transport_t *s)
{
    return s->idx >= s->nsteps;
}
