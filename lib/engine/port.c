#include "engine/port.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include "config/profile.h"
#include "engine/eal.h"
#include "wire/rss.h"
#include "core/log.h"
#include "core/pow2.h"

#define DV_RING_SIZE 4096
#define DV_DEFAULT_DESC 1024

static int port_start(const struct dv_port_plan *pp, uint16_t port, struct rte_mempool *pool,
		      uint16_t nrxq, uint16_t ntxq, bool *csum_offload, const char *what)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(port, &info);
	if (rc != 0)
		goto fail;
	/* Several RX queues: RSS on addresses only (the profile's rss-hash), so all
	 * fragments of a datagram meet on one queue; the generator picks source
	 * addresses with the same key. */
	unsigned h = pp->profile.rss_hash;
	uint64_t ip_only = ((h & DV_RSS_IPV4) ? RTE_ETH_RSS_IPV4 : 0) |
			   ((h & DV_RSS_FRAG_IPV4) ? RTE_ETH_RSS_FRAG_IPV4 : 0) |
			   ((h & DV_RSS_IPV6) ? RTE_ETH_RSS_IPV6 : 0) |
			   ((h & DV_RSS_FRAG_IPV6) ? RTE_ETH_RSS_FRAG_IPV6 : 0);
	if (nrxq > 1 && (info.flow_type_rss_offloads & ip_only) != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = (uint8_t *)(uintptr_t)dv_rss_key;
		conf.rx_adv_conf.rss_conf.rss_key_len = sizeof(dv_rss_key);
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads & ip_only;
	}
	/* Checksum offload where the profile allows it and the PMD says it can. */
	uint64_t csum = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	if (csum_offload != NULL) {
		*csum_offload = pp->profile.tx_csum_offload && (info.tx_offload_capa & csum) == csum;
		if (*csum_offload)
			conf.txmode.offloads |= csum;
	}
	rc = rte_eth_dev_configure(port, nrxq, ntxq, &conf);
	if (rc != 0)
		goto fail;

	uint16_t nrx = pp->profile.rx_desc ? pp->profile.rx_desc : DV_DEFAULT_DESC;
	uint16_t ntx = pp->profile.tx_desc ? pp->profile.tx_desc : DV_DEFAULT_DESC;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrx, &ntx);
	if (rc != 0)
		goto fail;
	int socket = rte_eth_dev_socket_id(port);
	if (socket < 0)
		socket = (int)rte_socket_id();
	for (uint16_t q = 0; q < nrxq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, nrx, (unsigned)socket, NULL, pool);
		if (rc != 0)
			goto fail;
	}
	for (uint16_t q = 0; q < ntxq; q++) {
		rc = rte_eth_tx_queue_setup(port, q, ntx, (unsigned)socket, NULL);
		if (rc != 0)
			goto fail;
	}
	rc = rte_eth_dev_start(port);
	if (rc != 0)
		goto fail;
	return 0;
fail:
	dv_err("--port %s: cannot start %s port %u: %s", pp->spec, what, port,
	       rte_strerror(-rc));
	return rc < 0 ? rc : -EIO;
}

static struct rte_ring *wire_ring(const struct dv_port_plan *pp, const char *kind, unsigned i)
{
	char name[32];
	snprintf(name, sizeof(name), "dv_%s_%u", kind, i);
	struct rte_ring *r = rte_ring_create(name, DV_RING_SIZE, (int)rte_socket_id(),
					     RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (r == NULL)
		dv_err("--port %s: cannot create the embedded wire: %s", pp->spec,
		       rte_strerror(rte_errno));
	return r;
}

/* The embedded wire is the run's only port (the CLI sees to it). */
static int embedded_wire(const struct dv_port_plan *pp, struct dv_ports *p)
{
	struct dv_port_rt *pt = &p->port[0];
	/* One ring per generator TX queue (queries), one per collector RX queue (answers). */
	for (unsigned i = 0; i < pt->tx_queues; i++)
		if ((p->qring[i] = wire_ring(pp, "q", i)) == NULL)
			return -ENOMEM;
	for (unsigned i = 0; i < pt->rx_queues; i++)
		if ((p->aring[i] = wire_ring(pp, "a", i)) == NULL)
			return -ENOMEM;
	int g = rte_eth_from_rings("dv_gen", p->aring, pt->rx_queues, p->qring, pt->tx_queues,
				   rte_socket_id());
	int r = rte_eth_from_rings("dv_resp", p->qring, pt->tx_queues, p->aring, pt->rx_queues,
				   rte_socket_id());
	if (g < 0 || r < 0) {
		dv_err("--port %s: cannot create ring ports: %s", pp->spec,
		       rte_strerror(rte_errno));
		return -ENODEV;
	}
	pt->id = (uint16_t)g;
	p->resp_port = (uint16_t)r;
	p->has_resp = true;
	return 0;
}

/*
 * Mbufs for a port's descriptor rings: every queue's, by its profile's ring
 * sizes (af_xdp's RX rings are 4096 deep, so that answers wait there while a
 * busy CPU is away), and a margin of one default ring per direction; at
 * least what one queue pair of default rings needs twice over.
 */
static unsigned port_rx_descs(const struct dv_port_plan *pp, const struct dv_port_rt *pt)
{
	unsigned nrx = pp->profile.rx_desc ? pp->profile.rx_desc : DV_DEFAULT_DESC;
	return (pt->rx_queues > 0 ? pt->rx_queues : 1) * nrx;
}

static unsigned port_descs(const struct dv_port_plan *pp, const struct dv_port_rt *pt)
{
	unsigned ntx = pp->profile.tx_desc ? pp->profile.tx_desc : DV_DEFAULT_DESC;
	unsigned d = port_rx_descs(pp, pt) + (pt->tx_queues > 0 ? pt->tx_queues : 1) * ntx +
		     2 * DV_DEFAULT_DESC;
	return d > 4 * DV_DEFAULT_DESC ? d : 4 * DV_DEFAULT_DESC;
}

/* Every mbuf of a generator pool starts with no template in it. */
static void clear_tag(struct rte_mempool *mp, void *arg, void *obj, unsigned idx)
{
	(void)mp;
	(void)idx;
	*RTE_MBUF_DYNFIELD((struct rte_mbuf *)obj, *(const int *)arg, uint32_t *) = 0;
}

static struct rte_mempool *pool_create(const char *name, unsigned n, uint64_t *bytes)
{
	unsigned size = dv_pow2_at_least(n, 4096, 1u << 24) - 1;
	struct rte_mempool *mp = rte_pktmbuf_pool_create(name, size, 256, 0,
							 RTE_MBUF_DEFAULT_BUF_SIZE,
							 (int)rte_socket_id());
	if (mp == NULL) {
		dv_err("cannot create the mbuf pool %s (%u mbufs): %s", name, size,
		       rte_strerror(rte_errno));
		return NULL;
	}
	*bytes += (uint64_t)size * rte_mempool_calc_obj_size(mp->elt_size, mp->flags, NULL);
	return mp;
}

int dv_ports_setup(const struct dv_plan *plan, struct dv_ports *p, unsigned nlcores)
{
	int rc;
	memset(p, 0, sizeof(*p));
	p->nports = plan->nports;
	unsigned ngen = plan->generators > 1 ? plan->generators : 1;
	unsigned ncol = plan->collectors > 1 ? plan->collectors : 1;
	for (unsigned k = 0; k < p->nports; k++) {
		p->port[k].rx_queues = dv_plan_on_port(plan, ncol, k);
		p->port[k].tx_queues = dv_plan_on_port(plan, ngen, k);
		/* A kernel port opens queue pairs (net_tap refuses unequal counts): the
		 * generators use the first TX queues, the rest idle. */
		if (plan->port[k].profile.rx_steering == DV_STEER_KERNEL &&
		    p->port[k].tx_queues < p->port[k].rx_queues)
			p->port[k].tx_queues = p->port[k].rx_queues;
	}
	static const struct rte_mbuf_dynfield tag = {
		.name = "dnsvolley_template_tag", .size = sizeof(uint32_t), .align = __alignof__(uint32_t),
	};
	p->tmpl_tag_off = rte_mbuf_dynfield_register(&tag);
	if (p->tmpl_tag_off < 0) {
		dv_err("cannot register an mbuf field: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}

	/*
	 * Enough mbufs for every ring a frame can sit in, plus per-lcore caches
	 * and bursts. A generator's frames travel (embedded port) through its
	 * ring, the responder's delay line and an answer ring back to a
	 * collector, which frees them to the generator's own pool.
	 */
	bool embedded = plan->port[0].profile.embedded;
	unsigned n = port_descs(&plan->port[0], &p->port[0]) + (1 + ncol) * DV_RING_SIZE +
		     nlcores * (256 + 2 * 512) + 4096;
	/* RX: every port's descriptors fill from the one pool (the other ports' TX
	 * rings hold the generators' frames, from their own pools): all of their RX
	 * rings, and one default ring each to spare. */
	unsigned more = 0;
	for (unsigned k = 1; k < p->nports; k++)
		more += port_rx_descs(&plan->port[k], &p->port[k]) + DV_DEFAULT_DESC;
	/* tx-from-rx-pool (af_xdp): the generators build their frames in the RX
	 * pool, which is the PMD's UMEM, so that it hands them to the kernel
	 * without a copy (from another pool it copies each frame into a UMEM
	 * buffer). The pool then holds what their own pools would have. */
	bool share = !embedded;
	for (unsigned k = 0; k < p->nports; k++)
		share = share && plan->port[k].profile.tx_from_rx_pool;
	p->pool = pool_create("dv_pool", (embedded ? n / ngen : n) + more + (share ? n : 0),
			      &p->mbuf_bytes);
	if (p->pool == NULL)
		return -ENOMEM;
	for (unsigned g = 0; g < ngen; g++) {
		if (share) {
			p->gen_pool[g] = p->pool;
			continue;
		}
		char name[32];
		snprintf(name, sizeof(name), "dv_gen_pool_%u", g);
		p->gen_pool[g] = pool_create(name, n / ngen, &p->mbuf_bytes);
		if (p->gen_pool[g] == NULL)
			return -ENOMEM;
		rte_mempool_obj_iter(p->gen_pool[g], clear_tag, &p->tmpl_tag_off);
	}

	for (unsigned k = 0; k < p->nports; k++) {
		const struct dv_port_plan *pp = &plan->port[k];
		struct dv_port_rt *pt = &p->port[k];
		if (pp->profile.embedded) {
			rc = embedded_wire(pp, p);
			if (rc != 0)
				return rc;
		} else {
			char name[64];
			dv_eal_vdev_name(plan, k, name, sizeof(name));
			if (name[0] == '\0' || rte_eth_dev_get_port_by_name(name, &pt->id) != 0) {
				if (dv_profile_uses_xdp_prog(&pp->profile))
					dv_err("--port %s: no DPDK port '%s': the driver failed to probe "
					       "(its message is above): %u queues need %u combined channels "
					       "(ethtool -l %s), or the kernel refused the XDP program %s (a "
					       "copy of the profile without xdp_prog uses the PMD's own)",
					       pp->spec, name, pt->rx_queues > pt->tx_queues ? pt->rx_queues
					       : pt->tx_queues, pt->rx_queues > pt->tx_queues ? pt->rx_queues
					       : pt->tx_queues, pp->arg, dv_profile_xdp_prog());
				else
					dv_err("--port %s: no DPDK port '%s' (did the driver fail to probe?)",
					       pp->spec, name);
				return -ENODEV;
			}
		}
		rc = port_start(pp, pt->id, p->pool, (uint16_t)pt->rx_queues, (uint16_t)pt->tx_queues,
				&pt->tx_csum_offload, "generator");
		if (rc != 0)
			return rc;
		pt->started = true;
		struct rte_ether_addr mac;
		if (rte_eth_macaddr_get(pt->id, &mac) == 0)
			memcpy(pt->mac, mac.addr_bytes, 6);
		struct rte_eth_dev_info info;
		if (rte_eth_dev_info_get(pt->id, &info) == 0)
			pt->nic_timestamps = (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP) != 0;
	}
	if (p->has_resp) {
		rc = port_start(&plan->port[0], p->resp_port, p->pool, (uint16_t)p->port[0].tx_queues,
				(uint16_t)p->port[0].rx_queues, NULL, "responder");
		if (rc != 0)
			return rc;
		p->resp_started = true;
	}
	return 0;
}

void dv_ports_close(struct dv_ports *p)
{
	for (unsigned k = 0; k < p->nports; k++) {
		if (!p->port[k].started)
			continue;
		rte_eth_dev_stop(p->port[k].id);
		rte_eth_dev_close(p->port[k].id);
		p->port[k].started = false;
	}
	if (p->resp_started) {
		rte_eth_dev_stop(p->resp_port);
		rte_eth_dev_close(p->resp_port);
		p->resp_started = false;
	}
	for (unsigned i = 0; i < DV_MAX_GENERATORS; i++) {
		rte_ring_free(p->qring[i]);
		if (p->gen_pool[i] != p->pool)
			rte_mempool_free(p->gen_pool[i]);
		p->qring[i] = NULL;
		p->gen_pool[i] = NULL;
	}
	for (unsigned i = 0; i < DV_MAX_COLLECTORS; i++) {
		rte_ring_free(p->aring[i]);
		p->aring[i] = NULL;
	}
	rte_mempool_free(p->pool);
	p->pool = NULL;
}
