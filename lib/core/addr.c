/** @file addr.c @brief Addresses in messages (see addr.h). */
#include "core/addr.h"

#include <arpa/inet.h>
#include <stdio.h>

const char *dv_addr_str(const struct dv_addr *a, char *buf, unsigned len)
{
	if (len == 0)
		return buf;
	if (a == NULL || a->family == 0 ||
	    inet_ntop(a->family, a->family == AF_INET ? (const void *)&a->v4
						      : (const void *)&a->v6,
		      buf, len) == NULL)
		snprintf(buf, len, "(none)");
	return buf;
}

void dv_addr_set_bits(struct dv_addr *a, unsigned from, unsigned bits, unsigned value)
{
	uint8_t *b = a->family == AF_INET6 ? a->v6.s6_addr : (uint8_t *)&a->v4;
	for (unsigned i = 0; i < bits; i++) {
		unsigned bit = from + i, on = (value >> (bits - 1 - i)) & 1;
		uint8_t m = (uint8_t)(0x80u >> (bit % 8));
		b[bit / 8] = (uint8_t)(on ? b[bit / 8] | m : b[bit / 8] & ~m);
	}
}
