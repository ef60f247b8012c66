/**
 * @file conn.h
 * @brief One client TCP connection as a state machine: segments and a clock in,
 *        segments to send and events out. No sockets, frames or allocation: the
 *        table (table.h) owns memory, ports and timers and calls in here.
 *
 * States (RFC 793's client half): SYN_SENT -> ESTABLISHED on an acceptable
 * SYN-ACK (MSS both ways; no window scale: the window is the receive buffer,
 * <= 65 535). We close first: FIN_WAIT_1 -> FIN_WAIT_2 (or CLOSING) -> TIME_WAIT,
 * not held: freed at once, the port quarantine stands in for it. The server
 * closes first: CLOSE_WAIT -> LAST_ACK (our FIN at once, except in hold mode).
 * RFC 5961: an RST is taken only at exactly RCV.NXT (elsewhere in the window
 * it earns a challenge ACK, outside it is ignored); a SYN when synchronized
 * earns a challenge ACK; an ACK beyond SND.MAX or older than SND.UNA -
 * MAX.SND.WND is dropped with an ACK. A SYN-ACK whose ACK is not ours gets
 * RFC 793's <SEQ=SEG.ACK><CTL=RST>; our SYN stays outstanding. Half-open mode
 * answers no SYN-ACK (no ACK, no RST: an RST would free the server's SYN_RCVD
 * entry) and forgets the connection after hold_max.
 *
 * Retransmission: RFC 6298 (rto.h), one timer per connection, Karn's rule (one
 * segment timed at a time, none resent), the backed-off RTO kept until a new
 * sample, 3 s after a lost SYN (5.7); syn_retries / data_retries, then it
 * fails. A zero window is probed (0 bytes below SND.UNA) at doubling
 * RTO-based intervals; zero for zwin_max fails it with an RST. Every data or
 * FIN segment is ACKed at once (out of order: an immediate duplicate ACK).
 *
 * Left out on purpose: SACK, timestamps, window scaling, congestion control
 * (bytes in flight <= min(peer's window, iw * MSS), a fixed window, RFC 6928's
 * 10 by default; an RTO resends the first segment, then goes back N), Nagle,
 * urgent data, simultaneous open, TFO (data on a SYN-ACK ignored), delayed
 * ACKs, answers to segments for no connection (counted only).
 *
 * Memory per connection: this struct (272 bytes on x86-64) + rcvbuf R +
 * prefix P + sndbuf S + 20 bytes in the table = dv_tcp_conn_bytes(): 5 928
 * bytes with the defaults (4096 + 512 + 1028), 371 MiB for 64k connections
 * and all ports; plus 17 bytes per (address, port) key.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "tcp/rto.h"
#include "tcp/stream.h"
#include "wire/tcp.h"

/** No connection, no time. */
#define DV_TCP_NONE  UINT32_MAX
#define DV_TCP_NEVER UINT64_MAX

/** Connection states (CLOSED: a free table entry). */
enum dv_tcp_state {
	DV_TCP_CLOSED,
	DV_TCP_SYN_SENT,
	DV_TCP_ESTABLISHED,
	DV_TCP_FIN_WAIT_1,
	DV_TCP_FIN_WAIT_2,
	DV_TCP_CLOSING,
	DV_TCP_CLOSE_WAIT,
	DV_TCP_LAST_ACK,
};

/** What a connection does after its last answer (or, with queries = 0, after the handshake). */
enum dv_tcp_mode {
	DV_TCP_MODE_FIN,       /**< we close (FIN) */
	DV_TCP_MODE_IDLE,      /**< keep it idle until the server closes (at most idle_max, or the keepalive) */
	DV_TCP_MODE_RST,       /**< we reset (RST) */
	DV_TCP_MODE_HOLD,      /**< stress: hold it open, even half-closed by the server, for hold_max (0: until the run ends) */
	DV_TCP_MODE_HALF_OPEN, /**< stress: SYN only, the SYN-ACK never answered; forgotten after hold_max */
};

/** Events; the last six end the connection (its index is free after the callback). */
enum dv_tcp_ev {
	DV_TCP_EV_ESTABLISHED,    /**< ticks: handshake time (first SYN to SYN-ACK) */
	DV_TCP_EV_HALF_OPEN,      /**< half-open mode: the SYN-ACK came and is ignored; ticks: handshake time */
	DV_TCP_EV_MESSAGE,        /**< msg, msg_len (the prefix), full_len */
	DV_TCP_EV_PEER_FIN,       /**< the server closed first; ticks: idle time before it; outstanding */
	DV_TCP_EV_RETRANSMIT,     /**< nth retransmission of the oldest segment (SYN included); ticks: the RTO now armed */
	DV_TCP_EV_OUT_OF_ORDER,   /**< a segment beyond RCV.NXT (stored, or dropped when no range is left) */
	DV_TCP_EV_DUPLICATE,      /**< a segment with no new byte */
	DV_TCP_EV_REFUSED,        /**< end: RST to our SYN; ticks: time to it */
	DV_TCP_EV_CONNECT_FAILED, /**< end: no SYN-ACK after syn_retries retransmissions; ticks: lifetime */
	DV_TCP_EV_RESET,          /**< end: RST from the server; ticks: idle time before it */
	DV_TCP_EV_TIMED_OUT,      /**< end: data or FIN unacknowledged after data_retries retransmissions; ticks: lifetime */
	DV_TCP_EV_ZERO_WINDOW,    /**< end: the window stayed zero for zwin_max; we sent an RST; ticks: lifetime */
	DV_TCP_EV_CLOSED,         /**< end: closed (why says how); ticks: the connection's lifetime */
};

/** Why a connection was closed (DV_TCP_EV_CLOSED). */
enum dv_tcp_why {
	DV_TCP_WHY_FIN,        /**< we closed after the last answer (mode fin), FINs exchanged */
	DV_TCP_WHY_PEER,       /**< the server closed first, FINs exchanged */
	DV_TCP_WHY_RST,        /**< we reset after the last answer (mode rst) */
	DV_TCP_WHY_KEEPALIVE,  /**< idle for the server's edns-tcp-keepalive timeout: we closed */
	DV_TCP_WHY_IDLE,       /**< idle for idle_max: we closed */
	DV_TCP_WHY_HOLD,       /**< held for hold_max: we closed */
	DV_TCP_WHY_HALF_OPEN,  /**< half-open: forgotten after hold_max */
	DV_TCP_WHY_FIN_WAIT,   /**< our FIN acknowledged, the server's never came (fin_wait_max) */
	DV_TCP_WHY_CALLER,     /**< dv_tcp_close() */
	DV_TCP_WHY_ABORTED,    /**< dv_tcp_abort() or the end of the run: RST if synchronized */
};

/** Connection behaviour and sizes, fixed for a table's life. Times in ticks. */
struct dv_tcp_cfg {
	uint64_t hz;            /**< ticks per second */
	uint32_t conns;         /**< connections in the table */
	uint16_t naddr;         /**< source addresses (indices 0..naddr-1) */
	uint16_t port_lo, port_hi; /**< source ports */
	uint64_t quarantine;    /**< a port's rest after its connection ended (default 60 s) */
	uint16_t mss;           /**< our MSS: advertised and the most we send per segment */
	uint16_t mss_default;   /**< the peer's MSS when its SYN-ACK has none (536) */
	uint16_t rcvbuf;        /**< R: receive ring and window, 1..65535 */
	uint16_t prefix;        /**< P: an answer's bytes kept for delivery, 1..R */
	uint16_t sndbuf;        /**< S: queries until acknowledged, >= query_max + 2 */
	uint16_t query_max;     /**< the longest query accepted */
	uint16_t iw;            /**< bytes in flight at most iw * MSS (also bounded by the peer's window) */
	uint16_t pipeline;      /**< K: queries outstanding at once per connection, >= 1 */
	uint32_t queries;       /**< N: queries per connection; 0: handshake, then the end of mode */
	enum dv_tcp_mode mode;
	uint64_t rto_init, rto_min, rto_max;
	uint8_t syn_retries;    /**< SYN retransmissions before the connection fails */
	uint8_t data_retries;   /**< retransmissions of one segment before it fails */
	uint64_t zwin_max;      /**< the peer's window zero this long (data waiting) fails the connection */
	uint64_t idle_max;      /**< established and idle this long: we close (0: no limit) */
	uint64_t fin_wait_max;  /**< FIN_WAIT_2 this long: forgotten */
	uint64_t hold_max;      /**< hold and half-open modes (0: until the run ends) */
	uint64_t timer_res;     /**< the timer wheel's slot: timers fire up to this late */
	uint32_t timer_slots;   /**< slots in the wheel, a power of two */
};

/** Counters; one writer (the table's lcore). */
struct dv_tcp_counts {
	uint64_t opened;            /**< SYNs sent for new connections */
	uint64_t no_port;           /**< open failed: every (address, port) in use */
	uint64_t port_quarantined;  /**< open failed: the free ones all in quarantine */
	uint64_t no_conn;           /**< open failed: the table is full */
	uint64_t established;
	uint64_t half_open;         /**< half-open mode: connections whose SYN-ACK came */
	uint64_t synack_ignored;    /**< half-open mode: SYN-ACKs not answered */
	uint64_t refused;
	uint64_t connect_failed;
	uint64_t reset_by_peer;
	uint64_t peer_fin;          /**< the server closed first */
	uint64_t timed_out;
	uint64_t zero_window;       /**< failed at the zero-window limit */
	uint64_t closed[DV_TCP_WHY_ABORTED + 1]; /**< DV_TCP_EV_CLOSED by why */
	uint64_t segs_in, segs_out;
	uint64_t bytes_in, bytes_out; /**< payload */
	uint64_t retransmits;       /**< data and FIN segments sent again */
	uint64_t syn_retransmits;
	uint64_t persist_probes;
	uint64_t dup_segs;          /**< segments with no new byte */
	uint64_t dup_bytes;
	uint64_t ooo_segs;
	uint64_t ooo_dropped;       /**< out-of-order segments dropped: no range left */
	uint64_t beyond_window;     /**< segments (or their tails) past the window */
	uint64_t rst_ignored;       /**< RSTs outside the window, or in SYN_SENT without our ACK */
	uint64_t challenge_acks;
	uint64_t bad_synack;        /**< SYN-ACKs with a wrong ACK, answered with an RST */
	uint64_t bad_ack;           /**< ACKs beyond SND.MAX or too old, dropped */
	uint64_t dropped;           /**< segments that mean nothing in their state */
	uint64_t no_match;          /**< segments for no connection */
	uint64_t queries;           /**< queries accepted */
	uint64_t answers;           /**< messages delivered */
	uint64_t answers_unsolicited; /**< messages beyond the queries sent */
	uint64_t answers_truncated; /**< longer than the prefix (delivered with their full length) */
	uint64_t answers_partial;   /**< connections that ended inside a message */
	uint64_t unanswered;        /**< queries outstanding when their connection ended */
};

/** One event; pointers are valid during the callback only. */
struct dv_tcp_event {
	uint8_t kind;           /**< enum dv_tcp_ev */
	uint8_t why;            /**< enum dv_tcp_why (DV_TCP_EV_CLOSED) */
	uint16_t msg_len;       /**< MESSAGE: bytes at msg */
	uint32_t conn;          /**< connection index */
	uint32_t full_len;      /**< MESSAGE: the message's length (> msg_len: longer than the prefix) */
	uint32_t outstanding;   /**< PEER_FIN and the ends: queries without an answer */
	uint32_t nth;           /**< RETRANSMIT: 1 for the first */
	uint64_t ticks;         /**< see enum dv_tcp_ev */
	const uint8_t *msg;     /**< MESSAGE: the first msg_len bytes */
};

/** Where segments and events go (called synchronously). */
struct dv_tcp_ops {
	/** A segment to send from (addr, port); seg->data points into the connection's send buffer. */
	void (*send)(void *ctx, uint32_t conn, uint16_t addr, uint16_t port, const struct dv_tcp_seg *seg);
	/** An event. It may call dv_tcp_send/keepalive/close/abort on this connection (acted on when the current call is done) and anything on others. */
	void (*event)(void *ctx, const struct dv_tcp_event *ev);
};

/** What every connection of a table shares. */
struct dv_tcp_env {
	const struct dv_tcp_cfg *cfg;
	const struct dv_tcp_ops *ops;
	void *ctx;
	struct dv_tcp_counts *counts;
	struct dv_tcp_rto_limits rto;
	/** No round-trip sample timed from before this tick: the caller did not
	 *  run for a while up to it (dv_tcp_table_stalled()), and a time measured
	 *  across that measures the caller, not the path. */
	uint64_t sample_from;
};

/* Connection flags */
#define DV_TCP_CF_FIN_QUEUED 0x0001 /**< our FIN is queued at fin_seq */
#define DV_TCP_CF_PEER_FIN   0x0002 /**< the server's FIN is in (RCV.NXT counts it) */
#define DV_TCP_CF_FIN_AHEAD  0x0004 /**< the server's FIN seen out of order at peer_fin */
#define DV_TCP_CF_TIMING     0x0008 /**< rtt_seq is being timed */
#define DV_TCP_CF_SYN_REXMIT 0x0010 /**< our SYN was retransmitted */
#define DV_TCP_CF_PERSIST    0x0020 /**< rtx_at is the persist (zero-window probe) timer */
#define DV_TCP_CF_KEEPALIVE  0x0040 /**< keepalive is set */
#define DV_TCP_CF_HALF_SEEN  0x0080 /**< half-open: the SYN-ACK came */
#define DV_TCP_CF_ENDED      0x0100 /**< the mode's end was applied */
#define DV_TCP_CF_NEED_ACK   0x0200 /**< an ACK is owed */
#define DV_TCP_CF_BUSY       0x0400 /**< inside a call: requests wait in pending */

/* Requests made while busy */
#define DV_TCP_PEND_FLUSH 0x01
#define DV_TCP_PEND_CLOSE 0x02
#define DV_TCP_PEND_ABORT 0x04

/** One connection. Its buffers are the table's; wheel_at, the table's bookkeeping. */
struct dv_tcp_conn {
	uint8_t state;          /**< enum dv_tcp_state */
	uint8_t why;            /**< enum dv_tcp_why, once we closed */
	uint8_t retries;        /**< retransmissions (or zero-window probes) since progress */
	uint8_t pending;        /**< DV_TCP_PEND_* */
	uint16_t flags;         /**< DV_TCP_CF_* */
	uint16_t addr, port;    /**< source address index and port */
	uint16_t mss;           /**< send MSS: min(the peer's, ours) */
	uint16_t snd_wnd;       /**< the peer's window */
	uint16_t max_wnd;       /**< the largest it offered (RFC 5961's MAX.SND.WND) */
	uint16_t sbuf_len;      /**< bytes in the send ring, from sbuf_seq */
	uint16_t sbuf_head;     /**< ring position of sbuf_seq */
	uint32_t idx;           /**< index in the table */
	uint32_t iss, irs;
	uint32_t snd_una, snd_nxt, snd_max;
	uint32_t snd_wl1, snd_wl2;
	uint32_t sbuf_seq;      /**< sequence number of the send ring's oldest byte */
	uint32_t fin_seq;       /**< our FIN's sequence number (CF_FIN_QUEUED) */
	uint32_t peer_fin;      /**< the server's FIN's sequence number (CF_FIN_AHEAD) */
	uint32_t rtt_seq;       /**< the timed segment's end (CF_TIMING) */
	uint32_t queued;        /**< queries accepted */
	uint32_t answered;      /**< answers delivered (at most queued) */
	uint64_t opened_at;     /**< first SYN */
	uint64_t state_at;      /**< entered the current state (FIN_WAIT_2, CLOSE_WAIT, half-open: the SYN-ACK) */
	uint64_t last_active;   /**< established, last query accepted or last answer */
	uint64_t rtt_at;        /**< the timed segment was sent */
	uint64_t zwin_since;    /**< the window has been zero with data waiting, or DV_TCP_NEVER */
	uint64_t rtx_at;        /**< retransmission or persist timer, or DV_TCP_NEVER */
	uint64_t life_at;       /**< idle, keepalive, hold or FIN_WAIT_2 limit, or DV_TCP_NEVER */
	uint64_t deadline;      /**< the earliest of the three */
	uint64_t wheel_at;      /**< the deadline the table's wheel holds (table only) */
	uint64_t keepalive;     /**< the server's idle timeout, ticks (CF_KEEPALIVE) */
	uint8_t *sbuf;          /**< cfg.sndbuf bytes */
	struct dv_tcp_rto rto;
	struct dv_tcp_stream rx;
};

/** Allocated: send a SYN from (addr, port) with this ISN. */
void dv_tcp_conn_open(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint32_t iss,
		      uint16_t addr, uint16_t port, uint64_t now);

/** A segment for this connection. */
void dv_tcp_conn_input(struct dv_tcp_conn *c, const struct dv_tcp_env *env,
		       const struct dv_tcp_seg *seg, uint64_t now);

/** Whether it takes another query now (N, K, state, mode, room). */
bool dv_tcp_conn_can_send(const struct dv_tcp_conn *c, const struct dv_tcp_env *env);

/**
 * Queue a query (the 2-byte length prefix is added) and send what the
 * window allows, unless busy (then at the end of the current call).
 * @return 0, -EMSGSIZE (empty or > query_max), -EPIPE (takes no more
 *         queries: mode, N, closing), -EBUSY (K outstanding), -ENOBUFS
 */
int dv_tcp_conn_send(struct dv_tcp_conn *c, const struct dv_tcp_env *env, const uint8_t *msg,
		     uint16_t len, uint64_t now);

/** Send what the window allows (after requests made while busy). */
void dv_tcp_conn_flush(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint64_t now);

/** The deadline passed: run whichever of its timers are due. */
void dv_tcp_conn_timer(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint64_t now);

/** Close (FIN after queued data; a connection in SYN_SENT is forgotten). */
void dv_tcp_conn_close(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint8_t why, uint64_t now);

/** End now: an RST if synchronized, then DV_TCP_EV_CLOSED (DV_TCP_WHY_ABORTED). */
void dv_tcp_conn_abort(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint64_t now);

/** The server's edns-tcp-keepalive timeout (ticks): close when idle that long. */
void dv_tcp_conn_keepalive(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint64_t ticks,
			   uint64_t now);

/** RCV.NXT: in-order data plus the server's FIN. */
static inline uint32_t dv_tcp_conn_rcv_nxt(const struct dv_tcp_conn *c)
{
	return c->rx.nxt + ((c->flags & DV_TCP_CF_PEER_FIN) ? 1u : 0u);
}
