/* Pacing: absolute schedule, no catch-up bursts after a stall, exact long-run rate. */
#include <check.h>

#include "check_main.h"
#include <stdlib.h>

#include "engine/pace.h"

#define HZ 1000000000ull /* 1 tick = 1 ns */

START_TEST(first_query_due_at_start)
{
	struct dv_pace p;
	dv_pace_init(&p, 1000, HZ, 1000, 32);
	ck_assert_uint_eq(dv_pace_due(&p, 999, 32), 0);
	ck_assert_uint_eq(dv_pace_due(&p, 1000, 32), 1);
	dv_pace_advance(&p, 1);
	ck_assert_uint_eq(dv_pace_due(&p, 1000 + 999999, 32), 0);
	ck_assert_uint_eq(dv_pace_due(&p, 1000 + 1000000, 32), 1);
	ck_assert_uint_eq(dv_pace_due_tsc(&p, 5), 1000 + 5000000);
}
END_TEST

START_TEST(jitter_catches_up_within_backlog)
{
	struct dv_pace p;
	dv_pace_init(&p, 0, HZ, 1000, 32);
	/* 10.5 ms late for the whole lot: queries 0..10 are due, a burst of 11 is fine. */
	ck_assert_uint_eq(dv_pace_due(&p, 10500000, 64), 11);
	ck_assert_uint_eq(dv_pace_due(&p, 10500000, 4), 4); /* capped by burst */
	ck_assert_uint_eq(p.slips, 0);
}
END_TEST

START_TEST(stall_reanchors_instead_of_bursting)
{
	struct dv_pace p;
	dv_pace_init(&p, 0, HZ, 1000, 32);
	dv_pace_advance(&p, 1);
	/* A 1 s stall: 1000 overdue. Never burst them: one now, the next 1 ms later. */
	ck_assert_uint_eq(dv_pace_due(&p, 1000000000ull, 512), 1);
	ck_assert_uint_eq(p.slips, 1);
	dv_pace_advance(&p, 1);
	ck_assert_uint_eq(dv_pace_due(&p, 1000000000ull + 500000, 512), 0);
	ck_assert_uint_eq(dv_pace_due(&p, 1000000000ull + 1000000, 512), 1);
}
END_TEST

START_TEST(long_run_rate_is_exact)
{
	/* Poll at irregular intervals for 10 s at 12345.6 qps: the count is exact. */
	struct dv_pace p;
	dv_pace_init(&p, 0, HZ, 12345.6, 64);
	srand(42);
	uint64_t now = 0;
	while (now < 10 * HZ) {
		unsigned due = dv_pace_due(&p, now, 64);
		dv_pace_advance(&p, due);
		now += (uint64_t)(rand() % 3000);
	}
	/* queries due in [0, 10 s): floor(10 * 12345.6) + 1 at most; sent up to now */
	ck_assert_uint_ge(p.n, 123455);
	ck_assert_uint_le(p.n, 123457);
	ck_assert_uint_eq(p.slips, 0);
}
END_TEST

/* Drive a schedule with steps every `step` ticks for `ticks`, no stalls: count sent. */
static uint64_t drive(struct dv_pace *p, uint64_t t0, uint64_t ticks, uint64_t step, unsigned cap)
{
	for (uint64_t t = t0; t < t0 + ticks; t += step)
		dv_pace_advance(p, dv_pace_due(p, t, cap));
	return p->n;
}

START_TEST(ramp_sends_the_integral)
{
	/* 0 -> 10000 qps over 2 s: 10000 queries in all, 2500 in the first second. */
	struct dv_pace p;
	dv_pace_init_ramp(&p, 0, HZ, 0, 10000, 2.0, 32);
	ck_assert_uint_eq(dv_pace_due(&p, 0, 32), 1); /* a ramp from 0 still starts */
	dv_pace_advance(&p, 1);
	uint64_t first = drive(&p, 1, HZ - 1, 10000, 32);
	ck_assert_uint_ge(first, 2499);
	ck_assert_uint_le(first, 2502);
	uint64_t all = drive(&p, HZ, HZ, 10000, 32);
	ck_assert_uint_ge(all, 9999);
	ck_assert_uint_le(all, 10002);
	ck_assert_uint_eq(p.slips, 0);
	/* Due times invert the count: query 2500 is due at 1 s. */
	uint64_t t = dv_pace_due_tsc(&p, 2500);
	ck_assert_uint_ge(t, HZ - 1000);
	ck_assert_uint_le(t, HZ + 1000);
}
END_TEST

START_TEST(ramp_stall_stays_on_the_clock)
{
	struct dv_pace p;
	dv_pace_init_ramp(&p, 0, HZ, 1000, 11000, 1.0, 32);
	drive(&p, 0, HZ / 2, 100000, 32);
	uint64_t before = p.n;
	/* A 200 ms stall: no burst of the backlog, one query now, the rest skipped (counted). */
	ck_assert_uint_eq(dv_pace_due(&p, HZ / 2 + HZ / 5, 64), 1);
	ck_assert_uint_eq(p.slips, 1);
	dv_pace_advance(&p, 1);
	/* ~1400 due in the 200 ms (6000..8000 qps): all but one skipped. */
	ck_assert_uint_ge(p.skipped, 1350);
	ck_assert_uint_le(p.skipped, 1450);
	/* After the stall the rate is the clock's: 0.7..0.8 s of the ramp, ~850 in 100 ms
	 * (before, the ramp was shifted back by the stall and never reached its top). */
	uint64_t t0 = HZ / 2 + HZ / 5;
	drive(&p, t0 + 1, HZ / 10, 10000, 32);
	uint64_t in_100ms = p.n - before - 1;
	ck_assert_uint_ge(in_100ms, 820);
	ck_assert_uint_le(in_100ms, 880);
	/* Sent + skipped is what the ramp offered up to now (4000 queries by 0.8 s). */
	ck_assert_uint_ge(p.n + p.skipped, 3990);
	ck_assert_uint_le(p.n + p.skipped, 4010);
}
END_TEST

START_TEST(stall_skips_are_counted_exactly)
{
	/* 1000 qps for 10 s with a 2 s stall at 3 s: sent + skipped = what was due. */
	struct dv_pace p;
	dv_pace_init(&p, 0, HZ, 1000, 32);
	uint64_t t;
	for (t = 0; t < 3 * HZ; t += 100000)
		dv_pace_advance(&p, dv_pace_due(&p, t, 32));
	for (t = 5 * HZ; t < 10 * HZ; t += 100000)
		dv_pace_advance(&p, dv_pace_due(&p, t, 32));
	ck_assert_uint_eq(p.slips, 1);
	ck_assert_uint_ge(p.skipped, 1999);
	ck_assert_uint_le(p.skipped, 2001);
	/* queries due in [0, 10 s - 100 us]: 10000 */
	ck_assert_uint_eq(p.n + p.skipped, 10000);
	/* The schedule did not move: query n is due where the clock puts its slot. */
	ck_assert_uint_eq(dv_pace_due_tsc(&p, p.n), (p.n + p.skipped) * 1000000ull);
}
END_TEST

START_TEST(max_mode_is_always_due)
{
	struct dv_pace p;
	dv_pace_init_max(&p, 5000);
	ck_assert_uint_eq(dv_pace_due(&p, 4999, 32), 0);
	ck_assert_uint_eq(dv_pace_due(&p, 5000, 32), 32);
	dv_pace_advance(&p, 32);
	ck_assert_uint_eq(dv_pace_due(&p, 5001, 64), 64);
	ck_assert_uint_eq(p.slips, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pace");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, first_query_due_at_start);
	tcase_add_test(tc, jitter_catches_up_within_backlog);
	tcase_add_test(tc, stall_reanchors_instead_of_bursting);
	tcase_add_test(tc, long_run_rate_is_exact);
	tcase_add_test(tc, ramp_sends_the_integral);
	tcase_add_test(tc, ramp_stall_stays_on_the_clock);
	tcase_add_test(tc, stall_skips_are_counted_exactly);
	tcase_add_test(tc, max_mode_is_always_due);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
