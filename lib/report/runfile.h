/**
 * @file runfile.h
 * @brief Reading a result file (the JSON lines of --json) back.
 */
#pragma once

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "report/series.h"
#include "metrics/state.h"

/** A result file, read whole: its header, its intervals and its sum. */
struct dv_runfile {
	char path[4096];
	json_t *header;                /**< the header record (owned) */
	json_t **periodic;             /**< the stats_periodic records, in order (owned) */
	size_t nperiodic;
	json_t *sum;                   /**< the stats_sum record (owned), NULL if the run did not end */
	double stats_interval_s;
	double timeout_s;
};

/**
 * Read path. Errors are reported once, as "PATH:LINE: what", through dv_err().
 * @return 0, -errno (cannot read), or -EINVAL (not a dnsvolley result file)
 */
int dv_runfile_load(const char *path, struct dv_runfile *rf);

/** Release what dv_runfile_load() allocated (also after it failed). */
void dv_runfile_free(struct dv_runfile *rf);

/**
 * The counters of a stats record (its "dnsvolley"."state").
 * @return 0, or -EINVAL (reported, naming rf's path)
 */
int dv_runfile_state(const struct dv_runfile *rf, const json_t *rec, struct dv_result_store *st);

/**
 * The intervals as time-series rows (malloc'ed, *rows NULL when none).
 * @return number of rows, or a negative errno
 */
long dv_runfile_series(const struct dv_runfile *rf, struct dv_series_row **rows);
