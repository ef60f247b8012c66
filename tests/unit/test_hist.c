/**
 * @file test_hist.c
 * @brief Unit tests of the log-linear latency histogram.
 */
#include <check.h>

#include "check_main.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/hist.h"

/* Histograms are ~8 KB: keep them off the (forked) test stack. */
static struct dv_hist ha, hb, hu, hd;

/** Deterministic generator spanning many magnitudes, so many buckets are hit. */
static uint64_t next_value(uint64_t *state)
{
	*state = *state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	/* Up to 2^40 ns (18 minutes): sums stay far from wrapping. */
	uint64_t r = *state >> 24;
	unsigned shift = (unsigned)(*state >> 58); /* 0..63 */
	return r >> (shift % 40);
}

START_TEST(test_bucket_bounds)
{
	ck_assert_uint_eq(dv_hist_bucket_lo(0), 0);
	ck_assert_uint_eq(dv_hist_bucket_hi(DV_HIST_BUCKETS - 1), UINT64_MAX);
	for (unsigned i = 0; i < DV_HIST_BUCKETS; i++) {
		uint64_t lo = dv_hist_bucket_lo(i);
		uint64_t hi = dv_hist_bucket_hi(i);
		ck_assert_msg(lo <= hi, "bucket %u: lo %llu > hi %llu", i,
			      (unsigned long long)lo, (unsigned long long)hi);
		ck_assert_msg(dv_hist_index(lo) == i, "index(lo(%u)) = %u", i, dv_hist_index(lo));
		ck_assert_msg(dv_hist_index(hi) == i, "index(hi(%u)) = %u", i, dv_hist_index(hi));
		if (i + 1 < DV_HIST_BUCKETS)
			ck_assert_msg(hi + 1 == dv_hist_bucket_lo(i + 1), "gap after bucket %u", i);
		/* Relative width stays below 1/16 (the documented 6.25 % error). */
		if (lo >= DV_HIST_SUB)
			ck_assert_msg(hi - lo < lo / DV_HIST_SUB, "bucket %u too wide", i);
	}
}
END_TEST

START_TEST(test_index_known)
{
	ck_assert_uint_eq(dv_hist_index(0), 0);
	ck_assert_uint_eq(dv_hist_index(1), 1);
	ck_assert_uint_eq(dv_hist_index(15), 15);
	ck_assert_uint_eq(dv_hist_index(16), 16);
	ck_assert_uint_eq(dv_hist_index(31), 31);
	ck_assert_uint_eq(dv_hist_index(32), 32);
	ck_assert_uint_eq(dv_hist_index(33), 32);
	ck_assert_uint_eq(dv_hist_index(34), 33);
	ck_assert_uint_eq(dv_hist_index(63), 47);
	ck_assert_uint_eq(dv_hist_index(64), 48);
	ck_assert_uint_eq(dv_hist_index(1000), 111);
	ck_assert_uint_eq(dv_hist_index(UINT64_C(1) << 63), 960);
	ck_assert_uint_eq(dv_hist_index(UINT64_MAX), DV_HIST_BUCKETS - 1);
	/* 120 us: 2^16 <= v < 2^17, sub-bucket (120000 >> 12) & 15 = 13. */
	ck_assert_uint_eq(dv_hist_index(120000), 13 * 16 + 13);
	ck_assert_uint_eq(dv_hist_bucket_lo(13 * 16 + 13), 118784);
	ck_assert_uint_eq(dv_hist_bucket_hi(13 * 16 + 13), 122879);
}
END_TEST

START_TEST(test_empty)
{
	dv_hist_init(&ha);
	ck_assert_uint_eq(ha.count, 0);
	ck_assert_uint_eq(ha.min, UINT64_MAX);
	ck_assert_uint_eq(ha.max, 0);
	ck_assert_uint_eq(dv_hist_quantile(&ha, 0.5), 0);
	ck_assert_uint_eq(dv_hist_quantile(&ha, 1.0), 0);
	ck_assert_double_eq(dv_hist_mean(&ha), 0.0);
	ck_assert_double_eq(dv_hist_stddev(&ha), 0.0);

	/* Merging or subtracting empties stays empty. */
	dv_hist_init(&hb);
	dv_hist_merge(&ha, &hb);
	ck_assert_uint_eq(ha.count, 0);
	ck_assert_uint_eq(ha.min, UINT64_MAX);
	dv_hist_delta(&hd, &ha, &hb);
	ck_assert_uint_eq(hd.count, 0);
	ck_assert_uint_eq(hd.min, UINT64_MAX);
	ck_assert_uint_eq(hd.max, 0);
	ck_assert_uint_eq(dv_hist_quantile(&hd, 0.99), 0);
}
END_TEST

START_TEST(test_single_value)
{
	dv_hist_init(&ha);
	dv_hist_add(&ha, 123456);
	ck_assert_uint_eq(ha.count, 1);
	ck_assert_uint_eq(ha.min, 123456);
	ck_assert_uint_eq(ha.max, 123456);
	/* Clamped to [min, max], so a single value comes back exactly. */
	ck_assert_uint_eq(dv_hist_quantile(&ha, 0.0), 123456);
	ck_assert_uint_eq(dv_hist_quantile(&ha, 0.5), 123456);
	ck_assert_uint_eq(dv_hist_quantile(&ha, 1.0), 123456);
	ck_assert_double_eq(dv_hist_mean(&ha), 123456.0);
	ck_assert_double_eq(dv_hist_stddev(&ha), 0.0);
}
END_TEST

START_TEST(test_extremes)
{
	dv_hist_init(&ha);
	dv_hist_add(&ha, 0);
	dv_hist_add(&ha, UINT64_MAX);
	ck_assert_uint_eq(ha.bucket[0], 1);
	ck_assert_uint_eq(ha.bucket[DV_HIST_BUCKETS - 1], 1);
	ck_assert_uint_eq(dv_hist_quantile(&ha, 0.5), 0);
	ck_assert_uint_eq(dv_hist_quantile(&ha, 1.0), UINT64_MAX);
}
END_TEST

START_TEST(test_quantile_uniform)
{
	dv_hist_init(&ha);
	for (uint64_t v = 1; v <= 10000; v++)
		dv_hist_add(&ha, v);
	ck_assert_uint_eq(ha.count, 10000);
	ck_assert_uint_eq(ha.min, 1);
	ck_assert_uint_eq(ha.max, 10000);

	/* The upper bound of the bucket: never below the true value, < 6.25 % above. */
	uint64_t p50 = dv_hist_quantile(&ha, 0.5);
	ck_assert_uint_ge(p50, 5000);
	ck_assert_double_lt(fabs((double)p50 - 5000.0) / 5000.0, 0.0625);
	ck_assert_uint_eq(dv_hist_index(p50), dv_hist_index(5000));

	uint64_t p90 = dv_hist_quantile(&ha, 0.9);
	ck_assert_uint_eq(dv_hist_index(p90), dv_hist_index(9000));
	ck_assert_uint_ge(p90, 9000);

	uint64_t p999 = dv_hist_quantile(&ha, 0.999);
	ck_assert_uint_eq(dv_hist_index(p999), dv_hist_index(9990));
	ck_assert_uint_le(p999, 10000);

	ck_assert_uint_eq(dv_hist_quantile(&ha, 1.0), 10000);
	ck_assert_uint_eq(dv_hist_quantile(&ha, 0.0), 1);
	/* Out-of-range q is clamped. */
	ck_assert_uint_eq(dv_hist_quantile(&ha, 2.0), 10000);
	ck_assert_uint_eq(dv_hist_quantile(&ha, -1.0), 1);

	ck_assert_double_eq_tol(dv_hist_mean(&ha), 5000.5, 1e-9);
	/* Population stddev of 1..n is sqrt((n^2 - 1) / 12). */
	ck_assert_double_eq_tol(dv_hist_stddev(&ha), sqrt((1e8 - 1.0) / 12.0), 1e-6);
}
END_TEST

START_TEST(test_quantile_exact_small)
{
	/* Below 32 every value has its own bucket: quantiles are exact ranks. */
	dv_hist_init(&ha);
	for (uint64_t v = 1; v <= 10; v++)
		dv_hist_add(&ha, v);
	ck_assert_uint_eq(dv_hist_quantile(&ha, 0.5), 5);
	ck_assert_uint_eq(dv_hist_quantile(&ha, 0.9), 9);
	ck_assert_uint_eq(dv_hist_quantile(&ha, 0.91), 10);
	ck_assert_uint_eq(dv_hist_quantile(&ha, 0.1), 1);
	ck_assert_uint_eq(dv_hist_quantile(&ha, 0.11), 2);

	/* 0.07 * 100 is 7.000000000000001 in binary: the rank must still be 7. */
	dv_hist_init(&hb);
	for (int i = 0; i < 7; i++)
		dv_hist_add(&hb, 1);
	for (int i = 0; i < 93; i++)
		dv_hist_add(&hb, 2);
	ck_assert_uint_eq(dv_hist_quantile(&hb, 0.07), 1);
	ck_assert_uint_eq(dv_hist_quantile(&hb, 0.08), 2);
}
END_TEST

START_TEST(test_mean_stddev)
{
	static const uint64_t v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	dv_hist_init(&ha);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		dv_hist_add(&ha, v[i]);
	ck_assert_double_eq_tol(dv_hist_mean(&ha), 5.0, 1e-12);
	ck_assert_double_eq_tol(dv_hist_stddev(&ha), 2.0, 1e-12);

	/*
	 * Many identical large values: variance 0, but sum_sq accumulates
	 * rounding, so sum_sq / n - mean^2 is noise around 0 that must come out
	 * as a small number, never NaN.
	 */
	dv_hist_init(&hb);
	for (int i = 0; i < 100000; i++)
		dv_hist_add(&hb, 987654321);
	double sd = dv_hist_stddev(&hb);
	ck_assert(!isnan(sd));
	ck_assert_double_lt(sd, 987654321.0 * 1e-5);
}
END_TEST

START_TEST(test_merge_exact)
{
	uint64_t s = 42;
	dv_hist_init(&ha);
	dv_hist_init(&hb);
	dv_hist_init(&hu);
	for (int i = 0; i < 50000; i++) {
		uint64_t v = next_value(&s);
		dv_hist_add(i % 3 == 0 ? &ha : &hb, v);
		dv_hist_add(&hu, v);
	}
	ck_assert_uint_gt(ha.count, 0);
	ck_assert_uint_gt(hb.count, 0);

	dv_hist_merge(&ha, &hb);
	ck_assert_uint_eq(ha.count, hu.count);
	ck_assert_uint_eq(ha.sum, hu.sum);
	ck_assert_uint_eq(ha.min, hu.min);
	ck_assert_uint_eq(ha.max, hu.max);
	ck_assert_double_eq_tol(ha.sum_sq, hu.sum_sq, hu.sum_sq * 1e-12);
	unsigned used = 0;
	for (unsigned i = 0; i < DV_HIST_BUCKETS; i++) {
		ck_assert_msg(ha.bucket[i] == hu.bucket[i], "bucket %u differs", i);
		used += hu.bucket[i] != 0;
	}
	ck_assert_uint_gt(used, 100);
	/* So merged percentiles are those of the union. */
	static const double qs[] = { 0.0, 0.5, 0.9, 0.99, 0.999, 1.0 };
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		ck_assert_uint_eq(dv_hist_quantile(&ha, qs[i]), dv_hist_quantile(&hu, qs[i]));

	/* Merging into an empty histogram copies. */
	dv_hist_init(&hd);
	dv_hist_merge(&hd, &hu);
	ck_assert_mem_eq(hd.bucket, hu.bucket, sizeof(hu.bucket));
	ck_assert_uint_eq(hd.min, hu.min);
	ck_assert_uint_eq(hd.max, hu.max);
}
END_TEST

START_TEST(test_snapshot)
{
	uint64_t s = 7;
	dv_hist_init(&ha);
	for (int i = 0; i < 1000; i++)
		dv_hist_add(&ha, next_value(&s));
	dv_hist_snapshot(&hb, &ha);
	ck_assert_uint_eq(hb.count, ha.count);
	ck_assert_uint_eq(hb.sum, ha.sum);
	ck_assert_uint_eq(hb.min, ha.min);
	ck_assert_uint_eq(hb.max, ha.max);
	ck_assert_double_eq(hb.sum_sq, ha.sum_sq);
	ck_assert_mem_eq(hb.bucket, ha.bucket, sizeof(ha.bucket));

	dv_hist_init(&ha);
	dv_hist_snapshot(&hb, &ha);
	ck_assert_uint_eq(hb.count, 0);
	ck_assert_uint_eq(hb.min, UINT64_MAX);
}
END_TEST

START_TEST(test_delta)
{
	uint64_t s = 99;
	uint64_t bmin = UINT64_MAX, bmax = 0;

	/* before = A; now = A + B; B alone in hu. */
	dv_hist_init(&ha);
	dv_hist_init(&hu);
	for (int i = 0; i < 5000; i++)
		dv_hist_add(&ha, next_value(&s));
	dv_hist_snapshot(&hb, &ha);
	for (int i = 0; i < 3000; i++) {
		/* B in a narrower band, so its bounds differ from A's. */
		uint64_t v = 50000 + next_value(&s) % 100000;
		dv_hist_add(&ha, v);
		dv_hist_add(&hu, v);
		bmin = v < bmin ? v : bmin;
		bmax = v > bmax ? v : bmax;
	}

	dv_hist_delta(&hd, &ha, &hb);
	ck_assert_uint_eq(hd.count, 3000);
	ck_assert_uint_eq(hd.sum, hu.sum);
	ck_assert_mem_eq(hd.bucket, hu.bucket, sizeof(hu.bucket));
	ck_assert_double_eq_tol(hd.sum_sq, hu.sum_sq, ha.sum_sq * 1e-12);
	/* min/max come from the buckets: conservative, within the extreme buckets. */
	ck_assert_uint_le(hd.min, bmin);
	ck_assert_uint_ge(hd.min, dv_hist_bucket_lo(dv_hist_index(bmin)));
	ck_assert_uint_ge(hd.max, bmax);
	ck_assert_uint_le(hd.max, dv_hist_bucket_hi(dv_hist_index(bmax)));
	ck_assert_uint_eq(dv_hist_quantile(&hd, 0.5), dv_hist_quantile(&hu, 0.5));
	ck_assert_double_eq_tol(dv_hist_mean(&hd), dv_hist_mean(&hu), 1e-9);

	/* From an empty "before", the delta is the whole thing, min/max exact. */
	dv_hist_init(&hb);
	dv_hist_delta(&hd, &ha, &hb);
	ck_assert_uint_eq(hd.count, ha.count);
	ck_assert_uint_eq(hd.min, ha.min);
	ck_assert_uint_eq(hd.max, ha.max);

	/* Nothing new: empty. */
	dv_hist_delta(&hd, &ha, &ha);
	ck_assert_uint_eq(hd.count, 0);
	ck_assert_uint_eq(hd.min, UINT64_MAX);
	ck_assert_uint_eq(hd.max, 0);
	ck_assert_double_eq(dv_hist_stddev(&hd), 0.0);
}
END_TEST

static Suite *hist_suite(void)
{
	Suite *s = suite_create("hist");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_bucket_bounds);
	tcase_add_test(tc, test_index_known);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_single_value);
	tcase_add_test(tc, test_extremes);
	tcase_add_test(tc, test_quantile_uniform);
	tcase_add_test(tc, test_quantile_exact_small);
	tcase_add_test(tc, test_mean_stddev);
	tcase_add_test(tc, test_merge_exact);
	tcase_add_test(tc, test_snapshot);
	tcase_add_test(tc, test_delta);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(hist_suite());
}
