/**
 * @file stats.h
 * @brief Per-lcore counters and the merged result of a run.
 *
 * Generator-side and collector-side counters are separate cache-aligned
 * structs so that each has exactly one writer, also when the roles run on
 * different lcores. The main lcore reads them (relaxed) for interval lines and
 * merges them after the lcores have stopped.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config/plan.h"
#include "report/hist.h"
#include "wire/response.h"

/** Written only by the generator role of one lcore. */
struct dv_tx_stats {
	uint64_t sent[DV_FAMILIES];   /**< queries handed to the PMD and accepted */
	uint64_t tx_bytes;            /**< frame bytes of those */
	uint64_t alloc_fail;          /**< mbuf pool empty: query not sent */
	uint64_t tx_full;             /**< PMD refused the burst tail: not sent */
	uint64_t inflight_full;       /**< in-flight table full: not sent */
	uint64_t sched_slips;         /**< schedule re-anchored after a stall */
	uint64_t first_tx_tsc;        /**< TSC of the first send, 0 before */
	uint64_t last_tx_tsc;         /**< TSC of the last send */
} __attribute__((aligned(64)));

/** Written only by the collector role of one lcore. */
struct dv_rx_stats {
	uint64_t answered[DV_FAMILIES]; /**< first matching response per query */
	uint64_t timeouts[DV_FAMILIES]; /**< no matching response within the timeout */
	uint64_t rcode[16];             /**< header RCODE of answered queries */
	uint64_t truncated;             /**< answered with TC=1 (also counted in answered) */
	uint64_t late;                  /**< response to a query already timed out */
	uint64_t duplicate;             /**< second response to an answered query */
	uint64_t unmatched;             /**< no query with this port+ID outstanding, or question differs */
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint64_t rx_class[DV_PKT_CLASSES];
	struct dv_hist latency;         /**< answered queries, RX - TX, ns */
} __attribute__((aligned(64)));

/** The merged result of a run (or one interval of it). */
struct dv_result {
	struct dv_tx_stats tx;
	struct dv_rx_stats rx;
	uint64_t since_ns;      /**< wall clock, ns since the epoch */
	uint64_t until_ns;
	double send_seconds;    /**< time from first to last send */
	double run_seconds;     /**< time the run took, with drain */
	double target_qps;
	bool interrupted;       /**< stopped by a signal */
};

/** Zero a tx struct. */
void dv_tx_stats_init(struct dv_tx_stats *s);
/** Zero an rx struct (and empty its histogram). */
void dv_rx_stats_init(struct dv_rx_stats *s);

/** dst += src, field by field. first/last TSC: min of non-zero / max. */
void dv_tx_stats_merge(struct dv_tx_stats *dst, const struct dv_tx_stats *src);
void dv_rx_stats_merge(struct dv_rx_stats *dst, const struct dv_rx_stats *src);

/** Relaxed-load copy of stats another lcore is writing. */
void dv_tx_stats_snapshot(struct dv_tx_stats *dst, const struct dv_tx_stats *src);
void dv_rx_stats_snapshot(struct dv_rx_stats *dst, const struct dv_rx_stats *src);

/** dst = now - before (counters and histogram). */
void dv_tx_stats_delta(struct dv_tx_stats *dst, const struct dv_tx_stats *now,
		       const struct dv_tx_stats *before);
void dv_rx_stats_delta(struct dv_rx_stats *dst, const struct dv_rx_stats *now,
		       const struct dv_rx_stats *before);

/** Sum over families. */
uint64_t dv_result_sent(const struct dv_result *r);
uint64_t dv_result_answered(const struct dv_result *r);
uint64_t dv_result_timeouts(const struct dv_result *r);

/** RCODE mnemonic ("NOERROR", "SERVFAIL", ... "RCODE12"). */
const char *dv_rcode_name(unsigned rcode);
