/**
 * @file set_verdict.c
 * @brief Setter of --fail-if: a run's verdict conditions, checked before EAL.
 */
#include "config/setters.h"

#include <string.h>

#include "config/conditions.h"

/*
 * A run has no base to compare with, so a relative condition ("+10%") is
 * refused here, with the other mistakes, before a packet is sent: a CI job
 * that would only learn at the end that its gate cannot be evaluated wastes
 * the run.
 */
int dv_set_fail_if(struct dv_plan *p, const char *v, const char *ctx)
{
	return dv_conds_parse(v, ctx, false, &p->fail_if);
}

void dv_forget_fail_if(struct dv_plan *p)
{
	memset(&p->fail_if, 0, sizeof(p->fail_if));
}
