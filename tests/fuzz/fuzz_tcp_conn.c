/*
 * libFuzzer harness: the TCP client's connection table (tcp/table.h) driven
 * through a sequence of operations decoded from the input: opens, queries,
 * segments from the server, timers as time passes, keepalives, closes,
 * aborts, and the same from inside the table's callbacks. After every
 * operation dv_tcp_table_check() must pass and the table must agree with
 * what the harness saw; every segment sent must be sane. Any disagreement
 * aborts, so libFuzzer keeps the input.
 *
 * Input: 8 header bytes (a missing byte reads as 0) that pick the table's
 * configuration, then operations until the input ends (tcp_conn_seeds.py
 * writes inputs in this format):
 *   b0  mode = (b0 & 7) % 5; 0x08 hold_max 2 s (else until the end); 0x10
 *       idle_max 3 s (else none); 0x20 callbacks act (read one byte per
 *       event, below); 0x40 fin_wait_max 60 s (else 2 s); 0x80 RTO 100 ms
 *       initial, 1 ms minimum (else 1 s and 200 ms)
 *   b1  N = b1 & 7 queries per connection; K = 1 + (b1 >> 3 & 3); iw = 1 + (b1 >> 5)
 *   b2  rcvbuf {32, 100, 512, 4096}[b2 & 3]; prefix {1, 12, 64, 512}[b2 >> 2 & 3]
 *       (at most rcvbuf); query_max {1, 17, 64, 200}[b2 >> 4 & 3];
 *       sndbuf (query_max + 2) * (1 + (b2 >> 6))
 *   b3  mss {64, 100, 536, 1460}[b3 & 3]; mss_default 0x04 ? 64 : 536;
 *       syn_retries b3 >> 3 & 3; data_retries b3 >> 5 & 3; 0x80 rto_max 3 s (else 60 s)
 *   b4  1 + (b4 & 1) addresses; 1 + (b4 >> 1 & 15) ports from 20000;
 *       quarantine {0, 50 ms, 1 s, 60 s}[b4 >> 5 & 3]; 0x80 zwin_max 1.5 s (else 10 s)
 *   b5  timer_res {1, 3, 16, 100} ticks [b5 & 3]; timer_slots 2 << (b5 >> 2 & 7)
 *   b6  the table memory's offset from a 64-byte boundary (b6 & 63)
 *   b7  the ISN generator's seed
 * 8 connections, 1 tick = 1 ms. Operations: one byte, op & 15 the kind,
 * a = op >> 4; i = a & 7 a connection (with a & 8, send/keepalive/close/
 * abort read the index from a byte instead, possibly out of range):
 *   0 open                   1 query [len]            2 send on i [len]
 *   3-8, 15 a segment to i   9 advance [dt], then timers (budget a * 3, or all for a = 0)
 *   10 advance [dt]          11 keepalive i [t]       12 close i     13 abort i
 *   14 a < 4: abort all; else a segment to [addr] [port], maybe of no connection
 * [len]: one byte, mod query_max + 2 (0 and query_max + 1 are refused).
 * [dt]: t < 128: t ms; t < 192: (t - 128) * 64 ms; else (t - 192) * 2 s.
 * [t]: keepalive TIMEOUT in 100 ms units: t < 200: t, else (t - 200) * 1000.
 * A segment: [f] flags {ACK, ACK|PSH, FIN|ACK, SYN|ACK, RST, RST|ACK, SYN}[f & 7]
 * (7: a raw byte follows); seq (f >> 3 & 3): 0 RCV.NXT + [int8], 1 the
 * window's right edge - 8 + [byte & 15], 2 RCV.NXT + [int16], 3 [u32];
 * ack (f >> 5 & 3): 0 [o]: {SND.UNA, SND.NXT, SND.MAX, ISS + 1}[o & 3] +
 * (int8)o / 4, 1 SND.MAX, 2 SND.UNA - MAX.SND.WND + [int8], 3 [u32];
 * [w] window: w >> 6: 0 zero, 1 w & 63, 2 (w & 63) << 10, 3 65535;
 * with SYN, [m] MSS option m * 8 (0: none); with f & 0x80, [d] data:
 * d >> 6: 0 the next d & 63 input bytes; 1 a message: [L:16] declared,
 * then min(L, (d & 63) * 32) bytes of it; 2 (d & 63 + 1) * 24 bytes
 * (a message's middle); 3 1 + (d >> 3 & 7) whole messages of (d & 7) * 5 + 1 bytes.
 * Callbacks that act read [r] per event: r & 15: 0 send a query on the
 * event's connection, 1 close it, 2 abort it, 3 keepalive (r >> 4), 4 a
 * query, 5 abort, 6 close connection r >> 4 & 7, 7 a segment to connection
 * r >> 4 & 7 (its bytes follow), 8 timers, 9 open, 10 abort all; else nothing.
 * They nest at most two deep.
 *
 * Checked besides the table's invariants: every API call returns one of its
 * documented results (and the open errors only when the table or the ports
 * are really used up); every segment comes from a live connection's address
 * and port, carries RCV.NXT as its ACK and the receive buffer as its window,
 * no more than the MSS and the window (or one MSS resent), and data read
 * from the send ring at its place, the bytes that query put there; a FIN
 * sits at the end of the data; a connection's first SYN comes after the
 * previous one on its index ended, and each one ends exactly once, with
 * one final event; a message is delivered with its prefix in the
 * connection's own buffer; the table's counts add up (opened = ended +
 * live; queries = answered + unanswered + outstanding); after a timer run
 * with no budget limit nothing is overdue by a whole slot; nothing
 * allocates between the table's init and its end (malloc hooks), and
 * AddressSanitizer sees any access past a segment's data or a query (each
 * at the end of its own buffer) or past the table's memory (one allocation
 * per input, at the offset from a 64-byte boundary b6 picks: at 1 the
 * layout ends a byte before the allocation).
 *
 * DV_FUZZ_VERBOSE=1 prints every segment in and out and every event.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/table.h"

#define CONNS     8
#define PORT_LO   20000
#define OPS_MAX   1000
#define DEPTH_MAX 2    /* callbacks act, and those acts' callbacks act once more */
#define QMAX      200  /* the largest query_max of the header */
#define SEG_MAX   2048 /* the most data a segment gets (2 + 63 * 32) */
/* The queued bytes a segment may carry are the last sndbuf (808 at most); a
 * query's bytes are compared before they are committed: 808 + 202 < 1024. */
#define SHADOW    1024

#define REQUIRE(cond)                                                              \
	do {                                                                       \
		if (!(cond))                                                       \
			fail(__LINE__, #cond);                                     \
	} while (0)

/* What the harness knows of one connection index. */
struct shadow {
	bool live;        /**< its SYN was seen and its end not yet */
	uint32_t iss;
	uint32_t end;     /**< sequence number after the last queued byte */
	uint64_t dl;      /**< its deadline when last seen, and since when */
	uint64_t dl_at;
	uint8_t b[SHADOW]; /**< the queued bytes (length prefixes included), at seq % SHADOW */
};

static struct {
	const uint8_t *p;           /* the input not read yet */
	size_t n;
	struct dv_tcp_table t;
	struct dv_tcp_cfg cfg;
	uint32_t nkeys;
	uint64_t now;
	unsigned depth;             /* callbacks under way */
	bool react;
	uint8_t salt;               /* varies query bytes */
	const uint8_t *pend;        /* a query being queued: its bytes with the prefix */
	uint32_t pend_len;
	uint64_t ends;              /* final events */
	struct shadow sh[CONNS];
} F;

/* Buffers apart (ASan's redzones between them), one per call depth: a
 * callback's segment or query must not overwrite its caller's. */
static uint8_t seg0[SEG_MAX], seg1[SEG_MAX], seg2[SEG_MAX];
static uint8_t q0[QMAX + 3], q1[QMAX + 3], q2[QMAX + 3]; /* prefix + up to query_max + 1 */
static uint8_t *const segbuf[DEPTH_MAX + 1] = { seg0, seg1, seg2 };
static uint8_t *const qbuf[DEPTH_MAX + 1] = { q0, q1, q2 };
static uint8_t sink;
static bool verbose; /* DV_FUZZ_VERBOSE=1: print every segment and event */

/* Allocations counted while `counting` (this thread only). */
static __thread bool counting;
static __thread uint64_t allocs;

/* The sanitizers' hooks (weak: a build without a sanitizer has none). */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
					      void (*free_hook)(const volatile void *))
	__attribute__((weak));

static void on_malloc(const volatile void *p, size_t size)
{
	(void)p;
	(void)size;
	if (counting)
		allocs++;
}

static void on_free(const volatile void *p)
{
	(void)p;
}

static void fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_tcp_conn.c:%d: %s (now %llu, depth %u)\n", line, what,
		(unsigned long long)F.now, F.depth);
	abort();
}

static uint8_t rd8(void)
{
	if (F.n == 0)
		return 0;
	F.n--;
	return *F.p++;
}

static uint16_t rd16(void)
{
	uint16_t hi = rd8();
	return (uint16_t)(hi << 8 | rd8());
}

static uint32_t rd32(void)
{
	uint32_t hi = rd16();
	return hi << 16 | rd16();
}

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static uint32_t max32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

static const struct dv_tcp_conn *conn(uint32_t i)
{
	const struct dv_tcp_conn *c = dv_tcp_conn_at(&F.t, i);
	REQUIRE(c != NULL);
	return c;
}

/* The byte a segment must carry at seq: queued before, or of the query being queued. */
static uint8_t queued_byte(const struct shadow *sh, uint32_t seq)
{
	if (dv_tcp_seq_lt(seq, sh->end)) {
		REQUIRE(sh->end - seq <= SHADOW);
		return sh->b[seq % SHADOW];
	}
	REQUIRE(F.pend != NULL && seq - sh->end < F.pend_len);
	return F.pend[seq - sh->end];
}

static void on_send(void *ctx, uint32_t i, uint16_t addr, uint16_t port, const struct dv_tcp_seg *s)
{
	(void)ctx;
	const struct dv_tcp_cfg *cfg = &F.cfg;
	const struct dv_tcp_conn *c = conn(i);
	struct shadow *sh = &F.sh[i];
	if (verbose)
		fprintf(stderr, "%8llu out  conn %u flags %02x seq %u ack %u win %u len %u\n",
			(unsigned long long)F.now, i, s->flags, s->seq, s->ack, s->win, s->len);
	REQUIRE(c->state != DV_TCP_CLOSED);
	REQUIRE(addr == c->addr && port == c->port && dv_tcp_lookup(&F.t, addr, port) == i);
	REQUIRE((s->len == 0) == (s->data == NULL));
	REQUIRE(c->mss <= cfg->mss && s->len <= c->mss && s->wscale == -1);
	if (s->flags & DV_TCP_SYN) {
		REQUIRE(s->flags == DV_TCP_SYN && s->len == 0 && s->seq == c->iss &&
			s->mss == cfg->mss && s->win == cfg->rcvbuf && c->state == DV_TCP_SYN_SENT);
		if (!sh->live) { /* a new connection on this index */
			sh->live = true;
			sh->iss = c->iss;
			sh->end = c->iss + 1;
			sh->dl = 0; /* none seen yet */
		}
		REQUIRE(sh->iss == c->iss); /* else a new one began before the old one ended */
		return;
	}
	REQUIRE(sh->live && s->mss == 0);
	REQUIRE((s->flags & DV_TCP_ACK) ? s->ack == dv_tcp_conn_rcv_nxt(c) : s->ack == 0);
	if (s->flags & DV_TCP_RST) {
		REQUIRE(s->win == 0 && s->len == 0 && !(s->flags & DV_TCP_FIN));
		return;
	}
	REQUIRE(s->win == cfg->rcvbuf && c->state != DV_TCP_SYN_SENT && (s->flags & DV_TCP_ACK));
	if (s->len > 0) {
		uint32_t off = s->seq - c->sbuf_seq;
		REQUIRE(off < c->sbuf_len && s->len <= c->sbuf_len - off);
		REQUIRE(s->data == c->sbuf + (c->sbuf_head + off) % cfg->sndbuf);
		REQUIRE(s->data + s->len <= c->sbuf + cfg->sndbuf);
		/* In the window, or one MSS resent from SND.UNA. */
		uint32_t wnd = min32(c->snd_wnd, (uint32_t)cfg->iw * c->mss);
		REQUIRE(s->seq + s->len - c->snd_una <= max32(wnd, c->mss));
		for (uint16_t k = 0; k < s->len; k++)
			REQUIRE(s->data[k] == queued_byte(sh, s->seq + k));
	}
	if (s->flags & DV_TCP_FIN)
		REQUIRE((c->flags & DV_TCP_CF_FIN_QUEUED) && s->seq + s->len == c->fin_seq);
}

static void act(uint32_t self);

static void on_event(void *ctx, const struct dv_tcp_event *ev)
{
	(void)ctx;
	const struct dv_tcp_cfg *cfg = &F.cfg;
	const struct dv_tcp_conn *c = conn(ev->conn);
	struct shadow *sh = &F.sh[ev->conn];
	if (verbose)
		fprintf(stderr, "%8llu ev   conn %u kind %u why %u msg %u/%u state %u\n",
			(unsigned long long)F.now, ev->conn, ev->kind, ev->why, ev->msg_len,
			ev->full_len, c->state);
	REQUIRE(sh->live && ev->kind <= DV_TCP_EV_CLOSED);
	if (ev->kind >= DV_TCP_EV_REFUSED) {
		REQUIRE(c->state == DV_TCP_CLOSED && ev->outstanding == c->queued - c->answered);
		REQUIRE(ev->kind != DV_TCP_EV_CLOSED || ev->why <= DV_TCP_WHY_ABORTED);
		sh->live = false;
		F.ends++;
	} else {
		REQUIRE(c->state != DV_TCP_CLOSED);
	}
	switch (ev->kind) {
	case DV_TCP_EV_ESTABLISHED:
		REQUIRE(c->state == DV_TCP_ESTABLISHED && cfg->mode != DV_TCP_MODE_HALF_OPEN);
		break;
	case DV_TCP_EV_HALF_OPEN:
		REQUIRE(c->state == DV_TCP_SYN_SENT && cfg->mode == DV_TCP_MODE_HALF_OPEN);
		break;
	case DV_TCP_EV_MESSAGE:
		REQUIRE(ev->full_len <= 65535 && ev->msg_len == min32(ev->full_len, cfg->prefix));
		if (ev->msg_len > 0) {
			REQUIRE(ev->msg >= c->rx.prefix && ev->msg + ev->msg_len <= c->rx.prefix + cfg->prefix);
			for (uint16_t k = 0; k < ev->msg_len; k++)
				sink ^= ev->msg[k];
		}
		break;
	case DV_TCP_EV_RETRANSMIT:
		REQUIRE(ev->nth >= 1 && ev->nth == c->retries);
		break;
	case DV_TCP_EV_PEER_FIN:
		REQUIRE(c->state == DV_TCP_CLOSE_WAIT && ev->outstanding == c->queued - c->answered);
		break;
	default:
		break;
	}
	if (F.react && F.depth < DEPTH_MAX) {
		F.depth++;
		act(ev->conn);
		F.depth--;
	}
}

/* Time forward by [dt]. */
static void advance(void)
{
	uint8_t t = rd8();
	uint64_t dt = t < 128 ? t : t < 192 ? (uint64_t)(t - 128) * 64 : (uint64_t)(t - 192) * 2000;
	F.now += dt;
}

/* A query of [len] bytes, its length prefix before it; the message ends its buffer. */
static const uint8_t *make_query(uint16_t *len)
{
	uint8_t *b = qbuf[F.depth];
	uint16_t n = (uint16_t)(rd8() % (F.cfg.query_max + 2));
	uint8_t *msg = b + sizeof(q0) - n;
	msg[-2] = (uint8_t)(n >> 8);
	msg[-1] = (uint8_t)n;
	F.salt = (uint8_t)(F.salt + 37);
	for (uint16_t k = 0; k < n; k++)
		msg[k] = (uint8_t)(F.salt + k * 11);
	*len = n;
	return msg;
}

/* A query the table took on connection i: its bytes are queued from sh->end on. */
static void commit(uint32_t i, const uint8_t *msg, uint16_t len)
{
	struct shadow *sh = &F.sh[i];
	REQUIRE(sh->live);
	for (uint32_t k = 0; k < (uint32_t)len + 2; k++)
		sh->b[(sh->end + k) % SHADOW] = msg[(int32_t)k - 2];
	sh->end += (uint32_t)len + 2;
}

static bool is_open_error(int rc)
{
	return rc == -ENOSPC || rc == -EADDRNOTAVAIL || rc == -EAGAIN;
}

/* An open error only when it is true: the table full, every key used, or the free ones resting. */
static void check_open_error(int rc, uint32_t live)
{
	if (rc == -ENOSPC)
		REQUIRE(live == CONNS);
	else if (rc == -EADDRNOTAVAIL)
		REQUIRE(live == F.nkeys && live < CONNS);
	else
		REQUIRE(rc == -EAGAIN && live < F.nkeys && live < CONNS);
}

static void do_open(void)
{
	uint32_t live = dv_tcp_live(&F.t);
	int rc = dv_tcp_open(&F.t, F.now);
	if (rc >= 0) {
		REQUIRE(rc < CONNS && F.sh[rc].live && conn((uint32_t)rc)->state == DV_TCP_SYN_SENT);
		REQUIRE(dv_tcp_live(&F.t) == live + 1);
	} else {
		REQUIRE(is_open_error(rc));
		check_open_error(rc, live);
	}
}

static void do_query(void)
{
	uint16_t len;
	const uint8_t *msg = make_query(&len);
	const uint8_t *pend = F.pend;
	uint32_t pend_len = F.pend_len, live = dv_tcp_live(&F.t);
	F.pend = msg - 2;
	F.pend_len = (uint32_t)len + 2;
	int rc = dv_tcp_query(&F.t, msg, len, F.now);
	F.pend = pend;
	F.pend_len = pend_len;
	if (F.cfg.queries == 0 || F.cfg.mode == DV_TCP_MODE_HALF_OPEN) {
		REQUIRE(rc == -EPIPE);
	} else if (len == 0 || len > F.cfg.query_max) {
		REQUIRE(rc == -EMSGSIZE);
	} else if (rc >= 0) {
		REQUIRE(rc < CONNS);
		commit((uint32_t)rc, msg, len);
	} else {
		/* A connection that can take it, or a new one: nothing else fails. */
		REQUIRE(is_open_error(rc));
		check_open_error(rc, live);
	}
}

static void do_send(uint32_t i)
{
	uint16_t len;
	const uint8_t *msg = make_query(&len);
	const uint8_t *pend = F.pend;
	uint32_t pend_len = F.pend_len;
	F.pend = msg - 2;
	F.pend_len = (uint32_t)len + 2;
	int rc = dv_tcp_send(&F.t, i, msg, len, F.now);
	F.pend = pend;
	F.pend_len = pend_len;
	if (i >= CONNS) {
		REQUIRE(rc == -EINVAL);
	} else if (conn(i)->state == DV_TCP_CLOSED && rc != 0) {
		REQUIRE(rc == -ENOTCONN);
	} else if (rc == 0) {
		REQUIRE(len >= 1 && len <= F.cfg.query_max);
		commit(i, msg, len);
	} else {
		REQUIRE(rc == -EMSGSIZE || rc == -EPIPE || rc == -EBUSY || rc == -ENOBUFS ||
			rc == -ENOTCONN);
		REQUIRE(rc != -EMSGSIZE || len == 0 || len > F.cfg.query_max);
	}
}

/* close, abort or keepalive: 0, -EINVAL (no such index) or -ENOTCONN (closed). */
static void check_end_rc(uint32_t i, bool closed_before, int rc)
{
	if (i >= CONNS)
		REQUIRE(rc == -EINVAL);
	else
		REQUIRE(rc == (closed_before ? -ENOTCONN : 0));
}

static bool closed(uint32_t i)
{
	return i >= CONNS || conn(i)->state == DV_TCP_CLOSED;
}

static void do_close(uint32_t i)
{
	bool was = closed(i);
	check_end_rc(i, was, dv_tcp_close(&F.t, i, F.now));
}

static void do_abort(uint32_t i)
{
	bool was = closed(i);
	int rc = dv_tcp_abort(&F.t, i, F.now);
	check_end_rc(i, was, rc);
	/* Ended at once, unless from its own callback (then when that call is done). */
	if (rc == 0 && !(conn(i)->flags & DV_TCP_CF_BUSY))
		REQUIRE(conn(i)->state == DV_TCP_CLOSED && !F.sh[i].live);
}

static void do_keepalive(uint32_t i)
{
	uint8_t t = rd8();
	uint16_t ka = t < 200 ? t : (uint16_t)((t - 200) * 1000);
	bool was = closed(i);
	check_end_rc(i, was, dv_tcp_keepalive(&F.t, i, ka, F.now));
}

static void do_abort_all(void)
{
	uint64_t opened = F.t.counts.opened;
	dv_tcp_abort_all(&F.t, F.now);
	/* Those open when it began all end; its callbacks may open new ones. */
	if (F.depth == 0)
		REQUIRE(dv_tcp_live(&F.t) <= F.t.counts.opened - opened);
}

static void do_timers(unsigned budget)
{
	dv_tcp_timers_run(&F.t, F.now, budget);
	if (F.depth > 0 || budget != UINT_MAX)
		return;
	/*
	 * Every slot that ended by now was run: no deadline is overdue by a
	 * whole slot, counted from the deadline or, when it was already past
	 * then, from when it was set (a deadline that changed in this call was
	 * set now).
	 */
	uint64_t res = F.cfg.timer_res;
	for (uint32_t i = 0; i < CONNS; i++) {
		uint64_t d = dv_tcp_deadline(&F.t, i);
		const struct shadow *sh = &F.sh[i];
		uint64_t from = d > sh->dl_at ? d : sh->dl_at;
		REQUIRE(d == DV_TCP_NEVER || d != sh->dl || from + res > F.now);
	}
}

/* [d]: the segment's data, at the end of this depth's buffer. @return its length */
static uint16_t make_data(const uint8_t **out)
{
	static uint8_t scratch[SEG_MAX];
	uint8_t d = rd8();
	uint32_t n = 0;
	switch (d >> 6) {
	case 0: /* raw input bytes */
		for (uint32_t k = 0; k < (d & 63u) && F.n > 0; k++)
			scratch[n++] = rd8();
		break;
	case 1: { /* a message's start: its length (up to 65535), then some of it */
		uint16_t len = rd16();
		uint32_t body = min32(len, (d & 63u) * 32);
		scratch[n++] = (uint8_t)(len >> 8);
		scratch[n++] = (uint8_t)len;
		for (uint32_t k = 0; k < body; k++)
			scratch[n++] = (uint8_t)(k * 7 + len);
		break;
	}
	case 2: /* a message's middle */
		for (uint32_t k = 0; k < ((d & 63u) + 1) * 24; k++)
			scratch[n++] = (uint8_t)(k * 13 + d);
		break;
	default: /* whole messages, several in one segment */
		for (uint32_t m = 0; m <= ((d >> 3) & 7u); m++) {
			uint32_t len = (d & 7u) * 5 + 1;
			scratch[n++] = 0;
			scratch[n++] = (uint8_t)len;
			for (uint32_t k = 0; k < len; k++)
				scratch[n++] = (uint8_t)(m + k);
		}
		break;
	}
	uint8_t *dst = segbuf[F.depth] + SEG_MAX - n;
	memcpy(dst, scratch, n);
	*out = dst;
	return (uint16_t)n;
}

/* A segment from the server to (addr, port), its numbers relative to connection c's. */
static void segment_to(const struct dv_tcp_conn *c, uint16_t addr, uint16_t port)
{
	static const uint8_t flagset[7] = {
		DV_TCP_ACK, DV_TCP_ACK | DV_TCP_PSH, DV_TCP_FIN | DV_TCP_ACK, DV_TCP_SYN | DV_TCP_ACK,
		DV_TCP_RST, DV_TCP_RST | DV_TCP_ACK, DV_TCP_SYN,
	};
	uint8_t f = rd8();
	struct dv_tcp_seg s = { .flags = (f & 7) == 7 ? rd8() : flagset[f & 7], .wscale = -1 };
	uint32_t rnxt = dv_tcp_conn_rcv_nxt(c);
	switch ((f >> 3) & 3) {
	case 0: s.seq = rnxt + (uint32_t)(int8_t)rd8(); break;
	case 1: s.seq = rnxt + F.cfg.rcvbuf - 8 + (rd8() & 15u); break;
	case 2: s.seq = rnxt + (uint32_t)(int16_t)rd16(); break;
	default: s.seq = rd32(); break;
	}
	switch ((f >> 5) & 3) {
	case 0: {
		uint8_t o = rd8();
		const uint32_t base[4] = { c->snd_una, c->snd_nxt, c->snd_max, c->iss + 1 };
		s.ack = base[o & 3] + (uint32_t)((int8_t)o / 4);
		break;
	}
	case 1: s.ack = c->snd_max; break;
	case 2: s.ack = c->snd_una - c->max_wnd + (uint32_t)(int8_t)rd8(); break;
	default: s.ack = rd32(); break;
	}
	uint8_t w = rd8();
	static const uint16_t unit[4] = { 0, 1, 1024, 0 };
	s.win = (w >> 6) == 3 ? 65535 : (uint16_t)((w & 63u) * unit[w >> 6]);
	if (s.flags & DV_TCP_SYN)
		s.mss = (uint16_t)(rd8() * 8);
	if (f & 0x80)
		s.len = make_data(&s.data);
	if (s.len == 0)
		s.data = NULL;

	uint32_t i = dv_tcp_lookup(&F.t, addr, port);
	bool busy = i != DV_TCP_NONE && (conn(i)->flags & DV_TCP_CF_BUSY);
	if (verbose)
		fprintf(stderr, "%8llu in   conn %u flags %02x seq %u ack %u win %u len %u\n",
			(unsigned long long)F.now, i, s.flags, s.seq, s.ack, s.win, s.len);
	int rc = dv_tcp_input(&F.t, addr, port, &s, F.now);
	REQUIRE(rc == (i == DV_TCP_NONE ? -ENOENT : busy ? -EBUSY : 0));
}

static void segment(uint32_t i)
{
	const struct dv_tcp_conn *c = conn(i);
	segment_to(c, c->addr, c->port);
}

/* Any (address, port), in the table's range or just outside it. */
static void segment_anywhere(uint32_t i)
{
	uint16_t addr = (uint16_t)(rd8() % (F.cfg.naddr + 1));
	uint16_t port = (uint16_t)(PORT_LO - 1 + rd8() % (F.nkeys / F.cfg.naddr + 2));
	segment_to(conn(i), addr, port);
}

/* A connection index: i, or with the flag a byte (maybe no connection's). */
static uint32_t index_of(unsigned a)
{
	return (a & 8) ? rd8() : a & 7;
}

static void act(uint32_t self)
{
	uint8_t r = rd8();
	uint32_t other = (r >> 4) & 7;
	switch (r & 15) {
	case 0: do_send(self); break;
	case 1: do_close(self); break;
	case 2: do_abort(self); break;
	case 3: {
		bool was = closed(self);
		check_end_rc(self, was, dv_tcp_keepalive(&F.t, self, r >> 4, F.now));
		break;
	}
	case 4: do_query(); break;
	case 5: do_abort(other); break;
	case 6: do_close(other); break;
	case 7: segment(other); break;
	case 8: dv_tcp_timers_run(&F.t, F.now, UINT_MAX); break;
	case 9: do_open(); break;
	case 10: do_abort_all(); break;
	default: break;
	}
}

/* After each operation: the table's invariants, and the harness's view of it. */
static void check_all(void)
{
	const char *bad = dv_tcp_table_check(&F.t);
	if (bad != NULL)
		fail(__LINE__, bad);
	const struct dv_tcp_counts *n = &F.t.counts;
	uint32_t live = 0;
	uint64_t outstanding = 0;
	for (uint32_t i = 0; i < CONNS; i++) {
		const struct dv_tcp_conn *c = conn(i);
		const struct shadow *sh = &F.sh[i];
		REQUIRE(sh->live == (c->state != DV_TCP_CLOSED));
		if (!sh->live)
			continue;
		live++;
		outstanding += c->queued - c->answered;
		REQUIRE(c->iss == sh->iss && c->sbuf_seq + c->sbuf_len == sh->end);
		REQUIRE(!(c->flags & DV_TCP_CF_FIN_QUEUED) || c->fin_seq == sh->end);
		if (dv_tcp_deadline(&F.t, i) != sh->dl) {
			F.sh[i].dl = dv_tcp_deadline(&F.t, i);
			F.sh[i].dl_at = F.now;
		}
	}
	REQUIRE(live == dv_tcp_live(&F.t));
	REQUIRE(n->opened == F.ends + live);
	REQUIRE(n->queries == n->answers - n->answers_unsolicited + n->unanswered + outstanding);
}

static void config(void)
{
	uint8_t b[6];
	for (unsigned k = 0; k < 6; k++)
		b[k] = rd8();
	static const uint16_t rcvbuf[4] = { 32, 100, 512, 4096 }, prefix[4] = { 1, 12, 64, 512 },
			      qmax[4] = { 1, 17, 64, 200 }, mss[4] = { 64, 100, 536, 1460 };
	static const uint64_t quarantine[4] = { 0, 50, 1000, 60000 }, res[4] = { 1, 3, 16, 100 };
	struct dv_tcp_cfg *c = &F.cfg;
	dv_tcp_cfg_default(c, 1000);
	c->conns = CONNS;
	c->mode = (enum dv_tcp_mode)((b[0] & 7) % 5);
	c->hold_max = (b[0] & 0x08) ? 2000 : 0;
	c->idle_max = (b[0] & 0x10) ? 3000 : 0;
	F.react = b[0] & 0x20;
	c->fin_wait_max = (b[0] & 0x40) ? 60000 : 2000;
	c->rto_init = (b[0] & 0x80) ? 100 : 1000;
	c->rto_min = (b[0] & 0x80) ? 1 : 200;
	c->queries = b[1] & 7;
	c->pipeline = (uint16_t)(1 + ((b[1] >> 3) & 3));
	c->iw = (uint16_t)(1 + (b[1] >> 5));
	c->rcvbuf = rcvbuf[b[2] & 3];
	c->prefix = prefix[(b[2] >> 2) & 3] < c->rcvbuf ? prefix[(b[2] >> 2) & 3] : c->rcvbuf;
	c->query_max = qmax[(b[2] >> 4) & 3];
	c->sndbuf = (uint16_t)((c->query_max + 2) * (1 + (b[2] >> 6)));
	c->mss = mss[b[3] & 3];
	c->mss_default = (b[3] & 0x04) ? 64 : 536;
	c->syn_retries = (b[3] >> 3) & 3;
	c->data_retries = (b[3] >> 5) & 3;
	c->rto_max = (b[3] & 0x80) ? 3000 : 60000;
	c->naddr = (uint16_t)(1 + (b[4] & 1));
	c->port_lo = PORT_LO;
	c->port_hi = (uint16_t)(PORT_LO + ((b[4] >> 1) & 15));
	c->quarantine = quarantine[(b[4] >> 5) & 3];
	c->zwin_max = (b[4] & 0x80) ? 1500 : 10000;
	c->timer_res = res[b[5] & 3];
	c->timer_slots = 2u << ((b[5] >> 2) & 7);
	F.nkeys = (uint32_t)c->naddr * (uint32_t)(c->port_hi - c->port_lo + 1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *v = getenv("DV_FUZZ_VERBOSE");
	verbose = v != NULL && v[0] == '1';
	if (__sanitizer_install_malloc_and_free_hooks != NULL)
		__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct dv_tcp_ops ops = { on_send, on_event };
	memset(&F, 0, sizeof(F));
	F.p = data;
	F.n = size;
	config();
	uint8_t off = rd8() & 63;
	uint64_t seed = rd8();
	if (dv_tcp_cfg_check(&F.cfg) != 0)
		fail(__LINE__, "the header made a configuration the table refuses");

	/* One allocation; at 1 past a 64-byte boundary the layout ends 1 byte before its end. */
	size_t size_mem = dv_tcp_table_mem_size(&F.cfg);
	void *block = NULL;
	if (size_mem == 0 || posix_memalign(&block, 64, size_mem + off) != 0)
		abort();
	uint8_t *mem = (uint8_t *)block + off;
	F.now = 1000;
	if (dv_tcp_table_init(&F.t, mem, size_mem, &F.cfg, &ops, NULL, seed, F.now) != 0)
		fail(__LINE__, "dv_tcp_table_init");
	check_all();
	allocs = 0;
	counting = true;

	for (unsigned ops_done = 0; F.n > 0 && ops_done < OPS_MAX; ops_done++) {
		uint8_t op = rd8();
		unsigned a = op >> 4;
		switch (op & 15) {
		case 0: do_open(); break;
		case 1: do_query(); break;
		case 2: do_send(index_of(a)); break;
		case 9:
			advance();
			do_timers(a == 0 ? UINT_MAX : a * 3);
			break;
		case 10: advance(); break;
		case 11: do_keepalive(index_of(a)); break;
		case 12: do_close(index_of(a)); break;
		case 13: do_abort(index_of(a)); break;
		case 14:
			if (a < 4)
				do_abort_all();
			else
				segment_anywhere(a & 7);
			break;
		default: segment(a & 7); break;
		}
		check_all();
	}

	/* The end of a run (callbacks quiet): everything ends, exactly once, and the counts add up. */
	F.react = false;
	dv_tcp_abort_all(&F.t, F.now);
	check_all();
	REQUIRE(dv_tcp_live(&F.t) == 0 && F.t.counts.opened == F.ends);
	counting = false;
	REQUIRE(allocs == 0);
	free(block);
	return 0;
}
