#include "engine/pace.h"

void dv_pace_init(struct dv_pace *p, uint64_t start_tsc, uint64_t tsc_hz, double qps,
		  uint64_t max_backlog)
{
	p->anchor_tsc = start_tsc;
	p->n = 0;
	p->skipped = 0;
	p->tsc_per_query = (double)tsc_hz / qps;
	p->max_backlog = max_backlog > 0 ? max_backlog : 1;
	p->slips = 0;
	p->unlimited = false;
	p->ramp = false;
}

void dv_pace_init_ramp(struct dv_pace *p, uint64_t start_tsc, uint64_t tsc_hz, double from_qps,
		       double to_qps, double duration_s, uint64_t max_backlog)
{
	dv_pace_init(p, start_tsc, tsc_hz, to_qps, max_backlog);
	double hz = (double)tsc_hz;
	p->ramp = true;
	p->r0 = from_qps / hz;
	p->slope = (to_qps - from_qps) / (duration_s * hz) / hz;
	/* A ramp from 0 still starts: the first query is due at the anchor. */
}

void dv_pace_init_max(struct dv_pace *p, uint64_t start_tsc)
{
	dv_pace_init(p, start_tsc, 1, 1.0, 1);
	p->unlimited = true;
}
