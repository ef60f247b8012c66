/**
 * @file frame_parse.h
 * @brief Wire-private helpers shared by response.c and answer.c.
 *
 * The collector (response.c) and the embedded responder (answer.c) walk the
 * same headers; these helpers hold the one bounded implementation of that
 * walk. Not part of the library's public interface.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/response.h"

#define DV_ETH_HLEN     14
#define DV_ETH_MTU      1500 /**< an Ethernet payload: a longer IP datagram arrived in fragments */
#define DV_VLAN_HLEN    4
#define DV_IPV4_HLEN    20
#define DV_IPV6_HLEN    40
#define DV_UDP_HLEN     8
#define DV_DNS_HLEN     12

/* IPv4 flags/fragment word: MF bit and the 13-bit offset in 8-byte units. */
#define DV_IPV4_MF      0x2000
#define DV_IPV4_OFFMASK 0x1fff
/* IPv6 Fragment header's offset/flags word: offset in bytes (13 bits << 3), M flag. */
#define DV_IPV6_FRAG_OFFMASK 0xfff8
#define DV_IPV6_FRAG_M       0x0001
#define DV_IPV6_FRAG_HLEN    8

#define DV_ETHERTYPE_IPV4 0x0800
#define DV_ETHERTYPE_ARP  0x0806
#define DV_ETHERTYPE_VLAN 0x8100
#define DV_ETHERTYPE_IPV6 0x86dd

#define DV_IPPROTO_HOPOPTS  0
#define DV_IPPROTO_ICMP     1
#define DV_IPPROTO_UDP      17
#define DV_IPPROTO_ROUTING  43
#define DV_IPPROTO_FRAGMENT 44
#define DV_IPPROTO_ICMPV6   58
#define DV_IPPROTO_DSTOPTS  60

#define DV_DNS_TYPE_A    1
#define DV_DNS_TYPE_TXT  16
#define DV_DNS_TYPE_AAAA 28
#define DV_DNS_TYPE_OPT  41
#define DV_DNS_CLASS_IN  1

/* DNS flags word (host order). */
#define DV_DNS_QR     0x8000
#define DV_DNS_OPCODE 0x7800
#define DV_DNS_AA     0x0400
#define DV_DNS_TC     0x0200
#define DV_DNS_RD     0x0100
#define DV_DNS_RCODE  0x000f

/**
 * Step over a possibly compressed name at *pos in a DNS message of len
 * bytes: labels up to a root label, or to a pointer, which ends it (it is
 * not followed). Bounded: at most 255 bytes of labels.
 * @return 0 (*pos just past the name), or -EBADMSG (cut, an extended label
 *         type, or too long)
 */
static inline int dv_dns_skip_name(const uint8_t *m, size_t len, size_t *pos)
{
	size_t p = *pos, n = 0;
	for (;;) {
		if (p >= len)
			return -EBADMSG;
		uint8_t l = m[p];
		if ((l & 0xc0) == 0xc0) {
			if (len - p < 2)
				return -EBADMSG;
			*pos = p + 2;
			return 0;
		}
		if (l & 0xc0)
			return -EBADMSG;
		p += 1u + l;
		n += 1u + l;
		if (n > 255)
			return -EBADMSG;
		if (l == 0) {
			*pos = p;
			return 0;
		}
	}
}

/** Big-endian 16-bit load from any alignment. */
static inline uint16_t dv_rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/** Big-endian 32-bit load from any alignment. */
static inline uint32_t dv_rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

/** Big-endian 16-bit store to any alignment. */
static inline void dv_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/** Big-endian 32-bit store to any alignment. */
static inline void dv_wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/** Where the IP packet of a frame is and what it carries. */
struct dv_ip_view {
	int family;        /**< AF_INET or AF_INET6 */
	uint16_t l3_off;   /**< IP header */
	uint16_t l4_off;   /**< past the IPv4 header and options, or the IPv6 header and the
			        hop-by-hop/routing/destination options headers walked */
	uint16_t l4_len;   /**< bytes from l4_off to the end of the IP packet (by its length
			        field, within the frame) */
	uint8_t proto;     /**< what is at l4_off: IPv4 protocol, or IPv6 next header
			        (DV_IPPROTO_FRAGMENT for a Fragment header) */
	bool frag;         /**< IPv4 MF or offset != 0, or an IPv6 Fragment header at l4_off
			        (its 8 bytes not checked yet) */
};

/**
 * Walk Ethernet (one optional 802.1Q tag) and the IPv4 header, or the IPv6
 * header and its extension headers up to the upper-layer (or Fragment) header.
 * Every length is checked against the frame; the IP length fields must fit it.
 * @param cls when false is returned: DV_PKT_ARP_ND, DV_PKT_OTHER or DV_PKT_MALFORMED
 * @return true for a well-formed IPv4/IPv6 packet (w filled), false otherwise
 */
bool dv_frame_walk_ip(const uint8_t *frame, size_t len, struct dv_ip_view *w,
		      enum dv_pkt_class *cls);

/**
 * Step over IPv6 hop-by-hop, routing and destination options headers in
 * buf[*pos, end). Each is at least 8 bytes, so the loop ends within
 * (end - *pos) / 8 steps whatever the input.
 * @param nh in: next header of the IPv6 header; out: the first other one
 * @return 0 (*pos at the header nh names), or -EBADMSG if one is cut short
 */
static inline int dv_ipv6_skip_ext(const uint8_t *buf, size_t *pos, size_t end, uint8_t *nh)
{
	size_t p = *pos;
	uint8_t n = *nh;
	while (n == DV_IPPROTO_HOPOPTS || n == DV_IPPROTO_ROUTING || n == DV_IPPROTO_DSTOPTS) {
		if (p > end || end - p < 8)
			return -EBADMSG;
		size_t ext = ((size_t)buf[p + 1] + 1) * 8;
		if (ext > end - p)
			return -EBADMSG;
		n = buf[p];
		p += ext;
	}
	*pos = p;
	*nh = n;
	return 0;
}

/** Where the headers of a UDP frame are. */
struct dv_frame_view {
	int family;        /**< AF_INET or AF_INET6 */
	uint16_t l3_off;   /**< IP header */
	uint16_t l4_off;   /**< UDP header */
	uint16_t ip_hlen;  /**< l4_off - l3_off: IP header incl. options/extensions */
	uint16_t udp_len;  /**< UDP length field, checked against the IP length */
	uint16_t sport;    /**< host order */
	uint16_t dport;    /**< host order */
};

/**
 * Walk Ethernet (one optional 802.1Q tag) and IPv4/IPv6 down to UDP.
 * @return DV_PKT_DNS for a well-formed UDP datagram (v filled; the caller
 *         still checks ports and the DNS header), any other class otherwise
 */
enum dv_pkt_class dv_frame_parse_udp(const uint8_t *frame, size_t len, struct dv_frame_view *v);

/** The DNS header and first question. */
struct dv_dns_view {
	uint16_t id;
	uint16_t flags;
	uint16_t qdcount, ancount, nscount, arcount;
	const uint8_t *qname; /**< NULL if qdcount is 0 */
	uint8_t qname_len;
	uint16_t qtype;
	uint16_t qclass;
	uint16_t q_end;       /**< offset just past the first question (12 if none) */
};

/**
 * Read the DNS header and, if qdcount >= 1, the first question. The question
 * name must be uncompressed labels inside the message, at most 255 bytes.
 * @return 0, or -EBADMSG
 */
int dv_dns_parse_question(const uint8_t *dns, size_t len, struct dv_dns_view *d);

/**
 * Unfolded sum of the UDP pseudo header of the IPv4 or IPv6 header at ip
 * (lengths already set), for __rte_raw_cksum(). Implemented in query.c.
 */
uint32_t dv_pseudo_sum(int family, const uint8_t *ip);

/**
 * Check that name is well-formed uncompressed wire format of exactly len
 * bytes (labels of at most 63, ending in the root label). Implemented in query.c.
 */
bool dv_name_valid(const uint8_t *name, size_t len);
