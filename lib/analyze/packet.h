/**
 * @file packet.h
 * @brief A DNS query out of a captured IP packet (dnsvolley analyze): the
 *        fields the APNIC tables need, read within the bytes captured.
 *
 * Bounded and allocation-free: any input, however malformed or cut, is
 * classified. IPv4 and IPv6 (hop-by-hop, routing and destination options
 * skipped), UDP or TCP to the DNS port; a TCP segment counts when its
 * payload starts with a whole message (the 2-byte length and the message:
 * a resolver's first segment). Fragments are not reassembled (counted).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** What a captured packet is, to the analysis. */
enum dv_seen_kind {
	DV_SEEN_QUERY = 0,  /**< a DNS query to the port: q is filled */
	DV_SEEN_RESPONSE,   /**< a DNS message from the port (QR=1) */
	DV_SEEN_FRAGMENT,   /**< an IP fragment (not reassembled) */
	DV_SEEN_OTHER,      /**< not DNS on the port (other protocol, port, or no whole message) */
	DV_SEEN_MALFORMED,  /**< cut or inconsistent headers, or a DNS message that does not parse */
	DV_SEEN_KINDS
};

/** A query as the server saw it. */
struct dv_seen_query {
	uint8_t family;       /**< DV_FAMILY_V4 / V6 (core/types.h) */
	bool tcp;
	uint8_t src[16];      /**< source address (4 bytes used for IPv4) */
	uint8_t qname[255];   /**< the question's name, wire form, lower case */
	uint8_t qname_len;
	uint16_t qtype;
	bool edns;            /**< an OPT record */
	uint16_t edns_size;   /**< its UDP payload size */
	bool dnssec_ok;       /**< DO */
	bool tc;              /**< a response with TC=1 (DV_SEEN_RESPONSE) */
};

/**
 * Read an IP packet (l3: the first byte of the IPv4 or IPv6 header, len
 * bytes captured).
 * @param port the DNS port (53): queries go to it, responses come from it
 * @return what it is; q filled for DV_SEEN_QUERY (and family, tc for RESPONSE)
 */
enum dv_seen_kind dv_seen_parse(const uint8_t *l3, size_t len, uint16_t port, struct dv_seen_query *q);
