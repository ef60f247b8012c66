/**
 * @file responder.h
 * @brief The embedded responder's setup (impairment tables, sized from the plan).
 */
#pragma once

#include <stdint.h>

#include "config/plan.h"

struct dv_resp;

/** Allocate what the plan's impairments need. @return 0 or -ENOMEM */
int dv_responder_setup(struct dv_resp *r, const struct dv_plan *plan, uint64_t tsc_hz);

/** Free it (and any answers still waiting in the delay line). */
void dv_responder_release(struct dv_resp *r);
