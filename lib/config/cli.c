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
#include "config/options.h"
#include "config/instance.h"
#include "config/population.h"
#include "config/profile.h"
#include "config/queryfile.h"
#include "config/scenario.h"
#include "config/seqspec.h"
#include "config/setters.h"
#include "core/log.h"

#define STR_(x) #x
#define STR(x) STR_(x)

_Static_assert(DV_ARG_NONE == no_argument && DV_ARG_REQUIRED == required_argument &&
	       DV_ARG_OPTIONAL == optional_argument, "dv_opt_arg is getopt's has_arg");

/** getopt's value for a row: its letter, else a number above any char. */
static int opt_val(const struct dv_option *o)
{
	return o->letter != 0 ? o->letter : 256 + (int)o->id;
}

/** The row getopt returned c for, or NULL. */
static const struct dv_option *opt_of_val(int c)
{
	if (c >= 256)
		return c - 256 < DV_OPT_COUNT ? &dv_options[c - 256] : NULL;
	for (size_t i = 0; i < DV_OPT_COUNT; i++) {
		if (dv_options[i].letter == c)
			return &dv_options[i];
	}
	return NULL;
}

/** getopt's tables, made from the option table. */
struct opt_tables {
	/* '+': stop at the first non-option and never permute argv (the plan keeps
	 * argv for the JSON header); ':': report a missing value as ':'. */
	char shorts[3 + 3 * DV_OPT_COUNT];
	struct option longs[DV_OPT_COUNT + 1];
};

static void opt_tables_make(struct opt_tables *t)
{
	size_t ns = 0, nl = 0;
	t->shorts[ns++] = '+';
	t->shorts[ns++] = ':';
	for (size_t i = 0; i < DV_OPT_COUNT; i++) {
		const struct dv_option *o = &dv_options[i];
		if (o->letter != 0) {
			t->shorts[ns++] = (char)o->letter;
			if (o->arg != DV_ARG_NONE)
				t->shorts[ns++] = ':';
			if (o->arg == DV_ARG_OPTIONAL)
				t->shorts[ns++] = ':';
		}
		if (o->name != NULL)
			t->longs[nl++] = (struct option){ o->name, (int)o->arg, NULL, opt_val(o) };
	}
	t->shorts[ns] = '\0';
	t->longs[nl] = (struct option){ NULL, 0, NULL, 0 };
}

void dv_cli_usage(void *stream)
{
	FILE *f = stream != NULL ? stream : stdout;
	fputs("Usage: dnsvolley [-s server_addr] [-p port] [-d datafile] [-Q max_qps]\n"
	      "                 [-l limit] [-t timeout] [-e bufsize] [-D] [-S interval]\n"
	      "                 [-T generators] [--port NAME[:ARG]] [--scenario FILE]\n"
	      "                 [--json FILE] [-q] [other options]\n"
	      "       dnsvolley report [-o DIR] [--no-plots] [-q] RESULT.json\n"
	      "       dnsvolley merge [-o OUT.json] [-q] A.json B.json...\n"
	      "       dnsvolley compare BASE.json NEW.json [--fail-if CONDS] [--json OUT] [-q]\n"
	      "\n", f);
	dv_options_help(f);
	fputs("See dnsvolley(1).\n", f);
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
static void opt_name(const struct option *longs, int c, int longindex, char *buf, size_t len)
{
	if (longindex >= 0)
		snprintf(buf, len, "--%s", longs[longindex].name);
	else
		snprintf(buf, len, "-%c", c);
}

/** Long options the typed prefix could stand for. */
static size_t long_matches(const struct option *longs, const char *typed, size_t tlen, char *list,
			   size_t len)
{
	size_t n = 0, o = 0;
	list[0] = '\0';
	for (const struct option *lo = longs; lo->name != NULL; lo++) {
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
static void report_bad_option(const struct option *longs, const char *arg)
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
	size_t n = long_matches(longs, name, nlen, cands, sizeof(cands));
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
static int pre_scan(const struct opt_tables *t, int argc, char **argv, const char **scenario,
		    struct cli_rate *rate, const char *drivers_dir)
{
	int c;
	bool zero = false, list_ports = false;
	*scenario = NULL;
	memset(rate, 0, sizeof(*rate));
	getopt_reset();
	while ((c = getopt_long(argc, argv, t->shorts, t->longs, NULL)) != -1) {
		const struct dv_option *o = opt_of_val(c);
		if (o == NULL)
			continue; /* '?' or ':': reported by the second pass */
		switch (o->id) {
		case DV_OPT_HELP:
			dv_cli_usage(stdout);
			return 1;
		case DV_OPT_VERSION:
			printf("dnsvolley %s\n", DV_VERSION);
			return 1;
		case DV_OPT_SCENARIO:
			if (*scenario != NULL) {
				dv_err("--scenario: given more than once");
				return -EINVAL;
			}
			*scenario = optarg;
			break;
		case DV_OPT_RATE: {
			double q;
			rate->rate = true;
			zero = dv_parse_rate_zero(optarg, &q) == 0 && q == 0.0;
			break;
		}
		case DV_OPT_MAX:
		case DV_OPT_RAMP:
		case DV_OPT_SEARCH:
			rate->mode = true;
			break;
		case DV_OPT_LIST_PORTS:
			list_ports = true;
			break;
		case DV_OPT_DRIVERS_DIR:
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
static int apply_options(const struct opt_tables *t, int argc, char **argv, struct dv_plan *plan,
			 struct cli_seen *seen)
{
	/* The first value of a list option replaces the scenario's (--src and
	 * --source share one list, and one forget function). */
	dv_forget_fn forgotten[DV_OPT_COUNT];
	size_t nforgotten = 0;
	int c, longindex;
	char qb[DV_QUOTE_BUF];
	/* The last --name[=VALUE] option given without '=': a value after a space is no value of it. */
	char bare_optional[40] = "";

	getopt_reset();
	for (;;) {
		longindex = -1;
		int prev_optind = optind == 0 ? 1 : optind;
		c = getopt_long(argc, argv, t->shorts, t->longs, &longindex);
		if (c == -1)
			break;

		if (c == '?') {
			report_bad_option(t->longs, bad_element(argc, argv, prev_optind));
			return -EINVAL;
		}
		if (c == ':') {
			report_missing_value(bad_element(argc, argv, prev_optind));
			return -EINVAL;
		}
		const struct dv_option *o = opt_of_val(c);
		if (o == NULL || o->set == NULL)
			continue; /* done in pre_scan() */

		char name[40];
		opt_name(t->longs, c, longindex, name, sizeof(name));

		if (o->forget != NULL) {
			bool done = false;
			for (size_t i = 0; i < nforgotten; i++)
				done |= forgotten[i] == o->forget;
			if (!done) {
				o->forget(plan);
				forgotten[nforgotten++] = o->forget;
			}
		}
		seen->queries |= o->id == DV_OPT_QUERIES;
		seen->qname |= o->id == DV_OPT_QNAME;
		seen->qtypes |= o->id == DV_OPT_QTYPES;

		/* A flag is a boolean in a scenario; --track-answers alone means
		 * its default rate. */
		const char *v = o->arg == DV_ARG_NONE || optarg == NULL ? "true" : optarg;
		if (o->arg == DV_ARG_OPTIONAL && optarg == NULL)
			snprintf(bare_optional, sizeof(bare_optional), "%s", name);
		if (o->set(plan, v, name) != 0)
			return -EINVAL;
	}

	if (optind < argc) {
		if (bare_optional[0] != '\0')
			dv_err("%s takes its value after '=': %s=%s", bare_optional, bare_optional,
			       dv_quote(argv[optind], qb, sizeof(qb)));
		else
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
			/* Where the driver opens the queues on channels, they are needed too: say so now. */
			char chan[160] = "";
			if (dv_profile_counts_channels(&pp->profile))
				snprintf(chan, sizeof(chan), " (and %s needs %u combined channels: "
					 "ethtool -L %s combined %u)", pp->arg, gens, pp->arg, gens);
			dv_err("-T %u: --port %s delivers answers on all %u queues; add --collectors %u%s",
			       plan->generators, pp->spec, gens, plan->generators, chan);
			return -EINVAL;
		}
	}
	return 0;
}

int dv_cli_check_channels(const struct dv_plan *plan, unsigned k, unsigned channels)
{
	const struct dv_port_plan *pp = &plan->port[k];
	if (!dv_profile_counts_channels(&pp->profile))
		return 0;
	unsigned gens = dv_plan_on_port(plan, plan->generators, k);
	unsigned cols = dv_plan_on_port(plan, plan->collectors, k);
	unsigned nq = gens > cols ? gens : cols;
	if (nq <= channels)
		return 0;
	/* Name the options that asked for the queues, and the fix on either side. */
	char opts[64];
	if (gens >= cols && cols > 1)
		snprintf(opts, sizeof(opts), "-T %u --collectors %u", plan->generators, plan->collectors);
	else if (gens >= cols)
		snprintf(opts, sizeof(opts), "-T %u", plan->generators);
	else
		snprintf(opts, sizeof(opts), "--collectors %u", plan->collectors);
	dv_err("%s: --port %s opens %u queues and %s has %u combined channel%s: "
	       "ethtool -L %s combined %u, or fewer generators and collectors (a veth has no "
	       "combined channels: one queue)", opts, pp->spec, nq, pp->arg, channels,
	       channels == 1 ? "" : "s", pp->arg, nq);
	return -EINVAL;
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

	if (dv_seqspec_check_targets(plan) != 0 || dv_population_check(plan) != 0 ||
	    dv_tcp_plan_check(plan) != 0)
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
	if (lanes * dv_plan_kinds(plan) > DV_MAX_LANES) {
		if (plan->pop.n > 0)
			dv_err("--population %s: %u kinds x %u generator x collector pairs, at most "
			       STR(DV_MAX_LANES) " lanes", plan->pop.name, plan->pop.n, lanes);
		else
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

	struct opt_tables t;
	opt_tables_make(&t);
	const char *scenario = NULL;
	struct cli_rate rate;
	int ret = pre_scan(&t, argc, argv, &scenario, &rate, plan->drivers_dir);
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
	ret = apply_options(&t, argc, argv, plan, &seen);
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
	/* --instance K/N: this host's share of the rate and of the source ranges. */
	ret = dv_instance_finish(plan);
	if (ret != 0)
		goto cleanup;
	/* A population's kinds start from the run's sequence options, unfinished. */
	ret = dv_population_finish(plan);
	if (ret != 0)
		goto cleanup;
	ret = dv_seqspec_finish(plan);
	if (ret != 0)
		goto cleanup;

	/* The battery alone (--checks-share 100%) needs no names of its own. */
	bool checks_only = plan->checks_zone[0] != '\0' && plan->checks_share >= 1.0;
	if (plan->seq.qname_pattern[0] == '\0' && !(checks_only && plan->query_file[0] == '\0')) {
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
