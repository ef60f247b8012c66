/**
 * @file html.h
 * @brief One self-contained HTML page of a run: its tables and plots, for a lab report.
 */
#pragma once

#include "report/plots.h"

/**
 * Write path: the title, the text report as a preformatted block, and every
 * drawn plot's SVG inlined from dir (no external file, script or font).
 * @param report_text the text report (as dnsvolley prints it)
 * @return 0 or a negative errno
 */
int dv_html_write(const char *path, const char *title, const char *report_text,
		  const char *dir, const struct dv_plot_files *plots);
