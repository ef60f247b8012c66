/**
 * @file search.h
 * @brief Throughput search (RFC 8219 §9.2, RFC 2544 §26.1): a binary search for
 *        the highest offered rate at which at most L% of queries go unanswered.
 *
 * Pure logic, no I/O: the caller runs a trial at dv_search_rate(), reports its
 * loss with dv_search_report(), and repeats until dv_search_done(). The first
 * trial is at the upper bound (a server that keeps up with it needs no
 * search); after that the interval [pass, fail) halves until it is narrower
 * than the resolution.
 *
 * A trial in which the generator could not offer the rate (it started fewer
 * than DV_SEARCH_GEN_SHARE of the offered queries) is generator-limited: it
 * says nothing of the server, so it is no failure; it only bounds the rates
 * the search can test. A search that no trial failed found no limit: below
 * the upper bound (every trial passed), or below what the generator could
 * offer.
 *
 * A trial the generator did not hold (it started fewer queries than the
 * offered rate by more than the resolution, or the process stalled) is run
 * again once at the same rate before anything is judged: one stall of a
 * shared machine is no limit of the server, nor of the generator, and would
 * otherwise move the finding by more than the search resolves. The repeat is
 * judged as it comes.
 */
#pragma once

#include <stdbool.h>

#include "metrics/result.h"

/** One binary search. */
struct dv_search {
	double max_qps;        /**< upper bound */
	double loss_pct;       /**< acceptance: loss <= this */
	double step_qps;       /**< stop when fail - pass <= this */
	double pass_qps;       /**< highest offered rate that passed (0 = none yet) */
	double found_qps;      /**< what the passes credit: the rate actually sent, at most the offered one */
	double fail_qps;       /**< lowest rate that failed (max_qps + step while none) */
	double next_qps;       /**< rate of the next trial */
	double gen_limit_qps;  /**< lowest offered rate the generator could not reach (0 = none) */
	unsigned trials;
	bool repeating;        /**< the next trial repeats one the generator did not hold */
	bool server_failed;    /**< a trial failed (not generator-limited) */
	bool done;
};

/**
 * Start a search.
 * @param resolution_pct stop when the interval is narrower than this share of max_qps
 */
void dv_search_init(struct dv_search *s, double max_qps, double loss_pct, double resolution_pct);

/** Rate of the next trial. */
static inline double dv_search_rate(const struct dv_search *s)
{
	return s->next_qps;
}

/**
 * The trial at dv_search_rate() lost this share (percent) of its queries.
 * @param sent_qps what the generator actually started per second: below
 *                 DV_SEARCH_GEN_SHARE of the offered rate the trial is
 *                 generator-limited; a pass counts at this rate when it is
 *                 lower (a generator that fell behind must not credit the
 *                 server with the rate it did not offer)
 * @param stalled the process stalled during the trial (struct dv_stalls)
 * @return the trial's verdict: DV_TRIAL_REPEAT when the generator did not
 *         hold the trial (short by more than the resolution, or stalled) and
 *         it is not itself a repeat; the next trial is at the same rate
 */
enum dv_trial_verdict dv_search_report(struct dv_search *s, double loss_pct, double sent_qps,
				       bool stalled);

/** How a finished search ended: a limit found, none below the upper bound, or the generator's ceiling. */
static inline enum dv_search_end dv_search_outcome(const struct dv_search *s)
{
	if (s->server_failed)
		return DV_SEARCH_FOUND;
	return s->gen_limit_qps > 0.0 ? DV_SEARCH_GEN_CEILING : DV_SEARCH_NO_LIMIT;
}

/** Whether the search has its answer (dv_search_found()). */
static inline bool dv_search_done(const struct dv_search *s)
{
	return s->done;
}

/** The highest rate that passed, as sent (0 when even the lowest trial failed). */
static inline double dv_search_found(const struct dv_search *s)
{
	return s->found_qps;
}

/** Median, minimum and maximum of n values (n >= 1); the array is sorted in place. */
void dv_search_summary(double *v, unsigned n, double *median, double *min, double *max);
