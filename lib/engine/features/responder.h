/**
 * @file responder.h
 * @brief The embedded responder (a lab fixture, not part of the engine's
 *        core): an lcore that answers every query on the embedded port, and
 *        impairs exactly what the plan says. Its feature row is in
 *        features/table.c.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "config/plan.h"
#include "engine/features/responder_tcp.h"
#include "engine/lcore.h"
#include "core/rng.h"

#define DV_CLIENT_BITS 65536 /**< bits of the responder's client-address sketch */
#define DV_FLOOD_FRAGS 7      /**< frag-flood: fragments per set (none the last: sets never complete) */
#define DV_RESP_TCP_CONNS_MAX (1u << 15) /**< TCP connections the responder holds at most (~40 MB) */

/** Embedded responder work space. */
struct dv_resp {
	struct dv_shared *sh;
	struct dv_impair_plan impair; /**< the plan's impairments, copied: the loop never reads the plan */
	bool frugal;           /**< --poll frugal */
	uint16_t port;
	unsigned burst;
	uint64_t answered;
	uint64_t dropped;      /**< not answerable, or the TX ring was full */
	uint64_t impaired;     /**< dropped on purpose (impairments) */
	unsigned nrxq;         /**< RX queues to poll: one per generator */
	double tokens;         /**< rate=QPS: answers allowed now (token bucket) */
	double tok_per_tick;
	double tok_max;
	uint64_t tok_tsc;
	uint64_t src_seen[DV_CLIENT_BITS / 64]; /**< client addresses seen, a bit per hash (read after the run) */
	uint64_t port_seen[65536 / 64];         /**< client source ports seen */
	struct dv_rng rng;
	uint64_t *seen;        /**< drop-first: hashes of (name, type) seen; open addressing */
	uint32_t seen_mask;
	uint32_t seen_used;
	struct rte_mempool *big;      /**< frag-mtu: whole answers, up to 9 KB */
	struct rte_mempool *hdr;      /**< frag-mtu: fragment headers */
	struct rte_mempool *indirect; /**< frag-mtu: fragment payloads (pointing into big) */
	uint32_t frag_id;             /**< a fresh IP / fragment ID per fragmented answer */
	/* frag-flood=N: N sets of DV_FLOOD_FRAGS fragments that never complete, first */
	struct rte_mempool *rx_pool;  /**< the collectors' RX pool: every frame lands there, as a NIC's */
	uint64_t rx_nombuf;           /**< frames lost because that pool was empty */
	uint32_t flood_total;         /**< fragments to send (N * DV_FLOOD_FRAGS) */
	uint32_t flood_sent;          /**< sent or lost so far */
	bool flood_ready;             /**< flood_l2 holds the first query's headers */
	int flood_family;
	uint16_t flood_l3;            /**< offset of the IP header in flood_l2 */
	uint16_t flood_dport;         /**< the DNS port the queries went to */
	uint16_t flood_q;             /**< the collector queue the flood goes to (address hash) */
	uint32_t flood_id;            /**< IP ID of the first set */
	struct rte_ring *aring[DV_MAX_COLLECTORS]; /**< the answer rings (the flood checks for room) */
	uint8_t flood_l2[18 + 40];    /**< that query's Ethernet (+ VLAN) and IP headers */
	struct rte_mbuf **delay_m;  /**< delay: answers waiting, FIFO */
	uint64_t *delay_due;
	uint32_t delay_mask;
	uint64_t delay_head, delay_tail;
	uint64_t delay_tsc;
	/* --transport tcp: the TCP server (responder_tcp.h) and the frames it sends */
	struct dv_resp_tcp *tcp;      /**< NULL: no TCP server (a UDP run) */
	void *tcp_mem;                /**< its connection table */
	struct rte_mempool *tcp_pool; /**< the frames it sends */
	uint64_t tcp_now;             /**< the loop's time, for the delay line */
	uint64_t tcp_segs;            /**< TCP frames the port took */
	unsigned tcp_nout;
	struct rte_mbuf *tcp_out[DV_BURST_MAX]; /**< frames to send at the end of the burst */
} __rte_cache_aligned;


/** Allocate what the plan's impairments need. @return 0 or -ENOMEM */
int dv_responder_setup(struct dv_resp *r, const struct dv_plan *plan, uint64_t tsc_hz);

/** Free it (and any answers still waiting in the delay line). */
void dv_responder_release(struct dv_resp *r);

/** Distinct client addresses that sent queries (a 65536-bit sketch: exact while few, a lower bound beyond). */
uint64_t dv_responder_sources(const struct dv_resp *r);

/** Distinct client source ports that sent queries. */
uint64_t dv_responder_ports(const struct dv_resp *r);

/** The responder's lcore function (rte_lcore_function_t; arg: struct dv_resp). */
int dv_responder_main(void *arg);
