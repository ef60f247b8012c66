/**
 * @file query.h
 * @brief Query frame templates: built once with ldns, patched per packet.
 *
 * A template is a complete Ethernet frame (Ethernet + IPv4/IPv6 + UDP + DNS
 * query) with DNS ID = 0, UDP source port = 0 and UDP checksum = 0. Per packet
 * the generator copies it, writes ID and source port, and finishes the UDP
 * checksum from the precomputed partial sum: three stores and a fold.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config/plan.h"

/** Largest query frame we build: Ethernet + IPv6 + UDP + header + name + OPT. */
#define DV_QUERY_FRAME_MAX 384

/** Addresses of one side of the wire. */
struct dv_endpoints {
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	struct dv_addr src;  /**< family decides IPv4 or IPv6 */
	struct dv_addr dst;  /**< same family as src */
	uint16_t dport;      /**< host order */
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

/** Templates for every (query, family) of a run: index = qidx * DV_FAMILIES + family. */
struct dv_tmpl_set {
	uint8_t *arena;
	size_t arena_len;
	struct dv_frame_tmpl *t;
	size_t n;              /**< = queries * DV_FAMILIES; families not used have len 0 */
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

/**
 * Build templates for all queries of the plan over the given endpoints
 * (ep[DV_FAMILY_V4], ep[DV_FAMILY_V6]; an endpoint with src.family 0 is skipped).
 * @return 0 or negative errno (reported with dv_err)
 */
int dv_tmpl_set_build(struct dv_tmpl_set *set, const struct dv_query_list *ql,
		      const struct dv_endpoints ep[DV_FAMILIES], int edns_size, bool dnssec_ok);

/** Free a template set. */
void dv_tmpl_set_free(struct dv_tmpl_set *set);

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
