/**
 * @file inflight.h
 * @brief In-flight query table: single-writer hand-off between generator and collector.
 *
 * Query number n (a 64-bit sequence) lives in slot n & mask. The slot number
 * is carried on the wire, split over the UDP source port and the DNS ID:
 * the low bits pick one of nports ports (so consecutive queries change port,
 * which spreads them over the server's RSS queues), the high bits the ID.
 * Both halves go through a keyed bijection (x * odd + key, modulo a power of
 * two), so ports and IDs look pseudorandom on the wire (RFC 4814 §4.5) and
 * the collector still inverts them in O(1). As the map is a bijection, the
 * 16-bit ID space of one (address, port) is never reused while a query in it
 * is outstanding: the generator may only issue n when n - resolved < nslots.
 *
 * Ownership:
 * - issue[] and `sent` are written by the generator only;
 * - done[] and `resolved` are written by the collector only;
 * - each side reads the other's through acquire loads.
 * The generator publishes an issue slot seqlock-style (seq invalid, fields,
 * seq valid), so the collector never matches a half-written slot.
 *
 * Timeouts are a FIFO: queries are sent in sequence order with one timeout, so
 * they expire in sequence order, and `resolved` walks forward, O(1) amortized.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/** Which attempt of which logical query an in-flight slot holds. */
struct dv_attempt_id {
	uint64_t lseq;    /**< logical query number */
	uint32_t qidx;    /**< query-file entry, DV_QIDX_GENERATED for a generated name */
	uint16_t qtype;   /**< host order */
	uint8_t family;   /**< DV_FAMILY_V4 / V6 */
	uint8_t attempt;  /**< 0-based attempt index */
	uint8_t edns_var; /**< EDNS variant (index into the run's size list) */
	uint8_t transport; /**< DV_TRANSPORT_UDP, or TCP: the lane's connections carry it */
	uint8_t lost;     /**< its answer never reaches the emulated resolver (a population's lost=) */
	uint8_t pad[5];
};

#define DV_QIDX_GENERATED UINT32_MAX
#define DV_ATTEMPT_ID_WORDS (sizeof(struct dv_attempt_id) / sizeof(uint64_t))

/** Written by the generator when it sends attempt seq. */
struct dv_issue {
	uint64_t seq;    /**< DV_SEQ_NONE while being written */
	uint64_t tx_tsc; /**< TSC when handed to the PMD */
	union {
		struct dv_attempt_id a;
		uint64_t w[DV_ATTEMPT_ID_WORDS];
	};
};

/** Written by the collector when query seq is answered (or timed out). */
struct dv_done {
	uint64_t seq;    /**< the sequence this outcome belongs to */
	uint8_t outcome; /**< enum dv_outcome */
	uint8_t pad[7];
};

#define DV_SEQ_NONE UINT64_MAX

/** What happened to a query, or to a response. */
enum dv_outcome {
	DV_OUT_NONE = 0,   /**< still outstanding */
	DV_OUT_ANSWERED,   /**< first matching response */
	DV_OUT_TIMEOUT,    /**< no response within the timeout */
	DV_OUT_DUPLICATE,  /**< response to an already answered query */
	DV_OUT_LATE,       /**< response to a query that had timed out */
	DV_OUT_UNMATCHED,  /**< no such outstanding query */
};

/** The table. Allocated once, sized from the plan. */
struct dv_inflight {
	uint32_t nslots;          /**< power of two, 65536 * nports */
	uint32_t mask;
	uint16_t sport_base;
	uint16_t nports;          /**< source ports used: a power of two in [nslots / 65536, nslots] */
	uint8_t port_bits;        /**< log2(nports) */
	uint32_t port_mul, port_inv, port_add; /**< port index bijection (mod nports) */
	uint32_t id_mul, id_inv, id_add;       /**< ID bijection (mod 65536) */
	uint8_t lane;             /**< which collector lane this table is (0 with one collector) */
	uint8_t nlanes;           /**< lanes in the run: global query number = lseq * nlanes + lane */
	struct dv_issue *issue;   /**< generator-owned */
	struct dv_done *done;     /**< collector-owned */
	/** Next sequence the generator will issue (generator writes, release). */
	uint64_t sent __attribute__((aligned(64)));
	/** Every seq below this is answered or timed out (collector writes, release). */
	uint64_t resolved __attribute__((aligned(64)));
	uint8_t pad_end[56];
};

/**
 * Slots needed for a rate and timeout: rate * timeout * 2 (headroom for
 * jitter and drain), at least 65536, rounded up to a power of two.
 */
uint32_t dv_inflight_slots_for(double qps, double timeout_s);

/**
 * Allocate and initialise.
 * @param nslots power of two >= 65536
 * @param sport_base first source port; sport_base + nslots/65536 must fit in 16 bits
 * @return 0, -EINVAL, -ENOMEM
 */
int dv_inflight_init(struct dv_inflight *t, uint32_t nslots, uint16_t sport_base);

/**
 * Spread the table over more source ports and scramble ports and IDs.
 * Without this call: nslots / 65536 ports, identity maps (port index and ID
 * straight from the slot number).
 * @param nports power of two, nslots / 65536 <= nports <= min(nslots, 32768),
 *               and sport_base + nports <= 65536
 * @param key    0 = identity maps; anything else picks the bijections
 * @return 0 or -EINVAL
 */
int dv_inflight_spread(struct dv_inflight *t, uint32_t nports, uint64_t key);

/** Release memory. */
void dv_inflight_free(struct dv_inflight *t);

/** Source port and DNS ID for a sequence. */
static inline void dv_inflight_wire_id(const struct dv_inflight *t, uint64_t seq,
				       uint16_t *sport, uint16_t *id)
{
	uint32_t slot = (uint32_t)seq & t->mask;
	uint32_t pidx = (slot * t->port_mul + t->port_add) & (t->nports - 1u);
	*id = (uint16_t)((slot >> t->port_bits) * t->id_mul + t->id_add);
	*sport = (uint16_t)(t->sport_base + pidx);
}

/* ---- generator side ---- */

/** The run-wide number of a lane's logical query (names and policies use it). */
static inline uint64_t dv_inflight_global(const struct dv_inflight *t, uint64_t lseq)
{
	return lseq * t->nlanes + t->lane;
}

/** Sequence number the next issue will get (generator only). */
static inline uint64_t dv_inflight_next(const struct dv_inflight *t)
{
	return t->sent;
}

/** How many more the generator may issue without reusing an outstanding slot. */
static inline uint64_t dv_inflight_room(const struct dv_inflight *t)
{
	return t->nslots - (t->sent - __atomic_load_n(&t->resolved, __ATOMIC_ACQUIRE));
}

/** Can the generator issue one more? */
static inline bool dv_inflight_has_room(const struct dv_inflight *t)
{
	return dv_inflight_room(t) > 0;
}

/** Record attempt seq (= dv_inflight_next() + i) as being sent now. Not yet visible. */
static inline void dv_inflight_issue(struct dv_inflight *t, uint64_t seq,
				     const struct dv_attempt_id *a, uint64_t tx_tsc)
{
	struct dv_issue *s = &t->issue[(uint32_t)seq & t->mask];
	const uint64_t *w = (const uint64_t *)a;
	__atomic_store_n(&s->seq, DV_SEQ_NONE, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&s->tx_tsc, tx_tsc, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < DV_ATTEMPT_ID_WORDS; i++)
		__atomic_store_n(&s->w[i], w[i], __ATOMIC_RELAXED);
	__atomic_store_n(&s->seq, seq, __ATOMIC_RELEASE);
}

/**
 * Publish everything issued below `upto` (after the burst went to the PMD).
 * A query that the PMD refused is never published: call dv_inflight_issue for
 * the next one with the same seq.
 */
static inline void dv_inflight_publish(struct dv_inflight *t, uint64_t upto)
{
	__atomic_store_n(&t->sent, upto, __ATOMIC_RELEASE);
}

/* ---- collector side ---- */

/** Result of matching a response. */
struct dv_match {
	enum dv_outcome outcome;
	uint64_t seq;
	uint64_t tx_tsc;
	struct dv_attempt_id a;
};

/**
 * Read a published slot consistently (seqlock) for the collector.
 * @return true if slot seq holds attempt seq, published, and was read whole
 */
bool dv_inflight_read(const struct dv_inflight *t, uint64_t seq, uint64_t *tx_tsc,
		      struct dv_attempt_id *a);

/**
 * Find the query a response answers, by destination port and DNS ID.
 * Does not change state: the caller checks the question, then calls
 * dv_inflight_answer() (or counts it as unmatched).
 * @return outcome ANSWERED (candidate), DUPLICATE, LATE or UNMATCHED
 */
enum dv_outcome dv_inflight_lookup(const struct dv_inflight *t, uint16_t dport, uint16_t id,
				   struct dv_match *m);

/**
 * dv_inflight_lookup() for a query whose sequence number is known (over
 * TCP the connection remembers which queries it carries, by their IDs).
 * @return ANSWERED (candidate), DUPLICATE, LATE or UNMATCHED (slot reused or
 *         not published)
 */
enum dv_outcome dv_inflight_lookup_seq(const struct dv_inflight *t, uint64_t seq, struct dv_match *m);

/** Mark a looked-up candidate answered. */
static inline void dv_inflight_answer(struct dv_inflight *t, const struct dv_match *m)
{
	struct dv_done *d = &t->done[(uint32_t)m->seq & t->mask];
	d->outcome = DV_OUT_ANSWERED;
	__atomic_store_n(&d->seq, m->seq, __ATOMIC_RELAXED);
}

/**
 * Walk the resolved cursor forward over answered queries and over queries
 * sent before `deadline_tsc` (= now - timeout) that are unanswered, which
 * time out. Calls on_timeout(ctx, family) for each; stops after `budget`
 * steps so that a collector never stalls its RX loop.
 * @param all if true, every published query times out (end of drain)
 * @return number of queries resolved by this call
 */
unsigned dv_inflight_expire(struct dv_inflight *t, uint64_t deadline_tsc, bool all,
			    unsigned budget,
			    void (*on_timeout)(void *ctx, uint64_t seq, const struct dv_attempt_id *a),
			    void *ctx);

/** Queries sent and not yet resolved (collector's view). */
static inline uint64_t dv_inflight_outstanding(const struct dv_inflight *t)
{
	return __atomic_load_n(&t->sent, __ATOMIC_ACQUIRE) - t->resolved;
}
