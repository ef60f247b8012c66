/**
 * @file stream.h
 * @brief The receive side of one connection: segments in, whole DNS
 *        messages (RFC 1035 4.2.2's 2-byte length prefix) out, in fixed memory.
 *
 * In-order bytes never wait: they go straight through the message parser,
 * which keeps the first P bytes of the current message (the prefix), counts
 * the rest and drops them, and delivers the message when its last byte
 * arrives (prefix, prefix length, full length). A 65 535-byte answer costs P
 * bytes. Out-of-order bytes within the window [nxt, nxt + R) are stored in a
 * ring of R bytes at their offset from nxt and remembered as at most
 * DV_TCP_OOO_MAX disjoint ranges; a segment that would need one more range
 * is dropped (the peer retransmits it). Since in-order bytes are consumed at
 * once, the free space is always R: the window advertised is R.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/** Out-of-order ranges remembered per connection. */
#define DV_TCP_OOO_MAX 4

/** Stored out-of-order bytes [start, end), sequence numbers. */
struct dv_tcp_range {
	uint32_t start, end;
};

/** Receives a whole message: its first prefix_len bytes and its full length. */
typedef void (*dv_tcp_msg_fn)(void *ctx, const uint8_t *prefix, uint16_t prefix_len,
			      uint32_t full_len);

/** One connection's receive stream. */
struct dv_tcp_stream {
	uint8_t *ring;          /**< ring_size bytes: out-of-order data */
	uint8_t *prefix;        /**< prefix_max bytes: the current message's first bytes */
	uint32_t nxt;           /**< next sequence number expected in order (RCV.NXT) */
	uint16_t ring_size;     /**< R, the window */
	uint16_t ring_head;     /**< ring position of nxt */
	uint16_t prefix_max;    /**< P */
	uint16_t prefix_len;    /**< bytes of the current message kept */
	uint32_t msg_len;       /**< current message's length (once hdr_have is 2) */
	uint32_t msg_have;      /**< its bytes consumed */
	uint8_t hdr_have;       /**< bytes of the length prefix read (0..2) */
	uint8_t hdr0;           /**< its first byte */
	uint8_t nranges;
	struct dv_tcp_range ooo[DV_TCP_OOO_MAX]; /**< sorted, disjoint, none touching another or nxt */
};

/** What one segment did, in bytes (and messages). */
struct dv_tcp_stream_res {
	uint32_t in_order; /**< consumed in order: from the segment and stored ranges it joined */
	uint32_t stored;   /**< new out-of-order bytes stored */
	uint32_t dup;      /**< bytes already received (behind nxt or already stored) */
	uint32_t beyond;   /**< bytes past the window, dropped */
	uint32_t dropped;  /**< out-of-order bytes dropped: no range left */
	uint32_t messages; /**< messages delivered */
};

/**
 * Start a stream at sequence number nxt (the peer's ISN + 1).
 * @param ring ring_size bytes (1..65535), @param prefix prefix_max bytes
 */
void dv_tcp_stream_init(struct dv_tcp_stream *s, uint8_t *ring, uint16_t ring_size,
			uint8_t *prefix, uint16_t prefix_max, uint32_t nxt);

/**
 * Take one segment's payload [seq, seq + len). Messages completed by it are
 * handed to fn in order, each before the next is parsed (the prefix is only
 * valid during the call). Any seq and len are safe: bytes outside the
 * window are counted and ignored.
 * @param res filled (zeroed first)
 */
void dv_tcp_stream_input(struct dv_tcp_stream *s, uint32_t seq, const uint8_t *data, uint32_t len,
			 dv_tcp_msg_fn fn, void *ctx, struct dv_tcp_stream_res *res);

/** A message is partly received (its length prefix at least begun). */
static inline bool dv_tcp_stream_partial(const struct dv_tcp_stream *s)
{
	return s->hdr_have != 0;
}
