/**
 * @file figures.h
 * @brief Plots of a finished run, rendered with gnuplot to PNG and SVG.
 */
#pragma once

#include <stddef.h>

#include "report/html.h"
#include "report/series.h"
#include "metrics/result.h"

/** The plots dv_plots_render() draws, in this order. */
enum dv_plot_kind {
	DV_PLOT_RESOLVE = 0, /**< time to resolution: CDF per EDNS size (with sequences: first) */
	DV_PLOT_LATENCY,     /**< latency percentile curve, log scale (as DNS Shotgun draws it) */
	DV_PLOT_RATES,       /**< sent / answered / failed per second over time */
	DV_PLOT_FAILURE,     /**< failure rate by EDNS size and family */
	DV_PLOT_GAPS,        /**< histogram of the gap between attempts */
	DV_PLOT_SEQLEN,      /**< distribution of sequence lengths (attempts per logical query) */
	DV_PLOT_TTL,         /**< --track-answers: TTL of A and AAAA records in the answers over time */
	DV_PLOTS
};

/** What was rendered: file names relative to the output directory. */
struct dv_plot_files {
	bool drawn[DV_PLOTS];      /**< false: nothing to draw (e.g. no sequences), or gnuplot failed */
	char png[DV_PLOTS][64];    /**< "latency.png" ... */
	char svg[DV_PLOTS][64];    /**< "latency.svg" ... */
	char title[DV_PLOTS][256]; /**< caption for the HTML page */
};

/**
 * Render every plot that has data into dir (which exists), as NAME.png and
 * NAME.svg, by writing NAME.dat / NAME.gp and running gnuplot.
 *
 * Names: latency, rates, failure, gaps, seqlen (out->png/svg/title are
 * filled for every plot, drawn or not). gnuplot ("gnuplot -d NAME.gp", no
 * shell) runs in dir with stdout to /dev/null; its stderr passes through.
 * A plot gnuplot fails on is reported (one line) and left undrawn; the
 * others are still drawn.
 * @param sum   the whole run
 * @param rows  its intervals (may be NULL when nrows is 0: no plot over time)
 * @param dir   output directory
 * @param[out] out what was drawn
 * @return number of plots drawn, or a negative errno (gnuplot missing:
 *         -ENOENT; a .dat or .gp file that cannot be written: its errno)
 */
int dv_plots_render(const struct dv_result *sum, const struct dv_series_row *rows, size_t nrows,
		    const char *dir, struct dv_plot_files *out);

/**
 * The drawn plots as the HTML page's figures, in their order.
 * @param pf   what dv_plots_render() drew (NULL: none)
 * @param[out] figs room for DV_PLOTS (its strings point into pf)
 * @return how many
 */
unsigned dv_plot_figures(const struct dv_plot_files *pf, struct dv_html_figure *figs);
