/**
 * @file set_tcp.c
 * @brief Setters of DNS over TCP: the transport and connection behaviour.
 */
#include "config/setters.h"

#include <errno.h>
#include <string.h>

#include "config/parse.h"
#include "config/scenario.h"
#include "config/set_util.h"
#include "core/log.h"

/* Messages spell these limits out. */
_Static_assert(DV_TCP_PIPELINE_MAX == 64, "messages say 64");
_Static_assert(DV_TCP_QUERIES_MAX == 1000000, "messages say 1000000");
_Static_assert((int)DV_TCP_RTO_MAX == 60 && (int)DV_TCP_IDLE_MAX_MAX == 600 &&
	       (int)DV_TCP_QUARANTINE_MAX == 600, "messages say 60 s and 600 s");
_Static_assert(DV_TCP_CONNS_MAX == 1048576, "messages say 1048576");

void dv_tcp_plan_defaults(struct dv_plan *p)
{
	p->transport = DV_TRANSPORT_UDP;
	p->tcp = (struct dv_tcp_plan){
		.queries_per_conn = DV_DEFAULT_TCP_QUERIES,
		.pipeline = DV_DEFAULT_TCP_PIPELINE,
		.end = DV_TCP_END_CLOSE,
		.idle_max_s = DV_DEFAULT_TCP_IDLE_MAX,
		.stress = DV_TCP_STRESS_NONE,
		.rto_init_s = DV_DEFAULT_TCP_RTO,
		.quarantine_s = DV_DEFAULT_TCP_QUARANTINE,
		.conns = 0,
	};
}

int dv_set_transport(struct dv_plan *p, const char *v, const char *ctx)
{
	if (strcmp(v, "udp") == 0)
		p->transport = DV_TRANSPORT_UDP;
	else if (strcmp(v, "tcp") == 0)
		p->transport = DV_TRANSPORT_TCP;
	else
		return dv_not_a(ctx, v, "a transport (udp or tcp)");
	return 0;
}

int dv_set_tcp_queries(struct dv_plan *p, const char *v, const char *ctx)
{
	uint64_t n;
	if (dv_parse_uint(v, 0, DV_TCP_QUERIES_MAX, &n) != 0)
		return dv_not_a(ctx, v, "a number of queries per connection in 0..1000000");
	p->tcp.queries_per_conn = (unsigned)n;
	return 0;
}

int dv_set_tcp_pipeline(struct dv_plan *p, const char *v, const char *ctx)
{
	uint64_t n;
	if (dv_parse_uint(v, 1, DV_TCP_PIPELINE_MAX, &n) != 0)
		return dv_not_a(ctx, v, "a number of outstanding queries in 1..64");
	p->tcp.pipeline = (unsigned)n;
	return 0;
}

int dv_set_tcp_end(struct dv_plan *p, const char *v, const char *ctx)
{
	if (strcmp(v, "close") == 0) {
		p->tcp.end = DV_TCP_END_CLOSE;
	} else if (strcmp(v, "reset") == 0) {
		p->tcp.end = DV_TCP_END_RESET;
	} else if (strcmp(v, "idle") == 0) {
		p->tcp.end = DV_TCP_END_IDLE;
		p->tcp.idle_max_s = DV_DEFAULT_TCP_IDLE_MAX;
	} else if (strncmp(v, "idle:", 5) == 0) {
		double t;
		if (dv_parse_seconds(v + 5, false, &t) != 0 || t > DV_TCP_IDLE_MAX_MAX)
			return dv_not_a(ctx, v, "idle:MAX with MAX in (0, 600 s], e.g. idle:40s");
		p->tcp.end = DV_TCP_END_IDLE;
		p->tcp.idle_max_s = t;
	} else {
		return dv_not_a(ctx, v, "close, reset, idle or idle:MAX");
	}
	return 0;
}

int dv_set_tcp_stress(struct dv_plan *p, const char *v, const char *ctx)
{
	if (strcmp(v, "none") == 0)
		p->tcp.stress = DV_TCP_STRESS_NONE;
	else if (strcmp(v, "half-open") == 0)
		p->tcp.stress = DV_TCP_STRESS_HALF_OPEN;
	else if (strcmp(v, "hold") == 0)
		p->tcp.stress = DV_TCP_STRESS_HOLD;
	else
		return dv_not_a(ctx, v, "a stress mode (half-open, hold or none)");
	return 0;
}

int dv_set_tcp_rto(struct dv_plan *p, const char *v, const char *ctx)
{
	double t;
	if (dv_parse_seconds(v, false, &t) != 0 || t < DV_TCP_RTO_MIN || t > DV_TCP_RTO_MAX)
		return dv_not_a(ctx, v, "a retransmission timeout in [1 ms, 60 s], e.g. 200ms");
	p->tcp.rto_init_s = t;
	return 0;
}

int dv_set_tcp_quarantine(struct dv_plan *p, const char *v, const char *ctx)
{
	double t;
	if (dv_parse_seconds(v, true, &t) != 0 || t > DV_TCP_QUARANTINE_MAX)
		return dv_not_a(ctx, v, "a quarantine in [0, 600 s], e.g. 60");
	p->tcp.quarantine_s = t;
	return 0;
}

int dv_set_tcp_conns(struct dv_plan *p, const char *v, const char *ctx)
{
	uint64_t n;
	if (dv_parse_uint(v, 1, DV_TCP_CONNS_MAX, &n) != 0)
		return dv_not_a(ctx, v, "a number of connections in 1..1048576");
	p->tcp.conns = (unsigned)n;
	return 0;
}

int dv_tcp_plan_check(const struct dv_plan *p)
{
	const struct dv_tcp_plan *t = &p->tcp;
	if (p->transport != DV_TRANSPORT_TCP && dv_plan_uses_tcp(p) &&
	    (t->queries_per_conn == 0 || t->stress != DV_TCP_STRESS_NONE)) {
		/* A fallback attempt asks a question: a connection without one answers nothing. */
		dv_err("%s: only with --transport tcp (a TCP attempt after UDP asks its question)",
		       t->queries_per_conn == 0 ? "--tcp-queries 0" : "--tcp-stress");
		return -EINVAL;
	}
	if (p->transport != DV_TRANSPORT_TCP)
		return 0;
	if (t->queries_per_conn != 0 && t->pipeline > t->queries_per_conn) {
		dv_err("--tcp-pipeline %u: more than --tcp-queries %u on a connection", t->pipeline,
		       t->queries_per_conn);
		return -EINVAL;
	}
	return 0;
}
