/*
 * The generator loop: the hot path of sending. No allocation (mbufs come
 * from the preallocated pool), no lock, no syscall, no ldns; it reads the
 * shared context and its own struct dv_gen, never the plan.
 */
#include "engine/gen.h"

#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include "core/count.h"
#include "wire/frame_parse.h"

/* The frames the PMD took: counters per attempt, bytes and times once per burst. */
static void gen_account(struct dv_gen *g, const struct dv_pending_meta *meta, unsigned n, uint64_t now)
{
	uint64_t bytes = 0, dns_bytes = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct dv_attempt_id *a = &meta[i].a;
		dv_count_add(&g->tx.sent[a->family & 1], 1);
		const struct dv_check_msg *cm = dv_qsource_check(g->sh->qs, a->qidx);
		if (unlikely(cm != NULL))
			dv_count_add(&g->tx.check_sent[a->family & 1][cm->row], 1);
		dv_count_add(&g->tx.edns_sent[a->edns_var][a->family & 1], 1);
		bytes += meta[i].frame_len;
		dns_bytes += meta[i].dns_len;
	}
	if (n == 0)
		return;
	dv_count_add(&g->tx.tx_bytes, bytes);
	dv_count_add(&g->tx.query_bytes, dns_bytes);
	if (g->tx.first_tx_tsc == 0)
		dv_count_set(&g->tx.first_tx_tsc, now);
	dv_count_set(&g->tx.last_tx_tsc, now);
}

/* An attempt handed to the lane's TCP connections (its frames are counted when they leave). */
static void gen_account_tcp(struct dv_gen *g, const struct dv_attempt_id *a, uint64_t now)
{
	dv_count_add(&g->tx.sent[a->family & 1], 1);
	dv_count_add(&g->tx.edns_sent[a->edns_var][a->family & 1], 1);
	const struct dv_check_msg *cm = dv_qsource_check(g->sh->qs, a->qidx);
	if (unlikely(cm != NULL))
		dv_count_add(&g->tx.check_sent[a->family & 1][cm->row], 1);
	if (g->tx.first_tx_tsc == 0)
		dv_count_set(&g->tx.first_tx_tsc, now);
	dv_count_set(&g->tx.last_tx_tsc, now);
}

/* Hand frames to the PMD; keep what it refuses for the next round (counted once, when new). */
static void gen_transmit(struct dv_gen *g, struct rte_mbuf **m, struct dv_pending_meta *meta,
			 unsigned n, uint64_t now, bool retry)
{
	uint16_t nb = rte_eth_tx_burst(g->port, g->queue, m, (uint16_t)n);
	gen_account(g, meta, nb, now);
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

void dv_gen_finish(struct dv_gen *g)
{
	/* Frames already published must go out, or they would count as timeouts. */
	uint64_t give_up = rte_rdtsc() + g->sh->tsc_hz / 100;
	while (g->npending > 0 && rte_rdtsc() < give_up)
		gen_retry_pending(g, rte_rdtsc());
	if (g->npending > 0) {
		rte_pktmbuf_free_bulk(g->pending, g->npending);
		g->npending = 0;
	}
	dv_count_set(&g->tx.sched_slips, g->slips0 + g->pace.slips);
	dv_count_set(&g->tx.sched_skipped, g->skipped0 + g->pace.skipped);
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
	const struct dv_opt *opt = sh->pol->edns_size[a->edns_var] == 0
				   ? NULL : &sh->opt[a->edns_var][dnssec_ok];
	const struct dv_check_msg *cm = dv_qsource_check(sh->qs, a->qidx);

	if (unlikely(cm != NULL)) {
		/* A check's message is whole: its own OPT (or none), not the run's. */
		q = cm->q.wire;
		qlen = cm->q.len;
		qsum = cm->q.sum;
		opt = NULL;
	} else if (a->qidx == DV_QIDX_GENERATED) {
		/* Straight into the frame: no copy of the name, none of the question. */
		uint8_t *dns = dst + t->l4_off + DV_UDP_HLEN;
		uint64_t gseq = dv_inflight_global(g->lane[li].ifl, a->lseq);
		uint8_t nlen;
		if (t->csum_offload) {
			/* The NIC sums the frame: no sum of the name. */
			nlen = dv_qsource_name(sh->qs, gseq, dns + DV_DNS_HLEN);
			qsum = 0;
		} else {
			uint32_t nsum;
			nlen = dv_qsource_name_sum(sh->qs, gseq, dns + DV_DNS_HLEN, &nsum);
			qsum = dv_question_sum_named(nlen, a->qtype, nsum);
		}
		qlen = dv_question_finish(dns, nlen, a->qtype);
		q = dns;
	} else {
		const struct dv_question *qq = &sh->qs->questions[a->qidx];
		q = qq->wire;
		qlen = qq->len;
		qsum = qq->sum;
	}
	/* Every attempt of a logical query comes from the same emulated resolver. */
	const struct dv_src_range *sr = g->lane[li].src[a->family & 1];
	struct dv_src one;
	const struct dv_src *src = NULL;
	if (sr != NULL) {
		dv_src_range_pick(sr, a->lseq, &one);
		src = &one;
	}
	/* The mbuf keeps its last frame between uses: the same template's headers
	 * need no copy. In a pool shared with RX the tag stays 0 (tag_mask), which
	 * no template's number is: every frame gets its headers whole. */
	uint32_t *tag = RTE_MBUF_DYNFIELD(m, sh->tmpl_tag_off, uint32_t *);
	uint32_t want = (gl << 1 | (a->family & 1u)) + 1;
	if (*tag == want)
		return dv_frame_recompose(dst, t, q, qlen, qsum, opt, id, sport, src);
	*tag = want & g->tag_mask;
	return dv_frame_compose(dst, t, q, qlen, qsum, opt, id, sport, src);
}

/* A new logical query: what it asks, and the plan of all its attempts. */
static void gen_create(struct dv_gen *g, const struct dv_lane *ln, uint64_t lseq,
		       struct dv_attempt_id *a)
{
	const struct dv_shared *sh = g->sh;
	struct dv_lq *lq = dv_seq_lq(ln->seq, lseq);
	int check = dv_qsource_check_turn(sh->qs, dv_inflight_global(ln->ifl, lseq));

	if (unlikely(check >= 0)) {
		lq->qidx = DV_QIDX_CHECK0 + (uint32_t)check;
		lq->qtype = sh->qs->checks[check].qtype;
	} else if (sh->qs->generated) {
		lq->qidx = DV_QIDX_GENERATED;
		lq->qtype = (uint16_t)dv_alias_pick(&sh->qs->qtypes, &g->rng);
	} else {
		lq->qidx = g->qcursor;
		lq->qtype = sh->qs->questions[g->qcursor].qtype; /* the line the frame reads anyway */
		if (++g->qcursor == sh->qs->ql->n)
			g->qcursor = 0;
	}
	/* Alternation runs within each lane: with an even number of lanes, the run-wide
	 * number's parity would give each collector one family only. */
	dv_policy_draw(ln->pol, lseq + ln->global, &g->rng, &lq->ap);
	*a = (struct dv_attempt_id){ .lseq = lseq, .qidx = lq->qidx, .qtype = lq->qtype,
				     .family = lq->ap.family[0], .attempt = 0,
				     .edns_var = lq->ap.edns_var[0], .lost = lq->ap.lost & 1u,
				     .transport = ln->pol->tcp_from == 0 ||
						  (check >= 0 && sh->qs->checks[check].tcp)
						  ? DV_TRANSPORT_TCP : DV_TRANSPORT_UDP };
}

/*
 * A population: split n new queries over the lanes by their weights. Each
 * lane is owed its weight's share of every query; it gets the whole ones, and
 * the rest go one each to the lanes owed the most, so that every lane's
 * count stays within one query of its share however the steps fall.
 */
static void gen_weighted_shares(struct dv_gen *g, unsigned n, unsigned *shares)
{
	unsigned given = 0;
	for (unsigned li = 0; li < g->nlanes; li++) {
		struct dv_lane *ln = &g->lane[li];
		ln->credit += n * ln->weight;
		shares[li] = ln->credit > 0 ? (unsigned)ln->credit : 0;
		if (given + shares[li] > n)
			shares[li] = n - given;
		ln->credit -= shares[li];
		given += shares[li];
	}
	while (given < n) {
		unsigned best = 0;
		for (unsigned li = 1; li < g->nlanes; li++)
			if (g->lane[li].credit > g->lane[best].credit)
				best = li;
		shares[best]++;
		g->lane[best].credit -= 1.0;
		given++;
	}
}

/* The attempt of an existing logical query the collector asked for (DV_ASK_* bits). */
static void gen_next_attempt(struct dv_gen *g, const struct dv_lane *ln, uint64_t lseq, uint8_t ask,
			     struct dv_attempt_id *a)
{
	struct dv_lq *lq = dv_seq_lq(ln->seq, lseq);
	unsigned k = ask & DV_ASK_ATTEMPT;
	/* After a TC answer: that attempt's question, family and EDNS size, over TCP. */
	unsigned from = (ask & DV_ASK_AFTER_TC) ? (unsigned)ask >> DV_ASK_SRC_SHIFT : k;
	const struct dv_check_msg *cm = dv_qsource_check(g->sh->qs, lq->qidx);
	bool tcp = (ask & DV_ASK_TCP) || k >= ln->pol->tcp_from || (cm != NULL && cm->tcp);
	dv_count_add(&g->tx.retries, 1);
	*a = (struct dv_attempt_id){ .lseq = lseq, .qidx = lq->qidx, .qtype = lq->qtype,
				     .family = lq->ap.family[from], .attempt = (uint8_t)k,
				     .edns_var = lq->ap.edns_var[from], .lost = (lq->ap.lost >> k) & 1u,
				     .transport = tcp ? DV_TRANSPORT_TCP : DV_TRANSPORT_UDP };
}

/**
 * One lane's share of a step: the retries its collector asked for, then up
 * to `fresh` new logical queries, in one burst.
 * @param due_tsc when the first of the fresh queries was due (0: no schedule, --max)
 * @return new logical queries actually started
 */
static unsigned gen_lane(struct dv_gen *g, unsigned li, unsigned fresh, uint64_t now,
			 uint64_t due_tsc, unsigned *frames)
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
	/* Over TCP the lane's collector sends the queries on its connections:
	 * the generator only issues their slots (no frame, no mbuf). With UDP
	 * attempts that fall back to TCP, a burst holds both. */
	bool all_tcp = ln->tcp_tx != NULL && g->sh->pol->tcp_from == 0;
	unsigned ntcp = 0;
	if (!all_tcp && rte_pktmbuf_alloc_bulk(g->pool, m, n) != 0) {
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
			gen_next_attempt(g, ln, r_lseq[i], r_att[i], a);
		} else {
			gen_create(g, ln, created++, a);
		}
		uint64_t aseq = seq0 + i;
		meta[i].seq = aseq;
		meta[i].lane = (uint8_t)li;
		if (a->transport == DV_TRANSPORT_TCP) {
			ntcp++;
			continue;
		}
		bool dnssec_ok = dv_seq_lq(seq, a->lseq)->ap.dnssec_ok;
		uint16_t sport, id;
		dv_inflight_wire_id(ifl, aseq, &sport, &id);
		uint16_t len = gen_compose(g, li, m[i], a, dnssec_ok, id,
					   sport);
		m[i]->data_len = len;
		m[i]->pkt_len = len;
		const struct dv_l34_tmpl *t = &g->sh->l34[ln->global][a->family & 1];
		meta[i].frame_len = len;
		meta[i].dns_len = (uint16_t)(len - t->len);
		uint64_t olf = g->ol_flags[a->family & 1];
		if (olf != 0) {
			m[i]->ol_flags = olf;
			m[i]->l2_len = t->l3_off;
			m[i]->l3_len = (uint16_t)(t->l4_off - t->l3_off);
		}
	}
	if (fresh > 0) {
		/* Counted once a burst: every new query in it started at `now`. */
		dv_count_add(&g->tx.logical, fresh);
		dv_count_set(&g->tx.last_logical_tsc, now);
	}
	/*
	 * The TX timestamp, as close to the hand-off as ownership allows: read
	 * once the burst is composed, right before its slots are issued and
	 * published and rte_eth_tx_burst() takes it. Not after tx_burst: a fast
	 * responder can answer before it returns, and the collector must then
	 * find the slot whole, with its TX time.
	 */
	uint64_t t = rte_rdtsc();
	double ns_tick = g->sh->ns_per_tick;
	for (unsigned i = 0; i < n; i++) {
		const struct dv_attempt_id *a = &meta[i].a;
		struct dv_lq *lq = dv_seq_lq(seq, a->lseq);
		if (a->attempt > 0) {
			uint64_t gap = (uint64_t)((double)(t - lq->last_tx_tsc) * ns_tick);
			dv_tx_gap_add(&g->tx, gap);
			if (a->transport == DV_TRANSPORT_TCP)
				dv_hist_add(&g->tx.gap_tcp, gap);
		}
		lq->last_tx_tsc = t;
		dv_inflight_issue(ifl, meta[i].seq, a, t);
	}
	/* How late the burst leaves against the schedule: its first new query's due time. */
	if (fresh > 0 && due_tsc != 0)
		dv_hist_add(&g->tx.send_late, t > due_tsc ? (uint64_t)((double)(t - due_tsc) * ns_tick) : 0);
	/* Publish before TX: a response may come back before tx_burst returns. */
	dv_inflight_publish(ifl, seq0 + n);
	dv_seq_publish(seq, created);
	if (all_tcp) {
		for (unsigned i = 0; i < n; i++)
			gen_account_tcp(g, &meta[i].a, t);
		return fresh;
	}
	unsigned nu = n;
	if (unlikely(ntcp > 0)) {
		/* The TCP attempts leave the burst (their mbufs go back); the frames close up. */
		struct rte_mbuf *spare[DV_BURST_MAX];
		unsigned ns = 0;
		nu = 0;
		for (unsigned i = 0; i < n; i++) {
			if (meta[i].a.transport == DV_TRANSPORT_TCP) {
				gen_account_tcp(g, &meta[i].a, t);
				spare[ns++] = m[i];
			} else {
				m[nu] = m[i];
				meta[nu++] = meta[i];
			}
		}
		rte_pktmbuf_free_bulk(spare, ns);
		if (nu == 0)
			return fresh;
	}
	gen_transmit(g, m, meta, nu, now, false);
	return fresh;
}

static bool gen_all_ended(const struct dv_gen *g)
{
	for (unsigned li = 0; li < g->nlanes; li++)
		if (!dv_seq_all_ended(g->lane[li].seq))
			return false;
	return true;
}

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

/* Send the segments the lanes' collectors built for their TCP connections. */
static void gen_tcp_frames(struct dv_gen *g)
{
	for (unsigned li = 0; li < g->nlanes; li++) {
		struct rte_ring *r = g->lane[li].tcp_tx;
		struct rte_mbuf *m[DV_BURST_MAX];
		/* A whole burst array: a collector may hand over a few hundred SYNs in one step. */
		unsigned n = rte_ring_sc_dequeue_burst(r, (void **)m, DV_BURST_MAX, NULL);
		if (n == 0)
			continue;
		uint16_t sent = rte_eth_tx_burst(g->port, g->queue, m, (uint16_t)n);
		uint64_t bytes = 0;
		for (uint16_t i = 0; i < sent; i++)
			bytes += m[i]->pkt_len;
		dv_count_add(&g->tx.tcp_frames, sent);
		dv_count_add(&g->tx.tx_bytes, bytes);
		if (sent < n) {
			/* Lost like a frame on the wire: the connection retransmits. */
			dv_count_add(&g->tx.tcp_tx_drop, n - sent);
			rte_pktmbuf_free_bulk(m + sent, n - sent);
		}
	}
}

uint64_t dv_gen_step(struct dv_gen *g, uint64_t now)
{
	const struct dv_shared *sh = g->sh;

	/* Answers to ARP/ND go out as long as the run lasts, sending or draining. */
	if (g->ctl != NULL && g->npending == 0)
		gen_ctl(g);
	/* So do the TCP connections' segments (ACKs, FINs in the drain). */
	if (g->tcp)
		gen_tcp_frames(g);
	if (g->finished)
		return UINT64_MAX;
	if (!g->creating_done &&
	    (now >= sh->end_tsc || dv_load_flag(&sh->stop_tx) ||
	     (g->quota != 0 && g->pace.n >= g->quota)))
		g->creating_done = true;
	if (!gen_retry_pending(g, now)) {
		/* A PMD that takes nothing (a link that never came up) must not hold the run:
		 * once sending time is over, what it refused is given up. */
		if (g->creating_done && (now >= sh->end_tsc + sh->tsc_hz / 10 || dv_load_flag(&sh->stop_tx))) {
			dv_gen_finish(g);
			return UINT64_MAX;
		}
		return now; /* PMD full: the schedule runs on and slips if this lasts */
	}
	if (g->creating_done &&
	    (gen_all_ended(g) || now >= sh->hard_end_tsc || dv_load_flag(&sh->stop_tx))) {
		dv_gen_finish(g);
		return UINT64_MAX;
	}

	unsigned due = 0;
	if (!g->creating_done) {
		due = dv_pace_due(&g->pace, now, g->burst);
		if (g->quota != 0 && g->pace.n + due > g->quota)
			due = (unsigned)(g->quota - g->pace.n);
	}
	uint64_t n0 = g->pace.n;
	bool paced = due > 0 && !g->pace.unlimited;
	dv_pace_advance(&g->pace, due);
	dv_count_set(&g->tx.sched_slips, g->slips0 + g->pace.slips);
	dv_count_set(&g->tx.sched_skipped, g->skipped0 + g->pace.skipped);

	/* New logical queries go round robin over the lanes (their collectors), or by
	 * the lanes' weights (a population's kinds). */
	unsigned left = due, started = 0, frames = 0;
	unsigned shares[DV_MAX_LANES];
	if (unlikely(g->weighted))
		gen_weighted_shares(g, due, shares);
	for (unsigned k = 0; k < g->nlanes; k++) {
		unsigned li = (g->next_lane + k) % g->nlanes;
		unsigned share = g->weighted ? shares[li]
			       : (left + (g->nlanes - k) - 1) / (g->nlanes - k);
		uint64_t due_tsc = paced && share > 0 ? dv_pace_due_tsc(&g->pace, n0 + (due - left)) : 0;
		unsigned got = gen_lane(g, li, share, now, due_tsc, &frames);
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
