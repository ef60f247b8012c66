/**
 * @file set_metrics.c
 * @brief Setters of the live metrics endpoint (--metrics, --metrics-hold).
 */
#include "config/setters.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/parse.h"
#include "config/set_util.h"

/** Longest hold: an hour is more than any scraper's interval. */
#define METRICS_HOLD_MAX 3600.0

/*
 * ADDR:PORT, or [ADDR]:PORT for IPv6 (the last colon separates the port; a
 * bare IPv6 address would be ambiguous, so it must be in brackets).
 */
int dv_set_metrics(struct dv_plan *p, const char *v, const char *ctx)
{
	static const char what[] = "ADDR:PORT or [IPV6]:PORT, e.g. 127.0.0.1:9100";
	char host[64];
	const char *colon = strrchr(v, ':');
	const char *h = v;
	size_t hlen;

	if (colon == NULL || colon == v)
		return dv_not_a(ctx, v, what);
	hlen = (size_t)(colon - v);
	if (v[0] == '[') {
		if (hlen < 3 || v[hlen - 1] != ']')
			return dv_not_a(ctx, v, what);
		h = v + 1;
		hlen -= 2;
	} else if (memchr(v, ':', hlen) != NULL) {
		return dv_not_a(ctx, v, what);
	}
	if (hlen >= sizeof(host))
		return dv_not_a(ctx, v, what);
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	struct dv_addr a;
	uint16_t port;
	if (dv_parse_addr(host, &a) != 0 || (v[0] == '[') != (a.family == AF_INET6))
		return dv_bad_field(ctx, host, v, "an IPv4 or [IPv6] address");
	if (dv_parse_port(colon + 1, &port) != 0)
		return dv_bad_field(ctx, colon + 1, v, "a TCP port 1..65535");
	int rc = dv_copy_value(ctx, v, p->metrics_spec, sizeof(p->metrics_spec));
	if (rc != 0)
		return rc;
	p->metrics_addr = a;
	p->metrics_port = port;
	return 0;
}

int dv_set_metrics_hold(struct dv_plan *p, const char *v, const char *ctx)
{
	double s;
	if (dv_parse_seconds(v, true, &s) != 0 || s > METRICS_HOLD_MAX)
		return dv_not_a(ctx, v, "a time in seconds 0..3600, e.g. 3 or 500ms");
	p->metrics_hold_s = s;
	return 0;
}
