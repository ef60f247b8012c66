/**
 * @file counters.c
 * @brief Per-lcore counters: init, merge, snapshot, delta; result sums.
 */
#include "metrics/counters.h"

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

/*
 * The per-attempt and per-variant tables are 2-D arrays of uint64_t: walk them
 * as flat arrays (a contiguous array of arrays has no padding).
 */
#define DV_FLAT(a) (&(a)[0][0])
#define DV_FLAT_LEN(a) (sizeof(a) / sizeof((a)[0][0]))

/** The empty (EDNS size, family) cells of an rx struct. */
static void edns_init(struct dv_edns_rx (*e)[DV_FAMILIES])
{
	for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++) {
		for (unsigned f = 0; f < DV_FAMILIES; f++) {
			memset(&e[v][f], 0, sizeof(e[v][f]));
			e[v][f].resp_min = UINT64_MAX;
		}
	}
}

/** dst += src for one cell: counters add, sizes keep min and max. */
void dv_edns_rx_merge(struct dv_edns_rx *dst, const struct dv_edns_rx *src)
{
	dst->answered += src->answered;
	dst->truncated += src->truncated;
	dst->timeouts += src->timeouts;
	dst->resp_bytes += src->resp_bytes;
	if (src->resp_min < dst->resp_min)
		dst->resp_min = src->resp_min;
	if (src->resp_max > dst->resp_max)
		dst->resp_max = src->resp_max;
}

static void edns_snapshot(struct dv_edns_rx *dst, const struct dv_edns_rx *src)
{
	dst->answered = dv_count_read(&src->answered);
	dst->truncated = dv_count_read(&src->truncated);
	dst->timeouts = dv_count_read(&src->timeouts);
	dst->resp_bytes = dv_count_read(&src->resp_bytes);
	dst->resp_min = dv_count_read(&src->resp_min);
	dst->resp_max = dv_count_read(&src->resp_max);
}

/**
 * dst = now - before for one cell. The sizes of an interval cannot be told
 * from two cumulative snapshots: an interval with answers keeps the run's
 * min and max so far (exact when nothing was answered before), which bound
 * the interval's own; an interval without answers has none.
 */
static void edns_delta(struct dv_edns_rx *dst, const struct dv_edns_rx *now,
		       const struct dv_edns_rx *before)
{
	dst->answered = sub_sat(now->answered, before->answered);
	dst->truncated = sub_sat(now->truncated, before->truncated);
	dst->timeouts = sub_sat(now->timeouts, before->timeouts);
	dst->resp_bytes = sub_sat(now->resp_bytes, before->resp_bytes);
	if (dst->answered == 0) {
		dst->resp_min = UINT64_MAX;
		dst->resp_max = 0;
	} else {
		dst->resp_min = now->resp_min;
		dst->resp_max = now->resp_max;
	}
}

static void seq_merge(struct dv_seq_stats *dst, const struct dv_seq_stats *src)
{
	add_arr(DV_FLAT(dst->answered_on), DV_FLAT(src->answered_on), DV_FLAT_LEN(dst->answered_on));
	add_arr(dst->answered_late, src->answered_late, DV_ARRAY_LEN(dst->answered_late));
	add_arr(dst->truncated_on, src->truncated_on, DV_ARRAY_LEN(dst->truncated_on));
	dst->failed += src->failed;
	dst->redundant += src->redundant;
	add_arr(dst->seq_len, src->seq_len, DV_ARRAY_LEN(dst->seq_len));
	add_arr(DV_FLAT(dst->first_two), DV_FLAT(src->first_two), DV_FLAT_LEN(dst->first_two));
	add_arr(dst->single, src->single, DV_ARRAY_LEN(dst->single));
	dst->retry_dropped += src->retry_dropped;
}

static void seq_snapshot(struct dv_seq_stats *dst, const struct dv_seq_stats *src)
{
	read_arr(DV_FLAT(dst->answered_on), DV_FLAT(src->answered_on), DV_FLAT_LEN(dst->answered_on));
	read_arr(dst->answered_late, src->answered_late, DV_ARRAY_LEN(dst->answered_late));
	read_arr(dst->truncated_on, src->truncated_on, DV_ARRAY_LEN(dst->truncated_on));
	dst->failed = dv_count_read(&src->failed);
	dst->redundant = dv_count_read(&src->redundant);
	read_arr(dst->seq_len, src->seq_len, DV_ARRAY_LEN(dst->seq_len));
	read_arr(DV_FLAT(dst->first_two), DV_FLAT(src->first_two), DV_FLAT_LEN(dst->first_two));
	read_arr(dst->single, src->single, DV_ARRAY_LEN(dst->single));
	dst->retry_dropped = dv_count_read(&src->retry_dropped);
}

static void seq_delta(struct dv_seq_stats *dst, const struct dv_seq_stats *now,
		      const struct dv_seq_stats *before)
{
	sub_arr(DV_FLAT(dst->answered_on), DV_FLAT(now->answered_on), DV_FLAT(before->answered_on),
		DV_FLAT_LEN(dst->answered_on));
	sub_arr(dst->answered_late, now->answered_late, before->answered_late,
		DV_ARRAY_LEN(dst->answered_late));
	sub_arr(dst->truncated_on, now->truncated_on, before->truncated_on,
		DV_ARRAY_LEN(dst->truncated_on));
	dst->failed = sub_sat(now->failed, before->failed);
	dst->redundant = sub_sat(now->redundant, before->redundant);
	sub_arr(dst->seq_len, now->seq_len, before->seq_len, DV_ARRAY_LEN(dst->seq_len));
	sub_arr(DV_FLAT(dst->first_two), DV_FLAT(now->first_two), DV_FLAT(before->first_two),
		DV_FLAT_LEN(dst->first_two));
	sub_arr(dst->single, now->single, before->single, DV_ARRAY_LEN(dst->single));
	dst->retry_dropped = sub_sat(now->retry_dropped, before->retry_dropped);
}

/*
 * The failure table is a 4-D array and the ICMP table a 2-D array of
 * uint64_t: flat too.
 */
#define DV_FAIL_FLAT(a) (&(a)[0][0][0][0])
#define DV_FAIL_LEN(a) (sizeof(a) / sizeof((a)[0][0][0][0]))

static void frag_merge(struct dv_frag_stats *dst, const struct dv_frag_stats *src)
{
	add_arr(dst->frags, src->frags, DV_ARRAY_LEN(dst->frags));
	dst->frag_bytes += src->frag_bytes;
	add_arr(dst->reassembled, src->reassembled, DV_ARRAY_LEN(dst->reassembled));
	add_arr(dst->lost_sets, src->lost_sets, DV_ARRAY_LEN(dst->lost_sets));
	dst->lost_attributed += src->lost_attributed;
	dst->dropped_sets += src->dropped_sets;
	dst->not_ours += src->not_ours;
	dst->other_source += src->other_source;
	dst->reassembled_bytes += src->reassembled_bytes;
}

static void frag_snapshot(struct dv_frag_stats *dst, const struct dv_frag_stats *src)
{
	read_arr(dst->frags, src->frags, DV_ARRAY_LEN(dst->frags));
	dst->frag_bytes = dv_count_read(&src->frag_bytes);
	read_arr(dst->reassembled, src->reassembled, DV_ARRAY_LEN(dst->reassembled));
	read_arr(dst->lost_sets, src->lost_sets, DV_ARRAY_LEN(dst->lost_sets));
	dst->lost_attributed = dv_count_read(&src->lost_attributed);
	dst->dropped_sets = dv_count_read(&src->dropped_sets);
	dst->not_ours = dv_count_read(&src->not_ours);
	dst->other_source = dv_count_read(&src->other_source);
	dst->reassembled_bytes = dv_count_read(&src->reassembled_bytes);
}

static void frag_delta(struct dv_frag_stats *dst, const struct dv_frag_stats *now,
		       const struct dv_frag_stats *before)
{
	sub_arr(dst->frags, now->frags, before->frags, DV_ARRAY_LEN(dst->frags));
	dst->frag_bytes = sub_sat(now->frag_bytes, before->frag_bytes);
	sub_arr(dst->reassembled, now->reassembled, before->reassembled,
		DV_ARRAY_LEN(dst->reassembled));
	sub_arr(dst->lost_sets, now->lost_sets, before->lost_sets, DV_ARRAY_LEN(dst->lost_sets));
	dst->lost_attributed = sub_sat(now->lost_attributed, before->lost_attributed);
	dst->dropped_sets = sub_sat(now->dropped_sets, before->dropped_sets);
	dst->not_ours = sub_sat(now->not_ours, before->not_ours);
	dst->other_source = sub_sat(now->other_source, before->other_source);
	dst->reassembled_bytes = sub_sat(now->reassembled_bytes, before->reassembled_bytes);
}

/** Too-big errors counted in an ICMP table (both families). */
static uint64_t too_big_count(const uint64_t (*icmp)[DV_ICMP_KINDS])
{
	uint64_t n = 0;
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		n += icmp[f][DV_ICMP_TOO_BIG];
	return n;
}

void dv_tx_stats_init(struct dv_tx_stats *s)
{
	memset(s, 0, sizeof(*s));
	dv_hist_init(&s->gap);
}

void dv_rx_stats_init(struct dv_rx_stats *s)
{
	memset(s, 0, sizeof(*s));
	dv_hist_init(&s->latency);
	dv_hist_init(&s->timer_late);
	edns_init(s->edns);
	dv_hist_init(&s->frag_count);
	dv_hist_init(&s->frag_spread);
	s->icmp_mtu_min = UINT64_MAX;
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
	dst->logical += src->logical;
	if (src->last_logical_tsc > dst->last_logical_tsc)
		dst->last_logical_tsc = src->last_logical_tsc;
	dst->retries += src->retries;
	dst->ctl_sent += src->ctl_sent;
	add_arr(DV_FLAT(dst->edns_sent), DV_FLAT(src->edns_sent), DV_FLAT_LEN(dst->edns_sent));
	dv_hist_merge(&dst->gap, &src->gap);
	dst->busy_tsc += src->busy_tsc;
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
	for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++) {
		for (unsigned f = 0; f < DV_FAMILIES; f++)
			dv_edns_rx_merge(&dst->edns[v][f], &src->edns[v][f]);
	}
	seq_merge(&dst->seq, &src->seq);
	dv_hist_merge(&dst->timer_late, &src->timer_late);
	add_arr(DV_FAIL_FLAT(dst->fail), DV_FAIL_FLAT(src->fail), DV_FAIL_LEN(dst->fail));
	frag_merge(&dst->frag, &src->frag);
	dv_hist_merge(&dst->frag_count, &src->frag_count);
	dv_hist_merge(&dst->frag_spread, &src->frag_spread);
	add_arr(DV_FLAT(dst->icmp), DV_FLAT(src->icmp), DV_FLAT_LEN(dst->icmp));
	dst->icmp_attributed += src->icmp_attributed;
	if (src->icmp_mtu_min < dst->icmp_mtu_min)
		dst->icmp_mtu_min = src->icmp_mtu_min;
	dst->busy_tsc += src->busy_tsc;
	dst->handoff_out += src->handoff_out;
	dst->handoff_drop += src->handoff_drop;
	add_arr(dst->nd_answered, src->nd_answered, DV_ARRAY_LEN(dst->nd_answered));
	dst->nd_ignored += src->nd_ignored;
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
	dst->logical = dv_count_read(&src->logical);
	dst->last_logical_tsc = dv_count_read(&src->last_logical_tsc);
	dst->retries = dv_count_read(&src->retries);
	dst->ctl_sent = dv_count_read(&src->ctl_sent);
	read_arr(DV_FLAT(dst->edns_sent), DV_FLAT(src->edns_sent), DV_FLAT_LEN(dst->edns_sent));
	dv_hist_snapshot(&dst->gap, &src->gap);
	dst->busy_tsc = dv_count_read(&src->busy_tsc);
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
	for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++) {
		for (unsigned f = 0; f < DV_FAMILIES; f++)
			edns_snapshot(&dst->edns[v][f], &src->edns[v][f]);
	}
	seq_snapshot(&dst->seq, &src->seq);
	dv_hist_snapshot(&dst->timer_late, &src->timer_late);
	read_arr(DV_FAIL_FLAT(dst->fail), DV_FAIL_FLAT(src->fail), DV_FAIL_LEN(dst->fail));
	frag_snapshot(&dst->frag, &src->frag);
	dv_hist_snapshot(&dst->frag_count, &src->frag_count);
	dv_hist_snapshot(&dst->frag_spread, &src->frag_spread);
	read_arr(DV_FLAT(dst->icmp), DV_FLAT(src->icmp), DV_FLAT_LEN(dst->icmp));
	dst->icmp_attributed = dv_count_read(&src->icmp_attributed);
	dst->icmp_mtu_min = dv_count_read(&src->icmp_mtu_min);
	dst->busy_tsc = dv_count_read(&src->busy_tsc);
	dst->handoff_out = dv_count_read(&src->handoff_out);
	dst->handoff_drop = dv_count_read(&src->handoff_drop);
	read_arr(dst->nd_answered, src->nd_answered, DV_ARRAY_LEN(dst->nd_answered));
	dst->nd_ignored = dv_count_read(&src->nd_ignored);
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
	dst->logical = sub_sat(now->logical, before->logical);
	dst->last_logical_tsc = now->last_logical_tsc;
	dst->retries = sub_sat(now->retries, before->retries);
	dst->ctl_sent = sub_sat(now->ctl_sent, before->ctl_sent);
	sub_arr(DV_FLAT(dst->edns_sent), DV_FLAT(now->edns_sent), DV_FLAT(before->edns_sent),
		DV_FLAT_LEN(dst->edns_sent));
	dv_hist_delta(&dst->gap, &now->gap, &before->gap);
	dst->busy_tsc = sub_sat(now->busy_tsc, before->busy_tsc);
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
	for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++) {
		for (unsigned f = 0; f < DV_FAMILIES; f++)
			edns_delta(&dst->edns[v][f], &now->edns[v][f], &before->edns[v][f]);
	}
	seq_delta(&dst->seq, &now->seq, &before->seq);
	dv_hist_delta(&dst->timer_late, &now->timer_late, &before->timer_late);
	sub_arr(DV_FAIL_FLAT(dst->fail), DV_FAIL_FLAT(now->fail), DV_FAIL_FLAT(before->fail),
		DV_FAIL_LEN(dst->fail));
	frag_delta(&dst->frag, &now->frag, &before->frag);
	dv_hist_delta(&dst->frag_count, &now->frag_count, &before->frag_count);
	dv_hist_delta(&dst->frag_spread, &now->frag_spread, &before->frag_spread);
	sub_arr(DV_FLAT(dst->icmp), DV_FLAT(now->icmp), DV_FLAT(before->icmp),
		DV_FLAT_LEN(dst->icmp));
	dst->icmp_attributed = sub_sat(now->icmp_attributed, before->icmp_attributed);
	/*
	 * The smallest MTU of an interval is not known from two cumulative
	 * snapshots: an interval with too-big errors keeps the run's so far
	 * (which bounds it), one without has none (as the EDNS cells' sizes).
	 */
	dst->icmp_mtu_min = too_big_count(dst->icmp) != 0 ? now->icmp_mtu_min : UINT64_MAX;
	dst->busy_tsc = sub_sat(now->busy_tsc, before->busy_tsc);
	dst->handoff_out = sub_sat(now->handoff_out, before->handoff_out);
	dst->handoff_drop = sub_sat(now->handoff_drop, before->handoff_drop);
	sub_arr(dst->nd_answered, now->nd_answered, before->nd_answered,
		DV_ARRAY_LEN(dst->nd_answered));
	dst->nd_ignored = sub_sat(now->nd_ignored, before->nd_ignored);
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

void dv_seq_sum(const struct dv_seq_stats *s, struct dv_seq_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned k = 0; k < DV_MAX_ATTEMPTS; k++) {
		for (unsigned f = 0; f < DV_FAMILIES; f++)
			t->answered += s->answered_on[k][f];
		t->truncated += s->truncated_on[k];
		t->late += s->answered_late[k];
	}
	/* seq_len is indexed by the number of attempts, 1..N. */
	for (unsigned n = 1; n < DV_ARRAY_LEN(s->seq_len); n++) {
		t->ended += s->seq_len[n];
		t->attempts += n * s->seq_len[n];
	}
	for (unsigned a = 0; a < DV_FAMILIES; a++) {
		for (unsigned b = 0; b < DV_FAMILIES; b++)
			t->two_plus += s->first_two[a][b];
	}
}

unsigned dv_result_attempt_rows(const struct dv_result *r)
{
	const struct dv_seq_stats *s = &r->rx.seq;
	unsigned rows = r->attempts;

	if (rows < 1)
		rows = 1;
	if (rows > DV_MAX_ATTEMPTS)
		rows = DV_MAX_ATTEMPTS;
	for (unsigned k = rows; k < DV_MAX_ATTEMPTS; k++) {
		uint64_t any = s->answered_on[k][DV_FAMILY_V4] | s->answered_on[k][DV_FAMILY_V6] |
			       s->answered_late[k] | s->truncated_on[k] | s->seq_len[k + 1];
		if (any != 0)
			rows = k + 1;
	}
	return rows;
}

bool dv_result_edns_cell(const struct dv_result *r, unsigned v, unsigned family,
			 uint64_t *sent, struct dv_edns_rx *cell)
{
	unsigned n = r->n_edns < DV_EDNS_VARIANTS ? r->n_edns : DV_EDNS_VARIANTS;

	if (v >= n || family >= DV_FAMILIES)
		return false;
	for (unsigned i = 0; i < v; i++) {
		if (r->edns_size[i] == r->edns_size[v])
			return false;
	}
	*sent = 0;
	memset(cell, 0, sizeof(*cell));
	cell->resp_min = UINT64_MAX;
	for (unsigned i = v; i < n; i++) {
		if (r->edns_size[i] != r->edns_size[v])
			continue;
		*sent += r->tx.edns_sent[i][family];
		dv_edns_rx_merge(cell, &r->rx.edns[i][family]);
	}
	return true;
}

const char *dv_size_class_name(enum dv_size_class c)
{
	static const char *const names[DV_SIZE_CLASSES] = {
		[DV_SIZE_512] = "<=512",
		[DV_SIZE_1232] = "<=1232",
		[DV_SIZE_1452] = "<=1452",
		[DV_SIZE_1472] = "<=1472",
		[DV_SIZE_LARGE] = ">1472",
		[DV_SIZE_UNKNOWN] = "unknown",
	};
	if ((unsigned)c >= DV_SIZE_CLASSES)
		return "?";
	return names[c];
}

bool dv_result_has_frag_report(const struct dv_result *r)
{
	const struct dv_rx_stats *rx = &r->rx;
	const struct dv_frag_stats *fs = &rx->frag;
	uint64_t any = 0;

	if (r->frag_report)
		return true;
	for (unsigned f = 0; f < DV_FAMILIES; f++) {
		any |= fs->frags[f] | fs->reassembled[f] | fs->lost_sets[f];
		for (unsigned k = 0; k < DV_ICMP_KINDS; k++)
			any |= rx->icmp[f][k];
	}
	any |= fs->frag_bytes | fs->lost_attributed | fs->dropped_sets | fs->not_ours;
	any |= rx->frag_count.count | rx->frag_spread.count | rx->icmp_attributed;
	for (unsigned f = 0; f < DV_FAMILIES; f++) {
		for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++) {
			for (unsigned c = 0; c < DV_SIZE_CLASSES; c++) {
				const uint64_t *col = rx->fail[f][v][c];
				any |= col[DV_FR_REASM] | col[DV_FR_LOST_FRAG] |
				       col[DV_FR_FRAG_DROP] | col[DV_FR_ICMP];
			}
		}
	}
	return any != 0;
}

bool dv_result_fail_row(const struct dv_result *r, unsigned family, unsigned v,
			enum dv_size_class size, struct dv_fail_row *row)
{
	unsigned n = r->n_edns < DV_EDNS_VARIANTS ? r->n_edns : DV_EDNS_VARIANTS;

	if (v >= n || family >= DV_FAMILIES || (unsigned)size >= DV_SIZE_CLASSES)
		return false;
	for (unsigned i = 0; i < v; i++) {
		if (r->edns_size[i] == r->edns_size[v])
			return false;
	}
	memset(row, 0, sizeof(*row));
	row->family = family;
	row->variant = v;
	row->edns_size = r->edns_size[v];
	row->size = size;
	for (unsigned i = v; i < n; i++) {
		if (r->edns_size[i] != r->edns_size[v])
			continue;
		add_arr(row->col, r->rx.fail[family][i][size], DV_FR_COLS);
	}
	for (unsigned c = 0; c < DV_FR_COLS; c++)
		row->attempts += row->col[c];
	row->failed = row->col[DV_FR_LOST_FRAG] + row->col[DV_FR_FRAG_DROP] +
		      row->col[DV_FR_ICMP] + row->col[DV_FR_TIMEOUT];
	return row->attempts != 0;
}
