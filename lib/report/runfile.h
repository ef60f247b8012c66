/**
 * @file runfile.h
 * @brief Reading a result file (the JSON lines of --json) back, one record at
 *        a time: memory does not grow with the file (a 100 MB file is read
 *        in a few MB, docs/report.md).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "report/series.h"
#include "metrics/state.h"

/** A result file being read: its header, then its stats records one by one. */
struct dv_runfile {
	char path[4096];
	FILE *f;
	char *line;
	size_t linecap;
	unsigned lineno;
	json_t *header;                /**< the header record (owned) */
	bool ended;                    /**< its stats_sum was read (nothing may follow) */
	size_t nperiodic;              /**< stats_periodic records read so far */
	uint64_t since_ns, until_ns;   /**< the run's span: first since, last until read */
	double stats_interval_s;
	double timeout_s;
};

/**
 * Open path and read its header. Errors are reported once, as "PATH:LINE:
 * what", through dv_err().
 * @return 0, -errno (cannot read), or -EINVAL (not a dnsvolley result file)
 */
int dv_runfile_open(const char *path, struct dv_runfile *rf);

/**
 * The next stats record (owned by the caller: json_decref it).
 * @return 1 with *rec (*is_sum: it is the stats_sum), 0 at the end, or a
 *         negative errno (reported)
 */
int dv_runfile_next(struct dv_runfile *rf, json_t **rec, bool *is_sum);

/** Back to the first record after the header (a second pass). @return 0 or -errno (reported) */
int dv_runfile_rewind(struct dv_runfile *rf);

/** Release what dv_runfile_open() holds (also after it failed). */
void dv_runfile_free(struct dv_runfile *rf);

/** The header's runid, "" when it has none. */
const char *dv_runfile_runid(const struct dv_runfile *rf);

/**
 * The counters of a stats record (its "dnsvolley"."state").
 * @return 0, or -EINVAL (reported, naming rf's path)
 */
int dv_runfile_state(const struct dv_runfile *rf, const json_t *rec, struct dv_result_store *st);

/**
 * Read the rest of the file. Each interval becomes a time-series row when
 * rows is not NULL (malloc'ed, *rows NULL when none) and is added to total
 * when total is not NULL (the run rebuilt from its intervals, for a file
 * without stats_sum); the stats_sum record goes to *sum (owned, NULL if the
 * run did not end) when sum is not NULL.
 * @return the number of intervals, or a negative errno (reported)
 */
long dv_runfile_scan(struct dv_runfile *rf, struct dv_series_row **rows,
		     struct dv_result_store *total, json_t **sum);

/** Runs' spans: how runs to merge relate in time. */
enum dv_runs_timing {
	DV_RUNS_TOGETHER,   /**< every run overlaps every other: side by side */
	DV_RUNS_SEQUENTIAL, /**< no two overlap: one after another */
	DV_RUNS_MIXED,      /**< some overlap, some do not */
};

/** Pure: how the spans [since[i], until[i]] relate (n >= 2). */
enum dv_runs_timing dv_runs_timing(const uint64_t *since, const uint64_t *until, unsigned n);

/**
 * Pure: the first runid given twice. ids[i] is a runid of file[i] (a file's
 * runid, or for a merged file each runid it was merged from).
 * @return the index in ids of the second occurrence (*a: file of the first),
 *         or -1 when every runid is once
 */
int dv_runs_repeated(const char *const *ids, const unsigned *file, unsigned n, unsigned *a);
