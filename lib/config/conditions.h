/**
 * @file conditions.h
 * @brief Verdict conditions (--fail-if, issue 18): "METRIC OP VALUE" parsed
 *        and checked before EAL, evaluated by report/verdict.c.
 *
 * A list is comma-separated: "p99>5ms,answered<99.9%,qps<-5%". A VALUE is
 * absolute, in the metric's unit (a time "5ms", a share "99.9%", a rate
 * "20k", a count), or relative to a base run with an explicit sign ("+10%",
 * "-5%": the change of the value, in percent of the base's). Only
 * `dnsvolley compare` has a base: a run refuses relative conditions.
 *
 * This layer knows the metrics by name and unit only; what a metric's value
 * is in a result is report/verdict.c's (config cannot read struct dv_result).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/** Most conditions in one list (a CI gate names a handful). */
#define DV_CONDS_MAX 16
/** Longest condition as written, kept for messages. */
#define DV_COND_TEXT 64

/** What a metric's value is, and how a VALUE for it is written. */
enum dv_metric_unit {
	DV_MU_TIME,  /**< seconds: "5ms", "0.005s", "800us" (a unit is required) */
	DV_MU_SHARE, /**< percent 0..100: "99.9%" (the '%' is required) */
	DV_MU_RATE,  /**< per second: "20000", "20k", "1.5M" */
	DV_MU_COUNT, /**< a number: "1000", "10k" */
};

/** The metrics a condition can name (the table in conditions.c, docs/verdicts.md). */
enum dv_metric {
	DV_M_P50,
	DV_M_P90,
	DV_M_P99,
	DV_M_P999,
	DV_M_MEAN,
	DV_M_QPS,
	DV_M_SEND_QPS,
	DV_M_SENT,
	DV_M_ANSWERED,
	DV_M_TIMEOUTS,
	DV_M_TC,
	DV_M_NOERROR,
	DV_M_NXDOMAIN,
	DV_M_SERVFAIL,
	DV_M_REFUSED,
	DV_M_RCODE_OTHER,
	DV_M_RESOLVED,
	DV_M_FAILED,
	DV_M_COUNT
};

/** One metric: its name in conditions and reports, its unit, what it is. */
struct dv_metric_info {
	const char *name;
	enum dv_metric_unit unit;
	const char *what;
};

/** Every metric, in enum dv_metric order. */
extern const struct dv_metric_info dv_metrics[DV_M_COUNT];

/** Comparison of a condition. */
enum dv_cond_op {
	DV_OP_LT,
	DV_OP_LE,
	DV_OP_GT,
	DV_OP_GE,
};

/** One condition: met when VALUE-of-metric OP threshold holds. */
struct dv_cond {
	enum dv_metric metric;
	enum dv_cond_op op;
	bool relative;            /**< threshold is a change in percent of the base's value */
	double threshold;         /**< in the metric's unit (seconds, percent, qps, count) or, when
				       relative, the signed change in percent */
	char text[DV_COND_TEXT];  /**< as written, for messages: "p99>5ms" */
	char value[DV_COND_TEXT]; /**< its VALUE as written: "5ms", "+10%" */
};

/** A list of conditions (a run's --fail-if, or compare's). */
struct dv_conds {
	unsigned n;
	struct dv_cond c[DV_CONDS_MAX];
};

/**
 * Parse a comma-separated list of conditions and append them to out.
 * A bad one is reported as ONE line "CTX: ..." naming it.
 * @param allow_relative false: a relative VALUE is an error (a run has no base)
 * @return 0, or -EINVAL (reported; out keeps the conditions it had before)
 */
int dv_conds_parse(const char *v, const char *ctx, bool allow_relative, struct dv_conds *out);

/** The operator as written: "<", "<=", ">", ">=". */
const char *dv_cond_op_name(enum dv_cond_op op);

/** Whether "value OP threshold" holds (NaN never holds; infinities compare as numbers). */
bool dv_cond_holds(enum dv_cond_op op, double value, double threshold);

/**
 * A value in a metric's unit as the verdict lines print it: "12.3ms",
 * "99.95%", "19998 qps", "120000".
 */
void dv_metric_format(enum dv_metric_unit unit, double v, char *buf, size_t len);
