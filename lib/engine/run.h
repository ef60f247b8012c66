/**
 * @file run.h
 * @brief One run: EAL, ports, lcores, pacing of the whole, drain, report.
 */
#pragma once

#include "config/plan.h"
#include "metrics/result.h"
#include "metrics/sink.h"

/**
 * Execute a validated plan; what it measures goes to sink as it runs and at
 * its end (the report's dv_run_sink_init() makes one; NULL: nowhere).
 * @param plan validated plan (from dv_cli_parse)
 * @param sink the run's outputs, or NULL
 * @param result if not NULL, receives the merged result
 * @return process exit status: 0 run completed (whatever the answers were),
 *         DV_EXIT_USAGE for a user/environment error found before sending,
 *         DV_EXIT_FAILURE for an internal failure
 */
int dv_run(const struct dv_plan *plan, const struct dv_sink *sink, struct dv_result *result);
