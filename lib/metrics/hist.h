/**
 * @file hist.h
 * @brief Log-linear latency histogram (nanoseconds), single writer, exact merge.
 *
 * Values below 16 ns have a bucket each; above, every power of two is split in
 * 16 linear sub-buckets (relative error < 6.25 %). Index of v >= 16 with most
 * significant bit e: (e - 3) * 16 + ((v >> (e - 4)) & 15). 976 buckets cover
 * the whole uint64 range, so nothing is ever clipped. Merging adds buckets,
 * so merged percentiles are exactly those of the union.
 */
#pragma once

#include <stdint.h>

#include "core/count.h"

#define DV_HIST_SUB 16
#define DV_HIST_BUCKETS 976

/** A histogram. Owned and written by one lcore; read by others with relaxed loads. */
struct dv_hist {
	uint64_t count;
	uint64_t sum;      /**< sum of values (ns) */
	uint64_t min;      /**< UINT64_MAX while empty */
	uint64_t max;
	double sum_sq;     /**< sum of squares (ns^2), for stddev */
	uint64_t bucket[DV_HIST_BUCKETS];
};

/** Bucket index of a value. */
static inline unsigned dv_hist_index(uint64_t v)
{
	if (v < DV_HIST_SUB)
		return (unsigned)v;
	unsigned e = 63u - (unsigned)__builtin_clzll(v);
	return (e - 3u) * DV_HIST_SUB + (unsigned)((v >> (e - 4u)) & (DV_HIST_SUB - 1));
}

/** Record one value (single writer). */
static inline void dv_hist_add(struct dv_hist *h, uint64_t v)
{
	dv_count_add(&h->count, 1);
	dv_count_add(&h->sum, v);
	if (v < h->min)
		dv_count_set(&h->min, v);
	if (v > h->max)
		dv_count_set(&h->max, v);
	double sq = h->sum_sq + (double)v * (double)v;
	__atomic_store(&h->sum_sq, &sq, __ATOMIC_RELAXED);
	dv_count_add(&h->bucket[dv_hist_index(v)], 1);
}

/** Empty histogram. */
void dv_hist_init(struct dv_hist *h);

/** Lowest value that falls in bucket i. */
uint64_t dv_hist_bucket_lo(unsigned i);

/** Highest value that falls in bucket i. */
uint64_t dv_hist_bucket_hi(unsigned i);

/** dst += src (exact). */
void dv_hist_merge(struct dv_hist *dst, const struct dv_hist *src);

/** Consistent-enough copy of a histogram another lcore is writing (relaxed loads). */
void dv_hist_snapshot(struct dv_hist *dst, const struct dv_hist *src);

/**
 * dst = now - before, for interval reports. min/max of the interval are not
 * known from two cumulative snapshots: they are taken from the lowest and
 * highest non-empty buckets of the difference.
 */
void dv_hist_delta(struct dv_hist *dst, const struct dv_hist *now, const struct dv_hist *before);

/**
 * Value at quantile q (0..1): the upper bound of the bucket holding the
 * ceil(q * count)-th value, clamped to [min, max]. 0 when empty.
 */
uint64_t dv_hist_quantile(const struct dv_hist *h, double q);

/** Mean in ns (0 when empty). */
double dv_hist_mean(const struct dv_hist *h);

/** Standard deviation in ns (0 when fewer than two values). */
double dv_hist_stddev(const struct dv_hist *h);
