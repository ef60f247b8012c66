/**
 * @file set_load.c
 * @brief Setters of the load: target, server port, query file, duration, timeout, DO bit, statistics.
 */
#include "config/setters.h"

#include <errno.h>
#include <string.h>

#include "config/parse.h"
#include "config/scenario.h"
#include "config/set_util.h"
#include "core/log.h"

int dv_set_target(struct dv_plan *p, const char *v, const char *ctx)
{
	return dv_add_addr(p->target, ctx, v, "target", NULL);
}

void dv_forget_target(struct dv_plan *p)
{
	memset(p->target, 0, sizeof(p->target));
}

int dv_set_dns_port(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_port(v, &p->dport) != 0)
		return dv_not_a(ctx, v, "a port number (1..65535)");
	return 0;
}

int dv_set_queries(struct dv_plan *p, const char *v, const char *ctx)
{
	return dv_copy_value(ctx, v, p->query_file, sizeof(p->query_file));
}

int dv_set_duration(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_seconds(v, false, &p->duration_s) != 0)
		return dv_not_a(ctx, v, "a duration in seconds");
	return 0;
}

int dv_set_timeout(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_seconds(v, false, &p->timeout_s) != 0)
		return dv_not_a(ctx, v, "a timeout in seconds");
	return 0;
}

int dv_set_max_queries(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_uint(v, 0, UINT64_MAX, &p->max_queries) != 0)
		return dv_not_a(ctx, v, "a number of queries");
	return 0;
}

int dv_set_dnssec_ok(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_bool(v, &p->dnssec_ok) != 0)
		return dv_not_a(ctx, v, "a boolean (true or false)");
	p->seq.do_prob = p->dnssec_ok ? 1.0 : 0.0;
	return 0;
}

int dv_set_stats_interval(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_seconds(v, true, &p->stats_interval_s) != 0)
		return dv_not_a(ctx, v, "an interval in seconds (0 = off)");
	return 0;
}
