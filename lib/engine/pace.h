/**
 * @file pace.h
 * @brief Absolute TSC send schedule: query n is due at anchor + (n - anchor_n) / rate.
 *
 * The schedule never speeds up to make up for lost time: when a stall leaves
 * more than max_backlog queries overdue, it is re-anchored at "now" (a slip,
 * counted) instead of bursting the backlog onto the wire.
 */
#pragma once

#include <stdint.h>

/** Pacing state of one generator (single owner). */
struct dv_pace {
	uint64_t anchor_tsc;  /**< send time of query anchor_n */
	uint64_t anchor_n;
	uint64_t n;           /**< next query number to send */
	double tsc_per_query; /**< TSC ticks between two queries */
	uint64_t max_backlog; /**< overdue queries tolerated before re-anchoring */
	uint64_t slips;       /**< re-anchors so far */
};

/**
 * Start a schedule.
 * @param max_backlog usually the burst size: a burst may catch up with jitter, never with a stall
 */
void dv_pace_init(struct dv_pace *p, uint64_t start_tsc, uint64_t tsc_hz, double qps,
		  uint64_t max_backlog);

/** TSC at which query n is due. */
static inline uint64_t dv_pace_due_tsc(const struct dv_pace *p, uint64_t n)
{
	return p->anchor_tsc + (uint64_t)((double)(n - p->anchor_n) * p->tsc_per_query);
}

/**
 * How many queries are due at `now`, at most `cap`. Re-anchors when the
 * backlog is larger than max_backlog.
 */
static inline unsigned dv_pace_due(struct dv_pace *p, uint64_t now, unsigned cap)
{
	if (now < p->anchor_tsc)
		return 0;
	uint64_t due_total = p->anchor_n + (uint64_t)((double)(now - p->anchor_tsc) / p->tsc_per_query) + 1;
	if (due_total <= p->n)
		return 0;
	uint64_t backlog = due_total - p->n;
	if (backlog > p->max_backlog) {
		p->anchor_tsc = now;
		p->anchor_n = p->n;
		p->slips++;
		backlog = 1;
	}
	return backlog < cap ? (unsigned)backlog : cap;
}

/** k queries of the due ones were sent (or given up). */
static inline void dv_pace_advance(struct dv_pace *p, unsigned k)
{
	p->n += k;
}
