/**
 * @file set_rate.c
 * @brief Setters of -Q and the rate modes (--max, --ramp, --search).
 */
#include "config/setters.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "config/parse.h"
#include "config/scenario.h"
#include "config/set_util.h"
#include "core/log.h"

/* -Q 0 is --max: recorded as qps 0, resolved by dv_settings_finish(). */
int dv_set_rate(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_rate_zero(v, &p->qps) != 0)
		return dv_not_a(ctx, v, "a rate");
	return 0;
}

int dv_set_max(struct dv_plan *p, const char *v, const char *ctx)
{
	bool on;
	if (dv_parse_bool(v, &on) != 0)
		return dv_not_a(ctx, v, "a boolean (true or false)");
	if (on)
		p->rate_mode = DV_RATE_MAX;
	else if (p->rate_mode == DV_RATE_MAX)
		p->rate_mode = DV_RATE_FIXED;
	return 0;
}

/** FROM:TO:DURATION, FROM >= 0, TO > FROM, the duration as -l takes it. */
int dv_set_ramp(struct dv_plan *p, const char *v, const char *ctx)
{
	char buf[128], *f[3];
	struct dv_ramp_plan r;
	if (dv_split_copy(v, ':', buf, sizeof(buf), f, 3) != 3)
		return dv_not_a(ctx, v, "a ramp FROM:TO:DURATION, e.g. 0:50k:60s");
	if (dv_parse_rate_zero(f[0], &r.from_qps) != 0)
		return dv_bad_field(ctx, f[0], v, "a starting rate (FROM, 0 or more)");
	if (dv_parse_rate(f[1], &r.to_qps) != 0)
		return dv_bad_field(ctx, f[1], v, "an end rate (TO, above 0)");
	if (dv_parse_seconds(f[2], false, &r.duration_s) != 0)
		return dv_bad_field(ctx, f[2], v, "a duration in seconds");
	if (!(r.to_qps > r.from_qps)) {
		char qb[DV_QUOTE_BUF];
		dv_err("%s: '%s' does not ramp up (TO must be above FROM)", ctx,
		       dv_quote(v, qb, sizeof(qb)));
		return -EINVAL;
	}
	p->ramp = r;
	return 0;
}

/* Messages spell these limits out. */
_Static_assert((int)DV_SEARCH_TRIAL_MAX == 3600 && DV_SEARCH_REPEATS_MAX == 15,
	       "messages say 3600 s and 15");
#ifdef __clang__
/* clang folds a floating constant only as the operand of a cast to an integer. */
_Static_assert((int)DV_SEARCH_RESOLUTION_MAX == 50, "messages say 0.01..50");
#else
_Static_assert(DV_SEARCH_RESOLUTION_MIN == 0.01 && DV_SEARCH_RESOLUTION_MAX == 50.0,
	       "messages say 0.01..50");
#endif

/** LOSS%[:TRIAL[:REPEATS]]; keeps --search-resolution. */
int dv_set_search(struct dv_plan *p, const char *v, const char *ctx)
{
	char buf[128], *f[3];
	int n = dv_split_copy(v, ':', buf, sizeof(buf), f, 3);
	if (n < 1)
		return dv_not_a(ctx, v, "a search LOSS%[:TRIAL[:REPEATS]], e.g. 1%:2s:3");

	struct dv_search_plan s = p->search;
	s.trial_s = DV_DEFAULT_SEARCH_TRIAL;
	s.repeats = DV_DEFAULT_SEARCH_REPEATS;
	if (dv_parse_percent(f[0], &s.loss_pct) != 0)
		return dv_bad_field(ctx, f[0], v, "a loss percentage in 0..100, e.g. 1%");
	if (n > 1 && (dv_parse_seconds(f[1], false, &s.trial_s) != 0 ||
		      s.trial_s > DV_SEARCH_TRIAL_MAX))
		return dv_bad_field(ctx, f[1], v, "a trial duration in (0, 3600 s]");
	uint64_t r;
	if (n > 2) {
		if (dv_parse_uint(f[2], 1, DV_SEARCH_REPEATS_MAX, &r) != 0)
			return dv_bad_field(ctx, f[2], v, "a number of repeats in 1..15");
		s.repeats = (unsigned)r;
	}
	p->search = s;
	return 0;
}

int dv_set_search_resolution(struct dv_plan *p, const char *v, const char *ctx)
{
	double r;
	if (dv_parse_percent(v, &r) != 0 || r < DV_SEARCH_RESOLUTION_MIN ||
	    r > DV_SEARCH_RESOLUTION_MAX)
		return dv_not_a(ctx, v, "a percentage in 0.01..50");
	p->search.resolution_pct = r;
	return 0;
}

void dv_rate_forget(struct dv_plan *p, bool all)
{
	if (p->rate_mode == DV_RATE_MAX)
		p->rate_mode = DV_RATE_FIXED;
	memset(&p->ramp, 0, sizeof(p->ramp));
	if (!all)
		return;
	double resolution = p->search.resolution_pct;
	memset(&p->search, 0, sizeof(p->search));
	p->search.resolution_pct = resolution;
	if (p->qps == 0.0)
		p->qps = DV_DEFAULT_QPS;
}

/* Which rate options were given is in the plan (see dv_setting_set() in scenario.h);
 * at most one mode, then the mode and what it implies. */
int dv_rate_finish(struct dv_plan *p)
{
	bool zero = p->qps == 0.0;
	bool max = p->rate_mode == DV_RATE_MAX;
	bool ramp = p->ramp.to_qps > 0.0;
	bool search = p->search.repeats > 0;
	const char *max_name = max ? "--max" : "-Q 0";

	if (ramp && search) {
		dv_err("--ramp: conflicts with --search");
		return -EINVAL;
	}
	if ((max || zero) && (ramp || search)) {
		if (max || ramp)
			dv_err("%s: conflicts with %s", max_name, ramp ? "--ramp" : "--search");
		else
			dv_err("--search: needs an upper bound: -Q QPS above 0 (-Q 0 is --max)");
		return -EINVAL;
	}

	if (max || zero) {
		p->rate_mode = DV_RATE_MAX;
		p->qps = 0.0;
	} else if (ramp) {
		p->rate_mode = DV_RATE_RAMP;
		p->duration_s = p->ramp.duration_s;
		p->qps = p->ramp.to_qps;
	} else if (search) {
		p->rate_mode = DV_RATE_SEARCH;
		p->search.max_qps = p->qps;
	} else {
		p->rate_mode = DV_RATE_FIXED;
	}
	return 0;
}
