/**
 * @file page.h
 * @brief What `dnsvolley analyze` writes besides the text and JSON: the
 *        plots (--plots DIR) and one self-contained HTML page of the tables
 *        and the plots (--html FILE), as `dnsvolley report` makes of a run.
 */
#pragma once

#include <stdbool.h>

#include "analyze/tables.h"

/** Where the page and the plots go. */
struct dv_an_page_opts {
	const char *html;      /**< the page (NULL: none) */
	const char *plots_dir; /**< keep the plots there (NULL: drawn in a temporary directory for the page) */
	bool no_plots;         /**< the page without plots: gnuplot is not run */
};

/**
 * Check before the capture is read that the outputs can be written, so a
 * mistyped path does not cost the whole analysis: --html's directory exists
 * and is writable and FILE is not a directory; --plots is a directory or
 * does not exist yet.
 * @return 0 or a negative errno (reported, one line)
 */
int dv_an_page_check(const struct dv_an_page_opts *o);

/**
 * Draw the plots and write the page.
 * @param capture the capture's path (the page's title)
 * @return the plots drawn, or a negative errno (reported, one line;
 *         -ENOENT: gnuplot cannot be run)
 */
int dv_an_page_write(const struct dv_an_tables *t, const char *capture,
		     const struct dv_an_page_opts *o);
