/**
 * @file qsource.h
 * @brief Where query names come from: a query file (questions prebuilt with
 *        ldns) or a pattern expanded per logical query.
 *
 * A generated name is a pure function of (seed, logical query number), so the
 * collector re-expands it to check a response's question instead of storing
 * names per query.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "check/judge.h"
#include "config/plan.h"
#include "core/alias.h"
#include "core/rng.h"
#include "wire/compose.h"
#include "wire/qname.h"

struct dv_check;

/** A check of the battery in the load (--checks): its whole message, built once with ldns. */
struct dv_check_msg {
	struct dv_question q;          /**< header (its opcode), question, its OPT and option; ID 0 */
	const uint8_t *qname;          /**< the question's name, in q.wire */
	uint8_t qname_len;
	uint16_t qtype;
	uint8_t row;                   /**< its index in dv_checks[]: the counters' row */
	bool tcp;                      /**< asked over TCP (a UDP run's TCP checks too) */
	const struct dv_check *check;
};

/** Read-only once built. */
struct dv_qsource {
	const struct dv_query_list *ql;  /**< query file entries (n = 0 with a pattern) */
	struct dv_question *questions;   /**< header + question of each entry */
	bool generated;
	struct dv_qname_pattern pattern;
	struct dv_alias qtypes;          /**< qtype mix of generated names */
	uint64_t seed;
	uint64_t name_mul, name_add;     /**< --instance K/N: logical query n is name n * N + K - 1 */
	struct dv_check_msg checks[DV_CHECKS_MAX]; /**< --checks: the ones this run asks */
	unsigned nchecks;
	uint64_t check_every;            /**< every this many logical queries is a check; 0 = none */
};

/**
 * Attempt ids of checks: qidx DV_QIDX_CHECK0 + k is qs->checks[k] (query
 * files cannot have that many entries; DV_QIDX_GENERATED is above).
 */
#define DV_QIDX_CHECK0 (UINT32_MAX - 1u - DV_CHECKS_MAX)

/** The check an attempt asks, or NULL. */
static inline const struct dv_check_msg *dv_qsource_check(const struct dv_qsource *qs, uint32_t qidx)
{
	return qidx >= DV_QIDX_CHECK0 && qidx - DV_QIDX_CHECK0 < qs->nchecks
	       ? &qs->checks[qidx - DV_QIDX_CHECK0] : NULL;
}

/** Which check run-wide logical query gseq asks (its index in qs->checks), or -1: none. */
static inline int dv_qsource_check_turn(const struct dv_qsource *qs, uint64_t gseq)
{
	if (qs->check_every == 0 || gseq % qs->check_every != 0)
		return -1;
	/* In turn, one step further each round: with an even number of checks and
	 * families alternating, each check still meets both families. */
	uint64_t t = gseq / qs->check_every;
	return (int)((t + t / qs->nchecks) % qs->nchecks);
}

/** Build from the plan. @return 0 or -errno (reported) */
int dv_qsource_init(struct dv_qsource *qs, const struct dv_plan *plan, uint64_t seed);

/** Release. */
void dv_qsource_free(struct dv_qsource *qs);

/** The number a generated name carries, and the seed of its random characters. */
static inline uint64_t dv_qsource_name_seq(const struct dv_qsource *qs, uint64_t lseq,
					   struct dv_rng *r)
{
	/* Another instance of the run (--instance) names the numbers between. */
	uint64_t n = lseq * qs->name_mul + qs->name_add;
	dv_rng_seed(r, qs->seed ^ (n * 0xd1b54a32d192ed03ull));
	return n;
}

/** The generated name of logical query lseq (out: DV_QNAME_OUT bytes, dv_qname_expand()). @return its length */
static inline uint8_t dv_qsource_name(const struct dv_qsource *qs, uint64_t lseq, uint8_t *out)
{
	struct dv_rng r;
	uint64_t n = dv_qsource_name_seq(qs, lseq, &r);
	return dv_qname_expand(&qs->pattern, n, 0, &r, out);
}

/** dv_qsource_name(), and the name's partial sum (dv_qname_expand_sum()). */
static inline uint8_t dv_qsource_name_sum(const struct dv_qsource *qs, uint64_t lseq, uint8_t *out,
					  uint32_t *sum)
{
	struct dv_rng r;
	uint64_t n = dv_qsource_name_seq(qs, lseq, &r);
	return dv_qname_expand_sum(&qs->pattern, n, 0, &r, out, sum);
}
