/*
 * The shape of a run from the plan alone. No EAL here: everything is
 * arithmetic on the plan, so tests/unit/test_topology.c reaches all of it.
 */
#include "engine/topology.h"

#include <errno.h>
#include <string.h>

#include "engine/reassembly.h"
#include "engine/inflight.h"
#include "engine/policy.h"
#include "engine/sequence.h"
#include "core/log.h"

void dv_topo_lanes(const struct dv_plan *plan, struct dv_topology *t)
{
	memset(t, 0, sizeof(*t));
	t->ngen = plan->generators > 1 ? plan->generators : 1;
	t->ncol = plan->collectors > 1 ? plan->collectors : 1;
	t->nkinds = dv_plan_kinds(plan);
	/* A population's kinds each have lanes of their own: their own timers and sources. */
	for (unsigned g = 0; g < t->ngen; g++)
		for (unsigned k = 0; k < t->nkinds; k++)
			for (unsigned c = 0; c < t->ncol; c++)
				if (dv_plan_port_of(plan, g) == dv_plan_port_of(plan, c) &&
				    t->nlanes < DV_MAX_LANES) {
					t->lane_gen[t->nlanes] = (uint8_t)g;
					t->lane_col[t->nlanes] = (uint8_t)c;
					t->lane_kind[t->nlanes] = (uint8_t)k;
					t->lane_port[t->nlanes++] = (uint8_t)dv_plan_port_of(plan, c);
				}
}

double dv_topo_sizing_qps(const struct dv_plan *plan, unsigned ngen)
{
	double max = 0;
	switch (plan->rate_mode) {
	case DV_RATE_MAX:
		for (unsigned g = 0; g < ngen; g++)
			max += plan->port[dv_plan_port_of(plan, g)].profile.max_qps;
		return max;
	case DV_RATE_RAMP:
		return plan->ramp.to_qps > plan->ramp.from_qps ? plan->ramp.to_qps : plan->ramp.from_qps;
	default:
		return plan->qps; /* fixed rate, or the search's upper bound */
	}
}

void dv_topo_kind_lifetime(const struct dv_plan *plan, unsigned kind, struct dv_lifetime *lt)
{
	memset(lt, 0, sizeof(*lt));
	lt->attempts = dv_seq_kind_timers(plan, kind, lt->timer_s);
	for (unsigned k = 0; k < lt->attempts; k++)
		lt->seq_s += lt->timer_s[k];
	if (plan->transport != DV_TRANSPORT_TCP && dv_plan_kind_seq(plan, kind)->on_tc == DV_ON_TC_TCP &&
	    lt->attempts < DV_MAX_ATTEMPTS) {
		lt->tc_attempt = true;
		lt->timer_s[lt->attempts] = lt->timer_s[lt->attempts - 1];
		lt->seq_s += lt->timer_s[lt->attempts];
	}
	/* An attempt stays matchable until the whole sequence could have ended (or -t, if longer). */
	lt->lifetime_s = plan->timeout_s > lt->seq_s ? plan->timeout_s : lt->seq_s;
}

void dv_topo_lifetime(const struct dv_plan *plan, struct dv_lifetime *lt)
{
	dv_topo_kind_lifetime(plan, 0, lt);
	/* A population: what the tables must hold is the longest kind's. */
	for (unsigned k = 1; k < dv_plan_kinds(plan); k++) {
		struct dv_lifetime o;
		dv_topo_kind_lifetime(plan, k, &o);
		unsigned idx = o.attempts + o.tc_attempt;
		for (unsigned i = 0; i < idx && i < DV_MAX_ATTEMPTS; i++)
			lt->timer_s[i] = o.timer_s[i] > lt->timer_s[i] ? o.timer_s[i] : lt->timer_s[i];
		if (o.attempts + o.tc_attempt > lt->attempts + lt->tc_attempt) {
			lt->attempts = o.attempts;
			lt->tc_attempt = o.tc_attempt;
		}
		lt->seq_s = o.seq_s > lt->seq_s ? o.seq_s : lt->seq_s;
		lt->lifetime_s = o.lifetime_s > lt->lifetime_s ? o.lifetime_s : lt->lifetime_s;
	}
}

void dv_topo_sizing(const struct dv_plan *plan, const struct dv_topology *t,
		    const struct dv_lifetime *lt, struct dv_sizing *sz)
{
	/* Each lane gets its share of the load; its tables are sized for that. */
	sz->qps = dv_topo_sizing_qps(plan, t->ngen);
	sz->lane_qps = sz->qps / t->nlanes;
	/* A population's lanes carry their kind's share: size them all for the largest. */
	double wmax = 0;
	for (unsigned k = 0; k < plan->pop.n; k++)
		wmax = plan->pop.kind[k].weight > wmax ? plan->pop.kind[k].weight : wmax;
	if (plan->pop.n > 0)
		sz->lane_qps = sz->qps * wmax * t->nkinds / t->nlanes;
	sz->slots = dv_inflight_slots_for(sz->lane_qps * (lt->attempts + lt->tc_attempt), lt->lifetime_s);
	sz->lslots = dv_seq_slots_for(sz->lane_qps, lt->seq_s);
}

int dv_topo_lane_ports(const struct dv_plan *plan, unsigned li, unsigned nlanes, uint32_t slots,
		       uint32_t *base, uint32_t *nports)
{
	uint32_t need = slots >> 16;
	if (plan->sport_high == 0) {
		*nports = need;
		*base = plan->sport_base + li * need;
		if (*base + need > 65536) {
			dv_err("not enough source ports above %u for %u lanes of %u in-flight slots; "
			       "use --sport LOW-HIGH", plan->sport_base, nlanes, slots);
			return -EINVAL;
		}
		return 0;
	}
	uint32_t chunk = ((uint32_t)plan->sport_high - plan->sport_base + 1) / nlanes;
	uint32_t p = 1;
	while (p * 2 <= chunk && p * 2 <= 32768 && p * 2 <= slots)
		p *= 2;
	if (chunk == 0 || p < need) {
		dv_err("--sport %u-%u: %u ports per lane (%u lanes), the in-flight tables need %u",
		       plan->sport_base, plan->sport_high, chunk, nlanes, need);
		return -EINVAL;
	}
	*base = plan->sport_base + li * chunk;
	*nports = p;
	return 0;
}

int dv_topo_tcp_ports(const struct dv_plan *plan, unsigned li, unsigned nlanes, uint32_t *lo,
		      uint32_t *n)
{
	uint32_t top = plan->sport_high != 0 ? plan->sport_high : 65535;
	uint32_t chunk = (top - plan->sport_base + 1) / nlanes;
	if (chunk < 16) {
		dv_err("--transport tcp: %u source ports from %u for %u lanes; give a wider --sport",
		       top - plan->sport_base + 1, plan->sport_base, nlanes);
		return -EINVAL;
	}
	*lo = plan->sport_base + li * chunk;
	*n = chunk;
	return 0;
}

uint32_t dv_topo_tcp_conns(const struct dv_plan *plan, double lane_qps, const struct dv_lifetime *lt)
{
	if (plan->tcp.conns != 0)
		return plan->tcp.conns;
	const struct dv_tcp_plan *t = &plan->tcp;
	if (plan->transport != DV_TRANSPORT_TCP) {
		/* TCP after UDP (a TC answer, timeouts, a TCP check): at most every query once over TCP;
		 * a connection lives until its answer, or its attempt's timer and one
		 * retransmission of a SYN nobody answers (beyond: "table full", counted). */
		double longest = 0.0;
		for (unsigned k = 0; k < lt->attempts + lt->tc_attempt && k < DV_MAX_ATTEMPTS; k++)
			longest = lt->timer_s[k] > longest ? lt->timer_s[k] : longest;
		/* Without a fallback only the battery's TCP checks (--checks) go over TCP. */
		double share = dv_plan_tcp_fallback(plan) ? 1.0 : plan->checks_share;
		double c = lane_qps * share * (longest + t->rto_init_s);
		if (c < DV_TCP_CONNS_AUTO_MIN)
			return DV_TCP_CONNS_AUTO_MIN;
		return c > DV_TCP_CONNS_AUTO_MAX ? DV_TCP_CONNS_AUTO_MAX : (uint32_t)c;
	}
	double per_s = t->queries_per_conn > 1 ? lane_qps / t->queries_per_conn : lane_qps;
	/* A handshake that fails waits through its first retransmissions (RTO, 2 RTO). */
	double life = lt->lifetime_s + 3.0 * t->rto_init_s;
	if (t->end == DV_TCP_END_IDLE)
		life += t->idle_max_s;
	if (t->stress == DV_TCP_STRESS_HOLD || t->stress == DV_TCP_STRESS_HALF_OPEN)
		life += plan->duration_s;
	double c = per_s * life * 2.0;
	if (c < DV_TCP_CONNS_AUTO_MIN)
		return DV_TCP_CONNS_AUTO_MIN;
	return c > DV_TCP_CONNS_AUTO_MAX ? DV_TCP_CONNS_AUTO_MAX : (uint32_t)c;
}

uint32_t dv_topo_frag_sets(double qps, unsigned ncol, unsigned attempts, double frag_timeout_s)
{
	/* Beyond the bound (memory), sets are counted lost ("table full"). */
	double sets = qps / ncol * attempts * frag_timeout_s * 2.0 + 1024;
	return sets < DV_FRAG_SETS_MAX ? (uint32_t)sets : DV_FRAG_SETS_MAX;
}

uint64_t dv_topo_quota(uint64_t max_queries, unsigned ngen, unsigned g)
{
	return max_queries / ngen + (g < max_queries % ngen);
}

uint64_t dv_topo_backlog(const struct dv_plan *plan, double qps, unsigned ngen)
{
	/* Jitter the schedule absorbs by catching up: a nap that overslept, a short
	 * preemption; longer stalls re-anchor. */
	double top = plan->rate_mode == DV_RATE_RAMP ? plan->ramp.to_qps : qps;
	double jitter = top / ngen * 200e-6;
	return jitter > plan->burst ? (uint64_t)jitter : plan->burst;
}
