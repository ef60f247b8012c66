/**
 * @file policy.h
 * @brief What each attempt of a logical query looks like: family, EDNS variant, DO.
 *
 * Drawn once, when the generator creates the logical query, from tables
 * built before the run (alias method for weighted choices), so a retry costs
 * nothing to decide and the collector never needs to ask.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config/plan.h"
#include "metrics/counters.h"
#include "core/alias.h"
#include "core/rng.h"

/** The per-attempt choices for one logical query. */
struct dv_attempt_plan {
	uint8_t family[DV_MAX_ATTEMPTS];   /**< DV_FAMILY_* of attempt k */
	uint8_t edns_var[DV_MAX_ATTEMPTS]; /**< EDNS variant of attempt k */
	bool dnssec_ok;                    /**< DO on every attempt with an OPT */
	uint8_t lost;                      /**< bit k: attempt k's answer never reaches the resolver */
};

/** Read-only tables derived from the plan. */
struct dv_policy {
	enum dv_family_policy family;
	double mix_v6;
	unsigned attempts;
	bool retry_family;                 /**< switch family on each retry */
	bool both;                         /**< both families have a target */
	uint8_t only_family;               /**< the family when !both */
	unsigned n_edns;                   /**< EDNS variants */
	int edns_size[DV_EDNS_VARIANTS];   /**< size of each variant, 0 = no OPT */
	uint8_t ladder_next[DV_EDNS_VARIANTS]; /**< variant of the next retry (itself without DV_RETRY_EDNS) */
	struct dv_alias first_edns;        /**< draws the first attempt's variant */
	double do_prob;
	uint64_t tsc_timer[DV_MAX_ATTEMPTS]; /**< filled by the engine: timer after attempt k, in TSC */
	bool tc_tcp;                       /**< a UDP answer with TC=1: the question again over TCP */
	uint8_t tcp_from;                  /**< attempts from this index over TCP (0: --transport tcp;
					        DV_MAX_ATTEMPTS: never) */
	uint64_t lost_below;               /**< a population kind's lost=: an attempt's answer is not
					        taken when a draw of 64 bits is below (0: never) */
	bool lost_all;                     /**< lost=100%: no answer is taken */
	bool fixed;                        /**< every logical query gets fixed_plan: nothing to draw */
	struct dv_attempt_plan fixed_plan;
};

/**
 * The effective timers of the plan's sequences, in seconds: timer k runs
 * after attempt k. No re-query timers: one attempt with the -t timeout.
 * Happy eyeballs: its delay runs first (before the IPv4 attempt, which is one
 * of the N), then the plan's timers.
 * @return number of attempts (1..DV_MAX_ATTEMPTS)
 */
unsigned dv_seq_timers(const struct dv_plan *plan, double timer_s[DV_MAX_ATTEMPTS]);

/** dv_seq_timers() of a population's kind k (k = 0 without one: the run's). */
unsigned dv_seq_kind_timers(const struct dv_plan *plan, unsigned kind, double timer_s[DV_MAX_ATTEMPTS]);

/**
 * Build the tables from the plan (its first kind, when it has a population).
 * @return 0 or -EINVAL (a weighted list that cannot be sampled; already validated by config)
 */
int dv_policy_init(struct dv_policy *p, const struct dv_plan *plan);

/**
 * The tables of kind k, its EDNS variants numbered after those of prev (the
 * previous kind's policy, or NULL).
 */
int dv_policy_init_kind(struct dv_policy *p, const struct dv_plan *plan, unsigned kind,
			const struct dv_policy *prev);

/**
 * The tables of every kind (dv_plan_kinds()), which share one list of EDNS
 * variants (so the run's counters and OPT records index them alike).
 * @param pol room for DV_KINDS_MAX
 */
int dv_policy_init_kinds(struct dv_policy *pol, const struct dv_plan *plan);

/**
 * Draw the attempts of logical query number lseq.
 * @param first_family_toggle alternates for policies that alternate (lseq parity)
 */
void dv_policy_draw(const struct dv_policy *p, uint64_t lseq, struct dv_rng *r,
		    struct dv_attempt_plan *ap);
