/**
 * @file verdict.h
 * @brief Verdict conditions (config/conditions.h) evaluated against results:
 *        a run's --fail-if, and `dnsvolley compare`'s.
 *
 * A condition is MET when its comparison holds: that fails the verdict
 * (exit status DV_EXIT_VERDICT, core/log.h). A metric the result has no value for (p99
 * when nothing was answered) counts as met: a gate that cannot be checked
 * must not pass a run that measured nothing.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config/conditions.h"
#include "metrics/result.h"

/**
 * A metric's value in a result, in its unit (seconds, percent, qps, count).
 * @param[out] why when the result has no value: why, as a phrase
 *             ("nothing was answered"); may be NULL
 * @return the value, or NaN when the result has none
 */
double dv_metric_value(const struct dv_result *r, enum dv_metric m, const char **why);

/**
 * Change from base to new in percent of base: 0 when both are 0, +infinity
 * when only base is 0, NaN when either is NaN.
 */
double dv_rel_change(double base, double now);

/** What one condition found. */
struct dv_cond_outcome {
	bool met;           /**< the comparison holds, or there was no value to compare */
	double value;       /**< the metric in the result judged (NaN: none) */
	double base;        /**< the metric in the base (relative conditions; else NaN) */
	double change;      /**< relative: change in percent of base (see dv_rel_change) */
	const char *why;    /**< no value: why (then met); else NULL */
};

/**
 * Evaluate c on r; a relative condition compares r with base (NULL base: no
 * value, so met).
 */
void dv_cond_eval(const struct dv_cond *c, const struct dv_result *r,
		  const struct dv_result *base, struct dv_cond_outcome *o);

/**
 * The line of a met condition, without the "dnsvolley: " prefix:
 * "verdict: p99 12.3ms > 5ms", "verdict: p99 +126.5% > +100% (base 1.02ms,
 * new 2.31ms)", or "verdict: p99>5ms: no value (nothing was answered), counted as met".
 */
void dv_verdict_line(const struct dv_cond *c, const struct dv_cond_outcome *o, char *buf,
		     size_t len);

/**
 * Evaluate every condition; print one line (dv_err) per met condition, or
 * one "verdict: pass" line (dv_info) when none is.
 * @return the number of conditions met
 */
unsigned dv_verdict_report(const struct dv_conds *cs, const struct dv_result *r,
			   const struct dv_result *base);
