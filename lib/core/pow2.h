/**
 * @file pow2.h
 * @brief Table sizes: the smallest power of two that holds a wanted count.
 */
#pragma once

#include <stdint.h>

/** Smallest power of two >= want, clamped to [min, max] (both powers of two). */
static inline uint32_t dv_pow2_at_least(double want, uint32_t min, uint32_t max)
{
	uint32_t n = min;
	while ((double)n < want && n < max)
		n <<= 1;
	return n;
}
