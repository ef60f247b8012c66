/**
 * @file series.h
 * @brief A run's intervals as a time series: what the CSV and the plots over time use.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "metrics/result.h"

/** One interval (a stats_periodic record) reduced to the numbers people plot. */
struct dv_series_row {
	double t_s;          /**< end of the interval, seconds since the run's start */
	double secs;         /**< length of the interval, s */
	double target_qps;   /**< offered rate the schedule aimed at (0: unlimited or unknown) */
	uint64_t sent;       /**< attempts sent (both families) */
	uint64_t logical;    /**< of those: new logical queries (first attempts), what the target is for */
	uint64_t retries;    /**< of those: later attempts of a logical query */
	uint64_t answered;   /**< attempts answered */
	uint64_t timeouts;   /**< attempts that timed out in this interval */
	uint64_t truncated;  /**< answers with TC=1 */
	uint64_t fragments;  /**< IP fragments received (both families) */
	uint64_t icmp;       /**< ICMP errors received (both families) */
	uint64_t rx_packets; /**< frames received */
	uint64_t p50_ns;     /**< latency percentiles of this interval's answers, 0 when none */
	uint64_t p99_ns;
	double stall_s;      /**< the process stalled this long in the interval (0: none) */
};

/** n per second over secs; 0 for an empty interval. */
static inline double dv_per_s(uint64_t n, double secs)
{
	return secs > 0.0 ? (double)n / secs : 0.0;
}

/**
 * Reduce an interval result to a row.
 * @param iv     the interval (since_ns/until_ns set)
 * @param start_ns wall clock of the run's start (ns since the epoch)
 */
void dv_series_row_of(const struct dv_result *iv, uint64_t start_ns, struct dv_series_row *row);

/**
 * Pure: whether no interval covers the time before rows[i] (a whole interval
 * of rows[i]'s length or more since rows[i - 1] ended): runs merged one after
 * another. Plots break their lines there.
 */
static inline bool dv_series_gap(const struct dv_series_row *rows, size_t i)
{
	return i > 0 && rows[i].t_s - rows[i].secs - rows[i - 1].t_s >= rows[i].secs &&
	       rows[i].secs > 0.0;
}

/** The CSV header line (with '\n'). */
void dv_series_csv_header(FILE *f);

/** One CSV line (with '\n'): rates per second and percentiles in ms. */
void dv_series_csv_row(FILE *f, const struct dv_series_row *row);
