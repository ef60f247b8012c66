/**
 * @file query.c
 * @brief Query messages (ldns) and frame templates around them.
 *
 * Everything here runs once before traffic starts; the per-packet work is
 * dv_frame_emit() in query.h. The frame layout is written with plain byte
 * offsets so it works without EAL.
 */
#include "wire/query.h"

#include <errno.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <rte_ip.h>

#include "core/log.h"
#include "wire/frame_parse.h"

#define IPV4_DF   0x4000
#define DEF_TTL   64

/* Largest DNS query we ever encode: header, a 255-byte name, type/class, OPT. */
#define QUERY_WIRE_MAX (DV_DNS_HLEN + 255 + 4 + 11)

uint32_t dv_pseudo_sum(int family, const uint8_t *ip)
{
	/* DPDK's pseudo-header sums take the lengths from the IP header. */
	if (family == AF_INET)
		return rte_ipv4_phdr_cksum((const struct rte_ipv4_hdr *)ip, 0);
	return rte_ipv6_phdr_cksum((const struct rte_ipv6_hdr *)ip, 0);
}

bool dv_name_valid(const uint8_t *name, size_t len)
{
	size_t pos = 0;
	while (pos < len) {
		uint8_t l = name[pos];
		if (l & 0xc0)
			return false;
		if (l == 0)
			return pos + 1 == len;
		pos += 1 + (size_t)l;
	}
	return false;
}

int dv_query_wire(const struct dv_query *q, int edns_size, bool dnssec_ok,
		  uint8_t *buf, size_t cap)
{
	int ret;
	ldns_pkt *pkt = NULL;
	ldns_rdf *owner = NULL;
	ldns_rr *question = NULL;
	uint8_t *wire = NULL;
	size_t wire_len = 0;

	if (q == NULL || buf == NULL || q->qname_len == 0 ||
	    !dv_name_valid(q->qname, q->qname_len) || edns_size < 0 || edns_size > UINT16_MAX)
		return -EINVAL;

	pkt = ldns_pkt_new();
	owner = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, q->qname_len, q->qname);
	question = ldns_rr_new();
	if (pkt == NULL || owner == NULL || question == NULL) {
		ret = -ENOMEM;
		goto cleanup;
	}
	ldns_rr_set_question(question, true);
	ldns_rr_set_owner(question, owner);
	owner = NULL; /* the RR owns it now */
	ldns_rr_set_type(question, (ldns_rr_type)q->qtype);
	ldns_rr_set_class(question, LDNS_RR_CLASS_IN);
	if (!ldns_pkt_push_rr(pkt, LDNS_SECTION_QUESTION, question)) {
		ret = -ENOMEM;
		goto cleanup;
	}
	question = NULL; /* the packet owns it now */

	/* ID 0 and source port 0 are patched per packet by dv_frame_emit(). */
	ldns_pkt_set_id(pkt, 0);
	ldns_pkt_set_opcode(pkt, LDNS_PACKET_QUERY);
	ldns_pkt_set_rd(pkt, true);
	if (edns_size > 0) {
		/* ldns writes the OPT RR only when ldns_pkt_edns() is true, which a
		 * nonzero UDP size guarantees; DO alone is not enough to ask for it. */
		ldns_pkt_set_edns_udp_size(pkt, (uint16_t)edns_size);
		ldns_pkt_set_edns_do(pkt, dnssec_ok);
	}

	if (ldns_pkt2wire(&wire, pkt, &wire_len) != LDNS_STATUS_OK) {
		ret = -ENOMEM;
		goto cleanup;
	}
	if (wire_len > cap || wire_len > UINT16_MAX) {
		ret = -ENOSPC;
		goto cleanup;
	}
	memcpy(buf, wire, wire_len);
	ret = (int)wire_len;
cleanup:
	free(wire);
	ldns_rdf_deep_free(owner);
	ldns_rr_free(question);
	ldns_pkt_free(pkt);
	return ret;
}

/** Bytes in front of the DNS message for a family, or 0 if unknown. */
static size_t hdr_len(int family)
{
	switch (family) {
	case AF_INET:  return DV_ETH_HLEN + DV_IPV4_HLEN + DV_UDP_HLEN;
	case AF_INET6: return DV_ETH_HLEN + DV_IPV6_HLEN + DV_UDP_HLEN;
	default:       return 0;
	}
}

int dv_frame_build(const struct dv_endpoints *ep, const uint8_t *dns, size_t dns_len,
		   uint8_t *frame, size_t cap, struct dv_frame_tmpl *t)
{
	int family = ep->src.family;
	size_t hlen = hdr_len(family);
	if (hlen == 0 || ep->dst.family != family)
		return -EAFNOSUPPORT;
	/* The frame length and the UDP length field are 16 bits. */
	if (dns_len > UINT16_MAX - hlen || hlen + dns_len > cap)
		return -ENOSPC;

	size_t l3 = DV_ETH_HLEN;
	size_t l4 = hlen - DV_UDP_HLEN;
	uint16_t udp_len = (uint16_t)(DV_UDP_HLEN + dns_len);
	uint8_t *ip = frame + l3;
	uint8_t *udp = frame + l4;

	memcpy(frame, ep->dst_mac, 6);
	memcpy(frame + 6, ep->src_mac, 6);

	if (family == AF_INET) {
		dv_wr16(frame + 12, DV_ETHERTYPE_IPV4);
		memset(ip, 0, DV_IPV4_HLEN);
		ip[0] = 0x45;
		dv_wr16(ip + 2, (uint16_t)(DV_IPV4_HLEN + udp_len));
		dv_wr16(ip + 6, IPV4_DF);
		ip[8] = DEF_TTL;
		ip[9] = DV_IPPROTO_UDP;
		memcpy(ip + 12, &ep->src.v4, 4);
		memcpy(ip + 16, &ep->dst.v4, 4);
		uint16_t hc = rte_ipv4_cksum((const struct rte_ipv4_hdr *)ip);
		memcpy(ip + 10, &hc, 2);
	} else {
		dv_wr16(frame + 12, DV_ETHERTYPE_IPV6);
		memset(ip, 0, DV_IPV6_HLEN);
		ip[0] = 0x60; /* version 6, traffic class 0, flow label 0 */
		dv_wr16(ip + 4, udp_len);
		ip[6] = DV_IPPROTO_UDP;
		ip[7] = DEF_TTL;
		memcpy(ip + 8, &ep->src.v6, 16);
		memcpy(ip + 24, &ep->dst.v6, 16);
	}

	dv_wr16(udp, 0);          /* source port: per packet */
	dv_wr16(udp + 2, ep->dport);
	dv_wr16(udp + 4, udp_len);
	dv_wr16(udp + 6, 0);      /* checksum: per packet */
	memcpy(udp + DV_UDP_HLEN, dns, dns_len);

	uint32_t sum = __rte_raw_cksum(udp, udp_len, dv_pseudo_sum(family, ip));

	t->len = (uint16_t)(hlen + dns_len);
	t->l4_off = (uint16_t)l4;
	t->dns_off = (uint16_t)hlen;
	t->pad = 0;
	/* Stored folded to 16 bits: still a valid partial sum, and adding the
	 * ID and port in dv_frame_emit() cannot overflow 32 bits. */
	t->csum_partial = __rte_raw_cksum_reduce(sum);
	return 0;
}


