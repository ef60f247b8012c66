/**
 * @file set_output.c
 * @brief Setters of result files, answer tracking, quiet, and the scenario's description.
 */
#include "config/setters.h"

#include <errno.h>
#include <stdbool.h>

#include "config/parse.h"
#include "config/scenario.h"
#include "config/set_util.h"
#include "core/log.h"

int dv_set_json(struct dv_plan *p, const char *v, const char *ctx)
{
	return dv_copy_value(ctx, v, p->json_path, sizeof(p->json_path));
}

int dv_set_plot(struct dv_plan *p, const char *v, const char *ctx)
{
	return dv_copy_value(ctx, v, p->plot_path, sizeof(p->plot_path));
}

int dv_set_plot_interval(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_seconds(v, false, &p->plot_interval_s) != 0)
		return dv_not_a(ctx, v, "an interval in seconds above 0, e.g. 0.5");
	return 0;
}

/** A boolean (true: the default rate) or answers sampled per second per collector, 0 = off. */
int dv_set_track_answers(struct dv_plan *p, const char *v, const char *ctx)
{
	bool on;
	uint64_t n;
	if (dv_parse_bool(v, &on) == 0) {
		p->track_answers = on ? DV_TRACK_ANSWERS_DEFAULT : 0;
		return 0;
	}
	if (dv_parse_uint(v, 0, DV_TRACK_ANSWERS_MAX, &n) != 0)
		return dv_not_a(ctx, v, "true, false, or answers per second 0..100000");
	p->track_answers = (unsigned)n;
	return 0;
}

int dv_set_quiet(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_bool(v, &p->quiet) != 0)
		return dv_not_a(ctx, v, "a boolean (true or false)");
	return 0;
}

/** A scenario's description is for its readers: nothing to set. */
int dv_set_description(struct dv_plan *p, const char *v, const char *ctx)
{
	(void)p;
	(void)v;
	(void)ctx;
	return 0;
}
