/*
 * `dnsvolley check` (command.h): each check of the battery, once, to every
 * address given, over the transport the check names, through the kernel's
 * sockets; a line per check, a summary, JSON, an exit status.
 */
#include "check/command.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/battery.h"
#include "check/socket.h"
#include "core/log.h"

#define USAGE_CHECK "dnsvolley check -s ADDR [-s ADDR...] -z ZONE [-p PORT] [-t SECONDS] " \
		    "[--only ID,...] [--expect-fail ID[@v4|@v6],...] [--json FILE] [-q] " \
		    "[--port SPEC [--responder SPEC] [--eal ARGS] [--repeat N] [-Q QPS]]"
#define CHECK_REPEAT_MAX 1000
#define CHECK_TARGETS 4
#define CHECK_LIST 512

struct check_opts {
	struct dv_addr target[CHECK_TARGETS];
	const char *target_text[CHECK_TARGETS];
	unsigned ntargets;
	const char *zone;
	unsigned port;
	int timeout_ms;
	char only[CHECK_LIST];
	char expect_fail[CHECK_LIST];
	const char *json;
	bool quiet;
	struct dv_check_datapath dp;   /**< dp.port != NULL: over the datapath */
};

/* The table being written: counts, JSON rows. */
struct table {
	json_t *rows;
	unsigned pass, failed, expected, silent;
};

static int bad(const char *what, const char *value, const char *as)
{
	dv_err("check: %s: '%s' is not %s", what, value, as);
	return DV_EXIT_USAGE;
}

/* Whether id (and, with @v4/@v6, its family) is in a comma-separated list. */
static bool in_list(const char *list, const char *id, const char *fam)
{
	size_t n = strlen(id);
	for (const char *p = list; *p != '\0';) {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (len >= n && strncmp(p, id, n) == 0 &&
		    (len == n || (p[n] == '@' && len - n - 1 == strlen(fam) &&
				  strncmp(p + n + 1, fam, len - n - 1) == 0)))
			return true;
		p += len + (end != NULL);
	}
	return false;
}

/* Every ID of a list is a check's (an @family suffix allowed). */
static int list_check(const char *opt, const char *list, bool family)
{
	char buf[CHECK_LIST];
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		char *at = strchr(t, '@');
		if (at != NULL && family && (strcmp(at, "@v4") == 0 || strcmp(at, "@v6") == 0))
			*at = '\0';
		if (dv_check_find(t) == NULL) {
			dv_err("check: %s: '%s' is not a check (dnsvolley check --list names them)", opt, t);
			return DV_EXIT_USAGE;
		}
	}
	return 0;
}

static int parse(int argc, char **argv, struct check_opts *o)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "zone", required_argument, NULL, 'z' },
		{ "timeout", required_argument, NULL, 't' },
		{ "only", required_argument, NULL, 'O' },
		{ "expect-fail", required_argument, NULL, 'X' },
		{ "json", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "list", no_argument, NULL, 'l' },
		{ "dns-port", required_argument, NULL, 'p' },
		{ "port", required_argument, NULL, 'P' },
		{ "responder", required_argument, NULL, 'R' },
		{ "eal", required_argument, NULL, 'E' },
		{ "repeat", required_argument, NULL, 'N' },
		{ "rate", required_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof(*o));
	o->port = 53;
	o->timeout_ms = 2000;
	o->dp.repeat = 3;
	o->dp.qps = 200.0;
	int opt;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "s:z:p:t:Q:qh", opts, NULL)) != -1) {
		char *end = NULL;
		switch (opt) {
		case 's': {
			if (o->ntargets == CHECK_TARGETS) {
				dv_err("check: -s: at most %d addresses", CHECK_TARGETS);
				return DV_EXIT_USAGE;
			}
			struct dv_addr *a = &o->target[o->ntargets];
			if (inet_pton(AF_INET, optarg, &a->v4) == 1)
				a->family = AF_INET;
			else if (inet_pton(AF_INET6, optarg, &a->v6) == 1)
				a->family = AF_INET6;
			else
				return bad("-s", optarg, "an IPv4 or IPv6 address");
			o->target_text[o->ntargets++] = optarg;
			break;
		}
		case 'z': o->zone = optarg; break;
		case 'p': {
			unsigned long v = strtoul(optarg, &end, 10);
			if (end == optarg || *end != '\0' || v == 0 || v > 65535)
				return bad("-p", optarg, "a port (1..65535)");
			o->port = (unsigned)v;
			break;
		}
		case 't': {
			double v = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !(v > 0.0) || v > 60.0)
				return bad("-t", optarg, "a timeout in seconds (more than 0, at most 60)");
			o->timeout_ms = (int)(v * 1000.0 + 0.5);
			break;
		}
		case 'O':
		case 'X':
			if (strlen(optarg) >= CHECK_LIST)
				return bad(opt == 'O' ? "--only" : "--expect-fail", optarg, "a list of checks");
			if (list_check(opt == 'O' ? "--only" : "--expect-fail", optarg, opt == 'X') != 0)
				return DV_EXIT_USAGE;
			snprintf(opt == 'O' ? o->only : o->expect_fail, CHECK_LIST, "%s", optarg);
			break;
		case 'j': o->json = optarg; break;
		case 'P': o->dp.port = optarg; break;
		case 'R': o->dp.responder = optarg; break;
		case 'E': o->dp.eal = optarg; break;
		case 'N': {
			unsigned long v = strtoul(optarg, &end, 10);
			if (end == optarg || *end != '\0' || v == 0 || v > CHECK_REPEAT_MAX)
				return bad("--repeat", optarg, "a number of times (1..1000)");
			o->dp.repeat = (unsigned)v;
			break;
		}
		case 'Q': {
			double v = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !(v >= 1.0) || v > 1e8)
				return bad("-Q", optarg, "a rate in queries per second (1..100000000)");
			o->dp.qps = v;
			break;
		}
		case 'q': o->quiet = true; break;
		case 'l':
			for (unsigned i = 0; i < dv_checks_n; i++)
				printf("%-14s %-4s %-30s %s\n", dv_checks[i].id,
				       dv_checks[i].q.transport == DV_CHECK_TCP ? "TCP" : "UDP", dv_checks[i].rfc,
				       dv_checks[i].what);
			return 1;
		case 'h': printf("usage: %s\n", USAGE_CHECK); return 1;
		default:
			dv_err("check: unknown option '%s'; usage: %s", argv[optind - 1], USAGE_CHECK);
			return DV_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		dv_err("check: '%s' is not an option; usage: %s", argv[optind], USAGE_CHECK);
		return DV_EXIT_USAGE;
	}
	if (o->ntargets == 0 || o->zone == NULL) {
		dv_err("check: %s; usage: %s", o->ntargets == 0 ? "no server (-s ADDR)"
			       : "no zone (-z ZONE: one the server serves; its apex is asked)", USAGE_CHECK);
		return DV_EXIT_USAGE;
	}
	uint8_t probe[512];
	if (dv_check_build(&dv_checks[0], o->zone, 0, probe, sizeof(probe)) == -EINVAL)
		return bad("-z", o->zone, "a domain name");
	if (o->dp.port == NULL && (o->dp.responder != NULL || o->dp.eal != NULL)) {
		dv_err("check: --responder and --eal go with --port (the battery over the datapath)");
		return DV_EXIT_USAGE;
	}
	if (o->dp.port != NULL) {
		/* A load run takes one address per family. */
		for (unsigned t = 0; t < o->ntargets; t++) {
			unsigned f = o->target[t].family == AF_INET6 ? DV_FAMILY_V6 : DV_FAMILY_V4;
			if (o->dp.target[f] != NULL) {
				dv_err("check: with --port, one address per family (-s %s and -s %s)",
				       o->dp.target[f], o->target_text[t]);
				return DV_EXIT_USAGE;
			}
			o->dp.target[f] = o->target_text[t];
		}
		o->dp.zone = o->zone;
		o->dp.dns_port = o->port;
		o->dp.timeout_s = o->timeout_ms / 1000.0;
	}
	return 0;
}

/* One check's verdict for one family: a line, a JSON row, the counts. */
static void record(const struct check_opts *o, struct table *tb, const struct dv_check *c,
		   const char *fam, enum dv_check_verdict v, const char *why)
{
	bool xfail = in_list(o->expect_fail, c->id, fam);
	const char *word = v == DV_CHECK_PASS ? "pass" : v == DV_CHECK_FAIL ? "FAIL" : "NO ANSWER";
	if (v == DV_CHECK_PASS)
		tb->pass++;
	else if (xfail)
		tb->expected++;
	else if (v == DV_CHECK_FAIL)
		tb->failed++;
	else
		tb->silent++;
	if (!o->quiet)
		printf("  %-14s %-4s %-4s %-9s %-30s %s%s\n", c->id, fam,
		       c->q.transport == DV_CHECK_TCP ? "TCP" : "UDP", word, c->rfc, why,
		       v != DV_CHECK_PASS && xfail ? " (expected)" : "");
	json_array_append_new(tb->rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "check", c->id,
						  "rfc", c->rfc, "family", fam,
						  "transport", c->q.transport == DV_CHECK_TCP ? "tcp" : "udp",
						  "verdict", v == DV_CHECK_PASS ? "pass"
						  : v == DV_CHECK_FAIL ? "fail" : "no_answer",
						  "detail", why, "expected_failure", xfail));
}

/* The table's heading (after a datapath run: its errors come first, alone). */
static void header(const struct check_opts *o)
{
	if (o->quiet)
		return;
	char how[160] = "";
	if (o->dp.port != NULL)
		snprintf(how, sizeof(how), ", over --port %s, each check %u times per address at %g qps",
			 o->dp.port, o->dp.repeat, o->dp.qps);
	printf("Compliance of %s%s%s%s (zone %s, port %u%s):\n\n  %-14s %-4s %-4s %-9s %-30s %s\n",
	       o->target_text[0], o->ntargets > 1 ? " and " : "", o->ntargets > 1 ? o->target_text[1] : "",
	       o->ntargets > 2 ? " ..." : "", o->zone, o->port, how, "check", "IP", "over", "verdict",
	       "RFC", "detail");
}

/*
 * Over the datapath: every check `repeat` times per address, judged on the
 * collector; a check passes when every answer passed, fails when one failed
 * (the field that failed most is said), has no answer when none came.
 */
static int run_datapath(const struct check_opts *o, struct table *tb, dv_check_datapath_fn datapath)
{
	static struct dv_check_tally tally[DV_FAMILIES][DV_CHECKS_MAX];
	memset(tally, 0, sizeof(tally));
	if (datapath == NULL) {
		dv_err("check: --port: this build has no datapath runner");
		return DV_EXIT_USAGE;
	}
	int rc = datapath(&o->dp, tally);
	if (rc != 0)
		return rc;
	header(o);
	for (unsigned f = 0; f < DV_FAMILIES; f++) {
		const char *fam = f == DV_FAMILY_V6 ? "v6" : "v4";
		for (unsigned i = 0; i < dv_checks_n && i < DV_CHECKS_MAX; i++) {
			const struct dv_check *c = &dv_checks[i];
			const struct dv_check_tally *t = &tally[f][i];
			if (o->dp.target[f] == NULL || (o->only[0] != '\0' && !in_list(o->only, c->id, fam)))
				continue;
			uint64_t failed = 0;
			unsigned top = DV_CR_PASS;
			for (unsigned k = DV_CR_NO_ANSWER + 1; k < DV_CR_KINDS; k++) {
				failed += t->res[k];
				if (t->res[k] > t->res[top] || (top == DV_CR_PASS && t->res[k] > 0))
					top = k;
			}
			char why[192];
			enum dv_check_verdict v;
			if (t->sent == 0) {
				v = DV_CHECK_NO_ANSWER;
				snprintf(why, sizeof(why), "not asked (the run ended first)");
			} else if (failed > 0) {
				v = DV_CHECK_FAIL;
				snprintf(why, sizeof(why), "%s: %" PRIu64 " of %" PRIu64 " answers differ there",
					 dv_check_field_name((enum dv_check_result)top), t->res[top], t->sent);
			} else if (t->res[DV_CR_PASS] == 0) {
				v = DV_CHECK_NO_ANSWER;
				snprintf(why, sizeof(why), "no answer to %" PRIu64 " queries", t->sent);
			} else if (t->res[DV_CR_NO_ANSWER] > 0) {
				v = DV_CHECK_NO_ANSWER;
				snprintf(why, sizeof(why), "%" PRIu64 " of %" PRIu64 " queries unanswered (the "
					 "answers passed)", t->res[DV_CR_NO_ANSWER], t->sent);
			} else {
				v = DV_CHECK_PASS;
				snprintf(why, sizeof(why), "%" PRIu64 " of %" PRIu64 " answers", t->res[DV_CR_PASS],
					 t->sent);
			}
			record(o, tb, c, fam, v, why);
		}
	}
	return 0;
}

/* Why a socket got no answer, in words (the verdict's detail). */
static const char *no_answer_why(int rc, char *buf, size_t len)
{
	if (rc == 0)
		return "no answer within the timeout";
	snprintf(buf, len, "no answer: %s", strerror(-rc));
	return buf;
}

int dv_cmd_check(int argc, char **argv, dv_check_datapath_fn datapath)
{
	struct check_opts o;
	int rc = parse(argc, argv, &o);
	if (rc != 0)
		return rc == 1 ? 0 : rc;

	struct table tb = { .rows = json_array() };
	uint16_t id = 0x4dc0;
	if (o.dp.port == NULL)
		header(&o);
	if (o.dp.port != NULL) {
		rc = run_datapath(&o, &tb, datapath);
		if (rc != 0) {
			json_decref(tb.rows);
			return rc;
		}
	}
	for (unsigned t = 0; o.dp.port == NULL && t < o.ntargets; t++) {
		const char *fam = o.target[t].family == AF_INET6 ? "v6" : "v4";
		for (unsigned i = 0; i < dv_checks_n; i++) {
			const struct dv_check *c = &dv_checks[i];
			if (o.only[0] != '\0' && !in_list(o.only, c->id, fam))
				continue;
			uint8_t q[512];
			static uint8_t a[65535];
			char why[192] = "";
			int qn = dv_check_build(c, o.zone, id++, q, sizeof(q));
			if (qn < 0) {
				dv_err("check: cannot build %s's query: %s", c->id, strerror(-qn));
				json_decref(tb.rows);
				return DV_EXIT_FAILURE;
			}
			int an = dv_check_ask(&o.target[t], (uint16_t)o.port, c->q.transport, q, (size_t)qn, a,
					      sizeof(a), o.timeout_ms);
			enum dv_check_verdict v;
			if (an > 0) {
				v = dv_check_verify(c, q, (size_t)qn, a, (size_t)an, why, sizeof(why));
			} else {
				v = DV_CHECK_NO_ANSWER;
				char e[96];
				snprintf(why, sizeof(why), "%s", no_answer_why(an, e, sizeof(e)));
			}
			record(&o, &tb, c, fam, v, why);
		}
	}
	if (!o.quiet)
		printf("\n  %u passed, %u failed, %u no answer, %u failures expected (--expect-fail)\n", tb.pass,
		       tb.failed, tb.silent, tb.expected);
	int status = tb.failed + tb.silent > 0 ? DV_EXIT_FAILURE : 0;
	if (o.json != NULL) {
		json_t *doc = json_pack("{s:s, s:s, s:i, s:s?, s:o, s:{s:i, s:i, s:i, s:i}}", "type", "compliance",
					"zone", o.zone, "port", (int)o.port, "datapath", o.dp.port, "checks", tb.rows,
					"summary", "passed", (int)tb.pass, "failed", (int)tb.failed, "no_answer",
					(int)tb.silent, "expected", (int)tb.expected);
		tb.rows = NULL;
		if (doc == NULL || json_dump_file(doc, o.json, JSON_INDENT(1)) != 0) {
			dv_err("check: --json: cannot write %s", o.json);
			status = DV_EXIT_FAILURE;
		}
		json_decref(doc);
	}
	json_decref(tb.rows);
	return status;
}
