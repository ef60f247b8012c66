/* Command line: defaults, scenario merge, overrides, cross-checks, errors. */
#include <check.h>

#include "check_main.h"
#include "cli_harness.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dv_config.h"
#include "config/cli.h"
#include "engine/eal.h"
#include "config/parse.h"
#include "core/log.h"

#ifndef DV_TEST_DATA
#error "DV_TEST_DATA must name tests/data"
#endif
#define DATA DV_TEST_DATA "/config/"
#define QFILE DATA "q-good.txt"

static char quickstart[2 * PATH_MAX];
static char drivers[PATH_MAX];

static void setup(void)
{
	cli_capture();
	const char *root = getenv("DV_SOURCE_ROOT");
	if (root == NULL)
		root = DV_TEST_DATA "/../..";
	snprintf(quickstart, sizeof(quickstart), "%s/scenarios/quickstart.yaml", root);
	snprintf(drivers, sizeof(drivers), "%s/drivers-config", root);
}

static void teardown(void)
{
	cli_release();
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
	ck_assert_str_eq(p.port[0].spec, "embedded");
	ck_assert(p.port[0].profile.embedded);
	ck_assert_str_eq(p.scenario_file, "");
	ck_assert_str_eq(p.json_path, "");
	ck_assert_double_eq(p.frag_timeout_s, 0.1);
	ck_assert_int_eq(p.fragmented, DV_FRAG_REASSEMBLE);
	ck_assert_uint_eq(p.collectors, 1);
	ck_assert_uint_eq(p.generators, 1);
	ck_assert_uint_eq(p.n_lcore_cpu, 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_FIXED);
	ck_assert_uint_eq(p.search.repeats, 0);
	ck_assert_double_eq(p.search.resolution_pct, 1.0);
	ck_assert_double_eq(p.ramp.to_qps, 0.0);
	ck_assert_str_eq(p.plot_path, "");
	ck_assert_double_eq(p.plot_interval_s, 0.5);
	ck_assert_uint_eq(p.sport_high, 0);
	ck_assert_uint_eq(p.src_prefix[DV_FAMILY_V4], 0);
	ck_assert_uint_eq(p.src_prefix[DV_FAMILY_V6], 0);
	ck_assert_uint_eq(p.port[0].profile.tx_queues, 8);
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
	ck_assert_str_eq(p.port[0].spec, "af_packet:lo");
	ck_assert_str_eq(p.port[0].arg, "lo");
	ck_assert_str_eq(p.port[0].profile.name, "af_packet");
	ck_assert(p.port[0].profile.kernel_iface);
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
				       "--start-at, --scenario, --src, --source, --sport-base, --sport, "
				       "--search, --search-resolution)");
	expect_error(ARGV("-d", QFILE, "--frag", "drop"),
		     "ambiguous option '--frag' (could be --frag-timeout, --fragmented)");
	expect_error(ARGV("-d", QFILE, "--sp", "1"),
		     "ambiguous option '--sp' (could be --sport-base, --sport)");
	expect_error(ARGV("-d", QFILE, "--ma"),
		     "ambiguous option '--ma' (could be --max-queries, --max)");
	/* an unambiguous prefix is the option, named in full in messages */
	expect_error(ARGV("-d", QFILE, "--sport-", "1"),
		     "--sport-base: '1' is not a source port in 1024..65519");
	expect_error(ARGV("-d", QFILE, "--search-r", "0"),
		     "--search-resolution: '0' is not a percentage in 0.01..50");
	/* an exact name wins over the longer names it starts */
	expect_error(ARGV("-d", QFILE, "--sport", "1"),
		     "--sport: '1' is not a source port range LOW-HIGH, "
		     "1024 <= LOW <= HIGH <= 65535");
	expect_error(ARGV("-d", QFILE, "--max=yes"), "--max: takes no value");
	expect_error(ARGV("-d", QFILE, "-T"), "-T: missing value");
}
END_TEST

START_TEST(value_errors_name_the_option)
{
	expect_error(ARGV("-d", QFILE, "-Q", "abc"), "-Q: 'abc' is not a rate");
	expect_error(ARGV("-d", QFILE, "--rate", "-1"), "--rate: '-1' is not a rate");
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
		     "--collectors: 'two' is not a number of collectors in 1..8");
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
	int lp = parse(&p, ARGV("--list-ports", "-Q", "bad"));  /* listing wins over errors */

	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(devnull);
	ck_assert_int_eq(h, 1);
	ck_assert_int_eq(lp, 1);
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
	/* every option of issue 5, and what the plot's columns are */
	static const char *const want[] = {
		"-T N", "--lcores CPUS", "--src ADDR[/PREFIX]", "--sport LOW-HIGH", "--max ",
		"--ramp FROM:TO:DURATION", "--search LOSS%[:TRIAL[:REPEATS]]",
		"--search-resolution PCT", "--plot FILE", "--plot-interval T",
		"--track-answers[=N]",
		"0 = --max; with --search the highest rate it tries",
		"2 Mpps per generator lcore",
		"time,\n                     target_qps, actual_qps, responses_per_sec,\n"
		"                     failures_per_sec, avg_latency, connections,\n"
		"                     conn_avg_latency",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(text, want[i]) != NULL, "no '%s' in --help", want[i]);
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
		 "--port: no profile 'foo' in %s (known: af_packet, af_xdp, embedded, i40e, ice, ixgbe, memif, mlx5, null, tap, virtio)",
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
	ck_assert_str_eq(p.port[0].arg, "lo");
	ck_assert(p.port[0].profile.kernel_iface && !p.port[0].profile.needs_bpffs);
	dv_plan_free(&p);
	/* tap creates its interface: no lookup, default name */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--port", "tap", "-s", "198.18.2.1")), 0);
	ck_assert_str_eq(p.port[0].arg, "dvtap0");
	dv_plan_free(&p);

	/* Several collectors run on lcores of their own: the roles become split. */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--collectors", "3")), 0);
	ck_assert_uint_eq(p.collectors, 3);
	ck_assert_int_eq(p.roles, DV_ROLES_SPLIT);
	dv_plan_free(&p);
	expect_error(ARGV("-d", QFILE, "--collectors", "2", "--src", "198.18.0.7"),
		     "--collectors 2: the source addresses are chosen per collector; "
		     "drop --src or give a range (--src ADDR/PREFIX)");
	/* one collector per RX queue: embedded, af_xdp, af_packet and tap have 8, null one */
	expect_error(ARGV("-d", QFILE, "--collectors", "9"),
		     "--collectors: '9' is not a number of collectors in 1..8");
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--port", "af_xdp:lo", "-s", "198.18.2.1",
					"--collectors", "8")), 0);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--port", "tap", "-s", "198.18.2.1",
					"--collectors", "2", "-T", "2")), 0);
	ck_assert_int_eq(p.port[0].profile.rx_steering, DV_STEER_KERNEL);
	dv_plan_free(&p);
	expect_error(ARGV("-d", QFILE, "--port", "null", "-s", "198.18.2.1", "--collectors", "2"),
		     "--collectors 2: --port null has one RX queue");
}
END_TEST

/*
 * Issue 12: af_xdp opens its queues on combined channels. The advice for -T 2
 * names them at once, and the check against the interface's count names the
 * channels (not the XDP program) and the command that adds them; tap and
 * af_packet do not count channels.
 */
START_TEST(channels_advice)
{
	struct dv_plan p;
	expect_error(ARGV("-d", QFILE, "--port", "af_xdp:lo", "-s", "198.18.2.1", "-T", "2"),
		     "-T 2: --port af_xdp:lo delivers answers on all 2 queues; add --collectors 2 "
		     "(and lo needs 2 combined channels: ethtool -L lo combined 2)");
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--port", "af_xdp:lo", "-s", "198.18.2.1",
					"-T", "2", "--collectors", "2")), 0);
	ck_assert_int_eq(dv_cli_check_channels(&p, 0, 2), 0);
	ck_assert_int_eq(dv_cli_check_channels(&p, 0, 1), -EINVAL);
	ck_assert_str_eq(msg, "-T 2 --collectors 2: --port af_xdp:lo opens 2 queues and lo has 1 "
			      "combined channel: ethtool -L lo combined 2, or fewer generators and "
			      "collectors (a veth has no combined channels: one queue)");
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--port", "af_xdp:lo", "-s", "198.18.2.1",
					"--collectors", "3")), 0);
	ck_assert_int_eq(dv_cli_check_channels(&p, 0, 2), -EINVAL);
	ck_assert_str_eq(msg, "--collectors 3: --port af_xdp:lo opens 3 queues and lo has 2 "
			      "combined channels: ethtool -L lo combined 3, or fewer generators and "
			      "collectors (a veth has no combined channels: one queue)");
	dv_plan_free(&p);
	/* tap's queues are its own: no channels to count, the advice as before. */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--port", "tap", "-s", "198.18.2.1",
					"--collectors", "2", "-T", "2")), 0);
	ck_assert_int_eq(dv_cli_check_channels(&p, 0, 1), 0);
	dv_plan_free(&p);
	expect_error(ARGV("-d", QFILE, "--port", "tap", "-s", "198.18.2.1", "-T", "2"),
		     "-T 2: --port tap delivers answers on all 2 queues; add --collectors 2");
}
END_TEST


/* Issue 5: generators, lcores, source ranges, source ports, rate modes, plot. */

/** Write text to DIR/NAME; returns the path in a static buffer. */
static const char *write_file(const char *dir, const char *name, const char *text)
{
	static char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

START_TEST(generators)
{
	struct dv_plan p;
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "-T", "4")), 0);
	ck_assert_uint_eq(p.generators, 4);
	ck_assert_int_eq(p.roles, DV_ROLES_SPLIT); /* more than one generator: split */
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--generators", "8", "--collectors", "2")), 0);
	ck_assert_uint_eq(p.generators, 8);
	ck_assert_uint_eq(p.collectors, 2);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "-T", "1")), 0);
	ck_assert_int_eq(p.roles, DV_ROLES_COMBINED);
	dv_plan_free(&p);

	expect_error(ARGV("-d", QFILE, "-T", "0"), "-T: '0' is not a number of generators in 1..8");
	expect_error(ARGV("-d", QFILE, "-T", "9"), "-T: '9' is not a number of generators in 1..8");
	expect_error(ARGV("-d", QFILE, "--generators", "x"),
		     "--generators: 'x' is not a number of generators in 1..8");
	/* one in-flight table per generator x collector pair, at most 16 */
	expect_error(ARGV("-d", QFILE, "-T", "3", "--collectors", "6"),
		     "-T 3, --collectors 6: 18 generator x collector pairs, at most 16");
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "-T", "2", "--collectors", "8")), 0);
	dv_plan_free(&p);

	/* one generator per TX queue of the port */
	char dir[] = "/tmp/dv-test-cli-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char one[PATH_MAX], two[PATH_MAX];
	snprintf(one, sizeof(one), "%s", write_file(dir, "one.yaml", "vdev: net_null0\narg: none\n"));
	snprintf(two, sizeof(two), "%s",
		 write_file(dir, "two.yaml", "vdev: \"net_null0,q={queues}\"\narg: none\n"
					     "tx-queues: 2\nrx-queues: 2\nrx-steering: kernel\n"));
	expect_error(ARGV("-d", QFILE, "--drivers-dir", dir, "--port", "one", "-s", "198.18.2.1",
			  "-T", "2"),
		     "-T 2: --port one has one TX queue");
	expect_error(ARGV("-d", QFILE, "--drivers-dir", dir, "--port", "two", "-s", "198.18.2.1",
			  "-T", "3"),
		     "-T 3: --port two has 2 TX queues");
	/* a port that delivers answers on any queue needs a collector per queue */
	expect_error(ARGV("-d", QFILE, "--drivers-dir", dir, "--port", "two", "-s", "198.18.2.1",
			  "-T", "2"),
		     "-T 2: --port two delivers answers on all 2 queues; add --collectors 2");
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--drivers-dir", dir, "--port", "two", "-s",
					"198.18.2.1", "-T", "2", "--collectors", "2")), 0);
	ck_assert_uint_eq(p.port[0].profile.tx_queues, 2);
	dv_plan_free(&p);
	unlink(one);
	unlink(two);
	rmdir(dir);
}
END_TEST

/* --port repeats: generators and collectors are dealt over the ports round robin. */
START_TEST(several_ports)
{
	struct dv_plan p;
	char dir[] = "/tmp/dv-test-cli-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char two[PATH_MAX];
	snprintf(two, sizeof(two), "%s",
		 write_file(dir, "two.yaml", "vdev: \"net_null0,q={queues}\"\narg: none\n"
					     "tx-queues: 2\nrx-queues: 2\nrx-steering: kernel\n"));
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--drivers-dir", dir, "--port", "two",
					"--port", "two", "-s", "198.18.2.1", "-T", "3",
					"--collectors", "4")), 0);
	ck_assert_uint_eq(p.nports, 2);
	ck_assert_str_eq(p.port[1].spec, "two");
	ck_assert_uint_eq(dv_plan_port_of(&p, 2), 0);
	ck_assert_uint_eq(dv_plan_queue_of(&p, 2), 1);
	ck_assert_uint_eq(dv_plan_port_of(&p, 3), 1);
	ck_assert_uint_eq(dv_plan_queue_of(&p, 3), 1);
	ck_assert_uint_eq(dv_plan_on_port(&p, 3, 0), 2);
	ck_assert_uint_eq(dv_plan_on_port(&p, 3, 1), 1);
	ck_assert(p.roles == DV_ROLES_SPLIT);
	dv_plan_free(&p);

	/* the first --port replaces the default (and a scenario's) */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--drivers-dir", dir, "--port", "two",
					"-s", "198.18.2.1")), 0);
	ck_assert_uint_eq(p.nports, 1);
	dv_plan_free(&p);

	expect_error(ARGV("-d", QFILE, "--drivers-dir", dir, "--port", "two", "--port", "two",
			  "-s", "198.18.2.1"),
		     "--port: 2 ports need a generator and a collector each: -T 2 --collectors 2 "
		     "at least");
	expect_error(ARGV("-d", QFILE, "--drivers-dir", dir, "--port", "two", "--port", "two",
			  "-s", "198.18.2.1", "-T", "6", "--collectors", "6"),
		     "--collectors 6 (3 on this port): --port two has 2 RX queues");
	expect_error(ARGV("-d", QFILE, "--drivers-dir", dir, "--port", "two", "--port", "two",
			  "-s", "198.18.2.1", "-T", "4", "--collectors", "2"),
		     "-T 4: --port two delivers answers on all 2 queues; add --collectors 4");
	expect_error(ARGV("-d", QFILE, "--port", "embedded", "--port", "null", "-T", "2",
			  "--collectors", "2"),
		     "--port embedded: the embedded responder's port cannot be combined with others");
	expect_error(ARGV("-d", QFILE, "--port", "af_packet:lo", "--port", "af_packet:lo",
			  "-s", "127.0.0.1", "-T", "2", "--collectors", "2"),
		     "--port af_packet:lo: given twice");
	expect_error(ARGV("-d", QFILE, "--port", "null", "--port", "null", "--port", "null",
			  "--port", "null", "--port", "null", "-s", "198.18.2.1"),
		     "--port: more than 4 ports");
	unlink(two);
	rmdir(dir);
}
END_TEST

/* The EAL command line: one vdev instance per port, PCI devices allowed by address. */
static bool has_arg(const struct dv_eal_args *a, const char *want)
{
	for (int i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], want) == 0)
			return true;
	return false;
}

START_TEST(eal_arguments)
{
	struct dv_plan p;
	struct dv_eal_args a;
	struct dv_lcore_map map;
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--port", "null", "--port", "null", "-s",
					"198.18.2.1", "-T", "2", "--collectors", "2")), 0);
	ck_assert_int_eq(dv_eal_args_build(&p, "dnsvolley", &a, &map), 0);
	ck_assert(has_arg(&a, "--vdev=net_null0,no-rx=1"));
	ck_assert(has_arg(&a, "--vdev=net_null1,no-rx=1"));
	ck_assert(has_arg(&a, "--no-pci"));
	ck_assert(has_arg(&a, "--no-huge")); /* net_null runs without */
	ck_assert(!has_arg(&a, "--in-memory"));
	char name[64];
	dv_eal_vdev_name(&p, 1, name, sizeof(name));
	ck_assert_str_eq(name, "net_null1");
	dv_plan_free(&p);

	/* --hugepages: the same port on hugepages (EAL in memory, no files left behind). */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--port", "null", "-s", "198.18.2.1", "--hugepages")), 0);
	ck_assert(p.hugepages);
	ck_assert_int_eq(dv_eal_args_build(&p, "dnsvolley", &a, &map), 0);
	ck_assert(has_arg(&a, "--in-memory"));
	ck_assert(!has_arg(&a, "--no-huge"));
	dv_plan_free(&p);

	/* A PCI address without its domain gets one; the profile's driver options follow. */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--port", "mlx5:3b:00.1", "-s", "198.18.2.1")), 0);
	ck_assert_int_eq(dv_eal_args_build(&p, "dnsvolley", &a, &map), 0);
	ck_assert(has_arg(&a, "-a"));
	ck_assert(has_arg(&a, "0000:3b:00.1"));
	ck_assert(!has_arg(&a, "--no-pci"));
	ck_assert(has_arg(&a, "--in-memory")); /* hugepages */
	dv_eal_vdev_name(&p, 0, name, sizeof(name));
	ck_assert_str_eq(name, "0000:3b:00.1");
	ck_assert(p.port[0].profile.arp_nd);
	dv_plan_free(&p);
}
END_TEST

START_TEST(lcores)
{
	cpu_set_t set;
	ck_assert_int_eq(sched_getaffinity(0, sizeof(set), &set), 0);
	int c = 0;
	while (!CPU_ISSET(c, &set))
		c++;
	char cpu[16], two[32], four[64];
	snprintf(cpu, sizeof(cpu), "%d", c);
	snprintf(two, sizeof(two), "%d,%d", c, c);
	snprintf(four, sizeof(four), "%d,%d,%d,%d", c, c, c, c);

	/* embedded, combined: one generator and the responder */
	struct dv_plan p;
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--lcores", two)), 0);
	ck_assert_uint_eq(p.n_lcore_cpu, 2);
	ck_assert_uint_eq(p.lcore_cpu[0], (unsigned)c);
	ck_assert_uint_eq(p.lcore_cpu[1], (unsigned)c);
	dv_plan_free(&p);
	/* two generators, split: 2 + 1 collector + the responder */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "-T", "2", "--lcores", four)), 0);
	ck_assert_uint_eq(p.n_lcore_cpu, 4);
	dv_plan_free(&p);
	/* null port, combined: one lcore */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--port", "null", "-s", "198.18.2.1",
					"--lcores", cpu)), 0);
	ck_assert_uint_eq(p.n_lcore_cpu, 1);
	dv_plan_free(&p);

	expect_error(ARGV("-d", QFILE, "--lcores", cpu),
		     "--lcores: 1 CPU for 2 worker lcores (1 generator, the embedded responder)");
	expect_error(ARGV("-d", QFILE, "-T", "2", "--lcores", two),
		     "--lcores: 2 CPUs for 4 worker lcores (2 generators, 1 collector, "
		     "the embedded responder)");
	expect_error(ARGV("-d", QFILE, "--collectors", "3", "--port", "af_packet:lo",
			  "-s", "198.18.2.1", "--lcores", two),
		     "--lcores: 2 CPUs for 4 worker lcores (1 generator, 3 collectors)");
	expect_error(ARGV("-d", QFILE, "--roles", "split", "--port", "null",
			  "-s", "198.18.2.1", "--lcores", cpu),
		     "--lcores: 1 CPU for 2 worker lcores (1 generator, 1 collector)");
	if (!CPU_ISSET(1023, &set)) {
		struct dv_plan q;
		ck_assert_int_eq(parse(&q, ARGV("-d", QFILE, "--port", "null", "-s", "198.18.2.1",
						"--lcores", "1023")), -EINVAL);
		const char *want = "--lcores: CPU 1023 is not one this process may run on (";
		ck_assert_msg(strncmp(msg, want, strlen(want)) == 0, "got: %s", msg);
	}

	expect_error(ARGV("-d", QFILE, "--lcores", "x"),
		     "--lcores: 'x' is not a CPU number in 0..1023");
	expect_error(ARGV("-d", QFILE, "--lcores", "0,1024"),
		     "--lcores: '1024' in '0,1024' is not a CPU number in 0..1023");
	expect_error(ARGV("-d", QFILE, "--lcores", "0,,1"),
		     "--lcores: '0,,1' is not a list of CPU numbers, e.g. 2,3");
	expect_error(ARGV("-d", QFILE, "--lcores", ""),
		     "--lcores: '' is not a list of CPU numbers, e.g. 2,3");
	expect_error(ARGV("-d", QFILE, "--lcores", "1,"),
		     "--lcores: '1,' is not a list of CPU numbers, e.g. 2,3");
	expect_error(ARGV("-d", QFILE, "--lcores", "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"),
		     "--lcores: more than 17 CPUs (one per worker lcore)");
}
END_TEST

START_TEST(source_ranges)
{
	struct dv_plan p;
	char b[INET6_ADDRSTRLEN];
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "-s", "198.18.2.53", "-s", "2001:2::53",
					"--src", "198.18.0.7/24", "--src", "2001:2::1:0/112")), 0);
	/* the address as given; the range is what shares its first PREFIX bits */
	ck_assert_str_eq(dv_addr_str(&p.src[DV_FAMILY_V4], b, sizeof(b)), "198.18.0.7");
	ck_assert_uint_eq(p.src_prefix[DV_FAMILY_V4], 24);
	ck_assert_str_eq(dv_addr_str(&p.src[DV_FAMILY_V6], b, sizeof(b)), "2001:2::1:0");
	ck_assert_uint_eq(p.src_prefix[DV_FAMILY_V6], 112);
	dv_plan_free(&p);
	/* every bit: one address */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "-s", "198.18.2.53", "-s", "2001:2::53",
					"--src", "198.18.0.7/32", "--src", "2001:2::1/128")), 0);
	ck_assert_uint_eq(p.src_prefix[DV_FAMILY_V4], 0);
	ck_assert_uint_eq(p.src_prefix[DV_FAMILY_V6], 0);
	ck_assert_int_eq(p.src[DV_FAMILY_V4].family, AF_INET);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--src", "198.18.0.0/8")), 0);
	ck_assert_uint_eq(p.src_prefix[DV_FAMILY_V4], 8);
	dv_plan_free(&p);

	expect_error(ARGV("-d", QFILE, "--src", "198.18.0.0/7"),
		     "--src: '198.18.0.0/7' is not an IPv4 range ADDR/PREFIX with PREFIX in 8..32");
	expect_error(ARGV("-d", QFILE, "--src", "198.18.0.0/33"),
		     "--src: '198.18.0.0/33' is not an IPv4 range ADDR/PREFIX with PREFIX in 8..32");
	expect_error(ARGV("-d", QFILE, "--src", "198.18.0.0/"),
		     "--src: '198.18.0.0/' is not an IPv4 range ADDR/PREFIX with PREFIX in 8..32");
	expect_error(ARGV("-d", QFILE, "-s", "::1", "--src", "2001:2::/63"),
		     "--src: '2001:2::/63' is not an IPv6 range ADDR/PREFIX with PREFIX in 64..128");
	expect_error(ARGV("-d", QFILE, "--src", "host/24"),
		     "--src: 'host/24' is not an IPv4 or IPv6 address");
	expect_error(ARGV("-d", QFILE, "--src", "198.18.0.0/24/1"),
		     "--src: '198.18.0.0/24/1' is not an IPv4 range ADDR/PREFIX with PREFIX in 8..32");
	expect_error(ARGV("-d", QFILE, "--src", "198.18.0.0/24", "--src", "198.18.1.0"),
		     "--src: more than one IPv4 source (at most one IPv4 and one IPv6)");
	expect_error(ARGV("-d", QFILE, "-s", "198.18.2.1", "--src", "2001:2::/64"),
		     "--src: 2001:2:: is IPv6 but there is no IPv6 target");

	/* several collectors: a range is fine, one address is not */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--collectors", "4", "--src", "198.18.0.0/30")), 0);
	ck_assert_uint_eq(p.src_prefix[DV_FAMILY_V4], 30);
	dv_plan_free(&p);
	expect_error(ARGV("-d", QFILE, "--collectors", "4", "--src", "198.18.0.0/31"),
		     "--src 198.18.0.0/31: 2 addresses for 4 collectors");
	expect_error(ARGV("-d", QFILE, "--collectors", "2", "--src", "198.18.0.7/32"),
		     "--collectors 2: the source addresses are chosen per collector; "
		     "drop --src or give a range (--src ADDR/PREFIX)");
	expect_error(ARGV("-d", QFILE, "-s", "2001:2::53", "--collectors", "3", "--src",
			  "2001:2::/127"),
		     "--src 2001:2::/127: 2 addresses for 3 collectors");
}
END_TEST

START_TEST(source_ports)
{
	struct dv_plan p;
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--sport", "20000-30000")), 0);
	ck_assert_uint_eq(p.sport_base, 20000);
	ck_assert_uint_eq(p.sport_high, 30000);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--sport", "65535-65535")), 0);
	ck_assert_uint_eq(p.sport_base, 65535);
	ck_assert_uint_eq(p.sport_high, 65535);
	dv_plan_free(&p);
	/* --sport-base moves only the start; the last one given wins */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--sport", "1024-30000", "--sport-base",
					"25000")), 0);
	ck_assert_uint_eq(p.sport_base, 25000);
	ck_assert_uint_eq(p.sport_high, 30000);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--sport-base", "25000", "--sport",
					"20000-30000")), 0);
	ck_assert_uint_eq(p.sport_base, 20000);
	dv_plan_free(&p);

	static const char *const bad[] = {
		"80-90", "1023-2000", "30000-20000", "20000", "20000-", "-20000", "20000-70000",
		"a-b", "20000-30000-40000", "", " 20000-30000",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[256];
		snprintf(want, sizeof(want), "--sport: '%s' is not a source port range LOW-HIGH, "
			 "1024 <= LOW <= HIGH <= 65535", bad[i]);
		expect_error(ARGV("-d", QFILE, "--sport", (char *)bad[i]), want);
	}
	expect_error(ARGV("-d", QFILE, "--sport", "20000-30000", "--sport-base", "40000"),
		     "--sport-base 40000: above the end of the --sport range (30000)");
}
END_TEST

START_TEST(rate_modes)
{
	struct dv_plan p;
	/* -Q 0 and --max: as fast as the port takes */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "-Q", "0")), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_MAX);
	ck_assert_double_eq(p.qps, 0.0);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--max")), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_MAX);
	ck_assert_double_eq(p.qps, 0.0);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--rate", "0.0k", "--max")), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_MAX);
	dv_plan_free(&p);
	/* the last -Q wins */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "-Q", "0", "-Q", "5k")), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_FIXED);
	ck_assert_double_eq(p.qps, 5000.0);
	dv_plan_free(&p);
	expect_error(ARGV("-d", QFILE, "-Q", "-5"), "-Q: '-5' is not a rate");
	expect_error(ARGV("-d", QFILE, "-Q", "0x"), "-Q: '0x' is not a rate");

	/* --ramp: linear, and its duration is the run's */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "-l", "5", "--ramp", "0:50k:60s")), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_RAMP);
	ck_assert_double_eq(p.ramp.from_qps, 0.0);
	ck_assert_double_eq(p.ramp.to_qps, 50000.0);
	ck_assert_double_eq(p.ramp.duration_s, 60.0);
	ck_assert_double_eq(p.duration_s, 60.0);
	ck_assert_double_eq(p.qps, 50000.0); /* the highest rate offered */
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--ramp", "1.5k:2k:2.5")), 0);
	ck_assert_double_eq(p.ramp.from_qps, 1500.0);
	ck_assert_double_eq(p.duration_s, 2.5);
	dv_plan_free(&p);
	expect_error(ARGV("-d", QFILE, "--ramp", "0:50k"),
		     "--ramp: '0:50k' is not a ramp FROM:TO:DURATION, e.g. 0:50k:60s");
	expect_error(ARGV("-d", QFILE, "--ramp", "0:1k:1s:1"),
		     "--ramp: '0:1k:1s:1' is not a ramp FROM:TO:DURATION, e.g. 0:50k:60s");
	expect_error(ARGV("-d", QFILE, "--ramp", "x:50k:30s"),
		     "--ramp: 'x' in 'x:50k:30s' is not a starting rate (FROM, 0 or more)");
	expect_error(ARGV("-d", QFILE, "--ramp", "0:0:30s"),
		     "--ramp: '0' in '0:0:30s' is not an end rate (TO, above 0)");
	expect_error(ARGV("-d", QFILE, "--ramp", "0:1k:0"),
		     "--ramp: '0' in '0:1k:0' is not a duration in seconds");
	expect_error(ARGV("-d", QFILE, "--ramp", "0:1k:"),
		     "--ramp: '' in '0:1k:' is not a duration in seconds");
	/* durations are seconds or ms, as for -l: "1m" could be a minute or a millisecond */
	expect_error(ARGV("-d", QFILE, "--ramp", "0:50k:1m"),
		     "--ramp: '1m' in '0:50k:1m' is not a duration in seconds");
	expect_error(ARGV("-d", QFILE, "--ramp", "5k:5k:1s"),
		     "--ramp: '5k:5k:1s' does not ramp up (TO must be above FROM)");

	/* --search: -Q is the upper bound */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--search", "1%")), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_SEARCH);
	ck_assert_double_eq(p.search.loss_pct, 1.0);
	ck_assert_double_eq(p.search.trial_s, 2.0);
	ck_assert_uint_eq(p.search.repeats, 3);
	ck_assert_double_eq(p.search.resolution_pct, 1.0);
	ck_assert_double_eq(p.search.max_qps, 1000.0);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--search-resolution", "0.5%", "--search",
					"0.5:500ms:15", "-Q", "100k")), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_SEARCH);
	ck_assert_double_eq(p.search.loss_pct, 0.5);
	ck_assert_double_eq(p.search.trial_s, 0.5);
	ck_assert_uint_eq(p.search.repeats, 15);
	ck_assert_double_eq(p.search.resolution_pct, 0.5);
	ck_assert_double_eq(p.search.max_qps, 100000.0);
	ck_assert_double_eq(p.qps, 100000.0);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--search", "0%:3600s:1",
					"--search-resolution", "50")), 0);
	ck_assert_double_eq(p.search.loss_pct, 0.0);
	ck_assert_double_eq(p.search.trial_s, 3600.0);
	ck_assert_uint_eq(p.search.repeats, 1);
	ck_assert_double_eq(p.search.resolution_pct, 50.0);
	dv_plan_free(&p);
	expect_error(ARGV("-d", QFILE, "--search", "101%"),
		     "--search: '101%' is not a loss percentage in 0..100, e.g. 1%");
	expect_error(ARGV("-d", QFILE, "--search", "1%%"),
		     "--search: '1%%' is not a loss percentage in 0..100, e.g. 1%");
	expect_error(ARGV("-d", QFILE, "--search", ""),
		     "--search: '' is not a loss percentage in 0..100, e.g. 1%");
	expect_error(ARGV("-d", QFILE, "--search", "1%:0"),
		     "--search: '0' in '1%:0' is not a trial duration in (0, 3600 s]");
	expect_error(ARGV("-d", QFILE, "--search", "1%:3601"),
		     "--search: '3601' in '1%:3601' is not a trial duration in (0, 3600 s]");
	expect_error(ARGV("-d", QFILE, "--search", "1%:2s:0"),
		     "--search: '0' in '1%:2s:0' is not a number of repeats in 1..15");
	expect_error(ARGV("-d", QFILE, "--search", "1%:2s:16"),
		     "--search: '16' in '1%:2s:16' is not a number of repeats in 1..15");
	expect_error(ARGV("-d", QFILE, "--search", "1%:2s:3:4"),
		     "--search: '1%:2s:3:4' is not a search LOSS%[:TRIAL[:REPEATS]], e.g. 1%:2s:3");
	static const char *const bad_res[] = { "0", "0.001", "50.5", "x", "-1", "" };
	for (size_t i = 0; i < sizeof(bad_res) / sizeof(bad_res[0]); i++) {
		char want[128];
		snprintf(want, sizeof(want),
			 "--search-resolution: '%s' is not a percentage in 0.01..50", bad_res[i]);
		expect_error(ARGV("-d", QFILE, "--search-resolution", (char *)bad_res[i]), want);
	}

	/* at most one mode */
	expect_error(ARGV("-d", QFILE, "--ramp", "0:1k:1s", "--search", "1%"),
		     "--ramp: conflicts with --search");
	expect_error(ARGV("-d", QFILE, "--search", "1%", "--ramp", "0:1k:1s"),
		     "--ramp: conflicts with --search");
	expect_error(ARGV("-d", QFILE, "--max", "--ramp", "0:1k:1s"),
		     "--max: conflicts with --ramp");
	expect_error(ARGV("-d", QFILE, "--search", "1%", "--max"),
		     "--max: conflicts with --search");
	expect_error(ARGV("-d", QFILE, "-Q", "0", "--ramp", "0:1k:1s"),
		     "-Q 0: conflicts with --ramp");
	expect_error(ARGV("-d", QFILE, "-Q", "0", "--search", "1%"),
		     "--search: needs an upper bound: -Q QPS above 0 (-Q 0 is --max)");
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "-Q", "0", "--max")), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_MAX);
	dv_plan_free(&p);
}
END_TEST

START_TEST(rate_mode_replaces_the_scenarios)
{
	char dir[] = "/tmp/dv-test-cli-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char ramp[PATH_MAX], max[PATH_MAX], search[PATH_MAX], zero[PATH_MAX], both[PATH_MAX];
	snprintf(ramp, sizeof(ramp), "%s", write_file(dir, "ramp.yaml", "ramp: 0:10k:5s\n"));
	snprintf(max, sizeof(max), "%s", write_file(dir, "max.yaml", "max: true\nrate: 20k\n"));
	snprintf(search, sizeof(search), "%s",
		 write_file(dir, "search.yaml", "search: 2%:1s\nrate: 30k\n"
						"search-resolution: 5\n"));
	snprintf(zero, sizeof(zero), "%s", write_file(dir, "zero.yaml", "rate: 0\n"));
	snprintf(both, sizeof(both), "%s", write_file(dir, "both.yaml", "rate: 0\nsearch: 1%\n"));

	struct dv_plan p;
	/* the scenarios alone */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--scenario", ramp)), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_RAMP);
	ck_assert_double_eq(p.duration_s, 5.0);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--scenario", max)), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_MAX);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--scenario", search)), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_SEARCH);
	ck_assert_double_eq(p.search.max_qps, 30000.0);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--scenario", zero)), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_MAX);
	dv_plan_free(&p);
	expect_error(ARGV("-d", QFILE, "--scenario", both),
		     "--search: needs an upper bound: -Q QPS above 0 (-Q 0 is --max)");

	/* a mode on the command line replaces the scenario's */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--scenario", ramp, "--search", "1%",
					"-Q", "20k")), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_SEARCH);
	ck_assert_double_eq(p.search.max_qps, 20000.0);
	ck_assert_double_eq(p.duration_s, 10.0); /* the ramp's 5 s went with it */
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--scenario", search, "--max")), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_MAX);
	ck_assert_double_eq(p.search.resolution_pct, 5.0); /* not a mode: kept */
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--scenario", search, "-Q", "0")), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_MAX);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--ramp", "0:1k:2s", "--scenario", zero)), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_RAMP);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--scenario", zero, "--search", "1%")), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_SEARCH);
	ck_assert_double_eq(p.search.max_qps, 1000.0); /* rate 0 went: the default bound */
	dv_plan_free(&p);
	/* a rate alone: fixed instead of --max or --ramp, the bound of a search */
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--scenario", max, "-Q", "7k")), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_FIXED);
	ck_assert_double_eq(p.qps, 7000.0);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--scenario", ramp, "-Q", "7k")), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_FIXED);
	ck_assert_double_eq(p.duration_s, 10.0);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--scenario", search, "-Q", "70k")), 0);
	ck_assert_int_eq(p.rate_mode, DV_RATE_SEARCH);
	ck_assert_double_eq(p.search.max_qps, 70000.0);
	ck_assert_double_eq(p.search.loss_pct, 2.0);
	ck_assert_double_eq(p.search.trial_s, 1.0);
	dv_plan_free(&p);
	/* two modes on the command line still conflict */
	expect_error(ARGV("-d", QFILE, "--scenario", search, "--max", "--ramp", "0:1k:1s"),
		     "--max: conflicts with --ramp");

	unlink(ramp);
	unlink(max);
	unlink(search);
	unlink(zero);
	unlink(both);
	rmdir(dir);
}
END_TEST

START_TEST(plot)
{
	struct dv_plan p;
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--plot", "out/plot.dat",
					"--plot-interval", "250ms")), 0);
	ck_assert_str_eq(p.plot_path, "out/plot.dat");
	ck_assert_double_eq(p.plot_interval_s, 0.25);
	dv_plan_free(&p);
	expect_error(ARGV("-d", QFILE, "--plot", ""), "--plot: empty value");
	expect_error(ARGV("-d", QFILE, "--plot-interval", "0"),
		     "--plot-interval: '0' is not an interval in seconds above 0, e.g. 0.5");
	expect_error(ARGV("-d", QFILE, "--plot-interval", "1h"),
		     "--plot-interval: '1h' is not an interval in seconds above 0, e.g. 0.5");
}
END_TEST

START_TEST(track_answers)
{
	struct dv_plan p;
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE)), 0);
	ck_assert_uint_eq(p.track_answers, 0);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--track-answers")), 0);
	ck_assert_uint_eq(p.track_answers, DV_TRACK_ANSWERS_DEFAULT);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--track-answers=7")), 0);
	ck_assert_uint_eq(p.track_answers, 7);
	dv_plan_free(&p);
	ck_assert_int_eq(parse(&p, ARGV("-d", QFILE, "--track-answers=7", "--track-answers=false")), 0);
	ck_assert_uint_eq(p.track_answers, 0);
	dv_plan_free(&p);
	expect_error(ARGV("-d", QFILE, "--track-answers=lots"),
		     "--track-answers: 'lots' is not true, false, or answers per second 0..100000");
	expect_error(ARGV("-d", QFILE, "--track-answers=100001"),
		     "--track-answers: '100001' is not true, false, or answers per second 0..100000");
	/* The value only after '=': a separate word is an argument, and an error. */
	expect_error(ARGV("-d", QFILE, "--track-answers", "7"),
		     "--track-answers takes its value after '=': --track-answers=7");
	/* With '=' given, a stray word is only a stray word. */
	expect_error(ARGV("-d", QFILE, "--track-answers=7", "7"),
		     "unexpected argument '7' (see --help)");
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
	tcase_add_test(tc, generators);
	tcase_add_test(tc, channels_advice);
	tcase_add_test(tc, lcores);
	tcase_add_test(tc, source_ranges);
	tcase_add_test(tc, source_ports);
	tcase_add_test(tc, rate_modes);
	tcase_add_test(tc, rate_mode_replaces_the_scenarios);
	tcase_add_test(tc, plot);
	tcase_add_test(tc, track_answers);
	tcase_add_test(tc, several_ports);
	tcase_add_test(tc, eal_arguments);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
