/*
 * Benchmark helper (not a test): the clock the core runs at, against the TSC.
 *
 * Every cycle figure of the benchmarks is in TSC cycles (rte_rdtsc()), which
 * count at a fixed rate whatever the core does. A core that runs faster than
 * the TSC does more work per TSC cycle: on this lab's VM 1.64 core cycles
 * for each (docs/performance-log.md, "Late night, 2026-12-05"), and a figure taken in
 * TSC cycles turns into cores of another clock only through that ratio. It
 * also tells a VM's slow spells from its fast ones, which benchmark headers
 * and footers record.
 *
 * How: a chain of dependent adds takes one core cycle per add on every x86
 * core of this century (the loop's own increment and branch run beside it),
 * timed with the TSC; the TSC itself against CLOCK_MONOTONIC. The best of
 * five rounds: an interrupt or a descheduled vCPU only ever slows a round.
 *
 * usage: dv-clock [MILLISECONDS_PER_ROUND]   (default 100)
 * prints: core_ghz tsc_ghz core_per_tsc
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__x86_64__)
#include <x86intrin.h>

#define ADDS_PER_ROUND 8u

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* n iterations of ADDS_PER_ROUND dependent adds. @return TSC cycles taken */
static uint64_t add_chain(uint64_t n)
{
	uint64_t x = 0, t0 = __rdtsc();
	for (uint64_t i = 0; i < n; i++)
		__asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
				 "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0"
				 : "+r"(x));
	return __rdtsc() - t0;
}

int main(int argc, char **argv)
{
	long ms = argc > 1 ? strtol(argv[1], NULL, 10) : 100;
	if (argc > 2 || ms < 10 || ms > 10000) {
		fprintf(stderr, "usage: dv-clock [MILLISECONDS_PER_ROUND 10..10000]\n");
		return 2;
	}
	/* The TSC's rate, over the whole measurement. */
	double s0 = now_s();
	uint64_t c0 = __rdtsc();

	/* Size a round from a first guess of about 3 adds per ns. */
	uint64_t n = (uint64_t)ms * 3000000u / ADDS_PER_ROUND;
	double best = 0.0;
	for (int round = 0; round < 5; round++) {
		uint64_t tsc = add_chain(n);
		double ratio = (double)(n * ADDS_PER_ROUND) / (double)tsc;
		if (ratio > best)
			best = ratio;
	}
	double tsc_hz = (double)(__rdtsc() - c0) / (now_s() - s0);
	printf("%.3f %.3f %.3f\n", best * tsc_hz / 1e9, tsc_hz / 1e9, best);
	return 0;
}
#else
int main(void)
{
	fprintf(stderr, "dv-clock: only x86-64 has a TSC to compare with\n");
	return 1;
}
#endif
