/**
 * @file tcp.c
 * @brief TCP segments on the wire: parsed out of received frames (bounded,
 *        hot path) and built from a per-family template.
 *
 * The walk down to the TCP header is response.c's (dv_frame_walk_ip()); the
 * Ethernet and IP template is compose.c's (dv_l34_build()) with the protocol
 * changed. Sums are DPDK's, in 16-bit words of memory order, so header fields
 * are added in network byte order.
 */
#include "wire/tcp.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf_core.h>

#include "wire/frame_parse.h"

/* Option kinds (RFC 9293, RFC 7323) and the lengths we accept. */
#define OPT_EOL       0
#define OPT_NOP       1
#define OPT_MSS       2
#define OPT_WS        3
#define OPT_MSS_LEN   4
#define OPT_WS_LEN    3
#define WSCALE_MAX    14 /* RFC 7323 2.3: a larger shift is taken as 14 */

/* Header fields past the ports. */
#define TCP_SEQ_OFF   4
#define TCP_ACK_OFF   8
#define TCP_DOFF_OFF  12
#define TCP_FLAGS_OFF 13
#define TCP_WIN_OFF   14
#define TCP_CSUM_OFF  16
#define TCP_URG_OFF   18

/**
 * Walk the options in tcp[DV_TCP_HLEN, hlen): every one ends inside the
 * header, or the segment is malformed.
 */
static int parse_options(const uint8_t *tcp, size_t hlen, struct dv_tcp_seg *seg)
{
	size_t p = DV_TCP_HLEN;
	while (p < hlen) {
		uint8_t kind = tcp[p];
		if (kind == OPT_EOL)
			break; /* the rest is padding, whatever it holds */
		if (kind == OPT_NOP) {
			p++;
			continue;
		}
		if (hlen - p < 2)
			return -EBADMSG;
		uint8_t olen = tcp[p + 1];
		if (olen < 2 || olen > hlen - p)
			return -EBADMSG;
		if (kind == OPT_MSS) {
			if (olen != OPT_MSS_LEN)
				return -EBADMSG;
			seg->mss = dv_rd16(tcp + p + 2);
		} else if (kind == OPT_WS) {
			if (olen != OPT_WS_LEN)
				return -EBADMSG;
			uint8_t shift = tcp[p + 2];
			seg->wscale = (int8_t)(shift > WSCALE_MAX ? WSCALE_MAX : shift);
		}
		p += olen;
	}
	return 0;
}

/* The pseudo header's sum from the frame's addresses (RFC 9293 3.1, RFC 8200 8.1). */
static uint32_t pseudo_sum(const uint8_t *saddr, const uint8_t *daddr, size_t alen,
			   uint16_t tcp_len)
{
	uint32_t sum = __rte_raw_cksum(saddr, alen, 0);
	sum = __rte_raw_cksum(daddr, alen, sum);
	return sum + rte_cpu_to_be_16(DV_IPPROTO_TCP) + rte_cpu_to_be_16(tcp_len);
}

int dv_tcp_parse(const uint8_t *frame, size_t len, bool check_csum, struct dv_tcp_view *v)
{
	struct dv_ip_view w;
	enum dv_pkt_class cls;
	if (!dv_frame_walk_ip(frame, len, &w, &cls))
		return cls == DV_PKT_MALFORMED ? -EBADMSG : -ENOMSG;
	/* No reassembly here: even a first fragment holding a whole header is not ours. */
	if (w.frag || w.proto != DV_IPPROTO_TCP)
		return -ENOMSG;
	if (w.l4_len < DV_TCP_HLEN)
		return -EBADMSG;

	/* The IP length decides where the segment ends: Ethernet padding is not payload. */
	const uint8_t *tcp = frame + w.l4_off;
	size_t hlen = (size_t)(tcp[TCP_DOFF_OFF] >> 4) * 4;
	if (hlen < DV_TCP_HLEN || hlen > w.l4_len)
		return -EBADMSG;

	struct dv_tcp_seg *seg = &v->seg;
	seg->mss = 0;
	seg->wscale = -1;
	if (parse_options(tcp, hlen, seg) != 0)
		return -EBADMSG;

	const uint8_t *ip = frame + w.l3_off;
	size_t alen = w.family == AF_INET ? 4 : 16;
	v->saddr = w.family == AF_INET ? ip + 12 : ip + 8;
	v->daddr = v->saddr + alen;
	if (check_csum) {
		uint32_t sum = __rte_raw_cksum(tcp, w.l4_len,
					       pseudo_sum(v->saddr, v->daddr, alen, w.l4_len));
		if (__rte_raw_cksum_reduce(sum) != 0xffff)
			return -EBADMSG;
	}

	v->family = w.family;
	v->l3_off = w.l3_off;
	v->l4_off = w.l4_off;
	v->sport = dv_rd16(tcp);
	v->dport = dv_rd16(tcp + 2);
	seg->seq = dv_rd32(tcp + TCP_SEQ_OFF);
	seg->ack = dv_rd32(tcp + TCP_ACK_OFF);
	seg->flags = tcp[TCP_FLAGS_OFF];
	seg->win = dv_rd16(tcp + TCP_WIN_OFF);
	seg->len = (uint16_t)(w.l4_len - hlen);
	seg->data = seg->len != 0 ? tcp + hlen : NULL;
	return 0;
}

int dv_tcp_tmpl_build(const struct dv_endpoints *ep, struct dv_tcp_tmpl *t)
{
	/* The UDP template's Ethernet and IP headers (DF, TTL 64) with protocol 6. */
	struct dv_l34_tmpl l34;
	int ret = dv_l34_build(ep, &l34);
	if (ret != 0)
		return ret;

	memset(t, 0, sizeof(*t));
	memcpy(t->bytes, l34.bytes, l34.l4_off);
	uint8_t *ip = t->bytes + l34.l3_off;
	/* TSO's pseudo-header sum leaves the length out: the constant part. */
	if (l34.family == AF_INET) {
		ip[9] = DV_IPPROTO_TCP;
		t->phdr_sum = rte_ipv4_phdr_cksum((const struct rte_ipv4_hdr *)ip,
						  RTE_MBUF_F_TX_TCP_SEG);
	} else {
		ip[6] = DV_IPPROTO_TCP;
		t->phdr_sum = rte_ipv6_phdr_cksum((const struct rte_ipv6_hdr *)ip,
						  RTE_MBUF_F_TX_TCP_SEG);
	}
	t->l3_off = l34.l3_off;
	t->l4_off = l34.l4_off;
	t->family = l34.family;
	t->dport = ep->dport;
	t->src_off = l34.src_off;
	t->src_len = l34.src_len;
	t->src_sum = l34.src_sum;
	return 0;
}

uint16_t dv_tcp_opt_len(const struct dv_tcp_seg *seg)
{
	if (!(seg->flags & DV_TCP_SYN))
		return 0;
	/* MSS (4), and NOP + window scale (1 + 3): whole 4-byte words either way. */
	return seg->wscale >= 0 ? OPT_MSS_LEN + 1 + OPT_WS_LEN : OPT_MSS_LEN;
}

uint16_t dv_tcp_build(uint8_t *dst, size_t room, const struct dv_tcp_tmpl *t,
		      const struct dv_src *src, uint16_t sport, uint16_t dport,
		      const struct dv_tcp_seg *seg)
{
	uint16_t opt_len = dv_tcp_opt_len(seg);
	size_t hlen = (size_t)DV_TCP_HLEN + opt_len;
	size_t tcp_len = hlen + seg->len;
	size_t flen = t->l4_off + tcp_len;
	/* The IP length fields and our return value are 16 bits. */
	if (flen > room || flen > UINT16_MAX)
		return 0;

	uint8_t *tcp = dst + t->l4_off;
	/* The payload first: it may sit in dst already, where the headers go. */
	if (seg->len != 0 && seg->data != tcp + hlen)
		memmove(tcp + hlen, seg->data, seg->len);
	memcpy(dst, t->bytes, t->l4_off);

	uint32_t phdr = t->phdr_sum;
	if (src != NULL) {
		/* Take the template's source out of the sum (adding the one's
		 * complement subtracts) and put the new one in. */
		memcpy(dst + t->src_off, src->addr, t->src_len);
		phdr += (uint16_t)~__rte_raw_cksum_reduce(t->src_sum) +
			__rte_raw_cksum_reduce(src->sum);
	}

	uint8_t *ip = dst + t->l3_off;
	if (t->family == AF_INET) {
		dv_wr16(ip + 2, (uint16_t)(flen - t->l3_off));
		uint16_t hc = rte_ipv4_cksum((const struct rte_ipv4_hdr *)ip);
		memcpy(ip + 10, &hc, 2);
	} else {
		dv_wr16(ip + 4, (uint16_t)(flen - t->l3_off - DV_IPV6_HLEN));
	}

	dv_wr16(tcp, sport);
	dv_wr16(tcp + 2, dport);
	dv_wr32(tcp + TCP_SEQ_OFF, seg->seq);
	/* Without ACK the field is not read by the peer; 0 rather than stale state. */
	dv_wr32(tcp + TCP_ACK_OFF, (seg->flags & DV_TCP_ACK) ? seg->ack : 0);
	tcp[TCP_DOFF_OFF] = (uint8_t)((hlen / 4) << 4);
	tcp[TCP_FLAGS_OFF] = seg->flags;
	dv_wr16(tcp + TCP_WIN_OFF, seg->win);
	dv_wr16(tcp + TCP_CSUM_OFF, 0);
	dv_wr16(tcp + TCP_URG_OFF, 0);
	if (opt_len != 0) {
		uint8_t *o = tcp + DV_TCP_HLEN;
		o[0] = OPT_MSS;
		o[1] = OPT_MSS_LEN;
		dv_wr16(o + 2, seg->mss);
		if (seg->wscale >= 0) {
			o[4] = OPT_NOP;
			o[5] = OPT_WS;
			o[6] = OPT_WS_LEN;
			o[7] = (uint8_t)(seg->wscale > WSCALE_MAX ? WSCALE_MAX : seg->wscale);
		}
	}

	/* Reduced first: the segment's raw sum (up to 2^31) plus the rest fits 32 bits. */
	uint32_t sum = __rte_raw_cksum_reduce(__rte_raw_cksum(tcp, tcp_len, 0));
	sum += __rte_raw_cksum_reduce(phdr) + rte_cpu_to_be_16((uint16_t)tcp_len);
	uint16_t c = (uint16_t)~__rte_raw_cksum_reduce(sum);
	memcpy(tcp + TCP_CSUM_OFF, &c, 2);
	return (uint16_t)flen;
}
