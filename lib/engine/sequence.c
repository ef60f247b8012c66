#include "engine/sequence.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ring.h>

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
	s->ns_per_tick = 1.0;
	memcpy(s->timer_tsc, timer_tsc, attempts * sizeof(*timer_tsc));

	s->lq = aligned_alloc(64, sizeof(*s->lq) * nslots);
	s->st = aligned_alloc(64, sizeof(*s->st) * nslots);
	if (s->lq == NULL || s->st == NULL)
		goto nomem;
	memset(s->lq, 0, sizeof(*s->lq) * nslots);
	for (uint32_t i = 0; i < nslots; i++)
		s->st[i] = (struct dv_lq_state){ .lseq = DV_SEQ_NONE };
	for (unsigned k = 0; k < attempts; k++) {
		/* An attempt index holds at most one timer per live logical query. */
		s->fifo[k].e = aligned_alloc(64, sizeof(struct dv_timer) * nslots);
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

void dv_seq_free(struct dv_seq *s)
{
	free(s->lq);
	free(s->st);
	for (unsigned k = 0; k < DV_MAX_ATTEMPTS; k++)
		free(s->fifo[k].e);
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
		lseq[i] = v >> 3;
		attempt[i] = (uint8_t)(v & 7);
	}
	return got;
}

void dv_seq_walk(struct dv_seq *s, const struct dv_inflight *ifl)
{
	uint64_t sent = __atomic_load_n(&ifl->sent, __ATOMIC_ACQUIRE);

	while (s->walked < sent) {
		uint64_t tx;
		struct dv_attempt_id a;
		if (!dv_inflight_read(ifl, s->walked, &tx, &a))
			break; /* being rewritten (a retransmit): next time */
		unsigned k = a.attempt < s->attempts ? a.attempt : s->attempts - 1;
		struct dv_timer_fifo *f = &s->fifo[k];
		if (f->tail - f->head > f->mask)
			break; /* full until timers fire: next time */

		struct dv_lq_state *q = &s->st[(uint32_t)a.lseq & s->mask];
		if (k == 0) {
			*q = (struct dv_lq_state){ .lseq = a.lseq, .fam = { a.family, 0 } };
			if (a.lseq >= s->seen)
				s->seen = a.lseq + 1;
		} else if (q->lseq == a.lseq && k > q->latest) {
			q->latest = (uint8_t)k;
			if (k == 1)
				q->fam[1] = a.family;
		}
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
	if (q->latest >= 1)
		dv_count_add(&st->first_two[q->fam[0] & 1][q->fam[1] & 1], 1);
	else
		dv_count_add(&st->single[q->fam[0] & 1], 1);
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
	for (unsigned k = 0; k < s->attempts; k++) {
		struct dv_timer_fifo *f = &s->fifo[k];
		while (f->head < f->tail && f->e[f->head & f->mask].deadline <= now) {
			struct dv_timer t = f->e[f->head & f->mask];
			f->head++;
			struct dv_lq_state *q = &s->st[(uint32_t)t.lseq & s->mask];
			if (q->lseq != t.lseq || q->ended || q->latest != k)
				continue; /* answered, or a later attempt is under way */
			if (late != NULL)
				dv_hist_add(late, (uint64_t)((double)(now - t.deadline) * s->ns_per_tick));
			if (k + 1 < s->attempts) {
				void *obj = (void *)(uintptr_t)((t.lseq << 3) | (k + 1));
				if (rte_ring_sp_enqueue(s->retry, obj) == 0)
					continue;
				dv_count_add(&st->retry_dropped, 1);
			}
			dv_count_add(&st->failed, 1);
			seq_end(q, st);
		}
	}
	seq_advance(s);
}

void dv_seq_answer(struct dv_seq *s, const struct dv_attempt_id *a, bool tc,
		   struct dv_seq_stats *st)
{
	struct dv_lq_state *q = &s->st[(uint32_t)a->lseq & s->mask];
	if (q->lseq != a->lseq || q->ended) {
		dv_count_add(&st->redundant, 1);
		return;
	}
	unsigned k = a->attempt < DV_MAX_ATTEMPTS ? a->attempt : DV_MAX_ATTEMPTS - 1;
	if (tc) {
		dv_count_add(&st->truncated_on[k], 1);
	} else {
		dv_count_add(&st->answered_on[k][a->family & 1], 1);
		if (q->latest > k)
			dv_count_add(&st->answered_late[k], 1);
	}
	seq_end(q, st);
	seq_advance(s);
}

void dv_seq_finish(struct dv_seq *s, struct dv_seq_stats *st, bool abandon)
{
	for (uint64_t e = s->ended_upto; e < s->seen; e++) {
		struct dv_lq_state *q = &s->st[(uint32_t)e & s->mask];
		if (q->lseq == e && !q->ended) {
			dv_count_add(abandon ? &st->abandoned : &st->failed, 1);
			seq_end(q, st);
		}
	}
	seq_advance(s);
}
