/**
 * @file alias.h
 * @brief Weighted choice in O(1) (Walker/Vose alias method), tables built before the run.
 */
#pragma once

#include <stdint.h>

#include "core/types.h"
#include "core/rng.h"

/** A prebuilt sampler over at most DV_WEIGHTED_MAX values. Read-only once built. */
struct dv_alias {
	unsigned n;
	uint32_t threshold[DV_WEIGHTED_MAX]; /**< keep column i if the low 32 bits < threshold[i] */
	uint8_t alias[DV_WEIGHTED_MAX];
	int value[DV_WEIGHTED_MAX];
};

/**
 * Build the tables from a weighted list.
 * @return 0, or -EINVAL if the list is empty, too long, or its weights do not sum to > 0
 */
int dv_alias_build(struct dv_alias *a, const struct dv_weighted *w);

/** A sampler that always returns value. */
void dv_alias_const(struct dv_alias *a, int value);

/** Draw one value: one random number, one multiply, one compare (none of them for one value). */
static inline int dv_alias_pick(const struct dv_alias *a, struct dv_rng *r)
{
	if (a->n == 1)
		return a->value[0]; /* one value (one qtype, one EDNS size): no draw */
	uint64_t x = dv_rng_next(r);
	unsigned col = (unsigned)(((x >> 32) * a->n) >> 32);
	return (uint32_t)x < a->threshold[col] ? a->value[col] : a->value[a->alias[col]];
}
