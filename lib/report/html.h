/**
 * @file html.h
 * @brief One self-contained HTML page of a run: its tables and plots, for a lab report.
 */
#pragma once

#include "report/figures.h"

/**
 * Write path: the title, the text report as a preformatted block, and every
 * drawn plot's SVG inlined from dir (no external file, script or font).
 * Text is HTML-escaped; the SVGs lose their XML declaration and DOCTYPE and
 * their ids are prefixed with the plot's name (unique in the page). An SVG
 * with a script, foreign content or a link outside itself is not inlined
 * (reported; the page is written without that figure).
 * @param path        the page to write
 * @param title       of the page (<title> and <h1>)
 * @param sections    HTML sections before the text report, already
 *                    escaped (e.g. dv_html_checks()); NULL: none
 * @param report_text the text report (as dnsvolley prints it; NULL: none)
 * @param dir         where dv_plots_render() wrote the plots
 * @param plots       what it drew (NULL: no figures)
 * @return 0 or a negative errno (reported, one line)
 */
int dv_html_write(const char *path, const char *title, const char *sections,
		  const char *report_text, const char *dir, const struct dv_plot_files *plots);
