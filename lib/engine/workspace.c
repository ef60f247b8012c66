/*
 * The lcores' work spaces, built once before the first launch: the query
 * source and policy, the shared context (templates per lane and family,
 * source pools, OPT records, answer settings), each generator's and
 * collector's struct, each lane's tables. Sizes come from topology.c.
 */
#include "engine/workspace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "core/addr.h"
#include "engine/clock.h"
#include "engine/sources.h"
#include "core/log.h"
#include "core/rng.h"

unsigned dv_session_gen_lcore(const struct dv_session *s, unsigned g)
{
	return s->map.gen[g];
}

unsigned dv_session_col_lcore(const struct dv_session *s, unsigned c)
{
	return s->plan->roles == DV_ROLES_SPLIT ? s->map.col[c] : s->map.gen[0];
}

static int lcore_socket(unsigned lcore)
{
	return (int)rte_lcore_to_socket_id(lcore);
}

/* Run fn(arg) on lcore id and wait for it, so that what it writes first is on its node. */
static int on_lcore(int (*fn)(void *), void *arg, unsigned id)
{
	if (rte_eal_remote_launch(fn, arg, id) != 0)
		return fn(arg); /* not a worker lcore: the main one touches it */
	return dv_lcore_wait(id);
}

/* What a collector's lcore needs to set up its lanes' tables. */
struct lane_tables {
	struct dv_session *s;
	struct dv_col *col;
	const struct dv_sizing *sz;
	const uint32_t *base;                 /* per lane: first source port */
	const uint32_t *nports;               /* per lane: source ports */
	const uint64_t *key;                  /* per lane: the port/ID scrambling key */
	unsigned attempts;                    /* the longest kind's */
	uint64_t (*timer_tsc)[DV_MAX_ATTEMPTS]; /* per kind, per attempt */
};

/*
 * On the collector's lcore: the in-flight and sequence tables of its lanes
 * and its fail notes, first touched there. The collector walks all of them
 * every 100 us; its generators write their halves.
 */
static int lane_tables_init(void *arg)
{
	struct lane_tables *lt = arg;
	struct dv_session *s = lt->s;
	struct dv_col *col = lt->col;
	uint32_t slots = lt->sz->slots, lslots = lt->sz->lslots;

	for (unsigned i = 0; i < col->nlanes; i++) {
		struct dv_col_lane *ln = &col->lane[i];
		unsigned li = (unsigned)(ln->ifl - s->ifl);
		int rc = dv_inflight_init(ln->ifl, slots, (uint16_t)lt->base[li]);
		if (rc == 0)
			rc = dv_inflight_spread(ln->ifl, lt->nports[li], lt->key[li]);
		if (rc != 0) {
			dv_err("cannot allocate the in-flight table (%u slots): %s", slots, strerror(-rc));
			return rc;
		}
		ln->ifl->lane = (uint8_t)li;
		ln->ifl->nlanes = (uint8_t)s->nlanes;
		/* Its kind's sequences: their own timers and transport steps. */
		unsigned kind = s->topo.lane_kind[li];
		const struct dv_policy *pol = &s->pol[kind];
		const uint64_t *timer_tsc = lt->timer_tsc[kind];
		rc = dv_seq_init(ln->seq, lslots, pol->attempts, timer_tsc);
		if (rc == 0)
			rc = dv_seq_set_transport(ln->seq, pol->tc_tcp, pol->tcp_from,
						  pol->tc_tcp && pol->attempts < DV_MAX_ATTEMPTS
						  ? timer_tsc[pol->attempts] : 0);
		if (rc != 0) {
			dv_err("cannot allocate the sequence tables (%u logical queries): %s", lslots,
			       strerror(-rc));
			return rc;
		}
		ln->seq->ns_per_tick = s->sh->ns_per_tick;
		ln->notes = calloc(ln->ifl->nslots, sizeof(*ln->notes));
		if (ln->notes == NULL) {
			dv_err("out of memory for the collector's tables");
			return -ENOMEM;
		}
		for (uint32_t k = 0; k < ln->ifl->nslots; k++)
			ln->notes[k].seq = DV_SEQ_NONE;
	}
	return 0;
}

/*
 * With several collectors and one source address, collector c's answers must
 * hash to RX queue c: take an address of the default one's /20 that does, as
 * the NIC's address-only RSS (and the embedded responder) will hash it. The
 * same draw as for --src ranges (lib/engine/sources.c).
 */
static int lane_source(struct dv_endpoints *ep, unsigned c, unsigned ncol)
{
	static dv_src_rss_tab tab;
	unsigned bits = ep->src.family == AF_INET6 ? 128 : 32;
	struct dv_src_range r;
	struct dv_src one;
	dv_src_rss_build(&ep->src, bits - 12, &tab);
	if (dv_src_range_init(&r, &ep->src, bits - 12, &ep->dst, c, ncol, 0, &tab) != 0 ||
	    dv_src_range_list(&r, &one, 1) != 1)
		return -ENOENT;
	memcpy(ep->src.family == AF_INET6 ? (void *)&ep->src.v6 : (void *)&ep->src.v4, one.addr,
	       bits / 8);
	return 0;
}

/* Each lane's Ethernet + IP + UDP header per family, from its port's endpoints. */
static int templates_build(struct dv_session *s)
{
	const struct dv_plan *plan = s->plan;
	struct dv_shared *sh = s->sh;
	for (unsigned li = 0; li < s->nlanes; li++) {
		unsigned c = s->topo.lane_col[li];
		unsigned k = dv_plan_port_of(plan, c), q = dv_plan_queue_of(plan, c);
		unsigned ncolp = dv_plan_on_port(plan, s->ncol, k);
		for (int f = 0; f < DV_FAMILIES; f++) {
			if (s->ep[k][f].src.family == 0)
				continue;
			struct dv_endpoints lep = s->ep[k][f];
			/* Address-steered ports bring collector c the answers to addresses that hash
			 * to its queue; kernel-steered ones need no such address (hand-off). */
			if (ncolp > 1 && plan->src_prefix[f] == 0 &&
			    plan->port[k].profile.rx_steering == DV_STEER_ADDRESS &&
			    lane_source(&lep, q, ncolp) != 0) {
				dv_err("--collectors %u: no source address hashes to collector %u",
				       s->ncol, c);
				return -EINVAL;
			}
			if (dv_l34_build(&lep, &sh->l34[li][f]) != 0) {
				dv_err("cannot build the frame header for family %d", f);
				return -EINVAL;
			}
			if (s->ports.port[k].tx_csum_offload)
				dv_l34_offload(&sh->l34[li][f]);
		}
	}
	return 0;
}

/* --src ranges: each lane draws the addresses that hash to its collector, in its own order. */
static int sources_setup(struct dv_session *s, uint64_t seed)
{
	const struct dv_plan *plan = s->plan;
	for (int f = 0; f < DV_FAMILIES; f++) {
		if (plan->src_prefix[f] == 0)
			continue;
		s->src_rss[f] = malloc(sizeof(dv_src_rss_tab));
		if (s->src_rss[f] == NULL) {
			dv_err("out of memory for source addresses");
			return -ENOMEM;
		}
		/* The table is the host bytes': the same for every slice of the range. */
		dv_src_rss_build(&plan->src[f], plan->src_prefix[f], s->src_rss[f]);
		for (unsigned li = 0; li < s->nlanes; li++) {
			/* A population's kind sends from its own slice of the range. */
			const struct dv_kind *kd = plan->pop.n > 0 ? &plan->pop.kind[s->topo.lane_kind[li]]
							 : NULL;
			const struct dv_addr *base = kd != NULL ? &kd->src[f] : &plan->src[f];
			unsigned prefix = kd != NULL ? kd->src_prefix[f] : plan->src_prefix[f];
			/* Lane li's collector reads RX queue q of its port, which has ncolp of them. */
			unsigned c = s->topo.lane_col[li];
			unsigned k = dv_plan_port_of(plan, c), q = dv_plan_queue_of(plan, c);
			unsigned ncolp = dv_plan_on_port(plan, s->ncol, k);
			const struct dv_endpoints *ep = s->ep[k];
			if (ep[f].src.family == 0)
				continue;
			int rc = dv_src_range_init(&s->sh->srcs[li][f], base, prefix, &ep[f].dst, q,
						   ncolp, seed ^ (li + 1) * 0x9e3779b97f4a7c15ull,
						   s->src_rss[f]);
			if (rc != 0) {
				char ab[64];
				dv_err("--src %s/%u: no address of the range hashes to collector %u of %u",
				       dv_addr_str(base, ab, sizeof(ab)), prefix, q, ncolp);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* The context every lcore reads: clocks, lanes, templates, OPT records, answer settings. */
static int shared_build(struct dv_session *s, double lifetime_s, uint64_t seed)
{
	const struct dv_plan *plan = s->plan;
	uint64_t hz = dv_tsc_hz();
	s->sh = rte_zmalloc("dv_shared", sizeof(*s->sh), RTE_CACHE_LINE_SIZE);
	if (s->sh == NULL) {
		dv_err("out of DPDK memory for lcore state");
		return -ENOMEM;
	}
	struct dv_shared *sh = s->sh;
	sh->qs = &s->qs;
	sh->pol = &s->pol[0];
	sh->tsc_hz = hz;
	sh->ns_per_tick = 1e9 / (double)hz;
	sh->timeout_tsc = (uint64_t)(lifetime_s * (double)hz);
	sh->stall_tsc = (uint64_t)((double)DV_STALL_NS * (double)hz / 1e9);
	sh->ngen = s->ngen;
	sh->ncol = s->ncol;
	sh->tmpl_tag_off = s->ports.tmpl_tag_off;
	sh->nlanes = s->nlanes;
	memcpy(sh->lane_port, s->topo.lane_port, sizeof(sh->lane_port));
	int rc = templates_build(s);
	if (rc == 0)
		rc = sources_setup(s, seed);
	if (rc != 0)
		return rc;
	for (unsigned v = 0; v < s->pol[0].n_edns; v++)
		for (int d = 0; d < 2; d++)
			dv_opt_build((uint16_t)s->pol[0].edns_size[v], d != 0, &sh->opt[v][d]);
	dv_answer_cfg_default(&sh->answer_cfg);
	sh->answer_cfg.answer_size = (uint16_t)plan->impair.answer_size;
	sh->answer_cfg.ignore_edns = plan->impair.ignore_edns;
	sh->answer_cfg.defects = (uint16_t)plan->impair.defects;
	if (plan->impair.frag_mtu > 0)
		sh->answer_cfg.mtu = 9000; /* built whole, then fragmented at frag-mtu */
	return 0;
}

/* Generator g: its lanes (one per collector of its port), its RNG stream, pool and TX queue. */
static int gen_setup(struct dv_session *s, unsigned g, uint64_t seed)
{
	const struct dv_plan *plan = s->plan;
	struct dv_gen *gen = rte_zmalloc_socket("dv_gen", sizeof(*gen), RTE_CACHE_LINE_SIZE,
						lcore_socket(dv_session_gen_lcore(s, g)));
	if (gen == NULL) {
		dv_err("out of DPDK memory for lcore state");
		return -ENOMEM;
	}
	s->gen[g] = gen;
	gen->sh = s->sh;
	gen->index = g;
	for (unsigned li = 0; li < s->nlanes; li++) {
		if (s->topo.lane_gen[li] != g)
			continue;
		/* A population: each kind's share of new queries, split over its lanes (collectors). */
		unsigned kind = s->topo.lane_kind[li];
		double w = plan->pop.n > 0 ? plan->pop.kind[kind].weight /
					     dv_plan_on_port(plan, s->ncol, dv_plan_port_of(plan, g))
					   : 0.0;
		gen->lane[gen->nlanes++] = (struct dv_lane){ .ifl = &s->ifl[li], .seq = &s->seq[li],
							     .global = li, .pol = &s->pol[kind],
							     .weight = w };
		gen->weighted = plan->pop.n > 0;
		for (int f = 0; f < DV_FAMILIES; f++)
			if (s->sh->srcs[li][f].alen != 0)
				gen->lane[gen->nlanes - 1].src[f] = &s->sh->srcs[li][f];
		/* Checksum offload is its port's: the same for all its lanes. */
		for (int f = 0; f < DV_FAMILIES; f++)
			gen->ol_flags[f] = dv_l34_ol_flags(&s->sh->l34[li][f]);
	}
	/* Own RNG stream, own pool, own TX queue: nothing shared on the hot path. */
	dv_rng_seed(&gen->rng, seed + 0x9e3779b97f4a7c15ull * (g + 1));
	gen->pool = s->ports.gen_pool[g];
	/* In a pool shared with RX an mbuf may come back holding an answer. */
	gen->tag_mask = gen->pool == s->ports.pool ? 0 : UINT32_MAX;
	gen->port = s->ports.port[dv_plan_port_of(plan, g)].id;
	gen->queue = (uint16_t)dv_plan_queue_of(plan, g);
	gen->burst = plan->burst;
	gen->frugal = plan->poll == DV_POLL_FRUGAL;
	dv_tx_stats_init(&gen->tx);
	return 0;
}

/* Collector c: its lanes (one per generator) and their tables, its RX queue, its fragment tracker. */
static int col_setup(struct dv_session *s, unsigned c, struct lane_tables *lt)
{
	const struct dv_plan *plan = s->plan;
	uint64_t hz = s->sh->tsc_hz;
	unsigned lcore = dv_session_col_lcore(s, c);
	int socket = lcore_socket(lcore);
	struct dv_col *col = rte_zmalloc_socket("dv_col", sizeof(*col), RTE_CACHE_LINE_SIZE, socket);
	if (col == NULL) {
		dv_err("out of DPDK memory for lcore state");
		return -ENOMEM;
	}
	s->col[c] = col;
	col->sh = s->sh;
	uint32_t lo = 65536, hi = 0;
	for (unsigned li = 0; li < s->nlanes; li++) {
		lo = lt->base[li] < lo ? lt->base[li] : lo;
		hi = lt->base[li] + lt->nports[li] > hi ? lt->base[li] + lt->nports[li] : hi;
	}
	col->sport_lo = (uint16_t)lo;
	col->sport_hi = (uint16_t)(hi > 65535 ? 65535 : hi);
	for (unsigned li = 0; li < s->nlanes; li++) {
		if (s->topo.lane_col[li] != c)
			continue;
		col->lane[col->nlanes++] = (struct dv_col_lane){ .col = col, .ifl = &s->ifl[li],
								 .seq = &s->seq[li] };
	}
	lt->col = col;
	int rc = on_lcore(lane_tables_init, lt, lcore);
	if (rc != 0)
		return rc;
	for (unsigned i = 0; i < col->nlanes; i++)
		s->mem_inflight += (uint64_t)col->lane[i].ifl->nslots * sizeof(struct dv_fail_note);

	uint32_t sets = dv_topo_frag_sets(s->sizing_qps, s->ncol, lt->attempts, plan->frag_timeout_s);
	col->scratch = rte_malloc_socket("dv_scratch", DV_SCRATCH_LEN, RTE_CACHE_LINE_SIZE, socket);
	col->linear = rte_malloc_socket("dv_linear", DV_SCRATCH_LEN, RTE_CACHE_LINE_SIZE, socket);
	if (col->scratch == NULL || col->linear == NULL ||
	    dv_frags_init(&col->frags, sets, (uint64_t)(plan->frag_timeout_s * (double)hz),
			  1e9 / (double)hz, plan->fragmented == DV_FRAG_REASSEMBLE, socket) != 0) {
		dv_err("out of memory for the collector's fragment tables");
		return -ENOMEM;
	}
	/* Incomplete sets hold at most a quarter of the RX pool (shared by the
	 * collectors): a flood of sets that never complete cannot starve RX. */
	if (s->ports.pool != NULL)
		col->frags.held_max = s->ports.pool->size / (4u * (s->ncol > 0 ? s->ncol : 1u));
	unsigned k = dv_plan_port_of(plan, c);
	col->port_reassembles_v4 = (plan->port[k].profile.kernel_reassembles & (1u << DV_FAMILY_V4)) != 0;
	col->port = s->ports.port[k].id;
	col->port_index = k;
	col->queue = (uint16_t)dv_plan_queue_of(plan, c);
	col->index = c;
	col->npeers = dv_plan_on_port(plan, s->ncol, k);
	for (unsigned q = 0; q < col->npeers; q++)
		col->peer[q] = (uint8_t)dv_plan_index_of(plan, k, q);
	col->burst = plan->burst;
	memcpy(col->target, plan->target, sizeof(col->target));
	memcpy(col->src, plan->src, sizeof(col->src));
	memcpy(col->src_prefix, plan->src_prefix, sizeof(col->src_prefix));
	col->dport = plan->dport;
	col->vlan = plan->vlan;
	col->frugal = plan->poll == DV_POLL_FRUGAL;
	dv_rx_stats_init(&col->rx);
	return 0;
}

int dv_workspace_build(struct dv_session *s)
{
	const struct dv_plan *plan = s->plan;
	int rc;

	/* Same plan, same draws: a run is reproducible. */
	const uint64_t seed = 0x64767679ull ^ plan->impair.seed;
	rc = dv_qsource_init(&s->qs, plan, seed);
	if (rc != 0)
		return rc;
	rc = dv_policy_init_kinds(s->pol, plan);
	if (rc != 0) {
		dv_err("--edns: cannot sample this EDNS mix");
		return rc;
	}

	uint64_t hz = dv_tsc_hz();
	struct dv_lifetime life;
	struct dv_sizing sz;
	uint64_t timer_tsc[DV_KINDS_MAX][DV_MAX_ATTEMPTS];
	dv_topo_lanes(plan, &s->topo);
	dv_topo_lifetime(plan, &life);
	s->ngen = s->topo.ngen;
	s->ncol = s->topo.ncol;
	s->nlanes = s->topo.nlanes;
	dv_topo_sizing(plan, &s->topo, &life, &sz);
	s->sizing_qps = sz.qps;
	for (unsigned kind = 0; kind < s->topo.nkinds; kind++) {
		struct dv_lifetime kl;
		dv_topo_kind_lifetime(plan, kind, &kl);
		for (unsigned k = 0; k < kl.attempts + kl.tc_attempt; k++)
			timer_tsc[kind][k] = (uint64_t)(kl.timer_s[k] * (double)hz);
	}

	/* Every lane's source ports, and its key for scrambling ports and IDs. */
	uint32_t base[DV_MAX_LANES], nports[DV_MAX_LANES];
	uint64_t key[DV_MAX_LANES];
	struct dv_rng keys;
	dv_rng_seed(&keys, seed ^ 0x5350524541445321ull);
	for (unsigned li = 0; li < s->nlanes; li++) {
		rc = dv_topo_lane_ports(plan, li, s->nlanes, sz.slots, &base[li], &nports[li]);
		if (rc != 0)
			return rc;
		key[li] = dv_rng_next(&keys) | 1;
		s->inflight_slots += sz.slots;
		s->mem_inflight += (uint64_t)sz.slots * (sizeof(struct dv_issue) + sizeof(struct dv_done));
		s->mem_sequences += (uint64_t)sz.lslots * (sizeof(struct dv_lq) + sizeof(struct dv_lq_state));
	}

	rc = shared_build(s, life.lifetime_s, seed);
	if (rc != 0)
		return rc;
	for (unsigned g = 0; g < s->ngen; g++) {
		rc = gen_setup(s, g, seed);
		if (rc != 0)
			return rc;
	}
	struct lane_tables lt = { .s = s, .sz = &sz, .base = base, .nports = nports, .key = key,
				  .timer_tsc = timer_tsc, .attempts = life.attempts };
	for (unsigned c = 0; c < s->ncol; c++) {
		rc = col_setup(s, c, &lt);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void dv_workspace_drop_mbufs(struct dv_session *s)
{
	/* rte_ip_frag still holds mbufs of the pools: free them before the pools go. */
	for (unsigned c = 0; c < DV_MAX_COLLECTORS; c++)
		if (s->col[c] != NULL)
			dv_frags_free(&s->col[c]->frags);
}

void dv_workspace_release(struct dv_session *s)
{
	for (unsigned c = 0; c < DV_MAX_COLLECTORS; c++) {
		struct dv_col *col = s->col[c];
		if (col != NULL) {
			for (unsigned i = 0; i < DV_MAX_LANES; i++)
				free(col->lane[i].notes);
			rte_free(col->scratch);
			rte_free(col->linear);
			rte_free(col);
		}
	}
	for (int f = 0; f < DV_FAMILIES; f++)
		free(s->src_rss[f]);
	for (unsigned g = 0; g < DV_MAX_GENERATORS; g++)
		rte_free(s->gen[g]);
	rte_free(s->sh);
	for (unsigned li = 0; li < DV_MAX_LANES; li++) {
		dv_inflight_free(&s->ifl[li]);
		dv_seq_free(&s->seq[li]);
	}
	dv_qsource_free(&s->qs);
}
