#include "wire/arp_nd.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ip.h>

#include "wire/frame_parse.h"

#define ARP_HLEN        28
#define ARP_HTYPE_ETH   1
#define ARP_OP_REQUEST  1
#define ARP_OP_REPLY    2
#define ETH_MIN_FRAME   60   /* without FCS: shorter frames are padded */
#define ICMP6_NS        135
#define ICMP6_NA        136
#define ND_HOP_LIMIT    255
#define ND_MSG_LEN      24   /* type .. target address */
#define ND_OPT_SLLA     1
#define ND_OPT_TLLA     2
#define ND_OPT_LEN      8    /* a link-layer address option for Ethernet */
#define NA_FLAG_S       0x40
#define NA_FLAG_O       0x20

static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };

/* Ethernet header (and tag): @return where the payload starts */
static unsigned eth_write(uint8_t *out, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan,
			  uint16_t ethertype)
{
	memcpy(out, dst, 6);
	memcpy(out + 6, src, 6);
	if (vlan == 0) {
		dv_wr16(out + 12, ethertype);
		return DV_ETH_HLEN;
	}
	dv_wr16(out + 12, DV_ETHERTYPE_VLAN);
	dv_wr16(out + 14, vlan & 0x0fff);
	dv_wr16(out + 16, ethertype);
	return DV_ETH_HLEN + DV_VLAN_HLEN;
}

/* The multicast MAC of an IPv6 group (RFC 2464 7): 33:33 and its last 4 bytes. */
static void mcast_mac(const uint8_t *group, uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, group + 12, 4);
}

static uint16_t arp_write(uint8_t *out, const uint8_t eth_dst[6], const uint8_t our_mac[6],
			  uint16_t vlan, uint16_t op, const uint8_t *spa, const uint8_t tha[6],
			  const uint8_t *tpa)
{
	static const uint8_t zero_mac[6];
	unsigned o = eth_write(out, eth_dst, our_mac, vlan, DV_ETHERTYPE_ARP);
	uint8_t *a = out + o;
	dv_wr16(a, ARP_HTYPE_ETH);
	dv_wr16(a + 2, DV_ETHERTYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	dv_wr16(a + 6, op);
	memcpy(a + 8, our_mac, 6);
	memcpy(a + 14, spa, 4);
	memcpy(a + 18, tha != NULL ? tha : zero_mac, 6);
	memcpy(a + 24, tpa, 4);
	unsigned len = o + ARP_HLEN;
	if (len < ETH_MIN_FRAME) {
		memset(out + len, 0, ETH_MIN_FRAME - len);
		len = ETH_MIN_FRAME;
	}
	return (uint16_t)len;
}

/* IPv6 + ICMPv6 NS/NA with one link-layer address option; checksum filled in. */
static uint16_t nd_write(uint8_t *out, const uint8_t eth_dst[6], const uint8_t our_mac[6],
			 uint16_t vlan, const uint8_t *src, const uint8_t *dst, uint8_t type,
			 uint8_t flags, const uint8_t *target, uint8_t opt)
{
	unsigned o = eth_write(out, eth_dst, our_mac, vlan, DV_ETHERTYPE_IPV6);
	uint8_t *ip = out + o;
	uint8_t *icmp = ip + DV_IPV6_HLEN;
	uint16_t plen = ND_MSG_LEN + ND_OPT_LEN;
	memset(ip, 0, DV_IPV6_HLEN + plen);
	ip[0] = 0x60;
	dv_wr16(ip + 4, plen);
	ip[6] = DV_IPPROTO_ICMPV6;
	ip[7] = ND_HOP_LIMIT;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	icmp[0] = type;
	icmp[4] = flags;
	memcpy(icmp + 8, target, 16);
	icmp[ND_MSG_LEN] = opt;
	icmp[ND_MSG_LEN + 1] = 1; /* in units of 8 bytes */
	memcpy(icmp + ND_MSG_LEN + 2, our_mac, 6);
	/* rte_ipv6_udptcp_cksum: pseudo header from the IPv6 header (next header 58). */
	uint16_t c = rte_ipv6_udptcp_cksum((const struct rte_ipv6_hdr *)ip, icmp);
	memcpy(icmp + 2, &c, 2);
	return (uint16_t)(o + DV_IPV6_HLEN + plen);
}

uint16_t dv_nd_build_reply(const struct dv_nd_info *req, const uint8_t our_mac[6], uint8_t *out)
{
	if (req->family == AF_INET)
		return arp_write(out, req->mac, our_mac, req->vlan, ARP_OP_REPLY, req->target,
				 req->mac, req->sender);
	/* A solicitation from :: (duplicate address detection) is answered to all nodes. */
	static const uint8_t unspec[16];
	bool dad = memcmp(req->sender, unspec, 16) == 0;
	uint8_t mac[6];
	if (dad)
		mcast_mac(all_nodes, mac);
	else
		memcpy(mac, req->mac, 6);
	return nd_write(out, mac, our_mac, req->vlan, req->target, dad ? all_nodes : req->sender,
			ICMP6_NA, (uint8_t)(dad ? NA_FLAG_O : NA_FLAG_S | NA_FLAG_O), req->target,
			ND_OPT_TLLA);
}

uint16_t dv_nd_build_request(int family, const uint8_t our_mac[6], const uint8_t *our_ip,
			     const uint8_t *target, uint16_t vlan, uint8_t *out)
{
	if (family == AF_INET)
		return arp_write(out, bcast_mac, our_mac, vlan, ARP_OP_REQUEST, our_ip, NULL, target);
	/* Solicited-node multicast group (RFC 4291 2.7.1): ff02::1:ff + the target's last 24 bits. */
	uint8_t group[16] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };
	memcpy(group + 13, target + 13, 3);
	uint8_t mac[6];
	mcast_mac(group, mac);
	return nd_write(out, mac, our_mac, vlan, our_ip, group, ICMP6_NS, 0, target, ND_OPT_SLLA);
}

uint16_t dv_nd_build_announce(int family, const uint8_t our_mac[6], const uint8_t *our_ip,
			      uint16_t vlan, uint8_t *out)
{
	if (family == AF_INET)
		return arp_write(out, bcast_mac, our_mac, vlan, ARP_OP_REQUEST, our_ip, NULL, our_ip);
	uint8_t mac[6];
	mcast_mac(all_nodes, mac);
	return nd_write(out, mac, our_mac, vlan, our_ip, all_nodes, ICMP6_NA, NA_FLAG_O, our_ip,
			ND_OPT_TLLA);
}

static int arp_parse(const uint8_t *a, size_t len, struct dv_nd_info *ni)
{
	if (len < ARP_HLEN || dv_rd16(a) != ARP_HTYPE_ETH || dv_rd16(a + 2) != DV_ETHERTYPE_IPV4 ||
	    a[4] != 6 || a[5] != 4)
		return -EINVAL;
	uint16_t op = dv_rd16(a + 6);
	if (op != ARP_OP_REQUEST && op != ARP_OP_REPLY)
		return -EINVAL;
	ni->family = AF_INET;
	ni->kind = op == ARP_OP_REQUEST ? DV_ND_REQUEST : DV_ND_REPLY;
	memcpy(ni->mac, a + 8, 6);
	memcpy(ni->sender, a + 14, 4);
	memcpy(ni->target, a + 24, 4);
	return 0;
}

static int nd_parse(const uint8_t *ip, size_t len, struct dv_nd_info *ni)
{
	if (len < DV_IPV6_HLEN || (ip[0] >> 4) != 6 || ip[6] != DV_IPPROTO_ICMPV6 ||
	    ip[7] != ND_HOP_LIMIT)
		return -EINVAL;
	size_t plen = dv_rd16(ip + 4);
	if (plen < ND_MSG_LEN || plen > len - DV_IPV6_HLEN)
		return -EINVAL;
	const uint8_t *icmp = ip + DV_IPV6_HLEN;
	if ((icmp[0] != ICMP6_NS && icmp[0] != ICMP6_NA) || icmp[1] != 0)
		return -EINVAL;
	ni->family = AF_INET6;
	ni->kind = icmp[0] == ICMP6_NS ? DV_ND_REQUEST : DV_ND_REPLY;
	memcpy(ni->sender, ip + 8, 16);
	memcpy(ni->target, icmp + 8, 16);
	uint8_t want = icmp[0] == ICMP6_NS ? ND_OPT_SLLA : ND_OPT_TLLA;
	for (size_t o = ND_MSG_LEN; o + 2 <= plen;) {
		size_t olen = (size_t)icmp[o + 1] * 8;
		if (olen == 0 || olen > plen - o)
			return -EINVAL; /* RFC 4861 4.6: a zero length is invalid */
		if (icmp[o] == want && olen >= ND_OPT_LEN)
			memcpy(ni->mac, icmp + o + 2, 6);
		o += olen;
	}
	return 0;
}

int dv_nd_parse(const uint8_t *frame, size_t len, struct dv_nd_info *ni)
{
	if (frame == NULL || ni == NULL || len < DV_ETH_HLEN)
		return -EINVAL;
	memset(ni, 0, sizeof(*ni));
	size_t off = DV_ETH_HLEN;
	uint16_t et = dv_rd16(frame + 12);
	if (et == DV_ETHERTYPE_VLAN) {
		if (len < DV_ETH_HLEN + DV_VLAN_HLEN)
			return -EINVAL;
		ni->vlan = dv_rd16(frame + 14) & 0x0fff;
		et = dv_rd16(frame + 16);
		off += DV_VLAN_HLEN;
	}
	memcpy(ni->eth_src, frame + 6, 6);
	memcpy(ni->mac, frame + 6, 6); /* ND without a link-layer option: the frame's source */
	switch (et) {
	case DV_ETHERTYPE_ARP:
		return arp_parse(frame + off, len - off, ni);
	case DV_ETHERTYPE_IPV6:
		return nd_parse(frame + off, len - off, ni);
	default:
		return -EINVAL;
	}
}
