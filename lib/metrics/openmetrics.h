/**
 * @file openmetrics.h
 * @brief A run's counters as Prometheus / OpenMetrics text (--metrics), and
 *        the same samples for other exporters (DPDK telemetry).
 *
 * Pure functions of cumulative counters: no clock, no I/O, no lock. The
 * engine's metrics feature calls them on the main lcore with the snapshots
 * it takes for the status line, and serves the text it gets. Names follow
 * Prometheus' conventions: prefix dnsvolley_, counters end in _total, base
 * units (seconds, bytes). docs/metrics.md lists every family.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics/counters.h"

/** Prometheus text format 0.0.4 (what promtool checks) and OpenMetrics 1.0. */
#define DV_OM_CTYPE_PROM "text/plain; version=0.0.4; charset=utf-8"
#define DV_OM_CTYPE_OPENMETRICS "application/openmetrics-text; version=1.0.0; charset=utf-8"

/** Upper bounds of the latency histogram's buckets: 2^e - 1 ns for e in [FIRST, LAST]. */
#define DV_OM_LE_FIRST 10 /* 1.023 us */
#define DV_OM_LE_LAST 36  /* 68.7 s */
#define DV_OM_LE_N (DV_OM_LE_LAST - DV_OM_LE_FIRST + 1)

/** What the metrics are made of: cumulative counters and the run's gauges. */
struct dv_om_view {
	const struct dv_tx_stats *tx;   /**< all generators, since the start */
	const struct dv_rx_stats *rx;   /**< all collectors, since the start */
	unsigned n_edns;                /**< EDNS variants of the run */
	const int *edns_size;           /**< n_edns sizes, 0 = no OPT (label edns="none") */
	bool sequences;                 /**< logical-query families (sequences of attempts) */
	bool tcp;                       /**< TCP carries attempts: connection families */
	double target_qps;              /**< offered rate now; < 0 = none (--max, no fixed rate) */
	double achieved_qps;            /**< attempts sent per second over the last interval */
	uint64_t tcp_open;              /**< TCP connections open now */
	double elapsed_s;               /**< seconds since sending started */
	bool running;                   /**< false once the run ended: the values are final */
};

/** Kinds of metric families. */
enum dv_om_type {
	DV_OM_COUNTER,
	DV_OM_GAUGE,
	DV_OM_HISTOGRAM,
};

/** One metric family. */
struct dv_om_family {
	const char *name;         /**< without _total ("dnsvolley_answers") */
	enum dv_om_type type;
	const char *help;
};

/** Up to three labels of a sample. */
#define DV_OM_LABELS 3
struct dv_om_labels {
	unsigned n;
	const char *name[DV_OM_LABELS];
	char value[DV_OM_LABELS][24];
};

/** A sample's value: an exact count, or a float; ns counts print as exact seconds. */
struct dv_om_value {
	enum { DV_OM_U64, DV_OM_NS_AS_S, DV_OM_DOUBLE } kind;
	uint64_t u;
	double d;
};

/**
 * Who receives the walk: each family once, then its samples. suffix is
 * "_total" (counters), "" (gauges), "_bucket", "_sum" or "_count"
 * (histograms; a bucket's le is its last label).
 */
struct dv_om_walker {
	void (*family)(void *ctx, const struct dv_om_family *f);
	void (*sample)(void *ctx, const struct dv_om_family *f, const char *suffix,
		       const struct dv_om_labels *l, const struct dv_om_value *v);
	void *ctx;
};

/** Walk every family and sample of v, in a fixed order. */
void dv_om_walk(const struct dv_om_view *v, const struct dv_om_walker *w);

/**
 * The text exposition of v into buf (always NUL-terminated when len > 0).
 * @param openmetrics  OpenMetrics 1.0 (counter families named without
 *                     _total, "# EOF" at the end) instead of Prometheus 0.0.4
 * @return the length the whole text needs (as snprintf: >= len means cut)
 */
size_t dv_om_render(const struct dv_om_view *v, bool openmetrics, char *buf, size_t len);

/** Write n ns as exact decimal seconds ("1.000000023"). @return as snprintf */
int dv_om_ns_str(uint64_t ns, char *buf, size_t len);
