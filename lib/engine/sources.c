#include "engine/sources.h"

#include <errno.h>
#include <string.h>

#include <rte_ip.h>

#include "core/rng.h"
#include "wire/rss.h"

/* Host parts tried before a collector is said to have no address: with up to
 * DV_MAX_COLLECTORS queues, one in a few hashes to each. */
#define DV_SRC_PROBE (1u << 16)

static unsigned addr_len(const struct dv_addr *a)
{
	return a->family == AF_INET6 ? 16 : 4;
}

static const uint8_t *addr_bytes(const struct dv_addr *a)
{
	return a->family == AF_INET6 ? a->v6.s6_addr : (const uint8_t *)&a->v4;
}

/* The prefix of a with its host bits cleared. */
static void prefix_of(const struct dv_addr *a, unsigned prefix, uint8_t *out)
{
	unsigned alen = addr_len(a);
	memcpy(out, addr_bytes(a), alen);
	for (unsigned bit = prefix; bit < alen * 8; bit++)
		out[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
}

void dv_src_rss_build(const struct dv_addr *base, unsigned prefix, dv_src_rss_tab *tab)
{
	unsigned alen = addr_len(base), hbits = alen * 8 - prefix;
	static const uint8_t zero[16];
	memset(tab, 0, sizeof(*tab));
	/* Toeplitz is linear: a host byte's share of the hash is the hash of that byte alone
	 * (in the answer's destination address: ours). */
	for (unsigned k = 0; k < DV_SRC_HOST_BYTES && 8 * k < hbits; k++) {
		for (unsigned v = 1; v < 256; v++) {
			uint8_t a[16] = { 0 };
			a[alen - 1 - k] = (uint8_t)v;
			(*tab)[k][v] = dv_rss_hash(zero, a, base->family);
		}
	}
}

int dv_src_range_init(struct dv_src_range *r, const struct dv_addr *base, unsigned prefix,
		      const struct dv_addr *target, unsigned q, unsigned nq, uint64_t key,
		      const dv_src_rss_tab *tab)
{
	unsigned alen = addr_len(base), hbits = alen * 8 - prefix;
	if (hbits == 0 || hbits > DV_SRC_HOST_BITS_MAX)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	prefix_of(base, prefix, r->base);
	r->alen = (uint8_t)alen;
	r->hbits = (uint8_t)hbits;
	r->hbytes = (uint8_t)((hbits + 7) / 8);
	r->shift = (uint8_t)((hbits + 1) / 2);
	r->hmask = hbits == 64 ? UINT64_MAX : (1ull << hbits) - 1;
	r->base_sum = __rte_raw_cksum(r->base, alen, 0);
	for (unsigned i = 0; i < 8 && i < alen; i++)
		r->base_tail = r->base_tail << 8 | r->base[alen - (alen < 8 ? alen : 8) + i];
	struct dv_rng rng;
	dv_rng_seed(&rng, key ^ (uint64_t)base->family << 48);
	r->mul1 = dv_rng_next(&rng) | 1;
	r->mul2 = dv_rng_next(&rng) | 1;
	r->key = dv_rng_next(&rng);
	r->q = (uint16_t)q;
	r->nq = (uint16_t)nq;
	if (nq > 1) {
		r->rss = tab;
		r->rss_base = dv_rss_hash(addr_bytes(target), r->base, base->family);
	}
	/* The pick walks the permutation until an address fits: there must be one. */
	uint64_t tries = r->hmask < DV_SRC_PROBE ? r->hmask + 1 : DV_SRC_PROBE;
	for (uint64_t n = 0; n < tries; n++)
		if (dv_src_host_ok(r, dv_src_host_of(r, n)))
			return 0;
	return -ENOENT;
}

unsigned dv_src_range_list(const struct dv_src_range *r, struct dv_src *out, unsigned max)
{
	unsigned got = 0;
	/* Each n's own host part (no walking on): distinct, the permutation being one. */
	for (uint64_t n = 0; got < max && n <= r->hmask && n < (uint64_t)max * 64; n++) {
		uint64_t h = dv_src_host_of(r, n);
		if (dv_src_host_ok(r, h))
			dv_src_range_addr(r, h, &out[got++]);
	}
	return got;
}
