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
