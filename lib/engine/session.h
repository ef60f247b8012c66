/**
 * @file session.h
 * @brief Everything one run holds (engine-internal): what the phases of
 *        dv_run (session.c) build, the features read and the result is
 *        made from. Released in one place (dv_session_release).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config/plan.h"
#include "engine/eal.h"
#include "engine/inflight.h"
#include "engine/lcore.h"
#include "engine/policy.h"
#include "engine/port.h"
#include "engine/qsource.h"
#include "engine/sequence.h"
#include "engine/topology.h"
#include "metrics/result.h"
#include "metrics/sink.h"

/** One run. */
struct dv_session {
	const struct dv_plan *plan;
	struct dv_eal_args eal;
	struct dv_lcore_map map;
	bool eal_up;
	struct dv_ports ports;
	bool ports_up;
	struct dv_qsource qs;
	struct dv_policy pol[DV_KINDS_MAX];  /**< per kind of the population (one without); they
					       share pol[0]'s list of EDNS variants */
	struct dv_topology topo;             /**< generators, collectors, lanes */
	unsigned ngen, ncol, nlanes;         /**< copies of topo's (read everywhere) */
	const struct dv_sink *sink;          /**< where intervals, plot lines and the result go */
	struct dv_endpoints ep[DV_MAX_PORTS][DV_FAMILIES]; /**< per port and family */
	bool nd_resolved[DV_MAX_PORTS][DV_FAMILIES]; /**< next hop learned by ARP/ND */
	double sizing_qps;                   /**< the rate the tables are sized for */
	struct dv_inflight ifl[DV_MAX_LANES];
	struct dv_seq seq[DV_MAX_LANES];
	dv_src_rss_tab *src_rss[DV_FAMILIES]; /**< --src ranges: the hash of each host byte */
	struct dv_shared *sh;
	struct dv_gen *gen[DV_MAX_GENERATORS];
	struct dv_col *col[DV_MAX_COLLECTORS];
	struct dv_lcore lc[DV_MAX_GENERATORS + DV_MAX_COLLECTORS];
	uint64_t mem_inflight, mem_sequences, inflight_slots;
	double trial_qps;                    /**< search: the current trial's rate */
};

/** The lcore that runs generator g (combined roles: also collector 0). */
unsigned dv_session_gen_lcore(const struct dv_session *s, unsigned g);

/** The lcore that runs collector c. */
unsigned dv_session_col_lcore(const struct dv_session *s, unsigned c);
