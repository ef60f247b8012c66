/**
 * @file run_sink.h
 * @brief The report as a run's sink: the status line, JSON lines, resperf
 * plot data and the closing text report of one run (metrics/sink.h).
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "config/plan.h"
#include "metrics/sink.h"
#include "report/json.h"

/** One run's outputs. Owned by the caller of dv_run(); one per run. */
struct dv_run_sink {
	const struct dv_plan *plan;
	struct dv_json_out json;
	bool json_open;
	FILE *plot;
	bool tty;          /**< stdout is a terminal: the status line updates in place */
	bool status_shown; /**< a status line is on the terminal, without its newline */
};

/**
 * Make the sink of a run of plan (nothing is opened yet: the engine calls
 * open once the run passed its checks).
 * @return the callbacks to hand to dv_run()
 */
struct dv_sink dv_run_sink_init(struct dv_run_sink *s, const struct dv_plan *plan);
