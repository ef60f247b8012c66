/* Independent reference implementations shared by the wire unit tests (not the code under test). */
#pragma once

#include <arpa/inet.h>
#include <check.h>
#include <ldns/ldns.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wire/query.h"

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Reference one's-complement sum: big-endian words, end-around carry. */
static inline uint32_t ref_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static inline uint16_t ref_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Folded sum of pseudo header + UDP segment (checksum field as it is). */
static inline uint16_t ref_udp_sum(const uint8_t *f)
{
	const uint8_t *ip = f + 14;
	uint32_t sum;
	const uint8_t *udp;
	if (rd16(f + 12) == 0x0800) {
		udp = ip + 20;
		sum = ref_add(0, ip + 12, 8);
	} else {
		udp = ip + 40;
		sum = ref_add(0, ip + 8, 32);
	}
	uint16_t ulen = rd16(udp + 4);
	sum += 17 + ulen;
	return ref_fold(ref_add(sum, udp, ulen));
}

/* RFC 768 checksum from scratch into the frame. */
static inline void ref_fill_udp_csum(uint8_t *f)
{
	uint8_t *udp = f + 14 + (rd16(f + 12) == 0x0800 ? 20 : 40);
	wr16(udp + 6, 0);
	uint16_t c = (uint16_t)~ref_udp_sum(f);
	wr16(udp + 6, c == 0 ? 0xffff : c);
}

static inline struct dv_query mkq(const char *name, uint16_t type)
{
	struct dv_query q;
	memset(&q, 0, sizeof(q));
	ldns_rdf *d = NULL;
	ck_assert_int_eq(ldns_str2rdf_dname(&d, name), LDNS_STATUS_OK);
	ck_assert_uint_le(ldns_rdf_size(d), sizeof(q.qname));
	memcpy(q.qname, ldns_rdf_data(d), ldns_rdf_size(d));
	q.qname_len = (uint8_t)ldns_rdf_size(d);
	q.qtype = type;
	ldns_rdf_deep_free(d);
	return q;
}

static inline void mkep(struct dv_endpoints *ep, int family)
{
	static const uint8_t smac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const uint8_t dmac[6] = { 0x02, 0, 0, 0, 0, 0x53 };
	memset(ep, 0, sizeof(*ep));
	memcpy(ep->src_mac, smac, 6);
	memcpy(ep->dst_mac, dmac, 6);
	ep->src.family = ep->dst.family = family;
	if (family == AF_INET) {
		inet_pton(AF_INET, "198.18.2.1", &ep->src.v4);
		inet_pton(AF_INET, "198.19.100.53", &ep->dst.v4);
	} else {
		inet_pton(AF_INET6, "2001:2::1", &ep->src.v6);
		inet_pton(AF_INET6, "2001:2:ffff::53", &ep->dst.v6);
	}
	ep->dport = 53;
}

/** Ethernet header (+ an optional 802.1Q tag, VLAN 100) to our MAC; returns its length. */
static inline size_t put_eth(uint8_t *f, uint16_t type, bool vlan)
{
	static const uint8_t mac[12] = { 0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x53 };
	memcpy(f, mac, 12);
	if (!vlan) {
		wr16(f + 12, type);
		return 14;
	}
	wr16(f + 12, 0x8100);
	wr16(f + 14, 0x0064);
	wr16(f + 16, type);
	return 18;
}
