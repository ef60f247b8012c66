/**
 * @file sink.h
 * @brief What a run tells whoever records it, while it runs and when it ends.
 *
 * The engine measures; it does not format. It calls a sink on the main lcore,
 * off the hot path: the report implements one (report/run_sink.c: status
 * line, JSON lines, resperf plot data, the text report) and the app hands it
 * to dv_run(). So the engine includes no report header, and a new output
 * (metrics export, say) is another sink, not an edit of the engine.
 */
#pragma once

struct dv_result;

/** One line of resperf-style plot data (--plot): one interval of the ramp. */
struct dv_plot_row {
	double time_s;
	double target_qps;
	double actual_qps;
	double responses_ps;
	double failures_ps;
	double avg_latency_s;
	double conn_ps;      /**< TCP connections opened per second (resperf's "connections"; 0 over UDP) */
	double conn_avg_latency_s; /**< their mean handshake time (resperf's "conn_avg_latency") */
	double secs;         /**< the interval's real length on the clock (the rates are over it) */
	double stall_s;      /**< the process stalled this long in the interval (0: none); the
			          interval is then no whole one and the ramp's maximum skips it */
};

/** The callbacks of one run's outputs; any may be NULL. */
struct dv_sink {
	void *ctx;
	/**
	 * The run passed its checks and is about to start EAL: create the output
	 * files now (never earlier, so a refused run leaves no file behind).
	 * @return 0, or a negative errno reported on one line (exit status 2)
	 */
	int (*open)(void *ctx);
	/**
	 * An interval ended (-S): iv holds its deltas, since/until set.
	 * @param elapsed_s seconds since the start, at the end of the interval
	 * @param left_s sending time left; < 0 once sending is over (draining)
	 */
	void (*interval)(void *ctx, const struct dv_result *iv, double elapsed_s, double left_s);
	/** A resperf plot interval ended. */
	void (*plot_row)(void *ctx, const struct dv_plot_row *row);
	/**
	 * The run ended and res is complete: print and keep it.
	 * @return 0, or a negative errno when it could not be kept (reported)
	 */
	int (*done)(void *ctx, const struct dv_result *res);
	/** Close whatever is still open (also after a failed run). */
	void (*release)(void *ctx);
};
