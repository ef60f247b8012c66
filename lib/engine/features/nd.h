/**
 * @file nd.h
 * @brief ARP/ND on ports no kernel answers for (profile arp-nd), at start:
 *        resolve the next hop, announce our addresses. The main lcore runs
 *        these before the worker lcores start, on TX queue 0 and every RX
 *        queue of the port; during the run collectors answer requests
 *        (lib/engine/gen.c, col.c).
 */
#pragma once

#include <stdint.h>

#include "config/plan.h"

struct rte_mempool;

/** One port and what we are on it. */
struct dv_nd_port {
	const char *spec;        /**< --port as given, for messages */
	uint16_t port_id;
	unsigned nrxq;           /**< RX queues to read replies from */
	struct rte_mempool *pool; /**< mbufs for what we send */
	const uint8_t *mac;      /**< ours (6 bytes) */
	uint16_t vlan;           /**< 0 = untagged */
};

/**
 * The MAC of hop (the target or a gateway): ARP request or Neighbor
 * Solicitation from our address, up to DV_ND_TRIES times, each waiting
 * DV_ND_WAIT_MS for the answer.
 * @return 0 with mac filled, or -EHOSTUNREACH (reported, naming the address)
 */
int dv_nd_resolve(const struct dv_nd_port *p, const struct dv_addr *ours, const struct dv_addr *hop,
		  uint8_t mac[6]);

/**
 * Gratuitous ARP / unsolicited Neighbor Advertisement for one of our
 * addresses, so the next hop learns (or refreshes) where it is.
 * @return 1 if sent, 0 if not (no mbuf, TX queue full)
 */
unsigned dv_nd_announce(const struct dv_nd_port *p, const struct dv_addr *ours);
