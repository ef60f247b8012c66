/**
 * @file fragment.c
 * @brief Bounded parsing of received IP fragments (collector path).
 *
 * The headers are walked by dv_frame_walk_ip() (response.c), the same walk
 * that classified the frame; this file only reads the fragment fields and,
 * for a first fragment, the UDP header and the DNS ID behind it. No
 * allocation; every read is checked against the IP packet's own length,
 * which the walk has checked against the frame.
 */
#include "wire/fragment.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "wire/frame_parse.h"

/** The UDP header and DNS ID at the start of a first fragment's payload. */
static void read_first(const uint8_t *pl, size_t plen, struct dv_frag_info *fi)
{
	if (fi->offset != 0 || fi->proto != DV_IPPROTO_UDP || plen < DV_UDP_HLEN)
		return;
	fi->has_udp = true;
	fi->sport = dv_rd16(pl);
	fi->dport = dv_rd16(pl + 2);
	fi->udp_len = dv_rd16(pl + 4);
	if (plen < DV_UDP_HLEN + 2)
		return;
	fi->has_dns_id = true;
	fi->dns_id = dv_rd16(pl + DV_UDP_HLEN);
}

int dv_frag_parse(const uint8_t *frame, size_t len, struct dv_frag_info *fi)
{
	struct dv_ip_view w;
	enum dv_pkt_class cls;

	if (fi == NULL)
		return -EINVAL;
	memset(fi, 0, sizeof(*fi));
	if (!dv_frame_walk_ip(frame, len, &w, &cls) || !w.frag)
		return -EBADMSG;

	const uint8_t *ip = frame + w.l3_off;
	const uint8_t *pl;
	size_t plen;
	if (w.family == AF_INET) {
		uint16_t fw = dv_rd16(ip + 6);
		fi->src = ip + 12;
		fi->dst = ip + 16;
		fi->ip_id = dv_rd16(ip + 4);
		fi->offset = (uint32_t)(fw & DV_IPV4_OFFMASK) * 8;
		fi->more = (fw & DV_IPV4_MF) != 0;
		fi->proto = w.proto;
		pl = frame + w.l4_off;
		plen = w.l4_len;
	} else {
		/* The walk stopped at the Fragment header; it must be whole. */
		if (w.l4_len < DV_IPV6_FRAG_HLEN)
			return -EBADMSG;
		const uint8_t *fh = frame + w.l4_off;
		uint16_t fw = dv_rd16(fh + 2);
		fi->src = ip + 8;
		fi->dst = ip + 24;
		fi->ip_id = dv_rd32(fh + 4);
		fi->offset = fw & DV_IPV6_FRAG_OFFMASK;
		fi->more = (fw & DV_IPV6_FRAG_M) != 0;
		fi->proto = fh[0];
		pl = fh + DV_IPV6_FRAG_HLEN;
		plen = (size_t)w.l4_len - DV_IPV6_FRAG_HLEN;
	}
	fi->family = w.family;
	fi->l3_off = w.l3_off;
	fi->payload_len = (uint16_t)plen;
	read_first(pl, plen, fi);
	return 0;
}
