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
	s->gen_limit_qps = 0.0;
	s->repeating = false;
	s->server_failed = false;
	s->trials = 0;
	s->done = false;
}

enum dv_trial_verdict dv_search_report(struct dv_search *s, double loss_pct, double sent_qps,
				       bool stalled)
{
	enum dv_trial_verdict v;
	double offered = s->next_qps;
	s->trials++;
	if ((stalled || offered - sent_qps > s->step_qps) && !s->repeating) {
		s->repeating = true;
		return DV_TRIAL_REPEAT;
	}
	s->repeating = false;
	if (sent_qps < DV_SEARCH_GEN_SHARE * offered) {
		/* Not offered: no verdict on the server, but no use trying higher either. */
		v = DV_TRIAL_GEN_LIMITED;
		if (s->gen_limit_qps == 0.0 || offered < s->gen_limit_qps)
			s->gen_limit_qps = offered;
		s->fail_qps = offered;
	} else if (loss_pct <= s->loss_pct) {
		v = DV_TRIAL_PASS;
		double got = sent_qps < offered ? sent_qps : offered;
		s->found_qps = got > s->found_qps ? got : s->found_qps;
		s->pass_qps = offered;
	} else {
		v = DV_TRIAL_FAIL;
		s->server_failed = true;
		s->fail_qps = offered;
	}
	/* Passing at the upper bound, or an interval below the resolution: done. */
	if (s->pass_qps >= s->max_qps || s->fail_qps - s->pass_qps <= s->step_qps) {
		s->done = true;
		return v;
	}
	s->next_qps = (s->pass_qps + s->fail_qps) / 2.0;
	return v;
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
