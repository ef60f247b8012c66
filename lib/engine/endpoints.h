/**
 * @file endpoints.h
 * @brief Who talks to whom on each port: our addresses and MACs and the
 *        next hop's, from the plan, the kernel (kernel interfaces), the
 *        ports (their MACs) and ARP/ND (arp-nd ports).
 */
#pragma once

#include "config/plan.h"
#include "engine/features/nd.h"
#include "engine/session.h"
#include "wire/query.h"

/**
 * Before EAL: port k's addresses and MACs per family; kernel interfaces
 * ask the kernel (route, source address, neighbour).
 * @return 0, or a negative errno (reported)
 */
int dv_endpoints_resolve(const struct dv_plan *plan, unsigned k, struct dv_endpoints ep[DV_FAMILIES]);

/**
 * Once the ports exist: the MACs of ports no kernel knows, and the next
 * hop's MAC by ARP/ND on arp-nd ports (unless --dst-mac gives it).
 * @return 0, or a negative errno (reported)
 */
int dv_endpoints_complete(struct dv_session *s);

/** The next hop of family f on an arp-nd port: --gateway, else the target. */
const struct dv_addr *dv_endpoints_nd_hop(const struct dv_plan *plan, int f);

/** What the ARP/ND helpers need to know of port k. */
struct dv_nd_port dv_endpoints_nd_port(const struct dv_session *s, unsigned k);
