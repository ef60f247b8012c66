/**
 * @file reassembly.h
 * @brief A collector's fragments: exact accounting of every fragment set,
 *        reassembly with DPDK's rte_ip_frag, and lost sets attributed to
 *        their attempt when the first fragment arrived.
 *
 * rte_ip_frag reassembles but says nothing about the sets it gives up on, so
 * the collector tracks each set itself (keyed by family, source address and
 * IP ID): fragments, bytes, first and last arrival, and what the first
 * fragment says (our source port, the DNS ID, the datagram's length). A set
 * not completed within the fragment timeout is lost. Sets are created in
 * arrival order and share one timeout, so they expire from a FIFO: O(1).
 * Everything here is owned by one collector lcore.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_ip_frag.h>

#include "metrics/counters.h"
#include "wire/fragment.h"

struct rte_mbuf;

/** Concurrent fragment sets one collector tracks at most (about 40 MiB with rte_ip_frag's table). */
#define DV_FRAG_SETS_MAX 65536

/** One fragment set being tracked. */
struct dv_frag_set {
	uint8_t used;
	uint8_t family;       /**< DV_FAMILY_* */
	uint8_t has_first;    /**< the offset-0 fragment arrived */
	uint8_t ours;         /**< first fragment: a DNS response to one of our ports */
	uint32_t ip_id;
	uint8_t src[16];
	uint64_t first_tsc, last_tsc;
	uint32_t nfrags;
	uint32_t bytes;
	uint16_t dport, dns_id, udp_len;
	uint16_t pad;
};

/** FIFO entry: a set, by key, and when it was created. */
struct dv_frag_age {
	uint64_t created_tsc;
	uint32_t ip_id;
	uint8_t family;
	uint8_t src[16];
};

/** What a lost or refused set was an answer to. */
struct dv_frag_verdict {
	bool attributable;    /**< first fragment seen: dport + DNS ID are known */
	bool refused;         /**< drop mode: refused on purpose, not lost */
	uint16_t dport, dns_id, udp_len;
	uint8_t family;
};

/** A collector's fragment state. */
struct dv_frags {
	struct dv_frag_set *set;  /**< open addressing, linear probing, backward-shift delete */
	uint32_t mask;
	uint32_t live;
	struct dv_frag_age *fifo;
	uint32_t fifo_mask;
	uint64_t head, tail;
	uint64_t timeout_tsc;
	double ns_per_tick;
	struct rte_ip_frag_tbl *tbl;   /**< NULL in drop mode */
	struct rte_ip_frag_death_row dr;
	uint32_t held;                 /**< mbufs rte_ip_frag holds (segments of incomplete sets) */
	uint32_t held_max;             /**< at most this many (a share of the RX pool); 0 = no bound */
	uint64_t sweep_tsc;            /**< holding nothing, have rte_ip_frag sweep at most this often */
	uint64_t next_sweep_tsc;
};

/**
 * Allocate for at most max_sets concurrent sets.
 * @param reassemble create an rte_ip_frag table (needs EAL)
 * @return 0 or -ENOMEM
 */
int dv_frags_init(struct dv_frags *f, uint32_t max_sets, uint64_t timeout_tsc, double ns_per_tick,
		  bool reassemble, int socket);

/** Release (and free whatever rte_ip_frag still holds). */
void dv_frags_free(struct dv_frags *f);

/**
 * Account one fragment in its set (created on its first fragment).
 * @param fi parsed fragment
 * @param frame_len its frame length
 * @param ours_lo, ours_hi our source port range (a first fragment to these ports from dns_port is "ours")
 */
void dv_frags_note(struct dv_frags *f, const struct dv_frag_info *fi, uint32_t frame_len,
		   uint64_t now, uint16_t dns_port, uint16_t ours_lo, uint16_t ours_hi,
		   struct dv_frag_stats *st);

/**
 * Whether rte_ip_frag may take this fragment: incomplete sets hold at most
 * held_max mbufs, or a flood of sets that never complete starves RX. When
 * not, it is counted over_share (its set, already noted, will be lost) and
 * the caller frees it.
 */
bool dv_frags_admit(const struct dv_frags *f, const struct rte_mbuf *m, struct dv_frag_stats *st);

/** Fragments in the sets tracked now (for the identities: received = in_reassembled + in_lost + untracked + live). */
uint64_t dv_frags_live_fragments(const struct dv_frags *f);

/**
 * Hand a fragment to rte_ip_frag (which owns it from now on).
 * @return the reassembled datagram (a possibly chained mbuf, Ethernet header
 *         first), or NULL while incomplete
 */
struct rte_mbuf *dv_frags_reassemble(struct dv_frags *f, struct rte_mbuf *m,
				     const struct dv_frag_info *fi, uint64_t now);

/**
 * A set completed: record fragments per response and spread, forget it.
 * @param fi the fragment that completed it
 */
void dv_frags_done(struct dv_frags *f, const struct dv_frag_info *fi, struct dv_frag_stats *st,
		   struct dv_hist *count, struct dv_hist *spread);

/**
 * Expire sets older than the timeout (or all, at the end of a run): each is a
 * lost set, or in drop mode (no reassembly table) a refused one when its
 * first fragment was ours. Calls on_lost for the attributable ones. Also has
 * rte_ip_frag free its expired sets now (it would only when a fragment of the
 * same bucket arrives) and frees them.
 * @return sets expired
 */
unsigned dv_frags_expire(struct dv_frags *f, uint64_t now, bool all, struct dv_frag_stats *st,
			 void (*on_lost)(void *ctx, const struct dv_frag_verdict *v), void *ctx);

/**
 * Whether dv_frags_expire(f, now, false, ...) has anything to do: a tracked
 * set, or a sweep of rte_ip_frag's table due. False: the fragment path is
 * idle and the call can be left out (a poll's cost when no fragment comes).
 */
static inline bool dv_frags_due(const struct dv_frags *f, uint64_t now)
{
	return f->head < f->tail || (f->tbl != NULL && (f->held != 0 || now >= f->next_sweep_tsc));
}

/** Free the mbufs rte_ip_frag has given up on (call once per burst). */
void dv_frags_flush(struct dv_frags *f);
