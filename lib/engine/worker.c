/*
 * Generator and collector loops: the hot path.
 * No allocation (mbufs come from the preallocated pool), no lock, no syscall
 * (except the frugal sleep, when there is nothing to do), no ldns.
 */
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include "engine/lcore.h"
#include "engine/match.h"
#include "core/count.h"
#include "wire/fragment.h"
#include "wire/frame_parse.h"
#include "wire/icmp.h"
#include "wire/response.h"
#include "wire/arp_nd.h"
#include "wire/rss.h"

/* Longest frugal nap: bounds the RX timestamp error in frugal mode. */
#define DV_FRUGAL_MAX_NS 50000
/* Run the timeout walk at most this often (in microseconds). */
#define DV_EXPIRE_EVERY_US 100

void dv_frugal_sleep(uint64_t ns)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)ns };
	nanosleep(&ts, NULL);
}

static inline uint32_t load_flag(const uint32_t *f)
{
	return __atomic_load_n(f, __ATOMIC_ACQUIRE);
}

/* ---------------------------------------------------------------- generator */

static void gen_account(struct dv_gen *g, struct rte_mbuf *m, const struct dv_attempt_id *a,
			uint64_t now)
{
	dv_count_add(&g->tx.sent[a->family & 1], 1);
	dv_count_add(&g->tx.edns_sent[a->edns_var][a->family & 1], 1);
	dv_count_add(&g->tx.tx_bytes, m->pkt_len);
	if (g->tx.first_tx_tsc == 0)
		dv_count_set(&g->tx.first_tx_tsc, now);
	dv_count_set(&g->tx.last_tx_tsc, now);
}

/* Hand frames to the PMD; keep what it refuses for the next round (counted once, when new). */
static void gen_transmit(struct dv_gen *g, struct rte_mbuf **m, struct dv_pending_meta *meta,
			 unsigned n, uint64_t now, bool retry)
{
	uint16_t nb = rte_eth_tx_burst(g->port, g->queue, m, (uint16_t)n);
	for (unsigned i = 0; i < nb; i++)
		gen_account(g, m[i], &meta[i].a, now);
	unsigned left = n - nb;
	if (left > 0) {
		/* memmove: m/meta may already be the pending arrays */
		memmove(g->pending, m + nb, left * sizeof(*m));
		memmove(g->pmeta, meta + nb, left * sizeof(*meta));
		if (!retry)
			dv_count_add(&g->tx.tx_full, left);
	}
	g->npending = left;
}

/* Retry what the PMD refused last time; the slots stay published, with a fresh TX time. */
static bool gen_retry_pending(struct dv_gen *g, uint64_t now)
{
	if (g->npending == 0)
		return true;
	for (unsigned i = 0; i < g->npending; i++)
		dv_inflight_issue(g->lane[g->pmeta[i].lane].ifl, g->pmeta[i].seq, &g->pmeta[i].a, now);
	gen_transmit(g, g->pending, g->pmeta, g->npending, now, true);
	return g->npending == 0;
}

static void gen_finish(struct dv_gen *g)
{
	/* Frames already published must go out, or they would count as timeouts. */
	uint64_t give_up = rte_rdtsc() + g->sh->tsc_hz / 100;
	while (g->npending > 0 && rte_rdtsc() < give_up)
		gen_retry_pending(g, rte_rdtsc());
	if (g->npending > 0) {
		rte_pktmbuf_free_bulk(g->pending, g->npending);
		g->npending = 0;
	}
	dv_count_set(&g->tx.sched_slips, g->pace.slips);
	__atomic_store_n(&g->finished, 1, __ATOMIC_RELEASE);
}

/* Compose the frame of one attempt: its lane's header for its family, its question, its OPT. */
static uint16_t gen_compose(struct dv_gen *g, unsigned li, struct rte_mbuf *m,
			    const struct dv_attempt_id *a, bool dnssec_ok, uint16_t id, uint16_t sport)
{
	uint8_t *dst = rte_pktmbuf_mtod(m, uint8_t *);
	const struct dv_shared *sh = g->sh;
	unsigned gl = g->lane[li].global;
	const struct dv_l34_tmpl *t = &sh->l34[gl][a->family & 1];
	const uint8_t *q;
	uint16_t qlen;
	uint32_t qsum;

	if (a->qidx == DV_QIDX_GENERATED) {
		/* Straight into the frame: no copy of the name, none of the question. */
		uint8_t *dns = dst + t->l4_off + DV_UDP_HLEN;
		uint8_t nlen = dv_qsource_name(sh->qs, dv_inflight_global(g->lane[li].ifl, a->lseq),
					       dns + DV_DNS_HLEN);
		qlen = dv_question_finish(dns, nlen, a->qtype);
		qsum = dv_question_sum(dns, qlen);
		q = dns;
	} else {
		const struct dv_question *qq = &sh->qs->questions[a->qidx];
		q = qq->wire;
		qlen = qq->len;
		qsum = qq->sum;
	}
	const struct dv_opt *opt = sh->pol->edns_size[a->edns_var] == 0
				   ? NULL : &sh->opt[a->edns_var][dnssec_ok];
	const struct dv_src_pool *sp = &sh->srcs[gl][a->family & 1];
	const struct dv_src *src = sp->n == 0 ? NULL
				   : &sp->a[dv_rng_next(&g->rng) & (sp->n - 1)];
	/* The mbuf keeps its last frame between uses: the same template's headers need no copy. */
	uint32_t *tag = RTE_MBUF_DYNFIELD(m, sh->tmpl_tag_off, uint32_t *);
	uint32_t want = (gl << 1 | (a->family & 1u)) + 1;
	if (*tag == want)
		return dv_frame_recompose(dst, t, q, qlen, qsum, opt, id, sport, src);
	*tag = want;
	return dv_frame_compose(dst, t, q, qlen, qsum, opt, id, sport, src);
}

/* A new logical query: what it asks, and the plan of all its attempts. */
static void gen_create(struct dv_gen *g, const struct dv_lane *ln, uint64_t lseq, uint64_t now,
		       struct dv_attempt_id *a)
{
	const struct dv_shared *sh = g->sh;
	struct dv_lq *lq = dv_seq_lq(ln->seq, lseq);

	if (sh->qs->generated) {
		lq->qidx = DV_QIDX_GENERATED;
		lq->qtype = (uint16_t)dv_alias_pick(&sh->qs->qtypes, &g->rng);
	} else {
		lq->qidx = g->qcursor;
		lq->qtype = sh->qs->ql->q[g->qcursor].qtype;
		if (++g->qcursor == sh->qs->ql->n)
			g->qcursor = 0;
	}
	/* Alternation runs within each lane: with an even number of lanes, the run-wide
	 * number's parity would give each collector one family only. */
	dv_policy_draw(sh->pol, lseq + ln->global, &g->rng, &lq->ap);
	lq->tx_tsc[0] = now;
	dv_count_set(&g->tx.last_logical_tsc, now);
	*a = (struct dv_attempt_id){ .lseq = lseq, .qidx = lq->qidx, .qtype = lq->qtype,
				     .family = lq->ap.family[0], .attempt = 0,
				     .edns_var = lq->ap.edns_var[0] };
}

/* Attempt k of an existing logical query, as the collector asked. */
static void gen_next_attempt(struct dv_gen *g, const struct dv_lane *ln, uint64_t lseq, uint8_t k,
			     uint64_t now, struct dv_attempt_id *a)
{
	struct dv_lq *lq = dv_seq_lq(ln->seq, lseq);
	uint64_t prev = lq->tx_tsc[k - 1];
	dv_hist_add(&g->tx.gap, (uint64_t)((double)(now - prev) * g->sh->ns_per_tick));
	dv_count_add(&g->tx.retries, 1);
	lq->tx_tsc[k] = now;
	*a = (struct dv_attempt_id){ .lseq = lseq, .qidx = lq->qidx, .qtype = lq->qtype,
				     .family = lq->ap.family[k], .attempt = k,
				     .edns_var = lq->ap.edns_var[k] };
}

/**
 * One lane's share of a step: the retries its collector asked for, then up
 * to `fresh` new logical queries, in one burst.
 * @return new logical queries actually started
 */
static unsigned gen_lane(struct dv_gen *g, unsigned li, unsigned fresh, uint64_t now,
			 unsigned *frames)
{
	struct dv_lane *ln = &g->lane[li];
	struct dv_inflight *ifl = ln->ifl;
	struct dv_seq *seq = ln->seq;

	/* Room: in-flight slots for attempts, logical slots for new queries. */
	uint64_t seq0 = dv_inflight_next(ifl);
	uint64_t room = dv_inflight_room(ifl);
	unsigned cap = room < DV_BURST_MAX ? (unsigned)room : DV_BURST_MAX;
	/* Retries take at most a burst, and the schedule's new queries come on top:
	 * a burst of retries must not push them out of the step (they would be
	 * lost, counted as a full table, not merely late). */
	unsigned rcap = g->burst < cap ? g->burst : cap;

	/* Retries first: those carried over from a step without mbufs, then new requests. */
	uint64_t r_lseq[DV_BURST_MAX];
	uint8_t r_att[DV_BURST_MAX];
	unsigned nr = ln->ncarry < rcap ? ln->ncarry : rcap;
	if (unlikely(nr > 0)) {
		memcpy(r_lseq, ln->carry_lseq, nr * sizeof(*r_lseq));
		memcpy(r_att, ln->carry_att, nr * sizeof(*r_att));
		memmove(ln->carry_lseq, ln->carry_lseq + nr, (ln->ncarry - nr) * sizeof(*r_lseq));
		memmove(ln->carry_att, ln->carry_att + nr, (ln->ncarry - nr) * sizeof(*r_att));
		ln->ncarry -= nr;
	}
	if (rcap > nr && ln->ncarry == 0)
		nr += dv_seq_retries(seq, r_lseq + nr, r_att + nr, rcap - nr);

	uint64_t lq_room = dv_seq_room(seq);
	if (fresh > lq_room)
		fresh = (unsigned)lq_room;
	if (fresh > cap - nr)
		fresh = cap - nr;
	unsigned n = nr + fresh;
	if (n == 0)
		return 0;
	*frames += n;

	struct rte_mbuf *m[DV_BURST_MAX];
	struct dv_pending_meta meta[DV_BURST_MAX];
	if (rte_pktmbuf_alloc_bulk(g->pool, m, n) != 0) {
		/* No mbufs: the new queries are not sent (counted); the retries wait for the next step. */
		dv_count_add(&g->tx.alloc_fail, fresh);
		memmove(ln->carry_lseq + nr, ln->carry_lseq, ln->ncarry * sizeof(*r_lseq));
		memmove(ln->carry_att + nr, ln->carry_att, ln->ncarry * sizeof(*r_att));
		memcpy(ln->carry_lseq, r_lseq, nr * sizeof(*r_lseq));
		memcpy(ln->carry_att, r_att, nr * sizeof(*r_att));
		ln->ncarry += nr;
		return 0;
	}

	uint64_t created = seq->created;
	for (unsigned i = 0; i < n; i++) {
		struct dv_attempt_id *a = &meta[i].a;
		if (i < nr) {
			gen_next_attempt(g, ln, r_lseq[i], r_att[i], now, a);
		} else {
			gen_create(g, ln, created++, now, a);
			dv_count_add(&g->tx.logical, 1);
		}
		bool dnssec_ok = dv_seq_lq(seq, a->lseq)->ap.dnssec_ok;
		uint64_t aseq = seq0 + i;
		uint16_t sport, id;
		dv_inflight_wire_id(ifl, aseq, &sport, &id);
		uint16_t len = gen_compose(g, li, m[i], a, dnssec_ok, id,
					   sport);
		m[i]->data_len = len;
		m[i]->pkt_len = len;
		uint64_t olf = g->ol_flags[a->family & 1];
		if (olf != 0) {
			m[i]->ol_flags = olf;
			const struct dv_l34_tmpl *t = &g->sh->l34[ln->global][a->family & 1];
			m[i]->l2_len = t->l3_off;
			m[i]->l3_len = (uint16_t)(t->l4_off - t->l3_off);
		}
		dv_inflight_issue(ifl, aseq, a, now);
		meta[i].seq = aseq;
		meta[i].lane = (uint8_t)li;
	}
	/* Publish before TX: a response may come back before tx_burst returns. */
	dv_inflight_publish(ifl, seq0 + n);
	dv_seq_publish(seq, created);
	gen_transmit(g, m, meta, n, now, false);
	return fresh;
}

static bool gen_all_ended(const struct dv_gen *g)
{
	for (unsigned li = 0; li < g->nlanes; li++)
		if (!dv_seq_all_ended(g->lane[li].seq))
			return false;
	return true;
}

/**
 * One generator step: for each lane, the retries its collector asked for,
 * and a share of the new logical queries the schedule says are due.
 * @return TSC when something is next due (UINT64_MAX when finished)
 */
/* Send the ARP/ND answers the collectors of its port prepared (first generator of an arp-nd port). */
static void gen_ctl(struct dv_gen *g)
{
	struct rte_mbuf *m[DV_BURST_MAX];
	unsigned n = rte_ring_sc_dequeue_burst(g->ctl, (void **)m, DV_BURST_MAX, NULL);
	if (n == 0)
		return;
	uint16_t sent = rte_eth_tx_burst(g->port, g->queue, m, (uint16_t)n);
	if (sent < n)
		rte_pktmbuf_free_bulk(m + sent, n - sent);
	dv_count_add(&g->tx.ctl_sent, sent);
}

static uint64_t gen_step(struct dv_gen *g, uint64_t now)
{
	const struct dv_shared *sh = g->sh;

	/* Answers to ARP/ND go out as long as the run lasts, sending or draining. */
	if (g->ctl != NULL && g->npending == 0)
		gen_ctl(g);
	if (g->finished)
		return UINT64_MAX;
	if (!g->creating_done &&
	    (now >= sh->end_tsc || load_flag(&sh->stop_tx) ||
	     (g->quota != 0 && g->pace.n >= g->quota)))
		g->creating_done = true;
	if (!gen_retry_pending(g, now)) {
		/* A PMD that takes nothing (a link that never came up) must not hold the run:
		 * once sending time is over, what it refused is given up. */
		if (g->creating_done && (now >= sh->end_tsc + sh->tsc_hz / 10 || load_flag(&sh->stop_tx))) {
			gen_finish(g);
			return UINT64_MAX;
		}
		return now; /* PMD full: the schedule runs on and slips if this lasts */
	}
	if (g->creating_done &&
	    (gen_all_ended(g) || now >= sh->hard_end_tsc || load_flag(&sh->stop_tx))) {
		gen_finish(g);
		return UINT64_MAX;
	}

	unsigned due = 0;
	if (!g->creating_done) {
		due = dv_pace_due(&g->pace, now, g->burst);
		if (g->quota != 0 && g->pace.n + due > g->quota)
			due = (unsigned)(g->quota - g->pace.n);
	}
	dv_pace_advance(&g->pace, due);
	dv_count_set(&g->tx.sched_slips, g->pace.slips);

	/* New logical queries go round robin over the lanes (their collectors). */
	unsigned left = due, started = 0, frames = 0;
	for (unsigned k = 0; k < g->nlanes; k++) {
		unsigned li = (g->next_lane + k) % g->nlanes;
		unsigned share = (left + (g->nlanes - k) - 1) / (g->nlanes - k);
		unsigned got = gen_lane(g, li, share, now, &frames);
		left -= share;
		started += got;
	}
	g->next_lane = (g->next_lane + 1) % g->nlanes;
	/* --max: the table's room is the only limit, not a failure to keep up with a schedule. */
	if (started < due && !g->pace.unlimited)
		dv_count_add(&g->tx.inflight_full, due - started);
	if (frames > 0)
		dv_count_add(&g->tx.busy_tsc, rte_rdtsc() - now);

	if (g->creating_done)
		return due == 0 && started == 0 ? now + sh->tsc_hz / 10000 : now;
	if (g->pace.unlimited)
		return started > 0 ? now : now + sh->tsc_hz / 100000; /* table full: let answers come */
	return dv_pace_due_tsc(&g->pace, g->pace.n);
}

/* ---------------------------------------------------------------- collector */

static void col_on_timeout(void *ctx, uint64_t seq, const struct dv_attempt_id *a)
{
	struct dv_col_lane *ln = ctx;
	struct dv_col *c = ln->col;
	const struct dv_fail_note *n = &ln->notes[(uint32_t)seq & ln->ifl->mask];
	bool noted = n->seq == seq;
	enum dv_fail_col col = noted ? (enum dv_fail_col)n->reason : DV_FR_TIMEOUT;
	enum dv_size_class cls = noted && n->udp_len > 8 ? dv_size_class_of(n->udp_len - 8u)
							 : DV_SIZE_UNKNOWN;
	dv_count_add(&c->rx.timeouts[a->family & 1], 1);
	dv_count_add(&c->rx.edns[a->edns_var][a->family & 1].timeouts, 1);
	dv_count_add(&c->rx.fail[a->family & 1][a->edns_var][cls][col], 1);
}

/* The generator's lane a response to this port belongs to (ports are disjoint per lane). */
static inline struct dv_col_lane *col_lane_of(struct dv_col *c, uint16_t dport)
{
	for (unsigned i = 0; i < c->nlanes; i++) {
		const struct dv_inflight *t = c->lane[i].ifl;
		if ((uint16_t)(dport - t->sport_base) < t->nports)
			return &c->lane[i];
	}
	return NULL;
}

/* Note why an outstanding attempt will fail (the first reason found sticks). */
static void col_note(struct dv_col *c, uint16_t dport, uint16_t id, enum dv_fail_col reason,
		     uint16_t udp_len)
{
	struct dv_match m;
	struct dv_col_lane *ln = col_lane_of(c, dport);
	if (ln == NULL || dv_inflight_lookup(ln->ifl, dport, id, &m) != DV_OUT_ANSWERED)
		return;
	struct dv_fail_note *n = &ln->notes[(uint32_t)m.seq & ln->ifl->mask];
	if (n->seq == m.seq)
		return;
	*n = (struct dv_fail_note){ .seq = m.seq, .reason = (uint8_t)reason, .udp_len = udp_len };
}

static void col_on_lost_set(void *ctx, const struct dv_frag_verdict *v)
{
	struct dv_col *c = ctx;
	col_note(c, v->dport, v->dns_id, v->refused ? DV_FR_FRAG_DROP : DV_FR_LOST_FRAG, v->udp_len);
}

/*
 * --track-answers: copy a matched answer for the main lcore's consistency
 * tracker, at most trk_per_s a second. A copy (not an mbuf reference): the
 * message may live in the scratch buffers of a reassembled or chained frame,
 * and the RX pool keeps all its mbufs. Never blocks: no free buffer, a drop.
 */
static void col_sample(struct dv_col *c, const struct dv_resp_info *ri, uint64_t now)
{
	if (now >= c->trk_win_tsc + c->sh->tsc_hz) {
		c->trk_win_tsc = now;
		c->trk_win_n = 0;
	}
	if (c->trk_win_n >= c->trk_per_s)
		return;
	c->trk_win_n++;
	if (ri->dns_len > DV_TRACK_MSG_MAX) {
		c->trk_too_large++;
		return;
	}
	struct dv_sample *s;
	if (rte_ring_sc_dequeue(c->trk_free, (void **)&s) != 0) {
		c->trk_dropped++;
		return;
	}
	s->rx_tsc = now;
	s->len = ri->dns_len;
	memcpy(s->msg, ri->dns, ri->dns_len);
	/* Cannot fail: the ring holds every buffer there is. */
	rte_ring_sp_enqueue(c->trk_full, s);
}

static void col_answered(struct dv_col_lane *ln, const struct dv_match *m,
			 const struct dv_resp_info *ri, uint64_t now, bool reassembled)
{
	struct dv_col *c = ln->col;
	const struct dv_attempt_id *a = &m->a;
	struct dv_edns_rx *e = &c->rx.edns[a->edns_var][a->family & 1];
	enum dv_fail_col col = ri->tc ? DV_FR_TC : reassembled ? DV_FR_REASM : DV_FR_PLAIN;

	dv_inflight_answer(ln->ifl, m);
	dv_count_add(&c->rx.answered[a->family & 1], 1);
	dv_count_add(&c->rx.rcode[ri->rcode & 15], 1);
	dv_count_add(&c->rx.fail[a->family & 1][a->edns_var][dv_size_class_of(ri->dns_len)][col], 1);
	if (ri->tc) {
		dv_count_add(&c->rx.truncated, 1);
		dv_count_add(&e->truncated, 1);
	}
	dv_count_add(&e->answered, 1);
	dv_count_add(&e->resp_bytes, ri->dns_len);
	if (ri->dns_len < e->resp_min)
		dv_count_set(&e->resp_min, ri->dns_len);
	if (ri->dns_len > e->resp_max)
		dv_count_set(&e->resp_max, ri->dns_len);
	uint64_t ticks = now > m->tx_tsc ? now - m->tx_tsc : 0;
	dv_hist_add(&c->rx.latency, (uint64_t)((double)ticks * c->sh->ns_per_tick));
	dv_seq_answer(ln->seq, a, ri->tc != 0, &c->rx.seq);
	if (unlikely(c->trk_full != NULL))
		col_sample(c, ri, now);
}

static void col_dns(struct dv_col *c, const struct dv_resp_info *ri, uint64_t now, bool reassembled)
{
	struct dv_match m;
	struct dv_col_lane *ln = col_lane_of(c, ri->dport);
	enum dv_outcome o = ln == NULL ? DV_OUT_UNMATCHED
			    : dv_match_response(ln->ifl, c->sh->qs, c->sh->plan->target, ri, &m);
	switch (o) {
	case DV_OUT_ANSWERED:
		col_answered(ln, &m, ri, now, reassembled);
		break;
	case DV_OUT_DUPLICATE:
		dv_count_add(&c->rx.duplicate, 1);
		break;
	case DV_OUT_LATE:
		dv_count_add(&c->rx.late, 1);
		break;
	default:
		dv_count_add(&c->rx.unmatched, 1);
		break;
	}
}

/* An ICMP error: count it, and note it on the attempt it quotes. */
static void col_icmp(struct dv_col *c, const uint8_t *data, uint32_t len)
{
	struct dv_icmp_info ii;
	if (dv_icmp_parse(data, len, &ii) != 0)
		return;
	unsigned fam = ii.family == AF_INET6 ? DV_FAMILY_V6 : DV_FAMILY_V4;
	dv_count_add(&c->rx.icmp[fam][ii.kind], 1);
	if (ii.kind == DV_ICMP_TOO_BIG && ii.mtu < c->rx.icmp_mtu_min)
		dv_count_set(&c->rx.icmp_mtu_min, ii.mtu);
	if (!ii.has_orig || !ii.has_dns_id)
		return;
	const struct dv_addr *t = &c->sh->plan->target[fam];
	if (t->family == 0 || memcmp(ii.orig_dst, &t->v6, fam == DV_FAMILY_V6 ? 16 : 4) != 0)
		return; /* not about a query to our target */
	struct dv_match m;
	struct dv_col_lane *ln = col_lane_of(c, ii.orig_sport);
	if (ln == NULL || dv_inflight_lookup(ln->ifl, ii.orig_sport, ii.dns_id, &m) != DV_OUT_ANSWERED ||
	    m.a.family != fam)
		return;
	dv_count_add(&c->rx.icmp_attributed, 1);
	col_note(c, ii.orig_sport, ii.dns_id, DV_FR_ICMP, 0);
}

/*
 * The collector a packet belongs to, when this one shares its port with
 * others: answers and ICMP errors by our source port (each lane has its own),
 * fragments by the address hash our source addresses were picked for (a
 * non-first fragment has no ports; all of a datagram's meet there).
 */
static unsigned col_owner(const struct dv_col *c, enum dv_pkt_class cls,
			  const struct dv_resp_info *ri, const uint8_t *data, uint32_t len)
{
	unsigned o = 0;
	switch (cls) {
	case DV_PKT_DNS:
		o = c->sh->sport_owner[ri->dport];
		break;
	case DV_PKT_ICMP: {
		struct dv_icmp_info ii;
		if (dv_icmp_parse(data, len, &ii) == 0 && ii.has_orig)
			o = c->sh->sport_owner[ii.orig_sport];
		break;
	}
	case DV_PKT_FRAGMENT: {
		struct dv_frag_info fi;
		if (dv_frag_parse(data, len, &fi) == 0)
			o = 1u + c->peer[dv_rss_queue(fi.src, fi.dst, fi.family, c->npeers)];
		break;
	}
	default:
		break;
	}
	return o != 0 ? o - 1 : c->index;
}

/* Pass a packet to its owner's inbox with its RX time. @return consumed */
static bool col_handoff(struct dv_col *c, struct rte_mbuf *m, unsigned owner, uint64_t now)
{
	struct rte_ring *r = c->sh->inbox[owner];
	if (r == NULL)
		return false;
	*RTE_MBUF_DYNFIELD(m, c->sh->rx_ts_off, uint64_t *) = now;
	dv_count_add(&c->rx.handoff_out, 1);
	if (rte_ring_mp_enqueue(r, m) != 0) {
		dv_count_add(&c->rx.handoff_drop, 1);
		return false;
	}
	return true;
}

/* A fragment: account for it, and reassemble (or, in drop mode, let it go). @return consumed */
static bool col_fragment(struct dv_col *c, struct rte_mbuf *m, const uint8_t *data, uint32_t len,
			 uint64_t now)
{
	struct dv_frag_info fi;
	if (dv_frag_parse(data, len, &fi) != 0)
		return false;
	dv_frags_note(&c->frags, &fi, m->pkt_len, now, c->sh->plan->dport, c->sport_lo,
		      c->sport_hi, &c->rx.frag);
	/* One target per family: the per-family counts are per source; others are told apart. */
	const struct dv_addr *t = &c->sh->plan->target[fi.family == AF_INET6];
	if (t->family != fi.family ||
	    memcmp(fi.src, &t->v6, fi.family == AF_INET6 ? 16 : 4) != 0)
		dv_count_add(&c->rx.frag.other_source, 1);
	if (c->frags.tbl == NULL)
		return false; /* drop mode: tracked, never reassembled */

	struct rte_mbuf *full = dv_frags_reassemble(&c->frags, m, &fi, now);
	if (full == NULL)
		return true;
	uint32_t flen = rte_pktmbuf_pkt_len(full);
	const uint8_t *p = flen <= DV_SCRATCH_LEN ? rte_pktmbuf_read(full, 0, flen, c->scratch) : NULL;
	struct dv_resp_info ri;
	bool handed = false;
	if (p != NULL && dv_response_parse(p, flen, c->sh->plan->dport, &ri) == DV_PKT_DNS) {
		/* Fragments meet by address, the answer belongs to its port's lane: with one
		 * source address on a kernel-steered port that may be another collector's
		 * (which then counts it as a plain answer). */
		unsigned owner = c->npeers > 1 ? col_owner(c, DV_PKT_DNS, &ri, p, flen) : c->index;
		handed = owner != c->index && col_handoff(c, full, owner, now);
		if (!handed)
			col_dns(c, &ri, now, true);
	}
	dv_frags_done(&c->frags, &fi, &c->rx.frag, &c->rx.frag_count, &c->rx.frag_spread);
	if (!handed)
		rte_pktmbuf_free(full);
	return true;
}

/* Whether addr (4 or 16 bytes) is one of the run's source addresses on the collector's port. */
static bool col_owns(const struct dv_col *c, int family, const uint8_t *addr)
{
	const struct dv_shared *sh = c->sh;
	const struct dv_plan *p = sh->plan;
	unsigned f = family == AF_INET6;
	unsigned bits = p->src_prefix[f];
	if (bits != 0 && p->src[f].family == family) {
		const uint8_t *base = (const uint8_t *)&p->src[f].v6; /* v4 shares the union's start */
		unsigned full = bits / 8, rest = bits % 8;
		if (memcmp(base, addr, full) == 0 &&
		    (rest == 0 || ((base[full] ^ addr[full]) & (0xff00 >> rest)) == 0))
			return true;
	}
	for (unsigned li = 0; li < sh->nlanes; li++) {
		const struct dv_l34_tmpl *t = &sh->l34[li][f];
		if (sh->lane_port[li] == c->port_index && t->family == family &&
		    memcmp(t->bytes + t->src_off, addr, t->src_len) == 0)
			return true;
	}
	return false;
}

/*
 * ARP or ND on a port no kernel answers for: a request for one of our
 * addresses is answered in the same mbuf, which the port's first generator
 * sends (it owns the TX queue). @return consumed
 */
static bool col_neigh(struct dv_col *c, struct rte_mbuf *m, const uint8_t *data, uint32_t len)
{
	struct rte_ring *ctl = c->sh->nd[c->port_index].ctl;
	struct dv_nd_info ni;
	if (ctl == NULL || m->nb_segs != 1 || dv_nd_parse(data, len, &ni) != 0 ||
	    ni.kind != DV_ND_REQUEST || !col_owns(c, ni.family, ni.target)) {
		dv_count_add(&c->rx.nd_ignored, 1);
		return false;
	}
	uint8_t frame[DV_ND_FRAME_MAX];
	uint16_t flen = dv_nd_build_reply(&ni, c->sh->nd[c->port_index].mac, frame);
	if (flen > rte_pktmbuf_data_room_size(m->pool) - RTE_PKTMBUF_HEADROOM) {
		dv_count_add(&c->rx.nd_ignored, 1);
		return false;
	}
	rte_pktmbuf_reset_headroom(m);
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), frame, flen);
	m->data_len = flen;
	m->pkt_len = flen;
	m->ol_flags = 0;
	if (rte_ring_mp_enqueue(ctl, m) != 0) {
		dv_count_add(&c->rx.nd_ignored, 1);
		return false;
	}
	dv_count_add(&c->rx.nd_answered[ni.family == AF_INET6], 1);
	return true;
}

/*
 * One received frame (handed: from another collector's queue, so it is ours).
 * @return true if it was consumed (not to be freed by the caller)
 */
static bool col_packet(struct dv_col *c, struct rte_mbuf *m, uint64_t now, bool handed)
{
	const uint8_t *data = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = m->data_len;
	if (unlikely(m->nb_segs > 1)) {
		/* Chained (a software fragmenter's header + payload): parse a contiguous copy. */
		len = m->pkt_len <= DV_SCRATCH_LEN ? m->pkt_len : DV_SCRATCH_LEN;
		data = rte_pktmbuf_read(m, 0, len, c->linear);
		if (data == NULL)
			return false;
	}
	/* --vlan: only our VLAN is ours (a NIC that strips tags would need none here). */
	uint16_t vlan = c->sh->plan->vlan;
	if (vlan != 0 && (len < DV_ETH_HLEN + DV_VLAN_HLEN || dv_rd16(data + 12) != DV_ETHERTYPE_VLAN ||
			  (dv_rd16(data + 14) & 0x0fff) != vlan)) {
		dv_count_add(&c->rx.rx_class[DV_PKT_OTHER], 1);
		return false;
	}
	struct dv_resp_info ri;
	enum dv_pkt_class cls = dv_response_parse(data, len, c->sh->plan->dport, &ri);
	if (c->npeers > 1 && !handed) {
		unsigned owner = col_owner(c, cls, &ri, data, len);
		if (owner != c->index)
			return col_handoff(c, m, owner, now);
	}
	dv_count_add(&c->rx.rx_class[cls], 1);
	switch (cls) {
	case DV_PKT_DNS:
		col_dns(c, &ri, now, false);
		return false;
	case DV_PKT_FRAGMENT:
		return col_fragment(c, m, data, len, now);
	case DV_PKT_ICMP:
		col_icmp(c, data, len);
		return false;
	case DV_PKT_ARP_ND:
		return col_neigh(c, m, data, len);
	default:
		return false;
	}
}

/* What the other collectors of the port passed on, each with its RX time. @return packets */
static unsigned col_inbox(struct dv_col *c)
{
	struct rte_mbuf *m[DV_BURST_MAX];
	unsigned n = rte_ring_sc_dequeue_burst(c->inbox, (void **)m, c->burst, NULL);
	unsigned nfree = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t at = *RTE_MBUF_DYNFIELD(m[i], c->sh->rx_ts_off, uint64_t *);
		if (!col_packet(c, m[i], at, true))
			m[nfree++] = m[i];
	}
	rte_pktmbuf_free_bulk(m, nfree);
	return n;
}

/** One collector step. @return packets received */
static unsigned col_step(struct dv_col *c)
{
	struct rte_mbuf *m[DV_BURST_MAX];
	/* Every loop, also when the queue was empty: on af_xdp an empty poll is the
	 * busy-poll recvfrom() that runs the kernel's receive path on this CPU
	 * (docs/performance.md). */
	uint16_t nb = rte_eth_rx_burst(c->port, c->queue, m, (uint16_t)c->burst);
	uint64_t now = rte_rdtsc();
	unsigned handed = 0;

	/* After RX: every attempt a response in this burst answers is published by now. */
	for (unsigned i = 0; i < c->nlanes; i++)
		dv_seq_walk(c->lane[i].seq, c->lane[i].ifl);
	if (nb > 0) {
		uint64_t bytes = 0;
		unsigned nfree = 0;
		for (uint16_t i = 0; i < nb; i++) {
			if (i + 1 < nb)
				rte_prefetch0(rte_pktmbuf_mtod(m[i + 1], void *));
			bytes += m[i]->pkt_len;
			if (!col_packet(c, m[i], now, false))
				m[nfree++] = m[i];
		}
		dv_count_add(&c->rx.rx_pkts, nb);
		dv_count_add(&c->rx.rx_bytes, bytes);
		rte_pktmbuf_free_bulk(m, nfree);
		dv_frags_flush(&c->frags);
	}
	if (c->inbox != NULL && (handed = col_inbox(c)) > 0)
		dv_frags_flush(&c->frags);
	if (nb + handed > 0)
		dv_count_add(&c->rx.busy_tsc, rte_rdtsc() - now);
	dv_frags_expire(&c->frags, now, false, &c->rx.frag, col_on_lost_set, c);
	for (unsigned i = 0; i < c->nlanes; i++)
		dv_seq_fire(c->lane[i].seq, now, &c->rx.seq, &c->rx.timer_late);
	if (now >= c->next_expire_tsc) {
		uint64_t deadline = now > c->sh->timeout_tsc ? now - c->sh->timeout_tsc : 0;
		for (unsigned i = 0; i < c->nlanes; i++)
			dv_inflight_expire(c->lane[i].ifl, deadline, false, 4096, col_on_timeout,
					   &c->lane[i]);
		c->next_expire_tsc = now + c->sh->tsc_hz / (1000000 / DV_EXPIRE_EVERY_US);
	}
	return nb + handed;
}

static void col_finish(struct dv_col *c)
{
	/* The drain is over: what the peers handed over last is still ours to match. */
	while (c->inbox != NULL && col_inbox(c) > 0)
		;
	/* Whatever is still outstanding has timed out. */
	for (unsigned i = 0; i < c->nlanes; i++)
		dv_seq_walk(c->lane[i].seq, c->lane[i].ifl);
	dv_frags_expire(&c->frags, 0, true, &c->rx.frag, col_on_lost_set, c);
	dv_frags_flush(&c->frags);
	for (unsigned i = 0; i < c->nlanes; i++) {
		struct dv_col_lane *ln = &c->lane[i];
		while (dv_inflight_expire(ln->ifl, 0, true, 1u << 20, col_on_timeout, ln) > 0)
			;
		dv_seq_finish(ln->seq, &c->rx.seq);
	}
}

/* ---------------------------------------------------------------- lcore loops */

static void frugal_nap(const struct dv_shared *sh, uint64_t now, uint64_t next_due)
{
	uint64_t max = sh->tsc_hz / (1000000000ull / DV_FRUGAL_MAX_NS);
	uint64_t wait = next_due > now ? next_due - now : 0;
	if (wait > max)
		wait = max;
	/* Below ~10 us a nap costs more than it saves. */
	if (wait * 100000ull < sh->tsc_hz)
		return;
	dv_frugal_sleep((uint64_t)((double)wait * 1e9 / (double)sh->tsc_hz));
}

static int run_combined(struct dv_gen *g, struct dv_col *c)
{
	const struct dv_shared *sh = g->sh;
	bool frugal = sh->plan->poll == DV_POLL_FRUGAL;

	while (!load_flag(&sh->stop_rx)) {
		uint64_t now = rte_rdtsc();
		uint64_t next_due = gen_step(g, now);
		unsigned got = col_step(c);
		if (frugal && got == 0 && g->npending == 0)
			frugal_nap(sh, rte_rdtsc(), next_due);
	}
	if (!g->finished)
		gen_finish(g);
	col_finish(c);
	return 0;
}

static int run_gen(struct dv_gen *g)
{
	const struct dv_shared *sh = g->sh;
	bool frugal = sh->plan->poll == DV_POLL_FRUGAL;

	while (!g->finished) {
		uint64_t next_due = gen_step(g, rte_rdtsc());
		if (frugal && g->npending == 0 && next_due != UINT64_MAX)
			frugal_nap(sh, rte_rdtsc(), next_due);
	}
	/* The drain: the server may still ask who we are. */
	while (g->ctl != NULL && !load_flag(&sh->stop_rx)) {
		gen_step(g, rte_rdtsc());
		dv_frugal_sleep(DV_FRUGAL_MAX_NS);
	}
	return 0;
}

static int run_col(struct dv_col *c)
{
	const struct dv_shared *sh = c->sh;
	bool frugal = sh->plan->poll == DV_POLL_FRUGAL;

	while (!load_flag(&sh->stop_rx)) {
		if (col_step(c) == 0 && frugal)
			frugal_nap(sh, 0, sh->tsc_hz / 50000);
	}
	col_finish(c);
	return 0;
}

int dv_lcore_main(void *arg)
{
	struct dv_lcore *lc = arg;

	/* nanosleep's default 50 us slack would dominate frugal naps. */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	switch (lc->role) {
	case DV_ROLE_COMBINED:
		return run_combined(lc->gen, lc->col);
	case DV_ROLE_GEN:
		return run_gen(lc->gen);
	case DV_ROLE_COL:
		return run_col(lc->col);
	case DV_ROLE_RESPONDER:
		return dv_responder_main(lc->resp);
	}
	return -1;
}
