/**
 * @file response.h
 * @brief Classify a received frame and read the DNS fields the matcher needs.
 *
 * Bounded, allocation-free parser for the collector's hot path: every length
 * is checked against the frame; any input, however malformed, is classified.
 */
#pragma once

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/types.h"

/** What a received frame is. */
enum dv_pkt_class {
	DV_PKT_DNS = 0,   /**< a UDP datagram from the DNS port with a parseable header */
	DV_PKT_FRAGMENT,  /**< IPv4 MF/offset or an IPv6 Fragment header */
	DV_PKT_ICMP,      /**< ICMP or ICMPv6 other than ND */
	DV_PKT_ARP_ND,    /**< ARP, or ICMPv6 neighbour discovery / router messages */
	DV_PKT_OTHER,     /**< well-formed but not for us (other protocol or port) */
	DV_PKT_MALFORMED, /**< truncated or inconsistent headers */
	DV_PKT_CLASSES
};

/** Fields of a DNS response frame. Pointers point into the frame. */
struct dv_resp_info {
	int family;          /**< AF_INET or AF_INET6 */
	uint16_t sport;      /**< host order (the server's port) */
	uint16_t dport;      /**< host order (our source port) */
	uint16_t id;         /**< DNS ID, host order */
	uint16_t flags;      /**< DNS flags word, host order */
	uint8_t rcode;       /**< header RCODE (4 bits) */
	uint8_t qr, tc;      /**< flag bits */
	uint16_t qdcount, ancount, arcount;
	const uint8_t *qname; /**< question name (uncompressed, as sent); NULL if qdcount 0 */
	uint8_t qname_len;
	uint16_t qtype;      /**< host order */
	const uint8_t *dns;  /**< DNS message */
	uint16_t dns_len;    /**< bytes of it in the frame */
	uint16_t msg_len;    /**< its length (the UDP header's): > dns_len when cut */
	bool cut;            /**< a datagram the port reassembled and cut to its frame size */
	const uint8_t *l3;   /**< IP header */
};

/**
 * Classify a frame and, for DNS, fill ri.
 * @param frame Ethernet frame (an optional single 802.1Q tag is skipped)
 * @param dns_port only UDP datagrams from this source port count as DNS (host order)
 */
enum dv_pkt_class dv_response_parse(const uint8_t *frame, size_t len, uint16_t dns_port,
				    struct dv_resp_info *ri);

/**
 * A frame dv_response_parse() calls malformed, from a port that reassembles
 * IPv4 for us (af_packet's PACKET_FANOUT_FLAG_DEFRAG): an IPv4 UDP datagram
 * from dns_port, no fragment, whose IP length exceeds the frame because the
 * port cut the reassembled datagram to its frame size. Its DNS header and
 * question must be there.
 * @return DV_PKT_DNS (ri filled, ri->cut set) or DV_PKT_MALFORMED
 */
enum dv_pkt_class dv_response_parse_cut(const uint8_t *frame, size_t len, uint16_t dns_port,
					struct dv_resp_info *ri);

/**
 * Read a DNS message that came without its frame (over TCP: reassembled
 * from a stream, of which the first `have` bytes were kept). The DNS header
 * and question must be within them. ri's ports are 0 and l3 is NULL: the
 * connection, not the frame, says where it came from.
 * @param msg_len the message's whole length (its 2-byte prefix), >= have
 * @return 0, or -EBADMSG
 */
int dv_response_parse_msg(const uint8_t *dns, size_t have, size_t msg_len, int family,
			  struct dv_resp_info *ri);

/**
 * The edns-tcp-keepalive option (RFC 7828, option code 11) of a response's
 * OPT record, if the message (the first `len` bytes of it) holds one with a
 * TIMEOUT. Every name and record is walked within len; any malformation or
 * a cut before the OPT record is "none".
 * @return 0 (*timeout_100ms set), or -ENOENT
 */
int dv_response_keepalive(const uint8_t *dns, size_t len, uint16_t *timeout_100ms);

/** Name of a class, for reports ("dns", "fragment", ...). */
const char *dv_pkt_class_name(enum dv_pkt_class c);
