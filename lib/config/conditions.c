/**
 * @file conditions.c
 * @brief Verdict conditions: the metric table and the parser (see conditions.h).
 */
#include "config/conditions.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config/parse.h"
#include "config/set_util.h"
#include "core/log.h"

/* The names are what users write in CI scripts: they never change meaning. */
const struct dv_metric_info dv_metrics[DV_M_COUNT] = {
	[DV_M_P50] = { "p50", DV_MU_TIME, "median latency of answered queries" },
	[DV_M_P90] = { "p90", DV_MU_TIME, "90th percentile latency" },
	[DV_M_P99] = { "p99", DV_MU_TIME, "99th percentile latency" },
	[DV_M_P999] = { "p999", DV_MU_TIME, "99.9th percentile latency" },
	[DV_M_MEAN] = { "mean", DV_MU_TIME, "mean latency" },
	[DV_M_QPS] = { "qps", DV_MU_RATE, "answers per second of run time (dnsperf's Queries per second)" },
	[DV_M_SEND_QPS] = { "send-qps", DV_MU_RATE, "new queries per second of sending (achieved send rate)" },
	[DV_M_SENT] = { "sent", DV_MU_COUNT, "queries sent (attempts)" },
	[DV_M_ANSWERED] = { "answered", DV_MU_SHARE, "answered share of queries sent" },
	[DV_M_TIMEOUTS] = { "timeouts", DV_MU_SHARE, "timed-out (lost) share of queries sent" },
	[DV_M_TC] = { "tc", DV_MU_SHARE, "share of answers with TC=1" },
	[DV_M_NOERROR] = { "noerror", DV_MU_SHARE, "share of answers with RCODE NOERROR" },
	[DV_M_NXDOMAIN] = { "nxdomain", DV_MU_SHARE, "share of answers with RCODE NXDOMAIN" },
	[DV_M_SERVFAIL] = { "servfail", DV_MU_SHARE, "share of answers with RCODE SERVFAIL" },
	[DV_M_REFUSED] = { "refused", DV_MU_SHARE, "share of answers with RCODE REFUSED" },
	[DV_M_RCODE_OTHER] = { "rcode-other", DV_MU_SHARE,
			       "share of answers with any other RCODE (FORMERR, NOTIMP, ...)" },
	[DV_M_RESOLVED] = { "resolved", DV_MU_SHARE, "answered share of logical queries (sequences)" },
	[DV_M_FAILED] = { "failed", DV_MU_SHARE, "share of logical queries whose every attempt timed out" },
};

/** How a VALUE of unit u is written, for messages. */
static const char *unit_what(enum dv_metric_unit u)
{
	switch (u) {
	case DV_MU_TIME: return "a time (5ms, 0.005s, 800us)";
	case DV_MU_SHARE: return "a share (99.9%)";
	case DV_MU_RATE: return "a rate (20000, 20k, 1.5M)";
	case DV_MU_COUNT: return "a count (1000, 10k)";
	}
	return "a value";
}

const char *dv_cond_op_name(enum dv_cond_op op)
{
	switch (op) {
	case DV_OP_LT: return "<";
	case DV_OP_LE: return "<=";
	case DV_OP_GT: return ">";
	case DV_OP_GE: return ">=";
	}
	return "?";
}

bool dv_cond_holds(enum dv_cond_op op, double value, double threshold)
{
	switch (op) {
	case DV_OP_LT: return value < threshold;
	case DV_OP_LE: return value <= threshold;
	case DV_OP_GT: return value > threshold;
	case DV_OP_GE: return value >= threshold;
	}
	return false;
}

void dv_metric_format(enum dv_metric_unit unit, double v, char *buf, size_t len)
{
	if (isnan(v)) {
		snprintf(buf, len, "none");
		return;
	}
	switch (unit) {
	case DV_MU_TIME:
		if (v >= 1.0)
			snprintf(buf, len, "%.4gs", v);
		else if (v >= 1e-3)
			snprintf(buf, len, "%.4gms", v * 1e3);
		else
			snprintf(buf, len, "%.4gus", v * 1e6);
		break;
	case DV_MU_SHARE:
		/* Shares near 100 % are what CI gates on: keep three decimals there. */
		snprintf(buf, len, v >= 1.0 ? "%.3f%%" : "%.3g%%", v);
		break;
	case DV_MU_RATE:
		snprintf(buf, len, "%.1f qps", v);
		break;
	case DV_MU_COUNT:
		snprintf(buf, len, "%.0f", v);
		break;
	}
}

/** s without blanks at either end, in place. */
static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/** The metric named name, or -1. "p99.9" is p999 as the report prints it. */
static int metric_by_name(const char *name)
{
	if (strcmp(name, "p99.9") == 0)
		return DV_M_P999;
	for (int m = 0; m < DV_M_COUNT; m++)
		if (strcmp(dv_metrics[m].name, name) == 0)
			return m;
	return -1;
}

/** "a metric (p50, p90, ...)": every name, for the message of an unknown one. */
static void metric_list(char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "a metric (");
	for (int m = 0; m < DV_M_COUNT && o < len; m++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", m ? ", " : "", dv_metrics[m].name);
	if (o < len)
		snprintf(buf + o, len - o, ")");
}

/** A number followed by exactly suffix: 0 and *out, or -EINVAL. */
static int number_with(const char *s, const char *suffix, double *out)
{
	size_t n = strlen(s), k = strlen(suffix);
	char num[DV_COND_TEXT];
	if (n <= k || n - k >= sizeof(num) || strcmp(s + n - k, suffix) != 0)
		return -EINVAL;
	memcpy(num, s, n - k);
	num[n - k] = '\0';
	return dv_parse_number(num, out);
}

/** An absolute VALUE in unit u. */
static int parse_absolute(const char *s, enum dv_metric_unit u, double *out)
{
	/* Divided, not multiplied by 1e-3: 5ms is then the same double as 5000000 ns / 1e9,
	 * so a boundary (p99 of exactly 5 ms against "p99>5ms") compares as written. */
	static const struct { const char *sfx; double div; } times[] = {
		{ "ns", 1e9 }, { "us", 1e6 }, { "ms", 1e3 }, { "s", 1.0 },
	};
	switch (u) {
	case DV_MU_TIME:
		/* A bare number could be seconds or milliseconds: a unit is required. */
		for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++)
			if (number_with(s, times[i].sfx, out) == 0) {
				*out /= times[i].div;
				return 0;
			}
		return -EINVAL;
	case DV_MU_SHARE:
		/* "0.999" could be a fraction or a percentage: the '%' is required. */
		if (number_with(s, "%", out) != 0 || *out > 100.0)
			return -EINVAL;
		return 0;
	case DV_MU_RATE:
	case DV_MU_COUNT:
		return dv_parse_rate_zero(s, out);
	}
	return -EINVAL;
}

/** One condition, trimmed, into c. @return 0 or -EINVAL (reported) */
static int parse_one(char *item, const char *ctx, bool allow_relative, struct dv_cond *c)
{
	char whole[DV_SPEC_MAX];
	snprintf(whole, sizeof(whole), "%s", item);
	if (strlen(item) >= DV_COND_TEXT) {
		dv_err("%s: '%.40s...' is too long for a condition (at most %d characters)", ctx,
		       item, DV_COND_TEXT - 1);
		return -EINVAL;
	}
	memset(c, 0, sizeof(*c));
	memcpy(c->text, item, strlen(item) + 1); /* fits: checked above */

	char *op = strpbrk(item, "<>");
	if (op == NULL || op == item)
		return dv_not_a(ctx, whole, "a condition (METRIC OP VALUE, e.g. p99>5ms)");
	char *value = op + 1;
	if (*op == '<')
		c->op = *value == '=' ? DV_OP_LE : DV_OP_LT;
	else
		c->op = *value == '=' ? DV_OP_GE : DV_OP_GT;
	if (*value == '=')
		value++;
	*op = '\0';
	char *name = trim(item);
	value = trim(value);
	/* "p99>>3", "p99<=>3", "p99>": no second operator, and a value. */
	if (*name == '\0' || *value == '\0' || strpbrk(value, "<>=") != NULL)
		return dv_not_a(ctx, whole, "a condition (METRIC OP VALUE, e.g. p99>5ms)");

	int m = metric_by_name(name);
	if (m < 0) {
		char list[512];
		metric_list(list, sizeof(list));
		return dv_bad_field(ctx, name, whole, list);
	}
	c->metric = (enum dv_metric)m;
	snprintf(c->value, sizeof(c->value), "%s", value);
	enum dv_metric_unit u = dv_metrics[m].unit;

	if (*value == '+' || *value == '-') {
		/* A change needs a base: only compare has one; say so rather than "not a time". */
		if (!allow_relative) {
			char qb[DV_QUOTE_BUF];
			dv_err("%s: '%s' is relative (a change from a base run): a run has no base; "
			       "give an absolute value, or compare two runs with dnsvolley compare",
			       ctx, dv_quote(whole, qb, sizeof(qb)));
			return -EINVAL;
		}
		if (number_with(value + 1, "%", &c->threshold) != 0)
			return dv_bad_field(ctx, value, whole, "a change in percent (+10%, -5%)");
		c->relative = true;
		if (*value == '-')
			c->threshold = -c->threshold;
		return 0;
	}
	if (parse_absolute(value, u, &c->threshold) != 0) {
		char what[160];
		snprintf(what, sizeof(what), "%s%s", unit_what(u),
			 allow_relative ? " or a change (+10%, -5%)" : "");
		return dv_bad_field(ctx, value, whole, what);
	}
	return 0;
}

int dv_conds_parse(const char *v, const char *ctx, bool allow_relative, struct dv_conds *out)
{
	char buf[DV_SPEC_MAX];
	char *item[DV_CONDS_MAX + 1];
	struct dv_conds tmp = *out;

	if (strlen(v) >= sizeof(buf)) {
		dv_err("%s: the list of conditions is too long", ctx);
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", v);
	unsigned n = dv_split(buf, ',', item, DV_CONDS_MAX + 1);
	if (n + tmp.n > DV_CONDS_MAX) {
		dv_err("%s: more than %d conditions", ctx, DV_CONDS_MAX);
		return -EINVAL;
	}
	for (unsigned i = 0; i < n; i++) {
		char *it = trim(item[i]);
		if (*it == '\0')
			return dv_not_a(ctx, v, "a list of conditions (an empty one in it)");
		int ret = parse_one(it, ctx, allow_relative, &tmp.c[tmp.n]);
		if (ret < 0)
			return ret;
		tmp.n++;
	}
	*out = tmp;
	return 0;
}
