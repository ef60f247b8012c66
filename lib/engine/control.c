/*
 * The main lcore while lcores run: it schedules a sending period, launches
 * the lcores, then every millisecond prints status and plot lines, lets the
 * features tick, notices the end of sending, and waits out the drain. The
 * search runs that as trials.
 */
#include "engine/control.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "dv_config.h"
#include "config/seqspec.h"
#include "core/addr.h"
#include "core/log.h"
#include "core/wallclock.h"
#include "metrics/consistency.h"
#include "engine/endpoints.h"
#include "engine/features/feature.h"
#include "engine/features/metrics.h"
#include "engine/result.h"
#include "engine/search.h"
#include "engine/signals.h"

/*
 * Everything the generators sent and the collectors saw, as of now (relaxed
 * reads). The collectors first: counters keep moving while the snapshot is
 * read, and read the other way round every answer counted in between showed
 * up without its query (a scrape saw 3005 answers to 3003 queries). Only an
 * answer that beats its generator's count after rte_eth_tx_burst() (a few
 * microseconds) can still do that.
 */
static void totals_snapshot(const struct dv_session *st, struct dv_tx_stats *tx,
			    struct dv_rx_stats *rx)
{
	static struct dv_tx_stats one_tx;
	static struct dv_rx_stats one_rx;
	dv_tx_stats_init(tx);
	dv_rx_stats_init(rx);
	for (unsigned c = 0; c < st->ncol; c++) {
		dv_rx_stats_snapshot(&one_rx, &st->col[c]->rx);
		dv_rx_stats_merge(rx, &one_rx);
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	for (unsigned g = 0; g < st->ngen; g++) {
		dv_tx_stats_snapshot(&one_tx, &st->gen[g]->tx);
		dv_tx_stats_merge(tx, &one_tx);
	}
}

/* The offered rate the plan asks for at t seconds after the start. */
static double target_at(const struct dv_session *st, const struct dv_plan *plan, double t)
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

void dv_control_intro(const struct dv_session *st)
{
	const struct dv_plan *plan = st->plan;
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
	/* What will really be sent: the EDNS mix by its sizes, generated names by their pattern. */
	char edns[160], names[4400];
	const struct dv_weighted *mix = &plan->seq.edns;
	if (mix->n > 0) {
		int o = snprintf(edns, sizeof(edns), "EDNS %s%smix of", plan->seq.edns_preset,
				 plan->seq.edns_preset[0] ? " " : "");
		for (unsigned i = 0; i < mix->n && o > 0 && (size_t)o < sizeof(edns); i++) {
			if (mix->value[i] == DV_EDNS_NONE)
				o += snprintf(edns + o, sizeof(edns) - (size_t)o, "%s none", i ? "," : "");
			else
				o += snprintf(edns + o, sizeof(edns) - (size_t)o, "%s %d", i ? "," : "",
					      mix->value[i]);
		}
	} else if (plan->edns_size != DV_EDNS_NONE) {
		snprintf(edns, sizeof(edns), "EDNS %d", plan->edns_size);
	} else {
		snprintf(edns, sizeof(edns), "EDNS off");
	}
	if (plan->seq.qname_pattern[0] != '\0') {
		int o = snprintf(names, sizeof(names), "names %s, type", plan->seq.qname_pattern);
		const struct dv_weighted *qt = &plan->seq.qtypes;
		for (unsigned i = 0; i < qt->n && o > 0 && (size_t)o < sizeof(names); i++) {
			char t[32];
			o += snprintf(names + o, sizeof(names) - (size_t)o, "%s %s", i ? "," : "",
				      dv_cons_type_str((uint16_t)qt->value[i], t, sizeof(t)));
		}
	} else {
		snprintf(names, sizeof(names), "%zu queries in %s", plan->queries.n, plan->query_file);
	}
	const char *do_bit = plan->seq.do_prob >= 1.0 ? " +DO" :
			     plan->seq.do_prob > 0.0 ? " +DO on a share" : "";
	printf("[Status] %s for %.3f s, timeout %.3f s, %s%s, %s\n", rate,
	       plan->rate_mode == DV_RATE_SEARCH ? plan->search.trial_s : plan->duration_s,
	       plan->timeout_s, edns, plan->edns_size != DV_EDNS_NONE || mix->n > 0 ? do_bit : "",
	       names);
	/* A population: its kinds, each with its share and its own source addresses. */
	for (unsigned k = 0; k < plan->pop.n; k++) {
		const struct dv_kind *kd = &plan->pop.kind[k];
		char a4[64], a6[64];
		printf("[Status] Population %s: kind %s, %.2f%% of the names, family %s, %u attempt%s, "
		       "lost %.2f%%, from %s/%u %s/%u\n", plan->pop.name, kd->name, 100.0 * kd->weight,
		       dv_family_policy_name(kd->seq.family), kd->seq.attempts,
		       kd->seq.attempts == 1 ? "" : "s", 100.0 * kd->lost,
		       kd->src[DV_FAMILY_V4].family != 0 ? dv_addr_str(&kd->src[DV_FAMILY_V4], a4, sizeof(a4))
							  : "-", kd->src_prefix[DV_FAMILY_V4],
		       kd->src[DV_FAMILY_V6].family != 0 ? dv_addr_str(&kd->src[DV_FAMILY_V6], a6, sizeof(a6))
							  : "-", kd->src_prefix[DV_FAMILY_V6]);
	}
	for (unsigned k = 0; k < plan->nports; k++)
		for (int f = 0; f < DV_FAMILIES; f++) {
			if (!st->nd_resolved[k][f])
				continue;
			const uint8_t *m = st->ep[k][f].dst_mac;
			char hb[64];
			printf("[Status] Next hop %s on %s is at %02x:%02x:%02x:%02x:%02x:%02x (%s)\n",
			       dv_addr_str(dv_endpoints_nd_hop(plan, f), hb, sizeof(hb)), plan->port[k].spec, m[0], m[1], m[2],
			       m[3], m[4], m[5], f == DV_FAMILY_V6 ? "neighbour solicitation" : "ARP");
		}
	if (plan->metrics_spec[0] != '\0')
		printf("[Status] Metrics on http://%s/metrics; DPDK telemetry /dnsvolley/stats "
		       "(dpdk-telemetry.py -f dnsvolley-%d)\n", plan->metrics_spec, (int)getpid());
	printf("[Status] %u generator%s, %u collector%s; memory: in-flight %" PRIu64
	       " slots %.1f MiB, sequences %.1f MiB, mbufs %.1f MiB (sized at start, fixed)\n",
	       st->ngen, st->ngen == 1 ? "" : "s", st->ncol, st->ncol == 1 ? "" : "s",
	       st->inflight_slots, (double)st->mem_inflight / 1048576.0,
	       (double)st->mem_sequences / 1048576.0, (double)st->ports.mbuf_bytes / 1048576.0);
	fflush(stdout);
}

/** Interval bookkeeping: what was counted at the interval's start, and the stalls since. */
struct sampler {
	struct dv_tx_stats tx;
	struct dv_rx_stats rx;
	uint64_t since_ns;
	uint64_t since_tsc;
	struct dv_stalls stalls;
};

/* Count a stall of `secs` that began at `at_s` (seconds since the start) in s. */
static void stall_add(struct dv_stalls *s, double secs, double at_s)
{
	if (s->count++ == 0)
		s->first_at_s = at_s;
	s->total_s += secs;
	if (secs > s->longest_s)
		s->longest_s = secs;
}

/*
 * When the interval that ends at t is due: the next point of the grid from t0
 * at least half a step after t. After a stall no interval is made up (none is
 * printed twice) and none is shorter than half a step.
 */
static uint64_t grid_after(uint64_t t0, uint64_t step, uint64_t t)
{
	t += step / 2;
	if (t < t0)
		return t0;
	return t0 + ((t - t0) / step + 1) * step;
}

static void sampler_start(struct sampler *sm, const struct dv_session *st)
{
	totals_snapshot(st, &sm->tx, &sm->rx);
	sm->since_ns = dv_wall_ns();
	sm->since_tsc = rte_rdtsc();
	memset(&sm->stalls, 0, sizeof(sm->stalls));
}

/* The interval since the last call: iv gets the deltas; the sampler moves on. */
static void sampler_take(struct sampler *sm, const struct dv_session *st, struct dv_result *iv)
{
	static struct dv_tx_stats tx_now;
	static struct dv_rx_stats rx_now;
	totals_snapshot(st, &tx_now, &rx_now);
	memset(iv, 0, sizeof(*iv));
	dv_tx_stats_delta(&iv->tx, &tx_now, &sm->tx);
	dv_rx_stats_delta(&iv->rx, &rx_now, &sm->rx);
	iv->since_ns = sm->since_ns;
	iv->until_ns = dv_wall_ns();
	sm->tx = tx_now;
	sm->rx = rx_now;
	sm->since_ns = iv->until_ns;
	sm->since_tsc = rte_rdtsc();
	iv->stalls = sm->stalls;
	memset(&sm->stalls, 0, sizeof(sm->stalls));
}

/* Whether anything was counted since the sampler's last take. */
static bool sampler_moved(const struct sampler *sm, const struct dv_session *st)
{
	static struct dv_tx_stats tx_now;
	static struct dv_rx_stats rx_now;
	totals_snapshot(st, &tx_now, &rx_now);
	/* Both made by init (memset) and merge: the padding compares equal too. */
	return memcmp(&tx_now, &sm->tx, sizeof(tx_now)) != 0 ||
	       memcmp(&rx_now, &sm->rx, sizeof(rx_now)) != 0;
}

/* --metrics: the totals just taken, to the endpoint (features/metrics.c); no rate with --max. */
static void metrics_emit(struct dv_session *st, const struct dv_plan *plan, uint64_t now_tsc,
			 const struct dv_tx_stats *tx, const struct dv_rx_stats *rx)
{
	double elapsed = now_tsc > st->sh->start_tsc
			 ? (double)(now_tsc - st->sh->start_tsc) / (double)st->sh->tsc_hz : 0.0;
	double target = plan->rate_mode == DV_RATE_MAX ? -1.0 : target_at(st, plan, elapsed);
	dv_metrics_publish(st, tx, rx, target, now_tsc);
}

static void interval_emit(struct dv_session *st, const struct dv_plan *plan, uint64_t now_tsc,
			  struct sampler *sm, struct dv_result *res)
{
	static struct dv_result iv;
	sampler_take(sm, st, &iv);
	/* The sampler now holds the totals: the metrics are rendered from the same snapshot. */
	metrics_emit(st, plan, now_tsc, &sm->tx, &sm->rx);
	double elapsed = (double)(now_tsc - st->sh->start_tsc) / (double)st->sh->tsc_hz;
	iv.target_qps = target_at(st, plan, elapsed);
	dv_session_describe(&iv, st);
	iv.tcp_open = dv_session_tcp_open(st);
	dv_check_levels_add(&res->check_levels, iv.target_qps, (const uint64_t (*)[DV_CHECKS_MAX][DV_CR_KINDS])iv.rx.check_res);
	double left = now_tsc < st->sh->end_tsc ? (double)(st->sh->end_tsc - now_tsc) /
						  (double)st->sh->tsc_hz : -1.0;
	if (__atomic_load_n(&st->sh->stop_tx, __ATOMIC_ACQUIRE))
		left = -1.0;
	if (st->sink->interval != NULL)
		st->sink->interval(st->sink->ctx, &iv, elapsed, left);
}

/*
 * One resperf-style plot line; the ramp's best interval is remembered in res.
 * Rates are counts over the interval's real length on the clock. Only whole
 * intervals count for the maximum: at least 90 % of the plot interval long,
 * at most 150 %, and without a stall (a short one would turn a few answers
 * into a rate; one that spans a stall is not one interval's throughput).
 */
static void plot_emit(struct dv_session *st, const struct dv_plan *plan, uint64_t now_tsc,
		      struct sampler *sm, struct dv_result *res)
{
	static struct dv_result iv;
	double hz = (double)st->sh->tsc_hz;
	double secs = (double)(now_tsc - sm->since_tsc) / hz;
	double mid = ((double)sm->since_tsc + (double)now_tsc) / 2.0 - (double)st->sh->start_tsc;
	sampler_take(sm, st, &iv);
	if (secs <= 0.0)
		return;
	double nominal = plan->plot_interval_s;
	bool whole = iv.stalls.count == 0 && secs >= 0.9 * nominal && secs <= 1.5 * nominal;
	uint64_t sent = dv_result_sent(&iv), answered = dv_result_answered(&iv);
	struct dv_plot_row row = {
		.time_s = (double)(now_tsc - st->sh->start_tsc) / hz,
		.target_qps = target_at(st, plan, mid / hz),
		.actual_qps = (double)sent / secs,
		.responses_ps = (double)answered / secs,
		.failures_ps = (double)dv_result_timeouts(&iv) / secs,
		.avg_latency_s = dv_hist_mean(&iv.rx.latency) / 1e9,
		.conn_ps = (double)iv.rx.tcp.opened / secs,
		.conn_avg_latency_s = dv_hist_mean(&iv.rx.tcp_handshake) / 1e9,
		.stall_s = iv.stalls.total_s,
		.secs = secs,
	};
	if (st->sink->plot_row != NULL)
		st->sink->plot_row(st->sink->ctx, &row);
	/* resperf's "maximum throughput": the most responses per second in one interval. */
	if (whole && row.responses_ps > res->rate.ramp_max_qps) {
		res->rate.ramp_max_qps = row.responses_ps;
		res->rate.ramp_at_qps = row.actual_qps;
		res->rate.ramp_loss_pct = sent > answered ? 100.0 * (double)(sent - answered) /
								    (double)sent : 0.0;
	}
}

static bool gens_finished(const struct dv_session *st)
{
	for (unsigned g = 0; g < st->ngen; g++)
		if (!__atomic_load_n(&st->gen[g]->finished, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

static uint64_t gens_last_tx(const struct dv_session *st)
{
	uint64_t last = 0;
	for (unsigned g = 0; g < st->ngen; g++) {
		uint64_t l = dv_count_read(&st->gen[g]->tx.last_tx_tsc);
		last = l > last ? l : last;
	}
	return last;
}

/* Generators and collectors on their lcores, then the features' lcores. */
static int run_launch(struct dv_session *st, const struct dv_plan *plan)
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
	/* The features' lcores (the embedded responder) after the senders. */
	return dv_features_launch(st);
}

/*
 * The main lcore: launches the lcores, then status lines, plot lines, end of
 * sending, drain, stop. The samplers take their first totals before the launch:
 * taken after it, a main lcore that the launch kept waiting past the start
 * (two CPUs, both polling) missed the first queries from every interval.
 */
static int control_loop(struct dv_session *st, const struct dv_plan *plan, struct dv_result *res,
			 bool status)
{
	struct dv_shared *sh = st->sh;
	uint64_t hz = sh->tsc_hz;
	uint64_t interval = status ? (uint64_t)(plan->stats_interval_s * (double)hz) : 0;
	uint64_t next_tick = interval ? sh->start_tsc + interval : UINT64_MAX;
	bool plotting = plan->rate_mode == DV_RATE_RAMP || plan->plot_path[0] != '\0';
	uint64_t pinterval = (uint64_t)(plan->plot_interval_s * (double)hz);
	uint64_t next_plot = plotting && pinterval ? sh->start_tsc + pinterval : UINT64_MAX;
	uint64_t drain_deadline = UINT64_MAX;
	/* --metrics: at every status interval, and on its own every second when they are further apart. */
	bool own_metrics = plan->metrics_spec[0] != '\0' && (interval == 0 || interval > hz);
	uint64_t next_metrics = own_metrics ? sh->start_tsc + hz : UINT64_MAX;
	static struct dv_tx_stats mtx;
	static struct dv_rx_stats mrx;
	static struct sampler sm, pm;
	uint64_t stall_tsc = sh->stall_tsc;

	sampler_start(&sm, st);
	sampler_start(&pm, st);
	pm.since_tsc = sh->start_tsc;
	int rc = run_launch(st, plan);
	if (rc != 0)
		return rc;
	uint64_t last = rte_rdtsc();
	for (;;) {
		dv_frugal_sleep(1000000);
		dv_features_tick(st);
		uint64_t now = rte_rdtsc();
		/* This loop wakes every millisecond: a long gap is a stall of the process. */
		if (now - last > stall_tsc) {
			double secs = (double)(now - last) / (double)hz;
			double at = last > sh->start_tsc ? (double)(last - sh->start_tsc) / (double)hz : 0.0;
			stall_add(&res->stalls, secs, at);
			stall_add(&sm.stalls, secs, at);
			stall_add(&pm.stalls, secs, at);
		}
		last = now;

		/* Signals that arrive together are one press (engine/signals.c). */
		unsigned presses = dv_signals_presses();
		if (presses > 0 && !res->interrupted) {
			res->interrupted = true;
			__atomic_store_n(&sh->stop_tx, 1, __ATOMIC_RELEASE);
		}
		if (presses > 1) {
			/* A second press: no drain; what is outstanding is abandoned. */
			__atomic_store_n(&sh->abandon, 1, __ATOMIC_RELEASE);
			break;
		}
		if (now >= next_tick) {
			interval_emit(st, plan, now, &sm, res);
			next_tick = grid_after(sh->start_tsc, interval, now);
		}
		if (now >= next_metrics) {
			totals_snapshot(st, &mtx, &mrx);
			metrics_emit(st, plan, now, &mtx, &mrx);
			next_metrics = grid_after(sh->start_tsc, hz, now);
		}
		/* Plot lines cover the sending time, as resperf's do. */
		if (now >= next_plot && now <= sh->end_tsc + pinterval) {
			plot_emit(st, plan, now, &pm, res);
			next_plot = grid_after(sh->start_tsc, pinterval, now);
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
			/* Resolved, or out of time: unless a feature still needs the lcores (bounded). */
			if ((drained || now >= drain_deadline) && !dv_features_hold_drain(st, now))
				break;
		}
	}
	__atomic_store_n(&sh->stop_rx, 1, __ATOMIC_RELEASE);
	dv_lcore_wait_all();
	dv_features_tick(st);

	/* The last interval: a short one too if it counted anything, so that the
	 * intervals always add up to the totals. */
	uint64_t now = rte_rdtsc();
	if (interval != 0 && (now > sm.since_tsc + hz / 20 || sampler_moved(&sm, st)))
		interval_emit(st, plan, now, &sm, res);
	res->run_seconds = (double)(now - sh->start_tsc) / (double)hz;
	return 0;
}

/* Schedules for one sending period of `secs` seconds at `qps` (fixed mode), from now on. */
static void run_schedule(struct dv_session *st, const struct dv_plan *plan, double qps, double secs)
{
	struct dv_shared *sh = st->sh;
	/* Start 20 ms from now, so every lcore is polling when the first query is due;
	 * --start-at: at that wall-clock instant (dv_control_run waited until just before). */
	double lead = 0.020;
	if (plan->start_at > 0 && plan->rate_mode != DV_RATE_SEARCH)
		lead = plan->start_at - (double)dv_wall_ns() * 1e-9;
	sh->start_tsc = rte_rdtsc() + (uint64_t)(lead * (double)sh->tsc_hz);
	sh->end_tsc = sh->start_tsc + (uint64_t)(secs * (double)sh->tsc_hz);
	/* Retries of the last logical queries, then a margin: nothing is sent after this. */
	sh->hard_end_tsc = sh->end_tsc + 2 * sh->timeout_tsc + sh->tsc_hz;
	__atomic_store_n(&sh->stop_rx, 0, __ATOMIC_RELAXED);
	uint64_t backlog = dv_topo_backlog(plan, qps, st->ngen);
	for (unsigned g = 0; g < st->ngen; g++) {
		struct dv_gen *gen = st->gen[g];
		gen->finished = 0;
		gen->creating_done = false;
		/* A new schedule (a search's next trial) starts its own count: keep the earlier ones'. */
		gen->slips0 = dv_count_read(&gen->tx.sched_slips);
		gen->skipped0 = dv_count_read(&gen->tx.sched_skipped);
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

/*
 * --search: trials at the rates a binary search asks for, each drained before
 * the next, REPEATS searches in a row. Every trial's queries are in the
 * run's totals; the finding goes to res->rate.
 */
static int run_search(struct dv_session *st, const struct dv_plan *plan, struct dv_result *res)
{
	static struct dv_tx_stats tx0, tx1;
	static struct dv_rx_stats rx0, rx1;
	const struct dv_search_plan *sp = &plan->search;
	struct dv_rate_summary *rs = &res->rate;
	rs->search_loss_pct = sp->loss_pct;
	rs->search_offered_max = sp->max_qps;

	for (unsigned rep = 0; rep < sp->repeats && rep < DV_SEARCH_REPEATS_MAX; rep++) {
		struct dv_search s;
		dv_search_init(&s, sp->max_qps, sp->loss_pct, sp->resolution_pct);
		while (!dv_search_done(&s) && !res->interrupted) {
			st->trial_qps = dv_search_rate(&s);
			uint64_t stalls0 = res->stalls.count;
			totals_snapshot(st, &tx0, &rx0);
			run_schedule(st, plan, st->trial_qps, sp->trial_s);
			int rc = control_loop(st, plan, res, false);
			if (rc != 0)
				return rc;
			totals_snapshot(st, &tx1, &rx1);
			uint64_t sent = 0, answered = 0;
			for (int f = 0; f < DV_FAMILIES; f++) {
				sent += tx1.sent[f] - tx0.sent[f];
				answered += rx1.answered[f] - rx0.answered[f];
			}
			double loss = sent > 0 ? 100.0 * (double)(sent - (answered < sent ? answered : sent)) /
							 (double)sent : 100.0;
			/* What the generator offered: new queries it started, per second of the trial. */
			double sent_qps = (double)(tx1.logical - tx0.logical) / sp->trial_s;
			enum dv_trial_verdict v =
				dv_search_report(&s, loss, sent_qps, res->stalls.count != stalls0);
			rs->search_trials++;
			if (rs->search_ntrials < DV_SEARCH_TRIALS_MAX)
				rs->trial[rs->search_ntrials++] = (struct dv_search_trial){
					.search = rep + 1, .trial = s.trials, .offered_qps = st->trial_qps,
					.sent_qps = sent_qps, .sent = sent, .answered = answered,
					.loss_pct = loss, .verdict = v };
			if (!plan->quiet)
				printf("[Search] %u.%u: offered %.0f qps, started %.0f qps, sent %" PRIu64
				       ", answered %" PRIu64 ", unanswered %.3f%% -> %s\n", rep + 1, s.trials,
				       st->trial_qps, sent_qps, sent, answered, loss, dv_trial_verdict_name(v));
			fflush(stdout);
		}
		if (res->interrupted)
			break;
		rs->search_end[rs->search_n] = dv_search_outcome(&s);
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

/*
 * --start-at: sleep on the main lcore until 50 ms before the instant (the
 * lcores are launched then, and the schedule starts at the instant itself,
 * on the TSC). A signal cuts the wait short; a start that passed while the
 * ports came up is an error before anything is sent.
 */
static int wait_for_start(double at)
{
	double left = at - (double)dv_wall_ns() * 1e-9;
	if (left < 0.050) {
		dv_err("--start-at: the start time passed while the ports came up (%.3f s %s); "
		       "nothing was sent: give the hosts more time", left < 0 ? -left : 0.050 - left,
		       left < 0 ? "late" : "short of the 50 ms the lcores need");
		return -ETIME;
	}
	while ((left = at - (double)dv_wall_ns() * 1e-9) > 0.050) {
		if (dv_signals_presses() > 0)
			return -EINTR;
		double nap = left - 0.050 < 0.1 ? left - 0.050 : 0.1;
		struct timespec ts = { 0, (long)(nap * 1e9) };
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* The wall-clock time of the first query sent (ns since the epoch; 0: none). */
static uint64_t first_tx_wall_ns(const struct dv_session *st)
{
	uint64_t first = 0;
	for (unsigned g = 0; g < st->ngen; g++) {
		uint64_t f = dv_count_read(&st->gen[g]->tx.first_tx_tsc);
		if (f != 0 && (first == 0 || f < first))
			first = f;
	}
	if (first == 0)
		return 0;
	uint64_t now_tsc = rte_rdtsc(), now_ns = dv_wall_ns();
	return now_ns - (uint64_t)((double)(now_tsc - first) * 1e9 / (double)st->sh->tsc_hz);
}

int dv_control_run(struct dv_session *st, struct dv_result *res)
{
	const struct dv_plan *plan = st->plan;
	int rc = 0;

	/* The handlers are the run's, installed by dv_run before EAL (engine/signals.c). */
	if (dv_signals_presses() > 0)
		return -EINTR;
	if (plan->start_at > 0) {
		rc = wait_for_start(plan->start_at);
		if (rc != 0)
			return rc;
	}
	res->since_ns = dv_wall_ns();
	if (plan->rate_mode == DV_RATE_SEARCH) {
		rc = run_search(st, plan, res);
	} else {
		run_schedule(st, plan, plan->qps, plan->duration_s);
		rc = control_loop(st, plan, res, true);
	}
	res->until_ns = dv_wall_ns();
	res->first_tx_ns = first_tx_wall_ns(st);
	return rc;
}
