/* The TSC's real rate (clock.h). */
#include "engine/clock.h"

#include <time.h>

#include <rte_cycles.h>

/* Ticks and nanoseconds read together: the TSC around the clock read, averaged. */
static void sample(uint64_t *tsc, uint64_t *ns)
{
	struct timespec ts;
	uint64_t a = rte_rdtsc();
	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	uint64_t b = rte_rdtsc();
	*tsc = a + (b - a) / 2;
	*ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t dv_tsc_hz(void)
{
	static uint64_t hz;
	if (hz != 0)
		return hz;
	uint64_t nominal = rte_get_tsc_hz();
	uint64_t t0, n0, t1, n1;
	sample(&t0, &n0);
	struct timespec nap = { .tv_sec = 0, .tv_nsec = 50000000 };
	nanosleep(&nap, NULL);
	sample(&t1, &n1);
	double measured = n1 > n0 ? (double)(t1 - t0) * 1e9 / (double)(n1 - n0) : 0.0;
	/* 50 ms read to a microsecond: 20 ppm. */
	if (measured > 0.95 * (double)nominal && measured < 1.05 * (double)nominal)
		hz = (uint64_t)(measured + 0.5);
	else
		hz = nominal;
	return hz;
}
