/**
 * @file fragment.h
 * @brief What a received IP fragment says: which datagram it belongs to and,
 *        for a first fragment, which of our queries it answers.
 *
 * Bounded parser for the collector (no allocation, any input). A first
 * fragment (offset 0) of a UDP datagram carries the UDP header and, if long
 * enough, the DNS ID: enough to attribute a lost fragment set to its attempt.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** One fragment. Pointers point into the frame. */
struct dv_frag_info {
	int family;              /**< AF_INET or AF_INET6 */
	const uint8_t *src;      /**< source address (4 or 16 bytes) */
	const uint8_t *dst;      /**< destination address */
	uint32_t ip_id;          /**< IPv4 identification (16 bits) or IPv6 fragment header ID */
	uint32_t offset;         /**< fragment offset in bytes */
	bool more;               /**< MF / M flag */
	uint8_t proto;           /**< upper-layer protocol (IPv4 protocol, IPv6 fragment header's next header) */
	uint16_t l3_off;         /**< IP header offset in the frame */
	uint16_t payload_len;    /**< bytes of fragment payload in this packet */
	/* first fragment of a UDP datagram only */
	bool has_udp;            /**< offset 0, proto UDP, 8 bytes of UDP header present */
	uint16_t sport, dport;   /**< host order */
	uint16_t udp_len;        /**< the whole datagram's UDP length (header + DNS message) */
	bool has_dns_id;         /**< 2 more bytes present */
	uint16_t dns_id;
};

/**
 * Parse a frame that dv_response_parse() classified as DV_PKT_FRAGMENT.
 * @return 0, or -EBADMSG if it is not a well-formed fragment
 */
int dv_frag_parse(const uint8_t *frame, size_t len, struct dv_frag_info *fi);
