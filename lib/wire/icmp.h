/**
 * @file icmp.h
 * @brief ICMP and ICMPv6 errors about our queries: what went wrong, and which
 *        query it was (from the original datagram the error quotes).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** The errors we tell apart. */
enum dv_icmp_kind {
	DV_ICMP_PORT_UNREACH = 0, /**< v4 3/3, v6 1/4 */
	DV_ICMP_DEST_UNREACH,     /**< other destination unreachable codes */
	DV_ICMP_TOO_BIG,          /**< v4 3/4 fragmentation needed, v6 2 packet too big (with MTU) */
	DV_ICMP_TTL_EXCEEDED,     /**< v4 11/0, v6 3/0 */
	DV_ICMP_REASM_EXCEEDED,   /**< v4 11/1, v6 3/1: fragment reassembly time exceeded */
	DV_ICMP_OTHER,            /**< other errors (parameter problem, ...) */
	DV_ICMP_KINDS
};

/** An ICMP error. Pointers point into the frame. */
struct dv_icmp_info {
	int family;               /**< AF_INET or AF_INET6 (of the ICMP packet) */
	uint8_t type, code;
	enum dv_icmp_kind kind;
	uint32_t mtu;             /**< for DV_ICMP_TOO_BIG, else 0 */
	const uint8_t *reporter;  /**< source address of the ICMP packet (4 or 16 bytes) */
	/* the quoted original datagram (our query) */
	bool has_orig;            /**< an IP + UDP header of the same family is quoted */
	const uint8_t *orig_dst;  /**< destination of the original (the target); set whenever an
				       IP header of the same family is quoted, even if has_orig is
				       false (not UDP, or cut before the ports); else NULL */
	uint16_t orig_sport;      /**< our source port, host order */
	uint16_t orig_dport;
	bool has_dns_id;          /**< the quote reaches the DNS ID */
	uint16_t dns_id;
};

/**
 * Parse a frame that dv_response_parse() classified as DV_PKT_ICMP.
 * Echo, router and neighbour messages are not errors: -ENOMSG (ICMPv4: every
 * type but 3, 4, 5, 11 and 12; ICMPv6: types 128 and up). A message that
 * quotes nothing usable is still parsed (0, has_orig false). Checksums are
 * not verified.
 * @return 0, -ENOMSG (not an error message), or -EBADMSG
 */
int dv_icmp_parse(const uint8_t *frame, size_t len, struct dv_icmp_info *ii);

/** Short name of a kind ("port-unreachable", "too-big", ...). */
const char *dv_icmp_kind_name(enum dv_icmp_kind k);
