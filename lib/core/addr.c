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
