/*
 * The fragments the embedded responder sends (responder_frag.h): answers cut
 * at frag-mtu with DPDK's fragmenters, some dropped on purpose (drop-frag),
 * and frag-flood's sets that never complete.
 */
#include "engine/features/responder_frag.h"

#include <string.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "core/count.h"
#include "wire/frame_parse.h"
#include "wire/rss.h"

/* Does frag-mtu / drop-frag apply to this family? */
bool dv_resp_frag_family(const struct dv_impair_plan *ip, int family)
{
	unsigned bit = 1u << (family == AF_INET6 ? DV_FAMILY_V6 : DV_FAMILY_V4);
	return ip->frag_families == 0 || (ip->frag_families & bit) != 0;
}

/*
 * Fragment an answer frame at the configured MTU with DPDK's fragmenters,
 * drop the fragments the plan says, and put the rest into out.
 * Consumes m. @return fragments to send
 */
unsigned dv_resp_fragment(struct dv_resp *r, struct rte_mbuf *m, int family,
				struct rte_mbuf **out, unsigned room)
{
	const struct dv_impair_plan *ip = &r->impair;
	struct rte_mbuf *frag[DV_MAX_FRAGS];
	uint8_t eth[14];
	int n;

	memcpy(eth, rte_pktmbuf_mtod(m, uint8_t *), sizeof(eth));
	rte_pktmbuf_adj(m, sizeof(eth));
	/* Every datagram its own ID, as a real stack does, or sets would mix at the receiver. */
	uint32_t id = ++r->frag_id;
	if (family == AF_INET) {
		struct rte_ipv4_hdr *iph = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
		iph->packet_id = rte_cpu_to_be_16((uint16_t)id);
		/* The answer inherits our query's DF; a server that fragments does not set it. */
		iph->fragment_offset &= rte_cpu_to_be_16((uint16_t)~RTE_IPV4_HDR_DF_FLAG);
	}
	if (family == AF_INET)
		n = rte_ipv4_fragment_packet(m, frag, DV_MAX_FRAGS, (uint16_t)ip->frag_mtu, r->hdr,
					     r->indirect);
	else
		n = rte_ipv6_fragment_packet(m, frag, DV_MAX_FRAGS, (uint16_t)ip->frag_mtu, r->hdr,
					     r->indirect);
	rte_pktmbuf_free(m); /* the fragments hold references to its data */
	if (n <= 0) {
		dv_count_add(&r->dropped, 1);
		return 0;
	}
	unsigned kept = 0;
	for (int i = 0; i < n; i++) {
		bool drop = ip->drop_frag == DV_DROP_FRAG_NONFIRST ? i > 0 : ip->drop_frag == i + 1;
		uint8_t *l2 = drop || kept >= room ? NULL
						   : (uint8_t *)rte_pktmbuf_prepend(frag[i], sizeof(eth));
		if (l2 == NULL) {
			rte_pktmbuf_free(frag[i]);
			dv_count_add(drop ? &r->impaired : &r->dropped, 1);
			continue;
		}
		memcpy(l2, eth, sizeof(eth));
		if (family == AF_INET6) {
			struct rte_ipv6_fragment_ext *fh = (struct rte_ipv6_fragment_ext *)
				(l2 + sizeof(eth) + sizeof(struct rte_ipv6_hdr));
			fh->id = rte_cpu_to_be_32(id);
		} else {
			/* DPDK's fragmenter leaves the header checksum to offload: we have none. */
			struct rte_ipv4_hdr *iph = (struct rte_ipv4_hdr *)(l2 + sizeof(eth));
			iph->hdr_checksum = 0;
			iph->hdr_checksum = rte_ipv4_cksum(iph);
		}
		out[kept++] = frag[i];
	}
	return kept;
}

/* frag-flood: remember the first query's headers (fragments go back along its path). */
void dv_resp_flood_note(struct dv_resp *r, const uint8_t *d, uint32_t len)
{
	struct dv_frame_view v;
	if (dv_frame_parse_udp(d, len, &v) != DV_PKT_DNS)
		return;
	size_t l3len = v.family == AF_INET6 ? DV_IPV6_HLEN : DV_IPV4_HLEN;
	if (v.l3_off + l3len > sizeof(r->flood_l2))
		return;
	memcpy(r->flood_l2, d, v.l3_off + l3len);
	/* Back along the query's path: the MACs and the addresses swapped. */
	uint8_t *ip = r->flood_l2 + v.l3_off, t[16];
	size_t a = v.family == AF_INET6 ? 8 : 12, alen = v.family == AF_INET6 ? 16 : 4;
	memcpy(t, r->flood_l2, 6);
	memmove(r->flood_l2, r->flood_l2 + 6, 6);
	memcpy(r->flood_l2 + 6, t, 6);
	memcpy(t, ip + a, alen);
	memmove(ip + a, ip + a + alen, alen);
	memcpy(ip + a + alen, t, alen);
	r->flood_family = v.family;
	r->flood_l3 = v.l3_off;
	r->flood_dport = v.dport;
	/* Its own IDs: answers fragmented later take the next ones. */
	r->flood_id = r->frag_id + 1;
	r->frag_id += r->flood_total / DV_FLOOD_FRAGS;
	r->flood_q = 0;
	if (r->sh->ncol > 1)
		r->flood_q = (uint16_t)dv_rss_queue(ip + a, ip + a + alen, v.family, r->sh->ncol);
	r->flood_ready = true;
}

/*
 * Fragment i of the flood, in an mbuf of the RX pool: set i / 7 (its own IP
 * ID), fragment i % 7 at offset 8 * (i % 7), 8 bytes each, all with More
 * Fragments set, so no set ever completes. The first carries a UDP header
 * from the DNS port to the discard port: not an answer of ours.
 */
static struct rte_mbuf *flood_frame(struct dv_resp *r, uint32_t i)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(r->rx_pool);
	if (m == NULL)
		return NULL;
	bool v6 = r->flood_family == AF_INET6;
	uint16_t l3 = r->flood_l3;
	uint16_t len = (uint16_t)(l3 + (v6 ? DV_IPV6_HLEN + 8 : DV_IPV4_HLEN) + 8);
	uint8_t *f = (uint8_t *)rte_pktmbuf_append(m, len);
	uint32_t k = i % DV_FLOOD_FRAGS, id = r->flood_id + i / DV_FLOOD_FRAGS;
	memcpy(f, r->flood_l2, l3 + (v6 ? DV_IPV6_HLEN : DV_IPV4_HLEN));
	uint8_t *ip = f + l3, *pl;
	if (v6) {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;
		h->payload_len = rte_cpu_to_be_16(8 + 8);
		h->proto = DV_IPPROTO_FRAGMENT;
		struct rte_ipv6_fragment_ext *fh = (struct rte_ipv6_fragment_ext *)(ip + DV_IPV6_HLEN);
		fh->next_header = DV_IPPROTO_UDP;
		fh->reserved = 0;
		fh->frag_data = rte_cpu_to_be_16((uint16_t)(k * 8) | 1);
		fh->id = rte_cpu_to_be_32(id);
		pl = ip + DV_IPV6_HLEN + 8;
	} else {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;
		h->version_ihl = 0x45;
		h->total_length = rte_cpu_to_be_16(DV_IPV4_HLEN + 8);
		h->packet_id = rte_cpu_to_be_16((uint16_t)id);
		h->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | (uint16_t)k);
		h->next_proto_id = DV_IPPROTO_UDP;
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
		pl = ip + DV_IPV4_HLEN;
	}
	memset(pl, 0, 8);
	if (k == 0) {
		pl[0] = (uint8_t)(r->flood_dport >> 8);
		pl[1] = (uint8_t)r->flood_dport;
		pl[3] = 9; /* discard */
		pl[5] = (uint8_t)(DV_FLOOD_FRAGS * 8 + 8);
	}
	return m;
}

/*
 * Send the next burst of the flood, as much as the answer ring takes (the
 * responder is its only producer: what is free now stays free), so that
 * every fragment is sent once. A frame the RX pool has no buffer for is lost
 * (counted), as on a NIC.
 */
void dv_resp_flood_step(struct dv_resp *r)
{
	struct rte_mbuf *fl[DV_BURST_MAX];
	unsigned room = rte_ring_free_count(r->aring[r->flood_q]);
	unsigned n = 0;
	while (n < r->burst && n < room && r->flood_sent < r->flood_total) {
		struct rte_mbuf *m = flood_frame(r, r->flood_sent++);
		if (m == NULL)
			dv_count_add(&r->rx_nombuf, 1);
		else
			fl[n++] = m;
	}
	if (n == 0)
		return;
	uint16_t sent = rte_eth_tx_burst(r->port, r->flood_q, fl, (uint16_t)n);
	if (sent < n) {
		rte_pktmbuf_free_bulk(fl + sent, n - sent);
		dv_count_add(&r->dropped, n - sent);
	}
}
