#include "engine/sources.h"

#include <errno.h>
#include <string.h>

#include "core/rng.h"
#include "wire/rss.h"

/* Candidates tried per collector pool: enough for 8 collectors to each find a full pool. */
#define DV_SRC_TRIES (DV_SRC_POOL_MAX * 64u)

/* Put the low `bits` bits of v into the host part of an address (the last bits). */
static void set_host(uint8_t *a, unsigned alen, unsigned bits, uint64_t v)
{
	for (unsigned i = 0; i < bits && i < 64; i += 8) {
		unsigned byte = alen - 1 - i / 8;
		unsigned take = bits - i < 8 ? bits - i : 8;
		uint8_t mask = (uint8_t)((1u << take) - 1);
		a[byte] = (uint8_t)((a[byte] & ~mask) | ((v >> i) & mask));
	}
}

int dv_src_pool_build(const struct dv_addr *base, unsigned prefix, const struct dv_addr *target,
		      unsigned c, unsigned ncol, uint64_t seed, struct dv_src *out)
{
	int af = base->family;
	unsigned alen = af == AF_INET6 ? 16 : 4;
	unsigned hbits = alen * 8 - prefix;
	const uint8_t *b = af == AF_INET6 ? base->v6.s6_addr : (const uint8_t *)&base->v4;
	const uint8_t *t = af == AF_INET6 ? target->v6.s6_addr : (const uint8_t *)&target->v4;
	uint64_t hmask = hbits >= 64 ? UINT64_MAX : (1ull << hbits) - 1;
	struct dv_rng rng;
	dv_rng_seed(&rng, seed ^ ((uint64_t)c << 32) ^ (uint64_t)af);
	/* Small ranges: walk a permutation of all host parts (i * odd + key), so none repeats. */
	uint64_t odd = dv_rng_next(&rng) | 1, key = dv_rng_next(&rng);
	bool enumerate = hbits <= 24;
	uint64_t tries = enumerate && (1ull << hbits) < DV_SRC_TRIES ? 1ull << hbits : DV_SRC_TRIES;
	unsigned n = 0;

	for (uint64_t i = 0; i < tries && n < DV_SRC_POOL_MAX; i++) {
		uint64_t host = enumerate ? (i * odd + key) & hmask : dv_rng_next(&rng) & hmask;
		if (hbits >= 2 && (host == 0 || host == hmask))
			continue; /* network and broadcast-like host parts */
		uint8_t a[16];
		memcpy(a, b, alen);
		set_host(a, alen, hbits, host);
		if (ncol > 1 && dv_rss_queue(t, a, af, ncol) != c)
			continue;
		struct dv_addr addr = { .family = af };
		memcpy(af == AF_INET6 ? (void *)&addr.v6 : (void *)&addr.v4, a, alen);
		dv_src_make(&addr, &out[n++]);
	}
	if (n == 0)
		return -ENOENT;
	/* A power of two, so a lane picks one with a mask. */
	unsigned p = 1;
	while (p * 2 <= n)
		p *= 2;
	return (int)p;
}
