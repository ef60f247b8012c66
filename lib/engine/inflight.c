#include "engine/inflight.h"
#include "core/bigmem.h"
#include "core/pow2.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint32_t dv_inflight_slots_for(double qps, double timeout_s)
{
	/* 2^24 slots = 256 source ports: bounded memory (640 MiB worst). */
	return dv_pow2_at_least(qps * timeout_s * 2.0, 65536, 1u << 24);
}

int dv_inflight_init(struct dv_inflight *t, uint32_t nslots, uint16_t sport_base)
{
	memset(t, 0, sizeof(*t));
	if (nslots < 65536 || (nslots & (nslots - 1)) != 0)
		return -EINVAL;
	uint32_t nports = nslots >> 16;
	if ((uint32_t)sport_base + nports > 65536)
		return -EINVAL;

	static const struct dv_issue no_issue = { .seq = DV_SEQ_NONE };
	static const struct dv_done no_done = { .seq = DV_SEQ_NONE };
	t->issue = dv_bigmem_alloc_fill(nslots, sizeof(*t->issue), &no_issue);
	t->done = dv_bigmem_alloc_fill(nslots, sizeof(*t->done), &no_done);
	if (t->issue == NULL || t->done == NULL) {
		dv_inflight_free(t);
		return -ENOMEM;
	}
	t->nslots = nslots;
	t->mask = nslots - 1;
	t->sport_base = sport_base;
	t->lane = 0;
	t->nlanes = 1;
	return dv_inflight_spread(t, nports, 0);
}

/* The inverse of an odd number modulo 2^32 (Newton's iteration doubles the correct bits). */
static uint32_t odd_inverse(uint32_t a)
{
	uint32_t x = a; /* correct to 3 bits */
	for (int i = 0; i < 5; i++)
		x *= 2u - a * x;
	return x;
}

int dv_inflight_spread(struct dv_inflight *t, uint32_t nports, uint64_t key)
{
	uint32_t lim = t->nslots < 32768 ? t->nslots : 32768;
	if (nports == 0 || (nports & (nports - 1)) != 0 || nports < (t->nslots >> 16) ||
	    nports > lim || (uint32_t)t->sport_base + nports > 65536)
		return -EINVAL;
	t->nports = (uint16_t)nports;
	t->port_bits = (uint8_t)__builtin_ctz(nports);
	if (key == 0) {
		t->port_mul = t->id_mul = t->port_inv = t->id_inv = 1;
		t->port_add = t->id_add = 0;
		return 0;
	}
	/* Odd multipliers and offsets from the key: bijections modulo any power of two. */
	t->port_mul = (uint32_t)(key >> 32) | 1u;
	t->id_mul = (uint32_t)(key * 0x9e3779b97f4a7c15ull >> 32) | 1u;
	t->port_add = (uint32_t)key;
	t->id_add = (uint32_t)(key >> 16);
	t->port_inv = odd_inverse(t->port_mul);
	t->id_inv = odd_inverse(t->id_mul);
	return 0;
}

void dv_inflight_free(struct dv_inflight *t)
{
	dv_bigmem_free(t->issue);
	dv_bigmem_free(t->done);
	t->issue = NULL;
	t->done = NULL;
}

bool dv_inflight_read(const struct dv_inflight *t, uint64_t seq, uint64_t *tx_tsc,
		      struct dv_attempt_id *a)
{
	const struct dv_issue *s = &t->issue[(uint32_t)seq & t->mask];
	uint64_t *w = (uint64_t *)a;

	uint64_t sent = __atomic_load_n(&t->sent, __ATOMIC_ACQUIRE);
	if (seq >= sent || __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) != seq)
		return false;
	*tx_tsc = __atomic_load_n(&s->tx_tsc, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < DV_ATTEMPT_ID_WORDS; i++)
		w[i] = __atomic_load_n(&s->w[i], __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	/* Seqlock re-check: the generator may be rewriting this slot (a retransmit, or a newer attempt). */
	return __atomic_load_n(&s->seq, __ATOMIC_RELAXED) == seq;
}

enum dv_outcome dv_inflight_lookup(const struct dv_inflight *t, uint16_t dport, uint16_t id,
				   struct dv_match *m)
{
	m->outcome = DV_OUT_UNMATCHED;
	uint32_t pidx = (uint32_t)(uint16_t)(dport - t->sport_base);
	if (pidx >= t->nports)
		return DV_OUT_UNMATCHED;
	/* Invert both bijections: slot = id index above the port index. */
	uint32_t plow = ((pidx - t->port_add) * t->port_inv) & (t->nports - 1u);
	uint32_t idx = ((uint32_t)id - t->id_add) * t->id_inv & 0xffffu;
	if (idx > (t->mask >> t->port_bits))
		return DV_OUT_UNMATCHED;
	uint32_t slot = idx << t->port_bits | plow;
	const struct dv_issue *s = &t->issue[slot];

	uint64_t seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
	if (seq == DV_SEQ_NONE)
		return DV_OUT_UNMATCHED;
	return dv_inflight_lookup_seq(t, seq, m);
}

enum dv_outcome dv_inflight_lookup_seq(const struct dv_inflight *t, uint64_t seq, struct dv_match *m)
{
	m->outcome = DV_OUT_UNMATCHED;
	uint32_t slot = (uint32_t)seq & t->mask;
	if (!dv_inflight_read(t, seq, &m->tx_tsc, &m->a))
		return DV_OUT_UNMATCHED;
	m->seq = seq;

	const struct dv_done *d = &t->done[slot];
	if (d->seq == seq) {
		m->outcome = d->outcome == DV_OUT_ANSWERED ? DV_OUT_DUPLICATE : DV_OUT_LATE;
		return m->outcome;
	}
	if (seq < t->resolved) {
		/* Resolved by the timeout walk without a done record: cannot happen, be safe. */
		m->outcome = DV_OUT_LATE;
		return m->outcome;
	}
	m->outcome = DV_OUT_ANSWERED;
	return m->outcome;
}

unsigned dv_inflight_expire(struct dv_inflight *t, uint64_t deadline_tsc, bool all,
			    unsigned budget,
			    void (*on_timeout)(void *ctx, uint64_t seq, const struct dv_attempt_id *a),
			    void *ctx)
{
	uint64_t sent = __atomic_load_n(&t->sent, __ATOMIC_ACQUIRE);
	uint64_t r = t->resolved;
	unsigned n = 0;

	while (r < sent && n < budget) {
		uint32_t slot = (uint32_t)r & t->mask;
		struct dv_done *d = &t->done[slot];
		if (d->seq != r) {
			const struct dv_issue *s = &t->issue[slot];
			/* Published and not being rewritten: the generator cannot reuse it before we move on. */
			if (!all && s->tx_tsc > deadline_tsc)
				break;
			d->outcome = DV_OUT_TIMEOUT;
			__atomic_store_n(&d->seq, r, __ATOMIC_RELAXED);
			if (on_timeout != NULL)
				on_timeout(ctx, r, &s->a);
		}
		r++;
		n++;
	}
	if (n > 0)
		__atomic_store_n(&t->resolved, r, __ATOMIC_RELEASE);
	return n;
}
