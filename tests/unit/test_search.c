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
		dv_search_report(&s, loss_at(limit, dv_search_rate(&s)), dv_search_rate(&s), false);
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
	/* The generator fell a little behind (less than the resolution, 100 qps): 10000
	 * offered, 9950 sent, nothing lost. */
	struct dv_search s;
	dv_search_init(&s, 10000, 1.0, 1.0);
	ck_assert_int_eq(dv_search_report(&s, 0.0, 9950, false), DV_TRIAL_PASS);
	ck_assert_double_eq(dv_search_found(&s), 9950);
	ck_assert_int_eq(dv_search_outcome(&s), DV_SEARCH_NO_LIMIT);
}
END_TEST

START_TEST(a_trial_the_generator_did_not_hold_is_repeated_once)
{
	/* 500 qps short (a stall of the machine): the same rate again, nothing judged;
	 * short again, the repeat is judged as it comes, at the rate sent. */
	struct dv_search s;
	dv_search_init(&s, 10000, 1.0, 1.0);
	ck_assert_int_eq(dv_search_report(&s, 0.0, 9500, false), DV_TRIAL_REPEAT);
	ck_assert(!dv_search_done(&s));
	ck_assert_double_eq(dv_search_rate(&s), 10000);
	ck_assert_double_eq(dv_search_found(&s), 0);
	ck_assert_int_eq(dv_search_report(&s, 0.0, 9500, false), DV_TRIAL_PASS);
	ck_assert_double_eq(dv_search_found(&s), 9500);
	ck_assert_uint_eq(s.trials, 2);

	/* A stall with every query sent (the answers late): repeated, even with losses;
	 * a clean repeat decides. */
	struct dv_search t;
	dv_search_init(&t, 10000, 1.0, 1.0);
	ck_assert_int_eq(dv_search_report(&t, 30.0, 10000, true), DV_TRIAL_REPEAT);
	ck_assert(!t.server_failed);
	ck_assert_double_eq(dv_search_rate(&t), 10000);
	ck_assert_int_eq(dv_search_report(&t, 0.0, 10000, false), DV_TRIAL_PASS);
	ck_assert(dv_search_done(&t));
	ck_assert_double_eq(dv_search_found(&t), 10000);

	/* Stalled twice: the repeat fails as it comes; the next rate is a new trial. */
	struct dv_search u;
	dv_search_init(&u, 10000, 1.0, 1.0);
	ck_assert_int_eq(dv_search_report(&u, 30.0, 10000, true), DV_TRIAL_REPEAT);
	ck_assert_int_eq(dv_search_report(&u, 30.0, 10000, true), DV_TRIAL_FAIL);
	ck_assert(u.server_failed);
	ck_assert_double_eq(dv_search_rate(&u), 5000);
	ck_assert_int_eq(dv_search_report(&u, 0.0, 4000, false), DV_TRIAL_REPEAT);
	ck_assert_double_eq(dv_search_rate(&u), 5000);
}
END_TEST

/* A generator that can start at most `gen` qps against a server that answers up to `limit`. */
static struct dv_search run_gen(double max, double limit, double gen, unsigned *limited)
{
	struct dv_search s;
	dv_search_init(&s, max, 1.0, 1.0);
	*limited = 0;
	while (!dv_search_done(&s)) {
		ck_assert_uint_lt(s.trials, 64);
		double r = dv_search_rate(&s), sent = r < gen ? r : gen;
		if (dv_search_report(&s, loss_at(limit, sent), sent, false) == DV_TRIAL_GEN_LIMITED)
			(*limited)++;
	}
	return s;
}

START_TEST(generator_limited_trials_do_not_fail_the_server)
{
	/* The case: 54 % of the offered rate sent, nothing lost. Before, the
	 * first trial passed at the generator's rate and that was "the server's throughput";
	 * a generator-limited trial that lost queries counted as the server failing. */
	unsigned limited;
	struct dv_search s = run_gen(100000, 1e9, 54000, &limited);
	ck_assert_uint_ge(limited, 1);
	ck_assert(!s.server_failed);
	ck_assert_int_eq(dv_search_outcome(&s), DV_SEARCH_GEN_CEILING);
	/* The rates the generator could offer all passed: found is near its ceiling, below it. */
	ck_assert_double_le(dv_search_found(&s), 54000);
	ck_assert_double_ge(dv_search_found(&s), 54000 * DV_SEARCH_GEN_SHARE - 1000);
	ck_assert_double_le(s.gen_limit_qps, 54000 / DV_SEARCH_GEN_SHARE + 1000);

	/* A generator-limited trial with losses is still not the server's failure. */
	struct dv_search t;
	dv_search_init(&t, 10000, 1.0, 1.0);
	ck_assert_int_eq(dv_search_report(&t, 50.0, 5400, false), DV_TRIAL_REPEAT);
	ck_assert_int_eq(dv_search_report(&t, 50.0, 5400, false), DV_TRIAL_GEN_LIMITED);
	ck_assert(!t.server_failed);
	ck_assert(!dv_search_done(&t));
	ck_assert_double_lt(dv_search_rate(&t), 10000);
}
END_TEST

START_TEST(server_limit_below_the_generator_is_found)
{
	unsigned limited;
	struct dv_search s = run_gen(100000, 30000, 60000, &limited);
	ck_assert_int_eq(dv_search_outcome(&s), DV_SEARCH_FOUND);
	ck_assert_double_le(dv_search_found(&s), 30000 / 0.99);
	ck_assert_double_ge(dv_search_found(&s), 30000 / 0.99 - 1000);
}
END_TEST

START_TEST(every_trial_passing_finds_no_limit)
{
	unsigned limited;
	struct dv_search s = run_gen(10000, 1e9, 1e9, &limited);
	ck_assert_uint_eq(limited, 0);
	ck_assert_uint_eq(s.trials, 1);
	ck_assert_int_eq(dv_search_outcome(&s), DV_SEARCH_NO_LIMIT);
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
	tcase_add_test(tc, a_trial_the_generator_did_not_hold_is_repeated_once);
	tcase_add_test(tc, generator_limited_trials_do_not_fail_the_server);
	tcase_add_test(tc, server_limit_below_the_generator_is_found);
	tcase_add_test(tc, every_trial_passing_finds_no_limit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(search_suite());
}
