/**
 * @file pace.h
 * @brief Absolute TSC send schedule: slot i of the schedule is due at anchor + i / rate.
 *
 * The schedule stays on the clock and never speeds up to make up for lost
 * time: when a stall leaves more than max_backlog queries overdue, the
 * overdue slots but one are skipped (a slip; the slips and the skipped
 * queries are counted) instead of bursting the backlog onto the wire. Query
 * n takes slot n + skipped, so after a stall the rate is the one the clock
 * says (a ramp goes on from where the clock is, as the offered rate the
 * report prints), and sent + skipped is what the schedule offered.
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
	uint64_t anchor_tsc;  /**< due time of slot 0 (the start) */
	uint64_t n;           /**< next query number to send */
	uint64_t skipped;     /**< slots skipped by slips: query n takes slot n + skipped */
	double tsc_per_query; /**< TSC ticks between two queries */
	uint64_t max_backlog; /**< overdue queries tolerated before skipping */
	uint64_t slips;       /**< slips so far */
	bool unlimited;       /**< --max: no schedule */
	bool ramp;            /**< linear ramp: the fields below */
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

/** TSC at which query n is due (n >= p->n: the slips so far moved it to slot n + skipped). */
static inline uint64_t dv_pace_due_tsc(const struct dv_pace *p, uint64_t n)
{
	if (p->unlimited)
		return p->anchor_tsc;
	double slot = (double)(n + p->skipped);
	if (p->ramp)
		return p->anchor_tsc + (uint64_t)dv_pace_ramp_ticks(p, slot);
	return p->anchor_tsc + (uint64_t)(slot * p->tsc_per_query);
}

/**
 * How many queries are due at `now`, at most `cap`. When the backlog is
 * larger than max_backlog, skips all of it but one (a slip).
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
		due_total = (uint64_t)((double)(now - p->anchor_tsc) / p->tsc_per_query) + 1;
	uint64_t slot = p->n + p->skipped;
	if (due_total <= slot)
		return 0;
	uint64_t backlog = due_total - slot;
	if (backlog > p->max_backlog) {
		/* The schedule stays on the clock: the overdue slots but the last are skipped. */
		p->skipped += backlog - 1;
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
