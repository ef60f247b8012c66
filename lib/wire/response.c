/**
 * @file response.c
 * @brief Bounded classification of received frames (collector hot path).
 *
 * No allocation, no ldns, no printing: every read is preceded by a length
 * check against the frame or the enclosing header's own length field.
 */
#include "wire/response.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "wire/frame_parse.h"

/* ICMPv6 router/neighbour discovery: RS, RA, NS, NA, Redirect. */
#define ICMPV6_ND_FIRST 133
#define ICMPV6_ND_LAST  137

/** Classify what follows the IP header(s) given its protocol. */
static inline enum dv_pkt_class classify_l4(const uint8_t *frame, size_t l4_off, size_t l4_len,
				     uint8_t proto, struct dv_frame_view *v)
{
	switch (proto) {
	case DV_IPPROTO_ICMP:
		return DV_PKT_ICMP;
	case DV_IPPROTO_ICMPV6:
		if (v->family != AF_INET6)
			return DV_PKT_OTHER;
		if (l4_len < 1)
			return DV_PKT_MALFORMED;
		if (frame[l4_off] >= ICMPV6_ND_FIRST && frame[l4_off] <= ICMPV6_ND_LAST)
			return DV_PKT_ARP_ND;
		return DV_PKT_ICMP;
	case DV_IPPROTO_UDP:
		break;
	default:
		return DV_PKT_OTHER;
	}

	if (l4_len < DV_UDP_HLEN)
		return DV_PKT_MALFORMED;
	const uint8_t *udp = frame + l4_off;
	uint16_t ulen = dv_rd16(udp + 4);
	/* The UDP length must agree with the IP length: a datagram that claims
	 * more than the packet holds was cut, one that claims less than its own
	 * header is nonsense. Trailing bytes beyond it (padding) are allowed. */
	if (ulen < DV_UDP_HLEN || ulen > l4_len)
		return DV_PKT_MALFORMED;
	v->l4_off = (uint16_t)l4_off;
	v->ip_hlen = (uint16_t)(l4_off - v->l3_off);
	v->udp_len = ulen;
	v->sport = dv_rd16(udp);
	v->dport = dv_rd16(udp + 2);
	return DV_PKT_DNS;
}

static inline bool walk_ipv4(const uint8_t *frame, size_t len, size_t off, struct dv_ip_view *w,
		      enum dv_pkt_class *cls)
{
	if (len - off < DV_IPV4_HLEN)
		goto malformed;
	const uint8_t *ip = frame + off;
	if ((ip[0] >> 4) != 4)
		goto malformed;
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
	size_t tot = dv_rd16(ip + 2);
	if (ihl < DV_IPV4_HLEN || tot < ihl || tot > len - off)
		goto malformed;
	w->family = AF_INET;
	w->l3_off = (uint16_t)off;
	w->l4_off = (uint16_t)(off + ihl);
	w->l4_len = (uint16_t)(tot - ihl);
	w->proto = ip[9];
	w->frag = (dv_rd16(ip + 6) & (DV_IPV4_MF | DV_IPV4_OFFMASK)) != 0; /* DF is fine */
	return true;
malformed:
	*cls = DV_PKT_MALFORMED;
	return false;
}

static inline bool walk_ipv6(const uint8_t *frame, size_t len, size_t off, struct dv_ip_view *w,
		      enum dv_pkt_class *cls)
{
	if (len - off < DV_IPV6_HLEN)
		goto malformed;
	const uint8_t *ip = frame + off;
	if ((ip[0] >> 4) != 6)
		goto malformed;
	size_t plen = dv_rd16(ip + 4);
	if (plen > len - off - DV_IPV6_HLEN)
		goto malformed;
	uint8_t nh = ip[6];
	size_t pos = off + DV_IPV6_HLEN;
	size_t end = pos + plen;
	if (dv_ipv6_skip_ext(frame, &pos, end, &nh) != 0)
		goto malformed;
	w->family = AF_INET6;
	w->l3_off = (uint16_t)off;
	w->l4_off = (uint16_t)pos;
	w->l4_len = (uint16_t)(end - pos);
	w->proto = nh;
	w->frag = nh == DV_IPPROTO_FRAGMENT;
	/* A Fragment header cut short is no fragment: every counter must say the same. */
	if (w->frag && w->l4_len < DV_IPV6_FRAG_HLEN)
		goto malformed;
	return true;
malformed:
	*cls = DV_PKT_MALFORMED;
	return false;
}

/* The one walk; static so that the hot path gets it inlined. */
static inline bool walk_ip(const uint8_t *frame, size_t len, struct dv_ip_view *w,
			   enum dv_pkt_class *cls)
{
	/* Offsets are stored in 16 bits; no Ethernet frame comes near that. */
	if (frame == NULL || len < DV_ETH_HLEN || len > UINT16_MAX) {
		*cls = DV_PKT_MALFORMED;
		return false;
	}
	size_t off = DV_ETH_HLEN;
	uint16_t type = dv_rd16(frame + 12);
	if (type == DV_ETHERTYPE_VLAN) {
		if (len < DV_ETH_HLEN + DV_VLAN_HLEN) {
			*cls = DV_PKT_MALFORMED;
			return false;
		}
		type = dv_rd16(frame + 16);
		off += DV_VLAN_HLEN;
	}
	switch (type) {
	case DV_ETHERTYPE_IPV4:
		return walk_ipv4(frame, len, off, w, cls);
	case DV_ETHERTYPE_IPV6:
		return walk_ipv6(frame, len, off, w, cls);
	case DV_ETHERTYPE_ARP:
		*cls = DV_PKT_ARP_ND;
		return false;
	default:
		*cls = DV_PKT_OTHER;
		return false;
	}
}

bool dv_frame_walk_ip(const uint8_t *frame, size_t len, struct dv_ip_view *w,
		      enum dv_pkt_class *cls)
{
	return walk_ip(frame, len, w, cls);
}

/* The UDP walk and the question's parse are inlined into dv_response_parse(),
 * the collector's per-frame call: one call per frame instead of five. */
static inline enum dv_pkt_class frame_parse_udp(const uint8_t *frame, size_t len,
						struct dv_frame_view *v)
{
	struct dv_ip_view w;
	enum dv_pkt_class c;
	if (!walk_ip(frame, len, &w, &c))
		return c;
	if (w.frag)
		return DV_PKT_FRAGMENT;
	v->family = w.family;
	v->l3_off = w.l3_off;
	return classify_l4(frame, w.l4_off, w.l4_len, w.proto, v);
}

enum dv_pkt_class dv_frame_parse_udp(const uint8_t *frame, size_t len, struct dv_frame_view *v)
{
	return frame_parse_udp(frame, len, v);
}

static inline int dns_parse_question(const uint8_t *dns, size_t len, struct dv_dns_view *d)
{
	if (len < DV_DNS_HLEN)
		return -EBADMSG;
	d->id = dv_rd16(dns);
	d->flags = dv_rd16(dns + 2);
	d->qdcount = dv_rd16(dns + 4);
	d->ancount = dv_rd16(dns + 6);
	d->nscount = dv_rd16(dns + 8);
	d->arcount = dv_rd16(dns + 10);
	d->qname = NULL;
	d->qname_len = 0;
	d->qtype = 0;
	d->qclass = 0;
	d->q_end = DV_DNS_HLEN;
	if (d->qdcount == 0)
		return 0;

	/* Labels only: the matcher compares the name byte for byte with what we
	 * sent, and a pointer in the first name can only point into the header. */
	size_t pos = DV_DNS_HLEN;
	for (;;) {
		if (pos >= len)
			return -EBADMSG;
		uint8_t l = dns[pos];
		if (l & 0xc0)
			return -EBADMSG;
		pos += 1 + (size_t)l;
		if (pos - DV_DNS_HLEN > 255)
			return -EBADMSG;
		if (l == 0)
			break;
	}
	if (len - pos < 4)
		return -EBADMSG;
	d->qname = dns + DV_DNS_HLEN;
	d->qname_len = (uint8_t)(pos - DV_DNS_HLEN);
	d->qtype = dv_rd16(dns + pos);
	d->qclass = dv_rd16(dns + pos + 2);
	d->q_end = (uint16_t)(pos + 4);
	return 0;
}

int dv_dns_parse_question(const uint8_t *dns, size_t len, struct dv_dns_view *d)
{
	return dns_parse_question(dns, len, d);
}

/* A response's fields: have bytes of a msg_len-byte message at dns (cut when fewer). */
static inline void fill_ri(struct dv_resp_info *ri, int family, uint16_t sport, uint16_t dport,
			   const struct dv_dns_view *d, const uint8_t *dns, size_t have, size_t msg_len,
			   const uint8_t *l3)
{
	ri->family = family;
	ri->sport = sport;
	ri->dport = dport;
	ri->id = d->id;
	ri->flags = d->flags;
	ri->rcode = (uint8_t)(d->flags & DV_DNS_RCODE);
	ri->qr = (d->flags & DV_DNS_QR) != 0;
	ri->tc = (d->flags & DV_DNS_TC) != 0;
	ri->qdcount = d->qdcount;
	ri->ancount = d->ancount;
	ri->arcount = d->arcount;
	ri->qname = d->qname;
	ri->qname_len = d->qname_len;
	ri->qtype = d->qtype;
	ri->dns = dns;
	ri->dns_len = (uint16_t)have;
	ri->msg_len = (uint16_t)msg_len;
	ri->cut = have < msg_len;
	ri->l3 = l3;
}

enum dv_pkt_class dv_response_parse(const uint8_t *frame, size_t len, uint16_t dns_port,
				    struct dv_resp_info *ri)
{
	struct dv_frame_view v;
	enum dv_pkt_class c = frame_parse_udp(frame, len, &v);
	if (c != DV_PKT_DNS)
		return c;
	if (v.sport != dns_port)
		return DV_PKT_OTHER;

	const uint8_t *dns = frame + v.l4_off + DV_UDP_HLEN;
	size_t dns_len = v.udp_len - DV_UDP_HLEN;
	struct dv_dns_view d;
	if (dns_parse_question(dns, dns_len, &d) != 0)
		return DV_PKT_MALFORMED;

	fill_ri(ri, v.family, v.sport, v.dport, &d, dns, dns_len, dns_len, frame + v.l3_off);
	return DV_PKT_DNS;
}

int dv_response_parse_msg(const uint8_t *dns, size_t have, size_t msg_len, int family,
			  struct dv_resp_info *ri)
{
	struct dv_dns_view d;
	if (dns == NULL || have > msg_len || msg_len > UINT16_MAX ||
	    dv_dns_parse_question(dns, have, &d) != 0)
		return -EBADMSG;
	fill_ri(ri, family, 0, 0, &d, dns, have, msg_len, NULL);
	return 0;
}

enum dv_pkt_class dv_response_parse_cut(const uint8_t *frame, size_t len, uint16_t dns_port,
					struct dv_resp_info *ri)
{
	if (frame == NULL || len < DV_ETH_HLEN || len > UINT16_MAX)
		return DV_PKT_MALFORMED;
	size_t off = DV_ETH_HLEN;
	uint16_t type = dv_rd16(frame + 12);
	if (type == DV_ETHERTYPE_VLAN) {
		if (len < DV_ETH_HLEN + DV_VLAN_HLEN)
			return DV_PKT_MALFORMED;
		type = dv_rd16(frame + 16);
		off += DV_VLAN_HLEN;
	}
	if (type != DV_ETHERTYPE_IPV4 || len - off < DV_IPV4_HLEN)
		return DV_PKT_MALFORMED;
	const uint8_t *ip = frame + off;
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
	size_t tot = dv_rd16(ip + 2);
	/* Only what the port's cut explains: a whole datagram, longer than the frame. */
	if ((ip[0] >> 4) != 4 || ihl < DV_IPV4_HLEN || tot <= len - off || ip[9] != DV_IPPROTO_UDP ||
	    (dv_rd16(ip + 6) & (DV_IPV4_MF | DV_IPV4_OFFMASK)) != 0 ||
	    len - off < ihl + DV_UDP_HLEN + DV_DNS_HLEN)
		return DV_PKT_MALFORMED;
	const uint8_t *udp = ip + ihl;
	size_t udp_len = dv_rd16(udp + 4);
	if (dv_rd16(udp) != dns_port || udp_len != tot - ihl)
		return DV_PKT_MALFORMED;
	const uint8_t *dns = udp + DV_UDP_HLEN;
	size_t have = len - off - ihl - DV_UDP_HLEN;
	struct dv_dns_view d;
	if (dv_dns_parse_question(dns, have, &d) != 0)
		return DV_PKT_MALFORMED;
	fill_ri(ri, AF_INET, dns_port, dv_rd16(udp + 2), &d, dns, have, udp_len - DV_UDP_HLEN, ip);
	return DV_PKT_DNS;
}

const char *dv_pkt_class_name(enum dv_pkt_class c)
{
	switch (c) {
	case DV_PKT_DNS:       return "dns";
	case DV_PKT_FRAGMENT:  return "fragment";
	case DV_PKT_ICMP:      return "icmp";
	case DV_PKT_ARP_ND:    return "arp_nd";
	case DV_PKT_OTHER:     return "other";
	case DV_PKT_MALFORMED: return "malformed";
	default:               return "unknown";
	}
}

int dv_response_keepalive(const uint8_t *dns, size_t len, uint16_t *timeout_100ms)
{
	if (dns == NULL || len < DV_DNS_HLEN)
		return -ENOENT;
	unsigned qd = dv_rd16(dns + 4);
	unsigned rrs = (unsigned)dv_rd16(dns + 6) + dv_rd16(dns + 8) + dv_rd16(dns + 10);
	unsigned ar_first = rrs - dv_rd16(dns + 10);
	size_t p = DV_DNS_HLEN;
	for (unsigned i = 0; i < qd; i++) {
		if (dv_dns_skip_name(dns, len, &p) != 0 || len - p < 4)
			return -ENOENT;
		p += 4;
	}
	for (unsigned i = 0; i < rrs; i++) {
		if (dv_dns_skip_name(dns, len, &p) != 0 || len - p < 10)
			return -ENOENT;
		uint16_t type = dv_rd16(dns + p);
		size_t rdlen = dv_rd16(dns + p + 8);
		p += 10;
		if (rdlen > len - p)
			return -ENOENT;
		if (i >= ar_first && type == DV_DNS_TYPE_OPT) {
			/* Options: code, length, data. */
			size_t o = p, end = p + rdlen;
			while (end - o >= 4) {
				uint16_t code = dv_rd16(dns + o), olen = dv_rd16(dns + o + 2);
				if (olen > end - o - 4)
					return -ENOENT;
				if (code == 11 && olen == 2) {
					*timeout_100ms = dv_rd16(dns + o + 4);
					return 0;
				}
				o += 4u + olen;
			}
			return -ENOENT;
		}
		p += rdlen;
	}
	return -ENOENT;
}
