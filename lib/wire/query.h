/**
 * @file query.h
 * @brief Whole query frames: a DNS query encoded with ldns, framed in
 *        Ethernet + IPv4/IPv6 + UDP, then patched with an ID and source port.
 *
 * The engine composes frames from parts (compose.h); this is the independent
 * whole-frame builder the wire tests check the composer against, and a
 * simple way for tools and tests to make a query frame. A frame is built with
 * DNS ID = 0, UDP source port = 0 and UDP checksum = 0; dv_frame_emit() copies
 * it, writes ID and source port, and finishes the UDP checksum from the
 * precomputed partial sum.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/types.h"

/** Largest query frame we build: Ethernet + IPv6 + UDP + header + name + OPT. */
#define DV_QUERY_FRAME_MAX 384

/** Addresses of one side of the wire. */
struct dv_endpoints {
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	struct dv_addr src;  /**< family decides IPv4 or IPv6 */
	struct dv_addr dst;  /**< same family as src */
	uint16_t dport;      /**< host order */
	uint16_t vlan;       /**< 802.1Q VLAN ID, 0 = untagged */
};

/** One prebuilt frame. */
struct dv_frame_tmpl {
	uint32_t off;          /**< offset of the frame in the arena */
	uint16_t len;          /**< frame length */
	uint16_t l4_off;       /**< offset of the UDP header */
	uint16_t dns_off;      /**< offset of the DNS header */
	uint16_t pad;
	uint32_t csum_partial; /**< unfolded one's-complement sum over pseudo header + UDP, ID = sport = 0 */
};


/**
 * Encode one DNS query message with ldns (ID 0, RD set, one question,
 * OPT RR with the given UDP size and DO bit unless edns_size is 0).
 * @return message length, or -ENOSPC / -EINVAL / -ENOMEM
 */
int dv_query_wire(const struct dv_query *q, int edns_size, bool dnssec_ok,
		  uint8_t *buf, size_t cap);

/**
 * Build a frame around a DNS message.
 * @return 0, or -ENOSPC if cap is too small, -EAFNOSUPPORT on bad family
 */
int dv_frame_build(const struct dv_endpoints *ep, const uint8_t *dns, size_t dns_len,
		   uint8_t *frame, size_t cap, struct dv_frame_tmpl *t);



/** Fold a 32-bit one's-complement sum to 16 bits. */
static inline uint16_t dv_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/**
 * Copy a template into dst and patch DNS ID and UDP source port (both host
 * order) and the UDP checksum. Hot path: no branches beyond the checksum's 0 rule.
 */
static inline void dv_frame_emit(uint8_t *dst, const uint8_t *arena,
				 const struct dv_frame_tmpl *t, uint16_t id, uint16_t sport)
{
	uint16_t id_be = (uint16_t)((id >> 8) | (id << 8));
	uint16_t sport_be = (uint16_t)((sport >> 8) | (sport << 8));
	memcpy(dst, arena + t->off, t->len);
	memcpy(dst + t->l4_off, &sport_be, 2);
	memcpy(dst + t->dns_off, &id_be, 2);
	uint16_t c = (uint16_t)~dv_csum_fold(t->csum_partial + id_be + sport_be);
	if (c == 0)
		c = 0xffff;
	memcpy(dst + t->l4_off + 6, &c, 2);
}
