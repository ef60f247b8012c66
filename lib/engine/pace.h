/**
 * @file pace.h
 * @brief Absolute TSC send schedule: query n is due at anchor + (n - anchor_n) / rate.
 *
 * The schedule never speeds up to make up for lost time: when a stall leaves
 * more than max_backlog queries overdue, it is re-anchored at "now" (a slip,
 * counted) instead of bursting the backlog onto the wire.
 *
 * Two more shapes: a linear ramp (resperf's), where the rate grows from r0
 * by a constant slope, so query n is due when r0 x + slope x^2 / 2 = n; and
 * no schedule at all (--max), where everything asked for is due.
 */
#pragma once

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

/** Pacing state of one generator (single owner). */
struct dv_pace {
	uint64_t anchor_tsc;  /**< send time of query anchor_n */
	uint64_t anchor_n;
	uint64_t n;           /**< next query number to send */
	double tsc_per_query; /**< TSC ticks between two queries */
	uint64_t max_backlog; /**< overdue queries tolerated before re-anchoring */
	uint64_t slips;       /**< re-anchors so far */
	bool unlimited;       /**< --max: no schedule */
	bool ramp;            /**< linear ramp: the fields below, anchor_n unused (0) */
	double r0;            /**< ramp: queries per tick at anchor_tsc */
	double slope;         /**< ramp: queries per tick^2 */
};

/** The ramp's queries due in the first x ticks since its anchor. */
static inline double dv_pace_ramp_count(const struct dv_pace *p, double x)
{
	return p->r0 * x + 0.5 * p->slope * x * x;
}

/** Ticks since the ramp's anchor until n queries are due (inverse of dv_pace_ramp_count). */
static inline double dv_pace_ramp_ticks(const struct dv_pace *p, double n)
{
	if (p->slope <= 0.0)
		return n / p->r0;
	return (sqrt(p->r0 * p->r0 + 2.0 * p->slope * n) - p->r0) / p->slope;
}

/**
 * Start a schedule.
 * @param max_backlog usually the burst size: a burst may catch up with jitter, never with a stall
 */
void dv_pace_init(struct dv_pace *p, uint64_t start_tsc, uint64_t tsc_hz, double qps,
		  uint64_t max_backlog);

/** Start a linear ramp from from_qps to to_qps over duration_s (from_qps may be 0). */
void dv_pace_init_ramp(struct dv_pace *p, uint64_t start_tsc, uint64_t tsc_hz, double from_qps,
		       double to_qps, double duration_s, uint64_t max_backlog);

/** No schedule: from start_tsc on, every step may send a full burst. */
void dv_pace_init_max(struct dv_pace *p, uint64_t start_tsc);

/** TSC at which query n is due. */
static inline uint64_t dv_pace_due_tsc(const struct dv_pace *p, uint64_t n)
{
	if (p->unlimited)
		return p->anchor_tsc;
	if (p->ramp)
		return p->anchor_tsc + (uint64_t)dv_pace_ramp_ticks(p, (double)n);
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
	if (p->unlimited)
		return cap;
	uint64_t due_total;
	if (p->ramp)
		due_total = (uint64_t)dv_pace_ramp_count(p, (double)(now - p->anchor_tsc)) + 1;
	else
		due_total = p->anchor_n + (uint64_t)((double)(now - p->anchor_tsc) / p->tsc_per_query) + 1;
	if (due_total <= p->n)
		return 0;
	uint64_t backlog = due_total - p->n;
	if (backlog > p->max_backlog) {
		/* Re-anchor so that query n is due now; a ramp keeps its shape, shifted. */
		if (p->ramp)
			p->anchor_tsc = now - (uint64_t)dv_pace_ramp_ticks(p, (double)p->n);
		else
			p->anchor_tsc = now;
		p->anchor_n = p->ramp ? 0 : p->n;
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
