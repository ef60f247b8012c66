/**
 * @file gnuplot.h
 * @brief One plot drawn by gnuplot as PNG and SVG: the data and script files,
 *        the settings every plot shares, and running gnuplot (report's
 *        figures and analyze's plots).
 */
#pragma once

#include <stdio.h>

/* Colours shared by the plots, so a family looks the same everywhere. */
#define DV_GP_COLOR_V4 "#1f6fb4"
#define DV_GP_COLOR_V6 "#e8740c"
#define DV_GP_COLOR_BAR "#4c78a8"

/**
 * Write a plot's data (NAME.dat) and the settings and plot command of its
 * script (NAME.gp; no terminal, no output: dv_gp_render() adds those).
 * @param ctx what the caller passed to dv_gp_render()
 */
typedef void (*dv_gp_body_fn)(const void *ctx, FILE *dat, FILE *gp);

/**
 * Draw one plot into dir (which exists): write NAME.dat and NAME.gp (a
 * script drawing NAME.png, then the same settings as NAME.svg) and run
 * "gnuplot -d NAME.gp" in dir, stdout to /dev/null, its stderr passing
 * through. The scripts name files by their base names only: they stay valid
 * if the directory moves.
 * @param dir   output directory
 * @param name  base name of the files (an XML name: the HTML page's id prefix)
 * @param title in the image
 * @param body  writes the data and the plot's own settings
 * @param ctx   passed to body
 * @return 1 drawn; 0 gnuplot failed on it or left no image (reported, one
 *         line); -ENOENT gnuplot cannot be run (reported); another negative
 *         errno when a file cannot be written (reported)
 */
int dv_gp_render(const char *dir, const char *name, const char *title, dv_gp_body_fn body,
		 const void *ctx);

/**
 * Labelled ticks at 1, 2, 5 x 10^k over [lo, hi] on a log axis when the
 * range is under three decades (gnuplot would label one or two ticks only);
 * wider ranges keep gnuplot's decades.
 * @param axis "x" or "y"
 */
void dv_gp_log_tics(FILE *gp, const char *axis, double lo, double hi);
