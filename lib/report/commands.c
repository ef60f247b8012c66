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

#include "report/consistency_json.h"
#include "report/html.h"
#include "report/json.h"
#include "report/figures.h"
#include "report/runfile.h"
#include "report/series.h"
#include "metrics/state.h"
#include "report/text.h"
#include "core/log.h"

#define MERGE_MAX 64

/** Stores are large: the commands run once per process, so they live here. */
static struct dv_result_store acc, one;

#define USAGE_REPORT "dnsvolley report [-o DIR] [--no-plots] [-q] RESULT.json"
#define USAGE_MERGE "dnsvolley merge [-o OUT.json] [-q] A.json B.json..."

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
static char *report_string(const struct dv_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (m == NULL)
		return NULL;
	dv_report_text(m, NULL, r);
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
	char *text = NULL;
	char dir[4096], html[4200];
	int opt, status = DV_EXIT_USAGE;

	memset(&rf, 0, sizeof(rf));
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
	if (dv_runfile_load(path, &rf) < 0)
		goto cleanup;
	if (rf.sum == NULL) {
		dv_err("%s: the run has no stats_sum record (it did not end)", path);
		goto cleanup;
	}
	if (dv_runfile_state(&rf, rf.sum, &acc) < 0)
		goto cleanup;
	/* --track-answers: its section, read back too (the state has counters only). */
	const json_t *cj = json_object_get(json_object_get(rf.sum, "dnsvolley"), "consistency");
	if (cj != NULL) {
		char err[256];
		cons = dv_cons_new(1);
		if (cons == NULL || dv_cons_from_json(cj, cons, err, sizeof(err)) < 0) {
			dv_err("%s: %s", path, cons == NULL ? "out of memory" : err);
			goto cleanup;
		}
		acc.r.consistency = cons;
	}
	long nrows = dv_runfile_series(&rf, &rows);
	if (nrows < 0)
		goto cleanup;

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
	text = report_string(&acc.r);
	if (text == NULL) {
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
	if (dv_html_write(html, title, text, dir, &pf) < 0)
		goto cleanup;
	printf("\nWrote %s/series.csv (%ld intervals), %d plots as PNG and SVG, %s\n", dir, nrows,
	       drawn, html);
	status = 0;

cleanup:
	dv_cons_free(cons);
	free(text);
	free(rows);
	dv_runfile_free(&rf);
	return status;
}

/** Merge record i (an interval, or the sum when i == SIZE_MAX) of every file that has it. */
static int merge_record(struct dv_runfile *rf, unsigned n, size_t i, bool *any)
{
	uint64_t since = 0, until = 0;
	*any = false;
	for (unsigned k = 0; k < n; k++) {
		const json_t *rec = i == SIZE_MAX ? rf[k].sum
						  : i < rf[k].nperiodic ? rf[k].periodic[i] : NULL;
		if (rec == NULL)
			continue;
		struct dv_result_store *dst = *any ? &one : &acc;
		if (dv_runfile_state(&rf[k], rec, dst) < 0)
			return -EINVAL;
		if (!*any) {
			*any = true;
			since = acc.r.since_ns, until = acc.r.until_ns;
			continue;
		}
		if (dv_result_merge_run(&acc, &one.r) < 0) {
			dv_err("%s: more EDNS sizes than one result holds (%d)", rf[k].path,
			       DV_EDNS_VARIANTS);
			return -E2BIG;
		}
	}
	/* The i-th intervals of runs side by side cover about the same time: the
	 * first file's clock says which, rather than a span from the earliest to
	 * the latest (which would thin the rates out for runs made one after another). */
	if (*any && i != SIZE_MAX)
		acc.r.since_ns = since, acc.r.until_ns = until;
	return 0;
}

int dv_cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct dv_runfile rf[MERGE_MAX];
	const char *out = NULL;
	bool quiet = false;
	struct dv_json_out jo;
	bool jopen = false;
	unsigned n = 0;
	int opt, status = DV_EXIT_USAGE;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case 'q': quiet = true; break;
		case 'h': printf("usage: %s\n", USAGE_MERGE); return 0;
		default: return usage("merge: unknown option", argv[optind - 1], USAGE_MERGE);
		}
	}
	if (argc - optind < 2)
		return usage(NULL, NULL, USAGE_MERGE);
	if (argc - optind > MERGE_MAX) {
		dv_err("merge: at most %d files", MERGE_MAX);
		return DV_EXIT_USAGE;
	}
	double interval = 0.0, timeout = 0.0;
	size_t most = 0;
	for (int a = optind; a < argc; a++, n++) {
		if (dv_runfile_load(argv[a], &rf[n]) < 0)
			goto cleanup;
		if (rf[n].sum == NULL) {
			dv_err("%s: the run has no stats_sum record (it did not end)", argv[a]);
			goto cleanup;
		}
		if (n == 0)
			interval = rf[n].stats_interval_s;
		timeout = rf[n].timeout_s > timeout ? rf[n].timeout_s : timeout;
		most = rf[n].nperiodic > most ? rf[n].nperiodic : most;
	}

	status = DV_EXIT_FAILURE;
	if (out != NULL) {
		/* The header says where the result came from: the command and its files. */
		const char *params[MERGE_MAX + 2] = { "dnsvolley", "merge" };
		for (unsigned k = 0; k < n; k++)
			params[k + 2] = rf[k].path;
		if (dv_json_open_params(&jo, out, (int)n + 2, params, interval, timeout) < 0)
			goto cleanup;
		jopen = true;
	}
	bool any;
	for (size_t i = 0; i < most; i++) {
		if (merge_record(rf, n, i, &any) < 0)
			goto cleanup;
		if (any && jopen && dv_json_periodic(&jo, &acc.r) < 0)
			goto cleanup;
	}
	if (merge_record(rf, n, SIZE_MAX, &any) < 0)
		goto cleanup;
	if (jopen && dv_json_sum(&jo, &acc.r) < 0)
		goto cleanup;
	if (!quiet)
		dv_report_text(stdout, NULL, &acc.r);
	status = 0;

cleanup:
	if (jopen && dv_json_close(&jo) < 0)
		status = DV_EXIT_FAILURE;
	for (unsigned k = 0; k < n + 1 && k < MERGE_MAX; k++)
		dv_runfile_free(&rf[k]);
	return status;
}
