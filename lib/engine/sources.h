/**
 * @file sources.h
 * @brief Source addresses drawn from a --src range, per collector.
 *
 * RFC 4814 §4.5 asks for pseudorandom source addresses so that a server's
 * RSS spreads the load. Each collector owns one RX queue, and a response
 * arrives on the queue its (server, client) address pair hashes to, so a
 * collector's lanes only use addresses that hash to it (the same address-only
 * Toeplitz hash the NIC and the embedded responder use).
 */
#pragma once

#include <stdint.h>

#include "config/plan.h"
#include "wire/compose.h"

#define DV_SRC_POOL_MAX 4096 /**< addresses per (collector, family) */

/**
 * Draw source addresses of base/prefix for collector c of ncol: a
 * pseudorandom permutation of the range's host parts (all of it when small),
 * skipping the all-zeros and all-ones host parts, keeping those that hash to
 * c when ncol > 1.
 * @param out room for DV_SRC_POOL_MAX
 * @return the count (a power of two) or -ENOENT when no address of the range
 *         hashes to c within the search budget
 */
int dv_src_pool_build(const struct dv_addr *base, unsigned prefix, const struct dv_addr *target,
		      unsigned c, unsigned ncol, uint64_t seed, struct dv_src *out);
