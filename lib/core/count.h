/**
 * @file count.h
 * @brief Single-writer counters: one lcore writes, any lcore may read.
 *
 * The writer does a plain read and a relaxed atomic store (no lock prefix,
 * same cost as ++ on x86); readers do relaxed atomic loads. This keeps the
 * one-writer rule race-free in C11 terms without atomic read-modify-write.
 */
#pragma once

#include <stdint.h>

/** Add n to a counter owned by the calling lcore. */
static inline void dv_count_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

/** Set a value owned by the calling lcore. */
static inline void dv_count_set(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, v, __ATOMIC_RELAXED);
}

/** Read a counter owned by another lcore. */
static inline uint64_t dv_count_read(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}
