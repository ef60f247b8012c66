#include "engine/pace.h"

void dv_pace_init(struct dv_pace *p, uint64_t start_tsc, uint64_t tsc_hz, double qps,
		  uint64_t max_backlog)
{
	p->anchor_tsc = start_tsc;
	p->anchor_n = 0;
	p->n = 0;
	p->tsc_per_query = (double)tsc_hz / qps;
	p->max_backlog = max_backlog > 0 ? max_backlog : 1;
	p->slips = 0;
}
