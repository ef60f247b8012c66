/*
 * Endpoints of each port: before EAL from the plan and the kernel, once the
 * ports exist from their MACs and, on arp-nd ports, from ARP/ND.
 */
#include "engine/endpoints.h"

#include <string.h>

#include "engine/features/nd.h"
#include "net/nexthop.h"

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

const struct dv_addr *dv_endpoints_nd_hop(const struct dv_plan *plan, int f)
{
	return plan->gateway[f].family != 0 ? &plan->gateway[f] : &plan->target[f];
}

int dv_endpoints_resolve(const struct dv_plan *plan, unsigned k, struct dv_endpoints ep[DV_FAMILIES])
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

struct dv_nd_port dv_endpoints_nd_port(const struct dv_session *s, unsigned k)
{
	const struct dv_plan *plan = s->plan;
	return (struct dv_nd_port){ .spec = plan->port[k].spec, .port_id = s->ports.port[k].id,
				    .nrxq = s->ports.port[k].rx_queues, .pool = s->ports.pool,
				    .mac = s->ports.port[k].mac, .vlan = plan->vlan };
}

int dv_endpoints_complete(struct dv_session *s)
{
	const struct dv_plan *plan = s->plan;

	/* The embedded port's and tap's MAC is only known once the port exists. */
	for (unsigned k = 0; k < plan->nports; k++) {
		const struct dv_port_profile *pr = &plan->port[k].profile;
		for (int f = 0; f < DV_FAMILIES; f++) {
			struct dv_endpoints *e = &s->ep[k][f];
			if (e->src.family == 0 || pr->kernel_iface)
				continue;
			memcpy(e->src_mac, s->ports.port[k].mac, 6);
		}
	}
	/* Ports no kernel answers for: the next hop's MAC by ARP/ND, unless --dst-mac gives it. */
	for (unsigned k = 0; k < plan->nports; k++) {
		if (!plan->port[k].profile.arp_nd || plan->dst_mac_set)
			continue;
		struct dv_nd_port np = dv_endpoints_nd_port(s, k);
		for (int f = 0; f < DV_FAMILIES; f++) {
			struct dv_endpoints *e = &s->ep[k][f];
			if (e->src.family == 0)
				continue;
			int rc = dv_nd_resolve(&np, &e->src, dv_endpoints_nd_hop(plan, f), e->dst_mac);
			if (rc != 0)
				return rc;
			s->nd_resolved[k][f] = true;
		}
	}
	return 0;
}
