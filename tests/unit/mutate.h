/* Deterministic input mutation for the parsers' fuzz loops (seeded random()). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/**
 * Fill buf with one fuzz input: random bytes (a third of the time, up to
 * max_random bytes), or one of the seeds, maybe truncated, with up to three
 * bytes changed. Seeds are stride bytes apart in one array.
 * @return the input's length
 */
static inline size_t dv_mutate(uint8_t *buf, const uint8_t *seeds, size_t stride,
			       const size_t *slen, int nseeds, size_t max_random)
{
	int kind = (int)(random() % 3);
	size_t len;
	if (kind == 0) {
		len = (size_t)random() % max_random;
		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)random();
		return len;
	}
	int s = (int)(random() % nseeds);
	len = slen[s];
	memcpy(buf, seeds + (size_t)s * stride, len);
	if (kind == 1)
		len = (size_t)random() % (len + 1);
	int flips = (int)(random() % 4);
	for (int k = 0; k < flips && len > 0; k++)
		buf[(size_t)random() % len] = (uint8_t)random();
	return len;
}

/**
 * The usual fuzz run over a parser: every truncation of every seed, then
 * `rounds` mutated inputs (seeded, so a failure reproduces). buf holds at
 * least stride bytes.
 */
static inline void dv_fuzz_seeds(const uint8_t *seeds, size_t stride, const size_t *slen,
				 int nseeds, unsigned rounds, unsigned seed, uint8_t *buf,
				 void (*one)(const uint8_t *data, size_t len))
{
	for (int s = 0; s < nseeds; s++)
		for (size_t len = 0; len <= slen[s]; len++)
			one(seeds + (size_t)s * stride, len);
	srandom(seed);
	for (unsigned i = 0; i < rounds; i++)
		one(buf, dv_mutate(buf, seeds, stride, slen, nseeds, 200));
}
