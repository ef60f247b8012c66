/**
 * @file set_fragments.c
 * @brief Setters of fragmented answers and collectors.
 */
#include "config/setters.h"

#include <errno.h>
#include <string.h>

#include "config/parse.h"
#include "config/scenario.h"
#include "config/set_util.h"
#include "core/log.h"

/* Messages spell these limits out. */
_Static_assert((int)DV_FRAG_TIMEOUT_MAX == 10, "messages say 10 s");
_Static_assert(DV_MAX_COLLECTORS == 8, "messages say 8");

int dv_set_frag_timeout(struct dv_plan *p, const char *v, const char *ctx)
{
	double t;
	if (dv_parse_seconds(v, false, &t) != 0 || t > DV_FRAG_TIMEOUT_MAX)
		return dv_not_a(ctx, v, "a fragment timeout in (0, 10 s], e.g. 100ms");
	p->frag_timeout_s = t;
	return 0;
}

int dv_set_fragmented(struct dv_plan *p, const char *v, const char *ctx)
{
	if (strcmp(v, "reassemble") == 0)
		p->fragmented = DV_FRAG_REASSEMBLE;
	else if (strcmp(v, "drop") == 0)
		p->fragmented = DV_FRAG_DROP;
	else
		return dv_not_a(ctx, v, "reassemble or drop");
	return 0;
}

int dv_set_collectors(struct dv_plan *p, const char *v, const char *ctx)
{
	uint64_t n;
	if (dv_parse_uint(v, 1, DV_MAX_COLLECTORS, &n) != 0)
		return dv_not_a(ctx, v, "a number of collectors in 1..8");
	p->collectors = (unsigned)n;
	return 0;
}
