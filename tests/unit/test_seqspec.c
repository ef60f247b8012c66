/* Query-sequence settings: every parser, defaults, timers, cross-checks, scenario keys. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/cli.h"
#include "config/parse.h"
#include "config/scenario.h"
#include "config/seqspec.h"
#include "core/log.h"

#ifndef DV_TEST_DATA
#error "DV_TEST_DATA must name tests/data"
#endif
#define DATA DV_TEST_DATA "/config/"
#define QFILE DATA "q-good.txt"
#define PAT "{seq}.{rand8}.example.test"

static char msg[512];
static char tmpdir[64];
static char root[PATH_MAX];

static void setup(void)
{
	dv_log_capture(msg, sizeof(msg));
	const char *r = getenv("DV_SOURCE_ROOT");
	snprintf(root, sizeof(root), "%s", r != NULL ? r : DV_TEST_DATA "/../..");
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dv-seqspec-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	dv_log_capture(NULL, 0);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

#define ARGV(...) ((char *[]){ "dnsvolley", __VA_ARGS__, NULL })

static int parse(struct dv_plan *p, char **argv)
{
	msg[0] = '\0';
	int argc = 0;
	while (argv[argc] != NULL)
		argc++;
	return dv_cli_parse(argc, argv, p);
}

/** Parse, expect success and no message. */
static void ok(struct dv_plan *p, char **argv)
{
	int ret = parse(p, argv);
	ck_assert_msg(ret == 0, "parse failed: %s", msg);
	ck_assert_str_eq(msg, "");
}

static void expect_error(char **argv, const char *want)
{
	struct dv_plan p;
	ck_assert_int_eq(parse(&p, argv), -EINVAL);
	ck_assert_str_eq(msg, want);
	ck_assert_ptr_null(p.queries.q);
}

/** Write a file into the test's temporary directory; path receives its name. */
static void write_tmp(const char *name, const char *text, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void expect_timers(const struct dv_plan *p, unsigned n, const double *want)
{
	ck_assert_uint_eq(p->seq.attempts, n);
	for (unsigned k = 0; k < DV_MAX_ATTEMPTS; k++) {
		double w = k < n ? want[k] : 0.0;
		ck_assert_msg(p->seq.timer_s[k] > w - 1e-9 && p->seq.timer_s[k] < w + 1e-9,
			      "timer %u: %g, want %g", k, p->seq.timer_s[k], w);
	}
}

#define TIMERS(...) (sizeof((double[]){ __VA_ARGS__ }) / sizeof(double)), ((double[]){ __VA_ARGS__ })

/* Defaults and timers. */

START_TEST(defaults_are_v0)
{
	struct dv_plan p;
	ok(&p, ARGV("-d", QFILE));
	ck_assert_int_eq(p.seq.family, DV_FAMPOL_AUTO);
	expect_timers(&p, TIMERS(1.0));          /* one attempt, timer = -t */
	ck_assert_str_eq(p.seq.requery_profile, "");
	ck_assert_uint_eq(p.seq.retry_change, 0);
	ck_assert_uint_eq(p.seq.edns_ladder_n, 3);
	ck_assert_int_eq(p.seq.edns_ladder[0], 4096);
	ck_assert_int_eq(p.seq.edns_ladder[1], 1410);
	ck_assert_int_eq(p.seq.edns_ladder[2], 512);
	ck_assert_uint_eq(p.seq.edns.n, 0);
	ck_assert_int_eq(p.edns_size, 1232);
	ck_assert_str_eq(p.seq.edns_preset, "");
	ck_assert_double_eq(p.seq.do_prob, 0.0);
	ck_assert_double_eq_tol(p.seq.he_delay_s, 0.050, 1e-12);
	ck_assert_str_eq(p.seq.qname_pattern, "");
	ck_assert_uint_eq(p.seq.qtypes.n, 0);
	ck_assert(!dv_impair_any(&p.impair));
	ck_assert_int_eq(p.target[DV_FAMILY_V4].family, AF_INET);
	ck_assert_int_eq(p.target[DV_FAMILY_V6].family, 0);
	dv_plan_free(&p);

	/* -t after everything still sets the single timer */
	ok(&p, ARGV("-d", QFILE, "-t", "2.5"));
	expect_timers(&p, TIMERS(2.5));
	dv_plan_free(&p);
	/* --attempts without --requery: every timer is -t */
	ok(&p, ARGV("--attempts", "3", "-d", QFILE, "-t", "250ms"));
	expect_timers(&p, TIMERS(0.25, 0.25, 0.25));
	dv_plan_free(&p);
}
END_TEST

START_TEST(requery_lists)
{
	struct dv_plan p;
	ok(&p, ARGV("-d", QFILE, "--requery", "375ms,750ms,1500ms"));
	expect_timers(&p, TIMERS(0.375, 0.75, 1.5));
	ck_assert_str_eq(p.seq.requery_profile, "");
	dv_plan_free(&p);

	/* --attempts beyond the list: the last value repeats (either order) */
	ok(&p, ARGV("-d", QFILE, "--requery", "375ms,750ms,1500ms", "--attempts", "5"));
	expect_timers(&p, TIMERS(0.375, 0.75, 1.5, 1.5, 1.5));
	dv_plan_free(&p);
	ok(&p, ARGV("--attempts", "5", "-d", QFILE, "--requery", "375ms,750ms,1500ms"));
	expect_timers(&p, TIMERS(0.375, 0.75, 1.5, 1.5, 1.5));
	dv_plan_free(&p);
	/* fewer attempts than values: the first ones */
	ok(&p, ARGV("-d", QFILE, "--requery", "375ms,750ms,1500ms", "--attempts", "2"));
	expect_timers(&p, TIMERS(0.375, 0.75));
	dv_plan_free(&p);

	/* one value: a fixed timer, 3 attempts unless --attempts */
	ok(&p, ARGV("-d", QFILE, "--requery", "375ms"));
	expect_timers(&p, TIMERS(0.375, 0.375, 0.375));
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--requery", "400ms"));
	expect_timers(&p, TIMERS(0.4, 0.4, 0.4));
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--requery", "1s", "--attempts", "4"));
	expect_timers(&p, TIMERS(1, 1, 1, 1));
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--requery", "1", "--attempts", "1"));
	expect_timers(&p, TIMERS(1));
	dv_plan_free(&p);

	/* -t does not touch --requery's timers; the last --requery wins */
	ok(&p, ARGV("-d", QFILE, "--requery", "unbound", "--requery", "60s,0.5", "-t", "9"));
	expect_timers(&p, TIMERS(60, 0.5));
	ck_assert_str_eq(p.seq.requery_profile, "");
	ck_assert_double_eq(p.timeout_s, 9.0);
	dv_plan_free(&p);

	/* eight values: the most */
	ok(&p, ARGV("-d", QFILE, "--requery", "1,2,3,4,5,6,7,8"));
	expect_timers(&p, TIMERS(1, 2, 3, 4, 5, 6, 7, 8));
	dv_plan_free(&p);
}
END_TEST

START_TEST(requery_profiles)
{
	struct dv_plan p;
	ok(&p, ARGV("-d", QFILE, "--requery", "unbound"));
	expect_timers(&p, TIMERS(0.376, 0.752, 1.504));
	ck_assert_str_eq(p.seq.requery_profile, "unbound");
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--requery", "unbound", "--attempts", "8"));
	expect_timers(&p, TIMERS(0.376, 0.752, 1.504, 3.008, 6.016, 12.032, 24.064, 48.128));
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--requery", "knot-resolver"));
	expect_timers(&p, TIMERS(0.4, 0.8, 1.6));
	ck_assert_str_eq(p.seq.requery_profile, "knot-resolver");
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--requery", "bind"));
	expect_timers(&p, TIMERS(0.8, 0.8, 0.8));
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--attempts", "6", "--requery", "bind"));
	expect_timers(&p, TIMERS(0.8, 0.8, 0.8, 1.6, 3.2, 6.4));
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--requery", "powerdns"));
	expect_timers(&p, TIMERS(1.5, 3.0));
	ck_assert_str_eq(p.seq.requery_profile, "powerdns");
	dv_plan_free(&p);
	/* the backoff stops growing at 60 s */
	ok(&p, ARGV("-d", QFILE, "--requery", "powerdns", "--attempts", "8"));
	expect_timers(&p, TIMERS(1.5, 3, 6, 12, 24, 48, 60, 60));
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--requery", "1s,2s", "--requery", "bind", "--attempts", "1"));
	expect_timers(&p, TIMERS(0.8));
	ck_assert_str_eq(p.seq.requery_profile, "bind");
	dv_plan_free(&p);

	double t[DV_MAX_ATTEMPTS];
	unsigned d = 0;
	ck_assert_int_eq(dv_requery_profile("knot-resolver", 4, t, &d), 0);
	ck_assert_uint_eq(d, 3);
	ck_assert_double_eq_tol(t[3], 3.2, 1e-12);
	ck_assert_int_eq(dv_requery_profile("bind", 0, NULL, &d), 0);
	ck_assert_int_eq(dv_requery_profile("nsd", 0, NULL, &d), -ENOENT);
	ck_assert_int_eq(dv_requery_profile("bind", DV_MAX_ATTEMPTS + 1, t, &d), -EINVAL);
}
END_TEST

START_TEST(requery_and_attempts_errors)
{
	expect_error(ARGV("-d", QFILE, "--requery", "foo"),
		     "--requery: 'foo' is not a timer list (375ms,750ms,1500ms), a timer (400ms) "
		     "or a profile (unbound, knot-resolver, bind, powerdns)");
	expect_error(ARGV("-d", QFILE, "--requery", "0"),
		     "--requery: '0' is not a timer list (375ms,750ms,1500ms), a timer (400ms) "
		     "or a profile (unbound, knot-resolver, bind, powerdns)");
	expect_error(ARGV("-d", QFILE, "--requery", "375ms,x,1s"),
		     "--requery: 'x' in '375ms,x,1s' is not a timer (more than 0, at most 60 s)");
	expect_error(ARGV("-d", QFILE, "--requery", "375ms,,1s"),
		     "--requery: '' in '375ms,,1s' is not a timer (more than 0, at most 60 s)");
	expect_error(ARGV("-d", QFILE, "--requery", "375ms,"),
		     "--requery: '' in '375ms,' is not a timer (more than 0, at most 60 s)");
	expect_error(ARGV("-d", QFILE, "--requery", "1s,61s"),
		     "--requery: '61s' in '1s,61s' is not a timer (more than 0, at most 60 s)");
	expect_error(ARGV("-d", QFILE, "--requery", "1s,0ms"),
		     "--requery: '0ms' in '1s,0ms' is not a timer (more than 0, at most 60 s)");
	expect_error(ARGV("-d", QFILE, "--requery", "1s, 2s"),
		     "--requery: ' 2s' in '1s, 2s' is not a timer (more than 0, at most 60 s)");
	expect_error(ARGV("-d", QFILE, "--requery", "1,2,3,4,5,6,7,8,9"),
		     "--requery: more than 8 timers (at most 8 attempts)");
	expect_error(ARGV("-d", QFILE, "--requery", ""), "--requery: empty value");
	expect_error(ARGV("-d", QFILE, "--attempts", "0"),
		     "--attempts: '0' is not a number of attempts in 1..8");
	expect_error(ARGV("-d", QFILE, "--attempts", "9"),
		     "--attempts: '9' is not a number of attempts in 1..8");
	expect_error(ARGV("-d", QFILE, "--attempts", "two"),
		     "--attempts: 'two' is not a number of attempts in 1..8");
}
END_TEST

/* Family policies. */

START_TEST(family_values)
{
	static const struct {
		const char *v;
		enum dv_family_policy f;
	} cases[] = {
		{ "v4", DV_FAMPOL_V4 }, { "v6", DV_FAMPOL_V6 },
		{ "v4-first", DV_FAMPOL_V4_FIRST }, { "v6-first", DV_FAMPOL_V6_FIRST },
		{ "alternate", DV_FAMPOL_ALTERNATE }, { "mix:0.25", DV_FAMPOL_MIX },
		{ "happy-eyeballs", DV_FAMPOL_HAPPY_EYEBALLS }, { "auto", DV_FAMPOL_AUTO },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dv_plan p;
		ok(&p, ARGV("-d", QFILE, "-s", "198.18.2.53", "-s", "2001:2::53",
			    "--family", (char *)cases[i].v));
		ck_assert_int_eq(p.seq.family, cases[i].f);
		ck_assert_str_eq(dv_family_policy_name(p.seq.family),
				 i == 5 ? "mix" : cases[i].v);
		dv_plan_free(&p);
	}

	struct dv_plan p;
	ok(&p, ARGV("-d", QFILE, "--family", "mix:0.25"));
	ck_assert_double_eq(p.seq.mix_v6, 0.25);
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--family", "mix:1"));
	ck_assert_double_eq(p.seq.mix_v6, 1.0);
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--family", "happy-eyeballs"));
	ck_assert_double_eq_tol(p.seq.he_delay_s, 0.050, 1e-12);
	/* happy eyeballs needs a second attempt: 2 by default */
	expect_timers(&p, TIMERS(1, 1));
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--family", "happy-eyeballs:250ms", "--requery", "unbound"));
	ck_assert_double_eq_tol(p.seq.he_delay_s, 0.250, 1e-12);
	expect_timers(&p, TIMERS(0.376, 0.752, 1.504));
	dv_plan_free(&p);
	/* a later --family resets the parameters of an earlier one */
	ok(&p, ARGV("-d", QFILE, "--family", "happy-eyeballs:1s", "--family", "v4"));
	ck_assert_double_eq_tol(p.seq.he_delay_s, 0.050, 1e-12);
	dv_plan_free(&p);

	const char *bad[] = { "v5", "V4", "v4:1", "", "mix", "mix:", "mix:1.5", "mix:-0.1",
			      "happy-eyeballs:0", "happy-eyeballs:61s", "happy-eyeballs:", "happy" };
	const char *want[] = {
		"--family: 'v5' is not a family policy (v4, v6, v4-first, v6-first, alternate, "
		"mix:P, happy-eyeballs[:DELAY], auto)",
		"--family: 'V4' is not a family policy (v4, v6, v4-first, v6-first, alternate, "
		"mix:P, happy-eyeballs[:DELAY], auto)",
		"--family: 'v4:1' is not a family policy (v4, v6, v4-first, v6-first, alternate, "
		"mix:P, happy-eyeballs[:DELAY], auto)",
		"--family: '' is not a family policy (v4, v6, v4-first, v6-first, alternate, "
		"mix:P, happy-eyeballs[:DELAY], auto)",
		"--family: 'mix' is not mix:P with P in 0..1 (the share of IPv6)",
		"--family: 'mix:' is not mix:P with P in 0..1 (the share of IPv6)",
		"--family: 'mix:1.5' is not mix:P with P in 0..1 (the share of IPv6)",
		"--family: 'mix:-0.1' is not mix:P with P in 0..1 (the share of IPv6)",
		"--family: 'happy-eyeballs:0' is not happy-eyeballs:DELAY with a delay in (0, 60 s], "
		"e.g. 50ms",
		"--family: 'happy-eyeballs:61s' is not happy-eyeballs:DELAY with a delay in (0, 60 s], "
		"e.g. 50ms",
		"--family: 'happy-eyeballs:' is not happy-eyeballs:DELAY with a delay in (0, 60 s], "
		"e.g. 50ms",
		"--family: 'happy' is not a family policy (v4, v6, v4-first, v6-first, alternate, "
		"mix:P, happy-eyeballs[:DELAY], auto)",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(ARGV("-d", QFILE, "--family", (char *)bad[i]), want[i]);

	expect_error(ARGV("-d", QFILE, "--family", "happy-eyeballs", "--attempts", "1"),
		     "--family happy-eyeballs: needs 2 attempts or more (IPv6, then IPv4 after the delay)");
}
END_TEST

START_TEST(family_needs_targets)
{
	expect_error(ARGV("-d", QFILE, "--family", "v6", "-s", "198.18.0.53"),
		     "--family v6: needs an IPv6 target (-s)");
	expect_error(ARGV("-d", QFILE, "--family", "v4", "-s", "2001:2::53"),
		     "--family v4: needs an IPv4 target (-s)");
	static const char *both[] = { "v4-first", "v6-first", "alternate", "mix:0.5",
				      "happy-eyeballs" };
	static const char *name[] = { "v4-first", "v6-first", "alternate", "mix",
				      "happy-eyeballs" };
	for (size_t i = 0; i < 5; i++) {
		char want[128];
		snprintf(want, sizeof(want), "--family %s: needs an IPv4 and an IPv6 target (-s)",
			 name[i]);
		expect_error(ARGV("-d", QFILE, "--family", (char *)both[i], "-s", "198.18.0.53"),
			     want);
		expect_error(ARGV("-d", QFILE, "--family", (char *)both[i], "-s", "::1",
				  "--port", "null"), want);
	}
	/* a non-embedded port with the right targets is fine */
	struct dv_plan p;
	ok(&p, ARGV("-d", QFILE, "--port", "null", "-s", "198.18.2.1", "--family", "v4"));
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--port", "null", "-s", "198.18.2.1", "-s", "2001:2::1",
		    "--family", "v6-first"));
	dv_plan_free(&p);
	/* AUTO keeps v0's rules: one target of either family */
	ok(&p, ARGV("-d", QFILE, "--port", "null", "-s", "2001:2::1"));
	dv_plan_free(&p);
}
END_TEST

START_TEST(embedded_default_targets)
{
	char b[INET6_ADDRSTRLEN];
	struct dv_plan p;
	static const struct {
		const char *family;
		const char *retry;
		bool v4, v6;
	} cases[] = {
		{ "auto", "same", true, false },
		{ "v4", "same", true, false },
		{ "v6", "same", false, true },
		{ "v4-first", "same", true, true },
		{ "v6-first", "same", true, true },
		{ "alternate", "same", true, true },
		{ "mix:0.1", "same", true, true },
		{ "happy-eyeballs", "same", true, true },
		{ "auto", "family", true, true },
		{ "auto", "edns", true, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ok(&p, ARGV("-d", QFILE, "--family", (char *)cases[i].family,
			    "--retry-change", (char *)cases[i].retry));
		if (cases[i].v4)
			ck_assert_str_eq(dv_addr_str(&p.target[DV_FAMILY_V4], b, sizeof(b)),
					 "198.18.0.53");
		else
			ck_assert_int_eq(p.target[DV_FAMILY_V4].family, 0);
		if (cases[i].v6)
			ck_assert_str_eq(dv_addr_str(&p.target[DV_FAMILY_V6], b, sizeof(b)),
					 "2001:2::53");
		else
			ck_assert_int_eq(p.target[DV_FAMILY_V6].family, 0);
		dv_plan_free(&p);
	}
	/* a -s given is never completed with a default */
	expect_error(ARGV("-d", QFILE, "--family", "alternate", "-s", "2001:2::53"),
		     "--family alternate: needs an IPv4 and an IPv6 target (-s)");
	/* not embedded: no defaults at all */
	expect_error(ARGV("-d", QFILE, "--port", "null", "--family", "v4"),
		     "no target: pass -s ADDR (or 'target' in a scenario)");
}
END_TEST

/* Retries. */

START_TEST(retry_change_and_ladder)
{
	struct dv_plan p;
	static const struct {
		const char *v;
		unsigned flags;
	} rc[] = {
		{ "same", 0 }, { "family", DV_RETRY_FAMILY }, { "edns", DV_RETRY_EDNS },
		{ "family+edns", DV_RETRY_FAMILY | DV_RETRY_EDNS },
		{ "edns+family", DV_RETRY_FAMILY | DV_RETRY_EDNS },
	};
	for (size_t i = 0; i < sizeof(rc) / sizeof(rc[0]); i++) {
		ok(&p, ARGV("-d", QFILE, "--retry-change", (char *)rc[i].v, "--attempts", "3"));
		ck_assert_uint_eq(p.seq.retry_change, rc[i].flags);
		dv_plan_free(&p);
	}
	expect_error(ARGV("-d", QFILE, "--retry-change", "size"),
		     "--retry-change: 'size' is not same, family, edns or family+edns");
	expect_error(ARGV("-d", QFILE, "--retry-change", "family", "-s", "198.18.0.53"),
		     "--retry-change family: needs an IPv4 and an IPv6 target (-s)");
	expect_error(ARGV("-d", QFILE, "--retry-change", "family", "--family", "v4"),
		     "--retry-change family: --family v4 keeps every attempt on IPv4");
	expect_error(ARGV("-d", QFILE, "--retry-change", "family+edns", "--family", "v6"),
		     "--retry-change family: --family v6 keeps every attempt on IPv6");

	ok(&p, ARGV("-d", QFILE, "--edns-ladder", "4096,1232,512,none"));
	ck_assert_uint_eq(p.seq.edns_ladder_n, 4);
	ck_assert_int_eq(p.seq.edns_ladder[0], 4096);
	ck_assert_int_eq(p.seq.edns_ladder[1], 1232);
	ck_assert_int_eq(p.seq.edns_ladder[2], 512);
	ck_assert_int_eq(p.seq.edns_ladder[3], DV_EDNS_NONE);
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--edns-ladder", "4096,1232,512,none", "--edns-ladder", "1232"));
	ck_assert_uint_eq(p.seq.edns_ladder_n, 1);
	ck_assert_int_eq(p.seq.edns_ladder[0], 1232);
	ck_assert_int_eq(p.seq.edns_ladder[1], 0);
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--edns-ladder", "none", "--retry-change", "edns"));
	ck_assert_uint_eq(p.seq.edns_ladder_n, 1);
	dv_plan_free(&p);

	expect_error(ARGV("-d", QFILE, "--edns-ladder", "512,1232"),
		     "--edns-ladder: '512,1232' is not descending (1232 after 512)");
	expect_error(ARGV("-d", QFILE, "--edns-ladder", "1232,1232"),
		     "--edns-ladder: '1232,1232' is not descending (1232 after 1232)");
	expect_error(ARGV("-d", QFILE, "--edns-ladder", "4096,none,512"),
		     "--edns-ladder: 'none' can only be the last size");
	expect_error(ARGV("-d", QFILE, "--edns-ladder", "4096,x"),
		     "--edns-ladder: 'x' in '4096,x' is not an EDNS size (1..65535) or none");
	expect_error(ARGV("-d", QFILE, "--edns-ladder", "70000,512"),
		     "--edns-ladder: '70000' in '70000,512' is not an EDNS size (1..65535) or none");
	expect_error(ARGV("-d", QFILE, "--edns-ladder", "9,8,7,6,5,4,3,2,1"),
		     "--edns-ladder: more than 8 sizes");
	expect_error(ARGV("-d", QFILE, "--edns-ladder", ""), "--edns-ladder: empty value");

	/* a plan without a ladder (not reachable from options: the default has one) */
	dv_plan_defaults(&p);
	p.seq.retry_change = DV_RETRY_EDNS;
	p.seq.edns_ladder_n = 0;
	ck_assert_int_eq(dv_seqspec_finish(&p), -EINVAL);
	ck_assert_str_eq(msg, "--retry-change edns: needs a ladder (--edns-ladder)");
}
END_TEST

/* EDNS, DO. */

START_TEST(edns_specs)
{
	struct dv_plan p;
	ok(&p, ARGV("-d", QFILE, "--edns", "1400"));
	ck_assert_int_eq(p.edns_size, 1400);
	ck_assert_uint_eq(p.seq.edns.n, 0);
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--edns", "none"));
	ck_assert_int_eq(p.edns_size, 0);
	ck_assert_uint_eq(p.seq.edns.n, 0);
	dv_plan_free(&p);

	ok(&p, ARGV("-d", QFILE, "--edns", "4096:42.3,1232:23.5,none:1.4"));
	ck_assert_uint_eq(p.seq.edns.n, 3);
	ck_assert_int_eq(p.seq.edns.value[0], 4096);
	ck_assert_int_eq(p.seq.edns.value[1], 1232);
	ck_assert_int_eq(p.seq.edns.value[2], DV_EDNS_NONE);
	ck_assert_double_eq_tol(p.seq.edns.weight[0], 42.3, 1e-12);
	ck_assert_double_eq_tol(p.seq.edns.weight[2], 1.4, 1e-12);
	ck_assert_int_eq(p.edns_size, 4096);   /* the largest */
	ck_assert_str_eq(p.seq.edns_preset, "");
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "-e", "512:1,none:3"));
	ck_assert_uint_eq(p.seq.edns.n, 2);
	ck_assert_int_eq(p.edns_size, 512);
	dv_plan_free(&p);

	ok(&p, ARGV("-d", QFILE, "--edns", "apnic-2023"));
	ck_assert_str_eq(p.seq.edns_preset, "apnic-2023");
	ck_assert_uint_eq(p.seq.edns.n, 11);
	static const int sizes[] = { 4096, 1232, 1400, 1452, 1472, 1220, 512, 0, 1410, 1440, 1432 };
	static const double weights[] = { 42.3, 23.5, 14.5, 4.9, 3.8, 3.7, 2.7, 1.4, 0.9, 0.7, 0.3 };
	for (unsigned i = 0; i < 11; i++) {
		ck_assert_int_eq(p.seq.edns.value[i], sizes[i]);
		ck_assert_double_eq_tol(p.seq.edns.weight[i], weights[i], 1e-12);
	}
	dv_plan_free(&p);
	/* -e SIZE after a mix: back to one size */
	ok(&p, ARGV("-d", QFILE, "--edns", "apnic-2023", "-e", "1232"));
	ck_assert_uint_eq(p.seq.edns.n, 0);
	ck_assert_str_eq(p.seq.edns_preset, "");
	ck_assert_int_eq(p.edns_size, 1232);
	dv_plan_free(&p);

	expect_error(ARGV("-d", QFILE, "--edns", "4096:x"),
		     "--edns: '4096:x' is not a weighted list (VALUE:WEIGHT,...)");
	expect_error(ARGV("-d", QFILE, "--edns", "4096:1,512"),
		     "--edns: '4096:1,512' is not a weighted list (VALUE:WEIGHT,...)");
	expect_error(ARGV("-d", QFILE, "--edns", "4096:1,"),
		     "--edns: '4096:1,' is not a weighted list (VALUE:WEIGHT,...)");
	expect_error(ARGV("-d", QFILE, "--edns", ":5"),
		     "--edns: ':5' is not a weighted list (VALUE:WEIGHT,...)");
	expect_error(ARGV("-d", QFILE, "--edns", "4096:-1"),
		     "--edns: '4096:-1' is not a weighted list (VALUE:WEIGHT,...)");
	expect_error(ARGV("-d", QFILE, "--edns", "4096:1e3"),
		     "--edns: '4096:1e3' is not a weighted list (VALUE:WEIGHT,...)");
	expect_error(ARGV("-d", QFILE, "--edns", "4096,1232"),
		     "--edns: '4096,1232' is not a weighted list (VALUE:WEIGHT,...)");
	expect_error(ARGV("-d", QFILE, "--edns", "4096:0,512:0"),
		     "--edns: weight of '4096:0' is not > 0");
	expect_error(ARGV("-d", QFILE, "--edns", "4096:1,512:0.0"),
		     "--edns: weight of '512:0.0' is not > 0");
	expect_error(ARGV("-d", QFILE, "--edns", "4096:1,4096:2"), "--edns: '4096' appears twice");
	expect_error(ARGV("-d", QFILE, "--edns", "none:1,0:1"), "--edns: '0' appears twice");
	expect_error(ARGV("-d", QFILE, "--edns", "70000:1"),
		     "--edns: '70000' is not an EDNS size (1..65535) or none");
	expect_error(ARGV("-d", QFILE, "--edns", "apnic-2022"),
		     "--edns: 'apnic-2022' is not an EDNS size, none, a weighted list "
		     "(SIZE:WEIGHT,...) or a preset (apnic-2023)");
	expect_error(ARGV("-d", QFILE, "-e", "70000"),
		     "-e: '70000' is not an EDNS buffer size (0 = no EDNS, or 1..65535)");
	expect_error(ARGV("-d", QFILE, "--edns", ""), "--edns: '' is not an EDNS size, none, "
		     "a weighted list (SIZE:WEIGHT,...) or a preset (apnic-2023)");

	/* 32 entries are fine, 33 are not */
	char list[512];
	size_t o = 0;
	for (int i = 0; i < 33; i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%d:1", i ? "," : "", 600 + i);
	expect_error(ARGV("-d", QFILE, "--edns", list), "--edns: more than 32 entries");
	*strrchr(list, ',') = '\0';
	ok(&p, ARGV("-d", QFILE, "--edns", list));
	ck_assert_uint_eq(p.seq.edns.n, 32);
	ck_assert_int_eq(p.edns_size, 631);
	dv_plan_free(&p);
}
END_TEST

START_TEST(do_fraction)
{
	struct dv_plan p;
	ok(&p, ARGV("-d", QFILE, "--do", "0.25"));
	ck_assert_double_eq(p.seq.do_prob, 0.25);
	ck_assert(!p.dnssec_ok);
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--do", "1"));
	ck_assert_double_eq(p.seq.do_prob, 1.0);
	ck_assert(p.dnssec_ok);
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "-D"));
	ck_assert_double_eq(p.seq.do_prob, 1.0);
	ck_assert(p.dnssec_ok);
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "-D", "--do", "0"));
	ck_assert_double_eq(p.seq.do_prob, 0.0);
	ck_assert(!p.dnssec_ok);
	dv_plan_free(&p);
	/* DO with a mix that has some OPT records */
	ok(&p, ARGV("-d", QFILE, "--do", "0.5", "--edns", "none:1,512:1"));
	dv_plan_free(&p);
	/* no OPT at all with DO: nothing to carry it */
	ok(&p, ARGV("-d", QFILE, "--do", "0", "-e", "0"));
	dv_plan_free(&p);

	expect_error(ARGV("-d", QFILE, "--do", "2"), "--do: '2' is not a fraction in 0..1");
	expect_error(ARGV("-d", QFILE, "--do", "50%"), "--do: '50%' is not a fraction in 0..1");
	expect_error(ARGV("-d", QFILE, "--do", "0.5", "-e", "0"),
		     "--do: the DO bit needs EDNS (--edns SPEC)");
	expect_error(ARGV("-d", QFILE, "--do", "0.5", "--edns", "none:1"),
		     "--do: the DO bit needs EDNS (--edns SPEC)");
	expect_error(ARGV("-d", QFILE, "-D", "--edns", "none"), "-D: the DO bit needs EDNS (-e SIZE)");
}
END_TEST

/* Names. */

START_TEST(qname_and_qtypes)
{
	struct dv_plan p;
	ok(&p, ARGV("--qname", PAT));
	ck_assert_str_eq(p.seq.qname_pattern, PAT);
	ck_assert_str_eq(p.query_file, "");
	ck_assert_uint_eq(p.queries.n, 0);
	/* default qtype mix: A */
	ck_assert_uint_eq(p.seq.qtypes.n, 1);
	ck_assert_int_eq(p.seq.qtypes.value[0], 1);
	dv_plan_free(&p);

	ok(&p, ARGV("--qname", PAT, "--qtypes", "A:50,AAAA:50"));
	ck_assert_uint_eq(p.seq.qtypes.n, 2);
	ck_assert_int_eq(p.seq.qtypes.value[0], 1);
	ck_assert_int_eq(p.seq.qtypes.value[1], 28);
	ck_assert_double_eq(p.seq.qtypes.weight[1], 50.0);
	dv_plan_free(&p);
	ok(&p, ARGV("--qtypes", "mx:1,TYPE65:2,TXT:0.5", "--qname", "s{seq}.{lcore}.test"));
	ck_assert_uint_eq(p.seq.qtypes.n, 3);
	ck_assert_int_eq(p.seq.qtypes.value[0], 15);
	ck_assert_int_eq(p.seq.qtypes.value[1], 65);
	ck_assert_int_eq(p.seq.qtypes.value[2], 16);
	dv_plan_free(&p);
	/* Without weights (issue 12): one type, or equally likely types. */
	ok(&p, ARGV("--qname", PAT, "--qtypes", "TXT"));
	ck_assert_uint_eq(p.seq.qtypes.n, 1);
	ck_assert_int_eq(p.seq.qtypes.value[0], 16);
	dv_plan_free(&p);
	ok(&p, ARGV("--qname", PAT, "--qtypes", "A,AAAA"));
	ck_assert_uint_eq(p.seq.qtypes.n, 2);
	ck_assert_int_eq(p.seq.qtypes.value[1], 28);
	ck_assert_double_eq(p.seq.qtypes.weight[0], p.seq.qtypes.weight[1]);
	dv_plan_free(&p);

	expect_error(ARGV("--qname", "x.example"),
		     "--qname: 'x.example' cannot make unique names (no {seq})");
	expect_error(ARGV("--qname", ""), "--qname: empty value");
	expect_error(ARGV("--qname", "{seq}.a..b"), "--qname: '{seq}.a..b' is not a name pattern "
		     "(empty label)");
	ck_assert_int_eq(parse(&p, ARGV("--qname", "{seq}.{bogus}.test")), -EINVAL);
	static const char bogus[] = "--qname: '{seq}.{bogus}.test' is not a name pattern (";
	ck_assert_msg(strncmp(msg, bogus, strlen(bogus)) == 0, "%s", msg);
	expect_error(ARGV("--qname", PAT, "-d", QFILE), "--qname and -d: choose one");
	expect_error(ARGV("-d", QFILE, "--qtypes", "A:1"),
		     "--qtypes: only with --qname (a query file gives each name its type)");
	expect_error(ARGV("--qname", PAT, "--qtypes", "AXX:1"), "--qtypes: 'AXX' is not an RR type");
	expect_error(ARGV("--qname", PAT, "--qtypes", "A:1,a:2"), "--qtypes: 'a' appears twice");
	expect_error(ARGV("--qname", PAT, "--qtypes", "A:1,AAAA"),
		     "--qtypes: 'A:1,AAAA' is not a weighted list (VALUE:WEIGHT,...)");
	expect_error(ARGV("--qname", PAT, "--qtypes", "TXX"), "--qtypes: 'TXX' is not an RR type");
	/* neither: v0's message */
	expect_error(ARGV("-Q", "5"), "no query file: pass -d FILE or a scenario with 'queries'");
}
END_TEST

START_TEST(qname_or_queries_override)
{
	char scn[PATH_MAX], both[PATH_MAX], qscn[PATH_MAX];
	write_tmp("q.yaml", "queries: " QFILE "\n", scn, sizeof(scn));
	write_tmp("p.yaml", "qname: \"" PAT "\"\nqtypes: AAAA:1\n", qscn, sizeof(qscn));
	write_tmp("b.yaml", "queries: " QFILE "\nqname: \"" PAT "\"\n", both, sizeof(both));

	struct dv_plan p;
	/* the command line's pattern replaces the scenario's file */
	ok(&p, ARGV("--scenario", scn, "--qname", PAT));
	ck_assert_str_eq(p.query_file, "");
	ck_assert_uint_eq(p.queries.n, 0);
	dv_plan_free(&p);
	/* the command line's file replaces the scenario's pattern and qtypes */
	ok(&p, ARGV("--scenario", qscn, "-d", QFILE));
	ck_assert_str_eq(p.seq.qname_pattern, "");
	ck_assert_uint_eq(p.seq.qtypes.n, 0);
	ck_assert_uint_eq(p.queries.n, 8);
	dv_plan_free(&p);
	ok(&p, ARGV("--scenario", qscn));
	ck_assert_int_eq(p.seq.qtypes.value[0], 28);
	dv_plan_free(&p);
	char want[PATH_MAX + 64];
	snprintf(want, sizeof(want), "%s: qname and queries: choose one", both);
	expect_error(ARGV("--scenario", both), want);
	/* one of them on the command line settles it */
	ok(&p, ARGV("--scenario", both, "-d", QFILE));
	dv_plan_free(&p);
}
END_TEST

/* Responder impairments. */

/* Every key of --responder, as its messages list them. */
#define IMPAIRMENTS "drop-v6, drop-v4, drop-first, drop=FRACTION, seed=N, delay=SECONDS, " \
		    "size=BYTES, frag-mtu=BYTES, drop-frag=K|nonfirst, frag-family=v4|v6|both, " \
		    "ignore-edns, a defect (docs/interop.md), " \
		    "rate=QPS, frag-flood=N, tcp-no-synack, tcp-refuse, tcp-rst-query, " \
		    "tcp-rst-after=N, " \
		    "tcp-idle-close=SECONDS, tcp-split=BYTES, tcp-reorder, tcp-drop-seg=K, " \
		    "tcp-keepalive=SECONDS, tcp-reverse"

START_TEST(responder_impairments)
{
	struct dv_plan p;
	ok(&p, ARGV("-d", QFILE, "--responder",
		    "drop-v6,drop-first,drop=0.25,seed=7,delay=50ms,size=1300"));
	ck_assert(p.impair.drop_v6);
	ck_assert(!p.impair.drop_v4);
	ck_assert(p.impair.drop_first);
	ck_assert_double_eq(p.impair.drop_fraction, 0.25);
	ck_assert_uint_eq(p.impair.seed, 7);
	ck_assert_double_eq_tol(p.impair.delay_s, 0.050, 1e-12);
	ck_assert_uint_eq(p.impair.answer_size, 1300);
	ck_assert(dv_impair_any(&p.impair));
	dv_plan_free(&p);
	/* a later --responder replaces the earlier one as a whole */
	ok(&p, ARGV("-d", QFILE, "--responder", "drop-v6,size=1300", "--responder", "drop-v4"));
	ck_assert(!p.impair.drop_v6);
	ck_assert(p.impair.drop_v4);
	ck_assert_uint_eq(p.impair.answer_size, 0);
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--responder", "delay=10s,size=12,seed=18446744073709551615"));
	ck_assert_uint_eq(p.impair.seed, UINT64_MAX);
	dv_plan_free(&p);
	/* none clears, and is fine on any port */
	ok(&p, ARGV("-d", QFILE, "--port", "null", "-s", "198.18.2.1", "--responder", "drop-v4",
		    "--responder", "none"));
	ck_assert(!dv_impair_any(&p.impair));
	dv_plan_free(&p);

	expect_error(ARGV("-d", QFILE, "--port", "null", "-s", "198.18.2.1", "--responder",
			  "drop-v6"), "--responder: only the embedded responder has impairments");
	const char *imp = "an impairment (" IMPAIRMENTS ")";
	char want[512];
	snprintf(want, sizeof(want), "--responder: 'bogus' is not %s", imp);
	expect_error(ARGV("-d", QFILE, "--responder", "bogus"), want);
	snprintf(want, sizeof(want), "--responder: 'drop-v6=1' is not %s", imp);
	expect_error(ARGV("-d", QFILE, "--responder", "drop-v6=1"), want);
	snprintf(want, sizeof(want), "--responder: 'drop' is not %s", imp);
	expect_error(ARGV("-d", QFILE, "--responder", "drop"), want);
	snprintf(want, sizeof(want), "--responder: '' is not %s", imp);
	expect_error(ARGV("-d", QFILE, "--responder", "drop-v6,"), want);
	expect_error(ARGV("-d", QFILE, "--responder", "drop=2"),
		     "--responder: 'drop=2' is not drop=FRACTION with a fraction in 0..1");
	expect_error(ARGV("-d", QFILE, "--responder", "delay=11s"),
		     "--responder: 'delay=11s' is not delay=SECONDS with at most 10 s, e.g. 50ms");
	expect_error(ARGV("-d", QFILE, "--responder", "size=11"),
		     "--responder: 'size=11' is not size=BYTES with 12..65535 bytes");
	expect_error(ARGV("-d", QFILE, "--responder", "seed=-1"),
		     "--responder: 'seed=-1' is not seed=N with N a whole number");
	expect_error(ARGV("-d", QFILE, "--responder", "drop-v6,drop-v6"),
		     "--responder: 'drop-v6' given twice");
	expect_error(ARGV("-d", QFILE, "--responder", "drop=0.1,drop=0.2"),
		     "--responder: 'drop' given twice");
	expect_error(ARGV("-d", QFILE, "--responder", "none,drop-v4"),
		     "--responder: 'none' cannot be combined with impairments");
	expect_error(ARGV("-d", QFILE, "--responder", ""), "--responder: empty value");
}
END_TEST

/* The TCP server's impairments: each exact, only with --transport tcp. */

START_TEST(responder_tcp)
{
	struct dv_plan p;
	ok(&p, ARGV("-d", QFILE, "--transport", "tcp", "--responder",
		    "tcp-no-synack,tcp-rst-after=2,tcp-idle-close=1.5s,tcp-split=100,tcp-reorder,"
		    "tcp-drop-seg=3,tcp-keepalive=30,tcp-reverse,delay=20ms"));
	ck_assert(p.impair.tcp_no_synack);
	ck_assert_uint_eq(p.impair.tcp_rst_after, 2);
	ck_assert_double_eq_tol(p.impair.tcp_idle_close_s, 1.5, 1e-12);
	ck_assert_uint_eq(p.impair.tcp_split, 100);
	ck_assert(p.impair.tcp_reorder);
	ck_assert_uint_eq(p.impair.tcp_drop_seg, 3);
	ck_assert_uint_eq(p.impair.tcp_keepalive, 300);
	ck_assert(p.impair.tcp_reverse);
	ck_assert(dv_impair_any(&p.impair) && dv_impair_tcp_any(&p.impair));
	dv_plan_free(&p);

	/* each alone is one; the limits are inclusive; keepalive rounds to 100 ms */
	ok(&p, ARGV("-d", QFILE, "--transport", "tcp", "--responder", "tcp-reverse"));
	ck_assert(dv_impair_tcp_any(&p.impair));
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--transport", "tcp", "--responder",
		    "tcp-split=1460,tcp-rst-after=1000000,tcp-drop-seg=1,tcp-idle-close=600,"
		    "tcp-keepalive=6553.5"));
	ck_assert_uint_eq(p.impair.tcp_split, 1460);
	ck_assert_uint_eq(p.impair.tcp_rst_after, 1000000);
	ck_assert_uint_eq(p.impair.tcp_keepalive, 65535);
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--transport", "tcp", "--responder", "tcp-keepalive=149ms"));
	ck_assert_uint_eq(p.impair.tcp_keepalive, 1);
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--transport", "tcp", "--responder", "drop=0.5,size=900"));
	ck_assert(!dv_impair_tcp_any(&p.impair));
	dv_plan_free(&p);

	expect_error(ARGV("-d", QFILE, "--responder", "tcp-reorder"),
		     "--responder: the tcp-* impairments need TCP (--transport tcp, --on-tc tcp or --tcp-after K)");
	expect_error(ARGV("-d", QFILE, "--transport", "tcp", "--port", "null", "-s", "198.18.2.1",
			  "--responder", "tcp-reorder"),
		     "--responder: only the embedded responder has impairments");
	expect_error(ARGV("-d", QFILE, "--transport", "tcp", "--responder", "tcp-split=0"),
		     "--responder: 'tcp-split=0' is not tcp-split=BYTES with 1..1460 bytes");
	expect_error(ARGV("-d", QFILE, "--transport", "tcp", "--responder", "tcp-split=1461"),
		     "--responder: 'tcp-split=1461' is not tcp-split=BYTES with 1..1460 bytes");
	expect_error(ARGV("-d", QFILE, "--transport", "tcp", "--responder", "tcp-rst-after=0"),
		     "--responder: 'tcp-rst-after=0' is not tcp-rst-after=N with N in 1..1000000 "
		     "(queries)");
	expect_error(ARGV("-d", QFILE, "--transport", "tcp", "--responder", "tcp-drop-seg=1000001"),
		     "--responder: 'tcp-drop-seg=1000001' is not tcp-drop-seg=K with K in "
		     "1..1000000 (segments)");
	expect_error(ARGV("-d", QFILE, "--transport", "tcp", "--responder", "tcp-idle-close=0"),
		     "--responder: 'tcp-idle-close=0' is not tcp-idle-close=SECONDS with at most "
		     "600 s, e.g. 10s");
	expect_error(ARGV("-d", QFILE, "--transport", "tcp", "--responder", "tcp-idle-close=601"),
		     "--responder: 'tcp-idle-close=601' is not tcp-idle-close=SECONDS with at most "
		     "600 s, e.g. 10s");
	expect_error(ARGV("-d", QFILE, "--transport", "tcp", "--responder", "tcp-keepalive=40ms"),
		     "--responder: 'tcp-keepalive=40ms' is not tcp-keepalive=SECONDS with "
		     "100ms..6553.5 s");
	expect_error(ARGV("-d", QFILE, "--transport", "tcp", "--responder", "tcp-keepalive=6554"),
		     "--responder: 'tcp-keepalive=6554' is not tcp-keepalive=SECONDS with "
		     "100ms..6553.5 s");
	expect_error(ARGV("-d", QFILE, "--transport", "tcp", "--responder", "tcp-reorder,tcp-reorder"),
		     "--responder: 'tcp-reorder' given twice");
	char want[640];
	snprintf(want, sizeof(want), "--responder: 'tcp-reverse=1' is not an impairment (%s)",
		 IMPAIRMENTS);
	expect_error(ARGV("-d", QFILE, "--transport", "tcp", "--responder", "tcp-reverse=1"), want);
	snprintf(want, sizeof(want), "--responder: 'tcp-split' is not an impairment (%s)",
		 IMPAIRMENTS);
	expect_error(ARGV("-d", QFILE, "--transport", "tcp", "--responder", "tcp-split"), want);
}
END_TEST

/* The fragment impairments of the embedded responder. */

START_TEST(responder_fragments)
{
	struct dv_plan p;
	ok(&p, ARGV("-d", QFILE, "--responder", "size=3000,frag-mtu=1280,drop-frag=2,"
		    "frag-family=v6,ignore-edns"));
	ck_assert_uint_eq(p.impair.answer_size, 3000);
	ck_assert_uint_eq(p.impair.frag_mtu, 1280);
	ck_assert_int_eq(p.impair.drop_frag, 2);
	ck_assert_uint_eq(p.impair.frag_families, 1u << DV_FAMILY_V6);
	ck_assert(p.impair.ignore_edns);
	ck_assert(dv_impair_any(&p.impair));
	dv_plan_free(&p);

	/* nonfirst; v4; both is stored as 0 (= no frag-family) */
	ok(&p, ARGV("-d", QFILE, "--responder", "frag-mtu=576,drop-frag=nonfirst,frag-family=v4"));
	ck_assert_int_eq(p.impair.drop_frag, DV_DROP_FRAG_NONFIRST);
	ck_assert_uint_eq(p.impair.frag_families, 1u << DV_FAMILY_V4);
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--responder", "frag-mtu=1500,frag-family=both,drop-frag=64"));
	ck_assert_uint_eq(p.impair.frag_families, 0);
	ck_assert_int_eq(p.impair.drop_frag, 64);
	dv_plan_free(&p);

	/* each alone is an impairment (and so only on the embedded port) */
	ok(&p, ARGV("-d", QFILE, "--responder", "ignore-edns"));
	ck_assert(p.impair.ignore_edns);
	ck_assert_uint_eq(p.impair.frag_mtu, 0);
	ck_assert(dv_impair_any(&p.impair));
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--responder", "frag-mtu=68"));
	ck_assert(dv_impair_any(&p.impair));
	dv_plan_free(&p);
	expect_error(ARGV("-d", QFILE, "--port", "null", "-s", "198.18.2.1", "--responder",
			  "frag-mtu=1280"), "--responder: only the embedded responder has impairments");
	expect_error(ARGV("-d", QFILE, "--port", "null", "-s", "198.18.2.1", "--responder",
			  "ignore-edns"), "--responder: only the embedded responder has impairments");

	/* IPv6: 1280 or more, checked against the targets the run uses */
	ok(&p, ARGV("-d", QFILE, "--responder", "frag-mtu=576"));  /* IPv4 only */
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "-s", "198.18.0.53", "-s", DV_EMBEDDED_TARGET6,
		    "--responder", "frag-mtu=576,frag-family=v4"));
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--family", "v6", "--responder", "frag-mtu=1280"));
	dv_plan_free(&p);
	expect_error(ARGV("-d", QFILE, "--family", "v6", "--responder", "frag-mtu=1279"),
		     "--responder: frag-mtu=1279 is below the IPv6 minimum MTU of 1280 "
		     "(frag-family=v4 keeps it to IPv4)");
	expect_error(ARGV("-d", QFILE, "-s", "198.18.0.53", "-s", DV_EMBEDDED_TARGET6,
			  "--responder", "frag-mtu=576,frag-family=v6"),
		     "--responder: frag-mtu=576 is below the IPv6 minimum MTU of 1280 "
		     "(frag-family=v4 keeps it to IPv4)");

	expect_error(ARGV("-d", QFILE, "--responder", "frag-mtu=67"),
		     "--responder: 'frag-mtu=67' is not frag-mtu=BYTES with 68..65535 bytes "
		     "(IPv6: 1280 or more)");
	expect_error(ARGV("-d", QFILE, "--responder", "frag-mtu=65536"),
		     "--responder: 'frag-mtu=65536' is not frag-mtu=BYTES with 68..65535 bytes "
		     "(IPv6: 1280 or more)");
	expect_error(ARGV("-d", QFILE, "--responder", "frag-mtu=1280,drop-frag=0"),
		     "--responder: 'drop-frag=0' is not drop-frag=K with K in 1..64, "
		     "or drop-frag=nonfirst");
	expect_error(ARGV("-d", QFILE, "--responder", "frag-mtu=1280,drop-frag=65"),
		     "--responder: 'drop-frag=65' is not drop-frag=K with K in 1..64, "
		     "or drop-frag=nonfirst");
	expect_error(ARGV("-d", QFILE, "--responder", "frag-mtu=1280,drop-frag=first"),
		     "--responder: 'drop-frag=first' is not drop-frag=K with K in 1..64, "
		     "or drop-frag=nonfirst");
	expect_error(ARGV("-d", QFILE, "--responder", "frag-mtu=1280,frag-family=v5"),
		     "--responder: 'frag-family=v5' is not frag-family=v4, v6 or both");
	expect_error(ARGV("-d", QFILE, "--responder", "drop-frag=2"),
		     "--responder: drop-frag needs frag-mtu (answers are only fragmented at a "
		     "frag-mtu)");
	expect_error(ARGV("-d", QFILE, "--responder", "frag-family=v6"),
		     "--responder: frag-family needs frag-mtu (it says which answers frag-mtu "
		     "fragments)");
	expect_error(ARGV("-d", QFILE, "--responder", "frag-mtu=1280,frag-mtu=1400"),
		     "--responder: 'frag-mtu' given twice");
	char want[512];
	snprintf(want, sizeof(want), "--responder: 'ignore-edns=1' is not an impairment (%s",
		 IMPAIRMENTS ")");
	expect_error(ARGV("-d", QFILE, "--responder", "ignore-edns=1"), want);
	snprintf(want, sizeof(want), "--responder: 'frag-mtu' is not an impairment (%s",
		 IMPAIRMENTS ")");
	expect_error(ARGV("-d", QFILE, "--responder", "frag-mtu"), want);
}
END_TEST

/* --frag-timeout, --fragmented, --collectors. */

START_TEST(fragment_settings)
{
	struct dv_plan p;
	ok(&p, ARGV("-d", QFILE));
	ck_assert_double_eq(p.frag_timeout_s, 0.1);
	ck_assert_int_eq(p.fragmented, DV_FRAG_REASSEMBLE);
	ck_assert_uint_eq(p.collectors, 1);
	dv_plan_free(&p);

	ok(&p, ARGV("-d", QFILE, "--frag-timeout", "250ms", "--fragmented", "drop",
		    "--collectors", "1"));
	ck_assert_double_eq_tol(p.frag_timeout_s, 0.25, 1e-12);
	ck_assert_int_eq(p.fragmented, DV_FRAG_DROP);
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--fragmented", "drop", "--fragmented", "reassemble",
		    "--frag-timeout", "10s"));
	ck_assert_int_eq(p.fragmented, DV_FRAG_REASSEMBLE);
	ck_assert_double_eq(p.frag_timeout_s, 10.0);
	dv_plan_free(&p);

	expect_error(ARGV("-d", QFILE, "--frag-timeout", "0"),
		     "--frag-timeout: '0' is not a fragment timeout in (0, 10 s], e.g. 100ms");
	expect_error(ARGV("-d", QFILE, "--frag-timeout", "10.5s"),
		     "--frag-timeout: '10.5s' is not a fragment timeout in (0, 10 s], e.g. 100ms");
	expect_error(ARGV("-d", QFILE, "--frag-timeout", "soon"),
		     "--frag-timeout: 'soon' is not a fragment timeout in (0, 10 s], e.g. 100ms");
	expect_error(ARGV("-d", QFILE, "--fragmented", "keep"),
		     "--fragmented: 'keep' is not reassemble or drop");
	expect_error(ARGV("-d", QFILE, "--collectors", "0"),
		     "--collectors: '0' is not a number of collectors in 1..8");
	expect_error(ARGV("-d", QFILE, "--collectors", "9"),
		     "--collectors: '9' is not a number of collectors in 1..8");
	/* The embedded port has 8 RX queues; null and tap one. */
	ok(&p, ARGV("-d", QFILE, "--collectors", "8"));
	ck_assert_uint_eq(p.collectors, 8);
	dv_plan_free(&p);
	expect_error(ARGV("-d", QFILE, "--collectors", "8", "--port", "null", "-s", "198.18.2.1"),
		     "--collectors 8: --port null has one RX queue");

	/* With sequences, shorter than the shortest re-query timer. */
	ok(&p, ARGV("-d", QFILE, "--requery", "unbound", "--frag-timeout", "375ms"));
	dv_plan_free(&p);
	expect_error(ARGV("-d", QFILE, "--requery", "unbound", "--frag-timeout", "400ms"),
		     "--frag-timeout: 400ms is not shorter than the shortest re-query timer (376ms)");
	expect_error(ARGV("-d", QFILE, "--requery", "1s,50ms", "--attempts", "3",
			  "--frag-timeout", "60ms"),
		     "--frag-timeout: 60ms is not shorter than the shortest re-query timer (50ms)");
	expect_error(ARGV("-d", QFILE, "--requery", "200ms", "--frag-timeout", "200ms"),
		     "--frag-timeout: 200ms is not shorter than the shortest re-query timer (200ms)");
	/* --attempts without --requery: the timers are -t */
	expect_error(ARGV("-d", QFILE, "--attempts", "2", "-t", "80ms", "--frag-timeout", "0.09"),
		     "--frag-timeout: 90ms is not shorter than the shortest re-query timer (80ms)");
	/* The default gives way: half the shortest timer. */
	ok(&p, ARGV("-d", QFILE, "--requery", "1s,50ms", "--attempts", "3"));
	ck_assert_double_eq_tol(p.frag_timeout_s, 0.025, 1e-12);
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--requery", "100ms", "--attempts", "3"));
	ck_assert_double_eq_tol(p.frag_timeout_s, 0.050, 1e-12);
	dv_plan_free(&p);
	ok(&p, ARGV("-d", QFILE, "--requery", "101ms", "--attempts", "3"));
	ck_assert_double_eq(p.frag_timeout_s, 0.1);
	dv_plan_free(&p);
	/* One attempt: no re-query timer, so no limit but 10 s. */
	ok(&p, ARGV("-d", QFILE, "-t", "50ms", "--frag-timeout", "5s"));
	dv_plan_free(&p);
	/* happy-eyeballs: the 50 ms delay is no re-query timer; the timers after it are. */
	ok(&p, ARGV("-d", QFILE, "--family", "happy-eyeballs", "--frag-timeout", "200ms"));
	dv_plan_free(&p);
	expect_error(ARGV("-d", QFILE, "--family", "happy-eyeballs", "--requery", "150ms",
			  "--frag-timeout", "200ms"),
		     "--frag-timeout: 200ms is not shorter than the shortest re-query timer (150ms)");
}
END_TEST

/* The weighted-list parser on its own. */

static int small_int(const char *s, int *out)
{
	uint64_t v;
	if (dv_parse_uint(s, 1, 9, &v) != 0)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

START_TEST(weighted_parser)
{
	struct dv_weighted w;
	memset(&w, 0x77, sizeof(w));
	ck_assert_int_eq(dv_weighted_parse("1:.5,2:3.,9:100", "ctx", small_int, "a digit", &w), 0);
	ck_assert_uint_eq(w.n, 3);
	ck_assert_double_eq(w.weight[0], 0.5);
	ck_assert_double_eq(w.weight[1], 3.0);
	ck_assert_int_eq(w.value[2], 9);
	ck_assert_int_eq(w.value[3], 0); /* unused entries are zero */

	struct dv_weighted before = w;
	ck_assert_int_eq(dv_weighted_parse("0:1", "ctx", small_int, "a digit", &w), -EINVAL);
	ck_assert_str_eq(msg, "ctx: '0' is not a digit");
	ck_assert_int_eq(dv_weighted_parse("1:1:1", "ctx", small_int, "a digit", &w), -EINVAL);
	ck_assert_str_eq(msg, "ctx: '1:1:1' is not a weighted list (VALUE:WEIGHT,...)");
	ck_assert_int_eq(dv_weighted_parse("1:nan", "ctx", small_int, "a digit", &w), -EINVAL);
	ck_assert_int_eq(dv_weighted_parse("1:inf", "ctx", small_int, "a digit", &w), -EINVAL);
	ck_assert_int_eq(dv_weighted_parse("1: 2", "ctx", small_int, "a digit", &w), -EINVAL);
	ck_assert_int_eq(dv_weighted_parse(",", "ctx", small_int, "a digit", &w), -EINVAL);
	ck_assert_str_eq(msg, "ctx: ',' is not a weighted list (VALUE:WEIGHT,...)");
	/* nothing written on failure */
	ck_assert_mem_eq(&w, &before, sizeof(w));
}
END_TEST

/* Scenario keys are the options. */

static const char every_key_yaml[] =
	"port: embedded\n"
	"family: happy-eyeballs:75ms\n"
	"requery: 375ms,750ms\n"
	"attempts: 4\n"
	"retry-change: family+edns\n"
	"edns-ladder: 1410,512,none\n"
	"edns: 4096:42.3,1232:23.5,none:1.4\n"
	"do: 0.3\n"
	"qname: \"" PAT "\"\n"
	"qtypes: A:50,AAAA:50\n"
	"responder: drop-v6,drop=0.1,seed=3,delay=20ms,size=1300\n"
	"frag-timeout: 200ms\n"
	"fragmented: drop\n"
	"collectors: 1\n";

/* The same, with YAML lists where a list is a natural spelling. */
static const char every_key_lists_yaml[] =
	"port: embedded\n"
	"family: happy-eyeballs:75ms\n"
	"requery: [375ms, 750ms]\n"
	"attempts: 4\n"
	"retry-change: family+edns\n"
	"edns-ladder: [1410, 512, none]\n"
	"edns:\n  - 4096:42.3\n  - 1232:23.5\n  - none:1.4\n"
	"do: 0.3\n"
	"qname: \"" PAT "\"\n"
	"qtypes:\n  - A:50\n  - AAAA:50\n"
	"responder: [drop-v6, drop=0.1, seed=3, delay=20ms, size=1300]\n"
	"frag-timeout: 200ms\n"
	"fragmented: drop\n"
	"collectors: 1\n";

static void expect_same_seq(const struct dv_plan *a, const struct dv_plan *b)
{
	ck_assert_mem_eq(&a->seq, &b->seq, sizeof(a->seq));
	ck_assert_mem_eq(&a->impair, &b->impair, sizeof(a->impair));
	ck_assert_int_eq(a->edns_size, b->edns_size);
	ck_assert_int_eq(a->dnssec_ok, b->dnssec_ok);
	ck_assert_mem_eq(a->target, b->target, sizeof(a->target));
	ck_assert_double_eq(a->frag_timeout_s, b->frag_timeout_s);
	ck_assert_int_eq(a->fragmented, b->fragmented);
	ck_assert_uint_eq(a->collectors, b->collectors);
}

START_TEST(scenario_keys_equal_options)
{
	char path[PATH_MAX], lpath[PATH_MAX];
	write_tmp("every.yaml", every_key_yaml, path, sizeof(path));
	write_tmp("lists.yaml", every_key_lists_yaml, lpath, sizeof(lpath));

	struct dv_plan s, l, o;
	ok(&s, ARGV("--scenario", path));
	ok(&l, ARGV("--scenario", lpath));
	ok(&o, ARGV("--port", "embedded", "--family", "happy-eyeballs:75ms",
		    "--requery", "375ms,750ms", "--attempts", "4", "--retry-change", "family+edns",
		    "--edns-ladder", "1410,512,none", "--edns", "4096:42.3,1232:23.5,none:1.4",
		    "--do", "0.3", "--qname", PAT, "--qtypes", "A:50,AAAA:50",
		    "--responder", "drop-v6,drop=0.1,seed=3,delay=20ms,size=1300",
		    "--frag-timeout", "200ms", "--fragmented", "drop", "--collectors", "1"));
	expect_same_seq(&s, &o);
	expect_same_seq(&l, &o);

	/* and what they mean */
	ck_assert_int_eq(o.seq.family, DV_FAMPOL_HAPPY_EYEBALLS);
	ck_assert_double_eq_tol(o.seq.he_delay_s, 0.075, 1e-12);
	expect_timers(&o, TIMERS(0.375, 0.75, 0.75, 0.75));
	ck_assert_uint_eq(o.seq.retry_change, DV_RETRY_FAMILY | DV_RETRY_EDNS);
	ck_assert_uint_eq(o.seq.edns_ladder_n, 3);
	ck_assert_uint_eq(o.seq.edns.n, 3);
	ck_assert_double_eq(o.seq.do_prob, 0.3);
	ck_assert_uint_eq(o.seq.qtypes.n, 2);
	ck_assert(o.impair.drop_v6);
	ck_assert_uint_eq(o.impair.answer_size, 1300);
	ck_assert_int_eq(o.target[DV_FAMILY_V4].family, AF_INET);
	ck_assert_int_eq(o.target[DV_FAMILY_V6].family, AF_INET6);
	ck_assert_double_eq_tol(o.frag_timeout_s, 0.2, 1e-12);
	ck_assert_int_eq(o.fragmented, DV_FRAG_DROP);
	dv_plan_free(&s);
	dv_plan_free(&l);
	dv_plan_free(&o);

	/* options override the scenario's keys */
	ok(&o, ARGV("--scenario", path, "--family", "v6-first", "--requery", "bind",
		    "--attempts", "2", "--responder", "none", "--do", "0"));
	ck_assert_int_eq(o.seq.family, DV_FAMPOL_V6_FIRST);
	expect_timers(&o, TIMERS(0.8, 0.8));
	ck_assert(!dv_impair_any(&o.impair));
	dv_plan_free(&o);
}
END_TEST

START_TEST(scenario_errors_name_file_and_line)
{
	struct dv_plan p;
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "rate: 5\nfamily: v5\n", "x.yaml:2: family: 'v5' is not a family policy (v4, v6, "
		  "v4-first, v6-first, alternate, mix:P, happy-eyeballs[:DELAY], auto)" },
		{ "requery: [375ms, x]\n",
		  "x.yaml:1: requery: 'x' in '375ms,x' is not a timer (more than 0, at most 60 s)" },
		{ "attempts: 9\n", "x.yaml:1: attempts: '9' is not a number of attempts in 1..8" },
		{ "edns: 4096:x\n", "x.yaml:1: edns: '4096:x' is not a weighted list (VALUE:WEIGHT,...)" },
		{ "edns:\n  - 4096:1\n  - 512:0\n", "x.yaml:1: edns: weight of '512:0' is not > 0" },
		{ "edns: 65536\n",
		  "x.yaml:1: edns: '65536' is not an EDNS buffer size (0 = no EDNS, or 1..65535)" },
		{ "do: yes\n", "x.yaml:1: do: 'yes' is not a fraction in 0..1" },
		{ "qname: x.test\n", "x.yaml:1: qname: 'x.test' cannot make unique names (no {seq})" },
		{ "qtypes: A:1,BOGUS:1\n", "x.yaml:1: qtypes: 'BOGUS' is not an RR type" },
		{ "retry-change: [family, edns]\n",
		  "x.yaml:1: retry-change: expected a single value, not a list" },
		{ "responder: drop=x\n",
		  "x.yaml:1: responder: 'drop=x' is not drop=FRACTION with a fraction in 0..1" },
		{ "edns-ladder: 512,1232\n",
		  "x.yaml:1: edns-ladder: '512,1232' is not descending (1232 after 512)" },
		{ "rate: 5\nfrag-timeout: 0\n",
		  "x.yaml:2: frag-timeout: '0' is not a fragment timeout in (0, 10 s], e.g. 100ms" },
		{ "fragmented: yes\n", "x.yaml:1: fragmented: 'yes' is not reassemble or drop" },
		{ "collectors: [1, 2]\n", "x.yaml:1: collectors: expected a single value, not a list" },
		{ "collectors: 99\n",
		  "x.yaml:1: collectors: '99' is not a number of collectors in 1..8" },
		{ "responder: [frag-mtu=1280, drop-frag=x]\n",
		  "x.yaml:1: responder: 'drop-frag=x' is not drop-frag=K with K in 1..64, "
		  "or drop-frag=nonfirst" },
		{ "responder: [size=3000, drop-frag=2]\n",
		  "x.yaml:1: responder: drop-frag needs frag-mtu (answers are only fragmented at "
		  "a frag-mtu)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dv_plan_defaults(&p);
		ck_assert_int_eq(dv_scenario_load_mem("x.yaml", cases[i].text,
						      strlen(cases[i].text), &p), -EINVAL);
		ck_assert_str_eq(msg, cases[i].want);
	}
	/* dnssec-ok is the same switch as -D */
	dv_plan_defaults(&p);
	ck_assert_int_eq(dv_scenario_load_mem("x.yaml", "dnssec-ok: true\n", 16, &p), 0);
	ck_assert_double_eq(p.seq.do_prob, 1.0);
}
END_TEST

/* The shipped scenarios parse as they are. */

START_TEST(shipped_scenarios)
{
	char path[2 * PATH_MAX];
	struct dv_plan p;

	snprintf(path, sizeof(path), "%s/scenarios/apnic-2023-edns-mix.yaml", root);
	ok(&p, ARGV("--scenario", path));
	ck_assert(p.port[0].profile.embedded);
	ck_assert_str_eq(p.seq.edns_preset, "apnic-2023");
	ck_assert_str_eq(p.seq.qname_pattern, PAT);
	ck_assert_uint_eq(p.seq.qtypes.n, 2);
	ck_assert_uint_eq(p.impair.answer_size, 1300);
	ck_assert_double_eq(p.qps, 20000.0);
	ck_assert_double_eq(p.duration_s, 5.0);
	ck_assert_int_eq(p.target[DV_FAMILY_V4].family, AF_INET);
	ck_assert_int_eq(p.target[DV_FAMILY_V6].family, AF_INET6);
	dv_plan_free(&p);

	snprintf(path, sizeof(path), "%s/scenarios/happy-eyeballs.yaml", root);
	ok(&p, ARGV("--scenario", path));
	ck_assert_int_eq(p.seq.family, DV_FAMPOL_HAPPY_EYEBALLS);
	ck_assert_double_eq_tol(p.seq.he_delay_s, 0.050, 1e-12);
	ck_assert(p.impair.drop_v6);
	ck_assert_uint_ge(p.seq.attempts, 2);
	ck_assert_str_ne(p.seq.qname_pattern, "");
	dv_plan_free(&p);

	snprintf(path, sizeof(path), "%s/scenarios/v6-fragmentation-loss.yaml", root);
	ok(&p, ARGV("--scenario", path));
	ck_assert(p.port[0].profile.embedded);
	ck_assert_int_eq(p.seq.family, DV_FAMPOL_ALTERNATE);
	ck_assert_int_eq(p.target[DV_FAMILY_V4].family, AF_INET);
	ck_assert_int_eq(p.target[DV_FAMILY_V6].family, AF_INET6);
	ck_assert_uint_eq(p.seq.edns.n, 2);
	ck_assert_int_eq(p.seq.edns.value[0], 4096);
	ck_assert_int_eq(p.seq.edns.value[1], 1232);
	ck_assert_str_ne(p.seq.qname_pattern, "");
	ck_assert_uint_eq(p.impair.answer_size, 3000);
	ck_assert_uint_eq(p.impair.frag_mtu, 1280);
	ck_assert_int_eq(p.impair.drop_frag, 2);
	ck_assert_uint_eq(p.impair.frag_families, 1u << DV_FAMILY_V6);
	ck_assert_double_eq(p.qps, 5000.0);
	ck_assert_double_eq(p.duration_s, 5.0);
	ck_assert_int_eq(p.fragmented, DV_FRAG_REASSEMBLE);
	dv_plan_free(&p);
	/* the other resolver behaviour, one option away */
	ok(&p, ARGV("--scenario", path, "--fragmented", "drop"));
	ck_assert_int_eq(p.fragmented, DV_FRAG_DROP);
	dv_plan_free(&p);

	snprintf(path, sizeof(path), "%s/scenarios/requery-timers.yaml", root);
	ok(&p, ARGV("--scenario", path));
	expect_timers(&p, TIMERS(0.375, 0.400, 1.0, 1.0));
	ck_assert(!p.impair.drop_first);
	ck_assert_double_eq(p.impair.drop_fraction, 0.5);
	ck_assert_str_ne(p.seq.qname_pattern, "");
	dv_plan_free(&p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("seqspec");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults_are_v0);
	tcase_add_test(tc, requery_lists);
	tcase_add_test(tc, requery_profiles);
	tcase_add_test(tc, requery_and_attempts_errors);
	tcase_add_test(tc, family_values);
	tcase_add_test(tc, family_needs_targets);
	tcase_add_test(tc, embedded_default_targets);
	tcase_add_test(tc, retry_change_and_ladder);
	tcase_add_test(tc, edns_specs);
	tcase_add_test(tc, do_fraction);
	tcase_add_test(tc, qname_and_qtypes);
	tcase_add_test(tc, qname_or_queries_override);
	tcase_add_test(tc, responder_impairments);
	tcase_add_test(tc, responder_fragments);
	tcase_add_test(tc, responder_tcp);
	tcase_add_test(tc, fragment_settings);
	tcase_add_test(tc, weighted_parser);
	tcase_add_test(tc, scenario_keys_equal_options);
	tcase_add_test(tc, scenario_errors_name_file_and_line);
	tcase_add_test(tc, shipped_scenarios);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
