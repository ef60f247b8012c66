#include "engine/sequence.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ring.h>

#include "core/bigmem.h"
#include "core/count.h"
#include "core/pow2.h"

uint32_t dv_seq_slots_for(double qps, double seq_seconds)
{
	return dv_pow2_at_least(qps * seq_seconds * 2.0, 65536, 1u << 24);
}

int dv_seq_init(struct dv_seq *s, uint32_t nslots, unsigned attempts, const uint64_t *timer_tsc)
{
	memset(s, 0, sizeof(*s));
	if (nslots < 2 || (nslots & (nslots - 1)) != 0 || attempts == 0 ||
	    attempts > DV_MAX_ATTEMPTS)
		return -EINVAL;
	s->nslots = nslots;
	s->mask = nslots - 1;
	s->attempts = attempts;
	s->indexes = attempts;
	s->tcp_from = DV_MAX_ATTEMPTS;
	s->ns_per_tick = 1.0;
	memcpy(s->timer_tsc, timer_tsc, attempts * sizeof(*timer_tsc));

	static const struct dv_lq_state no_state = { .lseq = DV_SEQ_NONE };
	s->lq = dv_bigmem_alloc(sizeof(*s->lq) * nslots);
	s->st = dv_bigmem_alloc_fill(nslots, sizeof(*s->st), &no_state);
	if (s->lq == NULL || s->st == NULL)
		goto nomem;
	for (unsigned k = 0; k < attempts; k++) {
		/* An attempt index holds at most one timer per live logical query. */
		s->fifo[k].e = dv_bigmem_alloc(sizeof(struct dv_timer) * nslots);
		if (s->fifo[k].e == NULL)
			goto nomem;
		s->fifo[k].mask = nslots - 1;
	}
	/* One pending retry per logical query at most: a ring of nslots never overflows. */
	ssize_t sz = rte_ring_get_memsize(nslots * 2);
	if (sz < 0)
		goto nomem;
	s->retry_mem = aligned_alloc(64, ((size_t)sz + 63) & ~(size_t)63);
	if (s->retry_mem == NULL)
		goto nomem;
	s->retry = s->retry_mem;
	if (rte_ring_init(s->retry, "dv_retry", nslots * 2, RING_F_SP_ENQ | RING_F_SC_DEQ) != 0)
		goto nomem;
	return 0;
nomem:
	dv_seq_free(s);
	return -ENOMEM;
}

int dv_seq_set_transport(struct dv_seq *s, bool tc_tcp, unsigned tcp_from, uint64_t timer_tc)
{
	s->tcp_from = (uint8_t)(tcp_from < DV_MAX_ATTEMPTS ? tcp_from : DV_MAX_ATTEMPTS);
	s->tc_tcp = tc_tcp;
	/* All 8 attempt indexes in use: a TC on the last attempt ends truncated. */
	if (!tc_tcp || s->indexes > s->attempts || s->attempts >= DV_MAX_ATTEMPTS)
		return 0;
	unsigned k = s->attempts;
	s->fifo[k].e = dv_bigmem_alloc(sizeof(struct dv_timer) * s->nslots);
	if (s->fifo[k].e == NULL)
		return -ENOMEM;
	s->fifo[k].mask = s->nslots - 1;
	s->timer_tsc[k] = timer_tc;
	s->indexes = s->attempts + 1;
	return 0;
}

void dv_seq_free(struct dv_seq *s)
{
	dv_bigmem_free(s->lq);
	dv_bigmem_free(s->st);
	for (unsigned k = 0; k < DV_MAX_ATTEMPTS; k++)
		dv_bigmem_free(s->fifo[k].e);
	free(s->retry_mem);
	memset(s, 0, sizeof(*s));
}

unsigned dv_seq_retries(struct dv_seq *s, uint64_t *lseq, uint8_t *attempt, unsigned n)
{
	void *obj[64];
	if (n > 64)
		n = 64;
	unsigned got = rte_ring_sc_dequeue_burst(s->retry, obj, n, NULL);
	for (unsigned i = 0; i < got; i++) {
		uint64_t v = (uint64_t)(uintptr_t)obj[i];
		lseq[i] = v >> 8;
		attempt[i] = (uint8_t)(v & 0xff);
	}
	return got;
}

/* Ask the generator for attempt `ask` (DV_ASK_* bits) of q. @return false: the ring was full */
static bool seq_ask(struct dv_seq *s, struct dv_lq_state *q, unsigned ask)
{
	void *obj = (void *)(uintptr_t)((q->lseq << 8) | ask);
	if (rte_ring_sp_enqueue(s->retry, obj) != 0)
		return false;
	q->asked = (uint8_t)(ask & DV_ASK_ATTEMPT);
	return true;
}

/* The next attempt after k timed out or failed over TCP: TCP once the query went there. */
static unsigned seq_next_ask(const struct dv_seq *s, const struct dv_lq_state *q, unsigned k)
{
	unsigned ask = k + 1;
	if ((q->flags & DV_LQ_TCP) || k + 1 >= s->tcp_from)
		ask |= DV_ASK_TCP;
	return ask;
}

void dv_seq_walk(struct dv_seq *s, const struct dv_inflight *ifl)
{
	uint64_t sent = __atomic_load_n(&ifl->sent, __ATOMIC_ACQUIRE);

	while (s->walked < sent) {
		uint64_t tx;
		struct dv_attempt_id a;
		if (!dv_inflight_read(ifl, s->walked, &tx, &a))
			break; /* being rewritten (a retransmit): next time */
		unsigned k = a.attempt < s->indexes ? a.attempt : s->indexes - 1;
		struct dv_timer_fifo *f = &s->fifo[k];
		if (f->tail - f->head > f->mask)
			break; /* full until timers fire: next time */

		struct dv_lq_state *q = &s->st[(uint32_t)a.lseq & s->mask];
		if (k == 0) {
			*q = (struct dv_lq_state){ .lseq = a.lseq, .t0 = tx, .fam = { a.family, 0 },
						   .edns0 = a.edns_var };
			if (a.lseq >= s->seen)
				s->seen = a.lseq + 1;
		} else if (q->lseq == a.lseq && k > q->latest) {
			q->latest = (uint8_t)k;
			if (k == 1) {
				q->fam[1] = a.family;
				if (a.transport == DV_TRANSPORT_TCP)
					q->flags |= DV_LQ_TCP_SEEN;
			}
		}
		if (q->lseq == a.lseq && a.transport == DV_TRANSPORT_TCP)
			q->flags |= DV_LQ_TCP;
		f->e[f->tail & f->mask] = (struct dv_timer){ .deadline = tx + s->timer_tsc[k],
							     .lseq = a.lseq };
		f->tail++;
		s->walked++;
	}
}

/* A logical query ends: its sequence length and family pattern are final. */
static void seq_end(struct dv_lq_state *q, struct dv_seq_stats *st)
{
	q->ended = 1;
	dv_count_add(&st->seq_len[q->latest + 1], 1);
	if (q->edns0 < DV_EDNS_VARIANTS)
		dv_count_add(&st->ended_edns[q->edns0], 1);
	if (q->flags & DV_LQ_TCP)
		dv_count_add(&st->seq_len_tcp[q->latest + 1], 1);
	if (q->latest >= 1) {
		dv_count_add(&st->first_two[q->fam[0] & 1][q->fam[1] & 1], 1);
		if (q->flags & DV_LQ_TCP_SEEN)
			dv_count_add(&st->first_two_tcp[q->fam[0] & 1][q->fam[1] & 1], 1);
	} else {
		dv_count_add(&st->single[q->fam[0] & 1], 1);
	}
}

/* A logical query fails: every attempt timed out, or its last TCP attempt failed. */
static void seq_fail(struct dv_lq_state *q, struct dv_seq_stats *st)
{
	dv_count_add(&st->failed, 1);
	if (q->flags & DV_LQ_TCP) {
		unsigned why = (q->flags & DV_LQ_TCP_FAIL) ? q->tcp_fail : DV_TCPF_TIMEOUT;
		if (why >= DV_TCPF_KINDS)
			why = DV_TCPF_TIMEOUT;
		dv_count_add((q->flags & DV_LQ_TC) ? &st->tc_tcp_failed[why] : &st->tcp_failed[why], 1);
	}
	seq_end(q, st);
}

static void seq_advance(struct dv_seq *s)
{
	uint64_t e = s->ended_upto;
	while (e < s->seen) {
		const struct dv_lq_state *q = &s->st[(uint32_t)e & s->mask];
		if (q->lseq != e || !q->ended)
			break;
		e++;
	}
	if (e != s->ended_upto)
		__atomic_store_n(&s->ended_upto, e, __ATOMIC_RELEASE);
}

void dv_seq_fire(struct dv_seq *s, uint64_t now, struct dv_seq_stats *st, struct dv_hist *late)
{
	for (unsigned k = 0; k < s->indexes; k++) {
		struct dv_timer_fifo *f = &s->fifo[k];
		while (f->head < f->tail && f->e[f->head & f->mask].deadline <= now) {
			struct dv_timer t = f->e[f->head & f->mask];
			f->head++;
			struct dv_lq_state *q = &s->st[(uint32_t)t.lseq & s->mask];
			/* answered, a later attempt under way or asked for (TC, a failed connection) */
			if (q->lseq != t.lseq || q->ended || q->latest != k || q->asked > k)
				continue;
			if (late != NULL)
				dv_hist_add(late, (uint64_t)((double)(now - t.deadline) * s->ns_per_tick));
			if (k + 1 < s->attempts) {
				if (seq_ask(s, q, seq_next_ask(s, q, k)))
					continue;
				dv_count_add(&st->retry_dropped, 1);
			}
			seq_fail(q, st);
		}
	}
	seq_advance(s);
}

void dv_seq_answer(struct dv_seq *s, const struct dv_attempt_id *a, bool tc, uint64_t rx,
		   struct dv_seq_stats *st, struct dv_hist *resolve)
{
	struct dv_lq_state *q = &s->st[(uint32_t)a->lseq & s->mask];
	if (q->lseq != a->lseq || q->ended) {
		dv_count_add(&st->redundant, 1);
		return;
	}
	if (a->lost) {
		/* Its resolver never gets this answer: the attempt's timer decides, as on a lossy path. */
		dv_count_add(&st->not_taken, 1);
		return;
	}
	unsigned k = a->attempt < DV_MAX_ATTEMPTS ? a->attempt : DV_MAX_ATTEMPTS - 1;
	bool tcp = a->transport == DV_TRANSPORT_TCP;
	if (tc && !tcp && s->tc_tcp) {
		if (q->flags & DV_LQ_TC)
			return; /* TCP was asked for already: its answer (or failure) ends the query */
		/* The same question again over TCP, at once, as the next attempt (after
		 * any UDP attempt already out); no index left: it ends truncated. */
		unsigned n = (q->asked > q->latest ? q->asked : q->latest) + 1u;
		if (n < s->indexes) {
			q->flags |= DV_LQ_TC;
			if (seq_ask(s, q, n | DV_ASK_TCP | DV_ASK_AFTER_TC | k << DV_ASK_SRC_SHIFT))
				return;
			dv_count_add(&st->retry_dropped, 1);
			seq_fail(q, st);
			seq_advance(s);
			return;
		}
	}
	if (tc) {
		dv_count_add(&st->truncated_on[k], 1);
	} else {
		dv_count_add(&st->answered_on[k][a->family & 1], 1);
		if (q->latest > k)
			dv_count_add(&st->answered_late[k], 1);
		if (tcp) {
			dv_count_add(&st->answered_tcp[k], 1);
			if (q->flags & DV_LQ_TC)
				dv_count_add(&st->tc_tcp_answered, 1);
			else if (k > 0)
				dv_count_add(&st->tcp_after_timeouts, 1);
		}
		if (resolve != NULL && q->edns0 < DV_EDNS_VARIANTS)
			dv_hist_add(&resolve[q->edns0],
				    (uint64_t)((double)(rx > q->t0 ? rx - q->t0 : 0) * s->ns_per_tick));
	}
	seq_end(q, st);
	seq_advance(s);
}

void dv_seq_tcp_failed(struct dv_seq *s, const struct dv_attempt_id *a, enum dv_tcp_fail why,
		       struct dv_seq_stats *st)
{
	struct dv_lq_state *q = &s->st[(uint32_t)a->lseq & s->mask];
	unsigned k = a->attempt;
	/* Only the latest attempt decides; an older one's connection ending changes nothing. */
	if (q->lseq != a->lseq || q->ended || k < q->latest || q->asked > k)
		return;
	q->flags |= DV_LQ_TCP | DV_LQ_TCP_FAIL;
	q->tcp_fail = (uint8_t)why;
	if (k != q->latest)
		return; /* not walked yet: its timer (started when it is) decides */
	if (k + 1 < s->attempts) {
		if (seq_ask(s, q, seq_next_ask(s, q, k)))
			return;
		dv_count_add(&st->retry_dropped, 1);
	}
	seq_fail(q, st);
	seq_advance(s);
}

void dv_seq_finish(struct dv_seq *s, struct dv_seq_stats *st, bool abandon)
{
	for (uint64_t e = s->ended_upto; e < s->seen; e++) {
		struct dv_lq_state *q = &s->st[(uint32_t)e & s->mask];
		if (q->lseq == e && !q->ended) {
			if (abandon) {
				dv_count_add(&st->abandoned, 1);
				seq_end(q, st);
			} else {
				seq_fail(q, st);
			}
		}
	}
	seq_advance(s);
}
