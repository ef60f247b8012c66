/*
 * The main lcore's side of a run: everything that is not the hot path.
 * Order: checks, kernel neighbour lookup, output files, EAL, ports,
 * templates, in-flight table, lcores, control loop, drain, merge, report.
 */
#include "engine/run.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <unistd.h>
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
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include "dv_config.h"
#include "engine/eal.h"
#include "engine/lcore.h"
#include "engine/neighbours.h"
#include "engine/features/track.h"
#include "engine/features/xdp.h"
#include "config/parse.h"
#include "engine/port.h"
#include "engine/features/responder.h"
#include "engine/search.h"
#include "engine/sources.h"
#include "engine/topology.h"
#include "report/consistency.h"
#include "report/plot.h"
#include "net/neigh.h"
#include "wire/rss.h"
#include "report/json.h"
#include "report/text.h"
#include "util/log.h"
#include "util/pow2.h"
#include "util/rng.h"

/* Packets in flight from one collector to another: a few bursts of each peer. */
#define DV_INBOX_SIZE 4096
/* ARP/ND answers waiting for the generator: far more than a neighbour storm. */
#define DV_CTL_RING 1024

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

/* The next hop of family f on an arp-nd port: --gateway, else the target. */
static const struct dv_addr *nd_hop(const struct dv_plan *plan, int f)
{
	return plan->gateway[f].family != 0 ? &plan->gateway[f] : &plan->target[f];
}

/* Port k's addresses and MACs per family, learned from the kernel for kernel interfaces. */
static int endpoints_resolve(const struct dv_plan *plan, unsigned k,
			     struct dv_endpoints ep[DV_FAMILIES])
{
	static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
	const struct dv_port_plan *pp = &plan->port[k];
	memset(ep, 0, sizeof(*ep) * DV_FAMILIES);

	for (int f = 0; f < DV_FAMILIES; f++) {
		const struct dv_addr *target = &plan->target[f];
		if (target->family == 0)
			continue;
		ep[f].dst = *target;
		ep[f].dport = plan->dport;
		ep[f].vlan = plan->vlan;
		if (pp->profile.kernel_iface) {
			struct dv_nexthop nh;
			/* A --src range: the kernel's source goes in the template; frames get range addresses. */
			static const struct dv_addr any;
			const struct dv_addr *want = plan->src_prefix[f] != 0 ? &any : &plan->src[f];
			/* Several ports reach the target each by its own route. */
			int rc = dv_nexthop_resolve(pp->arg, target, want, plan->dst_mac_set ? 0 : 1000,
						    plan->nports > 1, &nh);
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
	unsigned ngen, ncol, nlanes;         /**< a lane per generator x collector of the same port */
	bool tty;                            /**< stdout is a terminal: the status line updates in place */
	bool status_shown;                   /**< a status line is on the terminal, without its newline */
	struct dv_endpoints ep[DV_MAX_PORTS][DV_FAMILIES]; /**< per port and family */
	uint8_t lane_gen[DV_MAX_LANES];      /**< the generator of lane li */
	uint8_t lane_col[DV_MAX_LANES];      /**< the collector of lane li (same port) */
	struct dv_inflight ifl[DV_MAX_LANES];
	struct dv_seq seq[DV_MAX_LANES];
	struct dv_src *srcs[DV_MAX_COLLECTORS][DV_FAMILIES]; /**< --src ranges, per collector */
	struct dv_shared *sh;
	struct dv_gen *gen[DV_MAX_GENERATORS];
	struct dv_col *col[DV_MAX_COLLECTORS];
	struct dv_resp *resp;
	struct dv_lcore lc[DV_MAX_GENERATORS + DV_MAX_COLLECTORS];
	struct dv_json_out json;
	bool json_open;
	FILE *plot;
	uint64_t mem_inflight, mem_sequences, inflight_slots;
	uint8_t *sport_owner;                /**< source port -> its collector + 1 */
	bool nd_resolved[DV_MAX_PORTS][DV_FAMILIES]; /**< next hop learned by ARP/ND */
	uint64_t nd_announced;               /**< gratuitous ARPs / unsolicited NAs sent */
	bool xdp;                            /**< a port loads dnsvolley's XDP program */
	double trial_qps;                    /**< search: the current trial's rate */
	struct dv_cons *cons;                /**< --track-answers: the consistency tracker, else NULL */
	uint64_t trk_t0;                     /**< TSC that sampled answers' times count from */
};

/* Everything the generators sent and the collectors saw, as of now (relaxed reads). */
static void totals_snapshot(const struct run_state *st, struct dv_tx_stats *tx,
			    struct dv_rx_stats *rx)
{
	static struct dv_tx_stats one_tx;
	static struct dv_rx_stats one_rx;
	dv_tx_stats_init(tx);
	dv_rx_stats_init(rx);
	for (unsigned g = 0; g < st->ngen; g++) {
		dv_tx_stats_snapshot(&one_tx, &st->gen[g]->tx);
		dv_tx_stats_merge(tx, &one_tx);
	}
	for (unsigned c = 0; c < st->ncol; c++) {
		dv_rx_stats_snapshot(&one_rx, &st->col[c]->rx);
		dv_rx_stats_merge(rx, &one_rx);
	}
}

/* The offered rate the plan asks for at t seconds after the start. */
static double target_at(const struct run_state *st, const struct dv_plan *plan, double t)
{
	switch (plan->rate_mode) {
	case DV_RATE_RAMP:
		if (t > plan->ramp.duration_s)
			t = plan->ramp.duration_s;
		return plan->ramp.from_qps +
		       (plan->ramp.to_qps - plan->ramp.from_qps) * t / plan->ramp.duration_s;
	case DV_RATE_MAX:
		return 0.0;
	case DV_RATE_SEARCH:
		return st->trial_qps;
	default:
		return plan->qps;
	}
}

/* What the variant indexes and attempt numbers of a result mean, and which tables it has. */
static void dv_result_describe(struct dv_result *r, const struct run_state *st,
			       const struct dv_plan *plan)
{
	/* NIC timestamps would need the PMD's clock mapped to the TSC: not done yet, so say so. */
	r->rx_timestamps = st->ports.port[0].nic_timestamps
			   ? "tsc-rx-burst (the NIC offers timestamps, unused)" : "tsc-rx-burst";
	r->rate_mode = plan->rate_mode;
	r->ngenerators = st->ngen;
	r->tsc_hz = st->sh != NULL ? (double)st->sh->tsc_hz : 0.0;
	r->mem_inflight = st->mem_inflight;
	r->mem_sequences = st->mem_sequences;
	r->mem_mbufs = st->ports.mbuf_bytes;
	r->inflight_slots = st->inflight_slots;
	r->n_edns = st->pol.n_edns;
	memcpy(r->edns_size, st->pol.edns_size, sizeof(r->edns_size));
	r->attempts = st->pol.attempts;
	r->frag_report = plan->impair.frag_mtu > 0 || plan->fragmented == DV_FRAG_DROP;
	r->sequences = st->pol.attempts > 1 || plan->seq.family != DV_FAMPOL_AUTO ||
		       plan->seq.edns.n > 0 || plan->seq.qname_pattern[0] != '\0';
}

static void status_intro(const struct run_state *st, const struct dv_plan *plan)
{
	char a[2][64];
	for (int f = 0; f < DV_FAMILIES; f++) {
		a[f][0] = '\0';
		if (plan->target[f].family != 0)
			dv_addr_str(&plan->target[f], a[f], sizeof(a[f]));
	}
	printf("DNS load generator dnsvolley %s\n\n", DV_VERSION);
	char via[DV_MAX_PORTS * 130] = "";
	for (unsigned k = 0, o = 0; k < plan->nports && o < sizeof(via); k++)
		o += (unsigned)snprintf(via + o, sizeof(via) - o, "%s%s", k ? ", " : "",
					plan->port[k].spec);
	printf("[Status] Sending queries (to %s%s%s port %u via %s)\n", a[0],
	       a[0][0] && a[1][0] ? " and " : "", a[1], plan->dport, via);
	char rate[128];
	switch (plan->rate_mode) {
	case DV_RATE_MAX:
		snprintf(rate, sizeof(rate), "Rate unlimited (--max)");
		break;
	case DV_RATE_RAMP:
		snprintf(rate, sizeof(rate), "Rate ramp %.0f to %.0f qps", plan->ramp.from_qps,
			 plan->ramp.to_qps);
		break;
	case DV_RATE_SEARCH:
		snprintf(rate, sizeof(rate), "Throughput search up to %.0f qps (unanswered <= %g%%), trials",
			 plan->qps, plan->search.loss_pct);
		break;
	default:
		snprintf(rate, sizeof(rate), "Rate %.0f qps", plan->qps);
		break;
	}
	printf("[Status] %s for %.3f s, timeout %.3f s, EDNS %s%d%s, %zu queries in %s\n", rate,
	       plan->rate_mode == DV_RATE_SEARCH ? plan->search.trial_s : plan->duration_s,
	       plan->timeout_s, plan->edns_size ? "" : "off (", plan->edns_size,
	       plan->edns_size ? (plan->dnssec_ok ? " +DO" : "") : ")", plan->queries.n,
	       plan->query_file);
	for (unsigned k = 0; k < plan->nports; k++)
		for (int f = 0; f < DV_FAMILIES; f++) {
			if (!st->nd_resolved[k][f])
				continue;
			const uint8_t *m = st->ep[k][f].dst_mac;
			char hb[64];
			printf("[Status] Next hop %s on %s is at %02x:%02x:%02x:%02x:%02x:%02x (%s)\n",
			       dv_addr_str(nd_hop(plan, f), hb, sizeof(hb)), plan->port[k].spec, m[0], m[1], m[2],
			       m[3], m[4], m[5], f == DV_FAMILY_V6 ? "neighbour solicitation" : "ARP");
		}
	printf("[Status] %u generator%s, %u collector%s; memory: in-flight %" PRIu64
	       " slots %.1f MiB, sequences %.1f MiB, mbufs %.1f MiB (sized at start, fixed)\n",
	       st->ngen, st->ngen == 1 ? "" : "s", st->ncol, st->ncol == 1 ? "" : "s",
	       st->inflight_slots, (double)st->mem_inflight / 1048576.0,
	       (double)st->mem_sequences / 1048576.0, (double)st->ports.mbuf_bytes / 1048576.0);
	fflush(stdout);
}

/** Interval bookkeeping: what was counted at the interval's start. */
struct sampler {
	struct dv_tx_stats tx;
	struct dv_rx_stats rx;
	uint64_t since_ns;
	uint64_t since_tsc;
};

static void sampler_start(struct sampler *sm, const struct run_state *st)
{
	totals_snapshot(st, &sm->tx, &sm->rx);
	sm->since_ns = wall_ns();
	sm->since_tsc = rte_rdtsc();
}

/* The interval since the last call: iv gets the deltas; the sampler moves on. */
static void sampler_take(struct sampler *sm, const struct run_state *st, struct dv_result *iv)
{
	static struct dv_tx_stats tx_now;
	static struct dv_rx_stats rx_now;
	totals_snapshot(st, &tx_now, &rx_now);
	memset(iv, 0, sizeof(*iv));
	dv_tx_stats_delta(&iv->tx, &tx_now, &sm->tx);
	dv_rx_stats_delta(&iv->rx, &rx_now, &sm->rx);
	iv->since_ns = sm->since_ns;
	iv->until_ns = wall_ns();
	sm->tx = tx_now;
	sm->rx = rx_now;
	sm->since_ns = iv->until_ns;
	sm->since_tsc = rte_rdtsc();
}

static void interval_emit(struct run_state *st, const struct dv_plan *plan, uint64_t now_tsc,
			  struct sampler *sm)
{
	static struct dv_result iv;
	sampler_take(sm, st, &iv);
	double elapsed = (double)(now_tsc - st->sh->start_tsc) / (double)st->sh->tsc_hz;
	iv.target_qps = target_at(st, plan, elapsed);
	dv_result_describe(&iv, st, plan);
	if (!plan->quiet) {
		double left = now_tsc < st->sh->end_tsc ? (double)(st->sh->end_tsc - now_tsc) /
							  (double)st->sh->tsc_hz : -1.0;
		if (__atomic_load_n(&st->sh->stop_tx, __ATOMIC_ACQUIRE))
			left = -1.0;
		dv_report_status_line(stdout, elapsed, left, st->tty, &iv);
		st->status_shown = st->tty;
	}
	fflush(stdout);
	if (st->json_open)
		dv_json_periodic(&st->json, &iv);
}

/* One resperf-style plot line; the ramp's best interval is remembered in res. */
static void plot_emit(struct run_state *st, const struct dv_plan *plan, uint64_t now_tsc,
		      struct sampler *sm, struct dv_result *res)
{
	static struct dv_result iv;
	double hz = (double)st->sh->tsc_hz;
	double secs = (double)(now_tsc - sm->since_tsc) / hz;
	double mid = ((double)sm->since_tsc + (double)now_tsc) / 2.0 - (double)st->sh->start_tsc;
	sampler_take(sm, st, &iv);
	if (secs <= 0.0)
		return;
	uint64_t sent = dv_result_sent(&iv), answered = dv_result_answered(&iv);
	struct dv_plot_row row = {
		.time_s = (double)(now_tsc - st->sh->start_tsc) / hz,
		.target_qps = target_at(st, plan, mid / hz),
		.actual_qps = (double)sent / secs,
		.responses_ps = (double)answered / secs,
		.failures_ps = (double)dv_result_timeouts(&iv) / secs,
		.avg_latency_s = dv_hist_mean(&iv.rx.latency) / 1e9,
	};
	if (st->plot != NULL)
		dv_plot_write(st->plot, &row);
	/* resperf's "maximum throughput": the most responses per second in one interval. */
	if (row.responses_ps > res->rate.ramp_max_qps) {
		res->rate.ramp_max_qps = row.responses_ps;
		res->rate.ramp_at_qps = row.actual_qps;
		res->rate.ramp_loss_pct = sent > answered ? 100.0 * (double)(sent - answered) /
								    (double)sent : 0.0;
	}
}

static bool gens_finished(const struct run_state *st)
{
	for (unsigned g = 0; g < st->ngen; g++)
		if (!__atomic_load_n(&st->gen[g]->finished, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

static uint64_t gens_last_tx(const struct run_state *st)
{
	uint64_t last = 0;
	for (unsigned g = 0; g < st->ngen; g++) {
		uint64_t l = dv_count_read(&st->gen[g]->tx.last_tx_tsc);
		last = l > last ? l : last;
	}
	return last;
}

/*
 * --track-answers: parse what the collectors sampled (ldns, off the hot
 * path) and hand the buffers back. At most one ring's worth per collector
 * per call, so a 1 ms tick stays short.
 */
static void track_drain(struct run_state *st)
{
	if (st->cons == NULL)
		return;
	double ns_per_tick = st->sh->ns_per_tick;
	for (unsigned c = 0; c < st->ncol; c++) {
		struct dv_col *col = st->col[c];
		struct dv_sample *s[DV_TRACK_SLOTS];
		unsigned n = rte_ring_sc_dequeue_burst(col->trk_full, (void **)s, DV_TRACK_SLOTS, NULL);
		for (unsigned i = 0; i < n; i++) {
			uint64_t t = s[i]->rx_tsc > st->trk_t0 ? s[i]->rx_tsc - st->trk_t0 : 0;
			dv_cons_add(st->cons, s[i]->msg, s[i]->len, (uint64_t)((double)t * ns_per_tick));
		}
		/* Room for all: the buffers came from this ring's partner. */
		rte_ring_sp_enqueue_burst(col->trk_free, (void **)s, n, NULL);
	}
}

/* The main lcore: status lines, plot lines, end of sending, drain, stop. */
static void control_loop(struct run_state *st, const struct dv_plan *plan, struct dv_result *res,
			 bool status)
{
	struct dv_shared *sh = st->sh;
	uint64_t hz = sh->tsc_hz;
	uint64_t interval = status ? (uint64_t)(plan->stats_interval_s * (double)hz) : 0;
	uint64_t next_tick = interval ? sh->start_tsc + interval : UINT64_MAX;
	bool plotting = plan->rate_mode == DV_RATE_RAMP || st->plot != NULL;
	uint64_t pinterval = (uint64_t)(plan->plot_interval_s * (double)hz);
	uint64_t next_plot = plotting && pinterval ? sh->start_tsc + pinterval : UINT64_MAX;
	uint64_t drain_deadline = UINT64_MAX;
	static struct sampler sm, pm;
	int seen_interrupts = interrupts;

	sampler_start(&sm, st);
	sampler_start(&pm, st);
	pm.since_tsc = sh->start_tsc;
	for (;;) {
		dv_frugal_sleep(1000000);
		track_drain(st);
		uint64_t now = rte_rdtsc();

		if (interrupts != seen_interrupts) {
			seen_interrupts = interrupts;
			res->interrupted = true;
			__atomic_store_n(&sh->stop_tx, 1, __ATOMIC_RELEASE);
			if (seen_interrupts > 1)
				break; /* second Ctrl-C: no drain */
		}
		if (now >= next_tick) {
			interval_emit(st, plan, now, &sm);
			next_tick += interval;
		}
		/* Plot lines cover the sending time, as resperf's do. */
		if (now >= next_plot && now <= sh->end_tsc + pinterval) {
			plot_emit(st, plan, now, &pm, res);
			next_plot += pinterval;
		}
		if (drain_deadline == UINT64_MAX && gens_finished(st)) {
			uint64_t last = gens_last_tx(st);
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
	track_drain(st);

	uint64_t now = rte_rdtsc();
	if (interval != 0 && now > next_tick - interval + hz / 20)
		interval_emit(st, plan, now, &sm);
	res->run_seconds = (double)(now - sh->start_tsc) / (double)hz;
}

/*
 * With several collectors and one source address, collector c's answers must
 * hash to RX queue c: take an address of the default one's /20 that does, as
 * the NIC's address-only RSS (and the embedded responder) will hash it. The
 * same draw as for --src ranges (lib/engine/sources.c).
 */
static int lane_source(struct dv_endpoints *ep, unsigned c, unsigned ncol)
{
	static struct dv_src pool[DV_SRC_POOL_MAX];
	unsigned bits = ep->src.family == AF_INET6 ? 128 : 32;
	if (dv_src_pool_build(&ep->src, bits - 12, &ep->dst, c, ncol, 0, pool) < 0)
		return -ENOENT;
	memcpy(ep->src.family == AF_INET6 ? (void *)&ep->src.v6 : (void *)&ep->src.v4, pool[0].addr,
	       bits / 8);
	return 0;
}

/* Collector c: its lanes (one per generator), its RX queue, its fragment tracker. */
static int col_setup(struct run_state *st, const struct dv_plan *plan, unsigned c, double qps,
		     uint64_t hz)
{
	struct dv_col *col = rte_zmalloc("dv_col", sizeof(*col), RTE_CACHE_LINE_SIZE);
	if (col == NULL) {
		dv_err("out of DPDK memory for lcore state");
		return -ENOMEM;
	}
	st->col[c] = col;
	col->sh = st->sh;
	uint32_t lo = 65536, hi = 0;
	for (unsigned li = 0; li < st->nlanes; li++) {
		lo = st->ifl[li].sport_base < lo ? st->ifl[li].sport_base : lo;
		hi = st->ifl[li].sport_base + st->ifl[li].nports > hi
		     ? st->ifl[li].sport_base + st->ifl[li].nports : hi;
	}
	col->sport_lo = (uint16_t)lo;
	col->sport_hi = (uint16_t)(hi > 65535 ? 65535 : hi);
	for (unsigned li = 0; li < st->nlanes; li++) {
		if (st->lane_col[li] != c)
			continue;
		struct dv_col_lane *ln = &col->lane[col->nlanes++];
		ln->col = col;
		ln->ifl = &st->ifl[li];
		ln->seq = &st->seq[li];
		ln->notes = calloc(ln->ifl->nslots, sizeof(*ln->notes));
		if (ln->notes == NULL) {
			dv_err("out of memory for the collector's tables");
			return -ENOMEM;
		}
		for (uint32_t i = 0; i < ln->ifl->nslots; i++)
			ln->notes[i].seq = DV_SEQ_NONE;
		st->mem_inflight += (uint64_t)ln->ifl->nslots * sizeof(*ln->notes);
	}
	uint32_t sets = dv_topo_frag_sets(qps, st->ncol, st->pol.attempts, plan->frag_timeout_s);
	col->scratch = rte_malloc("dv_scratch", DV_SCRATCH_LEN, RTE_CACHE_LINE_SIZE);
	col->linear = rte_malloc("dv_linear", DV_SCRATCH_LEN, RTE_CACHE_LINE_SIZE);
	if (col->scratch == NULL || col->linear == NULL ||
	    dv_frags_init(&col->frags, sets,
			  (uint64_t)(plan->frag_timeout_s * (double)hz), 1e9 / (double)hz,
			  plan->fragmented == DV_FRAG_REASSEMBLE, (int)rte_socket_id()) != 0) {
		dv_err("out of memory for the collector's fragment tables");
		return -ENOMEM;
	}
	unsigned k = dv_plan_port_of(plan, c);
	col->port = st->ports.port[k].id;
	col->port_index = k;
	col->queue = (uint16_t)dv_plan_queue_of(plan, c);
	col->index = c;
	col->npeers = dv_plan_on_port(plan, st->ncol, k);
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

/*
 * --track-answers: per collector a slab of sample buffers and two SPSC rings
 * (full: collector -> main, free: main -> collector), all made here, and the
 * tracker, whose intervals are -S (1 s without -S).
 */
static int track_setup(struct run_state *st, const struct dv_plan *plan)
{
	if (plan->track_answers == 0)
		return 0;
	double iv_s = plan->stats_interval_s > 0.0 ? plan->stats_interval_s : 1.0;
	st->cons = dv_cons_new((uint64_t)(iv_s * 1e9) > 0 ? (uint64_t)(iv_s * 1e9) : 1);
	if (st->cons == NULL) {
		dv_err("out of memory for the answer consistency tracker");
		return -ENOMEM;
	}
	for (unsigned c = 0; c < st->ncol; c++) {
		struct dv_col *col = st->col[c];
		char name[32];
		unsigned flags = RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ;
		snprintf(name, sizeof(name), "dv_trk_full_%u", c);
		col->trk_full = rte_ring_create(name, DV_TRACK_SLOTS, (int)rte_socket_id(), flags);
		snprintf(name, sizeof(name), "dv_trk_free_%u", c);
		col->trk_free = rte_ring_create(name, DV_TRACK_SLOTS, (int)rte_socket_id(), flags);
		col->trk_slab = rte_malloc("dv_trk_slab", DV_TRACK_SLOTS * sizeof(struct dv_sample),
					   RTE_CACHE_LINE_SIZE);
		if (col->trk_full == NULL || col->trk_free == NULL || col->trk_slab == NULL) {
			dv_err("out of DPDK memory for --track-answers' sample buffers");
			return -ENOMEM;
		}
		for (unsigned i = 0; i < DV_TRACK_SLOTS; i++) {
			void *p = &col->trk_slab[i];
			rte_ring_sp_enqueue(col->trk_free, p);
		}
		col->trk_per_s = plan->track_answers;
	}
	return 0;
}

/* --src ranges: each collector's share of the addresses; its lanes draw from it. */
static int sources_setup(struct run_state *st, const struct dv_plan *plan, uint64_t seed)
{
	for (int f = 0; f < DV_FAMILIES; f++) {
		if (plan->src_prefix[f] == 0)
			continue;
		for (unsigned c = 0; c < st->ncol; c++) {
			/* Collector c reads RX queue q of its port, which has ncolp of them. */
			unsigned k = dv_plan_port_of(plan, c), q = dv_plan_queue_of(plan, c);
			unsigned ncolp = dv_plan_on_port(plan, st->ncol, k);
			const struct dv_endpoints *ep = st->ep[k];
			if (ep[f].src.family == 0)
				continue;
			st->srcs[c][f] = calloc(DV_SRC_POOL_MAX, sizeof(struct dv_src));
			if (st->srcs[c][f] == NULL) {
				dv_err("out of memory for source addresses");
				return -ENOMEM;
			}
			int n = dv_src_pool_build(&plan->src[f], plan->src_prefix[f], &ep[f].dst, q,
						  ncolp, seed, st->srcs[c][f]);
			if (n < 0) {
				char ab[64];
				dv_err("--src %s/%u: no address of the range hashes to collector %u of %u",
				       dv_addr_str(&plan->src[f], ab, sizeof(ab)), plan->src_prefix[f],
				       q, ncolp);
				return -EINVAL;
			}
			for (unsigned li = 0; li < st->nlanes; li++)
				if (st->lane_col[li] == c)
					st->sh->srcs[li][f] = (struct dv_src_pool){ .a = st->srcs[c][f],
										    .n = (uint32_t)n };
		}
	}
	return 0;
}

/*
 * Collectors sharing a port hand each other what the port's queues delivered
 * to the wrong one: an inbox ring each (many producers, one consumer), the
 * owner of every source port, and an mbuf field for the RX time.
 */
static int handoff_setup(struct run_state *st)
{
	struct dv_shared *sh = st->sh;
	st->sport_owner = calloc(65536, 1);
	if (st->sport_owner == NULL) {
		dv_err("out of memory for the collectors' port table");
		return -ENOMEM;
	}
	for (unsigned li = 0; li < st->nlanes; li++)
		for (uint32_t i = 0; i < st->ifl[li].nports && st->ifl[li].sport_base + i < 65536; i++)
			st->sport_owner[st->ifl[li].sport_base + i] = (uint8_t)(st->lane_col[li] + 1);
	sh->sport_owner = st->sport_owner;
	sh->rx_ts_off = -1;
	for (unsigned c = 0; c < st->ncol; c++) {
		if (st->col[c]->npeers < 2)
			continue;
		if (sh->rx_ts_off < 0 && rte_mbuf_dyn_rx_timestamp_register(&sh->rx_ts_off, NULL) != 0) {
			dv_err("cannot register the mbuf RX timestamp: %s", rte_strerror(rte_errno));
			return -ENOMEM;
		}
		char name[32];
		snprintf(name, sizeof(name), "dv_inbox_%u", c);
		sh->inbox[c] = rte_ring_create(name, DV_INBOX_SIZE, (int)rte_socket_id(), RING_F_SC_DEQ);
		if (sh->inbox[c] == NULL) {
			dv_err("cannot create the collectors' hand-off rings: %s", rte_strerror(rte_errno));
			return -ENOMEM;
		}
		st->col[c]->inbox = sh->inbox[c];
	}
	return 0;
}

/* What the ARP/ND helpers need to know of port k. */
static struct dv_nd_port nd_port(const struct run_state *st, const struct dv_plan *plan, unsigned k)
{
	return (struct dv_nd_port){ .spec = plan->port[k].spec, .port_id = st->ports.port[k].id,
				    .nrxq = st->ports.port[k].rx_queues, .pool = st->ports.pool,
				    .mac = st->ports.port[k].mac, .vlan = plan->vlan };
}


/* Ports no kernel answers for: the next hop's MAC by ARP/ND, unless --dst-mac gives it. */
static int nd_resolve_all(struct run_state *st, const struct dv_plan *plan)
{
	for (unsigned k = 0; k < plan->nports; k++) {
		if (!plan->port[k].profile.arp_nd || plan->dst_mac_set)
			continue;
		struct dv_nd_port np = nd_port(st, plan, k);
		for (int f = 0; f < DV_FAMILIES; f++) {
			struct dv_endpoints *e = &st->ep[k][f];
			if (e->src.family == 0)
				continue;
			int rc = dv_nd_resolve(&np, &e->src, nd_hop(plan, f), e->dst_mac);
			if (rc != 0)
				return rc;
			st->nd_resolved[k][f] = true;
		}
	}
	return 0;
}

/*
 * Ports no kernel answers for: a ring for the collectors' ARP/ND answers,
 * sent by the port's first generator, and our addresses announced.
 */
static int nd_setup(struct run_state *st, const struct dv_plan *plan)
{
	struct dv_shared *sh = st->sh;
	for (unsigned k = 0; k < plan->nports; k++) {
		if (!plan->port[k].profile.arp_nd)
			continue;
		char name[32];
		snprintf(name, sizeof(name), "dv_ctl_%u", k);
		sh->nd[k].ctl = rte_ring_create(name, DV_CTL_RING, (int)rte_socket_id(), RING_F_SC_DEQ);
		if (sh->nd[k].ctl == NULL) {
			dv_err("cannot create the ARP/ND ring: %s", rte_strerror(rte_errno));
			return -ENOMEM;
		}
		memcpy(sh->nd[k].mac, st->ports.port[k].mac, 6);
		for (unsigned g = 0; g < st->ngen; g++)
			if (dv_plan_port_of(plan, g) == k && dv_plan_queue_of(plan, g) == 0)
				st->gen[g]->ctl = sh->nd[k].ctl;
		/* Each lane's own source address; range addresses answer when asked. */
		struct dv_nd_port np = nd_port(st, plan, k);
		for (unsigned li = 0; li < st->nlanes; li++) {
			if (sh->lane_port[li] != k)
				continue;
			for (int f = 0; f < DV_FAMILIES; f++) {
				const struct dv_l34_tmpl *t = &sh->l34[li][f];
				if (t->family == 0)
					continue;
				struct dv_addr a = { .family = t->family };
				memcpy(t->family == AF_INET6 ? (void *)&a.v6 : (void *)&a.v4,
				       t->bytes + t->src_off, t->src_len);
				st->nd_announced += dv_nd_announce(&np, &a);
			}
		}
	}
	return 0;
}

static int gen_setup(struct run_state *st, const struct dv_plan *plan, unsigned g, uint64_t seed)
{
	struct dv_gen *gen = rte_zmalloc("dv_gen", sizeof(*gen), RTE_CACHE_LINE_SIZE);
	if (gen == NULL) {
		dv_err("out of DPDK memory for lcore state");
		return -ENOMEM;
	}
	st->gen[g] = gen;
	gen->sh = st->sh;
	gen->index = g;
	for (unsigned li = 0; li < st->nlanes; li++) {
		if (st->lane_gen[li] != g)
			continue;
		gen->lane[gen->nlanes++] = (struct dv_lane){ .ifl = &st->ifl[li], .seq = &st->seq[li],
							     .global = li };
		/* Checksum offload is its port's: the same for all its lanes. */
		for (int f = 0; f < DV_FAMILIES; f++)
			gen->ol_flags[f] = dv_l34_ol_flags(&st->sh->l34[li][f]);
	}
	/* Own RNG stream, own pool, own TX queue: nothing shared on the hot path. */
	dv_rng_seed(&gen->rng, seed + 0x9e3779b97f4a7c15ull * (g + 1));
	gen->pool = st->ports.gen_pool[g];
	gen->port = st->ports.port[dv_plan_port_of(plan, g)].id;
	gen->queue = (uint16_t)dv_plan_queue_of(plan, g);
	gen->burst = plan->burst;
	gen->frugal = plan->poll == DV_POLL_FRUGAL;
	dv_tx_stats_init(&gen->tx);
	return 0;
}

static int run_setup(struct run_state *st, const struct dv_plan *plan)
{
	int rc;

	/* The embedded port's and tap's MAC is only known once the port exists. */
	for (unsigned k = 0; k < plan->nports; k++) {
		const struct dv_port_profile *pr = &plan->port[k].profile;
		for (int f = 0; f < DV_FAMILIES; f++) {
			struct dv_endpoints *e = &st->ep[k][f];
			if (e->src.family == 0 || pr->kernel_iface)
				continue;
			memcpy(e->src_mac, st->ports.port[k].mac, 6);
		}
	}
	rc = nd_resolve_all(st, plan);
	if (rc != 0)
		return rc;

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

	uint64_t hz = rte_get_tsc_hz();
	struct dv_topology topo;
	struct dv_lifetime lt;
	struct dv_sizing sz;
	uint64_t timer_tsc[DV_MAX_ATTEMPTS];
	dv_topo_lanes(plan, &topo);
	dv_topo_lifetime(plan, &lt);
	dv_topo_sizing(plan, &topo, &lt, &sz);
	for (unsigned k = 0; k < lt.attempts; k++)
		timer_tsc[k] = (uint64_t)(lt.timer_s[k] * (double)hz);
	double lifetime_s = lt.lifetime_s, qps = sz.qps;
	uint32_t slots = sz.slots, lslots = sz.lslots;
	st->ngen = topo.ngen;
	st->ncol = topo.ncol;
	st->nlanes = topo.nlanes;
	memcpy(st->lane_gen, topo.lane_gen, sizeof(st->lane_gen));
	memcpy(st->lane_col, topo.lane_col, sizeof(st->lane_col));
	struct dv_rng keys;
	dv_rng_seed(&keys, seed ^ 0x5350524541445321ull);
	for (unsigned li = 0; li < st->nlanes; li++) {
		uint32_t base, nports;
		rc = dv_topo_lane_ports(plan, li, st->nlanes, slots, &base, &nports);
		if (rc != 0)
			return rc;
		rc = dv_inflight_init(&st->ifl[li], slots, (uint16_t)base);
		if (rc == 0)
			rc = dv_inflight_spread(&st->ifl[li], nports, dv_rng_next(&keys) | 1);
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
		st->inflight_slots += slots;
		st->mem_inflight += (uint64_t)slots * (sizeof(struct dv_issue) + sizeof(struct dv_done));
		st->mem_sequences += (uint64_t)lslots * (sizeof(struct dv_lq) + sizeof(struct dv_lq_state));
	}

	st->sh = rte_zmalloc("dv_shared", sizeof(*st->sh), RTE_CACHE_LINE_SIZE);
	if (st->sh == NULL) {
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
	sh->ngen = st->ngen;
	sh->ncol = st->ncol;
	sh->tmpl_tag_off = st->ports.tmpl_tag_off;
	sh->nlanes = st->nlanes;
	for (unsigned li = 0; li < st->nlanes; li++)
		sh->lane_port[li] = (uint8_t)dv_plan_port_of(plan, st->lane_col[li]);
	for (unsigned li = 0; li < st->nlanes; li++) {
		unsigned c = st->lane_col[li];
		unsigned k = dv_plan_port_of(plan, c), q = dv_plan_queue_of(plan, c);
		unsigned ncolp = dv_plan_on_port(plan, st->ncol, k);
		for (int f = 0; f < DV_FAMILIES; f++) {
			if (st->ep[k][f].src.family == 0)
				continue;
			struct dv_endpoints lep = st->ep[k][f];
			/* Address-steered ports bring collector c the answers to addresses that hash
			 * to its queue; kernel-steered ones need no such address (hand-off). */
			if (ncolp > 1 && plan->src_prefix[f] == 0 &&
			    plan->port[k].profile.rx_steering == DV_STEER_ADDRESS &&
			    lane_source(&lep, q, ncolp) != 0) {
				dv_err("--collectors %u: no source address hashes to collector %u",
				       st->ncol, c);
				return -EINVAL;
			}
			if (dv_l34_build(&lep, &sh->l34[li][f]) != 0) {
				dv_err("cannot build the frame header for family %d", f);
				return -EINVAL;
			}
			if (st->ports.port[k].tx_csum_offload)
				dv_l34_offload(&sh->l34[li][f]);
		}
	}
	rc = sources_setup(st, plan, seed);
	if (rc != 0)
		return rc;
	for (unsigned v = 0; v < st->pol.n_edns; v++)
		for (int d = 0; d < 2; d++)
			dv_opt_build((uint16_t)st->pol.edns_size[v], d != 0, &sh->opt[v][d]);
	dv_answer_cfg_default(&sh->answer_cfg);
	sh->answer_cfg.answer_size = (uint16_t)plan->impair.answer_size;
	sh->answer_cfg.ignore_edns = plan->impair.ignore_edns;
	if (plan->impair.frag_mtu > 0)
		sh->answer_cfg.mtu = 9000; /* built whole, then fragmented at frag-mtu */

	for (unsigned g = 0; g < st->ngen; g++) {
		rc = gen_setup(st, plan, g, seed);
		if (rc != 0)
			return rc;
	}
	for (unsigned c = 0; c < st->ncol; c++) {
		rc = col_setup(st, plan, c, qps, hz);
		if (rc != 0)
			return rc;
	}
	rc = handoff_setup(st);
	if (rc != 0)
		return rc;
	rc = track_setup(st, plan);
	if (rc != 0)
		return rc;
	rc = nd_setup(st, plan);
	if (rc != 0)
		return rc;

	if (st->ports.has_resp) {
		st->resp = rte_zmalloc("dv_resp", sizeof(*st->resp), RTE_CACHE_LINE_SIZE);
		if (st->resp == NULL) {
			dv_err("out of DPDK memory for the responder");
			return -ENOMEM;
		}
		st->resp->sh = sh;
		st->resp->port = st->ports.resp_port;
		st->resp->burst = plan->burst;
		st->resp->nrxq = st->ngen; /* the embedded wire is the only port */
		if (dv_responder_setup(st->resp, plan, hz) != 0) {
			dv_err("out of DPDK memory for the responder's impairments");
			return -ENOMEM;
		}
	}
	return 0;
}

/* Schedules for one sending period of `secs` seconds at `qps` (fixed mode), from now on. */
static void run_schedule(struct run_state *st, const struct dv_plan *plan, double qps, double secs)
{
	struct dv_shared *sh = st->sh;
	/* Start 20 ms from now, so every lcore is polling when the first query is due. */
	sh->start_tsc = rte_rdtsc() + sh->tsc_hz / 50;
	/* Sampled answers count from the first start (a search has many). */
	if (st->trk_t0 == 0)
		st->trk_t0 = sh->start_tsc;
	sh->end_tsc = sh->start_tsc + (uint64_t)(secs * (double)sh->tsc_hz);
	/* Retries of the last logical queries, then a margin: nothing is sent after this. */
	sh->hard_end_tsc = sh->end_tsc + 2 * sh->timeout_tsc + sh->tsc_hz;
	__atomic_store_n(&sh->stop_rx, 0, __ATOMIC_RELAXED);
	uint64_t backlog = dv_topo_backlog(plan, qps, st->ngen);
	for (unsigned g = 0; g < st->ngen; g++) {
		struct dv_gen *gen = st->gen[g];
		gen->finished = 0;
		gen->creating_done = false;
		/* --max-queries is the run's: each generator sends its share. */
		gen->quota = dv_topo_quota(plan->max_queries, st->ngen, g);
		/* Each generator sends its share; together they keep the plan's rate. */
		switch (plan->rate_mode) {
		case DV_RATE_MAX:
			dv_pace_init_max(&gen->pace, sh->start_tsc);
			break;
		case DV_RATE_RAMP:
			dv_pace_init_ramp(&gen->pace, sh->start_tsc, sh->tsc_hz,
					  plan->ramp.from_qps / st->ngen, plan->ramp.to_qps / st->ngen,
					  plan->ramp.duration_s, backlog);
			break;
		default:
			dv_pace_init(&gen->pace, sh->start_tsc, sh->tsc_hz, qps / st->ngen, backlog);
			break;
		}
		gen->pace.n = 0;
	}
}

static int run_launch(struct run_state *st, const struct dv_plan *plan)
{
	struct dv_shared *sh = st->sh;
	unsigned n = 0;
	unsigned ids[DV_MAX_GENERATORS + DV_MAX_COLLECTORS];

	if (plan->roles == DV_ROLES_SPLIT) {
		for (unsigned g = 0; g < st->ngen; g++) {
			ids[n] = st->map.gen[g];
			st->lc[n++] = (struct dv_lcore){ .role = DV_ROLE_GEN, .gen = st->gen[g] };
		}
		for (unsigned c = 0; c < st->ncol; c++) {
			ids[n] = st->map.col[c];
			st->lc[n++] = (struct dv_lcore){ .role = DV_ROLE_COL, .col = st->col[c] };
		}
	} else {
		ids[n] = st->map.gen[0];
		st->lc[n++] = (struct dv_lcore){ .role = DV_ROLE_COMBINED, .gen = st->gen[0],
						 .col = st->col[0] };
	}
	for (unsigned i = 0; i < n; i++) {
		int rc = dv_lcore_launch(sh, dv_lcore_main, &st->lc[i], ids[i]);
		if (rc != 0)
			return rc;
	}
	if (st->resp != NULL)
		return dv_lcore_launch(sh, dv_responder_main, st->resp, st->map.resp);
	return 0;
}

/*
 * --search: trials at the rates a binary search asks for, each drained before
 * the next, REPEATS searches in a row. Every trial's queries are in the
 * run's totals; the finding goes to res->rate.
 */
static int run_search(struct run_state *st, const struct dv_plan *plan, struct dv_result *res)
{
	static struct dv_tx_stats tx0, tx1;
	static struct dv_rx_stats rx0, rx1;
	const struct dv_search_plan *sp = &plan->search;
	struct dv_rate_summary *rs = &res->rate;
	rs->search_loss_pct = sp->loss_pct;

	for (unsigned rep = 0; rep < sp->repeats && rep < DV_SEARCH_REPEATS_MAX; rep++) {
		struct dv_search s;
		dv_search_init(&s, sp->max_qps, sp->loss_pct, sp->resolution_pct);
		while (!dv_search_done(&s) && !res->interrupted) {
			st->trial_qps = dv_search_rate(&s);
			totals_snapshot(st, &tx0, &rx0);
			run_schedule(st, plan, st->trial_qps, sp->trial_s);
			int rc = run_launch(st, plan);
			if (rc != 0)
				return rc;
			control_loop(st, plan, res, false);
			totals_snapshot(st, &tx1, &rx1);
			uint64_t sent = 0, answered = 0;
			for (int f = 0; f < DV_FAMILIES; f++) {
				sent += tx1.sent[f] - tx0.sent[f];
				answered += rx1.answered[f] - rx0.answered[f];
			}
			double loss = sent > 0 ? 100.0 * (double)(sent - (answered < sent ? answered : sent)) /
							 (double)sent : 100.0;
			dv_search_report(&s, loss, (double)sent / sp->trial_s);
			rs->search_trials++;
			if (!plan->quiet)
				printf("[Search] %u.%u: offered %.0f qps, sent %" PRIu64 ", answered %" PRIu64
				       ", unanswered %.3f%% -> %s\n", rep + 1, s.trials, st->trial_qps,
				       sent, answered, loss, loss <= sp->loss_pct ? "pass" : "fail");
			fflush(stdout);
		}
		if (res->interrupted)
			break;
		rs->search_qps[rs->search_n++] = dv_search_found(&s);
	}
	if (rs->search_n > 0) {
		double v[DV_SEARCH_REPEATS_MAX];
		memcpy(v, rs->search_qps, sizeof(v));
		dv_search_summary(v, rs->search_n, &rs->search_median, &rs->search_min,
				  &rs->search_max);
	}
	return 0;
}

/* Remove a directory of plain files (EAL's runtime directory: config, sockets). */
static void remove_runtime_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char path[PATH_MAX];
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* Free a ring and the mbufs left in it (NULL: nothing). */
static void ring_free_mbufs(struct rte_ring *r)
{
	void *m;
	while (r != NULL && rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

static void run_release(struct run_state *st)
{
	if (st->json_open)
		dv_json_close(&st->json);
	if (st->plot != NULL)
		fclose(st->plot);
	for (unsigned c = 0; c < DV_MAX_COLLECTORS; c++) {
		struct dv_col *col = st->col[c];
		if (col == NULL)
			continue;
		/* rte_ip_frag still holds mbufs of the pools: free them before the pools go. */
		dv_frags_free(&col->frags);
		for (unsigned g = 0; g < DV_MAX_GENERATORS; g++)
			free(col->lane[g].notes);
		rte_free(col->scratch);
		rte_free(col->linear);
		/* The rings hold pointers into the slab, not mbufs. */
		rte_ring_free(col->trk_full);
		rte_ring_free(col->trk_free);
		rte_free(col->trk_slab);
	}
	dv_cons_free(st->cons);
	st->cons = NULL;
	if (st->resp != NULL)
		dv_responder_release(st->resp);
	if (st->sh != NULL) {
		/* Rings between lcores may still hold mbufs: free them before the pools go. */
		for (unsigned c = 0; c < DV_MAX_COLLECTORS; c++)
			ring_free_mbufs(st->sh->inbox[c]);
		for (unsigned k = 0; k < DV_MAX_PORTS; k++)
			ring_free_mbufs(st->sh->nd[k].ctl);
	}
	if (st->ports_up)
		dv_ports_close(&st->ports);
	if (st->xdp)
		dv_xdp_unpin(); /* the program went with the port */
	rte_free(st->resp);
	for (unsigned c = 0; c < DV_MAX_COLLECTORS; c++) {
		rte_free(st->col[c]);
		for (int f = 0; f < DV_FAMILIES; f++)
			free(st->srcs[c][f]);
	}
	for (unsigned g = 0; g < DV_MAX_GENERATORS; g++)
		rte_free(st->gen[g]);

	free(st->sport_owner);
	rte_free(st->sh);
	for (unsigned li = 0; li < DV_MAX_LANES; li++) {
		dv_inflight_free(&st->ifl[li]);
		dv_seq_free(&st->seq[li]);
	}
	dv_qsource_free(&st->qs);
	if (st->eal_up) {
		/* EAL leaves its runtime directory (/var/run/dpdk/PREFIX) behind: one per run. */
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
		rte_eal_cleanup();
		remove_runtime_dir(dir);
	}
}

int dv_run(const struct dv_plan *plan, struct dv_result *result)
{
	static struct run_state st;
	static struct dv_result res;
	int status = DV_EXIT_USAGE;
	int rc;

	memset(&st, 0, sizeof(st));
	st.tty = isatty(STDOUT_FILENO) == 1;
	memset(&res, 0, sizeof(res));

	/* Everything the user can get wrong is found here, before EAL and before any packet. */
	if (dv_preflight(plan) != 0)
		goto cleanup;
	for (unsigned k = 0; k < plan->nports; k++)
		if (endpoints_resolve(plan, k, st.ep[k]) != 0)
			goto cleanup;
	if (plan->json_path[0] != '\0') {
		if (dv_json_open(&st.json, plan->json_path, plan) != 0)
			goto cleanup;
		st.json_open = true;
	}
	if (plan->plot_path[0] != '\0' && (st.plot = dv_plot_open(plan->plot_path)) == NULL)
		goto cleanup;
	if (dv_eal_args_build(plan, plan->argv != NULL ? plan->argv[0] : "dnsvolley", &st.eal,
			      &st.map) != 0)
		goto cleanup;
	st.xdp = dv_xdp_used(plan);
	if (st.xdp)
		dv_xdp_unpin(); /* counters of an earlier run */

	rc = rte_eal_init(st.eal.argc, st.eal.argv);
	if (rc < 0) {
		dv_err("--port %s: DPDK EAL initialisation failed: %s", plan->port[0].spec,
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
	if (st.xdp && dv_xdp_configure(plan) != 0)
		goto cleanup;

	status = DV_EXIT_FAILURE;
	if (run_setup(&st, plan) != 0)
		goto cleanup;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!plan->quiet)
		status_intro(&st, plan);
	res.since_ns = wall_ns();
	if (plan->rate_mode == DV_RATE_SEARCH) {
		if (run_search(&st, plan, &res) != 0)
			goto cleanup;
	} else {
		run_schedule(&st, plan, plan->qps, plan->duration_s);
		if (run_launch(&st, plan) != 0)
			goto cleanup;
		control_loop(&st, plan, &res, true);
	}
	res.until_ns = wall_ns();
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);

	dv_tx_stats_init(&res.tx);
	dv_rx_stats_init(&res.rx);
	for (unsigned g = 0; g < st.ngen; g++)
		dv_tx_stats_merge(&res.tx, &st.gen[g]->tx);
	for (unsigned c = 0; c < st.ncol; c++) {
		dv_rx_stats_merge(&res.rx, &st.col[c]->rx);
		res.col_rx_pkts[c] = st.col[c]->rx.rx_pkts;
	}
	res.ncollectors = st.ncol;
	res.nports = plan->nports;
	for (unsigned k = 0; k < plan->nports; k++) {
		res.port_spec[k] = plan->port[k].spec;
		res.port_csum_offload[k] = st.ports.port[k].tx_csum_offload;
		for (int f = 0; f < DV_FAMILIES; f++) {
			memcpy(res.port_next_mac[k][f], st.ep[k][f].dst_mac, 6);
			res.port_resolved[k][f] = st.nd_resolved[k][f];
		}
	}
	res.nd_announced = st.nd_announced;
	if (st.cons != NULL) {
		for (unsigned c = 0; c < st.ncol; c++) {
			st.cons->ring_dropped += st.col[c]->trk_dropped;
			st.cons->too_large += st.col[c]->trk_too_large;
		}
		res.consistency = st.cons;
	}
	struct dv_xdp_counts xc;
	if (st.xdp && dv_xdp_read(&xc) == 0) {
		res.has_xdp = true;
		res.xdp_redirected = xc.redirected;
		res.xdp_passed = xc.passed;
		res.xdp_fragments = xc.fragments;
		res.xdp_icmp = xc.icmp;
	}
	for (unsigned g = 0; g < st.ngen; g++)
		for (int f = 0; f < DV_FAMILIES; f++)
			res.port_sent[dv_plan_port_of(plan, g)] += st.gen[g]->tx.sent[f];
	for (unsigned c = 0; c < st.ncol; c++)
		res.port_rx_pkts[dv_plan_port_of(plan, c)] += st.col[c]->rx.rx_pkts;
	res.target_qps = plan->rate_mode == DV_RATE_FIXED ? plan->qps : 0.0;
	dv_result_describe(&res, &st, plan);
	if (res.tx.logical != 0 && plan->rate_mode != DV_RATE_SEARCH)
		res.send_seconds = (double)(res.tx.last_logical_tsc - st.sh->start_tsc) /
					   (double)st.sh->tsc_hz +
				   (plan->rate_mode == DV_RATE_FIXED ? 1.0 / plan->qps : 0.0);

	if (st.resp != NULL) {
		res.has_responder = true;
		res.resp_answered = dv_count_read(&st.resp->answered);
		res.resp_dropped = dv_count_read(&st.resp->dropped);
		res.resp_impaired = dv_count_read(&st.resp->impaired);
		res.resp_sources = dv_responder_sources(st.resp);
		res.resp_ports = dv_responder_ports(st.resp);
	}
	if (st.status_shown)
		putchar('\n');
	if (!plan->quiet) {
		printf("[Status] Testing complete (%s)\n\n",
		       res.interrupted ? "interrupted" : "time limit");
		if (st.resp != NULL)
			printf("[Status] Embedded responder: %" PRIu64 " answered, %" PRIu64
			       " dropped, %" PRIu64 " impaired on purpose; queries came from %" PRIu64
			       " addresses and %" PRIu64 " source ports\n\n",
			       res.resp_answered, res.resp_dropped, res.resp_impaired,
			       res.resp_sources, res.resp_ports);
	}
	dv_report_text(stdout, plan, &res);
	fflush(stdout);
	if (st.plot != NULL) {
		FILE *f = st.plot;
		st.plot = NULL;
		if (dv_plot_close(f, plan->plot_path) != 0)
			goto cleanup;
	}
	if (st.json_open) {
		dv_json_sum(&st.json, &res);
		st.json_open = false;
		if (dv_json_close(&st.json) != 0)
			goto cleanup;
	}
	/* The tracker goes with the run's state. */
	res.consistency = NULL;
	if (result != NULL)
		*result = res;
	status = 0;
cleanup:
	run_release(&st);
	return status;
}
