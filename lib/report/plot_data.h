/**
 * @file plot_data.h
 * @brief resperf-compatible plot data (--plot FILE): one line per interval.
 *
 * Columns as resperf's -P file has them, so resperf-report style plotting
 * works unchanged: time (s since start), target queries per second, actual
 * queries per second, responses per second, failures per second, average
 * latency (s), connections per second and average connection latency (both 0:
 * dnsvolley is UDP only).
 */
#pragma once

#include <stdio.h>

#include "metrics/sink.h" /* struct dv_plot_row */

/**
 * Create the file and write its header comment.
 * @return the stream, or NULL (reported, one line)
 */
FILE *dv_plot_open(const char *path);

/** Append one row. */
void dv_plot_write(FILE *f, const struct dv_plot_row *r);

/** Flush and close. @return 0 or -EIO (reported) */
int dv_plot_close(FILE *f, const char *path);
