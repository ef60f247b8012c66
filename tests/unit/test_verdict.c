/**
 * @file test_verdict.c
 * @brief Verdict conditions (issue 18): the parser (config/conditions.c) accepts
 *        and refuses with exact messages, --fail-if on the command line and in
 *        a scenario, and the evaluation (report/verdict.c) on crafted results:
 *        absolute and relative values, boundaries, missing values.
 */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/cli.h"
#include "config/conditions.h"
#include "config/options.h"
#include "config/setters.h"
#include "core/log.h"
#include "metrics/hist.h"
#include "report/verdict.h"

#ifndef DV_TEST_DATA
#error "DV_TEST_DATA must name tests/data"
#endif
#define QFILE DV_TEST_DATA "/config/q-good.txt"

static char msg[1024];
/* Results hold histograms: off the stack. */
static struct dv_result base, now;
static struct dv_plan plan;
static struct dv_conds cs;

static void setup(void)
{
	dv_log_capture(msg, sizeof(msg));
	memset(&cs, 0, sizeof(cs));
}

static void teardown(void)
{
	dv_log_capture(NULL, 0);
}

/** Parse v and expect exactly this error, with cs left as it was. */
static void refuse(const char *v, bool rel, const char *want)
{
	struct dv_conds before = cs;
	ck_assert_int_eq(dv_conds_parse(v, "ctx", rel, &cs), -EINVAL);
	ck_assert_str_eq(msg, want);
	ck_assert(memcmp(&before, &cs, sizeof(cs)) == 0);
}

START_TEST(parses_a_list)
{
	ck_assert_int_eq(dv_conds_parse("p99>+10%,answered<99.9%,qps<-5%,timeouts>0.1%", "ctx",
					true, &cs), 0);
	ck_assert_uint_eq(cs.n, 4);
	ck_assert_int_eq(cs.c[0].metric, DV_M_P99);
	ck_assert_int_eq(cs.c[0].op, DV_OP_GT);
	ck_assert(cs.c[0].relative);
	ck_assert_double_eq(cs.c[0].threshold, 10.0);
	ck_assert_str_eq(cs.c[0].text, "p99>+10%");
	ck_assert_str_eq(cs.c[0].value, "+10%");
	ck_assert_int_eq(cs.c[1].metric, DV_M_ANSWERED);
	ck_assert_int_eq(cs.c[1].op, DV_OP_LT);
	ck_assert(!cs.c[1].relative);
	ck_assert_double_eq(cs.c[1].threshold, 99.9);
	ck_assert_int_eq(cs.c[2].metric, DV_M_QPS);
	ck_assert(cs.c[2].relative);
	ck_assert_double_eq(cs.c[2].threshold, -5.0);
	ck_assert_int_eq(cs.c[3].metric, DV_M_TIMEOUTS);
	ck_assert_double_eq(cs.c[3].threshold, 0.1);
	/* A second list appends (--fail-if given twice). */
	ck_assert_int_eq(dv_conds_parse("tc>0%", "ctx", true, &cs), 0);
	ck_assert_uint_eq(cs.n, 5);
}
END_TEST

START_TEST(parses_units_and_operators)
{
	static const struct {
		const char *text;
		enum dv_metric m;
		enum dv_cond_op op;
		double v;
	} ok[] = {
		{ "p50<=1ms", DV_M_P50, DV_OP_LE, 0.001 },
		{ "p90>=2.5ms", DV_M_P90, DV_OP_GE, 0.0025 },
		{ "mean<800us", DV_M_MEAN, DV_OP_LT, 0.0008 },
		{ "p99.9>0.005s", DV_M_P999, DV_OP_GT, 0.005 },
		{ " p999 > 5ms ", DV_M_P999, DV_OP_GT, 0.005 },
		{ "p99>1500ns", DV_M_P99, DV_OP_GT, 1.5e-6 },
		{ "sent>=10k", DV_M_SENT, DV_OP_GE, 10000 },
		{ "qps>20000", DV_M_QPS, DV_OP_GT, 20000 },
		{ "send-qps<1.5M", DV_M_SEND_QPS, DV_OP_LT, 1.5e6 },
		{ "servfail>=1.5%", DV_M_SERVFAIL, DV_OP_GE, 1.5 },
		{ "rcode-other>0%", DV_M_RCODE_OTHER, DV_OP_GT, 0 },
		{ "noerror<100%", DV_M_NOERROR, DV_OP_LT, 100 },
		{ "nxdomain>1%", DV_M_NXDOMAIN, DV_OP_GT, 1 },
		{ "refused>0%", DV_M_REFUSED, DV_OP_GT, 0 },
		{ "resolved<99%", DV_M_RESOLVED, DV_OP_LT, 99 },
		{ "failed>0.5%", DV_M_FAILED, DV_OP_GT, 0.5 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		memset(&cs, 0, sizeof(cs));
		ck_assert_msg(dv_conds_parse(ok[i].text, "ctx", false, &cs) == 0, "%s: %s",
			      ok[i].text, msg);
		ck_assert_uint_eq(cs.n, 1);
		ck_assert_int_eq(cs.c[0].metric, ok[i].m);
		ck_assert_int_eq(cs.c[0].op, ok[i].op);
		ck_assert_msg(fabs(cs.c[0].threshold - ok[i].v) <= 1e-12 * fabs(ok[i].v),
			      "%s: %g", ok[i].text, cs.c[0].threshold);
	}
	/* Every metric of the table has a name the parser knows. */
	for (int m = 0; m < DV_M_COUNT; m++) {
		char text[64];
		memset(&cs, 0, sizeof(cs));
		snprintf(text, sizeof(text), "%s>+1%%", dv_metrics[m].name);
		ck_assert_msg(dv_conds_parse(text, "ctx", true, &cs) == 0, "%s: %s", text, msg);
		ck_assert_int_eq(cs.c[0].metric, m);
	}
}
END_TEST

START_TEST(refuses_with_one_line)
{
	refuse("p99>>3", true, "ctx: 'p99>>3' is not a condition (METRIC OP VALUE, e.g. p99>5ms)");
	refuse("p99", true, "ctx: 'p99' is not a condition (METRIC OP VALUE, e.g. p99>5ms)");
	refuse(">5ms", true, "ctx: '>5ms' is not a condition (METRIC OP VALUE, e.g. p99>5ms)");
	refuse("p99>", true, "ctx: 'p99>' is not a condition (METRIC OP VALUE, e.g. p99>5ms)");
	refuse("p99=5ms", true, "ctx: 'p99=5ms' is not a condition (METRIC OP VALUE, e.g. p99>5ms)");
	refuse("p99<=>5ms", true,
	       "ctx: 'p99<=>5ms' is not a condition (METRIC OP VALUE, e.g. p99>5ms)");
	refuse("p98>5ms", true,
	       "ctx: 'p98' in 'p98>5ms' is not a metric (p50, p90, p99, p999, mean, qps, "
	       "send-qps, sent, answered, timeouts, tc, noerror, nxdomain, servfail, refused, "
	       "rcode-other, resolved, failed)");
	/* A bare number could be seconds or milliseconds, a fraction or a percentage. */
	refuse("p99>5", true,
	       "ctx: '5' in 'p99>5' is not a time (5ms, 0.005s, 800us) or a change (+10%, -5%)");
	refuse("p99>5", false, "ctx: '5' in 'p99>5' is not a time (5ms, 0.005s, 800us)");
	refuse("answered<99.9", true,
	       "ctx: '99.9' in 'answered<99.9' is not a share (99.9%) or a change (+10%, -5%)");
	refuse("answered<101%", false, "ctx: '101%' in 'answered<101%' is not a share (99.9%)");
	refuse("qps<fast", false, "ctx: 'fast' in 'qps<fast' is not a rate (20000, 20k, 1.5M)");
	refuse("sent<-", true, "ctx: '-' in 'sent<-' is not a change in percent (+10%, -5%)");
	refuse("p99>+10", true, "ctx: '+10' in 'p99>+10' is not a change in percent (+10%, -5%)");
	refuse("p99>+2ms", true, "ctx: '+2ms' in 'p99>+2ms' is not a change in percent (+10%, -5%)");
	/* A run has no base: said as such, not as a bad value. */
	refuse("p99>+10%", false,
	       "ctx: 'p99>+10%' is relative (a change from a base run): a run has no base; give "
	       "an absolute value, or compare two runs with dnsvolley compare");
	refuse("qps<-5%", false,
	       "ctx: 'qps<-5%' is relative (a change from a base run): a run has no base; give "
	       "an absolute value, or compare two runs with dnsvolley compare");
	refuse("p99>5ms,,qps>1", true,
	       "ctx: 'p99>5ms,,qps>1' is not a list of conditions (an empty one in it)");
	refuse("", true, "ctx: '' is not a list of conditions (an empty one in it)");
	refuse("p99>1ms,p99>1ms,p99>1ms,p99>1ms,p99>1ms,p99>1ms,p99>1ms,p99>1ms,p99>1ms,"
	       "p99>1ms,p99>1ms,p99>1ms,p99>1ms,p99>1ms,p99>1ms,p99>1ms,p99>1ms",
	       true, "ctx: more than 16 conditions");
	/* Nothing of a list with a bad condition is kept. */
	ck_assert_int_eq(dv_conds_parse("p50>1ms", "ctx", true, &cs), 0);
	refuse("p90>1ms,p99>>1", true,
	       "ctx: 'p99>>1' is not a condition (METRIC OP VALUE, e.g. p99>5ms)");
	ck_assert_uint_eq(cs.n, 1);
}
END_TEST

/** Write a scenario to a temporary file. */
static void scenario(char *path, size_t len, const char *text)
{
	snprintf(path, len, "/tmp/dv-verdict-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int parse_argv(char **argv)
{
	int argc = 0;
	while (argv[argc] != NULL)
		argc++;
	return dv_cli_parse(argc, argv, &plan);
}
#define ARGV(...) ((char *[]){ "dnsvolley", __VA_ARGS__, NULL })

START_TEST(option_and_scenario_key)
{
	ck_assert_int_eq(parse_argv(ARGV("-d", QFILE, "--fail-if", "p99>5ms",
					 "--fail-if", "answered<99%,timeouts>1%")), 0);
	ck_assert_uint_eq(plan.fail_if.n, 3);
	ck_assert_int_eq(plan.fail_if.c[2].metric, DV_M_TIMEOUTS);
	dv_plan_free(&plan);

	ck_assert_int_eq(parse_argv(ARGV("-d", QFILE, "--fail-if", "p99>+10%")), -EINVAL);
	ck_assert_str_eq(msg, "--fail-if: 'p99>+10%' is relative (a change from a base run): a "
			      "run has no base; give an absolute value, or compare two runs with "
			      "dnsvolley compare");

	/* A scenario's list, and the command line's replacing it. */
	char path[64], arg[128];
	scenario(path, sizeof(path), "fail-if: [p99>5ms, 'answered<99.9%']\n");
	snprintf(arg, sizeof(arg), "%s", path);
	ck_assert_int_eq(parse_argv(ARGV("-d", QFILE, "--scenario", arg)), 0);
	ck_assert_uint_eq(plan.fail_if.n, 2);
	ck_assert_int_eq(plan.fail_if.c[1].metric, DV_M_ANSWERED);
	dv_plan_free(&plan);
	ck_assert_int_eq(parse_argv(ARGV("-d", QFILE, "--scenario", arg, "--fail-if", "tc>1%")), 0);
	ck_assert_uint_eq(plan.fail_if.n, 1);
	ck_assert_int_eq(plan.fail_if.c[0].metric, DV_M_TC);
	dv_plan_free(&plan);
	unlink(path);

	scenario(path, sizeof(path), "fail-if: qps<-5%\n");
	snprintf(arg, sizeof(arg), "%s", path);
	ck_assert_int_eq(parse_argv(ARGV("-d", QFILE, "--scenario", arg)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, ":1: fail-if: 'qps<-5%' is relative"));
	unlink(path);
}
END_TEST

/**
 * A result of 1000 queries sent, `answered` of them answered, each after
 * exactly lat_ns (so every percentile is lat_ns), over 10 s.
 */
static void craft(struct dv_result *r, uint64_t answered, uint64_t lat_ns)
{
	memset(r, 0, sizeof(*r));
	dv_tx_stats_init(&r->tx);
	dv_rx_stats_init(&r->rx);
	r->tx.sent[DV_FAMILY_V4] = 1000;
	r->tx.logical = 1000;
	r->rx.answered[DV_FAMILY_V4] = answered;
	r->rx.timeouts[DV_FAMILY_V4] = 1000 - answered;
	r->rx.rcode[0] = answered;
	for (uint64_t i = 0; i < answered; i++)
		dv_hist_add(&r->rx.latency, lat_ns);
	r->run_seconds = 10.0;
	r->send_seconds = 10.0;
}

/** Parse one condition (relative allowed) and evaluate it on now against base. */
static bool met(const char *text, struct dv_cond_outcome *o)
{
	struct dv_cond_outcome tmp;
	memset(&cs, 0, sizeof(cs));
	ck_assert_msg(dv_conds_parse(text, "ctx", true, &cs) == 0, "%s: %s", text, msg);
	dv_cond_eval(&cs.c[0], &now, &base, o != NULL ? o : &tmp);
	return (o != NULL ? o : &tmp)->met;
}

START_TEST(metric_values)
{
	craft(&now, 990, 5000000);
	now.rx.rcode[0] = 970;
	now.rx.rcode[2] = 10; /* SERVFAIL */
	now.rx.rcode[3] = 6;  /* NXDOMAIN */
	now.rx.rcode[5] = 3;  /* REFUSED */
	now.rx.rcode[4] = 1;  /* NOTIMP */
	now.rx.truncated = 99;
	now.rx.seq.seq_len[1] = 180;
	now.rx.seq.seq_len[2] = 20;
	now.rx.seq.answered_on[0][0] = 180;
	now.rx.seq.answered_on[1][1] = 10;
	now.rx.seq.failed = 10;
	const char *why;
	ck_assert_double_eq(dv_metric_value(&now, DV_M_P50, &why), 0.005);
	ck_assert_ptr_null(why);
	ck_assert_double_eq(dv_metric_value(&now, DV_M_P999, NULL), 0.005);
	ck_assert_double_eq(dv_metric_value(&now, DV_M_MEAN, NULL), 0.005);
	ck_assert_double_eq(dv_metric_value(&now, DV_M_QPS, NULL), 99.0);
	ck_assert_double_eq(dv_metric_value(&now, DV_M_SEND_QPS, NULL), 100.0);
	ck_assert_double_eq(dv_metric_value(&now, DV_M_SENT, NULL), 1000.0);
	ck_assert_double_eq(dv_metric_value(&now, DV_M_ANSWERED, NULL), 99.0);
	ck_assert_double_eq(dv_metric_value(&now, DV_M_TIMEOUTS, NULL), 1.0);
	ck_assert_double_eq(dv_metric_value(&now, DV_M_TC, NULL), 10.0);
	ck_assert_double_eq(dv_metric_value(&now, DV_M_NOERROR, NULL), 100.0 * 970 / 990);
	ck_assert_double_eq(dv_metric_value(&now, DV_M_SERVFAIL, NULL), 100.0 * 10 / 990);
	ck_assert_double_eq(dv_metric_value(&now, DV_M_NXDOMAIN, NULL), 100.0 * 6 / 990);
	ck_assert_double_eq(dv_metric_value(&now, DV_M_REFUSED, NULL), 100.0 * 3 / 990);
	ck_assert_double_eq(dv_metric_value(&now, DV_M_RCODE_OTHER, NULL), 100.0 * 1 / 990);
	ck_assert_double_eq(dv_metric_value(&now, DV_M_RESOLVED, NULL), 95.0);
	ck_assert_double_eq(dv_metric_value(&now, DV_M_FAILED, NULL), 5.0);

	/* Nothing answered: no latency, no shares of answers; no logical query: none either. */
	craft(&now, 0, 0);
	ck_assert(isnan(dv_metric_value(&now, DV_M_P99, &why)));
	ck_assert_str_eq(why, "nothing was answered");
	ck_assert(isnan(dv_metric_value(&now, DV_M_SERVFAIL, &why)));
	ck_assert(isnan(dv_metric_value(&now, DV_M_RESOLVED, &why)));
	ck_assert_str_eq(why, "no logical query ended");
	ck_assert_double_eq(dv_metric_value(&now, DV_M_ANSWERED, NULL), 0.0);
	now.run_seconds = 0.0;
	ck_assert(isnan(dv_metric_value(&now, DV_M_QPS, &why)));
}
END_TEST

START_TEST(absolute_boundaries)
{
	struct dv_cond_outcome o;
	char line[256];
	craft(&base, 1000, 1000000);
	craft(&now, 990, 5000000);
	/* Exactly at the threshold: strict comparisons do not hold, the others do. */
	ck_assert(!met("p99>5ms", NULL));
	ck_assert(met("p99>=5ms", NULL));
	ck_assert(!met("p99<5ms", NULL));
	ck_assert(met("p99<=5ms", NULL));
	ck_assert(!met("p99>5000us", NULL));
	ck_assert(!met("p99>0.005s", NULL));
	ck_assert(met("p99>4.999ms", NULL));
	ck_assert(!met("answered<99%", NULL));
	ck_assert(met("answered<=99%", NULL));
	ck_assert(met("answered<99.9%", &o));
	dv_verdict_line(&cs.c[0], &o, line, sizeof(line));
	ck_assert_str_eq(line, "verdict: answered 99.000% < 99.9%");
	ck_assert(met("timeouts>0.1%", NULL));
	ck_assert(!met("timeouts>1%", NULL));
	ck_assert(met("qps<100", NULL));
	ck_assert(!met("qps<99", NULL));
	ck_assert(met("sent>=1k", NULL));
	ck_assert(met("p99>=5ms", &o));
	dv_verdict_line(&cs.c[0], &o, line, sizeof(line));
	ck_assert_str_eq(line, "verdict: p99 5ms >= 5ms");
	craft(&now, 990, 12300000);
	ck_assert(met("p99>5ms", &o));
	dv_verdict_line(&cs.c[0], &o, line, sizeof(line));
	ck_assert_str_eq(line, "verdict: p99 12.3ms > 5ms");
}
END_TEST

START_TEST(relative_to_base)
{
	struct dv_cond_outcome o;
	char line[256];
	craft(&base, 1000, 5000000);
	craft(&now, 950, 10000000);
	/* p99 doubled: +100 % exactly. */
	ck_assert(!met("p99>+100%", NULL));
	ck_assert(met("p99>=+100%", &o));
	ck_assert_double_eq(o.change, 100.0);
	ck_assert_double_eq(o.base, 0.005);
	ck_assert_double_eq(o.value, 0.01);
	dv_verdict_line(&cs.c[0], &o, line, sizeof(line));
	ck_assert_str_eq(line, "verdict: p99 +100.0% >= +100% (base 5ms, new 10ms)");
	ck_assert(met("p99>+99.9%", NULL));
	/* 100 % answered -> 95 %: -5 % of the base's share. */
	ck_assert(!met("answered<-5%", NULL));
	ck_assert(met("answered<=-5%", NULL));
	ck_assert(met("answered<-1%", NULL));
	ck_assert(met("qps<-4.9%", NULL));
	ck_assert(!met("qps>+0%", NULL));
	/* From 0 timeouts to some: an infinite increase, met by any "more than". */
	ck_assert(met("timeouts>+1000%", &o));
	ck_assert(isinf(o.change) && o.change > 0);
	dv_verdict_line(&cs.c[0], &o, line, sizeof(line));
	ck_assert_str_eq(line, "verdict: timeouts +inf% > +1000% (base 0%, new 5.000%)");
	ck_assert(!met("timeouts<-5%", NULL));
	/* 0 then 0: no change. */
	ck_assert(!met("tc>+0%", NULL));
	ck_assert(met("tc>=+0%", NULL));
	/* A run against itself changes nothing. */
	craft(&now, 1000, 5000000);
	ck_assert(!met("p99>+0%", NULL));
	ck_assert(!met("answered<-0%", NULL));
}
END_TEST

START_TEST(no_value_fails_the_verdict)
{
	struct dv_cond_outcome o;
	char line[256];
	craft(&base, 1000, 5000000);
	craft(&now, 0, 0);
	ck_assert(met("p99>5ms", &o));
	ck_assert_str_eq(o.why, "nothing was answered");
	dv_verdict_line(&cs.c[0], &o, line, sizeof(line));
	ck_assert_str_eq(line, "verdict: p99>5ms: no value (nothing was answered), counted as met");
	ck_assert(met("p99<+10%", NULL));
	/* The base measured nothing: a change from it is no value either. */
	craft(&base, 0, 0);
	craft(&now, 1000, 5000000);
	ck_assert(met("p99>+10%", &o));
	ck_assert_str_eq(o.why, "nothing was answered");
	/* A relative condition without a base (never from the command line). */
	memset(&cs, 0, sizeof(cs));
	ck_assert_int_eq(dv_conds_parse("p99>+10%", "ctx", true, &cs), 0);
	dv_cond_eval(&cs.c[0], &now, NULL, &o);
	ck_assert(o.met);
	ck_assert_str_eq(o.why, "there is no base run");
}
END_TEST

START_TEST(report_prints_each_met_condition)
{
	craft(&base, 1000, 5000000);
	craft(&now, 990, 12300000);
	memset(&cs, 0, sizeof(cs));
	ck_assert_int_eq(dv_conds_parse("p50>1s,p99>5ms,answered<99.9%", "ctx", true, &cs), 0);
	ck_assert_uint_eq(dv_verdict_report(&cs, &now, &base), 2);
	/* The log keeps the last line. */
	ck_assert_str_eq(msg, "verdict: answered 99.000% < 99.9%");
	memset(&cs, 0, sizeof(cs));
	ck_assert_int_eq(dv_conds_parse("p99>1s", "ctx", true, &cs), 0);
	ck_assert_uint_eq(dv_verdict_report(&cs, &now, &base), 0);
	ck_assert_str_eq(msg, "verdict: pass (1 condition, none met)");
	memset(&cs, 0, sizeof(cs));
	msg[0] = '\0';
	ck_assert_uint_eq(dv_verdict_report(&cs, &now, &base), 0);
	ck_assert_str_eq(msg, "");
}
END_TEST

START_TEST(rel_change_and_format)
{
	char b[48];
	ck_assert_double_eq(dv_rel_change(0.0, 0.0), 0.0);
	ck_assert(isinf(dv_rel_change(0.0, 1.0)));
	ck_assert(isnan(dv_rel_change(NAN, 1.0)));
	ck_assert(isnan(dv_rel_change(1.0, NAN)));
	ck_assert_double_eq(dv_rel_change(2.0, 1.0), -50.0);
	dv_metric_format(DV_MU_TIME, 0.0123, b, sizeof(b));
	ck_assert_str_eq(b, "12.3ms");
	dv_metric_format(DV_MU_TIME, 0.000061, b, sizeof(b));
	ck_assert_str_eq(b, "61us");
	dv_metric_format(DV_MU_TIME, 1.5, b, sizeof(b));
	ck_assert_str_eq(b, "1.5s");
	dv_metric_format(DV_MU_SHARE, 99.95, b, sizeof(b));
	ck_assert_str_eq(b, "99.950%");
	dv_metric_format(DV_MU_SHARE, 0.0012, b, sizeof(b));
	ck_assert_str_eq(b, "0.0012%");
	dv_metric_format(DV_MU_RATE, 19998.14, b, sizeof(b));
	ck_assert_str_eq(b, "19998.1 qps");
	dv_metric_format(DV_MU_COUNT, 120000, b, sizeof(b));
	ck_assert_str_eq(b, "120000");
	dv_metric_format(DV_MU_COUNT, NAN, b, sizeof(b));
	ck_assert_str_eq(b, "none");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("verdict");
	TCase *tc = tcase_create("verdict");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, parses_a_list);
	tcase_add_test(tc, parses_units_and_operators);
	tcase_add_test(tc, refuses_with_one_line);
	tcase_add_test(tc, option_and_scenario_key);
	tcase_add_test(tc, metric_values);
	tcase_add_test(tc, absolute_boundaries);
	tcase_add_test(tc, relative_to_base);
	tcase_add_test(tc, no_value_fails_the_verdict);
	tcase_add_test(tc, report_prints_each_met_condition);
	tcase_add_test(tc, rel_change_and_format);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
