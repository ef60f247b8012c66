/**
 * @file verdict.c
 * @brief Verdict conditions evaluated against results (see verdict.h).
 */
#include "report/verdict.h"

#include <math.h>
#include <stdio.h>

#include "core/log.h"
#include "metrics/hist.h"

/** Latency quantile in seconds, NaN when nothing was answered. */
static double latency(const struct dv_result *r, double q, const char **why)
{
	const struct dv_hist *h = &r->rx.latency;
	if (h->count == 0) {
		*why = "nothing was answered";
		return NAN;
	}
	return q < 0.0 ? dv_hist_mean(h) / 1e9 : (double)dv_hist_quantile(h, q) / 1e9;
}

/** a in percent of b, NaN (with why) when b is 0. */
static double share(uint64_t a, uint64_t b, const char *none, const char **why)
{
	if (b == 0) {
		*why = none;
		return NAN;
	}
	return 100.0 * (double)a / (double)b;
}

double dv_metric_value(const struct dv_result *r, enum dv_metric m, const char **why)
{
	const char *dummy = NULL;
	const struct dv_rx_stats *rx = &r->rx;
	uint64_t sent = dv_result_sent(r), answered = dv_result_answered(r);
	struct dv_seq_totals t;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	switch (m) {
	case DV_M_P50: return latency(r, 0.50, why);
	case DV_M_P90: return latency(r, 0.90, why);
	case DV_M_P99: return latency(r, 0.99, why);
	case DV_M_P999: return latency(r, 0.999, why);
	case DV_M_MEAN: return latency(r, -1.0, why);
	case DV_M_QPS:
		/* dnsperf's "Queries per second": answers over the whole run, drain included. */
		if (!(r->run_seconds > 0.0)) {
			*why = "the run has no run time";
			return NAN;
		}
		return (double)answered / r->run_seconds;
	case DV_M_SEND_QPS:
		/* The report's "achieved" rate: new queries, retries apart, over the sending time. */
		if (!(r->send_seconds > 0.0)) {
			*why = "nothing was sent";
			return NAN;
		}
		return (double)r->tx.logical / r->send_seconds;
	case DV_M_SENT: return (double)sent;
	case DV_M_ANSWERED: return share(answered, sent, "nothing was sent", why);
	case DV_M_TIMEOUTS: return share(dv_result_timeouts(r), sent, "nothing was sent", why);
	/* RCODEs and TC are shares of the answers, as the report's Response codes line. */
	case DV_M_TC: return share(rx->truncated, answered, "nothing was answered", why);
	case DV_M_NOERROR: return share(rx->rcode[0], answered, "nothing was answered", why);
	case DV_M_SERVFAIL: return share(rx->rcode[2], answered, "nothing was answered", why);
	case DV_M_NXDOMAIN: return share(rx->rcode[3], answered, "nothing was answered", why);
	case DV_M_REFUSED: return share(rx->rcode[5], answered, "nothing was answered", why);
	case DV_M_RCODE_OTHER: {
		uint64_t other = 0;
		for (unsigned i = 0; i < 16; i++)
			if (i != 0 && i != 2 && i != 3 && i != 5)
				other += rx->rcode[i];
		return share(other, answered, "nothing was answered", why);
	}
	case DV_M_RESOLVED:
		dv_seq_sum(&rx->seq, &t);
		return share(t.answered, t.ended, "no logical query ended", why);
	case DV_M_FAILED:
		dv_seq_sum(&rx->seq, &t);
		return share(rx->seq.failed, t.ended, "no logical query ended", why);
	case DV_M_COUNT:
		break;
	}
	*why = "unknown metric";
	return NAN;
}

double dv_rel_change(double base, double now)
{
	if (isnan(base) || isnan(now))
		return NAN;
	if (base == 0.0)
		return now == 0.0 ? 0.0 : INFINITY;
	return (now - base) / base * 100.0;
}

void dv_cond_eval(const struct dv_cond *c, const struct dv_result *r,
		  const struct dv_result *base, struct dv_cond_outcome *o)
{
	o->why = NULL;
	o->base = NAN;
	o->change = NAN;
	o->value = dv_metric_value(r, c->metric, &o->why);
	if (c->relative) {
		const char *bwhy = "there is no base run";
		if (base != NULL)
			o->base = dv_metric_value(base, c->metric, &bwhy);
		if (o->why == NULL && isnan(o->base))
			o->why = bwhy;
		o->change = dv_rel_change(o->base, o->value);
	}
	/* No value to compare: met, so that a gate nobody could check fails (verdict.h). */
	if (o->why != NULL) {
		o->met = true;
		return;
	}
	o->met = dv_cond_holds(c->op, c->relative ? o->change : o->value, c->threshold);
}

void dv_verdict_line(const struct dv_cond *c, const struct dv_cond_outcome *o, char *buf,
		     size_t len)
{
	const struct dv_metric_info *m = &dv_metrics[c->metric];
	char v[48], b[48];
	if (o->why != NULL) {
		snprintf(buf, len, "verdict: %s: no value (%s), counted as met", c->text, o->why);
		return;
	}
	dv_metric_format(m->unit, o->value, v, sizeof(v));
	if (!c->relative) {
		snprintf(buf, len, "verdict: %s %s %s %s", m->name, v, dv_cond_op_name(c->op),
			 c->value);
		return;
	}
	dv_metric_format(m->unit, o->base, b, sizeof(b));
	snprintf(buf, len, "verdict: %s %+.1f%% %s %s (base %s, new %s)", m->name, o->change,
		 dv_cond_op_name(c->op), c->value, b, v);
}

unsigned dv_verdict_report(const struct dv_conds *cs, const struct dv_result *r,
			   const struct dv_result *base)
{
	unsigned met = 0;
	for (unsigned i = 0; i < cs->n; i++) {
		struct dv_cond_outcome o;
		char line[256];
		dv_cond_eval(&cs->c[i], r, base, &o);
		if (!o.met)
			continue;
		dv_verdict_line(&cs->c[i], &o, line, sizeof(line));
		dv_err("%s", line);
		met++;
	}
	if (met == 0 && cs->n > 0)
		dv_info("verdict: pass (%u condition%s, none met)", cs->n, cs->n == 1 ? "" : "s");
	return met;
}
