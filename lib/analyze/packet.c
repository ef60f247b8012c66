/*
 * A DNS query out of a captured IP packet (packet.h). Every offset is
 * checked against the bytes captured before it is read.
 */
#include "analyze/packet.h"

#include <string.h>

#include "core/hash.h"
#include "wire/frame_parse.h"
#include "core/types.h"

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_DSTOPTS_ 60
#define DNS_HLEN 12
#define TYPE_OPT 41

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The DNS message: a query's question and OPT, or a response's TC. */
static enum dv_seen_kind dns_of(const uint8_t *m, size_t len, bool to_port, struct dv_seen_query *q)
{
	if (len < DNS_HLEN)
		return DV_SEEN_MALFORMED;
	uint16_t flags = rd16(m + 2);
	bool qr = flags & 0x8000;
	if (qr || !to_port) {
		if (!qr || to_port)
			return DV_SEEN_OTHER;
		q->tc = (flags & 0x0200) != 0;
		return DV_SEEN_RESPONSE;
	}
	if (((flags >> 11) & 15) != 0 || rd16(m + 4) != 1)
		return DV_SEEN_OTHER; /* no standard query of one question */
	/* The question's name, uncompressed (a query's is), lower-cased. */
	size_t off = DNS_HLEN, n = 0;
	for (;;) {
		if (off >= len)
			return DV_SEEN_MALFORMED;
		uint8_t l = m[off];
		if (l & 0xc0)
			return DV_SEEN_MALFORMED;
		if (off + 1u + l > len || n + 1u + l > sizeof(q->qname))
			return DV_SEEN_MALFORMED;
		q->qname[n++] = l;
		for (unsigned i = 1; i <= l; i++)
			q->qname[n++] = dv_ascii_lower(m[off + i]);
		off += 1u + l;
		if (l == 0)
			break;
	}
	if (off + 4 > len)
		return DV_SEEN_MALFORMED;
	q->qname_len = (uint8_t)n;
	q->qtype = rd16(m + off);
	off += 4;
	/* The OPT, in the additional section (answer and authority are empty in a query, but skipped). */
	unsigned rrs = (unsigned)rd16(m + 6) + rd16(m + 8), ar = rd16(m + 10);
	for (unsigned i = 0; i < rrs + ar; i++) {
		size_t end = off;
		if (dv_dns_skip_name(m, len, &end) != 0 || end + 10 > len)
			return DV_SEEN_MALFORMED;
		uint16_t type = rd16(m + end), rdlen = rd16(m + end + 8);
		if (end + 10 + rdlen > len)
			return DV_SEEN_MALFORMED;
		if (i >= rrs && type == TYPE_OPT && !q->edns) {
			q->edns = true;
			q->edns_size = rd16(m + end + 2);
			q->dnssec_ok = (m[end + 6] & 0x80) != 0;
		}
		off = end + 10 + rdlen;
	}
	return DV_SEEN_QUERY;
}

/* UDP or TCP at l4 (len bytes), protocol proto. */
static enum dv_seen_kind transport_of(const uint8_t *l4, size_t len, uint8_t proto, uint16_t port,
				      struct dv_seen_query *q)
{
	if (proto == IPPROTO_UDP_) {
		if (len < 8)
			return DV_SEEN_MALFORMED;
		uint16_t sport = rd16(l4), dport = rd16(l4 + 2), ulen = rd16(l4 + 4);
		if (dport != port && sport != port)
			return DV_SEEN_OTHER;
		if (ulen < 8)
			return DV_SEEN_MALFORMED;
		size_t n = ulen - 8u < len - 8 ? ulen - 8u : len - 8;
		return dns_of(l4 + 8, n, dport == port, q);
	}
	if (proto == IPPROTO_TCP_) {
		if (len < 20)
			return DV_SEEN_MALFORMED;
		uint16_t sport = rd16(l4), dport = rd16(l4 + 2);
		size_t hl = (size_t)(l4[12] >> 4) * 4;
		if (dport != port && sport != port)
			return DV_SEEN_OTHER;
		if (hl < 20 || hl > len)
			return DV_SEEN_MALFORMED;
		/* A segment that starts a message and holds it whole. */
		if (len - hl < 2 || rd16(l4 + hl) > len - hl - 2)
			return DV_SEEN_OTHER;
		q->tcp = true;
		return dns_of(l4 + hl + 2, rd16(l4 + hl), dport == port, q);
	}
	return DV_SEEN_OTHER;
}

enum dv_seen_kind dv_seen_parse(const uint8_t *l3, size_t len, uint16_t port, struct dv_seen_query *q)
{
	memset(q, 0, sizeof(*q));
	if (l3 == NULL || len < 1)
		return DV_SEEN_MALFORMED;
	unsigned version = l3[0] >> 4;
	if (version == 4) {
		if (len < 20)
			return DV_SEEN_MALFORMED;
		size_t hl = (size_t)(l3[0] & 15) * 4, tot = rd16(l3 + 2);
		if (hl < 20 || tot < hl || hl > len)
			return DV_SEEN_MALFORMED;
		if (rd16(l3 + 6) & 0x3fff)
			return DV_SEEN_FRAGMENT; /* MF or an offset */
		q->family = DV_FAMILY_V4;
		memcpy(q->src, l3 + 12, 4);
		size_t end = tot < len ? tot : len;
		return transport_of(l3 + hl, end - hl, l3[9], port, q);
	}
	if (version == 6) {
		if (len < 40)
			return DV_SEEN_MALFORMED;
		q->family = DV_FAMILY_V6;
		memcpy(q->src, l3 + 8, 16);
		size_t end = 40u + rd16(l3 + 4) < len ? 40u + rd16(l3 + 4) : len;
		uint8_t next = l3[6];
		size_t off = 40;
		for (unsigned hops = 0; hops < 8; hops++) {
			if (next == IPPROTO_FRAGMENT_)
				return DV_SEEN_FRAGMENT;
			if (next != IPPROTO_HOPOPTS_ && next != IPPROTO_ROUTING_ && next != IPPROTO_DSTOPTS_)
				return transport_of(l3 + off, end > off ? end - off : 0, next, port, q);
			if (off + 8 > end)
				return DV_SEEN_MALFORMED;
			next = l3[off];
			off += ((size_t)l3[off + 1] + 1) * 8;
		}
		return DV_SEEN_OTHER;
	}
	return DV_SEEN_MALFORMED;
}
