/**
 * @file sources.h
 * @brief Source addresses of a --src range, computed per logical query:
 *        every address of the range, pseudorandomly, with no table.
 *
 * RFC 4814 §4.5 asks for pseudorandom source addresses so that a server's
 * RSS spreads the load; an emulated population wants every address of its
 * range (a /8 or a /64: millions of resolvers). A lane numbers its logical
 * queries; the n-th one's host part is a bijection of n over the range's
 * host bits, so n = 0 .. 2^bits - 1 visits every address once, and all the
 * attempts of a logical query (retries, the other family) come from the
 * same emulated resolver.
 *
 * Each collector owns one RX queue, and an answer arrives on the queue its
 * (server, client) address pair hashes to, so a collector's lanes only use
 * addresses that hash to it (the address-only Toeplitz hash of wire/rss.h,
 * as the NIC and the embedded responder compute it). Toeplitz is linear, so
 * a host part's hash is the XOR of a table lookup per byte: an address that
 * hashes elsewhere is skipped for the next one at the cost of a few loads.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "config/plan.h"
#include "wire/compose.h"

#define DV_SRC_HOST_BITS_MAX 64 /**< host bits a range may have: a /64 in IPv6 */
#define DV_SRC_HOST_BYTES 8

/** The Toeplitz hash of each host byte's value, per byte (byte 0: the last address byte). */
typedef uint32_t dv_src_rss_tab[DV_SRC_HOST_BYTES][256];

/** A range as one lane draws from it. Read-only once built. */
struct dv_src_range {
	uint8_t base[16];        /**< the prefix, host bits zero (4 or 16 bytes used) */
	uint8_t alen;            /**< 4 or 16; 0: no range */
	uint8_t hbits;           /**< host bits, 1..64 */
	uint8_t hbytes;          /**< bytes holding host bits */
	uint8_t shift;           /**< the permutation's xorshift */
	uint64_t hmask;          /**< host bits' mask */
	uint64_t mul1, mul2, key; /**< the permutation (odd multipliers) */
	uint32_t rss_base;       /**< hash of (base, target) */
	uint32_t base_sum;       /**< the base's checksum words, summed, not folded */
	uint64_t base_tail;      /**< the base's last 8 (IPv6) or 4 (IPv4) bytes, host order */
	uint16_t q, nq;          /**< the collector's queue among nq on its port */
	const dv_src_rss_tab *rss; /**< NULL when nq <= 1 */
};

/**
 * Fill the per-byte hash table of the host bytes of base/prefix (the same
 * for every target and queue).
 */
void dv_src_rss_build(const struct dv_addr *base, unsigned prefix, dv_src_rss_tab *tab);

/**
 * Set r up for the addresses of base/prefix whose answers from target hash
 * to queue q of nq. The host parts all-zeros and all-ones are skipped (a
 * range of two addresses or fewer keeps them).
 * @param tab from dv_src_rss_build() for the same range, kept
 *            alive as long as r (NULL when nq <= 1)
 * @param key selects the permutation (e.g. the lane)
 * @return 0, -EINVAL for a range of more than DV_SRC_HOST_BITS_MAX host bits,
 *         -ENOENT when no address of the range hashes to q
 */
int dv_src_range_init(struct dv_src_range *r, const struct dv_addr *base, unsigned prefix,
		      const struct dv_addr *target, unsigned q, unsigned nq, uint64_t key,
		      const dv_src_rss_tab *tab);

/** The permutation of the host parts: a bijection of the low hbits bits. */
static inline uint64_t dv_src_host_of(const struct dv_src_range *r, uint64_t n)
{
	uint64_t x = (n * r->mul1 + r->key) & r->hmask;
	x ^= x >> r->shift;
	x = (x * r->mul2) & r->hmask;
	return x ^ (x >> r->shift);
}

/** Whether host part h is one r's collector may use. */
static inline bool dv_src_host_ok(const struct dv_src_range *r, uint64_t h)
{
	if (r->hbits >= 2 && (h == 0 || h == r->hmask))
		return false; /* network and broadcast-like host parts */
	if (r->rss == NULL)
		return true;
	uint32_t hash = r->rss_base;
	for (unsigned k = 0; k < r->hbytes; k++)
		hash ^= (*r->rss)[k][(h >> (8 * k)) & 0xff];
	return hash % r->nq == r->q;
}

/**
 * Write the address of host part h into s, with its checksum sum: the
 * base's and the host part's words add up apart (their bits do not overlap).
 */
static inline void dv_src_range_addr(const struct dv_src_range *r, uint64_t h, struct dv_src *s)
{
	uint32_t sum = r->base_sum;
	if (r->alen == 16) {
		uint64_t tail = __builtin_bswap64(r->base_tail | h);
		memcpy(s->addr, r->base, 8);
		memcpy(s->addr + 8, &tail, 8);
		for (unsigned i = 0; i < 4; i++)
			sum += __builtin_bswap16((uint16_t)(h >> (16 * i)));
	} else {
		uint32_t a = __builtin_bswap32((uint32_t)(r->base_tail | h));
		memcpy(s->addr, &a, 4);
		sum += __builtin_bswap16((uint16_t)h) + __builtin_bswap16((uint16_t)(h >> 16));
	}
	sum = (sum >> 16) + (sum & 0xffff);
	s->sum = (sum >> 16) + (sum & 0xffff);
}

/**
 * The source of logical query n: the first usable host part at or after n in
 * the permutation. The same n always gives the same address.
 */
static inline void dv_src_range_pick(const struct dv_src_range *r, uint64_t n, struct dv_src *s)
{
	uint64_t h = dv_src_host_of(r, n);
	while (!dv_src_host_ok(r, h))
		h = dv_src_host_of(r, ++n);
	dv_src_range_addr(r, h, s);
}

/**
 * The first max distinct usable addresses of the permutation (for tables
 * that need an index per address: TCP's connections).
 * @return how many were written (fewer when the range has fewer)
 */
unsigned dv_src_range_list(const struct dv_src_range *r, struct dv_src *out, unsigned max);
