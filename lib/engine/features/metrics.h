/**
 * @file metrics.h
 * @brief --metrics: the run's counters over HTTP (Prometheus text, served by
 *        libmicrohttpd's own thread) and DPDK telemetry, off the datapath.
 *
 * The control loop is the one writer: it hands the totals it snapshots for
 * the status line (and at least every second) to dv_metrics_publish(),
 * which renders them into a buffer; the HTTP and telemetry threads only
 * copy the last buffer out, under a mutex. Nothing on a generator or
 * collector lcore changes.
 */
#pragma once

#include <stdint.h>

#include "engine/session.h"
#include "metrics/counters.h"

/**
 * The run's totals so far (main lcore). No-op without --metrics.
 * @param tx, rx      cumulative snapshots of all generators and collectors
 * @param target_qps  the offered rate now, < 0 when there is none (--max)
 * @param now_tsc     when they were taken
 */
void dv_metrics_publish(struct dv_session *s, const struct dv_tx_stats *tx,
			const struct dv_rx_stats *rx, double target_qps, uint64_t now_tsc);
