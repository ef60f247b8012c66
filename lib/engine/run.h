/**
 * @file run.h
 * @brief One run: EAL, ports, lcores, pacing of the whole, drain, report.
 */
#pragma once

#include "config/plan.h"
#include "metrics/result.h"

/**
 * Execute a validated plan and print its report.
 * @param plan validated plan (from dv_cli_parse)
 * @param result if not NULL, receives the merged result
 * @return process exit status: 0 run completed (whatever the answers were),
 *         DV_EXIT_USAGE for a user/environment error found before sending,
 *         DV_EXIT_FAILURE for an internal failure
 */
int dv_run(const struct dv_plan *plan, struct dv_result *result);
