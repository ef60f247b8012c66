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
	uint64_t tx_tsc[DV_MAX_ATTEMPTS];  /**< for the gap between attempts */
};

/** Collector's state of a logical query. */
struct dv_lq_state {
	uint64_t lseq;     /**< DV_SEQ_NONE until its first attempt is seen */
	uint8_t latest;    /**< highest attempt index seen */
	uint8_t ended;
	uint8_t fam[2];    /**< families of attempts 0 and 1 */
	uint8_t pad[4];
};

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
	unsigned attempts;
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
 * @param lseq, attempt out arrays
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
 */
void dv_seq_answer(struct dv_seq *s, const struct dv_attempt_id *a, bool tc,
		   struct dv_seq_stats *st);

/**
 * End of the run: every logical query still open ends as failed, or as
 * abandoned when a second signal cut the drain short (abandon).
 */
void dv_seq_finish(struct dv_seq *s, struct dv_seq_stats *st, bool abandon);
