/**
 * @file wallclock.h
 * @brief The wall clock (CLOCK_REALTIME), for what is said in result files
 *        and for starting at an agreed instant; the hot path uses the TSC.
 */
#pragma once

#include <stdint.h>
#include <time.h>

/** Nanoseconds since the epoch. */
static inline uint64_t dv_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
