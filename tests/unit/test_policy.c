/* Per-attempt choices: family policies, EDNS ladder, DO fraction, weighted first sizes. */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "engine/policy.h"

static struct dv_plan plan;

static void setup(void)
{
	memset(&plan, 0, sizeof(plan));
	plan.target[DV_FAMILY_V4].family = AF_INET;
	plan.target[DV_FAMILY_V6].family = AF_INET6;
	plan.edns_size = 1232;
	plan.seq.attempts = 3;
}

static void draw(struct dv_policy *p, uint64_t lseq, struct dv_attempt_plan *ap)
{
	struct dv_rng r;
	dv_rng_seed(&r, lseq);
	dv_policy_draw(p, lseq, &r, ap);
}

static void expect_families(enum dv_family_policy pol, unsigned retry, uint64_t lseq,
			    uint8_t f0, uint8_t f1, uint8_t f2)
{
	struct dv_policy p;
	struct dv_attempt_plan ap;
	plan.seq.family = pol;
	plan.seq.retry_change = retry;
	ck_assert_int_eq(dv_policy_init(&p, &plan), 0);
	draw(&p, lseq, &ap);
	ck_assert_uint_eq(ap.family[0], f0);
	ck_assert_uint_eq(ap.family[1], f1);
	ck_assert_uint_eq(ap.family[2], f2);
}

START_TEST(family_policies)
{
	const uint8_t v4 = DV_FAMILY_V4, v6 = DV_FAMILY_V6;
	expect_families(DV_FAMPOL_V4, 0, 0, v4, v4, v4);
	expect_families(DV_FAMPOL_V6, 0, 0, v6, v6, v6);
	expect_families(DV_FAMPOL_V4, DV_RETRY_FAMILY, 0, v4, v6, v4);
	expect_families(DV_FAMPOL_V4_FIRST, 0, 0, v4, v6, v4);
	expect_families(DV_FAMPOL_V6_FIRST, 0, 1, v6, v4, v6);
	expect_families(DV_FAMPOL_HAPPY_EYEBALLS, 0, 0, v6, v4, v6);
	expect_families(DV_FAMPOL_ALTERNATE, 0, 0, v4, v6, v4);
	expect_families(DV_FAMPOL_ALTERNATE, 0, 1, v6, v4, v6);
	/* v0 behaviour: first attempts alternate, retries keep their family. */
	expect_families(DV_FAMPOL_AUTO, 0, 0, v4, v4, v4);
	expect_families(DV_FAMPOL_AUTO, 0, 1, v6, v6, v6);
	/* One target: everything over it, whatever the policy says. */
	plan.target[DV_FAMILY_V4].family = 0;
	expect_families(DV_FAMPOL_AUTO, DV_RETRY_FAMILY, 0, v6, v6, v6);
}
END_TEST

START_TEST(mix_fraction)
{
	struct dv_policy p;
	struct dv_attempt_plan ap;
	struct dv_rng r;
	plan.seq.family = DV_FAMPOL_MIX;
	plan.seq.mix_v6 = 0.25;
	ck_assert_int_eq(dv_policy_init(&p, &plan), 0);
	dv_rng_seed(&r, 7);
	unsigned v6 = 0;
	for (unsigned i = 0; i < 100000; i++) {
		dv_policy_draw(&p, i, &r, &ap);
		v6 += ap.family[0] == DV_FAMILY_V6;
		ck_assert_uint_eq(ap.family[1], ap.family[0]); /* no switch without retry-change */
	}
	ck_assert_uint_gt(v6, 24000);
	ck_assert_uint_lt(v6, 26000);
}
END_TEST

START_TEST(edns_ladder_steps_down)
{
	struct dv_policy p;
	struct dv_attempt_plan ap;
	plan.seq.attempts = 4;
	plan.seq.retry_change = DV_RETRY_EDNS;
	int ladder[] = { 4096, 1410, 512, 0 };
	memcpy(plan.seq.edns_ladder, ladder, sizeof(ladder));
	plan.seq.edns_ladder_n = 4;

	plan.edns_size = 4096;
	ck_assert_int_eq(dv_policy_init(&p, &plan), 0);
	draw(&p, 0, &ap);
	ck_assert_int_eq(p.edns_size[ap.edns_var[0]], 4096);
	ck_assert_int_eq(p.edns_size[ap.edns_var[1]], 1410);
	ck_assert_int_eq(p.edns_size[ap.edns_var[2]], 512);
	ck_assert_int_eq(p.edns_size[ap.edns_var[3]], 0);

	/* Starting between rungs: the first rung below. */
	plan.edns_size = 1232;
	ck_assert_int_eq(dv_policy_init(&p, &plan), 0);
	draw(&p, 0, &ap);
	ck_assert_int_eq(p.edns_size[ap.edns_var[0]], 1232);
	ck_assert_int_eq(p.edns_size[ap.edns_var[1]], 512);
	ck_assert_int_eq(p.edns_size[ap.edns_var[2]], 0);
	ck_assert_int_eq(p.edns_size[ap.edns_var[3]], 0);

	/* Without DV_RETRY_EDNS the size stays. */
	plan.seq.retry_change = 0;
	ck_assert_int_eq(dv_policy_init(&p, &plan), 0);
	draw(&p, 0, &ap);
	ck_assert_int_eq(p.edns_size[ap.edns_var[3]], 1232);
}
END_TEST

START_TEST(weighted_first_size_and_do)
{
	struct dv_policy p;
	struct dv_attempt_plan ap;
	struct dv_rng r;
	plan.seq.edns = (struct dv_weighted){ .n = 3, .value = { 4096, 1232, 0 },
					     .weight = { 50, 30, 20 } };
	plan.seq.do_prob = 0.5;
	ck_assert_int_eq(dv_policy_init(&p, &plan), 0);
	ck_assert_uint_eq(p.n_edns, 3);
	dv_rng_seed(&r, 1);
	unsigned count[3] = { 0 }, dnssec = 0;
	for (unsigned i = 0; i < 100000; i++) {
		dv_policy_draw(&p, i, &r, &ap);
		count[ap.edns_var[0]]++;
		dnssec += ap.dnssec_ok;
	}
	int idx4096 = p.edns_size[0] == 4096 ? 0 : -1;
	ck_assert_int_eq(idx4096, 0);
	ck_assert_uint_gt(count[0], 49000);
	ck_assert_uint_lt(count[0], 51000);
	ck_assert_uint_gt(count[2], 19000);
	ck_assert_uint_lt(count[2], 21000);
	ck_assert_uint_gt(dnssec, 49000);
	ck_assert_uint_lt(dnssec, 51000);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, family_policies);
	tcase_add_test(tc, mix_fraction);
	tcase_add_test(tc, edns_ladder_steps_down);
	tcase_add_test(tc, weighted_first_size_and_do);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
