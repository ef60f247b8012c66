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
