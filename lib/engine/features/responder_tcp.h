/**
 * @file responder_tcp.h
 * @brief The embedded responder's TCP server (--transport tcp): a minimal
 *        server side of TCP that answers DNS queries (RFC 7766) with the same
 *        answers as over UDP, and misbehaves exactly as --responder tcp-* says.
 *
 * Pure: no DPDK call, no allocation, no clock. The caller hands it each
 * received frame with the current time (dv_resp_tcp_input()) and calls the
 * timer (dv_resp_tcp_timer()) in its loop; the server hands every frame it
 * sends to the caller's emit hook. Its memory is one block the caller
 * allocates once (dv_resp_tcp_mem_size()).
 *
 * What it does, per connection (keyed by the client's address and port):
 * SYN -> SYN-ACK (MSS 1460 over IPv4, 1440 over IPv6, no window scale,
 * window 65535; a retransmitted SYN gets the same SYN-ACK); in-order data ->
 * each complete length-prefixed query answered, length-prefixed, in segments
 * of at most the client's MSS, ACKing the query; out-of-order or duplicate
 * data -> an ACK of what it has (the client retransmits); the client's FIN ->
 * ACK and our FIN, whose ACK frees the entry; RST -> freed.
 *
 * Deliberately minimal (the lab link is lossless): the server never
 * retransmits, so an answer the port lost stays lost (counted by the caller);
 * an ACK for less than it sent changes nothing. It sends each answer whole at
 * once without looking at the client's window. It keeps no TIME-WAIT: the
 * client's quarantine of its 4-tuples is what keeps them apart. A
 * connection half-open or closing for DV_RESP_TCP_LINGER_S is forgotten.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/plan.h"
#include "core/rng.h"
#include "metrics/result.h"
#include "wire/answer.h"
#include "wire/tcp.h"

#define DV_RESP_TCP_QBUF 1024     /**< a query split across segments is gathered here, prefix
				       included: a longer one resets the connection */
#define DV_RESP_TCP_BATCH 64      /**< queries of one segment answered as one batch (tcp-reverse
				       reverses each batch) */
#define DV_RESP_TCP_LINGER_S 10.0 /**< a connection half-open or closing this long is forgotten */
#define DV_RESP_TCP_SWEEP 64      /**< connections the timer looks at per call */
#define DV_RESP_TCP_MSS4 1460     /**< the MSS it announces over IPv4 (Ethernet) */
#define DV_RESP_TCP_MSS6 1440     /**< ... over IPv6 */
#define DV_RESP_TCP_WIN 65535     /**< the window it announces (no window scale) */
/** Largest frame it sends: headers, options, a full segment. */
#define DV_RESP_TCP_FRAME_MAX (DV_L34_MAX + DV_TCP_HLEN + DV_TCP_OPT_MAX + DV_RESP_TCP_MSS4)

/** What a frame the server sends is, so the caller knows which may wait. */
enum dv_resp_tcp_kind {
	DV_RESP_TCP_CONTROL = 0, /**< SYN-ACK, ACK, a RST that ends no answered connection: at once */
	DV_RESP_TCP_ANSWER,      /**< a segment of an answer: delay= applies */
	DV_RESP_TCP_CLOSE,       /**< FIN or RST of a connection that had answers: after them
				      (with delay=, through the same line so it cannot overtake them) */
};

/** The caller's side: where frames go, and its own per-query impairments. */
struct dv_resp_tcp_hooks {
	/** Send a frame (len bytes, valid only during the call). */
	void (*emit)(void *ctx, const uint8_t *frame, uint16_t len, enum dv_resp_tcp_kind kind);
	/** Leave this complete query (a DNS message, len bytes) unanswered? NULL: never. */
	bool (*skip)(void *ctx, int family, const uint8_t *msg, uint16_t len);
	/** A connection was accepted from this client address (4 or 16 bytes) and port. NULL: none. */
	void (*client)(void *ctx, int family, const uint8_t *addr, uint16_t port);
	void *ctx;
};

/** How the server is set up. */
struct dv_resp_tcp_cfg {
	const struct dv_answer_cfg *answer; /**< what it answers with (as over UDP) */
	struct dv_impair_plan impair;       /**< the tcp-* impairments (the rest is the caller's) */
	uint16_t port;                      /**< the DNS port it serves, host order */
	uint64_t hz;                        /**< ticks per second of the times it is given */
	uint64_t seed;                      /**< its initial sequence numbers */
	bool late_answers;                  /**< answers wait in the caller's delay line: data is
					         ACKed at once by an ACK of its own */
	struct dv_resp_tcp_hooks hooks;
};

struct dv_resp_tcp_conn; /* private to responder_tcp.c */

/** The server: its connection table and counters; one writer (the responder lcore). */
struct dv_resp_tcp {
	struct dv_resp_tcp_cfg cfg;
	struct dv_resp_tcp_conn *conn; /**< nconn entries */
	uint64_t *slot;                /**< open addressing: hash << 32 | index + 1; 0 = empty */
	uint64_t *deadline;            /**< per connection: when the timer must look at it */
	uint32_t *free_idx;            /**< a stack of free connection indexes */
	uint8_t *ans;                  /**< an answer being built: 2-byte prefix + up to 65535 */
	uint32_t nconn;
	uint32_t slot_mask;
	uint32_t nfree;
	uint32_t sweep;                /**< the timer's next connection */
	uint64_t idle_ticks;           /**< tcp-idle-close, in ticks (0 = off) */
	uint64_t linger_ticks;
	int keepalive;                 /**< edns-tcp-keepalive TIMEOUT, or -1 */
	struct dv_rng rng;
	struct dv_resp_tcp_counts n;   /**< what it did (read with dv_count_read()) */
	uint8_t frame[DV_RESP_TCP_FRAME_MAX]; /**< the frame being sent */
};

/** Bytes of memory dv_resp_tcp_init() needs for a table of nconn connections. */
size_t dv_resp_tcp_mem_size(uint32_t nconn);

/**
 * Set up a server in mem: dv_resp_tcp_mem_size(nconn) bytes, 64-byte
 * aligned, owned by the caller (the server keeps pointers into it).
 * @param nconn connections it can hold at once, 1..2^24; when they are all
 *              in use, a SYN is answered with RST (counted)
 * @return 0, or -EINVAL (nconn out of range, no emit hook, no answer config)
 */
int dv_resp_tcp_init(struct dv_resp_tcp *t, void *mem, uint32_t nconn,
		     const struct dv_resp_tcp_cfg *cfg);

/**
 * Take one received frame: a TCP segment to the DNS port is handled (the
 * frames it causes go to the emit hook before this returns); any other
 * frame is left to the caller. Every length is checked: any bytes are safe.
 * @param now the current time, in cfg.hz ticks
 * @return 0 if it was a TCP segment to the DNS port (whatever it held,
 *         malformed included: counted), -ENOMSG if it is not one
 */
int dv_resp_tcp_input(struct dv_resp_tcp *t, const uint8_t *frame, size_t len, uint64_t now);

/**
 * The timer: closes connections idle for tcp-idle-close (FIN) and forgets
 * those half-open or closing for DV_RESP_TCP_LINGER_S. Looks at
 * DV_RESP_TCP_SWEEP connections per call (all of them in a small table), so
 * it is cheap enough to call in every loop.
 */
void dv_resp_tcp_timer(struct dv_resp_tcp *t, uint64_t now);

/** Read its counters (from another lcore: each a relaxed load; segments is left 0). */
void dv_resp_tcp_counts_read(const struct dv_resp_tcp *t, struct dv_resp_tcp_counts *out);

/** Connections in the table now. */
uint32_t dv_resp_tcp_open(const struct dv_resp_tcp *t);
