/* --instance K/N and --start-at: each host's share of the rate, the source
 * ranges and the names; one wall-clock start; errors one line each. */
#include <check.h>

#include "check_main.h"
#include "cli_harness.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config/cli.h"
#include "config/instance.h"
#include "core/log.h"
#include "core/wallclock.h"
#include "engine/qsource.h"

static void setup(void)
{
	cli_capture();
}

static void teardown(void)
{
	cli_release();
}


START_TEST(shares)
{
	struct dv_plan p;
	/* The whole run's rate, --max-queries and ranges: instance 2 of 3 sends its share. */
	ck_assert_int_eq(parse(&p, ARGV("--qname", "{seq}.example", "-s", "198.18.0.53", "-s",
					"2001:2::53", "--src", "198.18.128.0/17", "--src",
					"2001:2:0:100::/64", "-Q", "3000", "--max-queries", "1000",
					"--instance", "2/3")), 0);
	ck_assert_str_eq(msg, "");
	ck_assert_uint_eq(p.instance_k, 2);
	ck_assert_uint_eq(p.instance_n, 3);
	ck_assert(fabs(p.qps - 1000.0) < 1e-9);
	ck_assert_uint_eq(p.max_queries, 333); /* 334, 333, 333 */
	/* Slice 1 of 4 (/19 of a /17; /66 of a /64). */
	ck_assert_uint_eq(p.src_prefix[DV_FAMILY_V4], 19);
	ck_assert_uint_eq(((const uint8_t *)&p.src[DV_FAMILY_V4].v4)[2], 160);
	ck_assert_uint_eq(p.src_prefix[DV_FAMILY_V6], 66);
	ck_assert_uint_eq(p.src[DV_FAMILY_V6].v6.s6_addr[8], 0x40);
	/* Names: logical query n is name 3n + 1, so the three instances never meet. */
	struct dv_qsource qs;
	ck_assert_int_eq(dv_qsource_init(&qs, &p, 7), 0);
	uint8_t a[DV_QNAME_OUT], b[DV_QNAME_OUT];
	uint8_t la = dv_qsource_name(&qs, 5, a);
	ck_assert_mem_eq(a, "\x02" "16" "\x07" "example", 11);
	ck_assert_uint_eq(la, 12);
	dv_qsource_free(&qs);
	dv_plan_free(&p);
	/* The first instance takes the remainder of --max-queries; a ramp's ends are shared. */
	ck_assert_int_eq(parse(&p, ARGV("--qname", "{seq}.example", "-s", "198.18.0.53", "--ramp",
					"300:3000:10", "--max-queries", "1000", "--instance", "1/3")), 0);
	ck_assert_uint_eq(p.max_queries, 334);
	ck_assert(fabs(p.ramp.from_qps - 100.0) < 1e-9 && fabs(p.ramp.to_qps - 1000.0) < 1e-9);
	ck_assert_int_eq(dv_qsource_init(&qs, &p, 7), 0);
	dv_qsource_name(&qs, 5, b);
	ck_assert_mem_eq(b, "\x02" "15" "\x07" "example", 11);
	dv_qsource_free(&qs);
	dv_plan_free(&p);
}
END_TEST

START_TEST(start_at)
{
	struct dv_plan p;
	char v[64];
	double now = ((double)dv_wall_ns() * 1e-9);
	snprintf(v, sizeof(v), "%.3f", now + 30);
	ck_assert_int_eq(parse(&p, ARGV("--qname", "{seq}.example", "-s", "198.18.0.53", "--start-at", v)),
			 0);
	ck_assert(fabs(p.start_at - (now + 30)) < 0.01);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("--qname", "{seq}.example", "-s", "198.18.0.53", "--start-at",
					"+5")), 0);
	ck_assert(fabs(p.start_at - (((double)dv_wall_ns() * 1e-9) + 5)) < 0.5);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("--qname", "{seq}.example", "-s", "198.18.0.53", "--start-at",
					"2099-01-01T00:00:00.25Z")), -EINVAL);
	ck_assert_str_eq(msg, "--start-at: 2099-01-01T00:00:00.25Z is more than a day ahead");
	ck_assert_int_eq(parse(&p, ARGV("--qname", "{seq}.example", "-s", "198.18.0.53", "--start-at",
					"2020-01-01T00:00:00Z")), -EINVAL);
	ck_assert_msg(strstr(msg, "--start-at: 2020-01-01T00:00:00Z is ") == msg &&
		      strstr(msg, " s in the past (is this host's clock synchronised?)") != NULL, "%s", msg);
	expect_error(ARGV("--qname", "{seq}.example", "-s", "198.18.0.53", "--start-at", "soon"),
		     "--start-at: 'soon' is not a wall-clock time: seconds since the epoch "
		     "(1765000000.5), +SECONDS from now, or YYYY-MM-DDTHH:MM:SS[.frac]Z");
	expect_error(ARGV("--qname", "{seq}.example", "-s", "198.18.0.53", "--start-at",
			  "2030-01-01T00:00:00+01:00"),
		     "--start-at: '2030-01-01T00:00:00+01:00' is not a wall-clock time: seconds since "
		     "the epoch (1765000000.5), +SECONDS from now, or YYYY-MM-DDTHH:MM:SS[.frac]Z");
}
END_TEST

START_TEST(errors)
{
	expect_error(ARGV("-d", "q", "--instance", "3/2"),
		     "--instance: '3/2' is not K/N (this host's share, 1 <= K <= N <= 1024)");
	expect_error(ARGV("-d", "q", "--instance", "0/2"),
		     "--instance: '0/2' is not K/N (this host's share, 1 <= K <= N <= 1024)");
	expect_error(ARGV("-d", "q", "--instance", "2"),
		     "--instance: '2' is not K/N (this host's share, 1 <= K <= N <= 1024)");
	expect_error(ARGV("--qname", "{seq}.example", "-s", "198.18.0.53", "--search", "1%",
			  "--instance", "1/2"),
		     "--instance: --search finds one sender's limit; run it on one host");
	expect_error(ARGV("--qname", "{seq}.example", "-s", "198.18.0.53", "--max-queries", "2",
			  "--instance", "3/3"),
		     "--instance 3/3: --max-queries 2 leaves this host nothing to send");
	expect_error(ARGV("--qname", "{seq}.example", "-s", "198.18.0.53", "--src", "198.18.0.0/30",
			  "--instance", "1/4"),
		     "--instance 1/4: --src 198.18.0.0/30 is too narrow for 4 slices");
}
END_TEST

static Suite *instance_suite(void)
{
	Suite *s = suite_create("instance");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, shares);
	tcase_add_test(tc, start_at);
	tcase_add_test(tc, errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(instance_suite());
}
