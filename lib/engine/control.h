/**
 * @file control.h
 * @brief The main lcore while the run lasts: schedules, launches, the
 *        control loop (status and plot lines, features' ticks, end of
 *        sending, drain), and the --search driver.
 */
#pragma once

#include "engine/session.h"
#include "metrics/counters.h"

/** The intro lines: version, target, rate, next hops, lcores and memory. */
void dv_control_intro(const struct dv_session *s);

/**
 * Send, per the plan: one sending period (fixed, ramp, --max) or the
 * search's trials; each drained. SIGINT/SIGTERM stop sending (a second one
 * stops at once). Fills res's run time, interruption, ramp and search
 * findings, and the interval lines it printed. --start-at: waits first.
 * @return 0, -ETIME when the --start-at time passed before anything was
 *         sent, or another negative errno (each reported)
 */
int dv_control_run(struct dv_session *s, struct dv_result *res);
