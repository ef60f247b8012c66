/*
 * From the lcores' states to the result the report reads: counts merged,
 * ports and features described. The report reads it (through the run's sink).
 */
#include "engine/result.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "engine/features/feature.h"

void dv_session_describe(struct dv_result *r, const struct dv_session *s)
{
	const struct dv_plan *plan = s->plan;
	/* NIC timestamps would need the PMD's clock mapped to the TSC: not done yet, so say so. */
	r->rx_timestamps = s->ports.port[0].nic_timestamps
			   ? "tsc-rx-burst (the NIC offers timestamps, unused)" : "tsc-rx-burst";
	r->rate_mode = plan->rate_mode;
	r->transport = plan->transport;
	r->ngenerators = s->ngen;
	r->tsc_hz = s->sh != NULL ? (double)s->sh->tsc_hz : 0.0;
	r->mem_inflight = s->mem_inflight;
	r->mem_sequences = s->mem_sequences;
	r->mem_mbufs = s->ports.mbuf_bytes;
	r->inflight_slots = s->inflight_slots;
	r->n_edns = s->pol[0].n_edns;
	memcpy(r->edns_size, s->pol[0].edns_size, sizeof(r->edns_size));
	r->frag_report = plan->impair.frag_mtu > 0 || plan->fragmented == DV_FRAG_DROP;
	/* A population: the tables are as wide as its longest kind's, its steps any kind's. */
	r->attempts = 0;
	r->tc_tcp = false;
	r->tcp_after = 0;
	for (unsigned k = 0; k < dv_plan_kinds(plan); k++) {
		const struct dv_seq_plan *sp = dv_plan_kind_seq(plan, k);
		r->attempts = s->pol[k].attempts > r->attempts ? s->pol[k].attempts : r->attempts;
		r->tc_tcp |= s->pol[k].tc_tcp;
		if (plan->transport != DV_TRANSPORT_TCP && sp->tcp_after > 0 && r->tcp_after == 0)
			r->tcp_after = (unsigned)sp->tcp_after;
	}
	r->sequences = r->attempts > 1 || plan->seq.family != DV_FAMPOL_AUTO ||
		       plan->seq.edns.n > 0 || plan->seq.qname_pattern[0] != '\0' ||
		       r->tc_tcp || r->tcp_after > 0 || plan->pop.n > 0;
}

uint64_t dv_session_tcp_open(const struct dv_session *s)
{
	uint64_t n = 0;
	for (unsigned c = 0; c < s->ncol; c++)
		n += __atomic_load_n(&s->col[c]->tcp_live, __ATOMIC_RELAXED);
	return n;
}

void dv_session_result(struct dv_session *s, struct dv_result *res)
{
	const struct dv_plan *plan = s->plan;

	dv_tx_stats_init(&res->tx);
	dv_rx_stats_init(&res->rx);
	for (unsigned g = 0; g < s->ngen; g++)
		dv_tx_stats_merge(&res->tx, &s->gen[g]->tx);
	for (unsigned c = 0; c < s->ncol; c++) {
		dv_rx_stats_merge(&res->rx, &s->col[c]->rx);
		res->col_rx_pkts[c] = s->col[c]->rx.rx_pkts;
	}
	res->ncollectors = s->ncol;
	res->nports = plan->nports;
	for (unsigned k = 0; k < plan->nports; k++) {
		res->port_spec[k] = plan->port[k].spec;
		res->port_csum_offload[k] = s->ports.port[k].tx_csum_offload;
		for (int f = 0; f < DV_FAMILIES; f++) {
			memcpy(res->port_next_mac[k][f], s->ep[k][f].dst_mac, 6);
			res->port_resolved[k][f] = s->nd_resolved[k][f];
		}
	}
	for (unsigned g = 0; g < s->ngen; g++)
		for (int f = 0; f < DV_FAMILIES; f++)
			res->port_sent[dv_plan_port_of(plan, g)] += s->gen[g]->tx.sent[f];
	for (unsigned c = 0; c < s->ncol; c++)
		res->port_rx_pkts[dv_plan_port_of(plan, c)] += s->col[c]->rx.rx_pkts;
	res->target_qps = plan->rate_mode == DV_RATE_FIXED ? plan->qps : 0.0;
	dv_session_describe(res, s);
	if (res->tx.logical != 0 && plan->rate_mode != DV_RATE_SEARCH)
		res->send_seconds = (double)(res->tx.last_logical_tsc - s->sh->start_tsc) /
					    (double)s->sh->tsc_hz +
				    (plan->rate_mode == DV_RATE_FIXED ? 1.0 / plan->qps : 0.0);
	dv_features_collect(s, res);
}
