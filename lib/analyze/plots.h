/**
 * @file plots.h
 * @brief The plots of a capture's tables (dnsvolley analyze --html, --plots),
 *        drawn by gnuplot as PNG and SVG.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "analyze/tables.h"
#include "report/html.h"

/** The plots, in the page's order. */
enum dv_an_plot_kind {
	DV_AN_PLOT_GAP = 0, /**< the first two queries' gap, 1 ms bins, clusters labelled */
	DV_AN_PLOT_SEQLEN,  /**< sequences by length */
	DV_AN_PLOT_EDNS,    /**< EDNS sizes offered per family (the text table's rows) */
	DV_AN_PLOT_SOURCES, /**< addresses by the queries they sent */
	DV_AN_PLOTS
};

/** Whether plot k has anything to draw (e.g. the gap plot: a sequence of two). */
bool dv_an_plot_has_data(const struct dv_an_tables *t, enum dv_an_plot_kind k);

/**
 * Write plot k's data (its NAME.dat) and the settings and plot command of
 * its script; dv_an_plots_render() adds the terminal and output.
 */
void dv_an_plot_write(const struct dv_an_tables *t, enum dv_an_plot_kind k, FILE *dat, FILE *gp);

/** Plot k's base name ("gap12", "seqlen", "edns", "sources"). */
const char *dv_an_plot_name(enum dv_an_plot_kind k);

/**
 * Draw every plot with data into dir (which exists) as NAME.png and
 * NAME.svg, with NAME.dat and NAME.gp beside them (report/gnuplot.h).
 * @param[out] figs room for DV_AN_PLOTS: the drawn plots (SVG, caption;
 *             static strings)
 * @param[out] nfigs how many
 * @return 0, -ENOENT when gnuplot cannot be run, another negative errno
 *         when a file cannot be written (reported, one line)
 */
int dv_an_plots_render(const struct dv_an_tables *t, const char *dir, struct dv_html_figure *figs,
		       unsigned *nfigs);
