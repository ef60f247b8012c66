/**
 * @file topology.h
 * @brief The shape of a run, worked out from the plan alone: lanes, table
 *        sizes, source port ranges, the lifetime of an attempt, shares.
 *
 * Pure functions (no EAL, no allocation): the session asks them, the unit
 * tests check them.
 */
#pragma once

#include <stdint.h>

#include "config/plan.h"

#define DV_TCP_CONNS_AUTO_MAX 65536 /**< a lane's connection table when sized from the plan */
#define DV_TCP_CONNS_AUTO_MIN 256

/** Generators, collectors and the lanes between them. */
struct dv_topology {
	unsigned ngen;                    /**< generator lcores (TX queues), at least 1 */
	unsigned ncol;                    /**< collector lcores (RX queues), at least 1 */
	unsigned nlanes;                  /**< a lane per generator x collector of the same port */
	uint8_t lane_gen[DV_MAX_LANES];   /**< the generator of lane li */
	uint8_t lane_col[DV_MAX_LANES];   /**< the collector of lane li (same port) */
	uint8_t lane_port[DV_MAX_LANES];  /**< the port of lane li (plan order) */
	uint8_t lane_kind[DV_MAX_LANES];  /**< the population kind of lane li (0 without one) */
	unsigned nkinds;                  /**< kinds: a lane per generator x kind x collector */
};

/** How long an attempt stays matchable, from the plan's retry timers. */
struct dv_lifetime {
	unsigned attempts;                /**< attempts per logical query */
	double timer_s[DV_MAX_ATTEMPTS];  /**< timer before attempt k + 1 (or the end) */
	bool tc_attempt;                  /**< --on-tc tcp: one more attempt, over TCP after a TC
					       answer, waiting timer_s[attempts] (the last timer again) */
	double seq_s;                     /**< the whole sequence: sum of the timers */
	double lifetime_s;                /**< max(-t, seq_s) */
};

/** What the tables are sized for. */
struct dv_sizing {
	double qps;         /**< the run's sizing rate (dv_topo_sizing_qps) */
	double lane_qps;    /**< each lane's share */
	uint32_t slots;     /**< in-flight slots per lane */
	uint32_t lslots;    /**< logical-query slots per lane */
};

/** Lanes: each generator with each collector of its port (and each kind of a population),
 * generator by generator. */
void dv_topo_lanes(const struct dv_plan *plan, struct dv_topology *t);

/**
 * The rate the tables are sized for: memory follows rate x longest timeout,
 * never run length. --max: each generator at its port's max-qps; ramp: the
 * higher end; fixed and search: -Q.
 */
double dv_topo_sizing_qps(const struct dv_plan *plan, unsigned ngen);

/**
 * Timers of one logical query and the lifetime of its attempts; with a
 * population, the longest of its kinds' (each timer, attempts, lifetime).
 */
void dv_topo_lifetime(const struct dv_plan *plan, struct dv_lifetime *lt);

/** Timers and lifetime of a population's kind k (0 without one: the run's). */
void dv_topo_kind_lifetime(const struct dv_plan *plan, unsigned kind, struct dv_lifetime *lt);

/** Table sizes per lane for nlanes lanes of `attempts` attempts. */
void dv_topo_sizing(const struct dv_plan *plan, const struct dv_topology *t,
		    const struct dv_lifetime *lt, struct dv_sizing *sz);

/**
 * Source ports of lane li: [base, base + nports), disjoint across lanes.
 * Without --sport LOW-HIGH: slots / 65536 ports from the base, lane after
 * lane; with it: the range split evenly, each lane's share a power of two.
 * @return 0, or -EINVAL (reported) when the ports do not suffice
 */
int dv_topo_lane_ports(const struct dv_plan *plan, unsigned li, unsigned nlanes, uint32_t slots,
		       uint32_t *base, uint32_t *nports);

/**
 * TCP source ports of lane li (--transport tcp): the ports from the base
 * (default 10000, or --sport LOW-HIGH) to the top, split evenly over the
 * lanes, disjoint (a segment's port names its lane's collector).
 * @return 0, or -EINVAL (reported) when a lane would get fewer than 16
 */
int dv_topo_tcp_ports(const struct dv_plan *plan, unsigned li, unsigned nlanes, uint32_t *lo,
		      uint32_t *n);

/**
 * Connections a lane's table holds (--tcp-conns, or from the plan): new
 * connections a second (the lane's rate / queries per connection) times how
 * long one may live (the attempt lifetime plus the handshake's first
 * retransmissions; idle and hold modes: their limit), twice, at least 256,
 * at most DV_TCP_CONNS_AUTO_MAX unless --tcp-conns says more.
 */
uint32_t dv_topo_tcp_conns(const struct dv_plan *plan, double lane_qps, const struct dv_lifetime *lt);

/**
 * Fragment sets alive at once for one collector: every attempt's answer
 * within one fragment timeout, twice, plus 1024, at most DV_FRAG_SETS_MAX.
 */
uint32_t dv_topo_frag_sets(double qps, unsigned ncol, unsigned attempts, double frag_timeout_s);

/** Generator g's share of --max-queries (0: no limit). */
uint64_t dv_topo_quota(uint64_t max_queries, unsigned ngen, unsigned g);

/**
 * Queries a generator may catch up after a stall: 200 us of its share of the
 * top rate, at least a burst.
 */
uint64_t dv_topo_backlog(const struct dv_plan *plan, double qps, unsigned ngen);
