/**
 * @file compose.c
 * @brief Query frames composed per packet from parts built once.
 *
 * The parts (L2-L4 header, DNS header + question, OPT) are built before
 * traffic starts; dv_frame_compose() (in compose.h: compiled with the
 * generator's own code, where an exported function here cost it 2-3 % of
 * its cycles) joins them per packet and finishes the lengths and checksums
 * from the parts' partial sums. All sums are DPDK's: 16-bit words in memory
 * order, so values from the header are added in network byte order.
 */
#include "wire/compose.h"

#include <errno.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf_core.h>

#include "core/log.h"
#include "wire/frame_parse.h"

#define IPV4_DF   0x4000
#define DEF_TTL   64
#define EDNS_DO   0x00008000u

int dv_l34_build(const struct dv_endpoints *ep, struct dv_l34_tmpl *t)
{
	int family = ep->src.family;
	if ((family != AF_INET && family != AF_INET6) || ep->dst.family != family)
		return -EAFNOSUPPORT;

	memset(t, 0, sizeof(*t));
	uint8_t *f = t->bytes;
	uint16_t l3 = DV_ETH_HLEN;
	memcpy(f, ep->dst_mac, 6);
	memcpy(f + 6, ep->src_mac, 6);
	if (ep->vlan != 0) {
		dv_wr16(f + 12, DV_ETHERTYPE_VLAN);
		dv_wr16(f + 14, ep->vlan & 0x0fff);
		l3 += DV_VLAN_HLEN;
	}
	uint8_t *ip = f + l3;

	/*
	 * The pseudo header's length is what changes per packet; DPDK leaves it
	 * out when told the packet is for TSO, which gives exactly the constant
	 * part: addresses and protocol.
	 */
	uint16_t phdr;
	if (family == AF_INET) {
		dv_wr16(ip - 2, DV_ETHERTYPE_IPV4);
		ip[0] = 0x45;             /* version 4, IHL 5; TOS 0, total length per packet */
		dv_wr16(ip + 6, IPV4_DF); /* ID 0, DF, fragment offset 0 */
		ip[8] = DEF_TTL;
		ip[9] = DV_IPPROTO_UDP;
		memcpy(ip + 12, &ep->src.v4, 4);
		memcpy(ip + 16, &ep->dst.v4, 4);
		t->src_off = (uint16_t)(l3 + 12);
		t->src_len = 4;
		t->l4_off = (uint16_t)(l3 + DV_IPV4_HLEN);
		phdr = rte_ipv4_phdr_cksum((const struct rte_ipv4_hdr *)ip,
					   RTE_MBUF_F_TX_TCP_SEG);
		t->ip_sum = __rte_raw_cksum(ip, DV_IPV4_HLEN, 0);
	} else {
		dv_wr16(ip - 2, DV_ETHERTYPE_IPV6);
		ip[0] = 0x60;             /* version 6, traffic class 0, flow label 0 */
		ip[6] = DV_IPPROTO_UDP;   /* payload length per packet */
		ip[7] = DEF_TTL;
		memcpy(ip + 8, &ep->src.v6, 16);
		memcpy(ip + 24, &ep->dst.v6, 16);
		t->src_off = (uint16_t)(l3 + 8);
		t->src_len = 16;
		t->l4_off = (uint16_t)(l3 + DV_IPV6_HLEN);
		phdr = rte_ipv6_phdr_cksum((const struct rte_ipv6_hdr *)ip,
					   RTE_MBUF_F_TX_TCP_SEG);
	}
	uint8_t *udp = f + t->l4_off;
	dv_wr16(udp + 2, ep->dport); /* source port, length, checksum per packet */

	t->len = (uint16_t)(t->l4_off + DV_UDP_HLEN);
	t->l3_off = l3;
	t->family = family;
	t->phdr_sum = phdr;
	t->const_sum = (uint32_t)phdr + dv_be_word(ep->dport);
	t->src_sum = __rte_raw_cksum_reduce(__rte_raw_cksum(f + t->src_off, t->src_len, 0));
	return 0;
}

void dv_src_make(const struct dv_addr *a, struct dv_src *s)
{
	unsigned len = a->family == AF_INET6 ? 16 : 4;
	memset(s, 0, sizeof(*s));
	memcpy(s->addr, a->family == AF_INET6 ? (const void *)&a->v6 : (const void *)&a->v4, len);
	s->sum = __rte_raw_cksum_reduce(__rte_raw_cksum(s->addr, len, 0));
}

void dv_l34_offload(struct dv_l34_tmpl *t)
{
	t->csum_offload = true;
}

uint64_t dv_l34_ol_flags(const struct dv_l34_tmpl *t)
{
	if (!t->csum_offload)
		return 0;
	return t->family == AF_INET
	       ? RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_UDP_CKSUM
	       : RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM;
}

int dv_question_build(const struct dv_query *q, struct dv_question *out)
{
	int ret;
	ldns_rdf *owner = NULL;
	ldns_pkt *pkt = NULL;
	uint8_t *wire = NULL;
	size_t wire_len = 0;

	if (q == NULL || out == NULL || q->qname_len == 0 ||
	    !dv_name_valid(q->qname, q->qname_len)) {
		dv_err("cannot build a question: invalid name");
		return -EINVAL;
	}
	owner = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, q->qname_len, q->qname);
	if (owner == NULL) {
		ret = -ENOMEM;
		goto nomem;
	}
	pkt = ldns_pkt_query_new(owner, (ldns_rr_type)q->qtype, LDNS_RR_CLASS_IN, LDNS_RD);
	if (pkt == NULL) {
		ret = -ENOMEM;
		goto nomem;
	}
	owner = NULL; /* the packet owns it now */
	ldns_pkt_set_id(pkt, 0);
	if (ldns_pkt2wire(&wire, pkt, &wire_len) != LDNS_STATUS_OK) {
		ret = -ENOMEM;
		goto nomem;
	}
	/* No OPT, so the message is exactly header + question. */
	if (wire_len != (size_t)DV_DNS_HLEN + q->qname_len + 4 || wire_len > sizeof(out->wire)) {
		dv_err("cannot build a question: unexpected encoded length %zu", wire_len);
		ret = -EINVAL;
		goto cleanup;
	}
	memcpy(out->wire, wire, wire_len);
	out->len = (uint16_t)wire_len;
	out->qtype = q->qtype;
	out->sum = dv_question_sum(out->wire, out->len);
	ret = 0;
	goto cleanup;
nomem:
	dv_err("cannot build a question: out of memory");
cleanup:
	free(wire);
	ldns_pkt_free(pkt);
	ldns_rdf_deep_free(owner);
	return ret;
}

void dv_opt_build(uint16_t size, bool dnssec_ok, struct dv_opt *o)
{
	memset(o, 0, sizeof(*o));
	o->wire[0] = 0;                       /* owner: root */
	dv_wr16(o->wire + 1, DV_DNS_TYPE_OPT);
	dv_wr16(o->wire + 3, size);           /* class: requestor's UDP payload size */
	dv_wr32(o->wire + 5, dnssec_ok ? EDNS_DO : 0); /* extended RCODE 0, version 0, flags */
	dv_wr16(o->wire + 9, 0);              /* RDLENGTH: no options */
	o->size = size;
	o->dnssec_ok = dnssec_ok;
	o->sum = __rte_raw_cksum_reduce(__rte_raw_cksum(o->wire, DV_OPT_LEN, 0));
}

uint16_t dv_question_finish(uint8_t *dst, uint8_t qname_len, uint16_t qtype)
{
	dv_wr16(dst, 0);           /* ID: per packet */
	dv_wr16(dst + 2, DV_DNS_RD);
	dv_wr16(dst + 4, 1);       /* QDCOUNT */
	dv_wr16(dst + 6, 0);
	dv_wr16(dst + 8, 0);
	dv_wr16(dst + 10, 0);      /* ARCOUNT: set by dv_frame_compose() with an OPT */
	uint8_t *p = dst + DV_DNS_HLEN + qname_len;
	dv_wr16(p, qtype);
	dv_wr16(p + 2, DV_DNS_CLASS_IN);
	return (uint16_t)(DV_DNS_HLEN + qname_len + 4);
}

uint16_t dv_question_write(uint8_t *dst, const uint8_t *qname, uint8_t qname_len, uint16_t qtype)
{
	memcpy(dst + DV_DNS_HLEN, qname, qname_len);
	return dv_question_finish(dst, qname_len, qtype);
}

uint32_t dv_question_sum(const uint8_t *q, uint16_t len)
{
	/* Eight bytes a step, their two 32-bit halves added: 2^16 = 1 and
	 * 2^32 = 1 modulo 0xffff, so summing 32-bit words gives the
	 * one's-complement sum of the 16-bit ones (rte_raw_cksum's, which takes
	 * two bytes a step). A question is at most 271 bytes: no overflow. */
	uint64_t s = 0;
	unsigned i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, q + i, 8);
		s += (w & 0xffffffffu) + (w >> 32);
	}
	if (i + 4 <= len) {
		uint32_t w;
		memcpy(&w, q + i, 4);
		s += w;
		i += 4;
	}
	if (i + 2 <= len) {
		uint16_t h;
		memcpy(&h, q + i, 2);
		s += h;
		i += 2;
	}
	if (i < len) {
		uint16_t left = 0; /* the odd last byte, as rte_raw_cksum takes it */
		memcpy(&left, q + i, 1);
		s += left;
	}
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	return __rte_raw_cksum_reduce((uint32_t)s);
}

uint32_t dv_question_sum_named(uint8_t qname_len, uint16_t qtype, uint32_t name_sum)
{
	/* dv_question_finish()'s header: ID 0, RD, QDCOUNT 1, the rest 0. */
	uint32_t sum = dv_be_word(DV_DNS_RD) + dv_be_word(1) + name_sum;
	/* Type and class follow the name: at an odd offset their sum swaps. */
	uint16_t tail = __rte_raw_cksum_reduce(dv_be_word(qtype) + dv_be_word(DV_DNS_CLASS_IN));
	sum += (qname_len & 1) ? rte_bswap16(tail) : tail;
	return __rte_raw_cksum_reduce(sum);
}


uint16_t dv_msg_compose(uint8_t *dst, const uint8_t *q, uint16_t q_len, const struct dv_opt *opt,
			uint16_t id)
{
	uint16_t len = q_len;
	if (q != dst)
		memcpy(dst, q, q_len);
	dv_wr16(dst, id);
	if (opt != NULL) {
		memcpy(dst + q_len, opt->wire, DV_OPT_LEN);
		dv_wr16(dst + DV_DNS_ARCOUNT_OFF, 1);
		len = (uint16_t)(len + DV_OPT_LEN);
	}
	return len;
}
