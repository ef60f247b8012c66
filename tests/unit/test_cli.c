/* Command line: defaults, scenario merge, overrides, cross-checks, errors. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dv_config.h"
#include "config/cli.h"
#include "config/parse.h"
#include "util/log.h"

#ifndef DV_TEST_DATA
#error "DV_TEST_DATA must name tests/data"
#endif
#define DATA DV_TEST_DATA "/config/"
#define QFILE DATA "q-good.txt"

static char msg[512];
static char quickstart[2 * PATH_MAX];
static char drivers[PATH_MAX];

static void setup(void)
{
	dv_log_capture(msg, sizeof(msg));
	const char *root = getenv("DV_SOURCE_ROOT");
	if (root == NULL)
		root = DV_TEST_DATA "/../..";
	snprintf(quickstart, sizeof(quickstart), "%s/scenarios/quickstart.yaml", root);
	snprintf(drivers, sizeof(drivers), "%s/drivers-config", root);
}

static void teardown(void)
{
	dv_log_capture(NULL, 0);
}

/* Build a NULL-terminated argv with argv[0] = "dnsvolley". */
#define ARGV(...) ((char *[]){ "dnsvolley", __VA_ARGS__, NULL })

static int parse(struct dv_plan *p, char **argv)
{
	int argc = 0;
	while (argv[argc] != NULL)
		argc++;
	return dv_cli_parse(argc, argv, p);
}

/** Expect a user error with exactly this message; the plan holds nothing. */
static void expect_error(char **argv, const char *want)
{
	struct dv_plan p;
	ck_assert_int_eq(parse(&p, argv), -EINVAL);
	ck_assert_str_eq(msg, want);
	ck_assert_ptr_null(p.queries.q);
	ck_assert_uint_eq(p.queries.n, 0);
}

START_TEST(defaults_with_query_file)
{
	struct dv_plan p;
	char **argv = ARGV("-d", QFILE);
	ck_assert_int_eq(parse(&p, argv), 0);
	ck_assert_str_eq(msg, "");
	ck_assert_uint_eq(p.queries.n, 8);
	ck_assert_str_eq(p.query_file, QFILE);
	ck_assert_uint_eq(p.dport, 53);
	ck_assert_double_eq(p.qps, 1000.0);
	ck_assert_double_eq(p.duration_s, 10.0);
	ck_assert_double_eq(p.timeout_s, 1.0);
	ck_assert_int_eq(p.edns_size, 1232);
	ck_assert(!p.dnssec_ok);
	ck_assert_double_eq(p.stats_interval_s, 1.0);
	ck_assert_uint_eq(p.burst, 32);
	ck_assert_uint_eq(p.sport_base, 10000);
	ck_assert_int_eq(p.roles, DV_ROLES_COMBINED);
	ck_assert_int_eq(p.poll, DV_POLL_FRUGAL);
	ck_assert(!p.quiet);
	ck_assert_str_eq(p.port_spec, "embedded");
	ck_assert(p.profile.embedded);
	ck_assert_str_eq(p.scenario_file, "");
	ck_assert_str_eq(p.json_path, "");
	ck_assert_double_eq(p.frag_timeout_s, 0.1);
	ck_assert_int_eq(p.fragmented, DV_FRAG_REASSEMBLE);
	ck_assert_uint_eq(p.collectors, 1);
	/* embedded and no -s: the benchmarking address */
	char b[INET6_ADDRSTRLEN];
	ck_assert_str_eq(dv_addr_str(&p.target[DV_FAMILY_V4], b, sizeof(b)), "198.18.0.53");
	ck_assert_int_eq(p.target[DV_FAMILY_V6].family, 0);
	ck_assert_int_eq(p.argc, 3);
	ck_assert_ptr_eq(p.argv, argv);
	ck_assert_str_eq(p.argv[1], "-d"); /* argv is not permuted */
	dv_plan_free(&p);
	ck_assert_ptr_null(p.queries.q);
}
END_TEST

START_TEST(every_option)
{
	struct dv_plan p;
	char **argv = ARGV("-s", "198.18.2.53", "-s", "2001:2::53", "-p", "5353", "-d", QFILE,
			   "-Q", "1.5M", "-l", "375ms", "-t", "0.25", "-e", "4096", "-D",
			   "-S", "0", "-q", "--port", "af_packet:lo", "--json", "out.json",
			   "--eal", "--no-huge -l 0-1", "--dst-mac", "02:00:00:00:00:01",
			   "--src", "198.18.2.1", "--src", "2001:2::1", "--max-queries", "5000",
			   "--burst", "512", "--sport-base", "65519", "--roles", "split",
			   "--busy-poll", "--drivers-dir", drivers, "--frag-timeout", "20ms",
			   "--fragmented", "drop", "--collectors", "1");
	ck_assert_int_eq(parse(&p, argv), 0);
	char b[INET6_ADDRSTRLEN];
	ck_assert_str_eq(dv_addr_str(&p.target[DV_FAMILY_V4], b, sizeof(b)), "198.18.2.53");
	ck_assert_str_eq(dv_addr_str(&p.target[DV_FAMILY_V6], b, sizeof(b)), "2001:2::53");
	ck_assert_str_eq(dv_addr_str(&p.src[DV_FAMILY_V4], b, sizeof(b)), "198.18.2.1");
	ck_assert_str_eq(dv_addr_str(&p.src[DV_FAMILY_V6], b, sizeof(b)), "2001:2::1");
	ck_assert_uint_eq(p.dport, 5353);
	ck_assert_double_eq(p.qps, 1.5e6);
	ck_assert_double_eq_tol(p.duration_s, 0.375, 1e-12);
	ck_assert_double_eq(p.timeout_s, 0.25);
	ck_assert_int_eq(p.edns_size, 4096);
	ck_assert(p.dnssec_ok);
	ck_assert_double_eq(p.stats_interval_s, 0.0);
	ck_assert(p.quiet);
	ck_assert_str_eq(p.port_spec, "af_packet:lo");
	ck_assert_str_eq(p.port_arg, "lo");
	ck_assert_str_eq(p.profile.name, "af_packet");
	ck_assert(p.profile.kernel_iface);
	ck_assert_str_eq(p.json_path, "out.json");
	ck_assert_str_eq(p.eal_extra, "--no-huge -l 0-1");
	ck_assert(p.dst_mac_set);
	ck_assert_uint_eq(p.dst_mac[5], 1);
	ck_assert_uint_eq(p.max_queries, 5000);
	ck_assert_uint_eq(p.burst, 512);
	ck_assert_uint_eq(p.sport_base, 65519);
	ck_assert_int_eq(p.roles, DV_ROLES_SPLIT);
	ck_assert_int_eq(p.poll, DV_POLL_BUSY);
	ck_assert_str_eq(p.drivers_dir, drivers);
	ck_assert_double_eq_tol(p.frag_timeout_s, 0.020, 1e-12);
	ck_assert_int_eq(p.fragmented, DV_FRAG_DROP);
	ck_assert_uint_eq(p.collectors, 1);
	dv_plan_free(&p);
}
END_TEST

START_TEST(long_spellings_of_letters)
{
	struct dv_plan p;
	ck_assert_int_eq(parse(&p, ARGV("--queries", QFILE, "--rate=20k", "--duration", "2s",
					"--timeout", "1", "--edns", "0", "--target", "::1",
					"--dns-port", "8053", "--stats-interval", "2",
					"--poll", "busy", "--source", "::2")), 0);
	ck_assert_double_eq(p.qps, 20000.0);
	ck_assert_int_eq(p.edns_size, 0);
	ck_assert_uint_eq(p.dport, 8053);
	ck_assert_int_eq(p.target[DV_FAMILY_V4].family, 0);
	ck_assert_int_eq(p.target[DV_FAMILY_V6].family, AF_INET6);
	ck_assert_int_eq(p.poll, DV_POLL_BUSY);
	dv_plan_free(&p);
}
END_TEST

START_TEST(scenario_then_overrides)
{
	struct dv_plan p;
	/* the scenario alone */
	ck_assert_int_eq(parse(&p, ARGV("--scenario", quickstart)), 0);
	ck_assert_double_eq(p.qps, 20000.0);
	ck_assert_double_eq(p.duration_s, 5.0);
	ck_assert_int_eq(p.edns_size, 1232);
	ck_assert_uint_gt(p.queries.n, 20);
	ck_assert_str_eq(p.scenario_file, quickstart);
	char b[INET6_ADDRSTRLEN];
	ck_assert_str_eq(dv_addr_str(&p.target[DV_FAMILY_V4], b, sizeof(b)), "198.18.0.53");
	dv_plan_free(&p);

	/* options override it, wherever they stand relative to --scenario */
	ck_assert_int_eq(parse(&p, ARGV("-Q", "50k", "--scenario", quickstart, "-l", "2",
					"-s", "::1", "-d", QFILE)), 0);
	ck_assert_double_eq(p.qps, 50000.0);
	ck_assert_double_eq(p.duration_s, 2.0);
	ck_assert_double_eq(p.timeout_s, 1.0);  /* from the scenario */
	ck_assert_int_eq(p.edns_size, 1232);    /* from the scenario */
	/* -s replaces the scenario's targets instead of adding to them */
	ck_assert_int_eq(p.target[DV_FAMILY_V4].family, 0);
	ck_assert_str_eq(dv_addr_str(&p.target[DV_FAMILY_V6], b, sizeof(b)), "::1");
	ck_assert_str_eq(p.query_file, QFILE);
	ck_assert_uint_eq(p.queries.n, 8);
	dv_plan_free(&p);
}
END_TEST

START_TEST(repeated_calls_reset_getopt)
{
	struct dv_plan p;
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "-Q", "7")), 0);
		ck_assert_double_eq(p.qps, 7.0);
		dv_plan_free(&p);
		expect_error(ARGV("-d", QFILE, "-Q", "x"), "-Q: 'x' is not a rate");
		/* an error in the middle of a letter group leaves getopt mid-word */
		expect_error(ARGV("-qx", "-d", QFILE), "unknown option '-x' (see --help)");
	}
}
END_TEST

START_TEST(do_bit_needs_edns)
{
	expect_error(ARGV("-d", QFILE, "-e", "0", "-D"), "-D: the DO bit needs EDNS (-e SIZE)");
	expect_error(ARGV("-d", QFILE, "-D", "-e", "0"), "-D: the DO bit needs EDNS (-e SIZE)");
	struct dv_plan p;
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "-D", "-e", "512")), 0);
	ck_assert(p.dnssec_ok);
	dv_plan_free(&p);
}
END_TEST

START_TEST(targets_one_per_family)
{
	expect_error(ARGV("-d", QFILE, "-s", "198.18.2.1", "-s", "198.18.2.2"),
		     "-s: more than one IPv4 target (at most one IPv4 and one IPv6)");
	expect_error(ARGV("-d", QFILE, "-s", "::1", "--target", "::2"),
		     "--target: more than one IPv6 target (at most one IPv4 and one IPv6)");
	expect_error(ARGV("-d", QFILE, "-s", "example.com"),
		     "-s: 'example.com' is not an IPv4 or IPv6 address");
	expect_error(ARGV("-d", QFILE, "--src", "::1", "--src", "::2"),
		     "--src: more than one IPv6 source (at most one IPv4 and one IPv6)");
	expect_error(ARGV("-d", QFILE, "-s", "198.18.2.1", "--src", "2001:2::1"),
		     "--src: 2001:2::1 is IPv6 but there is no IPv6 target");
}
END_TEST

START_TEST(option_errors)
{
	expect_error(ARGV("--foo"), "unknown option '--foo' (see --help)");
	expect_error(ARGV("--foo=bar"), "unknown option '--foo' (see --help)");
	expect_error(ARGV("-x"), "unknown option '-x' (see --help)");
	expect_error(ARGV("-d", QFILE, "--quiet=yes"), "--quiet: takes no value");
	expect_error(ARGV("-d", QFILE, "-Q"), "-Q: missing value");
	expect_error(ARGV("-d", QFILE, "--port"), "--port: missing value");
	expect_error(ARGV("-d", QFILE, "stray"), "unexpected argument 'stray' (see --help)");
	expect_error(ARGV("--s", "1"), "ambiguous option '--s' (could be --stats-interval, "
				       "--scenario, --src, --source, --sport-base)");
	expect_error(ARGV("-d", QFILE, "--frag", "drop"),
		     "ambiguous option '--frag' (could be --frag-timeout, --fragmented)");
	/* an unambiguous prefix is the option, named in full in messages */
	expect_error(ARGV("-d", QFILE, "--sp", "1"),
		     "--sport-base: '1' is not a source port in 1024..65519");
}
END_TEST

START_TEST(value_errors_name_the_option)
{
	expect_error(ARGV("-d", QFILE, "-Q", "abc"), "-Q: 'abc' is not a rate");
	expect_error(ARGV("-d", QFILE, "--rate", "0"), "--rate: '0' is not a rate");
	expect_error(ARGV("-d", QFILE, "-l", "0"), "-l: '0' is not a duration in seconds");
	expect_error(ARGV("-d", QFILE, "-t", "-1"), "-t: '-1' is not a timeout in seconds");
	expect_error(ARGV("-d", QFILE, "-p", "65536"), "-p: '65536' is not a port number (1..65535)");
	expect_error(ARGV("-d", QFILE, "-e", "70000"),
		     "-e: '70000' is not an EDNS buffer size (0 = no EDNS, or 1..65535)");
	expect_error(ARGV("-d", QFILE, "-S", "x"), "-S: 'x' is not an interval in seconds (0 = off)");
	expect_error(ARGV("-d", QFILE, "--burst", "600"),
		     "--burst: '600' is not a burst size in 1..512");
	expect_error(ARGV("-d", QFILE, "--sport-base", "80"),
		     "--sport-base: '80' is not a source port in 1024..65519");
	expect_error(ARGV("-d", QFILE, "--roles", "many"), "--roles: 'many' is not combined or split");
	expect_error(ARGV("-d", QFILE, "--dst-mac", "zz"),
		     "--dst-mac: 'zz' is not a MAC address (aa:bb:cc:dd:ee:ff)");
	expect_error(ARGV("-d", ""), "-d: empty value");
	expect_error(ARGV("-d", QFILE, "--frag-timeout", "20s"),
		     "--frag-timeout: '20s' is not a fragment timeout in (0, 10 s], e.g. 100ms");
	expect_error(ARGV("-d", QFILE, "--fragmented", ""), "--fragmented: '' is not reassemble or drop");
	expect_error(ARGV("-d", QFILE, "--collectors", "two"),
		     "--collectors: 'two' is not a number of collectors in 1..16");
}
END_TEST

START_TEST(help_and_version)
{
	/* keep the usage text out of the test log */
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	int devnull = open("/dev/null", O_WRONLY);
	ck_assert_int_ge(devnull, 0);
	dup2(devnull, STDOUT_FILENO);

	struct dv_plan p;
	int h = parse(&p, ARGV("--help"));
	int h2 = parse(&p, ARGV("-Q", "bad", "-h"));  /* help wins over errors */
	int v = parse(&p, ARGV("-V"));
	int v2 = parse(&p, ARGV("--version", "--scenario", "/nonexistent.yaml"));

	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(devnull);
	ck_assert_int_eq(h, 1);
	ck_assert_int_eq(h2, 1);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(v2, 1);
	ck_assert_str_eq(msg, "");

	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	dv_cli_usage(f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "Usage: dnsvolley"));
	ck_assert_ptr_nonnull(strstr(text, "-Q QPS"));
	ck_assert_ptr_nonnull(strstr(text, "--port NAME[:ARG]"));
	free(text);
}
END_TEST

START_TEST(query_file_required_and_checked)
{
	expect_error(ARGV("-Q", "5"),
		     "no query file: pass -d FILE or a scenario with 'queries'");
	expect_error(ARGV("-d", DATA "nope.txt"), DATA "nope.txt: No such file or directory");
	expect_error(ARGV("-d", DATA "q-badtype.txt"), DATA "q-badtype.txt:7: unknown type 'AXX'");
}
END_TEST

START_TEST(scenario_errors)
{
	expect_error(ARGV("--scenario", DATA "unknown-key.yaml"),
		     DATA "unknown-key.yaml:12: unknown key 'rat'");
	expect_error(ARGV("--scenario", DATA "nope.yaml"),
		     DATA "nope.yaml: No such file or directory");
	expect_error(ARGV("--scenario", quickstart, "--scenario", quickstart),
		     "--scenario: given more than once");
	expect_error(ARGV("--scenario"), "--scenario: missing value");
}
END_TEST

START_TEST(port_checks)
{
	char want[2 * PATH_MAX];
	snprintf(want, sizeof(want),
		 "--port: no profile 'foo' in %s (known: af_packet, af_xdp, embedded, null, tap)",
		 drivers);
	expect_error(ARGV("-d", QFILE, "--port", "foo", "--drivers-dir", drivers), want);
	expect_error(ARGV("-d", QFILE, "--port", "af_xdp:dvnope9", "-s", "198.18.2.1"),
		     "--port: no interface 'dvnope9'");
	expect_error(ARGV("-d", QFILE, "--port", "af_xdp:lo,x=1", "-s", "198.18.2.1"),
		     "--port: bad argument 'lo,x=1' for 'af_xdp': ',' and '=' are not allowed");
	/* not embedded: a target is required */
	expect_error(ARGV("-d", QFILE, "--port", "null"),
		     "no target: pass -s ADDR (or 'target' in a scenario)");

	struct dv_plan p;
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--port", "af_xdp:lo", "-s", "198.18.2.1")), 0);
	ck_assert_str_eq(p.port_arg, "lo");
	ck_assert(p.profile.needs_bpffs);
	dv_plan_free(&p);
	/* tap creates its interface: no lookup, default name */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--port", "tap", "-s", "198.18.2.1")), 0);
	ck_assert_str_eq(p.port_arg, "dvtap0");
	dv_plan_free(&p);

	/* Several collectors run on lcores of their own: the roles become split. */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--collectors", "3")), 0);
	ck_assert_uint_eq(p.collectors, 3);
	ck_assert_int_eq(p.roles, DV_ROLES_SPLIT);
	dv_plan_free(&p);
	expect_error(ARGV("-d", QFILE, "--collectors", "2", "--src", "198.18.0.7"),
		     "--collectors 2: the source addresses are chosen per collector; drop --src");
	/* one collector per RX queue: the embedded port has 8, kernel interfaces here one */
	expect_error(ARGV("-d", QFILE, "--collectors", "9"),
		     "--collectors 9: --port embedded has 8 RX queues");
	expect_error(ARGV("-d", QFILE, "--port", "af_xdp:lo", "-s", "198.18.2.1", "--collectors", "4"),
		     "--collectors 4: --port af_xdp:lo has one RX queue");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults_with_query_file);
	tcase_add_test(tc, every_option);
	tcase_add_test(tc, long_spellings_of_letters);
	tcase_add_test(tc, scenario_then_overrides);
	tcase_add_test(tc, repeated_calls_reset_getopt);
	tcase_add_test(tc, do_bit_needs_edns);
	tcase_add_test(tc, targets_one_per_family);
	tcase_add_test(tc, option_errors);
	tcase_add_test(tc, value_errors_name_the_option);
	tcase_add_test(tc, help_and_version);
	tcase_add_test(tc, query_file_required_and_checked);
	tcase_add_test(tc, scenario_errors);
	tcase_add_test(tc, port_checks);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
