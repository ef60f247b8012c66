/**
 * @file counters.c
 * @brief Init, merge, snapshot and delta of the counter structs, made from
 *        the rows of metrics/counters.def; their descriptors and JSON names.
 *
 * Each kind of row has four element operations (kind_init, kind_merge,
 * kind_snapshot, kind_delta); a struct's operation applies them to every
 * element of every row, in row order. None of this is on the hot path: the
 * main lcore runs it per interval and at the end.
 */
#include "metrics/counters.h"

#include <string.h>

#include "core/count.h"

/* ---- the element operations of each kind ---- */

/** a - b, saturating at 0: relaxed snapshots of a live writer are not perfectly ordered. */
static inline uint64_t sub_sat(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static inline void u64_snapshot(uint64_t *d, const uint64_t *s)
{
	*d = dv_count_read(s);
}

static inline void SUM_init(uint64_t *d)
{
	*d = 0;
}

static inline void SUM_merge(uint64_t *d, const uint64_t *s)
{
	*d += *s;
}

static inline void SUM_delta(uint64_t *d, const uint64_t *now, const uint64_t *before, bool seen)
{
	(void)seen;
	*d = sub_sat(*now, *before);
}

#define SUM_snapshot u64_snapshot
#define FIRST_init SUM_init
#define FIRST_snapshot u64_snapshot

/** 0 means "never": it must not win the minimum. */
static inline void FIRST_merge(uint64_t *d, const uint64_t *s)
{
	if (*s != 0 && (*d == 0 || *s < *d))
		*d = *s;
}

/** Time points are not counters: the interval keeps the latest. */
static inline void FIRST_delta(uint64_t *d, const uint64_t *now, const uint64_t *before, bool seen)
{
	(void)before, (void)seen;
	*d = *now;
}

#define LAST_init SUM_init
#define LAST_snapshot u64_snapshot
#define LAST_delta FIRST_delta

static inline void LAST_merge(uint64_t *d, const uint64_t *s)
{
	if (*s > *d)
		*d = *s;
}

static inline void MIN_init(uint64_t *d)
{
	*d = UINT64_MAX;
}

static inline void MIN_merge(uint64_t *d, const uint64_t *s)
{
	if (*s < *d)
		*d = *s;
}

/*
 * The extreme of an interval is not known from two cumulative snapshots: an
 * interval that counted any keeps the run's so far (which bounds its own),
 * one that counted none has none.
 */
static inline void MIN_delta(uint64_t *d, const uint64_t *now, const uint64_t *before, bool seen)
{
	(void)before;
	*d = seen ? *now : UINT64_MAX;
}

#define MIN_snapshot u64_snapshot
#define MAX_init SUM_init
#define MAX_merge LAST_merge
#define MAX_snapshot u64_snapshot

static inline void MAX_delta(uint64_t *d, const uint64_t *now, const uint64_t *before, bool seen)
{
	(void)before;
	*d = seen ? *now : 0;
}

#define HIST_init dv_hist_init
#define HIST_merge dv_hist_merge
#define HIST_snapshot dv_hist_snapshot

static inline void HIST_delta(struct dv_hist *d, const struct dv_hist *now,
			      const struct dv_hist *before, bool seen)
{
	(void)seen;
	dv_hist_delta(d, now, before);
}

/* The sub-structs' kinds are their own struct operations, made below. */
#define EDNS_init dv_edns_rx_init
#define EDNS_merge dv_edns_rx_merge
#define EDNS_snapshot dv_edns_rx_snapshot
#define EDNS_delta(d, now, before, seen) dv_edns_rx_delta(d, now, before)
#define SEQ_init seq_init
#define SEQ_merge seq_merge
#define SEQ_snapshot seq_snapshot
#define SEQ_delta(d, now, before, seen) seq_delta(d, now, before)
#define FRAG_init frag_init
#define FRAG_merge frag_merge
#define FRAG_snapshot frag_snapshot
#define FRAG_delta(d, now, before, seen) frag_delta(d, now, before)
#define TCP_init tcp_init
#define TCP_merge tcp_merge
#define TCP_snapshot tcp_snapshot
#define TCP_delta(d, now, before, seen) tcp_delta(d, now, before)

/* When an interval counted something of a MIN or MAX row (see MIN_delta). */
#define SEEN_SUM(name) false
#define SEEN_FIRST(name) false
#define SEEN_LAST(name) false
#define SEEN_HIST(name) false
#define SEEN_EDNS(name) false
#define SEEN_SEQ(name) false
#define SEEN_FRAG(name) false
#define SEEN_TCP(name) false
#define SEEN_MIN(name) seen_##name(dst)
#define SEEN_MAX(name) seen_##name(dst)

/** An EDNS cell's sizes are those of its answers. */
static bool seen_resp_min(const struct dv_edns_rx *d)
{
	return d->answered != 0;
}

static bool seen_resp_max(const struct dv_edns_rx *d)
{
	return d->answered != 0;
}

/** An interval's most connections open: only when it opened any. */
static bool seen_open_max(const struct dv_tcp_stats *d)
{
	return d->opened != 0;
}

/** The smallest MTU is that of the too-big errors (both families). */
static bool seen_icmp_mtu_min(const struct dv_rx_stats *d)
{
	uint64_t n = 0;
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		n += d->icmp[f][DV_ICMP_TOO_BIG];
	return n != 0;
}

/* ---- a struct's operations: every element of every row ---- */

/** Field m of *p as a flat array of its kind's elements, and their number. */
#define ELEMS(kind, p, m) ((DV_CTYPE_##kind *)(void *)&(p)->m)
#define CELEMS(kind, p, m) ((const DV_CTYPE_##kind *)(const void *)&(p)->m)
#define NELEMS(kind, p, m) (sizeof((p)->m) / (sizeof(DV_CTYPE_##kind)))

#define INIT_ROW(kind, name, dims, unit, json) \
	for (size_t i = 0; i < NELEMS(kind, s, name); i++) \
		kind##_init(&ELEMS(kind, s, name)[i]);
#define MERGE_ROW(kind, name, dims, unit, json) \
	for (size_t i = 0; i < NELEMS(kind, dst, name); i++) \
		kind##_merge(&ELEMS(kind, dst, name)[i], &CELEMS(kind, src, name)[i]);
#define SNAPSHOT_ROW(kind, name, dims, unit, json) \
	for (size_t i = 0; i < NELEMS(kind, dst, name); i++) \
		kind##_snapshot(&ELEMS(kind, dst, name)[i], &CELEMS(kind, src, name)[i]);
/* Rows in order: a MIN or MAX row's seen_() reads the rows before it, already made. */
#define DELTA_ROW(kind, name, dims, unit, json) \
	for (size_t i = 0; i < NELEMS(kind, dst, name); i++) \
		kind##_delta(&ELEMS(kind, dst, name)[i], &CELEMS(kind, now, name)[i], \
			     &CELEMS(kind, before, name)[i], SEEN_##kind(name));

/** The four operations of struct T, named prefix_init ... prefix_delta, from rows LIST. */
#define DEFINE_OPS(linkage, prefix, T, LIST) \
	linkage void prefix##_init(T *s) \
	{ \
		memset(s, 0, sizeof(*s)); \
		LIST(INIT_ROW) \
	} \
	linkage void prefix##_merge(T *dst, const T *src) \
	{ \
		LIST(MERGE_ROW) \
	} \
	linkage void prefix##_snapshot(T *dst, const T *src) \
	{ \
		LIST(SNAPSHOT_ROW) \
	} \
	linkage void prefix##_delta(T *dst, const T *now, const T *before) \
	{ \
		LIST(DELTA_ROW) \
	}

/* The sub-structs first: the outer structs' rows call them. */
DEFINE_OPS(, dv_edns_rx, struct dv_edns_rx, DV_COUNTERS_EDNS)
DEFINE_OPS(static, seq, struct dv_seq_stats, DV_COUNTERS_SEQ)
DEFINE_OPS(static, frag, struct dv_frag_stats, DV_COUNTERS_FRAG)
DEFINE_OPS(static, tcp, struct dv_tcp_stats, DV_COUNTERS_TCP)
DEFINE_OPS(, dv_tx_stats, struct dv_tx_stats, DV_COUNTERS_TX)
DEFINE_OPS(, dv_rx_stats, struct dv_rx_stats, DV_COUNTERS_RX)

/* ---- descriptors and JSON names ---- */

#define ROW(T, kind, name, dims, unit, json) \
	{ #name, json, unit, DV_COUNTER_##kind, offsetof(T, name), sizeof(((T *)0)->name) },
#define ROW_EDNS(...) ROW(struct dv_edns_rx, __VA_ARGS__)
#define ROW_SEQ(...) ROW(struct dv_seq_stats, __VA_ARGS__)
#define ROW_FRAG(...) ROW(struct dv_frag_stats, __VA_ARGS__)
#define ROW_TCP(...) ROW(struct dv_tcp_stats, __VA_ARGS__)
#define ROW_TX(...) ROW(struct dv_tx_stats, __VA_ARGS__)
#define ROW_RX(...) ROW(struct dv_rx_stats, __VA_ARGS__)

static const struct dv_counter_desc edns_rows[] = { DV_COUNTERS_EDNS(ROW_EDNS) };
static const struct dv_counter_desc seq_rows[] = { DV_COUNTERS_SEQ(ROW_SEQ) };
static const struct dv_counter_desc frag_rows[] = { DV_COUNTERS_FRAG(ROW_FRAG) };
static const struct dv_counter_desc tcp_rows[] = { DV_COUNTERS_TCP(ROW_TCP) };
static const struct dv_counter_desc tx_rows[] = { DV_COUNTERS_TX(ROW_TX) };
static const struct dv_counter_desc rx_rows[] = { DV_COUNTERS_RX(ROW_RX) };

#define GROUP(name, rows, T) { name, rows, sizeof(rows) / sizeof((rows)[0]), sizeof(T) }

const struct dv_counter_group dv_counters_edns = GROUP("edns", edns_rows, struct dv_edns_rx);
const struct dv_counter_group dv_counters_seq = GROUP("seq", seq_rows, struct dv_seq_stats);
const struct dv_counter_group dv_counters_frag = GROUP("frag", frag_rows, struct dv_frag_stats);
const struct dv_counter_group dv_counters_tcp = GROUP("tcp", tcp_rows, struct dv_tcp_stats);
const struct dv_counter_group dv_counters_tx = GROUP("tx", tx_rows, struct dv_tx_stats);
const struct dv_counter_group dv_counters_rx = GROUP("rx", rx_rows, struct dv_rx_stats);

#define NAME_ROW(kind, name, dims, unit, json) .name = json,

const struct dv_edns_names dv_edns_json = { DV_COUNTERS_EDNS(NAME_ROW) };
const struct dv_seq_names dv_seq_json = { DV_COUNTERS_SEQ(NAME_ROW) };
const struct dv_frag_names dv_frag_json = { DV_COUNTERS_FRAG(NAME_ROW) };
const struct dv_tcp_names dv_tcp_json = { DV_COUNTERS_TCP(NAME_ROW) };
const struct dv_tx_names dv_tx_json = { DV_COUNTERS_TX(NAME_ROW) };
const struct dv_rx_names dv_rx_json = { DV_COUNTERS_RX(NAME_ROW) };
