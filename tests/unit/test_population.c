/* --population: presets and files, each kind's settings, its slice of --src,
 * its policy and lanes; every error one line, with where it came from. */
#include <check.h>

#include "check_main.h"
#include "cli_harness.h"
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/cli.h"
#include "config/population.h"
#include "core/log.h"
#include "core/rng.h"
#include "engine/policy.h"
#include "engine/topology.h"

static void setup(void)
{
	cli_capture();
}

static void teardown(void)
{
	cli_release();
}

#define APNIC ARGV("--qname", "{seq}.example", "-s", "198.18.0.53", "-s", "2001:2::53", "--src", \
		   "198.18.128.0/17", "--src", "2001:2:0:100::/64", "--population", "apnic-2023")

static char popfile[64];

/* A population file in the working directory (removed by the caller). */
static char *write_pop(const char *text)
{
	snprintf(popfile, sizeof(popfile), "pop-%d.yaml", (int)getpid());
	FILE *f = fopen(popfile, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return popfile;
}

START_TEST(apnic_preset)
{
	struct dv_plan p;
	ck_assert_int_eq(parse(&p, APNIC), 0);
	ck_assert_str_eq(msg, "");
	ck_assert_uint_eq(p.pop.n, 7);
	ck_assert_str_eq(p.pop.name, "apnic-2023");
	double sum = 0, v4start = 0;
	for (unsigned k = 0; k < p.pop.n; k++) {
		const struct dv_kind *kd = &p.pop.kind[k];
		sum += kd->weight;
		/* Its own eighth of each range: /20 and /67, the kind's number in the new bits. */
		ck_assert_uint_eq(kd->src_prefix[DV_FAMILY_V4], 20);
		ck_assert_uint_eq(kd->src_prefix[DV_FAMILY_V6], 67);
		const uint8_t *a = (const uint8_t *)&kd->src[DV_FAMILY_V4].v4;
		ck_assert_uint_eq(a[2], 128 | k << 4);
		ck_assert_uint_eq(kd->src[DV_FAMILY_V6].v6.s6_addr[8], k << 5);
		if (kd->seq.family == DV_FAMPOL_V4 || kd->seq.family == DV_FAMPOL_V4_FIRST)
			v4start += kd->weight;
		ck_assert_uint_eq(kd->seq.edns.n, 11);
	}
	ck_assert(fabs(sum - 1.0) < 1e-9);
	ck_assert(fabs(v4start - 0.65) < 0.001);
	/* Kind by kind, as the preset says (docs/populations.md). */
	const struct dv_kind *he = &p.pop.kind[3];
	ck_assert_str_eq(he->name, "happy-eyeballs");
	ck_assert_int_eq(he->seq.family, DV_FAMPOL_HAPPY_EYEBALLS);
	ck_assert(fabs(he->seq.he_delay_s - 0.010) < 1e-12);
	ck_assert(fabs(he->lost - 0.5465) < 1e-9);
	ck_assert_int_eq(he->seq.on_tc, DV_ON_TC_TCP);
	const struct dv_kind *knot = &p.pop.kind[2];
	ck_assert_str_eq(knot->name, "knot-dual");
	ck_assert(fabs(knot->seq.timer_s[0] - 0.400) < 1e-9);
	ck_assert_int_eq(knot->seq.tcp_after, 2); /* the profile's */
	const struct dv_kind *broken = &p.pop.kind[6];
	ck_assert_uint_eq(broken->seq.attempts, 8);
	ck_assert(broken->lost == 1.0);
	dv_plan_free(&p);
}
END_TEST

START_TEST(policies_and_lanes)
{
	struct dv_plan p;
	ck_assert_int_eq(parse(&p, APNIC), 0);
	struct dv_policy pol[DV_KINDS_MAX];
	ck_assert_int_eq(dv_policy_init_kinds(pol, &p), 0);
	/* One list of EDNS variants: 11 sizes, the same indexes in every kind. */
	for (unsigned k = 0; k < p.pop.n; k++) {
		ck_assert_uint_eq(pol[k].n_edns, 11);
		ck_assert_mem_eq(pol[k].edns_size, pol[0].edns_size, sizeof(pol[0].edns_size));
	}
	/* lost= draws: the broken path's answers never count, the others' at their share. */
	struct dv_rng r;
	dv_rng_seed(&r, 1);
	unsigned first_lost = 0, n = 200000;
	for (unsigned i = 0; i < n; i++) {
		struct dv_attempt_plan ap;
		dv_policy_draw(&pol[6], i, &r, &ap);
		ck_assert_uint_eq(ap.lost, 0xff);
		dv_policy_draw(&pol[0], i, &r, &ap);
		first_lost += ap.lost & 1;
		ck_assert_uint_eq(ap.lost >> 3, 0); /* 3 attempts */
	}
	ck_assert(fabs((double)first_lost / n - 0.3326) < 0.005);
	/* A lane per kind; the tables hold the longest kind's sequences. */
	struct dv_topology t;
	dv_topo_lanes(&p, &t);
	ck_assert_uint_eq(t.nlanes, 7);
	ck_assert_uint_eq(t.nkinds, 7);
	for (unsigned li = 0; li < 7; li++)
		ck_assert_uint_eq(t.lane_kind[li], li);
	struct dv_lifetime lt;
	dv_topo_lifetime(&p, &lt);
	ck_assert_uint_eq(lt.attempts, 8);
	ck_assert(lt.lifetime_s >= 8 * 0.375);
	dv_plan_free(&p);
}
END_TEST

START_TEST(files_and_scenario_keys)
{
	struct dv_plan p;
	/* Weights are relative; the run's options are a kind's defaults. */
	char *f = write_pop("# two kinds\n"
				  "a: \"3 family=v4 requery=unbound lost=10%\"\n"
				  "b: \"1 family=v6-first attempts=2\"\n");
	ck_assert_int_eq(parse(&p, ARGV("-d", DV_TEST_DATA "/config/q-good.txt", "-s", "198.18.0.53",
					"-s", "2001:2::53", "--src", "198.18.128.0/24", "--src",
					"2001:2::/120", "--requery", "1s", "--population", f)), 0);
	ck_assert_uint_eq(p.pop.n, 2);
	ck_assert(fabs(p.pop.kind[0].weight - 0.75) < 1e-12);
	ck_assert(fabs(p.pop.kind[0].lost - 0.10) < 1e-12);
	ck_assert(fabs(p.pop.kind[0].seq.timer_s[0] - 0.376) < 0.002);
	ck_assert(fabs(p.pop.kind[1].seq.timer_s[0] - 1.0) < 1e-12); /* the run's --requery */
	ck_assert_uint_eq(p.pop.kind[1].seq.attempts, 2);
	ck_assert_uint_eq(p.pop.kind[1].src_prefix[DV_FAMILY_V4], 25);
	ck_assert_uint_eq(((const uint8_t *)&p.pop.kind[1].src[DV_FAMILY_V4].v4)[3], 128);
	dv_plan_free(&p);
	/* A scenario's key: a preset by name (not a file beside the scenario). */
	write_pop("target: [198.18.0.53, 2001:2::53]\nsource: [198.18.128.0/17, 2001:2::/64]\n"
		  "qname: \"{seq}.example\"\npopulation: apnic-2023\n");
	ck_assert_int_eq(parse(&p, ARGV("--scenario", f)), 0);
	ck_assert_uint_eq(p.pop.n, 7);
	ck_assert_str_eq(p.pop.name, "apnic-2023");
	dv_plan_free(&p);
	unlink(f);
}
END_TEST


#define RUN(popv) ARGV("--qname", "{seq}.example", "-s", "198.18.0.53", "--src", "198.18.128.0/17", \
		       "--population", popv)

START_TEST(errors)
{
	expect_error(RUN("nope"), "--population: 'nope' is neither a file nor a preset (apnic-2023)");
	char *f = write_pop("a: \"40% family=v4 colour=blue\"\n");
	char want[512];
	snprintf(want, sizeof(want), "%s:1: kind a: unknown key 'colour' (a kind takes family, "
		 "requery, attempts, retry-change, on-tc, tcp-after, edns, edns-ladder, do, lost)", f);
	expect_error(RUN(f), want);
	write_pop("a: \"40% family=v4\"\nb: \"heavy family=v4\"\n");
	snprintf(want, sizeof(want), "%s:2: kind b: 'heavy' is not a weight (e.g. 40%% or 0.4)", f);
	expect_error(RUN(f), want);
	write_pop("a: \"1 family=sideways\"\n");
	snprintf(want, sizeof(want), "%s:1: kind a: family: 'sideways' is not a family policy", f);
	struct dv_plan p;
	ck_assert_int_eq(parse(&p, RUN(f)), -EINVAL);
	ck_assert_msg(strncmp(msg, want, strlen(want) - 12) == 0, "%s", msg);
	write_pop("a: \"1 lost=150%\"\n");
	snprintf(want, sizeof(want), "%s:1: kind a: lost: '150%%' is not a share of the answers, 0..100%%", f);
	expect_error(RUN(f), want);
	/* Only the kind's settings together: said of the kind. */
	write_pop("a: \"1 family=happy-eyeballs attempts=1\"\n");
	snprintf(want, sizeof(want), "%s:1: kind a: --family happy-eyeballs: needs 2 attempts or more "
		 "(IPv6, then IPv4 after the delay)", f);
	expect_error(RUN(f), want);
	/* Its family needs a target, as the run's would. */
	write_pop("a: \"1 family=v6\"\n");
	expect_error(RUN(f), "--population: kind 'a': --family v6: needs an IPv6 target (-s)");
	write_pop("");
	snprintf(want, sizeof(want), "%s: no kind", f);
	expect_error(RUN(f), want);
	unlink(f);
	/* Each kind needs addresses of its own. */
	expect_error(ARGV("--qname", "{seq}.example", "-s", "198.18.0.53", "--population", "apnic-2023"),
		     "--population: 7 kinds need a --src range for IPv4, /28 or wider (each kind sends "
		     "from a slice of it), e.g. --src 198.18.128.0/17");
	expect_error(ARGV("--qname", "{seq}.example", "-s", "198.18.0.53", "-s", "2001:2::53", "-T", "2",
			  "--collectors", "2", "--src", "198.18.128.0/17", "--src", "2001:2::/64",
			  "--population", "apnic-2023"),
		     "--population apnic-2023: 7 kinds x 4 generator x collector pairs, at most 16 lanes");
}
END_TEST

static Suite *population_suite(void)
{
	Suite *s = suite_create("population");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, apnic_preset);
	tcase_add_test(tc, policies_and_lanes);
	tcase_add_test(tc, files_and_scenario_keys);
	tcase_add_test(tc, errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(population_suite());
}
