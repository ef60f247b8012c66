/**
 * @file tcp.h
 * @brief TCP segments on the wire: one parsed out of a frame, one built into
 *        a frame from a per-family header template.
 *
 * The state machine (lib/tcp/) sees only struct dv_tcp_seg; addresses and
 * ports stay here, in the frame and the template. Both the client (the
 * generator side) and the embedded responder (server side) build with the
 * same template: the responder's has the addresses and ports swapped.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/types.h"
#include "wire/compose.h"
#include "wire/query.h"

#define DV_IPPROTO_TCP 6
#define DV_TCP_HLEN    20 /**< TCP header without options */
#define DV_TCP_OPT_MAX 40 /**< options: at most 40 bytes (data offset 15) */
#define DV_TCP_MSG_MAX 65535 /**< a DNS message over TCP: its 2-byte length prefix's limit */

/* Flags, as bits of the header's 14th byte. */
#define DV_TCP_FIN 0x01
#define DV_TCP_SYN 0x02
#define DV_TCP_RST 0x04
#define DV_TCP_PSH 0x08
#define DV_TCP_ACK 0x10
#define DV_TCP_URG 0x20

/** One segment as the state machine sees it, host order. */
struct dv_tcp_seg {
	uint32_t seq;
	uint32_t ack;        /**< meaningful only with DV_TCP_ACK */
	uint16_t win;        /**< the window field as sent (not scaled) */
	uint8_t flags;       /**< DV_TCP_*; the whole byte (ECE, CWR kept) */
	uint16_t mss;        /**< MSS option; 0 when absent */
	int8_t wscale;       /**< window scale option's shift (0..14); -1 when absent */
	const uint8_t *data; /**< payload (len bytes); NULL when len is 0 */
	uint16_t len;        /**< payload bytes */
};

/** A parsed segment and where it sits in its frame. */
struct dv_tcp_view {
	int family;            /**< AF_INET or AF_INET6 */
	uint16_t l3_off;       /**< IP header */
	uint16_t l4_off;       /**< TCP header */
	const uint8_t *saddr;  /**< into the frame: 4 or 16 bytes */
	const uint8_t *daddr;
	uint16_t sport;        /**< host order */
	uint16_t dport;
	struct dv_tcp_seg seg;
};

/**
 * Parse a TCP segment out of an Ethernet frame (one optional 802.1Q tag,
 * IPv4 or IPv6 with extension headers, not a fragment). Every length is
 * checked against the frame; the IP length decides where the segment ends
 * (Ethernet padding is not payload). Options are walked within the data
 * offset (NOP, EOL, MSS, window scale; others skipped by their length; a
 * length that is < 2 or runs past the header is malformed, so is an MSS
 * option not 4 bytes long or a window scale not 3). MSS and window scale are
 * reported as found, on any segment: honouring them only on a SYN is the
 * state machine's part. The IPv4 header checksum is not verified.
 * @param check_csum also verify the TCP checksum (the pseudo header included)
 * @return 0 (v filled), -ENOMSG if the frame is not a TCP segment (ARP, UDP,
 *         a fragment, ...), -EBADMSG if it is a malformed one, or its
 *         Ethernet or IP headers are (as dv_frame_walk_ip() finds them)
 */
int dv_tcp_parse(const uint8_t *frame, size_t len, bool check_csum, struct dv_tcp_view *v);

/** Ethernet + IP header of one family and the TCP ports' destination, built once. */
struct dv_tcp_tmpl {
	uint8_t bytes[DV_L34_MAX + DV_TCP_HLEN]; /**< [0, l4_off) used: Ethernet and IP */
	uint16_t l3_off;     /**< 14, or 18 behind an 802.1Q tag */
	uint16_t l4_off;     /**< TCP header; also the length of the headers in bytes[] */
	int family;          /**< AF_INET / AF_INET6 */
	uint16_t dport;      /**< host order, from the endpoints */
	uint32_t phdr_sum;   /**< partial sum: pseudo-header addresses + protocol */
	uint16_t src_off;    /**< offset of the source address in bytes[] */
	uint16_t src_len;    /**< 4 or 16 */
	uint32_t src_sum;    /**< partial sum of the template's source address */
};

/**
 * Build a template from endpoints (src -> dst:dport): dv_l34_build()'s
 * Ethernet and IP headers (IPv4 with DF and ID 0, TTL/hop limit 64) carrying
 * protocol 6. @return 0 or -EAFNOSUPPORT
 */
int dv_tcp_tmpl_build(const struct dv_endpoints *ep, struct dv_tcp_tmpl *t);

/**
 * Bytes of TCP options a segment gets: SYN (with or without ACK) carries MSS
 * and, when seg->wscale >= 0, window scale (padded to 4-byte words); other
 * segments carry none.
 */
uint16_t dv_tcp_opt_len(const struct dv_tcp_seg *seg);

/** Offset of the payload in a frame built from t for seg: l4_off + 20 + options. */
static inline uint16_t dv_tcp_payload_off(const struct dv_tcp_tmpl *t, const struct dv_tcp_seg *seg)
{
	return (uint16_t)(t->l4_off + DV_TCP_HLEN + dv_tcp_opt_len(seg));
}

/**
 * Write a whole segment into dst: the template's headers, seq/ack/flags/
 * window/options from seg, the payload from seg->data unless it is already
 * at dst + dv_tcp_payload_off() (seg->data == that address: no copy; any
 * other place, dst included, is moved before the headers are written), the
 * IP lengths and both checksums (in software). The ports are sport -> dport
 * (host order), so the responder can build with a template of its own. The
 * acknowledgment field is seg->ack with DV_TCP_ACK and 0 without; the urgent
 * pointer is 0.
 * @param src source address instead of the template's, or NULL
 * @return frame length, or 0 if it does not fit in room bytes (or in 65535)
 */
uint16_t dv_tcp_build(uint8_t *dst, size_t room, const struct dv_tcp_tmpl *t,
		      const struct dv_src *src, uint16_t sport, uint16_t dport,
		      const struct dv_tcp_seg *seg);

/** Sequence-number comparisons, modulo 2^32 (RFC 793's "<", "<=" on the circle). */
static inline bool dv_tcp_seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool dv_tcp_seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
