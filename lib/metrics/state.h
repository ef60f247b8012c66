/**
 * @file state.h
 * @brief A run's counters as JSON, losslessly: what `dnsvolley report` and
 *        `dnsvolley merge` read back.
 *
 * The dns-metrics fields and the "dnsvolley" tables are summaries (sizes of
 * the EDNS mix summed, percentiles rounded). The "state" object beside them
 * holds every counter and every histogram bucket, so that a result read back
 * prints the same report and merges exactly. Arrays are sparse
 * ([[index, value], ...], zeros left out); counters are 64-bit two's
 * complement (UINT64_MAX, "none yet", reads as -1).
 */
#pragma once

#include <stdbool.h>

#include <jansson.h>

#include "metrics/result.h"

/** Longest port name kept by a result read back. */
#define DV_STATE_NAME_MAX 128

/** A result that owns the strings its dv_result points at. */
struct dv_result_store {
	struct dv_result r;
	char port_name[DV_MAX_PORTS][DV_STATE_NAME_MAX];
	char rx_timestamps[DV_STATE_NAME_MAX];
};

/**
 * The state object of r.
 * @return a new reference, or NULL when out of memory
 */
json_t *dv_state_to_json(const struct dv_result *r);

/**
 * Read a state object into st (zeroed first; st->r's strings point into st).
 * Unknown keys are ignored (a newer writer); wrong types, indexes out of
 * range and unknown EDNS layouts are errors.
 * @param[out] err one line saying what is wrong, when the return is < 0
 * @return 0, or -EINVAL
 */
int dv_state_from_json(const json_t *o, struct dv_result_store *st, char *err, size_t errlen);

/** Point a copied store's strings at its own buffers (after a struct copy). */
void dv_result_store_fix(struct dv_result_store *st);

/**
 * Merge another run into acc (a copy of the first run, fixed with
 * dv_result_store_fix()), exactly: counters add, histograms add bucket
 * by bucket, EDNS variants are matched by size (a size new to acc gets a new
 * variant). Times span both; rates add (runs side by side, as from several
 * hosts). Per-port and per-collector lists are concatenated while they fit,
 * else dropped (their totals stay exact).
 * @return 0, or -E2BIG when the EDNS sizes of both do not fit in one result
 */
int dv_result_merge_run(struct dv_result_store *acc, const struct dv_result *src);

/** Copy a store (its strings pointing at the copy's buffers). @return 0 */
int dv_result_store_copy(struct dv_result_store *dst, const struct dv_result_store *src);

/**
 * Add a later interval of the same run to acc (which holds the earlier ones):
 * counters add, the span grows; what describes the run stays acc's. So a run
 * whose file has intervals but no sum is rebuilt from them.
 * @return 0, or -E2BIG when the EDNS sizes do not fit
 */
int dv_result_add_interval(struct dv_result_store *acc, const struct dv_result *iv);

/**
 * Merge a run made after acc's runs (merge --sequential): counters add as in
 * dv_result_merge_run(), but times add (run and send time are the sums), the
 * offered rate is the send-time-weighted mean, and what ran at once
 * (generators, memory) is the largest run's, not the sum.
 * @return 0, or -E2BIG when the EDNS sizes do not fit
 */
int dv_result_merge_seq(struct dv_result_store *acc, const struct dv_result *src);
