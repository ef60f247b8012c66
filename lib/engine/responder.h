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

/** Distinct client addresses that sent queries (a 65536-bit sketch: exact while few, a lower bound beyond). */
uint64_t dv_responder_sources(const struct dv_resp *r);

/** Distinct client source ports that sent queries. */
uint64_t dv_responder_ports(const struct dv_resp *r);
