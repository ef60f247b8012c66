/*
 * ARP/ND on ports no kernel answers for (profile arp-nd): the next hop was
 * resolved with the endpoints (endpoints.c); here, a ring for the
 * collectors' answers to ARP/ND requests (col.c), sent by the port's first
 * generator (gen.c), and our addresses announced. Resolving and announcing
 * are synchronous, on the main lcore, before the worker lcores start.
 */
#include "engine/features/nd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "core/addr.h"
#include "core/log.h"
#include "engine/clock.h"
#include "engine/endpoints.h"
#include "engine/features/feature.h"
#include "wire/arp_nd.h"

#define DV_ND_TRIES   4
#define DV_ND_WAIT_MS 250

static const uint8_t *addr_bytes(const struct dv_addr *a)
{
	return a->family == AF_INET6 ? (const uint8_t *)&a->v6 : (const uint8_t *)&a->v4;
}

/* One frame out on TX queue 0. @return 1 if the PMD took it */
static unsigned send_frame(const struct dv_nd_port *p, const uint8_t *frame, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(p->pool);
	if (m == NULL)
		return 0;
	uint8_t *d = (uint8_t *)rte_pktmbuf_append(m, len);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		return 0;
	}
	memcpy(d, frame, len);
	if (rte_eth_tx_burst(p->port_id, 0, &m, 1) == 1)
		return 1;
	rte_pktmbuf_free(m);
	return 0;
}

/* Read every RX queue once; true when hop's answer went by (mac filled). */
static bool poll_answer(const struct dv_nd_port *p, const struct dv_addr *hop, uint8_t mac[6])
{
	bool found = false;
	size_t alen = hop->family == AF_INET6 ? 16 : 4;
	for (unsigned q = 0; q < p->nrxq; q++) {
		struct rte_mbuf *m[32];
		uint16_t n = rte_eth_rx_burst(p->port_id, (uint16_t)q, m, 32);
		for (uint16_t i = 0; i < n; i++) {
			struct dv_nd_info ni;
			/* An ARP reply's sender, an advertisement's target, is the one answering. */
			if (!found && m[i]->nb_segs == 1 &&
			    dv_nd_parse(rte_pktmbuf_mtod(m[i], const uint8_t *), m[i]->data_len, &ni) == 0 &&
			    ni.kind == DV_ND_REPLY && ni.family == hop->family &&
			    memcmp(ni.family == AF_INET ? ni.sender : ni.target, addr_bytes(hop), alen) == 0) {
				memcpy(mac, ni.mac, 6);
				found = true;
			}
		}
		rte_pktmbuf_free_bulk(m, n);
	}
	return found;
}

int dv_nd_resolve(const struct dv_nd_port *p, const struct dv_addr *ours, const struct dv_addr *hop,
		  uint8_t mac[6])
{
	uint8_t frame[DV_ND_FRAME_MAX];
	uint16_t len = dv_nd_build_request(hop->family, p->mac, addr_bytes(ours), addr_bytes(hop),
					   p->vlan, frame);
	uint64_t hz = dv_tsc_hz();
	for (unsigned t = 0; t < DV_ND_TRIES; t++) {
		send_frame(p, frame, len);
		uint64_t until = rte_rdtsc() + hz / 1000 * DV_ND_WAIT_MS;
		while (rte_rdtsc() < until) {
			if (poll_answer(p, hop, mac))
				return 0;
			struct timespec ts = { .tv_nsec = 1000000 };
			nanosleep(&ts, NULL);
		}
	}
	char ab[64];
	dv_err("--port %s: no %s answer from %s after %u tries (%u ms): is it up and on this link? "
	       "(--gateway names the next hop, --dst-mac skips the lookup)", p->spec,
	       hop->family == AF_INET6 ? "Neighbor Solicitation" : "ARP",
	       dv_addr_str(hop, ab, sizeof(ab)), DV_ND_TRIES, DV_ND_TRIES * DV_ND_WAIT_MS);
	return -EHOSTUNREACH;
}

unsigned dv_nd_announce(const struct dv_nd_port *p, const struct dv_addr *ours)
{
	uint8_t frame[DV_ND_FRAME_MAX];
	uint16_t len = dv_nd_build_announce(ours->family, p->mac, addr_bytes(ours), p->vlan, frame);
	return send_frame(p, frame, len);
}

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
