/**
 * @file table.h
 * @brief The connection table: fixed memory from the caller, the source
 *        ports, lookup of incoming segments, the timers, and the public
 *        API of the TCP client (conn.h is the state machine it drives).
 *
 * Memory: dv_tcp_table_mem_size(cfg) bytes from the caller, laid out once;
 * nothing grows. Per connection dv_tcp_conn_bytes(cfg); per (address, port)
 * key dv_tcp_key_bytes() (a lookup entry: key -> connection, 4 bytes, 256 KiB
 * per address for all 64k ports; and the port allocator's 13); per wheel
 * slot 8 bytes.
 *
 * Timers: a hashed timer wheel of timer_slots slots of timer_res ticks. A
 * connection sits in the slot of its deadline (one deadline each: the
 * earliest of retransmission/persist, life and zero-window limit), so
 * re-arming is O(1) and a run touches only what is due, plus the
 * connections whose deadline is a whole turn of the wheel or more away
 * (visited once per turn). A full scan of a 64k table per poll would be too
 * slow; a scan with a cursor would make timer precision depend on the table
 * size. dv_tcp_timers_run() does at most `budget` units of work (a
 * connection looked at, or a slot passed) and resumes where it stopped.
 * Timers fire at most timer_res late, never early.
 *
 * All of it belongs to one lcore. ISNs come from the table's own RNG,
 * seeded by the caller. Connections go to one destination (the caller's
 * template), so (address index, port) names a connection.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "tcp/conn.h"
#include "tcp/ports.h"
#include "wire/tcp.h"

/** A link of an intrusive circular list (indices; heads are extra entries past the connections). */
struct dv_tcp_link {
	uint32_t prev, next;
};

/** The table. It points into itself: do not move it after dv_tcp_table_init(). */
struct dv_tcp_table {
	struct dv_tcp_cfg cfg;
	struct dv_tcp_ops ops;
	struct dv_tcp_counts counts;
	struct dv_tcp_env env;       /**< what the connections see: cfg, ops, counts above */
	struct dv_rng rng;           /**< ISNs */
	struct dv_tcp_ports ports;
	struct dv_tcp_conn *conn;    /**< cfg.conns */
	uint32_t *by_key;            /**< (address, port) key -> connection, or DV_TCP_NONE */
	uint32_t *free_idx;          /**< stack of free connections */
	uint32_t nfree;
	uint32_t armed;              /**< connections on the wheel */
	struct dv_tcp_link *wheel;   /**< connections, one head per slot, the visited list's head */
	struct dv_tcp_link *spare;   /**< connections, then the head: those that take a query now */
	uint64_t slot;               /**< the wheel's current slot, in timer_res units since tick 0 */
	bool in_timers;
};

/** Defaults: RFC 6298's RTOs (1 s initial and minimum, 60 s maximum), 60 s quarantine, one query per connection closed with a FIN. */
void dv_tcp_cfg_default(struct dv_tcp_cfg *cfg, uint64_t hz);

/** @return 0, or -EINVAL with a field out of its range (see struct dv_tcp_cfg) */
int dv_tcp_cfg_check(const struct dv_tcp_cfg *cfg);

/** Bytes per connection: its struct, rcvbuf + prefix + sndbuf, its links and free-stack entry. */
size_t dv_tcp_conn_bytes(const struct dv_tcp_cfg *cfg);

/** Bytes per (address, port) key: lookup entry and port allocator. */
size_t dv_tcp_key_bytes(void);

/** Bytes of memory dv_tcp_table_init() needs (0 for a cfg that fails dv_tcp_cfg_check()). */
size_t dv_tcp_table_mem_size(const struct dv_tcp_cfg *cfg);

/**
 * Lay the table out in mem (any alignment) and start its clock at now.
 * @param seed the ISN generator's seed
 * @return 0, -EINVAL (cfg) or -ENOMEM (size too small)
 */
int dv_tcp_table_init(struct dv_tcp_table *t, void *mem, size_t size, const struct dv_tcp_cfg *cfg,
		      const struct dv_tcp_ops *ops, void *ctx, uint64_t seed, uint64_t now);

/**
 * A new connection: a source (address, port) out of quarantine, a SYN.
 * @return its index, or -ENOSPC (table full), -EADDRNOTAVAIL (every key in
 *         use) or -EAGAIN (the free keys all in quarantine); each counted
 */
int dv_tcp_open(struct dv_tcp_table *t, uint64_t now);

/**
 * Queue a query (a DNS message without its length prefix) on a connection;
 * sent at once when established and the window allows, else when it does.
 * @return 0, -EINVAL (no such index), -ENOTCONN (closed), or
 *         dv_tcp_conn_send()'s errors (-EMSGSIZE, -EPIPE, -EBUSY, -ENOBUFS)
 */
int dv_tcp_send(struct dv_tcp_table *t, uint32_t conn, const uint8_t *msg, uint16_t len, uint64_t now);

/**
 * Send a query on the connection that has waited longest with room for one
 * (queries < N, outstanding < K), or on a new one.
 * @return the connection's index, or a negative error of dv_tcp_open() or
 *         dv_tcp_send(); -EPIPE when the mode sends no queries (N = 0, half-open)
 */
int dv_tcp_query(struct dv_tcp_table *t, const uint8_t *msg, uint16_t len, uint64_t now);

/**
 * The server's edns-tcp-keepalive TIMEOUT (RFC 7828, units of 100 ms) from an
 * answer on this connection: it then closes (FIN) once idle that long
 * (0: as soon as it is idle), unless it must close sooner anyway.
 * @return 0, -EINVAL or -ENOTCONN
 */
int dv_tcp_keepalive(struct dv_tcp_table *t, uint32_t conn, uint16_t timeout_100ms, uint64_t now);

/** Close (FIN after the queued queries; a connection still in SYN_SENT is forgotten). @return 0, -EINVAL, -ENOTCONN */
int dv_tcp_close(struct dv_tcp_table *t, uint32_t conn, uint64_t now);

/** End now with an RST (none in SYN_SENT). @return 0, -EINVAL, -ENOTCONN */
int dv_tcp_abort(struct dv_tcp_table *t, uint32_t conn, uint64_t now);

/** The connection of (address index, local port), or DV_TCP_NONE. */
uint32_t dv_tcp_lookup(const struct dv_tcp_table *t, uint16_t addr, uint16_t port);

/**
 * A segment that arrived for (address index, local port), parsed (wire/tcp.h).
 * @return 0, -ENOENT (no connection: counted, not answered) or -EBUSY (called
 *         from one of this connection's own callbacks)
 */
int dv_tcp_input(struct dv_tcp_table *t, uint16_t addr, uint16_t port, const struct dv_tcp_seg *seg,
		 uint64_t now);

/** Run due timers, at most budget units of work. @return connections whose timers ran */
unsigned dv_tcp_timers_run(struct dv_tcp_table *t, uint64_t now, unsigned budget);

/**
 * The caller did not run for a while up to now (its process stalled): no
 * round-trip time timed from before now is taken as a sample, since it would
 * measure the stall, not the path, and inflate every RTO after it (a stall of
 * 300 ms made a 50 ms RTO about 900 ms); and a SYN whose timer ran out
 * during the stall does not set the RTO to RFC 6298 5.7's 3 s. Karn's rule
 * in spirit.
 */
static inline void dv_tcp_table_stalled(struct dv_tcp_table *t, uint64_t now)
{
	t->env.sample_from = now;
}

/** A connection's next deadline (DV_TCP_NEVER: none, or no such connection). */
uint64_t dv_tcp_deadline(const struct dv_tcp_table *t, uint32_t conn);

/**
 * The end of a run: abort every connection (an RST for the synchronized
 * ones). O(conns). It visits each index once: a connection its callbacks
 * open meanwhile may stay open.
 */
void dv_tcp_abort_all(struct dv_tcp_table *t, uint64_t now);

/** Connections in use. */
static inline uint32_t dv_tcp_live(const struct dv_tcp_table *t)
{
	return t->cfg.conns - t->nfree;
}

/** A connection, to read (NULL for an index out of range). */
const struct dv_tcp_conn *dv_tcp_conn_at(const struct dv_tcp_table *t, uint32_t conn);

/**
 * Check every invariant of the table (lookup, ports, free stack, wheel,
 * spare list, each connection's sequence space and ranges). O(conns + keys + slots): tests.
 * @return NULL, or what is wrong
 */
const char *dv_tcp_table_check(const struct dv_tcp_table *t);
