/**
 * @file rng.h
 * @brief Per-lcore pseudo-random numbers (splitmix64): one state per owner, no sharing.
 */
#pragma once

#include <stdint.h>

/** RNG state; one per lcore (never shared). */
struct dv_rng {
	uint64_t s;
};

/** Seed a generator; different seeds give independent streams. */
static inline void dv_rng_seed(struct dv_rng *r, uint64_t seed)
{
	r->s = seed ^ 0x6a09e667f3bcc909ull;
}

/** Next 64 random bits. */
static inline uint64_t dv_rng_next(struct dv_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/** Uniform double in [0, 1). */
static inline double dv_rng_unit(struct dv_rng *r)
{
	return (double)(dv_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}
