/**
 * @file commands.c
 * @brief `dnsvolley report` and `dnsvolley merge`: result files in, reports out.
 */
#include "report/commands.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report/checks_section.h"
#include "report/consistency_json.h"
#include "report/html.h"
#include "report/json.h"
#include "report/figures.h"
#include "report/runfile.h"
#include "report/series.h"
#include "metrics/state.h"
#include "report/text.h"
#include "core/log.h"
#include "core/wallclock.h"

#define MERGE_MAX 64

/** Stores are large: the commands run once per process, so they live here. */
static struct dv_result_store acc, one;

#define USAGE_REPORT "dnsvolley report [-o DIR] [--no-plots] [-q] RESULT.json"
#define USAGE_MERGE "dnsvolley merge [-o OUT.json] [--sequential|--side-by-side] [-q] A.json B.json..."

/** One line: what is wrong (if known) and the usage. */
static int usage(const char *what, const char *arg, const char *use)
{
	if (arg != NULL)
		dv_err("%s '%s' (usage: %s)", what, arg, use);
	else
		dv_err("usage: %s", use);
	return DV_EXIT_USAGE;
}

/** DIR for RESULT.json when -o is not given: RESULT.report beside it. */
static void default_dir(const char *result, char *dir, size_t len)
{
	size_t n = strlen(result);
	if (n > 5 && strcmp(result + n - 5, ".json") == 0)
		n -= 5;
	snprintf(dir, len, "%.*s.report", (int)n, result);
}

static int write_csv(const char *dir, const struct dv_series_row *rows, size_t n)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/series.csv", dir);
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		dv_err("%s: cannot create: %s", path, strerror(errno));
		return -errno;
	}
	dv_series_csv_header(f);
	for (size_t i = 0; i < n; i++)
		dv_series_csv_row(f, &rows[i]);
	if (fclose(f) != 0) {
		dv_err("%s: cannot write: %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

/** The text report as a string (malloc'ed), for the HTML page. */
static void report_text(FILE *f, const struct dv_result *r)
{
	dv_report_text(f, NULL, r);
}

/* A part of the report as a string: the text (print) or the HTML sections. */
static char *report_string(const struct dv_result *r, void (*print)(FILE *, const struct dv_result *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (m == NULL)
		return NULL;
	print(m, r);
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int dv_cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "no-plots", no_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	bool plots = true, quiet = false;
	struct dv_runfile rf;
	struct dv_series_row *rows = NULL;
	struct dv_cons *cons = NULL;
	char *text = NULL, *sections = NULL;
	char dir[4096], html[4200];
	int opt, status = DV_EXIT_USAGE;

	memset(&rf, 0, sizeof(rf));
	json_t *sum = NULL;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case 'P': plots = false; break;
		case 'q': quiet = true; break;
		case 'h': printf("usage: %s\n", USAGE_REPORT); return 0;
		default: return usage("report: unknown option", argv[optind - 1], USAGE_REPORT);
		}
	}
	if (optind != argc - 1)
		return usage(NULL, NULL, USAGE_REPORT);
	const char *path = argv[optind];
	/* -o names a directory: an existing file there is the user's mistake (exit 2), found first. */
	struct stat ost;
	if (out != NULL && stat(out, &ost) == 0 && !S_ISDIR(ost.st_mode)) {
		dv_err("report -o %s: exists and is not a directory (the report writes a directory)",
		       out);
		goto cleanup;
	}
	/* One pass, one record in memory: the rows, the intervals' total and the sum. */
	if (dv_runfile_open(path, &rf) < 0)
		goto cleanup;
	long nrows = dv_runfile_scan(&rf, &rows, &one, &sum);
	if (nrows < 0)
		goto cleanup;
	if (sum == NULL && nrows == 0) {
		dv_err("%s: the run has no stats_sum record and no interval (it measured nothing)", path);
		goto cleanup;
	}
	if (sum != NULL) {
		if (dv_runfile_state(&rf, sum, &acc) < 0)
			goto cleanup;
		/* By load level: the intervals know, the sum does not. */
		acc.r.check_levels = one.r.check_levels;
	} else {
		/* The run did not end (killed, disk full): its intervals are its result so far. */
		dv_result_store_copy(&acc, &one);
		acc.r.run_seconds = dv_result_seconds(&acc.r);
		acc.r.send_seconds = acc.r.run_seconds;
		acc.r.incomplete = (unsigned)nrows;
	}
	/* --track-answers: its section, read back too (the state has counters only). */
	const json_t *cj = json_object_get(json_object_get(sum, "dnsvolley"), "consistency");
	if (cj != NULL) {
		char err[256];
		cons = dv_cons_new(1);
		if (cons == NULL || dv_cons_from_json(cj, cons, err, sizeof(err)) < 0) {
			dv_err("%s: %s", path, cons == NULL ? "out of memory" : err);
			goto cleanup;
		}
		acc.r.consistency = cons;
	}

	status = DV_EXIT_FAILURE;
	if (out != NULL)
		snprintf(dir, sizeof(dir), "%s", out);
	else
		default_dir(path, dir, sizeof(dir));
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		dv_err("%s: cannot create: %s", dir, strerror(errno));
		goto cleanup;
	}
	/* Written once: printed here, and the HTML page's preformatted block. */
	text = report_string(&acc.r, report_text);
	sections = report_string(&acc.r, dv_html_checks);
	if (text == NULL || sections == NULL) {
		dv_err("report: out of memory");
		goto cleanup;
	}
	if (!quiet)
		fputs(text, stdout);
	if (write_csv(dir, rows, (size_t)nrows) < 0)
		goto cleanup;

	struct dv_plot_files pf;
	memset(&pf, 0, sizeof(pf));
	int drawn = 0;
	if (plots) {
		drawn = dv_plots_render(&acc.r, rows, (size_t)nrows, dir, &pf);
		if (drawn == -ENOENT) {
			dv_err("report: gnuplot cannot be run (apt-get install gnuplot-nox), or use --no-plots");
			goto cleanup;
		}
		if (drawn < 0)
			goto cleanup;
	}
	char title[600], base[4096];
	snprintf(base, sizeof(base), "%s", path);
	const char *runid = json_string_value(json_object_get(rf.header, "runid"));
	snprintf(title, sizeof(title), "dnsvolley: %s (run %s)", basename(base), runid ? runid : "?");
	snprintf(html, sizeof(html), "%s/report.html", dir);
	struct dv_html_figure figs[DV_PLOTS];
	unsigned nfigs = dv_plot_figures(&pf, figs);
	if (dv_html_write(html, title, sections, text, dir, figs, nfigs) < 0)
		goto cleanup;
	printf("\nWrote %s/series.csv (%ld intervals), %d plots as PNG and SVG, %s\n", dir, nrows,
	       drawn, html);
	status = 0;

cleanup:
	dv_cons_free(cons);
	free(text);
	free(sections);
	free(rows);
	json_decref(sum);
	dv_runfile_free(&rf);
	return status;
}

/** A file to merge: what its first pass found. */
struct merge_in {
	struct dv_runfile rf;       /**< open for the second pass */
	json_t *sum;                /**< its stats_sum (owned) */
	size_t nperiodic;
	uint64_t since_ns, until_ns;
};

/** The runids a file holds: its own, or those it was merged from. */
static unsigned file_runids(const struct dv_runfile *rf, const char **ids, unsigned room)
{
	const json_t *from = json_object_get(rf->header, "merged_from");
	unsigned n = 0;
	if (json_is_array(from) && json_array_size(from) > 0) {
		size_t i;
		const json_t *e;
		json_array_foreach(from, i, e)
			if (json_is_string(e) && n < room)
				ids[n++] = json_string_value(e);
		return n;
	}
	if (room > 0)
		ids[n++] = dv_runfile_runid(rf);
	return n;
}

/** Side by side: the i-th intervals of every file that has one, merged into acc. */
static int merge_together_interval(struct merge_in *in, unsigned n, bool *any)
{
	uint64_t since = 0, until = 0;
	*any = false;
	for (unsigned k = 0; k < n; k++) {
		json_t *rec = NULL;
		bool is_sum = false;
		if (in[k].rf.ended)
			continue;
		int ret = dv_runfile_next(&in[k].rf, &rec, &is_sum);
		if (ret < 0)
			return ret;
		if (ret == 0 || is_sum) {
			json_decref(rec);
			continue;
		}
		struct dv_result_store *dst = *any ? &one : &acc;
		ret = dv_runfile_state(&in[k].rf, rec, dst);
		json_decref(rec);
		if (ret < 0)
			return -EINVAL;
		if (!*any) {
			*any = true;
			since = acc.r.since_ns, until = acc.r.until_ns;
			continue;
		}
		if (dv_result_merge_run(&acc, &one.r) < 0) {
			dv_err("%s: more EDNS sizes than one result holds (%d)", in[k].rf.path,
			       DV_EDNS_VARIANTS);
			return -E2BIG;
		}
	}
	/* The i-th intervals of runs side by side cover about the same time: the
	 * first file's clock says which. */
	if (*any)
		acc.r.since_ns = since, acc.r.until_ns = until;
	return 0;
}

/** The sums, side by side or one after another (in[] in the order to merge). */
static int merge_sums(struct merge_in *in, const unsigned *order, unsigned n, bool sequential)
{
	for (unsigned j = 0; j < n; j++) {
		struct merge_in *m = &in[order[j]];
		struct dv_result_store *dst = j == 0 ? &acc : &one;
		if (dv_runfile_state(&m->rf, m->sum, dst) < 0)
			return -EINVAL;
		if (j == 0)
			continue;
		int rc = sequential ? dv_result_merge_seq(&acc, &one.r) : dv_result_merge_run(&acc, &one.r);
		if (rc < 0) {
			dv_err("%s: more EDNS sizes than one result holds (%d)", m->rf.path,
			       DV_EDNS_VARIANTS);
			return -E2BIG;
		}
	}
	return 0;
}

int dv_cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "sequential", no_argument, NULL, 's' },
		{ "side-by-side", no_argument, NULL, 'b' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct merge_in in[MERGE_MAX];
	static const char *ids[MERGE_MAX * MERGE_MAX];
	static unsigned idfile[MERGE_MAX * MERGE_MAX];
	const char *out = NULL;
	bool quiet = false, sequential = false, side = false;
	struct dv_json_out jo;
	bool jopen = false;
	unsigned n = 0, nids = 0;
	int opt, status = DV_EXIT_USAGE;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case 's': sequential = true; break;
		case 'b': side = true; break;
		case 'q': quiet = true; break;
		case 'h': printf("usage: %s\n", USAGE_MERGE); return 0;
		default: return usage("merge: unknown option", argv[optind - 1], USAGE_MERGE);
		}
	}
	if (argc - optind < 2)
		return usage(NULL, NULL, USAGE_MERGE);
	if (sequential && side) {
		dv_err("merge: --sequential or --side-by-side, not both");
		return DV_EXIT_USAGE;
	}
	if (argc - optind > MERGE_MAX) {
		dv_err("merge: at most %d files", MERGE_MAX);
		return DV_EXIT_USAGE;
	}
	/* First pass, one record at a time: each file's span, intervals and sum. */
	double interval = 0.0, timeout = 0.0;
	size_t most = 0;
	for (int a = optind; a < argc; a++, n++) {
		struct merge_in *m = &in[n];
		if (dv_runfile_open(argv[a], &m->rf) < 0)
			goto cleanup;
		long np = dv_runfile_scan(&m->rf, NULL, NULL, &m->sum);
		if (np < 0)
			goto cleanup;
		if (m->sum == NULL) {
			dv_err("%s: the run has no stats_sum record (it did not end; "
			       "`dnsvolley report` rebuilds it from its intervals)", argv[a]);
			goto cleanup;
		}
		m->nperiodic = (size_t)np;
		m->since_ns = m->rf.since_ns, m->until_ns = m->rf.until_ns;
		if (n == 0)
			interval = m->rf.stats_interval_s;
		timeout = m->rf.timeout_s > timeout ? m->rf.timeout_s : timeout;
		most = m->nperiodic > most ? m->nperiodic : most;
		unsigned got = file_runids(&m->rf, ids + nids, MERGE_MAX * MERGE_MAX - nids);
		for (unsigned i = 0; i < got; i++)
			idfile[nids + i] = n;
		nids += got;
	}
	/* The same run twice would count twice. */
	unsigned first;
	int dup = dv_runs_repeated(ids, idfile, nids, &first);
	if (dup >= 0) {
		dv_err("merge: %s and %s hold the same run (runid %s): it would count twice",
		       in[first].rf.path, in[idfile[dup]].rf.path, ids[dup]);
		goto cleanup;
	}
	/* Runs side by side share their time; runs one after another add theirs. */
	uint64_t since[MERGE_MAX], until[MERGE_MAX];
	for (unsigned k = 0; k < n; k++)
		since[k] = in[k].since_ns, until[k] = in[k].until_ns;
	enum dv_runs_timing timing = dv_runs_timing(since, until, n);
	/* --side-by-side: the user says they ran at once (hosts whose clocks differ). */
	if (!sequential && !side && timing != DV_RUNS_TOGETHER) {
		unsigned a = 0, b = 1;
		for (unsigned i = 0; i < n; i++)
			for (unsigned j = i + 1; j < n; j++)
				if (!(since[i] < until[j] && since[j] < until[i]))
					a = i, b = j, i = j = n;
		if (since[b] < since[a]) {
			unsigned t = a;
			a = b, b = t;
		}
		dv_err("merge: %s ended %.1f s before %s started: runs made one after another "
		       "merge with --sequential (or --side-by-side if they did run at once)",
		       in[a].rf.path, dv_ns_span_s(until[a], since[b]), in[b].rf.path);
		goto cleanup;
	}
	if (sequential && timing != DV_RUNS_SEQUENTIAL) {
		dv_err("merge --sequential: the runs overlap in time (some ran at once): "
		       "merge them without --sequential");
		goto cleanup;
	}
	/* One after another: in the order they ran. */
	unsigned order[MERGE_MAX];
	for (unsigned k = 0; k < n; k++)
		order[k] = k;
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && since[order[j]] < since[order[j - 1]]; j--) {
			unsigned t = order[j];
			order[j] = order[j - 1], order[j - 1] = t;
		}

	status = DV_EXIT_FAILURE;
	/* Second pass: from the first interval again. */
	for (unsigned k = 0; k < n; k++)
		if (dv_runfile_rewind(&in[k].rf) < 0)
			goto cleanup;
	if (out != NULL) {
		/* The header says where the result came from: the command, its files, their runs. */
		const char *params[MERGE_MAX + 3] = { "dnsvolley", "merge" };
		int np = 2;
		if (sequential)
			params[np++] = "--sequential";
		for (unsigned k = 0; k < n; k++)
			params[np++] = in[k].rf.path;
		if (dv_json_open_params(&jo, out, np, params, interval, timeout, ids, nids,
					sequential ? "sequential" : "side-by-side") < 0)
			goto cleanup;
		jopen = true;
	}
	if (sequential) {
		/* Each run's intervals as they were, in the order the runs ran. */
		for (unsigned j = 0; j < n; j++) {
			struct merge_in *m = &in[order[j]];
			json_t *rec;
			bool is_sum;
			int ret;
			while ((ret = dv_runfile_next(&m->rf, &rec, &is_sum)) == 1) {
				if (!is_sum) {
					ret = dv_runfile_state(&m->rf, rec, &one);
					if (ret == 0 && jopen && dv_json_periodic(&jo, &one.r) < 0)
						ret = -EIO;
				}
				json_decref(rec);
				if (ret < 0)
					goto cleanup;
			}
			if (ret < 0)
				goto cleanup;
		}
	} else {
		bool any;
		for (size_t i = 0; i < most; i++) {
			if (merge_together_interval(in, n, &any) < 0)
				goto cleanup;
			if (any && jopen && dv_json_periodic(&jo, &acc.r) < 0)
				goto cleanup;
		}
	}
	if (merge_sums(in, order, n, sequential) < 0)
		goto cleanup;
	if (jopen && dv_json_sum(&jo, &acc.r) < 0)
		goto cleanup;
	if (!quiet)
		dv_report_text(stdout, NULL, &acc.r);
	status = 0;

cleanup:
	if (jopen && dv_json_close(&jo) < 0)
		status = DV_EXIT_FAILURE;
	for (unsigned k = 0; k < n + 1 && k < MERGE_MAX; k++) {
		json_decref(in[k].sum);
		in[k].sum = NULL;
		dv_runfile_free(&in[k].rf);
	}
	return status;
}
