/**
 * @file alias.c
 * @brief Vose's alias method: O(n) build before the run, O(1) draw.
 *
 * Each of the n columns holds probability mass 1/n, split between its own
 * value (kept when the low 32 random bits fall below its threshold) and one
 * alias. Built with doubles, stored as 32-bit thresholds: a column whose own
 * share is the whole column gets UINT32_MAX and itself as alias, so the
 * 2^-32 it cannot keep still lands on its own value.
 */
#include "core/alias.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/** 2^32 as a double: scales a probability in [0, 1] to a threshold. */
#define ALIAS_SCALE 4294967296.0

/** A column kept whole: threshold UINT32_MAX, alias itself. */
static void column_full(struct dv_alias *a, unsigned i)
{
	a->threshold[i] = UINT32_MAX;
	a->alias[i] = (uint8_t)i;
}

int dv_alias_build(struct dv_alias *a, const struct dv_weighted *w)
{
	if (a == NULL || w == NULL || w->n == 0 || w->n > DV_WEIGHTED_MAX)
		return -EINVAL;

	const unsigned n = w->n;
	double sum = 0.0;
	for (unsigned i = 0; i < n; i++) {
		double x = w->weight[i];
		if (!isfinite(x) || !(x > 0.0))
			return -EINVAL;
		sum += x;
	}
	if (!isfinite(sum) || !(sum > 0.0))
		return -EINVAL;

	struct dv_alias t;
	memset(&t, 0, sizeof(t));
	t.n = n;

	/* Scaled probabilities: column mass is 1, the average of p[] is 1. */
	double p[DV_WEIGHTED_MAX];
	unsigned small[DV_WEIGHTED_MAX], large[DV_WEIGHTED_MAX];
	unsigned ns = 0, nl = 0;
	for (unsigned i = 0; i < n; i++) {
		t.value[i] = w->value[i];
		p[i] = w->weight[i] * (double)n / sum;
		if (p[i] < 1.0)
			small[ns++] = i;
		else
			large[nl++] = i;
	}

	/* Fill each under-full column with mass from an over-full one. */
	while (ns > 0 && nl > 0) {
		unsigned l = small[--ns];
		unsigned g = large[--nl];
		double th = round(p[l] * ALIAS_SCALE);
		t.threshold[l] = th >= (double)UINT32_MAX ? UINT32_MAX : (uint32_t)th;
		t.alias[l] = (uint8_t)g;
		p[g] = (p[g] + p[l]) - 1.0;
		if (p[g] < 1.0)
			small[ns++] = g;
		else
			large[nl++] = g;
	}
	/* What is left is 1 up to rounding: keep it whole. */
	while (nl > 0)
		column_full(&t, large[--nl]);
	while (ns > 0)
		column_full(&t, small[--ns]);

	*a = t;
	return 0;
}

void dv_alias_const(struct dv_alias *a, int value)
{
	if (a == NULL)
		return;
	memset(a, 0, sizeof(*a));
	a->n = 1;
	a->value[0] = value;
	column_full(a, 0);
}
