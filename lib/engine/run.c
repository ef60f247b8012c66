/*
 * The main lcore's side of a run: everything that is not the hot path.
 * Order: checks, kernel neighbour lookup, output files, EAL, ports,
 * templates, in-flight table, lcores, control loop, drain, merge, report.
 */
#include "engine/run.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dv_config.h"
#include "engine/eal.h"
#include "engine/lcore.h"
#include "config/parse.h"
#include "engine/port.h"
#include "engine/responder.h"
#include "net/neigh.h"
#include "wire/rss.h"
#include "report/json.h"
#include "report/text.h"
#include "util/log.h"

static volatile sig_atomic_t interrupts;

static void on_signal(int sig)
{
	(void)sig;
	interrupts++;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void default_addr(int family, struct dv_addr *a, uint8_t last)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	if (family == AF_INET) {
		uint8_t b[4] = { 198, 18, 0, last };
		memcpy(&a->v4, b, 4);
	} else {
		uint8_t b[16] = { 0x20, 0x01, 0x00, 0x02 };
		b[15] = last;
		memcpy(&a->v6, b, 16);
	}
}

/* Addresses and MACs per family, learned from the kernel for kernel interfaces. */
static int endpoints_resolve(const struct dv_plan *plan, struct dv_endpoints ep[DV_FAMILIES])
{
	static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
	memset(ep, 0, sizeof(*ep) * DV_FAMILIES);

	for (int f = 0; f < DV_FAMILIES; f++) {
		const struct dv_addr *target = &plan->target[f];
		if (target->family == 0)
			continue;
		ep[f].dst = *target;
		ep[f].dport = plan->dport;
		if (plan->profile.kernel_iface) {
			struct dv_nexthop nh;
			int rc = dv_nexthop_resolve(plan->port_arg, target, &plan->src[f],
						    plan->dst_mac_set ? 0 : 1000, &nh);
			if (rc != 0 && !(plan->dst_mac_set && nh.src.family != 0))
				return rc;
			ep[f].src = nh.src;
			memcpy(ep[f].src_mac, nh.if_mac, 6);
			memcpy(ep[f].dst_mac, plan->dst_mac_set ? plan->dst_mac : nh.next_mac, 6);
		} else {
			if (plan->src[f].family != 0)
				ep[f].src = plan->src[f];
			else
				default_addr(target->family, &ep[f].src, 1);
			memcpy(ep[f].dst_mac, plan->dst_mac_set ? plan->dst_mac : peer_mac, 6);
		}
	}
	return 0;
}

/** Everything a run holds, released in one place. */
struct run_state {
	struct dv_eal_args eal;
	struct dv_lcore_map map;
	bool eal_up;
	struct dv_ports ports;
	bool ports_up;
	struct dv_qsource qs;
	struct dv_policy pol;
	unsigned nlanes;                     /**< collectors, each with its own tables */
	struct dv_inflight ifl[DV_MAX_LANES];
	struct dv_seq seq[DV_MAX_LANES];
	struct dv_shared *sh;
	struct dv_gen *gen;
	struct dv_col *col[DV_MAX_LANES];
	struct dv_resp *resp;
	struct dv_lcore lc[2 + DV_MAX_LANES];
	struct dv_json_out json;
	bool json_open;
};

/* What the variant indexes and attempt numbers of a result mean, and which tables it has. */
static void dv_result_describe(struct dv_result *r, const struct run_state *st,
			       const struct dv_plan *plan)
{
	/* NIC timestamps would need the PMD's clock mapped to the TSC: not done yet, so say so. */
	r->rx_timestamps = st->ports.nic_timestamps ? "tsc-rx-burst (the NIC offers timestamps, unused)"
						    : "tsc-rx-burst";
	r->n_edns = st->pol.n_edns;
	memcpy(r->edns_size, st->pol.edns_size, sizeof(r->edns_size));
	r->attempts = st->pol.attempts;
	r->frag_report = plan->impair.frag_mtu > 0 || plan->fragmented == DV_FRAG_DROP;
	r->sequences = st->pol.attempts > 1 || plan->seq.family != DV_FAMPOL_AUTO ||
		       plan->seq.edns.n > 0 || plan->seq.qname_pattern[0] != '\0';
}

static void status_intro(const struct dv_plan *plan)
{
	char a[2][64];
	for (int f = 0; f < DV_FAMILIES; f++) {
		a[f][0] = '\0';
		if (plan->target[f].family != 0)
			dv_addr_str(&plan->target[f], a[f], sizeof(a[f]));
	}
	printf("DNS load generator dnsvolley %s\n\n", DV_VERSION);
	printf("[Status] Sending queries (to %s%s%s port %u via %s)\n", a[0],
	       a[0][0] && a[1][0] ? " and " : "", a[1], plan->dport, plan->port_spec);
	printf("[Status] Rate %.0f qps for %.3f s, timeout %.3f s, EDNS %s%d%s, %zu queries in %s\n",
	       plan->qps, plan->duration_s, plan->timeout_s, plan->edns_size ? "" : "off (",
	       plan->edns_size, plan->edns_size ? (plan->dnssec_ok ? " +DO" : "") : ")",
	       plan->queries.n, plan->query_file);
	fflush(stdout);
}

static void interval_emit(struct run_state *st, const struct dv_plan *plan, uint64_t now_tsc,
			  struct dv_tx_stats *tx_prev, struct dv_rx_stats *rx_prev,
			  uint64_t *since_ns)
{
	static struct dv_result iv;
	static struct dv_tx_stats tx_now;
	static struct dv_rx_stats rx_now;

	static struct dv_rx_stats one;
	dv_tx_stats_snapshot(&tx_now, &st->gen->tx);
	dv_rx_stats_init(&rx_now);
	for (unsigned li = 0; li < st->nlanes; li++) {
		dv_rx_stats_snapshot(&one, &st->col[li]->rx);
		dv_rx_stats_merge(&rx_now, &one);
	}
	memset(&iv, 0, sizeof(iv));
	dv_tx_stats_delta(&iv.tx, &tx_now, tx_prev);
	dv_rx_stats_delta(&iv.rx, &rx_now, rx_prev);
	iv.since_ns = *since_ns;
	iv.until_ns = wall_ns();
	iv.target_qps = plan->qps;
	dv_result_describe(&iv, st, plan);
	double elapsed = (double)(now_tsc - st->sh->start_tsc) / (double)st->sh->tsc_hz;
	if (!plan->quiet)
		dv_report_status_line(stdout, elapsed, &iv);
	fflush(stdout);
	if (st->json_open)
		dv_json_periodic(&st->json, &iv);
	*tx_prev = tx_now;
	*rx_prev = rx_now;
	*since_ns = iv.until_ns;
}

/* The main lcore: status lines, end of sending, drain, stop. */
static void control_loop(struct run_state *st, const struct dv_plan *plan, struct dv_result *res)
{
	struct dv_shared *sh = st->sh;
	uint64_t hz = sh->tsc_hz;
	uint64_t interval = (uint64_t)(plan->stats_interval_s * (double)hz);
	uint64_t next_tick = interval ? sh->start_tsc + interval : UINT64_MAX;
	uint64_t drain_deadline = UINT64_MAX;
	static struct dv_tx_stats tx_prev;
	static struct dv_rx_stats rx_prev;
	uint64_t since_ns = wall_ns();
	int seen_interrupts = 0;

	dv_tx_stats_init(&tx_prev);
	dv_rx_stats_init(&rx_prev);
	for (;;) {
		dv_frugal_sleep(1000000);
		uint64_t now = rte_rdtsc();

		if (interrupts != seen_interrupts) {
			seen_interrupts = interrupts;
			res->interrupted = true;
			__atomic_store_n(&sh->stop_tx, 1, __ATOMIC_RELEASE);
			if (seen_interrupts > 1)
				break; /* second Ctrl-C: no drain */
		}
		if (now >= next_tick) {
			interval_emit(st, plan, now, &tx_prev, &rx_prev, &since_ns);
			next_tick += interval;
		}
		if (drain_deadline == UINT64_MAX &&
		    __atomic_load_n(&st->gen->finished, __ATOMIC_ACQUIRE)) {
			uint64_t last = dv_count_read(&st->gen->tx.last_tx_tsc);
			/* Wait one timeout after the last send, plus a little for the collector's walk. */
			drain_deadline = (last > now ? last : now) + sh->timeout_tsc + hz / 50;
		}
		if (drain_deadline != UINT64_MAX) {
			bool drained = true;
			for (unsigned li = 0; li < st->nlanes; li++)
				drained &= __atomic_load_n(&st->ifl[li].resolved, __ATOMIC_ACQUIRE) ==
					   __atomic_load_n(&st->ifl[li].sent, __ATOMIC_ACQUIRE);
			if (drained || now >= drain_deadline)
				break;
		}
	}
	__atomic_store_n(&sh->stop_rx, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();

	uint64_t now = rte_rdtsc();
	if (interval != 0 && now > next_tick - interval + hz / 20)
		interval_emit(st, plan, now, &tx_prev, &rx_prev, &since_ns);
	res->run_seconds = (double)(now - sh->start_tsc) / (double)hz;
}

/*
 * With several collectors, lane li's answers must hash to RX queue li: pick a
 * source address next to the default one whose (target -> source) address
 * pair does, as the NIC's address-only RSS (and the embedded responder) will.
 */
static int lane_source(struct dv_endpoints *ep, unsigned li, unsigned nlanes)
{
	int af = ep->src.family;
	unsigned alen = af == AF_INET6 ? 16 : 4;
	for (unsigned k = 0; k < 4096; k++) {
		struct dv_addr cand = ep->src;
		uint8_t *b = af == AF_INET6 ? cand.v6.s6_addr : (uint8_t *)&cand.v4;
		unsigned v = ((unsigned)b[alen - 2] << 8 | b[alen - 1]) + k;
		b[alen - 2] = (uint8_t)(v >> 8);
		b[alen - 1] = (uint8_t)v;
		const uint8_t *t = af == AF_INET6 ? ep->dst.v6.s6_addr : (const uint8_t *)&ep->dst.v4;
		if (dv_rss_queue(t, b, af, nlanes) == li) {
			ep->src = cand;
			return 0;
		}
	}
	return -ENOENT;
}

/* Collector li: its lane's tables, its RX queue, its fragment tracker. */
static int col_setup(struct run_state *st, const struct dv_plan *plan, unsigned li, uint64_t hz)
{
	struct dv_col *c = rte_zmalloc("dv_col", sizeof(*c), RTE_CACHE_LINE_SIZE);
	if (c == NULL) {
		dv_err("out of DPDK memory for lcore state");
		return -ENOMEM;
	}
	st->col[li] = c;
	c->sh = st->sh;
	c->ifl = &st->ifl[li];
	c->seq = &st->seq[li];
	/* Fragment sets alive at once: every attempt's answer within one fragment timeout,
	 * bounded (memory); beyond, sets are counted lost ("table full"). */
	double sets = plan->qps / st->nlanes * st->pol.attempts * plan->frag_timeout_s * 2.0 + 1024;
	c->notes = calloc(c->ifl->nslots, sizeof(*c->notes));
	c->scratch = rte_malloc("dv_scratch", DV_SCRATCH_LEN, RTE_CACHE_LINE_SIZE);
	c->linear = rte_malloc("dv_linear", DV_SCRATCH_LEN, RTE_CACHE_LINE_SIZE);
	if (c->notes == NULL || c->scratch == NULL || c->linear == NULL ||
	    dv_frags_init(&c->frags, sets < DV_FRAG_SETS_MAX ? (uint32_t)sets : DV_FRAG_SETS_MAX,
			  (uint64_t)(plan->frag_timeout_s * (double)hz), 1e9 / (double)hz,
			  plan->fragmented == DV_FRAG_REASSEMBLE, (int)rte_socket_id()) != 0) {
		dv_err("out of memory for the collector's fragment tables");
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < c->ifl->nslots; i++)
		c->notes[i].seq = DV_SEQ_NONE;
	c->port = st->ports.gen_port;
	c->queue = (uint16_t)li;
	c->burst = plan->burst;
	dv_rx_stats_init(&c->rx);
	return 0;
}

static int run_setup(struct run_state *st, const struct dv_plan *plan,
		     struct dv_endpoints ep[DV_FAMILIES])
{
	int rc;

	/* The embedded port's and tap's MAC is only known once the port exists. */
	for (int f = 0; f < DV_FAMILIES; f++)
		if (ep[f].src.family != 0 && !plan->profile.kernel_iface)
			memcpy(ep[f].src_mac, st->ports.mac, 6);

	/* Same plan, same draws: a run is reproducible. */
	const uint64_t seed = 0x64767679ull ^ plan->impair.seed;
	rc = dv_qsource_init(&st->qs, plan, seed);
	if (rc != 0)
		return rc;
	rc = dv_policy_init(&st->pol, plan);
	if (rc != 0) {
		dv_err("--edns: cannot sample this EDNS mix");
		return rc;
	}

	/* An attempt stays matchable until the whole sequence could have ended (or -t, if longer). */
	uint64_t hz = rte_get_tsc_hz();
	double seq_s = 0;
	double timer_s[DV_MAX_ATTEMPTS];
	uint64_t timer_tsc[DV_MAX_ATTEMPTS];
	unsigned attempts = dv_seq_timers(plan, timer_s);
	for (unsigned k = 0; k < attempts; k++) {
		timer_tsc[k] = (uint64_t)(timer_s[k] * (double)hz);
		seq_s += timer_s[k];
	}
	double lifetime_s = plan->timeout_s > seq_s ? plan->timeout_s : seq_s;

	/* Each lane (collector) gets 1/N of the load; its tables are sized for that. */
	st->nlanes = plan->collectors > 1 ? plan->collectors : 1;
	double lane_qps = plan->qps / st->nlanes;
	uint32_t slots = dv_inflight_slots_for(lane_qps * st->pol.attempts, lifetime_s);
	uint32_t lslots = dv_seq_slots_for(lane_qps, seq_s);
	for (unsigned li = 0; li < st->nlanes; li++) {
		/* Lanes take consecutive source-port ranges. */
		uint32_t base = plan->sport_base + li * (slots >> 16);
		if (base + (slots >> 16) > 65536) {
			dv_err("--collectors %u: not enough source ports above %u for %u slots each",
			       st->nlanes, plan->sport_base, slots);
			return -EINVAL;
		}
		rc = dv_inflight_init(&st->ifl[li], slots, (uint16_t)base);
		if (rc != 0) {
			dv_err("cannot allocate the in-flight table (%u slots): %s", slots,
			       strerror(-rc));
			return rc;
		}
		st->ifl[li].lane = (uint8_t)li;
		st->ifl[li].nlanes = (uint8_t)st->nlanes;
		rc = dv_seq_init(&st->seq[li], lslots, st->pol.attempts, timer_tsc);
		if (rc != 0) {
			dv_err("cannot allocate the sequence tables (%u logical queries): %s", lslots,
			       strerror(-rc));
			return rc;
		}
		st->seq[li].ns_per_tick = 1e9 / (double)hz;
	}

	st->sh = rte_zmalloc("dv_shared", sizeof(*st->sh), RTE_CACHE_LINE_SIZE);
	st->gen = rte_zmalloc("dv_gen", sizeof(*st->gen), RTE_CACHE_LINE_SIZE);
	if (st->sh == NULL || st->gen == NULL) {
		dv_err("out of DPDK memory for lcore state");
		return -ENOMEM;
	}
	struct dv_shared *sh = st->sh;
	sh->plan = plan;
	sh->qs = &st->qs;
	sh->pol = &st->pol;
	sh->tsc_hz = hz;
	sh->ns_per_tick = 1e9 / (double)hz;
	sh->timeout_tsc = (uint64_t)(lifetime_s * (double)hz);
	sh->nlanes = st->nlanes;
	for (unsigned li = 0; li < st->nlanes; li++) {
		for (int f = 0; f < DV_FAMILIES; f++) {
			if (ep[f].src.family == 0)
				continue;
			struct dv_endpoints lep = ep[f];
			if (st->nlanes > 1 && lane_source(&lep, li, st->nlanes) != 0) {
				dv_err("--collectors %u: no source address hashes to collector %u",
				       st->nlanes, li);
				return -EINVAL;
			}
			if (dv_l34_build(&lep, &sh->l34[li][f]) != 0) {
				dv_err("cannot build the frame header for family %d", f);
				return -EINVAL;
			}
		}
	}
	for (unsigned v = 0; v < st->pol.n_edns; v++)
		for (int d = 0; d < 2; d++)
			dv_opt_build((uint16_t)st->pol.edns_size[v], d != 0, &sh->opt[v][d]);
	dv_answer_cfg_default(&sh->answer_cfg);
	sh->answer_cfg.answer_size = (uint16_t)plan->impair.answer_size;
	sh->answer_cfg.ignore_edns = plan->impair.ignore_edns;
	if (plan->impair.frag_mtu > 0)
		sh->answer_cfg.mtu = 9000; /* built whole, then fragmented at frag-mtu */

	struct dv_gen *g = st->gen;
	g->sh = sh;
	g->nlanes = st->nlanes;
	for (unsigned li = 0; li < st->nlanes; li++)
		g->lane[li] = (struct dv_lane){ .ifl = &st->ifl[li], .seq = &st->seq[li] };
	dv_rng_seed(&g->rng, seed);
	g->pool = st->ports.pool;
	g->port = st->ports.gen_port;
	g->burst = plan->burst;
	dv_tx_stats_init(&g->tx);

	for (unsigned li = 0; li < st->nlanes; li++) {
		rc = col_setup(st, plan, li, hz);
		if (rc != 0)
			return rc;
	}

	if (st->ports.has_resp) {
		st->resp = rte_zmalloc("dv_resp", sizeof(*st->resp), RTE_CACHE_LINE_SIZE);
		if (st->resp == NULL) {
			dv_err("out of DPDK memory for the responder");
			return -ENOMEM;
		}
		st->resp->sh = sh;
		st->resp->port = st->ports.resp_port;
		st->resp->burst = plan->burst;
		if (dv_responder_setup(st->resp, plan, hz) != 0) {
			dv_err("out of DPDK memory for the responder's impairments");
			return -ENOMEM;
		}
	}
	return 0;
}

static int run_launch(struct run_state *st, const struct dv_plan *plan)
{
	struct dv_shared *sh = st->sh;
	unsigned n = 0;

	unsigned ids[2 + DV_MAX_LANES];
	if (plan->roles == DV_ROLES_SPLIT) {
		ids[n] = st->map.gen;
		st->lc[n++] = (struct dv_lcore){ .role = DV_ROLE_GEN, .gen = st->gen };
		for (unsigned li = 0; li < st->nlanes; li++) {
			ids[n] = st->map.col[li];
			st->lc[n++] = (struct dv_lcore){ .role = DV_ROLE_COL, .col = st->col[li] };
		}
	} else {
		ids[n] = st->map.gen;
		st->lc[n++] = (struct dv_lcore){ .role = DV_ROLE_COMBINED, .gen = st->gen,
						 .col = st->col[0] };
	}
	if (st->resp != NULL) {
		ids[n] = st->map.resp;
		st->lc[n++] = (struct dv_lcore){ .role = DV_ROLE_RESPONDER, .resp = st->resp };
	}

	/* Start 20 ms from now, so every lcore is polling when the first query is due. */
	sh->start_tsc = rte_rdtsc() + sh->tsc_hz / 50;
	sh->end_tsc = sh->start_tsc + (uint64_t)(plan->duration_s * (double)sh->tsc_hz);
	/* Retries of the last logical queries, then a margin: nothing is sent after this. */
	sh->hard_end_tsc = sh->end_tsc + 2 * sh->timeout_tsc + sh->tsc_hz;
	dv_pace_init(&st->gen->pace, sh->start_tsc, sh->tsc_hz, plan->qps, plan->burst);

	for (unsigned i = 0; i < n; i++) {
		int rc = rte_eal_remote_launch(dv_lcore_main, &st->lc[i], ids[i]);
		if (rc != 0) {
			dv_err("cannot launch lcore %u: %s", ids[i], rte_strerror(-rc));
			__atomic_store_n(&sh->stop_tx, 1, __ATOMIC_RELEASE);
			__atomic_store_n(&sh->stop_rx, 1, __ATOMIC_RELEASE);
			rte_eal_mp_wait_lcore();
			return rc;
		}
	}
	return 0;
}

static void run_release(struct run_state *st)
{
	if (st->json_open)
		dv_json_close(&st->json);
	for (unsigned li = 0; li < DV_MAX_LANES; li++) {
		struct dv_col *c = st->col[li];
		if (c == NULL)
			continue;
		/* rte_ip_frag still holds mbufs of the pools: free them before the pools go. */
		dv_frags_free(&c->frags);
		free(c->notes);
		rte_free(c->scratch);
		rte_free(c->linear);
	}
	if (st->resp != NULL)
		dv_responder_release(st->resp);
	if (st->ports_up)
		dv_ports_close(&st->ports);
	rte_free(st->resp);
	for (unsigned li = 0; li < DV_MAX_LANES; li++)
		rte_free(st->col[li]);
	rte_free(st->gen);
	rte_free(st->sh);
	for (unsigned li = 0; li < DV_MAX_LANES; li++) {
		dv_inflight_free(&st->ifl[li]);
		dv_seq_free(&st->seq[li]);
	}
	dv_qsource_free(&st->qs);
	if (st->eal_up)
		rte_eal_cleanup();
}

int dv_run(const struct dv_plan *plan, struct dv_result *result)
{
	static struct run_state st;
	static struct dv_result res;
	struct dv_endpoints ep[DV_FAMILIES];
	int status = DV_EXIT_USAGE;
	int rc;

	memset(&st, 0, sizeof(st));
	memset(&res, 0, sizeof(res));

	/* Everything the user can get wrong is found here, before EAL and before any packet. */
	if (dv_preflight(plan) != 0)
		goto cleanup;
	if (endpoints_resolve(plan, ep) != 0)
		goto cleanup;
	if (plan->json_path[0] != '\0') {
		if (dv_json_open(&st.json, plan->json_path, plan) != 0)
			goto cleanup;
		st.json_open = true;
	}
	if (dv_eal_args_build(plan, plan->argv != NULL ? plan->argv[0] : "dnsvolley", &st.eal,
			      &st.map) != 0)
		goto cleanup;

	rc = rte_eal_init(st.eal.argc, st.eal.argv);
	if (rc < 0) {
		dv_err("--port %s: DPDK EAL initialisation failed: %s", plan->port_spec,
		       rte_strerror(rte_errno));
		goto cleanup;
	}
	st.eal_up = true;
	if (rte_lcore_count() < st.eal.nlcores) {
		dv_err("--eal: %u lcores needed, EAL has %u", st.eal.nlcores, rte_lcore_count());
		goto cleanup;
	}

	if (dv_ports_setup(plan, &st.ports, st.eal.nlcores) != 0)
		goto cleanup;
	st.ports_up = true;

	status = DV_EXIT_FAILURE;
	if (run_setup(&st, plan, ep) != 0)
		goto cleanup;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!plan->quiet)
		status_intro(plan);
	res.since_ns = wall_ns();
	if (run_launch(&st, plan) != 0)
		goto cleanup;
	control_loop(&st, plan, &res);
	res.until_ns = wall_ns();
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);

	dv_tx_stats_init(&res.tx);
	dv_rx_stats_init(&res.rx);
	dv_tx_stats_merge(&res.tx, &st.gen->tx);
	for (unsigned li = 0; li < st.nlanes; li++) {
		dv_rx_stats_merge(&res.rx, &st.col[li]->rx);
		res.col_rx_pkts[li] = st.col[li]->rx.rx_pkts;
	}
	res.ncollectors = st.nlanes;
	res.target_qps = plan->qps;
	dv_result_describe(&res, &st, plan);
	if (res.tx.logical != 0)
		res.send_seconds = (double)(res.tx.last_logical_tsc - st.sh->start_tsc) /
					   (double)st.sh->tsc_hz + 1.0 / plan->qps;

	if (!plan->quiet) {
		printf("[Status] Testing complete (%s)\n\n",
		       res.interrupted ? "interrupted" : "time limit");
		if (st.resp != NULL)
			printf("[Status] Embedded responder: %" PRIu64 " answered, %" PRIu64
			       " dropped, %" PRIu64 " impaired on purpose\n\n",
			       dv_count_read(&st.resp->answered), dv_count_read(&st.resp->dropped),
			       dv_count_read(&st.resp->impaired));
	}
	dv_report_text(stdout, plan, &res);
	fflush(stdout);
	if (st.json_open) {
		dv_json_sum(&st.json, &res);
		st.json_open = false;
		if (dv_json_close(&st.json) != 0)
			goto cleanup;
	}
	if (result != NULL)
		*result = res;
	status = 0;
cleanup:
	run_release(&st);
	return status;
}
