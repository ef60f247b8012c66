/**
 * @file series.c
 * @brief Interval results as time-series rows and CSV lines.
 */
#include "report/series.h"

#include <inttypes.h>

#include "core/wallclock.h"

void dv_series_row_of(const struct dv_result *iv, uint64_t start_ns, struct dv_series_row *row)
{
	const struct dv_rx_stats *rx = &iv->rx;
	uint64_t icmp = 0;
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		for (unsigned k = 0; k < DV_ICMP_KINDS; k++)
			icmp += rx->icmp[f][k];
	*row = (struct dv_series_row){
		.t_s = dv_ns_span_s(start_ns, iv->until_ns),
		.secs = dv_result_seconds(iv),
		.target_qps = iv->target_qps,
		.sent = dv_result_sent(iv),
		.logical = iv->tx.logical,
		.retries = iv->tx.retries,
		.answered = dv_result_answered(iv),
		.timeouts = dv_result_timeouts(iv),
		.truncated = rx->truncated,
		.fragments = rx->frag.frags[DV_FAMILY_V4] + rx->frag.frags[DV_FAMILY_V6],
		.icmp = icmp,
		.rx_packets = rx->rx_pkts,
		.p50_ns = rx->latency.count ? dv_hist_quantile(&rx->latency, 0.50) : 0,
		.p99_ns = rx->latency.count ? dv_hist_quantile(&rx->latency, 0.99) : 0,
		.stall_s = iv->stalls.total_s,
	};
}

void dv_series_csv_header(FILE *f)
{
	fputs("time_s,interval_s,target_qps,sent_qps,answered_qps,timeouts_ps,sent,answered,"
	      "timeouts,truncated,fragments,icmp,rx_packets,p50_ms,p99_ms,stall_s\n", f);
}

void dv_series_csv_row(FILE *f, const struct dv_series_row *r)
{
	fprintf(f, "%.3f,%.3f,%.1f,%.1f,%.1f,%.1f,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
		",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%.6f,%.6f,%.3f\n", r->t_s, r->secs, r->target_qps,
		dv_per_s(r->sent, r->secs), dv_per_s(r->answered, r->secs), dv_per_s(r->timeouts, r->secs),
		r->sent, r->answered, r->timeouts, r->truncated, r->fragments, r->icmp, r->rx_packets,
		(double)r->p50_ns / 1e6, (double)r->p99_ns / 1e6, r->stall_s);
}
