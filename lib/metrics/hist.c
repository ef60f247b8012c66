/**
 * @file hist.c
 * @brief Log-linear latency histogram: bounds, merge, snapshot, quantiles.
 */
#include "metrics/hist.h"

#include <float.h>
#include <math.h>
#include <string.h>

void dv_hist_init(struct dv_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

/** Exponent (index of the most significant bit) of the values in bucket i >= 16. */
static inline unsigned bucket_exp(unsigned i)
{
	return i / DV_HIST_SUB + 3u;
}

uint64_t dv_hist_bucket_lo(unsigned i)
{
	if (i < DV_HIST_SUB)
		return i;
	if (i >= DV_HIST_BUCKETS)
		return UINT64_MAX;
	unsigned e = bucket_exp(i);
	/* The top 5 bits of the value are 1 followed by the sub-bucket number. */
	return (uint64_t)(DV_HIST_SUB + i % DV_HIST_SUB) << (e - 4u);
}

uint64_t dv_hist_bucket_hi(unsigned i)
{
	if (i < DV_HIST_SUB)
		return i;
	if (i >= DV_HIST_BUCKETS)
		return UINT64_MAX;
	unsigned e = bucket_exp(i);
	/* lo + width - 1; written so the top bucket ends at UINT64_MAX without overflow. */
	return dv_hist_bucket_lo(i) + ((UINT64_C(1) << (e - 4u)) - 1u);
}

/** Lowest non-empty bucket index, or DV_HIST_BUCKETS if none. */
static unsigned lowest_bucket(const struct dv_hist *h)
{
	for (unsigned i = 0; i < DV_HIST_BUCKETS; i++) {
		if (h->bucket[i] != 0)
			return i;
	}
	return DV_HIST_BUCKETS;
}

/** Highest non-empty bucket index, or DV_HIST_BUCKETS if none. */
static unsigned highest_bucket(const struct dv_hist *h)
{
	for (unsigned i = DV_HIST_BUCKETS; i-- > 0;) {
		if (h->bucket[i] != 0)
			return i;
	}
	return DV_HIST_BUCKETS;
}

void dv_hist_merge(struct dv_hist *dst, const struct dv_hist *src)
{
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->sum_sq += src->sum_sq;
	for (unsigned i = 0; i < DV_HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

void dv_hist_snapshot(struct dv_hist *dst, const struct dv_hist *src)
{
	dst->sum = dv_count_read(&src->sum);
	dst->min = dv_count_read(&src->min);
	dst->max = dv_count_read(&src->max);
	__atomic_load(&src->sum_sq, &dst->sum_sq, __ATOMIC_RELAXED);

	/*
	 * The writer keeps going while we copy, so the separately loaded count
	 * may disagree with the buckets by a value or two. Quantiles walk the
	 * buckets against count: take count from the buckets so they agree.
	 */
	uint64_t count = 0;
	for (unsigned i = 0; i < DV_HIST_BUCKETS; i++) {
		dst->bucket[i] = dv_count_read(&src->bucket[i]);
		count += dst->bucket[i];
	}
	dst->count = count;
	if (count == 0) {
		dst->min = UINT64_MAX;
		dst->max = 0;
		return;
	}

	/* Likewise min/max may lag a bucket that was already counted. */
	unsigned lo = lowest_bucket(dst);
	unsigned hi = highest_bucket(dst);
	if (dst->min > dv_hist_bucket_hi(lo))
		dst->min = dv_hist_bucket_lo(lo);
	if (dst->max < dv_hist_bucket_lo(hi))
		dst->max = dv_hist_bucket_hi(hi);
}

/** a - b, saturating at 0 (snapshots of a live writer are not perfectly ordered). */
static inline uint64_t sub_sat(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

void dv_hist_delta(struct dv_hist *dst, const struct dv_hist *now, const struct dv_hist *before)
{
	uint64_t count = 0;
	for (unsigned i = 0; i < DV_HIST_BUCKETS; i++) {
		dst->bucket[i] = sub_sat(now->bucket[i], before->bucket[i]);
		count += dst->bucket[i];
	}
	dst->count = count;
	dst->sum = sub_sat(now->sum, before->sum);
	dst->sum_sq = now->sum_sq - before->sum_sq;
	if (dst->sum_sq < 0.0)
		dst->sum_sq = 0.0;

	if (count == 0) {
		dst->min = UINT64_MAX;
		dst->max = 0;
		return;
	}
	if (before->count == 0) {
		/* Nothing before: the interval is the whole history, min/max are exact. */
		dst->min = now->min;
		dst->max = now->max;
		return;
	}

	/*
	 * Bucket bounds, tightened by the cumulative min/max: the interval's
	 * values are a subset of all values, so both bounds stay conservative.
	 */
	uint64_t lo = dv_hist_bucket_lo(lowest_bucket(dst));
	uint64_t hi = dv_hist_bucket_hi(highest_bucket(dst));
	dst->min = lo > now->min ? lo : now->min;
	dst->max = hi < now->max ? hi : now->max;
}

uint64_t dv_hist_quantile(const struct dv_hist *h, double q)
{
	if (h->count == 0)
		return 0;
	if (!(q > 0.0))
		q = 0.0;
	if (q > 1.0)
		q = 1.0;

	/*
	 * Rank of the wanted value, 1-based. q * count carries a rounding error
	 * of an ulp or so (0.999 * 10000 is 9990.000000000002): shave it off so
	 * that an exact product does not round up to the next rank.
	 */
	double x = q * (double)h->count;
	double r = ceil(x * (1.0 - 4.0 * DBL_EPSILON));
	uint64_t rank = r < 1.0 ? 1 : (uint64_t)r;
	if (rank > h->count)
		rank = h->count;

	uint64_t cum = 0;
	uint64_t v = h->max;
	for (unsigned i = 0; i < DV_HIST_BUCKETS; i++) {
		cum += h->bucket[i];
		if (cum >= rank) {
			v = dv_hist_bucket_hi(i);
			break;
		}
	}
	if (v > h->max)
		v = h->max;
	if (v < h->min)
		v = h->min;
	return v;
}

double dv_hist_mean(const struct dv_hist *h)
{
	if (h->count == 0)
		return 0.0;
	return (double)h->sum / (double)h->count;
}

double dv_hist_stddev(const struct dv_hist *h)
{
	if (h->count < 2)
		return 0.0;
	double n = (double)h->count;
	double mean = (double)h->sum / n;
	double var = h->sum_sq / n - mean * mean;
	/* Cancellation can make a tiny variance come out negative. */
	if (!(var > 0.0))
		return 0.0;
	return sqrt(var);
}
