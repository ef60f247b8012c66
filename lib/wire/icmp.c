/**
 * @file icmp.c
 * @brief Bounded parsing of ICMP and ICMPv6 error messages (collector path).
 *
 * The outer headers are walked by dv_frame_walk_ip() (response.c). The
 * quoted original datagram is usually cut short by the reporter, so it is
 * read field by field, each read checked against the end of the ICMP
 * message (the outer IP packet's length, which the walk checked against the
 * frame), never against the quoted packet's own length fields. Checksums
 * are not verified.
 */
#include "wire/icmp.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "wire/frame_parse.h"

#define ICMP_HLEN 8 /* type, code, checksum, 4 type-specific bytes; then the quote */

#define ICMP4_DEST_UNREACH   3
#define ICMP4_SOURCE_QUENCH  4
#define ICMP4_REDIRECT       5
#define ICMP4_TIME_EXCEEDED  11
#define ICMP4_PARAM_PROBLEM  12
#define ICMP4_CODE_PORT      3
#define ICMP4_CODE_FRAG_NEEDED 4

#define ICMP6_DEST_UNREACH   1
#define ICMP6_PACKET_TOO_BIG 2
#define ICMP6_TIME_EXCEEDED  3
#define ICMP6_CODE_PORT      4
#define ICMP6_INFO_FIRST     128 /* echo, MLD, ND, ...: not errors (RFC 4443 2.1) */

#define CODE_TTL   0 /* time exceeded in transit / hop limit exceeded */
#define CODE_REASM 1 /* fragment reassembly time exceeded */

/** Time exceeded codes, the same in both families. */
static enum dv_icmp_kind time_exceeded(uint8_t code)
{
	switch (code) {
	case CODE_TTL:   return DV_ICMP_TTL_EXCEEDED;
	case CODE_REASM: return DV_ICMP_REASM_EXCEEDED;
	default:         return DV_ICMP_OTHER;
	}
}

/**
 * Kind of an ICMPv4 message. Only error messages quote a datagram: 3, 4,
 * 5, 11, 12. Everything else (echo, router, timestamp, mask, unassigned
 * types, which RFC 1122 3.2.2 says to discard) is not an error.
 */
static int kind4(struct dv_icmp_info *ii)
{
	switch (ii->type) {
	case ICMP4_DEST_UNREACH:
		if (ii->code == ICMP4_CODE_PORT) {
			ii->kind = DV_ICMP_PORT_UNREACH;
		} else if (ii->code == ICMP4_CODE_FRAG_NEEDED) {
			ii->kind = DV_ICMP_TOO_BIG;
		} else {
			ii->kind = DV_ICMP_DEST_UNREACH;
		}
		return 0;
	case ICMP4_TIME_EXCEEDED:
		ii->kind = time_exceeded(ii->code);
		return 0;
	case ICMP4_SOURCE_QUENCH:
	case ICMP4_REDIRECT:
	case ICMP4_PARAM_PROBLEM:
		ii->kind = DV_ICMP_OTHER;
		return 0;
	default:
		return -ENOMSG;
	}
}

/** Kind of an ICMPv6 message: types below 128 are errors (RFC 4443 2.1). */
static int kind6(struct dv_icmp_info *ii)
{
	if (ii->type >= ICMP6_INFO_FIRST)
		return -ENOMSG;
	switch (ii->type) {
	case ICMP6_DEST_UNREACH:
		ii->kind = ii->code == ICMP6_CODE_PORT ? DV_ICMP_PORT_UNREACH : DV_ICMP_DEST_UNREACH;
		break;
	case ICMP6_PACKET_TOO_BIG:
		ii->kind = DV_ICMP_TOO_BIG;
		break;
	case ICMP6_TIME_EXCEEDED:
		ii->kind = time_exceeded(ii->code);
		break;
	default:
		ii->kind = DV_ICMP_OTHER; /* parameter problem, unassigned errors */
		break;
	}
	return 0;
}

/**
 * The quoted original: an IP header of the ICMP packet's family, and if it
 * carries UDP, the UDP header and the DNS ID as far as the quote reaches.
 */
static void read_quote(const uint8_t *q, size_t qlen, int family, struct dv_icmp_info *ii)
{
	size_t pos;
	uint8_t proto;
	if (family == AF_INET) {
		if (qlen < DV_IPV4_HLEN || (q[0] >> 4) != 4)
			return;
		size_t ihl = (size_t)(q[0] & 0x0f) * 4;
		if (ihl < DV_IPV4_HLEN || ihl > qlen)
			return;
		ii->orig_dst = q + 16;
		/* A non-first fragment has no UDP header to quote. */
		if (dv_rd16(q + 6) & DV_IPV4_OFFMASK)
			return;
		proto = q[9];
		pos = ihl;
	} else {
		if (qlen < DV_IPV6_HLEN || (q[0] >> 4) != 6)
			return;
		ii->orig_dst = q + 24;
		proto = q[6];
		pos = DV_IPV6_HLEN;
		/* Extension headers are walked as far as the quote holds them;
		 * a Fragment header ends the walk (not UDP). */
		if (dv_ipv6_skip_ext(q, &pos, qlen, &proto) != 0)
			return;
	}
	if (proto != DV_IPPROTO_UDP || qlen - pos < DV_UDP_HLEN)
		return;
	ii->has_orig = true;
	ii->orig_sport = dv_rd16(q + pos);
	ii->orig_dport = dv_rd16(q + pos + 2);
	if (qlen - pos < DV_UDP_HLEN + 2)
		return;
	ii->has_dns_id = true;
	ii->dns_id = dv_rd16(q + pos + DV_UDP_HLEN);
}

int dv_icmp_parse(const uint8_t *frame, size_t len, struct dv_icmp_info *ii)
{
	struct dv_ip_view w;
	enum dv_pkt_class cls;

	if (ii == NULL)
		return -EINVAL;
	memset(ii, 0, sizeof(*ii));
	if (!dv_frame_walk_ip(frame, len, &w, &cls) || w.frag)
		return -EBADMSG;
	if (w.proto != (w.family == AF_INET ? DV_IPPROTO_ICMP : DV_IPPROTO_ICMPV6))
		return -EBADMSG;
	/* Every ICMP message has type, code and checksum. */
	if (w.l4_len < 4)
		return -EBADMSG;

	const uint8_t *ip = frame + w.l3_off;
	const uint8_t *icmp = frame + w.l4_off;
	ii->family = w.family;
	ii->type = icmp[0];
	ii->code = icmp[1];
	int ret = w.family == AF_INET ? kind4(ii) : kind6(ii);
	if (ret < 0) {
		ii->kind = DV_ICMP_OTHER;
		return ret;
	}
	/* Errors have 4 more bytes (unused, MTU, pointer) before the quote. */
	if (w.l4_len < ICMP_HLEN)
		return -EBADMSG;
	if (ii->kind == DV_ICMP_TOO_BIG) {
		/* v4: next-hop MTU in bytes 6-7 (RFC 1191; 0 from older routers) */
		ii->mtu = w.family == AF_INET ? dv_rd16(icmp + 6) : dv_rd32(icmp + 4);
	}
	ii->reporter = w.family == AF_INET ? ip + 12 : ip + 8;
	read_quote(icmp + ICMP_HLEN, (size_t)w.l4_len - ICMP_HLEN, w.family, ii);
	return 0;
}

const char *dv_icmp_kind_name(enum dv_icmp_kind k)
{
	switch (k) {
	case DV_ICMP_PORT_UNREACH:   return "port-unreachable";
	case DV_ICMP_DEST_UNREACH:   return "unreachable";
	case DV_ICMP_TOO_BIG:        return "too-big";
	case DV_ICMP_TTL_EXCEEDED:   return "ttl-exceeded";
	case DV_ICMP_REASM_EXCEEDED: return "reassembly-time-exceeded";
	case DV_ICMP_OTHER:          return "other";
	default:                     return "unknown";
	}
}
