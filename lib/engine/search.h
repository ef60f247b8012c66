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
 */
#pragma once

#include <stdbool.h>

/** One binary search. */
struct dv_search {
	double max_qps;        /**< upper bound */
	double loss_pct;       /**< acceptance: loss <= this */
	double step_qps;       /**< stop when fail - pass <= this */
	double pass_qps;       /**< highest offered rate that passed (0 = none yet) */
	double found_qps;      /**< what the passes credit: the rate actually sent, at most the offered one */
	double fail_qps;       /**< lowest rate that failed (max_qps + step while none) */
	double next_qps;       /**< rate of the next trial */
	unsigned trials;
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
 * @param sent_qps what the generator actually sent per second: a pass counts
 *                 at this rate when it is lower (a generator that fell behind
 *                 must not credit the server with the rate it did not offer)
 */
void dv_search_report(struct dv_search *s, double loss_pct, double sent_qps);

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
