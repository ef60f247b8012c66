/**
 * @file stats.c
 * @brief Per-lcore counters: init, merge, snapshot, delta; result sums.
 */
#include "report/stats.h"

#include <string.h>

#include "util/count.h"

/** Number of elements of an array. */
#define DV_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/** a - b, saturating at 0: relaxed snapshots of a live writer are not perfectly ordered. */
static inline uint64_t sub_sat(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static void add_arr(uint64_t *dst, const uint64_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] += src[i];
}

static void read_arr(uint64_t *dst, const uint64_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = dv_count_read(&src[i]);
}

static void sub_arr(uint64_t *dst, const uint64_t *now, const uint64_t *before, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = sub_sat(now[i], before[i]);
}

void dv_tx_stats_init(struct dv_tx_stats *s)
{
	memset(s, 0, sizeof(*s));
}

void dv_rx_stats_init(struct dv_rx_stats *s)
{
	memset(s, 0, sizeof(*s));
	dv_hist_init(&s->latency);
}

void dv_tx_stats_merge(struct dv_tx_stats *dst, const struct dv_tx_stats *src)
{
	add_arr(dst->sent, src->sent, DV_ARRAY_LEN(dst->sent));
	dst->tx_bytes += src->tx_bytes;
	dst->alloc_fail += src->alloc_fail;
	dst->tx_full += src->tx_full;
	dst->inflight_full += src->inflight_full;
	dst->sched_slips += src->sched_slips;
	/* 0 means "never sent": it must not win the minimum. */
	if (src->first_tx_tsc != 0 &&
	    (dst->first_tx_tsc == 0 || src->first_tx_tsc < dst->first_tx_tsc))
		dst->first_tx_tsc = src->first_tx_tsc;
	if (src->last_tx_tsc > dst->last_tx_tsc)
		dst->last_tx_tsc = src->last_tx_tsc;
}

void dv_rx_stats_merge(struct dv_rx_stats *dst, const struct dv_rx_stats *src)
{
	add_arr(dst->answered, src->answered, DV_ARRAY_LEN(dst->answered));
	add_arr(dst->timeouts, src->timeouts, DV_ARRAY_LEN(dst->timeouts));
	add_arr(dst->rcode, src->rcode, DV_ARRAY_LEN(dst->rcode));
	dst->truncated += src->truncated;
	dst->late += src->late;
	dst->duplicate += src->duplicate;
	dst->unmatched += src->unmatched;
	dst->rx_pkts += src->rx_pkts;
	dst->rx_bytes += src->rx_bytes;
	add_arr(dst->rx_class, src->rx_class, DV_ARRAY_LEN(dst->rx_class));
	dv_hist_merge(&dst->latency, &src->latency);
}

void dv_tx_stats_snapshot(struct dv_tx_stats *dst, const struct dv_tx_stats *src)
{
	read_arr(dst->sent, src->sent, DV_ARRAY_LEN(dst->sent));
	dst->tx_bytes = dv_count_read(&src->tx_bytes);
	dst->alloc_fail = dv_count_read(&src->alloc_fail);
	dst->tx_full = dv_count_read(&src->tx_full);
	dst->inflight_full = dv_count_read(&src->inflight_full);
	dst->sched_slips = dv_count_read(&src->sched_slips);
	dst->first_tx_tsc = dv_count_read(&src->first_tx_tsc);
	dst->last_tx_tsc = dv_count_read(&src->last_tx_tsc);
}

void dv_rx_stats_snapshot(struct dv_rx_stats *dst, const struct dv_rx_stats *src)
{
	read_arr(dst->answered, src->answered, DV_ARRAY_LEN(dst->answered));
	read_arr(dst->timeouts, src->timeouts, DV_ARRAY_LEN(dst->timeouts));
	read_arr(dst->rcode, src->rcode, DV_ARRAY_LEN(dst->rcode));
	dst->truncated = dv_count_read(&src->truncated);
	dst->late = dv_count_read(&src->late);
	dst->duplicate = dv_count_read(&src->duplicate);
	dst->unmatched = dv_count_read(&src->unmatched);
	dst->rx_pkts = dv_count_read(&src->rx_pkts);
	dst->rx_bytes = dv_count_read(&src->rx_bytes);
	read_arr(dst->rx_class, src->rx_class, DV_ARRAY_LEN(dst->rx_class));
	dv_hist_snapshot(&dst->latency, &src->latency);
}

void dv_tx_stats_delta(struct dv_tx_stats *dst, const struct dv_tx_stats *now,
		       const struct dv_tx_stats *before)
{
	sub_arr(dst->sent, now->sent, before->sent, DV_ARRAY_LEN(dst->sent));
	dst->tx_bytes = sub_sat(now->tx_bytes, before->tx_bytes);
	dst->alloc_fail = sub_sat(now->alloc_fail, before->alloc_fail);
	dst->tx_full = sub_sat(now->tx_full, before->tx_full);
	dst->inflight_full = sub_sat(now->inflight_full, before->inflight_full);
	dst->sched_slips = sub_sat(now->sched_slips, before->sched_slips);
	/* Timestamps are points, not counters: the interval keeps the latest. */
	dst->first_tx_tsc = now->first_tx_tsc;
	dst->last_tx_tsc = now->last_tx_tsc;
}

void dv_rx_stats_delta(struct dv_rx_stats *dst, const struct dv_rx_stats *now,
		       const struct dv_rx_stats *before)
{
	sub_arr(dst->answered, now->answered, before->answered, DV_ARRAY_LEN(dst->answered));
	sub_arr(dst->timeouts, now->timeouts, before->timeouts, DV_ARRAY_LEN(dst->timeouts));
	sub_arr(dst->rcode, now->rcode, before->rcode, DV_ARRAY_LEN(dst->rcode));
	dst->truncated = sub_sat(now->truncated, before->truncated);
	dst->late = sub_sat(now->late, before->late);
	dst->duplicate = sub_sat(now->duplicate, before->duplicate);
	dst->unmatched = sub_sat(now->unmatched, before->unmatched);
	dst->rx_pkts = sub_sat(now->rx_pkts, before->rx_pkts);
	dst->rx_bytes = sub_sat(now->rx_bytes, before->rx_bytes);
	sub_arr(dst->rx_class, now->rx_class, before->rx_class, DV_ARRAY_LEN(dst->rx_class));
	dv_hist_delta(&dst->latency, &now->latency, &before->latency);
}

uint64_t dv_result_sent(const struct dv_result *r)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < DV_FAMILIES; i++)
		n += r->tx.sent[i];
	return n;
}

uint64_t dv_result_answered(const struct dv_result *r)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < DV_FAMILIES; i++)
		n += r->rx.answered[i];
	return n;
}

uint64_t dv_result_timeouts(const struct dv_result *r)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < DV_FAMILIES; i++)
		n += r->rx.timeouts[i];
	return n;
}

const char *dv_rcode_name(unsigned rcode)
{
	/* RFC 1035 and RFC 2136 header RCODEs; 11..15 are unassigned in the header. */
	static const char *const names[16] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
		"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
		"RCODE11", "RCODE12", "RCODE13", "RCODE14", "RCODE15",
	};
	if (rcode >= DV_ARRAY_LEN(names))
		return "UNKNOWN";
	return names[rcode];
}
