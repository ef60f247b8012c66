/**
 * @file set_util.c
 * @brief Helpers the setters share (see set_util.h).
 */
#include "config/set_util.h"

#include <errno.h>
#include <string.h>

#include "config/parse.h"
#include "core/log.h"

int dv_not_a(const char *ctx, const char *v, const char *what)
{
	char qb[DV_QUOTE_BUF];
	dv_err("%s: '%s' is not %s", ctx, dv_quote(v, qb, sizeof(qb)), what);
	return -EINVAL;
}

int dv_bad_field(const char *ctx, const char *field, const char *v, const char *what)
{
	char qf[DV_QUOTE_BUF], qv[DV_QUOTE_BUF];
	if (strcmp(field, v) == 0)
		return dv_not_a(ctx, v, what);
	dv_err("%s: '%s' in '%s' is not %s", ctx, dv_quote(field, qf, sizeof(qf)),
	       dv_quote(v, qv, sizeof(qv)), what);
	return -EINVAL;
}

int dv_split_copy(const char *v, char sep, char *buf, size_t size, char **f, int max)
{
	if (strlen(v) >= size)
		return -EINVAL;
	strcpy(buf, v);
	int n = 0;
	for (char *p = buf;;) {
		if (n == max)
			return -EINVAL;
		f[n++] = p;
		p = strchr(p, sep);
		if (p == NULL)
			return n;
		*p++ = '\0';
	}
}

int dv_add_addr(struct dv_addr arr[DV_FAMILIES], const char *ctx, const char *v,
		const char *what, int *idx)
{
	struct dv_addr a;
	if (dv_parse_addr(v, &a) != 0)
		return dv_not_a(ctx, v, "an IPv4 or IPv6 address");
	int i = a.family == AF_INET ? DV_FAMILY_V4 : DV_FAMILY_V6;
	if (arr[i].family != 0) {
		dv_err("%s: more than one %s %s (at most one IPv4 and one IPv6)",
		       ctx, i == DV_FAMILY_V4 ? "IPv4" : "IPv6", what);
		return -EINVAL;
	}
	arr[i] = a;
	if (idx != NULL)
		*idx = i;
	return 0;
}

unsigned dv_split(char *buf, char sep, char **item, unsigned max)
{
	unsigned n = 0;
	char *p = buf;
	for (;;) {
		char *end = strchr(p, sep);
		if (end != NULL)
			*end = '\0';
		if (n < max)
			item[n] = p;
		n++;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return n;
}
