#include "tcp/rto.h"

static uint64_t clamp(uint64_t v, const struct dv_tcp_rto_limits *l)
{
	if (v < l->min)
		v = l->min;
	if (v > l->max)
		v = l->max;
	return v;
}

void dv_tcp_rto_init(struct dv_tcp_rto *r, const struct dv_tcp_rto_limits *l)
{
	r->srtt8 = 0;
	r->rttvar4 = 0;
	r->measured = false;
	r->rto = clamp(l->init, l);
}

void dv_tcp_rto_sample(struct dv_tcp_rto *r, uint64_t rtt, const struct dv_tcp_rto_limits *l)
{
	if (!r->measured) {
		r->srtt8 = rtt << 3;
		r->rttvar4 = rtt << 1; /* 4 * R/2 */
		r->measured = true;
	} else {
		uint64_t srtt = r->srtt8 >> 3;
		uint64_t err = srtt > rtt ? srtt - rtt : rtt - srtt;
		/* 4 RTTVAR' = 3 RTTVAR + |SRTT - R|, from the SRTT before this sample. */
		r->rttvar4 = r->rttvar4 - (r->rttvar4 >> 2) + err;
		/* 8 SRTT' = 7 SRTT + R */
		r->srtt8 = r->srtt8 - (r->srtt8 >> 3) + rtt;
	}
	uint64_t var = r->rttvar4 > l->granularity ? r->rttvar4 : l->granularity;
	r->rto = clamp((r->srtt8 >> 3) + var, l);
}

void dv_tcp_rto_backoff(struct dv_tcp_rto *r, const struct dv_tcp_rto_limits *l)
{
	r->rto = r->rto > l->max / 2 ? l->max : clamp(r->rto * 2, l);
}

void dv_tcp_rto_set(struct dv_tcp_rto *r, uint64_t rto, const struct dv_tcp_rto_limits *l)
{
	r->rto = clamp(rto, l);
}
