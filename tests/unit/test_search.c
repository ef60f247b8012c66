/* Throughput search: a binary search that finds a server's limit within the resolution. */
#include <check.h>

#include "check_main.h"

#include "engine/search.h"

/* A server that answers up to `limit` qps: loss above it is the excess share. */
static double loss_at(double limit, double rate)
{
	return rate <= limit ? 0.0 : 100.0 * (rate - limit) / rate;
}

static double run(double max, double limit, double loss_pct, double res_pct, unsigned *trials)
{
	struct dv_search s;
	dv_search_init(&s, max, loss_pct, res_pct);
	unsigned n = 0;
	while (!dv_search_done(&s)) {
		ck_assert_uint_lt(n, 64);
		dv_search_report(&s, loss_at(limit, dv_search_rate(&s)), dv_search_rate(&s));
		n++;
	}
	*trials = n;
	return dv_search_found(&s);
}

START_TEST(finds_the_limit)
{
	unsigned trials;
	/* Loss <= 1 % means up to limit / 0.99. */
	double found = run(100000, 30000, 1.0, 1.0, &trials);
	ck_assert_double_le(found, 30000 / 0.99);
	ck_assert_double_ge(found, 30000 / 0.99 - 1000);
	ck_assert_uint_le(trials, 9);
	/* Zero loss: the limit itself, from below. */
	found = run(64000, 5000, 0.0, 0.5, &trials);
	ck_assert_double_le(found, 5000);
	ck_assert_double_ge(found, 5000 - 320);
}
END_TEST

START_TEST(passing_at_the_top_ends_at_once)
{
	unsigned trials;
	double found = run(10000, 50000, 1.0, 1.0, &trials);
	ck_assert_double_eq(found, 10000);
	ck_assert_uint_eq(trials, 1);
}
END_TEST

START_TEST(nothing_passes)
{
	unsigned trials;
	double found = run(10000, 0, 1.0, 1.0, &trials);
	ck_assert_double_eq(found, 0);
	ck_assert_uint_le(trials, 9);
}
END_TEST

START_TEST(a_pass_counts_at_the_rate_sent)
{
	/* The generator fell behind: 10000 offered, 8000 sent, nothing lost. */
	struct dv_search s;
	dv_search_init(&s, 10000, 1.0, 1.0);
	dv_search_report(&s, 0.0, 8000);
	ck_assert_double_eq(dv_search_found(&s), 8000);
}
END_TEST

START_TEST(summary_median_and_spread)
{
	double v[] = { 9.0, 1.0, 5.0 };
	double med, lo, hi;
	dv_search_summary(v, 3, &med, &lo, &hi);
	ck_assert_double_eq(med, 5.0);
	ck_assert_double_eq(lo, 1.0);
	ck_assert_double_eq(hi, 9.0);
	double w[] = { 4.0, 2.0 };
	dv_search_summary(w, 2, &med, &lo, &hi);
	ck_assert_double_eq(med, 3.0);
}
END_TEST

static Suite *search_suite(void)
{
	Suite *s = suite_create("search");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, finds_the_limit);
	tcase_add_test(tc, passing_at_the_top_ends_at_once);
	tcase_add_test(tc, nothing_passes);
	tcase_add_test(tc, summary_median_and_spread);
	tcase_add_test(tc, a_pass_counts_at_the_rate_sent);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(search_suite());
}
