/* Alias-method sampler: table shape, exact small cases, frequencies of the APNIC preset. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "config/seqspec.h"
#include "core/alias.h"
#include "core/rng.h"

#define SAMPLES 1000000

/** Draw SAMPLES values and count them by their index in w. */
static void draw_counts(const struct dv_alias *a, const struct dv_weighted *w, uint64_t seed,
			unsigned long counts[DV_WEIGHTED_MAX])
{
	/* value -> index in w (values of these tests are 0..65535) */
	static uint8_t index_of[65536];
	memset(index_of, 0xff, sizeof(index_of));
	for (unsigned j = 0; j < w->n; j++) {
		ck_assert(w->value[j] >= 0 && w->value[j] <= 65535);
		index_of[w->value[j]] = (uint8_t)j;
	}

	struct dv_rng r;
	dv_rng_seed(&r, seed);
	memset(counts, 0, DV_WEIGHTED_MAX * sizeof(counts[0]));
	unsigned long stray = 0;
	for (unsigned long i = 0; i < SAMPLES; i++) {
		int v = dv_alias_pick(a, &r);
		if (v < 0 || v > 65535 || index_of[v] == 0xff) {
			stray++;
			continue;
		}
		counts[index_of[v]]++;
	}
	ck_assert_uint_eq(stray, 0); /* only values of the list come out */
}

/** Every frequency within tol_pp percentage points of its weight's share. */
static void check_freqs(const struct dv_alias *a, const struct dv_weighted *w, uint64_t seed,
			double tol_pp)
{
	unsigned long counts[DV_WEIGHTED_MAX];
	draw_counts(a, w, seed, counts);
	double sum = 0.0;
	for (unsigned j = 0; j < w->n; j++)
		sum += w->weight[j];
	for (unsigned j = 0; j < w->n; j++) {
		double want = 100.0 * w->weight[j] / sum;
		double got = 100.0 * (double)counts[j] / SAMPLES;
		ck_assert_msg(fabs(got - want) <= tol_pp, "value %d: %.3f%% drawn, %.3f%% wanted",
			      w->value[j], got, want);
	}
}

/** The table is well formed: aliases in range, thresholds of full columns. */
static void check_shape(const struct dv_alias *a, unsigned n)
{
	ck_assert_uint_eq(a->n, n);
	for (unsigned i = 0; i < n; i++) {
		ck_assert_uint_lt(a->alias[i], n);
		if (a->alias[i] == i)
			ck_assert_uint_eq(a->threshold[i], UINT32_MAX);
	}
}

START_TEST(apnic_preset_frequencies)
{
	struct dv_weighted w;
	struct dv_alias a;
	ck_assert_int_eq(dv_edns_preset("apnic-2023", &w), 0);
	ck_assert_uint_eq(w.n, 11);
	ck_assert_int_eq(dv_alias_build(&a, &w), 0);
	check_shape(&a, w.n);
	check_freqs(&a, &w, 42, 0.3);
	/* another seed, another stream, same distribution */
	check_freqs(&a, &w, 7, 0.3);
}
END_TEST

START_TEST(single_value)
{
	struct dv_weighted w = { .n = 1, .value = { 1232 }, .weight = { 0.001 } };
	struct dv_alias a;
	ck_assert_int_eq(dv_alias_build(&a, &w), 0);
	ck_assert_uint_eq(a.n, 1);
	ck_assert_uint_eq(a.threshold[0], UINT32_MAX);
	ck_assert_uint_eq(a.alias[0], 0);
	struct dv_rng r;
	dv_rng_seed(&r, 1);
	for (int i = 0; i < 10000; i++)
		ck_assert_int_eq(dv_alias_pick(&a, &r), 1232);

	struct dv_alias c;
	memset(&c, 0xa5, sizeof(c));
	dv_alias_const(&c, -7);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_uint_eq(c.threshold[0], UINT32_MAX);
	ck_assert_uint_eq(c.alias[0], 0);
	for (int i = 0; i < 10000; i++)
		ck_assert_int_eq(dv_alias_pick(&c, &r), -7);
}
END_TEST

START_TEST(exact_two_columns)
{
	/* 1:3 -> scaled 0.5 and 1.5: column 0 keeps half and lends to 1, column 1 is full */
	struct dv_weighted w = { .n = 2, .value = { 10, 20 }, .weight = { 1, 3 } };
	struct dv_alias a;
	ck_assert_int_eq(dv_alias_build(&a, &w), 0);
	ck_assert_uint_eq(a.threshold[0], 1u << 31);
	ck_assert_uint_eq(a.alias[0], 1);
	ck_assert_uint_eq(a.threshold[1], UINT32_MAX);
	ck_assert_uint_eq(a.alias[1], 1);
	ck_assert_int_eq(a.value[0], 10);
	ck_assert_int_eq(a.value[1], 20);
	check_freqs(&a, &w, 3, 0.3);
}
END_TEST

START_TEST(uniform_32)
{
	struct dv_weighted w = { .n = DV_WEIGHTED_MAX };
	for (unsigned i = 0; i < DV_WEIGHTED_MAX; i++) {
		w.value[i] = (int)(100 + i);
		w.weight[i] = 2.5;
	}
	struct dv_alias a;
	ck_assert_int_eq(dv_alias_build(&a, &w), 0);
	check_shape(&a, DV_WEIGHTED_MAX);
	/* every column is its own: one multiply picks the value */
	for (unsigned i = 0; i < DV_WEIGHTED_MAX; i++) {
		ck_assert_uint_eq(a.threshold[i], UINT32_MAX);
		ck_assert_uint_eq(a.alias[i], i);
	}
	check_freqs(&a, &w, 99, 0.3);
}
END_TEST

START_TEST(skewed_32)
{
	/* one heavy value and 31 light ones: many columns borrow from the same donor */
	struct dv_weighted w = { .n = DV_WEIGHTED_MAX };
	for (unsigned i = 0; i < DV_WEIGHTED_MAX; i++) {
		w.value[i] = (int)i;
		w.weight[i] = i == 17 ? 1000.0 : 1.0 + i;
	}
	struct dv_alias a;
	ck_assert_int_eq(dv_alias_build(&a, &w), 0);
	check_shape(&a, DV_WEIGHTED_MAX);
	check_freqs(&a, &w, 5, 0.3);
}
END_TEST

START_TEST(bad_lists_rejected)
{
	struct dv_alias a, before;
	memset(&a, 0x5a, sizeof(a));
	before = a;

	struct dv_weighted w = { .n = 0 };
	ck_assert_int_eq(dv_alias_build(&a, &w), -EINVAL);                  /* empty */
	w = (struct dv_weighted){ .n = 2, .value = { 1, 2 }, .weight = { 0, 0 } };
	ck_assert_int_eq(dv_alias_build(&a, &w), -EINVAL);                  /* sums to zero */
	w = (struct dv_weighted){ .n = 2, .value = { 1, 2 }, .weight = { 1, 0 } };
	ck_assert_int_eq(dv_alias_build(&a, &w), -EINVAL);                  /* a zero weight */
	w = (struct dv_weighted){ .n = 2, .value = { 1, 2 }, .weight = { 3, -1 } };
	ck_assert_int_eq(dv_alias_build(&a, &w), -EINVAL);                  /* negative */
	w = (struct dv_weighted){ .n = 1, .value = { 1 }, .weight = { NAN } };
	ck_assert_int_eq(dv_alias_build(&a, &w), -EINVAL);                  /* not a number */
	w = (struct dv_weighted){ .n = 2, .value = { 1, 2 }, .weight = { 1, INFINITY } };
	ck_assert_int_eq(dv_alias_build(&a, &w), -EINVAL);                  /* infinite */
	w = (struct dv_weighted){ .n = 2, .value = { 1, 2 }, .weight = { 1e308, 1e308 } };
	ck_assert_int_eq(dv_alias_build(&a, &w), -EINVAL);                  /* sum overflows */
	w = (struct dv_weighted){ .n = DV_WEIGHTED_MAX + 1 };
	ck_assert_int_eq(dv_alias_build(&a, &w), -EINVAL);                  /* too long */
	ck_assert_int_eq(dv_alias_build(NULL, &w), -EINVAL);
	ck_assert_int_eq(dv_alias_build(&a, NULL), -EINVAL);
	/* a failed build leaves the sampler as it was */
	ck_assert_mem_eq(&a, &before, sizeof(a));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("alias");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, apnic_preset_frequencies);
	tcase_add_test(tc, single_value);
	tcase_add_test(tc, exact_two_columns);
	tcase_add_test(tc, uniform_32);
	tcase_add_test(tc, skewed_32);
	tcase_add_test(tc, bad_lists_rejected);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
