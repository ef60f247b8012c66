/*
 * ARP/ND on ports no kernel answers for (profile arp-nd): the next hop was
 * resolved with the endpoints (endpoints.c); here, a ring for the
 * collectors' answers to ARP/ND requests (col.c), sent by the port's first
 * generator (gen.c), and our addresses announced.
 */
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>

#include "engine/endpoints.h"
#include "engine/features/feature.h"
#include "engine/neighbours.h"
#include "core/log.h"

/* ARP/ND answers waiting for the generator: far more than a neighbour storm. */
#define DV_CTL_RING 1024

static uint64_t announced; /* gratuitous ARPs / unsolicited NAs sent */

static int nd_setup(struct dv_session *s)
{
	const struct dv_plan *plan = s->plan;
	struct dv_shared *sh = s->sh;
	for (unsigned k = 0; k < plan->nports; k++) {
		if (!plan->port[k].profile.arp_nd)
			continue;
		char name[32];
		snprintf(name, sizeof(name), "dv_ctl_%u", k);
		sh->nd[k].ctl = rte_ring_create(name, DV_CTL_RING, (int)rte_socket_id(), RING_F_SC_DEQ);
		if (sh->nd[k].ctl == NULL) {
			dv_err("cannot create the ARP/ND ring: %s", rte_strerror(rte_errno));
			return -ENOMEM;
		}
		memcpy(sh->nd[k].mac, s->ports.port[k].mac, 6);
		for (unsigned g = 0; g < s->ngen; g++)
			if (dv_plan_port_of(plan, g) == k && dv_plan_queue_of(plan, g) == 0)
				s->gen[g]->ctl = sh->nd[k].ctl;
		/* Each lane's own source address; range addresses answer when asked. */
		struct dv_nd_port np = dv_endpoints_nd_port(s, k);
		for (unsigned li = 0; li < s->nlanes; li++) {
			if (sh->lane_port[li] != k)
				continue;
			for (int f = 0; f < DV_FAMILIES; f++) {
				const struct dv_l34_tmpl *t = &sh->l34[li][f];
				if (t->family == 0)
					continue;
				struct dv_addr a = { .family = t->family };
				memcpy(t->family == AF_INET6 ? (void *)&a.v6 : (void *)&a.v4,
				       t->bytes + t->src_off, t->src_len);
				announced += dv_nd_announce(&np, &a);
			}
		}
	}
	return 0;
}

static void nd_collect(struct dv_session *s, struct dv_result *res)
{
	(void)s;
	res->nd_announced = announced;
}

static void nd_release(struct dv_session *s)
{
	/* The rings may still hold mbufs: freed before the pools go. */
	if (s->sh != NULL)
		for (unsigned k = 0; k < DV_MAX_PORTS; k++) {
			dv_ring_free_mbufs(s->sh->nd[k].ctl);
			s->sh->nd[k].ctl = NULL;
		}
	announced = 0;
}

const struct dv_feature dv_feature_nd = {
	.name = "nd",
	.setup = nd_setup,
	.collect = nd_collect,
	.release = nd_release,
};
