/**
 * @file port.h
 * @brief Ethdev setup from the plan's port profile, and the embedded wire.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config/plan.h"

struct rte_mempool;
struct rte_ring;

/** One port generators send on and collectors read. */
struct dv_port_rt {
	uint16_t id;                  /**< ethdev port id */
	unsigned rx_queues;           /**< one per collector of this port */
	unsigned tx_queues;           /**< one per generator of this port */
	bool tx_csum_offload;         /**< the profile allows it and the PMD offers IPv4 + UDP checksum offload */
	uint8_t mac[6];
	bool nic_timestamps;          /**< the PMD offers RTE_ETH_RX_OFFLOAD_TIMESTAMP (not used yet) */
	bool started;
};

/** The ports of a run. */
struct dv_ports {
	struct dv_port_rt port[DV_MAX_PORTS]; /**< as the plan's --port list */
	unsigned nports;
	uint16_t resp_port;           /**< embedded responder's port */
	bool has_resp;
	bool resp_started;
	struct rte_mempool *pool;     /**< RX queues and the responder */
	struct rte_mempool *gen_pool[DV_MAX_GENERATORS]; /**< one per generator lcore: nothing shared on
							      TX; or `pool` for all (every port's profile
							      has tx-from-rx-pool) */
	uint64_t mbuf_bytes;          /**< memory of all the pools */
	struct rte_ring *qring[DV_MAX_GENERATORS]; /**< embedded wire: generator TX queue g -> responder RX queue g */
	struct rte_ring *aring[DV_MAX_COLLECTORS]; /**< embedded wire: responder TX queue c -> collector RX queue c */
	int tmpl_tag_off;             /**< mbuf dynfield offset of the generator's template tag */
};

/**
 * Create (embedded) or find (vdev) the ports, configure on each an RX queue
 * per collector and a TX queue per generator it has (dv_plan_port_of), create
 * the mbuf pools (one per generator, one for RX), start them.
 * @param nlcores lcores that will hold mbufs (sizes the pool cache)
 * @return 0 or negative errno (reported)
 */
int dv_ports_setup(const struct dv_plan *plan, struct dv_ports *p, unsigned nlcores);

/** Stop and close the ports, free rings and pool. */
void dv_ports_close(struct dv_ports *p);
