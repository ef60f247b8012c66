/**
 * @file compare.c
 * @brief `dnsvolley compare BASE.json NEW.json`: what changed between two
 *        runs, as a table and JSON, and a verdict on --fail-if conditions.
 */
#include "report/compare.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config/conditions.h"
#include "core/json_util.h"
#include "core/log.h"
#include "metrics/state.h"
#include "report/runfile.h"
#include "report/verdict.h"

#define USAGE_COMPARE "dnsvolley compare BASE.json NEW.json [--fail-if CONDS] [--json OUT] [-q]"

/** Stores are large (histograms): the command runs once per process, so they live here. */
static struct dv_result_store base_st, new_st, scratch;

/** One run read back: its result and where it came from. */
struct compared {
	const char *path;
	char runid[64];
	unsigned incomplete;      /**< rebuilt from this many intervals (no stats_sum); 0: whole */
	struct dv_result_store *st;
};

/* The rows, in the order people read a comparison: load, losses, answers, latency. */
static const enum dv_metric rows[] = {
	DV_M_QPS, DV_M_SEND_QPS, DV_M_SENT, DV_M_ANSWERED, DV_M_TIMEOUTS, DV_M_TC,
	DV_M_NOERROR, DV_M_NXDOMAIN, DV_M_SERVFAIL, DV_M_REFUSED, DV_M_RCODE_OTHER,
	DV_M_RESOLVED, DV_M_FAILED, DV_M_P50, DV_M_P90, DV_M_P99, DV_M_P999, DV_M_MEAN,
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

/** Unit names of the JSON output. */
static const char *const unit_json[] = {
	[DV_MU_TIME] = "s", [DV_MU_SHARE] = "%", [DV_MU_RATE] = "qps", [DV_MU_COUNT] = "count",
};

static int usage(const char *what, const char *arg)
{
	if (arg != NULL)
		dv_err("compare: %s '%s' (usage: %s)", what, arg, USAGE_COMPARE);
	else
		dv_err("usage: %s", USAGE_COMPARE);
	return DV_EXIT_USAGE;
}

/**
 * Read a result file's whole run, as `report` does: its stats_sum, or, for
 * a run that did not end, its intervals added up.
 * @return 0, or a negative errno (reported)
 */
static int load(struct compared *c)
{
	struct dv_runfile rf;
	json_t *sum = NULL;
	int ret = dv_runfile_open(c->path, &rf);
	if (ret < 0)
		goto out;
	snprintf(c->runid, sizeof(c->runid), "%s", dv_runfile_runid(&rf));
	long n = dv_runfile_scan(&rf, NULL, &scratch, &sum);
	if (n < 0) {
		ret = (int)n;
		goto out;
	}
	if (sum != NULL) {
		ret = dv_runfile_state(&rf, sum, c->st);
	} else if (n > 0) {
		/* Killed or the disk filled up: what it measured so far, said in the header. */
		ret = dv_result_store_copy(c->st, &scratch);
		struct dv_result *r = &c->st->r;
		r->run_seconds = dv_result_seconds(r);
		r->send_seconds = r->run_seconds;
		c->incomplete = (unsigned)n;
	} else {
		dv_err("%s: the run has no stats_sum record and no interval (it measured nothing)",
		       c->path);
		ret = -EINVAL;
	}
out:
	json_decref(sum);
	dv_runfile_free(&rf);
	return ret;
}

/** Whether a row is shown: the logical-query rows only when a run had sequences. */
static bool row_shown(enum dv_metric m, const struct dv_result *a, const struct dv_result *b)
{
	if (m == DV_M_RESOLVED || m == DV_M_FAILED)
		return a->sequences || b->sequences;
	return true;
}

/** The absolute change in the metric's unit, signed: "+1.29ms", "-0.050 pp", "+12.0 qps". */
static void format_change(enum dv_metric_unit u, double d, char *buf, size_t len)
{
	char mag[32];
	if (isnan(d)) {
		snprintf(buf, len, "-");
		return;
	}
	switch (u) {
	case DV_MU_TIME:
		dv_metric_format(u, fabs(d), mag, sizeof(mag));
		snprintf(buf, len, "%s%s", d < 0.0 ? "-" : "+", mag);
		break;
	case DV_MU_SHARE:
		/* Percentage points: "%" here would read as the relative change. */
		snprintf(buf, len, "%+.3f pp", d);
		break;
	case DV_MU_RATE:
		snprintf(buf, len, "%+.1f qps", d);
		break;
	case DV_MU_COUNT:
		snprintf(buf, len, "%+.0f", d);
		break;
	}
}

static void format_rel(double rel, char *buf, size_t len)
{
	if (isnan(rel))
		snprintf(buf, len, "-");
	else if (isinf(rel))
		snprintf(buf, len, "+inf%% (from 0)");
	else
		snprintf(buf, len, "%+.2f%%", rel);
}

static void describe(FILE *f, const char *label, const struct compared *c)
{
	fprintf(f, "  %-5s %s (run %s)", label, c->path, c->runid[0] ? c->runid : "?");
	if (c->incomplete)
		fprintf(f, ", incomplete: no stats_sum, rebuilt from its %u intervals",
			c->incomplete);
	fputc('\n', f);
}

static void print_table(FILE *f, const struct compared *b, const struct compared *n)
{
	const struct dv_result *rb = &b->st->r, *rn = &n->st->r;
	fputs("Comparison:\n\n", f);
	describe(f, "BASE", b);
	describe(f, "NEW", n);
	fprintf(f, "\n  %-12s %16s %16s %16s %16s\n", "metric", "base", "new", "change",
		"relative");
	for (size_t i = 0; i < NROWS; i++) {
		enum dv_metric m = rows[i];
		if (!row_shown(m, rb, rn))
			continue;
		enum dv_metric_unit u = dv_metrics[m].unit;
		double vb = dv_metric_value(rb, m, NULL), vn = dv_metric_value(rn, m, NULL);
		char sb[48], sn[48], sd[48], sr[48];
		dv_metric_format(u, vb, sb, sizeof(sb));
		dv_metric_format(u, vn, sn, sizeof(sn));
		format_change(u, vn - vb, sd, sizeof(sd));
		format_rel(dv_rel_change(vb, vn), sr, sizeof(sr));
		fprintf(f, "  %-12s %16s %16s %16s %16s\n", dv_metrics[m].name, sb, sn, sd, sr);
	}
	fputc('\n', f);
}

/** A number, or null when there is none (jansson refuses NaN and infinities). */
static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *run_json(const struct compared *c, bool *ok)
{
	json_t *o = json_object();
	if (o == NULL) {
		*ok = false;
		return NULL;
	}
	dv_jput(o, "file", json_string(c->path), ok);
	dv_jput(o, "runid", json_string(c->runid), ok);
	dv_jput(o, "incomplete_intervals", json_integer(c->incomplete), ok);
	return o;
}

static json_t *metrics_json(const struct dv_result *rb, const struct dv_result *rn, bool *ok)
{
	json_t *all = json_object();
	if (all == NULL) {
		*ok = false;
		return NULL;
	}
	for (size_t i = 0; i < NROWS; i++) {
		enum dv_metric m = rows[i];
		if (!row_shown(m, rb, rn))
			continue;
		double vb = dv_metric_value(rb, m, NULL), vn = dv_metric_value(rn, m, NULL);
		double rel = dv_rel_change(vb, vn);
		json_t *o = json_object();
		if (o == NULL) {
			*ok = false;
			break;
		}
		dv_jput(o, "unit", json_string(unit_json[dv_metrics[m].unit]), ok);
		dv_jput(o, "base", jnum(vb), ok);
		dv_jput(o, "new", jnum(vn), ok);
		dv_jput(o, "change", jnum(vn - vb), ok);
		/* From 0 to more is an infinite change: null, and "from_zero" says which null. */
		dv_jput(o, "relative_pct", jnum(rel), ok);
		if (isinf(rel))
			dv_jput(o, "from_zero", json_true(), ok);
		dv_jput(all, dv_metrics[m].name, o, ok);
	}
	return all;
}

static json_t *conds_json(const struct dv_conds *cs, const struct dv_result *rb,
			  const struct dv_result *rn, unsigned *met, bool *ok)
{
	json_t *arr = json_array();
	if (arr == NULL) {
		*ok = false;
		return NULL;
	}
	*met = 0;
	for (unsigned i = 0; i < cs->n; i++) {
		const struct dv_cond *c = &cs->c[i];
		struct dv_cond_outcome oc;
		dv_cond_eval(c, rn, rb, &oc);
		*met += oc.met;
		json_t *o = json_object();
		if (o == NULL) {
			*ok = false;
			break;
		}
		dv_jput(o, "condition", json_string(c->text), ok);
		dv_jput(o, "metric", json_string(dv_metrics[c->metric].name), ok);
		dv_jput(o, "relative", json_boolean(c->relative), ok);
		dv_jput(o, "met", json_boolean(oc.met), ok);
		dv_jput(o, "value", jnum(oc.value), ok);
		if (c->relative) {
			dv_jput(o, "base", jnum(oc.base), ok);
			dv_jput(o, "change_pct", jnum(oc.change), ok);
		}
		if (oc.why != NULL)
			dv_jput(o, "no_value", json_string(oc.why), ok);
		dv_jpush(arr, o, ok);
	}
	return arr;
}

/**
 * --json OUT: the table and the conditions' outcomes as one JSON object.
 * @return 0, or -EIO (reported)
 */
static int write_json(const char *out, const struct compared *b, const struct compared *n,
		      const struct dv_conds *cs)
{
	bool ok = true;
	unsigned met = 0;
	json_t *o = json_object();
	if (o == NULL)
		ok = false;
	else {
		dv_jput(o, "type", json_string("comparison"), &ok);
		dv_jput(o, "generator", json_string("dnsvolley"), &ok);
		dv_jput(o, "base", run_json(b, &ok), &ok);
		dv_jput(o, "new", run_json(n, &ok), &ok);
		dv_jput(o, "metrics", metrics_json(&b->st->r, &n->st->r, &ok), &ok);
		dv_jput(o, "conditions", conds_json(cs, &b->st->r, &n->st->r, &met, &ok), &ok);
		dv_jput(o, "verdict", json_string(met > 0 ? "fail" : "pass"), &ok);
	}
	if (!ok) {
		json_decref(o);
		dv_err("compare: out of memory");
		return -ENOMEM;
	}
	/* Written whole or not at all: a CI step reading it never sees half of it. */
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	int ret = json_dump_file(o, tmp, JSON_INDENT(2)) == 0 && rename(tmp, out) == 0 ? 0 : -EIO;
	if (ret < 0) {
		dv_err("compare: %s: cannot write: %s", out, strerror(errno));
		remove(tmp);
	}
	json_decref(o);
	return ret;
}

int dv_cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fail-if", required_argument, NULL, 'f' },
		{ "json", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct dv_conds conds;
	const char *out = NULL;
	bool quiet = false;
	int opt;

	memset(&conds, 0, sizeof(conds));
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":qh", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			/* Relative values are what compare is for: against BASE. */
			if (dv_conds_parse(optarg, "compare: --fail-if", true, &conds) < 0)
				return DV_EXIT_USAGE;
			break;
		case 'j': out = optarg; break;
		case 'q': quiet = true; break;
		case 'h': printf("usage: %s\n", USAGE_COMPARE); return 0;
		case ':': return usage("a value is missing after", argv[optind - 1]);
		default: return usage("unknown option", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return usage(NULL, NULL);
	dv_log_set_quiet(quiet);

	struct compared b = { .path = argv[optind], .st = &base_st };
	struct compared n = { .path = argv[optind + 1], .st = &new_st };
	/* A file that cannot be read is the user's to fix (exit 2), as for report. */
	if (load(&b) < 0 || load(&n) < 0)
		return DV_EXIT_USAGE;
	if (!quiet)
		print_table(stdout, &b, &n);
	fflush(stdout);
	if (out != NULL && write_json(out, &b, &n, &conds) < 0)
		return DV_EXIT_FAILURE;
	return dv_verdict_report(&conds, &n.st->r, &b.st->r) > 0 ? DV_EXIT_VERDICT : 0;
}
