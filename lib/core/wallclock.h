/**
 * @file wallclock.h
 * @brief The wall clock (CLOCK_REALTIME), for what is said in result files
 *        and for starting at an agreed instant; the hot path uses the TSC.
 */
#pragma once

#include <stdint.h>
#include <time.h>

/** Seconds from one nanosecond instant to a later one; 0 if it is not later (a clock stepped back). */
static inline double dv_ns_span_s(uint64_t since_ns, uint64_t until_ns)
{
	return until_ns > since_ns ? (double)(until_ns - since_ns) / 1e9 : 0.0;
}

/** Nanoseconds since the epoch. */
static inline uint64_t dv_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
