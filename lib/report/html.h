/**
 * @file html.h
 * @brief One self-contained HTML page: tables and plots, for a lab report
 *        (`dnsvolley report`'s of a run, `dnsvolley analyze`'s of a capture).
 */
#pragma once

/** One figure of the page: a plot's SVG and the caption under it. */
struct dv_html_figure {
	const char *svg;     /**< file name in the plots' directory ("latency.svg") */
	const char *caption; /**< how to read it (plain text) */
};

/**
 * Write path: the title, the text report as a preformatted block, and every
 * figure's SVG inlined from dir (no external file, script or font).
 * Text is HTML-escaped; the SVGs lose their XML declaration and DOCTYPE and
 * their ids are prefixed with the plot's name (unique in the page). An SVG
 * with a script, foreign content or a link outside itself is not inlined
 * (reported; the page is written without that figure).
 * @param path        the page to write
 * @param title       of the page (<title> and <h1>)
 * @param sections    HTML sections before the text report, already
 *                    escaped (e.g. dv_html_checks()); NULL: none
 * @param report_text the text report (as dnsvolley prints it; NULL: none)
 * @param dir         where the plots' SVGs are
 * @param figs        the figures, in the page's order (NULL: none)
 * @param nfigs       how many
 * @return 0 or a negative errno (reported, one line)
 */
int dv_html_write(const char *path, const char *title, const char *sections,
		  const char *report_text, const char *dir, const struct dv_html_figure *figs,
		  unsigned nfigs);
