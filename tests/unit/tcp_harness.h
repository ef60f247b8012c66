/* The TCP unit tests' harness: a table whose segments and events are recorded. */
#pragma once

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/table.h"

#define H_SEGS 1024
#define H_EVS 1024
#define H_DATA 1600

struct h_seg {
	uint32_t conn;
	uint16_t addr, port;
	struct dv_tcp_seg seg;
	uint8_t data[H_DATA];
};

struct h_ev {
	struct dv_tcp_event ev;
	uint8_t msg[H_DATA];
};

struct harness {
	struct dv_tcp_table t;
	void *mem;
	struct h_seg seg[H_SEGS];
	struct h_ev ev[H_EVS];
	unsigned nseg, nev;            /**< recorded since the last h_clear() */
	uint64_t now;                  /**< the time hooks act at */
	/** Called after an event is recorded (to act from a callback). */
	void (*hook)(struct harness *h, const struct dv_tcp_event *ev);
};

static void h_send(void *ctx, uint32_t conn, uint16_t addr, uint16_t port, const struct dv_tcp_seg *seg)
{
	struct harness *h = ctx;
	ck_assert(seg->len == 0 || seg->data != NULL);
	if (h->nseg == H_SEGS)
		return;
	struct h_seg *s = &h->seg[h->nseg++];
	s->conn = conn;
	s->addr = addr;
	s->port = port;
	s->seg = *seg;
	if (seg->len > 0)
		memcpy(s->data, seg->data, seg->len < H_DATA ? seg->len : H_DATA);
}

static void h_event(void *ctx, const struct dv_tcp_event *ev)
{
	struct harness *h = ctx;
	if (h->nev < H_EVS) {
		struct h_ev *e = &h->ev[h->nev++];
		e->ev = *ev;
		if (ev->msg_len > 0)
			memcpy(e->msg, ev->msg, ev->msg_len < H_DATA ? ev->msg_len : H_DATA);
	}
	if (h->hook != NULL)
		h->hook(h, ev);
}

/* Test defaults: 1 tick = 1 ms, timers exact to the tick. */
static inline struct dv_tcp_cfg h_cfg(void)
{
	struct dv_tcp_cfg cfg;
	dv_tcp_cfg_default(&cfg, 1000);
	cfg.conns = 4;
	cfg.port_lo = 10000;
	cfg.port_hi = 10007;
	cfg.rto_min = 200;
	cfg.timer_res = 1;
	return cfg;
}

static inline void h_init(struct harness *h, const struct dv_tcp_cfg *cfg)
{
	static const struct dv_tcp_ops ops = { h_send, h_event };
	memset(h, 0, sizeof(*h));
	size_t size = dv_tcp_table_mem_size(cfg);
	ck_assert_uint_gt(size, 0);
	h->mem = malloc(size);
	ck_assert_ptr_nonnull(h->mem);
	ck_assert_int_eq(dv_tcp_table_init(&h->t, h->mem, size, cfg, &ops, h, 1, 0), 0);
}

static inline void h_fini(struct harness *h)
{
	ck_assert_ptr_null(dv_tcp_table_check(&h->t));
	free(h->mem);
	h->mem = NULL;
}

static inline void h_clear(struct harness *h)
{
	h->nseg = 0;
	h->nev = 0;
}

static inline const struct dv_tcp_conn *h_conn(struct harness *h, uint32_t i)
{
	return &h->t.conn[i];
}

/* A segment from the server to connection i at time now. */
static inline int h_in(struct harness *h, uint32_t i, uint8_t flags, uint32_t seq, uint32_t ack,
		       uint16_t win, const uint8_t *data, uint16_t len, uint64_t now)
{
	struct dv_tcp_seg s = { .seq = seq, .ack = ack, .win = win, .flags = flags, .mss = 0,
				.wscale = -1, .data = len ? data : NULL, .len = len };
	h->now = now;
	int rc = dv_tcp_input(&h->t, h->t.conn[i].addr, h->t.conn[i].port, &s, now);
	ck_assert_ptr_null(dv_tcp_table_check(&h->t));
	return rc;
}

static inline unsigned h_timers(struct harness *h, uint64_t now)
{
	h->now = now;
	unsigned n = dv_tcp_timers_run(&h->t, now, ~0u);
	ck_assert_ptr_null(dv_tcp_table_check(&h->t));
	return n;
}

/* The segment recorded at k: flags, seq, ack, window, payload length. */
#define CK_SEG(h, k, fl, sq, ak, wn, ln)                              \
	do {                                                          \
		ck_assert_uint_lt((k), (h)->nseg);                    \
		const struct dv_tcp_seg *s_ = &(h)->seg[k].seg;       \
		ck_assert_uint_eq(s_->flags, (fl));                   \
		ck_assert_uint_eq(s_->seq, (uint32_t)(sq));           \
		ck_assert_uint_eq(s_->ack, (uint32_t)(ak));           \
		ck_assert_uint_eq(s_->win, (wn));                     \
		ck_assert_uint_eq(s_->len, (ln));                     \
	} while (0)

#define CK_EV(h, k, kd)                                               \
	do {                                                          \
		ck_assert_uint_lt((k), (h)->nev);                     \
		ck_assert_uint_eq((h)->ev[k].ev.kind, (kd));          \
	} while (0)
