/**
 * @file arp_nd.h
 * @brief ARP (RFC 826) and IPv6 Neighbor Discovery (RFC 4861) frames: what
 *        dnsvolley needs to own a port no kernel answers for: resolve the
 *        next hop, answer for its source addresses, announce them.
 *
 * Builders write a whole Ethernet frame (an 802.1Q tag when vlan != 0);
 * parsers skip one tag. Addresses are in network byte order.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Room a built frame needs: Ethernet + tag + IPv6 + NA with one option. */
#define DV_ND_FRAME_MAX 96

/** What an ARP or Neighbor Discovery packet is. */
enum dv_nd_kind {
	DV_ND_REQUEST = 0, /**< ARP request, Neighbor Solicitation */
	DV_ND_REPLY,       /**< ARP reply, Neighbor Advertisement */
};

/** An ARP or ND packet, parsed. */
struct dv_nd_info {
	int family;             /**< AF_INET (ARP) or AF_INET6 (NDP) */
	enum dv_nd_kind kind;
	uint16_t vlan;          /**< its 802.1Q VLAN ID, 0 = untagged */
	uint8_t eth_src[6];     /**< Ethernet source */
	uint8_t mac[6];         /**< ARP sender hardware address; NS source / NA target
				     link-layer option (else the Ethernet source) */
	uint8_t sender[16];     /**< ARP sender IP; IPv6 source address (all zero: DAD) */
	uint8_t target[16];     /**< ARP target IP; ND target address */
};

/**
 * Parse an ARP packet or an ICMPv6 Neighbor Solicitation / Advertisement
 * (hop limit 255, code 0, as RFC 4861 7.1 requires).
 * @return 0, or -EINVAL for anything else (not ARP/ND, malformed)
 */
int dv_nd_parse(const uint8_t *frame, size_t len, struct dv_nd_info *ni);

/**
 * The answer to a request for one of our addresses (req->target): an ARP
 * reply to the sender, or a solicited Neighbor Advertisement (S, O) with our
 * link-layer address. Same VLAN as the request.
 * @param out at least DV_ND_FRAME_MAX bytes
 * @return the frame's length
 */
uint16_t dv_nd_build_reply(const struct dv_nd_info *req, const uint8_t our_mac[6], uint8_t *out);

/**
 * Ask for target's MAC: an ARP request (broadcast) or a Neighbor
 * Solicitation to its solicited-node multicast group.
 * @param family AF_INET or AF_INET6
 * @param our_ip our address (4 or 16 bytes), the sender
 * @return the frame's length
 */
uint16_t dv_nd_build_request(int family, const uint8_t our_mac[6], const uint8_t *our_ip,
			     const uint8_t *target, uint16_t vlan, uint8_t *out);

/**
 * Tell everyone that our_ip is at our_mac: a gratuitous ARP request
 * (sender = target = our_ip, broadcast) or an unsolicited Neighbor
 * Advertisement (O flag) to all nodes (ff02::1).
 * @return the frame's length
 */
uint16_t dv_nd_build_announce(int family, const uint8_t our_mac[6], const uint8_t *our_ip,
			      uint16_t vlan, uint8_t *out);
