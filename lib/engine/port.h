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

/** The ports of a run. */
struct dv_ports {
	uint16_t gen_port;            /**< the port queries go out on */
	uint16_t resp_port;           /**< embedded responder's port */
	bool has_resp;
	struct rte_mempool *pool;
	struct rte_ring *ring[1 + DV_MAX_LANES]; /**< embedded wire: [0] gen->resp, [1 + i] resp->gen queue i */
	unsigned rx_queues;           /**< RX queues of gen_port: one per collector */
	uint8_t mac[6];               /**< gen_port's MAC */
	bool nic_timestamps;          /**< the PMD offers RTE_ETH_RX_OFFLOAD_TIMESTAMP (not used yet) */
	bool started[2];
};

/**
 * Create (embedded) or find (vdev) the ports, configure one RX and one TX
 * queue each, create the mbuf pool, start them.
 * @param nlcores lcores that will hold mbufs (sizes the pool cache)
 * @return 0 or negative errno (reported)
 */
int dv_ports_setup(const struct dv_plan *plan, struct dv_ports *p, unsigned nlcores);

/** Stop and close the ports, free rings and pool. */
void dv_ports_close(struct dv_ports *p);
