/**
 * @file cli.c
 * @brief Command line parsing: dnsperf letters plus long options, merged
 *        over an optional scenario file into a validated plan.
 */
#include "config/cli.h"

#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dv_config.h"
#include "config/parse.h"
#include "config/profile.h"
#include "config/queryfile.h"
#include "config/scenario.h"
#include "config/seqspec.h"
#include "core/log.h"

/** Target used by the embedded port when none is given (RFC 2544 range). */
#define DV_EMBEDDED_TARGET "198.18.0.53"

#define STR_(x) #x
#define STR(x) STR_(x)

/** Long-only options (values above any char). */
enum {
	OPT_PORT = 256,
	OPT_SCENARIO,
	OPT_JSON,
	OPT_EAL,
	OPT_DST_MAC,
	OPT_SRC,
	OPT_MAX_QUERIES,
	OPT_BURST,
	OPT_SPORT_BASE,
	OPT_ROLES,
	OPT_POLL,
	OPT_BUSY_POLL,
	OPT_DRIVERS_DIR,
	OPT_FAMILY,
	OPT_REQUERY,
	OPT_ATTEMPTS,
	OPT_RETRY_CHANGE,
	OPT_EDNS_LADDER,
	OPT_DO,
	OPT_QNAME,
	OPT_QTYPES,
	OPT_RESPONDER,
	OPT_FRAG_TIMEOUT,
	OPT_FRAGMENTED,
	OPT_COLLECTORS,
	OPT_LCORES,
	OPT_SPORT,
	OPT_MAX,
	OPT_RAMP,
	OPT_SEARCH,
	OPT_SEARCH_RESOLUTION,
	OPT_PLOT,
	OPT_PLOT_INTERVAL,
	OPT_GATEWAY,
	OPT_VLAN,
	OPT_LIST_PORTS,
	OPT_TRACK_ANSWERS,
};

/* '+': stop at the first non-option and never permute argv (the plan keeps
 * argv for the JSON header); ':': report a missing value as ':'. */
static const char short_opts[] = "+:s:p:d:Q:l:t:e:DS:T:qhV";

/* Every scenario key is also a long option of the same name, so the
 * letters have long spellings too. */
static const struct option long_opts[] = {
	{ "target",         required_argument, NULL, 's' },
	{ "dns-port",       required_argument, NULL, 'p' },
	{ "queries",        required_argument, NULL, 'd' },
	{ "rate",           required_argument, NULL, 'Q' },
	{ "duration",       required_argument, NULL, 'l' },
	{ "timeout",        required_argument, NULL, 't' },
	{ "edns",           required_argument, NULL, 'e' },
	{ "dnssec-ok",      no_argument,       NULL, 'D' },
	{ "stats-interval", required_argument, NULL, 'S' },
	{ "quiet",          no_argument,       NULL, 'q' },
	{ "help",           no_argument,       NULL, 'h' },
	{ "version",        no_argument,       NULL, 'V' },
	{ "port",           required_argument, NULL, OPT_PORT },
	{ "scenario",       required_argument, NULL, OPT_SCENARIO },
	{ "json",           required_argument, NULL, OPT_JSON },
	{ "eal",            required_argument, NULL, OPT_EAL },
	{ "dst-mac",        required_argument, NULL, OPT_DST_MAC },
	{ "gateway",        required_argument, NULL, OPT_GATEWAY },
	{ "vlan",           required_argument, NULL, OPT_VLAN },
	{ "list-ports",     no_argument,       NULL, OPT_LIST_PORTS },
	{ "src",            required_argument, NULL, OPT_SRC },
	{ "source",         required_argument, NULL, OPT_SRC },
	{ "max-queries",    required_argument, NULL, OPT_MAX_QUERIES },
	{ "burst",          required_argument, NULL, OPT_BURST },
	{ "sport-base",     required_argument, NULL, OPT_SPORT_BASE },
	{ "roles",          required_argument, NULL, OPT_ROLES },
	{ "poll",           required_argument, NULL, OPT_POLL },
	{ "busy-poll",      no_argument,       NULL, OPT_BUSY_POLL },
	{ "drivers-dir",    required_argument, NULL, OPT_DRIVERS_DIR },
	{ "family",         required_argument, NULL, OPT_FAMILY },
	{ "requery",        required_argument, NULL, OPT_REQUERY },
	{ "attempts",       required_argument, NULL, OPT_ATTEMPTS },
	{ "retry-change",   required_argument, NULL, OPT_RETRY_CHANGE },
	{ "edns-ladder",    required_argument, NULL, OPT_EDNS_LADDER },
	{ "do",             required_argument, NULL, OPT_DO },
	{ "qname",          required_argument, NULL, OPT_QNAME },
	{ "qtypes",         required_argument, NULL, OPT_QTYPES },
	{ "responder",      required_argument, NULL, OPT_RESPONDER },
	{ "frag-timeout",   required_argument, NULL, OPT_FRAG_TIMEOUT },
	{ "fragmented",     required_argument, NULL, OPT_FRAGMENTED },
	{ "collectors",     required_argument, NULL, OPT_COLLECTORS },
	{ "generators",     required_argument, NULL, 'T' },
	{ "lcores",         required_argument, NULL, OPT_LCORES },
	{ "sport",          required_argument, NULL, OPT_SPORT },
	{ "max",            no_argument,       NULL, OPT_MAX },
	{ "ramp",           required_argument, NULL, OPT_RAMP },
	{ "search",         required_argument, NULL, OPT_SEARCH },
	{ "search-resolution", required_argument, NULL, OPT_SEARCH_RESOLUTION },
	{ "plot",           required_argument, NULL, OPT_PLOT },
	{ "plot-interval",  required_argument, NULL, OPT_PLOT_INTERVAL },
	{ "track-answers",  optional_argument, NULL, OPT_TRACK_ANSWERS },
	{ NULL, 0, NULL, 0 },
};

/** Options that are plain settings: option value -> setting key. */
static const struct {
	int val;
	const char *key;
} opt_settings[] = {
	{ 's', "target" },
	{ 'p', "dns-port" },
	{ 'd', "queries" },
	{ 'Q', "rate" },
	{ 'l', "duration" },
	{ 't', "timeout" },
	{ 'e', "edns" },
	{ 'S', "stats-interval" },
	{ OPT_PORT, "port" },
	{ OPT_JSON, "json" },
	{ OPT_EAL, "eal" },
	{ OPT_DST_MAC, "dst-mac" },
	{ OPT_GATEWAY, "gateway" },
	{ OPT_VLAN, "vlan" },
	{ OPT_SRC, "source" },
	{ OPT_MAX_QUERIES, "max-queries" },
	{ OPT_BURST, "burst" },
	{ OPT_SPORT_BASE, "sport-base" },
	{ OPT_ROLES, "roles" },
	{ OPT_POLL, "poll" },
	{ OPT_FAMILY, "family" },
	{ OPT_REQUERY, "requery" },
	{ OPT_ATTEMPTS, "attempts" },
	{ OPT_RETRY_CHANGE, "retry-change" },
	{ OPT_EDNS_LADDER, "edns-ladder" },
	{ OPT_DO, "do" },
	{ OPT_QNAME, "qname" },
	{ OPT_QTYPES, "qtypes" },
	{ OPT_RESPONDER, "responder" },
	{ OPT_FRAG_TIMEOUT, "frag-timeout" },
	{ OPT_FRAGMENTED, "fragmented" },
	{ OPT_COLLECTORS, "collectors" },
	{ 'T', "generators" },
	{ OPT_LCORES, "lcores" },
	{ OPT_SPORT, "sport" },
	{ OPT_MAX, "max" },
	{ OPT_RAMP, "ramp" },
	{ OPT_SEARCH, "search" },
	{ OPT_SEARCH_RESOLUTION, "search-resolution" },
	{ OPT_PLOT, "plot" },
	{ OPT_PLOT_INTERVAL, "plot-interval" },
	{ OPT_TRACK_ANSWERS, "track-answers" },
};

void dv_cli_usage(void *stream)
{
	FILE *f = stream != NULL ? stream : stdout;
	fprintf(f,
"Usage: dnsvolley [-s server_addr] [-p port] [-d datafile] [-Q max_qps]\n"
"                 [-l limit] [-t timeout] [-e bufsize] [-D] [-S interval]\n"
"                 [-T generators] [--port NAME[:ARG]] [--scenario FILE]\n"
"                 [--json FILE] [-q] [other options]\n"
"       dnsvolley report [-o DIR] [--no-plots] [-q] RESULT.json\n"
"       dnsvolley merge [-o OUT.json] [-q] A.json B.json...\n"
"\n"
"Load (dnsperf letters):\n"
"  -s ADDR            server address; repeat for one IPv4 and one IPv6\n"
"                     (default with --port embedded: " DV_EMBEDDED_TARGET ",\n"
"                     and " DV_EMBEDDED_TARGET6 " when the policy needs IPv6)\n"
"  -p PORT            server port (default 53)\n"
"  -d FILE            query file, one \"NAME [TYPE]\" per line\n"
"  -Q QPS             offered rate, e.g. 20000, 20k, 1.5M (default 1000);\n"
"                     0 = --max; with --search the highest rate it tries\n"
"  -l SECONDS         run duration, e.g. 30, 2.5, 500ms (default 10)\n"
"  -t SECONDS         query timeout (default 1)\n"
"  -e SIZE            EDNS UDP buffer size, 0 = no OPT record (default 1232)\n"
"  -D                 set the DNSSEC OK bit (needs EDNS; = --do 1)\n"
"  -S SECONDS         periodic statistics interval, 0 = off (default 1)\n"
"  --max-queries N    stop after N queries (default: no limit)\n"
"\n"
"Rate modes (at most one; default: the fixed rate -Q):\n"
"  --max              as fast as the port takes (= -Q 0); the in-flight tables\n"
"                     are sized for 2 Mpps per generator lcore\n"
"  --ramp FROM:TO:DURATION\n"
"                     rate grows linearly from FROM (0 or more) to TO over\n"
"                     DURATION, which is also the run's -l; e.g. 0:100k:60s\n"
"  --search LOSS%%[:TRIAL[:REPEATS]]\n"
"                     binary search for the highest rate up to -Q with at most\n"
"                     LOSS%% (0..100) unanswered (RFC 8219 9.2); TRIAL seconds\n"
"                     per step (default 2s, at most 3600s), REPEATS searches\n"
"                     1..15 (default 3); e.g. 0.1%%:5s:3\n"
"  --search-resolution PCT\n"
"                     stop when the bounds are closer than PCT%% of -Q,\n"
"                     0.01..50 (default 1)\n"
"\n"
"Query sequences (each logical query is sent as up to N attempts):\n"
"  --family POLICY    v4, v6, v4-first, v6-first, alternate, mix:P,\n"
"                     happy-eyeballs[:DELAY] (default: the target's family)\n"
"  --requery SPEC     re-query timers: a list 375ms,750ms,1500ms, one timer\n"
"                     400ms, or a profile\n"
"                     (" DV_REQUERY_PROFILES ")\n"
"  --attempts N       attempts per logical query, 1..8\n"
"  --retry-change X   what a retry changes: same, family, edns, family+edns\n"
"  --edns-ladder L    sizes a retry steps down (default 4096,1410,512)\n"
"  --edns SPEC        a size, none, a weighted list 4096:42.3,1232:23.5,none:1.4\n"
"                     or a preset (" DV_EDNS_PRESETS ")\n"
"  --do P             fraction of logical queries with the DO bit, 0..1\n"
"  --qname PATTERN    generated names, e.g. '{seq}.{rand8}.example.test'\n"
"                     (instead of -d)\n"
"  --qtypes MIX       qtypes of generated names, e.g. A:50,AAAA:50 (default A)\n"
"  --responder LIST   embedded responder impairments: drop-v6, drop-v4,\n"
"                     drop-first, drop=FRACTION, seed=N, delay=SECONDS, size=BYTES,\n"
"                     frag-mtu=BYTES, drop-frag=K|nonfirst, frag-family=v4|v6|both,\n"
"                     ignore-edns\n"
"\n"
"Fragments and collectors:\n"
"  --frag-timeout T   incomplete fragment sets expire after T (default 100ms,\n"
"                     at most 10s, shorter than every re-query timer)\n"
"  --fragmented MODE  reassemble (default) or drop: count fragmented responses\n"
"                     as failures without reassembling them (RFC 9715)\n"
"  --collectors N     collector lcores, one per RX queue, 1..8 (default 1)\n"
"\n"
"Port and network:\n"
"  --port NAME[:ARG]  port profile and its argument, e.g. af_xdp:veth0,\n"
"                     af_packet:eth0, tap, ice:0000:3b:00.0, null, embedded\n"
"                     (default); repeat it for more ports (up to 4)\n"
"  --list-ports       the profiles, what each needs, and exit\n"
"  --drivers-dir DIR  where the port profiles are (default:\n"
"                     " DV_SOURCE_DRIVERS_DIR " if it exists,\n"
"                     else " DV_INSTALL_DRIVERS_DIR ")\n"
"  --src ADDR[/PREFIX]\n"
"                     source address, or a range: the addresses sharing its\n"
"                     first PREFIX bits (IPv4 8..32, IPv6 48..128); repeat\n"
"                     for one per family\n"
"  --dst-mac MAC      next hop MAC, aa:bb:cc:dd:ee:ff (no ARP/ND resolution)\n"
"  --gateway ADDR     next hop to resolve by ARP/ND on ports no kernel serves\n"
"                     (tap, NICs DPDK owns); one per family; default: the target\n"
"  --vlan ID          802.1Q tag on every frame sent, 1..4094\n"
"  --sport-base N     first UDP source port, 1024..65519 (default 10000)\n"
"  --sport LOW-HIGH   UDP source ports LOW..HIGH, 1024 <= LOW <= HIGH <= 65535\n"
"                     (default: from --sport-base up, as many as needed)\n"
"  --burst N          TX/RX burst size, 1..512 (default 32)\n"
"  --eal \"ARGS\"       extra DPDK EAL arguments, split on spaces\n"
"\n"
"Lcores:\n"
"  -T N               generator lcores, one TX queue each, 1..8 (default 1);\n"
"                     with --collectors, at most 16 generator x collector pairs\n"
"  --lcores CPUS      CPUs of the worker lcores, e.g. 2,3,4: the generators,\n"
"                     then the collectors (split roles), then the embedded\n"
"                     responder; one CPU each (default: dnsvolley places them)\n"
"  --roles MODE       combined (one lcore) or split (generator + collector);\n"
"                     more than one generator or collector means split\n"
"  --busy-poll        spin instead of sleeping when idle (= --poll busy)\n"
"\n"
"Output and files:\n"
"  --scenario FILE    YAML scenario; options on the command line override it\n"
"  --json FILE        write results as JSON lines (dns-metrics schema)\n"
"  --plot FILE        resperf-style plot data, one line per interval: time,\n"
"                     target_qps, actual_qps, responses_per_sec,\n"
"                     failures_per_sec, avg_latency, connections,\n"
"                     conn_avg_latency (the last two are 0: UDP)\n"
"  --plot-interval T  interval of the plot lines (default 0.5s)\n"
"  --track-answers[=N]\n"
"                     answer consistency: sample at most N matched answers per\n"
"                     second per collector (default 100, 0 = off) and report,\n"
"                     per (name, type), the A/AAAA records each carried, their\n"
"                     TTLs, intervals (-S, else 1s) in which one family vanished\n"
"                     while the other remained, and A/AAAA TTL mismatches\n"
"  -q, --quiet        no periodic output\n"
"  -h, --help         show this help and exit\n"
"  -V, --version      show the version and exit\n"
"\n"
"Every scenario key is also a long option: --target, --dns-port, --queries,\n"
"--rate, --duration, --timeout, --edns, --dnssec-ok, --stats-interval,\n"
"--source, --poll, --generators (-T); and the other options above\n"
"(in a scenario, max: true|false).\n"
"See dnsvolley(1).\n");
}

void dv_plan_free(struct dv_plan *p)
{
	if (p == NULL)
		return;
	dv_query_list_free(&p->queries);
}

/** Reset getopt so the parser can run more than once (tests, two passes). */
static void getopt_reset(void)
{
	optind = 0; /* glibc: 0 re-initializes completely */
	opterr = 0;
	optopt = 0;
}

/** The option as the user wrote it, for messages: "-Q" or "--rate". */
static void opt_name(int c, int longindex, char *buf, size_t len)
{
	if (longindex >= 0)
		snprintf(buf, len, "--%s", long_opts[longindex].name);
	else
		snprintf(buf, len, "-%c", c);
}

/** Long options the typed prefix could stand for. */
static size_t long_matches(const char *typed, size_t tlen, char *list, size_t len)
{
	size_t n = 0, o = 0;
	list[0] = '\0';
	for (const struct option *lo = long_opts; lo->name != NULL; lo++) {
		if (strncmp(lo->name, typed, tlen) != 0)
			continue;
		n++;
		if (o < len) {
			int w = snprintf(list + o, len - o, "%s--%s", o > 0 ? ", " : "",
					 lo->name);
			if (w > 0)
				o += (size_t)w;
		}
	}
	return n;
}

/**
 * The argv element getopt just complained about: it stays on an element
 * while inside a group of letters ("-xq"), else it has moved past it.
 */
static const char *bad_element(int argc, char **argv, int prev_optind)
{
	if (optind == prev_optind && optind < argc)
		return argv[optind];
	if (optind > 0 && optind <= argc)
		return argv[optind - 1];
	return "";
}

/** Word getopt's '?' (unknown, ambiguous, or value given to a flag). */
static void report_bad_option(const char *arg)
{
	char qb[DV_QUOTE_BUF];

	if (strncmp(arg, "--", 2) != 0) {
		char s[3] = { '-', (char)optopt, '\0' };
		dv_err("unknown option '%s' (see --help)",
		       optopt > 0 && optopt < 256 ? dv_quote(s, qb, sizeof(qb))
						  : dv_quote(arg, qb, sizeof(qb)));
		return;
	}

	const char *name = arg + 2;
	const char *eq = strchr(name, '=');
	size_t nlen = eq != NULL ? (size_t)(eq - name) : strlen(name);
	char cands[256];
	size_t n = long_matches(name, nlen, cands, sizeof(cands));
	if (eq != NULL && optopt != 0) {
		dv_err("--%.*s: takes no value", (int)nlen, name);
	} else if (n > 1) {
		dv_err("ambiguous option '--%s' (could be %s)",
		       dv_quote_mem(name, nlen, qb, sizeof(qb)), cands);
	} else {
		dv_err("unknown option '--%s' (see --help)",
		       dv_quote_mem(name, nlen, qb, sizeof(qb)));
	}
}

/** Word getopt's ':' (an option without its value). */
static void report_missing_value(const char *arg)
{
	if (strncmp(arg, "--", 2) == 0) {
		const char *eq = strchr(arg, '=');
		int n = eq != NULL ? (int)(eq - arg) : (int)strlen(arg);
		dv_err("%.*s: missing value", n, arg);
	} else {
		dv_err("-%c: missing value", optopt);
	}
}

/** Rate options on the command line (they replace a scenario's rate mode). */
struct cli_rate {
	bool rate; /**< -Q */
	bool mode; /**< --max, --ramp, --search, or a last -Q of 0 */
};

/**
 * First pass: find --help, --version and --scenario, and which rate options
 * there are, ignoring every error (the second pass reports them in order).
 * @return 1 if help/version was printed, 0 otherwise, -EINVAL on a repeated
 *         --scenario
 */
static int pre_scan(int argc, char **argv, const char **scenario, struct cli_rate *rate,
		    const char *drivers_dir)
{
	int c;
	bool zero = false, list_ports = false;
	*scenario = NULL;
	memset(rate, 0, sizeof(*rate));
	getopt_reset();
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			dv_cli_usage(stdout);
			return 1;
		case 'V':
			printf("dnsvolley %s\n", DV_VERSION);
			return 1;
		case OPT_SCENARIO:
			if (*scenario != NULL) {
				dv_err("--scenario: given more than once");
				return -EINVAL;
			}
			*scenario = optarg;
			break;
		case 'Q': {
			double q;
			rate->rate = true;
			zero = dv_parse_rate_zero(optarg, &q) == 0 && q == 0.0;
			break;
		}
		case OPT_MAX:
		case OPT_RAMP:
		case OPT_SEARCH:
			rate->mode = true;
			break;
		case OPT_LIST_PORTS:
			list_ports = true;
			break;
		case OPT_DRIVERS_DIR:
			drivers_dir = optarg;
			break;
		default:
			break;
		}
	}
	if (list_ports)
		return dv_profile_print_all(drivers_dir, stdout) == 0 ? 1 : -EINVAL;
	rate->mode |= zero;
	return 0;
}

/** What the command line gave, where it replaces a scenario's alternative. */
struct cli_seen {
	bool queries; /**< -d */
	bool qname;   /**< --qname */
	bool qtypes;  /**< --qtypes */
};

/** Second pass: apply every option except --scenario over the plan. */
static int apply_options(int argc, char **argv, struct dv_plan *plan, struct cli_seen *seen)
{
	bool target_seen = false, src_seen = false, port_seen = false, gw_seen = false;
	int c, longindex;
	char qb[DV_QUOTE_BUF];

	getopt_reset();
	for (;;) {
		longindex = -1;
		int prev_optind = optind == 0 ? 1 : optind;
		c = getopt_long(argc, argv, short_opts, long_opts, &longindex);
		if (c == -1)
			break;

		char name[40];
		opt_name(c, longindex, name, sizeof(name));

		switch (c) {
		case '?':
			report_bad_option(bad_element(argc, argv, prev_optind));
			return -EINVAL;
		case ':':
			report_missing_value(bad_element(argc, argv, prev_optind));
			return -EINVAL;
		case 'D':
			plan->dnssec_ok = true;
			plan->seq.do_prob = 1.0;
			continue;
		case 'q':
			plan->quiet = true;
			continue;
		case OPT_BUSY_POLL:
			plan->poll = DV_POLL_BUSY;
			continue;
		case OPT_SCENARIO:
		case OPT_LIST_PORTS:
		case 'h':
		case 'V':
			continue; /* done in pre_scan() */
		case OPT_DRIVERS_DIR:
			if (*optarg == '\0' || strlen(optarg) >= sizeof(plan->drivers_dir)) {
				dv_err("%s: '%s' is not a usable directory name", name,
				       dv_quote(optarg, qb, sizeof(qb)));
				return -EINVAL;
			}
			strcpy(plan->drivers_dir, optarg);
			continue;
		/* The first address on the command line replaces the scenario's. */
		case 's':
			if (!target_seen)
				memset(plan->target, 0, sizeof(plan->target));
			target_seen = true;
			break;
		case OPT_GATEWAY:
			if (!gw_seen)
				memset(plan->gateway, 0, sizeof(plan->gateway));
			gw_seen = true;
			break;
		case OPT_PORT:
			if (!port_seen)
				dv_plan_ports_forget(plan);
			port_seen = true;
			break;
		case OPT_SRC:
			if (!src_seen) {
				memset(plan->src, 0, sizeof(plan->src));
				memset(plan->src_prefix, 0, sizeof(plan->src_prefix));
			}
			src_seen = true;
			break;
		case 'd':
			seen->queries = true;
			break;
		case OPT_QNAME:
			seen->qname = true;
			break;
		case OPT_QTYPES:
			seen->qtypes = true;
			break;
		default:
			break;
		}

		const char *key = NULL;
		for (size_t i = 0; i < sizeof(opt_settings) / sizeof(opt_settings[0]); i++) {
			if (opt_settings[i].val == c)
				key = opt_settings[i].key;
		}
		if (key == NULL) {
			dv_err("%s: internal error: option not handled", name);
			return -EINVAL;
		}
		/* --max is a flag on the command line, a boolean in a scenario;
		 * --track-answers alone means its default rate. */
		const char *v = c == OPT_MAX ? "true" : optarg;
		if (c == OPT_TRACK_ANSWERS && v == NULL)
			v = "true";
		int ret = dv_setting_set(plan, key, v, name);
		if (ret != 0)
			return -EINVAL;
	}

	if (optind < argc) {
		dv_err("unexpected argument '%s' (see --help)",
		       dv_quote(argv[optind], qb, sizeof(qb)));
		return -EINVAL;
	}
	return 0;
}

/** Format a CPU set as "0-3,6" (cut with "..." if buf is short). */
static void cpuset_str(const cpu_set_t *set, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, set))
			continue;
		int j = i;
		while (j + 1 < CPU_SETSIZE && CPU_ISSET(j + 1, set))
			j++;
		int w = j > i ? snprintf(buf + o, len - o, "%s%d-%d", o > 0 ? "," : "", i, j)
			      : snprintf(buf + o, len - o, "%s%d", o > 0 ? "," : "", i);
		if (w < 0 || (size_t)w >= len - o) {
			if (len >= 4)
				snprintf(buf + len - 4, 4, "...");
			return;
		}
		o += (size_t)w;
		i = j;
	}
}

/**
 * --lcores: one CPU per worker lcore (generators, collectors when split,
 * the embedded responder), each one the process may run on.
 */
static int check_lcores(const struct dv_plan *plan)
{
	if (plan->n_lcore_cpu == 0)
		return 0;

	bool split = plan->roles == DV_ROLES_SPLIT;
	unsigned ncol = split ? plan->collectors : 0;
	unsigned nresp = plan->port[0].profile.embedded ? 1 : 0;
	unsigned want = plan->generators + ncol + nresp;
	if (plan->n_lcore_cpu != want) {
		char what[128];
		int o = snprintf(what, sizeof(what), "%u generator%s", plan->generators,
				 plan->generators == 1 ? "" : "s");
		if (split)
			o += snprintf(what + o, sizeof(what) - (size_t)o, ", %u collector%s", ncol,
				      ncol == 1 ? "" : "s");
		if (nresp)
			snprintf(what + o, sizeof(what) - (size_t)o, ", the embedded responder");
		dv_err("--lcores: %u CPU%s for %u worker lcore%s (%s)", plan->n_lcore_cpu,
		       plan->n_lcore_cpu == 1 ? "" : "s", want, want == 1 ? "" : "s", what);
		return -EINVAL;
	}

	cpu_set_t set;
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) != 0) {
		dv_err("--lcores: cannot read the CPU affinity: %s", strerror(errno));
		return -EINVAL;
	}
	for (unsigned i = 0; i < plan->n_lcore_cpu; i++) {
		if (plan->lcore_cpu[i] < CPU_SETSIZE && CPU_ISSET(plan->lcore_cpu[i], &set))
			continue;
		char allowed[128];
		cpuset_str(&set, allowed, sizeof(allowed));
		dv_err("--lcores: CPU %u is not one this process may run on (%s)",
		       plan->lcore_cpu[i], allowed);
		return -EINVAL;
	}
	return 0;
}

/** The ports: interfaces exist, none twice, the embedded wire alone, a generator and a collector each. */
static int check_ports(const struct dv_plan *plan)
{
	for (unsigned k = 0; k < plan->nports; k++) {
		const struct dv_port_plan *pp = &plan->port[k];
		if (pp->profile.kernel_iface && if_nametoindex(pp->arg) == 0) {
			dv_err("--port: no interface '%s'", pp->arg);
			return -EINVAL;
		}
		if (plan->nports > 1 && pp->profile.embedded) {
			dv_err("--port %s: the embedded responder's port cannot be combined with others",
			       pp->spec);
			return -EINVAL;
		}
		for (unsigned j = 0; j < k; j++) {
			if (pp->arg[0] != '\0' && strcmp(plan->port[j].profile.name, pp->profile.name) == 0 &&
			    strcmp(plan->port[j].arg, pp->arg) == 0) {
				dv_err("--port %s: given twice", pp->spec);
				return -EINVAL;
			}
		}
	}
	if (plan->nports > 1 && (plan->generators < plan->nports || plan->collectors < plan->nports)) {
		dv_err("--port: %u ports need a generator and a collector each: -T %u --collectors %u "
		       "at least", plan->nports, plan->nports, plan->nports);
		return -EINVAL;
	}
	return 0;
}

/** "one RX queue", "8 RX queues". */
static void queues_str(unsigned n, const char *dir, char *buf, size_t len)
{
	if (n == 1)
		snprintf(buf, len, "one %s queue", dir);
	else
		snprintf(buf, len, "%u %s queues", n, dir);
}

/** Each port's share of generators and collectors fits its queues. */
static int check_queues(const struct dv_plan *plan)
{
	for (unsigned k = 0; k < plan->nports; k++) {
		const struct dv_port_plan *pp = &plan->port[k];
		unsigned cols = dv_plan_on_port(plan, plan->collectors, k);
		unsigned gens = dv_plan_on_port(plan, plan->generators, k);
		/* Say it in the user's terms: the run-wide option, and this port's share. */
		char share[48] = "";
		if (plan->nports > 1)
			snprintf(share, sizeof(share), " (%u on this port)", cols);
		char has[32];
		unsigned rxq = pp->profile.rx_queues;
		if (cols > rxq) {
			queues_str(rxq, "RX", has, sizeof(has));
			dv_err("--collectors %u%s: --port %s has %s", plan->collectors, share, pp->spec,
			       has);
			return -EINVAL;
		}
		if (plan->nports > 1)
			snprintf(share, sizeof(share), " (%u on this port)", gens);
		unsigned txq = pp->profile.tx_queues;
		if (gens > txq) {
			queues_str(txq, "TX", has, sizeof(has));
			dv_err("-T %u%s: --port %s has %s", plan->generators, share, pp->spec, has);
			return -EINVAL;
		}
		/* A kernel-steered port (af_xdp, af_packet, tap) opens max(generators,
		 * collectors) queue pairs and the kernel delivers answers to any of them:
		 * each needs a collector reading it. */
		if (pp->profile.rx_steering == DV_STEER_KERNEL && gens > cols) {
			dv_err("-T %u: --port %s delivers answers on all %u queues; add --collectors %u",
			       plan->generators, pp->spec, gens, plan->generators);
			return -EINVAL;
		}
	}
	return 0;
}

/** Checks across settings, once the port profile is known. */
static int cross_check(struct dv_plan *plan)
{
	char ab[INET6_ADDRSTRLEN];
	static const char *const fam_name[DV_FAMILIES] = { "IPv4", "IPv6" };

	if (check_ports(plan) != 0)
		return -EINVAL;

	if (dv_plan_families(plan) == 0) {
		if (!plan->port[0].profile.embedded) {
			dv_err("no target: pass -s ADDR (or 'target' in a scenario)");
			return -EINVAL;
		}
		/* The families the policy needs; IPv4 when it needs none. */
		bool need4 = dv_seqspec_needs_family(plan, DV_FAMILY_V4);
		bool need6 = dv_seqspec_needs_family(plan, DV_FAMILY_V6);
		if (need4 || !need6)
			dv_parse_addr(DV_EMBEDDED_TARGET, &plan->target[DV_FAMILY_V4]);
		if (need6)
			dv_parse_addr(DV_EMBEDDED_TARGET6, &plan->target[DV_FAMILY_V6]);
	}

	if (dv_seqspec_check_targets(plan) != 0)
		return -EINVAL;

	if (check_queues(plan) != 0)
		return -EINVAL;
	unsigned lanes = 0, cols_per_port = 0;
	for (unsigned k = 0; k < plan->nports; k++) {
		unsigned cols = dv_plan_on_port(plan, plan->collectors, k);
		lanes += dv_plan_on_port(plan, plan->generators, k) * cols;
		/* Only where the port steers by our address hash do collectors need addresses of their own. */
		if (plan->port[k].profile.rx_steering == DV_STEER_ADDRESS)
			cols_per_port = cols > cols_per_port ? cols : cols_per_port;
	}
	if (lanes > DV_MAX_LANES) {
		dv_err("-T %u, --collectors %u: %u generator x collector pairs, at most "
		       STR(DV_MAX_LANES), plan->generators, plan->collectors, lanes);
		return -EINVAL;
	}
	if (cols_per_port > 1) {
		/* Each collector gets the answers to its own source addresses: dnsvolley
		 * picks them, from a --src range if there is one. */
		for (int f = 0; f < DV_FAMILIES; f++) {
			if (plan->src[f].family == 0)
				continue;
			if (plan->src_prefix[f] == 0) {
				dv_err("--collectors %u: the source addresses are chosen per collector; "
				       "drop --src or give a range (--src ADDR/PREFIX)",
				       plan->collectors);
				return -EINVAL;
			}
			unsigned host_bits = (f == DV_FAMILY_V4 ? 32 : 128) - plan->src_prefix[f];
			if (host_bits < 32 && (1u << host_bits) < plan->collectors) {
				dv_err("--src %s/%u: %u addresses for %u collectors",
				       dv_addr_str(&plan->src[f], ab, sizeof(ab)), plan->src_prefix[f],
				       1u << host_bits, plan->collectors);
				return -EINVAL;
			}
		}
	}
	/* Several generators or collectors run on lcores of their own. */
	if (plan->collectors > 1 || plan->generators > 1)
		plan->roles = DV_ROLES_SPLIT;

	/* A source address is only usable with a target of its family. */
	for (int f = 0; f < DV_FAMILIES; f++) {
		if (plan->src[f].family != 0 && plan->target[f].family == 0) {
			dv_err("--src: %s is %s but there is no %s target",
			       dv_addr_str(&plan->src[f], ab, sizeof(ab)), fam_name[f],
			       fam_name[f]);
			return -EINVAL;
		}
		if (plan->gateway[f].family != 0 && plan->target[f].family == 0) {
			dv_err("--gateway: %s is %s but there is no %s target",
			       dv_addr_str(&plan->gateway[f], ab, sizeof(ab)), fam_name[f],
			       fam_name[f]);
			return -EINVAL;
		}
	}
	/* --gateway names a next hop to resolve: only ports dnsvolley speaks ARP/ND on have one. */
	bool any_arp = false;
	for (unsigned k = 0; k < plan->nports; k++)
		any_arp |= plan->port[k].profile.arp_nd;
	if (!any_arp && (plan->gateway[0].family != 0 || plan->gateway[1].family != 0)) {
		dv_err("--gateway: only for ports where dnsvolley resolves the next hop (arp-nd: tap, "
		       "NICs DPDK owns); kernel interfaces use the kernel's routes");
		return -EINVAL;
	}
	return check_lcores(plan);
}

int dv_cli_parse(int argc, char **argv, struct dv_plan *plan)
{
	if (plan == NULL || argv == NULL || argc < 1)
		return -EINVAL;

	dv_plan_defaults(plan);
	plan->argc = argc;
	plan->argv = argv;

	const char *scenario = NULL;
	struct cli_rate rate;
	int ret = pre_scan(argc, argv, &scenario, &rate, plan->drivers_dir);
	if (ret != 0)
		goto cleanup;

	if (scenario != NULL) {
		ret = dv_scenario_load(scenario, plan);
		if (ret != 0)
			goto cleanup;
		/* The command line's rate mode replaces the scenario's. */
		if (rate.rate || rate.mode)
			dv_rate_forget(plan, rate.mode);
	}

	struct cli_seen seen = { false, false, false };
	ret = apply_options(argc, argv, plan, &seen);
	if (ret != 0)
		goto cleanup;

	/* Names from a file or from a pattern: the command line's choice
	 * replaces the scenario's; two choices in one place are an error. */
	if (seen.qname && !seen.queries)
		plan->query_file[0] = '\0';
	if (seen.queries && !seen.qname) {
		plan->seq.qname_pattern[0] = '\0';
		if (!seen.qtypes)
			memset(&plan->seq.qtypes, 0, sizeof(plan->seq.qtypes));
	}
	if (plan->query_file[0] != '\0' && plan->seq.qname_pattern[0] != '\0') {
		if (seen.queries)
			dv_err("--qname and -d: choose one");
		else
			dv_err("%s: qname and queries: choose one", scenario);
		ret = -EINVAL;
		goto cleanup;
	}

	/* Cheap checks before loading a possibly large query file. */
	ret = dv_settings_finish(plan);
	if (ret != 0)
		goto cleanup;
	ret = dv_seqspec_finish(plan);
	if (ret != 0)
		goto cleanup;

	if (plan->seq.qname_pattern[0] == '\0') {
		if (plan->query_file[0] == '\0') {
			dv_err("no query file: pass -d FILE or a scenario with 'queries'");
			ret = -EINVAL;
			goto cleanup;
		}
		ret = dv_queryfile_load(plan->query_file, &plan->queries);
		if (ret != 0)
			goto cleanup;
	}

	for (unsigned k = 0; k < plan->nports; k++) {
		struct dv_port_plan *pp = &plan->port[k];
		ret = dv_profile_resolve(pp->spec, plan->drivers_dir, &pp->profile, pp->arg,
					 sizeof(pp->arg));
		if (ret != 0)
			goto cleanup;
	}

	ret = cross_check(plan);
cleanup:
	getopt_reset();
	if (ret < 0) {
		dv_plan_free(plan);
		/* Every user error maps to DV_EXIT_USAGE, whatever errno it was. */
		ret = -EINVAL;
	}
	return ret;
}
