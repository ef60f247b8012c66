#include "engine/search.h"

#include <stdlib.h>

void dv_search_init(struct dv_search *s, double max_qps, double loss_pct, double resolution_pct)
{
	s->max_qps = max_qps;
	s->loss_pct = loss_pct;
	s->step_qps = max_qps * resolution_pct / 100.0;
	s->pass_qps = 0.0;
	s->found_qps = 0.0;
	s->fail_qps = max_qps + s->step_qps;
	s->next_qps = max_qps;
	s->trials = 0;
	s->done = false;
}

void dv_search_report(struct dv_search *s, double loss_pct, double sent_qps)
{
	s->trials++;
	if (loss_pct <= s->loss_pct) {
		double got = sent_qps < s->next_qps ? sent_qps : s->next_qps;
		s->found_qps = got > s->found_qps ? got : s->found_qps;
		s->pass_qps = s->next_qps;
	} else
		s->fail_qps = s->next_qps;
	/* Passing at the upper bound, or an interval below the resolution: done. */
	if (s->pass_qps >= s->max_qps || s->fail_qps - s->pass_qps <= s->step_qps) {
		s->done = true;
		return;
	}
	s->next_qps = (s->pass_qps + s->fail_qps) / 2.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void dv_search_summary(double *v, unsigned n, double *median, double *min, double *max)
{
	qsort(v, n, sizeof(*v), cmp_double);
	*min = v[0];
	*max = v[n - 1];
	*median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}
