/**
 * @file check_levels.h
 * @brief The battery under load (--checks) by load level: each interval's
 *        check outcomes added to the level of its offered rate, so that a
 *        ramp says at which rate a check started to fail.
 *
 * Bounded: at most DV_CHECK_LEVELS_MAX levels. A level spans offered rates
 * within a ratio (5 % at first); when the levels run out, neighbours merge
 * in pairs and the ratio is squared, so a long ramp keeps its whole range
 * in coarser steps. Intervals without an offered rate (the drain) join the
 * last level: their answers are to its queries.
 */
#pragma once

#include <stdint.h>

#include "check/judge.h"
#include "core/types.h"

#define DV_CHECK_LEVELS_MAX 32

/** How a check's attempts ended, coarsely (the fields are in the run's totals). */
enum dv_check_level_col {
	DV_CL_PASSED = 0,
	DV_CL_FAILED,
	DV_CL_NO_ANSWER,
	DV_CL_COLS
};

/** One load level. */
struct dv_check_level {
	double qps_lo, qps_hi;   /**< offered rates of its intervals */
	uint64_t n[DV_CHECKS_MAX][DV_CL_COLS]; /**< by row of dv_checks[] */
};

/** The levels of a run (zero-initialised: none). */
struct dv_check_levels {
	unsigned n;
	double ratio;            /**< a level spans [qps_lo, qps_lo * ratio); 0 = not yet set */
	struct dv_check_level l[DV_CHECK_LEVELS_MAX];
};

/**
 * Add an interval's outcomes (check_res of rx, as deltas; families summed) at its offered rate.
 * @param qps the interval's offered rate (<= 0: the drain, joins the last level)
 */
void dv_check_levels_add(struct dv_check_levels *lv, double qps,
			 const uint64_t res[DV_FAMILIES][DV_CHECKS_MAX][DV_CR_KINDS]);

/** A check's outcome counts summed over its result kinds: passed, failed (any field), no answer. */
void dv_check_outcome_sum(const uint64_t res[DV_CR_KINDS], uint64_t out[DV_CL_COLS]);
