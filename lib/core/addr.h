/**
 * @file addr.h
 * @brief Addresses in messages.
 */
#pragma once

#include "core/types.h"

/**
 * Format an address for messages.
 *
 * @return buf, holding the address or "(none)" when the family is unset
 */
const char *dv_addr_str(const struct dv_addr *a, char *buf, unsigned len);

/**
 * Set the `bits` bits of a that follow its first `from` to `value` (most
 * significant first): slice `value` of the range a/from cut into 2^bits.
 */
void dv_addr_set_bits(struct dv_addr *a, unsigned from, unsigned bits, unsigned value);
