/*
 * A lane's TCP connections, on its collector's lcore (tcp_lane.h). Each
 * attempt the generator issued becomes a query on a connection (or, with
 * --tcp-queries 0 and --tcp-stress half-open, a connection of its own);
 * each answer is matched to the attempt its connection carries under that
 * ID. No allocation but mbufs from the lane's pool, no lock, no syscall.
 */
#include "engine/tcp_lane.h"

#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "core/count.h"
#include "core/hash.h"
#include "engine/col.h"
#include "engine/match.h"
#include "wire/compose.h"
#include "wire/frame_parse.h"
#include "wire/response.h"

/* Attempts handed to connections per step: a burst's worth keeps RX polled. */
#define DV_TCP_HAND_MAX 256
/* Timer work per step (tcp/table.h: a connection looked at or a wheel slot passed). */
#define DV_TCP_TIMER_BUDGET 512

/* The ID of attempt seq on the wire: a bijection of seq mod 65536, so the
 * queries a connection carries at once differ unless 65536 apart. */
static inline uint16_t tcp_id(uint64_t seq)
{
	return (uint16_t)(seq * 0x9e37u + 0x5bd1u);
}

static void lane_flush(struct dv_tcp_lane *t)
{
	if (t->nout == 0)
		return;
	unsigned n = rte_ring_sp_enqueue_burst(t->tx, (void **)t->out, t->nout, NULL);
	if (n < t->nout) {
		/* The generator is behind: lost like frames on a wire, retransmitted. */
		t->frames_lost += t->nout - n;
		rte_pktmbuf_free_bulk(t->out + n, t->nout - n);
	}
	t->nout = 0;
}

static void ops_send(void *ctx, uint32_t conn, uint16_t addr, uint16_t port,
		     const struct dv_tcp_seg *seg)
{
	struct dv_tcp_side *sd = ctx;
	struct dv_tcp_lane *t = sd->ln;
	(void)conn;
	struct rte_mbuf *m = rte_pktmbuf_alloc(t->pool);
	if (m == NULL) {
		t->frames_lost++;
		return;
	}
	uint8_t *dst = rte_pktmbuf_mtod(m, uint8_t *);
	size_t room = rte_pktmbuf_tailroom(m);
	const struct dv_src *src = sd->nsrc != 0 && addr < sd->nsrc ? &sd->srcs[addr] : NULL;
	uint16_t len = dv_tcp_build(dst, room, &sd->tmpl, src, port, t->dport, seg);
	if (len == 0) {
		rte_pktmbuf_free(m);
		t->frames_lost++;
		return;
	}
	m->data_len = len;
	m->pkt_len = len;
	t->out[t->nout++] = m;
	if (t->nout == DV_BURST_MAX)
		lane_flush(t);
}

/* The attempt a connection carries under this ID, or NULL. */
static struct dv_tcp_pend *pend_find(struct dv_tcp_side *sd, uint32_t conn, uint16_t id)
{
	struct dv_tcp_pend *p = &sd->pend[(size_t)conn * sd->ln->pipeline];
	for (unsigned j = 0; j < sd->ln->pipeline; j++)
		if (p[j].used && p[j].id == id)
			return &p[j];
	return NULL;
}

static void pend_clear(struct dv_tcp_side *sd, uint32_t conn)
{
	memset(&sd->pend[(size_t)conn * sd->ln->pipeline], 0,
	       sd->ln->pipeline * sizeof(struct dv_tcp_pend));
}

/* Match one answer (or, in churn modes, an established connection) to its attempt. */
static void lane_answer(struct dv_tcp_side *sd, struct dv_tcp_pend *p,
			const struct dv_resp_info *ri)
{
	struct dv_tcp_lane *t = sd->ln;
	struct dv_col_lane *cl = t->cl;
	struct dv_col *c = cl->col;
	struct dv_match m;
	enum dv_outcome o = t->churn ? dv_inflight_lookup_seq(cl->ifl, p->seq, &m)
			    : dv_match_tcp_answer(cl->ifl, c->sh->qs, p->seq, ri, &m);
	p->used = 0;
	dv_col_outcome(c, cl, o, &m, ri, t->now, false);
}

static void on_message(struct dv_tcp_side *sd, const struct dv_tcp_event *ev)
{
	struct dv_tcp_lane *t = sd->ln;
	struct dv_col *c = t->cl->col;
	struct dv_resp_info ri;
	if (dv_response_parse_msg(ev->msg, ev->msg_len, ev->full_len, sd->family, &ri) != 0) {
		dv_count_add(&c->rx.unmatched, 1);
		return;
	}
	/* RFC 7828: the server says how long it keeps an idle connection. */
	uint16_t ka;
	if (dv_response_keepalive(ev->msg, ev->msg_len, &ka) == 0)
		dv_tcp_keepalive(sd->tbl, ev->conn, ka, t->now);
	struct dv_tcp_pend *p = pend_find(sd, ev->conn, ri.id);
	if (p == NULL) {
		dv_count_add(&c->rx.unmatched, 1);
		return;
	}
	lane_answer(sd, p, &ri);
}

/* Why a connection's end fails the attempts it still carried. */
static enum dv_tcp_fail fail_of(enum dv_tcp_ev k)
{
	switch (k) {
	case DV_TCP_EV_REFUSED:
		return DV_TCPF_REFUSED;
	case DV_TCP_EV_CONNECT_FAILED:
		return DV_TCPF_NO_SYNACK;
	case DV_TCP_EV_RESET:
		return DV_TCPF_RESET;
	case DV_TCP_EV_CLOSED:
		return DV_TCPF_CLOSED;
	default:
		return DV_TCPF_TIMEOUT; /* retransmissions ran out, a window shut for good */
	}
}

/* Attempt seq failed over TCP: its logical query learns it before the attempt's timer. */
static void lane_fail_attempt(struct dv_tcp_lane *t, uint64_t seq, enum dv_tcp_fail why)
{
	struct dv_col_lane *cl = t->cl;
	uint64_t tx;
	struct dv_attempt_id a;
	if (!t->churn && dv_inflight_read(cl->ifl, seq, &tx, &a))
		dv_seq_tcp_failed(cl->seq, &a, why, &cl->col->rx.seq);
}

static void lane_fail_pending(struct dv_tcp_side *sd, uint32_t conn, enum dv_tcp_fail why)
{
	struct dv_tcp_pend *p = &sd->pend[(size_t)conn * sd->ln->pipeline];
	for (unsigned j = 0; j < sd->ln->pipeline; j++)
		if (p[j].used)
			lane_fail_attempt(sd->ln, p[j].seq, why);
}

static void ops_event(void *ctx, const struct dv_tcp_event *ev)
{
	struct dv_tcp_side *sd = ctx;
	struct dv_tcp_lane *t = sd->ln;
	struct dv_col *c = t->cl->col;
	double ns = c->sh->ns_per_tick;
	switch (ev->kind) {
	case DV_TCP_EV_ESTABLISHED:
	case DV_TCP_EV_HALF_OPEN:
		dv_hist_add(&c->rx.tcp_handshake, (uint64_t)((double)ev->ticks * ns));
		if (t->churn) {
			/* A connection is the attempt: answered when its handshake is. */
			struct dv_tcp_pend *p = &sd->pend[(size_t)ev->conn * t->pipeline];
			static const struct dv_resp_info none = { .msg_len = 0 };
			if (p->used)
				lane_answer(sd, p, &none);
		}
		break;
	case DV_TCP_EV_MESSAGE:
		on_message(sd, ev);
		break;
	case DV_TCP_EV_PEER_FIN:
		dv_hist_add(&c->rx.tcp_server_idle, (uint64_t)((double)ev->ticks * ns));
		break;
	case DV_TCP_EV_REFUSED:
	case DV_TCP_EV_CONNECT_FAILED:
	case DV_TCP_EV_RESET:
	case DV_TCP_EV_TIMED_OUT:
	case DV_TCP_EV_ZERO_WINDOW:
	case DV_TCP_EV_CLOSED: {
		/* The end: its unanswered attempts time out in the in-flight walk; their
		 * logical queries go on to their next attempt now (or fail, with this reason). */
		const struct dv_tcp_conn *cn = dv_tcp_conn_at(sd->tbl, ev->conn);
		if (cn != NULL && !t->churn)
			dv_hist_add(&c->rx.tcp_conn_queries, cn->answered);
		lane_fail_pending(sd, ev->conn, fail_of((enum dv_tcp_ev)ev->kind));
		pend_clear(sd, ev->conn);
		break;
	}
	default:
		break;
	}
}

const struct dv_tcp_ops dv_tcp_lane_ops = { .send = ops_send, .event = ops_event };

/* The query of attempt seq, with its ID, into t->msg. @return its length */
static uint16_t lane_query(struct dv_tcp_lane *t, uint64_t seq, const struct dv_attempt_id *a,
			   uint16_t id)
{
	const struct dv_col_lane *cl = t->cl;
	const struct dv_shared *sh = cl->col->sh;
	const uint8_t *q;
	uint16_t qlen;
	(void)seq;
	const struct dv_check_msg *cm = dv_qsource_check(sh->qs, a->qidx);
	if (unlikely(cm != NULL))
		return dv_msg_compose(t->msg, cm->q.wire, cm->q.len, NULL, id); /* whole, with its own OPT */
	if (a->qidx == DV_QIDX_GENERATED) {
		uint8_t nlen = dv_qsource_name(sh->qs, dv_inflight_global(cl->ifl, a->lseq),
					       t->msg + DV_DNS_HLEN);
		qlen = dv_question_finish(t->msg, nlen, a->qtype);
		q = t->msg;
	} else {
		const struct dv_question *qq = &sh->qs->questions[a->qidx];
		q = qq->wire;
		qlen = qq->len;
	}
	bool dnssec_ok = dv_seq_lq(cl->seq, a->lseq)->ap.dnssec_ok;
	const struct dv_opt *opt = sh->pol->edns_size[a->edns_var] == 0
				   ? NULL : &sh->opt[a->edns_var][dnssec_ok];
	return dv_msg_compose(t->msg, q, qlen, opt, id);
}

/* Remember that connection conn carries attempt seq under id. */
static void pend_add(struct dv_tcp_side *sd, uint32_t conn, uint64_t seq, uint16_t id)
{
	struct dv_tcp_lane *t = sd->ln;
	struct dv_tcp_pend *p = &sd->pend[(size_t)conn * t->pipeline];
	struct dv_tcp_pend *free_p = NULL;
	for (unsigned j = 0; j < t->pipeline; j++) {
		if (!p[j].used) {
			if (free_p == NULL)
				free_p = &p[j];
		} else if (p[j].id == id) {
			t->id_clash++;
		}
	}
	/* Cannot be full: the connection takes at most K outstanding queries. */
	if (free_p != NULL)
		*free_p = (struct dv_tcp_pend){ .seq = seq, .id = id, .used = 1 };
}

/* Attempts the generator issued since the last step go to connections. */
static void lane_hand(struct dv_tcp_lane *t, uint64_t now)
{
	struct dv_inflight *ifl = t->cl->ifl;
	uint64_t sent = __atomic_load_n(&ifl->sent, __ATOMIC_ACQUIRE);
	unsigned n = 0;
	while (t->cursor < sent && n++ < DV_TCP_HAND_MAX) {
		uint64_t seq = t->cursor++;
		uint64_t tx;
		struct dv_attempt_id a;
		if (!dv_inflight_read(ifl, seq, &tx, &a))
			continue; /* cannot happen: published slots stay until resolved */
		if (a.transport != DV_TRANSPORT_TCP)
			continue; /* a UDP attempt: its frame went out from the generator */
		struct dv_tcp_side *sd = &t->side[a.family & 1];
		if (sd->tbl == NULL)
			continue;
		int conn;
		uint16_t id = tcp_id(seq);
		if (t->churn) {
			conn = dv_tcp_open(sd->tbl, now);
		} else {
			uint16_t len = lane_query(t, seq, &a, id);
			conn = dv_tcp_query(sd->tbl, t->msg, len, now);
		}
		/* Not sent (table full, no port: counted by the table): it times out. */
		if (conn >= 0)
			pend_add(sd, (uint32_t)conn, seq, id);
		else
			lane_fail_attempt(t, seq, DV_TCPF_NOT_SENT);
	}
}

/*
 * The drain's end: a connection that will get no more queries and waits for
 * none is closed the way its mode ends one (FIN; RST for reset and hold), so
 * that it ends on the wire while the generator still sends. Once, O(conns).
 */
static void lane_wind_down(struct dv_tcp_lane *t, uint64_t now)
{
	for (unsigned f = 0; f < DV_FAMILIES; f++) {
		struct dv_tcp_table *tb = t->side[f].tbl;
		if (tb == NULL)
			continue;
		for (uint32_t i = 0; i < tb->cfg.conns; i++) {
			const struct dv_tcp_conn *cn = dv_tcp_conn_at(tb, i);
			if (cn == NULL || (cn->state != DV_TCP_ESTABLISHED && cn->state != DV_TCP_CLOSE_WAIT) ||
			    cn->answered != cn->queued)
				continue;
			if (t->mode == DV_TCP_MODE_RST || t->mode == DV_TCP_MODE_HOLD) {
				if (dv_tcp_abort(tb, i, now) == 0)
					t->wind_resets++;
			} else
				dv_tcp_close(tb, i, now);
		}
	}
}

void dv_tcp_lane_step(struct dv_tcp_lane *t, uint64_t now)
{
	t->now = now;
	uint32_t wd = __atomic_load_n(&t->cl->col->sh->tcp_wind_down, __ATOMIC_ACQUIRE);
	if (unlikely(wd != t->wound_gen)) {
		t->wound_gen = wd;
		lane_wind_down(t, now);
	}
	lane_hand(t, now);
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		if (t->side[f].tbl != NULL)
			dv_tcp_timers_run(t->side[f].tbl, now, DV_TCP_TIMER_BUDGET);
	lane_flush(t);
}

static inline uint32_t addr_hash(const uint8_t *a, unsigned len)
{
	return (uint32_t)dv_fnv1a(DV_FNV_OFFSET, a, len);
}

int dv_tcp_side_rev_build(struct dv_tcp_side *sd, unsigned len)
{
	uint32_t size = 16;
	while (size < 2 * sd->nsrc)
		size *= 2;
	sd->rev = calloc(size, sizeof(*sd->rev));
	if (sd->rev == NULL)
		return -ENOMEM;
	sd->rev_mask = size - 1;
	for (uint32_t i = 0; i < sd->nsrc; i++) {
		uint32_t h = addr_hash(sd->srcs[i].addr, len) & sd->rev_mask;
		while (sd->rev[h] != 0)
			h = (h + 1) & sd->rev_mask;
		sd->rev[h] = (uint16_t)(i + 1);
	}
	return 0;
}

/* The address index of one of our source addresses, or UINT16_MAX (none: not ours). */
static uint16_t side_addr(const struct dv_tcp_side *sd, const uint8_t *a, unsigned len)
{
	if (sd->nsrc == 0)
		return 0;
	/* At most 2 x nsrc slots and half of them empty: the probe ends. */
	for (uint32_t h = addr_hash(a, len) & sd->rev_mask;; h = (h + 1) & sd->rev_mask) {
		uint16_t e = sd->rev[h];
		if (e == 0)
			return UINT16_MAX;
		if (memcmp(sd->srcs[e - 1].addr, a, len) == 0)
			return (uint16_t)(e - 1);
	}
}

void dv_tcp_lane_rx(struct dv_tcp_lane *t, const struct dv_tcp_view *v, uint64_t now)
{
	struct dv_tcp_side *sd = &t->side[v->family == AF_INET6];
	t->now = now;
	if (sd->tbl == NULL)
		return;
	uint16_t addr = side_addr(sd, v->daddr, v->family == AF_INET6 ? 16 : 4);
	dv_tcp_input(sd->tbl, addr, v->dport, &v->seg, now);
}

void dv_tcp_lane_stalled(struct dv_tcp_lane *t, uint64_t now)
{
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		if (t->side[f].tbl != NULL)
			dv_tcp_table_stalled(t->side[f].tbl, now);
}

void dv_tcp_lane_finish(struct dv_tcp_lane *t, uint64_t now)
{
	t->now = now;
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		if (t->side[f].tbl != NULL)
			dv_tcp_abort_all(t->side[f].tbl, now);
	lane_flush(t);
}

uint32_t dv_tcp_lane_live(const struct dv_tcp_lane *t)
{
	uint32_t n = 0;
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		if (t->side[f].tbl != NULL)
			n += dv_tcp_live(t->side[f].tbl);
	return n;
}

void dv_tcp_lane_sum(const struct dv_tcp_lane *t, struct dv_tcp_stats *s)
{
	for (unsigned f = 0; f < DV_FAMILIES; f++) {
		const struct dv_tcp_table *tb = t->side[f].tbl;
		if (tb == NULL)
			continue;
		const struct dv_tcp_counts *k = &tb->counts;
		s->opened += k->opened;
		s->established += k->established;
		s->refused += k->refused;
		s->failed += k->connect_failed;
		s->reset += k->reset_by_peer;
		s->server_closed += k->peer_fin;
		s->we_closed += k->closed[DV_TCP_WHY_FIN] + k->closed[DV_TCP_WHY_KEEPALIVE] +
				k->closed[DV_TCP_WHY_IDLE] + k->closed[DV_TCP_WHY_HOLD] +
				k->closed[DV_TCP_WHY_CALLER];
		s->we_reset += k->closed[DV_TCP_WHY_RST];
		s->timed_out += k->timed_out;
		s->zero_window += k->zero_window;
		s->half_open += k->half_open;
		s->open_at_end += k->closed[DV_TCP_WHY_ABORTED];
		s->no_conn += k->no_conn;
		s->no_port += k->no_port + k->port_quarantined;
		s->queries += k->queries;
		s->answers += k->answers;
		s->answers_long += k->answers_truncated;
		s->unanswered += k->unanswered;
		s->segs_in += k->segs_in;
		s->segs_out += k->segs_out;
		s->bytes_in += k->bytes_in;
		s->bytes_out += k->bytes_out;
		s->retransmits += k->retransmits + k->syn_retransmits;
		s->dup_segs += k->dup_segs;
		s->ooo_segs += k->ooo_segs;
		s->ooo_dropped += k->ooo_dropped;
		s->bad_segs += k->beyond_window + k->rst_ignored + k->bad_synack + k->bad_ack +
			       k->dropped;
		s->no_match += k->no_match;
	}
	/* Reset at the drain's end on purpose: ours, not left open (both are ABORTED to lib/tcp). */
	s->we_reset += t->wind_resets;
	s->open_at_end -= t->wind_resets;
	s->id_clash += t->id_clash;
	s->malformed += t->malformed;
	s->frames_lost += t->frames_lost;
}
