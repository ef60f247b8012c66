/* Scenario files and port profiles: flat YAML with file:line errors. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/parse.h"
#include "config/profile.h"
#include "config/scenario.h"
#include "core/log.h"

#ifndef DV_TEST_DATA
#error "DV_TEST_DATA must name tests/data"
#endif
#define DATA DV_TEST_DATA "/config/"

static char msg[512];
static char drivers[PATH_MAX];

static void setup(void)
{
	dv_log_capture(msg, sizeof(msg));
	const char *root = getenv("DV_SOURCE_ROOT");
	/* tests/data/.. /.. is the source root when the env var is missing */
	snprintf(drivers, sizeof(drivers), "%s/drivers-config",
		 root != NULL ? root : DV_TEST_DATA "/../..");
}

static void teardown(void)
{
	dv_log_capture(NULL, 0);
}

/** Load a scenario string as "x.yaml" over default settings. */
static int scn(const char *text, struct dv_plan *p)
{
	dv_plan_defaults(p);
	return dv_scenario_load_mem("x.yaml", text, strlen(text), p);
}

static void expect_scn_error(const char *text, const char *want)
{
	struct dv_plan p;
	ck_assert_int_eq(scn(text, &p), -EINVAL);
	ck_assert_str_eq(msg, want);
}

START_TEST(defaults)
{
	struct dv_plan p;
	dv_plan_defaults(&p);
	ck_assert_uint_eq(p.dport, 53);
	ck_assert_double_eq(p.qps, 1000.0);
	ck_assert_double_eq(p.duration_s, 10.0);
	ck_assert_double_eq(p.timeout_s, 1.0);
	ck_assert_int_eq(p.edns_size, 1232);
	ck_assert_double_eq(p.stats_interval_s, 1.0);
	ck_assert_uint_eq(p.burst, 32);
	ck_assert_uint_eq(p.sport_base, 10000);
	ck_assert_str_eq(p.port[0].spec, "embedded");
	ck_assert_int_eq(p.poll, DV_POLL_FRUGAL);
	ck_assert_int_eq(p.roles, DV_ROLES_COMBINED);
	ck_assert_int_eq(p.target[0].family, 0);
	ck_assert(!p.dnssec_ok);
	ck_assert_uint_gt(strlen(p.drivers_dir), 0);
	ck_assert_uint_eq(p.generators, 1);
	ck_assert_uint_eq(p.collectors, 1);
	ck_assert_uint_eq(p.n_lcore_cpu, 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_FIXED);
	ck_assert_double_eq(p.search.resolution_pct, 1.0);
	ck_assert_uint_eq(p.search.repeats, 0);
	ck_assert_double_eq(p.plot_interval_s, 0.5);
	ck_assert_str_eq(p.plot_path, "");
	ck_assert_uint_eq(p.sport_high, 0);
	ck_assert(!p.hugepages);
}
END_TEST

START_TEST(good_file_sets_everything)
{
	struct dv_plan p;
	dv_plan_defaults(&p);
	ck_assert_int_eq(dv_scenario_load(DATA "good.yaml", &p), 0);
	ck_assert_str_eq(msg, "");
	char b[INET6_ADDRSTRLEN];
	ck_assert_str_eq(p.port[0].spec, "af_xdp:lo");
	ck_assert_str_eq(dv_addr_str(&p.target[DV_FAMILY_V4], b, sizeof(b)), "198.18.2.53");
	ck_assert_str_eq(dv_addr_str(&p.target[DV_FAMILY_V6], b, sizeof(b)), "2001:2::53");
	ck_assert_uint_eq(p.dport, 5353);
	ck_assert_str_eq(dv_addr_str(&p.src[DV_FAMILY_V4], b, sizeof(b)), "198.18.2.1");
	ck_assert_uint_eq(p.src_prefix[DV_FAMILY_V4], 24);
	ck_assert_int_eq(p.src[DV_FAMILY_V6].family, 0);
	/* relative to the scenario's directory */
	ck_assert_str_eq(p.query_file, DATA "q-good.txt");
	ck_assert_double_eq(p.qps, 1500.0);
	ck_assert_double_eq_tol(p.duration_s, 0.375, 1e-12);
	ck_assert_double_eq(p.timeout_s, 0.5);
	ck_assert_uint_eq(p.max_queries, 1000000);
	ck_assert_int_eq(p.edns_size, 4096);
	ck_assert(p.dnssec_ok);
	ck_assert_double_eq(p.stats_interval_s, 0.0);
	ck_assert_str_eq(p.json_path, "out.json"); /* relative to cwd, untouched */
	ck_assert_str_eq(p.eal_extra, "--no-huge -m 256");
	ck_assert(p.hugepages);
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	ck_assert(p.dst_mac_set);
	ck_assert_mem_eq(p.dst_mac, mac, 6);
	ck_assert_uint_eq(p.burst, 64);
	ck_assert_uint_eq(p.sport_base, 20000);
	ck_assert_uint_eq(p.sport_high, 30000);
	ck_assert_int_eq(p.roles, DV_ROLES_SPLIT);
	ck_assert_int_eq(p.poll, DV_POLL_BUSY);
	ck_assert_double_eq(p.search.loss_pct, 0.5);
	ck_assert_double_eq(p.search.trial_s, 3.0);
	ck_assert_uint_eq(p.search.repeats, 5);
	ck_assert_double_eq(p.search.resolution_pct, 2.0);
	ck_assert_str_eq(p.plot_path, "plot.dat"); /* relative to cwd, like json */
	ck_assert_double_eq(p.plot_interval_s, 0.25);
	ck_assert_uint_eq(p.generators, 2);
	ck_assert_uint_eq(p.n_lcore_cpu, 3);
	ck_assert_uint_eq(p.lcore_cpu[0], 0);
	ck_assert_uint_eq(p.lcore_cpu[1], 1);
	ck_assert_uint_eq(p.lcore_cpu[2], 0);
	ck_assert_int_eq(dv_settings_finish(&p), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_SEARCH);
	ck_assert_double_eq(p.search.max_qps, 1500.0);
	ck_assert_str_eq(p.scenario_file, DATA "good.yaml");
}
END_TEST

START_TEST(shipped_scenarios_load)
{
	char path[2 * PATH_MAX];
	const char *root = getenv("DV_SOURCE_ROOT");
	ck_assert_ptr_nonnull(root);
	struct dv_plan p;

	snprintf(path, sizeof(path), "%s/scenarios/quickstart.yaml", root);
	dv_plan_defaults(&p);
	ck_assert_int_eq(dv_scenario_load(path, &p), 0);
	ck_assert_str_eq(p.port[0].spec, "embedded");
	ck_assert_double_eq(p.qps, 20000.0);
	ck_assert_double_eq(p.duration_s, 5.0);
	ck_assert_int_eq(p.edns_size, 1232);
	char want[2 * PATH_MAX];
	snprintf(want, sizeof(want), "%s/scenarios/queries/quickstart.txt", root);
	ck_assert_str_eq(p.query_file, want);

	snprintf(path, sizeof(path), "%s/scenarios/nsd-lab.yaml", root);
	dv_plan_defaults(&p);
	ck_assert_int_eq(dv_scenario_load(path, &p), 0);
	ck_assert_str_eq(p.port[0].spec, "af_xdp:veth0");
	ck_assert_double_eq(p.qps, 20000.0);

	snprintf(path, sizeof(path), "%s/scenarios/ttl-mismatch.yaml", root);
	dv_plan_defaults(&p);
	ck_assert_int_eq(dv_scenario_load(path, &p), 0);
	ck_assert_str_eq(p.port[0].spec, "af_packet:dvg0");
	ck_assert_uint_eq(p.track_answers, 200);
	ck_assert_double_eq(p.stats_interval_s, 1.0);
	ck_assert_double_eq(p.qps, 100.0);

	/* a list of ports replaces the default one */
	dv_plan_defaults(&p);
	ck_assert_uint_eq(p.nports, 1);
	ck_assert_int_eq(dv_scenario_load_mem("x.yaml", "port: [af_xdp:a, af_xdp:b]\n", 26, &p), 0);
	ck_assert_uint_eq(p.nports, 2);
	ck_assert_str_eq(p.port[0].spec, "af_xdp:a");
	ck_assert_str_eq(p.port[1].spec, "af_xdp:b");
}
END_TEST

/* Every experiment in scenarios/ loads (docs/scenarios.md lists them all). */
START_TEST(every_scenario_loads)
{
	const char *root = getenv("DV_SOURCE_ROOT");
	char pattern[4096];
	glob_t g;
	struct dv_plan p;
	ck_assert_ptr_nonnull(root);
	snprintf(pattern, sizeof(pattern), "%s/scenarios/*.yaml", root);
	ck_assert_int_eq(glob(pattern, 0, NULL, &g), 0);
	ck_assert_uint_ge(g.gl_pathc, 10);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		dv_plan_defaults(&p);
		ck_assert_msg(dv_scenario_load(g.gl_pathv[i], &p) == 0, "%s does not load", g.gl_pathv[i]);
		dv_plan_free(&p);
	}
	globfree(&g);
}
END_TEST

START_TEST(unknown_key_line)
{
	struct dv_plan p;
	dv_plan_defaults(&p);
	ck_assert_int_eq(dv_scenario_load(DATA "unknown-key.yaml", &p), -EINVAL);
	ck_assert_str_eq(msg, DATA "unknown-key.yaml:12: unknown key 'rat'");
	expect_scn_error("rate: 5\n\n# c\nrat: 3\n", "x.yaml:4: unknown key 'rat'");
}
END_TEST

START_TEST(bad_values)
{
	expect_scn_error("a: 1\n", "x.yaml:1: unknown key 'a'");
	expect_scn_error("track-answers: often\n",
			 "x.yaml:1: track-answers: 'often' is not true, false, or answers per second 0..100000");
	expect_scn_error("duration: 1\n\nrate: abc\n", "x.yaml:3: rate: 'abc' is not a rate");
	expect_scn_error("rate: -5\n", "x.yaml:1: rate: '-5' is not a rate");
	expect_scn_error("duration: 0\n", "x.yaml:1: duration: '0' is not a duration in seconds");
	expect_scn_error("timeout: 1h\n", "x.yaml:1: timeout: '1h' is not a timeout in seconds");
	expect_scn_error("dns-port: 0\n", "x.yaml:1: dns-port: '0' is not a port number (1..65535)");
	expect_scn_error("target: 1.2.3\n", "x.yaml:1: target: '1.2.3' is not an IPv4 or IPv6 address");
	expect_scn_error("edns: 65536\n",
			 "x.yaml:1: edns: '65536' is not an EDNS buffer size (0 = no EDNS, or 1..65535)");
	expect_scn_error("dnssec-ok: maybe\n",
			 "x.yaml:1: dnssec-ok: 'maybe' is not a boolean (true or false)");
	expect_scn_error("burst: 513\n", "x.yaml:1: burst: '513' is not a burst size in 1..512");
	expect_scn_error("burst: 0\n", "x.yaml:1: burst: '0' is not a burst size in 1..512");
	expect_scn_error("sport-base: 65520\n",
			 "x.yaml:1: sport-base: '65520' is not a source port in 1024..65519");
	expect_scn_error("sport-base: 1023\n",
			 "x.yaml:1: sport-base: '1023' is not a source port in 1024..65519");
	expect_scn_error("roles: both\n", "x.yaml:1: roles: 'both' is not combined or split");
	expect_scn_error("poll: lazy\n", "x.yaml:1: poll: 'lazy' is not frugal or busy");
	expect_scn_error("dst-mac: 1:2:3:4:5:6\n",
			 "x.yaml:1: dst-mac: '1:2:3:4:5:6' is not a MAC address (aa:bb:cc:dd:ee:ff)");
	expect_scn_error("max-queries: 1e6\n",
			 "x.yaml:1: max-queries: '1e6' is not a number of queries");
	expect_scn_error("stats-interval: -1\n",
			 "x.yaml:1: stats-interval: '-1' is not an interval in seconds (0 = off)");
	expect_scn_error("queries: \"\"\n", "x.yaml:1: queries: empty value");
	expect_scn_error("rate:\n", "x.yaml:1: rate: missing value");
	expect_scn_error("rate: ~\n", "x.yaml:1: rate: missing value");
	expect_scn_error("rate: \"a\\nb\"\n", "x.yaml:1: rate: 'a\\x0ab' is not a rate");
	/* issue 5 */
	expect_scn_error("generators: 9\n",
			 "x.yaml:1: generators: '9' is not a number of generators in 1..8");
	expect_scn_error("collectors: 9\n",
			 "x.yaml:1: collectors: '9' is not a number of collectors in 1..8");
	expect_scn_error("lcores: [1, x]\n",
			 "x.yaml:1: lcores: 'x' in '1,x' is not a CPU number in 0..1023");
	expect_scn_error("sport: 1-2\n", "x.yaml:1: sport: '1-2' is not a source port range "
			 "LOW-HIGH, 1024 <= LOW <= HIGH <= 65535");
	expect_scn_error("max: maybe\n", "x.yaml:1: max: 'maybe' is not a boolean (true or false)");
	expect_scn_error("ramp: [0, 1k, 1s]\n",
			 "x.yaml:1: ramp: expected a single value, not a list");
	expect_scn_error("rate: 5\n\nramp: 0:1k\n",
			 "x.yaml:3: ramp: '0:1k' is not a ramp FROM:TO:DURATION, e.g. 0:50k:60s");
	expect_scn_error("search: 1%:2s:99\n",
			 "x.yaml:1: search: '99' in '1%:2s:99' is not a number of repeats in 1..15");
	expect_scn_error("search-resolution: 0\n",
			 "x.yaml:1: search-resolution: '0' is not a percentage in 0.01..50");
	expect_scn_error("plot: \"\"\n", "x.yaml:1: plot: empty value");
	expect_scn_error("plot-interval: 0\n",
			 "x.yaml:1: plot-interval: '0' is not an interval in seconds above 0, e.g. 0.5");
	expect_scn_error("source: 198.18.0.0/33\n", "x.yaml:1: source: '198.18.0.0/33' is not an "
			 "IPv4 range ADDR/PREFIX with PREFIX in 8..32");
}
END_TEST

START_TEST(structure_errors)
{
	expect_scn_error("rate: 1\nduration: 2\nrate: 2\n",
			 "x.yaml:3: duplicate key 'rate' (first on line 1)");
	expect_scn_error("rate: [1, 2]\n", "x.yaml:1: rate: expected a single value, not a list");
	expect_scn_error("rate:\n  k: 1\n", "x.yaml:2: rate: expected a value, not a mapping");
	expect_scn_error("target:\n  - [1.2.3.4]\n",
			 "x.yaml:2: target: list items must be plain values");
	expect_scn_error("target: []\n", "x.yaml:1: target: empty list");
	expect_scn_error("- rate\n- 5\n", "x.yaml:1: expected 'key: value' lines");
	expect_scn_error("just text\n", "x.yaml:1: expected 'key: value' lines");
	expect_scn_error("rate: 5\n---\nrate: 6\n", "x.yaml:2: only one YAML document is allowed");
	expect_scn_error("rate: &r 5\nduration: *r\n", "x.yaml:2: YAML aliases are not supported");
	expect_scn_error("? [a, b]\n: 1\n", "x.yaml:1: keys must be plain words");
	expect_scn_error("rate: \"\\0\"\n", "x.yaml:1: NUL byte in value");
}
END_TEST

START_TEST(syntax_errors_have_lines)
{
	/* mis-indented line: the syntax error wins over the odd value above it */
	expect_scn_error("rate: 1000\nduration: 5\n  timeout: 1\nedns: 0\n",
			 "x.yaml:3: YAML syntax error: mapping values are not allowed in this context");
	expect_scn_error("rate: 1000\nduration: 5\ntarget: [1.2.3.4\nedns: 0\n",
			 "x.yaml:4: YAML syntax error: did not find expected ',' or ']' "
			 "(while parsing a flow sequence on line 3)");
	expect_scn_error("rate: 1\ntarget: \"1.2.3.4\ntimeout: 1\n",
			 "x.yaml:4: YAML syntax error: found unexpected end of stream "
			 "(while scanning a quoted scalar on line 2)");
	expect_scn_error("rate: 1\n\x01: 2\n",
			 "x.yaml:2: YAML syntax error: control characters are not allowed");
}
END_TEST

START_TEST(empty_scenarios_are_fine)
{
	struct dv_plan p;
	ck_assert_int_eq(scn("", &p), 0);
	ck_assert_int_eq(scn("# nothing\n", &p), 0);
	ck_assert_int_eq(scn("---\n", &p), 0);
	ck_assert_double_eq(p.qps, 1000.0);
}
END_TEST

START_TEST(addresses_one_per_family)
{
	struct dv_plan p;
	char b[INET6_ADDRSTRLEN];
	expect_scn_error("target: [198.18.2.1, 198.18.2.2]\n",
			 "x.yaml:1: target: more than one IPv4 target (at most one IPv4 and one IPv6)");
	expect_scn_error("source:\n  - ::1\n  - 2001:2::1\n",
			 "x.yaml:3: source: more than one IPv6 source (at most one IPv4 and one IPv6)");
	ck_assert_int_eq(scn("target: ::1\n", &p), 0);
	ck_assert_int_eq(p.target[DV_FAMILY_V4].family, 0);
	ck_assert_str_eq(dv_addr_str(&p.target[DV_FAMILY_V6], b, sizeof(b)), "::1");

	/* a scenario's target replaces what the plan had */
	dv_plan_defaults(&p);
	ck_assert_int_eq(dv_setting_set(&p, "target", "198.18.2.9", "-s"), 0);
	ck_assert_int_eq(dv_scenario_load_mem("x.yaml", "target: ::1\n", 12, &p), 0);
	ck_assert_int_eq(p.target[DV_FAMILY_V4].family, 0);
	ck_assert_int_eq(p.target[DV_FAMILY_V6].family, AF_INET6);
}
END_TEST

START_TEST(new_keys)
{
	struct dv_plan p;
	ck_assert_int_eq(scn("lcores: 2,3\nmax: yes\n", &p), 0);
	ck_assert_uint_eq(p.n_lcore_cpu, 2);
	ck_assert_uint_eq(p.lcore_cpu[1], 3);
	ck_assert_int_eq(p.rate_mode, DV_RATE_MAX); /* recorded; finished below */
	ck_assert_int_eq(dv_settings_finish(&p), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_MAX);
	ck_assert_double_eq(p.qps, 0.0);
	ck_assert_int_eq(scn("max: true\nmax: false\n", &p), -EINVAL); /* duplicate key */
	ck_assert_int_eq(scn("max: off\n", &p), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_FIXED);

	ck_assert_int_eq(scn("ramp: 100:2k:30s\nduration: 5\n", &p), 0);
	ck_assert_double_eq(p.ramp.from_qps, 100.0);
	ck_assert_double_eq(p.ramp.to_qps, 2000.0);
	ck_assert_double_eq(p.ramp.duration_s, 30.0);
	ck_assert_double_eq(p.duration_s, 5.0); /* until finished */
	ck_assert_int_eq(dv_settings_finish(&p), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_RAMP);
	ck_assert_double_eq(p.duration_s, 30.0);
	ck_assert_double_eq(p.qps, 2000.0);
	ck_assert_int_eq(dv_settings_finish(&p), 0); /* idempotent */
	ck_assert_int_eq(p.rate_mode, DV_RATE_RAMP);

	/* addresses and ranges; a list replaces the prefixes too */
	ck_assert_int_eq(scn("source: [198.18.0.0/16, 2001:2::/64]\n", &p), 0);
	ck_assert_uint_eq(p.src_prefix[DV_FAMILY_V4], 16);
	ck_assert_uint_eq(p.src_prefix[DV_FAMILY_V6], 64);
	ck_assert_int_eq(dv_scenario_load_mem("y.yaml", "source: 2001:db8::1\n", 20, &p), 0);
	ck_assert_int_eq(p.src[DV_FAMILY_V4].family, 0);
	ck_assert_uint_eq(p.src_prefix[DV_FAMILY_V4], 0);
	ck_assert_uint_eq(p.src_prefix[DV_FAMILY_V6], 0);

	/* conflicts are found once every setting is in */
	ck_assert_int_eq(scn("ramp: 0:1k:1s\nsearch: 1%\n", &p), 0);
	ck_assert_int_eq(dv_settings_finish(&p), -EINVAL);
	ck_assert_str_eq(msg, "--ramp: conflicts with --search");
	ck_assert_int_eq(scn("rate: 0\nramp: 0:1k:1s\n", &p), 0);
	ck_assert_int_eq(dv_settings_finish(&p), -EINVAL);
	ck_assert_str_eq(msg, "-Q 0: conflicts with --ramp");
	ck_assert_int_eq(scn("sport: 20000-20010\nsport-base: 20011\n", &p), 0);
	ck_assert_int_eq(dv_settings_finish(&p), -EINVAL);
	ck_assert_str_eq(msg, "--sport-base 20011: above the end of the --sport range (20010)");
	ck_assert_int_eq(scn("sport: 20000-20010\nsport-base: 20010\n", &p), 0);
	ck_assert_int_eq(dv_settings_finish(&p), 0);
}
END_TEST

START_TEST(rate_forget)
{
	struct dv_plan p;
	/* -Q alone: --max and --ramp go, a search stays (-Q is its bound) */
	ck_assert_int_eq(scn("max: true\nramp: 0:1k:1s\nsearch: 1%\nsearch-resolution: 3\n", &p), 0);
	dv_rate_forget(&p, false);
	ck_assert_int_eq(p.rate_mode, DV_RATE_FIXED);
	ck_assert_double_eq(p.ramp.to_qps, 0.0);
	ck_assert_uint_eq(p.search.repeats, 3);
	/* a mode: all three go, and rate 0; the resolution stays */
	ck_assert_int_eq(scn("rate: 0\nsearch: 1%\nsearch-resolution: 3\n", &p), 0);
	dv_rate_forget(&p, true);
	ck_assert_uint_eq(p.search.repeats, 0);
	ck_assert_double_eq(p.search.resolution_pct, 3.0);
	ck_assert_double_eq(p.qps, 1000.0);
	ck_assert_int_eq(dv_settings_finish(&p), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_FIXED);
}
END_TEST

START_TEST(relative_queries_path)
{
	struct dv_plan p;
	dv_plan_defaults(&p);
	const char *t = "queries: q.txt\n";
	ck_assert_int_eq(dv_scenario_load_mem("a/b/s.yaml", t, strlen(t), &p), 0);
	ck_assert_str_eq(p.query_file, "a/b/q.txt");
	t = "queries: /abs/q.txt\n";
	ck_assert_int_eq(dv_scenario_load_mem("a/b/s.yaml", t, strlen(t), &p), 0);
	ck_assert_str_eq(p.query_file, "/abs/q.txt");
	t = "queries: q.txt\n";
	ck_assert_int_eq(dv_scenario_load_mem("s.yaml", t, strlen(t), &p), 0);
	ck_assert_str_eq(p.query_file, "q.txt");
}
END_TEST

START_TEST(missing_file)
{
	struct dv_plan p;
	dv_plan_defaults(&p);
	ck_assert_int_eq(dv_scenario_load(DATA "nope.yaml", &p), -ENOENT);
	ck_assert_str_eq(msg, DATA "nope.yaml: No such file or directory");
}
END_TEST

START_TEST(setting_table)
{
	struct dv_plan p;
	dv_plan_defaults(&p);
	ck_assert_int_eq(dv_setting_set(&p, "rate", "2k", "-Q"), 0);
	ck_assert_double_eq(p.qps, 2000.0);
	ck_assert_int_eq(dv_setting_set(&p, "rate", "x", "-Q"), -EINVAL);
	ck_assert_str_eq(msg, "-Q: 'x' is not a rate");
	ck_assert_int_eq(dv_setting_set(&p, "nope", "1", "--nope"), -ENOENT);
	ck_assert_int_eq(dv_setting_set(&p, "description", "anything at all", "x"), 0);
}
END_TEST

/* Port profiles */

static void expect_prof_error(const char *text, const char *want)
{
	struct dv_port_profile pr;
	ck_assert_int_eq(dv_profile_load_mem("p.yaml", "p", text, strlen(text), &pr), -EINVAL);
	ck_assert_str_eq(msg, want);
}

START_TEST(shipped_profiles)
{
	char path[2 * PATH_MAX];
	struct dv_port_profile pr;

	snprintf(path, sizeof(path), "%s/af_xdp.yaml", drivers);
	ck_assert_int_eq(dv_profile_load(path, &pr), 0);
	ck_assert_str_eq(pr.name, "af_xdp");
	ck_assert_str_eq(pr.vdev, "net_af_xdp0,iface={arg},start_queue=0,queue_count={queues},"
				  "xdp_prog={xdp_prog}");
	ck_assert(dv_profile_uses_xdp_prog(&pr));
	ck_assert_str_eq(pr.arg_kind, "iface");
	/* No bpffs: dnsvolley's program pins nothing (engine/features/xdp.c). */
	ck_assert(pr.needs_arg && pr.needs_hugepages && !pr.needs_bpffs && pr.kernel_iface);
	ck_assert(!pr.embedded);
	/* queue pairs: as many RX as TX queues */
	ck_assert_uint_eq(pr.rx_queues, DV_MAX_COLLECTORS);
	ck_assert_uint_eq(pr.tx_queues, DV_MAX_GENERATORS);
	ck_assert(!pr.tx_csum_offload);
	struct dv_port_profile emb;
	char epath[2 * PATH_MAX];
	snprintf(epath, sizeof(epath), "%s/embedded.yaml", drivers);
	ck_assert_int_eq(dv_profile_load(epath, &emb), 0);
	ck_assert_uint_eq(emb.rx_queues, DV_MAX_COLLECTORS); /* one ring per collector */
	ck_assert_uint_eq(emb.tx_queues, DV_MAX_GENERATORS); /* and per generator */
	ck_assert_int_eq(pr.csum, DV_CSUM_SOFTWARE);
	char dev[256];
	/* {xdp_prog}: the program the build made (or the installed one). */
	char want[512];
	snprintf(want, sizeof(want), "net_af_xdp0,iface=veth0,start_queue=0,queue_count=2,xdp_prog=%s",
		 dv_profile_xdp_prog());
	ck_assert_int_eq(dv_profile_devargs(&pr, "veth0", 2, dev, sizeof(dev)), (int)strlen(want));
	ck_assert_str_eq(dev, want);
	ck_assert_ptr_nonnull(strstr(dev, "dns_filter.bpf.o"));
	/* The other placeholders, on the template without the program. */
	strcpy(pr.vdev, "net_af_xdp0,iface={arg},start_queue=0,queue_count={queues}");
	ck_assert(!dv_profile_uses_xdp_prog(&pr));
	ck_assert_int_eq(dv_profile_devargs(&pr, "veth0", 1, dev, sizeof(dev)), 51);
	ck_assert_str_eq(dev, "net_af_xdp0,iface=veth0,start_queue=0,queue_count=1");
	ck_assert_int_eq(dv_profile_devargs(&pr, "veth0", 12, dev, sizeof(dev)), 52);
	ck_assert_str_eq(dev, "net_af_xdp0,iface=veth0,start_queue=0,queue_count=12");
	ck_assert_int_eq(dv_profile_devargs(&pr, "veth0", 1, dev, 20), -ENOSPC);
	ck_assert_int_eq(dv_profile_devargs(&pr, "veth0", 1, dev, 51), -ENOSPC);
	ck_assert_int_eq(dv_profile_devargs(&pr, "veth0", 1, dev, 52), 51);
	ck_assert_int_eq(dv_profile_devargs(&pr, "veth0", 0, dev, sizeof(dev)), -EINVAL);

	snprintf(path, sizeof(path), "%s/af_packet.yaml", drivers);
	ck_assert_int_eq(dv_profile_load(path, &pr), 0);
	ck_assert_str_eq(pr.vdev, "net_af_packet0,iface={arg},qpairs={queues}");
	ck_assert(pr.kernel_iface && !pr.needs_bpffs);
	ck_assert_uint_eq(pr.rx_queues, 8);
	ck_assert_uint_eq(pr.tx_queues, 8);
	ck_assert(!pr.tx_csum_offload);
	ck_assert_int_eq(dv_profile_devargs(&pr, "eth0", 3, dev, sizeof(dev)), 34);
	ck_assert_str_eq(dev, "net_af_packet0,iface=eth0,qpairs=3");
	ck_assert_uint_eq(pr.kernel_reassembles, 1u << DV_FAMILY_V4); /* the fanout defragments IPv4 */

	snprintf(path, sizeof(path), "%s/tap.yaml", drivers);
	ck_assert_int_eq(dv_profile_load(path, &pr), 0);
	ck_assert_str_eq(pr.default_arg, "dvtap0");
	ck_assert(!pr.kernel_iface);
	ck_assert(pr.arp_nd); /* no kernel answers ARP/ND on our side of a tap */
	ck_assert_uint_eq(pr.rx_queues, 8);
	ck_assert_uint_eq(pr.tx_queues, 8);
	ck_assert_int_eq(pr.rx_steering, DV_STEER_KERNEL);
	ck_assert_double_eq(pr.max_qps, 2e6);
	ck_assert(pr.tx_csum_offload); /* net_tap offers IPv4/UDP TX checksum offload */
	ck_assert_int_eq(pr.csum, DV_CSUM_SOFTWARE); /* the old key, unchanged */

	snprintf(path, sizeof(path), "%s/embedded.yaml", drivers);
	ck_assert_int_eq(dv_profile_load(path, &pr), 0);
	ck_assert(pr.embedded && !pr.needs_arg);
	ck_assert_str_eq(pr.vdev, "");
	ck_assert_int_eq(dv_profile_devargs(&pr, "", 4, dev, sizeof(dev)), 0);
	ck_assert_str_eq(dev, "");

	snprintf(path, sizeof(path), "%s/null.yaml", drivers);
	ck_assert_int_eq(dv_profile_load(path, &pr), 0);
	ck_assert_str_eq(pr.name, "null");
	ck_assert_str_eq(pr.vdev, "net_null0,no-rx=1");
	ck_assert(!pr.needs_arg);
	ck_assert_uint_eq(pr.rx_queues, 1);
	ck_assert_uint_eq(pr.tx_queues, 8);
	ck_assert(!pr.tx_csum_offload);

	/* NICs DPDK owns: PCI devices with the binding they need, ARP/ND of our own. */
	static const char *const nics[] = { "mlx5", "ice", "i40e", "ixgbe", "virtio" };
	for (size_t i = 0; i < sizeof(nics) / sizeof(nics[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.yaml", drivers, nics[i]);
		ck_assert_int_eq(dv_profile_load(path, &pr), 0);
		ck_assert_str_eq(pr.arg_kind, "pci");
		ck_assert_str_eq(pr.vdev, "");
		ck_assert(pr.arp_nd && pr.needs_hugepages && !pr.kernel_iface);
		ck_assert_str_eq(pr.kernel_driver, i == 0 ? "mlx5_core" : "vfio-pci");
		ck_assert(pr.rss_hash & DV_RSS_IPV4); /* addresses only, whatever else */
	}
	snprintf(path, sizeof(path), "%s/memif.yaml", drivers);
	ck_assert_int_eq(dv_profile_load(path, &pr), 0);
	ck_assert_str_eq(pr.arg_kind, "path");
	ck_assert_int_eq(pr.rx_steering, DV_STEER_KERNEL);

	char known[256];
	ck_assert_int_eq(dv_profile_list(drivers, known, sizeof(known)), 11);
	ck_assert_str_eq(known, "af_packet, af_xdp, embedded, i40e, ice, ixgbe, memif, mlx5, null, tap, "
				"virtio");

	/* --list-ports prints each one with what it needs. */
	char *out = NULL;
	size_t olen = 0;
	FILE *f = open_memstream(&out, &olen);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(dv_profile_print_all(drivers, f), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "  ice:PCI "));
	ck_assert_ptr_nonnull(strstr(out, "the device bound to mlx5_core"));
	ck_assert_ptr_nonnull(strstr(out, "  tap[:IFACE] "));
	ck_assert_ptr_nonnull(strstr(out, "af_xdp:IFACE"));
	ck_assert_ptr_nonnull(strstr(out, "needs root, hugepages;"));
	free(out);
}
END_TEST

START_TEST(profile_errors)
{
	expect_prof_error("name: p\nvdev: net_null0\narg: none\nvdevx: 1\n",
			  "p.yaml:4: unknown key 'vdevx'");
	expect_prof_error("name: q\nvdev: x\n",
			  "p.yaml:1: name: 'q' does not match the file name 'p.yaml'");
	expect_prof_error("vdev: x\narg: ifname\n",
			  "p.yaml:2: arg: 'ifname' is not iface, pci, path or none");
	expect_prof_error("vdev: x\nneeds: [hugepages, root]\n",
			  "p.yaml:2: needs: 'root' is not a known requirement (hugepages, bpffs)");
	expect_prof_error("vdev: x\nchecksum: hardware\n",
			  "p.yaml:2: checksum: 'hardware' is not software or offload");
	expect_prof_error("vdev: x\nrx-queues: 9\n",
			  "p.yaml:2: rx-queues: '9' is not a number of RX queues in 1..8");
	expect_prof_error("vdev: x\ntx-queues: 9\n",
			  "p.yaml:2: tx-queues: '9' is not a number of TX queues in 1..8");
	expect_prof_error("vdev: x\ntx-queues: 0\n",
			  "p.yaml:2: tx-queues: '0' is not a number of TX queues in 1..8");
	expect_prof_error("vdev: x\ntx-checksum-offload: sometimes\n",
			  "p.yaml:2: tx-checksum-offload: 'sometimes' is not a boolean (true or false)");
	expect_prof_error("vdev: x\ntx-checksum-offload: [true]\n",
			  "p.yaml:2: tx-checksum-offload: expected a single value, not a list");
	expect_prof_error("vdev: x\ntx-from-rx-pool: often\n",
			  "p.yaml:2: tx-from-rx-pool: 'often' is not a boolean (true or false)");
	expect_prof_error("vdev: x\nkernel-iface: sure\n",
			  "p.yaml:2: kernel-iface: 'sure' is not a boolean (true or false)");
	expect_prof_error("vdev: x\nrx-desc: 8\n",
			  "p.yaml:2: rx-desc: '8' is not a ring size in 32..16384");
	expect_prof_error("vdev: x\nvdev: y\n", "p.yaml:2: duplicate key 'vdev' (first on line 1)");
	expect_prof_error("vdev: x\nrss-hash: [ipv4, tcp]\n",
			  "p.yaml:2: rss-hash: 'tcp' is not an address hash (ipv4, frag-ipv4, ipv6, frag-ipv6)");
	expect_prof_error("vdev: x\nkernel-reassembles: ipv6\n",
			  "p.yaml:2: kernel-reassembles: 'ipv6' is not ipv4 or none");
	expect_prof_error("vdev: x\nrx-steering: rss\n",
			  "p.yaml:2: rx-steering: 'rss' is not address, kernel or none");
	expect_prof_error("vdev: x\nmax-qps: 10\n",
			  "p.yaml:2: max-qps: '10' is not a rate in 1000..1000000000 queries per second");
	expect_prof_error("vdev: x\narp-nd: maybe\n",
			  "p.yaml:2: arp-nd: 'maybe' is not a boolean (true or false)");
	expect_prof_error("vdev: x\npci-devargs: a=1\n",
			  "p.yaml: pci-devargs and kernel-driver are for pci profiles (arg: pci)");
	expect_prof_error("arg: pci\npci-devargs: \"0000:01:00.0,a=1\"\n",
			  "p.yaml:2: pci-devargs: '0000:01:00.0,a=1' is not driver options like "
			  "key=value,key=value");
	expect_prof_error("arg: pci\nkernel-driver: vfio pci\n",
			  "p.yaml:2: kernel-driver: 'vfio pci' is not a kernel driver name like vfio-pci");
	expect_prof_error("arg: pci\nvdev: net_x0\n",
			  "p.yaml:2: a pci profile has no vdev (the device is on the PCI bus)");
	expect_prof_error("arg: none\n",
			  "p.yaml: missing key 'vdev' (only pci and embedded profiles go without)");
	expect_prof_error("vdev: \"x,iface={arg}\"\narg: none\n",
			  "p.yaml:1: vdev uses {arg} but the profile has no 'arg'");
	expect_prof_error("vdev: \"x,iface=eth0\"\narg: iface\n",
			  "p.yaml:1: vdev: 'arg' is iface but the template has no {arg}");
	expect_prof_error("vdev: \"x,iface={iface}\"\narg: iface\n",
			  "p.yaml:1: vdev: only the placeholders {arg}, {queues} and {xdp_prog} are known");
	expect_prof_error("vdev: \"x,q={queue}\"\narg: none\n",
			  "p.yaml:1: vdev: only the placeholders {arg}, {queues} and {xdp_prog} are known");
	expect_prof_error("vdev: \"x,q={queues\"\narg: none\n",
			  "p.yaml:1: vdev: only the placeholders {arg}, {queues} and {xdp_prog} are known");
	expect_prof_error("vdev: \"x,iface={arg}\"\narg: iface\ndefault-arg: \"a,b\"\n",
			  "p.yaml:3: default-arg: ',' and '=' are not allowed");
	expect_prof_error("embedded: true\nvdev: x\n",
			  "p.yaml: an embedded profile has no vdev and no arg");
	expect_prof_error("needs: {a: 1}\n", "p.yaml:1: needs: expected a value, not a mapping");
}
END_TEST

START_TEST(profile_defaults_and_queues)
{
	struct dv_port_profile pr;
	const char *t = "vdev: \"net_x0,qpairs={queues},n={queues}\"\narg: none\n";
	ck_assert_int_eq(dv_profile_load_mem("p.yaml", "p", t, strlen(t), &pr), 0);
	ck_assert_uint_eq(pr.rx_queues, 1);
	ck_assert_uint_eq(pr.tx_queues, 1);
	ck_assert(!pr.tx_csum_offload);
	ck_assert_int_eq(pr.csum, DV_CSUM_SOFTWARE);
	char dev[64];
	ck_assert_int_eq(dv_profile_devargs(&pr, NULL, 8, dev, sizeof(dev)), 19);
	ck_assert_str_eq(dev, "net_x0,qpairs=8,n=8");
	t = "vdev: x\narg: none\ntx-queues: 8\nrx-queues: 2\ntx-checksum-offload: yes\n"
	    "checksum: offload\n";
	ck_assert_int_eq(dv_profile_load_mem("p.yaml", "p", t, strlen(t), &pr), 0);
	ck_assert_uint_eq(pr.tx_queues, 8);
	ck_assert_uint_eq(pr.rx_queues, 2);
	ck_assert(pr.tx_csum_offload);
	ck_assert_int_eq(pr.csum, DV_CSUM_OFFLOAD);
	ck_assert(!pr.tx_from_rx_pool);
	t = "vdev: x\ntx-from-rx-pool: true\n";
	ck_assert_int_eq(dv_profile_load_mem("p.yaml", "p", t, strlen(t), &pr), 0);
	ck_assert(pr.tx_from_rx_pool);
}
END_TEST

START_TEST(resolve_specs)
{
	struct dv_port_profile pr;
	char arg[96];

	ck_assert_int_eq(dv_profile_resolve("af_xdp:veth0", drivers, &pr, arg, sizeof(arg)), 0);
	ck_assert_str_eq(pr.name, "af_xdp");
	ck_assert_str_eq(arg, "veth0");
	ck_assert_int_eq(dv_profile_resolve("tap", drivers, &pr, arg, sizeof(arg)), 0);
	ck_assert_str_eq(arg, "dvtap0");
	ck_assert_int_eq(dv_profile_resolve("tap:mytap", drivers, &pr, arg, sizeof(arg)), 0);
	ck_assert_str_eq(arg, "mytap");
	ck_assert_int_eq(dv_profile_resolve("embedded", drivers, &pr, arg, sizeof(arg)), 0);
	ck_assert_str_eq(arg, "");
	ck_assert(pr.embedded);

	char want[PATH_MAX + 128];
	ck_assert_int_eq(dv_profile_resolve("foo", drivers, &pr, arg, sizeof(arg)), -EINVAL);
	snprintf(want, sizeof(want),
		 "--port: no profile 'foo' in %s (known: af_packet, af_xdp, embedded, i40e, ice, ixgbe, memif, mlx5, null, tap, virtio)",
		 drivers);
	ck_assert_str_eq(msg, want);

	ck_assert_int_eq(dv_profile_resolve("af_xdp", drivers, &pr, arg, sizeof(arg)), -EINVAL);
	ck_assert_str_eq(msg, "--port: profile 'af_xdp' needs an interface name: --port af_xdp:IFACE");
	ck_assert_int_eq(dv_profile_resolve("af_xdp:", drivers, &pr, arg, sizeof(arg)), -EINVAL);
	ck_assert_str_eq(msg, "--port: nothing after ':' in 'af_xdp:'");
	ck_assert_int_eq(dv_profile_resolve("af_xdp:eth0,force_copy=1", drivers, &pr, arg,
					    sizeof(arg)), -EINVAL);
	ck_assert_str_eq(msg, "--port: bad argument 'eth0,force_copy=1' for 'af_xdp': "
			      "',' and '=' are not allowed");
	ck_assert_int_eq(dv_profile_resolve("af_xdp:a=b", drivers, &pr, arg, sizeof(arg)), -EINVAL);
	ck_assert_int_eq(dv_profile_resolve("af_packet:averyveryverylongname", drivers, &pr, arg,
					    sizeof(arg)), -EINVAL);
	ck_assert_str_eq(msg, "--port: bad argument 'averyveryverylongname' for 'af_packet': "
			      "interface names have at most 15 bytes");
	ck_assert_int_eq(dv_profile_resolve("af_packet:eth/0", drivers, &pr, arg, sizeof(arg)),
			 -EINVAL);
	ck_assert_str_eq(msg, "--port: bad argument 'eth/0' for 'af_packet': "
			      "interface names use only A-Z a-z 0-9 _ . -");
	ck_assert_int_eq(dv_profile_resolve("null:x", drivers, &pr, arg, sizeof(arg)), -EINVAL);
	ck_assert_str_eq(msg, "--port: profile 'null' takes no argument");
	ck_assert_int_eq(dv_profile_resolve("../etc/passwd", drivers, &pr, arg, sizeof(arg)),
			 -EINVAL);
	ck_assert_str_eq(msg, "--port: bad profile name '../etc/passwd' (use [A-Za-z0-9_-])");
	ck_assert_int_eq(dv_profile_resolve("", drivers, &pr, arg, sizeof(arg)), -EINVAL);
	ck_assert_str_eq(msg, "--port: empty port spec (expected NAME[:ARG])");

	ck_assert_int_eq(dv_profile_resolve("null", "/nonexistent-dir", &pr, arg, sizeof(arg)),
			 -EINVAL);
	ck_assert_str_eq(msg, "--port: no profile 'null' in /nonexistent-dir "
			      "(No such file or directory)");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("scenario");
	TCase *tc = tcase_create("scenario");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, good_file_sets_everything);
	tcase_add_test(tc, shipped_scenarios_load);
	tcase_add_test(tc, every_scenario_loads);
	tcase_add_test(tc, unknown_key_line);
	tcase_add_test(tc, bad_values);
	tcase_add_test(tc, structure_errors);
	tcase_add_test(tc, syntax_errors_have_lines);
	tcase_add_test(tc, empty_scenarios_are_fine);
	tcase_add_test(tc, addresses_one_per_family);
	tcase_add_test(tc, new_keys);
	tcase_add_test(tc, rate_forget);
	tcase_add_test(tc, relative_queries_path);
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, setting_table);
	suite_add_tcase(s, tc);

	TCase *tp = tcase_create("profile");
	tcase_add_checked_fixture(tp, setup, teardown);
	tcase_add_test(tp, shipped_profiles);
	tcase_add_test(tp, profile_errors);
	tcase_add_test(tp, profile_defaults_and_queues);
	tcase_add_test(tp, resolve_specs);
	suite_add_tcase(s, tp);

	return dv_check_run(s);
}
