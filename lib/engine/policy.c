#include "engine/policy.h"

#include <errno.h>
#include <string.h>

/* Index of a size in the variant list, adding it if new. */
static int variant_of(struct dv_policy *p, int size)
{
	for (unsigned i = 0; i < p->n_edns; i++)
		if (p->edns_size[i] == size)
			return (int)i;
	if (p->n_edns >= DV_EDNS_VARIANTS)
		return -EINVAL;
	p->edns_size[p->n_edns] = size;
	return (int)p->n_edns++;
}

unsigned dv_seq_timers(const struct dv_plan *plan, double timer_s[DV_MAX_ATTEMPTS])
{
	return dv_seq_kind_timers(plan, 0, timer_s);
}

unsigned dv_seq_kind_timers(const struct dv_plan *plan, unsigned kind, double timer_s[DV_MAX_ATTEMPTS])
{
	const struct dv_seq_plan *sp = dv_plan_kind_seq(plan, kind);
	unsigned n = sp->attempts > 0 ? sp->attempts : 1;
	unsigned k0 = 0;

	if (n > DV_MAX_ATTEMPTS)
		n = DV_MAX_ATTEMPTS;
	if (sp->family == DV_FAMPOL_HAPPY_EYEBALLS) {
		/* The IPv4 attempt counts as one of the N attempts (N >= 2). */
		timer_s[0] = sp->he_delay_s > 0 ? sp->he_delay_s : 0.050;
		k0 = 1;
		if (n < 2)
			n = 2;
	}
	for (unsigned k = k0; k < n; k++) {
		double t = sp->timer_s[k - k0];
		timer_s[k] = t > 0 ? t : plan->timeout_s;
	}
	return n;
}

static void policy_fix(struct dv_policy *p);

int dv_policy_init(struct dv_policy *p, const struct dv_plan *plan)
{
	return dv_policy_init_kind(p, plan, 0, NULL);
}

int dv_policy_init_kind(struct dv_policy *p, const struct dv_plan *plan, unsigned kind,
			const struct dv_policy *prev)
{
	double timers[DV_MAX_ATTEMPTS];
	const struct dv_seq_plan *sp = dv_plan_kind_seq(plan, kind);
	memset(p, 0, sizeof(*p));
	/* One list of EDNS variants for the run: the earlier kinds' sizes keep their indexes. */
	if (prev != NULL) {
		p->n_edns = prev->n_edns;
		memcpy(p->edns_size, prev->edns_size, sizeof(p->edns_size));
	}
	double lost = plan->pop.n > 0 ? plan->pop.kind[kind].lost : 0.0;
	p->lost_all = lost >= 1.0;
	p->lost_below = lost <= 0.0 ? 0 : p->lost_all ? UINT64_MAX : (uint64_t)(lost * 18446744073709551616.0);

	p->family = sp->family;
	p->mix_v6 = sp->mix_v6;
	p->attempts = dv_seq_kind_timers(plan, kind, timers);
	p->both = plan->target[DV_FAMILY_V4].family != 0 && plan->target[DV_FAMILY_V6].family != 0;
	p->only_family = plan->target[DV_FAMILY_V4].family != 0 ? DV_FAMILY_V4 : DV_FAMILY_V6;
	p->retry_family = p->both && ((sp->retry_change & DV_RETRY_FAMILY) ||
				      sp->family == DV_FAMPOL_V4_FIRST ||
				      sp->family == DV_FAMPOL_V6_FIRST ||
				      sp->family == DV_FAMPOL_ALTERNATE ||
				      sp->family == DV_FAMPOL_HAPPY_EYEBALLS);
	p->do_prob = sp->do_prob > 0 ? sp->do_prob : (plan->dnssec_ok ? 1.0 : 0.0);
	p->tc_tcp = plan->transport != DV_TRANSPORT_TCP && sp->on_tc == DV_ON_TC_TCP;
	/* --tcp-after K: after K timeouts; with happy eyeballs the IPv4 attempt
	 * (index 1) follows the delay, not a timeout. */
	p->tcp_from = DV_MAX_ATTEMPTS;
	if (plan->transport == DV_TRANSPORT_TCP)
		p->tcp_from = 0;
	else if (sp->tcp_after > 0)
		p->tcp_from = (uint8_t)(sp->tcp_after + (sp->family == DV_FAMPOL_HAPPY_EYEBALLS));

	/* First attempts: the weighted mix, or the single -e size. */
	struct dv_weighted w;
	memset(&w, 0, sizeof(w));
	if (sp->edns.n > 0) {
		for (unsigned i = 0; i < sp->edns.n; i++) {
			int v = variant_of(p, sp->edns.value[i]);
			if (v < 0)
				return -EINVAL;
			w.value[w.n] = v;
			w.weight[w.n++] = sp->edns.weight[i];
		}
	} else {
		w.value[0] = variant_of(p, plan->edns_size);
		w.weight[0] = 1.0;
		w.n = 1;
	}
	int rc = dv_alias_build(&p->first_edns, &w);
	if (rc != 0)
		return rc;

	/* Retries step down the ladder to its first size below the current one. */
	bool ladder = (sp->retry_change & DV_RETRY_EDNS) && sp->edns_ladder_n > 0;
	int ladder_var[DV_MAX_ATTEMPTS];
	if (ladder)
		for (unsigned i = 0; i < sp->edns_ladder_n; i++)
			if ((ladder_var[i] = variant_of(p, sp->edns_ladder[i])) < 0)
				return -EINVAL;
	for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++) {
		p->ladder_next[v] = (uint8_t)v;
		if (v >= p->n_edns)
			continue;
		if (!ladder || p->edns_size[v] == 0)
			continue;
		for (unsigned i = 0; i < sp->edns_ladder_n; i++) {
			int s = sp->edns_ladder[i];
			/* "no OPT" (0) is the bottom rung: below every size. */
			if (s < p->edns_size[v]) {
				p->ladder_next[v] = (uint8_t)ladder_var[i];
				break;
			}
		}
	}
	policy_fix(p);
	return 0;
}

static uint8_t first_family(const struct dv_policy *p, uint64_t lseq, struct dv_rng *r)
{
	if (!p->both)
		return p->only_family;
	switch (p->family) {
	case DV_FAMPOL_V4:
	case DV_FAMPOL_V4_FIRST:
		return DV_FAMILY_V4;
	case DV_FAMPOL_V6:
	case DV_FAMPOL_V6_FIRST:
	case DV_FAMPOL_HAPPY_EYEBALLS:
		return DV_FAMILY_V6;
	case DV_FAMPOL_MIX:
		return dv_rng_unit(r) < p->mix_v6 ? DV_FAMILY_V6 : DV_FAMILY_V4;
	case DV_FAMPOL_AUTO:
	case DV_FAMPOL_ALTERNATE:
	default:
		return (lseq & 1) ? DV_FAMILY_V6 : DV_FAMILY_V4;
	}
}

/* A population kind's lost=: which attempts' answers its resolver never gets.
 * Out of line: most runs have none, and the loop would cost them registers. */
static __attribute__((noinline)) uint8_t draw_lost(const struct dv_policy *p, struct dv_rng *r)
{
	uint8_t lost = 0;
	for (unsigned k = 0; k < p->attempts; k++)
		if (p->lost_all || dv_rng_next(r) < p->lost_below)
			lost |= (uint8_t)(1u << k);
	return lost;
}

static void policy_draw(const struct dv_policy *p, uint64_t lseq, struct dv_rng *r,
			struct dv_attempt_plan *ap)
{
	uint8_t fam = first_family(p, lseq, r);
	uint8_t var = (uint8_t)dv_alias_pick(&p->first_edns, r);

	for (unsigned k = 0; k < p->attempts; k++) {
		ap->family[k] = fam;
		ap->edns_var[k] = var;
		if (p->retry_family)
			fam ^= 1;
		var = p->ladder_next[var];
	}
	ap->dnssec_ok = p->do_prob >= 1.0 || (p->do_prob > 0 && dv_rng_unit(r) < p->do_prob);
	ap->lost = p->lost_below != 0 ? draw_lost(p, r) : 0;
}

void dv_policy_draw(const struct dv_policy *p, uint64_t lseq, struct dv_rng *r,
		    struct dv_attempt_plan *ap)
{
	if (p->fixed)
		*ap = p->fixed_plan;
	else
		policy_draw(p, lseq, r, ap);
}

/* Nothing drawn and nothing from the query's number: the plan of every query, once. */
static void policy_fix(struct dv_policy *p)
{
	bool first_fixed = !p->both || (p->family != DV_FAMPOL_MIX && p->family != DV_FAMPOL_AUTO &&
					p->family != DV_FAMPOL_ALTERNATE);
	p->fixed = first_fixed && p->first_edns.n == 1 && (p->do_prob <= 0 || p->do_prob >= 1.0) &&
		   p->lost_below == 0 && !p->lost_all;
	if (p->fixed) {
		struct dv_rng unused;
		dv_rng_seed(&unused, 0);
		memset(&p->fixed_plan, 0, sizeof(p->fixed_plan));
		policy_draw(p, 0, &unused, &p->fixed_plan);
	}
}

int dv_policy_init_kinds(struct dv_policy *pol, const struct dv_plan *plan)
{
	unsigned n = dv_plan_kinds(plan);
	for (unsigned k = 0; k < n; k++) {
		int rc = dv_policy_init_kind(&pol[k], plan, k, k > 0 ? &pol[k - 1] : NULL);
		if (rc != 0)
			return rc;
	}
	/* Every kind knows every size: the counters and OPT records index one list. */
	for (unsigned k = 0; k + 1 < n; k++) {
		pol[k].n_edns = pol[n - 1].n_edns;
		memcpy(pol[k].edns_size, pol[n - 1].edns_size, sizeof(pol[k].edns_size));
	}
	return 0;
}
