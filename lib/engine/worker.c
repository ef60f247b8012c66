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

#include "engine/lcore.h"
#include "engine/match.h"
#include "util/count.h"
#include "wire/response.h"

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

/* Hand frames to the PMD; keep what it refuses for the next round. */
static void gen_transmit(struct dv_gen *g, struct rte_mbuf **m, struct dv_pending_meta *meta,
			 unsigned n, uint64_t now)
{
	uint16_t nb = rte_eth_tx_burst(g->port, g->queue, m, (uint16_t)n);
	for (unsigned i = 0; i < nb; i++)
		gen_account(g, m[i], &meta[i].a, now);
	unsigned left = n - nb;
	if (left > 0) {
		/* memmove: m/meta may already be the pending arrays */
		memmove(g->pending, m + nb, left * sizeof(*m));
		memmove(g->pmeta, meta + nb, left * sizeof(*meta));
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
		dv_inflight_issue(g->ifl, g->pmeta[i].seq, &g->pmeta[i].a, now);
	gen_transmit(g, g->pending, g->pmeta, g->npending, now);
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

/* Compose the frame of one attempt: header of its family, its question, its OPT. */
static uint16_t gen_compose(const struct dv_gen *g, uint8_t *dst, const struct dv_attempt_id *a,
			    bool dnssec_ok, uint16_t id, uint16_t sport)
{
	const struct dv_shared *sh = g->sh;
	const uint8_t *q;
	uint16_t qlen;
	uint32_t qsum;
	uint8_t scratch[DV_QUESTION_MAX];

	if (a->qidx == DV_QIDX_GENERATED) {
		uint8_t name[255];
		uint8_t nlen = dv_qsource_name(sh->qs, a->lseq, name);
		qlen = dv_question_write(scratch, name, nlen, a->qtype);
		qsum = dv_question_sum(scratch, qlen);
		q = scratch;
	} else {
		const struct dv_question *qq = &sh->qs->questions[a->qidx];
		q = qq->wire;
		qlen = qq->len;
		qsum = qq->sum;
	}
	const struct dv_opt *opt = sh->pol->edns_size[a->edns_var] == 0
				   ? NULL : &sh->opt[a->edns_var][dnssec_ok];
	return dv_frame_compose(dst, &sh->l34[a->family & 1], q, qlen, qsum, opt, id, sport);
}

/* A new logical query: what it asks, and the plan of all its attempts. */
static void gen_create(struct dv_gen *g, uint64_t lseq, uint64_t now, struct dv_attempt_id *a)
{
	const struct dv_shared *sh = g->sh;
	struct dv_lq *lq = dv_seq_lq(g->seq, lseq);

	lq->lseq = lseq;
	if (sh->qs->generated) {
		lq->qidx = DV_QIDX_GENERATED;
		lq->qtype = (uint16_t)dv_alias_pick(&sh->qs->qtypes, &g->rng);
	} else {
		lq->qidx = g->qcursor;
		lq->qtype = sh->qs->ql->q[g->qcursor].qtype;
		if (++g->qcursor == sh->qs->ql->n)
			g->qcursor = 0;
	}
	dv_policy_draw(sh->pol, lseq, &g->rng, &lq->ap);
	lq->sent = 1;
	lq->tx_tsc[0] = now;
	dv_count_set(&g->tx.last_logical_tsc, now);
	*a = (struct dv_attempt_id){ .lseq = lseq, .qidx = lq->qidx, .qtype = lq->qtype,
				     .family = lq->ap.family[0], .attempt = 0,
				     .edns_var = lq->ap.edns_var[0] };
}

/* Attempt k of an existing logical query, as the collector asked. */
static void gen_next_attempt(struct dv_gen *g, uint64_t lseq, uint8_t k, uint64_t now,
			     struct dv_attempt_id *a)
{
	struct dv_lq *lq = dv_seq_lq(g->seq, lseq);
	uint64_t prev = lq->tx_tsc[k - 1];
	dv_hist_add(&g->tx.gap, (uint64_t)((double)(now - prev) * 1e9 / (double)g->sh->tsc_hz));
	dv_count_add(&g->tx.retries, 1);
	lq->tx_tsc[k] = now;
	lq->sent = (uint8_t)(k + 1);
	*a = (struct dv_attempt_id){ .lseq = lseq, .qidx = lq->qidx, .qtype = lq->qtype,
				     .family = lq->ap.family[k], .attempt = k,
				     .edns_var = lq->ap.edns_var[k] };
}

/**
 * One generator step: retries the collector asked for, then the new logical
 * queries the schedule says are due.
 * @return TSC when something is next due (UINT64_MAX when finished)
 */
static uint64_t gen_step(struct dv_gen *g, uint64_t now)
{
	const struct dv_shared *sh = g->sh;
	const struct dv_plan *plan = sh->plan;
	struct dv_inflight *ifl = g->ifl;
	struct dv_seq *seq = g->seq;

	if (g->finished)
		return UINT64_MAX;
	if (!g->creating_done &&
	    (now >= sh->end_tsc || load_flag(&sh->stop_tx) ||
	     (plan->max_queries != 0 && g->pace.n >= plan->max_queries)))
		g->creating_done = true;
	if (!gen_retry_pending(g, now))
		return now; /* PMD full: the schedule runs on and slips if this lasts */
	if (g->creating_done &&
	    (dv_seq_all_ended(seq) || now >= sh->hard_end_tsc || load_flag(&sh->stop_tx))) {
		gen_finish(g);
		return UINT64_MAX;
	}

	/* Room: in-flight slots for attempts, logical slots for new queries. */
	uint64_t seq0 = dv_inflight_next(ifl);
	uint64_t room = ifl->nslots - (seq0 - __atomic_load_n(&ifl->resolved, __ATOMIC_ACQUIRE));
	unsigned cap = g->burst < room ? g->burst : (unsigned)room;

	uint64_t r_lseq[DV_BURST_MAX];
	uint8_t r_att[DV_BURST_MAX];
	unsigned nr = cap > 0 ? dv_seq_retries(seq, r_lseq, r_att, cap) : 0;

	unsigned due = 0;
	if (!g->creating_done) {
		due = dv_pace_due(&g->pace, now, g->burst);
		if (plan->max_queries != 0 && g->pace.n + due > plan->max_queries)
			due = (unsigned)(plan->max_queries - g->pace.n);
	}
	unsigned fresh = due;
	uint64_t lq_room = seq->nslots - (seq->created -
					  __atomic_load_n(&seq->ended_upto, __ATOMIC_ACQUIRE));
	if (fresh > lq_room)
		fresh = (unsigned)lq_room;
	if (fresh > cap - nr)
		fresh = cap - nr;
	if (fresh < due)
		dv_count_add(&g->tx.inflight_full, due - fresh);
	dv_pace_advance(&g->pace, due);
	dv_count_set(&g->tx.sched_slips, g->pace.slips);

	unsigned n = nr + fresh;
	if (n == 0) {
		if (g->creating_done)
			return now + sh->tsc_hz / 10000; /* waiting for timers: nap */
		return dv_pace_due_tsc(&g->pace, g->pace.n);
	}

	struct rte_mbuf *m[DV_BURST_MAX];
	struct dv_pending_meta meta[DV_BURST_MAX];
	if (rte_pktmbuf_alloc_bulk(g->pool, m, n) != 0) {
		/* Requested retries are not lost: they fail at their logical query's end. */
		dv_count_add(&g->tx.alloc_fail, n);
		return now;
	}

	uint64_t created = seq->created;
	for (unsigned i = 0; i < n; i++) {
		struct dv_attempt_id *a = &meta[i].a;
		bool dnssec_ok;
		if (i < nr) {
			gen_next_attempt(g, r_lseq[i], r_att[i], now, a);
			dnssec_ok = dv_seq_lq(seq, r_lseq[i])->ap.dnssec_ok;
		} else {
			gen_create(g, created++, now, a);
			dnssec_ok = dv_seq_lq(seq, a->lseq)->ap.dnssec_ok;
			dv_count_add(&g->tx.logical, 1);
		}
		uint64_t aseq = seq0 + i;
		uint16_t sport, id;
		dv_inflight_wire_id(ifl, aseq, &sport, &id);
		uint16_t len = gen_compose(g, rte_pktmbuf_mtod(m[i], uint8_t *), a, dnssec_ok, id, sport);
		m[i]->data_len = len;
		m[i]->pkt_len = len;
		dv_inflight_issue(ifl, aseq, a, now);
		meta[i].seq = aseq;
	}
	/* Publish before TX: a response may come back before tx_burst returns. */
	dv_inflight_publish(ifl, seq0 + n);
	dv_seq_publish(seq, created);
	gen_transmit(g, m, meta, n, now);
	return g->creating_done ? now : dv_pace_due_tsc(&g->pace, g->pace.n);
}

/* ---------------------------------------------------------------- collector */

static void col_on_timeout(void *ctx, const struct dv_attempt_id *a)
{
	struct dv_col *c = ctx;
	dv_count_add(&c->rx.timeouts[a->family & 1], 1);
	dv_count_add(&c->rx.edns[a->edns_var][a->family & 1].timeouts, 1);
}

static void col_answered(struct dv_col *c, const struct dv_match *m,
			 const struct dv_resp_info *ri, uint64_t now)
{
	const struct dv_attempt_id *a = &m->a;
	struct dv_edns_rx *e = &c->rx.edns[a->edns_var][a->family & 1];

	dv_inflight_answer(c->ifl, m);
	dv_count_add(&c->rx.answered[a->family & 1], 1);
	dv_count_add(&c->rx.rcode[ri->rcode & 15], 1);
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
	dv_hist_add(&c->rx.latency, (uint64_t)((double)ticks * 1e9 / (double)c->sh->tsc_hz));
	dv_seq_answer(c->seq, a, ri->tc != 0, &c->rx.seq);
}

static void col_handle(struct dv_col *c, const uint8_t *data, uint32_t len, uint64_t now)
{
	struct dv_resp_info ri;
	enum dv_pkt_class cls = dv_response_parse(data, len, c->sh->plan->dport, &ri);
	dv_count_add(&c->rx.rx_class[cls], 1);
	if (cls != DV_PKT_DNS)
		return;
	struct dv_match m;
	switch (dv_match_response(c->ifl, c->sh->qs, c->sh->plan->target, &ri, &m)) {
	case DV_OUT_ANSWERED:
		col_answered(c, &m, &ri, now);
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

/** One collector step. @return packets received */
static unsigned col_step(struct dv_col *c)
{
	struct rte_mbuf *m[DV_BURST_MAX];
	uint16_t nb = rte_eth_rx_burst(c->port, c->queue, m, (uint16_t)c->burst);
	uint64_t now = rte_rdtsc();

	/* After RX: every attempt a response in this burst answers is published by now. */
	dv_seq_walk(c->seq, c->ifl);
	if (nb > 0) {
		uint64_t bytes = 0;
		for (uint16_t i = 0; i < nb; i++) {
			if (i + 1 < nb)
				rte_prefetch0(rte_pktmbuf_mtod(m[i + 1], void *));
			bytes += m[i]->pkt_len;
			col_handle(c, rte_pktmbuf_mtod(m[i], const uint8_t *), m[i]->data_len, now);
		}
		dv_count_add(&c->rx.rx_pkts, nb);
		dv_count_add(&c->rx.rx_bytes, bytes);
		rte_pktmbuf_free_bulk(m, nb);
	}
	dv_seq_fire(c->seq, now, &c->rx.seq, &c->rx.timer_late);
	if (now >= c->next_expire_tsc) {
		uint64_t deadline = now > c->sh->timeout_tsc ? now - c->sh->timeout_tsc : 0;
		dv_inflight_expire(c->ifl, deadline, false, 4096, col_on_timeout, c);
		c->next_expire_tsc = now + c->sh->tsc_hz / (1000000 / DV_EXPIRE_EVERY_US);
	}
	return nb;
}

static void col_finish(struct dv_col *c)
{
	/* The drain is over: whatever is still outstanding has timed out. */
	dv_seq_walk(c->seq, c->ifl);
	while (dv_inflight_expire(c->ifl, 0, true, 1u << 20, col_on_timeout, c) > 0)
		;
	dv_seq_finish(c->seq, &c->rx.seq);
	__atomic_store_n(&c->finished, 1, __ATOMIC_RELEASE);
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
