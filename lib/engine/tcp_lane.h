/**
 * @file tcp_lane.h
 * @brief A lane's TCP connections (--transport tcp), owned by the lane's
 *        collector: it hands the attempts its generator issued to
 *        connections, feeds them the segments it receives, runs their
 *        timers and matches their answers. Frames it builds go to the lane's
 *        generator through an SPSC ring, which sends them on its TX queue.
 *
 * Ownership: every connection, its send and receive buffers and the queries
 * it carries have one writer, the collector; the generator only moves the
 * finished frames to the PMD. The generator's in-flight slots are read
 * (acquire) as for UDP; nothing else is shared.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "engine/lcore.h"
#include "tcp/table.h"
#include "wire/tcp.h"

/** A query a connection carries: which attempt, under which DNS ID. */
struct dv_tcp_pend {
	uint64_t seq;  /**< in-flight sequence number */
	uint16_t id;
	uint8_t used;
	uint8_t pad[5];
};

struct dv_tcp_lane;

/** One family's connections of a lane (one destination: one table). */
struct dv_tcp_side {
	struct dv_tcp_lane *ln;
	unsigned fam;                 /**< DV_FAMILY_* */
	int family;                   /**< AF_INET / AF_INET6 */
	struct dv_tcp_table *tbl;     /**< NULL: the run sends no query of this family */
	void *mem;                    /**< the table's memory */
	struct dv_tcp_pend *pend;     /**< conns x pipeline */
	struct dv_tcp_tmpl tmpl;      /**< Ethernet + IP from the lane's source to the target */
	struct dv_src *srcs;          /**< --src range: address index -> source (NULL: the template's); owned */
	uint32_t nsrc;
	uint16_t *rev;                /**< address -> index + 1, open addressing (nsrc > 0) */
	uint32_t rev_mask;
};

/** Build side->rev for side->srcs (nsrc addresses of len bytes). @return 0 or -ENOMEM */
int dv_tcp_side_rev_build(struct dv_tcp_side *sd, unsigned len);

/** A lane's TCP state (collector-owned, on its socket). */
struct dv_tcp_lane {
	struct dv_col_lane *cl;
	struct dv_tcp_side side[DV_FAMILIES];
	uint16_t dport;               /**< the target's port */
	uint16_t port_lo;             /**< our source ports: [port_lo, port_lo + nports) */
	uint32_t nports;
	unsigned pipeline;            /**< pend entries per connection */
	bool churn;                   /**< N = 0 or half-open: an attempt is a connection */
	uint64_t cursor;              /**< next in-flight slot to hand to a connection */
	uint32_t wound_gen;           /**< the last drain's end (sh->tcp_wind_down) it closed idle connections for */
	enum dv_tcp_mode mode;        /**< how its connections end (closing at the drain's end follows it) */
	uint64_t now;                 /**< the current step's time, for the callbacks */
	struct rte_mempool *pool;     /**< frames built here */
	struct rte_ring *tx;          /**< to the lane's generator (SPSC) */
	unsigned nout;
	struct rte_mbuf *out[DV_BURST_MAX];
	uint64_t id_clash;            /**< queries sent under an ID their connection already carried */
	uint64_t malformed;           /**< TCP from the target's port that did not parse */
	uint64_t frames_lost;         /**< segments not built (no mbuf) or not handed over (ring full) */
	uint64_t wind_resets;         /**< connections reset at the drain's end (not "open at the end") */
	uint8_t msg[DV_QUESTION_MAX + DV_OPT_LEN + DV_QNAME_SLACK]; /* a name is expanded in place */
} __rte_cache_aligned;

/** Callbacks the lane's tables call (tcp/table.h's ops). */
extern const struct dv_tcp_ops dv_tcp_lane_ops;

/** Hand new attempts to connections, run the timers, pass the frames on. Collector only. */
void dv_tcp_lane_step(struct dv_tcp_lane *t, uint64_t now);

/** The collector did not poll for a stall's length up to now: no RTT sample across it (dv_tcp_table_stalled()). */
void dv_tcp_lane_stalled(struct dv_tcp_lane *t, uint64_t now);

/** A segment from the target's port to one of this lane's ports. */
void dv_tcp_lane_rx(struct dv_tcp_lane *t, const struct dv_tcp_view *v, uint64_t now);

/** The end of the run: every connection still open is reset (counted), the last frames go. */
void dv_tcp_lane_finish(struct dv_tcp_lane *t, uint64_t now);

/** Connections open on the lane. */
uint32_t dv_tcp_lane_live(const struct dv_tcp_lane *t);

/** Add the lane's counts to a collector's TCP counters. */
void dv_tcp_lane_sum(const struct dv_tcp_lane *t, struct dv_tcp_stats *s);
