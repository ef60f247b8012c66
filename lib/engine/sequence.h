/**
 * @file sequence.h
 * @brief Logical queries sent as sequences of attempts: timers, retries, outcomes.
 *
 * Ownership:
 * - lq[] (what each logical query is and when its attempts went out) and the
 *   `created` count: the generator;
 * - st[] (which attempts were seen, whether it ended), the timer FIFOs,
 *   `ended_upto`: the collector, which owns the state machine;
 * - retry requests: collector → generator through a single-producer,
 *   single-consumer rte_ring (one pending retry per logical query at most,
 *   so a ring as large as the table never overflows).
 *
 * Transport steps (--on-tc, --tcp-after): a UDP answer with TC=1 asks for
 * the same question again over TCP at once (one attempt index more than the
 * UDP sequence's N, so a TC on the last UDP attempt still has one); after K
 * UDP timeouts the next attempts go over TCP. Once a logical query went to
 * TCP its later attempts stay there. A TCP attempt that fails before its
 * timer (refused, reset, no SYN-ACK, closed) goes on to the next attempt, or
 * ends the query as failed with that reason.
 *
 * Timers: attempt index k always waits timer[k], so attempts of index k
 * enter FIFO k in send order and leave it in deadline order: O(1) per
 * attempt, no heap. The collector learns of attempts by walking the
 * in-flight table's published range, and fires due timers every step.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "engine/inflight.h"
#include "engine/policy.h"
#include "metrics/counters.h"

struct rte_ring;

/** Generator's record of a logical query. */
struct dv_lq {
	uint32_t qidx;                     /**< DV_QIDX_GENERATED for a pattern name */
	uint16_t qtype;
	uint16_t pad;
	struct dv_attempt_plan ap;
	uint64_t last_tx_tsc;              /**< its latest attempt's: attempts go out in index order */
};

/** What the generator is asked for (a retry request): attempt index and how it goes. */
#define DV_ASK_ATTEMPT  0x07 /**< the attempt index */
#define DV_ASK_TCP      0x08 /**< over TCP */
#define DV_ASK_AFTER_TC 0x10 /**< the TC answer's question again: the family and EDNS size of attempt DV_ASK_SRC */
#define DV_ASK_SRC_SHIFT 5   /**< bits 5-7: the attempt that got the TC answer */

/** Collector's state of a logical query. */
struct dv_lq_state {
	uint64_t lseq;     /**< DV_SEQ_NONE until its first attempt is seen */
	uint64_t t0;       /**< TX time of its first attempt: time to resolution */
	uint8_t latest;    /**< highest attempt index seen */
	uint8_t asked;     /**< highest attempt index asked for (ahead of latest until it is sent) */
	uint8_t ended;
	uint8_t fam[2];    /**< families of attempts 0 and 1 */
	uint8_t edns0;     /**< EDNS variant of its first attempt */
	uint8_t flags;     /**< DV_LQ_* */
	uint8_t tcp_fail;  /**< enum dv_tcp_fail of its last failed TCP attempt */
};

#define DV_LQ_TC       0x01 /**< a UDP answer with TC=1 came (and TCP was asked for) */
#define DV_LQ_TCP      0x02 /**< an attempt went over TCP */
#define DV_LQ_TCP_FAIL 0x04 /**< tcp_fail says why its last TCP attempt failed */
#define DV_LQ_TCP_SEEN 0x08 /**< attempt 1's transport was TCP (first-two table) */

/** A timer: logical query lseq's latest attempt times out at deadline. */
struct dv_timer {
	uint64_t deadline;
	uint64_t lseq;
};

/** A FIFO of timers with one timeout value (single owner). */
struct dv_timer_fifo {
	struct dv_timer *e;
	uint32_t mask;
	uint64_t head, tail;
};

/** The sequence tables of one generator/collector pair. */
struct dv_seq {
	uint32_t nslots;
	uint32_t mask;
	unsigned attempts;                 /**< N: the UDP sequence's attempts */
	unsigned indexes;                  /**< attempt indexes in use: N, or N + 1 with tc_tcp */
	bool tc_tcp;                       /**< a TC answer asks for TCP */
	uint8_t tcp_from;                  /**< attempts from this index go over TCP (>= indexes: never) */
	uint64_t timer_tsc[DV_MAX_ATTEMPTS];
	double ns_per_tick;                /**< for timer lateness; 1.0 until the engine sets it */
	struct dv_lq *lq;                  /**< generator */
	struct dv_lq_state *st;            /**< collector */
	struct dv_timer_fifo fifo[DV_MAX_ATTEMPTS]; /**< collector */
	struct rte_ring *retry;            /**< collector → generator */
	void *retry_mem;
	/** Logical queries created (generator writes, release). */
	uint64_t created __attribute__((aligned(64)));
	/** Every logical query below this has ended (collector writes, release). */
	uint64_t ended_upto __attribute__((aligned(64)));
	/* collector-private cursors */
	uint64_t walked __attribute__((aligned(64))); /**< attempts (in-flight seqs) walked */
	uint64_t seen;                     /**< logical queries whose first attempt was walked */
};

/**
 * Slots for a rate and the longest sequence: qps * sum(timers) * 2, at least
 * 65536, a power of two (bounded at 2^24).
 */
uint32_t dv_seq_slots_for(double qps, double seq_seconds);

/**
 * Allocate (plain memory, no EAL needed).
 * @param timer_tsc timer after attempt k, in TSC ticks, k < attempts
 * @return 0, -EINVAL, -ENOMEM
 */
int dv_seq_init(struct dv_seq *s, uint32_t nslots, unsigned attempts, const uint64_t *timer_tsc);

/**
 * The transport steps (after dv_seq_init): TC answers ask for TCP (the extra
 * attempt index waits timer_tc), and attempts from index tcp_from go over TCP.
 * With all DV_MAX_ATTEMPTS attempts there is no index left: a TC on the last
 * attempt then ends the query as truncated.
 * @return 0 or -ENOMEM
 */
int dv_seq_set_transport(struct dv_seq *s, bool tc_tcp, unsigned tcp_from, uint64_t timer_tc);

/** Release. */
void dv_seq_free(struct dv_seq *s);

/* ---- generator side ---- */

/** How many more logical queries the generator may create. */
static inline uint64_t dv_seq_room(const struct dv_seq *s)
{
	return s->nslots - (s->created - __atomic_load_n(&s->ended_upto, __ATOMIC_ACQUIRE));
}

/** Room for one more logical query? */
static inline bool dv_seq_has_room(const struct dv_seq *s)
{
	return dv_seq_room(s) > 0;
}

/** The generator's record for logical query lseq. */
static inline struct dv_lq *dv_seq_lq(struct dv_seq *s, uint64_t lseq)
{
	return &s->lq[(uint32_t)lseq & s->mask];
}

/** Publish that logical queries below `created` exist (after their first attempts were issued). */
static inline void dv_seq_publish(struct dv_seq *s, uint64_t created)
{
	__atomic_store_n(&s->created, created, __ATOMIC_RELEASE);
}

/**
 * Take up to n retry requests.
 * @param lseq, attempt out arrays (attempt: DV_ASK_* bits)
 * @return number taken
 */
unsigned dv_seq_retries(struct dv_seq *s, uint64_t *lseq, uint8_t *attempt, unsigned n);

/** Have all logical queries created so far ended? (generator or main) */
static inline bool dv_seq_all_ended(const struct dv_seq *s)
{
	return __atomic_load_n(&s->ended_upto, __ATOMIC_ACQUIRE) ==
	       __atomic_load_n(&s->created, __ATOMIC_ACQUIRE);
}

/* ---- collector side ---- */

/**
 * Walk attempts published since the last call: note them in the state and
 * start their timers. Stops early if a slot is being rewritten or a FIFO is
 * full (it resumes next call).
 */
void dv_seq_walk(struct dv_seq *s, const struct dv_inflight *ifl);

/**
 * Fire due timers: ask for the next attempt, or end the logical query as failed.
 * @param late if not NULL, records how late each acting timer fired (ns)
 */
void dv_seq_fire(struct dv_seq *s, uint64_t now, struct dv_seq_stats *st, struct dv_hist *late);

/**
 * An attempt was answered (first response to that attempt).
 * @param tc the response had TC=1
 * @param rx when the answer came (time to resolution)
 * @param resolve time to resolution by the first attempt's EDNS variant (NULL: not kept)
 */
void dv_seq_answer(struct dv_seq *s, const struct dv_attempt_id *a, bool tc, uint64_t rx,
		   struct dv_seq_stats *st, struct dv_hist *resolve);

/**
 * A TCP attempt failed before its timer: the next attempt is asked for now,
 * or the logical query ends as failed with that reason.
 */
void dv_seq_tcp_failed(struct dv_seq *s, const struct dv_attempt_id *a, enum dv_tcp_fail why,
		       struct dv_seq_stats *st);

/**
 * End of the run: every logical query still open ends as failed, or as
 * abandoned when a second signal cut the drain short (abandon).
 */
void dv_seq_finish(struct dv_seq *s, struct dv_seq_stats *st, bool abandon);
